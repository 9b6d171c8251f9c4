import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsObject, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { TIMEOUT_LIMITS } from '../../commands/dto/command.dto';
import { ThingName } from '../../thing-name';


export class ServicePropertiesDto {
  @ApiProperty({ example: 'pump' })
  @ThingName('service_id')
  service_id: string;

  @ApiProperty({ example: { speed: 1200 }, description: 'Writable (W or RW) properties of the service and their values' })
  @IsObject()
  properties: Record<string, unknown>;
}

export class SetPropertiesDto {
  @ApiProperty({ type: [ServicePropertiesDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(128)
  @ValidateNested({ each: true })
  @Type(() => ServicePropertiesDto)
  services: ServicePropertiesDto[];

  @ApiPropertyOptional({ example: 5000, default: TIMEOUT_LIMITS.default, minimum: TIMEOUT_LIMITS.min, maximum: TIMEOUT_LIMITS.max })
  @IsOptional()
  @IsInt()
  @Min(TIMEOUT_LIMITS.min)
  @Max(TIMEOUT_LIMITS.max)
  timeout_ms?: number;
}

export class GetPropertiesQuery {
  @ApiPropertyOptional({ example: 'pump', description: 'One service; all of them when absent' })
  @IsOptional()
  @ThingName('service_id')
  service_id?: string;

  @ApiPropertyOptional({ example: 5000, default: TIMEOUT_LIMITS.default })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(TIMEOUT_LIMITS.min)
  @Max(TIMEOUT_LIMITS.max)
  timeout_ms?: number;
}

export class PropertiesSetResponseDto {
  @ApiProperty({ example: 0 })
  result_code: number;

  @ApiPropertyOptional({ example: 'success' })
  result_desc?: string;
}

export class PropertiesSetResultDto {
  @ApiProperty({ example: '3f0c6d9e-8a51-4c1e-9d0b-0a4f6c7e2b13' })
  command_id: string;

  @ApiProperty({ type: PropertiesSetResponseDto })
  response: PropertiesSetResponseDto;
}

export class PropertiesGetResponseDto {
  @ApiProperty({ type: [ServicePropertiesDto], description: 'What the device read, by service' })
  services: ServicePropertiesDto[];
}

export class PropertiesGetResultDto {
  @ApiProperty({ example: '3f0c6d9e-8a51-4c1e-9d0b-0a4f6c7e2b13' })
  command_id: string;

  @ApiProperty({ type: PropertiesGetResponseDto })
  response: PropertiesGetResponseDto;
}

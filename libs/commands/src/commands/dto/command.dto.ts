import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, Max, Min } from 'class-validator';
import { ThingName } from '../../thing-name';


/** How long a request may wait for the device, in ms. */
export const TIMEOUT_LIMITS = { default: 20_000, min: 1_000, max: 60_000 } as const;

export class SendCommandDto {
  @ApiProperty({ example: 'pump', description: 'A service of the device’s product (any, for a device without a product)' })
  @ThingName('service_id')
  service_id: string;

  @ApiProperty({ example: 'set_speed', description: 'A command of that service' })
  @ThingName('command_name')
  command_name: string;

  @ApiPropertyOptional({ example: { rpm: 1200 }, description: 'The command’s parameters, checked against the thing model' })
  @IsOptional()
  @IsObject()
  paras?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 5000, default: TIMEOUT_LIMITS.default, minimum: TIMEOUT_LIMITS.min, maximum: TIMEOUT_LIMITS.max, description: 'How long to wait for the device’s answer, ms' })
  @IsOptional()
  @IsInt()
  @Min(TIMEOUT_LIMITS.min)
  @Max(TIMEOUT_LIMITS.max)
  timeout_ms?: number;
}

export class CommandResponseDto {
  @ApiProperty({ example: 0, description: 'The device’s result: 0 for success' })
  result_code: number;

  @ApiPropertyOptional({ example: 'set_speed_response' })
  response_name?: string;

  @ApiPropertyOptional({ example: { rpm: 1200 } })
  paras?: Record<string, unknown>;
}

export class CommandResultDto {
  @ApiProperty({ example: '3f0c6d9e-8a51-4c1e-9d0b-0a4f6c7e2b13' })
  command_id: string;

  @ApiProperty({ type: CommandResponseDto, description: 'What the device answered' })
  response: CommandResponseDto;
}

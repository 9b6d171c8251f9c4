import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, ValidateNested } from 'class-validator';
import { ThingName } from '../../thing-name';

export class ShadowSideDto {
  @ApiProperty({ example: { speed: 1200 } })
  properties: Record<string, unknown>;

  @ApiProperty({ example: '2026-12-01T10:00:00.000Z', nullable: true, type: String, description: 'When they were last reported (the device’s event_time when it sent one) or set' })
  event_time: string | null;
}

export class ServiceShadowDto {
  @ApiProperty({ example: 'pump' })
  service_id: string;

  @ApiProperty({ type: ShadowSideDto, description: 'What the platform wants; pushed to the device (properties/set) when it connects or subscribes, and at once when it is online' })
  desired: ShadowSideDto;

  @ApiProperty({ type: ShadowSideDto, description: 'What the device last reported (properties/report)' })
  reported: ShadowSideDto;

  @ApiProperty({ example: 7, description: 'Increases with every change of either side' })
  version: number;
}

export class DeviceShadowDto {
  @ApiProperty({ example: 'pump-0042' })
  device_id: string;

  @ApiProperty({ type: [ServiceShadowDto] })
  shadow: ServiceShadowDto[];
}

export class DesiredPropertiesDto {
  @ApiProperty({ example: { speed: 1500 }, description: 'Writable properties of the service and the values wanted' })
  @IsObject()
  properties: Record<string, unknown>;
}

export class DesiredServiceDto {
  @ApiProperty({ example: 'pump' })
  @ThingName('service_id')
  service_id: string;

  @ApiProperty({ type: DesiredPropertiesDto })
  @ValidateNested()
  @Type(() => DesiredPropertiesDto)
  desired: DesiredPropertiesDto;
}

export class SetDesiredDto {
  @ApiProperty({ type: [DesiredServiceDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(128)
  @ValidateNested({ each: true })
  @Type(() => DesiredServiceDto)
  shadow: DesiredServiceDto[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { DEVICE_ID_PATTERN, DEVICE_USERNAME_PATTERN } from '@iot/contracts';
import { PageQuery, PageOf } from '@iot/runtime';
import { PRODUCT_ID_PATTERN } from '../../products/dto/product.dto';
import { DeviceEntity } from '../device.entity';

const TAG_PATTERN = /^[\x21-\x7e]{1,64}$/;

export class CreateDeviceDto {
  @ApiPropertyOptional({ example: 'pump-0042', description: 'Unique in its project; generated when absent. 1-128 letters, digits, `-`, `_`, `.`, `:`, `@`.' })
  @IsOptional()
  @Matches(DEVICE_ID_PATTERN, { message: 'id must be 1-128 letters, digits, "-", "_", ".", ":" or "@", starting with a letter or digit' })
  id?: string;

  @ApiPropertyOptional({ example: 'Pump 42, north field', description: 'Defaults to the id' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ example: 'water-pump', description: 'A product of this project' })
  @IsOptional()
  @Matches(PRODUCT_ID_PATTERN, { message: 'productId must be 1-64 letters, digits, "-" or "_"' })
  productId?: string;

  @ApiPropertyOptional({ example: 'pump-0042', description: 'MQTT username, unique across the platform; defaults to the id (409 when taken)' })
  @IsOptional()
  @Matches(DEVICE_USERNAME_PATTERN, { message: 'username must be 1-128 visible ASCII characters' })
  username?: string;

  @ApiPropertyOptional({ example: ['north-field', 'v2'], description: 'At most 32 tags of 1-64 visible ASCII characters' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @Matches(TAG_PATTERN, { each: true, message: 'each tag must be 1-64 visible ASCII characters' })
  tags?: string[];

  @ApiPropertyOptional({ example: true, default: true, description: 'A disabled device cannot connect' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateDeviceDto {
  @ApiPropertyOptional({ example: 'Pump 42, south field' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ example: 'water-pump', nullable: true, description: 'null removes the product' })
  @ValidateIf((_o, value) => value !== null && value !== undefined)
  @Matches(PRODUCT_ID_PATTERN, { message: 'productId must be 1-64 letters, digits, "-" or "_", or null' })
  productId?: string | null;

  @ApiPropertyOptional({ example: 'pump-0042-b' })
  @IsOptional()
  @Matches(DEVICE_USERNAME_PATTERN, { message: 'username must be 1-128 visible ASCII characters' })
  username?: string;

  @ApiPropertyOptional({ example: ['south-field'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @Matches(TAG_PATTERN, { each: true, message: 'each tag must be 1-64 visible ASCII characters' })
  tags?: string[];

  @ApiPropertyOptional({ example: false, description: 'Disabling disconnects the device and refuses it from then on' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class ListDevicesQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'water-pump' })
  @IsOptional()
  @Matches(PRODUCT_ID_PATTERN, { message: 'productId must be 1-64 letters, digits, "-" or "_"' })
  productId?: string;

  @ApiPropertyOptional({ example: 'north-field', description: 'Devices carrying this tag' })
  @IsOptional()
  @Matches(TAG_PATTERN, { message: 'tag must be 1-64 visible ASCII characters' })
  tag?: string;

  @ApiPropertyOptional({ example: 'pump', description: 'Text search in id, name and username (case-insensitive)' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  q?: string;

  @ApiPropertyOptional({ enum: ['online', 'offline'], description: 'Only devices connected now (online) or not (offline)' })
  @IsOptional()
  @IsIn(['online', 'offline'], { message: 'status must be online or offline' })
  status?: 'online' | 'offline';

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only enabled (true) or disabled (false) devices' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsIn([true, false], { message: 'enabled must be true or false' })
  enabled?: boolean;
}

export class DeviceDto {
  @ApiProperty({ example: 'pump-0042' })
  id: string;

  @ApiProperty({ example: 'smart-farm' })
  projectId: string;

  @ApiProperty({ example: 'Pump 42, north field' })
  name: string;

  @ApiProperty({ example: 'water-pump', nullable: true, type: String })
  productId: string | null;

  @ApiProperty({ example: 'pump-0042' })
  username: string;

  @ApiProperty({ example: ['north-field'] })
  tags: string[];

  @ApiProperty({ example: true })
  enabled: boolean;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  updatedAt: string;

  static from(entity: DeviceEntity): DeviceDto {
    return {
      id: entity.id,
      projectId: entity.projectId,
      name: entity.name,
      productId: entity.productId,
      username: entity.username,
      tags: entity.tags,
      enabled: entity.enabled,
      createdAt: entity.createdAt.toISOString(),
      updatedAt: entity.updatedAt.toISOString(),
    };
  }
}

export class DevicePageDto extends PageOf(DeviceDto) {}

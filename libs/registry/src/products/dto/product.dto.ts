import { PageOf } from '@iot/runtime';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { ProductEntity } from '../product.entity';
import { ThingModelDto } from './thing-model.dto';

export const PRODUCT_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/;

export class ProductBodyDto {
  @ApiProperty({ example: 'Water pump v2', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ type: ThingModelDto, description: 'Defaults to no services' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ThingModelDto)
  model?: ThingModelDto;
}

export class CreateProductDto extends ProductBodyDto {
  @ApiPropertyOptional({ example: 'water-pump', description: 'Unique in its project; generated when absent. 1-64 letters, digits, `-`, `_`.' })
  @IsOptional()
  @Matches(PRODUCT_ID_PATTERN, { message: 'id must be 1-64 letters, digits, "-" or "_", starting with a letter or digit' })
  id?: string;
}

export class ProductDto {
  @ApiProperty({ example: 'water-pump' })
  id: string;

  @ApiProperty({ example: 'smart-farm' })
  projectId: string;

  @ApiProperty({ example: 'Water pump v2' })
  name: string;

  @ApiProperty({ type: ThingModelDto })
  model: ThingModelDto;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  updatedAt: string;

  static from(entity: ProductEntity): ProductDto {
    return { id: entity.id, projectId: entity.projectId, name: entity.name, model: entity.model, createdAt: entity.createdAt.toISOString(), updatedAt: entity.updatedAt.toISOString() };
  }
}

export class ProductPageDto extends PageOf(ProductDto) {}

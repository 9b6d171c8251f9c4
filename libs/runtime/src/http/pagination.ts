import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `?limit=&offset=` on every list endpoint. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;
}

/** The envelope of every list response. */
export class Page<T> {
  @ApiProperty({ description: 'Items of this page' })
  items: T[];

  @ApiProperty({ description: 'Items matching the query, across all pages' })
  total: number;

  @ApiProperty()
  limit: number;

  @ApiProperty()
  offset: number;

  static of<T>(items: T[], total: number, query: PageQuery): Page<T> {
    return Object.assign(new Page<T>(), { items, total, limit: query.limit, offset: query.offset });
  }
}

/**
 * The OpenAPI shape of a page of `type` (Page<T> is generic, which the document cannot show):
 * `class DevicePageDto extends PageOf(DeviceDto) {}`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function PageOf<T>(type: new (...args: any[]) => T, description = 'Items of this page') {
  class PageOfType {
    @ApiProperty({ type: [type], description })
    items: T[];

    @ApiProperty({ example: 1, description: 'Items matching the query, across all pages' })
    total: number;

    @ApiProperty({ example: 50 })
    limit: number;

    @ApiProperty({ example: 0 })
    offset: number;
  }
  return PageOfType;
}

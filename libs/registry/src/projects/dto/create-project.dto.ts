import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';

export const PROJECT_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/;

export class CreateProjectDto {
  @ApiPropertyOptional({ example: 'smart-farm', description: 'Kept as given; generated when absent. 1-64 letters, digits, `-`, `_`.' })
  @IsOptional()
  @Matches(PROJECT_ID_PATTERN, { message: 'id must be 1-64 letters, digits, "-" or "_", starting with a letter or digit' })
  id?: string;

  @ApiProperty({ example: 'Smart farm', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { PROJECT_ID_PATTERN } from '@iot/contracts';


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

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Length } from 'class-validator';

export class SetCredentialsDto {
  @ApiPropertyOptional({ example: 'n0rth-field-pump-42!', description: '8-128 characters; a strong one is generated (and returned once) when absent' })
  @IsOptional()
  @IsString()
  @Length(8, 128)
  password?: string;

  @ApiPropertyOptional({ example: '2026-11-23T00:00:00.000Z', description: 'Refused before this instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  notBefore?: string;

  @ApiPropertyOptional({ example: '2027-11-23T00:00:00.000Z', description: 'Refused from this instant; a live connection is closed then' })
  @IsOptional()
  @IsISO8601({ strict: true })
  notAfter?: string;
}

export class CredentialsDto {
  @ApiProperty({ example: 'pump-0042', description: 'The MQTT username to connect with' })
  username: string;

  @ApiPropertyOptional({ example: 'kQ2v9w7xYb3LmN0pRt5sUa', description: 'The generated password — returned this once, never again. Absent when you gave one.' })
  password?: string;

  @ApiProperty({ example: '2026-11-23T00:00:00.000Z', nullable: true, type: String })
  notBefore: string | null;

  @ApiProperty({ example: '2027-11-23T00:00:00.000Z', nullable: true, type: String })
  notAfter: string | null;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  rotatedAt: string;
}

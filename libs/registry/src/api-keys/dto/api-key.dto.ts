import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { ApiKeyEntity } from '../api-key.entity';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'billing back end', minLength: 1, maxLength: 200, description: 'What the key is for' })
  @IsString()
  @Length(1, 200)
  name: string;
}

export class ApiKeyDto {
  @ApiProperty({ example: '0b7c0a9e-5d1f-4a55-9f0e-3c8f1b2a4d6e' })
  id: string;

  @ApiProperty({ example: 'smart-farm' })
  projectId: string;

  @ApiProperty({ example: 'billing back end' })
  name: string;

  @ApiProperty({ example: 'a1b2c3d4e5f6', description: 'The visible part of the key, to tell keys apart' })
  prefix: string;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  createdAt: string;

  static from(entity: ApiKeyEntity): ApiKeyDto {
    return { id: entity.id, projectId: entity.projectId, name: entity.name, prefix: entity.keyPrefix, createdAt: entity.createdAt.toISOString() };
  }
}

export class IssuedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    example: 'iotk_a1b2c3d4e5f6_Vq3xS0m3Rand0mBase64UrlSecretOfFortyThreeChars',
    description: 'The key itself — returned this once, never again (only a digest is stored). Send it as `Authorization: Bearer <key>`.',
  })
  key: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] })
  items: ApiKeyDto[];
}

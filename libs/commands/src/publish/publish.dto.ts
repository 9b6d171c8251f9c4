import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBase64, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Max, Min, ValidateBy, ValidateNested } from 'class-validator';
import { topicNameProblem } from '@iot/mqtt-broker';

const IsTopicName = () =>
  ValidateBy({
    name: 'isTopicName',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && topicNameProblem(value) === undefined,
      defaultMessage: (args) => (typeof args?.value === 'string' ? `topic: ${topicNameProblem(args.value)}` : 'topic must be a string'),
    },
  });

export class PublishPropertiesDto {
  @ApiPropertyOptional({ example: 'application/json' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  contentType?: string;

  @ApiPropertyOptional({ example: 'replies/pump-0042' })
  @IsOptional()
  @IsString()
  @IsTopicName()
  responseTopic?: string;

  @ApiPropertyOptional({ example: 'cmVxLTE=', description: 'Base64' })
  @IsOptional()
  @IsBase64()
  correlationData?: string;

  @ApiPropertyOptional({ example: { source: 'billing' } })
  @IsOptional()
  @IsObject()
  userProperties?: Record<string, string>;

  @ApiPropertyOptional({ example: 3600, description: 'Seconds the message may wait for a subscriber' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4_294_967_295)
  messageExpiryInterval?: number;
}

export class PublishDto {
  @ApiProperty({ example: 'farms/north/pump-0042/commands', description: 'Any topic of the project (no wildcards)' })
  @IsString()
  @IsTopicName()
  topic: string;

  @ApiProperty({ example: '{"speed":1200}', description: 'The payload, as text or base64 (see encoding); at most 256 KiB decoded' })
  @IsString()
  @Length(0, 350_000)
  payload: string;

  @ApiPropertyOptional({ enum: ['plain', 'base64'], default: 'plain', example: 'plain' })
  @IsOptional()
  @IsIn(['plain', 'base64'])
  encoding?: 'plain' | 'base64';

  @ApiPropertyOptional({ enum: [0, 1, 2], default: 0, example: 1 })
  @IsOptional()
  @IsIn([0, 1, 2])
  qos?: 0 | 1 | 2;

  @ApiPropertyOptional({ default: false, example: false })
  @IsOptional()
  @IsBoolean()
  retain?: boolean;

  @ApiPropertyOptional({ type: PublishPropertiesDto, description: 'MQTT 5.0 properties' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PublishPropertiesDto)
  properties?: PublishPropertiesDto;
}

export class PublishedDto {
  @ApiProperty({ example: 'farms/north/pump-0042/commands' })
  topic: string;

  @ApiProperty({ example: true, description: 'Accepted: every gateway node will deliver it to the project’s matching subscribers' })
  accepted: true;
}

export class BatchItemResultDto {
  @ApiProperty({ example: 0 })
  index: number;

  @ApiProperty({ example: true })
  accepted: boolean;

  @ApiPropertyOptional({ example: 'farms/north/pump-0042/commands' })
  topic?: string;

  @ApiPropertyOptional({ example: 'VALIDATION_FAILED' })
  error?: string;

  @ApiPropertyOptional({ example: 'topic: topic name contains a wildcard' })
  message?: string;
}

export class BatchPublishedDto {
  @ApiProperty({ type: [BatchItemResultDto], description: 'One result per item, in order' })
  results: BatchItemResultDto[];

  @ApiProperty({ example: 2 })
  accepted: number;

  @ApiProperty({ example: 1 })
  failed: number;
}

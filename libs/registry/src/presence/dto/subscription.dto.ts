import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length, ValidateBy } from 'class-validator';
import { parseSharedFilter, topicFilterProblem } from '@iot/mqtt-broker';

const filterProblem = (value: string): string | undefined => topicFilterProblem(parseSharedFilter(value)?.filter ?? value);

export class AddSubscriptionDto {
  @ApiProperty({ example: 'farms/north/+/commands', description: 'A topic filter (wildcards and $share/<group>/ allowed)' })
  @IsString()
  @Length(1, 1024)
  @ValidateBy({
    name: 'isTopicFilter',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && filterProblem(value) === undefined,
      defaultMessage: (args) => (typeof args?.value === 'string' ? `topic: ${filterProblem(args.value)}` : 'topic must be a string'),
    },
  })
  topic: string;

  @ApiProperty({ enum: [0, 1, 2], example: 1 })
  @IsIn([0, 1, 2])
  qos: 0 | 1 | 2;
}

export class SubscriptionDto {
  @ApiProperty({ example: 'farms/north/+/commands' })
  topic: string;

  @ApiProperty({ enum: [0, 1, 2], example: 1 })
  qos: number;
}

export class SubscriptionListDto {
  @ApiProperty({ type: [SubscriptionDto] })
  items: SubscriptionDto[];
}

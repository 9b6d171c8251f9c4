import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateBy } from 'class-validator';
import { ACL_ACTIONS, ACL_PERMISSIONS, AclAction, AclPermission } from '@iot/contracts';
import { topicFilterProblem } from '@iot/mqtt-broker';
import { AclRuleEntity } from '../acl-rule.entity';

const WHO_KEYS = ['device', 'username', 'clientid'] as const;
export type AclWho = 'all' | { device: string } | { username: string } | { clientid: string };

const IsAclWho = () =>
  ValidateBy({
    name: 'isAclWho',
    validator: {
      validate: (value: unknown) => {
        if (value === 'all') return true;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
        const entries = Object.entries(value);
        return entries.length === 1 && (WHO_KEYS as readonly string[]).includes(entries[0][0]) && typeof entries[0][1] === 'string' && entries[0][1].length >= 1 && entries[0][1].length <= 256;
      },
      defaultMessage: () => 'who must be "all" or exactly one of {"device": id}, {"username": name}, {"clientid": id} (1-256 characters)',
    },
  });

const PLACEHOLDERS = /\$\{(clientid|username|deviceId)\}/g;

const IsAclTopic = () =>
  ValidateBy({
    name: 'isAclTopic',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && aclTopicProblem(value) === undefined,
      defaultMessage: (args) => (typeof args?.value === 'string' ? `topic ${aclTopicProblem(args.value)}` : 'topic must be a string'),
    },
  });

/** Why `topic` is not a valid rule filter (placeholders stand for one level's text each). */
function aclTopicProblem(topic: string): string | undefined {
  const filled = topic.replace(PLACEHOLDERS, 'x');
  if (/\$\{/.test(filled)) return 'has an unknown placeholder (known: ${clientid}, ${username}, ${deviceId})';
  const problem = topicFilterProblem(filled);
  return problem && `is not a valid topic filter: ${problem}`;
}

export class AclRuleBodyDto {
  @ApiProperty({
    oneOf: [{ type: 'string', enum: ['all'] }, { type: 'object', properties: { device: { type: 'string' } } }, { type: 'object', properties: { username: { type: 'string' } } }, { type: 'object', properties: { clientid: { type: 'string' } } }],
    example: { device: 'pump-0042' },
    description: 'Whom the rule is for: "all", or one device, username or client id',
  })
  @IsAclWho()
  who: AclWho;

  @ApiProperty({ enum: ACL_ACTIONS, example: 'publish' })
  @IsIn(ACL_ACTIONS)
  action: AclAction;

  @ApiProperty({ example: 'farms/${deviceId}/telemetry/#', description: 'A topic filter; `${clientid}`, `${username}` and `${deviceId}` are replaced with the client’s own values' })
  @IsString()
  @Length(1, 1024)
  @IsAclTopic()
  topic: string;

  @ApiProperty({ enum: ACL_PERMISSIONS, example: 'allow' })
  @IsIn(ACL_PERMISSIONS)
  permission: AclPermission;

  @ApiPropertyOptional({ example: 10, default: 100, minimum: 1, maximum: 1_000_000, description: 'Evaluated by ascending priority (1 before 10), then by age; the first match decides' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  priority?: number;
}

export class AclRuleDto {
  @ApiProperty({ example: '5f0c6a1e-2b7d-4c1a-9f7e-0a1b2c3d4e5f' })
  id: string;

  @ApiProperty({ example: 'smart-farm' })
  projectId: string;

  @ApiProperty({ example: { device: 'pump-0042' }, description: '"all", or {device|username|clientid: value}' })
  who: AclWho;

  @ApiProperty({ enum: ACL_ACTIONS, example: 'publish' })
  action: AclAction;

  @ApiProperty({ example: 'farms/${deviceId}/telemetry/#' })
  topic: string;

  @ApiProperty({ enum: ACL_PERMISSIONS, example: 'allow' })
  permission: AclPermission;

  @ApiProperty({ example: 10 })
  priority: number;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  updatedAt: string;

  static from(entity: AclRuleEntity): AclRuleDto {
    return {
      id: entity.id,
      projectId: entity.projectId,
      who: entity.whoType === 'all' ? 'all' : ({ [entity.whoType]: entity.whoValue } as AclWho),
      action: entity.action,
      topic: entity.topic,
      permission: entity.permission,
      priority: entity.priority,
      createdAt: entity.createdAt.toISOString(),
      updatedAt: entity.updatedAt.toISOString(),
    };
  }
}

export class AclRuleListDto {
  @ApiProperty({ type: [AclRuleDto], description: 'In evaluation order' })
  items: AclRuleDto[];
}

export class AclDefaultDto {
  @ApiProperty({ enum: ACL_PERMISSIONS, example: 'deny', description: 'What applies when no rule matches' })
  @IsIn(ACL_PERMISSIONS)
  permission: AclPermission;
}

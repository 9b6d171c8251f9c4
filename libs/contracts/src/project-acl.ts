import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { decodeStateView } from './state-view';

export const ACL_WHO_TYPES = ['device', 'username', 'clientid', 'all'] as const;
export const ACL_ACTIONS = ['publish', 'subscribe', 'all'] as const;
export const ACL_PERMISSIONS = ['allow', 'deny'] as const;
export type AclWhoType = (typeof ACL_WHO_TYPES)[number];
export type AclAction = (typeof ACL_ACTIONS)[number];
export type AclPermission = (typeof ACL_PERMISSIONS)[number];

/** One rule as gateways evaluate it (the registry's order already applied). */
export class ProjectAclRule {
  @IsIn(ACL_WHO_TYPES)
  whoType: AclWhoType;

  /** The device id, username or client id the rule is for; absent for `all`. */
  @IsOptional()
  @IsString()
  @Length(1, 256)
  whoValue?: string;

  @IsIn(ACL_ACTIONS)
  action: AclAction;

  /** A topic filter, possibly with `${clientid}`, `${username}`, `${deviceId}`. */
  @IsString()
  @Length(1, 1024)
  topic: string;

  @IsIn(ACL_PERMISSIONS)
  permission: AclPermission;
}

/**
 * A project's ACL as gateways read it from the shared state store: its rules in evaluation
 * order (ascending priority, then age; the first that matches decides) and what applies
 * when none does. The device registry writes it with every change (see DeviceAuthEntry for
 * why the state store).
 */
export class ProjectAcl {
  @IsIn(ACL_PERMISSIONS)
  default: AclPermission;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ProjectAclRule)
  rules: ProjectAclRule[];
}

/** State-store key of a project's ACL. */
export const projectAclKey = (projectId: string): string => `registry:acl:${projectId}`;

export const encodeProjectAcl = (acl: ProjectAcl): string => JSON.stringify(acl);

/** The ACL stored as `text`, or undefined when it is not a valid one. */
export const decodeProjectAcl = (text: string): ProjectAcl | undefined => decodeStateView(ProjectAcl, text);

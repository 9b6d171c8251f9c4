import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PROJECT_ID_PATTERN } from '../../keys';

/** `acl`: its ACL rules or default changed. */
export const PROJECT_CHANGES = ['created', 'updated', 'deleted', 'acl'] as const;
export type ProjectChange = (typeof PROJECT_CHANGES)[number];

/** Value of `registry.project.changed.v1`. */
export class RegistryProjectChangedValue {
  @Matches(PROJECT_ID_PATTERN)
  projectId: string;

  @IsIn(PROJECT_CHANGES)
  change: ProjectChange;

  /** The project's name after the change; absent on `deleted`. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @IsISO8601()
  occurredAt: string;
}

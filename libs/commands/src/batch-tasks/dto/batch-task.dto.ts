import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { DEVICE_ID_PATTERN } from '@iot/contracts';
import { PageOf, PageQuery } from '@iot/runtime';
import { TIMEOUT_LIMITS } from '../../commands/dto/command.dto';
import { ThingName } from '../../thing-name';

export const BATCH_TASK_TYPES = ['createCommands'] as const;
export const BATCH_TASK_STATUSES = ['Initializing', 'Processing', 'Success', 'PartialSuccess', 'Fail', 'Stopped'] as const;
export type BatchTaskStatus = (typeof BATCH_TASK_STATUSES)[number];
export const BATCH_TARGET_STATUSES = ['WAITING', 'PROCESSING', 'SUCCESS', 'FAIL', 'STOPPED'] as const;
export type BatchTargetStatus = (typeof BATCH_TARGET_STATUSES)[number];
export const MAX_BATCH_TARGETS = 10_000;


export class BatchCommandDocumentDto {
  @ApiProperty({ example: 'pump' })
  @ThingName('document.service_id')
  service_id: string;

  @ApiProperty({ example: 'set_speed' })
  @ThingName('document.command_name')
  command_name: string;

  @ApiPropertyOptional({ example: { rpm: 1200 } })
  @IsOptional()
  @IsObject()
  paras?: Record<string, unknown>;

  @ApiPropertyOptional({ example: 10000, default: TIMEOUT_LIMITS.default, description: 'How long each device may take to answer, ms' })
  @IsOptional()
  @IsInt()
  @Min(TIMEOUT_LIMITS.min)
  @Max(TIMEOUT_LIMITS.max)
  timeout_ms?: number;
}

export class CreateBatchTaskDto {
  @ApiProperty({ example: 'night-speed' })
  @IsString()
  @Length(1, 128)
  task_name: string;

  @ApiProperty({ enum: BATCH_TASK_TYPES, example: 'createCommands' })
  @IsIn(BATCH_TASK_TYPES)
  task_type: (typeof BATCH_TASK_TYPES)[number];

  @ApiProperty({ example: ['pump-0001', 'pump-0002'], description: `Device ids, 1 to ${MAX_BATCH_TARGETS.toLocaleString('en-US')}, each once` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_TARGETS)
  @ArrayUnique()
  @Matches(DEVICE_ID_PATTERN, { each: true, message: 'each of targets must be a device id' })
  targets: string[];

  @ApiProperty({ type: BatchCommandDocumentDto, description: 'The command each target is sent (checked against each device’s thing model)' })
  @ValidateNested()
  @Type(() => BatchCommandDocumentDto)
  document: BatchCommandDocumentDto;
}

export class BatchTaskCreatedDto {
  @ApiProperty({ example: '9b2f5c0e-3a71-4d8e-b6f2-0c5d7e1a4b93' })
  task_id: string;
}

export class BatchTargetDto {
  @ApiProperty({ example: 'pump-0001' })
  target: string;

  @ApiProperty({ enum: BATCH_TARGET_STATUSES, example: 'SUCCESS' })
  status: BatchTargetStatus;

  @ApiProperty({ example: '3f0c6d9e-8a51-4c1e-9d0b-0a4f6c7e2b13', nullable: true, type: String })
  command_id: string | null;

  @ApiProperty({ example: { result_code: 0, paras: { rpm: 1200 } }, nullable: true, type: Object, description: 'SUCCESS: the device’s answer' })
  output: Record<string, unknown> | null;

  @ApiProperty({ example: null, nullable: true, type: String, description: 'FAIL: an error code (DEVICE_OFFLINE, COMMAND_TIMEOUT, INVALID_COMMAND, ...)' })
  error: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  message: string | null;
}

export class BatchTargetPageDto extends PageOf(BatchTargetDto, 'The targets, in the order given') {}

export class BatchTaskProgressDto {
  @ApiProperty({ example: 1000 })
  total: number;

  @ApiProperty({ example: 20 })
  processing: number;

  @ApiProperty({ example: 950 })
  success: number;

  @ApiProperty({ example: 30 })
  fail: number;

  @ApiProperty({ example: 0, description: 'Not started yet' })
  waiting: number;

  @ApiProperty({ example: 0, description: 'Not run: the task was stopped' })
  stopped: number;
}

export class BatchTaskDto {
  @ApiProperty({ example: '9b2f5c0e-3a71-4d8e-b6f2-0c5d7e1a4b93' })
  task_id: string;

  @ApiProperty({ example: 'night-speed' })
  task_name: string;

  @ApiProperty({ enum: BATCH_TASK_TYPES, example: 'createCommands' })
  task_type: string;

  @ApiProperty({ enum: BATCH_TASK_STATUSES, example: 'PartialSuccess' })
  status: BatchTaskStatus;

  @ApiProperty({ type: BatchTaskProgressDto })
  task_progress: BatchTaskProgressDto;

  @ApiProperty({ type: BatchCommandDocumentDto })
  document: BatchCommandDocumentDto;

  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' })
  created_at: string;

  @ApiProperty({ example: '2026-12-01T10:00:09.000Z', nullable: true, type: String })
  finished_at: string | null;

  @ApiProperty({ type: BatchTargetPageDto })
  targets: BatchTargetPageDto;
}

export class BatchTaskQuery extends PageQuery {
  @ApiPropertyOptional({ enum: BATCH_TARGET_STATUSES, example: 'FAIL', description: 'Only the targets in this status' })
  @IsOptional()
  @IsIn(BATCH_TARGET_STATUSES)
  target_status?: BatchTargetStatus;
}

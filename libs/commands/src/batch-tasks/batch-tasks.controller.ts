import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse } from '@nestjs/swagger';
import { ProjectEndpoints } from '@iot/runtime';
import { BatchTasksService } from './batch-tasks.service';
import { BatchTaskCreatedDto, BatchTaskDto, BatchTaskQuery, CreateBatchTaskDto } from './dto/batch-task.dto';

@ProjectEndpoints('batch-tasks')
@Controller('projects/:projectId/batch-tasks')
export class BatchTasksController {
  constructor(private readonly tasks: BatchTasksService) {}

  @Post()
  @ApiCreatedResponse({ type: BatchTaskCreatedDto, description: 'Recorded; it runs in the background (GET it for its progress)' })
  @ApiBadRequestResponse({ description: 'A bad field, named (task_type, targets, document)' })
  create(@Param('projectId') projectId: string, @Body() dto: CreateBatchTaskDto): Promise<BatchTaskCreatedDto> {
    return this.tasks.create(projectId, dto);
  }

  @Get(':taskId')
  @ApiOkResponse({ type: BatchTaskDto, description: 'Status, counts, and a page of per-target results' })
  @ApiNotFoundResponse({ description: 'TASK_NOT_FOUND' })
  get(@Param('projectId') projectId: string, @Param('taskId') taskId: string, @Query() query: BatchTaskQuery): Promise<BatchTaskDto> {
    return this.tasks.get(projectId, taskId, query);
  }

  @Post(':taskId/stop')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'No target starts from now on; the task ends Stopped' })
  @ApiNotFoundResponse({ description: 'TASK_NOT_FOUND' })
  @ApiConflictResponse({ description: 'TASK_FINISHED: it already ended' })
  stop(@Param('projectId') projectId: string, @Param('taskId') taskId: string): Promise<void> {
    return this.tasks.stop(projectId, taskId);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse } from '@nestjs/swagger';
import { PageQuery } from '@iot/runtime';
import { OperatorEndpoints } from '../auth/operator-endpoints';
import { CreateProjectDto } from './dto/create-project.dto';
import { ProjectDto, ProjectPageDto } from './dto/project.dto';
import { ProjectsService } from './projects.service';

@OperatorEndpoints('projects')
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  @ApiCreatedResponse({ type: ProjectDto })
  @ApiConflictResponse({ description: 'A project with this id exists' })
  create(@Body() dto: CreateProjectDto): Promise<ProjectDto> {
    return this.projects.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: ProjectPageDto })
  list(@Query() query: PageQuery): Promise<ProjectPageDto> {
    return this.projects.list(query);
  }

  @Get(':projectId')
  @ApiOkResponse({ type: ProjectDto })
  @ApiNotFoundResponse()
  get(@Param('projectId') projectId: string): Promise<ProjectDto> {
    return this.projects.get(projectId);
  }

  @Delete(':projectId')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  delete(@Param('projectId') projectId: string): Promise<void> {
    return this.projects.delete(projectId);
  }
}

import { Controller, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse } from '@nestjs/swagger';
import { ProjectEndpoints } from '@iot/runtime';
import { OperatorEndpoints } from '../auth/operator-endpoints';
import { StatsDto } from './dto/stats.dto';
import { StatsService } from './stats.service';

@OperatorEndpoints('stats')
@Controller('stats')
export class ClusterStatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @ApiOkResponse({ type: StatsDto, description: 'The whole cluster, every project: total and per gateway node' })
  get(): Promise<StatsDto> {
    return this.stats.cluster();
  }
}

@ProjectEndpoints('stats')
@Controller('projects/:projectId/stats')
export class ProjectStatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @ApiOkResponse({ type: StatsDto, description: 'This project only: total and per gateway node' })
  @ApiNotFoundResponse({ description: 'No such project' })
  get(@Param('projectId') projectId: string): Promise<StatsDto> {
    return this.stats.project(projectId);
  }
}

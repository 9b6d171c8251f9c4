import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { GATEWAY_STATS_KEY, GatewayNodeStats, decodeGatewayNodeStats, isStaleNodeStats } from '@iot/contracts';
import { ROOT_LOGGER } from '@iot/runtime';
import { StateStore } from '@iot/state-store';
import { requireProject } from '../projects/projects.service';
import { StatsDto } from './dto/stats.dto';
import { NO_FIGURES, aggregateStats } from './stats-aggregation';

/**
 * Cluster and project statistics, from the reports every gateway node writes to the shared
 * state store (GatewayNodeStats); a node that stopped reporting no longer counts.
 */
@Injectable()
export class StatsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly state: StateStore,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async cluster(): Promise<StatsDto> {
    const nodes = await this.liveReports();
    return aggregateStats(nodes.map((n) => ({ node: n.node, updatedAt: n.updatedAt, figures: n.total })));
  }

  /** One project's figures on every live node (zero where it has nothing). @throws PROJECT_NOT_FOUND */
  async project(projectId: string): Promise<StatsDto> {
    await requireProject(this.db.manager, projectId);
    const nodes = await this.liveReports();
    return aggregateStats(nodes.map((n) => ({ node: n.node, updatedAt: n.updatedAt, figures: n.projects.find((p) => p.projectId === projectId) ?? NO_FIGURES })));
  }

  private async liveReports(): Promise<GatewayNodeStats[]> {
    const now = Date.now();
    const reports: GatewayNodeStats[] = [];
    for (const [node, text] of Object.entries(await this.state.hashGetAll(GATEWAY_STATS_KEY))) {
      const report = decodeGatewayNodeStats(text);
      if (!report) this.logger.warn({ node }, 'a gateway node\'s statistics entry is malformed: not counted');
      else if (!isStaleNodeStats(report, now)) reports.push(report);
    }
    return reports;
  }
}

import { Controller, Get, Optional } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { MessageBus } from '@iot/bus';
import { StateStore } from '@iot/state-store';

/**
 * Liveness says the process is running; readiness says every external system this
 * process uses (bus, state store, database) answers, so a load balancer may send it work.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly bus: MessageBus,
    private readonly state: StateStore,
    @Optional() private readonly dataSource?: DataSource,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    const checks = [() => this.probe('bus', () => this.bus.ping()), () => this.probe('state', () => this.state.ping())];
    const dataSource = this.dataSource;
    if (dataSource) checks.push(() => this.probe('database', () => dataSource.query('select 1').then(() => undefined)));
    return this.health.check(checks);
  }

  private async probe(key: string, ping: () => Promise<void>): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await withTimeout(ping(), 3_000);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

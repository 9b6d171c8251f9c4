import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '@iot/runtime';
import { COMMAND_SERVICE_OPTIONS, CommandServiceOptions } from '../command-service.options';
import { MessagesService } from './messages.service';

/**
 * Every DEVICE_MESSAGE_SWEEP_MS: pending device messages past their TTL become TIMEOUT, and
 * finished ones older than the retention are deleted. Every instance sweeps; one UPDATE
 * decides each message, so none times out twice.
 */
@Injectable()
export class MessageSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly messages: MessagesService,
    @Inject(COMMAND_SERVICE_OPTIONS) private readonly options: CommandServiceOptions,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.options.messages.sweepMs);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.messages.sweep(this.options.messages.retentionDays);
    } catch (error) {
      this.logger.warn({ err: error }, 'device messages could not be swept (retried next time)');
    } finally {
      this.running = false;
    }
  }
}

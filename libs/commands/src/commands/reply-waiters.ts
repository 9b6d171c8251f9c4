import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { BusSubscription, MessageBus, consumeContract } from '@iot/bus';
import { CommandDeviceReplied, CommandDeviceRepliedValue } from '@iot/contracts';
import { ROOT_LOGGER, RUNTIME_CONFIG, RuntimeConfig } from '@iot/runtime';

/**
 * The HTTP requests of this instance waiting for a device's answer, by request id. Answers
 * arrive from this instance's DeviceReplyRouter directly, or — when another instance read
 * them — from `command.device.replied.v1`, which every instance consumes in a group of its
 * own (answers are few; each instance takes those it waits for and ignores the rest).
 */
@Injectable()
export class ReplyWaiters implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly waiting = new Map<string, (reply: CommandDeviceRepliedValue) => void>();
  private subscription?: BusSubscription;

  constructor(
    private readonly bus: MessageBus,
    @Inject(RUNTIME_CONFIG) private readonly runtime: RuntimeConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await consumeContract(this.bus, {
      contract: CommandDeviceReplied,
      groupId: `command-service.replies.${this.runtime.nodeId}`,
      logger: this.logger.child({ component: 'reply-waiters' }),
      handle: async (reply) => void this.deliver(reply),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  /** Resolves to the answer to `requestId`, or undefined when none came within `timeoutMs`. */
  wait(requestId: string, timeoutMs: number): Promise<CommandDeviceRepliedValue | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(requestId, (reply) => {
        clearTimeout(timer);
        this.waiting.delete(requestId);
        resolve(reply);
      });
    });
  }

  /** Hands an answer to its waiter; resolves to whether this instance was waiting for it. */
  deliver(reply: CommandDeviceRepliedValue): boolean {
    const waiter = this.waiting.get(reply.requestId);
    waiter?.(reply);
    return waiter !== undefined;
  }
}

import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { BusSubscription, MessageBus, consumeRecords } from '@iot/bus';
import { DeviceTopics, Topics, decodeDeviceMessages, parseReplyTopic } from '@iot/contracts';
import { ROOT_LOGGER } from '@iot/runtime';
import { DeviceReplyRouter } from './commands/device-reply-router';
import { ShadowService } from './shadow/shadow.service';

/**
 * The command service's one reader of the gateways' device messages (one consumer group
 * for all instances; per-device order holds): answers to requests go to DeviceReplyRouter,
 * property reports to the shadow. Everything else is telemetry for other services.
 */
@Injectable()
export class DeviceMessagesConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: BusSubscription;

  constructor(
    private readonly bus: MessageBus,
    private readonly replies: DeviceReplyRouter,
    private readonly shadows: ShadowService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await consumeRecords(this.bus, {
      topic: Topics.GatewayDeviceMessageV1,
      decode: decodeDeviceMessages,
      groupId: 'command-service.device-messages',
      logger: this.logger.child({ component: 'device-messages' }),
      handle: async (messages) => {
        for (const { meta, payload } of messages) {
          const deviceId = meta.deviceId;
          // Only registry devices, on their own $oc topics (their ACL keeps them there anyway).
          if (deviceId === undefined || !meta.topic.startsWith('$oc/devices/')) continue;
          const reply = parseReplyTopic(meta.topic);
          if (reply && reply.deviceId === deviceId) {
            const body = jsonObjectOf(payload);
            await this.replies.route({ projectId: meta.projectId, deviceId, requestId: reply.requestId, kind: reply.kind, body: body ?? {}, ...(body ? {} : { error: 'INVALID_RESPONSE' }), receivedAt: meta.receivedAt });
          } else if (meta.topic === DeviceTopics.propertiesReport(deviceId)) {
            const report = ShadowService.reportOf(jsonObjectOf(payload));
            if (report) await this.shadows.report(meta.projectId, deviceId, report, meta.receivedAt);
            else this.logger.debug({ deviceId }, 'a property report with no well-formed service: ignored');
          }
        }
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }
}

/** The payload's JSON object, or undefined when it is none. */
function jsonObjectOf(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const body: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return undefined;
}

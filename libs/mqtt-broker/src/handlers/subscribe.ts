import type { ISubscribePacket } from 'mqtt-packet';
import type { Connection } from '../connection';
import { ReasonCode } from '../reason-codes';
import { SubscriptionOptions } from '../topics/subscription-index';
import { parseSharedFilter, topicFilterProblem } from '../topics/topic-rules';

/** Reason code of a refused subscription: 0x80 in 3.1.1 SUBACKs, a specific one in 5.0. */
const refusal = (version: number, code: number) => (version === 5 ? code : 0x80);

/**
 * SUBSCRIBE: each filter is validated and authorized on its own; the SUBACK carries one
 * reason code per filter, in order [MQTT-3.8.4-6]. Granted subscriptions replace existing
 * ones with the same filter [MQTT-3.8.4-3], then retained messages are sent according to
 * the retain-handling option [MQTT-3.3.1-9..11].
 */
export async function handleSubscribe(conn: Connection, packet: ISubscribePacket): Promise<void> {
  const broker = conn.broker;
  const client = conn.client!;
  const version = conn.protocolVersion;
  const subscriptionId = packet.properties?.subscriptionIdentifier as number | undefined;
  const granted: number[] = [];
  const accepted: { filter: string; options: SubscriptionOptions; existed: boolean }[] = [];

  for (const sub of packet.subscriptions) {
    const filter = sub.topic;
    if (topicFilterProblem(filter, broker.options)) {
      granted.push(refusal(version, ReasonCode.TopicFilterInvalid));
      continue;
    }
    const shared = parseSharedFilter(filter);
    if (filter.startsWith('$share/') && !shared) {
      granted.push(refusal(version, ReasonCode.TopicFilterInvalid));
      continue;
    }
    if (shared && topicFilterProblem(shared.filter, broker.options)) {
      granted.push(refusal(version, ReasonCode.TopicFilterInvalid));
      continue;
    }
    // [MQTT-3.8.3-4] no-local on a shared subscription is a protocol error.
    if (shared && sub.nl) return conn.close('no-local on a shared subscription', ReasonCode.ProtocolError);
    if (!(await broker.options.hooks.authorizeSubscribe(client, filter))) {
      granted.push(refusal(version, ReasonCode.NotAuthorized));
      continue;
    }
    if (conn.closed) return;
    const options: SubscriptionOptions = {
      qos: sub.qos as 0 | 1 | 2,
      noLocal: sub.nl ?? false,
      retainAsPublished: sub.rap ?? false,
      retainHandling: (sub.rh ?? 0) as 0 | 1 | 2,
      subscriptionId,
    };
    const existed = broker.subscribe(conn.session!, client, filter, options);
    accepted.push({ filter, options, existed });
    granted.push(options.qos);
  }

  conn.send({ cmd: 'suback', messageId: packet.messageId, granted } as never);
  for (const { filter, options, existed } of accepted) {
    // Retained messages are not sent for a new shared subscription (spec 4.8.2).
    if (parseSharedFilter(filter)) continue;
    if (options.retainHandling === 2 || (options.retainHandling === 1 && existed)) continue;
    await broker.sendRetained(conn.session!, filter, options);
  }
}

import type { GatewayCommandValue } from '@iot/contracts';
import { Broker, Message, proxySubscriptionOptions, topicFilterProblem, topicNameProblem } from '@iot/mqtt-broker';
import type { GatewayCluster } from '../cluster/gateway-cluster';

/** What became of a command. */
export type CommandOutcome = 'done' | 'offline' | 'invalid';

/** Attempts to reach a session that keeps moving between nodes before giving up on it. */
const ATTEMPTS = 3;

/**
 * Runs what other services ask of the gateway (`gateway.command.v1`) on whichever node holds
 * the client: a publish is routed from here like any message; kick, subscribe and unsubscribe
 * go to the node that owns the session (looked up in Redis, asked over its channel), and are
 * retried if the session moved meanwhile. A subscription change for a session no node holds
 * (its node stopped, or died) is written to the session store, so it applies on resume.
 */
export class ClientCommands {
  constructor(
    private readonly broker: Broker,
    private readonly cluster?: GatewayCluster,
  ) {
    if (cluster) cluster.clientCommandHandler = (command) => this.runHere(command);
  }

  async apply(command: GatewayCommandValue): Promise<CommandOutcome> {
    if (command.action === 'publish') return this.publish(command);
    const problem = command.filter !== undefined ? topicFilterProblem(command.filter, this.broker.options) : undefined;
    if (problem) return 'invalid';
    if (!this.cluster) return (await this.runHere(command)) ? 'done' : this.offline(command);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const owner = await this.cluster.ownerOf(command.projectId, command.clientId!);
      if (!owner) break;
      if (owner === this.cluster.nodeId) {
        if (await this.runHere(command)) return 'done';
        continue;
      }
      if ((await this.cluster.askOwner(owner, command)) === 'ok') return 'done';
    }
    return this.offline(command);
  }

  private publish(command: GatewayCommandValue): CommandOutcome {
    const m = command.message!;
    if (topicNameProblem(m.topic, this.broker.options)) return 'invalid';
    const message: Message = {
      projectId: command.projectId,
      topic: m.topic,
      payload: Buffer.from(m.payload, 'base64'),
      qos: m.qos,
      retain: m.retain,
      expiresAt: m.messageExpiryInterval !== undefined ? Date.now() + m.messageExpiryInterval * 1000 : undefined,
      properties: {
        contentType: m.contentType,
        responseTopic: m.responseTopic,
        correlationData: m.correlationData !== undefined ? Buffer.from(m.correlationData, 'base64') : undefined,
        userProperties: m.userProperties,
        messageExpiryInterval: m.messageExpiryInterval,
      },
      ...(m.trackingId !== undefined ? { trackingId: m.trackingId } : {}),
    };
    this.broker.publish(message);
    return 'done';
  }

  /** Runs a command on a session this node holds; resolves to false when it is not here. */
  private async runHere(command: GatewayCommandValue): Promise<boolean> {
    const { projectId, clientId } = command;
    switch (command.action) {
      case 'kick':
        return this.broker.kick(projectId, clientId!);
      case 'subscribe':
        return this.broker.subscribeFor(projectId, clientId!, command.filter!, command.qos as 0 | 1 | 2);
      case 'unsubscribe':
        return this.broker.unsubscribeFor(projectId, clientId!, command.filter!);
      default:
        return false;
    }
  }

  /** No node holds the session: kicking has nothing to do; subscriptions change in the store. */
  private async offline(command: GatewayCommandValue): Promise<CommandOutcome> {
    if (command.action === 'kick') return 'offline';
    const store = this.broker.sessionStore;
    const snapshot = await store.load(command.projectId, command.clientId!);
    if (!snapshot) return 'offline';
    const subscriptions = snapshot.subscriptions.filter((s) => s.filter !== command.filter);
    if (command.action === 'subscribe') {
      subscriptions.push({ filter: command.filter!, options: proxySubscriptionOptions(command.qos as 0 | 1 | 2) });
    }
    await store.save({ ...snapshot, subscriptions });
    return 'done';
  }
}

/** Counters the broker keeps for metrics (the gateway exports them to Prometheus). */
export class BrokerStats {
  connectionsAccepted = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Application messages received, by QoS. */
  readonly messagesIn: [number, number, number] = [0, 0, 0];
  /** Application messages sent to subscribers, by QoS. */
  readonly messagesOut: [number, number, number] = [0, 0, 0];
  messagesDropped = 0;
  authFailures = 0;
}

import { Contract, encodeRecord } from '@iot/contracts';
import { MessageBus } from './message-bus';

/** Publishes contract events on behalf of one service; values are validated before they leave. */
export class EventPublisher {
  constructor(
    private readonly bus: MessageBus,
    private readonly producer: string,
  ) {}

  async publish<T extends object>(contract: Contract<T>, ...values: T[]): Promise<void> {
    await this.bus.send(values.map((value) => encodeRecord(contract, value, this.producer)));
  }
}

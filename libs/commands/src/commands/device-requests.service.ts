import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventPublisher } from '@iot/bus';
import { DeviceReplyKind, GatewayCommand } from '@iot/contracts';
import { DeviceDirectory, DirectoryDevice } from '../devices/device-directory';
import { COMMAND_EVENTS } from '../publish/publish.service';
import { CommandError } from './command.errors';
import { DeviceRequestEntity } from './device-request.entity';
import { ReplyWaiters } from './reply-waiters';
import { returnedRows } from '../returned-rows';

/** A request to send: what, to which topic, how long to wait. */
export interface DeviceRequest {
  kind: DeviceReplyKind;
  /** The topic, given the request id. */
  topicOf(requestId: string): string;
  payload: Record<string, unknown>;
  timeoutMs: number;
}

/**
 * Sends a device a request and waits for its answer (IoTDA's synchronous commands): records
 * it, hands it to the gateway cluster (`gateway.command.v1`, QoS 1, to the device's own
 * `$oc` topic on whichever node holds it), and waits — here — for the answer that any
 * instance's DeviceReplyRouter takes. The database decides between an answer and the
 * timeout: whichever completes the SENT request first wins.
 */
@Injectable()
export class DeviceRequestsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly directory: DeviceDirectory,
    private readonly waiters: ReplyWaiters,
    @Inject(COMMAND_EVENTS) private readonly events: EventPublisher,
  ) {}

  /** The device, to validate a request against its model. @throws DEVICE_NOT_FOUND */
  async device(projectId: string, deviceId: string): Promise<DirectoryDevice> {
    return this.directory.require(projectId, deviceId);
  }

  /**
   * Resolves to the request id and the device's answer.
   * @throws DEVICE_OFFLINE / DEVICE_DISABLED (recorded as FAILED), COMMAND_TIMEOUT, INVALID_RESPONSE — each with `command_id`.
   */
  async send(projectId: string, deviceId: string, device: DirectoryDevice, request: DeviceRequest): Promise<{ id: string; answer: Record<string, unknown> }> {
    const id = randomUUID();
    const record = (status: DeviceRequestEntity['status'], error: string | null) =>
      this.db.query(
        `INSERT INTO device_requests (id, project_id, device_id, kind, request, status, error, created_at, completed_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::varchar, $7, now(), CASE WHEN $6::varchar = 'SENT' THEN NULL ELSE now() END)`,
        [id, projectId, deviceId, request.kind, JSON.stringify(request.payload), status, error],
      );
    if (!device.enabled || !device.online) {
      const code = device.enabled ? 'DEVICE_OFFLINE' : 'DEVICE_DISABLED';
      await record('FAILED', code);
      throw new CommandError(code, `device ${deviceId} is ${device.enabled ? 'offline' : 'disabled'}`, { command_id: id });
    }
    await record('SENT', null);
    // Waiting starts before sending: a fast device must not answer before anyone listens.
    const answered = this.waiters.wait(id, request.timeoutMs);
    await this.events.publish(GatewayCommand, {
      action: 'publish',
      projectId,
      message: { topic: request.topicOf(id), payload: Buffer.from(JSON.stringify(request.payload)).toString('base64'), qos: 1, retain: false },
      requestedAt: new Date().toISOString(),
    });
    const reply = await answered;
    if (reply) {
      if (reply.error) throw new CommandError('INVALID_RESPONSE', `device ${deviceId} answered with no JSON object`, { command_id: id });
      return { id, answer: reply.body };
    }
    const timedOut: unknown[] = await this.db.query(`UPDATE device_requests SET status = 'TIMEOUT', error = 'COMMAND_TIMEOUT', completed_at = now() WHERE id = $1 AND status = 'SENT' RETURNING id`, [id]);
    if (returnedRows(timedOut).length > 0) throw new CommandError('COMMAND_TIMEOUT', `device ${deviceId} did not answer within ${request.timeoutMs} ms`, { command_id: id });
    // The answer completed the request just as the wait ended: it is in the record.
    const done = await this.db.getRepository(DeviceRequestEntity).findOneByOrFail({ id });
    if (done.status !== 'SUCCESSFUL' || !done.response) throw new CommandError('INVALID_RESPONSE', `device ${deviceId} answered with no JSON object`, { command_id: id });
    return { id, answer: done.response };
  }
}

import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { DeviceAuthEntry, deviceAuthKey, encodeDeviceAuthEntry } from '@iot/contracts';
import { ROOT_LOGGER } from '@iot/runtime';
import { StateStore } from '@iot/state-store';
import { DeviceCredentialEntity, DeviceEntity } from './device.entity';

const PAGE = 1_000;

/**
 * The gateways' view of device credentials (DeviceAuthEntry, by MQTT username) in the shared
 * state store. Written inside the transaction of every device change — a failed write rolls
 * the change back — and rebuilt from the database when the registry starts, so a state
 * store that lost it (or the in-memory one of standalone mode) is complete again.
 */
@Injectable()
export class DeviceAuthView implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly state: StateStore,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Writes a device's entry (reading its credentials through `tx`). */
  async put(tx: EntityManager, device: DeviceEntity): Promise<void> {
    const credential = await tx.findOneBy(DeviceCredentialEntity, { projectId: device.projectId, deviceId: device.id });
    await this.state.set(deviceAuthKey(device.username), encodeDeviceAuthEntry(entryOf(device, credential)));
  }

  async remove(username: string): Promise<void> {
    await this.state.delete(deviceAuthKey(username));
  }

  async onApplicationBootstrap(): Promise<void> {
    const started = Date.now();
    let written = 0;
    // Keyset pages: each one starts after the last device of the previous one.
    let after = ['', ''];
    for (;;) {
      const rows: AuthRow[] = await this.db.query(
        `SELECT d.project_id, d.id, d.username, d.enabled, c.password_hash, c.not_before, c.not_after
           FROM devices d LEFT JOIN device_credentials c ON c.project_id = d.project_id AND c.device_id = d.id
          WHERE (d.project_id, d.id) > ($1, $2)
          ORDER BY d.project_id, d.id
          LIMIT ${PAGE}`,
        after,
      );
      await Promise.all(rows.map((row) => this.state.set(deviceAuthKey(row.username), encodeDeviceAuthEntry(entryOfRow(row)))));
      written += rows.length;
      if (rows.length < PAGE) break;
      after = [rows[rows.length - 1].project_id, rows[rows.length - 1].id];
    }
    this.logger.info({ devices: written, ms: Date.now() - started }, 'device credentials view rebuilt for the gateways');
  }
}

interface AuthRow {
  project_id: string;
  id: string;
  username: string;
  enabled: boolean;
  password_hash: string | null;
  not_before: Date | null;
  not_after: Date | null;
}

const entryOfRow = (row: AuthRow): DeviceAuthEntry =>
  entryOf(
    { projectId: row.project_id, id: row.id, enabled: row.enabled } as DeviceEntity,
    row.password_hash === null ? null : ({ passwordHash: row.password_hash, notBefore: row.not_before && new Date(row.not_before), notAfter: row.not_after && new Date(row.not_after) } as DeviceCredentialEntity),
  );

function entryOf(device: DeviceEntity, credential: DeviceCredentialEntity | null): DeviceAuthEntry {
  return {
    projectId: device.projectId,
    deviceId: device.id,
    enabled: device.enabled,
    ...(credential
      ? {
          passwordHash: credential.passwordHash,
          ...(credential.notBefore ? { notBefore: credential.notBefore.toISOString() } : {}),
          ...(credential.notAfter ? { notAfter: credential.notAfter.toISOString() } : {}),
        }
      : {}),
  };
}

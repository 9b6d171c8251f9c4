import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ThingModel } from '@iot/contracts';

/** What the command service needs to know of a device before it sends it anything. */
export interface DirectoryDevice {
  enabled: boolean;
  /** Whether a gateway node holds a connection of it, as the registry's presence has it. */
  online: boolean;
  /** Its product's thing model; undefined for a device without a product (any command goes). */
  model?: ThingModel;
}

/** The port to the device registry's knowledge of devices (STYLE rule 5). */
export abstract class DeviceDirectory {
  /** The device, or undefined when the project has no such device. */
  abstract find(projectId: string, deviceId: string): Promise<DirectoryDevice | undefined>;
}

/**
 * The directory read straight from the registry's tables (devices, products, device_presence)
 * in the platform's one PostgreSQL database, read-only and in one query: always as current
 * as the registry itself, in cluster and standalone mode alike. The price is that the command
 * service knows those three tables' columns; a registry view in the state store would remove
 * that coupling (see README, "Choices").
 */
@Injectable()
export class RegistryTablesDirectory extends DeviceDirectory {
  constructor(@InjectDataSource() private readonly db: DataSource) {
    super();
  }

  async find(projectId: string, deviceId: string): Promise<DirectoryDevice | undefined> {
    const [row]: { enabled: boolean; online: boolean | null; model: ThingModel | null }[] = await this.db.query(
      `SELECT d.enabled, pr.online, p.model
         FROM devices d
         LEFT JOIN products p ON p.project_id = d.project_id AND p.id = d.product_id
         LEFT JOIN device_presence pr ON pr.project_id = d.project_id AND pr.device_id = d.id
        WHERE d.project_id = $1 AND d.id = $2`,
      [projectId, deviceId],
    );
    if (!row) return undefined;
    return { enabled: row.enabled, online: row.online === true, ...(row.model ? { model: row.model } : {}) };
  }
}

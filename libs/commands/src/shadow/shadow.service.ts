import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { EventPublisher } from '@iot/bus';
import { DeviceTopics, GatewayCommand } from '@iot/contracts';
import { DeviceDirectory } from '../devices/device-directory';
import { requireValid, writeProblems } from '../properties/property-writes';
import { COMMAND_EVENTS } from '../publish/publish.service';
import { DeviceShadowDto, SetDesiredDto } from './dto/shadow.dto';

interface ShadowRow {
  service_id: string;
  reported: Record<string, unknown>;
  reported_at: Date | null;
  desired: Record<string, unknown>;
  desired_at: Date | null;
  version: string;
}

/** What a device reports (`$oc/devices/{id}/sys/properties/report`), as far as it is well-formed. */
export interface PropertiesReport {
  services: { service_id: string; properties: Record<string, unknown>; event_time?: string }[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const SERVICE_ID = /^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$/;

/**
 * Device shadows (IoTDA): per service, the properties the device last reported — readable
 * while it is offline — and the properties the platform desires, pushed to the device
 * (properties/set) when it next connects or subscribes to its set topic, and at once when
 * it is online. A desired property stays pushed until the device reports the same value.
 */
@Injectable()
export class ShadowService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly directory: DeviceDirectory,
    @Inject(COMMAND_EVENTS) private readonly events: EventPublisher,
  ) {}

  /** The well-formed part of a report body; undefined when nothing of it is. */
  static reportOf(body: unknown): PropertiesReport | undefined {
    if (!isObject(body) || !Array.isArray(body.services)) return undefined;
    const services = body.services
      .filter((s): s is { service_id: string; properties: Record<string, unknown>; event_time?: unknown } => isObject(s) && typeof s.service_id === 'string' && SERVICE_ID.test(s.service_id) && isObject(s.properties))
      .map((s) => ({ service_id: s.service_id, properties: s.properties, ...(typeof s.event_time === 'string' && !Number.isNaN(Date.parse(s.event_time)) ? { event_time: new Date(s.event_time).toISOString() } : {}) }));
    return services.length > 0 ? { services } : undefined;
  }

  /** Merges reported properties into the shadow (a device's reports arrive in order: keyed by device). */
  async report(projectId: string, deviceId: string, report: PropertiesReport, receivedAt: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const service of report.services) {
        await tx.query(
          `INSERT INTO device_shadows (project_id, device_id, service_id, reported, reported_at, version) VALUES ($1, $2, $3, $4::jsonb, $5, 1)
           ON CONFLICT (project_id, device_id, service_id) DO UPDATE SET reported = device_shadows.reported || EXCLUDED.reported, reported_at = EXCLUDED.reported_at, version = device_shadows.version + 1`,
          [projectId, deviceId, service.service_id, JSON.stringify(service.properties), service.event_time ?? receivedAt],
        );
      }
    });
  }

  async get(projectId: string, deviceId: string): Promise<DeviceShadowDto> {
    await this.directory.require(projectId, deviceId);
    return { device_id: deviceId, shadow: (await this.rows(this.db.manager, projectId, deviceId)).map(present) };
  }

  /** Sets desired properties (checked against the model), pushing them at once when the device is online. */
  async setDesired(projectId: string, deviceId: string, dto: SetDesiredDto): Promise<DeviceShadowDto> {
    const device = await this.directory.require(projectId, deviceId);
    const services = dto.shadow.map((s) => ({ service_id: s.service_id, properties: s.desired.properties }));
    if (device.model) requireValid(writeProblems(device.model, services, { list: 'shadow', properties: 'desired.properties' }));
    await this.db.transaction(async (tx) => {
      for (const service of services) {
        await tx.query(
          `INSERT INTO device_shadows (project_id, device_id, service_id, desired, desired_at, version) VALUES ($1, $2, $3, $4::jsonb, now(), 1)
           ON CONFLICT (project_id, device_id, service_id) DO UPDATE SET desired = device_shadows.desired || EXCLUDED.desired, desired_at = now(), version = device_shadows.version + 1`,
          [projectId, deviceId, service.service_id, JSON.stringify(service.properties)],
        );
      }
    });
    if (device.online && device.enabled) await this.pushDesired(projectId, deviceId);
    return this.get(projectId, deviceId);
  }

  /**
   * Sends the device (properties/set) every desired property it has not reported with that
   * value yet; nothing when there is none. Its answer is not waited for: the next report shows it.
   */
  async pushDesired(projectId: string, deviceId: string): Promise<boolean> {
    const services = (await this.rows(this.db.manager, projectId, deviceId))
      .map((row) => ({ service_id: row.service_id, properties: Object.fromEntries(Object.entries(row.desired).filter(([name, value]) => JSON.stringify(row.reported[name]) !== JSON.stringify(value))) }))
      .filter((s) => Object.keys(s.properties).length > 0);
    if (services.length === 0) return false;
    await this.events.publish(GatewayCommand, {
      action: 'publish',
      projectId,
      message: { topic: DeviceTopics.propertiesSet(deviceId, randomUUID()), payload: Buffer.from(JSON.stringify({ object_device_id: deviceId, services })).toString('base64'), qos: 1, retain: false },
      requestedAt: new Date().toISOString(),
    });
    return true;
  }

  private rows(db: EntityManager, projectId: string, deviceId: string): Promise<ShadowRow[]> {
    return db.query(`SELECT service_id, reported, reported_at, desired, desired_at, version FROM device_shadows WHERE project_id = $1 AND device_id = $2 ORDER BY service_id`, [projectId, deviceId]);
  }
}

const iso = (at: Date | null) => (at === null ? null : new Date(at).toISOString());

function present(row: ShadowRow): DeviceShadowDto['shadow'][number] {
  return {
    service_id: row.service_id,
    desired: { properties: row.desired, event_time: iso(row.desired_at) },
    reported: { properties: row.reported, event_time: iso(row.reported_at) },
    version: Number(row.version),
  };
}

import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { ProjectAcl, decodeProjectAcl, projectAclKey } from '@iot/contracts';
import type { BrokerHooks, ClientInfo } from '@iot/mqtt-broker';
import { ROOT_LOGGER } from '@iot/runtime';
import { StateStore } from '@iot/state-store';
import { GATEWAY_OPTIONS, GatewayOptions } from '../gateway.options';
import { aclAllows } from './acl-evaluation';
import { ANONYMOUS_PROJECT } from './device-authenticator';

/** What a project without an ACL gets (the registry writes one for every project it has). */
const NO_ACL: ProjectAcl = { default: 'deny', rules: [] };

/**
 * Checks every PUBLISH and SUBSCRIBE against the project's ACL (see aclAllows). Each node
 * keeps the ACLs of the projects it serves in memory — the hot path costs no round trip —
 * loaded from the shared state store on first use and dropped when the registry announces a
 * change of the project (RegistryChangesConsumer), so a change is in force within moments.
 * Anonymous clients (MQTT_ALLOW_ANONYMOUS) may use every topic of the `default` project.
 */
@Injectable()
export class AccessControl {
  private readonly acls = new Map<string, ProjectAcl>();
  private readonly loading = new Map<string, Promise<ProjectAcl>>();
  private readonly allowAnonymous: boolean;

  constructor(
    private readonly state: StateStore,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.allowAnonymous = options.mqtt.allowAnonymous;
  }

  hooks(): Pick<BrokerHooks, 'authorizePublish' | 'authorizeSubscribe'> {
    return {
      authorizePublish: (client, topic) => this.authorize(client, 'publish', topic),
      authorizeSubscribe: (client, filter) => this.authorize(client, 'subscribe', filter),
    };
  }

  authorize(client: ClientInfo, action: 'publish' | 'subscribe', topic: string): boolean | Promise<boolean> {
    if (this.allowAnonymous && client.projectId === ANONYMOUS_PROJECT && client.deviceId === undefined) return true;
    const acl = this.acls.get(client.projectId);
    if (acl) return aclAllows(acl, client, action, topic);
    return this.load(client.projectId).then(
      (loaded) => aclAllows(loaded, client, action, topic),
      (error: Error) => {
        this.logger.warn({ err: error, projectId: client.projectId }, 'the project ACL could not be read: refused');
        return false;
      },
    );
  }

  /** Forgets a project's ACL: the next check reads it again. */
  invalidate(projectId: string): void {
    this.acls.delete(projectId);
    this.loading.delete(projectId);
  }

  private load(projectId: string): Promise<ProjectAcl> {
    let pending = this.loading.get(projectId);
    if (pending) return pending;
    pending = this.state.get(projectAclKey(projectId)).then((text) => {
      const acl = text === null ? NO_ACL : (decodeProjectAcl(text) ?? NO_ACL);
      if (text !== null && acl === NO_ACL) this.logger.error({ projectId }, 'the project ACL is malformed: everything is denied');
      // Kept only if no change was announced while it was read.
      if (this.loading.get(projectId) === pending) {
        this.acls.set(projectId, acl);
        this.loading.delete(projectId);
      }
      return acl;
    });
    pending.catch(() => this.loading.delete(projectId));
    this.loading.set(projectId, pending);
    return pending;
  }
}

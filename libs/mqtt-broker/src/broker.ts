import type { Duplex } from 'node:stream';
import mqtt, { IPublishPacket } from 'mqtt-packet';
import { BrokerOptions, DEFAULT_BROKER_OPTIONS } from './broker-options';
import { BrokerStats, Occupancy } from './broker-stats';
import { BrokerCluster, sharedGroupKey } from './cluster';
import { Connection } from './connection';
import { Backpressured } from './flow-gate';
import { BrokerHooks, ClientInfo } from './hooks';
import type { InboundBytes } from './inbound-packet';
import { Message } from './message';
import { KeepAliveWheel } from './keepalive-wheel';
import { encodePublish } from './publish-encoder';
import { ReasonCode } from './reason-codes';
import { heldMessage } from './session/held-message';
import { Delivery, InflightDelivery, Session, sessionKey } from './session/session';
import { MemoryRetainedStore } from './storage/memory-retained-store';
import { MemorySessionStore } from './storage/memory-session-store';
import { RetainedStore } from './storage/retained-store';
import { SessionSnapshot, SessionStore } from './storage/session-store';
import { SharedGroup, groupOfIndexKey, isSharedIndexKey, sharedIndexKey } from './topics/shared-groups';
import { SubscriptionIndex, SubscriptionOptions, proxySubscriptionOptions } from './topics/subscription-index';
import { parseSharedFilter } from './topics/topic-rules';

const NEVER_EXPIRES = 0xffffffff;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The MQTT broker core: sessions, subscriptions, retained messages and routing for any
 * number of connections, each a duplex stream (TCP, TLS or WebSocket). Plain TypeScript,
 * no framework; the gateway wires it to the platform through `hooks`.
 */
export class Broker {
  readonly options: BrokerOptions;
  /** Whether onDelivered hears every delivery (else only tracked messages'; see BrokerHooks). */
  private readonly allDeliveries: boolean;
  readonly stats = new BrokerStats();
  readonly subscriptions = new SubscriptionIndex();
  readonly retained: RetainedStore;
  readonly sessionStore: SessionStore;
  private readonly sessions = new Map<string, Session>();
  /** Shared subscription groups by project, then `<group>\u0000<filter>`. */
  private readonly sharedGroups = new Map<string, Map<string, SharedGroup>>();
  private readonly online = new Map<string, Connection>();
  private readonly connections = new Set<Connection>();
  private readonly takenOver = new WeakSet<Connection>();
  /** Keepalive and CONNECT deadlines of every connection, on one timer. */
  readonly keepAlive = new KeepAliveWheel();
  private connectionSeq = 0;
  private routeSeq = 0;
  /** Sessions by project, then client id: routing looks sessions up without building keys. */
  private readonly sessionsByProject = new Map<string, Map<string, Session>>();
  /**
   * The QoS 0 encodings of the message being fanned out, by protocol version and RETAIN
   * (index `version * 2 + retain`). Slots, not a Map cleared per publish: a cleared Map's old
   * table stays linked to its new one, and once the Map is in V8's old generation that chain
   * keeps every publish's encodings alive through young collections until a full one.
   */
  private readonly fanout: { message?: Message; bytes: (Buffer | undefined)[] } = { bytes: new Array<Buffer | undefined>(12).fill(undefined) };

  /** Set when this broker is one node of a cluster. */
  readonly cluster?: BrokerCluster;
  /** Local subscribers per `<project>\u0000<filter>`: the cluster hears of the first and the last. */
  private readonly routeCounts = new Map<string, number>();

  constructor(options: Partial<BrokerOptions> & { hooks: BrokerHooks; sessionStore?: SessionStore; retainedStore?: RetainedStore; cluster?: BrokerCluster }) {
    const { sessionStore, retainedStore, cluster, ...tunables } = options;
    this.cluster = cluster;
    this.options = { ...DEFAULT_BROKER_OPTIONS, ...tunables };
    this.allDeliveries = options.hooks.onDeliveredTrackedOnly !== true;
    this.sessionStore = sessionStore ?? new MemorySessionStore();
    this.retained = retainedStore ?? new MemoryRetainedStore();
  }

  /** Serves MQTT on a connected stream. */
  handle(stream: Duplex, peerAddress: string): Connection {
    const conn = new Connection(this, stream, peerAddress);
    this.connections.add(conn);
    this.stats.connectionsAccepted++;
    return conn;
  }

  /** Connected clients right now. */
  get connectionCount(): number {
    return this.online.size;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /**
   * What each project holds on this broker right now: connected clients, sessions (connected
   * or parked), their subscriptions and the distinct filters among them. O(subscriptions):
   * for periodic statistics, not for a hot path.
   */
  occupancy(): Map<string, Occupancy> {
    const byProject = new Map<string, Occupancy>();
    for (const [projectId, sessions] of this.sessionsByProject) {
      const filters = new Set<string>();
      let connections = 0;
      let subscriptions = 0;
      for (const session of sessions.values()) {
        if (session.connection) connections++;
        subscriptions += session.subscriptions.size;
        for (const filter of session.subscriptions.keys()) filters.add(filter);
      }
      byProject.set(projectId, { connections, sessions: sessions.size, subscriptions, topics: filters.size });
    }
    return byProject;
  }

  nextConnectionSeq(): number {
    return ++this.connectionSeq;
  }

  /**
   * Binds a connection to its session: takes over a live connection of the same client
   * [MQTT-3.1.4-3], ends the old session on clean start, or resumes it — from memory, or
   * from the session store when another broker (or an earlier run) left it there.
   * Rejects when the session store is unreachable: the CONNECT is then refused. Resolves
   * to undefined when the connection closed while the store was consulted.
   */
  async attachSession(conn: Connection, client: ClientInfo, cleanStart: boolean): Promise<{ session: Session; present: boolean } | undefined> {
    const key = sessionKey(client.projectId, client.clientId);
    if (this.cluster) {
      // Another node may hold the session (online or parked): it hands it over first.
      await this.cluster.claim(client.projectId, client.clientId, cleanStart);
      if (conn.closed) return undefined;
    }
    if (!this.sessions.has(key)) {
      if (cleanStart) {
        // A clean start needs nothing from the store: an unreachable one does not refuse it.
        this.sessionStore.delete(client.projectId, client.clientId).catch((error: Error) => this.storeFailed(error, 'deleting a session'));
      } else {
        const snapshot = await this.sessionStore.load(client.projectId, client.clientId);
        if (conn.closed) return undefined;
        // Another CONNECT of this client may have restored it meanwhile: memory wins.
        if (snapshot && !this.sessions.has(key)) this.restore(snapshot);
      }
    }
    const previous = this.online.get(key);
    let session = this.sessions.get(key);
    if (previous) {
      this.takenOver.add(previous);
      const will = session?.will;
      // The old connection's will goes now unless a delay lets the resumed session cancel it.
      if (will && (cleanStart || will.delaySeconds === 0)) this.publishWill(will.message);
      if (session) session.will = undefined;
      previous.close('session taken over by a new connection', ReasonCode.SessionTakenOver);
    }
    if (session && cleanStart) {
      this.endSession(session);
      session = undefined;
    }
    const present = session !== undefined;
    if (!session) session = this.remember(new Session(client.projectId, client.clientId));
    clearTimeout(session.expiryTimer);
    // [MQTT-3.1.3-9] a reconnect before the will delay passes cancels the will.
    clearTimeout(session.willTimer);
    session.will = undefined;
    this.online.set(key, conn);
    session.connection = conn;
    return { session, present };
  }

  /**
   * Gives up a session so another broker can resume it (cluster take-over): closes its
   * connection (5.0: 0x8E), saves it to the session store and forgets it here without
   * ending it. With `cleanStart` the new connection discards it, so it ends here instead.
   * Resolves to whether this broker held the session.
   */
  async handOver(projectId: string, clientId: string, cleanStart: boolean): Promise<boolean> {
    const key = sessionKey(projectId, clientId);
    const session = this.sessions.get(key);
    if (!session) return false;
    const conn = this.online.get(key);
    if (conn) {
      this.takenOver.add(conn);
      this.online.delete(key);
      session.connection = undefined;
      session.disconnectedAt = Date.now();
      const will = session.will;
      session.will = undefined;
      if (will && (cleanStart || will.delaySeconds === 0)) this.publishWill(will.message);
      conn.close('session taken over by a new connection', ReasonCode.SessionTakenOver);
    }
    if (cleanStart) {
      this.endSession(session);
      return true;
    }
    // A delayed will is cancelled by the connection that resumes the session [MQTT-3.1.3-9].
    clearTimeout(session.willTimer);
    session.will = undefined;
    const snapshot = this.snapshot(session);
    this.forget(session);
    await this.sessionStore.save(snapshot);
    return true;
  }

  /**
   * Takes over a session with no connection (a stopping node gives its parked sessions
   * away): claims it in the cluster, loads it from the session store and keeps it here, its
   * subscriptions routed and its queue filling, until its client reconnects or it expires.
   * Resolves to whether there was a session to adopt.
   */
  async adopt(projectId: string, clientId: string): Promise<boolean> {
    const key = sessionKey(projectId, clientId);
    await this.cluster?.claim(projectId, clientId, false);
    if (this.sessions.has(key)) return true;
    const snapshot = await this.sessionStore.load(projectId, clientId);
    if (!snapshot || this.sessions.has(key)) return this.sessions.has(key);
    const session = this.restore(snapshot);
    if (session.expiryInterval !== NEVER_EXPIRES) {
      const left = snapshot.disconnectedAt + session.expiryInterval * 1000 - Date.now();
      session.expiryTimer = setTimeout(() => this.endSession(session), Math.min(Math.max(left, 0), MAX_TIMER_MS));
      session.expiryTimer.unref();
    }
    return true;
  }

  /** Sessions held here without a connection that outlive it: what a stopping node gives away. */
  parkedSessions(): { projectId: string; clientId: string }[] {
    return [...this.sessions.values()].filter((s) => !s.connection && s.expiryInterval > 0).map((s) => ({ projectId: s.projectId, clientId: s.clientId }));
  }

  /** After CONNACK: resend what was in flight [MQTT-4.4.0-1], then what was queued. */
  connected(conn: Connection): void {
    const session = conn.session!;
    this.options.hooks.onConnected?.(conn.client!, { cleanStart: conn.cleanStart, will: session.will?.message });
    for (const inflight of session.inflight.values()) {
      if (inflight.awaiting === 'pubcomp') conn.send({ cmd: 'pubrel', messageId: inflight.packetId });
      else this.sendPublish(conn, inflight, inflight.packetId, true);
    }
    this.drainQueue(session);
  }

  /**
   * What the message being routed came from, to hold back while a delivery congests its
   * target: the publishing connection, or a batch forwarded by another node (whose
   * acknowledgement then waits, which holds back the publishers there).
   */
  source?: Backpressured;

  /**
   * Routes a message to every matching session: one copy per client at the highest granted
   * QoS of its matching subscriptions, carrying all their subscription identifiers
   * [MQTT-3.3.4-2..5]. Resolves to the number of local clients it was routed to plus the
   * number of other nodes it was forwarded to (0 means no subscriber anywhere: 5.0 0x10).
   * `bytes`: the client's packet, for the onPublished hook.
   */
  publish(message: Message, from?: ClientInfo, bytes?: InboundBytes): number {
    if (message.retain) this.retained.put(message).catch((error: Error) => this.storeFailed(error, 'storing a retained message'));
    this.options.hooks.onPublished?.(message, from, bytes);
    // Other nodes' subscribers get it through the cluster; shared groups it gave away are theirs.
    if (!this.cluster) return this.route(message, undefined, false);
    const { nodes, sharedElsewhere, congested } = this.cluster.forward(message);
    if (congested) this.source?.waitFor(congested);
    return this.route(message, sharedElsewhere, false) + nodes;
  }

  /**
   * A message another node forwarded here: delivered to this node's subscribers only —
   * the origin node stored it if retained, reported it, and chose which node serves each
   * shared group (`sharedGroups`, as `<group>/<filter>`).
   */
  deliverForwarded(message: Message, sharedGroups: ReadonlySet<string>, from?: Backpressured): number {
    const previous = this.source;
    this.source = from;
    try {
      return this.route(message, sharedGroups, true);
    } finally {
      this.source = previous;
    }
  }

  /**
   * Local delivery. Shared groups named in `groups` are served only (`onlyThose`, a forwarded
   * message) or all but those (a local publish whose groups went elsewhere). No closure per
   * message: this is the hot path.
   */
  private route(message: Message, groups: ReadonlySet<string> | undefined, onlyThose: boolean): number {
    // Match first, deliver after: one copy per session at the highest granted QoS, carrying
    // every matching subscription id. Dedupe marks the session with this publish's sequence
    // number instead of allocating a map per publish.
    const seq = ++this.routeSeq;
    const sessions = this.sessionsOf(message.projectId);
    const hits: Session[] = [];
    const qos: (0 | 1 | 2)[] = [];
    const ids: number[][] = [];
    const rap: boolean[] = [];
    const sharedPicks: [string, SubscriptionOptions][] = [];
    this.subscriptions.match(message.projectId, message.topic, (clientId, options, filter) => {
      if (isSharedIndexKey(clientId)) {
        // A shared group gets one copy, to one member, besides any non-shared copies [MQTT-4.8.2].
        const group = groupOfIndexKey(clientId);
        if (onlyThose || groups) {
          const listed = groups?.has(sharedGroupKey(group, filter)) ?? false;
          if (listed !== onlyThose) return;
        }
        const pick = this.sharedGroup(message.projectId, group, filter)?.pick((member) => this.isOnline(message.projectId, member));
        if (pick) sharedPicks.push(pick);
        return;
      }
      if (options.noLocal && clientId === message.origin) return; // [MQTT-3.8.3-3]
      const session = sessions?.get(clientId);
      if (!session) return;
      let slot = session.routeSlot;
      if (session.routeSeq !== seq) {
        session.routeSeq = seq;
        session.routeSlot = slot = hits.length;
        hits.push(session);
        qos.push(options.qos);
        ids.push([]);
        rap.push(options.retainAsPublished);
      } else {
        if (options.qos > qos[slot]) qos[slot] = options.qos;
        rap[slot] ||= options.retainAsPublished;
      }
      if (options.subscriptionId !== undefined) ids[slot].push(options.subscriptionId);
    });
    for (let i = 0; i < hits.length; i++) {
      // [MQTT-3.3.1-12] RETAIN is cleared on normal delivery unless retain-as-published.
      this.deliver(hits[i], { message, qos: Math.min(message.qos, qos[i]) as 0 | 1 | 2, retain: rap[i] && message.retain, subscriptionIds: ids[i] });
    }
    for (const [clientId, options] of sharedPicks) {
      const session = sessions?.get(clientId);
      if (!session) continue;
      const subscriptionIds = options.subscriptionId !== undefined ? [options.subscriptionId] : [];
      this.deliver(session, { message, qos: Math.min(message.qos, options.qos) as 0 | 1 | 2, retain: options.retainAsPublished && message.retain, subscriptionIds });
    }
    return hits.length + sharedPicks.length;
  }

  /** Adds a subscription (plain or `$share/<group>/<filter>`); resolves to whether it existed. */
  subscribe(session: Session, client: ClientInfo | undefined, filter: string, options: SubscriptionOptions): boolean {
    const existed = session.subscriptions.has(filter);
    session.subscriptions.set(filter, options);
    this.index(session, filter, options);
    // Observers hear of a connected client's subscriptions; a parked or restored session has no client to report.
    if (client) this.options.hooks.onSubscribed?.(client, filter, options.qos);
    return existed;
  }

  unsubscribe(session: Session, client: ClientInfo | undefined, filter: string): boolean {
    if (!session.subscriptions.delete(filter)) return false;
    this.unindex(session, filter);
    if (client) this.options.hooks.onUnsubscribed?.(client, filter);
    return true;
  }

  private index(session: Session, filter: string, options: SubscriptionOptions): void {
    const shared = parseSharedFilter(filter);
    if (!shared) {
      if (!this.subscriptions.add(session.projectId, filter, session.clientId, options)) this.countRoute(session.projectId, filter, +1);
      return;
    }
    let groups = this.sharedGroups.get(session.projectId);
    if (!groups) this.sharedGroups.set(session.projectId, (groups = new Map()));
    const key = `${shared.group}\u0000${shared.filter}`;
    let group = groups.get(key);
    if (!group) {
      groups.set(key, (group = new SharedGroup(shared.group, shared.filter)));
      this.subscriptions.add(session.projectId, shared.filter, sharedIndexKey(shared.group), options);
      this.countRoute(session.projectId, filter, +1);
    }
    group.members.set(session.clientId, options);
  }

  private unindex(session: Session, filter: string): void {
    const shared = parseSharedFilter(filter);
    if (!shared) {
      if (this.subscriptions.remove(session.projectId, filter, session.clientId)) this.countRoute(session.projectId, filter, -1);
      return;
    }
    const groups = this.sharedGroups.get(session.projectId);
    const key = `${shared.group}\u0000${shared.filter}`;
    const group = groups?.get(key);
    if (!group) return;
    group.members.delete(session.clientId);
    if (group.members.size === 0) {
      groups!.delete(key);
      this.subscriptions.remove(session.projectId, shared.filter, sharedIndexKey(shared.group));
      this.countRoute(session.projectId, filter, -1);
    }
  }

  /** Keeps the cluster's route table told of the first and last local subscriber of a filter. */
  private countRoute(projectId: string, filter: string, delta: 1 | -1): void {
    if (!this.cluster) return;
    const key = `${projectId}\u0000${filter}`;
    const count = (this.routeCounts.get(key) ?? 0) + delta;
    if (count > 0) this.routeCounts.set(key, count);
    else this.routeCounts.delete(key);
    if (delta > 0 && count === 1) this.cluster.routeAdded(projectId, filter);
    if (delta < 0 && count === 0) this.cluster.routeRemoved(projectId, filter);
  }

  private sessionsOf(projectId: string): Map<string, Session> | undefined {
    return this.sessionsByProject.get(projectId);
  }

  private sharedGroup(projectId: string, group: string, filter: string): SharedGroup | undefined {
    return this.sharedGroups.get(projectId)?.get(`${group}\u0000${filter}`);
  }

  private isOnline(projectId: string, clientId: string): boolean {
    return this.online.get(sessionKey(projectId, clientId))?.connected ?? false;
  }

  /** Sends the retained messages matching a new subscription, RETAIN set [MQTT-3.3.1-9]. */
  async sendRetained(session: Session, filter: string, options: SubscriptionOptions): Promise<void> {
    for (const message of await this.retained.match(session.projectId, filter)) {
      const subscriptionIds = options.subscriptionId !== undefined ? [options.subscriptionId] : [];
      this.deliver(session, { message, qos: Math.min(message.qos, options.qos) as 0 | 1 | 2, retain: true, subscriptionIds });
    }
  }

  /**
   * A delivery happened: a QoS 0 copy was sent, or a QoS 1/2 copy acknowledged by the client.
   * onDelivered hears it unless it asked for tracked messages only and this one is not.
   */
  delivered(conn: Connection, message: Message): void {
    if (this.allDeliveries || message.trackingId !== undefined) this.options.hooks.onDelivered?.(conn.client!, message);
  }

  /** Sends queued deliveries while the client's in-flight window has room. */
  drainQueue(session: Session): void {
    const conn = session.connection;
    if (!conn?.connected) return;
    while (session.queue.length > 0) {
      const next = session.queue[0];
      if (next.qos > 0 && session.inflight.size >= conn.clientReceiveMaximum) return;
      session.queue.shift();
      this.sendNow(conn, session, next);
    }
  }

  /** Called by a connection when it ends, whatever the reason. */
  onConnectionClosed(conn: Connection, reason: string): void {
    this.connections.delete(conn);
    const client = conn.client;
    if (!client) return;
    const key = sessionKey(client.projectId, client.clientId);
    if (this.takenOver.has(conn) || this.online.get(key) !== conn) {
      this.options.hooks.onDisconnected?.(client, 'session taken over');
      return;
    }
    this.online.delete(key);
    const session = conn.session!;
    session.connection = undefined;
    session.disconnectedAt = Date.now();
    const will = session.will;
    session.will = undefined;
    if (will && !conn.cleanDisconnect) {
      // The will goes at the earlier of its delay and the end of the session [MQTT-3.1.3-9].
      const delay = Math.min(will.delaySeconds, session.expiryInterval);
      if (delay === 0) this.publishWill(will.message);
      else {
        session.will = will;
        session.willTimer = setTimeout(() => this.publishWill(will.message), Math.min(delay * 1000, MAX_TIMER_MS));
        session.willTimer.unref();
      }
    }
    if (session.expiryInterval === 0) this.endSession(session);
    else {
      // Kept here while away: what it holds must not pin the socket reads it came in.
      for (const inflight of session.inflight.values()) inflight.message = heldMessage(inflight.message);
      for (const queued of session.queue) queued.message = heldMessage(queued.message);
      // Saved so that a reconnect to another node, or after a crash of this one, resumes it.
      session.persisted = true;
      this.sessionStore.save(this.snapshot(session)).catch((error: Error) => this.storeFailed(error, 'saving a session'));
      if (session.expiryInterval !== NEVER_EXPIRES) {
        session.expiryTimer = setTimeout(() => this.endSession(session), Math.min(session.expiryInterval * 1000, MAX_TIMER_MS));
        session.expiryTimer.unref();
      }
    }
    this.options.hooks.onDisconnected?.(client, reason);
  }

  /**
   * Adds a subscription to a session held here, on the platform's behalf (a proxy
   * subscription), whether its client is connected or not; retained messages follow as for
   * a client's own SUBSCRIBE. Resolves to false when this broker does not hold the session.
   */
  async subscribeFor(projectId: string, clientId: string, filter: string, qos: 0 | 1 | 2): Promise<boolean> {
    const session = this.sessionsOf(projectId)?.get(clientId);
    if (!session) return false;
    const options = proxySubscriptionOptions(qos);
    this.subscribe(session, session.connection?.client, filter, options);
    if (!parseSharedFilter(filter)) await this.sendRetained(session, filter, options);
    return true;
  }

  /** Removes a subscription from a session held here; resolves to false when the session is not here. */
  unsubscribeFor(projectId: string, clientId: string, filter: string): boolean {
    const session = this.sessionsOf(projectId)?.get(clientId);
    if (!session) return false;
    this.unsubscribe(session, session.connection?.client, filter);
    return true;
  }

  /** Disconnects a client (administrative action, 0x98); resolves to whether it was online. */
  kick(projectId: string, clientId: string): boolean {
    const conn = this.online.get(sessionKey(projectId, clientId));
    conn?.close('disconnected by the administrator', ReasonCode.AdministrativeAction);
    return conn !== undefined;
  }

  /**
   * Disconnects every client of a device (administrative action, 0x98) — it was disabled,
   * deleted or given new credentials. With `authenticatedBefore` (epoch ms: when the change
   * was made) only the connections authenticated before it: a later one already met the new
   * state. Resolves to how many were disconnected here.
   */
  kickDevice(projectId: string, deviceId: string, reason: string, authenticatedBefore = Infinity): number {
    let kicked = 0;
    for (const conn of [...this.connections]) {
      if (conn.client?.projectId !== projectId || conn.client.deviceId !== deviceId) continue;
      if (conn.authenticatedAt >= authenticatedBefore) continue;
      conn.close(reason, ReasonCode.AdministrativeAction);
      kicked++;
    }
    return kicked;
  }

  /**
   * Stops every connection (5.0 clients are told 0x8B) and the timers. Persistent sessions
   * are left in the session store — parked ones with what was queued for them meanwhile —
   * so that they resume wherever their clients reconnect.
   */
  close(): void {
    this.keepAlive.close();
    for (const session of this.sessions.values()) {
      if (session.connection || session.expiryInterval === 0) continue;
      this.sessionStore.save(this.snapshot(session)).catch((error: Error) => this.storeFailed(error, 'saving a session'));
    }
    for (const conn of [...this.connections]) conn.close('server shutting down', ReasonCode.ServerShuttingDown);
    for (const session of this.sessions.values()) {
      clearTimeout(session.expiryTimer);
      clearTimeout(session.willTimer);
    }
  }

  private deliver(session: Session, delivery: Delivery): void {
    const conn = session.connection;
    if (!conn?.connected) {
      // Offline: persistent sessions keep QoS 1/2 deliveries [MQTT-3.1.2-5]; QoS 0 is dropped.
      if (delivery.qos > 0 && session.expiryInterval > 0) this.enqueue(session, { ...delivery, message: heldMessage(delivery.message) });
      else this.drop(delivery.message, 'client offline');
      return;
    }
    if (delivery.qos === 0) {
      if (conn.stuck) {
        this.drop(delivery.message, 'slow consumer', conn.client);
        return;
      }
      this.sendNow(conn, session, delivery);
      if (conn.congested) this.source?.waitFor(conn.gate);
      return;
    }
    // Keep order: behind anything already queued, and within the client's Receive Maximum.
    if (session.queue.length > 0 || session.inflight.size >= conn.clientReceiveMaximum) {
      this.enqueue(session, delivery);
      // A queue filling up means the subscriber acknowledges slower than it is published to:
      // slow the publisher down before the bound forces drops. A full queue (a subscriber
      // that stopped acknowledging) drops its oldest instead of stalling publishers.
      if (conn.queueFilling && session.queue.length < this.options.maxQueuedMessages) this.source?.waitFor(conn.gate);
    } else this.sendNow(conn, session, delivery);
  }

  private enqueue(session: Session, delivery: Delivery): void {
    if (session.queue.length >= this.options.maxQueuedMessages) {
      const dropped = session.queue.shift()!;
      this.drop(dropped.message, 'session queue full');
    }
    session.queue.push(delivery);
  }

  private sendNow(conn: Connection, session: Session, delivery: Delivery): void {
    if (delivery.qos === 0) {
      this.sendPublish(conn, delivery, undefined, false);
      return;
    }
    const packetId = session.allocatePacketId();
    // Written out, not `{ ...delivery, packetId, awaiting }`: V8 gives a spread copy no room
    // for the properties added after it, and adding them cost ~1.5 µs per QoS 1/2 delivery
    // (the largest line of a QoS 1 flood's profile).
    const inflight: InflightDelivery = {
      message: delivery.message,
      qos: delivery.qos,
      retain: delivery.retain,
      subscriptionIds: delivery.subscriptionIds,
      packetId,
      awaiting: delivery.qos === 1 ? 'puback' : 'pubrec',
    };
    session.inflight.set(packetId, inflight);
    if (!this.sendPublish(conn, delivery, packetId, false)) session.inflight.delete(packetId);
  }

  /** Encodes and sends one PUBLISH; resolves to false when it was dropped instead. */
  private sendPublish(conn: Connection, delivery: Delivery, packetId: number | undefined, dup: boolean): boolean {
    const { message } = delivery;
    let messageExpiryInterval: number | undefined;
    if (message.expiresAt !== undefined) {
      // [MQTT-3.3.2-6] the interval is sent reduced by the time the message waited.
      const remaining = Math.ceil((message.expiresAt - Date.now()) / 1000);
      if (remaining <= 0) {
        this.drop(message, 'message expired', conn.client);
        return false;
      }
      messageExpiryInterval = remaining;
    }
    const bytes = this.encode(conn, delivery, packetId, dup, messageExpiryInterval);
    if (bytes.length > conn.clientMaximumPacketSize) {
      // [MQTT-3.1.2-25] never send a client more than it said it accepts.
      this.drop(message, 'larger than the client accepts', conn.client);
      return false;
    }
    conn.writeRaw(bytes);
    this.stats.messagesOut[delivery.qos]++;
    conn.traffic!.messagesOut[delivery.qos]++;
    if (delivery.qos === 0) this.delivered(conn, message);
    return true;
  }

  /**
   * Encodes a delivery for one connection. A QoS 0 copy that is the same for every
   * connection of a protocol version (no subscription ids, no alias) is encoded once per
   * publish and shared by the whole fan-out.
   */
  private encode(conn: Connection, delivery: Delivery, packetId: number | undefined, dup: boolean, messageExpiryInterval: number | undefined): Buffer {
    const { message } = delivery;
    const p = message.properties;
    const v5 = conn.protocolVersion === 5;
    const plain =
      !v5 ||
      (delivery.subscriptionIds.length === 0 &&
        messageExpiryInterval === undefined &&
        conn.clientTopicAliasMaximum === 0 &&
        (!p || (p.payloadFormatIndicator === undefined && p.contentType === undefined && p.responseTopic === undefined && p.correlationData === undefined && p.userProperties === undefined)));
    if (plain) {
      if (delivery.qos > 0) return encodePublish(message.topic, message.payload, delivery.qos, delivery.retain, dup, packetId, conn.protocolVersion);
      const key = conn.protocolVersion * 2 + (delivery.retain ? 1 : 0);
      if (this.fanout.message !== message) {
        this.fanout.message = message;
        this.fanout.bytes.fill(undefined);
      }
      return (this.fanout.bytes[key] ??= encodePublish(message.topic, message.payload, 0, delivery.retain, false, undefined, conn.protocolVersion));
    }
    const packet: IPublishPacket = {
      cmd: 'publish',
      topic: message.topic,
      payload: message.payload,
      qos: delivery.qos,
      retain: delivery.retain,
      dup,
      ...(packetId !== undefined ? { messageId: packetId } : {}),
      properties: {
        ...(p?.payloadFormatIndicator !== undefined ? { payloadFormatIndicator: p.payloadFormatIndicator } : {}),
        ...(p?.contentType !== undefined ? { contentType: p.contentType } : {}),
        ...(p?.responseTopic !== undefined ? { responseTopic: p.responseTopic } : {}),
        ...(p?.correlationData !== undefined ? { correlationData: p.correlationData } : {}),
        ...(p?.userProperties !== undefined ? { userProperties: p.userProperties } : {}),
        ...(messageExpiryInterval !== undefined ? { messageExpiryInterval } : {}),
        ...(delivery.subscriptionIds.length > 0 ? { subscriptionIdentifier: delivery.subscriptionIds.length === 1 ? delivery.subscriptionIds[0] : delivery.subscriptionIds } : {}),
      },
    };
    if (conn.clientTopicAliasMaximum > 0) this.applyTopicAlias(conn, packet);
    return mqtt.generate(packet, { protocolVersion: 5 });
  }

  /**
   * Topic aliases towards a 5.0 client that accepts them: the first message on a topic
   * sets an alias, later ones send the alias with an empty topic [MQTT-3.3.2-12].
   */
  private applyTopicAlias(conn: Connection, packet: IPublishPacket): void {
    const known = conn.outboundAliases.get(packet.topic);
    if (known !== undefined) {
      packet.properties = { ...packet.properties, topicAlias: known };
      packet.topic = '';
    } else if (conn.outboundAliases.size < conn.clientTopicAliasMaximum) {
      const alias = conn.outboundAliases.size + 1;
      conn.outboundAliases.set(packet.topic, alias);
      packet.properties = { ...packet.properties, topicAlias: alias };
    }
  }

  private publishWill(message: Message): void {
    this.publish({ ...message, expiresAt: message.properties?.messageExpiryInterval !== undefined ? Date.now() + message.properties.messageExpiryInterval * 1000 : undefined });
  }

  private endSession(session: Session): void {
    clearTimeout(session.expiryTimer);
    if (session.will) {
      // The session ends before the will delay: the will goes now [MQTT-3.1.3-9].
      clearTimeout(session.willTimer);
      const will = session.will;
      session.will = undefined;
      this.publishWill(will.message);
    }
    for (const delivery of session.queue) this.drop(delivery.message, 'session ended');
    this.forget(session);
    if (session.persisted) this.sessionStore.delete(session.projectId, session.clientId).catch((error: Error) => this.storeFailed(error, 'deleting a session'));
  }

  private remember(session: Session): Session {
    this.sessions.set(sessionKey(session.projectId, session.clientId), session);
    let byClient = this.sessionsByProject.get(session.projectId);
    if (!byClient) this.sessionsByProject.set(session.projectId, (byClient = new Map()));
    byClient.set(session.clientId, session);
    return session;
  }

  /** Removes a session and its subscriptions from this broker (ended, or handed over). */
  private forget(session: Session): void {
    clearTimeout(session.expiryTimer);
    for (const filter of session.subscriptions.keys()) this.unindex(session, filter);
    this.sessions.delete(sessionKey(session.projectId, session.clientId));
    const byClient = this.sessionsByProject.get(session.projectId);
    byClient?.delete(session.clientId);
    if (byClient?.size === 0) this.sessionsByProject.delete(session.projectId);
    this.cluster?.released(session.projectId, session.clientId);
  }

  private snapshot(session: Session): SessionSnapshot {
    return {
      projectId: session.projectId,
      clientId: session.clientId,
      expiryInterval: session.expiryInterval,
      // A parked session keeps counting its expiry from when its client left.
      disconnectedAt: session.connection ? Date.now() : (session.disconnectedAt ?? Date.now()),
      subscriptions: [...session.subscriptions].map(([filter, options]) => ({ filter, options })),
      inflight: session.inflight.values().map((inflight) => ({ ...inflight })),
      queue: [...session.queue],
      inboundQos2: session.inboundQos2.keys(),
    };
  }

  /** Rebuilds a session saved by another broker, or by this one before a restart. */
  private restore(snapshot: SessionSnapshot): Session {
    const session = this.remember(new Session(snapshot.projectId, snapshot.clientId));
    session.persisted = true;
    session.expiryInterval = snapshot.expiryInterval;
    session.disconnectedAt = snapshot.disconnectedAt;
    for (const { filter, options } of snapshot.subscriptions) this.subscribe(session, undefined, filter, options);
    for (const inflight of snapshot.inflight) session.inflight.set(inflight.packetId, { ...inflight });
    session.queue.push(...snapshot.queue);
    for (const id of snapshot.inboundQos2) session.inboundQos2.set(id, true);
    return session;
  }

  private storeFailed(error: Error, doing: string): void {
    this.options.hooks.onStoreError?.(error, doing);
  }

  private drop(message: Message, reason: string, client?: ClientInfo): void {
    this.stats.dropped(message.projectId, message.qos);
    this.options.hooks.onDropped?.(message, reason, client);
  }
}

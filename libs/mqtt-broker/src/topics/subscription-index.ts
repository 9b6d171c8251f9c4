/** Options a subscription was made with (MQTT 5 names; 3.1.1 uses qos only). */
export interface SubscriptionOptions {
  qos: 0 | 1 | 2;
  /** [MQTT-3.8.3-3] don't send a client its own publications. */
  noLocal: boolean;
  /** [MQTT-3.3.1-12] keep the RETAIN flag as published. */
  retainAsPublished: boolean;
  /** 0 send retained on subscribe, 1 only for a new subscription, 2 never. */
  retainHandling: 0 | 1 | 2;
  /** MQTT 5 subscription identifier, if the client gave one. */
  subscriptionId?: number;
}

/** Options of a subscription the platform makes for a client (proxy subscription): only a QoS. */
export const proxySubscriptionOptions = (qos: 0 | 1 | 2): SubscriptionOptions => ({ qos, noLocal: false, retainAsPublished: false, retainHandling: 0 });

interface Node {
  children: Map<string, Node>;
  subscribers: Map<string, SubscriptionOptions>;
  /** The filter this node ends, kept so matching never rebuilds it. */
  filter: string;
}

const newNode = (filter: string): Node => ({ children: new Map(), subscribers: new Map(), filter });

/**
 * Which sessions subscribe to which filters, per project: a topic trie with `+` and `#`
 * levels, so a publish costs one walk down the levels of its topic, not a scan of every
 * filter. Projects have separate tries: a project's `#` can never see another project's topics.
 */
export class SubscriptionIndex {
  private readonly roots = new Map<string, Node>();
  private count = 0;

  /** Adds or replaces `clientId`'s subscription to `filter`; resolves to whether it existed. */
  add(project: string, filter: string, clientId: string, options: SubscriptionOptions): boolean {
    let node: Node | undefined = this.roots.get(project);
    if (!node) this.roots.set(project, (node = newNode('')));
    for (const level of filter.split('/')) {
      let child: Node | undefined = node.children.get(level);
      if (!child) node.children.set(level, (child = newNode(node === this.roots.get(project) ? level : `${node.filter}/${level}`)));
      node = child;
    }
    const existed = node.subscribers.has(clientId);
    node.subscribers.set(clientId, options);
    if (!existed) this.count++;
    return existed;
  }

  /** Removes a subscription; resolves to whether it existed. Prunes empty branches. */
  remove(project: string, filter: string, clientId: string): boolean {
    const root = this.roots.get(project);
    if (!root) return false;
    const levels = filter.split('/');
    const path: Node[] = [root];
    for (const level of levels) {
      const child = path[path.length - 1].children.get(level);
      if (!child) return false;
      path.push(child);
    }
    if (!path[path.length - 1].subscribers.delete(clientId)) return false;
    this.count--;
    for (let i = levels.length; i > 0; i--) {
      const node = path[i];
      if (node.subscribers.size > 0 || node.children.size > 0) break;
      path[i - 1].children.delete(levels[i - 1]);
    }
    if (root.children.size === 0 && root.subscribers.size === 0) this.roots.delete(project);
    return true;
  }

  /**
   * Calls `visit` for every subscription matching `topic`, once per (client, filter).
   * [MQTT-4.7.2-1] wildcards at the first level never match topics starting with `$`.
   */
  match(project: string, topic: string, visit: (clientId: string, options: SubscriptionOptions, filter: string) => void): void {
    const root = this.roots.get(project);
    if (!root) return;
    const levels = topic.split('/');
    walk(root, levels, 0, topic.charCodeAt(0) === 36 /* $ */, visit);
  }

  /** Number of (client, filter) subscriptions across all projects. */
  get size(): number {
    return this.count;
  }
}

function walk(
  node: Node,
  levels: string[],
  depth: number,
  dollar: boolean,
  visit: (clientId: string, options: SubscriptionOptions, filter: string) => void,
): void {
  const wildcardsAllowed = !(dollar && depth === 0);
  const hash = wildcardsAllowed ? node.children.get('#') : undefined;
  // `a/#` also matches `a` itself [MQTT-4.7.1-2].
  if (hash) emit(hash, visit);
  if (depth === levels.length) {
    emit(node, visit);
    return;
  }
  const exact = node.children.get(levels[depth]);
  if (exact) walk(exact, levels, depth + 1, dollar, visit);
  const plus = wildcardsAllowed ? node.children.get('+') : undefined;
  if (plus) walk(plus, levels, depth + 1, dollar, visit);
}

function emit(node: Node, visit: (clientId: string, options: SubscriptionOptions, filter: string) => void): void {
  if (node.subscribers.size === 0) return;
  for (const [clientId, options] of node.subscribers) visit(clientId, options, node.filter);
}

import { SubscriptionIndex, SubscriptionOptions, parseSharedFilter } from '@iot/mqtt-broker';

const ANY: SubscriptionOptions = { qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 };
const SHARED = '\u0001';
const NO_GROUPS: ReadonlyMap<string, string[]> = new Map();

/** Where a topic's subscribers are: nodes with plain subscriptions, and candidate nodes per shared group. */
export interface RouteMatch {
  nodes: Set<string>;
  /** `<group>/<filter>` → nodes with members of that group (a shared empty map when none). */
  groups: ReadonlyMap<string, string[]>;
}

/**
 * This node's copy of the cluster route table: which nodes have subscribers for which
 * filters. Matching a topic is a walk of an in-memory trie — no Redis round trip per
 * message; the copy is kept current from the routes channel.
 */
export class RouteReplica {
  private readonly index = new SubscriptionIndex();
  /** Each node's routes (`<project>\0<filter>`): tells whether any other node has subscribers at all. */
  private readonly routesOf = new Map<string, Set<string>>();
  /**
   * anyBesides()'s last answer and whom it was for: asked once per publish, it changes only
   * when a node gains its first route or loses its last.
   */
  private besides?: { node: string; any: boolean };

  add(node: string, project: string, filter: string): void {
    let routes = this.routesOf.get(node);
    if (!routes) {
      this.routesOf.set(node, (routes = new Set()));
      this.besides = undefined;
    }
    routes.add(`${project}\u0000${filter}`);
    const shared = parseSharedFilter(filter);
    if (shared) this.index.add(project, shared.filter, `${SHARED}${shared.group}${SHARED}${node}`, ANY);
    else this.index.add(project, filter, node, ANY);
  }

  remove(node: string, project: string, filter: string): void {
    const routes = this.routesOf.get(node);
    routes?.delete(`${project}\u0000${filter}`);
    if (routes?.size === 0) {
      this.routesOf.delete(node);
      this.besides = undefined;
    }
    const shared = parseSharedFilter(filter);
    if (shared) this.index.remove(project, shared.filter, `${SHARED}${shared.group}${SHARED}${node}`);
    else this.index.remove(project, filter, node);
  }

  /** Called per forwarded publish: a map only when a shared group matches. */
  match(project: string, topic: string): RouteMatch {
    const nodes = new Set<string>();
    let groups: Map<string, string[]> | undefined;
    this.index.match(project, topic, (key, _options, filter) => {
      if (!key.startsWith(SHARED)) {
        nodes.add(key);
        return;
      }
      const split = key.indexOf(SHARED, 1);
      const groupKey = `${key.slice(1, split)}/${filter}`;
      groups ??= new Map();
      const candidates = groups.get(groupKey);
      if (candidates) candidates.push(key.slice(split + 1));
      else groups.set(groupKey, [key.slice(split + 1)]);
    });
    return { nodes, groups: groups ?? NO_GROUPS };
  }

  /** Whether a node other than `node` has any route (a lone node skips matching altogether). */
  anyBesides(node: string): boolean {
    if (this.besides?.node !== node) this.besides = { node, any: this.routesOf.size > (this.routesOf.has(node) ? 1 : 0) };
    return this.besides.any;
  }

  /** Distinct filters with subscribers on any node, per project. O(routes): for statistics. */
  filtersByProject(): Map<string, number> {
    const distinct = new Set<string>();
    for (const routes of this.routesOf.values()) for (const route of routes) distinct.add(route);
    const counts = new Map<string, number>();
    for (const route of distinct) {
      const project = route.slice(0, route.indexOf('\u0000'));
      counts.set(project, (counts.get(project) ?? 0) + 1);
    }
    return counts;
  }

  get size(): number {
    return this.index.size;
  }
}

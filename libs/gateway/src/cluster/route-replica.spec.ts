import { RouteReplica } from './route-replica';

describe('RouteReplica', () => {
  it('should name each node with a matching plain filter once, whatever the number of its filters', () => {
    const routes = new RouteReplica();
    routes.add('n1', 'p', 'a/+');
    routes.add('n1', 'p', 'a/#');
    routes.add('n2', 'p', 'a/b');
    routes.add('n3', 'p', 'other');
    routes.add('n4', 'q', 'a/b');
    expect([...routes.match('p', 'a/b').nodes].sort()).toEqual(['n1', 'n2']);
    routes.remove('n1', 'p', 'a/+');
    expect([...routes.match('p', 'a/b').nodes].sort()).toEqual(['n1', 'n2']);
    routes.remove('n1', 'p', 'a/#');
    expect([...routes.match('p', 'a/b').nodes]).toEqual(['n2']);
  });

  it('should count each project\'s distinct filters once, however many nodes have subscribers for them', () => {
    const routes = new RouteReplica();
    routes.add('n1', 'p', 'a/+');
    routes.add('n2', 'p', 'a/+');
    routes.add('n2', 'p', '$share/g/a/+');
    routes.add('n1', 'q', 'x');
    expect(Object.fromEntries(routes.filtersByProject())).toEqual({ p: 2, q: 1 });
    routes.remove('n1', 'q', 'x');
    routes.remove('n1', 'p', 'a/+');
    expect(Object.fromEntries(routes.filtersByProject())).toEqual({ p: 2 });
  });

  it('should list the candidate nodes of each shared group apart from plain routes', () => {
    const routes = new RouteReplica();
    routes.add('n1', 'p', '$share/g1/jobs/#');
    routes.add('n2', 'p', '$share/g1/jobs/#');
    routes.add('n2', 'p', '$share/g2/jobs/+');
    const { nodes, groups } = routes.match('p', 'jobs/7');
    expect(nodes.size).toBe(0);
    expect(Object.fromEntries([...groups].map(([group, candidates]) => [group, candidates.sort()]))).toEqual({ 'g1/jobs/#': ['n1', 'n2'], 'g2/jobs/+': ['n2'] });
  });

  it('should not match $-topics with a leading wildcard [MQTT-4.7.2-1]', () => {
    const routes = new RouteReplica();
    routes.add('n1', 'p', '#');
    routes.add('n2', 'p', '$SYS/#');
    expect([...routes.match('p', '$SYS/x').nodes]).toEqual(['n2']);
  });

  it('should tell whether any other node has routes, as they come and go', () => {
    const routes = new RouteReplica();
    expect(routes.anyBesides('me')).toBe(false);
    routes.add('me', 'p', 'a/#');
    expect(routes.anyBesides('me')).toBe(false);
    routes.add('n2', 'p', '$share/g/a/#');
    routes.add('n2', 'p', 'b');
    expect(routes.anyBesides('me')).toBe(true);
    routes.remove('n2', 'p', 'b');
    expect(routes.anyBesides('me')).toBe(true);
    routes.remove('n2', 'p', '$share/g/a/#');
    expect(routes.anyBesides('me')).toBe(false);
  });

  it('should answer anyBesides for whichever node asks, and after a node loses its last route', () => {
    const routes = new RouteReplica();
    routes.add('me', 'p', 'a');
    routes.add('n2', 'p', 'b');
    expect(routes.anyBesides('me')).toBe(true);
    expect(routes.anyBesides('n2')).toBe(true);
    expect(routes.anyBesides('n3')).toBe(true);
    routes.remove('me', 'p', 'a');
    expect(routes.anyBesides('n2')).toBe(false);
    expect(routes.anyBesides('me')).toBe(true);
    routes.remove('n2', 'p', 'b');
    expect(routes.anyBesides('me')).toBe(false);
  });
});

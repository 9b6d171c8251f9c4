import { parseSharedFilter, topicFilterProblem, topicNameProblem } from './topic-rules';

describe('topic rules', () => {
  it.each([
    ['a/b', undefined],
    ['', /empty/],
    ['a/+', /wildcard/],
    ['a/#', /wildcard/],
    ['a\u0000b', /NUL/],
    ['x'.repeat(1025), /longer than 1024/],
    [Array(40).fill('a').join('/'), /more than 32 levels/],
  ])('topicNameProblem(%p)', (topic, problem) => {
    const found = topicNameProblem(topic);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  it.each([
    ['a/b', undefined],
    ['#', undefined],
    ['+', undefined],
    ['a/+/c/#', undefined],
    ['', /empty/],
    ['a/#/c', /'#' must be the last/],
    ['a/b#', /'#' must be the last/],
    ['a/b+', /'\+' must occupy/],
    ['+a', /'\+' must occupy/],
  ])('topicFilterProblem(%p)', (filter, problem) => {
    const found = topicFilterProblem(filter);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  it('should split shared subscriptions', () => {
    expect(parseSharedFilter('$share/g1/a/+')).toEqual({ group: 'g1', filter: 'a/+' });
    expect(parseSharedFilter('$share//a')).toBeUndefined();
    expect(parseSharedFilter('$share/g1')).toBeUndefined();
    expect(parseSharedFilter('a/b')).toBeUndefined();
  });
});

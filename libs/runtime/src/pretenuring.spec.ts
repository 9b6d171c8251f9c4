import { spawnSync } from 'node:child_process';
import v8 from 'node:v8';
import { NO_PRETENURING_FLAG, applyPretenuring } from './pretenuring';

/** How many times V8 decided to pretenure an allocation site in a child that keeps what it allocates for a while, set up by `setup`. */
function tenureDecisions(setup: string): number {
  // In a child process: this one's heap is left as it is. Most objects from `make` live
  // through several young collections (a sliding window of 400,000), which is what makes
  // V8 pretenure its allocation site.
  const churn = `function make(i) { return { i, s: 'x' + i, a: [i] }; } const keep = []; for (let i = 0; i < 2e6; i++) { keep.push(make(i)); if (keep.length > 4e5) keep.splice(0, 1e5); }`;
  const run = spawnSync(process.execPath, ['--trace-pretenuring-statistics', '-e', `${setup}; ${churn}`], { encoding: 'utf8', timeout: 60_000 });
  expect(run.status).toBe(0);
  return [...run.stdout.matchAll(/pretenuring: AllocationSite\(.*=> tenure$/gm)].length;
}

describe('applyPretenuring', () => {
  afterEach(() => jest.restoreAllMocks());

  it('should give V8 the flag only when pretenuring is not wanted', () => {
    const set = jest.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    applyPretenuring(true);
    expect(set).not.toHaveBeenCalled();
    applyPretenuring(false);
    expect(set).toHaveBeenCalledWith('--no-allocation-site-pretenuring');
  });

  it('should stop V8 pretenuring allocation sites when set after start-up, as the services do', () => {
    // Unset, V8 pretenures the site whose objects survive; set at run time, never.
    expect(tenureDecisions('')).toBeGreaterThan(0);
    expect(tenureDecisions(`require('node:v8').setFlagsFromString(${JSON.stringify(NO_PRETENURING_FLAG)})`)).toBe(0);
  });
});

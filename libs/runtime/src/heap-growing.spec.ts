import { spawnSync } from 'node:child_process';
import v8 from 'node:v8';
import { applyHeapGrowing, heapGrowingFlag } from './heap-growing';

/** The growing factors V8 used after each full collection of a child that churns its heap, set up by `setup`. */
function growingFactors(setup: string): string[] {
  // In a child process: this one's heap is left as it is. The child keeps ~500,000 objects
  // alive while it replaces them, so its old generation is collected several times.
  const churn = `const keep = []; for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 5e5) keep.splice(0, 1e5); }`;
  const run = spawnSync(process.execPath, ['--trace-gc-verbose', '-e', `${setup}; ${churn}`], { encoding: 'utf8', timeout: 60_000 });
  expect(run.status).toBe(0);
  return [...run.stdout.matchAll(/\[HeapController\] Limit: .* \(([\d.]+)\)/g)].map((match) => match[1]);
}

describe('applyHeapGrowing', () => {
  afterEach(() => jest.restoreAllMocks());

  it('should give V8 the flag for the percent, and nothing at 0', () => {
    const set = jest.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    applyHeapGrowing(0);
    expect(set).not.toHaveBeenCalled();
    applyHeapGrowing(150);
    expect(set).toHaveBeenCalledWith('--heap-growing-percent=150');
  });

  it('should make V8 grow the old generation by 1 + percent / 100 when set after start-up, as the services do', () => {
    // Unset, V8 picks the factor itself (4.0 for this churn); set at run time, it is fixed.
    expect(growingFactors('')).not.toEqual(expect.arrayContaining(['2.0']));
    const fixed = growingFactors(`require('node:v8').setFlagsFromString(${JSON.stringify(heapGrowingFlag(100))})`);
    expect(fixed.length).toBeGreaterThan(0);
    expect(new Set(fixed)).toEqual(new Set(['2.0']));
  });
});

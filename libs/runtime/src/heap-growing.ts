import v8 from 'node:v8';

/** The V8 flag that fixes the old generation's growing factor at 1 + percent / 100. */
export const heapGrowingFlag = (percent: number): string => `--heap-growing-percent=${percent}`;

/**
 * Fixes how far V8 lets the old generation grow before the next full collection (0: leave
 * it to V8). V8 picks the factor itself, 1.1 to 4, from how fast the program promotes: a
 * server that promotes little gets 1.1 — and with that, what is left to the limit is already
 * below V8's own threshold for starting the next marking, so it marks the whole heap again a
 * few hundred milliseconds after each collection, for as long as the load lasts. Measured on
 * the gateway under a QoS 0 flood: a full collection every ~300 ms and a fifth of its CPU in
 * the collector (docs/benchmarks-history.md). The flag is read at each collection, so setting it at
 * boot takes effect (the heap-growing spec checks that V8 honours it).
 */
export function applyHeapGrowing(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(heapGrowingFlag(percent));
}

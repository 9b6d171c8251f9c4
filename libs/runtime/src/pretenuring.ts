import v8 from 'node:v8';

/** The V8 flag that switches allocation-site pretenuring off. */
export const NO_PRETENURING_FLAG = '--no-allocation-site-pretenuring';

/**
 * Switches V8's allocation-site pretenuring off unless `enabled`. V8 watches which allocation
 * sites' objects survive young collections and, once most of a site's do, allocates that
 * site's objects in the old generation from then on — for the rest of the process's life.
 * A burst (a Kafka round trip that takes a while, a backlog being worked off) is enough to
 * flip the gateway's per-message sites (uplink records, their headers, kafkajs's encodings):
 * from then on they went straight to the old generation, dead a few milliseconds later, and
 * the old generation filled at ~14 MB/s — a full collection every ~3 s whose marking and
 * sweeping, on the gateway's one core, stalled MQTT for 100-200 ms each time. Measured on the
 * cluster fan-in (docs/benchmarks-history.md): 4 of 4 runs without these stalls, where about 3 in 4
 * had had them, p99 11 ms instead of 50-90. The flag is read at each collection, so setting
 * it at run time takes effect (the pretenuring spec checks that V8 honours it) — but the
 * decisions taken before stay, so the entry points set it before anything else loads
 * (v8-early).
 */
export function applyPretenuring(enabled: boolean): void {
  if (!enabled) v8.setFlagsFromString(NO_PRETENURING_FLAG);
}

/** Whether the environment asks for V8's pretenuring (V8_ALLOCATION_SITE_PRETENURING=true). */
export const pretenuringWanted = (env: NodeJS.ProcessEnv): boolean => env.V8_ALLOCATION_SITE_PRETENURING === 'true';

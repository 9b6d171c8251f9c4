// Probe (BENCH_GATEWAY_NODE_ARGS="--require ./tools/bench/probes/rusage.cjs"): every 2 s, on stderr,
// the gateway's user and system CPU (ms), minor page faults and context switches over those 2 s
// (process.resourceUsage deltas) — whether a set-up's extra CPU per message is the kernel's
// (fresh memory faulted in, more syscalls) or its own code's.
let last = process.resourceUsage();
setInterval(() => {
  const now = process.resourceUsage();
  const d = (k) => now[k] - last[k];
  process.stderr.write(`rusage user ${(d('userCPUTime') / 1000).toFixed(0)} ms, sys ${(d('systemCPUTime') / 1000).toFixed(0)} ms, minflt ${d('minorPageFault')}, vcsw ${d('voluntaryContextSwitches')}, ivcsw ${d('involuntaryContextSwitches')}, rss ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MB\n`);
  last = now;
}, 2000).unref();

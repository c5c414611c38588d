// Shared by the benchmarks: before a measured run, wait (up to LBM_BENCH_QUIET_S, default 30 s;
// 0: off) for the machine's CPUs to be idle (Linux /proc/stat), so that other work on a shared
// machine (builds, tests) does not land in the figures; runs that started busy are counted.

import fs from 'node:fs';

/** How long a run waits for idle CPUs, in seconds (LBM_BENCH_QUIET_S). */
export const QUIET_S = Number(process.env.LBM_BENCH_QUIET_S ?? 30);
let busy = 0;

/** CPU busy share over `ms` from /proc/stat, or null where there is none. */
async function cpuBusy(ms) {
  const read = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = read();
    await new Promise((resolve) => { setTimeout(resolve, ms); });
    const b = read();
    return 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
  } catch {
    return null;
  }
}

/** Waits (up to QUIET_S) until the CPUs are nearly idle: under 15% busy for half a second. */
export async function waitQuiet() {
  if (!QUIET_S) return;
  const until = Date.now() + QUIET_S * 1000;
  for (;;) {
    const share = await cpuBusy(500);
    if (share === null || share < 0.15) return;
    if (Date.now() > until) {
      busy++;
      return;
    }
  }
}

/** The number of runs that started while the CPUs were still busy after QUIET_S. */
export const busyRuns = () => busy;

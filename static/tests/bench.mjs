// Benchmark: time from navigation to the first fully drawn map (map `idle` with the score layer)
// and the bytes transferred, at the national view and at a 100 m city view, in headless Chromium.
//   LBM_BASE_URL=http://127.0.0.1:8080 node tests/bench.mjs
// Env: LBM_BENCH_RUNS (default 5 per view), LBM_BENCH_CITY (zoom/lat/lon, default Utrecht centre
// 14/52.0907/5.1214), LBM_BENCH_MEASURE/LBM_BENCH_YEAR (default: the page's default tileset),
// LBM_BENCH_QUIET_S (default 30; 0: off): before each run, wait up to this long for the machine's
// CPUs to be idle (Linux /proc/stat), so that other work on a shared machine (builds, tests) does
// not land in the figures; runs that started on a busy machine are counted in the output.
// Each run uses a fresh browser profile (cold: no HTTP cache, no V8 code cache) against a warm
// server; after the last run of a view the page is reloaded twice in that browser: the first
// reload has the HTTP cache, the second also V8's code cache (Chromium stores compiled code for a
// script on its second load and uses it from the third). Prints a table and one `BENCH_JSON` line.

import fs from 'node:fs';
import { BASE_URL, CHROMIUM, launch, saveArtifact } from './browser.mjs';
import { QUIET_S, busyRuns, waitQuiet } from './quiet.mjs';

if (!BASE_URL) {
  console.log('bench: LBM_BASE_URL is not set; start lbm-server and point LBM_BASE_URL at it. Skipped.');
  process.exit(0);
}
if (!fs.existsSync(CHROMIUM)) {
  console.log(`bench: no Chromium at ${CHROMIUM}. Skipped.`);
  process.exit(process.env.LBM_REQUIRE_BROWSER === '1' ? 1 : 0);
}

const RUNS = Number(process.env.LBM_BENCH_RUNS ?? 5);
const CITY = process.env.LBM_BENCH_CITY ?? '14/52.0907/5.1214';
const query = new URLSearchParams({ test: '1' });
if (process.env.LBM_BENCH_MEASURE) query.set('measure', process.env.LBM_BENCH_MEASURE);
if (process.env.LBM_BENCH_YEAR) query.set('year', process.env.LBM_BENCH_YEAR);
const VIEWS = [
  { name: 'national', url: `${BASE_URL}/?${query}` },
  { name: `city z${CITY.split('/')[0]}`, url: `${BASE_URL}/?${query}#${CITY}` },
];

/** One navigation: ms from navigation start to the first idle with tiles, and bytes transferred. */
async function measure(page, go) {
  const sizes = [];
  const onDone = (r) => sizes.push(r.sizes().then((s) => ({ url: r.url(), bytes: s.responseBodySize + s.responseHeadersSize })).catch(() => null));
  page.on('requestfinished', onDone);
  const t0 = Date.now();
  await go();
  // The page's own promise (resolved at the first idle): Playwright's waitForFunction would first
  // compile its injected script, ~25 ms of the page's main thread in the middle of the page load.
  await page.evaluate(() => Promise.race([
    window.lbm.ready.then(() => true),
    new Promise((resolve, reject) => { setTimeout(() => reject(new Error('no idle map in 60 s')), 60000); }),
  ]));
  const wall = Date.now() - t0;
  const info = await page.evaluate(() => ({
    marks: Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('lbm:'))
      .map((m) => [m.name.slice(4), Math.round(m.startTime)])),
    readyAt: window.lbm.readyAt,
    zoom: window.lbm.map.getZoom(),
    tileset: window.lbm.grid.sourceId,
  }));
  page.off('requestfinished', onDone);
  const got = (await Promise.all(sizes)).filter(Boolean);
  const tiles = got.filter((s) => s.url.includes('/tiles/'));
  return {
    marks: info.marks,
    ms: Math.round(info.readyAt),
    wall,
    zoom: +info.zoom.toFixed(2),
    tileset: info.tileset,
    requests: got.length,
    bytes: got.reduce((a, s) => a + s.bytes, 0),
    tileRequests: tiles.length,
    tileBytes: tiles.reduce((a, s) => a + s.bytes, 0),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (b) => `${(b / 1024).toFixed(0)} kB`;
const results = [];

// Warm the server (its tile cache, the OS file cache) once; not counted.
{
  const { context, close } = await launch();
  const page = await context.newPage();
  for (const v of VIEWS) await measure(page, () => page.goto(v.url));
  await close();
}

for (const view of VIEWS) {
  const runs = [];
  let reload = null;
  let reload2 = null;
  for (let i = 0; i < RUNS; i++) {
    await waitQuiet();
    const { context, close } = await launch();
    const page = await context.newPage();
    runs.push(await measure(page, () => page.goto(view.url)));
    if (i === RUNS - 1) {
      reload = await measure(page, () => page.reload());
      reload2 = await measure(page, () => page.reload());
      saveArtifact(`bench-${view.name.replace(/\W+/g, '-')}.png`, await page.screenshot());
    }
    await close();
  }
  const r = {
    view: view.name,
    url: view.url,
    zoom: runs[0].zoom,
    tileset: runs[0].tileset,
    runs: runs.map((x) => x.ms),
    median_ms: median(runs.map((x) => x.ms)),
    median_wall_ms: median(runs.map((x) => x.wall)),
    reload_ms: reload.ms,
    reload_code_cache_ms: reload2.ms,
    bytes: runs[0].bytes,
    requests: runs[0].requests,
    tile_bytes: runs[0].tileBytes,
    tile_requests: runs[0].tileRequests,
    reload_bytes: reload.bytes,
    // medians of the page's own marks (ms since navigation): catalog fetched, MapLibre loaded,
    // map created, style and first view loaded (`load`), first idle
    marks: Object.fromEntries(Object.keys(runs[0].marks).map((k) => [k, median(runs.map((x) => x.marks[k] ?? NaN))])),
  };
  results.push(r);
}

console.log(`web map benchmark against ${BASE_URL} (${RUNS} cold runs per view, headless Chromium, SwiftShader)`);
if (busyRuns()) console.log(`note: ${busyRuns()} run(s) started while other work kept the CPUs busy (waited ${QUIET_S} s)`);
console.log('view          zoom   first idle (median, ms)  runs (ms)                 warm reload (+code cache)  transferred (requests)  tiles');
for (const r of results) {
  console.log([
    r.view.padEnd(12), String(r.zoom).padStart(5), String(r.median_ms).padStart(10), ''.padEnd(14),
    r.runs.join(' ').padEnd(26), `${r.reload_ms} ms (${r.reload_code_cache_ms} ms)`.padStart(24), '  ',
    `${kb(r.bytes)} (${r.requests})`.padEnd(22), `${kb(r.tile_bytes)} (${r.tile_requests})`,
  ].join(' '));
}
for (const r of results) {
  console.log(`${r.view}: catalog ${r.marks.catalog} ms, MapLibre ready ${r.marks.maplibre} ms, map created ${r.marks.map} ms, loaded ${r.marks.style} ms, first idle ${r.marks.idle} ms (medians)`);
}
console.log(`BENCH_JSON ${JSON.stringify(results)}`);

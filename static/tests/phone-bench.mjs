// Benchmark: the web map against a bare MapLibre page on an emulated phone, in the same run.
//   LBM_BASE_URL=http://127.0.0.1:8080 node tests/phone-bench.mjs
//
// The phone: 390×844 CSS px at device pixel ratio 2 with touch, 9 Mbit/s each way with a 150 ms
// round trip (Chromium DevTools protocol: Network.emulateNetworkConditions) and the CPU slowed 4×
// (Emulation.setCPUThrottlingRate). Views: the national view (the page's own first view), a city
// view at z13 and a street view at z16 over Utrecht (LBM_PHONE_CITY, default 52.0907/5.1214).
//
// The peer is what a developer would write with MapLibre alone: a page that loads MapLibre's own
// module and stylesheet and draws one style URL. To draw the same thing it
// gets the style the web map draws at its first idle (`map.getStyle()`, captured once, unthrottled,
// before the runs: the same sources, tiles, layers, filters and colours), the same camera, the same
// map size (the web map's canvas: on a phone the sheet below it takes part of the screen) and the
// same drawing options (fade 200 ms, no antialiasing). Its HTML, style and MapLibre's files (the
// same npm package lbm-server embeds) come from a small HTTP server of this script on another
// port of 127.0.0.1, gzipped as lbm-server sends them, through the same emulated network; the
// tiles and glyphs from lbm-server.
//
// Each run is a cold navigation in a fresh browser profile against a warm server; the two pages
// alternate, and each run waits (up to LBM_BENCH_QUIET_S, default 30 s) for idle CPUs first.
// "First full draw": ms from navigation start to the map's first `idle` (every tile in view loaded
// and drawn). Prints per view the medians, their ratio (target ≤ 1.1), the bytes, and what the web
// map requested before its first draw; one `BENCH_JSON` line. Env: LBM_BENCH_RUNS (default 5).

import fs from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';
import { BASE_URL, CHROMIUM, launch, saveArtifact } from './browser.mjs';
import { QUIET_S, busyRuns, waitQuiet } from './quiet.mjs';

if (!BASE_URL) {
  console.log('phone bench: LBM_BASE_URL is not set; start lbm-server and point LBM_BASE_URL at it. Skipped.');
  process.exit(0);
}
if (!fs.existsSync(CHROMIUM)) {
  console.log(`phone bench: no Chromium at ${CHROMIUM}. Skipped.`);
  process.exit(process.env.LBM_REQUIRE_BROWSER === '1' ? 1 : 0);
}

const RUNS = Number(process.env.LBM_BENCH_RUNS ?? 5);
const CITY = (process.env.LBM_PHONE_CITY ?? '52.0907/5.1214').split('/').map(Number);
const PHONE = { width: 390, height: 844, phone: true };
/** 9 Mbit/s each way, 150 ms round trip (CDP's latency is the round trip, in ms). */
const NETWORK = { offline: false, latency: 150, downloadThroughput: 9e6 / 8, uploadThroughput: 9e6 / 8 };
const CPU_SLOWDOWN = 4;

const VIEWS = [
  { name: 'national', hash: '' },
  { name: 'city z13', hash: `#13/${CITY[0]}/${CITY[1]}` },
  { name: 'street z16', hash: `#16/${CITY[0]}/${CITY[1]}` },
];

/** Every URL of a style made absolute against lbm-server (the bare page lives on another origin). */
function absoluteStyle(style) {
  const abs = (u) => (typeof u === 'string' && !/^[a-z]+:/.test(u)
    ? new URL(u, `${BASE_URL}/`).href.replace(/%7B/g, '{').replace(/%7D/g, '}') : u);
  const out = structuredClone(style);
  if (out.glyphs) out.glyphs = abs(out.glyphs);
  if (typeof out.sprite === 'string') out.sprite = abs(out.sprite);
  for (const src of Object.values(out.sources ?? {})) {
    if (src.url) src.url = abs(src.url);
    if (Array.isArray(src.tiles)) src.tiles = src.tiles.map(abs);
  }
  return out;
}

/** The bare page: MapLibre's own module and stylesheet, one map, one style URL. */
function barePage(view) {
  const { camera, size } = view.captured;
  const options = {
    container: 'map', style: `style-${view.key}.json`, center: camera.center, zoom: camera.zoom,
    fadeDuration: 200, canvasContextAttributes: { antialias: false }, attributionControl: false,
  };
  return `<!doctype html>
<html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MapLibre</title>
<link rel="stylesheet" href="vendor/maplibre-gl/maplibre-gl.css">
<style>body { margin: 0 } #map { width: ${size.width}px; height: ${size.height}px }</style>
<script type="module">
import { Map } from './vendor/maplibre-gl/maplibre-gl.mjs';
const map = new Map(${JSON.stringify(options)});
window.bench = { map, ready: new Promise((resolve) => map.once('idle', () => resolve(performance.now()))) };
</script>
</head><body><div id="map"></div></body></html>
`;
}

/**
 * MapLibre's files as lbm-server embeds them (the same npm package): served beside the bare page,
 * as a module worker must come from the page's own origin.
 */
function maplibreFiles() {
  const dist = new URL('../node_modules/maplibre-gl/dist/', import.meta.url);
  const types = { mjs: 'text/javascript', css: 'text/css' };
  return ['maplibre-gl.mjs', 'maplibre-gl-shared.mjs', 'maplibre-gl-worker.mjs', 'maplibre-gl.css']
    .filter((name) => fs.existsSync(new URL(name, dist)))
    .map((name) => [`/vendor/maplibre-gl/${name}`, { type: types[name.split('.').pop()], body: fs.readFileSync(new URL(name, dist)) }]);
}

/** Serves the bare pages, their styles and MapLibre (gzipped when asked, as lbm-server does). */
function startBareServer(views) {
  const files = new Map(maplibreFiles());
  for (const v of views) {
    files.set(`/bare-${v.key}.html`, { type: 'text/html; charset=utf-8', body: Buffer.from(barePage(v)) });
    files.set(`/style-${v.key}.json`, { type: 'application/json', body: Buffer.from(JSON.stringify(absoluteStyle(v.captured.style))) });
  }
  for (const f of files.values()) f.gzip = zlib.gzipSync(f.body, { level: 9 });
  const server = http.createServer((req, res) => {
    const f = files.get(new URL(req.url, 'http://x').pathname);
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    const gz = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    res.writeHead(200, {
      'content-type': f.type, 'cache-control': 'no-cache', vary: 'accept-encoding',
      ...(gz ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(gz ? f.gzip : f.body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}` }));
  });
}

/** What the web map draws at its first idle, unthrottled: style, camera and canvas size. */
async function capture(view) {
  const { context, close } = await launch(PHONE);
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/${view.hash}`);
  await page.evaluate(() => window.lbm.ready);
  const captured = await page.evaluate(() => {
    const { map } = window.lbm;
    const c = map.getCenter();
    const box = map.getContainer().getBoundingClientRect();
    return {
      style: map.getStyle(),
      camera: { center: [c.lng, c.lat], zoom: map.getZoom() },
      size: { width: Math.round(box.width), height: Math.round(box.height) },
      tileset: window.lbm.grid.sourceId,
    };
  });
  await close();
  return captured;
}

/**
 * One cold navigation on the emulated phone: ms from navigation start to the first idle, and
 * every request finished by then (relative start, bytes on the wire).
 */
async function measure(url, readyExpr) {
  const { context, close } = await launch(PHONE);
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', NETWORK);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    const sizes = [];
    page.on('requestfinished', (r) => sizes.push(r.sizes()
      .then((s) => {
        // Playwright's timing: startTime in ms since the epoch, the rest relative to it.
        const t = r.timing();
        return { url: r.url(), start: t.startTime, end: t.startTime + t.responseEnd, bytes: s.responseBodySize + s.responseHeadersSize };
      })
      .catch(() => null)));
    await page.goto(url);
    const ms = await page.evaluate((expr) => Promise.race([
      // eslint-disable-next-line no-eval
      (0, eval)(expr),
      new Promise((resolve, reject) => { setTimeout(() => reject(new Error('no idle map in 120 s')), 120000); }),
    ]), readyExpr);
    const origin = await page.evaluate(() => performance.timeOrigin);
    const shot = await page.screenshot();
    const got = (await Promise.all(sizes)).filter(Boolean)
      .map((r) => ({ ...r, start: Math.round(r.start - origin), end: Math.round(r.end - origin) }))
      .filter((r) => r.start <= ms);
    // Tiles once each (an overzoomed tile is asked for again per view tile, answered from memory).
    const isTile = (r) => /\/\d+\/\d+\/\d+\.(pbf|mvt)(\?|$)/.test(r.url);
    const byUrl = new Map();
    for (const r of got.filter(isTile)) if (!(byUrl.get(r.url)?.bytes >= r.bytes)) byUrl.set(r.url, r);
    const tiles = [...byUrl.values()];
    return {
      ms: Math.round(ms),
      requests: got,
      bytes: got.reduce((a, r) => a + r.bytes, 0),
      tileRequests: tiles.length,
      tileBytes: tiles.reduce((a, r) => a + r.bytes, 0),
      tiles: tiles.map((r) => `${r.url.replace(/^https?:\/\/[^/]+/, '')} ${r.bytes}`),
      shot,
    };
  } finally {
    await close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (b) => `${(b / 1024).toFixed(0)} kB`;

for (const [i, v] of VIEWS.entries()) {
  v.key = String(i);
  v.captured = await capture(v);
}
const bare = await startBareServer(VIEWS);

const results = [];
for (const view of VIEWS) {
  const web = [];
  const plain = [];
  const webUrl = `${BASE_URL}/${view.hash}`;
  const bareUrl = `${bare.base}/bare-${view.key}.html`;
  // Warm the server and the OS cache for this view's tiles; not counted.
  await measure(webUrl, 'window.lbm.ready.then(() => window.lbm.readyAt)');
  for (let i = 0; i < RUNS; i++) {
    // Alternate which page goes first, so that neither always follows the other.
    const order = i % 2 ? ['bare', 'web'] : ['web', 'bare'];
    for (const which of order) {
      await waitQuiet();
      if (which === 'web') web.push(await measure(webUrl, 'window.lbm.ready.then(() => window.lbm.readyAt)'));
      else plain.push(await measure(bareUrl, 'window.bench.ready'));
    }
  }
  saveArtifact(`phone-${view.name.replace(/\W+/g, '-')}-web.png`, web.at(-1).shot);
  saveArtifact(`phone-${view.name.replace(/\W+/g, '-')}-bare.png`, plain.at(-1).shot);
  const w = median(web.map((r) => r.ms));
  const b = median(plain.map((r) => r.ms));
  // What the web map asked for before its first draw (the median run's), tiles summed.
  const mid = web.find((r) => r.ms === w);
  const before = mid.requests.filter((r) => !/\/\d+\/\d+\/\d+\.(pbf|mvt)(\?|$)/.test(r.url)).sort((x, y) => x.start - y.start)
    .map((r) => ({ path: r.url.replace(BASE_URL, ''), start: r.start, end: r.end, bytes: r.bytes }));
  results.push({
    view: view.name,
    tileset: view.captured.tileset,
    zoom: +view.captured.camera.zoom.toFixed(2),
    map_size: view.captured.size,
    web_ms: web.map((r) => r.ms),
    bare_ms: plain.map((r) => r.ms),
    web_median_ms: w,
    bare_median_ms: b,
    ratio: +(w / b).toFixed(3),
    web_bytes: median(web.map((r) => r.bytes)),
    bare_bytes: median(plain.map((r) => r.bytes)),
    web_tiles: [mid.tileRequests, mid.tileBytes],
    bare_tiles: [plain[0].tileRequests, plain[0].tileBytes],
    web_before_first_draw: before,
    web_tile_list: mid.tiles,
    bare_tile_list: plain[0].tiles,
  });
}
bare.server.close();

console.log(`phone benchmark against ${BASE_URL}: ${PHONE.width}×${PHONE.height} @2×, `
  + `${(NETWORK.downloadThroughput * 8 / 1e6).toFixed(0)} Mbit/s, ${NETWORK.latency} ms round trip, CPU ${CPU_SLOWDOWN}× slower; `
  + `${RUNS} cold runs per page and view, headless Chromium (SwiftShader)`);
if (busyRuns()) console.log(`note: ${busyRuns()} run(s) started while other work kept the CPUs busy (waited ${QUIET_S} s)`);
console.log('view         zoom   web map (median ms)  bare MapLibre  ratio (target <= 1.1)  web bytes (tiles)        bare bytes (tiles)');
for (const r of results) {
  console.log([
    r.view.padEnd(11), String(r.zoom).padStart(5), String(r.web_median_ms).padStart(12), ''.padEnd(8),
    String(r.bare_median_ms).padStart(10), '  ', `x${r.ratio.toFixed(2)}`.padStart(10), ''.padEnd(10),
    `${kb(r.web_bytes)} (${r.web_tiles[0]} tiles, ${kb(r.web_tiles[1])})`.padEnd(25),
    `${kb(r.bare_bytes)} (${r.bare_tiles[0]} tiles, ${kb(r.bare_tiles[1])})`,
  ].join(' '));
}
for (const r of results) {
  console.log(`${r.view}: web runs ${r.web_ms.join(' ')}; bare runs ${r.bare_ms.join(' ')}`);
  console.log(`  the web map before its first draw (median run; start-end ms, bytes), besides tiles:`);
  for (const q of r.web_before_first_draw) console.log(`    ${String(q.start).padStart(5)}-${String(q.end).padEnd(5)} ${kb(q.bytes).padStart(7)}  ${q.path}`);
}
console.log(`BENCH_JSON ${JSON.stringify(results)}`);

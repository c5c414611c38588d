// Browser test of the web map against a running lbm-server: `LBM_BASE_URL=http://127.0.0.1:8080
// node --test tests/browser.test.mjs`. Skips without LBM_BASE_URL, or without Chromium unless
// LBM_REQUIRE_BROWSER=1. Screenshots go to $LBM_ARTIFACTS (default tests/artifacts/).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { BASE_URL, CHROMIUM, launch, waitIdle, saveArtifact, classPixels } from './browser.mjs';

const required = process.env.LBM_REQUIRE_BROWSER === '1';
let skip = false;
if (!BASE_URL) skip = 'LBM_BASE_URL is not set: start lbm-server and point LBM_BASE_URL at it';
else if (!fs.existsSync(CHROMIUM)) {
  if (required) throw new Error(`LBM_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}`);
  skip = `no Chromium at ${CHROMIUM}`;
}
if (skip) console.log(`skipping the browser tests: ${skip}`);

let browser;
let catalog;
const url = (path) => `${BASE_URL}${path}`;

before(async () => {
  if (skip) return;
  const res = await fetch(url('/catalog.json'));
  assert.equal(res.status, 200, 'GET /catalog.json');
  catalog = await res.json();
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A new page with console errors and failed requests collected. */
async function newPage() {
  const page = await browser.context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => page.problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  return page;
}

const tilesetsOf = (measure) => catalog.tilesets.filter((t) => t.measure === measure && (t.kind ?? 'score') === 'score')
  .sort((a, b) => a.year - b.year);
const latest = (measure) => tilesetsOf(measure).at(-1);
/** A view inside the data: the tileset's centre, at `zoom`. */
const hashAt = (ts, zoom) => {
  const [w, s, e, n] = ts.bounds;
  const [lon, lat] = ts.center ?? [(w + e) / 2, (s + n) / 2];
  return `#${zoom}/${lat}/${lon}`;
};

test('the map renders the class colours where there is data', { skip }, async () => {
  const page = await newPage();
  const ts = latest('lbm');
  await page.goto(url('/?test=1'));
  await waitIdle(page);
  saveArtifact('map-default.png', await page.screenshot());
  // index.html starts MapLibre's worker itself (js/worker.js, which names MapLibre's version)
  assert.equal(await page.evaluate(() => window.lbm.earlyWorker), true, 'MapLibre took the worker js/worker.js started');
  if (!(await page.evaluate(() => window.lbm.basemap))) {
    // without a basemap the national outline (shipped in static/data) is drawn, after the scores
    await page.waitForFunction(() => window.lbm.map.getSource('context-outline') && window.lbm.map.isSourceLoaded('context-outline'));
  }
  // A closer view inside the data, where cells certainly cover much of the screen.
  await page.goto(url(`/?test=1&measure=lbm&year=${ts.year}${hashAt(ts, 12)}`));
  await waitIdle(page);
  saveArtifact('map-city-z12.png', await page.screenshot());
  const px = await classPixels(page, ts.classification);
  console.log(`class pixels at z12: ${JSON.stringify(px)}`);
  assert.ok(px.coloured > px.total * 0.05, `at least 5% of the map in class colours (got ${px.coloured}/${px.total})`);
  assert.ok(px.perClass.filter((n) => n > 20).length >= 2, 'at least two classes visible');
  const legend = await page.$$eval('#legend li', (lis) => lis.length);
  assert.equal(legend, ts.classification.classes.length + 2, 'legend: every class, "no data" and land without residents');
  const swatch = await page.$eval('#legend li[data-class="1"] .swatch', (e) => getComputedStyle(e).backgroundColor);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(ts.classification.classes[0].color.slice(i, i + 2), 16));
  assert.equal(swatch, `rgb(${r}, ${g}, ${b})`, 'legend colour from the classification');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('switching measure and year requests the new tileset and keeps the view', { skip }, async () => {
  const page = await newPage();
  const ts = latest('lbm');
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  await page.goto(url(`/?test=1&measure=lbm&year=${ts.year}${hashAt(ts, 11)}`));
  await waitIdle(page);
  const before = await page.evaluate(() => ({ c: window.lbm.map.getCenter().toArray(), z: window.lbm.map.getZoom() }));

  const other = catalog.measures.map((m) => m.id).find((m) => m !== 'lbm' && tilesetsOf(m).length > 1);
  assert.ok(other, 'the catalog has a second measure with at least two years');
  const year = await page.evaluate(() => window.lbm.state.year);
  const target = tilesetsOf(other).reduce((a, b) => (Math.abs(b.year - year) < Math.abs(a.year - year) ? b : a));
  await page.selectOption('#measure', other);
  await page.waitForFunction(() => document.body.dataset.state === 'loading' || true);
  await waitIdle(page);
  assert.ok(requested.some((u) => u.includes(`/tiles/${target.id}/`)), `requested /tiles/${target.id}/`);

  const years = tilesetsOf(other).map((t) => t.year);
  const i = years.indexOf(target.year);
  const step = i > 0 ? '#year-prev' : '#year-next';
  const next = tilesetsOf(other)[i > 0 ? i - 1 : i + 1];
  await page.click(step);
  await waitIdle(page);
  assert.ok(requested.some((u) => u.includes(`/tiles/${next.id}/`)), `requested /tiles/${next.id}/`);
  assert.equal(await page.$eval('#year-value', (e) => e.textContent), String(next.year));

  const after = await page.evaluate(() => ({ c: window.lbm.map.getCenter().toArray(), z: window.lbm.map.getZoom() }));
  assert.ok(Math.abs(after.z - before.z) < 1e-6 && Math.abs(after.c[0] - before.c[0]) < 1e-6, 'camera unchanged');
  const layers = await page.evaluate(() => window.lbm.map.getStyle().layers.map((l) => l.id).filter((id) => id.startsWith('lbm:')));
  assert.ok(layers.every((id) => id.startsWith(`lbm:${next.id}:`)), `only the new tileset's layers remain: ${layers}`);
  saveArtifact('map-switched.png', await page.screenshot());
  await page.close();
});

test('a click on a cell opens the info panel with that cell\'s values', { skip }, async () => {
  const page = await newPage();
  const ts = latest('lbm');
  await page.goto(url(`/?test=1&measure=lbm&year=${ts.year}${hashAt(ts, 14)}`));
  await waitIdle(page);
  // A pixel inside a drawn cell near the middle of the map.
  const spot = await page.evaluate(() => {
    const { map, grid } = window.lbm;
    const canvas = map.getCanvas().getBoundingClientRect();
    const mid = [canvas.width / 2, canvas.height / 2];
    const feats = map.queryRenderedFeatures({ layers: grid.fillLayers() });
    let best = null;
    for (const f of feats) {
      const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
      const pts = ring.slice(0, -1).map((c) => map.project(c));
      const p = pts.reduce((a, q) => ({ x: a.x + q.x / pts.length, y: a.y + q.y / pts.length }), { x: 0, y: 0 });
      if (p.x < 20 || p.y < 20 || p.x > canvas.width - 400 || p.y > canvas.height - 20) continue; // not under the info card
      const d = Math.hypot(p.x - mid[0] + 200, p.y - mid[1]);
      if (!best || d < best.d) best = { d, x: p.x, y: p.y, id: f.id, cell: f.properties.cell };
    }
    if (!best) return null;
    const ll = map.unproject([best.x, best.y]);
    return { ...best, px: canvas.left + best.x, py: canvas.top + best.y, lon: ll.lng, lat: ll.lat };
  });
  assert.ok(spot, 'a drawn cell in view');
  await page.mouse.click(spot.px, spot.py);
  await page.waitForSelector('#info[data-state="ready"]:not([hidden])');
  saveArtifact('info-panel.png', await page.screenshot());

  const res = await fetch(url(`/api/v1/point?lon=${spot.lon.toFixed(6)}&lat=${spot.lat.toFixed(6)}`));
  assert.equal(res.status, 200, 'the point API has data where the cell is drawn');
  const point = await res.json();
  const row = point.years.find((y) => y.year === ts.year);
  const shown = await page.evaluate(() => ({
    cell: document.getElementById('info').dataset.cell,
    title: document.getElementById('info-title').textContent,
    total: document.querySelector('#info .lead[data-measure="lbm"]')?.dataset.value,
    dims: Object.fromEntries([...document.querySelectorAll('#info .dim[data-measure]')].map((li) => [li.dataset.measure, li.dataset.value])),
  }));
  assert.equal(shown.cell, point.cell);
  assert.equal(spot.cell.split('/')[0], point.cell, 'the drawn cell is the cell the API returns');
  assert.ok(shown.title.includes(point.cell));
  assert.equal(Number(shown.total), row.lbm);
  for (const [m, v] of Object.entries(shown.dims)) assert.equal(Number(v), row[m], `dimension ${m}`);
  assert.ok(Object.keys(shown.dims).length >= 5, 'five dimensions');
  const selected = await page.evaluate((id) => {
    const { map, grid } = window.lbm;
    return map.getFeatureState({ source: grid.sourceId, sourceLayer: 'grid', id }).selected;
  }, spot.id);
  assert.equal(selected, true, 'the clicked cell is highlighted');
  // the highlight layers come with the first selection, each above its outline
  const { sourceId, order } = await page.evaluate(() => ({
    sourceId: window.lbm.grid.sourceId,
    order: window.lbm.map.getStyle().layers.map((l) => l.source ? l.id : null).filter(Boolean),
  }));
  const mine = order.filter((id) => id.startsWith(`${sourceId}:`));
  assert.equal(mine.at(-1), `${sourceId}:grid:selected`, `the cell highlight is drawn above the cells: ${mine}`);
  assert.equal(mine[mine.indexOf(`${sourceId}:grid:outline`) + 1], `${sourceId}:grid:selected`, `right above the cell outline: ${mine}`);

  await page.keyboard.press('Escape');
  await page.waitForSelector('#info', { state: 'hidden' });
  await page.close();
});

test('the URL round-trips the state', { skip }, async () => {
  const page = await newPage();
  const measure = catalog.measures.map((m) => m.id).find((m) => tilesetsOf(m).length > 1) ?? 'lbm';
  const sets = tilesetsOf(measure);
  const a = sets.at(-2);
  const b = sets.find((x) => x.year !== a.year && x !== sets.at(-1)) ?? sets.at(-1);
  const [w, s, e, n] = a.bounds;
  const lat = +((s + n) / 2).toFixed(4);
  const lon = +((w + e) / 2).toFixed(4);
  await page.goto(url(`/?test=1&measure=${measure}&year=${a.year}&compare=${b.year}&lang=en#13.5/${lat}/${lon}`));
  await waitIdle(page);
  const got = await page.evaluate(() => ({
    measure: document.getElementById('measure').value,
    year: document.getElementById('year-value').textContent,
    compareOn: document.getElementById('compare-on').checked,
    compare: document.getElementById('compare-year').value,
    lang: document.documentElement.lang,
    zoom: window.lbm.map.getZoom(),
    center: window.lbm.map.getCenter().toArray(),
    compareMap: !!document.getElementById('map-compare'),
  }));
  assert.equal(got.measure, measure);
  assert.equal(got.year, String(a.year));
  assert.equal(got.compareOn, true);
  assert.equal(got.compare, String(b.year));
  assert.equal(got.compareMap, true, 'the compare map is shown');
  assert.equal(got.lang, 'en');
  assert.ok(Math.abs(got.zoom - 13.5) < 1e-6);
  assert.ok(Math.abs(got.center[0] - lon) < 1e-4 && Math.abs(got.center[1] - lat) < 1e-4);
  saveArtifact('compare.png', await page.screenshot());
  // The divider is keyboard-operable and moves the clip of the compare map.
  await page.focus('.divider');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute('.divider', 'aria-valuenow'), '60');
  assert.equal(await page.$eval('#map-compare', (e) => e.style.clipPath), 'inset(0px 0px 0px 60%)');

  // ...and back: the page writes its state into the URL.
  await page.click('#compare-on');
  await waitIdle(page);
  await page.waitForFunction(() => !location.search.includes('compare='));
  const href = new URL(page.url());
  assert.equal(href.searchParams.get('measure'), measure);
  assert.equal(href.searchParams.get('year'), String(a.year));
  assert.equal(href.searchParams.get('lang'), 'en');
  assert.match(href.hash, /^#13\.5\/[\d.]+\/[\d.]+$/);
  const embed = await page.evaluate(async () => {
    document.getElementById('embed-open').click();
    return document.getElementById('embed-code').value;
  });
  assert.match(embed, /^<iframe src="http[^"]+\/embed\?[^"]*measure=/);
  await page.close();
});

test('/embed renders the map, the legend and a link back', { skip }, async () => {
  const page = await newPage();
  const ts = latest('lbm');
  await page.setViewportSize({ width: 640, height: 420 });
  await page.goto(url(`/embed?test=1&measure=lbm&year=${ts.year}${hashAt(ts, 12)}`));
  await waitIdle(page);
  saveArtifact('embed.png', await page.screenshot());
  const px = await classPixels(page, ts.classification);
  assert.ok(px.coloured > px.total * 0.05, `class colours in the embed (${px.coloured}/${px.total})`);
  assert.equal(await page.$$eval('#legend li', (l) => l.length), ts.classification.classes.length + 2);
  const link = await page.$eval('#full-link', (a) => a.href);
  assert.match(link, new RegExp(`/\\?(.*&)?measure=lbm&year=${ts.year}`));
  assert.equal(await page.$('#measure'), null, 'no controls in the embed');
  await page.close();
});

test('phone layout; clear messages when a tileset or the catalog fails', { skip }, async () => {
  const page = await newPage();
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto(url('/?test=1'));
  await waitIdle(page);
  saveArtifact('phone.png', await page.screenshot());
  const box = await page.evaluate(() => ({
    panel: document.getElementById('panel').getBoundingClientRect().toJSON(),
    map: document.getElementById('map-wrap').getBoundingClientRect().toJSON(),
  }));
  assert.ok(box.panel.top >= box.map.bottom - 1 && box.panel.width === 390, `the panel is a sheet under the map: ${JSON.stringify(box)}`);
  assert.ok(box.map.height > 300, 'the map keeps at least half the screen');
  await page.click('#panel-toggle');
  await page.waitForFunction(() => document.getElementById('panel').getBoundingClientRect().height < 80);
  assert.equal(await page.getAttribute('#panel-toggle', 'aria-expanded'), 'false');

  // A tileset that disappeared from the server: a clear message, not a silently empty map.
  const sets = tilesetsOf('lbm');
  const gone = sets.at(-2) ?? sets[0];
  await page.route(`**/tiles/${gone.id}**`, (r) => r.fulfill({ status: 404, contentType: 'application/json', body: '{"error":"unknown tileset"}' }));
  await page.goto(url(`/?test=1&measure=lbm&year=${gone.year}`));
  await page.waitForSelector('#message:not([hidden])');
  assert.ok((await page.$eval('#message', (e) => e.textContent)).includes(gone.id), 'the message names the tileset');
  await page.unroute(`**/tiles/${gone.id}**`);

  await page.route('**/catalog.json', (r) => r.fulfill({ status: 503, body: '{"error":"down"}' }));
  await page.reload();
  await page.waitForSelector('#message:not([hidden])');
  assert.match(await page.$eval('#message', (e) => e.textContent), /niet beschikbaar|unavailable/);
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'error');
  await page.close();
});

test('keyboard: tab order, Enter on the map opens the info panel, Esc closes it', { skip }, async () => {
  const page = await newPage();
  const ts = latest('lbm');
  await page.goto(url(`/?test=1&measure=lbm&year=${ts.year}${hashAt(ts, 13)}`));
  await waitIdle(page);
  const order = [];
  for (let i = 0; i < 22; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => {
      const e = document.activeElement;
      return e.id || e.className || e.tagName;
    }));
  }
  const at = (id) => order.indexOf(id);
  for (const id of ['lang', 'measure', 'year', 'compare-on', 'copy-link', 'embed-open']) assert.ok(at(id) >= 0, `${id} is reachable (${order})`);
  assert.ok(at('measure') < at('year') && at('year') < at('copy-link'), `panel in reading order (${order})`);
  assert.ok(order.some((c) => String(c).includes('maplibregl-canvas')), `the map is reachable (${order})`);

  await page.focus('.maplibregl-canvas');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#info:not([hidden])');
  await page.waitForFunction(() => document.getElementById('info').dataset.state !== 'loading');
  saveArtifact('keyboard-info.png', await page.screenshot());
  await page.keyboard.press('Escape');
  await page.waitForSelector('#info', { state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('maplibregl-canvas')), true, 'focus back on the map');
  await page.close();
});

// ---- issue 5: search, ontwikkeling, levels ----

const changePairs = (measure) => (catalog?.changes ?? []).filter((c) => c.measure === measure);
const byId = (id) => catalog.tilesets.find((t) => t.id === id);
const withAreas = () => catalog.tilesets.filter((t) => (t.kind ?? 'score') === 'score' && (t.areas ?? []).length > 0);
/** The URL's query parameters once the state has been written (debounced). */
const queryOf = async (page) => {
  await page.waitForTimeout(300);
  return new URL(page.url()).searchParams;
};

test('search: type a place, pick it with the keyboard, the map flies there', { skip }, async () => {
  const page = await newPage();
  const ts = latest('lbm');
  const [w, s, e, n] = ts.bounds;
  await page.goto(url(`/?test=1&measure=lbm&year=${ts.year}#8/${(s + n) / 2}/${(w + e) / 2}`));
  await waitIdle(page);
  // A coordinate query works with any index: the cell at the tileset's centre.
  const [lon, lat] = ts.center ?? [(w + e) / 2, (s + n) / 2];
  const input = page.locator('#search');
  assert.equal(await input.getAttribute('role'), 'combobox');
  await input.fill(`${lat.toFixed(5)}, ${lon.toFixed(5)}`);
  await page.waitForSelector('#search-list:not([hidden]) [role="option"][data-kind="cell"]');
  assert.equal(await input.getAttribute('aria-expanded'), 'true');
  await input.press('ArrowDown');
  const active = await input.getAttribute('aria-activedescendant');
  assert.ok(active, 'ArrowDown marks an option active');
  assert.equal(await page.$eval(`#${active}`, (li) => li.getAttribute('aria-selected')), 'true');
  await input.press('Enter');
  await page.waitForFunction(() => window.lbm.lastSearch);
  await waitIdle(page);
  const view = await page.evaluate(() => ({ c: window.lbm.map.getCenter().toArray(), z: window.lbm.map.getZoom() }));
  assert.ok(view.z > 13, `zoomed in to the cell (z ${view.z})`);
  assert.ok(Math.abs(view.c[0] - lon) < 0.01 && Math.abs(view.c[1] - lat) < 0.01, `centred on the cell: ${view.c}`);
  assert.equal(await input.getAttribute('aria-expanded'), 'false');
  // The cell's info panel opens.
  await page.waitForFunction(() => document.getElementById('info').dataset.state === 'ready');
  saveArtifact('search-cell.png', await page.screenshot());

  // Esc closes the list, a second Esc clears the box; nonsense finds nothing (no error).
  await input.fill('zzzqqq');
  await page.waitForSelector('#search-list:not([hidden]) .search-empty');
  await input.press('Escape');
  assert.equal(await input.getAttribute('aria-expanded'), 'false');
  await input.press('Escape');
  assert.equal(await input.inputValue(), '');

  if (withAreas().length === 0) {
    console.log('search by name skipped: the demo has no area layers/index areas yet');
  } else {
    // By name: accent- and case-insensitive, flies to the area's bbox.
    await page.evaluate(() => { window.lbm.lastSearch = null; });
    await input.fill('utrecht');
    await page.waitForSelector('#search-list:not([hidden]) [role="option"][data-kind="area"]');
    const first = await page.$eval('#search-list [role="option"]', (li) => li.textContent);
    assert.match(first, /Utrecht/);
    await input.press('Enter');
    await page.waitForFunction(() => window.lbm.lastSearch);
    await waitIdle(page);
    const r = await page.evaluate(() => window.lbm.lastSearch);
    const c = await page.evaluate(() => window.lbm.map.getCenter().toArray());
    assert.ok(c[0] > r.bbox[0] && c[0] < r.bbox[2] && c[1] > r.bbox[1] && c[1] < r.bbox[3], 'centre inside the area bbox');
    const selected = await page.evaluate((res) => {
      const g = window.lbm.grid;
      const id = Number(res.code.replace(/\D/g, ''));
      return g.map.getFeatureState({ source: g.sourceId, sourceLayer: res.level, id }).selected ?? false;
    }, r);
    assert.equal(selected, true, 'the found area is outlined');
    saveArtifact('search-area.png', await page.screenshot());
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('ontwikkeling: the change tileset with its own legend, from/to in the URL', { skip }, async (t) => {
  const pairs = changePairs('lbm');
  if (pairs.length === 0) {
    t.skip('the catalog lists no change tilesets (changes) for lbm');
    return;
  }
  const page = await newPage();
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  const ts = latest('lbm');
  // z13: the grid (with wijken and buurten, areas are drawn below it).
  await page.goto(url(`/?test=1&measure=lbm&year=${ts.year}${hashAt(ts, 13)}`));
  await waitIdle(page);
  const scoreLabels = await page.$$eval('#legend li[data-class] .legend-label', (ls) => ls.map((l) => l.textContent));
  await page.check('#mode-change');
  await waitIdle(page);
  const from = Number(await page.inputValue('#change-from'));
  const to = Number(await page.inputValue('#change-to'));
  const pair = pairs.find((c) => c.from === from && c.to === to);
  assert.ok(pair, `the chosen pair ${from}-${to} is one of the catalog's changes`);
  assert.ok(requested.some((u) => u.includes(`/tiles/${pair.id}/`)), `requested /tiles/${pair.id}/`);
  const change = byId(pair.id);
  const labels = await page.$$eval('#legend li[data-class] .legend-label', (ls) => ls.map((l) => l.textContent));
  assert.deepEqual(labels, change.classification.classes.map((c) => c.label_nl), 'legend labels from the change classification');
  assert.notDeepEqual(labels, scoreLabels, 'the legend changed');
  assert.equal(await page.$eval('#legend', (e) => e.dataset.kind), 'change');
  assert.ok(await page.isHidden('#score-controls'), 'the year slider is hidden in ontwikkeling');
  const px = await classPixels(page, change.classification);
  assert.ok(px.coloured > px.total * 0.05, `change colours drawn (${px.coloured}/${px.total})`);
  saveArtifact('ontwikkeling.png', await page.screenshot());
  // A click on a drawn change cell: the info panel shows its change and change class.
  const spot = await page.evaluate(() => {
    const { map, grid } = window.lbm;
    const box = map.getCanvas().getBoundingClientRect();
    for (const f of map.queryRenderedFeatures({ layers: grid.fillLayers() })) {
      const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
      const pts = ring.slice(0, -1).map((c) => map.project(c));
      const p = pts.reduce((a, q) => ({ x: a.x + q.x / pts.length, y: a.y + q.y / pts.length }), { x: 0, y: 0 });
      if (p.x < 20 || p.y < 20 || p.x > box.width - 400 || p.y > box.height - 20) continue; // not under the info card
      return { px: box.left + p.x, py: box.top + p.y, cls: f.properties.class };
    }
    return null;
  });
  assert.ok(spot, 'a drawn change cell in view');
  await page.mouse.click(spot.px, spot.py);
  await page.waitForSelector('#info[data-state="ready"]:not([hidden])');
  const shownChange = await page.$eval('#info .change', (e) => ({ cls: e.dataset.class, text: e.textContent }));
  assert.equal(shownChange.cls, String(spot.cls), 'the change class of the clicked cell');
  assert.ok(shownChange.text.includes(`${from} → ${to}`), shownChange.text);
  saveArtifact('ontwikkeling-info.png', await page.screenshot());
  await page.click('#info-close');

  let q = await queryOf(page);
  assert.equal(q.get('mode'), 'change');
  assert.equal(q.get('from'), String(from));
  assert.equal(q.get('to'), String(to));
  // Another pair, when there is one, through the from/to selects.
  const other = pairs.find((c) => c !== pair);
  if (other) {
    if (other.from !== from) await page.selectOption('#change-from', String(other.from));
    const shownTo = Number(await page.inputValue('#change-to'));
    if (shownTo !== other.to) await page.selectOption('#change-to', String(other.to));
    await waitIdle(page);
    assert.ok(requested.some((u) => u.includes(`/tiles/${other.id}/`)), `requested /tiles/${other.id}/`);
    q = await queryOf(page);
    assert.equal(q.get('from'), String(other.from));
    assert.equal(q.get('to'), String(other.to));
  }
  // Round trip: a fresh page from the URL shows the same change map.
  const again = await newPage();
  await again.goto(page.url());
  await waitIdle(again);
  assert.ok(await again.isChecked('#mode-change'));
  assert.equal(await again.inputValue('#change-from'), q.get('from'));
  assert.equal(await again.inputValue('#change-to'), q.get('to'));
  const id = changePairs('lbm').find((c) => String(c.from) === q.get('from') && String(c.to) === q.get('to')).id;
  const layers = await again.evaluate(() => window.lbm.map.getStyle().layers.map((l) => l.id).filter((i) => i.startsWith('lbm:')));
  assert.ok(layers.length && layers.every((l) => l.startsWith(`lbm:${id}:`)), `only ${id} drawn: ${layers}`);
  // Back to score: the score legend returns and the URL forgets from/to.
  await again.check('#mode-score');
  await waitIdle(again);
  assert.deepEqual(await again.$$eval('#legend li[data-class] .legend-label', (ls) => ls.map((l) => l.textContent)), scoreLabels);
  q = await queryOf(again);
  assert.equal(q.get('mode'), null);
  assert.deepEqual([...page.problems, ...again.problems], []);
  await again.close();
  await page.close();
});

test('levels: automatic by zoom, fixed by the user, named in the legend and the URL', { skip }, async (t) => {
  const tilesets = withAreas();
  if (tilesets.length === 0) {
    t.skip('no tileset in the catalog has area layers (lbm_areas) yet');
    return;
  }
  const ts = tilesets.filter((x) => x.measure === 'lbm').sort((a, b) => a.year - b.year).at(-1) ?? tilesets[0];
  const page = await newPage();
  await page.goto(url(`/?test=1&measure=${ts.measure}&year=${ts.year}${hashAt(ts, 8)}`));
  await waitIdle(page);
  assert.ok(await page.isVisible('#level'), 'the level choice is offered');
  const options = await page.$$eval('#level option', (os) => os.map((o) => o.value));
  assert.equal(options[0], 'auto');
  assert.equal(options.at(-1), 'grid');
  const coarsest = ['gemeente', 'wijk', 'buurt'].find((l) => ts.areas.some((a) => a.layer === l));
  assert.equal(await page.evaluate(() => document.body.dataset.level), coarsest, `auto at z8 shows ${coarsest}`);
  assert.equal(await page.$eval('#legend .legend-level', (e) => e.dataset.level), coarsest);
  saveArtifact('level-auto-z8.png', await page.screenshot());
  const fill = `lbm:${ts.id}:${coarsest}:fill:5`;
  assert.equal(await page.evaluate((id) => window.lbm.map.getLayoutProperty(id, 'visibility'), fill), 'visible');

  // Fixed: cells at z8.
  await page.selectOption('#level', 'grid');
  await waitIdle(page);
  assert.equal(await page.evaluate(() => document.body.dataset.level), 'grid');
  assert.equal(await page.evaluate((id) => window.lbm.map.getLayoutProperty(id, 'visibility'), fill), 'none');
  assert.equal((await queryOf(page)).get('level'), 'grid');
  saveArtifact('level-grid-z8.png', await page.screenshot());

  // Automatic again, zoomed in: the grid takes over.
  await page.selectOption('#level', 'auto');
  await page.evaluate(() => window.lbm.map.jumpTo({ zoom: 14 }));
  await waitIdle(page);
  assert.equal(await page.evaluate(() => document.body.dataset.level), 'grid');
  assert.equal((await queryOf(page)).get('level'), null);

  // A click on an area at a low zoom names the area's level in the info panel.
  await page.evaluate(() => window.lbm.map.jumpTo({ zoom: 8 }));
  await waitIdle(page);
  const box = await page.locator('#map canvas').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('info').dataset.state));
  assert.equal(await page.$eval('#info', (e) => e.dataset.level), coarsest);
  const areaCode = await page.$eval('#info', (e) => e.dataset.area ?? null);
  assert.ok(areaCode, 'the panel shows the clicked area\'s own scores');
  assert.match(await page.$eval('#info-title', (e) => e.textContent), /Gemeente|Wijk|Buurt/);
  assert.deepEqual(await page.evaluate(() => [window.lbm.grid.selectedLayer, window.lbm.grid.selected.length]), [coarsest, 1],
    'the clicked area is outlined');
  saveArtifact('level-info.png', await page.screenshot());
  assert.deepEqual(page.problems, []);
  await page.close();
});

// ---- issue 11: one meaning on the map, in the legend and in the panel ----

/**
 * Samples the map on a grid of points: at each point the score feature drawn there (topmost fill
 * of the shown tileset, the same within ±4 px so that no border is sampled), its class as the tile
 * carries it, and the pixel's nearest explanation among the legend's colours (each class colour and
 * the no-data colour blended over the land colour, any opacity from 0.6 up), or 'land' where no
 * feature is drawn.
 */
async function sampleColours(page, classification, margin = 4) {
  return page.evaluate(async ([c, margin]) => {
    const { map, grid } = window.lbm;
    const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const canvas = map.getCanvas();
    // The basemap's boundaries and labels lie over the scores: hidden while sampling, which is
    // about the colours the scores are drawn in.
    const over = map.getStyle().layers.filter((l) => l.metadata?.['lbm:basemap'] === 'over'
      && map.getLayoutProperty(l.id, 'visibility') !== 'none').map((l) => l.id);
    if (over.length) {
      for (const id of over) map.setLayoutProperty(id, 'visibility', 'none');
      await new Promise((resolve) => {
        map.once('idle', resolve);
        map.triggerRepaint();
      });
    }
    const c2 = document.createElement('canvas');
    c2.width = canvas.width;
    c2.height = canvas.height;
    const ctx = c2.getContext('2d');
    ctx.drawImage(canvas, 0, 0);
    const land = hex(getComputedStyle(document.documentElement).getPropertyValue('--land').trim());
    // Where no score is drawn the ground shows: land, or the built-in basemap's water.
    const ground = [land, ...['basemap-water', 'basemap-sea'].filter((id) => map.getLayer(id))
      .map((id) => hex(map.getPaintProperty(id, id === 'basemap-sea' ? 'background-color' : 'fill-color')))];
    const candidates = [...c.classes.map((k) => ({ key: String(k.class), rgb: hex(k.color) })), { key: 'none', rgb: hex(c.no_data.color) }];
    const explain = (px) => {
      if (ground.some((g) => px.every((v, i) => Math.abs(v - g[i]) <= 3))) return 'land';
      let best = null;
      for (const cand of candidates) {
        const d = cand.rgb.map((v, i) => v - land[i]);
        const dd = d.reduce((a, v) => a + v * v, 0) || 1;
        const a = Math.min(1, Math.max(0.6, d.reduce((s, v, i) => s + v * (px[i] - land[i]), 0) / dd));
        const err = Math.hypot(...px.map((v, i) => v - (land[i] + a * d[i])));
        if (!best || err < best.err) best = { key: cand.key, err };
      }
      return best.key;
    };
    const layers = Object.keys(map.style._layers).filter((id) => id.startsWith(`${grid.sourceId}:`) && id.includes(':fill:')
      && map.getLayoutProperty(id, 'visibility') !== 'none');
    const top = (x, y) => map.queryRenderedFeatures([x, y], { layers })[0] ?? null;
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    const out = [];
    const rect = canvas.getBoundingClientRect();
    for (let y = 40; y < rect.height - 60; y += 23) {
      for (let x = 40; x < rect.width - 420; x += 23) { // left of where the info card opens
        const f = top(x, y);
        const same = [[-margin, 0], [margin, 0], [0, -margin], [0, margin]].every(([dx, dy]) => (top(x + dx, y + dy)?.id ?? null) === (f?.id ?? null));
        if (!same) continue;
        const p = ctx.getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data;
        out.push({
          x, y, px: [p[0], p[1], p[2]], seen: explain([p[0], p[1], p[2]]),
          id: f?.id ?? null, layer: f?.sourceLayer ?? null, cls: f ? (f.properties.class === undefined ? 'none' : String(f.properties.class)) : 'land',
          name: f?.properties.name ?? f?.properties.cell ?? null,
        });
      }
    }
    for (const id of over) map.setLayoutProperty(id, 'visibility', 'visible');
    return { out, left: rect.left, top: rect.top };
  }, [classification, margin]);
}

test('the colour drawn at a place is the legend colour of the class the tile carries, and the panel names it', { skip }, async () => {
  const page = await newPage();
  const ts = latest('lbm');
  const c = ts.classification;
  // Cells at z13 in the middle of the data.
  await page.goto(url(`/?test=1&measure=lbm&year=${ts.year}${hashAt(ts, 13)}`));
  await waitIdle(page);
  let { out, left, top } = await sampleColours(page, c);
  const cells = out.filter((s) => s.layer === 'grid');
  console.log(`z13: ${cells.length} cell samples, ${out.filter((s) => s.cls === 'land').length} land samples`);
  assert.ok(cells.length > 30, `enough cells sampled (${cells.length})`);
  for (const s of out) assert.equal(s.seen, s.cls, `at ${s.x},${s.y} (${s.name ?? 'no feature'}) the pixel ${s.px} shows ${s.seen}, the tile says ${s.cls}`);
  assert.ok(out.some((s) => s.cls === 'land'), 'land without residents is sampled too, in its own colour');
  // The panel names the class of the clicked cell.
  const cell = cells.find((s) => s.cls !== 'none');
  await page.mouse.click(left + cell.x, top + cell.y);
  await page.waitForSelector('#info[data-state="ready"]:not([hidden])');
  const lead = await page.$eval('#info .lead', (e) => ({ cls: e.dataset.class, measure: e.dataset.measure, text: e.textContent }));
  assert.equal(lead.measure, 'lbm', 'the panel leads with the chosen Thema');
  assert.equal(lead.cls, cell.cls, 'the panel names the class the tile carries');
  assert.ok(lead.text.includes(c.classes.find((k) => String(k.class) === cell.cls).label_nl), lead.text);
  assert.match(lead.text, /referentieniveau/, 'and what the class is measured against');
  await page.keyboard.press('Escape');

  // Areas at the gemeente level: with data in their class colour, without data in the no-data
  // colour (never a class colour), and the panel says there is no data for the year.
  if (!(ts.areas ?? []).some((a) => a.layer === 'gemeente')) return;
  await page.goto(url(`/?test=1&measure=lbm&year=${ts.year}${hashAt(ts, 8)}`));
  await waitIdle(page);
  ({ out, left, top } = await sampleColours(page, c));
  const areas = out.filter((s) => s.layer === 'gemeente');
  console.log(`z8: ${areas.length} area samples, ${areas.filter((s) => s.cls === 'none').length} without data`);
  assert.ok(areas.length > 20, `enough areas sampled (${areas.length})`);
  for (const s of areas) assert.equal(s.seen, s.cls, `${s.name}: pixel ${s.px} shows ${s.seen}, the tile says ${s.cls}`);
  const empty = areas.find((s) => s.cls === 'none');
  assert.ok(empty, 'the demo region has gemeenten without cells: they stay on the map');
  await page.mouse.click(left + empty.x, top + empty.y);
  await page.waitForSelector('#info[data-state="ready"]:not([hidden])');
  const info = await page.$eval('#info', (e) => ({ area: e.dataset.area, title: document.getElementById('info-title').textContent, text: e.textContent }));
  assert.ok(info.title.includes(empty.name), `the panel is about ${empty.name}: ${info.title}`);
  assert.match(info.text, new RegExp(`geen gegevens voor ${ts.year}`));
  saveArtifact('area-no-data.png', await page.screenshot());
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a drawn colour is exactly its legend colour at every zoom, with and without the pressure overlay', { skip }, async () => {
  const ts = latest('lbm');
  const c = ts.classification;
  const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  const colour = (cls) => hex(cls === 'none' ? c.no_data.color : c.classes.find((k) => String(k.class) === cls).color);
  const overlay = catalog.tilesets.find((t) => t.kind === 'pressure');
  const page = await newPage();
  let checked = 0;
  let marked = 0;
  for (const pressure of overlay ? [false, true] : [false]) {
    for (const zoom of [7, 9, 11, 13, 15, 17]) {
      await page.goto(url(`/?test=1&measure=lbm&year=${ts.year}${pressure ? '&pressure=1' : ''}${hashAt(ts, zoom)}`));
      await waitIdle(page);
      // The overlay outlines a marked place inside its border, up to 5 px wide: interiors
      // further in than that are sampled.
      const { out } = await sampleColours(page, c, pressure ? 7 : 4);
      const drawn = out.filter((s) => s.cls !== 'land');
      if (!pressure) assert.ok(drawn.length > 10, `z${zoom}: places sampled (${drawn.length})`);
      for (const s of drawn) {
        const want = colour(s.cls);
        const off = Math.max(...s.px.map((v, i) => Math.abs(v - want[i])));
        assert.ok(off <= 3, `z${zoom}${pressure ? ' with the overlay' : ''}: ${s.layer} ${s.name} at ${s.x},${s.y} is drawn ${s.px}, its class ${s.cls} is ${want} in the legend`);
      }
      checked += drawn.length;
      if (pressure) {
        // Inside a marked place (away from its outline) the class colour shows: sampled above.
        marked += await page.evaluate((id) => window.lbm.map.queryRenderedFeatures({
          layers: window.lbm.map.getStyle().layers.filter((l) => l.source === `overlay:${id}`).map((l) => l.id),
        }).length, overlay.id);
      }
    }
  }
  console.log(`${checked} samples at 6 zooms equal their legend colour; ${marked} marked places drawn`);
  assert.ok(checked > 200, `samples in all (${checked})`);
  if (overlay) assert.ok(marked > 0, 'the overlay marked places in view');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the legend says which changes fall in the middle class, and the tiles agree', { skip }, async (t) => {
  const pairs = changePairs('lbm');
  if (pairs.length === 0) {
    t.skip('no change tilesets for lbm');
    return;
  }
  const pair = pairs.at(-1);
  const ts = byId(pair.id);
  const cuts = ts.classification.cuts;
  const page = await newPage();
  await page.goto(url(`/?test=1&measure=lbm&mode=change&level=grid&from=${pair.from}&to=${pair.to}${hashAt(ts, 12)}`));
  await waitIdle(page);
  const note = await page.$eval('#legend .legend-note', (e) => e.textContent);
  // The sentence names the classification's own bounds of the middle class.
  const m = note.match(/vanaf ([+\-−]?[\d.,]+) en onder ([+\-−]?[\d.,]+)/);
  assert.ok(m, `the legend names the middle class's bounds: ${note}`);
  const num = (x) => Number(x.replace('−', '-').replace(',', '.'));
  assert.deepEqual([num(m[1]), num(m[2])], [cuts[3], cuts[4]], note);
  assert.doesNotMatch(note, /altijd/, 'no claim that a rise is always an improvement');
  // And every change drawn agrees with it: a small change of either sign in the middle class.
  const features = await page.evaluate(() => {
    const { map, grid } = window.lbm;
    return map.queryRenderedFeatures({ layers: grid.fillLayers() }).map((f) => f.properties);
  });
  let middle = 0;
  for (const f of features.filter((p) => p.class !== undefined)) {
    const v = f.score;
    if (v >= cuts[3] && v < cuts[4]) {
      assert.equal(f.class, 5, `${f.cell}: a change of ${v} is in the middle class`);
      middle++;
    } else if (v >= cuts[4]) assert.ok(f.class > 5, `${f.cell}: a rise of ${v} is an improvement (${f.class})`);
    else assert.ok(f.class < 5, `${f.cell}: a fall of ${v} is a decline (${f.class})`);
  }
  assert.ok(middle > 0 && features.length > 50, `${features.length} changes drawn, ${middle} in the middle class`);
  // "Over deze kaart" says the same, without numbers.
  const about = await page.evaluate(() => document.querySelector('[data-i18n="aboutChange"]').textContent);
  assert.match(about, /kleine verandering, omhoog of omlaag, valt in de middelste klasse/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('ontwikkeling: the panel, the Gebieden rows and the chart show the change of the chosen Thema', { skip }, async (t) => {
  const pairs = changePairs('fys');
  if (pairs.length === 0) {
    t.skip('no change tilesets for fys');
    return;
  }
  const pair = pairs.at(-1);
  const page = await newPage();
  const ts = byId(pair.id);
  await page.goto(url(`/?test=1&measure=fys&mode=change&from=${pair.from}&to=${pair.to}${hashAt(ts, 13)}`));
  await waitIdle(page);
  const { out, left, top } = await sampleColours(page, ts.classification);
  for (const s of out) assert.equal(s.seen, s.cls, `change at ${s.x},${s.y}: pixel ${s.px} shows ${s.seen}, the tile says ${s.cls}`);
  const spot = out.find((s) => s.layer === 'grid' && s.cls !== 'none');
  assert.ok(spot, 'a change cell in view');
  await page.mouse.click(left + spot.x, top + spot.y);
  await page.waitForSelector('#info[data-state="ready"]:not([hidden])');
  const shown = await page.evaluate(() => ({
    lead: (({ dataset, textContent }) => ({ measure: dataset.measure, value: dataset.value, cls: dataset.class, text: textContent }))(document.querySelector('#info .lead')),
    areas: [...document.querySelectorAll('#info .areas-list li')].map((li) => ({ cls: li.dataset.class, text: li.textContent })),
    heading: document.querySelector('#info .areas h3')?.textContent,
    marks: [...document.querySelectorAll('#info .chart-svg .tick.current')].map((e) => e.textContent),
  }));
  assert.equal(shown.lead.measure, 'fys');
  assert.equal(shown.lead.cls, spot.cls, 'the change class the tile carries');
  const v = Number(shown.lead.value);
  const k = Number(shown.lead.cls);
  if (v > 0) assert.ok(k >= 5, `a rise ${v} is never a decline (${k})`);
  if (v < 0) assert.ok(k <= 5, `a fall ${v} is never an improvement (${k})`);
  assert.match(shown.lead.text, new RegExp(`${pair.from} → ${pair.to}`));
  const labels = ts.classification.classes.map((x) => x.label_nl);
  assert.ok(labels.some((l) => shown.lead.text.includes(l)), `a change label: ${shown.lead.text}`);
  assert.match(shown.heading, new RegExp(`${pair.from} → ${pair.to}`), 'the Gebieden rows are about the change');
  for (const a of shown.areas) if (a.cls) assert.ok(labels.length >= Number(a.cls));
  assert.ok(shown.marks.length >= 1 && shown.marks.every((y) => [String(pair.from), String(pair.to)].includes(y)), `the chart marks the two years: ${shown.marks}`);
  assert.deepEqual(page.problems, []);
  await page.close();
});

// ---- issue 15: every level of the demo ----

test('zooming in over a city shows gemeente, then wijk, then buurt, then cells', { skip }, async (t) => {
  const ts = withAreas().filter((x) => x.measure === 'lbm').sort((a, b) => a.year - b.year).at(-1);
  const layers = (ts?.areas ?? []).map((a) => a.layer);
  if (!['gemeente', 'wijk', 'buurt'].every((l) => layers.includes(l))) {
    t.skip(`the tileset has the area layers ${layers.join(', ')}, not gemeente, wijk and buurt`);
    return;
  }
  const page = await newPage();
  await page.goto(url(`/?test=1&measure=lbm&year=${ts.year}${hashAt(ts, 8)}`));
  await waitIdle(page);
  const seen = [];
  for (const [zoom, level] of [[8, 'gemeente'], [10, 'wijk'], [12, 'buurt'], [14, 'grid']]) {
    await page.evaluate((z) => window.lbm.map.jumpTo({ zoom: z }), zoom);
    await waitIdle(page);
    // What is drawn at the centre of the map, as the map itself reports it.
    const drawn = await page.evaluate(() => {
      const { map, grid } = window.lbm;
      const fills = Object.keys(map.style._layers).filter((id) => id.startsWith(`${grid.sourceId}:`)
        && id.includes(':fill:') && map.getLayoutProperty(id, 'visibility') !== 'none');
      const c = map.getCanvas().getBoundingClientRect();
      const f = map.queryRenderedFeatures([c.width / 2, c.height / 2], { layers: fills })[0];
      return f ? { layer: f.sourceLayer, name: f.properties.name ?? f.properties.cell, code: f.properties.code ?? null } : null;
    });
    assert.equal(await page.evaluate(() => document.body.dataset.level), level, `z${zoom}: the map says ${level}`);
    assert.equal(drawn?.layer, level, `z${zoom}: the feature drawn at the centre is a ${level}: ${JSON.stringify(drawn)}`);
    assert.equal(await page.$eval('#legend .legend-level', (e) => e.dataset.level), level, `z${zoom}: the legend names ${level}`);
    if (level === 'wijk' || level === 'buurt') {
      assert.match(drawn.name, /\(synthetisch\)$/, 'the demo marks its wijk and buurt names as synthetic');
      assert.match(drawn.code, level === 'wijk' ? /^WK\d{6}$/ : /^BU\d{8}$/);
    }
    seen.push(drawn);
    saveArtifact(`levels-z${zoom}-${level}.png`, await page.screenshot());
  }
  // The buurt drawn at the centre lies in the wijk drawn there, and that in the gemeente.
  assert.equal(seen[2].code.slice(2, 8), seen[1].code.slice(2), 'buurt in its wijk');
  assert.equal(seen[1].code.slice(2, 6), seen[0].code.slice(2), 'wijk in its gemeente');

  // Search finds a wijk by its name and names its gemeente.
  const input = page.locator('#search');
  const typed = seen[1].name.replace(/ \(synthetisch\)$/, '');
  await input.fill(typed);
  const option = page.locator(`#search-list:not([hidden]) [role="option"][data-code="${seen[1].code}"]`);
  await option.waitFor();
  const detail = await option.locator('.search-detail').textContent();
  assert.match(detail, new RegExp(`${seen[0].name}`), `the wijk's gemeente is named: ${detail}`);
  // An everyday name finds the official one and says why.
  await input.fill('Den Haag');
  const haag = page.locator('#search-list:not([hidden]) [role="option"][data-code="GM0518"]');
  await haag.waitFor();
  assert.match(await haag.textContent(), /'s-Gravenhage.*Den Haag/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

/** The colour drawn at screen point [x, y] of the map canvas, as [r, g, b]. */
const pixelAt = (page, [x, y]) => page.evaluate(([x, y]) => {
  const gl = window.lbm.map.getCanvas();
  const c2 = Object.assign(document.createElement('canvas'), { width: gl.width, height: gl.height });
  const ctx = c2.getContext('2d');
  ctx.drawImage(gl, 0, 0);
  const ratio = gl.width / gl.getBoundingClientRect().width;
  return [...ctx.getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data.slice(0, 3)];
}, [x, y]);
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const near = (a, b, tol = 8) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

test('built-in basemap: the IJsselmeer is water, names are drawn, glyphs come from this server only', { skip }, async (t) => {
  const basemap = catalog.tilesets.find((x) => x.kind === 'basemap');
  if (!basemap) {
    t.skip('the tiles folder has no basemap tileset');
    return;
  }
  const page = await newPage();
  const requests = [];
  page.on('response', (r) => requests.push({ url: r.url(), status: r.status() }));
  const ts = latest('lbm');
  // The national view, centred on the IJsselmeer.
  await page.goto(url(`/?test=1&measure=lbm&year=${ts.year}#7.5/52.72/5.35`));
  await waitIdle(page);
  assert.equal(await page.evaluate(() => window.lbm.basemap), 'builtin');
  saveArtifact('basemap-national.png', await page.screenshot());
  const style = await page.evaluate(() => {
    const { map } = window.lbm;
    return {
      water: map.getPaintProperty('basemap-water', 'fill-color'),
      land: map.getPaintProperty('basemap-land', 'fill-color'),
      point: (({ x, y }) => [x, y])(map.project([5.35, 52.72])),
    };
  });
  const water = await pixelAt(page, style.point);
  const noData = rgb(ts.classification.no_data.color);
  assert.ok(near(water, rgb(style.water)), `the IJsselmeer is drawn in the water colour ${style.water}: ${water}`);
  assert.ok(!near(water, noData, 12), `the IJsselmeer is not the no-data colour: ${water}`);
  assert.ok(!near(water, rgb(style.land), 12), `the IJsselmeer is not land: ${water}`);

  // Over Utrecht at z12 the place is named, and the label is drawn (placed, so queryable).
  await page.evaluate(() => window.lbm.map.jumpTo({ center: [5.1214, 52.0907], zoom: 12 }));
  await waitIdle(page);
  saveArtifact('basemap-utrecht-z12.png', await page.screenshot());
  const names = await page.evaluate(() => {
    const { map } = window.lbm;
    const labels = map.getStyle().layers.filter((l) => l.type === 'symbol').map((l) => l.id);
    return map.queryRenderedFeatures({ layers: labels }).map((f) => f.properties.name);
  });
  assert.ok(names.includes('Utrecht'), `a drawn label names Utrecht: ${names.slice(0, 20).join(', ')}`);
  // The score layers lie under the basemap's boundaries and labels.
  const order = await page.evaluate(() => window.lbm.map.getStyle().layers.map((l) => l.id));
  const firstScore = order.findIndex((id) => id.startsWith('lbm:'));
  assert.ok(firstScore > order.indexOf('basemap-water'), 'scores over the water');
  assert.ok(order.findLastIndex((id) => id.startsWith('lbm:')) < order.indexOf('basemap-gemeente'), 'boundaries over the scores');

  // Hovering names the areas under the pointer.
  const box = await page.locator('#map canvas').boundingBox();
  const centre = await page.evaluate(() => (({ x, y }) => [x, y])(window.lbm.map.project([5.1214, 52.0907])));
  await page.mouse.move(box.x + centre[0], box.y + centre[1]);
  const tip = page.locator('.hover-name:not([hidden])');
  await tip.waitFor();
  assert.match(await tip.textContent(), /Utrecht/, 'the hover names the gemeente');

  const origin = new URL(BASE_URL).origin;
  const glyphs = requests.filter((r) => r.url.includes('/fonts/'));
  assert.ok(glyphs.length > 0, 'glyphs were requested');
  for (const g of glyphs) {
    assert.equal(new URL(g.url).origin, origin, `glyphs from this server: ${g.url}`);
    assert.equal(g.status, 200, g.url);
  }
  const others = requests.filter((r) => !r.url.startsWith('data:') && !r.url.startsWith('blob:') && new URL(r.url).origin !== origin);
  assert.deepEqual(others, [], 'no other host is contacted');
  assert.deepEqual(page.problems, []);
  await page.close();
});

// The web map without a tile server: the site `lbm-server export-site` writes, served by a plain
// static file server (nginx), reading its tiles from PMTiles archives with HTTP range requests.
// `LBM_SITE_URL=http://127.0.0.1:8081 node --test tests/static-site.test.mjs`; driven by
// tests/tests/static_site.rs. Skips without LBM_SITE_URL, or without Chromium unless
// LBM_REQUIRE_BROWSER=1.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { CHROMIUM, launch, waitIdle, saveArtifact, classPixels } from './browser.mjs';

const SITE = process.env.LBM_SITE_URL?.replace(/\/$/, '') ?? null;
const required = process.env.LBM_REQUIRE_BROWSER === '1';
let skip = false;
if (!SITE) skip = 'LBM_SITE_URL is not set';
else if (!fs.existsSync(CHROMIUM)) {
  if (required) throw new Error(`LBM_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}`);
  skip = `no Chromium at ${CHROMIUM}`;
}
if (skip) console.log(`skipping the static-site tests: ${skip}`);

let browser;
let catalog;
before(async () => {
  if (skip) return;
  const res = await fetch(`${SITE}/catalog.json`);
  assert.equal(res.status, 200, 'GET catalog.json from the static server');
  catalog = await res.json();
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const scores = (measure) => catalog.tilesets.filter((t) => t.measure === measure && (t.kind ?? 'score') === 'score')
  .sort((a, b) => a.year - b.year);

/** A new page recording requests (with their Range header) and problems. */
async function newPage() {
  const page = await browser.context.newPage();
  page.problems = [];
  page.requests = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => page.problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => page.requests.push({ url: r.url(), range: r.headers().range ?? null }));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('GL Driver Message')) page.problems.push(`console: ${m.text()}`);
  });
  page.idle = async () => {
    try {
      await waitIdle(page);
    } catch (err) {
      const seen = await page.evaluate(() => ({ state: document.body.dataset.state, message: document.getElementById('message')?.textContent }));
      throw new Error(`${err.message}\npage: ${JSON.stringify(seen)}\nproblems: ${page.problems.join('\n')}`);
    }
  };
  return page;
}

test('the static site draws the map from PMTiles archives by HTTP range requests', { skip }, async () => {
  const all = scores('lbm');
  assert.ok(all.length >= 2, 'two years of lbm in the site');
  const ts = all.at(-1);
  assert.ok(ts.pmtiles && !ts.tiles, 'the catalog points at archives, not at a tile server');
  const config = await (await fetch(`${SITE}/config.json`)).json();
  assert.equal(config.api, false);

  const page = await newPage();
  const [lon, lat] = ts.center;
  // z13: the grid (zoomed out, buurten, wijken and gemeenten are drawn).
  await page.goto(`${SITE}/?test=1&measure=lbm&year=${ts.year}#13/${lat}/${lon}`);
  await page.idle();
  saveArtifact('static-site-z13.png', await page.screenshot());

  const archive = (id) => page.requests.filter((r) => r.url.endsWith(`/tiles/${id}.pmtiles`));
  const reads = archive(ts.id);
  assert.ok(reads.length >= 2, `header and tiles read from ${ts.id}.pmtiles (got ${reads.length})`);
  assert.ok(reads.every((r) => /^bytes=\d+-\d+$/.test(r.range ?? '')), 'every read is a byte range');
  const server = page.requests.filter((r) => /\/api\/v1\/|\/tiles\/[^/]+\/\d+\//.test(new URL(r.url).pathname));
  assert.deepEqual(server, [], 'no request needs a tile server');
  // The map draws with the same style document the server publishes, here a file of the site.
  assert.ok(page.requests.some((r) => new URL(r.url).pathname.endsWith(`/styles/${ts.id}.json`)), 'the style document is read from the site');

  const px = await classPixels(page, ts.classification);
  console.log(`class pixels of the static site at z13: ${JSON.stringify(px)}`);
  assert.ok(px.coloured > px.total * 0.05, `at least 5% of the map in class colours (${px.coloured}/${px.total})`);
  assert.equal(await page.isVisible('.search'), false, 'no search box without the search API');
  // The built-in basemap, from its archive, with the glyph files the export wrote.
  assert.equal(await page.evaluate(() => window.lbm.basemap), 'builtin', 'the site draws on the built-in basemap');
  assert.ok(archive('basemap').length >= 1, 'basemap.pmtiles is read');
  const glyphs = page.requests.filter((r) => new URL(r.url).pathname.includes('/fonts/'));
  assert.ok(glyphs.length >= 1, 'label glyphs are read from the site');
  for (const g of glyphs) assert.equal((await fetch(g.url)).status, 200, g.url);

  // A click shows the cell's value from the tile itself.
  const spot = await page.evaluate(() => {
    const { map, grid } = window.lbm;
    const rect = map.getCanvas().getBoundingClientRect();
    const f = map.queryRenderedFeatures([[rect.width * 0.45, rect.height * 0.4], [rect.width * 0.55, rect.height * 0.6]],
      { layers: grid.fillLayers() })[0];
    return f ? { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2, cell: f.properties.cell } : null;
  });
  assert.ok(spot, 'a cell at the centre of the view');
  await page.mouse.click(spot.x, spot.y);
  await page.waitForSelector('#info[data-state="ready"]:not([hidden])');
  const info = await page.$eval('#info', (e) => ({
    cell: e.dataset.cell, value: e.querySelector('.lead')?.dataset.value, cls: e.querySelector('.lead')?.dataset.class, text: e.textContent,
  }));
  assert.ok(info.cell, 'the info panel names the clicked cell');
  assert.ok(info.value !== undefined && info.cls, `and leads with its score and class: ${JSON.stringify(info)}`);
  assert.match(info.text, /\d,\d{3}/, 'the score with its three published decimals');
  assert.match(info.text, new RegExp(`klasse ${info.cls}`), 'and names the class');
  saveArtifact('static-site-info.png', await page.screenshot());
  await page.keyboard.press('Escape');

  // Another year: the other archive is read, the view stays.
  await page.click('#year-prev');
  await page.idle();
  const prev = all.at(-2);
  assert.ok(archive(prev.id).length >= 1, `read ${prev.id}.pmtiles after switching the year`);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the static site\'s embed page draws the map too', { skip }, async () => {
  const ts = scores('lbm').at(-1);
  const page = await newPage();
  const [lon, lat] = ts.center;
  await page.goto(`${SITE}/embed.html?test=1&measure=lbm&year=${ts.year}#11/${lat}/${lon}`);
  await page.idle();
  const px = await classPixels(page, ts.classification);
  assert.ok(px.coloured > px.total * 0.05, `embed: class colours drawn (${px.coloured}/${px.total})`);
  const back = await page.$eval('#full-link', (a) => a.href);
  assert.ok(back.startsWith(`${SITE}/?`), `the link back opens the site's map: ${back}`);
  saveArtifact('static-site-embed.png', await page.screenshot());
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the static site\'s report and map image come from its own files', { skip }, async () => {
  const page = await newPage();
  await page.goto(`${SITE}/?test=1`);
  await page.idle();
  await page.click('#report-open');
  await page.waitForSelector('#report-dialog[open][data-state="ready"]');
  const nl = await (await fetch(`${SITE}/reports/NL.json`)).json();
  const shares = await page.$$eval('.report-period[data-period] .report-row[data-code="NL"]', (rows) => rows.length);
  assert.equal(shares, nl.measures.find((m) => m.measure === 'lbm').years.length, 'a bar per year, from reports/NL.json');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#report-csv')]);
  assert.ok(fs.readFileSync(await download.path(), 'utf8').includes('NL;'), 'the CSV of the static report');
  await page.click('#report-close');
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#snapshot')]);
  const bytes = fs.readFileSync(await png.path());
  assert.deepEqual([...bytes.subarray(0, 4)], [137, 80, 78, 71], 'a PNG from the static site');
  assert.deepEqual(page.problems, []);
  await page.close();
});

// The defects of the user test of issue 16, each as the user met it, against a running
// lbm-server (run by tests/tests/browser.rs beside browser.test.mjs; same environment).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { BASE_URL, CHROMIUM, launch, waitIdle, saveArtifact } from './browser.mjs';

let skip = false;
if (!BASE_URL) skip = 'LBM_BASE_URL is not set';
else if (!fs.existsSync(CHROMIUM)) {
  if (process.env.LBM_REQUIRE_BROWSER === '1') throw new Error(`LBM_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}`);
  skip = `no Chromium at ${CHROMIUM}`;
}

let browser;
let catalog;
const url = (path) => `${BASE_URL}${path}`;
before(async () => {
  if (skip) return;
  catalog = await (await fetch(url('/catalog.json'))).json();
  browser = await launch({ width: 1400, height: 900 });
});
after(async () => {
  await browser?.close();
});

async function newPage() {
  const page = await browser.context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  return page;
}

const lbm = () => catalog.tilesets.filter((t) => t.measure === 'lbm' && t.kind === 'score').sort((a, b) => a.year - b.year);
const view = (ts, zoom) => {
  const [w, s, e, n] = ts.bounds;
  return `#${zoom}/${(s + n) / 2}/${(w + e) / 2}`;
};
const controlsReady = (page) => page.waitForSelector('.maplibregl-ctrl-zoom-in');

test('language: every control follows a switch at once, MapLibre\'s too', { skip }, async () => {
  const page = await newPage();
  await page.goto(url(`/?test=1${view(lbm().at(-1), 10)}`));
  await waitIdle(page);
  await controlsReady(page);
  const read = () => page.evaluate(() => ({
    lang: document.documentElement.lang,
    toggle: document.getElementById('lang').textContent.trim(),
    measure: document.querySelector('#measure option:checked').textContent,
    level: document.querySelector('#level option[value="auto"]')?.textContent ?? null,
    zoomIn: document.querySelector('.maplibregl-ctrl-zoom-in').title,
  }));
  const m = catalog.measures.find((x) => x.id === 'lbm');
  assert.deepEqual(await read(), { lang: 'nl', toggle: 'English', measure: m.name_nl, level: 'Automatisch', zoomIn: 'Inzoomen' });
  await page.click('#lang');
  assert.deepEqual(await read(), { lang: 'en', toggle: 'Nederlands', measure: m.name_en, level: 'Automatic', zoomIn: 'Zoom in' });
  saveArtifact('usertest-english.png', await page.screenshot());
  await page.click('#lang');
  assert.deepEqual(await read(), { lang: 'nl', toggle: 'English', measure: m.name_nl, level: 'Automatisch', zoomIn: 'Inzoomen' });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the attribution is folded on every screen size', { skip }, async () => {
  for (const [width, height] of [[1400, 900], [390, 844]]) {
    const page = await newPage();
    await page.setViewportSize({ width, height });
    await page.goto(url(`/?test=1${view(lbm().at(-1), 10)}`));
    await waitIdle(page);
    await controlsReady(page);
    const attrib = page.locator('.maplibregl-ctrl-attrib');
    await attrib.waitFor();
    const folded = await attrib.evaluate((e) => ({ open: e.hasAttribute('open') || e.classList.contains('maplibregl-compact-show'), h: e.getBoundingClientRect().height }));
    assert.equal(folded.open, false, `${width}×${height}: folded`);
    assert.ok(folded.h < 40, `${width}×${height}: ${folded.h} px high`);
    // The "i" opens it.
    await page.click('.maplibregl-ctrl-attrib-button');
    assert.equal(await attrib.evaluate((e) => e.hasAttribute('open') || e.classList.contains('maplibregl-compact-show')), true);
    if (width < 500) saveArtifact('usertest-phone.png', await page.screenshot());
    await page.close();
  }
});

test('the skip link puts the focus on the map and keeps the view in the URL', { skip }, async () => {
  const page = await newPage();
  await page.goto(url(`/?test=1${view(lbm().at(-1), 11)}`));
  await waitIdle(page);
  await page.waitForFunction(() => /^#11\//.test(location.hash));
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
  await page.keyboard.press('Enter');
  const after = await page.evaluate(() => ({ focus: document.activeElement === window.lbm.map.getCanvas(), hash: location.hash }));
  assert.equal(after.focus, true, 'the map canvas has the focus');
  assert.match(after.hash, /^#11\//, `the view stays in the URL: ${after.hash}`);
  await page.close();
});

test('switching Niveau closes the panel of what was picked at the old level', { skip }, async () => {
  const page = await newPage();
  const ts = lbm().at(-1);
  await page.goto(url(`/?test=1${view(ts, 13)}`));
  await waitIdle(page);
  const box = await page.locator('#map canvas').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector('#info[data-state="ready"]:not([hidden])');
  await page.selectOption('#level', 'gemeente');
  await page.waitForFunction(() => document.getElementById('info').hidden);
  await page.close();
});

test('the year slider stops at every measured year, each labelled at its place in time', { skip }, async () => {
  const page = await newPage();
  const years = lbm().map((t) => t.year);
  await page.goto(url(`/?test=1&year=${years[0]}${view(lbm()[0], 10)}`));
  await waitIdle(page);
  const ticks = await page.$$eval('#year-ticks .tick', (els) => els.map((e) => ({ year: Number(e.dataset.year), left: parseFloat(e.style.left) })));
  assert.deepEqual(ticks.map((t) => t.year), years, 'a tick for every year');
  const [first, last] = [years[0], years.at(-1)];
  for (const t of ticks) assert.ok(Math.abs(t.left - ((t.year - first) / (last - first)) * 100) < 0.01, `${t.year} at ${t.left}%`);
  // The arrow keys step from one measured year to the next.
  await page.focus('#year');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((y) => window.lbm.state.year === y, years[1]);
  await page.keyboard.press('End');
  await page.waitForFunction((y) => window.lbm.state.year === y, last);
  await page.close();
});

test('transparency of the score layer: a control, kept in the URL', { skip }, async () => {
  const page = await newPage();
  const ts = lbm().at(-1);
  await page.goto(url(`/?test=1&transparency=50${view(ts, 13)}`));
  await waitIdle(page);
  const opacity = () => page.evaluate(() => {
    const { map, grid } = window.lbm;
    return JSON.stringify(map.getPaintProperty(grid.fillLayer, 'fill-opacity'));
  });
  const style = await (await fetch(ts.style)).json();
  const full = style.layers.find((l) => l['source-layer'] === 'grid' && l.type === 'fill').paint['fill-opacity'];
  const half = JSON.stringify(full.map((v, i) => (i >= 3 && (i - 3) % 2 === 1 ? v / 2 : v)));
  assert.equal(await opacity(), half, 'half the style\'s opacity');
  assert.equal(await page.$eval('#transparency-value', (e) => e.textContent), '50%');
  await page.$eval('#transparency', (e) => { e.value = '0'; e.dispatchEvent(new Event('input')); });
  assert.equal(await opacity(), JSON.stringify(full));
  await page.$eval('#transparency', (e) => { e.value = '30'; e.dispatchEvent(new Event('input')); });
  await page.waitForFunction(() => /transparency=30/.test(location.search));
  await page.close();
});

test('search: an exact name ranks above a prefix ("Bergen")', { skip }, async () => {
  const page = await newPage();
  await page.goto(url(`/?test=1${view(lbm().at(-1), 10)}`));
  await waitIdle(page);
  await page.fill('#search', 'Bergen');
  const first = page.locator('#search-list:not([hidden]) [role="option"]').first();
  await first.waitFor();
  assert.match(await first.textContent(), /^Bergen \(/, 'a Bergen first, not Berg en Dal');
  await page.close();
});

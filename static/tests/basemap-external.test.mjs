// The web map on an external basemap (`lbm-server --basemap-style-url`), run by
// tests/tests/external_basemap.rs against a real lbm-server and a basemap host on another port
// (tests/src/basemap_origin.rs) in the shape LBM_BASEMAP_SHAPE (`pdok` or `omt`).
// LBM_BASEMAP_STATE=up: the scores lie under the basemap's first label layer, its sprite, glyphs
// and tiles come from its origin, which the CSP allows exactly. LBM_BASEMAP_STATE=down: the host
// is gone, and the map shows the scores on the built-in basemap instead of a blank page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { BASE_URL, CHROMIUM, launch, waitIdle, saveArtifact, classPixels } from './browser.mjs';

const ORIGIN = process.env.LBM_BASEMAP_ORIGIN;
const SHAPE = process.env.LBM_BASEMAP_SHAPE ?? 'pdok';
const UP = process.env.LBM_BASEMAP_STATE !== 'down';
let skip = false;
if (!BASE_URL || !ORIGIN) skip = 'LBM_BASE_URL and LBM_BASEMAP_ORIGIN are not set (see tests/tests/external_basemap.rs)';
else if (!fs.existsSync(CHROMIUM)) {
  if (process.env.LBM_REQUIRE_BROWSER === '1') throw new Error(`LBM_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}`);
  skip = `no Chromium at ${CHROMIUM}`;
}

let browser;
let catalog;
before(async () => {
  if (skip) return;
  catalog = await (await fetch(`${BASE_URL}/catalog.json`)).json();
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const latest = () => catalog.tilesets.filter((t) => t.measure === 'lbm' && t.kind === 'score').sort((a, b) => a.year - b.year).at(-1);

test(`external basemap (${SHAPE}, ${UP ? 'up' : 'down'})`, { skip }, async () => {
  const server = new URL(BASE_URL).origin;
  const origin = new URL(ORIGIN).origin;
  const page = await browser.context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  const responses = [];
  page.on('response', (r) => responses.push({ url: r.url(), status: r.status() }));
  const attempted = [];
  page.on('request', (r) => attempted.push(r.url()));

  // The CSP allows exactly the basemap's origin besides this server.
  const csp = (await fetch(`${BASE_URL}/`)).headers.get('content-security-policy');
  const hosts = [...new Set(csp.match(/https?:\/\/[^\s;]+/g) ?? [])];
  assert.deepEqual(hosts, [origin], `CSP names the basemap origin only: ${csp}`);
  assert.match(csp, new RegExp(`connect-src 'self' ${origin.replace(/[.]/g, '\\.')}`));

  const ts = latest();
  const [w, s, e, n] = ts.bounds;
  await page.goto(`${BASE_URL}/?test=1&measure=lbm&year=${ts.year}#12/${(s + n) / 2}/${(w + e) / 2}`);
  await waitIdle(page);
  saveArtifact(`external-${SHAPE}-${UP ? 'up' : 'down'}.png`, await page.screenshot());
  const drawnOn = await page.evaluate(() => window.lbm.basemap);
  const px = await classPixels(page, ts.classification);
  assert.ok(px.coloured > px.total * 0.05, `the scores are drawn (${px.coloured}/${px.total} class pixels)`);
  const layers = await page.evaluate(() => window.lbm.map.getStyle().layers.map((l) => ({ id: l.id, type: l.type, source: l.source })));
  const scores = layers.map((l, i) => [l, i]).filter(([l]) => l.source?.startsWith('lbm:')).map(([, i]) => i);
  assert.ok(scores.length > 0, 'score layers on the map');

  if (UP) {
    assert.equal(drawnOn, 'external');
    const style = await (await fetch(`${ORIGIN}/${SHAPE}/style.json`)).json();
    const firstLabel = style.layers.find((l) => l.type === 'symbol').id;
    const at = layers.findIndex((l) => l.id === firstLabel);
    assert.equal(Math.max(...scores) + 1, at, `the score layers lie right under ${firstLabel}`);
    assert.ok(layers.slice(0, Math.min(...scores)).every((l) => !l.source?.startsWith('lbm:')));
    const from = (part) => responses.filter((r) => r.url.startsWith(origin) && r.url.includes(part));
    for (const part of ['/style.json', '/sprites/', '/fonts/', '/tiles/']) {
      const got = from(part);
      assert.ok(got.length > 0, `requested ${part} from the basemap origin`);
      assert.ok(got.every((r) => r.status === 200 || r.status === 204), `${part}: ${JSON.stringify(got.slice(0, 3))}`);
    }
    // Its labels are drawn (they need its glyphs and sprite).
    const labels = await page.evaluate((id) => window.lbm.map.queryRenderedFeatures({ layers: [id] }).length, firstLabel);
    assert.ok(labels > 0, `labels of ${firstLabel} are drawn`);
  } else {
    assert.equal(drawnOn, 'builtin', 'the built-in basemap stands in');
    assert.ok(layers.some((l) => l.id === 'basemap-water'), 'with its water');
    assert.ok(attempted.some((u) => u.startsWith(origin)), 'the basemap origin was tried');
  }
  const foreign = attempted.filter((u) => /^https?:/.test(u)).map((u) => new URL(u).origin).filter((o) => o !== server && o !== origin);
  assert.deepEqual([...new Set(foreign)], [], 'no other host is contacted');
  assert.deepEqual(problems, []);
  await page.close();
});

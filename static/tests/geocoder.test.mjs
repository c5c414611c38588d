// Address and postcode search through a PDOK Locatieserver-compatible geocoder
// (`lbm-server --geocoder-url`), run by tests/tests/geocoder.rs against a real lbm-server and a
// stand-in geocoder on another port (tests/src/geocoder.rs) in the state LBM_GEOCODER_STATE:
// `up` (the browser asks it directly, the CSP allows exactly its origin, a picked address opens
// the panel of the 100 m cell there with its buurt, wijk and gemeente), `down` (the host is
// gone: the built-in search works alone and the hint says what can be searched) or `slow` (it
// answers after 10 s: the page does not wait for it longer than about 3 s).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, browserSession, waitIdle, saveArtifact } from './browser.mjs';

const GEOCODER = process.env.LBM_GEOCODER_URL;
const STATE = process.env.LBM_GEOCODER_STATE ?? 'up';
const session = browserSession({ width: 1280, height: 800 });
const skip = session.skip || (!GEOCODER && 'LBM_GEOCODER_URL is not set (see tests/tests/geocoder.rs)');

/** The answer of the point API at a place. */
async function pointAt(lng, lat) {
  const res = await fetch(`${BASE_URL}/api/v1/point?lon=${lng.toFixed(6)}&lat=${lat.toFixed(6)}`);
  return res.ok ? res.json() : null;
}

async function openMap(page) {
  const ts = session.catalog.tilesets.filter((t) => t.measure === 'lbm' && t.kind === 'score').sort((a, b) => a.year - b.year).at(-1);
  const [w, s, e, n] = ts.bounds;
  await page.goto(session.url(`/?test=1&measure=lbm&year=${ts.year}#10/${(s + n) / 2}/${(w + e) / 2}`));
  await waitIdle(page);
}

/** The options listed for `query`, once the list has settled (addresses come after the areas). */
async function optionsFor(page, query, { addresses }) {
  const input = page.locator('#search');
  // Emptied first: the list of the previous query goes, so what is waited for is this one's.
  await input.fill('');
  await page.waitForFunction(() => document.getElementById('search-list').hidden);
  await input.fill(query);
  await page.waitForFunction((want) => {
    const box = document.querySelector('.search');
    const list = document.getElementById('search-list');
    if (box.dataset.state !== 'idle' || list.hidden) return false;
    return !want || list.querySelector('[data-kind="address"]');
  }, addresses, { timeout: 15000 });
  return page.$$eval('#search-list [role="option"]', (lis) => lis.map((li) => ({
    kind: li.dataset.kind ?? null,
    name: li.querySelector('.search-name')?.textContent ?? li.textContent,
    detail: li.querySelector('.search-detail')?.textContent ?? '',
  })));
}

test(`address search with the geocoder ${STATE}`, { skip }, async () => {
  const origin = new URL(GEOCODER).origin;
  const config = await (await fetch(`${BASE_URL}/config.json`)).json();
  assert.equal(config.geocoder_url, GEOCODER, '/config.json names the geocoder');
  // The CSP lets the page fetch from exactly that origin.
  const csp = (await fetch(`${BASE_URL}/`)).headers.get('content-security-policy');
  assert.match(csp, new RegExp(`connect-src 'self' ${origin.replace(/[.]/g, '\\.')};`), csp);

  const page = await session.newPage();
  const asked = [];
  page.on('request', (r) => { if (r.url().startsWith(origin)) asked.push(r.url()); });
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await openMap(page);
  const help = () => page.$eval('#search-help', (el) => el.textContent);

  if (STATE === 'up') {
    assert.match(await help(), /Adres, postcode/, 'the hint says addresses can be searched');
    // An address: listed with its kind, after the built-in hits (none for a street name).
    let options = await optionsFor(page, 'Oudegracht 1', { addresses: true });
    const i = options.findIndex((o) => o.name === 'Oudegracht 1, 3511AA Utrecht');
    assert.ok(i >= 0, `the address is offered: ${JSON.stringify(options)}`);
    assert.equal(options[i].detail, 'adres');
    assert.ok(asked.some((u) => u.includes('/suggest?')), 'the browser asked the geocoder itself');
    // Picked with the keyboard: the map goes there and the panel of the cell there opens.
    const input = page.locator('#search');
    for (let k = 0; k <= i; k++) await input.press('ArrowDown');
    await page.evaluate(() => { window.lbm.lastSearch = null; });
    await input.press('Enter');
    await page.waitForFunction(() => window.lbm.lastSearch);
    await waitIdle(page);
    await page.waitForFunction(() => document.getElementById('info').dataset.state === 'ready', null, { timeout: 15000 });
    assert.ok(asked.some((u) => u.includes('/lookup?')), 'the pick was resolved with lookup');
    const [lng, lat] = await page.evaluate(() => window.lbm.lastSearch.center);
    assert.ok(Math.abs(lng - 5.121877) < 1e-6 && Math.abs(lat - 52.091653) < 1e-6, 'centroide_ll');
    const view = await page.evaluate(() => ({ c: window.lbm.map.getCenter().toArray(), z: window.lbm.map.getZoom() }));
    assert.ok(view.z >= 15.5, `zoomed in to the address (z ${view.z})`);
    assert.ok(Math.abs(view.c[0] - lng) < 1e-4 && Math.abs(view.c[1] - lat) < 1e-4, `centred on it: ${view.c}`);
    const point = await pointAt(lng, lat);
    assert.ok(point, 'the point API knows the place');
    const panel = await page.$eval('#info', (el) => el.textContent);
    const title = await page.$eval('#info-title', (el) => el.textContent);
    if (point.cell) assert.match(title, new RegExp(point.cell), `the panel is the cell's: ${title}`);
    for (const a of point.areas) assert.ok(panel.includes(a.name), `the panel names ${a.level} ${a.name}`);
    saveArtifact('geocoder-address.png', await page.screenshot());

    // A postcode: the geocoder's postcodes and addresses (the demo has no PC4 level).
    options = await optionsFor(page, '3511', { addresses: true });
    assert.ok(options.some((o) => o.kind === 'address' && o.detail === 'postcode' && /3511AA/.test(o.name)),
      `a postcode is offered: ${JSON.stringify(options)}`);
    // A place name: the built-in gemeente first, the geocoder's place after it.
    options = await optionsFor(page, 'Utrecht', { addresses: true });
    assert.equal(options[0].kind, 'area', `the area first: ${JSON.stringify(options)}`);
    assert.ok(options.some((o) => o.kind === 'address' && o.detail === 'plaats'));
    // English labels.
    await page.click('#lang');
    options = await optionsFor(page, 'Biltstraat', { addresses: true });
    assert.ok(options.some((o) => o.detail === 'street'), JSON.stringify(options));
    assert.match(await help(), /Address, postcode/);
  } else {
    // Down or slow: the built-in search answers, within about the geocoder's time limit.
    const start = Date.now();
    let options = await optionsFor(page, 'Utrecht', { addresses: false });
    const took = Date.now() - start;
    assert.ok(options.length > 0 && options.every((o) => o.kind === 'area'), JSON.stringify(options));
    assert.ok(took < 8000, `listed after ${took} ms, not after the geocoder's 10 s`);
    assert.match(await help(), /Adressen zoeken lukt nu niet/, 'the hint says addresses cannot be searched now');
    // Picking still works.
    await page.locator('#search').press('Enter');
    await page.waitForFunction(() => window.lbm.lastSearch);
    // The panel of the pick loaded (it takes the focus then) before the next query is typed.
    await page.waitForFunction(() => document.getElementById('info').dataset.state === 'ready', null, { timeout: 15000 });
    if (STATE === 'slow') {
      // A pick while the geocoder is still busy: its late answer does not open the list again.
      const input = page.locator('#search');
      await input.fill('');
      await input.fill('Utrecht');
      await page.waitForSelector('#search-list:not([hidden]) [data-kind="area"]');
      assert.equal(await page.$eval('.search', (e) => e.dataset.state), 'loading', 'the geocoder is still busy');
      await input.press('Enter');
      await page.waitForTimeout(3500);
      assert.equal(await page.$eval('#search-list', (e) => e.hidden), true, 'the list stays closed after the pick');
    }
    // An address finds nothing, and says so.
    options = await optionsFor(page, 'Oudegracht 1', { addresses: false });
    assert.equal(options.length, 1);
    assert.match(options[0].name, /Niets gevonden/);
    saveArtifact(`geocoder-${STATE}.png`, await page.screenshot());
  }
  assert.deepEqual(violations, [], 'no CSP violations');
  assert.deepEqual(page.problems, []);
  await page.close();
});

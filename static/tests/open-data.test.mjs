// The official open data in the browser, run by tests/tests/browser.rs against a site built from
// a release in the published layout (tests/src/release.rs): PC4 areas with the Leefbaarometer's
// own scores, and PC4 3519, whose boundary collapsed to a line, not on the map.
//
// A postcode searched opens its panel, which gives the official score the area API gives and
// says the scores are the Leefbaarometer's own; so does the report opened from it. The area
// off the map is listed as such, its panel opens without moving the map, says it is not on the
// map and still gives its official score.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitIdle, saveArtifact, browserSession } from './browser.mjs';

const session = browserSession({ width: 1280, height: 800 });
const { skip, url, newPage } = session;

/** The official lbm of PC4 `code` in `year`, as the area API gives it. */
async function officialLbm(code, year) {
  const area = await (await fetch(url(`/api/v1/areas/${code}`))).json();
  return area.years.find((y) => y.year === year)?.values?.lbm;
}

async function openMap() {
  const ts = session.catalog.tilesets.filter((t) => t.measure === 'lbm' && t.kind === 'score').sort((a, b) => a.year - b.year).at(-1);
  const page = await newPage();
  await page.goto(url(`/?test=1&measure=lbm&year=${ts.year}&level=pc4#12/52.09/5.12`));
  await waitIdle(page);
  return { page, year: ts.year };
}

/** Searches `query` and picks the option of area `code`; returns the option's detail text. */
async function pick(page, query, code) {
  await page.fill('#search', query);
  const option = page.locator(`#search-list:not([hidden]) [role="option"][data-code="${code}"]`);
  await option.waitFor();
  const detail = await option.textContent();
  await option.click();
  await page.waitForSelector(`#info[data-state="ready"][data-area="${code}"]:not([hidden])`);
  return detail;
}

test('a postcode opens its panel with the Leefbaarometer\'s own score, and so does its report', { skip }, async () => {
  const { page, year } = await openMap();
  await pick(page, '3511 AB', '3511');
  const want = await officialLbm('3511', year);
  assert.equal(typeof want, 'number');
  const shown = await page.$eval('#info .lead-value', (e) => e.textContent);
  const formatted = await page.evaluate(async (v) => (await import('/static/js/i18n.js')).formatValue(v), want);
  assert.equal(shown, formatted, 'the panel gives the official score');
  const source = await page.$eval('#info .area-source', (e) => ({ scores: e.dataset.scores, text: e.textContent }));
  assert.equal(source.scores, 'file', 'the catalog says the PC4 scores are the file\'s own');
  assert.match(source.text, /Leefbaarometer zelf/);
  await page.click('#info .report-button');
  await page.waitForSelector('#report-dialog[data-state="ready"]');
  const note = await page.$eval('#report-dialog .area-source', (e) => e.dataset.scores);
  assert.equal(note, 'file', 'the report says the same');
  saveArtifact('open-data-report.png', await page.screenshot());
  await page.close();
});

test('an area not on the map is found, opens without moving the map and keeps its score', { skip }, async () => {
  const { page, year } = await openMap();
  const before = await page.evaluate(() => {
    const c = window.lbm.map.getCenter();
    return [c.lng, c.lat, window.lbm.map.getZoom()];
  });
  const detail = await pick(page, '3519', '3519');
  assert.match(detail, /niet op de kaart/, 'the search list says so');
  const note = await page.$eval('#info .not-on-map', (e) => e.textContent);
  assert.match(note, /Niet op de kaart/);
  const want = await officialLbm('3519', year);
  const shown = await page.$eval('#info .lead-value', (e) => e.textContent);
  const formatted = await page.evaluate(async (v) => (await import('/static/js/i18n.js')).formatValue(v), want);
  assert.equal(shown, formatted, 'the panel gives its official score');
  const after = await page.evaluate(() => {
    const c = window.lbm.map.getCenter();
    return [c.lng, c.lat, window.lbm.map.getZoom()];
  });
  assert.deepEqual(after.map((v) => v.toFixed(6)), before.map((v) => v.toFixed(6)), 'the map did not move');
  saveArtifact('open-data-not-on-map.png', await page.screenshot());
  await page.close();
});

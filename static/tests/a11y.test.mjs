// Accessibility with axe-core (from npm, pinned by package-lock.json): WCAG 2.0 and 2.1, levels
// A and AA, on what people open: the map, the panel of a searched gemeente, its report, the
// embed, compare and Ontwikkeling, in Dutch and English, on a laptop and a phone. Zero
// violations. Run by tests/tests/browser.rs with the other browser tests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { browserSession, waitIdle, saveArtifact } from './browser.mjs';

const AXE = fs.readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const session = browserSession({ width: 1280, height: 800 });
const { skip, url, newPage } = session;

/** axe-core's violations on the page as it is now, one line each. */
async function violations(page) {
  // Evaluated through the DevTools protocol: the page's CSP allows no inline script, rightly.
  await page.evaluate(AXE);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), TAGS);
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
}

const latest = () => session.catalog.tilesets.filter((t) => t.measure === 'lbm' && t.kind === 'score').sort((a, b) => a.year - b.year);

/** Opens `path`, then what `then(page)` opens, and checks it. */
async function check(name, path, then = null, { width = 1280, height = 800 } = {}) {
  const page = await newPage();
  await page.setViewportSize({ width, height });
  await page.goto(url(path));
  await waitIdle(page);
  if (then) await then(page);
  const found = await violations(page);
  if (found.length) saveArtifact(`a11y-${name}.png`, await page.screenshot());
  assert.deepEqual(found, [], `${name}: WCAG 2.1 A/AA violations`);
  assert.deepEqual(page.problems, [], `${name}: page errors`);
  await page.close();
}

/** Searches Utrecht and opens its panel. */
async function openGemeente(page) {
  await page.fill('#search', 'Utrecht');
  const option = page.locator('#search-list:not([hidden]) [role="option"][data-code="GM0344"]');
  await option.waitFor();
  await option.click();
  await page.waitForSelector('#info[data-state="ready"]:not([hidden])');
}

async function openReport(page) {
  await openGemeente(page);
  await page.click('#info .report-button[data-code="GM0344"]');
  await page.waitForSelector('#report-dialog[open][data-state="ready"]');
}

for (const lang of ['nl', 'en']) {
  test(`accessibility (${lang}): the map, the panel and the report`, { skip }, async () => {
    const years = latest();
    const q = `test=1&lang=${lang}&measure=lbm&year=${years.at(-1).year}`;
    await check(`${lang}-map`, `/?${q}`);
    await check(`${lang}-panel`, `/?${q}#11/52.09/5.12`, openGemeente);
    await check(`${lang}-report`, `/?${q}#11/52.09/5.12`, openReport);
    await check(`${lang}-phone`, `/?${q}#11/52.09/5.12`, openGemeente, { width: 390, height: 844 });
    await check(`${lang}-phone-report`, `/?${q}#11/52.09/5.12`, openReport, { width: 390, height: 844 });
    // A laptop at 200 % zoom: the report scrolls, and its scroll region must be reachable.
    await check(`${lang}-report-200`, `/?${q}#11/52.09/5.12`, async (page) => {
      await openReport(page);
      for (const id of ['report-csv', 'report-close']) {
        const box = await page.locator(`#${id}`).boundingBox();
        assert.ok(box && box.y >= 0 && box.y + box.height <= 400 && box.x + box.width <= 640,
          `#${id} is in view at 200 %: ${JSON.stringify(box)}`);
      }
    }, { width: 640, height: 400 });
  });

  test(`accessibility (${lang}): the embed, compare and Ontwikkeling`, { skip }, async () => {
    const years = latest();
    const last = years.at(-1).year;
    await check(`${lang}-embed`, `/embed?test=1&lang=${lang}&measure=lbm&year=${last}`);
    if (years.length > 1) {
      await check(`${lang}-compare`, `/?test=1&lang=${lang}&measure=lbm&year=${last}&compare=${years[0].year}#11/52.09/5.12`);
    }
    const change = session.catalog.changes.find((c) => c.measure === 'lbm');
    if (change) {
      await check(`${lang}-change`, `/?test=1&lang=${lang}&measure=lbm&mode=change&from=${change.from}&to=${change.to}#11/52.09/5.12`, openGemeente);
    }
  });
}

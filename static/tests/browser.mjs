// Shared by the browser test and the benchmark: start Debian's Chromium through playwright-core
// with software WebGL (SwiftShader) and a fresh profile, and wait for the map to be idle.

import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BASE_URL = process.env.LBM_BASE_URL?.replace(/\/$/, '') ?? null;
export const CHROMIUM = process.env.LBM_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = process.env.LBM_ARTIFACTS
  ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];

/**
 * A fresh browser context (own user-data-dir, removed by `close()`); `phone` emulates a phone's
 * screen (device pixel ratio 2, touch, mobile viewport).
 */
export async function launch({ width = 1280, height = 800, phone = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lbm-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width, height },
    deviceScaleFactor: phone ? 2 : 1,
    isMobile: phone,
    hasTouch: phone,
  });
  const close = async () => {
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { context, close };
}

/**
 * Why a browser test file cannot run here (no LBM_BASE_URL, no Chromium), or false. Without
 * Chromium under LBM_REQUIRE_BROWSER=1 (as CI runs) it throws instead.
 */
export function skipReason() {
  if (!BASE_URL) return 'LBM_BASE_URL is not set: start lbm-server and point LBM_BASE_URL at it';
  if (fs.existsSync(CHROMIUM)) return false;
  if (process.env.LBM_REQUIRE_BROWSER === '1') throw new Error(`LBM_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}`);
  return `no Chromium at ${CHROMIUM}`;
}

/**
 * One browser for a test file, started before its tests with the server's catalog and closed
 * after them: `{skip, url(path), catalog, newPage()}`, where a new page collects its uncaught
 * errors in `page.problems`.
 */
export function browserSession({ width = 1400, height = 900 } = {}) {
  const session = { skip: skipReason(), catalog: null, browser: null };
  session.url = (p) => `${BASE_URL}${p}`;
  session.newPage = async () => {
    const page = await session.browser.context.newPage();
    page.problems = [];
    page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
    return page;
  };
  before(async () => {
    if (session.skip) return;
    session.catalog = await (await fetch(session.url('/catalog.json'))).json();
    session.browser = await launch({ width, height });
  });
  after(async () => {
    await session.browser?.close();
  });
  return session;
}

/** Waits until window.lbm.ready has resolved and body[data-state] is "idle". */
export async function waitIdle(page, timeout = 30000) {
  await page.waitForFunction(() => window.lbm && window.lbm.map, null, { timeout });
  await page.evaluate(() => window.lbm.ready);
  await page.waitForFunction(() => document.body.dataset.state === 'idle', null, { timeout });
}

export function saveArtifact(name, buffer) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  fs.writeFileSync(file, buffer);
  return file;
}

/**
 * The share of the pixels of `rect` (page coordinates, inside the map) that the screen shows as
 * the map drew them: `screenshot` (a PNG of the whole page: what the user sees, after the
 * compositor) against the map's own canvas. Catches a map that is drawn but not shown, such as
 * Chromium culling the canvas under a scrolling panel's contents. The whole page, because a
 * clipped screenshot is drawn anew by Chromium and can differ from the screen.
 */
export async function shownAsDrawn(page, screenshot, rect) {
  const shot = screenshot.toString('base64');
  return page.evaluate(async ({ shot, rect }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${shot}`;
    await img.decode();
    const read = (source, sx, sy) => {
      const c = document.createElement('canvas');
      c.width = rect.width;
      c.height = rect.height;
      const ctx = c.getContext('2d');
      ctx.drawImage(source, sx, sy, rect.width, rect.height, 0, 0, rect.width, rect.height);
      return ctx.getImageData(0, 0, rect.width, rect.height).data;
    };
    const gl = window.lbm.map.getCanvas();
    const box = gl.getBoundingClientRect();
    const shown = read(img, rect.x, rect.y);
    const drawn = read(gl, rect.x - box.left, rect.y - box.top);
    let same = 0;
    for (let p = 0; p < shown.length; p += 4) {
      if ([0, 1, 2].every((i) => Math.abs(shown[p + i] - drawn[p + i]) <= 8)) same++;
    }
    return same / (shown.length / 4);
  }, { shot, rect });
}

/**
 * Counts map pixels drawn in the classification's colours (blended over the background with the
 * layer's opacity, so a pixel counts when it lies on the segment background → class colour).
 */
export async function classPixels(page, classification) {
  const colours = classification.classes.map((c) => c.color);
  return page.evaluate((colours) => {
    const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const gl = window.lbm.map.getCanvas();
    const c2 = document.createElement('canvas');
    c2.width = gl.width;
    c2.height = gl.height;
    const ctx = c2.getContext('2d');
    ctx.drawImage(gl, 0, 0);
    const data = ctx.getImageData(0, 0, c2.width, c2.height).data;
    // The plain background of the style (no basemap), or the built-in basemap's land, which the
    // cells lie on; else the commonest pixel colour.
    const map = window.lbm.map;
    const bgPaint = (map.getLayer('background') && map.getPaintProperty('background', 'background-color'))
      || (map.getLayer('basemap-land') && map.getPaintProperty('basemap-land', 'fill-color'));
    let bg;
    if (typeof bgPaint === 'string' && bgPaint.startsWith('#')) bg = hex(bgPaint);
    else {
      const counts = new Map();
      for (let p = 0; p < data.length; p += 4 * 13) {
        const k = `${data[p]},${data[p + 1]},${data[p + 2]}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      bg = [...counts.entries()].sort((x, y) => y[1] - x[1])[0][0].split(',').map(Number);
    }
    const targets = colours.map(hex);
    const perClass = new Array(targets.length).fill(0);
    let blank = 0;
    let total = 0;
    for (let p = 0; p < data.length; p += 4 * 7) { // every 7th pixel is plenty
      total++;
      const px = [data[p], data[p + 1], data[p + 2]];
      if (px.every((v, i) => Math.abs(v - bg[i]) <= 2)) blank++;
      targets.forEach((c, k) => {
        // the alpha that best explains px as a blend of c over bg, then the distance to that blend
        const d = c.map((v, i) => v - bg[i]);
        const dd = d.reduce((a, v) => a + v * v, 0);
        if (dd < 100) return;
        const a = d.reduce((acc, v, i) => acc + v * (px[i] - bg[i]), 0) / dd;
        if (a < 0.6 || a > 1.05) return;
        const err = Math.max(...px.map((v, i) => Math.abs(v - (bg[i] + a * d[i]))));
        if (err <= 6) perClass[k]++;
      });
    }
    return { total, blank, perClass, coloured: perClass.reduce((a, b) => a + b, 0) };
  }, colours);
}

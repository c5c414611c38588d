// Shared by the browser test and the benchmark: start Debian's Chromium through playwright-core
// with software WebGL (SwiftShader) and a fresh profile, and wait for the map to be idle.

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

/** A fresh browser context (own user-data-dir, removed by `close()`). */
export async function launch({ width = 1280, height = 800 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lbm-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width, height },
    deviceScaleFactor: 1,
  });
  const close = async () => {
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { context, close };
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

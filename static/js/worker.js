// MapLibre's tile worker, started by the page as soon as this small module arrives: loaded with
// `async` from the page's <head>, it runs while MapLibre (1 MB) and the app's modules are still
// downloading and compiling, so the worker has fetched and compiled its own 0.5 MB script by the
// time the first tiles are asked for. map.js hands it to MapLibre's worker pool (`startWorkers`);
// if MapLibre does not take it (another version), it is terminated and MapLibre starts its own.

/** MapLibre's worker script as MapLibre itself names it (`?v=` its version; see map.js). */
export const WORKER_URL = new URL('../../vendor/maplibre-gl/maplibre-gl-worker.mjs?v=6.17.0', import.meta.url).href;

let early = null;
try {
  early = new Worker(WORKER_URL, { type: 'module' });
} catch {
  early = null; // no module workers: MapLibre falls back by itself
}

/** The worker started above, once (null afterwards or when it could not start). */
export function takeWorker() {
  const worker = early;
  early = null;
  return worker;
}

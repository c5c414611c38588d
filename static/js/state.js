// The app's state, kept in one place, and its round trip through the URL:
// `?measure=fys&year=2020&compare=2012&lang=en#12.5/52.0907/5.1214`, and for change maps
// `?measure=lbm&mode=change&from=2018&to=2020`, a fixed level `&level=wijk`, the score layers'
// transparency `&transparency=40` (percent), the "structureel onder druk" overlay `&pressure=1`,
// the place whose panel is open `&pick=5.12140,52.09070`
// (zoom/lat/lon in the hash,
// the way MapLibre's own hash reads). Other query parameters (e.g. `test=1`) are left alone.

export const state = {
  measure: 'lbm',
  year: null,
  compare: null, // a second year shown beside `year`, or null
  mode: 'score', // 'score' (leefbaarheid) or 'change' (ontwikkeling between `from` and `to`)
  from: null,
  to: null,
  level: 'auto', // 'auto' (by zoom) | 'gemeente' | 'wijk' | 'buurt' | 'grid'
  lang: 'nl',
  transparency: 0, // of the score layers, percent (0: as the style draws them)
  pressure: false, // the "structureel onder druk" overlay on
  pick: null, // [lon, lat] of the cell or area whose panel is open, or null
  center: null, // [lon, lat]
  zoom: null,
};

/** The level choices besides 'auto', coarse to fine. */
export const LEVELS = ['gemeente', 'wijk', 'buurt', 'grid'];

const listeners = new Set();

/** Calls `fn(changedKeys, state)` after every change. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Applies a patch: the one way the state changes. Listeners hear only about keys whose value
 * really changed, and the URL follows; `quiet` (the page's start, which reads the state from the
 * URL and makes it valid) does neither.
 */
export function update(patch, { quiet = false } = {}) {
  const changed = [];
  for (const [k, v] of Object.entries(patch)) {
    if (JSON.stringify(state[k]) !== JSON.stringify(v)) {
      state[k] = v;
      changed.push(k);
    }
  }
  if (changed.length === 0 || quiet) return;
  writeUrl();
  for (const fn of listeners) fn(changed, state);
}

const num = (s) => (s === null || s === '' || !Number.isFinite(Number(s)) ? null : Number(s));

/** Reads the state from a URL (string or URL); unknown or malformed parts are ignored. */
export function parseUrl(href) {
  const url = new URL(href, 'http://localhost/');
  const q = url.searchParams;
  const out = {};
  if (q.get('measure')) out.measure = q.get('measure');
  if (num(q.get('year'))) out.year = num(q.get('year'));
  if (num(q.get('compare'))) out.compare = num(q.get('compare'));
  if (q.get('lang')) out.lang = q.get('lang');
  if (q.get('mode') === 'change') out.mode = 'change';
  if (num(q.get('from'))) out.from = num(q.get('from'));
  if (num(q.get('to'))) out.to = num(q.get('to'));
  if (LEVELS.includes(q.get('level'))) out.level = q.get('level');
  const at = (q.get('pick') ?? '').split(',').map(num);
  if (at.length === 2 && at.every((v) => v !== null) && Math.abs(at[0]) <= 180 && Math.abs(at[1]) <= 90) out.pick = at;
  if (q.get('pressure') === '1') out.pressure = true;
  const tr = num(q.get('transparency'));
  if (tr !== null) out.transparency = Math.min(90, Math.max(0, Math.round(tr)));
  const [z, lat, lon] = url.hash.replace(/^#/, '').split('/').map(num);
  if (z !== null && z !== undefined && lat != null && lon != null) {
    out.zoom = z;
    out.center = [lon, lat];
  }
  return out;
}

/** The query string (without `?`) for a state, keeping unrelated parameters of `base`. */
export function queryOf(s = state, base = '') {
  const q = new URLSearchParams(base);
  const set = (k, v) => (v === null || v === undefined ? q.delete(k) : q.set(k, String(v)));
  set('measure', s.measure);
  set('year', s.year);
  set('compare', s.compare);
  set('lang', s.lang === 'nl' ? null : s.lang);
  const change = s.mode === 'change';
  set('mode', change ? 'change' : null);
  set('from', change ? s.from : null);
  set('to', change ? s.to : null);
  set('level', s.level && s.level !== 'auto' ? s.level : null);
  set('transparency', s.transparency ? s.transparency : null);
  set('pressure', s.pressure ? 1 : null);
  set('pick', s.pick ? s.pick.map((v) => v.toFixed(5)).join(',') : null);
  return q.toString();
}

/** The hash (without `#`) for a camera: zoom/lat/lon, rounded to what the zoom can show. */
export function hashOf(s = state) {
  if (!s.center || s.zoom === null) return '';
  const digits = Math.max(2, Math.ceil(Math.log10(2 ** s.zoom)) + 1);
  const [lon, lat] = s.center;
  return `${+s.zoom.toFixed(2)}/${+lat.toFixed(digits)}/${+lon.toFixed(digits)}`;
}

let pending = 0;
function writeUrl() {
  // Camera moves fire many updates; the address bar is rewritten once they settle.
  clearTimeout(pending);
  pending = setTimeout(() => {
    const q = queryOf(state, location.search);
    const h = hashOf(state);
    history.replaceState(null, '', `${location.pathname}${q ? `?${q}` : ''}${h ? `#${h}` : ''}`);
  }, 150);
}

/** The state as a URL path + query + hash for another page (`/` or `/embed`). */
export function urlFor(pathname, s = state) {
  const q = queryOf(s);
  const h = hashOf(s);
  return `${pathname}${q ? `?${q}` : ''}${h ? `#${h}` : ''}`;
}

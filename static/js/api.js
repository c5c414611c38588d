// The server's JSON endpoints (see docs/tileset-format.md, "Server URLs"), relative to the site's
// root so that the map also works under a path prefix and as a static site (`export-site`),
// where `config.json` says there is no API (`api: false`).

/** The site's root: the folder of index.html (this file is `static/js/api.js` under it). */
export const ROOT = new URL('../../', import.meta.url);
const at = (path) => new URL(path, ROOT).href;

let api = true;
/** Whether the server's point and search APIs exist (not on a static site). */
export const hasApi = () => api;
// The base URL of a PDOK Locatieserver v3.1-compatible geocoder (`config.geocoder_url`), or null.
let geocoder = null;
/** Whether addresses, postcodes and places can be searched (a geocoder is configured). */
export const hasGeocoder = () => geocoder !== null;
// A static site has the report documents as files under `config.reports` (when it has an index).
let reports = null;
/** Whether area reports can be loaded: from the server's API, or a static site's files. */
export const hasReports = () => api || reports !== null;

async function getJSON(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** `{measures:[{id,name_nl,name_en,years}], tilesets:[{id,measure,year,tiles,classification,..}]}` */
export const loadCatalog = () => getJSON(at('catalog.json'));

/**
 * `{basemap: null | style URL, geocoder_url: null | URL, api?: false, pmtiles?: true}`; a
 * missing config means no basemap, no geocoder and a server with its APIs.
 */
export const loadConfig = () => getJSON(at('config.json'))
  .catch(() => ({ basemap: null }))
  .then((config) => {
    api = config.api !== false;
    geocoder = typeof config.geocoder_url === 'string' && /^https?:\/\//.test(config.geocoder_url)
      ? config.geocoder_url.replace(/\/+$/, '') : null;
    reports = typeof config.reports === 'string' ? config.reports : null;
    return config;
  });

/** The 100 m cell at a place with every measure for every year, or null where there is none. */
export async function loadPoint(lon, lat) {
  if (!api) return null;
  const url = at(`api/v1/point?lon=${lon.toFixed(6)}&lat=${lat.toFixed(6)}`);
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/**
 * `GET /api/v1/areas/{code}`: one area by its code (level, name, parent, a centre inside it, its
 * years and changes, and `areas`: it and the areas it lies in, as the point API lists them).
 */
export const loadArea = (code) => getJSON(at(`api/v1/areas/${encodeURIComponent(code)}`));

/**
 * `GET /api/v1/areas/{code}/report`, or `GET /api/v1/report` for the Netherlands (`code` null):
 * per measure and year the cells per class, the means, the weakest dimension; on a static site
 * the same documents as `reports/{code}.json`.
 */
export function loadReport(code) {
  if (!api) return getJSON(at(`${reports}${encodeURIComponent(code ?? 'NL')}.json`));
  return getJSON(at(code ? `api/v1/areas/${encodeURIComponent(code)}/report` : 'api/v1/report'));
}

/**
 * `GET /api/v1/search`: `{results:[{kind:"area",level,code,name,bbox,center} |
 * {kind:"cell",cell,center,bbox}]}`. A 400 throws an error with `status`, the server's reason and
 * its `code` (which the page says in its own language).
 */
export async function searchPlaces(q, limit = 8) {
  const url = at(`api/v1/search?q=${encodeURIComponent(q)}&limit=${limit}`);
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw Object.assign(new Error(body.error ?? `${url}: HTTP ${res.status}`), { status: res.status, code: body.code ?? null });
  }
  return res.json();
}

/**
 * The style document of a catalog tileset (`style`: the server's `/styles/{id}.json`, or the
 * static site's `styles/{id}.json`), the one description of how it is drawn.
 */
export const loadTilesetStyle = (tileset) => getJSON(styleUrl(tileset));

/** The absolute URL of a catalog tileset's style document (`style`, relative to the root). */
export const styleUrl = (tileset) => new URL(tileset.style, ROOT).href;

/** A style URL's JSON, or null when it cannot be fetched (e.g. no internet) within 4 s. */
async function fetchStyle(url) {
  try {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), 4000);
    const res = await fetch(url, { signal: ctrl.signal });
    clearTimeout(timer);
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

// Style documents asked for ahead of their use (see prefetchStyle), each taken once.
const early = new Map();

/**
 * Starts fetching a style URL that loadStyle will be asked for soon: the basemap's, beside the
 * tileset's own style document, instead of one round trip after it.
 */
export function prefetchStyle(url) {
  if (url && !early.has(url)) early.set(url, fetchStyle(url));
}

/** A style URL's JSON (the prefetched answer, when there is one), or null as fetchStyle. */
export function loadStyle(url) {
  const ahead = early.get(url);
  early.delete(url);
  return ahead ?? fetchStyle(url);
}

/** How long the geocoder may take before the search goes on without it. */
export const GEOCODER_TIMEOUT_MS = 3000;

/** The geocoder's JSON at `path` with `params`, given up after GEOCODER_TIMEOUT_MS. */
async function geocode(path, params) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), GEOCODER_TIMEOUT_MS);
  try {
    const url = `${geocoder}/${path}?${new URLSearchParams(params)}`;
    const res = await fetch(url, { signal: ctrl.signal, headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return await res.json();
  } finally {
    clearTimeout(timer);
  }
}

/** The kinds of geocoder results the search offers (PDOK's `type`). */
const ADDRESS_TYPES = ['adres', 'postcode', 'weg', 'woonplaats'];

/**
 * The geocoder's suggestions for `q` (`/suggest`): `[{kind: 'address', type, name, id}]`,
 * addresses, postcodes, streets and places. Throws when the geocoder fails or is slow.
 */
export async function suggestAddresses(q, rows = 5) {
  const body = await geocode('suggest', { q, rows, fq: `type:(${ADDRESS_TYPES.join(' OR ')})` });
  return (body?.response?.docs ?? [])
    .filter((d) => typeof d.id === 'string' && typeof d.weergavenaam === 'string')
    .map((d) => ({ kind: 'address', type: d.type, name: d.weergavenaam, id: d.id }));
}

/**
 * A suggestion's place (`/lookup`): `{lng, lat, name, type}` from its `centroide_ll`
 * (`POINT(lon lat)`), or null when the geocoder does not know it.
 */
export async function lookupAddress(id) {
  const body = await geocode('lookup', { id, fl: 'id,type,weergavenaam,centroide_ll' });
  const doc = body?.response?.docs?.[0];
  const m = /^POINT\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)$/.exec(doc?.centroide_ll ?? '');
  if (!m) return null;
  return { lng: Number(m[1]), lat: Number(m[2]), name: doc.weergavenaam, type: doc.type };
}

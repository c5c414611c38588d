// The MapLibre map and the score layers on it. How a tileset is drawn is its style document
// (`/styles/{id}.json`, written by the contract's one style builder): the page takes its layers,
// gives them the tileset's own source, and only chooses which level is shown. Switching tileset
// swaps the source and layers on the running map, so the camera stays where it is.

import {
  Map as MapLibreMap, NavigationControl, ScaleControl, AttributionControl, prewarm, addProtocol, setWorkerUrl,
  getVersion,
} from '../../vendor/maplibre-gl/maplibre-gl.mjs';
import { loadStyle, loadTilesetStyle, styleUrl, ROOT } from './api.js';
import { mapLocale, getLang } from './i18n.js';
import { state } from './state.js';
import { takeWorker, WORKER_URL } from './worker.js';

/**
 * Starts MapLibre's worker pool now, while the catalog is still on its way, with the worker that
 * worker.js started early (its script fetched and compiled by now or soon): MapLibre has no API to
 * take a worker, so for the duration of `prewarm()` the pool's `new Worker(url)` gets that one.
 * True when it was taken.
 */
function startWorkers() {
  const early = takeWorker();
  if (!early || !WORKER_URL.endsWith(`?v=${getVersion()}`)) {
    early?.terminate(); // another MapLibre than worker.js names: let it start its own
    prewarm();
    return false;
  }
  setWorkerUrl(WORKER_URL);
  const NativeWorker = globalThis.Worker;
  let taken = false;
  globalThis.Worker = function Worker(url, options) {
    if (!taken && String(url) === WORKER_URL) {
      taken = true;
      return early;
    }
    return new NativeWorker(url, options);
  };
  try {
    prewarm();
  } finally {
    globalThis.Worker = NativeWorker;
  }
  if (!taken) early.terminate();
  return taken;
}

/** Whether MapLibre runs on the worker worker.js started (for the browser test). */
export const earlyWorker = startWorkers();

export const MAX_ZOOM = 17; // the tileset's maxzoom is overzoomed up to here

/** The background colour of a style document: land without residents. */
export const landColor = (doc) => doc?.layers?.find((l) => l.type === 'background')?.paint?.['background-color'] ?? '#e4e6e8';

const plainStyle = (background) => ({
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': background } }],
});

// Geographic context over the score layers where there is no basemap: the national outline
// (Natural Earth, public domain; see static/README.md), shipped with the page so it works offline.
const OUTLINE_URL = new URL('../data/nl-outline.json', import.meta.url).href;

/**
 * Adds the national outline on top. Called after the first `idle`: MapLibre has one worker on a
 * two-core machine, and parsing the outline first delayed the first drawn scores by ~0.2 s.
 */
export function addOutline(map) {
  if (map.getSource('context-outline')) return;
  map.addSource('context-outline', {
    type: 'geojson',
    data: OUTLINE_URL,
    maxzoom: 8, // ~1 km accurate: overzoomed z8 tiles are as good and far cheaper
    attribution: 'Natural Earth',
  });
  map.addLayer({
    id: 'context-outline', type: 'line', source: 'context-outline',
    paint: {
      'line-color': '#4a5560',
      'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.8, 12, 2],
      'line-opacity': 0.8,
    },
  });
}

/**
 * Score layers go below the basemap's first `over` layer (boundaries and labels of the built-in
 * basemap), else below an external basemap's first label layer or the context outline, else on
 * top.
 */
const gridInsertIndex = (layers) => {
  const over = layers.findIndex((l) => l.metadata?.['lbm:basemap'] === 'over');
  if (over >= 0) return over;
  const i = layers.findIndex((l) => l.type === 'symbol' || l.id.startsWith('context-'));
  return i < 0 ? layers.length : i;
};

let pmtilesReady = null;
/**
 * Lets MapLibre read `pmtiles://` sources (a static site's archives, by HTTP range requests)
 * with the `pmtiles` package's protocol. Its script is loaded only on such sites.
 */
export function usePmtiles() {
  pmtilesReady ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL('vendor/pmtiles/pmtiles.js', ROOT).href;
    script.onload = () => {
      addProtocol('pmtiles', new window.pmtiles.Protocol().tile);
      resolve();
    };
    script.onerror = () => reject(new Error(`cannot load ${script.src}`));
    document.head.append(script);
  });
  return pmtilesReady;
}

/** A URL template made absolute against the site's root, its `{…}` placeholders kept. */
const absoluteTemplate = (url) => new URL(url, ROOT).href.replace(/%7B/g, '{').replace(/%7D/g, '}');

/**
 * The built-in basemap's style (the catalog's `basemap` tileset), its source read like the score
 * tilesets' (the server's tiles, or a static site's archive) and its glyphs from the same origin.
 */
async function builtInBasemap(tileset) {
  const doc = tileset?.style && (await loadStyle(styleUrl(tileset)));
  if (!doc) return null;
  const sources = { ...doc.sources, [tileset.id]: sourceOf(tileset) };
  return { ...doc, sources, glyphs: doc.glyphs && absoluteTemplate(doc.glyphs) };
}

/**
 * What the scores are drawn on: the configured external basemap when its style loads, else the
 * built-in basemap, else a plain background in the land colour of the tileset's style document.
 * `basemap` says which: 'external', 'builtin' or false.
 */
export async function baseStyle(config, doc, basemapTileset) {
  if (config?.pmtiles) await usePmtiles();
  const external = config?.basemap && (await loadStyle(config.basemap));
  if (external) return { style: external, basemap: 'external' };
  const builtIn = basemapTileset && (await builtInBasemap(basemapTileset));
  if (builtIn) return { style: builtIn, basemap: 'builtin' };
  return { style: plainStyle(landColor(doc)), basemap: false };
}

/** Absolute tile URLs: MapLibre fetches tiles in a worker, where relative URLs would resolve wrongly. */
const absolute = (urls) => urls.map((u) => new URL(u, location.href).href.replace(/%7B/g, '{').replace(/%7D/g, '}'));

/**
 * The tileset's bounds (joined with `extent`, the basemap's, when given) widened by their own
 * size on each side: room to pan, not to get lost.
 */
function around(bounds, extent) {
  if (!bounds) return undefined;
  let [w, s, e, n] = bounds;
  if (extent) [w, s, e, n] = [Math.min(w, extent[0]), Math.min(s, extent[1]), Math.max(e, extent[2]), Math.max(n, extent[3])];
  const dx = Math.max(e - w, 0.5);
  const dy = Math.max(n - s, 0.3);
  return [[Math.max(-180, w - dx), Math.max(-85, s - dy)], [Math.min(180, e + dx), Math.min(85, n + dy)]];
}

/**
 * The vector source of a catalog tileset: its server's tile URLs, or on a static site its
 * PMTiles archive (zooms and bounds then come from the archive's header).
 */
const sourceOf = (tileset) => (!tileset.tiles && tileset.pmtiles ? {
  type: 'vector',
  url: `pmtiles://${new URL(tileset.pmtiles, ROOT).href}`,
  attribution: attributionOf(tileset),
} : {
  type: 'vector',
  tiles: absolute(tileset.tiles),
  minzoom: tileset.minzoom,
  maxzoom: tileset.maxzoom,
  bounds: tileset.bounds,
  attribution: attributionOf(tileset),
});

/** A tileset's attribution in the page's language (`attribution_nl` in Dutch, when it has one). */
const attributionOf = (tileset) => (getLang() === 'nl' && tileset.attribution_nl) || tileset.attribution || 'Leefbaarometer';

/** MapLibre's highest zoom (the style spec's limit of a layer's `maxzoom`): a band ending here is open. */
const TOP_ZOOM = 24;
const AREA_LEVELS = ['gemeente', 'wijk', 'buurt', 'pc4'];

/** The area levels of a tileset (coarse to fine), as its metadata lists them. */
export const areaLevels = (tileset) => AREA_LEVELS.filter((l) => (tileset?.areas ?? []).some((a) => a.layer === l));

/**
 * `[{level, min, max}]` zoom bands (max exclusive) of the levels drawn for `choice` ('auto' or a
 * level): the tileset's own level plan (`levels`, written by the tiler), or the one fixed level
 * at every zoom (the plan when the tileset lacks it).
 */
export function levelPlan(tileset, choice = 'auto') {
  if (choice === 'grid' || (choice !== 'auto' && areaLevels(tileset).includes(choice))) {
    return [{ level: choice, min: 0, max: TOP_ZOOM }];
  }
  const plan = (tileset?.levels ?? []).map((b) => ({ level: b.layer, min: b.minzoom, max: b.maxzoom }));
  return plan.length ? plan : [{ level: 'grid', min: 0, max: TOP_ZOOM }];
}

/** The level drawn at `zoom`. */
export function levelAt(tileset, choice, zoom) {
  const plan = levelPlan(tileset, choice);
  return (plan.find((b) => zoom >= b.min && zoom < b.max) ?? plan[plan.length - 1]).level;
}

/**
 * The score layers of a tileset for source `id`: the style document's layers (all but its
 * background) with the tileset's source and ids `${id}:${level}:${role}`, shown as `choice` asks:
 * automatic keeps the document's zoom bands, a fixed level is drawn at every zoom and the others
 * are hidden.
 */
export function scoreLayers(doc, id, choice) {
  const fixed = choice && choice !== 'auto';
  const out = [];
  for (const l of doc.layers.filter((layer) => layer.source)) {
    const level = l.metadata?.['lbm:level'] ?? l['source-layer'];
    const role = l.metadata?.['lbm:role'] ?? l.type;
    out.push({
      ...l, id: layerId(id, level, role, l.metadata?.['lbm:class']), source: id, layout: { ...(l.layout ?? {}) },
      metadata: { ...(l.metadata ?? {}), 'lbm:level': level, 'lbm:role': role },
    });
    // The outline of the selected place, right above its level's outline: the page's own layer
    // (feature state), in the zoom band of the level's fills.
    if (role === 'outline') {
      const fill = out.find((f) => f.metadata['lbm:level'] === level && f.metadata['lbm:role'] === 'fill') ?? l;
      out.push(selectionLayer(id, level, fill));
    }
  }
  if (fixed) {
    for (const layer of out) {
      const { 'lbm:level': level, 'lbm:role': role } = layer.metadata;
      const mine = level === choice;
      layer.layout.visibility = mine ? 'visible' : 'none';
      delete layer.maxzoom;
      // Outlines of 100 m cells only from the zoom the document starts them at.
      if (mine && !(level === 'grid' && role === 'outline')) delete layer.minzoom;
    }
  }
  return out;
}

/** The page's id of a layer of source `id`: `{id}:{level}:{role}`, and `:{class}` for a fill. */
export const layerId = (id, level, role, cls) => (cls === undefined ? `${id}:${level}:${role}` : `${id}:${level}:${role}:${cls}`);

/** The page-only outline of the features with feature state `selected` at `level`. */
function selectionLayer(id, level, like) {
  const layer = {
    id: layerId(id, level, 'selected'), type: 'line', source: id, 'source-layer': like['source-layer'] ?? level,
    layout: { ...(like.layout ?? {}) },
    metadata: { 'lbm:level': level, 'lbm:role': 'selected' },
    paint: {
      'line-color': '#111111',
      'line-width': ['case', ['boolean', ['feature-state', 'selected'], false], level === 'grid' ? 3 : 3.5, 0],
    },
  };
  if (like.minzoom !== undefined) layer.minzoom = like.minzoom;
  if (like.maxzoom !== undefined) layer.maxzoom = like.maxzoom;
  return layer;
}

/**
 * Holds back MapLibre's drawing until the first view is loaded (the style, and every tile in view
 * loaded or failed: `map.loaded()`, as for `load` and `idle`), or `timeout` ms have passed. Until
 * then a frame shows only the background (the page shows the same colour behind the canvas), yet
 * with software WebGL each one cost the GPU process 50–80 ms plus a read-back on the main thread,
 * on the two cores that also parse the tiles. The first frame drawn is the complete map; `load`
 * and `idle` come with it. Tiles are requested as before: only the painter waits. The canvas is
 * hidden meanwhile, so the compositor does not read back the empty, freshly sized canvas either.
 */
function drawWhenLoaded(map, timeout = 1500) {
  const painter = map.painter;
  const draw = painter?.render;
  if (typeof draw !== 'function') return; // another MapLibre: draws as it always did
  const canvas = map.getCanvas();
  canvas.style.visibility = 'hidden';
  const release = () => {
    canvas.style.visibility = '';
    if (painter.render === draw) return;
    painter.render = draw;
    map.triggerRepaint();
  };
  painter.render = function heldBack(...args) {
    if (!map.loaded()) return undefined;
    painter.render = draw;
    canvas.style.visibility = '';
    return draw.apply(this, args);
  };
  setTimeout(release, timeout);
}

/** A map that shows one score tileset at a time and highlights selected cells. */
export class GridMap {
  /**
   * @param {HTMLElement} container
   * @param {object} opts style (the base), tileset (for the zoom range and first view) and doc
   *   (its style document, see loadTilesetStyle), camera ({center, zoom} or null for the
   *   tileset's bounds), test (keep the drawing buffer readable), wholeFirst (draw nothing until
   *   the first view is loaded; see drawWhenLoaded), extent (bounds the map may also be panned
   *   over: the built-in basemap's, the whole country), cooperative (MapLibre's cooperative gestures, for an embedded map)
   */
  constructor(container, {
    style, tileset, doc, camera, test = false, controls = true, basemap = false, wholeFirst = true,
    extent = null, cooperative = false,
  }) {
    // The level and the transparency are the page's state (state.js), read where they are drawn.
    this.basemap = basemap;
    this.tileset = tileset;
    this.docs = new Map([[tileset.id, doc]]);
    // The highlight layers come with the first selection: until then the worker need not compute
    // their feature-state paint for every tile (see #addHighlight).
    this.highlight = false;
    this.stateSource = null; // the source that has feature state set, if any
    const view = camera?.center
      ? { center: camera.center, zoom: camera.zoom }
      : { bounds: tileset.bounds, fitBoundsOptions: { padding: 24 } };
    // The first tileset is part of the initial style, so its tiles are requested as soon as the
    // style is parsed rather than after the map's `load` event.
    const id = `lbm:${tileset.id}`;
    const layers = [...style.layers];
    layers.splice(gridInsertIndex(layers), 0, ...this.#layers(id, tileset));
    this.map = new MapLibreMap({
      container,
      style: { ...style, sources: { ...style.sources, [id]: sourceOf(tileset) }, layers },
      ...view,
      minZoom: tileset.minzoom ?? 0,
      maxBounds: around(tileset.bounds, extent),
      maxZoom: MAX_ZOOM,
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      fadeDuration: test ? 0 : 200,
      canvasContextAttributes: { preserveDrawingBuffer: test, antialias: false },
      locale: mapLocale(),
      // In an embed the page around it scrolls: zooming takes Ctrl/⌘ + wheel, or two fingers.
      cooperativeGestures: cooperative,
      // The score layers and the built-in basemap come from the server's style documents
      // (tested there); an external basemap's style is checked.
      validateStyle: basemap === 'external',
    });
    if (wholeFirst) drawWhenLoaded(this.map);
    this.map.touchZoomRotate.disableRotation();
    this.map.keyboard.disableRotation();
    if (controls) {
      // Right after the first drawn view (a task after its `idle`): adding them cost the first
      // frames ~30 ms of the main thread (the attribution's forced layout, the zoom buttons' SVG
      // icons decoded and painted) while the tiles were still on their way.
      this.map.once('idle', () => setTimeout(() => {
        this.map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
        this.map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-right');
        this.attribution = new AttributionControl({ compact: true });
        this.map.addControl(this.attribution, 'bottom-right');
        collapseAttribution(this.map);
        localizeControls(this.map);
      }));
    }
    this.sourceId = id;
    this.selected = [];
    this.styleReady = new Promise((resolve) => this.map.once('load', resolve));
  }

  /** Shows `tileset`; the previous one stays drawn until the new one has loaded (no flash). */
  async show(tileset) {
    const [doc] = await Promise.all([this.docs.get(tileset.id) ?? loadTilesetStyle(tileset), this.styleReady]);
    this.docs.set(tileset.id, doc);
    const map = this.map;
    const id = `lbm:${tileset.id}`;
    if (this.sourceId === id) {
      this.select(this.selected);
      return;
    }
    const old = this.sourceId;
    this.sourceId = id;
    this.tileset = tileset;
    if (!map.getSource(id)) {
      map.addSource(id, sourceOf(tileset));
      // Below the tileset being replaced (and so below context and labels).
      const layers = map.getStyle().layers;
      // Under an overlay (the pressure marks) when there is one.
      const first = layers.find((l) => l.source?.startsWith('overlay:')) ?? layers[gridInsertIndex(layers)];
      const before = old ? layers.find((l) => l.source === old)?.id : first?.id;
      for (const layer of this.#layers(id, tileset)) map.addLayer(layer, before);
    }
    this.select(this.selected);
    // Drop older tilesets once the new one is drawn (or right away if it already is).
    const drop = () => {
      for (const src of Object.keys(map.getStyle().sources)) {
        if (src.startsWith('lbm:') && src !== this.sourceId) this.#remove(src);
      }
    };
    if (old) map.once('idle', drop);
    map.triggerRepaint();
  }

  /** Shows the state's level choice ('auto' or a level) on the current tileset (and overlay). */
  showLevel() {
    const choice = state.level;
    const map = this.map;
    if (!this.sourceId || !map.getSource(this.sourceId)) return;
    const overlay = this.overlay && map.getSource(`overlay:${this.overlay.id}`)
      ? scoreLayers(this.docs.get(this.overlay.id), `overlay:${this.overlay.id}`, choice) : [];
    for (const layer of [...this.#layers(this.sourceId, this.tileset), ...overlay]) {
      if (!map.getLayer(layer.id)) continue;
      map.setLayerZoomRange(layer.id, layer.minzoom ?? 0, layer.maxzoom ?? TOP_ZOOM);
      map.setLayoutProperty(layer.id, 'visibility', layer.layout.visibility);
    }
    map.triggerRepaint();
  }

  /**
   * Draws an overlay tileset (the "structureel onder druk" marks) over the scores and under the
   * basemap's labels, level by level as the scores; `null` removes it. Its source is
   * `overlay:{id}`, so that swapping the score tileset leaves it alone.
   */
  async setOverlay(tileset) {
    this.overlay = tileset ?? null;
    await this.styleReady;
    const map = this.map;
    const want = tileset ? `overlay:${tileset.id}` : null;
    for (const src of Object.keys(map.getStyle().sources)) {
      if (src.startsWith('overlay:') && src !== want) this.#remove(src);
    }
    if (!tileset || map.getSource(want)) return;
    const doc = this.docs.get(tileset.id) ?? await loadTilesetStyle(tileset);
    this.docs.set(tileset.id, doc);
    if (this.overlay !== tileset || map.getSource(want)) return; // switched meanwhile
    map.addSource(want, sourceOf(tileset));
    const layers = map.getStyle().layers;
    const before = layers[gridInsertIndex(layers)]?.id;
    for (const layer of scoreLayers(doc, want, state.level)) map.addLayer(layer, before);
    map.triggerRepaint();
  }

  /** The level drawn at the current zoom. */
  get levelShown() {
    return levelAt(this.tileset, state.level, this.map.getZoom());
  }

  /**
   * The layers of a tileset's source `id` (see scoreLayers): the highlight layers (role
   * `selected`) only once something was selected (`this.highlight`).
   */
  #layers(id, tileset) {
    const layers = scoreLayers(this.docs.get(tileset.id), id, state.level).map((l) => this.#faded(l));
    return this.highlight ? layers : layers.filter((l) => l.metadata['lbm:role'] !== 'selected');
  }

  /** A fill layer with its opacity times the state's (see showOpacity); others as they are. */
  #faded(layer) {
    const opacity = 1 - state.transparency / 100;
    if (layer.type !== 'fill' || opacity === 1) return layer;
    const paint = { ...(layer.paint ?? {}) };
    paint['fill-opacity'] = scaleOpacity(paint['fill-opacity'] ?? 1, opacity);
    return { ...layer, paint };
  }

  /**
   * Says the sources' attributions in the page's language (after a switch): MapLibre reads them
   * when a source is added, and its attribution control when it is added.
   */
  relabelAttribution(catalog) {
    const map = this.map;
    for (const tileset of [catalog.basemap, ...catalog.tilesets, ...catalog.changeTilesets]) {
      if (!tileset) continue;
      for (const id of [`lbm:${tileset.id}`, tileset.id]) {
        const source = map.getSource(id);
        if (source && 'attribution' in source) source.attribution = attributionOf(tileset);
      }
    }
    if (this.attribution) {
      map.removeControl(this.attribution);
      this.attribution = new AttributionControl({ compact: true });
      map.addControl(this.attribution, 'bottom-right');
      collapseAttribution(map);
      localizeControls(map);
    }
  }

  /** Draws the score fills at the state's transparency over the opacity their style gives them. */
  showOpacity() {
    const map = this.map;
    if (!this.sourceId || !map.getSource(this.sourceId)) return;
    for (const layer of this.#layers(this.sourceId, this.tileset)) {
      if (layer.type === 'fill' && map.getLayer(layer.id)) {
        map.setPaintProperty(layer.id, 'fill-opacity', layer.paint['fill-opacity']);
      }
    }
  }

  /**
   * Adds the current tileset's highlight layers, each right above its outline. Adding layers makes
   * MapLibre parse the source's tiles again, once, on the first selection: before that no tile
   * carries the per-feature paint of a highlight that nothing uses.
   */
  #addHighlight() {
    this.highlight = true;
    const map = this.map;
    const want = this.#layers(this.sourceId, this.tileset);
    const style = map.getStyle().layers;
    const ours = style.filter((l) => l.source === this.sourceId);
    const after = style[style.indexOf(ours[ours.length - 1]) + 1]?.id; // what lies above this source
    for (let i = want.length - 1; i >= 0; i--) {
      if (map.getLayer(want[i].id)) continue;
      const next = want.slice(i + 1).find((l) => map.getLayer(l.id))?.id ?? after;
      map.addLayer(want[i], next);
    }
  }

  #remove(src) {
    for (const layer of this.map.getStyle().layers) {
      if (layer.source === src) this.map.removeLayer(layer.id);
    }
    if (this.map.getSource(src)) this.map.removeSource(src);
  }

  /** True while a tileset other than the current one is still on the map. */
  get swapping() {
    if (!this.map.isStyleLoaded()) return true;
    return Object.keys(this.map.getStyle().sources).some((s) => s.startsWith('lbm:') && s !== this.sourceId);
  }

  /** The ids of the fill layers (one per class, and no data) of `level` of the current tileset. */
  fillLayers(level = 'grid') {
    const prefix = `${this.sourceId}:${level}:fill:`;
    return this.map.getStyle().layers.map((l) => l.id).filter((id) => id.startsWith(prefix));
  }

  /** The fill layers of `levels` that are shown (visible) now. */
  #shownFills(levels) {
    return levels.flatMap((l) => this.fillLayers(l))
      .filter((id) => this.map.getLayoutProperty(id, 'visibility') !== 'none');
  }

  /** The feature drawn at a screen point (a grid cell or an area), if any. */
  featureAt(point) {
    if (!this.sourceId) return null;
    const layers = this.#shownFills(['grid', ...areaLevels(this.tileset)]);
    if (layers.length === 0) return null;
    return this.map.queryRenderedFeatures(point, { layers })[0] ?? null;
  }

  /** The rendered feature of area `code` at `level` of the current tileset, if it is in view. */
  areaFeature(level, code) {
    const layers = this.fillLayers(level);
    if (layers.length === 0) return null;
    return this.map.queryRenderedFeatures({ layers }).find((f) => f.properties?.code === code) ?? null;
  }

  /**
   * The names of the areas at a screen point, finest first (buurt, wijk, gemeente): from the
   * built-in basemap's invisible area fills, which exist at every zoom, else from the score
   * tileset's area features drawn there.
   */
  areaNamesAt(point) {
    const levels = ['buurt', 'wijk', 'gemeente'];
    let layers = levels.map((l) => `basemap-${l}-hit`).filter((id) => this.map.getLayer(id));
    if (layers.length === 0 && this.sourceId) {
      layers = this.#shownFills(levels);
    }
    if (layers.length === 0) return [];
    const found = this.map.queryRenderedFeatures(point, { layers });
    const byLevel = new Map(found.map((f) => [f.sourceLayer, f.properties?.name]));
    return levels.map((l) => byLevel.get(l)).filter(Boolean);
  }

  /**
   * Highlights the features with these ids (feature-state `selected`) in source layer `layer`:
   * `grid` for cells, or an area level (area ids are the digits of their code).
   */
  select(ids, layer = this.selectedLayer ?? 'grid') {
    const map = this.map;
    this.selected = ids;
    this.selectedLayer = layer;
    if (!this.sourceId || !map.getSource(this.sourceId)) return;
    if (ids.length > 0 && !this.highlight) this.#addHighlight();
    // Clearing feature state makes MapLibre decode every loaded tile of the source again on the
    // main thread: only when this source has some.
    if (this.stateSource === this.sourceId) {
      for (const sourceLayer of ['grid', ...areaLevels(this.tileset)]) {
        map.removeFeatureState({ source: this.sourceId, sourceLayer });
      }
      this.stateSource = null;
    }
    if (layer !== 'grid' && !areaLevels(this.tileset).includes(layer)) return;
    for (const id of ids) map.setFeatureState({ source: this.sourceId, sourceLayer: layer, id }, { selected: true });
    if (ids.length > 0) this.stateSource = this.sourceId;
  }

}

/**
 * An opacity value (a number, or a zoom `interpolate`/`step` expression of numbers) times `f`:
 * zoom expressions must stay at the top, so their outputs are scaled rather than wrapped.
 */
export function scaleOpacity(value, f) {
  if (typeof value === 'number') return Math.round(value * f * 1000) / 1000;
  if (!Array.isArray(value)) return value;
  if (value[0] === 'interpolate') {
    return value.map((v, i) => (i >= 3 && (i - 3) % 2 === 1 ? scaleOpacity(v, f) : v));
  }
  if (value[0] === 'step') return value.map((v, i) => (i >= 2 && i % 2 === 0 ? scaleOpacity(v, f) : v));
  return value;
}

/**
 * Folds the compact attribution: MapLibre opens it on load, and open it covers a third of a
 * phone's map. The "i" button opens it.
 */
function collapseAttribution(map) {
  const el = map.getContainer().querySelector('.maplibregl-ctrl-attrib');
  el?.classList.remove('maplibregl-compact-show');
  el?.removeAttribute('open');
}

/** Labels MapLibre's own controls in the page's language (also after a switch). */
export function localizeControls(map) {
  const strings = mapLocale();
  for (const [selector, key] of [
    ['.maplibregl-ctrl-zoom-in', 'NavigationControl.ZoomIn'],
    ['.maplibregl-ctrl-zoom-out', 'NavigationControl.ZoomOut'],
    ['.maplibregl-ctrl-attrib-button', 'AttributionControl.ToggleAttribution'],
  ]) {
    for (const el of map.getContainer().querySelectorAll(selector)) {
      if (!strings[key]) continue;
      el.title = strings[key];
      el.setAttribute('aria-label', strings[key]);
    }
  }
}

/**
 * Calls `handler(lngLat, feature|null, {keyboard})` on click, and on Enter (for the map centre)
 * for keyboard users.
 */
export function onPick(grid, handler) {
  const map = grid.map;
  map.on('click', (e) => handler(e.lngLat, grid.featureAt(e.point), { keyboard: false }));
  // Hovering (or tapping) names the areas under the pointer (buurt, wijk, gemeente) at every zoom.
  const tip = Object.assign(document.createElement('div'), { className: 'hover-name' });
  tip.setAttribute('aria-hidden', 'true');
  tip.hidden = true;
  map.getContainer().append(tip);
  const name = (point) => {
    const names = grid.areaNamesAt(point);
    tip.hidden = names.length === 0;
    if (tip.hidden) return;
    tip.textContent = names.length > 1 ? `${names[0]}, ${names[names.length - 1]}` : names[0];
    tip.style.transform = `translate(${Math.round(point.x + 14)}px, ${Math.round(point.y + 14)}px)`;
  };
  map.on('mousemove', (e) => {
    map.getCanvas().style.cursor = grid.featureAt(e.point) ? 'pointer' : '';
    name(e.point);
  });
  // A tap beside the data names the place too (touch screens have no hover), until the map
  // moves; a tap on data opens its card, which names it: no name left lying over the card.
  map.on('click', (e) => {
    if (grid.featureAt(e.point)) tip.hidden = true;
    else name(e.point);
  });
  map.on('movestart', () => {
    tip.hidden = true;
  });
  map.on('mouseout', () => {
    tip.hidden = true;
  });
  onEnter(grid, handler);
}

/**
 * Calls `handler(centre, feature|null, {keyboard: true})` when Enter is pressed on the map: the
 * keyboard's pick of the place at the centre (the map's hint promises it).
 */
export function onEnter(grid, handler) {
  const map = grid.map;
  map.getCanvas().addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const c = map.getCenter();
    handler(c, grid.featureAt(map.project(c)), { keyboard: true });
  });
}

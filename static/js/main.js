// Boot: read the state from the URL, load catalog and config, build the map, wire the modules.
// The same module runs `/` (data-mode="full") and `/embed` (data-mode="embed": map, legend, link).
// For tests: window.lbm = { map, state, ready } and body[data-state] = "loading" | "idle".

import { state, update, subscribe, parseUrl, urlFor } from './state.js';
import {
  loadCatalog, loadConfig, loadTilesetStyle, prefetchStyle, styleUrl, hasReports, lookupAddress, ROOT,
} from './api.js';
import { Catalog } from './catalog.js';
import { renderLegend, renderCellSize, renderLevel, pressureColor } from './legend.js';
import { setLang, t, pick, translate } from './i18n.js';

// MapLibre (1 MB of script) loads and compiles while the catalog and config are fetched.
const catalogRequest = Promise.all([loadCatalog(), loadConfig()]);
const mapModules = Promise.all([import('./map.js'), import('./compare.js')]);
catalogRequest.catch(() => {});
mapModules.catch(() => {});

const embed = document.body.dataset.mode === 'embed';
const test = new URLSearchParams(location.search).has('test');
const $ = (id) => document.getElementById(id);

let markReady;
let failReady;
const ready = new Promise((resolve, reject) => {
  markReady = resolve;
  failReady = reject;
});
ready.catch(() => {}); // reported on the page; tests await it themselves
window.lbm = { map: null, state, ready, catalog: null };

function showMessage(text) {
  const box = $('message');
  box.textContent = text;
  box.hidden = !text;
}

/** The spinner and body[data-state] follow the maps: loading from `dataloading` to `idle`. */
function trackLoading(grids) {
  const setBusy = (busy) => {
    document.body.dataset.state = busy ? 'loading' : 'idle';
    $('spinner').classList.toggle('visible', busy);
    $('spinner').setAttribute('aria-hidden', String(!busy)); // not read out while invisible
  };
  const check = () => setBusy(!grids().every((g) => g.map.loaded() && !g.swapping));
  return {
    watch(grid) {
      grid.map.on('dataloading', () => setBusy(true));
      grid.map.on('idle', check);
    },
    busy: () => setBusy(true),
  };
}

function watchErrors(grid) {
  grid.map.on('error', (e) => {
    const src = e.sourceId ?? e.source?.id ?? '';
    const status = e.error?.status;
    console.warn('map error', src, e.error?.message ?? e.error);
    if (src.startsWith('lbm:') && (status === undefined || status >= 400)) {
      showMessage(t('tilesetError', { id: src.slice(4) }));
    }
  });
}

async function boot() {
  update(parseUrl(location.href), { quiet: true });
  setLang();
  translate();

  let catalog;
  let config;
  try {
    const [json, cfg] = await catalogRequest;
    performance.mark('lbm:catalog');
    catalog = new Catalog(json);
    config = cfg;
    if (catalog.measures.length === 0) throw new Error('the catalog lists no score tilesets');
  } catch (err) {
    showMessage(t('catalogError'));
    document.body.dataset.state = 'error';
    $('spinner').classList.remove('visible');
    throw err;
  }
  window.lbm.catalog = catalog;

  // Make the URL's state valid for this catalog (before anything listens or the URL is
  // rewritten: the page then starts from it).
  const valid = {};
  valid.measure = catalog.measure(state.measure) ? state.measure : catalog.measures[0].id;
  const years = catalog.years(valid.measure);
  valid.year = Catalog.nearest(years, state.year);
  if (!years.includes(state.compare) || state.compare === valid.year) valid.compare = null;
  if (state.mode === 'change') {
    const pair = catalog.nearestChange(valid.measure, state.from, state.to);
    if (pair) Object.assign(valid, { from: pair.from, to: pair.to, compare: null });
    else valid.mode = 'score';
  }
  update(valid, { quiet: true });
  const changeMode = () => state.mode === 'change';
  const tileset = () => (changeMode()
    ? catalog.changeTileset(state.measure, state.from, state.to)
    : catalog.tileset(state.measure, state.year));
  const compareTileset = () => (state.compare === null || changeMode() ? null : catalog.tileset(state.measure, state.compare));

  const first = tileset();
  // The basemap's style (the configured one, else the built-in one) is asked for beside the
  // tileset's, not a round trip after it, once MapLibre has loaded (see baseStyle).
  prefetchStyle(config?.basemap || (catalog.basemap?.style && styleUrl(catalog.basemap)));
  let doc;
  try {
    doc = first && (await loadTilesetStyle(first));
  } catch (err) {
    showMessage(t('tilesetError', { id: first.id }));
    throw err;
  }
  const [{
    GridMap, baseStyle, onPick, landColor, addOutline, earlyWorker, localizeControls, levelPlan,
  }, { Compare }] = await mapModules;
  performance.mark('lbm:maplibre');
  const { style, basemap } = await baseStyle(config, doc, catalog.basemap);
  // The page behind the map and the legend's swatch of unpopulated land: the style's land colour.
  document.documentElement.style.setProperty('--land', landColor(doc));
  document.body.classList.toggle('has-basemap', Boolean(basemap));
  window.lbm.basemap = basemap;
  // With the built-in basemap the whole country can be looked at, scores or not.
  const extent = basemap === 'builtin' ? catalog.basemap.bounds : null;
  const grid = new GridMap($('map'), {
    style, basemap, extent, tileset: first, doc, camera: state, test, controls: true,
    cooperative: embed,
  });
  // The skip link goes to the map itself (focus on its canvas), not to `#map` in the address.
  document.querySelector('.skip-link')?.addEventListener('click', (e) => {
    e.preventDefault();
    grid.map.getCanvas().focus();
  });
  const map = grid.map;
  performance.mark('lbm:map');
  // The first `idle`: every tile in view loaded and drawn. Listened for from the start: it comes in
  // the very frame that fires `load` (see drawWhenLoaded in map.js), before showLayers() is done.
  const firstIdle = new Promise((resolve) => map.once('idle', () => resolve(performance.now())));
  window.lbm.map = map;
  window.lbm.earlyWorker = earlyWorker;
  window.lbm.grid = grid;
  const canvas = map.getCanvas();
  canvas.setAttribute('aria-label', t('map'));
  canvas.setAttribute('aria-describedby', 'map-help');

  const compare = new Compare(grid, $('map-wrap'), { style, basemap, extent, test });
  window.lbm.compare = compare;
  const grids = () => (compare.active ? [grid, compare.grid] : [grid]);
  const loading = trackLoading(grids);
  loading.watch(grid);
  watchErrors(grid);

  // The camera lives in the state too (and so in the URL hash).
  const saveCamera = () => {
    const c = map.getCenter();
    update({ center: [c.lng, c.lat], zoom: map.getZoom() });
  };
  map.on('moveend', saveCamera);
  map.once('load', () => {
    performance.mark('lbm:style');
    saveCamera();
  });
  addEventListener('hashchange', () => {
    const s = parseUrl(location.href);
    if (s.center) map.jumpTo({ center: s.center, zoom: s.zoom });
  });

  const cellSize = () => {
    const level = grid.levelShown;
    renderCellSize($('legend'), level === 'grid' ? tileset() : null, map.getZoom());
    renderLevel($('legend'), tileset()?.areas?.length ? level : null);
    document.body.dataset.level = level;
  };
  const legend = () => {
    const marks = state.pressure && catalog.pressure;
    renderLegend($('legend'), {
      tileset: tileset(), measure: catalog.measure(state.measure), year: state.year, compare: state.compare,
      change: changeMode() ? { from: state.from, to: state.to } : null,
      pressure: marks ? { tileset: catalog.pressure, color: pressureColor(grid.docs.get(catalog.pressure.id)) } : null,
    });
    cellSize();
  };
  map.on('zoomend', cellSize);

  /** The "structureel onder druk" overlay on every map shown, when it is switched on. */
  const overlay = () => Promise.all(grids().map((g) => g.setOverlay(state.pressure ? catalog.pressure : null)));

  async function showLayers() {
    const ts = tileset();
    if (!ts) {
      showMessage(t('noTileset', { measure: pick(catalog.measure(state.measure), 'name'), year: state.year }));
      return;
    }
    showMessage('');
    loading.busy();
    const other = compareTileset();
    // MapLibre drops 404 tiles silently (as empty); ask the server once whether the tileset exists.
    for (const one of [ts, other]) if (one) probe(one);
    const jobs = [grid.show(ts)];
    if (other) {
      const fresh = !compare.active;
      // The compare map exists once its tileset's style document is in.
      jobs.push(compare.show(other, [state.year, state.compare]).then(() => {
        if (!fresh) return;
        loading.watch(compare.grid);
        watchErrors(compare.grid);
        onPick(compare.grid, pickCell);
      }));
    } else {
      compare.close();
    }
    await Promise.all(jobs);
    await overlay();
    for (const g of grids()) g.map.triggerRepaint(); // a render, hence an `idle`, even when nothing loads
  }

  // After the tiles in view are drawn: not a request competing with them.
  function probe(ts) {
    if (!ts.tilejson) return;
    grid.map.once('idle', () => fetch(new URL(ts.tilejson, location.href))
      .then((res) => {
        if (!res.ok) throw new Error(`${ts.tilejson}: HTTP ${res.status}`);
      })
      .catch((err) => {
        console.warn(err);
        if ([tileset(), compareTileset()].includes(ts)) showMessage(t('tilesetError', { id: ts.id }));
      }));
  }

  let info = null;
  const phone = window.matchMedia('(max-width: 720px)');
  // On a phone the card covers the lower half of the map: a place is shown in the upper half,
  // above it (the middle of the part left free), and an area fits into that part.
  const mapHeight = () => map.getCanvas().getBoundingClientRect().height;
  const cardOffset = () => [0, phone.matches ? -mapHeight() / 4 : 0];
  const cardPadding = () => (phone.matches ? { top: 24, left: 24, right: 24, bottom: mapHeight() * 0.55 } : 40);
  /**
   * Moves `lngLat` above the card on a phone (it may lie under it), once the card is open and the
   * sheet has folded away (the map is then taller).
   */
  function keepAboveCard(lngLat) {
    if (!phone.matches) return;
    // After the sheet's observer (a microtask queued by the card's opening) has folded it.
    queueMicrotask(() => {
      map.resize();
      map.easeTo({ center: lngLat, offset: cardOffset(), duration: test ? 0 : 300 });
    });
  }
  // A click where no cell or area is drawn (land without residents, "geen bewoning") opens the
  // panel too: it says why there is no score there and names the areas around.
  function pickCell(lngLat, feature) {
    if (!info) return;
    info.open(lngLat, feature);
    keepAboveCard(lngLat);
  }

  /**
   * Flies to a search result's bbox, and once the map is there outlines it and opens its panel.
   * An area is shown at a zoom where its own level is drawn, so the outline, the colour and the
   * panel are all about it.
   */
  function flyTo(result) {
    // The count of inputs at the pick: the panel that opens after the flight does not take the
    // focus from whatever the person has typed or clicked since.
    const since = info?.inputCount() ?? 0;
    if (result.kind === 'address') {
      goToAddress(result, since);
      return;
    }
    // An area not on the map (its boundary file had no usable polygon for it): its panel,
    // with its scores, without moving the map.
    if (result.kind === 'area' && (result.on_map === false || !result.bbox)) {
      window.lbm.lastSearch = result;
      info?.open(null, null, result, since);
      return;
    }
    const [w, s, e, n] = result.bbox;
    const cell = result.kind === 'cell';
    let maxZoom = cell ? 15 : 14;
    const band = cell ? null : levelPlan(grid.tileset, state.level).find((b) => b.level === result.level);
    if (band) maxZoom = Math.min(maxZoom, band.max - 0.05);
    // Listen first: without animation (tests) `moveend` fires within fitBounds.
    map.once('moveend', () => {
      window.lbm.lastSearch = result;
      if (band && map.getZoom() < band.min) map.jumpTo({ zoom: band.min });
      // The found area is outlined (by the feature id search gives) at its own level.
      if (!cell) for (const g of grids()) g.select([result.feature_id], result.level);
      if (!info) return;
      const [lng, lat] = result.center;
      map.once('idle', () => {
        if (cell) info.open({ lng, lat }, grid.featureAt(map.project([lng, lat])), null, since);
        // An area by its code (its centre lies inside it, also when it is concave).
        else info.open({ lng, lat }, grid.areaFeature(result.level, result.code), result, since);
        keepAboveCard({ lng, lat });
      });
      map.triggerRepaint();
    });
    map.fitBounds([[w, s], [e, n]], { padding: cardPadding(), maxZoom, duration: test ? 0 : 1200 });
  }

  /** How close to go to a geocoder result, by its kind: a house, a street or postcode, a place. */
  const ADDRESS_ZOOM = { adres: 16, postcode: 15.5, weg: 15, woonplaats: 12 };

  /**
   * Goes to a geocoder result: its place by the geocoder's `lookup` (`centroide_ll`), then the
   * panel of the 100 m cell there, with its buurt, wijk and gemeente; `since` as for `info.open`.
   */
  async function goToAddress(result, since) {
    let place = null;
    try {
      place = await lookupAddress(result.id);
    } catch (err) {
      console.error(err);
    }
    const help = $('search-help');
    if (!place) {
      help.dataset.i18n = 'searchAddressFailed';
      help.textContent = t('searchAddressFailed');
      return;
    }
    const center = [place.lng, place.lat];
    const zoom = Math.min(ADDRESS_ZOOM[place.type ?? result.type] ?? 15, map.getMaxZoom());
    map.once('moveend', () => {
      window.lbm.lastSearch = { ...result, center };
      if (!info) return;
      map.once('idle', () => {
        info.open({ lng: place.lng, lat: place.lat }, grid.featureAt(map.project(center)), null, since);
        keepAboveCard({ lng: place.lng, lat: place.lat });
      });
      map.triggerRepaint();
    });
    map.flyTo({ center, zoom, offset: cardOffset(), duration: test ? 0 : 1200 });
  }

  if (embed) {
    const link = $('full-link');
    const sync = () => { link.href = new URL(urlFor('./'), ROOT).href; };
    subscribe(sync);
    sync();
    const { initEmbed } = await import('./embed.js');
    initEmbed({ grid, catalog, legend: $('legend') });
  } else {
    const [{ initControls }, { initInfo }, { initShare }, { initSearch }, { initReport }] = await Promise.all([
      import('./controls.js'), import('./info.js'), import('./share.js'), import('./search.js'), import('./report.js'),
    ]);
    initControls(catalog);
    // Reports need the index: the server's API, or a static site's exported documents.
    const report = hasReports() ? initReport(catalog) : null;
    $('report-open').hidden = !report;
    info = initInfo(catalog, {
      returnFocus: canvas,
      onReport: report ? (code) => report.open(code) : null,
      onSelect: (ids, layer) => {
        for (const g of grids()) g.select(ids, layer);
      },
    });
    initShare();
    $('snapshot').addEventListener('click', () => saveSnapshot(map).catch((err) => {
      console.error(err);
      $('share-status').textContent = t('snapshotError');
    }));
    initAbout(catalog);
    initSearch({ onPick: flyTo });
    onPick(grid, pickCell);
    window.lbm.info = info;
    window.lbm.report = report;
    initSheet();
  }

  subscribe((keys) => {
    if (keys.includes('lang')) {
      setLang();
      translate();
      canvas.setAttribute('aria-label', t('map'));
      compare.relabel();
    }
    if (keys.includes('lang')) {
      for (const g of grids()) localizeControls(g.map);
      grid.relabelAttribution(catalog);
    }
    if (keys.includes('level')) {
      for (const g of grids()) g.showLevel();
      // What the panel showed was picked at the old level: it would now contradict the map.
      info?.close();
    }
    if (keys.includes('transparency')) for (const g of grids()) g.showOpacity();
    if (keys.includes('pressure')) overlay().then(legend).catch(console.error);
    if (keys.some((k) => ['measure', 'year', 'compare', 'lang', 'mode', 'from', 'to', 'level'].includes(k))) legend();
    if (keys.some((k) => ['measure', 'year', 'compare', 'mode', 'from', 'to'].includes(k))) showLayers().catch(console.error);
  });
  legend();
  await showLayers();
  const idleAt = await firstIdle;
  performance.mark('lbm:idle', { startTime: idleAt });
  window.lbm.readyAt = idleAt; // ms since navigation start, for the benchmark
  if (!basemap) addOutline(map); // context after the scores are drawn
  // A shared link reopens the panel of the place it was made with.
  if (state.pick && info) {
    const [lng, lat] = state.pick;
    // Asked for by the page load itself: the panel does not take the focus from a box the
    // person clicked into while the page loaded.
    info.open({ lng, lat }, grid.featureAt(map.project([lng, lat])), null, 0);
    keepAboveCard({ lng, lat });
  }
  markReady(window.lbm);
}

/**
 * Saves the view as a PNG for a memo: the map, titled with the Thema and year (or period), the
 * legend and its note as the page shows them, a scale bar and the attribution.
 */
async function saveSnapshot(map) {
  const { mapSnapshot, creditsOf } = await import('./snapshot.js');
  const legend = $('legend');
  const text = (sel) => legend.querySelector(sel)?.textContent.trim() ?? '';
  const entries = [...legend.querySelectorAll('.legend-list li')].map((li) => ({
    color: getComputedStyle(li.querySelector('.swatch')).backgroundColor,
    label: li.querySelector('.legend-label')?.textContent ?? '',
  }));
  const level = text('.legend-level');
  // Every source once: the basemap and the scores credit the same geography.
  const credits = document.querySelector('.maplibregl-ctrl-attrib-inner')?.textContent ?? '';
  const attribution = creditsOf(credits);
  const blob = await mapSnapshot(map, {
    title: t('panelTitle'),
    subtitle: [text('.legend-sub'), level, text('.legend-cells')].filter(Boolean).join(' · '),
    legendTitle: t('legend'),
    legend: entries,
    note: text('.legend-note'),
    attribution: `${t('source')}: ${attribution}`,
  });
  const when = state.mode === 'change' ? `${state.from}-${state.to}` : state.year;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `leefbaarometer-${state.measure}-${when}.png`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** "Over deze kaart": what the classes, the reference and a change class mean. */
function initAbout(catalog) {
  const dialog = $('about-dialog');
  // The tilesets say themselves when their scores are synthetic (their attribution).
  $('about-demo').hidden = !catalog.tilesets.some((t) => /synthetic/i.test(t.attribution ?? ''));
  $('about-open').addEventListener('click', () => dialog.showModal());
  $('about-close').addEventListener('click', () => dialog.close());
}

/** On phones the panel is a bottom sheet that folds away to show the map. */
function initSheet() {
  const toggle = $('panel-toggle');
  const setOpen = (open) => {
    toggle.setAttribute('aria-expanded', String(open));
    $('panel').classList.toggle('collapsed', !open);
  };
  toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  // On a phone an open card folds the sheet away, so the map keeps most of the screen; closing
  // the card unfolds it again (☰ opens it meanwhile).
  const phone = window.matchMedia('(max-width: 720px)');
  let cardOpen = document.body.classList.contains('info-open');
  new MutationObserver(() => {
    const open = document.body.classList.contains('info-open');
    if (open === cardOpen) return;
    cardOpen = open;
    if (phone.matches) setOpen(!open);
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

boot().catch((err) => {
  console.error(err);
  failReady(err);
});

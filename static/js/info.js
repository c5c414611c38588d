// The info panel for a clicked (or, with Enter, the centred) cell or area. It leads with the
// chosen Thema: its value and class (in Ontwikkeling its change and change class), what the class
// is measured against, then the other measures, the gemeente/wijk/buurt at the place and a chart
// of the Thema over the years. Values and classes come from /api/v1/point, which returns what the
// tiles carry; on a static site, from the clicked feature itself.

import { state, subscribe, update } from './state.js';
import { loadArea, loadPoint, hasApi } from './api.js';
import { classEntry } from './catalog.js';
import { t, pick, formatValue, formatSigned, levelName, isLevel, areaTitle } from './i18n.js';
import { el } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

const svg = (tag, attrs) => {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};
const fmt = formatValue;
const signed = formatSigned;
const value = (row, m) => row?.values?.[m] ?? row?.[m];

export function initInfo(catalog, { onSelect, returnFocus, onReport }) {
  const panel = document.getElementById('info');
  // How often the person pressed a key or a pointer or moved the focus (outside the panel): a
  // panel that finished loading after one of those leaves the focus where they put it (typing a
  // new search, say). A count, not event times: those are on another clock in some browsers.
  let inputs = 0;
  for (const type of ['keydown', 'pointerdown', 'focusin']) {
    document.addEventListener(type, (e) => {
      if (!panel.contains(e.target)) inputs += 1;
    }, { capture: true });
  }
  const body = document.getElementById('info-body');
  const title = document.getElementById('info-title');
  let point = null; // the last /api/v1/point answer
  let picked = null; // the clicked feature's properties, with the tileset they came from
  let request = 0;

  const change = () => (state.mode === 'change' ? { from: state.from, to: state.to } : null);
  const shownYear = () => (state.mode === 'change' ? state.to : state.year);
  const scoreClasses = (m) => catalog.classification(m);
  const changeClasses = (m) => catalog.changeClassification(m, state.from, state.to);
  const measureName = (m) => pick(catalog.measure(m), 'name') || m;
  const classText = (c, k) => (k ? t('classLabel', { k, label: pick(classEntry(c, k), 'label') }) : t('noData'));

  function close() {
    if (panel.hidden) return;
    update({ pick: null });
    const hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    if (hadFocus) returnFocus?.focus();
    point = null;
    onSelect([], 'grid');
    document.body.classList.remove('info-open');
  }

  /**
   * Opens the panel of what was picked at `lngLat`: the clicked `feature` (an area or a cell),
   * or, with `area` (a search result's `{code, level, name}`), that area by its code through
   * the area API: never by a point look-up, which could land in a neighbour. `since` is the
   * count of the person's inputs (`inputCount()`) when they asked for it (a search pick opens
   * the panel only after the map has flown there; a shared link when the page loads, 0): the
   * panel takes the focus only if they have not pressed a key or a pointer since.
   */
  async function open(lngLat, feature, area = null, since = inputs) {
    const mine = ++request;
    // The place picked is part of the state, so a shared link opens the same panel (an area's
    // centre lies inside it, so its point look-up finds the same area).
    // An area not on the map has no place to share: the panel opens where the map is.
    if (lngLat) update({ pick: [lngLat.lng, lngLat.lat] });
    panel.hidden = false;
    document.body.classList.add('info-open');
    const layer = area?.level ?? feature?.sourceLayer ?? 'grid';
    const props = area ? { code: area.code, name: area.name } : feature?.properties;
    picked = props ? { ...props, layer, measure: state.measure, year: state.year, mode: state.mode, from: state.from, to: state.to } : null;
    title.textContent = pickedTitle() ?? t('cell');
    panel.dataset.level = layer;
    body.replaceChildren(el('p', 'muted', t('loadingCell')));
    panel.dataset.state = 'loading';
    // A searched area's outline: its feature id is the digits of its code.
    const ids = feature?.id !== undefined ? [feature.id] : area?.feature_id !== undefined ? [area.feature_id] : [];
    onSelect(ids, layer);
    try {
      const p = area ? asPoint(await loadArea(area.code)) : await loadPoint(lngLat.lng, lngLat.lat);
      if (mine !== request) return;
      point = p;
      if (p?.feature_id != null && layer === 'grid') onSelect([...new Set([...ids, p.feature_id])], 'grid');
      render();
      panel.dataset.state = 'ready';
    } catch (err) {
      if (mine !== request) return;
      body.replaceChildren(el('p', 'error', t('pointError')));
      panel.dataset.state = 'error';
      console.error(err);
    }
    if (inputs === since) title.focus({ preventScroll: true });
  }

  /** An area API answer in the shape of a point answer without a cell. */
  function asPoint(a) {
    return { cell: null, years: [], changes: [], coarse_cells: [], areas: a.areas, on_map: a.on_map };
  }

  /** "Gemeente Utrecht" for a clicked area, "Cel E1213N4879" for a clicked cell. */
  function pickedTitle() {
    if (!picked) return null;
    if (picked.layer !== 'grid' && picked.name) return isLevel(picked.layer) ? areaTitle(picked.layer, picked.name) : `${t('cell')} ${picked.name}`;
    return picked.cell ? coarseTitle(picked.cell) ?? `${t('cell')} ${picked.cell}` : null;
  }

  /**
   * The title of a coarser cell by its tile label (`E1200N4800/800m`): its size and the 100 m
   * cells at its corners (`Cel van 800 × 800 m: E1200N4800–E1207N4807`), as the point API
   * describes the cells at the place; null for a 100 m cell.
   */
  function coarseTitle(label) {
    const c = point?.coarse_cells?.find((k) => k.label === label);
    return c ? t('coarseCellTitle', { size: c.size, from: c.first, to: c.last }) : null;
  }

  /** The clicked area in the point answer (its time series), when an area was clicked. */
  function pickedArea() {
    if (!picked || picked.layer === 'grid' || !point?.areas) return null;
    return point.areas.find((a) => a.level === picked.layer && (!picked.code || a.code === picked.code)) ?? null;
  }

  /** Whether the clicked feature came from the tileset now shown (its tile values still apply). */
  const pickedIsCurrent = () => picked && picked.measure === state.measure && picked.mode === state.mode
    && (state.mode === 'change' ? picked.from === state.from && picked.to === state.to : picked.year === state.year);

  function render() {
    if (panel.hidden || panel.dataset.state === 'error') return;
    if (!hasApi()) {
      renderFromTile();
      return;
    }
    const coarse = coarseBlock();
    const areas = point?.areas?.length ? areasBlock(point.areas) : null;
    // What the panel is about: the clicked area (its own scores), else the 100 m cell.
    const area = pickedArea();
    const subject = area ?? (point?.cell ? point : null);
    if (!subject) {
      title.textContent = pickedTitle() ?? t('cell');
      const why = coarse ? 'noCellHere' : areas ? 'noCellAreasOnly' : 'noCell';
      body.replaceChildren(...[coarse, areas].filter(Boolean), el('p', 'muted', t(why)));
      delete panel.dataset.cell;
      delete panel.dataset.area;
      return;
    }
    // A coarser cell is named by its size and extent, not by the 100 m cell at the click.
    const coarseCell = picked?.cell && coarseTitle(picked.cell) && pickedIsCurrent();
    title.textContent = area || coarseCell ? pickedTitle() : `${t('cell')} ${point.cell}`;
    const year = shownYear();
    const where = area ? area.code : `RD ${point.x}, ${point.y}`;
    const when = change() ? `${state.from} → ${state.to}` : String(year);
    const parts = [el('p', 'muted info-sub', `${when} · ${where}`)];
    if (coarse) parts.push(coarse);
    if (change()) {
      parts.push(...changeBlocks(subject));
    } else {
      const row = subject.years.find((y) => y.year === year);
      if (!row) {
        parts.push(noDataBlock(t('noDataFor', { year })));
      } else {
        const other = state.compare !== null ? subject.years.find((y) => y.year === state.compare) : null;
        parts.push(leadBlock(row, other), ...otherBlocks(row));
      }
    }
    if (area && point.on_map === false) parts.push(el('p', 'note not-on-map', t('notOnMap')));
    if (area) parts.push(sourceNote(area.level));
    if (area && onReport) parts.push(reportButton(area));
    if (areas) parts.push(areas);
    parts.push(chartBlock(subject));
    body.replaceChildren(...parts.filter(Boolean));
    if (point.cell && !area) panel.dataset.cell = point.cell;
    else delete panel.dataset.cell;
    if (area) panel.dataset.area = area.code;
    else delete panel.dataset.area;
  }

  /** Where the area's scores come from (its level's `scores` in the tileset metadata). */
  function sourceNote(level) {
    const from = catalog.areaScores(level);
    if (!from) return null;
    const p = el('p', 'muted area-source', t(from === 'file' ? 'scoresFile' : 'scoresDerived'));
    p.dataset.scores = from;
    return p;
  }

  /** Opens the report of the clicked area (its class shares over the years). */
  function reportButton(area) {
    const button = el('button', 'report-button', t('reportArea'));
    button.type = 'button';
    button.dataset.code = area.code;
    button.addEventListener('click', () => onReport(area.code));
    return button;
  }

  function noDataBlock(text) {
    const box = el('div', 'lead no-data');
    box.dataset.measure = state.measure;
    const sw = el('span', 'swatch big swatch-nodata');
    const c = change() ? changeClasses(state.measure) : scoreClasses(state.measure);
    if (c?.no_data?.color) sw.style.background = c.no_data.color;
    const text_ = el('div');
    text_.append(el('div', 'lead-label', measureName(state.measure)), el('div', 'lead-class', text));
    box.append(sw, text_);
    return box;
  }

  /** A swatch in a class colour (or the no-data colour without a class). */
  function swatch(c, k, big = false) {
    const sw = el('span', big ? 'swatch big' : 'swatch');
    sw.style.background = classEntry(c, k)?.color ?? '';
    return sw;
  }

  /**
   * The chosen Thema first: its value, its class, and what the class is measured against (for
   * the total score its afw against the national reference level).
   */
  function leadBlock(row, other) {
    const m = state.measure;
    const c = scoreClasses(m);
    const v = value(row, m);
    const k = row.classes?.[m];
    const box = el('div', 'lead');
    box.dataset.measure = m;
    if (v !== null && v !== undefined) box.dataset.value = String(v);
    if (k) box.dataset.class = String(k);
    const text = el('div');
    text.append(el('div', 'lead-label', measureName(m)), el('div', 'lead-value', fmt(v)),
      el('div', 'lead-class', classText(c, k)));
    const basis = basisLine(row, m);
    if (basis) text.append(basis);
    if (other) {
      const ko = other.classes?.[m];
      const line = el('div', 'lead-compare', `${other.year}: ${fmt(value(other, m))} · ${classText(c, ko)}`);
      line.dataset.year = other.year;
      text.append(line);
    }
    box.append(swatch(c, k, true), text);
    return box;
  }

  /** "afw +0,120: boven het landelijk referentieniveau (4,000)" for the total score. */
  function basisLine(row, m) {
    const c = scoreClasses(m);
    if (!c?.basis || c.basis === m) return null;
    const b = value(row, c.basis);
    if (b === null || b === undefined) return null;
    const ref = catalog.tileset(m, row.year)?.reference;
    const key = b > 0 ? 'aboveReference' : b < 0 ? 'belowReference' : 'atReference';
    const line = el('div', 'lead-basis', t(key, { v: signed(b), ref: ref ? fmt(ref.value) : '' }).replace(' ()', ''));
    line.dataset.basis = c.basis;
    line.dataset.value = String(b);
    return line;
  }

  /** The other measures: the total score (when a dimension leads) and the five dimensions. */
  function otherBlocks(row) {
    const m = state.measure;
    const out = [];
    if (m !== 'lbm' && catalog.measure('lbm')) {
      const c = scoreClasses('lbm');
      const k = row.classes?.lbm;
      const p = el('p', 'other-total');
      p.dataset.measure = 'lbm';
      p.append(swatch(c, k), el('span', null, `${measureName('lbm')}: ${fmt(value(row, 'lbm'))} · ${classText(c, k)}`));
      out.push(p);
    }
    out.push(dimensionBlock(row));
    return out;
  }

  function dimensionBlock(row) {
    const wrap = el('div', 'dims');
    wrap.append(el('h3', null, t('dimensions')));
    const present = catalog.measures.map((x) => x.id).filter((d) => d !== 'lbm');
    const scale = Math.max(0.3, ...present.map((d) => Math.abs(value(row, d) ?? 0)));
    const list = el('ul', 'dim-list');
    for (const d of present) {
      const v = value(row, d);
      const k = row.classes?.[d];
      const c = scoreClasses(d);
      const li = el('li', d === state.measure ? 'dim current' : 'dim');
      li.dataset.measure = d;
      if (d === state.measure) li.setAttribute('aria-current', 'true');
      if (v !== null && v !== undefined) li.dataset.value = String(v);
      if (k) li.dataset.class = String(k);
      const name = el('span', 'dim-name', measureName(d));
      const track = el('span', 'dim-track');
      const bar = el('span', 'dim-bar');
      if (v !== null && v !== undefined) {
        const w = (Math.abs(v) / scale) * 50;
        bar.style.width = `${w}%`;
        bar.style.left = v >= 0 ? '50%' : `${50 - w}%`;
        bar.style.background = classEntry(c, k)?.color ?? '#999';
      }
      track.append(bar);
      const shown = el('span', 'dim-value', v === null || v === undefined ? '–' : signed(v));
      li.setAttribute('aria-label', `${name.textContent}: ${shown.textContent}, ${classText(c, k)}`);
      li.append(name, track, shown);
      list.append(li);
    }
    wrap.append(list);
    const axis = el('div', 'dim dim-axis');
    axis.setAttribute('aria-hidden', 'true');
    const labels = el('span', 'dim-axis-labels');
    labels.append(el('span', null, `← ${t('belowAverage')}`), el('span', null, `${t('aboveAverage')} →`));
    axis.append(el('span'), labels);
    wrap.append(axis);
    return wrap;
  }

  /** In Ontwikkeling: the change of the chosen Thema (value and change class), then the others. */
  function changeBlocks(subject) {
    const m = state.measure;
    const { from, to } = change();
    const ch = subject.changes?.find((x) => x.from === from && x.to === to);
    const d = ch?.values?.[m];
    if (d === undefined || d === null) {
      const missing = [from, to].find((y) => !subject.years.some((r) => r.year === y && value(r, m) !== undefined));
      return [noDataBlock(t('noDataFor', { year: missing ?? `${from} → ${to}` }))];
    }
    const c = changeClasses(m);
    const k = ch.classes?.[m];
    const box = el('div', 'lead change');
    box.dataset.measure = m;
    box.dataset.value = String(d);
    if (k) box.dataset.class = String(k);
    const text = el('div');
    text.append(el('div', 'lead-label', `${measureName(m)} · ${t('changeValue', { from, to })}`),
      el('div', 'lead-value', signed(d)), el('div', 'lead-class', classText(c, k)));
    const a = subject.years.find((y) => y.year === from);
    const b = subject.years.find((y) => y.year === to);
    const sc = scoreClasses(m);
    const both = el('div', 'lead-basis', t('changeFromTo', {
      from, to, a: fmt(value(a, m)), b: fmt(value(b, m)), ka: classText(sc, a?.classes?.[m]), kb: classText(sc, b?.classes?.[m]),
    }));
    text.append(both);
    box.append(swatch(c, k, true), text);
    const others = el('ul', 'change-list');
    for (const x of catalog.measures.map((y) => y.id).filter((y) => y !== m)) {
      const v = ch.values?.[x];
      if (v === undefined) continue;
      const kc = ch.classes?.[x];
      const li = el('li');
      li.dataset.measure = x;
      if (kc) li.dataset.class = String(kc);
      li.append(swatch(changeClasses(x), kc), el('span', 'area-name', measureName(x)), el('span', 'area-value', signed(v)));
      li.setAttribute('aria-label', `${measureName(x)}: ${signed(v)}, ${classText(changeClasses(x), kc)}`);
      others.append(li);
    }
    const wrap = el('div', 'changes');
    wrap.append(el('h3', null, t('otherChanges')), others);
    return [box, wrap];
  }

  /**
   * The gemeente, wijk and buurt at the place (from /api/v1/point `areas`): each with the shown
   * Thema's value and class in the shown year, or in Ontwikkeling its change and change class.
   */
  function areasBlock(areas) {
    const m = state.measure;
    const year = shownYear();
    const ch = change();
    const c = ch ? changeClasses(m) : scoreClasses(m);
    const wrap = el('div', 'areas');
    wrap.append(el('h3', null, `${t('areas')} · ${measureName(m)} ${ch ? `${ch.from} → ${ch.to}` : year}`));
    const list = el('ul', 'areas-list');
    for (const a of areas) {
      let v;
      let k;
      if (ch) {
        const x = a.changes?.find((y) => y.from === ch.from && y.to === ch.to);
        v = x?.values?.[m];
        k = x?.classes?.[m];
      } else {
        const row = a.years?.find((y) => y.year === year);
        v = value(row, m);
        k = row?.classes?.[m];
      }
      const li = el('li');
      li.dataset.level = a.level;
      li.dataset.code = a.code;
      if (k) li.dataset.class = String(k);
      const sw = el('span', 'swatch');
      sw.style.background = classEntry(c, k)?.color ?? '';
      const has = v !== undefined && v !== null;
      const shown = el('span', 'area-value', has ? (ch ? signed(v) : fmt(v)) : t('noData'));
      li.append(sw, el('span', 'area-level', levelName(a.level)), el('span', 'area-name', a.name), shown);
      li.setAttribute('aria-label', `${levelName(a.level)} ${a.name}: ${shown.textContent}${k ? `, ${classText(c, k)}` : ''}`);
      list.append(li);
    }
    wrap.append(list);
    return wrap;
  }

  /** Without a server (a static site): the clicked feature's own value and class, from the tile. */
  function renderFromTile() {
    title.textContent = pickedTitle() ?? t('cell');
    const parts = [];
    if (picked && pickedIsCurrent()) {
      const ch = change();
      const c = ch ? changeClasses(state.measure) : scoreClasses(state.measure);
      const has = picked.score !== undefined;
      const k = has ? Number(picked.class) : undefined;
      const box = el('div', ch ? 'lead change' : 'lead');
      box.dataset.measure = state.measure;
      if (has) {
        box.dataset.value = String(picked.score);
        box.dataset.class = String(k);
      }
      const text = el('div');
      const label = ch ? `${measureName(state.measure)} · ${t('changeValue', ch)}` : `${measureName(state.measure)} ${state.year}`;
      text.append(el('div', 'lead-label', label), el('div', 'lead-value', has ? (ch ? signed(Number(picked.score)) : fmt(Number(picked.score))) : '–'),
        el('div', 'lead-class', has ? classText(c, k) : t('noDataFor', { year: ch ? `${ch.from} → ${ch.to}` : state.year })));
      if (!ch && picked.afw !== undefined) {
        const ref = catalog.tileset(state.measure, state.year)?.reference;
        const b = Number(picked.afw);
        const key = b > 0 ? 'aboveReference' : b < 0 ? 'belowReference' : 'atReference';
        text.append(el('div', 'lead-basis', t(key, { v: signed(b), ref: ref ? fmt(ref.value) : '' }).replace(' ()', '')));
      }
      box.append(swatch(c, k, true), text);
      parts.push(box);
      if (picked.cell) panel.dataset.cell = picked.cell;
    } else {
      parts.push(el('p', 'muted', t('noCell')));
      delete panel.dataset.cell;
    }
    parts.push(el('p', 'muted', t('staticInfo')));
    if (picked && picked.layer !== 'grid' && picked.code && onReport) parts.push(reportButton(picked));
    body.replaceChildren(...parts);
  }

  /** At low zooms the clicked cell is a coarse one: its mean (or change) from the tile first. */
  function coarseBlock() {
    if (!picked?.cell?.includes('/') || !pickedIsCurrent()) return null;
    const ch = change();
    const c = ch ? changeClasses(state.measure) : scoreClasses(state.measure);
    const has = picked.score !== undefined;
    const k = has ? Number(picked.class) : undefined;
    const box = el('div', 'coarse');
    if (k) box.dataset.class = String(k);
    box.append(swatch(c, k), el('span', null, t(ch ? 'coarseChange' : 'coarseCell', {
      cell: picked.cell, n: picked.n ?? '?', v: has ? (ch ? signed(Number(picked.score)) : fmt(Number(picked.score))) : '–',
      label: has ? pick(classEntry(c, k), 'label') : t('noData'), from: ch?.from, to: ch?.to,
    })));
    return box;
  }

  /**
   * The class bands of measure `m` in the units of its values: the classification's cut points,
   * moved by the reference level when the classes are of the deviation from it (lbm by afw);
   * null when they cannot be placed.
   */
  function classBands(m) {
    const c = scoreClasses(m);
    if (!c?.cuts?.length) return null;
    const offset = c.basis === m ? 0 : catalog.reference(m);
    if (offset === null) return null;
    return { c, cuts: c.cuts.map((x) => x + offset) };
  }

  /**
   * The chart of a place's values over the years: every year's value written at its dot (no
   * hover needed on a touch screen), over the class bands in the legend's colours, on a value
   * range of whole classes, so that a change within one class looks like one.
   */
  function chartBlock(p) {
    const m = state.measure;
    const c = scoreClasses(m);
    const pts = p.years.filter((y) => value(y, m) !== null && value(y, m) !== undefined)
      .map((y) => ({ year: y.year, v: value(y, m), k: y.classes?.[m] }));
    if (pts.length === 0) return null; // nothing to draw: no heading over an empty chart
    const wrap = el('div', 'chart');
    wrap.append(el('h3', null, `${t('overTime')}: ${measureName(m)}`));
    const W = 320, H = 168, L = 40, R = 16, T = 18, B = 22;
    const vs = pts.map((q) => q.v);
    const bands = classBands(m);
    // The range: the values, out to the bounds of the classes they lie in.
    let lo = Math.min(...vs);
    let hi = Math.max(...vs);
    if (bands) {
      const { cuts } = bands;
      const below = cuts.filter((x) => x <= lo);
      const above = cuts.filter((x) => x >= hi);
      const step = Math.max(...cuts.slice(1).map((x, i) => x - cuts[i]), 0.01);
      lo = below.length ? below.at(-1) : lo - step / 2;
      hi = above.length ? above[0] : hi + step / 2;
    }
    const pad = (hi - lo) * 0.06 || 0.05;
    lo -= pad;
    hi += pad;
    const xa = pts[0].year, xb = pts[pts.length - 1].year;
    const X = (yr) => L + (xb === xa ? (W - L - R) / 2 : ((yr - xa) / (xb - xa)) * (W - L - R));
    const Y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
    const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart-svg' });
    s.setAttribute('aria-label', pts.map((q) => `${q.year}: ${fmt(q.v)}, ${classText(c, q.k)}`).join('; '));
    if (bands) {
      // Class k lies between cut k-1 and cut k (open at the ends).
      const edges = [-Infinity, ...bands.cuts, Infinity];
      for (let k = 1; k < edges.length; k++) {
        const [a, b2] = [Math.max(edges[k - 1], lo), Math.min(edges[k], hi)];
        if (b2 <= a) continue;
        const band = svg('rect', { x: L, width: W - L - R, y: Y(b2), height: Y(a) - Y(b2), class: 'band' });
        band.setAttribute('fill', classEntry(bands.c, k)?.color ?? '#eee');
        band.dataset.class = String(k);
        s.append(band);
        // Its cut points on the axis.
        for (const x of [edges[k - 1], edges[k]]) {
          if (!Number.isFinite(x) || x < lo || x > hi) continue;
          const lab = svg('text', { x: L - 4, y: Y(x) + 3, 'text-anchor': 'end', class: 'tick' });
          lab.textContent = fmt(x);
          s.append(lab);
        }
      }
    }
    s.append(svg('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }));
    if (lo < 0 && hi > 0) s.append(svg('line', { x1: L, x2: W - R, y1: Y(0), y2: Y(0), class: 'zero' }));
    // The years the view is about: the shown and compared year, or the two years of a change.
    const marks = change() ? [state.from, state.to] : [state.year, state.compare];
    // Every year on the axis, unless they would run into each other (then the ends and marks).
    const spacing = pts.length > 1 ? Math.min(...pts.slice(1).map((q, i) => X(q.year) - X(pts[i].year))) : W;
    const years = spacing >= 26 ? pts.map((q) => q.year)
      : [...new Set([xa, xb, ...marks.filter((y) => y !== null && pts.some((q) => q.year === y))])];
    for (const yr of years) {
      const lab = svg('text', { x: X(yr), y: H - 6, 'text-anchor': 'middle', class: marks.includes(yr) ? 'tick current' : 'tick' });
      lab.textContent = yr;
      s.append(lab);
    }
    s.append(svg('polyline', { points: pts.map((q) => `${X(q.year)},${Y(q.v)}`).join(' '), class: 'line' }));
    pts.forEach((q, i) => {
      const role = q.year === marks[0] ? ' current' : q.year === marks[1] ? ' compare' : '';
      const dot = svg('circle', { cx: X(q.year), cy: Y(q.v), r: role ? 5 : 3.2, class: `dot${role}` });
      dot.setAttribute('fill', classEntry(c, q.k)?.color ?? '#999');
      dot.dataset.year = q.year;
      const tip = svg('title', {});
      tip.textContent = `${q.year}: ${fmt(q.v)} · ${classText(c, q.k)}`;
      dot.append(tip);
      s.append(dot);
      // The value at its dot, above it (below where the line comes down to it from higher),
      // alternating when the years lie close together.
      const prev = pts[i - 1]?.v ?? q.v;
      const up = spacing >= 44 ? q.v >= prev : i % 2 === 0;
      const anchor = i === 0 && pts.length > 1 ? 'start' : i === pts.length - 1 && pts.length > 1 ? 'end' : 'middle';
      const lab = svg('text', { x: X(q.year), y: Y(q.v) + (up ? -8 : 14), 'text-anchor': anchor, class: 'value' });
      lab.textContent = fmt(q.v);
      lab.dataset.year = q.year;
      s.append(lab);
    });
    wrap.append(s);
    return wrap;
  }

  document.getElementById('info-close').addEventListener('click', close);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !panel.hidden && !document.querySelector('dialog[open]')) close();
  });
  subscribe((keys) => {
    if (keys.some((k) => ['measure', 'year', 'compare', 'lang', 'mode', 'from', 'to'].includes(k))) render();
  });
  /** The count of the person's inputs so far, for `open`'s `since`. */
  const inputCount = () => inputs;
  return { open, close, inputCount };
}

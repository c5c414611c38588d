// The info panel for a clicked (or, with Enter, the centred) cell: the cell id, the total score
// with its class, the five dimensions as bars diverging from zero in their class colours, and a
// small line chart of the selected measure over all years. Data: GET /api/v1/point.

import { state, subscribe } from './state.js';
import { loadPoint, hasApi } from './api.js';
import { classEntry } from './catalog.js';
import { t, pick, getLang } from './i18n.js';

const DIMENSIONS = ['fys', 'won', 'vrz', 'soc', 'onv'];
const LEVEL_NAMES = { gemeente: 'levelGemeenteName', wijk: 'levelWijkName', buurt: 'levelBuurtName', pc4: 'levelPc4' };
const SVG = 'http://www.w3.org/2000/svg';

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
const svg = (tag, attrs) => {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};
const fmt = (v, digits = 3) => (v === null || v === undefined ? '–' : v.toLocaleString(getLang() === 'nl' ? 'nl-NL' : 'en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const signed = (v) => (v > 0 ? `+${fmt(v)}` : fmt(v));

/** 100 m cell feature id from its id string (E1213N4879 → 12134879), as the tiler writes it. */
export function cellFeatureId(cell) {
  const m = /^E(\d+)N(\d+)$/.exec(cell ?? '');
  return m ? Number(m[1]) * 1e4 + Number(m[2]) : null;
}

export function initInfo(catalog, { onSelect, returnFocus }) {
  const panel = document.getElementById('info');
  const body = document.getElementById('info-body');
  const title = document.getElementById('info-title');
  let point = null; // the last /api/v1/point answer
  let picked = null; // the clicked grid feature's properties, with the tileset they came from
  let request = 0;

  function close() {
    if (panel.hidden) return;
    const hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    if (hadFocus) returnFocus?.focus();
    point = null;
    onSelect([], 'grid');
    document.body.classList.remove('info-open');
  }

  async function open(lngLat, feature) {
    const mine = ++request;
    panel.hidden = false;
    document.body.classList.add('info-open');
    const layer = feature?.sourceLayer ?? 'grid';
    picked = feature?.properties ? { ...feature.properties, layer, measure: state.measure, year: state.year, mode: state.mode } : null;
    title.textContent = pickedTitle() ?? t('cell');
    panel.dataset.level = layer;
    body.replaceChildren(el('p', 'muted', t('loadingCell')));
    panel.dataset.state = 'loading';
    const ids = feature?.id !== undefined ? [feature.id] : [];
    onSelect(ids, layer);
    try {
      const p = await loadPoint(lngLat.lng, lngLat.lat);
      if (mine !== request) return;
      point = p;
      if (p && layer === 'grid') {
        const id = cellFeatureId(p.cell);
        onSelect([...new Set([...ids, ...(id !== null ? [id] : [])])], 'grid');
      }
      render();
      panel.dataset.state = 'ready';
    } catch (err) {
      if (mine !== request) return;
      body.replaceChildren(el('p', 'error', t('pointError')));
      panel.dataset.state = 'error';
      console.error(err);
    }
    title.focus({ preventScroll: true });
  }

  /** "Gemeente Utrecht" for a clicked area, "Cel E1213N4879" for a clicked cell. */
  function pickedTitle() {
    if (!picked) return null;
    if (picked.layer !== 'grid' && picked.name) return `${t(LEVEL_NAMES[picked.layer] ?? 'cell')} ${picked.name}`;
    return picked.cell ? `${t('cell')} ${picked.cell}` : null;
  }

  /** The clicked area in the point answer (its time series), when an area was clicked. */
  function pickedArea() {
    if (!picked || picked.layer === 'grid' || !point?.areas) return null;
    return point.areas.find((a) => a.level === picked.layer && (!picked.code || a.code === picked.code)) ?? null;
  }

  function render() {
    if (panel.hidden || panel.dataset.state === 'error') return;
    if (!hasApi()) {
      renderFromTile();
      return;
    }
    const coarse = coarseBlock() ?? changeBlock();
    const areas = point?.areas?.length ? areasBlock(point.areas) : null;
    // What the panel is about: the clicked area (its own scores), else the 100 m cell.
    const area = pickedArea();
    const subject = area ?? (point?.cell ? point : null);
    if (!subject) {
      title.textContent = pickedTitle() ?? t('cell');
      const why = coarse ? 'noCellHere' : areas ? 'noCellAreasOnly' : 'noCell';
      body.replaceChildren(...[coarse, areas].filter(Boolean), el('p', 'muted', t(why)));
      delete panel.dataset.cell;
      return;
    }
    title.textContent = area ? pickedTitle() : `${t('cell')} ${point.cell}`;
    const year = state.mode === 'change' ? state.to : state.year; // a change map shows its to-year
    const row = subject.years.find((y) => y.year === year);
    const where = area ? area.code : `RD ${point.x}, ${point.y}`;
    const parts = [el('p', 'muted info-sub', `${year} · ${where}`)];
    if (coarse) parts.push(coarse);
    if (!row) {
      parts.push(el('p', 'muted', t('noData')));
    } else {
      const other = state.compare !== null && state.mode !== 'change' ? subject.years.find((y) => y.year === state.compare) : null;
      parts.push(totalBlock(row, other), dimensionBlock(row));
    }
    if (areas) parts.push(areas);
    parts.push(chartBlock(subject));
    body.replaceChildren(...parts);
    if (point.cell) panel.dataset.cell = point.cell;
    else delete panel.dataset.cell;
    if (area) panel.dataset.area = area.code;
    else delete panel.dataset.area;
  }

  /**
   * The gemeente, wijk and buurt at the place (from /api/v1/point `areas`): each with the shown
   * measure's value and class in the shown year (the to-year of a change map).
   */
  function areasBlock(areas) {
    const m = state.measure;
    const year = state.mode === 'change' ? state.to : state.year;
    const c = catalog.classification(m);
    const wrap = el('div', 'areas');
    wrap.append(el('h3', null, `${t('areas')} · ${pick(catalog.measure(m), 'name') || m} ${year}`));
    const list = el('ul', 'areas-list');
    for (const a of areas) {
      const row = a.years?.find((y) => y.year === year);
      const v = row?.values?.[m] ?? row?.[m];
      const k = row?.classes?.[m];
      const entry = classEntry(c, k);
      const li = el('li');
      li.dataset.level = a.level;
      li.dataset.code = a.code;
      if (k) li.dataset.class = String(k);
      const sw = el('span', 'swatch');
      sw.style.background = k ? entry?.color ?? '' : 'transparent';
      const value = el('span', 'area-value', v === undefined || v === null ? '–' : fmt(v, m === 'lbm' ? 2 : 3));
      li.append(sw, el('span', 'area-level', t(LEVEL_NAMES[a.level] ?? a.level)), el('span', 'area-name', a.name), value);
      li.setAttribute('aria-label', `${t(LEVEL_NAMES[a.level] ?? a.level)} ${a.name}: ${value.textContent}${k ? `, ${t('classLabel', { k, label: pick(entry, 'label') })}` : ''}`);
      list.append(li);
    }
    wrap.append(list);
    return wrap;
  }

  /** In ontwikkeling: the clicked feature's change (to − from) and its change class. */
  function changeBlock() {
    if (state.mode !== 'change' || picked?.mode !== 'change' || picked.score === undefined) return null;
    const c = catalog.changeTileset(state.measure, state.from, state.to)?.classification;
    const k = Number(picked.class);
    const entry = classEntry(c, k);
    const box = el('div', 'coarse change');
    box.dataset.class = String(k);
    const sw = el('span', 'swatch');
    sw.style.background = entry?.color ?? '';
    box.append(sw, el('span', null, t('changeValue', {
      from: state.from, to: state.to, v: signed(Number(picked.score)), label: pick(entry, 'label'),
    })));
    return box;
  }

  /** At low zooms the clicked cell is a coarse one: its mean, before the 100 m cell's details. */
  /** Without a server (a static site): the clicked feature's own value and class, from the tile. */
  function renderFromTile() {
    title.textContent = pickedTitle() ?? t('cell');
    const change = changeBlock();
    const shown = picked && picked.measure === state.measure && picked.year === state.year
      && picked.mode === state.mode && picked.score !== undefined;
    const parts = [];
    if (change) {
      parts.push(change);
    } else if (shown) {
      const entry = classEntry(catalog.classification(state.measure), Number(picked.class));
      const box = el('div', 'coarse');
      const sw = el('span', 'swatch');
      sw.style.background = entry?.color ?? '';
      box.append(sw, el('span', null, t('featureValue', {
        name: picked.name ?? picked.cell ?? t('cell'), v: fmt(Number(picked.score), 3), label: pick(entry, 'label'),
      })));
      parts.push(box);
      if (picked.cell) panel.dataset.cell = picked.cell;
    } else {
      parts.push(el('p', 'muted', t('noCell')));
      delete panel.dataset.cell;
    }
    parts.push(el('p', 'muted', t('staticInfo')));
    body.replaceChildren(...parts);
  }

  function coarseBlock() {
    if (!picked?.cell?.includes('/') || picked.measure !== state.measure || picked.year !== state.year) return null;
    if (picked.mode === 'change' || state.mode === 'change') return null; // change classes differ
    const entry = classEntry(catalog.classification(state.measure), Number(picked.class));
    const box = el('div', 'coarse');
    const sw = el('span', 'swatch');
    sw.style.background = entry?.color ?? '';
    box.append(sw, el('span', null, t('coarseCell', {
      cell: picked.cell, n: picked.n ?? '?', v: fmt(Number(picked.score), 3), label: pick(entry, 'label'),
    })));
    return box;
  }

  function totalBlock(row, other) {
    const c = catalog.classification('lbm');
    const k = row.classes?.lbm;
    const entry = classEntry(c, k);
    const box = el('div', 'total');
    box.dataset.measure = 'lbm';
    if (row.lbm !== null && row.lbm !== undefined) box.dataset.value = String(row.lbm);
    if (k) box.dataset.class = String(k);
    const sw = el('span', 'swatch big');
    sw.style.background = entry?.color ?? '';
    const text = el('div');
    text.append(el('div', 'total-label', pick(catalog.measure('lbm'), 'name') || t('total')),
      el('div', 'total-value', fmt(row.lbm, 2)),
      el('div', 'total-class', k ? t('classLabel', { k, label: pick(entry, 'label') }) : t('noData')));
    if (other) {
      const ko = other.classes?.lbm;
      const line = el('div', 'total-compare', `${other.year}: ${fmt(other.lbm, 2)}${ko ? ` · ${t('classLabel', { k: ko, label: pick(classEntry(c, ko), 'label') })}` : ''}`);
      line.dataset.year = other.year;
      text.append(line);
    }
    box.append(sw, text);
    return box;
  }

  function dimensionBlock(row) {
    const wrap = el('div', 'dims');
    wrap.append(el('h3', null, t('dimensions')));
    const present = DIMENSIONS.filter((d) => catalog.measure(d) || row[d] !== undefined);
    const scale = Math.max(0.3, ...present.map((d) => Math.abs(row[d] ?? 0)));
    const list = el('ul', 'dim-list');
    for (const d of present) {
      const v = row[d];
      const k = row.classes?.[d];
      const entry = classEntry(catalog.classification(d), k);
      const li = el('li', 'dim');
      li.dataset.measure = d;
      if (v !== null && v !== undefined) li.dataset.value = String(v);
      if (k) li.dataset.class = String(k);
      const name = el('span', 'dim-name', pick(catalog.measure(d), 'name') || d);
      const track = el('span', 'dim-track');
      const bar = el('span', 'dim-bar');
      if (v !== null && v !== undefined) {
        const w = (Math.abs(v) / scale) * 50;
        bar.style.width = `${w}%`;
        bar.style.left = v >= 0 ? '50%' : `${50 - w}%`;
        bar.style.background = entry?.color ?? '#999';
      }
      track.append(bar);
      const value = el('span', 'dim-value', v === null || v === undefined ? '–' : signed(v));
      li.setAttribute('aria-label', `${name.textContent}: ${value.textContent}${k ? `, ${t('classLabel', { k, label: pick(entry, 'label') })}` : ''}`);
      li.append(name, track, value);
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

  function chartBlock(p) {
    const m = state.measure;
    const c = catalog.classification(m);
    const pts = p.years.filter((y) => y[m] !== null && y[m] !== undefined).map((y) => ({ year: y.year, v: y[m], k: y.classes?.[m] }));
    const wrap = el('div', 'chart');
    wrap.append(el('h3', null, `${t('overTime')}: ${pick(catalog.measure(m), 'name') || m}`));
    if (pts.length === 0) return wrap;
    const W = 300, H = 124, L = 42, R = 10, T = 14, B = 22;
    const y0 = Math.min(...pts.map((q) => q.v), m === 'lbm' ? Infinity : 0);
    const y1 = Math.max(...pts.map((q) => q.v), m === 'lbm' ? -Infinity : 0);
    const pad = (y1 - y0) * 0.1 || 0.05;
    const lo = y0 - pad, hi = y1 + pad;
    const xa = pts[0].year, xb = pts[pts.length - 1].year;
    const X = (yr) => L + (xb === xa ? (W - L - R) / 2 : ((yr - xa) / (xb - xa)) * (W - L - R));
    const Y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
    const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart-svg' });
    const desc = pts.map((q) => `${q.year}: ${fmt(q.v)}`).join(', ');
    s.setAttribute('aria-label', desc);
    s.append(svg('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }));
    if (lo < 0 && hi > 0) s.append(svg('line', { x1: L, x2: W - R, y1: Y(0), y2: Y(0), class: 'zero' }));
    for (const v of [lo + pad, hi - pad]) {
      const lab = svg('text', { x: L - 4, y: Y(v) + 3, 'text-anchor': 'end', class: 'tick' });
      lab.textContent = fmt(v, 2);
      s.append(lab);
    }
    const far = (yr) => Math.abs(X(yr) - X(xa)) > 34 && Math.abs(X(yr) - X(xb)) > 34;
    const marked = [state.year, state.compare].filter((y) => y !== null && far(y));
    for (const yr of [...new Set([xa, xb, ...marked])]) {
      const anchor = yr === xa ? 'start' : yr === xb ? 'end' : 'middle';
      const lab = svg('text', { x: X(yr), y: H - 6, 'text-anchor': anchor, class: yr === state.year ? 'tick current' : 'tick' });
      lab.textContent = yr;
      s.append(lab);
    }
    s.append(svg('polyline', { points: pts.map((q) => `${X(q.year)},${Y(q.v)}`).join(' '), class: 'line' }));
    for (const q of pts) {
      const role = q.year === state.year ? ' current' : q.year === state.compare ? ' compare' : '';
      const dot = svg('circle', { cx: X(q.year), cy: Y(q.v), r: role ? 5 : 3.2, class: `dot${role}` });
      dot.setAttribute('fill', classEntry(c, q.k)?.color ?? '#999');
      const tip = svg('title', {});
      tip.textContent = `${q.year}: ${fmt(q.v)}`;
      dot.append(tip);
      s.append(dot);
    }
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
  return { open, close };
}

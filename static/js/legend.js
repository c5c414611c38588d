// The legend: the classification's 9 classes (colour and label from the catalog) plus "no data".

import { t, pick, formatValue, formatSigned, levelName } from './i18n.js';
import { el } from './dom.js';


// The reference level is a score like the others: one number format for all (i18n.js).
const fmtRef = formatValue;

/**
 * What the classes are measured against, in words: the total score by its deviation from the
 * national reference level (`reference`, the same in every year unless the metadata says
 * otherwise), a dimension by its own value, a change map by the change of the score.
 */
export function basisNote(tileset, change) {
  const c = tileset?.classification;
  if (!c) return null;
  if (change) {
    // The middle class as the classification has it: `cuts[3] <= change < cuts[4]`.
    const [lo, hi] = [c.cuts?.[3], c.cuts?.[4]].map((v) => (v === undefined ? '?' : formatSigned(v)));
    return t('changeBasis', { ...change, lo, hi });
  }
  if (c.basis && c.basis !== c.measure) {
    const ref = tileset.reference;
    if (!ref) return t('basisAfwPlain');
    return t(ref.spread ? 'basisAfwVarying' : 'basisAfw', { ref: fmtRef(ref.value), spread: fmtRef(ref.spread ?? 0) });
  }
  return t('basisDimension');
}

/** The colour the "structureel onder druk" overlay outlines places in (its style's outline). */
export const pressureColor = (doc) => doc?.layers?.find((l) => l.metadata?.['lbm:role'] === 'mark')?.paint?.['line-color'] ?? '#5b1a73';

/** The overlay's rule in words, from its metadata: "zwak of lager in elk gemeten jaar sinds 2014". */
export function pressureRule(tileset) {
  const p = tileset?.pressure;
  if (!p) return '';
  const entry = tileset.classification?.classes?.find((c) => c.class === p.max_class);
  return t('pressureRule', { label: pick(entry, 'label') || String(p.max_class), since: p.since, years: p.years.join(', ') });
}

/** Renders the legend for a tileset's classification into `root`; with `pressure`
 * (`{tileset, color}`) also the overlay's entry and rule. */
export function renderLegend(root, { tileset, measure, year, compare, change = null, pressure = null }) {
  const c = tileset?.classification;
  const title = el('h2', 'legend-title', t('legend'));
  title.id = `${root.id}-title`;
  root.setAttribute('aria-labelledby', title.id);
  const when = change ? `${change.from} → ${change.to}` : compare ? `${year} | ${compare}` : year;
  const sub = el('p', 'legend-sub', `${pick(measure, 'name')} · ${when}`);
  const list = el('ul', 'legend-list');
  for (const k of c?.classes ?? []) {
    const li = el('li');
    const sw = el('span', 'swatch');
    sw.style.background = k.color;
    li.append(sw, el('span', 'legend-label', pick(k, 'label')));
    li.dataset.class = k.class;
    list.append(li);
  }
  // "No data": a place that exists but has no score, in the classification's no-data colour.
  const nd = el('li', 'no-data');
  const sw = el('span', 'swatch swatch-nodata');
  if (c?.no_data?.color) sw.style.background = c.no_data.color;
  nd.append(sw, el('span', 'legend-label', pick(c?.no_data, 'label') || t('noData')));
  list.append(nd);
  // Land without residents: neither a class nor "no data".
  const land = el('li', 'land');
  land.append(el('span', 'swatch swatch-land'), el('span', 'legend-label', t('notPopulated')));
  list.append(land);
  if (pressure) {
    const li = el('li', 'pressure');
    // The overlay outlines the marked places and leaves their class colour: so does its swatch.
    const psw = el('span', 'swatch swatch-pressure');
    psw.style.borderColor = pressure.color;
    li.append(psw, el('span', 'legend-label', t('pressure')));
    list.append(li);
  }
  const note = [basisNote(tileset, change), pressure ? pressureRule(pressure.tileset) : null].filter(Boolean).join(' ');
  const basis = note ? el('p', 'legend-note', note) : null;
  root.dataset.kind = change ? 'change' : 'score';
  const level = el('p', 'legend-level');
  level.setAttribute('aria-live', 'polite');
  const cells = el('p', 'legend-cells');
  cells.setAttribute('aria-live', 'polite');
  root.replaceChildren(...[title, sub, list, basis, level, cells].filter(Boolean));
}

/** The cell size drawn at a map zoom, from the tileset's pyramid (`[{zoom, cell_m}]`). */
export function cellSizeAt(tileset, zoom) {
  const levels = [...(tileset?.pyramid ?? [])].sort((a, b) => a.zoom - b.zoom);
  if (levels.length === 0) return null;
  const z = Math.floor(zoom);
  return (levels.filter((l) => l.zoom <= z).pop() ?? levels[0]).cell_m;
}

/** The legend's line about the cells on screen: "Cellen van 400 × 400 m (gemiddelde)". */
export function renderCellSize(root, tileset, zoom) {
  const line = root.querySelector('.legend-cells');
  const m = cellSizeAt(tileset, zoom);
  if (!line) return;
  line.textContent = m ? t(m > 100 ? 'cellsCoarse' : 'cells', { m }) : '';
  line.dataset.cellM = m ?? '';
}


/** The legend's line naming the level drawn ("Niveau: Wijk"); empty without area layers. */
export function renderLevel(root, level) {
  const line = root.querySelector('.legend-level');
  if (!line) return;
  line.textContent = level ? t('levelShown', { level: levelName(level) }) : '';
  line.dataset.level = level ?? '';
}

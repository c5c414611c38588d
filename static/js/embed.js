// What only the embedded map (`/embed`) has: a compact card for a clicked cell or area (the
// values the tile itself carries; an embed has no panel), and a legend that folds away on small
// frames and never covers the attribution.

import { state, subscribe } from './state.js';
import { classEntry } from './catalog.js';
import { t, pick, formatValue, formatSigned } from './i18n.js';
import { onEnter } from './map.js';

/** A frame this small starts with the legend folded. */
const SMALL = { width: 480, height: 420 };

export function initEmbed({ grid, catalog, legend }) {
  const card = document.getElementById('embed-card');
  const map = grid.map;

  /** The card of feature `f`; without one, hidden (a click beside the data) or, for Enter on
   * the map (the hint promises the data at the centre), a card that says there is none. */
  function show(f, keyboard = false) {
    if (!f) {
      card.hidden = !keyboard;
      if (keyboard) {
        card.replaceChildren(Object.assign(document.createElement('strong'), { textContent: t('noCell') }));
        card.dataset.class = 'none';
      }
      return;
    }
    const change = state.mode === 'change';
    const c = change
      ? catalog.changeClassification(state.measure, state.from, state.to)
      : catalog.classification(state.measure);
    const p = f.properties ?? {};
    const k = p.class === undefined ? null : Number(p.class);
    const title = f.sourceLayer === 'grid' ? t('cell') + (p.cell ? ` ${p.cell}` : '') : p.name ?? p.code;
    const when = change ? `${state.from}–${state.to}` : String(state.year);
    const measure = pick(catalog.measure(state.measure), 'name');
    const value = p.score === undefined ? t('noData') : (change ? formatSigned : formatValue)(Number(p.score));
    card.replaceChildren(
      Object.assign(document.createElement('strong'), { textContent: title }),
      Object.assign(document.createElement('span'), { textContent: `${measure} ${when}: ${value}` }),
      Object.assign(document.createElement('span'), {
        className: 'embed-card-class',
        textContent: k ? t('classLabel', { k, label: pick(classEntry(c, k), 'label') }) : t('noData'),
      }),
    );
    card.dataset.class = k ?? 'none';
    card.hidden = false;
  }
  /** Outlines `f` (what the card is about) and shows its card. */
  function select(f, keyboard = false) {
    grid.select(f?.id !== undefined ? [f.id] : [], f?.sourceLayer ?? 'grid');
    show(f, keyboard);
  }
  map.on('click', (e) => select(grid.featureAt(e.point)));
  // Enter on the map shows the card of the place at its centre, as the map's hint says.
  onEnter(grid, (_, feature) => select(feature, true));
  // An embed made with a place picked (`pick` in its URL) outlines what is drawn there and
  // shows its card, once the map is drawn.
  if (state.pick) {
    const showPick = () => select(grid.featureAt(map.project(state.pick)));
    if (map.loaded()) showPick();
    else map.once('idle', showPick);
  }

  // `legend=0` (an option of the embed snippet): no legend at all.
  if (new URLSearchParams(location.search).get('legend') === '0') {
    legend.hidden = true;
    return;
  }
  // The legend folds behind its title; small frames start folded.
  let folded = window.innerWidth < SMALL.width || window.innerHeight < SMALL.height;
  const dress = () => {
    legend.classList.toggle('folded', folded);
    const title = legend.querySelector('.legend-title');
    if (!title) return;
    title.setAttribute('role', 'button');
    title.tabIndex = 0;
    title.setAttribute('aria-expanded', String(!folded));
    title.title = t('showLegend');
  };
  const toggle = () => {
    folded = !folded;
    dress();
  };
  legend.addEventListener('click', (e) => {
    if (e.target.closest('.legend-title')) toggle();
  });
  legend.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && e.target.closest('.legend-title')) {
      e.preventDefault();
      toggle();
    }
  });
  // The legend is drawn anew on every state change (main.js), and first once the catalog is in:
  // dress its title as a button whenever it is drawn, so that it is a focusable button from
  // the start, not after a first click.
  subscribe(() => queueMicrotask(dress));
  new MutationObserver(dress).observe(legend, { childList: true, subtree: true });
  dress();
}

// The panel's controls: measure, year (slider + stepper), compare year and language. They read
// and write the shared state only; main.js reacts to the state.

import { state, update, subscribe, LEVELS } from './state.js';
import { Catalog } from './catalog.js';
import { t, pick, translate, setLang, levelName } from './i18n.js';
import { pressureRule } from './legend.js';

const $ = (id) => document.getElementById(id);


export function initControls(catalog) {
  const measure = $('measure');
  const year = $('year');
  const yearOut = $('year-value');
  const prev = $('year-prev');
  const next = $('year-next');
  const ticks = $('year-ticks');
  const compareOn = $('compare-on');
  const compareYear = $('compare-year');
  const lang = $('lang');
  const modeScore = $('mode-score');
  const modeChange = $('mode-change');
  const from = $('change-from');
  const to = $('change-to');
  const level = $('level');
  const transparency = $('transparency');
  const transparencyOut = $('transparency-value');
  const pressure = $('pressure');

  const years = () => catalog.years(state.measure);

  function render() {
    // The language first: the options below are written in it (the page's own reaction to a
    // language switch may come after this one).
    setLang();
    measure.replaceChildren(...catalog.measures.map((m) => new Option(pick(m, 'name'), m.id)));
    measure.value = state.measure;

    const ys = years();
    const i = Math.max(0, ys.indexOf(state.year));
    // The slider runs over the calendar years, so 2002–2008 is three times as long as
    // 2012–2014; it stops only at the measured years, each labelled at its place.
    const [first, last] = [ys[0] ?? 0, ys[ys.length - 1] ?? 0];
    year.min = first;
    year.max = Math.max(first + 1, last);
    year.step = 1;
    year.value = state.year ?? first;
    year.disabled = ys.length < 2;
    year.setAttribute('aria-valuetext', String(state.year));
    yearOut.value = String(state.year);
    yearOut.textContent = String(state.year);
    prev.disabled = i <= 0;
    next.disabled = i >= ys.length - 1;
    ticks.replaceChildren(...ys.map((y) => {
      // The ends in full, the years between as ’14: two years apart they stand 20 px apart.
      const end = y === first || y === last;
      const tick = Object.assign(document.createElement('span'), {
        textContent: end ? String(y) : `’${String(y).slice(2)}`, className: 'tick',
      });
      tick.dataset.year = y;
      tick.style.left = `${ys.length > 1 ? ((y - first) / (last - first)) * 100 : 0}%`;
      tick.classList.toggle('current', y === state.year);
      return tick;
    }));

    compareOn.checked = state.compare !== null;
    compareYear.disabled = state.compare === null;
    compareYear.parentElement.classList.toggle('compare-off', state.compare === null);
    compareYear.replaceChildren(...ys.filter((y) => y !== state.year).map((y) => new Option(y, y)));
    if (state.compare !== null) compareYear.value = String(state.compare);
    const changes = catalog.changes(state.measure);
    const change = state.mode === 'change';
    modeScore.checked = !change;
    modeChange.checked = change;
    modeChange.disabled = changes.length === 0;
    $('score-controls').hidden = change;
    $('change-controls').hidden = !change;
    // Which periods exist: every pair of years the tilesets hold.
    $('change-periods').textContent = changes.length
      ? t('changePeriods', { list: changes.map((c) => `${c.from}–${c.to}`).join(', ') }) : '';
    const froms = [...new Set(changes.map((c) => c.from))];
    from.replaceChildren(...froms.map((y) => new Option(y, y)));
    to.replaceChildren(...changes.filter((c) => c.from === state.from).map((c) => new Option(c.to, c.to)));
    if (change) {
      from.value = String(state.from);
      to.value = String(state.to);
    }

    // Levels the shown tileset has, plus automatic and cells; hidden without area layers.
    const ts = change ? catalog.changeTileset(state.measure, state.from, state.to) : catalog.tileset(state.measure, state.year);
    const areas = (ts?.areas ?? []).map((a) => a.layer).filter((l) => LEVELS.includes(l));
    const choices = ['auto', ...LEVELS.filter((l) => l === 'grid' || areas.includes(l))];
    level.replaceChildren(...choices.map((l) => new Option(levelName(l), l)));
    level.value = choices.includes(state.level) ? state.level : 'auto';
    $('level-row').hidden = areas.length === 0;
    $('pressure-row').hidden = !catalog.pressure;
    pressure.checked = Boolean(state.pressure && catalog.pressure);
    $('pressure-rule').textContent = pressureRule(catalog.pressure);
    transparency.value = String(state.transparency);
    transparencyOut.value = `${state.transparency}%`;
    transparencyOut.textContent = `${state.transparency}%`;
    lang.textContent = t('language');
    translate();
  }

  const setYearIndex = (i) => {
    const ys = years();
    const y = ys[Math.min(ys.length - 1, Math.max(0, i))];
    update({ year: y, compare: state.compare === y ? null : state.compare });
  };

  measure.addEventListener('change', () => {
    const ys = catalog.years(measure.value);
    const y = Catalog.nearest(ys, state.year);
    const c = state.compare === null ? null : Catalog.nearest(ys, state.compare);
    const patch = { measure: measure.value, year: y, compare: c === y ? null : c };
    if (state.mode === 'change') {
      const pair = catalog.nearestChange(measure.value, state.from, state.to);
      Object.assign(patch, pair ? { from: pair.from, to: pair.to } : { mode: 'score' });
    }
    update(patch);
  });
  // Dragging lands on the nearest measured year; the arrow keys step from year to year.
  year.addEventListener('input', () => {
    const ys = years();
    update({ year: Catalog.nearest(ys, Number(year.value)) });
    year.value = state.year;
  });
  year.addEventListener('keydown', (e) => {
    const step = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[e.key];
    const ys = years();
    const jump = { Home: 0, End: ys.length - 1 }[e.key];
    if (step === undefined && jump === undefined) return;
    e.preventDefault();
    setYearIndex(jump ?? ys.indexOf(state.year) + step);
  });
  prev.addEventListener('click', () => setYearIndex(years().indexOf(state.year) - 1));
  next.addEventListener('click', () => setYearIndex(years().indexOf(state.year) + 1));
  compareOn.addEventListener('change', () => {
    const ys = years().filter((y) => y !== state.year);
    // Default: the year before the shown one, else the first other year.
    const before = ys.filter((y) => y < state.year);
    const c = before.length ? before[before.length - 1] : ys[0] ?? null;
    update({ compare: compareOn.checked ? c : null });
  });
  compareYear.addEventListener('change', () => update({ compare: Number(compareYear.value) }));
  // The shown year is the left side: swapping puts the other year there (e.g. the earlier one).
  document.getElementById('compare-swap').addEventListener('click', () => {
    if (state.compare !== null) update({ year: state.compare, compare: state.year });
  });
  const setMode = (mode) => {
    if (mode === 'change') {
      const c = catalog.nearestChange(state.measure, state.from ?? state.compare ?? state.year, state.to ?? state.year);
      if (c) update({ mode: 'change', from: c.from, to: c.to, compare: null });
    } else update({ mode: 'score' });
  };
  modeScore.addEventListener('change', () => modeScore.checked && setMode('score'));
  modeChange.addEventListener('change', () => modeChange.checked && setMode('change'));
  from.addEventListener('change', () => {
    const c = catalog.nearestChange(state.measure, Number(from.value), state.to);
    if (c) update({ from: c.from, to: c.to });
  });
  to.addEventListener('change', () => {
    const c = catalog.nearestChange(state.measure, state.from, Number(to.value));
    if (c) update({ from: c.from, to: c.to });
  });
  level.addEventListener('change', () => update({ level: level.value }));
  transparency.addEventListener('input', () => update({ transparency: Number(transparency.value) }));
  pressure.addEventListener('change', () => update({ pressure: pressure.checked }));
  lang.addEventListener('click', () => update({ lang: state.lang === 'nl' ? 'en' : 'nl' }));

  subscribe((keys) => {
    if (keys.some((k) => ['measure', 'year', 'compare', 'lang', 'mode', 'from', 'to', 'level', 'transparency', 'pressure'].includes(k))) render();
  });
  render();
}

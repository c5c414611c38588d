// The area report: for an area (or the Netherlands) how its populated cells are spread over the
// nine classes of the chosen Thema in each year (or over the change classes of each period),
// beside the same for its gemeente and for the Netherlands; the share rated "goed" or better and
// "onvoldoende" or worse (the figures of the national monitor); the dimension that lags the
// country most and its trend; and the numbers as CSV. Every number comes from the report API,
// which reads the tiler's counts; colours and labels from the catalog's classification.

import { state, subscribe } from './state.js';
import { loadReport } from './api.js';
import { classEntry } from './catalog.js';
import { t, pick, formatSigned, getLang, levelName, areaTitle } from './i18n.js';
import { el } from './dom.js';

/**
 * The groups of classes the national monitor reports: "zeer goed" or better (8, 9), "goed" or
 * better (7..9), "zwak" or lower (1..4) and "onvoldoende" or worse (1..3).
 */
const FIGURES = [
  ['veryGood', 'reportVeryGood', [8, 9]],
  ['good', 'reportGood', [7, 8, 9]],
  ['weak', 'reportWeak', [1, 2, 3, 4]],
  ['poor', 'reportPoor', [1, 2, 3]],
];


/** A percentage in the page's language: `12,3 %`. */
const percent = (v) => `${v.toLocaleString(getLang() === 'nl' ? 'nl-NL' : 'en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} %`;

/** The shares a bar shows: of the weight (households, dwellings) when the file had one. */
const sharesOf = (period) => period.weight_shares ?? period.shares;
const sumOf = (shares, classes) => classes.reduce((s, k) => s + (shares[k - 1] ?? 0), 0);

/** The periods of measure `m` in a report: its years, or in Ontwikkeling its change periods. */
function periodsOf(report, m, change) {
  const entry = report?.measures?.find((x) => x.measure === m);
  if (!entry) return [];
  return change ? entry.changes : entry.years;
}

const periodKey = (p) => (p.from !== undefined ? `${p.from}-${p.to}` : String(p.year));
const periodLabel = (p) => (p.from !== undefined ? `${p.from} → ${p.to}` : String(p.year));

/**
 * The CSV of the reports' numbers: one row per place, measure and year (or change period), with
 * the place's own value that year (or its change over the period) and, for the total score,
 * its afw; then the cells (and weights) per class and their shares. Names and labels in the
 * page's language (`measureName(id)` names a measure). Dutch spreadsheets: `;` with decimal
 * commas (`sep = ';'`); else `,` with decimal points. UTF-8 with a byte-order mark, so that
 * spreadsheet programs read the names' accents right.
 */
export function reportCsv(reports, { sep = ';', measureName = (m) => m } = {}) {
  const comma = sep === ';';
  const num = (v, digits) => {
    const s = digits === undefined ? String(v) : v.toFixed(digits);
    return comma ? s.replace('.', ',') : s;
  };
  // A field is quoted only when it holds the separator, a quote or a line break (RFC 4180).
  const quote = (s) => (s.includes(sep) || /["\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const weighted = reports.some((r) => r.weight);
  const head = [t('csvCode'), t('csvName'), t('csvLevel'), t('csvMeasure'), t('csvMeasureName'), t('csvKind'),
    t('csvFrom'), t('csvYear'), t('csvValue'), t('csvAfw'), t('csvCells'), t('csvNoData')];
  for (let k = 1; k <= 9; k++) head.push(t('csvClassCells', { k }));
  for (let k = 1; k <= 9; k++) head.push(t('csvClassShare', { k }));
  if (weighted) {
    for (let k = 1; k <= 9; k++) head.push(t('csvClassWeight', { k }));
    for (let k = 1; k <= 9; k++) head.push(t('csvClassWeightShare', { k }));
  }
  const lines = [head.map(quote).join(sep)];
  for (const r of reports) {
    // The place's published value of `column` in `year`, as the report's `means` give it.
    const valueIn = (year, column) => {
      const v = (r.means ?? []).find((y) => y.year === year)?.values?.[column];
      return typeof v === 'number' ? v : null;
    };
    // A year's value, or a period's change (to minus from, three decimals as published).
    const valueOf = (p, column) => {
      if (p.from === undefined) return valueIn(p.year, column);
      const [a, b] = [valueIn(p.from, column), valueIn(p.to, column)];
      return a === null || b === null ? null : Math.round((b - a) * 1000) / 1000;
    };
    const shown = (v) => (v === null ? '' : num(v, 3));
    const name = r.level === 'land' ? t('netherlands') : r.name;
    for (const m of r.measures ?? []) {
      for (const [kind, periods] of [['score', m.years], ['change', m.changes]]) {
        for (const p of periods ?? []) {
          const row = [r.code, name, levelName(r.level), m.measure, measureName(m.measure),
            t(kind === 'score' ? 'csvScore' : 'csvChange'), p.from ?? '', p.year ?? p.to,
            shown(valueOf(p, m.measure)), m.measure === 'lbm' ? shown(valueOf(p, 'afw')) : '', p.cells, p.no_data];
          row.push(...p.counts.map((c) => String(c)), ...p.shares.map((s) => num(s, 3)));
          if (weighted) {
            row.push(...(p.weights ?? Array(9).fill('')).map((w) => (w === '' ? '' : num(w))),
              ...(p.weight_shares ?? Array(9).fill('')).map((s) => (s === '' ? '' : num(s, 3))));
          }
          lines.push(row.map((v) => quote(String(v))).join(sep));
        }
      }
    }
  }
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

export function initReport(catalog) {
  const dialog = document.getElementById('report-dialog');
  const title = document.getElementById('report-title');
  const body = document.getElementById('report-body');
  const sepSelect = document.getElementById('report-sep');
  let reports = []; // [the place, its gemeente, the Netherlands] as loaded
  let request = 0;

  const change = () => state.mode === 'change';
  const classes = (m) => (change() ? catalog.changeClassification(m, state.from, state.to) : catalog.classification(m));
  const measureName = (m) => pick(catalog.measure(m), 'name') || m;
  const placeName = (r) => (r.level === 'land' ? t('netherlands') : areaTitle(r.level, r.name));

  async function open(code) {
    const mine = ++request;
    title.textContent = t('reportTitle', { place: code ? code : t('netherlands') });
    body.replaceChildren(el('p', 'muted', t('reportLoading')));
    dialog.dataset.state = 'loading';
    if (!dialog.open) dialog.showModal();
    try {
      const own = await loadReport(code);
      const codes = [own.gemeente?.code, own.code === 'NL' ? null : 'NL'].filter((c) => c && c !== own.code);
      const others = await Promise.all(codes.map((c) => loadReport(c === 'NL' ? null : c).catch(() => null)));
      if (mine !== request) return;
      reports = [own, ...others.filter(Boolean)];
      render();
      dialog.dataset.state = 'ready';
    } catch (err) {
      if (mine !== request) return;
      reports = [];
      body.replaceChildren(el('p', 'error', t('reportError')));
      dialog.dataset.state = 'error';
      console.error(err);
    }
  }

  function render() {
    if (!dialog.open || reports.length === 0) return;
    const [own] = reports;
    const m = state.measure;
    title.textContent = t('reportTitle', { place: placeName(own) });
    dialog.dataset.code = own.code;
    dialog.dataset.measure = m;
    const parts = [];
    const basis = own.weight ? t('reportShareOfWeight', { weight: own.weight }) : t('reportShareOfCells');
    parts.push(el('p', 'muted', `${measureName(m)} · ${change() ? t('modeChange') : t('modeScore')} · ${basis}`));
    // Where the area's own scores (the weakest measure below) come from.
    const from = own.level === 'land' ? null : catalog.areaScores(own.level);
    if (from) {
      const note = el('p', 'muted area-source', t(from === 'file' ? 'scoresFile' : 'scoresDerived'));
      note.dataset.scores = from;
      parts.push(note);
    }
    if (!change()) parts.push(summaryTable(m));
    parts.push(barsBlock(m));
    const weak = weakestBlock(own);
    if (weak) parts.push(weak);
    const pressure = pressureBlock(own);
    if (pressure) parts.push(pressure);
    body.replaceChildren(...parts);
  }

  /** The monitor's figures per place for the last year (see FIGURES). */
  function summaryTable(m) {
    const table = el('table', 'report-summary');
    const head = el('tr');
    head.append(el('th', null, ''), ...FIGURES.map(([, label]) => el('th', null, t(label))));
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    for (const r of reports) {
      const periods = periodsOf(r, m, false);
      const last = periods[periods.length - 1];
      const tr = el('tr');
      tr.dataset.code = r.code;
      const shares = last ? sharesOf(last) : null;
      tr.append(el('th', null, `${placeName(r)}${last ? ` (${last.year})` : ''}`),
        ...FIGURES.map(([, , ks]) => el('td', null, shares ? percent(sumOf(shares, ks)) : '–')));
      if (shares) for (const [key, , ks] of FIGURES) tr.dataset[key] = String(sumOf(shares, ks));
      tbody.append(tr);
    }
    table.append(thead, tbody);
    return table;
  }

  /** Per year (or period) a stacked bar of the class shares of each place, side by side. */
  function barsBlock(m) {
    const c = classes(m);
    const wrap = el('div', 'report-bars');
    const keys = [];
    for (const r of reports) {
      for (const p of periodsOf(r, m, change())) {
        if (!keys.some((k) => periodKey(k) === periodKey(p))) keys.push(p);
      }
    }
    keys.sort((a, b) => (a.from ?? a.year) - (b.from ?? b.year) || (a.to ?? 0) - (b.to ?? 0));
    if (keys.length === 0) {
      wrap.append(el('p', 'muted', t('reportNone')));
      return wrap;
    }
    for (const key of keys) {
      const group = el('div', 'report-period');
      group.dataset.period = periodKey(key);
      group.append(el('h3', null, periodLabel(key)));
      for (const r of reports) {
        const p = periodsOf(r, m, change()).find((x) => periodKey(x) === periodKey(key));
        const row = el('div', 'report-row');
        row.dataset.code = r.code;
        row.append(el('span', 'report-place', r.level === 'land' ? t('netherlands') : r.name));
        const bar = el('span', 'report-bar');
        bar.setAttribute('role', 'img');
        if (p) {
          const shares = sharesOf(p);
          const said = [];
          shares.forEach((s, i) => {
            if (s <= 0) return;
            const k = i + 1;
            const seg = el('span', 'report-seg');
            seg.style.width = `${s}%`;
            seg.style.background = classEntry(c, k)?.color ?? '#999';
            seg.dataset.class = String(k);
            seg.dataset.share = String(s);
            const label = `${pick(classEntry(c, k), 'label')}: ${percent(s)}`;
            seg.title = label;
            said.push(label);
            bar.append(seg);
          });
          bar.setAttribute('aria-label', `${r.name} ${periodLabel(key)}: ${said.join(', ')}`);
        } else {
          bar.classList.add('empty');
          bar.setAttribute('aria-label', `${r.name} ${periodLabel(key)}: ${t('noData')}`);
        }
        row.append(bar);
        group.append(row);
      }
      wrap.append(group);
    }
    const legend = el('ul', 'report-legend');
    for (let k = 1; k <= 9; k++) {
      const li = el('li');
      const sw = el('span', 'swatch');
      sw.style.background = classEntry(c, k)?.color ?? '';
      li.append(sw, el('span', null, pick(classEntry(c, k), 'label')));
      legend.append(li);
    }
    wrap.append(legend);
    return wrap;
  }

  /** The dimension furthest below the national level in the last year, and how that went. */
  function weakestBlock(r) {
    const w = r.weakest;
    if (!w || w.trend.length === 0) return null;
    const first = w.trend[0];
    const last = w.trend[w.trend.length - 1];
    const box = el('div', 'report-weakest');
    box.dataset.measure = w.measure;
    box.append(el('h3', null, t('reportWeakest')));
    box.append(el('p', null, t('reportWeakestLine', {
      measure: measureName(w.measure), d: formatSigned(last.difference), year: last.year,
    })));
    if (w.trend.length > 1) {
      const delta = last.difference - first.difference;
      const key = Math.abs(delta) < 0.0005 ? 'reportTrendSame' : delta > 0 ? 'reportTrendBetter' : 'reportTrendWorse';
      box.dataset.trend = key;
      box.append(el('p', 'muted', t(key, { from: first.year, to: last.year, a: formatSigned(first.difference), b: formatSigned(last.difference) })));
    }
    return box;
  }

  /**
   * The areas "structureel onder druk" (by the rule the tiler wrote): whether this area is, and
   * how many buurten in how many wijken (and gemeenten, for the country) are.
   */
  function pressureBlock(r) {
    const p = r.pressure;
    if (!p) return null;
    const entry = catalog.classification(p.rule.measure)?.classes?.find((c) => c.class === p.rule.max_class);
    const vars = {
      label: pick(entry, 'label') || String(p.rule.max_class), since: p.rule.since,
      buurten: p.buurten, wijken: p.in_wijken, gemeenten: p.in_gemeenten,
    };
    const box = el('div', 'report-pressure');
    box.dataset.buurten = String(p.buurten);
    box.dataset.wijken = String(p.in_wijken);
    if (p.marked !== null) box.dataset.marked = String(p.marked);
    box.append(el('h3', null, t('reportPressureTitle')));
    if (r.level === 'land') {
      box.append(el('p', null, t('reportPressureCountNl', vars)));
    } else {
      box.append(el('p', null, t(p.marked ? 'reportPressureMarked' : 'reportPressureNotMarked', vars)));
      if (r.level === 'gemeente' || r.level === 'wijk') box.append(el('p', null, t('reportPressureCount', vars)));
    }
    return box;
  }

  function download() {
    const sep = sepSelect.value === ',' ? ',' : ';';
    const text = reportCsv(reports, { sep, measureName: (m) => pick(catalog.measure(m), 'name') ?? m });
    const blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    const own = reports[0];
    a.download = `leefbaarometer-${(own?.code ?? 'NL').toLowerCase()}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  sepSelect.value = getLang() === 'nl' ? ';' : ',';
  document.getElementById('report-csv').addEventListener('click', download);
  document.getElementById('report-close').addEventListener('click', () => dialog.close());
  document.getElementById('report-open')?.addEventListener('click', () => open(null));
  subscribe((keys) => {
    if (keys.includes('lang')) sepSelect.value = state.lang === 'en' ? ',' : ';';
    if (keys.some((k) => ['measure', 'lang', 'mode', 'from', 'to'].includes(k))) render();
  });
  return { open };
}

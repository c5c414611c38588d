// The search box: an ARIA 1.2 combobox (input + listbox). Typing asks GET /api/v1/search
// (debounced) and, with a geocoder configured (`geocoder_url`, a PDOK Locatieserver), its
// suggestions of addresses, postcodes, streets and places, listed after the built-in hits;
// ArrowDown/ArrowUp move through the results, Enter picks one (or the first), Esc closes the list
// (a second Esc clears the box). A picked result flies the map to it. When the geocoder fails or
// takes longer than GEOCODER_TIMEOUT_MS, the built-in search works alone and the hint says so.

import { searchPlaces, hasApi, hasGeocoder, suggestAddresses } from './api.js';
import { t, levelName } from './i18n.js';

const DEBOUNCE_MS = 200;

/**
 * The label of a result: "Binnenstad" with "wijk · WK034401 · Utrecht", "'s-Gravenhage" with
 * "gemeente · GM0518 · ook: Den Haag", or "Cel E1213N4879".
 */
export function describe(r) {
  if (r.kind === 'cell') return { name: `${t('cell')} ${r.cell}`, detail: t('searchCell') };
  if (r.kind === 'address') {
    const key = `searchType_${r.type}`;
    return { name: r.name, detail: t(key) === key ? t('searchType_adres') : t(key) };
  }
  const parts = [levelName(r.level, 'word'), r.code, r.parent].filter(Boolean);
  // Found by another name ("Den Haag" for 's-Gravenhage): say so, or the hit looks wrong.
  if (r.alias) parts.push(`${t('searchAlias')} ${r.alias}`);
  if (r.on_map === false) parts.push(t('searchNotOnMap'));
  return { name: r.name, detail: parts.join(' · ') };
}

/**
 * Wires the combobox; `onPick(result)` is called with the chosen result.
 */
export function initSearch({ onPick }) {
  const input = document.getElementById('search');
  if (!hasApi() && !hasGeocoder()) {
    // A static site without a geocoder has no search: no box that cannot find anything.
    input.closest('.search').hidden = true;
    return;
  }
  const help = document.getElementById('search-help');
  /** The hint says what can be searched: with the geocoder when it answers, without it when not. */
  const setHelp = (key) => {
    help.dataset.i18n = key;
    help.textContent = t(key);
  };
  const addressHelp = hasApi() ? 'searchHelpAddress' : 'searchHelpAddressOnly';
  if (hasGeocoder()) setHelp(addressHelp);
  const list = document.getElementById('search-list');
  const status = document.getElementById('search-status');
  let results = [];
  let active = -1;
  let timer = 0;
  let request = 0;

  const setOpen = (open) => {
    list.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    if (!open) setActive(-1);
  };

  function setActive(i) {
    active = i;
    for (const [k, li] of [...list.children].entries()) li.setAttribute('aria-selected', String(k === i));
    const li = i >= 0 ? list.children[i] : null;
    if (li) {
      input.setAttribute('aria-activedescendant', li.id);
      li.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  /** Lists `results` (and `message`); `keep` keeps the active option (results were added). */
  function render(message, keep = false) {
    const wasActive = active;
    list.replaceChildren(...results.map((r, i) => {
      const li = document.createElement('li');
      li.id = `search-option-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.dataset.kind = r.kind;
      if (r.code) li.dataset.code = r.code;
      const { name, detail } = describe(r);
      const n = document.createElement('span');
      n.className = 'search-name';
      n.textContent = name;
      const d = document.createElement('span');
      d.className = 'search-detail';
      d.textContent = detail;
      li.append(n, d);
      // mousedown, not click: keep the input's focus (no blur before the pick).
      li.addEventListener('mousedown', (e) => {
        e.preventDefault();
        choose(i);
      });
      return li;
    }));
    if (message) {
      const li = document.createElement('li');
      li.className = 'search-empty';
      li.setAttribute('role', 'option');
      li.setAttribute('aria-disabled', 'true');
      li.textContent = message;
      list.append(li);
    }
    status.textContent = message ?? t('searchCount', { n: results.length });
    setOpen(list.children.length > 0);
    setActive(keep && wasActive < results.length ? wasActive : -1);
  }

  /** Searches `q` and lists what it finds; false when a newer search or a pick overtook it. */
  async function run(q) {
    const mine = ++request;
    const box = input.closest('.search');
    box?.setAttribute('data-state', 'loading');
    // Both asked at once; the built-in hits are listed as soon as they come.
    const own = hasApi() ? searchPlaces(q).then((found) => found.results ?? []) : Promise.resolve([]);
    // Settled into a value at once: a failure is an answer here, never an unhandled rejection.
    const addresses = hasGeocoder()
      ? suggestAddresses(q).then((found) => ({ found }), (err) => ({ err }))
      : null;
    let ownResults = [];
    let ownError = null;
    try {
      ownResults = await own;
    } catch (err) {
      ownError = err;
    }
    if (mine !== request) return false;
    results = ownResults;
    if (addresses) {
      if (results.length) render(null);
      const { found, err } = await addresses;
      if (mine !== request) return false;
      if (err) {
        console.warn('geocoder:', err);
        setHelp(hasApi() ? 'searchHelpNoGeocoder' : addressHelp);
      } else {
        results = [...ownResults, ...found];
        setHelp(addressHelp);
      }
    }
    if (results.length) render(null, Boolean(addresses));
    else if (ownError) {
      // The server's reason is English for developers; the page says it in its own language.
      const known = ownError.code && t(`searchErr_${ownError.code}`) !== `searchErr_${ownError.code}`;
      render(ownError.status === 400 ? t(known ? `searchErr_${ownError.code}` : 'searchBadQuery') : t('searchError'));
    } else render(t('searchNone'));
    if (mine !== request) return false;
    box?.setAttribute('data-state', 'idle');
    return true;
  }

  function choose(i) {
    const r = results[i];
    if (!r) return;
    // A pick ends the search: a geocoder answer still on its way must not open the list again.
    request++;
    input.closest('.search')?.setAttribute('data-state', 'idle');
    input.value = describe(r).name;
    setOpen(false);
    status.textContent = describe(r).name;
    // On a phone the keyboard goes and the sheet shrinks: the map shows what was picked.
    if (window.matchMedia('(max-width: 720px)').matches) input.blur();
    onPick(r);
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) {
      request++;
      results = [];
      list.replaceChildren();
      setOpen(false);
      return;
    }
    timer = setTimeout(() => run(q.slice(0, 100)), DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (e) => {
    const n = results.length;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (list.hidden && n) setOpen(true);
      if (n) setActive((active + 1) % n);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (n) setActive(active <= 0 ? n - 1 : active - 1);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (active >= 0) choose(active);
      else if (n && !list.hidden) choose(0);
      else if (input.value.trim()) {
        // Enter before the debounce fired: search now, then take the first result.
        clearTimeout(timer);
        // Only while it is still the latest search: not the first result of a query typed since.
        run(input.value.trim().slice(0, 100)).then((latest) => latest && results.length && choose(0));
      }
    } else if (e.key === 'Escape') {
      if (!list.hidden) {
        e.preventDefault();
        e.stopPropagation();
        setOpen(false);
      } else if (input.value) {
        e.preventDefault();
        e.stopPropagation();
        input.value = '';
        results = [];
        list.replaceChildren();
      }
    }
  });
  // While the box has the focus the page is searching (a phone's sheet grows for the results).
  input.addEventListener('blur', () => {
    setOpen(false);
    document.body.classList.remove('searching');
  });
  input.addEventListener('focus', () => {
    document.body.classList.add('searching');
    if (results.length) setOpen(true);
  });
}

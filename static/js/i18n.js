// UI strings in Dutch (default) and English. Data labels (measure names, class labels) come from
// the catalog's `name_nl`/`name_en` and `label_nl`/`label_en`, never from this file.

const strings = {
  nl: {
    title: 'Leefbaarometer – kaart',
    panelTitle: 'Leefbaarometer',
    subtitle: 'Leefbaarheid per 100 × 100 m',
    measure: 'Thema',
    year: 'Jaar',
    prevYear: 'Vorig jaar',
    nextYear: 'Volgend jaar',
    compare: 'Vergelijk twee jaren',
    compareYear: 'Vergelijk met',
    legend: 'Legenda',
    basisAfw: 'Klassen naar de afwijking van het landelijk gemiddelde.',
    cells: 'Cellen van {m} × {m} m',
    cellsCoarse: 'Cellen van {m} × {m} m: gemiddelde van de 100 m-cellen; zoom in voor meer detail',
    noData: 'geen gegevens',
    share: 'Delen',
    copyLink: 'Link kopiëren',
    copied: 'Gekopieerd',
    embed: 'Insluiten',
    embedTitle: 'Kaart insluiten',
    embedHelp: 'Plak deze code in uw website om de kaart met de huidige instellingen te tonen.',
    copyCode: 'Code kopiëren',
    close: 'Sluiten',
    language: 'English',
    languageLabel: 'Switch to English',
    loading: 'Kaart laden…',
    loadingCell: 'Gegevens laden…',
    map: 'Kaart van de leefbaarheid',
    skipToMap: 'Naar de kaart',
    mapHelp: 'Sleep of gebruik de pijltjestoetsen om te schuiven, + en − om te zoomen, Enter voor de gegevens van het midden.',
    cell: 'Cel',
    total: 'Totaalscore',
    dimensions: 'Dimensies (afwijking van het landelijk gemiddelde)',
    overTime: 'Door de jaren heen',
    noCell: 'Geen gegevens op deze plek.',
    noCellHere: 'Precies op deze plek ligt geen 100 m-cel met gegevens; zoom in en klik op een cel.',
    coarseCell: '{cell}: gemiddelde {v} ({label}) van {n} cellen van 100 m.',
    featureValue: '{name}: {v} ({label}).',
    staticInfo: 'Deze kaart draait zonder server: hier staat wat de kaartlaag zelf bevat. Alle dimensies en de ontwikkeling door de jaren heen staan op de kaart met server.',
    pointError: 'De gegevens van deze plek konden niet worden geladen.',
    catalogError: 'De kaartgegevens zijn niet beschikbaar (catalogus kon niet worden geladen). Probeer het later opnieuw.',
    tilesetError: 'Kaartlaag {id} is niet beschikbaar.',
    noTileset: 'Voor {measure} {year} is geen kaartlaag beschikbaar.',
    divider: 'Schuifbalk tussen {a} (links) en {b} (rechts)',
    fullMap: 'Bekijk op Leefbaarometer-kaart',
    menu: 'Menu',
    belowAverage: 'onder gemiddeld',
    aboveAverage: 'boven gemiddeld',
    classLabel: 'klasse {k}: {label}',
    search: 'Zoeken',
    searchHelp: 'Gemeente, wijk, buurt, code, cel (E1213N4879) of coördinaten',
    searchResults: 'Zoekresultaten',
    searchNone: 'Niets gevonden',
    searchError: 'Zoeken is mislukt',
    searchCount: '{n} resultaten; pijltjes omlaag en omhoog om te kiezen',
    searchCell: '100 m-cel',
    levelGemeente: 'gemeente',
    levelWijk: 'wijk',
    levelBuurt: 'buurt',
    levelPc4: 'postcode',
    view: 'Weergave',
    modeScore: 'Score',
    modeChange: 'Ontwikkeling',
    fromYear: 'Van',
    toYear: 'Tot',
    level: 'Niveau',
    levelAuto: 'Automatisch',
    levelGemeenteName: 'Gemeente',
    levelWijkName: 'Wijk',
    levelBuurtName: 'Buurt',
    levelGrid: 'Cellen',
    levelShown: 'Niveau: {level}',
    changeBasis: 'Verandering tussen {from} en {to}.',
    areas: 'Gebieden',
    changeValue: 'Verandering {from} → {to}: {v} ({label})',
    noCellAreasOnly: 'Op deze plek ligt geen 100 m-cel met gegevens.',
  },
  en: {
    title: 'Leefbaarometer – map',
    panelTitle: 'Leefbaarometer',
    subtitle: 'Livability per 100 × 100 m',
    measure: 'Theme',
    year: 'Year',
    prevYear: 'Previous year',
    nextYear: 'Next year',
    compare: 'Compare two years',
    compareYear: 'Compare with',
    legend: 'Legend',
    basisAfw: 'Classes by the deviation from the national average.',
    cells: 'Cells of {m} × {m} m',
    cellsCoarse: 'Cells of {m} × {m} m: the mean of the 100 m cells; zoom in for detail',
    noData: 'no data',
    share: 'Share',
    copyLink: 'Copy link',
    copied: 'Copied',
    embed: 'Embed',
    embedTitle: 'Embed the map',
    embedHelp: 'Paste this code into your website to show the map with the current settings.',
    copyCode: 'Copy code',
    close: 'Close',
    language: 'Nederlands',
    languageLabel: 'Schakel naar Nederlands',
    loading: 'Loading map…',
    loadingCell: 'Loading data…',
    map: 'Map of livability',
    skipToMap: 'Skip to the map',
    mapHelp: 'Drag or use the arrow keys to pan, + and − to zoom, Enter for the data at the centre.',
    cell: 'Cell',
    total: 'Total score',
    dimensions: 'Dimensions (deviation from the national average)',
    overTime: 'Over the years',
    noCell: 'No data at this place.',
    noCellHere: 'There is no 100 m cell with data at exactly this place; zoom in and click a cell.',
    coarseCell: '{cell}: mean {v} ({label}) of {n} cells of 100 m.',
    featureValue: '{name}: {v} ({label}).',
    staticInfo: 'This map runs without a server: shown is what the map layer itself holds. All dimensions and the development over the years are on the map with a server.',
    pointError: 'The data for this place could not be loaded.',
    catalogError: 'The map data is unavailable (the catalog could not be loaded). Please try again later.',
    tilesetError: 'Map layer {id} is unavailable.',
    noTileset: 'No map layer is available for {measure} {year}.',
    divider: 'Divider between {a} (left) and {b} (right)',
    fullMap: 'Open in the Leefbaarometer map',
    menu: 'Menu',
    belowAverage: 'below average',
    aboveAverage: 'above average',
    classLabel: 'class {k}: {label}',
    search: 'Search',
    searchHelp: 'Municipality, district, neighbourhood, code, cell (E1213N4879) or coordinates',
    searchResults: 'Search results',
    searchNone: 'Nothing found',
    searchError: 'Search failed',
    searchCount: '{n} results; arrow down and up to choose',
    searchCell: '100 m cell',
    levelGemeente: 'municipality',
    levelWijk: 'district',
    levelBuurt: 'neighbourhood',
    levelPc4: 'postcode',
    view: 'View',
    modeScore: 'Score',
    modeChange: 'Change',
    fromYear: 'From',
    toYear: 'To',
    level: 'Level',
    levelAuto: 'Automatic',
    levelGemeenteName: 'Municipality',
    levelWijkName: 'District',
    levelBuurtName: 'Neighbourhood',
    levelGrid: 'Cells',
    levelShown: 'Level: {level}',
    changeBasis: 'Change between {from} and {to}.',
    areas: 'Areas',
    changeValue: 'Change {from} → {to}: {v} ({label})',
    noCellAreasOnly: 'There is no 100 m cell with data at this place.',
  },
};

// MapLibre's own control labels (its `locale` option), set when the map is created.
const maplibre = {
  nl: {
    'NavigationControl.ZoomIn': 'Inzoomen',
    'NavigationControl.ZoomOut': 'Uitzoomen',
    'AttributionControl.ToggleAttribution': 'Bronvermelding tonen of verbergen',
    'Map.Title': 'Kaart',
  },
  en: {},
};

/** MapLibre's `locale` option for the current language. */
export const mapLocale = () => maplibre[lang] ?? {};

let lang = 'nl';

export const languages = Object.keys(strings);

export function setLang(l) {
  lang = strings[l] ? l : 'nl';
  document.documentElement.lang = lang;
}

export const getLang = () => lang;

/** A UI string with `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const s = strings[lang][key] ?? strings.nl[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? '');
}

/** Picks `obj[base_nl]` or `obj[base_en]` for the current language (catalog data). */
export const pick = (obj, base) => obj?.[`${base}_${lang}`] ?? obj?.[`${base}_nl`] ?? '';

/** Fills elements marked with data-i18n (text) and data-i18n-label (aria-label, title). */
export function translate(root = document) {
  document.title = t(document.body.dataset.mode === 'embed' ? 'map' : 'title');
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
    el.title = t(el.dataset.i18nLabel);
  }
}

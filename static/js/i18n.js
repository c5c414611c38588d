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
    basisAfw: 'Het totaal is ingedeeld naar de afwijking (afw) van het landelijk referentieniveau {ref}; dat niveau is in elk jaar hetzelfde, dus een klasse betekent in elk jaar hetzelfde.',
    basisAfwPlain: 'Het totaal is ingedeeld naar de afwijking (afw) van het landelijk referentieniveau.',
    basisAfwVarying: 'Let op: in deze gegevens verschilt het referentieniveau per jaar (tot {spread}); klassen van verschillende jaren zijn dan niet vergelijkbaar.',
    basisDimension: 'Ingedeeld naar de score van de dimensie (afwijking van het landelijk niveau); dezelfde klassengrenzen in elk jaar.',
    notPopulated: 'geen bewoning',
    noDataFor: 'geen gegevens voor {year}',
    aboveReference: 'afw {v}: boven het landelijk referentieniveau ({ref})',
    belowReference: 'afw {v}: onder het landelijk referentieniveau ({ref})',
    atReference: 'afw {v}: op het landelijk referentieniveau ({ref})',
    changeFromTo: '{from}: {a} ({ka}) → {to}: {b} ({kb})',
    otherChanges: 'Verandering van de andere thema\'s',
    coarseChange: '{cell}: verandering {from} → {to} van het gemiddelde: {v} ({label}), {n} cellen van 100 m.',
    about: 'Over deze kaart',
    aboutTitle: 'Over deze kaart',
    aboutClasses: 'De kaart deelt elke score in negen klassen in, van zeer onvoldoende tot uitstekend. De klassengrenzen zijn in elk jaar dezelfde: een klasse betekent in 2002 hetzelfde als in 2022, en een wijk die beter wordt, schuift naar een betere klasse.',
    aboutReference: 'Het totaal (leefbaarheid) wordt ingedeeld naar zijn afwijking (afw) van één landelijk referentieniveau. De vijf dimensies zijn zelf afwijkingen rond nul: positief is beter dan het landelijk niveau.',
    aboutChange: 'Ontwikkeling toont de verandering van de score tussen twee jaren: de score van het tweede jaar min die van het eerste. Een stijging valt altijd in een klasse van vooruitgang, een daling in een klasse van achteruitgang.',
    aboutNoData: 'Grijs betekent geen gegevens: de cel of het gebied bestaat, maar heeft voor dit jaar geen score. Gebied zonder bewoners is niet ingekleurd.',
    aboutSignal: 'De Leefbaarometer signaleert waar de leefbaarheid goed of zwak lijkt en in welke dimensie; hij verklaart niet waardoor, en zegt niet wat er moet gebeuren.',
    aboutDemo: 'De demogegevens op deze kaart zijn synthetisch en zeggen niets over echte plaatsen.',
    cells: 'Cellen van {m} × {m} m',
    cellsCoarse: 'Cellen van {m} × {m} m: gemiddelde van de 100 m-cellen; zoom in voor meer detail',
    noData: 'geen gegevens',
    share: 'Delen',
    copyLink: 'Link kopiëren',
    copied: 'Gekopieerd',
    embed: 'Insluiten',
    embedTitle: 'Kaart insluiten',
    embedHeight: 'Hoogte (px)',
    embedLanguage: 'Taal',
    embedLegend: 'Legenda tonen',
    embedHelp: 'Plak deze code in uw website om de kaart met de huidige thema, jaar en uitsnede te tonen.',
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
    dimensions: 'Dimensies (afwijking van het landelijk niveau)',
    overTime: 'Door de jaren heen',
    noCell: 'Geen gegevens op deze plek.',
    noCellHere: 'Precies op deze plek ligt geen 100 m-cel met gegevens; zoom in en klik op een cel.',
    coarseCell: '{cell}: gemiddelde {v} ({label}) van {n} cellen van 100 m.',
    staticInfo: 'Deze kaart draait zonder server: hier staat wat de kaartlaag zelf bevat. Alle dimensies en de ontwikkeling door de jaren heen staan op de kaart met server.',
    pointError: 'De gegevens van deze plek konden niet worden geladen.',
    catalogError: 'De kaartgegevens zijn niet beschikbaar (catalogus kon niet worden geladen). Probeer het later opnieuw.',
    tilesetError: 'Kaartlaag {id} is niet beschikbaar.',
    noTileset: 'Voor {measure} {year} is geen kaartlaag beschikbaar.',
    divider: 'Schuifbalk tussen {a} (links) en {b} (rechts)',
    fullMap: 'Bekijk op Leefbaarometer-kaart',
    menu: 'Menu',
    belowAverage: 'onder het landelijk niveau',
    aboveAverage: 'erboven',
    classLabel: 'klasse {k}: {label}',
    coarseCellTitle: 'Cel van {size} × {size} m: {from}–{to}',
    search: 'Zoeken',
    searchHelp: 'Gemeente, wijk, buurt, code, cel (E1213N4879) of coördinaten',
    searchAlias: 'ook:',
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
    transparency: 'Transparantie',
    showLegend: 'Legenda tonen of verbergen',
    levelAuto: 'Automatisch',
    levelGemeenteName: 'Gemeente',
    levelWijkName: 'Wijk',
    levelBuurtName: 'Buurt',
    levelGrid: 'Cellen',
    levelShown: 'Niveau: {level}',
    changeBasis: 'Verandering van de score van {from} tot {to} (score {to} min score {from}); een stijging valt altijd in een klasse van vooruitgang.',
    areas: 'Gebieden',
    changeValue: 'verandering {from} → {to}',
    noCellAreasOnly: 'Op deze plek ligt geen 100 m-cel met gegevens.',
  },
  en: {
    title: 'Leefbaarometer – map',
    panelTitle: 'Leefbaarometer',
    subtitle: 'Liveability per 100 × 100 m',
    measure: 'Theme',
    year: 'Year',
    prevYear: 'Previous year',
    nextYear: 'Next year',
    compare: 'Compare two years',
    compareYear: 'Compare with',
    legend: 'Legend',
    basisAfw: 'The total score is classed by its deviation (afw) from the national reference level {ref}; that level is the same in every year, so a class means the same in every year.',
    basisAfwPlain: 'The total score is classed by its deviation (afw) from the national reference level.',
    basisAfwVarying: 'Note: in this data the reference level differs between years (by up to {spread}); classes of different years are then not comparable.',
    basisDimension: 'Classed by the dimension\'s score (its deviation from the national level); the same class limits in every year.',
    notPopulated: 'not populated',
    noDataFor: 'no data for {year}',
    aboveReference: 'afw {v}: above the national reference level ({ref})',
    belowReference: 'afw {v}: below the national reference level ({ref})',
    atReference: 'afw {v}: at the national reference level ({ref})',
    changeFromTo: '{from}: {a} ({ka}) → {to}: {b} ({kb})',
    otherChanges: 'Change of the other themes',
    coarseChange: '{cell}: change {from} → {to} of the mean: {v} ({label}), {n} cells of 100 m.',
    about: 'About this map',
    aboutTitle: 'About this map',
    aboutClasses: 'The map puts every score in one of nine classes, from very insufficient to excellent. The class limits are the same in every year: a class means the same in 2002 as in 2022, and a neighbourhood that improves moves into a better class.',
    aboutReference: 'The total score (liveability) is classed by its deviation (afw) from one national reference level. The five dimensions are themselves deviations around zero: positive is better than the national level.',
    aboutChange: 'Change shows how the score changed between two years: the score of the second year minus that of the first. A rise is always in an improvement class, a fall always in a decline class.',
    aboutNoData: 'Grey means no data: the cell or area exists but has no score for this year. Land without residents is not coloured.',
    aboutSignal: 'The Leefbaarometer signals where liveability seems good or poor, and in which dimension; it does not explain why, nor say what should be done.',
    aboutDemo: 'The demo data on this map is synthetic and says nothing about real places.',
    cells: 'Cells of {m} × {m} m',
    cellsCoarse: 'Cells of {m} × {m} m: the mean of the 100 m cells; zoom in for detail',
    noData: 'no data',
    share: 'Share',
    copyLink: 'Copy link',
    copied: 'Copied',
    embed: 'Embed',
    embedTitle: 'Embed the map',
    embedHeight: 'Height (px)',
    embedLanguage: 'Language',
    embedLegend: 'Show the legend',
    embedHelp: 'Paste this code into your website to show the map with the current theme, year and view.',
    copyCode: 'Copy code',
    close: 'Close',
    language: 'Nederlands',
    languageLabel: 'Schakel naar Nederlands',
    loading: 'Loading map…',
    loadingCell: 'Loading data…',
    map: 'Map of liveability',
    skipToMap: 'Skip to the map',
    mapHelp: 'Drag or use the arrow keys to pan, + and − to zoom, Enter for the data at the centre.',
    cell: 'Cell',
    total: 'Total score',
    dimensions: 'Dimensions (deviation from the national level)',
    overTime: 'Over the years',
    noCell: 'No data at this place.',
    noCellHere: 'There is no 100 m cell with data at exactly this place; zoom in and click a cell.',
    coarseCell: '{cell}: mean {v} ({label}) of {n} cells of 100 m.',
    staticInfo: 'This map runs without a server: shown is what the map layer itself holds. All dimensions and the development over the years are on the map with a server.',
    pointError: 'The data for this place could not be loaded.',
    catalogError: 'The map data is unavailable (the catalog could not be loaded). Please try again later.',
    tilesetError: 'Map layer {id} is unavailable.',
    noTileset: 'No map layer is available for {measure} {year}.',
    divider: 'Divider between {a} (left) and {b} (right)',
    fullMap: 'Open in the Leefbaarometer map',
    menu: 'Menu',
    belowAverage: 'below the national level',
    aboveAverage: 'above',
    classLabel: 'class {k}: {label}',
    coarseCellTitle: '{size} × {size} m cell: {from}–{to}',
    search: 'Search',
    searchHelp: 'Municipality, district, neighbourhood, code, cell (E1213N4879) or coordinates',
    searchAlias: 'also:',
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
    transparency: 'Transparency',
    showLegend: 'Show or hide the legend',
    levelAuto: 'Automatic',
    levelGemeenteName: 'Municipality',
    levelWijkName: 'District',
    levelBuurtName: 'Neighbourhood',
    levelGrid: 'Cells',
    levelShown: 'Level: {level}',
    changeBasis: 'Change of the score from {from} to {to} (score {to} minus score {from}); a rise is always in an improvement class.',
    areas: 'Areas',
    changeValue: 'change {from} → {to}',
    noCellAreasOnly: 'There is no 100 m cell with data at this place.',
  },
};

// MapLibre's own control labels: its `locale` option when the map is created, and
// `localizeControls` (map.js) after a language switch.
const maplibre = {
  nl: {
    'NavigationControl.ZoomIn': 'Inzoomen',
    'NavigationControl.ZoomOut': 'Uitzoomen',
    'AttributionControl.ToggleAttribution': 'Bronvermelding tonen of verbergen',
    'Map.Title': 'Kaart',
    'CooperativeGesturesHandler.WindowsHelpText': 'Gebruik Ctrl + scrollen om in of uit te zoomen',
    'CooperativeGesturesHandler.MacHelpText': 'Gebruik ⌘ + scrollen om in of uit te zoomen',
    'CooperativeGesturesHandler.MobileHelpText': 'Gebruik twee vingers om de kaart te bewegen',
  },
  en: {
    'NavigationControl.ZoomIn': 'Zoom in',
    'NavigationControl.ZoomOut': 'Zoom out',
    'AttributionControl.ToggleAttribution': 'Toggle attribution',
    'Map.Title': 'Map',
    'CooperativeGesturesHandler.WindowsHelpText': 'Use Ctrl + scroll to zoom the map',
    'CooperativeGesturesHandler.MacHelpText': 'Use ⌘ + scroll to zoom the map',
    'CooperativeGesturesHandler.MobileHelpText': 'Use two fingers to move the map',
  },
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

const numberLocale = () => (lang === 'nl' ? 'nl-NL' : 'en-GB');
/** Every score, afw and change is published with 3 decimals: shown with exactly those. */
export const formatValue = (v) => (v === null || v === undefined || Number.isNaN(v) ? '–'
  : v.toLocaleString(numberLocale(), { minimumFractionDigits: 3, maximumFractionDigits: 3 }));
/** A change or deviation: with its sign. */
export const formatSigned = (v) => (v > 0 ? `+${formatValue(v)}` : formatValue(v));

/** A UI string with `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}, inLang = lang) {
  const s = strings[inLang]?.[key] ?? strings.nl[key] ?? key;
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

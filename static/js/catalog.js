// Lookups in the server's catalog: which measures and years exist, and which tileset draws them.

export class Catalog {
  constructor(json) {
    this.tilesets = (json.tilesets ?? []).filter((t) => (t.kind ?? 'score') === 'score');
    this.changeTilesets = (json.tilesets ?? []).filter((t) => t.kind === 'change');
    // The built-in basemap (land, water, boundaries, names), when the tiles folder has one.
    this.basemap = (json.tilesets ?? []).find((t) => t.kind === 'basemap') ?? null;
    // The "structureel onder druk" overlay (its rule in `pressure`), when the build made one.
    this.pressure = (json.tilesets ?? []).find((t) => t.kind === 'pressure' && t.pressure) ?? null;
    // `changes` pairs whose tileset is listed (older servers: derived from the tilesets).
    const pairs = json.changes ?? this.changeTilesets.map((t) => ({ measure: t.measure, from: t.year_from, to: t.year_to, id: t.id }));
    this.changePairs = pairs.filter((c) => this.changeTilesets.some((t) => t.id === c.id));
    // In the catalog's order: the contract's one order of the measures.
    this.measures = (json.measures ?? []).filter((m) => this.tilesets.some((t) => t.measure === m.id));
  }

  measure(id) {
    return this.measures.find((m) => m.id === id);
  }

  /** The years with a tileset for a measure, ascending. */
  years(measureId) {
    const ys = this.tilesets.filter((t) => t.measure === measureId).map((t) => t.year);
    return [...new Set(ys)].sort((a, b) => a - b);
  }

  tileset(measureId, year) {
    return this.tilesets.find((t) => t.measure === measureId && t.year === year);
  }

  /** The change pairs `{from, to, id}` of a measure, by from-year then to-year. */
  changes(measureId) {
    return this.changePairs.filter((c) => c.measure === measureId)
      .sort((a, b) => a.from - b.from || a.to - b.to);
  }

  changeTileset(measureId, from, to) {
    const pair = this.changePairs.find((c) => c.measure === measureId && c.from === from && c.to === to);
    return pair ? this.changeTilesets.find((t) => t.id === pair.id) : undefined;
  }

  /** The pair of a measure nearest to (from, to): same from-year if possible, else the latest. */
  nearestChange(measureId, from, to) {
    const cs = this.changes(measureId);
    if (cs.length === 0) return null;
    const exact = cs.find((c) => c.from === from && c.to === to);
    if (exact) return exact;
    const sameFrom = cs.filter((c) => c.from === from);
    if (sameFrom.length) return sameFrom.reduce((b, c) => (Math.abs(c.to - to) < Math.abs(b.to - to) ? c : b));
    const sameTo = cs.filter((c) => c.to === to);
    if (sameTo.length) return sameTo[sameTo.length - 1];
    return cs[cs.length - 1];
  }

  /** The classification of a measure (from its latest tileset), for legend and info panel. */
  classification(measureId) {
    const ts = this.tilesets.filter((t) => t.measure === measureId && t.classification);
    return ts.sort((a, b) => b.year - a.year)[0]?.classification ?? null;
  }

  /**
   * The reference level a measure's classes are measured from (`reference.value` of its latest
   * score tileset, for a measure classified on its deviation, like lbm on afw), or null.
   */
  reference(measureId) {
    const ts = this.tilesets.filter((t) => t.measure === measureId && t.kind === 'score' && t.reference);
    const v = ts.sort((a, b) => b.year - a.year)[0]?.reference?.value;
    return typeof v === 'number' ? v : null;
  }

  /**
   * Where the scores of an area level come from, as the tiler wrote it (`lbm_areas`): 'file'
   * (the Leefbaarometer's own area scores), 'derived' (the mean of the cells in the area), or
   * null when no tileset says.
   */
  areaScores(level) {
    const ts = [...this.tilesets].sort((a, b) => b.year - a.year);
    for (const t of ts) {
      const a = (t.areas ?? []).find((x) => x.layer === level);
      if (a?.scores) return a.scores;
    }
    return null;
  }

  /** The change classification of a measure: that of the pair's tileset, else any of its pairs. */
  changeClassification(measureId, from, to) {
    const own = this.changeTileset(measureId, from, to)?.classification;
    return own ?? this.changeTilesets.find((t) => t.measure === measureId && t.classification)?.classification ?? null;
  }

  /** The year of `years` nearest to `year` (latest when `year` is null). */
  static nearest(years, year) {
    if (years.length === 0) return null;
    if (year === null || year === undefined) return years[years.length - 1];
    return years.reduce((best, y) => (Math.abs(y - year) < Math.abs(best - year) ? y : best));
  }
}

/** The class entry (colour, labels) of class k, or the no-data entry. */
export function classEntry(classification, k) {
  return classification?.classes?.find((c) => c.class === k) ?? classification?.no_data ?? null;
}

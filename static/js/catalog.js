// Lookups in the server's catalog: which measures and years exist, and which tileset draws them.

// The order of the renewed leefbaarometer.nl; measures the catalog adds later go last.
const ORDER = ['lbm', 'fys', 'won', 'vrz', 'soc', 'onv'];

export class Catalog {
  constructor(json) {
    this.tilesets = (json.tilesets ?? []).filter((t) => (t.kind ?? 'score') === 'score');
    const rank = (id) => (ORDER.includes(id) ? ORDER.indexOf(id) : ORDER.length);
    this.measures = (json.measures ?? [])
      .filter((m) => this.tilesets.some((t) => t.measure === m.id))
      .sort((a, b) => rank(a.id) - rank(b.id));
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

  /** The classification of a measure (from its latest tileset), for legend and info panel. */
  classification(measureId) {
    const ts = this.tilesets.filter((t) => t.measure === measureId && t.classification);
    return ts.sort((a, b) => b.year - a.year)[0]?.classification ?? null;
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

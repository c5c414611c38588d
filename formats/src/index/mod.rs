//! The point index `lbm-index.sqlite` beside the tilesets: its schema and its writer
//! ([`IndexWriter`]), what the tiler writes and the server's point, search and report APIs read.
//!
//! Values are stored **published** ([`lbm_tileset::publish`]): exactly the `score` the tiles
//! carry. A class or a change computed from them with the contract's functions is therefore the
//! class or change in the tile.

pub mod read;
mod write;

pub use write::{ClassCounts, IndexWriter};

/// File name of the index inside a tiles folder.
pub const INDEX_FILE: &str = "lbm-index.sqlite";

/// The tables. `cells` holds every populated 100 m cell for every year of the scores file: a
/// view of `cell_values`, which stores each published value as an INTEGER in thousandths (2 bytes
/// a value on disk instead of a REAL's 8: the index of a national build shrinks from 320 to
/// about 170 MB), and `cells` divides them back, giving exactly the published REAL;
/// `areas` every area with its name, the search fold of its name ([`lbm_tileset::names`]), its
/// parent's code, its bounds in WGS84 and RD New, its RD New polygon as GeoJSON geometry, its
/// parent's name (the gemeente of a wijk or buurt, also when that level is not loaded) and its
/// centre in WGS84 (`center_lon`, `center_lat`: a point inside the area, the interior point of
/// its largest part, where search and the area API centre it);
/// `aliases` other names people type for an area (`common`: Den Haag for 's-Gravenhage;
/// `former`: a municipality merged into this one), with their search fold;
/// `area_scores` the published area values per year (areas without data have no row); `meta`
/// the classification of each measure (`classification.<measure>`,
/// `classification.change.<measure>`) and facts about the build (`weight_column`: the scores
/// file's weight column, when it had one).
///
/// `class_counts` holds the class distributions of the reports: per area (`code`, or
/// [`NATIONAL_CODE`] for the whole country), per measure and per year (`from_year` NULL) or
/// change period (`from_year` to `year`), the populated 100 m cells in each class `c1`..`c9`
/// (the class the 100 m tiles carry; a cell counts for one area of a level, the first whose
/// polygon holds its centre), the cells without a value `no_data`, and with a weighted scores
/// file the summed weights `w1`..`w9` (NULL otherwise). A place without cells in a period has
/// no row. `national_scores` holds the national mean of each value column per year (published,
/// over all populated cells, as an area's mean is).
///
/// `pressure` lists the areas "structureel onder druk" by the rule in `meta` key `pressure`
/// (the `lbm_pressure` row of the overlay tileset, [`lbm_tileset::metadata::Pressure`]), with the
/// gemeente and wijk they lie in (from the CBS code: a buurt `BUggggwwbb` lies in wijk
/// `WKggggww` of gemeente `GMgggg`).
pub const SCHEMA: &str = "
CREATE TABLE cell_values (hx INTEGER, hy INTEGER, year INTEGER, lbm INTEGER, afw INTEGER,
  fys INTEGER, onv INTEGER, soc INTEGER, vrz INTEGER, won INTEGER,
  PRIMARY KEY (hx, hy, year)) WITHOUT ROWID;
CREATE VIEW cells (hx, hy, year, lbm, afw, fys, onv, soc, vrz, won) AS SELECT hx, hy, year,
  lbm / 1000.0, afw / 1000.0, fys / 1000.0, onv / 1000.0, soc / 1000.0, vrz / 1000.0,
  won / 1000.0 FROM cell_values;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE areas (code TEXT PRIMARY KEY, level TEXT, name TEXT, name_norm TEXT,
  parent TEXT, minlon REAL, minlat REAL, maxlon REAL, maxlat REAL, minx REAL, miny REAL,
  maxx REAL, maxy REAL, geom TEXT, parent_name TEXT, center_lon REAL, center_lat REAL);
CREATE TABLE aliases (alias TEXT, alias_norm TEXT, code TEXT, kind TEXT);
CREATE TABLE area_scores (code TEXT, year INTEGER, lbm REAL, afw REAL, fys REAL,
  onv REAL, soc REAL, vrz REAL, won REAL, PRIMARY KEY (code, year)) WITHOUT ROWID;
CREATE TABLE class_counts (code TEXT, measure TEXT, from_year INTEGER, year INTEGER,
  no_data INTEGER, c1 INTEGER, c2 INTEGER, c3 INTEGER, c4 INTEGER, c5 INTEGER, c6 INTEGER,
  c7 INTEGER, c8 INTEGER, c9 INTEGER, w1 REAL, w2 REAL, w3 REAL, w4 REAL, w5 REAL, w6 REAL,
  w7 REAL, w8 REAL, w9 REAL);
CREATE TABLE national_scores (year INTEGER PRIMARY KEY, lbm REAL, afw REAL, fys REAL,
  onv REAL, soc REAL, vrz REAL, won REAL);
CREATE TABLE pressure (code TEXT PRIMARY KEY, level TEXT, gemeente TEXT, wijk TEXT);
";

/// Indexes created after the rows are in (a bulk load appends to the table, then sorts once).
pub const INDEXES: &str = "
CREATE INDEX class_counts_code ON class_counts (code, measure, from_year, year);
";

/// The `code` of the whole country in `class_counts`.
pub const NATIONAL_CODE: &str = "NL";

/// The value columns of `cells` and `area_scores`, in table order (that of
/// [`lbm_tileset::Column::ALL`]).
pub const VALUE_COLUMNS: &str = "lbm, afw, fys, onv, soc, vrz, won";

/// `meta` key of a measure's score classification.
pub fn classification_key(measure: &str) -> String {
    format!("classification.{measure}")
}

/// `meta` key of a measure's change classification.
pub fn change_classification_key(measure: &str) -> String {
    format!("classification.change.{measure}")
}

/// The value columns as names, in table order.
pub const VALUE_COLUMN_NAMES: [&str; 7] = ["lbm", "afw", "fys", "onv", "soc", "vrz", "won"];

/// One value per column of [`VALUE_COLUMNS`], in that order (`None`: no data).
pub type ValueRow = [Option<f64>; 7];

/// One row of `cells`: a populated 100 m cell in one year.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CellRow {
    /// Column of the cell in hectometres (RD New x / 100).
    pub hx: i32,
    /// Row of the cell in hectometres (RD New y / 100).
    pub hy: i32,
    /// The year.
    pub year: u16,
    /// Published values in [`VALUE_COLUMNS`] order; a value that is not finite is no data.
    pub values: [f64; 7],
}

/// One row of `areas`.
#[derive(Clone, Copy, Debug)]
pub struct AreaRow<'a> {
    /// CBS or postcode code (`GM0344`, `WK034401`, `BU03440101`, `3511`).
    pub code: &'a str,
    /// Level name (`gemeente`, `wijk`, `buurt`, `pc4`).
    pub level: &'a str,
    /// Display name.
    pub name: &'a str,
    /// The gemeente code of a wijk or buurt.
    pub parent: Option<&'a str>,
    /// Bounds in WGS84: west, south, east, north.
    pub bounds_lonlat: [f64; 4],
    /// Bounds in RD New: min x, min y, max x, max y.
    pub bounds_rd: [f64; 4],
    /// The polygons in RD New as a GeoJSON `Polygon` or `MultiPolygon` geometry; `None` (NULL,
    /// with NULL bounds and centre) for an area not on the map: its boundary file had no
    /// usable polygon for it, and search, the area API and the reports still know it.
    pub geom: Option<&'a str>,
    /// The name of the parent gemeente, when known.
    pub parent_name: Option<&'a str>,
    /// A point inside the area in WGS84 (longitude, latitude), when it has a polygon.
    pub center: Option<[f64; 2]>,
}

/// One row of `class_counts`: the class distribution of a place in a year or change period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClassCountRow<'a> {
    /// Area code, or [`NATIONAL_CODE`].
    pub code: &'a str,
    /// Measure id.
    pub measure: &'a str,
    /// First year of a change period; `None` for the scores of `year`.
    pub from_year: Option<u16>,
    /// The year (the last of a change period).
    pub year: u16,
    /// Populated cells without a value.
    pub no_data: u32,
    /// Cells per class 1..=9.
    pub counts: [u32; 9],
    /// Summed weights per class 1..=9, with a weighted scores file.
    pub weights: Option<[f64; 9]>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use lbm_tileset::Column;

    #[test]
    fn value_columns_follow_the_column_order() {
        let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(VALUE_COLUMNS, names.join(", "));
        assert_eq!(VALUE_COLUMN_NAMES, names[..]);
        // In the value tables and the `cells` view the columns appear in that order.
        for (table, ty) in [
            ("TABLE cell_values ", " INTEGER"),
            ("VIEW cells ", ""),
            ("TABLE area_scores ", " REAL"),
            ("TABLE national_scores ", " REAL"),
        ] {
            let def = &SCHEMA[SCHEMA.find(table).unwrap()..];
            let pos: Vec<usize> = names
                .iter()
                .map(|n| def.find(&format!(" {n}{ty}")).unwrap())
                .collect();
            assert!(pos.windows(2).all(|w| w[0] < w[1]), "{table}");
        }
    }
}

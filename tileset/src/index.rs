//! The point index `lbm-index.sqlite` beside the tilesets: what the tiler writes and the server's
//! point and search APIs read.
//!
//! Values are stored **published** ([`crate::classification::publish`]): exactly the `score`
//! the tiles carry. A class or a change computed from them with this crate's functions is
//! therefore the class or change in the tile.

/// File name of the index inside a tiles folder.
pub const INDEX_FILE: &str = "lbm-index.sqlite";

/// The tables. `cells` holds every populated 100 m cell for every year of the scores file: a
/// view of `cell_values`, which stores each published value as an INTEGER in thousandths (2 bytes
/// a value on disk instead of a REAL's 8: the index of a national build shrinks from 320 to
/// about 170 MB), and `cells` divides them back, giving exactly the published REAL;
/// `areas` every area with its name, the search fold of its name ([`crate::names`]), its
/// parent's code, its bounds in WGS84 and RD New, its RD New polygon as GeoJSON geometry and its
/// parent's name (the gemeente of a wijk or buurt, also when that level is not loaded);
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
/// (the `lbm_pressure` row of the overlay tileset, [`crate::metadata::Pressure`]), with the
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
  maxx REAL, maxy REAL, geom TEXT, parent_name TEXT);
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
/// [`crate::measure::Column::ALL`]).
pub const VALUE_COLUMNS: &str = "lbm, afw, fys, onv, soc, vrz, won";

/// `meta` key of a measure's score classification.
pub fn classification_key(measure: &str) -> String {
    format!("classification.{measure}")
}

/// `meta` key of a measure's change classification.
pub fn change_classification_key(measure: &str) -> String {
    format!("classification.change.{measure}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::Column;

    #[test]
    fn value_columns_follow_the_column_order() {
        let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(VALUE_COLUMNS, names.join(", "));
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

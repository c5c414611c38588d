//! The point index `lbm-index.sqlite` beside the tilesets: its schema and its writer
//! ([`IndexWriter`]), what the tiler writes and the server's point, search and report APIs read.
//!
//! Values are stored **published** ([`lbm_tileset::publish`]): exactly the `score` the tiles
//! carry. A class or a change computed from them with the contract's functions is therefore the
//! class or change in the tile.

use std::path::{Path, PathBuf};

use rusqlite::{params, Statement};

use lbm_tileset::names::normalise_name;

use crate::error::Result;
use crate::sqlite::AtomicDb;

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
    /// The polygons in RD New as a GeoJSON `Polygon` or `MultiPolygon` geometry.
    pub geom: &'a str,
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

/// A cell value in thousandths, as `cell_values` stores it (`None` for no data): the `cells`
/// view divides it back to exactly the published value, which is this rounding divided by 1000.
fn thousandths(v: f64) -> Option<i64> {
    v.is_finite().then(|| (v * 1000.0).round() as i64)
}

/// Rows of `cell_values` per INSERT statement: one statement's fixed cost (bind, step, reset)
/// spread over many rows. 64 rows of 10 values stay far under SQLite's limit of parameters.
const CELL_ROWS_PER_INSERT: usize = 64;

/// Writes `lbm-index.sqlite` atomically (a temporary file renamed into place by
/// [`IndexWriter::finish`]). Rows go in in the order of the calls: the tiler writes areas,
/// aliases, class counts, national scores, pressure, cells, then `meta`.
pub struct IndexWriter {
    db: AtomicDb,
}

impl IndexWriter {
    /// Starts the index at `dest` with its tables.
    pub fn create(dest: &Path) -> Result<Self> {
        let db = AtomicDb::create(dest, 8192)?;
        db.batch(SCHEMA)?;
        Ok(IndexWriter { db })
    }

    fn run(&self, sql: &str, params: impl rusqlite::Params) -> Result<()> {
        let mut stmt = self
            .db
            .conn()
            .prepare_cached(sql)
            .map_err(|e| self.db.err(e))?;
        stmt.execute(params).map(|_| ()).map_err(|e| self.db.err(e))
    }

    /// Adds an area (its search fold is computed here).
    pub fn add_area(&self, a: &AreaRow<'_>) -> Result<()> {
        let [w, s, e, n] = a.bounds_lonlat;
        let [x0, y0, x1, y1] = a.bounds_rd;
        let (clon, clat) = (a.center.map(|c| c[0]), a.center.map(|c| c[1]));
        self.run(
            "INSERT INTO areas VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)",
            params![
                a.code,
                a.level,
                a.name,
                normalise_name(a.name),
                a.parent,
                w,
                s,
                e,
                n,
                x0,
                y0,
                x1,
                y1,
                a.geom,
                a.parent_name,
                clon,
                clat
            ],
        )
    }

    /// Adds the published values of area `code` in `year`.
    pub fn add_area_scores(&self, code: &str, year: u16, v: &ValueRow) -> Result<()> {
        self.run(
            "INSERT INTO area_scores VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            params![code, year, v[0], v[1], v[2], v[3], v[4], v[5], v[6]],
        )
    }

    /// Adds another name of area `code` (`kind`: `common` or `former`).
    pub fn add_alias(&self, alias: &str, code: &str, kind: &str) -> Result<()> {
        self.run(
            "INSERT INTO aliases VALUES (?1, ?2, ?3, ?4)",
            params![alias, normalise_name(alias), code, kind],
        )
    }

    /// Starts the class distributions; [`ClassCounts::finish`] stores them in place order.
    pub fn class_counts(&self) -> Result<ClassCounts<'_>> {
        // Counted period by period, read place by place: the rows go to a staging table first
        // and are copied in place order at the end, so that a report's rows lie together on
        // disk.
        self.db.batch(
            "CREATE TEMP TABLE class_counts_staging AS SELECT * FROM class_counts WHERE 0",
        )?;
        let stmt = self
            .db
            .conn()
            .prepare(
                "INSERT INTO class_counts_staging VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,\
                 ?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)",
            )
            .map_err(|e| self.db.err(e))?;
        Ok(ClassCounts { db: &self.db, stmt })
    }

    /// Adds the national means of `year`.
    pub fn add_national_scores(&self, year: u16, v: &ValueRow) -> Result<()> {
        self.run(
            "INSERT INTO national_scores VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![year, v[0], v[1], v[2], v[3], v[4], v[5], v[6]],
        )
    }

    /// Adds an area under pressure, with the gemeente and wijk it lies in.
    pub fn add_pressure(
        &self,
        code: &str,
        level: &str,
        gemeente: Option<&str>,
        wijk: Option<&str>,
    ) -> Result<()> {
        self.run(
            "INSERT INTO pressure VALUES (?1, ?2, ?3, ?4)",
            params![code, level, gemeente, wijk],
        )
    }

    /// Adds cells, which must come in primary-key order (`hx`, `hy`, `year`): appending to the
    /// B-tree is much faster than random inserts.
    pub fn add_cells(&self, rows: &[CellRow]) -> Result<()> {
        let db = &self.db;
        let insert = |rows: usize| {
            let values = vec!["(?,?,?,?,?,?,?,?,?,?)"; rows].join(",");
            db.conn()
                .prepare(&format!("INSERT INTO cell_values VALUES {values}"))
                .map_err(|e| db.err(e))
        };
        let mut full = insert(CELL_ROWS_PER_INSERT)?;
        for chunk in rows.chunks(CELL_ROWS_PER_INSERT) {
            let mut rest;
            let stmt = if chunk.len() == CELL_ROWS_PER_INSERT {
                &mut full
            } else {
                rest = insert(chunk.len())?;
                &mut rest
            };
            let mut p = 0;
            let mut bind = |stmt: &mut Statement<'_>, v: &dyn rusqlite::ToSql| {
                p += 1;
                stmt.raw_bind_parameter(p, v).map_err(|e| db.err(e))
            };
            for c in chunk {
                bind(stmt, &c.hx)?;
                bind(stmt, &c.hy)?;
                bind(stmt, &c.year)?;
                for &v in &c.values {
                    bind(stmt, &thousandths(v))?;
                }
            }
            stmt.raw_execute().map_err(|e| db.err(e))?;
        }
        Ok(())
    }

    /// Sets `meta` key `key` (see [`SCHEMA`] for the keys).
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.run("INSERT INTO meta VALUES (?1, ?2)", params![key, value])
    }

    /// Creates the indexes, commits and moves the file into place.
    pub fn finish(self) -> Result<PathBuf> {
        self.db.batch(INDEXES)?;
        self.db.commit()
    }
}

/// The class distributions being written (see [`IndexWriter::class_counts`]).
pub struct ClassCounts<'w> {
    db: &'w AtomicDb,
    stmt: Statement<'w>,
}

impl ClassCounts<'_> {
    /// Adds one distribution.
    pub fn add(&mut self, r: &ClassCountRow<'_>) -> Result<()> {
        let stmt = &mut self.stmt;
        let bind = |stmt: &mut Statement<'_>| -> rusqlite::Result<usize> {
            stmt.raw_bind_parameter(1, r.code)?;
            stmt.raw_bind_parameter(2, r.measure)?;
            stmt.raw_bind_parameter(3, r.from_year)?;
            stmt.raw_bind_parameter(4, r.year)?;
            stmt.raw_bind_parameter(5, r.no_data)?;
            for k in 0..9 {
                stmt.raw_bind_parameter(6 + k, r.counts[k])?;
                stmt.raw_bind_parameter(15 + k, r.weights.map(|w| w[k]))?;
            }
            stmt.raw_execute()
        };
        bind(stmt).map(|_| ()).map_err(|e| self.db.err(e))
    }

    /// Copies the distributions into `class_counts` in place order.
    pub fn finish(self) -> Result<()> {
        drop(self.stmt);
        self.db.batch(
            "INSERT INTO class_counts SELECT * FROM class_counts_staging
               ORDER BY code, measure, from_year, year;
             DROP TABLE class_counts_staging;",
        )
    }
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

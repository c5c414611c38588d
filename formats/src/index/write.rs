//! The writer of the point index: [`IndexWriter`] adds rows in the order the tiler makes them
//! and moves the finished file into place.

use std::path::{Path, PathBuf};

use rusqlite::{params, Statement};

use lbm_tileset::names::normalise_name;

use super::{AreaRow, CellRow, ClassCountRow, ValueRow, INDEXES, SCHEMA};
use crate::error::Result;
use crate::sqlite::AtomicDb;

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

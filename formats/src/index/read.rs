//! Reading the point index: typed rows for the server's point, search, area and report APIs.
//! Every query of the index is here, next to the [`SCHEMA`](super::SCHEMA) and the writer that
//! define the tables, so a column added, renamed or re-encoded is changed in one file.
//!
//! Indexes written by older tilers lack some tables and columns; [`Tables::of`] says which
//! are there, and the readers of optional tables are only called when they are.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row};

use super::{ValueRow, VALUE_COLUMNS};

/// One year of the published values of a cell, an area or the country.
#[derive(Clone, Debug, PartialEq)]
pub struct YearValues {
    /// The year.
    pub year: i32,
    /// Values in [`VALUE_COLUMNS`] order; `None`: no data.
    pub values: ValueRow,
}

/// Which optional tables and columns an index has (an index of an older tiler lacks some).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tables {
    /// `areas` with every column the point look-up and search read.
    pub areas: bool,
    /// `area_scores`.
    pub area_scores: bool,
    /// `areas.parent_name`.
    pub parent_name: bool,
    /// `areas.center_lon` and `center_lat`.
    pub centers: bool,
    /// `aliases`.
    pub aliases: bool,
    /// `class_counts` and `national_scores`, the tables of the reports.
    pub reports: bool,
    /// `pressure`.
    pub pressure: bool,
}

impl Tables {
    /// Probes `conn` for each optional table and column.
    pub fn of(conn: &Connection) -> Self {
        let has = |sql: &str| conn.prepare(sql).is_ok();
        Tables {
            areas: has(
                "SELECT code, level, name, name_norm, parent, minlon, minlat, maxlon, \
                        maxlat, minx, miny, maxx, maxy, geom FROM areas LIMIT 0",
            ),
            area_scores: has(&format!(
                "SELECT code, year, {VALUE_COLUMNS} FROM area_scores LIMIT 0"
            )),
            parent_name: has("SELECT parent_name FROM areas LIMIT 0"),
            centers: has("SELECT center_lon, center_lat FROM areas LIMIT 0"),
            aliases: has("SELECT alias, code FROM aliases LIMIT 0"),
            reports: has(
                "SELECT code, measure, from_year, year, no_data, c1, c2, c3, c4, c5, c6, \
                          c7, c8, c9, w1, w2, w3, w4, w5, w6, w7, w8, w9 FROM class_counts LIMIT 0",
            ) && has(&format!(
                "SELECT year, {VALUE_COLUMNS} FROM national_scores LIMIT 0"
            )),
            pressure: has("SELECT code, level, gemeente, wijk FROM pressure LIMIT 0"),
        }
    }
}

/// Checks that `conn` is a point index: it has the `cells` the point look-up reads.
pub fn check_cells(conn: &Connection) -> rusqlite::Result<()> {
    conn.prepare(CELL_YEARS)
        .or_else(|_| conn.prepare(CELL_YEARS_TABLE))
        .map(drop)
}

/// `meta` value of `key` (see [`SCHEMA`](super::SCHEMA) for the keys); `None` when absent.
pub fn meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .map(Option::flatten)
}

/// The `year, lbm, afw, ...` columns of a row, starting at column `first`.
fn year_values(r: &Row<'_>, first: usize) -> rusqlite::Result<YearValues> {
    let mut values: ValueRow = [None; 7];
    for (i, v) in values.iter_mut().enumerate() {
        *v = r.get(first + 1 + i)?;
    }
    Ok(YearValues {
        year: r.get(first)?,
        values,
    })
}

// The per-request look-ups below have no `ORDER BY`: SQLite (3.54) re-prepares a statement
// with an ORDER BY, or one on a view, at every step with new bound values (its reprepare
// counter rises with every call), which was a fifth of the point API's CPU. The few rows are
// sorted here instead.
const CELL_YEARS: &str = "SELECT year, lbm / 1000.0, afw / 1000.0, fys / 1000.0, onv / 1000.0, \
                          soc / 1000.0, vrz / 1000.0, won / 1000.0 FROM cell_values \
                          WHERE hx = ?1 AND hy = ?2";
/// The same of an index written before `cell_values`, whose `cells` is a table.
const CELL_YEARS_TABLE: &str =
    "SELECT year, lbm, afw, fys, onv, soc, vrz, won FROM cells WHERE hx = ?1 AND hy = ?2";

/// Every year of cell (`hx`, `hy`) (hectometre indices), ordered by year.
pub fn cell_years(conn: &Connection, hx: i64, hy: i64) -> rusqlite::Result<Vec<YearValues>> {
    let mut stmt = match conn.prepare_cached(CELL_YEARS) {
        Ok(stmt) => stmt,
        Err(_) => conn.prepare_cached(CELL_YEARS_TABLE)?,
    };
    let rows = stmt.query_map([hx, hy], |r| year_values(r, 0))?;
    let mut years: Vec<YearValues> = rows.collect::<rusqlite::Result<_>>()?;
    years.sort_by_key(|y| y.year);
    Ok(years)
}

/// Every row of `area_scores` as `(code, year)`, ordered by code and year.
pub fn all_area_scores(conn: &Connection) -> rusqlite::Result<Vec<(String, YearValues)>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT code, year, {VALUE_COLUMNS} FROM area_scores ORDER BY code, year"
    ))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, year_values(r, 1)?)))?;
    rows.collect()
}

/// The populated cells of column `hx` with `hy` in `hy0..=hy1` in `year`, ordered by `hy`: one
/// seek on the primary key (`hx`, `hy`, `year`), where a range over `hx` too would scan every
/// row of those columns.
pub fn cells_in_column(
    conn: &Connection,
    hx: i64,
    (hy0, hy1): (i64, i64),
    year: i32,
) -> rusqlite::Result<Vec<(i64, YearValues)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT hy, year, {VALUE_COLUMNS} FROM cells \
         WHERE hx = ?1 AND hy BETWEEN ?2 AND ?3 AND year = ?4"
    ))?;
    let rows = stmt.query_map(rusqlite::params![hx, hy0, hy1, year], |r| {
        Ok((r.get(0)?, year_values(r, 1)?))
    })?;
    let mut cells: Vec<(i64, YearValues)> = rows.collect::<rusqlite::Result<_>>()?;
    cells.sort_by_key(|c| c.0);
    Ok(cells)
}

/// The RD New polygons of area `code` as stored (a GeoJSON geometry), when it has them.
pub fn area_geometry(conn: &Connection, code: &str) -> rusqlite::Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT geom FROM areas WHERE code = ?1")?;
    stmt.query_row([code], |r| r.get(0))
        .optional()
        .map(Option::flatten)
}

/// The published values of area `code` per year, ordered by year.
pub fn area_scores(conn: &Connection, code: &str) -> rusqlite::Result<Vec<YearValues>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT year, {VALUE_COLUMNS} FROM area_scores WHERE code = ?1"
    ))?;
    let rows = stmt.query_map([code], |r| year_values(r, 0))?;
    let mut years: Vec<YearValues> = rows.collect::<rusqlite::Result<_>>()?;
    years.sort_by_key(|y| y.year);
    Ok(years)
}

/// The national means per year, ordered by year.
pub fn national_scores(conn: &Connection) -> rusqlite::Result<Vec<YearValues>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT year, {VALUE_COLUMNS} FROM national_scores ORDER BY year"
    ))?;
    let rows = stmt.query_map([], |r| year_values(r, 0))?;
    rows.collect()
}

/// An area's polygons as stored: what the point look-up needs.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaShape {
    /// Area code.
    pub code: String,
    /// Level (empty when NULL).
    pub level: String,
    /// Display name (empty when NULL).
    pub name: String,
    /// The RD New polygons as a GeoJSON geometry, when stored.
    pub geom: Option<String>,
}

/// Calls `f` with every area's polygons, in code order (one at a time: a national index's
/// geometries are hundreds of megabytes as text).
pub fn for_each_area_shape(
    conn: &Connection,
    mut f: impl FnMut(AreaShape),
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare("SELECT code, level, name, geom FROM areas ORDER BY code")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        f(AreaShape {
            code: r.get(0)?,
            level: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            name: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            geom: r.get(3)?,
        });
    }
    Ok(())
}

/// An area as search and the area API know it.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaEntry {
    /// Area code.
    pub code: String,
    /// Level (empty when NULL).
    pub level: String,
    /// Display name (its search fold when the name is NULL).
    pub name: String,
    /// The gemeente code of a wijk or buurt (`None` also when stored empty).
    pub parent: Option<String>,
    /// The parent gemeente's name as stored (`None` in indexes without the column).
    pub parent_name: Option<String>,
    /// Bounds in WGS84 (west, south, east, north); NaN where stored NULL.
    pub bbox: [f64; 4],
    /// The point inside the area (longitude, latitude), when stored and finite.
    pub center: Option<[f64; 2]>,
}

/// Every row of `areas` as an [`AreaEntry`] (`tables` says which columns the index has).
pub fn area_entries(conn: &Connection, tables: &Tables) -> rusqlite::Result<Vec<AreaEntry>> {
    let parent_name = if tables.parent_name {
        "parent_name"
    } else {
        "NULL"
    };
    let center = if tables.centers {
        "center_lon, center_lat"
    } else {
        "NULL, NULL"
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT code, level, name, name_norm, parent, minlon, minlat, maxlon, maxlat, \
         {parent_name}, {center} FROM areas"
    ))?;
    let rows = stmt.query_map([], |r| {
        let float = |i| r.get::<_, Option<f64>>(i).ok().flatten();
        let name: Option<String> = r.get(2)?;
        let norm: Option<String> = r.get(3)?;
        Ok(AreaEntry {
            code: r.get(0)?,
            level: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            name: name.or(norm).unwrap_or_default(),
            parent: r.get::<_, Option<String>>(4)?.filter(|p| !p.is_empty()),
            parent_name: r.get(9)?,
            bbox: [5, 6, 7, 8].map(|i| float(i).unwrap_or(f64::NAN)),
            center: match (float(10), float(11)) {
                (Some(lon), Some(lat)) if lon.is_finite() && lat.is_finite() => Some([lon, lat]),
                _ => None,
            },
        })
    })?;
    rows.collect()
}

/// Every other name of an area as `(alias, code)`.
pub fn aliases(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare("SELECT alias, code FROM aliases")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// An area's level and names, as a report titles it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AreaNames {
    /// Level (empty when NULL).
    pub level: String,
    /// Display name (empty when NULL).
    pub name: String,
    /// The gemeente code of a wijk or buurt.
    pub parent: Option<String>,
    /// The gemeente's name of a wijk or buurt.
    pub parent_name: Option<String>,
}

/// The level and names of area `code` (as stored, exact case); `None` when there is no such
/// area.
pub fn area_names(conn: &Connection, code: &str) -> rusqlite::Result<Option<AreaNames>> {
    let mut stmt =
        conn.prepare_cached("SELECT level, name, parent, parent_name FROM areas WHERE code = ?1")?;
    stmt.query_row([code], |r| {
        Ok(AreaNames {
            level: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
            name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            parent: r.get(2)?,
            parent_name: r.get(3)?,
        })
    })
    .optional()
}

/// The code of every area, ordered.
pub fn area_codes(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT code FROM areas ORDER BY code")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// One row of `class_counts` as read: the populated cells of a place per class, for a measure
/// and a year or change period.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassCountRecord {
    /// The measure (`lbm`, `fys`, ...).
    pub measure: String,
    /// The first year of a change period; `None` for the scores of `year`.
    pub from: Option<i32>,
    /// The year (the last of a change period).
    pub year: i32,
    /// Cells without a value for the measure.
    pub no_data: u64,
    /// Cells per class 1..9.
    pub counts: [u64; 9],
    /// Their summed weights, when the scores file was weighted.
    pub weights: Option<[f64; 9]>,
}

/// The class distributions of place `code` (an area code or
/// [`NATIONAL_CODE`](super::NATIONAL_CODE)), ordered by measure, period and year.
pub fn class_counts(conn: &Connection, code: &str) -> rusqlite::Result<Vec<ClassCountRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT measure, from_year, year, no_data, c1, c2, c3, c4, c5, c6, c7, c8, c9,
           w1, w2, w3, w4, w5, w6, w7, w8, w9 FROM class_counts WHERE code = ?1",
    )?;
    let count = |r: &Row<'_>, i: usize| -> rusqlite::Result<u64> {
        Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as u64)
    };
    let rows = stmt.query_map([code], |r| {
        let mut counts = [0u64; 9];
        let mut weights = [0f64; 9];
        let mut weighted = true;
        for k in 0..9 {
            counts[k] = count(r, 4 + k)?;
            match r.get::<_, Option<f64>>(13 + k)? {
                Some(w) => weights[k] = w,
                None => weighted = false,
            }
        }
        Ok(ClassCountRecord {
            measure: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
            from: r.get(1)?,
            year: r.get(2)?,
            no_data: count(r, 3)?,
            counts,
            weights: weighted.then_some(weights),
        })
    })?;
    let mut records: Vec<ClassCountRecord> = rows.collect::<rusqlite::Result<_>>()?;
    records.sort_by(|a, b| {
        (a.measure.as_str(), a.from, a.year).cmp(&(b.measure.as_str(), b.from, b.year))
    });
    Ok(records)
}

/// The areas under pressure in or at a place (see the `pressure` table).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PressureCounts {
    /// Whether the place itself is under pressure (`None` for the Netherlands).
    pub marked: Option<bool>,
    /// Buurten under pressure in the place.
    pub buurten: u64,
    /// The wijken these buurten lie in.
    pub in_wijken: u64,
    /// The gemeenten these buurten lie in.
    pub in_gemeenten: u64,
    /// Wijken under pressure (by their own mean) in the place.
    pub wijken: u64,
    /// Gemeenten under pressure in the place.
    pub gemeenten: u64,
}

/// One row of the `pressure` table.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PressureRow {
    level: Option<String>,
    gemeente: Option<String>,
    wijk: Option<String>,
}

/// The `pressure` table in memory, to count the areas under pressure in or at any place.
///
/// A report of a gemeente or wijk counts the rows that lie in it; the table has no index on
/// those columns (and an index of an earlier tiler would not have one), so counting in SQL
/// scanned the whole table for each such report: a fifth of the report API's CPU. The table
/// is small (the areas under pressure: some thousands of rows nationally).
#[derive(Debug, Clone, Default)]
pub struct PressureAreas {
    rows: Vec<PressureRow>,
    by_code: HashMap<String, usize>,
    by_gemeente: HashMap<String, Vec<usize>>,
    by_wijk: HashMap<String, Vec<usize>>,
    national: PressureCounts,
}

impl PressureAreas {
    /// Reads the `pressure` table.
    pub fn read(conn: &Connection) -> rusqlite::Result<Self> {
        let mut stmt = conn.prepare("SELECT code, level, gemeente, wijk FROM pressure")?;
        let mut areas = Self::default();
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                PressureRow {
                    level: r.get(1)?,
                    gemeente: r.get(2)?,
                    wijk: r.get(3)?,
                },
            ))
        })?;
        for row in rows {
            let (code, row) = row?;
            let i = areas.rows.len();
            if let Some(code) = code {
                areas.by_code.entry(code).or_insert(i);
            }
            if let Some(g) = &row.gemeente {
                areas.by_gemeente.entry(g.clone()).or_default().push(i);
            }
            if let Some(w) = &row.wijk {
                areas.by_wijk.entry(w.clone()).or_default().push(i);
            }
            areas.rows.push(row);
        }
        areas.national = areas.tally(0..areas.rows.len());
        Ok(areas)
    }

    /// The areas under pressure in or at place `code` of `level` (`land`: the whole country):
    /// the rows of the buurten, wijken and gemeenten that lie in it (by their `gemeente` or
    /// `wijk` column; the row of the place itself for a buurt or PC4 area).
    pub fn counts(&self, code: &str, level: &str) -> PressureCounts {
        let in_place = |map: &HashMap<String, Vec<usize>>| {
            self.tally(map.get(code).into_iter().flatten().copied())
        };
        let mut counts = match level {
            "land" => return self.national.clone(),
            "gemeente" => in_place(&self.by_gemeente),
            "wijk" => in_place(&self.by_wijk),
            _ => self.tally(self.by_code.get(code).copied()),
        };
        counts.marked = Some(self.by_code.contains_key(code));
        counts
    }

    /// Counts rows `at`, without `marked`.
    fn tally(&self, at: impl IntoIterator<Item = usize>) -> PressureCounts {
        let mut counts = PressureCounts::default();
        let mut wijken = std::collections::HashSet::new();
        let mut gemeenten = std::collections::HashSet::new();
        for row in at.into_iter().map(|i| &self.rows[i]) {
            match row.level.as_deref() {
                Some("buurt") => {
                    counts.buurten += 1;
                    wijken.extend(row.wijk.as_deref());
                    gemeenten.extend(row.gemeente.as_deref());
                }
                Some("wijk") => counts.wijken += 1,
                Some("gemeente") => counts.gemeenten += 1,
                _ => {}
            }
        }
        counts.in_wijken = wijken.len() as u64;
        counts.in_gemeenten = gemeenten.len() as u64;
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{AreaRow, CellRow, ClassCountRow, IndexWriter, NATIONAL_CODE};

    /// An index written with the real writer, read back with these readers.
    #[test]
    fn what_the_writer_writes_the_readers_read() {
        let dir = tempfile::tempdir().unwrap();
        let w = IndexWriter::create(&dir.path().join("i.sqlite")).unwrap();
        let geom = r#"{"type":"Polygon","coordinates":[[[0,0],[100,0],[100,100],[0,0]]]}"#;
        w.add_area(&AreaRow {
            code: "BU03440101",
            level: "buurt",
            name: "Centrum",
            parent: Some("GM0344"),
            bounds_lonlat: [5.0, 52.0, 5.1, 52.1],
            bounds_rd: [0.0, 0.0, 100.0, 100.0],
            geom: Some(geom),
            parent_name: Some("Utrecht"),
            center: Some([5.05, 52.05]),
        })
        .unwrap();
        let v = [
            Some(4.123),
            None,
            Some(-0.05),
            None,
            None,
            None,
            Some(0.001),
        ];
        w.add_area_scores("BU03440101", 2022, &v).unwrap();
        w.add_national_scores(2022, &v).unwrap();
        w.add_alias("Binnenstad", "BU03440101", "common").unwrap();
        w.add_pressure("BU03440101", "buurt", Some("GM0344"), Some("WK034401"))
            .unwrap();
        let mut counts = w.class_counts().unwrap();
        counts
            .add(&ClassCountRow {
                code: NATIONAL_CODE,
                measure: "lbm",
                from_year: Some(2020),
                year: 2022,
                no_data: 2,
                counts: [1, 2, 3, 4, 5, 6, 7, 8, 9],
                weights: None,
            })
            .unwrap();
        counts.finish().unwrap();
        w.add_cells(&[CellRow {
            hx: 1300,
            hy: 4500,
            year: 2022,
            values: [4.1234, f64::NAN, 0.0, -0.0125, 1.0, 2.0, 3.0],
        }])
        .unwrap();
        w.set_meta("weight_column", "inwoners").unwrap();
        let path = w.finish().unwrap();

        let conn = crate::sqlite::open_read_only(&path).unwrap();
        let tables = Tables::of(&conn);
        assert!(tables.areas && tables.area_scores && tables.reports && tables.pressure);
        assert!(tables.parent_name && tables.centers && tables.aliases);
        check_cells(&conn).unwrap();
        assert_eq!(
            meta(&conn, "weight_column").unwrap().as_deref(),
            Some("inwoners")
        );
        assert_eq!(meta(&conn, "nope").unwrap(), None);
        // Cells are stored in thousandths and read back as the rounded value.
        let cell = cell_years(&conn, 1300, 4500).unwrap();
        assert_eq!(cell.len(), 1);
        assert_eq!(cell[0].year, 2022);
        assert_eq!(cell[0].values[0], Some(4.123));
        assert_eq!(cell[0].values[1], None);
        assert_eq!(cell[0].values[3], Some(-0.013));
        assert!(cell_years(&conn, 1, 1).unwrap().is_empty());
        let column = cells_in_column(&conn, 1300, (4400, 4600), 2022).unwrap();
        assert_eq!(column.len(), 1);
        assert_eq!((column[0].0, column[0].1.values[0]), (4500, Some(4.123)));
        assert!(cells_in_column(&conn, 1300, (4501, 4600), 2022)
            .unwrap()
            .is_empty());
        assert!(cells_in_column(&conn, 1300, (4400, 4600), 2020)
            .unwrap()
            .is_empty());
        assert_eq!(
            area_geometry(&conn, "BU03440101").unwrap().as_deref(),
            Some(geom)
        );
        assert_eq!(area_geometry(&conn, "GM0").unwrap(), None);
        let year = YearValues {
            year: 2022,
            values: v,
        };
        assert_eq!(
            area_scores(&conn, "BU03440101").unwrap(),
            vec![year.clone()]
        );
        assert_eq!(
            all_area_scores(&conn).unwrap(),
            vec![("BU03440101".to_string(), year.clone())]
        );
        assert_eq!(national_scores(&conn).unwrap(), vec![year]);
        let entries = area_entries(&conn, &tables).unwrap();
        assert_eq!(entries[0].parent.as_deref(), Some("GM0344"));
        assert_eq!(entries[0].parent_name.as_deref(), Some("Utrecht"));
        assert_eq!(entries[0].center, Some([5.05, 52.05]));
        assert_eq!(entries[0].bbox, [5.0, 52.0, 5.1, 52.1]);
        let mut shapes = Vec::new();
        for_each_area_shape(&conn, |s| shapes.push(s)).unwrap();
        assert_eq!(shapes[0].geom.as_deref(), Some(geom));
        assert_eq!(
            aliases(&conn).unwrap(),
            vec![("Binnenstad".into(), "BU03440101".into())]
        );
        let names = area_names(&conn, "BU03440101").unwrap().unwrap();
        assert_eq!(
            (names.level.as_str(), names.name.as_str()),
            ("buurt", "Centrum")
        );
        assert_eq!(area_names(&conn, "BU0").unwrap(), None);
        assert_eq!(area_codes(&conn).unwrap(), vec!["BU03440101".to_string()]);
        let counts = class_counts(&conn, NATIONAL_CODE).unwrap();
        assert_eq!(counts[0].from, Some(2020));
        assert_eq!(counts[0].counts[8], 9);
        assert_eq!(counts[0].no_data, 2);
        assert_eq!(counts[0].weights, None);
        let pressure = PressureAreas::read(&conn).unwrap();
        let p = pressure.counts("GM0344", "gemeente");
        assert_eq!((p.marked, p.buurten, p.in_wijken), (Some(false), 1, 1));
        let p = pressure.counts("BU03440101", "buurt");
        assert_eq!(p.marked, Some(true));
        let p = pressure.counts(NATIONAL_CODE, "land");
        assert_eq!((p.marked, p.buurten, p.in_gemeenten), (None, 1, 1));
    }

    /// An index of an older tiler (cells only) is still a point index without the other tables.
    #[test]
    fn an_index_with_cells_only_has_no_optional_tables() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE cells (hx INTEGER, hy INTEGER, year INTEGER, lbm REAL, afw REAL,
               fys REAL, onv REAL, soc REAL, vrz REAL, won REAL);",
        )
        .unwrap();
        check_cells(&conn).unwrap();
        assert_eq!(Tables::of(&conn), Tables::default());
    }
}

//! The numbers of an area report, read from the index: the area itself, its published means
//! per year and the class distributions of `class_counts` (see [`lbm_formats::index`]).

use super::{year_row, CellYear};
use crate::error::TilesetError;

pub(crate) use lbm_formats::index::NATIONAL_CODE;

/// One row of `class_counts`: the populated cells of a place per class, for a measure and a year
/// or change period.
#[derive(Debug, Clone, PartialEq)]
pub struct CountRow {
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

/// What the index holds for a report on one place.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportData {
    /// Area code, or [`NATIONAL_CODE`].
    pub code: String,
    /// `gemeente`, `wijk`, `buurt`, `pc4`, or `land` for the country.
    pub level: String,
    /// Display name.
    pub name: String,
    /// The gemeente's code of a wijk or buurt.
    pub parent: Option<String>,
    /// The gemeente's name of a wijk or buurt.
    pub parent_name: Option<String>,
    /// Published means per year.
    pub means: Vec<CellYear>,
    /// Class distributions, ordered by measure, period and year.
    pub counts: Vec<CountRow>,
    /// The areas under pressure in or at the place, when the index has them.
    pub pressure: Option<PressureCounts>,
}

/// The areas under pressure in or at a place (see [`lbm_formats::index`]'s `pressure`).
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

/// Whether `conn` has the areas under pressure.
pub(crate) fn has_pressure(conn: &rusqlite::Connection) -> bool {
    conn.prepare("SELECT code, level, gemeente, wijk FROM pressure LIMIT 0")
        .is_ok()
}

/// The areas under pressure in or at place `code` of `level`.
pub(crate) fn pressure_counts(
    conn: &rusqlite::Connection,
    code: &str,
    level: &str,
) -> Result<PressureCounts, TilesetError> {
    // Which column holds the place a row lies in; the whole table for the country.
    let scope = match level {
        "land" => "1",
        "gemeente" => "gemeente = ?1",
        "wijk" => "wijk = ?1",
        _ => "code = ?1",
    };
    let sql = format!(
        "SELECT count(*) FILTER (WHERE level = 'buurt'),
           count(DISTINCT wijk) FILTER (WHERE level = 'buurt'),
           count(DISTINCT gemeente) FILTER (WHERE level = 'buurt'),
           count(*) FILTER (WHERE level = 'wijk'),
           count(*) FILTER (WHERE level = 'gemeente'),
           (SELECT count(*) FROM pressure WHERE code = ?1)
         FROM pressure WHERE {scope}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let row = stmt.query_row([code], |r| {
        let n = |i: usize| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
        Ok(PressureCounts {
            marked: (level != "land").then_some(n(5)? > 0),
            buurten: n(0)?,
            in_wijken: n(1)?,
            in_gemeenten: n(2)?,
            wijken: n(3)?,
            gemeenten: n(4)?,
        })
    })?;
    Ok(row)
}

/// Whether `conn` has the report tables (an index of an older tiler has not).
pub(crate) fn has_tables(conn: &rusqlite::Connection) -> bool {
    let counts = conn
        .prepare(
            "SELECT code, measure, from_year, year, no_data, c1, c2, c3, c4, c5, c6, c7, c8, c9,
               w1, w2, w3, w4, w5, w6, w7, w8, w9 FROM class_counts LIMIT 0",
        )
        .is_ok();
    let national = conn
        .prepare("SELECT year, lbm, afw, fys, onv, soc, vrz, won FROM national_scores LIMIT 0")
        .is_ok();
    counts && national
}

/// The national means per year.
pub(crate) fn national_means(conn: &rusqlite::Connection) -> Result<Vec<CellYear>, TilesetError> {
    let mut stmt = conn.prepare_cached(
        "SELECT year, lbm, afw, fys, onv, soc, vrz, won FROM national_scores ORDER BY year",
    )?;
    let means = stmt.query_map([], year_row)?.collect::<Result<_, _>>()?;
    Ok(means)
}

/// The report data of `code` (upper case), `None` when the index has no such area; with the
/// areas under pressure when `pressure` (the index has them, see [`has_pressure`]).
pub(crate) fn read(
    conn: &rusqlite::Connection,
    code: &str,
    pressure: bool,
) -> Result<Option<ReportData>, TilesetError> {
    let mut data = if code == NATIONAL_CODE {
        let means = national_means(conn)?;
        ReportData {
            code: NATIONAL_CODE.into(),
            level: "land".into(),
            name: "Nederland".into(),
            parent: None,
            parent_name: None,
            means,
            counts: Vec::new(),
            pressure: None,
        }
    } else {
        let mut stmt = conn
            .prepare_cached("SELECT level, name, parent, parent_name FROM areas WHERE code = ?1")?;
        let mut rows = stmt.query([code])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        let (level, name, parent, parent_name) = (
            r.get::<_, Option<String>>(0)?.unwrap_or_default(),
            r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
        );
        drop(rows);
        let mut stmt = conn.prepare_cached(
            "SELECT year, lbm, afw, fys, onv, soc, vrz, won FROM area_scores WHERE code = ?1
             ORDER BY year",
        )?;
        let means = stmt
            .query_map([code], year_row)?
            .collect::<Result<_, _>>()?;
        ReportData {
            code: code.to_string(),
            level,
            name,
            parent,
            parent_name,
            means,
            counts: Vec::new(),
            pressure: None,
        }
    };
    let mut stmt = conn.prepare_cached(
        "SELECT measure, from_year, year, no_data, c1, c2, c3, c4, c5, c6, c7, c8, c9,
           w1, w2, w3, w4, w5, w6, w7, w8, w9 FROM class_counts WHERE code = ?1
         ORDER BY measure, from_year, year",
    )?;
    let rows = stmt.query_map([code], |r| {
        let mut counts = [0u64; 9];
        let mut weights = [0f64; 9];
        let mut weighted = true;
        for k in 0..9 {
            counts[k] = r.get::<_, Option<i64>>(4 + k)?.unwrap_or(0).max(0) as u64;
            match r.get::<_, Option<f64>>(13 + k)? {
                Some(w) => weights[k] = w,
                None => weighted = false,
            }
        }
        Ok(CountRow {
            measure: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
            from: r.get(1)?,
            year: r.get(2)?,
            no_data: r.get::<_, Option<i64>>(3)?.unwrap_or(0).max(0) as u64,
            counts,
            weights: weighted.then_some(weights),
        })
    })?;
    data.counts = rows.collect::<Result<_, _>>()?;
    if pressure {
        data.pressure = Some(pressure_counts(conn, &data.code, &data.level)?);
    }
    Ok(Some(data))
}

/// The codes of every area of the index, ordered.
pub(crate) fn codes(conn: &rusqlite::Connection) -> Result<Vec<String>, TilesetError> {
    let mut stmt = conn.prepare("SELECT code FROM areas ORDER BY code")?;
    let codes = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(codes)
}

//! The numbers of an area report, read from the index: the area itself, its published means
//! per year and the class distributions of `class_counts` (see [`lbm_formats::index`]).

use lbm_formats::index::read;

use super::CellYear;
use crate::error::TilesetError;

pub(crate) use lbm_formats::index::NATIONAL_CODE;

pub(crate) use lbm_formats::index::read::{
    ClassCountRecord as CountRow, PressureAreas, PressureCounts,
};

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

/// The report data of `code` (upper case), `None` when the index has no such area; with the
/// areas under pressure when the index has them (`pressure`).
pub(crate) fn read(
    conn: &rusqlite::Connection,
    code: &str,
    pressure: Option<&PressureAreas>,
) -> Result<Option<ReportData>, TilesetError> {
    let (names, means) = if code == NATIONAL_CODE {
        let names = read::AreaNames {
            level: "land".into(),
            name: "Nederland".into(),
            ..Default::default()
        };
        (names, read::national_scores(conn)?)
    } else {
        let Some(names) = read::area_names(conn, code)? else {
            return Ok(None);
        };
        (names, read::area_scores(conn, code)?)
    };
    let pressure = pressure.map(|p| p.counts(code, &names.level));
    Ok(Some(ReportData {
        code: code.to_string(),
        level: names.level,
        name: names.name,
        parent: names.parent,
        parent_name: names.parent_name,
        means: means.into_iter().map(CellYear::from).collect(),
        counts: read::class_counts(conn, code)?,
        pressure,
    }))
}

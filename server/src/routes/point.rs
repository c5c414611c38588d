//! `GET /api/v1/point?lon=..&lat=..`: the 100 m cell and the areas (gemeente, wijk, buurt) at
//! a place, every measure, every year.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use lbm_tileset::Classification;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

use super::tilejson::json_response;
use lbm_tileset::change_value;

use crate::catalog::Snapshot;
use crate::error::ApiError;
use crate::index::{AreaAt, CellYear, VALUE_COLUMNS};
use crate::AppState;

/// Longitudes accepted (a generous box around the Netherlands).
pub(super) const LON_RANGE: (f64, f64) = (2.0, 8.0);
/// Latitudes accepted.
pub(super) const LAT_RANGE: (f64, f64) = (50.0, 54.0);

fn coordinate(
    params: &HashMap<String, String>,
    name: &str,
    range: (f64, f64),
) -> Result<f64, ApiError> {
    let raw = params
        .get(name)
        .ok_or_else(|| ApiError::bad_request(format!("query parameter {name} is required")))?;
    let v: f64 = raw
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_request(format!("{name} must be a number, got {raw:?}")))?;
    if !v.is_finite() || v < range.0 || v > range.1 {
        return Err(ApiError::bad_request(format!(
            "{name} must be between {} and {} (the Netherlands)",
            range.0, range.1
        )));
    }
    Ok(v)
}

/// What the catalog says about each value column, looked up once per request (a national
/// catalog has ~90 tilesets, and the answer classifies up to 7 values × years × 4 places).
pub(super) struct Meaning<'a> {
    /// Per value column, in the index's order.
    columns: Vec<ColumnMeaning<'a>>,
    /// The `(from, to)` year pairs of the change tilesets, sorted.
    pairs: Vec<(i32, i32)>,
}

/// The classifications of one value column.
struct ColumnMeaning<'a> {
    /// The column (`lbm`, `afw`, `fys`, ...).
    name: &'static str,
    /// How its score tilesets classify it.
    score: Option<&'a Classification>,
    /// How its change tilesets classify a change.
    change: Option<&'a Classification>,
}

impl<'a> Meaning<'a> {
    /// The classifications and change pairs of `snapshot`.
    pub(super) fn of(snapshot: &'a Snapshot) -> Self {
        let columns = VALUE_COLUMNS
            .iter()
            .map(|&name| ColumnMeaning {
                name,
                score: snapshot.classification(name),
                change: snapshot.change_classification(name),
            })
            .collect();
        let mut pairs: Vec<(i32, i32)> = snapshot
            .change_pairs()
            .into_iter()
            .map(|(_, a, b)| (a, b))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        Self { columns, pairs }
    }

    fn column(&self, name: &str) -> Option<&ColumnMeaning<'a>> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The class the tiles carry for `name` in `row`: the contract's `classify` of the
    /// published basis value.
    pub(super) fn class(&self, row: &CellYear, name: &str) -> Option<u8> {
        let c = self.column(name)?.score?;
        let basis = c.basis();
        let (_, v) = row.values.iter().find(|(n, _)| *n == basis)?;
        c.classify(*v)
    }
}

/// A map of `(name, value)` pairs as a JSON object.
struct Pairs<'a, T>(&'a [(&'static str, T)]);

impl<T: Serialize> Serialize for Pairs<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// One year of a cell or area as JSON: its published values flat (per docs/tileset-format.md),
/// the same under `values`, and per measure the class the tiles carry.
pub(super) struct YearJson<'a> {
    row: &'a CellYear,
    meaning: &'a Meaning<'a>,
}

impl<'a> YearJson<'a> {
    /// The year `row` with the classes of `meaning`.
    pub(super) fn new(row: &'a CellYear, meaning: &'a Meaning<'a>) -> Self {
        YearJson { row, meaning }
    }
}

impl Serialize for YearJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let row = self.row;
        let classes: Vec<(&'static str, u8)> = row
            .values
            .iter()
            .filter_map(|(name, _)| Some((*name, self.meaning.class(row, name)?)))
            .collect();
        let mut map = s.serialize_map(Some(row.values.len() + 3))?;
        map.serialize_entry("year", &row.year)?;
        for (name, v) in &row.values {
            map.serialize_entry(name, v)?;
        }
        map.serialize_entry("values", &Pairs(&row.values))?;
        map.serialize_entry("classes", &Pairs(&classes))?;
        map.end()
    }
}

/// The years of a cell or area as a JSON array.
struct YearsJson<'a> {
    rows: &'a [CellYear],
    meaning: &'a Meaning<'a>,
}

impl Serialize for YearsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let meaning = self.meaning;
        s.collect_seq(self.rows.iter().map(|row| YearJson { row, meaning }))
    }
}

/// One change pair at a place: the change of each measure with a value in both years (the
/// difference of the published values, as the change tileset carries it) and its change class.
#[derive(Serialize)]
struct ChangeJson<'a> {
    from: i32,
    to: i32,
    values: Pairs<'a, f64>,
    classes: Pairs<'a, u8>,
}

/// The change maps of the catalog at a place, per pair.
struct ChangesJson<'a> {
    rows: &'a [CellYear],
    meaning: &'a Meaning<'a>,
}

impl Serialize for ChangesJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for &(from, to) in &self.meaning.pairs {
            let (Some(a), Some(b)) = (
                self.rows.iter().find(|y| y.year == from),
                self.rows.iter().find(|y| y.year == to),
            ) else {
                continue;
            };
            let mut values: Vec<(&'static str, f64)> = Vec::new();
            let mut classes: Vec<(&'static str, u8)> = Vec::new();
            for (name, vb) in &b.values {
                let Some(c) = self.meaning.column(name).and_then(|c| c.change) else {
                    continue;
                };
                let Some((_, va)) = a.values.iter().find(|(n, _)| n == name) else {
                    continue;
                };
                let d = change_value(*va, *vb);
                values.push((name, d));
                if let Some(k) = c.classify(d) {
                    classes.push((name, k));
                }
            }
            if !values.is_empty() {
                seq.serialize_element(&ChangeJson {
                    from,
                    to,
                    values: Pairs(&values),
                    classes: Pairs(&classes),
                })?;
            }
        }
        seq.end()
    }
}

/// An area with its years and changes: the entry of the point API's `areas`, and of the area
/// API.
#[derive(Serialize)]
pub(super) struct AreaJson<'a> {
    level: &'a str,
    code: &'a str,
    /// Its feature id in the tiles' area layers.
    feature_id: u64,
    name: &'a str,
    years: YearsJson<'a>,
    changes: ChangesJson<'a>,
}

impl<'a> AreaJson<'a> {
    /// The entry of `a` with the classes of `meaning`.
    pub(super) fn new(a: &AreaAt<'a>, meaning: &'a Meaning<'a>) -> Self {
        AreaJson {
            level: a.level,
            code: a.code,
            feature_id: lbm_tileset::names::code_id(a.code),
            name: a.name,
            years: YearsJson {
                rows: a.years,
                meaning,
            },
            changes: ChangesJson {
                rows: a.years,
                meaning,
            },
        }
    }
}

/// The answer of the point API.
#[derive(Serialize)]
struct PointJson<'a> {
    cell: Option<String>,
    /// The 100 m cell's feature id in the grid layer, when it has data.
    feature_id: Option<u64>,
    /// The coarser cells the tiles draw at lower zooms that hold the point, finest first.
    coarse_cells: Vec<CoarseCellJson>,
    x: i64,
    y: i64,
    lon: f64,
    lat: f64,
    years: YearsJson<'a>,
    changes: ChangesJson<'a>,
    areas: Vec<AreaJson<'a>>,
}

/// The coarse cell levels listed at a point: up to cells of 409.6 km, which hold the country.
const COARSE_LEVELS: std::ops::RangeInclusive<u8> = 1..=12;

/// A coarser cell at a point, as the tiles carry it: what the panel titles it by.
#[derive(Serialize)]
struct CoarseCellJson {
    /// Its `cell` property in the tiles (`E1200N4800/800m`).
    label: String,
    /// Its feature id in the grid layer.
    feature_id: u64,
    /// The side in metres.
    size: u32,
    /// The 100 m cells at its south-west and north-east corners.
    first: String,
    last: String,
}

impl CoarseCellJson {
    fn new(cell: lbm_tileset::grid::CoarseCell) -> Self {
        let (first, last) = cell.corners();
        CoarseCellJson {
            label: cell.label(),
            feature_id: cell.feature_id(),
            size: cell.size_m(),
            first: first.to_string(),
            last: last.to_string(),
        }
    }
}

/// Handler of the point API.
pub(super) async fn handler(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(params) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let lon = coordinate(&params, "lon", LON_RANGE)?;
    let lat = coordinate(&params, "lat", LAT_RANGE)?;
    let snapshot = state.catalog.snapshot();
    let index = snapshot.index.clone().ok_or_else(|| {
        ApiError::not_found("no point index: lbm-index.sqlite is missing from the tiles folder")
    })?;
    let (x, y) = lbm_tileset::project::rd_of_lonlat(lon, lat)
        .ok_or_else(|| ApiError::bad_request("location cannot be projected to RD New"))?;
    let cell = lbm_tileset::CellId::from_xy(x, y);
    let (hx, hy) = (i64::from(cell.hx), i64::from(cell.hy));
    let rows = index.lookup(hx, hy).await.map_err(ApiError::unavailable)?;
    let areas = index.areas_at(x, y);
    if rows.is_empty() && areas.is_empty() {
        return Err(ApiError::not_found(format!(
            "no cell with data and no area at E{hx}N{hy}"
        )));
    }
    let meaning = Meaning::of(&snapshot);
    let meaning = &meaning;
    let areas = areas.iter().map(|a| AreaJson::new(a, meaning)).collect();
    let coarse_cells = COARSE_LEVELS
        .map(|level| CoarseCellJson::new(cell.coarse(level)))
        .collect();
    let feature_id = (!rows.is_empty()).then(|| cell.feature_id());
    Ok(json_response(
        &PointJson {
            cell: (!rows.is_empty()).then(|| cell.to_string()),
            feature_id,
            coarse_cells,
            x: hx * 100,
            y: hy * 100,
            lon,
            lat,
            years: YearsJson {
                rows: &rows,
                meaning,
            },
            changes: ChangesJson {
                rows: &rows,
                meaning,
            },
            areas,
        },
        &headers,
    ))
}

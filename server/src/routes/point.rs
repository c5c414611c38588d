//! `GET /api/v1/point?lon=..&lat=..`: the 100 m cell and the areas (gemeente, wijk, buurt) at
//! a place, every measure, every year.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use serde::Serialize;

use super::tilejson::json_response;
use crate::documents::values::{AreaJson, ChangesJson, Meaning, YearsJson};
use crate::error::ApiError;
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

//! `GET /api/v1/point?lon=..&lat=..`: the 100 m cell and the areas (gemeente, wijk, buurt) at
//! a place, every measure, every year.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::tilejson::json_response;
use crate::catalog::Snapshot;
use crate::error::ApiError;
use crate::index::CellYear;
use crate::AppState;

/// Longitudes accepted (a generous box around the Netherlands).
pub const LON_RANGE: (f64, f64) = (2.0, 8.0);
/// Latitudes accepted.
pub const LAT_RANGE: (f64, f64) = (50.0, 54.0);

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

/// One year of a cell as JSON: flat values (per docs/tileset-format.md), the same values under
/// `values`, and `classes` from each measure's classification.
pub fn year_json(row: &CellYear, snapshot: &Snapshot) -> Value {
    let mut obj = Map::new();
    obj.insert("year".into(), json!(row.year));
    let mut values = Map::new();
    for (name, v) in &row.values {
        obj.insert((*name).into(), json!(v));
        values.insert((*name).into(), json!(v));
    }
    let mut classes = Map::new();
    for (name, _) in &row.values {
        let Some(c) = snapshot.classification(name) else {
            continue;
        };
        let basis = c.basis();
        if let Some((_, v)) = row.values.iter().find(|(n, _)| *n == basis) {
            if let Some(k) = c.classify(*v) {
                classes.insert((*name).into(), json!(k));
            }
        }
    }
    obj.insert("values".into(), Value::Object(values));
    obj.insert("classes".into(), Value::Object(classes));
    Value::Object(obj)
}

/// Handler of the point API.
pub async fn handler(
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
    let (x, y) = state
        .rd_from_lonlat(lon, lat)
        .ok_or_else(|| ApiError::bad_request("location cannot be projected to RD New"))?;
    let (hx, hy) = ((x / 100.0).floor() as i64, (y / 100.0).floor() as i64);
    let rows = index.lookup(hx, hy).await.map_err(ApiError::unavailable)?;
    let areas = index.areas_at(x, y).await.map_err(ApiError::unavailable)?;
    if rows.is_empty() && areas.is_empty() {
        return Err(ApiError::not_found(format!(
            "no cell with data and no area at E{hx}N{hy}"
        )));
    }
    let years: Vec<Value> = rows.iter().map(|r| year_json(r, &snapshot)).collect();
    let areas: Vec<Value> = areas
        .iter()
        .map(|a| {
            json!({
                "level": a.level,
                "code": a.code,
                "name": a.name,
                "years": a.years.iter().map(|r| year_json(r, &snapshot)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let cell = (!rows.is_empty()).then(|| format!("E{hx}N{hy}"));
    Ok(json_response(
        &json!({
            "cell": cell,
            "x": hx * 100,
            "y": hy * 100,
            "lon": lon,
            "lat": lat,
            "years": years,
            "areas": areas,
        }),
        &headers,
    ))
}

//! `GET /api/v1/point?lon=..&lat=..`: the 100 m cell and the areas (gemeente, wijk, buurt) at
//! a place, every measure, every year.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::tilejson::json_response;
use lbm_tileset::change_value;

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

/// One year of a cell or area as JSON: its published values flat (per docs/tileset-format.md),
/// the same under `values`, and per measure the class the tiles carry (the contract's
/// `classify` of the published basis value).
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

/// The change maps of the catalog at a place: per pair, the change of each measure that has
/// a value in both years (the difference of the published values, as the change tileset
/// carries it) and its change class.
pub fn changes_json(years: &[CellYear], snapshot: &Snapshot) -> Value {
    let mut out: Vec<Value> = Vec::new();
    let mut pairs: Vec<(i32, i32)> = snapshot
        .change_pairs()
        .into_iter()
        .map(|(_, a, b)| (a, b))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    for (from, to) in pairs {
        let (Some(a), Some(b)) = (
            years.iter().find(|y| y.year == from),
            years.iter().find(|y| y.year == to),
        ) else {
            continue;
        };
        let mut values = Map::new();
        let mut classes = Map::new();
        for (name, vb) in &b.values {
            let Some(c) = snapshot.change_classification(name) else {
                continue;
            };
            let Some((_, va)) = a.values.iter().find(|(n, _)| n == name) else {
                continue;
            };
            let d = change_value(*va, *vb);
            values.insert((*name).into(), json!(d));
            if let Some(k) = c.classify(d) {
                classes.insert((*name).into(), json!(k));
            }
        }
        if !values.is_empty() {
            out.push(json!({"from": from, "to": to, "values": values, "classes": classes}));
        }
    }
    Value::Array(out)
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
                "changes": changes_json(&a.years, &snapshot),
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
            "changes": changes_json(&rows, &snapshot),
            "areas": areas,
        }),
        &headers,
    ))
}

//! `GET /api/v1/search?q=..&limit=..`: areas by name or code, and a cell by grid id or by RD
//! or WGS84 coordinates.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::point::{LAT_RANGE, LON_RANGE};
use super::tilejson::json_response;
use crate::error::ApiError;
use crate::AppState;
use lbm_tileset::grid::{CellId, NL_EXTENT_M};
use lbm_tileset::project::rd_of_lonlat;

/// Default number of results.
pub(super) const DEFAULT_LIMIT: usize = 10;
/// Most results one request may ask for.
pub(super) const MAX_LIMIT: usize = 50;
/// Longest query, in characters.
pub(super) const MAX_QUERY_CHARS: usize = 100;
/// RD New x range accepted (metres): the contract's extent of the Netherlands.
pub(super) const RD_X_RANGE: (f64, f64) = (NL_EXTENT_M.0 as f64, NL_EXTENT_M.1 as f64);
/// RD New y range accepted (metres).
pub(super) const RD_Y_RANGE: (f64, f64) = (NL_EXTENT_M.2 as f64, NL_EXTENT_M.3 as f64);

/// What a query asks for besides names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum CellQuery {
    /// A 100 m cell by hectometre indices.
    Cell(i64, i64),
    /// Not a cell or coordinate query: search names and codes.
    Name,
}

fn in_range(v: f64, r: (f64, f64)) -> bool {
    v.is_finite() && v >= r.0 && v <= r.1
}

/// Parses a grid id (`E1213N4879`, optionally with a `/100m` suffix), an RD `x,y` pair in
/// metres, or `lat,lon` / `lon,lat` in degrees (told apart by range) into a cell. Two numbers
/// that fit none of these are a 400.
pub(super) fn parse_cell_query(q: &str) -> Result<CellQuery, ApiError> {
    let t = q.trim();
    // The contract's grid id parser; `/100m` is how the official maps suffix it.
    let id = t.split('/').next().unwrap_or("");
    if let Some(cell) = CellId::parse(id) {
        if !cell.in_netherlands() {
            return Err(ApiError::bad_request(format!(
                "grid id {t:?} lies outside the Netherlands"
            ))
            .with_code("grid_outside"));
        }
        return Ok(CellQuery::Cell(i64::from(cell.hx), i64::from(cell.hy)));
    }
    // Dutch decimal commas: "52,0907 5,1214" (two tokens, each with one comma, no dot).
    let tokens: Vec<&str> = t.split_whitespace().collect();
    let decimal_commas = tokens.len() == 2
        && tokens.iter().all(|p| {
            p.matches(',').count() == 1
                && !p.contains('.')
                && !p.starts_with(',')
                && !p.ends_with(',')
        });
    let dotted = if decimal_commas {
        t.replace(',', ".")
    } else {
        t.to_string()
    };
    let parts: Vec<&str> = dotted
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    let numeric = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+')
            && p.bytes().any(|b| b.is_ascii_digit())
    };
    if parts.len() != 2 || !parts.iter().all(|p| numeric(p)) {
        return Ok(CellQuery::Name);
    }
    let (a, b) = match (parts[0].parse::<f64>(), parts[1].parse::<f64>()) {
        (Ok(a), Ok(b)) if a.is_finite() && b.is_finite() => (a, b),
        _ => {
            return Err(
                ApiError::bad_request(format!("{t:?} is not a valid coordinate pair"))
                    .with_code("coordinates_invalid"),
            )
        }
    };
    let rd = if in_range(a, RD_X_RANGE) && in_range(b, RD_Y_RANGE) && (a > 360.0 || b > 360.0) {
        Some((a, b))
    } else {
        let lonlat = if in_range(a, LAT_RANGE) && in_range(b, LON_RANGE) {
            Some((b, a))
        } else if in_range(a, LON_RANGE) && in_range(b, LAT_RANGE) {
            Some((a, b))
        } else {
            None
        };
        lonlat.and_then(|(lon, lat)| rd_of_lonlat(lon, lat))
    };
    let Some((x, y)) = rd else {
        return Err(ApiError::bad_request(format!(
            "{t:?} is neither RD New metres (x {}..{}, y {}..{}) nor degrees in the Netherlands \
             (lat {}..{}, lon {}..{})",
            RD_X_RANGE.0,
            RD_X_RANGE.1,
            RD_Y_RANGE.0,
            RD_Y_RANGE.1,
            LAT_RANGE.0,
            LAT_RANGE.1,
            LON_RANGE.0,
            LON_RANGE.1
        ))
        .with_code("coordinates_outside"));
    };
    let cell = CellId::from_xy(x, y);
    Ok(CellQuery::Cell(i64::from(cell.hx), i64::from(cell.hy)))
}

pub(crate) use crate::index::search::round6;

/// The cell result: centre and bbox in WGS84 of the projected corners.
pub(super) fn cell_result(hx: i64, hy: i64) -> Option<Value> {
    let cell = CellId {
        hx: i32::try_from(hx).ok()?,
        hy: i32::try_from(hy).ok()?,
    };
    let (x0, y0) = (hx as f64 * 100.0, hy as f64 * 100.0);
    let corners = [
        (x0, y0),
        (x0 + 100.0, y0),
        (x0, y0 + 100.0),
        (x0 + 100.0, y0 + 100.0),
    ];
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (x, y) in corners {
        let (lon, lat) = lbm_tileset::project::rd_to_wgs84(x, y).ok()?;
        bbox = [
            bbox[0].min(lon),
            bbox[1].min(lat),
            bbox[2].max(lon),
            bbox[3].max(lat),
        ];
    }
    let (clon, clat) = lbm_tileset::project::rd_to_wgs84(x0 + 50.0, y0 + 50.0).ok()?;
    Some(json!({
        "kind": "cell",
        "cell": cell.to_string(),
        "feature_id": cell.feature_id(),
        "x": x0,
        "y": y0,
        "center": [round6(clon), round6(clat)],
        "bbox": bbox.map(round6),
    }))
}

fn limit_param(params: &HashMap<String, String>) -> Result<usize, ApiError> {
    let Some(raw) = params.get("limit") else {
        return Ok(DEFAULT_LIMIT);
    };
    let raw = raw.trim();
    match raw.parse::<usize>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) && raw.len() <= 3 => Ok(n),
        _ => Err(ApiError::bad_request(format!(
            "limit must be an integer from 1 to {MAX_LIMIT}, got {raw:?}"
        ))),
    }
}

/// Handler of the search API.
pub(super) async fn handler(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(params) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let q = params
        .get("q")
        .map(|q| q.trim())
        .filter(|q| !q.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request("query parameter q is required (1 to 100 characters)")
        })?;
    if q.chars().count() > MAX_QUERY_CHARS || q.chars().any(char::is_control) {
        return Err(ApiError::bad_request(format!(
            "q must be 1 to {MAX_QUERY_CHARS} printable characters"
        ))
        .with_code("query_length"));
    }
    let limit = limit_param(&params)?;
    let mut results = Vec::new();
    match parse_cell_query(q)? {
        CellQuery::Cell(hx, hy) => {
            results.extend(cell_result(hx, hy));
        }
        CellQuery::Name => {
            if let Some(index) = state.catalog.snapshot().index.clone() {
                let hits = index
                    .search_areas(q, limit)
                    .await
                    .map_err(ApiError::unavailable)?;
                results.extend(hits.into_iter().map(|h| {
                    json!({
                        "kind": "area",
                        "level": h.level,
                        "feature_id": lbm_tileset::names::code_id(&h.code),
                        "code": h.code,
                        "name": h.name,
                        "parent": h.parent_name,
                        "alias": h.alias,
                        "bbox": h.bbox6(),
                        "center": h.center6(),
                        "on_map": h.on_map(),
                    })
                }));
            }
        }
    }
    results.truncate(limit);
    Ok(json_response(
        &json!({"query": q, "results": results}),
        &headers,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_queries() {
        assert_eq!(
            parse_cell_query("E1213N4879").unwrap(),
            CellQuery::Cell(1213, 4879)
        );
        assert_eq!(
            parse_cell_query(" e1213n4879 ").unwrap(),
            CellQuery::Cell(1213, 4879)
        );
        assert_eq!(
            parse_cell_query("E1200N4800/800m").unwrap(),
            CellQuery::Cell(1200, 4800)
        );
        assert_eq!(
            parse_cell_query("121350, 487950").unwrap(),
            CellQuery::Cell(1213, 4879)
        );
        assert_eq!(
            parse_cell_query("121350 487950").unwrap(),
            CellQuery::Cell(1213, 4879)
        );
        // lat,lon and lon,lat give the same cell.
        let a = parse_cell_query("52.09, 5.12").unwrap();
        let b = parse_cell_query("5.12,52.09").unwrap();
        assert_eq!(a, b);
        assert!(
            matches!(a, CellQuery::Cell(1360..=1370, 4550..=4570)),
            "{a:?}"
        );
        assert_eq!(parse_cell_query("52,09 5,12").unwrap(), a, "decimal commas");
        assert_eq!(parse_cell_query("Utrecht").unwrap(), CellQuery::Name);
        assert_eq!(parse_cell_query("GM0344").unwrap(), CellQuery::Name);
        assert_eq!(parse_cell_query("3511").unwrap(), CellQuery::Name);
        for bad in ["1,2", "999999,999999", "52.1,200", "E9999N1", "-5,-5"] {
            assert!(parse_cell_query(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cell_result_has_a_wgs84_box_around_its_centre() {
        let r = cell_result(1213, 4879).unwrap();
        let b: Vec<f64> = serde_json::from_value(r["bbox"].clone()).unwrap();
        let c: Vec<f64> = serde_json::from_value(r["center"].clone()).unwrap();
        assert!(b[0] < c[0] && c[0] < b[2] && b[1] < c[1] && c[1] < b[3]);
        assert!((4.0..6.0).contains(&c[0]) && (52.0..53.0).contains(&c[1]));
    }
}

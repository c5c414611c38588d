//! `GET /api/v1/report` (the Netherlands) and `GET /api/v1/areas/{code}/report` (a gemeente,
//! wijk, buurt or PC4 area), with the optional filters `measure=` and `year=`: the report
//! document of [`crate::documents::report`].

use std::collections::HashMap;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use lbm_tileset::Measure;

use super::tilejson::json_text_response;
use crate::documents::report::{document, Filters};
use crate::error::ApiError;
use crate::index::report::NATIONAL_CODE;
use crate::index::PointIndex;
use crate::AppState;

/// Longest area code accepted (a buurt code is 10 characters).
const MAX_CODE_CHARS: usize = 16;

fn filters(params: &HashMap<String, String>) -> Result<Filters, ApiError> {
    if let Some(k) = params
        .keys()
        .find(|k| !matches!(k.as_str(), "measure" | "year"))
    {
        return Err(ApiError::bad_request(format!(
            "unknown query parameter {k:?}; expected measure or year"
        )));
    }
    let measure = params
        .get("measure")
        .map(|m| m.trim().parse::<Measure>())
        .transpose()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let year = params
        .get("year")
        .map(|y| {
            y.trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (1900..=2100).contains(y))
                .ok_or_else(|| {
                    ApiError::bad_request(format!("year must be a year such as 2020, got {y:?}"))
                })
        })
        .transpose()?;
    Ok(Filters { measure, year })
}

/// The report of `code`, as the API answers it.
async fn report(
    state: &AppState,
    code: &str,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let filters = filters(params)?;
    let snapshot = state.catalog.snapshot();
    let index: &PointIndex = snapshot.index.as_deref().ok_or_else(|| {
        ApiError::not_found("no index: lbm-index.sqlite is missing from the tiles folder")
    })?;
    if !index.has_reports() {
        return Err(ApiError::not_found(
            "the index has no class distributions; rebuild it with this version of lbm-tiler",
        ));
    }
    let data = index
        .report(code)
        .await
        .map_err(ApiError::unavailable)?
        .ok_or_else(|| ApiError::not_found(format!("no area with code {code:?}")))?;
    Ok(json_text_response(
        document(&snapshot, index, &data, &filters)?,
        headers,
    ))
}

/// Handler of `/api/v1/report`: the Netherlands.
pub(super) async fn national(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(params) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    report(&state, NATIONAL_CODE, &params, &headers).await
}

/// Handler of `/api/v1/areas/{code}/report`.
pub(super) async fn area(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path(code) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let Query(params) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let code = code.trim();
    if code.is_empty()
        || code.chars().count() > MAX_CODE_CHARS
        || !code.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(ApiError::bad_request(format!(
            "an area code is 1 to {MAX_CODE_CHARS} letters and digits (GM0344, WK034401, \
             BU03440101, 3511), got {code:?}"
        )));
    }
    report(&state, &code.to_ascii_uppercase(), &params, &headers).await
}

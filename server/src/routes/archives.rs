//! `GET /archives/{tileset}.pmtiles`: the raw PMTiles archives of the tiles folder, with HTTP
//! range requests, so that a browser (MapLibre plus the `pmtiles` protocol) or a CDN can read
//! them directly.

use axum::extract::{Path, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::tilejson::META_CACHE_CONTROL;
use crate::error::ApiError;
use crate::AppState;

/// Content type of PMTiles archives (none is registered; this is what object stores and the
/// PMTiles tools use for binary files).
const PMTILES_CONTENT_TYPE: &str = "application/octet-stream";

/// Serves an archive the catalog has opened and checked; other files of the folder stay
/// private. Single byte ranges get 206, unsatisfiable ones 416, and a multi-range request the
/// whole file (allowed by RFC 9110), since no PMTiles reader asks for several ranges at once.
pub(super) async fn handler(
    State(state): State<AppState>,
    Path(file): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let id = file
        .strip_suffix(".pmtiles")
        .ok_or_else(|| ApiError::not_found(format!("{file:?} is not a .pmtiles archive")))?;
    let archive = state
        .catalog
        .snapshot()
        .archives
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("no PMTiles archive {id:?}")))?;
    let (parts, _) = request.into_parts();
    // The body was refused by the request guard already; ServeFile needs none.
    let request = Request::from_parts(parts, axum::body::Body::empty());
    let mime = PMTILES_CONTENT_TYPE.parse().expect("valid mime type");
    let response = ServeFile::new_with_mime(&archive.path, &mime)
        .ignore_multi_range_requests(true)
        .oneshot(request)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    let mut response = response.into_response();
    if response.status().is_success() || response.status().is_redirection() {
        let h = response.headers_mut();
        // The archive's name stays while its content is replaced: revalidate like TileJSON.
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(META_CACHE_CONTROL),
        );
        // Weak: the digest names the tiles and metadata, not the byte layout, and a replaced
        // file is served for up to a rescan before its digest is known.
        if let Ok(v) = HeaderValue::from_str(&format!("W/\"{}\"", archive.info.content_version)) {
            h.insert(header::ETAG, v);
        }
    }
    Ok(response)
}

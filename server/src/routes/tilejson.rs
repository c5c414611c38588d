//! `GET /tiles/{tileset}.json`: TileJSON 3.0.0 with absolute tile URLs and the `lbm` metadata.

use axum::extract::{Path, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::http::{base_url, encode_segment, etag_matches, not_modified};
use crate::tileset::TilesetInfo;
use crate::AppState;

/// `Cache-Control` of TileJSON, styles and the catalog: short, they follow hot reloads.
pub const META_CACHE_CONTROL: &str = "public, max-age=60";

/// URL of a tileset's TileJSON.
pub fn tilejson_url(base: &str, id: &str) -> String {
    format!("{base}/tiles/{}.json", encode_segment(id))
}

/// URL template of a tileset's tiles.
pub fn tiles_url(base: &str, id: &str) -> String {
    format!("{base}/tiles/{}/{{z}}/{{x}}/{{y}}.pbf", encode_segment(id))
}

/// URL of a tileset's MapLibre style.
pub fn style_url(base: &str, id: &str) -> String {
    format!("{base}/styles/{}.json", encode_segment(id))
}

/// The `lbm` object: kind, measure, year(s), classification, pyramid, area layers.
pub fn lbm_object(info: &TilesetInfo) -> Value {
    json!({
        "kind": info.kind,
        "measure": info.measure,
        "year": info.year,
        "year_from": info.year_from,
        "year_to": info.year_to,
        "classification": info.classification,
        "pyramid": info.pyramid,
        "areas": info.areas,
    })
}

/// The TileJSON 3.0.0 document of a tileset.
pub fn tilejson(info: &TilesetInfo, base: &str) -> Value {
    json!({
        "tilejson": "3.0.0",
        "name": info.name,
        "description": info.description,
        "attribution": info.attribution,
        "version": info.version.as_deref().unwrap_or("1.0.0"),
        "scheme": "xyz",
        "tiles": [tiles_url(base, &info.id)],
        "minzoom": info.minzoom,
        "maxzoom": info.maxzoom,
        "bounds": info.bounds,
        "center": info.center,
        "vector_layers": info.vector_layers,
        "lbm": lbm_object(info),
    })
}

/// Strips `.json` from the last path segment; a 404 otherwise.
pub fn json_stem(file: &str) -> Result<&str, ApiError> {
    file.strip_suffix(".json")
        .ok_or_else(|| ApiError::not_found(format!("{file:?} is not a .json document")))
}

/// A JSON response with a short cache lifetime and an ETag of its body (304 when it matches).
pub fn json_response(value: &Value, request_headers: &HeaderMap) -> Response {
    let body = value.to_string();
    let etag = format!(
        "\"{}\"",
        hex::encode(&Sha256::digest(body.as_bytes())[..16])
    );
    if etag_matches(request_headers, &etag) {
        return not_modified(&etag, META_CACHE_CONTROL, false);
    }
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, META_CACHE_CONTROL),
        ],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// A JSON document with absolute URLs: when they come from the request (no `--public-url`),
/// caches must key on the headers they were derived from.
pub fn url_document(
    value: &Value,
    public_url: Option<&str>,
    request_headers: &HeaderMap,
) -> Response {
    let mut response = json_response(value, request_headers);
    if public_url.is_none() {
        response.headers_mut().insert(
            header::VARY,
            HeaderValue::from_static("Host, X-Forwarded-Host, X-Forwarded-Proto"),
        );
    }
    response
}

/// Handler of `/tiles/{file}`.
pub async fn handler(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    tileset_document(&state, &file, &headers, tilejson)
}

/// Answers `{id}.json` with the document `render` makes of tileset `id` and the request's base
/// URL (TileJSON and styles are both such documents).
pub fn tileset_document(
    state: &AppState,
    file: &str,
    headers: &HeaderMap,
    render: fn(&TilesetInfo, &str) -> Value,
) -> Result<Response, ApiError> {
    let id = json_stem(file)?;
    let tileset = state
        .catalog
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("unknown tileset {id:?}")))?;
    let public_url = state.config.public_url.as_deref();
    let base = base_url(public_url, headers);
    Ok(url_document(
        &render(&tileset.info, &base),
        public_url,
        headers,
    ))
}

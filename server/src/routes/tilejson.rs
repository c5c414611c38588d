//! `GET /tiles/{tileset}.json`: TileJSON 3.0.0 with absolute tile URLs and the `lbm` metadata
//! ([`crate::documents::tileset`]), and the JSON responses of every route.

use axum::extract::{Path, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::documents;
use crate::error::ApiError;
use crate::http::{accepts_gzip, etag_matches, not_modified};
use crate::tileset::TilesetInfo;
use crate::urls::base_url;
pub(super) use crate::urls::versioned_tile_url;
use crate::AppState;

/// `Cache-Control` of TileJSON, styles and the catalog: short, they follow hot reloads.
pub(super) const META_CACHE_CONTROL: &str = "public, max-age=60";

/// Strips `.json` from the last path segment; a 404 otherwise.
pub(super) fn json_stem(file: &str) -> Result<&str, ApiError> {
    file.strip_suffix(".json")
        .ok_or_else(|| ApiError::not_found(format!("{file:?} is not a .json document")))
}

/// JSON documents from this size on are gzipped for clients that accept it (the catalog of a
/// national deployment is over 100 kB); smaller ones would gain little.
const GZIP_MIN: usize = 1024;

/// A JSON response with a short cache lifetime and an ETag of its body (304 when it matches),
/// gzipped when the client accepts it and the document is large enough.
pub(super) fn json_response<T: serde::Serialize + ?Sized>(
    value: &T,
    request_headers: &HeaderMap,
) -> Response {
    // Serialising our own types into a String cannot fail.
    json_text_response(
        serde_json::to_string(value).unwrap_or_default(),
        request_headers,
    )
}

/// [`json_response`] of a document already serialised.
pub(super) fn json_text_response(body: String, request_headers: &HeaderMap) -> Response {
    // xxh3-128, as the tiles' ETags: a validator, not a signature, at a twentieth of SHA-256's
    // cost on every answer of the point, area and report APIs.
    let hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(body.as_bytes()));
    let varies = body.len() >= GZIP_MIN;
    let gzip = varies && accepts_gzip(request_headers);
    // The gzipped document is another representation, so it gets its own strong ETag.
    let etag = |gzip: bool| {
        if gzip {
            format!("\"{hash}-gz\"")
        } else {
            format!("\"{hash}\"")
        }
    };
    if etag_matches(request_headers, &etag(gzip)) {
        return not_modified(&etag(gzip), META_CACHE_CONTROL, varies);
    }
    // Compressing into memory cannot fail; should it, the document goes as it is.
    let gzipped = gzip
        .then(|| lbm_formats::gzip::gzip(body.as_bytes(), 1).ok())
        .flatten();
    let etag = etag(gzipped.is_some());
    let mut response = if let Some(gzipped) = gzipped {
        (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, META_CACHE_CONTROL),
                (header::CONTENT_ENCODING, "gzip"),
            ],
            gzipped,
        )
            .into_response()
    } else {
        (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, META_CACHE_CONTROL),
            ],
            body,
        )
            .into_response()
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    if varies {
        headers.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    response
}

/// A JSON document with absolute URLs: when they come from the request (no `--public-url`),
/// caches must key on the headers they were derived from.
pub(super) fn url_document<T: serde::Serialize + ?Sized>(
    value: &T,
    public_url: Option<&str>,
    request_headers: &HeaderMap,
) -> Response {
    let mut response = json_response(value, request_headers);
    if public_url.is_none() {
        // One Vary line naming both what the URLs and what the encoding depend on.
        let headers = response.headers_mut();
        let vary = match headers.get(header::VARY) {
            Some(_) => "Accept-Encoding, Host, X-Forwarded-Host, X-Forwarded-Proto",
            None => "Host, X-Forwarded-Host, X-Forwarded-Proto",
        };
        headers.insert(header::VARY, HeaderValue::from_static(vary));
    }
    response
}

/// Handler of `/tiles/{file}`.
pub(super) async fn handler(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    tileset_document(&state, &file, &headers, documents::tileset::tilejson)
}

/// Answers `{id}.json` with the document `render` makes of tileset `id` and the request's base
/// URL (TileJSON and styles are both such documents).
pub(super) fn tileset_document(
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

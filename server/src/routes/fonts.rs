//! `GET /fonts/{fontstack}/{start}-{end}.pbf`: the label glyphs of [`crate::glyphs`], for the
//! `glyphs` URL of the built-in basemap's style (and of any style that uses Open Sans).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::glyphs::{parse_range, GlyphError};
use crate::http::{accepts_gzip, etag_matches, not_modified};
use crate::AppState;

/// Glyphs change only with a release of the server: a day in caches, then revalidated by ETag.
const GLYPH_CACHE_CONTROL: &str = "public, max-age=86400";

/// Handler of `/fonts/{fontstack}/{range}.pbf`.
pub(super) async fn handler(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path((fontstack, file)) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let range = file.strip_suffix(".pbf").ok_or_else(|| {
        ApiError::not_found(format!("{file:?}: glyph ranges are {{start}}-{{end}}.pbf"))
    })?;
    let start = parse_range(range).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if fontstack.len() > 256 {
        return Err(ApiError::bad_request(
            "fontstack longer than 256 characters",
        ));
    }
    let pbf = state
        .glyphs
        .stack(&fontstack, start)
        .await
        .map_err(|e| match e {
            GlyphError::UnknownFontstack(..) => ApiError::not_found(e.to_string()),
            GlyphError::BadRange(_) => ApiError::bad_request(e.to_string()),
            GlyphError::Render(_) => ApiError::internal(e),
        })?;
    let gzip = accepts_gzip(&headers);
    let etag = if gzip {
        format!("{}-gz\"", pbf.etag.trim_end_matches('"'))
    } else {
        pbf.etag.clone()
    };
    if etag_matches(&headers, &etag) {
        return Ok(not_modified(&etag, GLYPH_CACHE_CONTROL, true));
    }
    let body = if gzip {
        pbf.gzip.clone()
    } else {
        pbf.raw.clone()
    };
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-protobuf"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(GLYPH_CACHE_CONTROL),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    Ok(response)
}

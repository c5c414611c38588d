//! `GET /styles/{tileset}.json`: the tileset's MapLibre style, the one document of
//! [`lbm_tileset::style`] that the web map draws with too.

use axum::extract::{Path, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use lbm_tileset::style::{style, StyleSource};

use super::tilejson::{tilejson_url, tileset_document};
use crate::error::ApiError;
use crate::tileset::TilesetInfo;
use crate::AppState;

/// The style of a tileset, its source the tileset's TileJSON on this server.
pub fn style_document(info: &TilesetInfo, base: &str) -> Value {
    style(
        &info.meta,
        &info.id,
        &StyleSource::TileJson(tilejson_url(base, &info.id)),
    )
}

/// Handler of `/styles/{file}`.
pub async fn handler(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    tileset_document(&state, &file, &headers, style_document)
}

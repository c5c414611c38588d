//! `GET /styles/{tileset}.json`: the tileset's MapLibre style, the one document of
//! [`lbm_tileset::style`] that the web map draws with too (for the basemap, the one of
//! [`lbm_tileset::basemap`]).

use axum::extract::{Path, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use lbm_tileset::basemap;
use lbm_tileset::style::{style, StyleSource};
use lbm_tileset::TilesetKind;

use super::tilejson::{tilejson_url, tileset_document};
use crate::error::ApiError;
use crate::tileset::TilesetInfo;
use crate::AppState;

/// The style of a tileset, its source the tileset's TileJSON on this server; the basemap's
/// glyphs come from this server's `/fonts/`.
pub fn style_document(info: &TilesetInfo, base: &str) -> Value {
    let source = StyleSource::TileJson(tilejson_url(base, &info.id));
    if info.kind == Some(TilesetKind::Basemap) {
        let glyphs = format!("{base}/fonts/{{fontstack}}/{{range}}.pbf");
        return basemap::style(&source, &glyphs, info.attribution.as_deref());
    }
    style(&info.meta, &info.id, &source)
}

/// Handler of `/styles/{file}`.
pub(super) async fn handler(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    tileset_document(&state, &file, &headers, style_document)
}

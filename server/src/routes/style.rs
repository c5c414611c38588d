//! `GET /styles/{tileset}.json`: the tileset's MapLibre style, the one document of
//! [`lbm_tileset::style`] that the web map draws with too (for the basemap, the one of
//! [`lbm_tileset::basemap`]).

use axum::extract::{Path, State};
use axum::http::header::HeaderMap;
use axum::response::Response;

use super::tilejson::tileset_document;
use crate::documents;
use crate::error::ApiError;
use crate::AppState;

/// Handler of `/styles/{file}`.
pub(super) async fn handler(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    tileset_document(&state, &file, &headers, documents::tileset::style)
}

//! `GET /catalog.json`: every tileset with its URLs, grouped by measure and year
//! ([`crate::documents::catalog`]).

use axum::extract::State;
use axum::http::header::HeaderMap;
use axum::response::Response;

use super::tilejson::url_document;
use crate::documents::catalog::catalog;
use crate::urls::base_url;
use crate::AppState;

/// Handler of `/catalog.json`.
pub(super) async fn handler(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = base_url(state.config.public_url.as_deref(), &headers);
    let snapshot = state.catalog.snapshot();
    let document = catalog(&snapshot, &base);
    url_document(&document, state.config.public_url.as_deref(), &headers)
}

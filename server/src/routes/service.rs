//! Service endpoints: `/health`, `/metrics` and `/config.json`.

use axum::extract::State;
use axum::http::header;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;

/// 200 once the tiles folder was scanned and holds tilesets, 503 before.
pub(super) async fn health(State(state): State<AppState>) -> Response {
    let snapshot = state.catalog.snapshot();
    let n = snapshot.tilesets.len();
    let (status, text) = match (snapshot.loaded, n) {
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "loading"),
        (true, 0) => (StatusCode::SERVICE_UNAVAILABLE, "no tilesets"),
        _ => (StatusCode::OK, "ok"),
    };
    let skipped: Vec<_> = state
        .catalog
        .skipped()
        .into_iter()
        .map(|(file, reason)| json!({"file": file, "reason": reason}))
        .collect();
    let body = json!({"status": text, "tilesets": n, "point_index": snapshot.index.is_some(),
                      "skipped": skipped});
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// Prometheus text exposition.
pub(super) async fn metrics(State(state): State<AppState>) -> Response {
    let body = state
        .metrics
        .render(state.catalog.snapshot().tilesets.len());
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// `{"basemap": url | null, "geocoder_url": url | null}` for the web map.
pub(super) async fn config(State(state): State<AppState>) -> Response {
    let body = json!({
        "basemap": state.config.basemap_style_url,
        "geocoder_url": state.config.geocoder().ok().flatten(),
    });
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body.to_string(),
    )
        .into_response()
}

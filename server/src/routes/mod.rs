//! The HTTP routes.

mod archives;
mod catalog;
mod fonts;
mod point;
mod report;
mod search;
mod service;
mod style;
mod tilejson;
mod tiles;
mod web;

use axum::routing::get;
use axum::Router;

use crate::AppState;

pub use catalog::catalog_json;
pub use report::{document as report_document, ALL as REPORT_ALL};
pub use style::style_document;
pub use tilejson::tilejson;
pub use tiles::cached_tile;

/// All routes (without the HTTP layers, see [`crate::router`]).
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/tiles/{tileset}/{z}/{x}/{tile}", get(tiles::tile))
        .route(
            "/tiles/{tileset}/{version}/{z}/{x}/{tile}",
            get(tiles::versioned_tile),
        )
        .route("/archives/{file}", get(archives::handler))
        .route("/tiles/{file}", get(tilejson::handler))
        .route("/styles/{file}", get(style::handler))
        .route("/fonts/{fontstack}/{range}", get(fonts::handler))
        .route("/catalog.json", get(catalog::handler))
        .route("/api/v1/point", get(point::handler))
        .route("/api/v1/search", get(search::handler))
        .route("/api/v1/report", get(report::national))
        .route("/api/v1/areas/{code}/report", get(report::area))
        .route("/health", get(service::health))
        .route("/metrics", get(service::metrics))
        .route("/config.json", get(service::config))
        .route("/", get(web::index))
        .route("/embed", get(web::embed))
        .fallback(web::fallback)
        .with_state(state)
}

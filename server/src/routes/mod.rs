//! The HTTP routes, registered under the patterns of the URL table ([`crate::urls`]).

mod archives;
mod area;
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

use crate::urls;
use crate::AppState;

pub use catalog::catalog_json;
pub use report::{document as report_document, ALL as REPORT_ALL};
pub use style::style_document;
pub use tilejson::tilejson;
pub use tiles::cached_tile;

/// All routes (without the HTTP layers, see [`crate::router`]).
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route(urls::TILE.pattern, get(tiles::tile))
        .route(urls::VERSIONED_TILE.pattern, get(tiles::versioned_tile))
        .route(urls::ARCHIVE.pattern, get(archives::handler))
        .route(urls::TILEJSON.pattern, get(tilejson::handler))
        .route(urls::STYLE.pattern, get(style::handler))
        .route(urls::GLYPHS.pattern, get(fonts::handler))
        .route(urls::CATALOG.pattern, get(catalog::handler))
        .route(urls::POINT.pattern, get(point::handler))
        .route(urls::SEARCH.pattern, get(search::handler))
        .route(urls::AREA.pattern, get(area::handler))
        .route(urls::NATIONAL_REPORT.pattern, get(report::national))
        .route(urls::AREA_REPORT.pattern, get(report::area))
        .route(urls::HEALTH.pattern, get(service::health))
        .route(urls::METRICS.pattern, get(service::metrics))
        .route(urls::CONFIG.pattern, get(service::config))
        .route(urls::INDEX.pattern, get(web::index))
        .route(urls::EMBED.pattern, get(web::embed))
        .fallback(web::fallback)
        .with_state(state)
}

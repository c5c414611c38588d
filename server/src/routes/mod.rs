//! The HTTP routes, registered under the patterns of the URL table ([`crate::urls`]).

mod archives;
mod area;
mod catalog;
mod fonts;
mod ogc;
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

pub use tiles::stored_tile;

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
        .route(urls::OGC_LANDING.pattern, get(ogc::landing))
        .route(urls::OGC_CONFORMANCE.pattern, get(ogc::conformance))
        .route(urls::OGC_API.pattern, get(ogc::openapi))
        .route(urls::OGC_COLLECTIONS.pattern, get(ogc::collections))
        .route(urls::OGC_COLLECTION.pattern, get(ogc::collection))
        .route(urls::OGC_ITEMS.pattern, get(ogc::items))
        .route(urls::OGC_ITEM.pattern, get(ogc::item))
        .route(urls::OGC_TILESETS.pattern, get(ogc::tilesets))
        .route(urls::OGC_TILESET.pattern, get(ogc::tileset))
        .route(urls::OGC_TILE.pattern, get(ogc::tile))
        .route(
            urls::OGC_TILE_MATRIX_SETS.pattern,
            get(ogc::tile_matrix_sets),
        )
        .route(urls::OGC_TILE_MATRIX_SET.pattern, get(ogc::tile_matrix_set))
        .route(urls::INDEX.pattern, get(web::index))
        .route(urls::EMBED.pattern, get(web::embed))
        .fallback(web::fallback)
        .with_state(state)
}

//! Leefbaarometer tile server: MBTiles and PMTiles tilesets, TileJSON, styles, a catalog, a point API and
//! the embedded web map, over axum.
//!
//! A request's path through the modules: [`serve`] accepts the connection, [`http`] wraps the
//! [`routes`] in the layers (limits, CORS, headers, ETags, access log, [`metrics`]) and answers a
//! tile before them with what they would add ([`http::fast_tile`]); the routes
//! read the [`catalog`] (the folder's tilesets, each a [`tileset`] source per file format) and
//! the point [`index`], and answer the JSON documents of `documents` (which the static site's
//! export, [`site`], writes too). What a tileset means is read with the `lbm-tileset` crate.
//!
//! Start a server (as the binary and the tests do):
//!
//! ```no_run
//! # async fn run() -> Result<(), lbm_server::ServerError> {
//! let config = lbm_server::Config::for_tiles("./tiles");
//! let state = lbm_server::AppState::load(config).await?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! lbm_server::serve(listener, state, std::future::pending()).await?;
//! # Ok(()) }
//! ```

#![warn(unreachable_pub)]
pub mod assets;
mod catalog;
pub mod config;
mod documents;
mod error;
pub mod glyphs;
pub mod http;
mod index;
mod metrics;
pub mod routes;
mod serve;
pub mod site;
#[cfg(feature = "testing")]
pub mod testing;
mod tileset;
pub mod urls;

use std::sync::Arc;
use std::time::Duration;

pub use catalog::{Catalog, Snapshot};
pub use config::Config;
pub use error::{ApiError, ServerError, TilesetError};
pub use serve::serve;

use axum::http::HeaderValue;

pub use crate::tileset::TILESET_EXTENSIONS;

/// Shared state of a running server (cheap to clone).
#[derive(Clone)]
pub struct AppState(Arc<StateInner>);

/// The parts of [`AppState`].
pub struct StateInner {
    /// Configuration the server was started with.
    pub config: Config,
    /// The live tilesets.
    pub catalog: Arc<Catalog>,
    /// Hot tiles (`None`: known to be empty), weighed by size.
    pub(crate) tiles: tileset::TileCache,
    /// `Cache-Control` of unversioned tiles (`--cache-control`), `None` when not a valid value.
    pub(crate) tile_cache_control: Option<HeaderValue>,
    /// `Cache-Control` of versioned tiles (`--immutable-cache-control`).
    pub(crate) immutable_cache_control: Option<HeaderValue>,
    /// Whether CORS allows every origin (`--cors-origins` empty or `*`): tiles are then
    /// answered before the router ([`http::fast_tile`]), their answers not varying by `Origin`.
    pub(crate) cors_any_origin: bool,
    /// Request and cache counters.
    pub(crate) metrics: metrics::Metrics,
    /// The label glyphs rendered so far.
    pub(crate) glyphs: glyphs::GlyphCache,
}

impl std::ops::Deref for AppState {
    type Target = StateInner;
    fn deref(&self) -> &StateInner {
        &self.0
    }
}

impl AppState {
    /// Loads the tiles folder (tilesets that fail to open are skipped and logged) and starts
    /// hot reload. Needs a tokio runtime.
    pub async fn load(config: Config) -> Result<Self, ServerError> {
        let catalog = Arc::new(Catalog::new(config.tiles.clone(), config.pool_size));
        catalog.rescan().await;
        catalog.watch(Duration::from_millis(config.rescan_ms.max(100)))?;
        let tiles = tileset::tile_cache(config.tile_cache_mb);
        let header = |v: &str| HeaderValue::from_str(v).ok();
        Ok(Self(Arc::new(StateInner {
            tile_cache_control: header(&config.cache_control),
            immutable_cache_control: header(&config.immutable_cache_control),
            cors_any_origin: http::allowed_origins(&config.cors_origins).is_none(),
            config,
            catalog,
            tiles,
            metrics: metrics::Metrics::default(),
            glyphs: glyphs::GlyphCache::default(),
        })))
    }
}

/// The complete application: routes plus the HTTP layers (CORS, headers, limits, metrics).
pub fn router(state: AppState) -> axum::Router {
    http::with_layers(routes::routes(state.clone()), state)
}

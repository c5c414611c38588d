//! Leefbaarometer tile server: MBTiles and PMTiles tilesets, TileJSON, styles, a catalog, a point API and
//! the embedded web map, over axum.
//!
//! A request's path through the modules: [`serve`] accepts the connection, [`http`] wraps the
//! [`routes`] in the layers (limits, CORS, headers, ETags, access log, [`metrics`]); the routes
//! read the [`catalog`] (the folder's tilesets, each a [`tileset`] source per file format) and
//! the point [`index`]. What a tileset means is read with the `lbm-tileset` crate.
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

pub mod assets;
pub mod catalog;
pub mod config;
pub mod error;
pub mod http;
pub mod index;
pub mod metrics;
pub mod routes;
pub mod serve;
pub mod site;
pub mod testing;
pub mod tileset;

use std::sync::Arc;
use std::time::Duration;

pub use catalog::Catalog;
pub use config::Config;
pub use error::{ApiError, ServerError, TilesetError};
pub use serve::serve;

use crate::tileset::Tile;

/// Key of the tile cache: (tileset generation, z, x, y).
pub type TileKey = (u64, u8, u32, u32);

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
    pub tiles: moka::sync::Cache<TileKey, Option<Tile>>,
    /// Request and cache counters.
    pub metrics: metrics::Metrics,
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
        let tiles = moka::sync::Cache::builder()
            .max_capacity(config.tile_cache_mb.saturating_mul(1024 * 1024))
            .weigher(|_k: &TileKey, v: &Option<Tile>| {
                let len = v.as_ref().map_or(0, |t| t.data.len());
                u32::try_from(len + 96).unwrap_or(u32::MAX)
            })
            .build();
        Ok(Self(Arc::new(StateInner {
            config,
            catalog,
            tiles,
            metrics: metrics::Metrics::default(),
        })))
    }

    /// RD New coordinates of a WGS84 point (the tiler's EPSG:28992 transform), if it has them.
    pub fn rd_from_lonlat(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        lbm_tileset::project::wgs84_to_rd(lon, lat)
            .ok()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
    }
}

/// The complete application: routes plus the HTTP layers (CORS, headers, limits, metrics).
pub fn router(state: AppState) -> axum::Router {
    http::with_layers(routes::routes(state.clone()), state)
}

//! Leefbaarometer tile server: MBTiles and PMTiles tilesets, TileJSON, styles, a catalog, a point API and
//! the embedded web map, over axum.
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
pub mod logging;
pub mod metrics;
pub mod routes;
pub mod site;
pub mod tileset;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub use catalog::Catalog;
pub use config::Config;
pub use error::{ApiError, ServerError, TilesetError};

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

/// Serves `state` on `listener` until `shutdown` resolves, then drains open requests.
///
/// Connections are served by hyper's HTTP/1 builder directly (axum::serve does not expose its
/// limits): the request head is limited to `--max-header-bytes` and must arrive within
/// `--header-read-timeout`, and at most `--max-connections` connections are served at once
/// (further clients wait in the listen backlog until one closes).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    use hyper_util::rt::{TokioIo, TokioTimer};

    let max_buf = state.config.max_header_bytes.max(8192);
    let header_timeout = state.config.header_timeout();
    let slots = Arc::new(tokio::sync::Semaphore::new(
        state.config.max_connections.max(1),
    ));
    let app = router(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .max_buf_size(max_buf)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection closed with an error");
            }
            drop(permit);
        });
    }
    // Stop accepting, let open requests finish (each is bounded by the request timeout), and
    // close idle keep-alive connections.
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

//! Tile sources, one module per file format behind the one [`TileSource`] trait (MBTiles through
//! a read-only connection pool, PMTiles archives through positioned reads), and the tileset that
//! wraps a source with its metadata and content version.

mod cache;
mod info;
mod mbtiles;
mod pmtiles;
mod pool;
mod source;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use axum::body::Bytes;

use crate::error::TilesetError;

pub(crate) use cache::{tile_cache, TileCache};
pub(crate) use info::TilesetInfo;
pub(crate) use mbtiles::MbtilesSource;
pub(crate) use pmtiles::PmtilesSource;
pub(crate) use pool::ReadOnlyPool;
pub use source::TILESET_EXTENSIONS;
pub(crate) use source::{Tile, Tileset};

/// The future of one tile read: the stored bytes, or `None` when the file has no such tile.
pub(crate) type SourceFuture =
    Pin<Box<dyn Future<Output = Result<Option<Bytes>, TilesetError>> + Send>>;

/// What every file format of a tileset offers the server: reading one stored tile.
pub(crate) trait TileSource: Send + Sync + std::fmt::Debug {
    /// Reads tile `coord` (off the async threads).
    fn read_tile(&self, coord: lbm_formats::TileCoord) -> SourceFuture;
    /// `mbtiles` or `pmtiles`.
    fn format(&self) -> &'static str;
}

/// A file just opened: its metadata rows, the zoom range of its tiles when the rows lack it,
/// and its tile source.
pub(crate) struct Opened {
    /// Metadata rows by name.
    pub rows: HashMap<String, String>,
    /// `(min, max)` zoom of the tiles, when known from the file itself.
    pub zooms: Option<(u8, u8)>,
    /// Where its tiles are read from.
    pub source: Box<dyn TileSource>,
}

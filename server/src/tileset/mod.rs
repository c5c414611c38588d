//! Tile sources (MBTiles through a read-only connection pool, PMTiles archives through
//! positioned reads): metadata and tile reads.

mod archive;
mod info;
mod pool;
mod source;

pub use info::TilesetInfo;
pub use pool::ReadOnlyPool;
pub use source::{Tile, Tileset, TILESET_EXTENSIONS};

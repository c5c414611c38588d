//! MBTiles tile source: read-only connection pool, metadata and tile reads.

mod info;
mod pool;
mod source;

pub use info::{ClassDef, Classification, NoData, TilesetInfo};
pub use pool::ReadOnlyPool;
pub use source::{Tile, Tileset};

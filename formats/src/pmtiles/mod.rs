//! PMTiles v3 archives, with the `pmtiles` crate: the reader over positioned reads ([`read`],
//! into reusable buffers),
//! the clustered writer of the build ([`write`]) and the mapping between MBTiles metadata rows
//! and the archive's JSON metadata ([`metadata`]).

mod buffers;
pub mod metadata;
pub mod read;
pub mod write;

pub use metadata::{metadata_json, metadata_rows};
pub use read::{Archive, ArchiveError, Header};
pub use write::PmtilesWriter;

/// File name extension of the archives (`{tileset}.pmtiles`).
pub const EXTENSION: &str = "pmtiles";

/// The `pmtiles` crate's address of a tile.
fn coord(c: crate::TileCoord) -> Result<pmtiles::TileCoord, pmtiles::PmtError> {
    pmtiles::TileCoord::new(c.z, c.x, c.y)
}

/// The address of the `pmtiles` crate's tile (always valid: the crate checks its own).
fn from_coord(c: pmtiles::TileCoord) -> crate::TileCoord {
    crate::TileCoord::new(c.z(), c.x(), c.y()).expect("the pmtiles crate checks its addresses")
}

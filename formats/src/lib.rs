//! Every byte layout of the Leefbaarometer maps, read **and** written, in one place: what the
//! tiler writes, the server serves and every test reads goes through these modules, so the
//! layouts cannot drift apart between crates. What the bytes *mean* (measures, classes, the
//! metadata rows, the style) is the contract of `lbm-tileset`.
//!
//! - [`tile`]: tile addresses ([`TileCoord`], the one XYZ ↔ TMS row flip) and per-zoom counts;
//! - [`gzip`]: the compression of stored tiles and of served documents;
//! - [`pending`]: files written under a temporary name and renamed into place;
//! - [`sqlite`]: opening SQLite files read-only, and writing them atomically;
//! - [`mbtiles`]: MBTiles 1.3 (schema, reader, writer);
//! - [`pmtiles`]: PMTiles v3 archives (reader, clustered writer, metadata JSON);
//! - [`index`]: the point index `lbm-index.sqlite` (schema, writer);
//! - `fixtures` (feature `fixtures`): tiny tilesets and indexes written with the real writers,
//!   for the tests of every crate.

pub mod error;
pub mod gzip;
pub mod index;
pub mod mbtiles;
pub mod pending;
pub mod pmtiles;
pub mod sqlite;
pub mod tile;

#[cfg(feature = "fixtures")]
pub mod fixtures;

pub use error::FormatError;
pub use pending::PendingFile;
pub use tile::{TileCoord, ZoomStats};

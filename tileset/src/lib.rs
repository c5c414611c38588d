//! The Leefbaarometer tileset contract: what a tileset means, written down once.
//!
//! The tiler writes tilesets with it and the server (and every test) reads them with it;
//! `docs/tileset-format.md` specifies the same in prose. In the order a tileset is made:
//!
//! - [`measure`]: the six measures (in their one display order), the value columns, the kinds;
//! - [`grid`]: the 100 m grid of RD New and the ids of its cells;
//! - [`project`]: RD New ↔ WGS84; [`geometry`]: point in polygon;
//! - [`classification`]: the nine classes and the one rule that puts a published value in one;
//! - [`levels`]: gemeente, wijk, buurt, pc4 and the grid, and the zoom band of each;
//! - [`metadata`]: the metadata rows, typed;
//! - [`style`]: the MapLibre style every client draws with; [`basemap`]: the built-in basemap
//!   tileset and its style;
//! - [`names`]: the search fold of names.
//!
//! How all of this is laid out in bytes (MBTiles, PMTiles, the point index, gzip, tile
//! addresses) is the `lbm-formats` crate's.

pub mod basemap;
pub mod classification;
pub mod geometry;
pub mod grid;
pub mod levels;
pub mod measure;
pub mod metadata;
pub mod names;
pub mod project;
pub mod style;

pub use classification::{change_value, publish, Classification};
pub use grid::CellId;
pub use levels::{AreaLevel, Band};
pub use measure::{Column, Kind, Measure, Values};
pub use metadata::{TilesetKind, TilesetMeta};

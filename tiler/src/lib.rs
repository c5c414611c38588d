//! Leefbaarometer tiler: grid score CSV files to MBTiles and/or PMTiles vector tilesets, one per
//! measure and year.
//!
//! The main entry points are [`build`] (scores file → tilesets and point index), [`demo`]
//! (synthetic Netherlands → tilesets), [`wgs84_to_rd`] (for point look-ups) and
//! [`Classification::load`]. The output format is specified in `docs/tileset-format.md`;
//! [`pmtiles::metadata_rows`] maps a PMTiles archive's metadata back to the MBTiles rows.

pub mod area_scores;
pub mod area_tiles;
pub mod areas;
pub mod classes;
pub mod demo;
pub mod encode;
pub mod error;
pub mod grid;
pub mod inspect;
pub mod mbtiles;
pub mod output;
pub mod pipeline;
pub mod pmtiles;
pub mod project;
pub mod pyramid;
pub mod scores;
pub mod simplify;

pub use classes::{Classification, MeasureClassification};
pub use demo::{demo, DemoOptions};
pub use error::TilerError;
pub use grid::CellId;
pub use inspect::inspect;
pub use output::{OutputFormat, TilesHash};
pub use pipeline::{build, BuildOptions, BuildSummary, INDEX_FILE};
pub use project::{rd_to_wgs84, wgs84_to_rd};
pub use scores::{read_scores, MEASURES};

//! Leefbaarometer tiler: grid score CSV files to MBTiles vector tilesets, one per measure and year.
//!
//! The main entry points are [`build`] (scores file → tilesets and point index), [`demo`]
//! (synthetic Netherlands → tilesets), [`wgs84_to_rd`] (for point look-ups) and
//! [`Classification::load`]. The output format is specified in `docs/tileset-format.md`.

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
pub mod pipeline;
pub mod project;
pub mod pyramid;
pub mod scores;

pub use classes::{Classification, MeasureClassification};
pub use demo::{demo, DemoOptions};
pub use error::TilerError;
pub use grid::CellId;
pub use inspect::inspect;
pub use pipeline::{build, BuildOptions, BuildSummary, INDEX_FILE};
pub use project::{rd_to_wgs84, wgs84_to_rd};
pub use scores::{read_scores, MEASURES};

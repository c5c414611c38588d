//! Leefbaarometer tiler: grid score CSV files and area boundaries to MBTiles and/or PMTiles
//! vector tilesets, one per measure and year, plus change maps and the point index.
//!
//! The stages, in the order data flows through them:
//!
//! - [`input`]: scores CSV, area boundary files, area scores files, classification files;
//! - [`aggregate`]: 100 m cells to the pyramid's coarser cells and to areas, and what every
//!   feature shows (published score and class, or change and change class);
//! - [`geometry`]: area borders simplified as shared arcs and cut into tiles;
//! - [`encode`]: features to gzip-compressed Mapbox Vector Tiles;
//! - [`output`]: MBTiles, PMTiles and the point index, each written atomically;
//! - [`pipeline`]: the plan of a build and its orchestration ([`build`]); [`demo`] builds the
//!   synthetic Netherlands; [`basemap`] writes the built-in basemap from the embedded geography.
//!
//! What the tilesets mean (measures, classes, levels, metadata, style) is the contract of the
//! `lbm-tileset` crate, specified in `docs/tileset-format.md`.

pub mod aggregate;
pub mod basemap;
pub mod demo;
pub mod encode;
pub mod error;
pub mod geometry;
pub mod input;
pub mod inspect;
pub mod output;
pub mod pipeline;

pub use basemap::{basemap, BasemapOptions};
pub use demo::{demo, DemoOptions};
pub use error::TilerError;
pub use input::classes::ClassificationSet;
pub use input::scores::read_scores;
pub use inspect::inspect;
pub use output::{OutputFormat, TilesHash};
pub use pipeline::{build, BuildOptions, BuildSummary, PressureOptions, INDEX_FILE};

//! Aggregation: 100 m cells to the coarser cells of the zoom pyramid and to areas, and what each
//! feature of a tileset then shows.

pub mod areas;
pub mod distribution;
pub mod pyramid;
pub mod shown;

//! Area geometry for tiles: borders simplified per zoom as shared arcs, snapped and cut into
//! tiles.

pub mod area_tiles;
pub mod simplify;

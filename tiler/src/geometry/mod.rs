//! Geometry: area borders simplified per zoom as shared arcs, snapped and cut into tiles, and
//! which cells lie inside polygons.

pub mod area_tiles;
pub mod scanline;
pub mod simplify;

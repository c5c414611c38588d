//! What the tiler reads: grid scores, area boundaries, area scores and classification files.

pub mod aliases;
pub mod area_scores;
pub mod areas;
pub mod classes;
pub mod csv;
pub mod development;
pub mod geography;
pub mod grid_geometry;
pub mod open_data;
pub mod places;
pub mod scores;
pub mod spreadsheet;

//! The JSON documents of the server, built from a catalog snapshot and the point index: what
//! the routes answer and what the static site's export writes ([`crate::site`]), so both say
//! the same.
//!
//! - [`tileset`]: a tileset's TileJSON and MapLibre style;
//! - [`catalog`]: every tileset, the measures with their years, the change pairs;
//! - [`values`]: the values and classes of a place per year and change period (point, area,
//!   report and OGC APIs);
//! - [`report`]: the report of a place.

pub(crate) mod catalog;
pub(crate) mod report;
pub(crate) mod tileset;
pub(crate) mod values;

//! The point index `lbm-index.sqlite`: every 100 m cell with all measures for all years, and
//! (issue 5) the areas with their names, bounds, geometry and scores.

use std::path::Path;
use std::sync::Arc;

pub mod search;

use crate::error::TilesetError;
use crate::tileset::ReadOnlyPool;

use search::{level_rank, SearchEntry};
pub use search::{search_key, AreaHit};

/// File name of the point index inside the tiles folder.
pub const INDEX_FILE: &str = "lbm-index.sqlite";

/// Value columns of `cells`, in order.
pub const VALUE_COLUMNS: [&str; 7] = ["lbm", "afw", "fys", "onv", "soc", "vrz", "won"];

/// One year of one cell: `(column, value)` for each value column that is not NULL.
#[derive(Debug, Clone, PartialEq)]
pub struct CellYear {
    /// The year.
    pub year: i32,
    /// Measure values present for that year (`lbm`, `afw`, `fys`, ...).
    pub values: Vec<(&'static str, f64)>,
}

/// An opened point index.
#[derive(Debug)]
pub struct PointIndex {
    pool: Arc<ReadOnlyPool>,
    /// The index has the `areas` table (issue 5); older ones hold cells only.
    has_areas: bool,
    /// The index has the `area_scores` table.
    has_area_scores: bool,
    /// Every area with a finite bbox, for the search: a national index holds some 25,000
    /// areas, which a scan in memory matches in about a millisecond. Matching in SQL would need
    /// the fold as an SQL function, and an index written by an older tiler stores another fold
    /// in `name_norm`: the names are folded here, at open, with the current fold.
    search: Vec<SearchEntry>,
}

impl PointIndex {
    /// Opens and validates the index (blocking).
    pub fn open(path: &Path, pool_size: usize) -> Result<Self, TilesetError> {
        let pool = ReadOnlyPool::open(path, pool_size)?;
        let (has_areas, has_area_scores, search) = pool.with_conn_blocking(|conn| {
            conn.prepare(
                "SELECT year, lbm, afw, fys, onv, soc, vrz, won FROM cells WHERE hx = ?1 AND hy = ?2",
            )?;
            // Optional tables: present only when every column the server reads is there.
            let has_areas = conn
                .prepare(
                    "SELECT code, level, name, name_norm, parent, minlon, minlat, maxlon, maxlat,
                       minx, miny, maxx, maxy, geom FROM areas LIMIT 0",
                )
                .is_ok();
            let has_area_scores = conn
                .prepare(
                    "SELECT code, year, lbm, afw, fys, onv, soc, vrz, won FROM area_scores LIMIT 0",
                )
                .is_ok();
            let search = if has_areas {
                search::load(conn)?
            } else {
                Vec::new()
            };
            Ok((has_areas, has_area_scores, search))
        })?;
        Ok(Self {
            pool: Arc::new(pool),
            has_areas,
            has_area_scores,
            search,
        })
    }

    /// All years of cell (`hx`, `hy`) (hectometre indices), ordered by year.
    pub async fn lookup(&self, hx: i64, hy: i64) -> Result<Vec<CellYear>, TilesetError> {
        self.pool
            .with_conn(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT year, lbm, afw, fys, onv, soc, vrz, won FROM cells \
                     WHERE hx = ?1 AND hy = ?2 ORDER BY year",
                )?;
                let rows = stmt.query_map([hx, hy], year_row)?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
    }
}

/// An area containing a point, with its time series.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaAt {
    /// Area code.
    pub code: String,
    /// Level.
    pub level: String,
    /// Display name.
    pub name: String,
    /// Every year with scores (from `area_scores`), ordered by year.
    pub years: Vec<CellYear>,
}

/// Whether the even-odd rule puts (`x`, `y`) inside the rings.
fn inside_rings(rings: &[Vec<(f64, f64)>], x: f64, y: f64) -> bool {
    lbm_tileset::geometry::rings_contain(rings, x, y)
}

fn ring_of(v: &serde_json::Value) -> Option<Vec<(f64, f64)>> {
    v.as_array()?
        .iter()
        .map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
        .collect()
}

fn polygon_of(v: &serde_json::Value) -> Option<Vec<Vec<(f64, f64)>>> {
    v.as_array()?.iter().map(ring_of).collect()
}

/// Whether a GeoJSON `Polygon`/`MultiPolygon` geometry (text) contains (`x`, `y`).
pub fn geometry_contains(geom: &str, x: f64, y: f64) -> bool {
    let Ok(g) = serde_json::from_str::<serde_json::Value>(geom) else {
        return false;
    };
    let coords = &g["coordinates"];
    match g["type"].as_str() {
        Some("Polygon") => polygon_of(coords).is_some_and(|p| inside_rings(&p, x, y)),
        Some("MultiPolygon") => coords.as_array().is_some_and(|polys| {
            polys
                .iter()
                .filter_map(polygon_of)
                .any(|p| inside_rings(&p, x, y))
        }),
        _ => false,
    }
}

fn year_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CellYear> {
    let year: i32 = r.get(0)?;
    let mut values = Vec::with_capacity(7);
    for (i, name) in VALUE_COLUMNS.iter().enumerate() {
        if let Some(v) = r.get::<_, Option<f64>>(i + 1)? {
            values.push((*name, v));
        }
    }
    Ok(CellYear { year, values })
}

impl PointIndex {
    /// Whether the index has the `areas` table (older indexes hold cells only).
    pub fn has_areas(&self) -> bool {
        self.has_areas
    }

    /// Areas matching `query` by name, alias, code or postcode, best first (see [`search`]).
    pub async fn search_areas(
        &self,
        query: &str,
        limit: usize,
    ) -> Result<Vec<AreaHit>, TilesetError> {
        Ok(search::search(&self.search, query, limit))
    }

    /// The areas containing RD point (`x`, `y`), coarse to fine, each with its time series.
    pub async fn areas_at(&self, x: f64, y: f64) -> Result<Vec<AreaAt>, TilesetError> {
        if !self.has_areas {
            return Ok(Vec::new());
        }
        let has_scores = self.has_area_scores;
        let mut found = self
            .pool
            .with_conn(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT code, level, name, geom FROM areas
                     WHERE minx <= ?1 AND maxx >= ?1 AND miny <= ?2 AND maxy >= ?2",
                )?;
                let candidates = stmt.query_map(rusqlite::params![x, y], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                    ))
                })?;
                let mut out = Vec::new();
                for c in candidates {
                    let (code, level, name, geom) = c?;
                    if geometry_contains(&geom, x, y) {
                        out.push(AreaAt {
                            code,
                            level,
                            name,
                            years: Vec::new(),
                        });
                    }
                }
                if has_scores {
                    let mut scores = conn.prepare_cached(
                        "SELECT year, lbm, afw, fys, onv, soc, vrz, won FROM area_scores
                         WHERE code = ?1 ORDER BY year",
                    )?;
                    for area in &mut out {
                        area.years = scores
                            .query_map([&area.code], year_row)?
                            .collect::<Result<Vec<_>, _>>()?;
                    }
                }
                Ok(out)
            })
            .await?;
        found.sort_by(|a, b| {
            level_rank(&a.level)
                .cmp(&level_rank(&b.level))
                .then_with(|| a.code.cmp(&b.code))
        });
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_in_polygon_with_holes_and_multipolygons() {
        let square = r#"{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]}"#;
        assert!(geometry_contains(square, 1.0, 1.0));
        assert!(!geometry_contains(square, 5.0, 5.0));
        assert!(!geometry_contains(square, 11.0, 5.0));
        let multi = r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,6],[5,5]]]]}"#;
        assert!(geometry_contains(multi, 5.5, 5.5));
        assert!(!geometry_contains(multi, 3.0, 3.0));
        assert!(!geometry_contains("not json", 0.0, 0.0));
    }
}

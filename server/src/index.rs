//! The point index `lbm-index.sqlite`: every 100 m cell with all measures for all years.

use std::path::Path;
use std::sync::Arc;

use crate::error::TilesetError;
use crate::tileset::ReadOnlyPool;

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
}

impl PointIndex {
    /// Opens and validates the index (blocking).
    pub fn open(path: &Path, pool_size: usize) -> Result<Self, TilesetError> {
        let pool = ReadOnlyPool::open(path, pool_size)?;
        pool.with_conn_blocking(|conn| {
            conn.prepare(
                "SELECT year, lbm, afw, fys, onv, soc, vrz, won FROM cells WHERE hx = ?1 AND hy = ?2",
            )?;
            Ok(())
        })?;
        Ok(Self {
            pool: Arc::new(pool),
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
                let rows = stmt.query_map([hx, hy], |r| {
                    let year: i32 = r.get(0)?;
                    let mut values = Vec::with_capacity(7);
                    for (i, name) in VALUE_COLUMNS.iter().enumerate() {
                        if let Some(v) = r.get::<_, Option<f64>>(i + 1)? {
                            values.push((*name, v));
                        }
                    }
                    Ok(CellYear { year, values })
                })?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
    }
}

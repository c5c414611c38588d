//! MBTiles files as a tile source: a pool of read-only connections, read with the one MBTiles
//! reader ([`lbm_formats::mbtiles`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use lbm_formats::{mbtiles, TileCoord};

use super::pool::ReadOnlyPool;
use super::{Opened, SourceFuture, TileSource};

/// An open MBTiles file.
#[derive(Debug)]
pub(crate) struct MbtilesSource {
    pool: Arc<ReadOnlyPool>,
}

impl MbtilesSource {
    /// Opens `path` with `pool_size` connections and reads its metadata rows, with the zoom
    /// range of its tiles when the rows don't name it (blocking).
    pub(crate) fn open(path: &Path, pool_size: usize) -> Result<Opened, crate::TilesetError> {
        let pool = ReadOnlyPool::open(path, pool_size)?;
        let (rows, zooms) = pool.with_conn_blocking(|conn| {
            mbtiles::check(conn)?;
            let rows: HashMap<String, String> = mbtiles::metadata(conn)?.into_iter().collect();
            let zooms = if rows.contains_key("minzoom") && rows.contains_key("maxzoom") {
                None
            } else {
                mbtiles::zoom_range(conn).ok().flatten()
            };
            Ok((rows, zooms))
        })?;
        Ok(Opened {
            rows,
            zooms,
            source: Box::new(MbtilesSource {
                pool: Arc::new(pool),
            }),
        })
    }
}

impl TileSource for MbtilesSource {
    fn read_tile(&self, coord: TileCoord) -> SourceFuture {
        let pool = Arc::clone(&self.pool);
        Box::pin(async move {
            // On the async worker when a connection is free: a tile is a key look-up that takes
            // microseconds from the page cache, and handing each miss to the blocking pool cost
            // more in thread switches (a tenth of the CPU over the long tail) than the read.
            pool.with_conn_inline(move |conn| Ok(mbtiles::tile(conn, coord)?.map(Bytes::from)))
                .await
        })
    }

    fn format(&self) -> &'static str {
        "mbtiles"
    }
}

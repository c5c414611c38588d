//! PMTiles archives as a tile source, read with the one PMTiles reader
//! ([`lbm_formats::pmtiles`]: the `pmtiles` crate over positioned reads) on the async worker.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use lbm_formats::pmtiles::Archive;
use lbm_formats::TileCoord;

use super::{Opened, SourceFuture, TileSource};
use crate::TilesetError;

/// An open PMTiles archive.
#[derive(Debug)]
pub(crate) struct PmtilesSource {
    archive: Arc<Archive>,
}

impl PmtilesSource {
    /// Opens and checks `path`; its metadata mapped back to MBTiles rows (as
    /// `docs/tileset-format.md` specifies) and its header's zoom range (blocking).
    pub(crate) fn open(path: &Path) -> Result<Opened, TilesetError> {
        let archive = Archive::open(path)?;
        let rows: HashMap<String, String> = archive.metadata_rows()?.into_iter().collect();
        let header = archive.header();
        let zooms = Some((header.min_zoom, header.max_zoom));
        Ok(Opened {
            rows,
            zooms,
            source: Box::new(PmtilesSource {
                archive: Arc::new(archive),
            }),
        })
    }
}

impl TileSource for PmtilesSource {
    fn read_tile(&self, coord: TileCoord) -> SourceFuture {
        let archive = Arc::clone(&self.archive);
        // Right here on the async worker: a tile is a look-up in directories held in memory
        // (a leaf directory is read and decompressed once, on its first tile) and one
        // positioned read of a contiguous byte range, microseconds from the page cache;
        // handing it to the blocking pool cost more in thread switches than the read (as for
        // MBTiles, see `mbtiles.rs`). A cold read blocks this worker for one disk read.
        Box::pin(async move { archive.tile(coord).map_err(TilesetError::from) })
    }

    fn format(&self) -> &'static str {
        "pmtiles"
    }
}

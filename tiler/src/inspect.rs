//! `lbm-tiler inspect`: metadata and per-zoom tile counts and sizes of an MBTiles file or a
//! PMTiles archive.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::output::mbtiles::{read_metadata, zoom_stats};
use crate::output::pmtiles::{compression_name, is_pmtiles, Archive, Header};
use crate::output::ZoomStats;

/// What `inspect` found in a file.
#[derive(Clone, Debug)]
pub struct Inspection {
    /// The file.
    pub path: PathBuf,
    /// Metadata rows in file order (of a PMTiles archive: its JSON metadata mapped back to
    /// rows by [`lbm_tileset::pmtiles_json::metadata_rows`]).
    pub metadata: Vec<(String, String)>,
    /// Tiles per zoom.
    pub zooms: Vec<ZoomStats>,
    /// The header, when the file is a PMTiles archive.
    pub pmtiles: Option<Header>,
}

/// Reads metadata and tile statistics of an MBTiles file or (recognised by its magic bytes) a
/// PMTiles archive.
pub fn inspect(path: &Path) -> Result<Inspection> {
    if is_pmtiles(path) {
        let a = Archive::open(path)?;
        return Ok(Inspection {
            path: path.to_path_buf(),
            metadata: a.metadata()?,
            zooms: a.zoom_stats()?,
            pmtiles: Some(a.header().clone()),
        });
    }
    Ok(Inspection {
        path: path.to_path_buf(),
        metadata: read_metadata(path)?,
        zooms: zoom_stats(path)?,
        pmtiles: None,
    })
}

impl fmt::Display for Inspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.path.display())?;
        if let Some(h) = &self.pmtiles {
            writeln!(
                f,
                "  PMTiles v{}, tile type {}, tiles {}, directories {}, {}",
                h.spec_version,
                if h.tile_type == 1 {
                    "mvt".to_string()
                } else {
                    h.tile_type.to_string()
                },
                compression_name(h.tile_compression),
                compression_name(h.internal_compression),
                if h.clustered {
                    "clustered"
                } else {
                    "not clustered"
                }
            )?;
            writeln!(
                f,
                "  header zooms {}..{}, bounds {:.6},{:.6},{:.6},{:.6}, center {:.6},{:.6},{}",
                h.min_zoom,
                h.max_zoom,
                h.bounds[0],
                h.bounds[1],
                h.bounds[2],
                h.bounds[3],
                h.center[0],
                h.center[1],
                h.center_zoom
            )?;
            writeln!(
                f,
                "  {} addressed tiles, {} entries, {} contents; metadata {} B, root {} B, leaves {} B, data {:.1} KB",
                h.addressed_tiles,
                h.tile_entries,
                h.tile_contents,
                h.metadata_length,
                h.root_length,
                h.leaf_length,
                h.data_length as f64 / 1024.0
            )?;
        }
        for (k, v) in &self.metadata {
            let v = if v.len() > 300 {
                format!(
                    "{}… ({} chars)",
                    v.chars().take(300).collect::<String>(),
                    v.len()
                )
            } else {
                v.clone()
            };
            writeln!(f, "  {k:<20} {v}")?;
        }
        writeln!(f, "  zoom   tiles    total KB   max KB")?;
        let (mut t, mut b, mut m) = (0, 0, 0);
        for z in &self.zooms {
            writeln!(
                f,
                "  {:>4} {:>7} {:>11.1} {:>8.1}",
                z.zoom,
                z.tiles,
                z.bytes as f64 / 1024.0,
                z.max_bytes as f64 / 1024.0
            )?;
            t += z.tiles;
            b += z.bytes;
            m = m.max(z.max_bytes);
        }
        writeln!(
            f,
            "   all {:>7} {:>11.1} {:>8.1}",
            t,
            b as f64 / 1024.0,
            m as f64 / 1024.0
        )
    }
}

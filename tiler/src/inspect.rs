//! `lbm-tiler inspect`: metadata and per-zoom tile counts and sizes of an MBTiles file.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::mbtiles::{read_metadata, zoom_stats, ZoomStats};

/// What `inspect` found in a file.
#[derive(Clone, Debug)]
pub struct Inspection {
    /// The file.
    pub path: PathBuf,
    /// Metadata rows in file order.
    pub metadata: Vec<(String, String)>,
    /// Tiles per zoom.
    pub zooms: Vec<ZoomStats>,
}

/// Reads metadata and tile statistics of an MBTiles file.
pub fn inspect(path: &Path) -> Result<Inspection> {
    Ok(Inspection {
        path: path.to_path_buf(),
        metadata: read_metadata(path)?,
        zooms: zoom_stats(path)?,
    })
}

impl fmt::Display for Inspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.path.display())?;
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

//! `lbm-tiler inspect`: metadata and per-zoom tile counts and sizes of an MBTiles file or a
//! PMTiles archive.

use std::fmt;
use std::path::{Path, PathBuf};

use lbm_formats::pmtiles::{Archive, Header};
use lbm_formats::{mbtiles, ZoomStats};

use crate::error::{Result, TilerError};

/// What `inspect` found in a file.
#[derive(Clone, Debug)]
pub struct Inspection {
    /// The file.
    pub path: PathBuf,
    /// Metadata rows in file order (of a PMTiles archive: its JSON metadata mapped back to
    /// rows by [`lbm_formats::pmtiles::metadata_rows`]).
    pub metadata: Vec<(String, String)>,
    /// Tiles per zoom.
    pub zooms: Vec<ZoomStats>,
    /// The header, when the file is a PMTiles archive.
    pub pmtiles: Option<ArchiveHeader>,
}

/// What the header of a PMTiles archive says.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchiveHeader {
    /// Spec version (3).
    pub version: u8,
    /// Tile type, compression of tiles and of directories (as the `pmtiles` crate names them).
    pub types: [String; 3],
    /// Tile data in tile-id order.
    pub clustered: bool,
    /// Zoom range.
    pub zooms: (u8, u8),
    /// `[w, s, e, n]`.
    pub bounds: [f64; 4],
    /// `[lon, lat, zoom]`.
    pub center: [f64; 3],
    /// Addressed tiles, tile entries, distinct tile contents.
    pub counts: [u64; 3],
}

impl From<&Header> for ArchiveHeader {
    fn from(h: &Header) -> Self {
        let count = |n: Option<std::num::NonZeroU64>| n.map_or(0, |n| n.get());
        ArchiveHeader {
            version: h.spec_version(),
            types: [
                format!("{:?}", h.tile_type),
                format!("{:?}", h.tile_compression),
                format!("{:?}", h.internal_compression()),
            ],
            clustered: h.clustered(),
            zooms: (h.min_zoom, h.max_zoom),
            bounds: [
                h.min_longitude,
                h.min_latitude,
                h.max_longitude,
                h.max_latitude,
            ],
            center: [
                h.center_longitude,
                h.center_latitude,
                f64::from(h.center_zoom),
            ],
            counts: [
                count(h.n_addressed_tiles()),
                count(h.n_tile_entries()),
                count(h.n_tile_contents()),
            ],
        }
    }
}

/// Reads metadata and tile statistics of an MBTiles file or (recognised by its magic bytes) a
/// PMTiles archive.
pub fn inspect(path: &Path) -> Result<Inspection> {
    if !path.is_file() {
        return Err(TilerError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    if Archive::is_archive(path) {
        let a = Archive::open(path).map_err(|e| TilerError::pmtiles(path, e))?;
        let pm = |e| TilerError::pmtiles(path, e);
        return Ok(Inspection {
            path: path.to_path_buf(),
            metadata: a.metadata_rows().map_err(pm)?,
            zooms: a.zoom_stats().map_err(pm)?,
            pmtiles: Some(ArchiveHeader::from(a.header())),
        });
    }
    let sqlite = |e| TilerError::sqlite(path, e);
    let conn = mbtiles::open(path).map_err(sqlite)?;
    Ok(Inspection {
        path: path.to_path_buf(),
        metadata: mbtiles::metadata(&conn).map_err(sqlite)?,
        zooms: mbtiles::zoom_stats(&conn).map_err(sqlite)?,
        pmtiles: None,
    })
}

impl fmt::Display for Inspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.path.display())?;
        if let Some(h) = &self.pmtiles {
            let [tile_type, tiles, dirs] = &h.types;
            let clustered = if h.clustered {
                "clustered"
            } else {
                "not clustered"
            };
            writeln!(
                f,
                "  PMTiles v{}, tile type {tile_type}, tiles {tiles}, directories {dirs}, {clustered}",
                h.version
            )?;
            let [w, s, e, n] = h.bounds;
            let [lon, lat, z] = h.center;
            writeln!(
                f,
                "  header zooms {}..{}, bounds {w:.6},{s:.6},{e:.6},{n:.6}, center {lon:.6},{lat:.6},{z}",
                h.zooms.0, h.zooms.1
            )?;
            let [addressed, entries, contents] = h.counts;
            writeln!(
                f,
                "  {addressed} addressed tiles, {entries} entries, {contents} contents"
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

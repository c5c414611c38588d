//! Publishing one tileset: its MBTiles, PMTiles or both (written by `lbm-formats`), with the same
//! tiles and metadata, and the `lbm_tiles_hash` digest of those tiles.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lbm_formats::mbtiles::MbtilesWriter;
use lbm_formats::pmtiles::{self, PmtilesWriter};
use lbm_formats::TileCoord;

use crate::error::{Result, TilerError};

pub use lbm_formats::ZoomStats;

mod existing;
pub use existing::{remove_stale, unchanged};

/// Which files a build writes per tileset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum OutputFormat {
    /// `{tileset}.mbtiles` (MBTiles 1.3, SQLite).
    #[default]
    Mbtiles,
    /// `{tileset}.pmtiles` (PMTiles v3, one file for HTTP range requests).
    Pmtiles,
    /// Both, with identical tiles and metadata.
    Both,
}

impl OutputFormat {
    /// Whether the MBTiles file is written.
    pub fn mbtiles(self) -> bool {
        matches!(self, OutputFormat::Mbtiles | OutputFormat::Both)
    }

    /// Whether the PMTiles archive is written.
    pub fn pmtiles(self) -> bool {
        matches!(self, OutputFormat::Pmtiles | OutputFormat::Both)
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OutputFormat::Mbtiles => "mbtiles",
            OutputFormat::Pmtiles => "pmtiles",
            OutputFormat::Both => "both",
        })
    }
}

impl FromStr for OutputFormat {
    type Err = TilerError;

    /// `mbtiles`, `pmtiles` or `both` (any case).
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mbtiles" => Ok(OutputFormat::Mbtiles),
            "pmtiles" => Ok(OutputFormat::Pmtiles),
            "both" => Ok(OutputFormat::Both),
            _ => Err(TilerError::InvalidOption {
                option: "--format",
                message: format!("{s:?}; expected mbtiles, pmtiles or both"),
            }),
        }
    }
}

/// The order-independent digest of a tileset's tiles, written as the `lbm_tiles_hash` row.
///
/// The wrapping sum (mod 2^128) over the tiles of XXH3-128 (seed 0) of `z` (1 byte), `x`, `y`
/// (u32 little-endian, XYZ numbering), the length (u64 little-endian) and the stored
/// (gzip-compressed) bytes of each tile. A sum does not depend on the order in which the
/// workers deliver the tiles; any changed, added or removed tile changes it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TilesHash(u128);

impl TilesHash {
    /// Adds one tile.
    pub fn add(&mut self, z: u8, x: u32, y: u32, data: &[u8]) {
        let mut h = twox_hash::XxHash3_128::new();
        h.write(&[z]);
        h.write(&x.to_le_bytes());
        h.write(&y.to_le_bytes());
        h.write(&(data.len() as u64).to_le_bytes());
        h.write(data);
        self.0 = self.0.wrapping_add(h.finish_128());
    }

    /// The sum.
    pub fn value(self) -> u128 {
        self.0
    }
}

impl fmt::Display for TilesHash {
    /// 32 lower-case hex digits, most significant first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

/// A file written for a tileset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

impl OutputFile {
    /// Whether this is a PMTiles archive (by its extension).
    pub fn is_pmtiles(&self) -> bool {
        self.path
            .extension()
            .is_some_and(|e| e == pmtiles::EXTENSION)
    }
}

/// Writes the files of one tileset in the chosen format(s) and hashes its tiles.
pub struct TilesetWriter {
    mbtiles: Option<MbtilesWriter>,
    pmtiles: Option<PmtilesWriter>,
    hash: TilesHash,
    tiles: u64,
}

impl TilesetWriter {
    /// Starts `DIR/{name}.mbtiles` and/or `DIR/{name}.pmtiles` (under temporary names).
    pub fn create(dir: &Path, name: &str, format: OutputFormat) -> Result<Self> {
        let mbtiles = format
            .mbtiles()
            .then(|| MbtilesWriter::create(&dir.join(format!("{name}.mbtiles"))))
            .transpose()?;
        let pmtiles = format
            .pmtiles()
            .then(|| PmtilesWriter::create(&dir.join(format!("{name}.{}", pmtiles::EXTENSION))))
            .transpose()?;
        Ok(TilesetWriter {
            mbtiles,
            pmtiles,
            hash: TilesHash::default(),
            tiles: 0,
        })
    }

    /// Adds a gzip-compressed tile in XYZ numbering to every file.
    pub fn add_tile(&mut self, z: u8, x: u32, y: u32, data: &[u8]) -> Result<()> {
        let c = TileCoord::new(z, x, y).ok_or_else(|| TilerError::Encode {
            z,
            x,
            y,
            message: "not a tile of its zoom".into(),
        })?;
        if let Some(w) = &mut self.mbtiles {
            w.insert_tile(c, data)?;
        }
        if let Some(w) = &mut self.pmtiles {
            w.add_tile(c, data)?;
        }
        self.hash.add(z, x, y, data);
        self.tiles += 1;
        Ok(())
    }

    /// Number of tiles added.
    pub fn tile_count(&self) -> u64 {
        self.tiles
    }

    /// The digest of the tiles added so far.
    pub fn tiles_hash(&self) -> TilesHash {
        self.hash
    }

    /// Writes `metadata` into every file and moves them into place.
    ///
    /// Every file is completed and synced before the first replaces a previous one, so a failure
    /// while completing one leaves all previous files of the tileset in place.
    pub fn finish(self, metadata: &[(String, String)]) -> Result<Vec<OutputFile>> {
        let mut pending = Vec::with_capacity(2);
        if let Some(w) = self.mbtiles {
            pending.push(w.seal(metadata)?);
        }
        if let Some(w) = self.pmtiles {
            pending.push(w.seal(metadata)?);
        }
        pending
            .into_iter()
            .map(|p| {
                let path = p.commit()?;
                let bytes = std::fs::metadata(&path)
                    .map_err(|e| TilerError::io(&path, e))?
                    .len();
                Ok(OutputFile { path, bytes })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_print() {
        for f in [
            OutputFormat::Mbtiles,
            OutputFormat::Pmtiles,
            OutputFormat::Both,
        ] {
            assert_eq!(f.to_string().parse::<OutputFormat>().unwrap(), f);
        }
        assert_eq!(
            "PMTiles".parse::<OutputFormat>().unwrap(),
            OutputFormat::Pmtiles
        );
        assert_eq!(OutputFormat::default(), OutputFormat::Mbtiles);
        let e = "mvt".parse::<OutputFormat>().unwrap_err().to_string();
        assert!(
            e.contains("--format") && e.contains("mbtiles, pmtiles or both"),
            "{e}"
        );
        assert!(OutputFormat::Both.mbtiles() && OutputFormat::Both.pmtiles());
        assert!(!OutputFormat::Mbtiles.pmtiles() && !OutputFormat::Pmtiles.mbtiles());
    }

    fn hash(tiles: &[(u8, u32, u32, &[u8])]) -> TilesHash {
        let mut h = TilesHash::default();
        for &(z, x, y, d) in tiles {
            h.add(z, x, y, d);
        }
        h
    }

    #[test]
    fn tiles_hash_is_order_independent_and_sensitive() {
        let a: &[(u8, u32, u32, &[u8])] =
            &[(5, 16, 10, b"abc"), (6, 33, 21, b"def"), (0, 0, 0, b"")];
        let base = hash(a);
        assert_eq!(base.to_string().len(), 32);
        let mut reversed = a.to_vec();
        reversed.reverse();
        assert_eq!(hash(&reversed), base, "order of delivery does not matter");
        // Any changed byte, address, or a tile more or less changes it.
        for changed in [
            vec![(5, 16, 10, &b"abd"[..]), a[1], a[2]],
            vec![(5, 16, 11, &b"abc"[..]), a[1], a[2]],
            vec![(5, 17, 10, &b"abc"[..]), a[1], a[2]],
            vec![(6, 16, 10, &b"abc"[..]), a[1], a[2]],
            vec![a[0], a[1]],
            vec![a[0], a[1], a[2], (7, 1, 1, &b"x"[..])],
            // The same bytes split differently between two tiles.
            vec![(5, 16, 10, &b"abcd"[..]), (6, 33, 21, &b"ef"[..]), a[2]],
        ] {
            assert_ne!(hash(&changed), base, "{changed:?}");
        }
        // The definition: XXH3-128 of z, x, y, len, data, summed.
        let one = |z: u8, x: u32, y: u32, d: &[u8]| {
            let mut buf = vec![z];
            buf.extend_from_slice(&x.to_le_bytes());
            buf.extend_from_slice(&y.to_le_bytes());
            buf.extend_from_slice(&(d.len() as u64).to_le_bytes());
            buf.extend_from_slice(d);
            twox_hash::XxHash3_128::oneshot(&buf)
        };
        let sum = a
            .iter()
            .fold(0u128, |s, &(z, x, y, d)| s.wrapping_add(one(z, x, y, d)));
        assert_eq!(base.value(), sum);
        assert_eq!(TilesHash::default().to_string(), "0".repeat(32));
    }
}

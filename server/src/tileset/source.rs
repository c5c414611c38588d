//! One opened tileset, from an MBTiles file or a PMTiles archive: validated metadata, a
//! content version and the tile reads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::http::HeaderValue;
use sha2::{Digest, Sha256};

use lbm_formats::TileCoord;

use super::info::TilesetInfo;
use super::{MbtilesSource, PmtilesSource, TileSource};
use crate::error::TilesetError;

/// Every opened tileset gets a new generation, so cached tiles of a replaced file are never
/// served for its successor.
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

/// A stored tile as served: the bytes (gzip when `gzip`), and the strong ETags of its two
/// representations, made once when the tile is read so that serving it from the cache builds
/// no header.
#[derive(Debug, Clone)]
pub struct Tile {
    /// Stored bytes.
    pub data: Bytes,
    /// Whether `data` is gzip-compressed (MBTiles of this project always are).
    pub gzip: bool,
    /// `"{hash}"` (32 hex digits of the xxh3-128 of `data`): the ETag of the stored bytes as
    /// they are. A content hash, so a tile that a rebuild left unchanged keeps its ETag.
    pub etag: HeaderValue,
    /// `"{hash}-identity"`: the ETag of the decompressed bytes of a gzip tile (another
    /// representation, so another strong ETag).
    pub etag_identity: HeaderValue,
}

impl Tile {
    /// Wraps stored bytes, detecting gzip by its magic number and hashing them.
    pub fn from_stored(data: impl Into<Bytes>) -> Self {
        let data: Bytes = data.into();
        let gzip = data.starts_with(&[0x1f, 0x8b]);
        let hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&data));
        // Hex digits and quotes are always a valid header value.
        let etag = HeaderValue::try_from(format!("\"{hash}\"")).expect("hex ETag");
        let etag_identity =
            HeaderValue::try_from(format!("\"{hash}-identity\"")).expect("hex ETag");
        Self {
            data,
            gzip,
            etag,
            etag_identity,
        }
    }
}

/// The file formats a tileset can be opened from, by extension.
pub const TILESET_EXTENSIONS: [&str; 2] = ["mbtiles", "pmtiles"];

/// An open, validated tileset.
#[derive(Debug)]
pub struct Tileset {
    /// Parsed metadata.
    pub info: TilesetInfo,
    /// The file it was opened from.
    pub path: PathBuf,
    /// Unique per open; part of the tile cache key.
    pub generation: u64,
    source: Box<dyn TileSource>,
}

/// The content version of a tileset (16 hex digits), part of its immutable tile URLs: the
/// same for the same tiles and metadata on every replica, different after any change.
///
/// It is a digest of the metadata rows, which name the digest of
/// all tiles (`lbm_tiles_hash`) in files of this project. Files without that row add their
/// size and modification time, so a rebuilt file still gets a new version.
fn content_version(rows: &HashMap<String, String>, path: &Path) -> String {
    let mut sorted: Vec<(&String, &String)> = rows.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    for (k, v) in sorted {
        hasher.update(k.as_bytes());
        hasher.update([0]);
        hasher.update(v.as_bytes());
        hasher.update([0]);
    }
    if !rows.contains_key("lbm_tiles_hash") {
        if let Ok(meta) = std::fs::metadata(path) {
            hasher.update(meta.len().to_le_bytes());
            let modified = meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            hasher.update(modified.to_le_bytes());
        }
    }
    hex::encode(&hasher.finalize()[..8])
}

impl Tileset {
    /// Opens and validates `path` (blocking: call from `spawn_blocking`). The id is the stem;
    /// `.pmtiles` files are PMTiles archives, anything else MBTiles.
    pub fn open(path: &Path, pool_size: usize) -> Result<Self, TilesetError> {
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| TilesetError::Invalid("file name is not UTF-8".into()))?
            .to_string();
        let is_pmtiles = path.extension().and_then(|e| e.to_str()) == Some("pmtiles");
        let opened = if is_pmtiles {
            PmtilesSource::open(path)?
        } else {
            MbtilesSource::open(path, pool_size)?
        };
        let mut info = TilesetInfo::from_metadata(&id, &opened.rows, opened.zooms)?;
        info.content_version = content_version(&opened.rows, path);
        Ok(Self {
            info,
            path: path.to_path_buf(),
            generation: NEXT_GENERATION.fetch_add(1, Ordering::Relaxed),
            source: opened.source,
        })
    }

    /// Whether `other` holds the same tileset (the same content version: metadata and, for
    /// files of this tiler, the tiles digest), e.g. the MBTiles file and archive of one build.
    pub fn same_content(&self, other: &Tileset) -> bool {
        self.info.content_version == other.info.content_version
    }

    /// Whether the tiles come from a PMTiles archive.
    pub fn is_pmtiles(&self) -> bool {
        self.source.format() == "pmtiles"
    }

    /// Reads tile `coord`; `None` when the tileset has no tile there (or an empty one).
    pub async fn read_tile(&self, coord: TileCoord) -> Result<Option<Tile>, TilesetError> {
        let data = self.source.read_tile(coord).await?;
        Ok(data.filter(|d| !d.is_empty()).map(Tile::from_stored))
    }
}

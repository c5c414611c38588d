//! One opened tileset, from an MBTiles file or a PMTiles archive: validated metadata, a
//! content version and the tile reads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::archive::Archive;
use super::info::TilesetInfo;
use super::pool::ReadOnlyPool;
use crate::error::TilesetError;

/// Every opened tileset gets a new generation, so cached tiles of a replaced file are never
/// served for its successor.
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

/// A stored tile as served: the bytes (gzip when `gzip`), and a strong ETag of those bytes.
#[derive(Debug, Clone)]
pub struct Tile {
    /// Stored bytes.
    pub data: Bytes,
    /// Whether `data` is gzip-compressed (MBTiles of this project always are).
    pub gzip: bool,
    /// Hex digest of `data` (without quotes).
    pub hash: Arc<str>,
}

impl Tile {
    /// Wraps stored bytes, detecting gzip by its magic number and hashing them.
    pub fn from_stored(data: impl Into<Bytes>) -> Self {
        let data: Bytes = data.into();
        let gzip = data.starts_with(&[0x1f, 0x8b]);
        let digest = Sha256::digest(&data);
        let hash: Arc<str> = hex::encode(&digest[..16]).into();
        Self { data, gzip, hash }
    }
}

/// Where a tileset's tiles are read from.
#[derive(Debug)]
enum Source {
    Mbtiles(Arc<ReadOnlyPool>),
    Pmtiles(Arc<Archive>),
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
    source: Source,
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

fn table_exists(conn: &Connection, name: &str) -> Result<bool, TilesetError> {
    let found: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_master WHERE name = ?1 AND type IN ('table', 'view')",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.is_some())
}

fn read_metadata(conn: &Connection) -> Result<HashMap<String, String>, TilesetError> {
    let mut stmt = conn.prepare("SELECT name, value FROM metadata")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
        ))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        if let (Some(k), Some(v)) = row? {
            out.insert(k, v);
        }
    }
    Ok(out)
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
        let (rows, zoom_range, source) = if is_pmtiles {
            Self::open_pmtiles(path)?
        } else {
            Self::open_mbtiles(path, pool_size)?
        };
        let mut info = TilesetInfo::from_metadata(&id, &rows, zoom_range)?;
        info.content_version = content_version(&rows, path);
        Ok(Self {
            info,
            path: path.to_path_buf(),
            generation: NEXT_GENERATION.fetch_add(1, Ordering::Relaxed),
            source,
        })
    }

    /// The metadata rows of a PMTiles archive (its JSON mapped back to MBTiles rows as
    /// `docs/tileset-format.md` specifies) and its header's zoom range.
    #[allow(clippy::type_complexity)]
    fn open_pmtiles(
        path: &Path,
    ) -> Result<(HashMap<String, String>, Option<(u8, u8)>, Source), TilesetError> {
        let archive = Archive::open(path)?;
        let json = archive.metadata()?;
        let rows: HashMap<String, String> = lbm_tileset::pmtiles_json::metadata_rows(&json)
            .map_err(|e| TilesetError::Invalid(format!("PMTiles metadata: {e}")))?
            .into_iter()
            .collect();
        let header = archive.header();
        let zooms = Some((header.min_zoom, header.max_zoom));
        Ok((rows, zooms, Source::Pmtiles(Arc::new(archive))))
    }

    /// The metadata rows of an MBTiles file, with the zoom range of its tiles when the rows
    /// don't name it.
    #[allow(clippy::type_complexity)]
    fn open_mbtiles(
        path: &Path,
        pool_size: usize,
    ) -> Result<(HashMap<String, String>, Option<(u8, u8)>, Source), TilesetError> {
        let pool = ReadOnlyPool::open(path, pool_size)?;
        let (rows, zooms) = pool.with_conn_blocking(|conn| {
            for table in ["metadata", "tiles"] {
                if !table_exists(conn, table)? {
                    return Err(TilesetError::Invalid(format!("no {table} table")));
                }
            }
            // Checks the columns the tile query needs.
            conn.prepare(
                "SELECT tile_data FROM tiles WHERE zoom_level = 0 AND tile_column = 0 AND tile_row = 0",
            )?;
            let rows = read_metadata(conn)?;
            let zoom_range = if rows.contains_key("minzoom") && rows.contains_key("maxzoom") {
                None
            } else {
                conn.query_row("SELECT min(zoom_level), max(zoom_level) FROM tiles", [], |r| {
                    Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?))
                })
                .ok()
                .and_then(|(a, b)| Some((u8::try_from(a?).ok()?, u8::try_from(b?).ok()?)))
            };
            Ok((rows, zoom_range))
        })?;
        Ok((rows, zooms, Source::Mbtiles(Arc::new(pool))))
    }

    /// Whether the tiles come from a PMTiles archive.
    pub fn is_pmtiles(&self) -> bool {
        matches!(self.source, Source::Pmtiles(_))
    }

    /// Reads the XYZ tile `z/x/y`; `None` when the tileset has no tile there (or an empty one).
    pub async fn read_tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Tile>, TilesetError> {
        let pool = match &self.source {
            Source::Mbtiles(pool) => pool,
            Source::Pmtiles(archive) => {
                let archive = Arc::clone(archive);
                let data = tokio::task::spawn_blocking(move || archive.read_tile(z, x, y))
                    .await
                    .map_err(|e| TilesetError::Task(e.to_string()))??;
                return Ok(data.filter(|d| !d.is_empty()).map(Tile::from_stored));
            }
        };
        let tms_y = (1u64 << z) - 1 - u64::from(y);
        pool.with_conn(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT tile_data FROM tiles \
                     WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
            )?;
            let data: Option<Option<Vec<u8>>> = stmt
                .query_row(rusqlite::params![z, x, tms_y as i64], |r| r.get(0))
                .optional()?;
            Ok(data
                .flatten()
                .filter(|d| !d.is_empty())
                .map(Tile::from_stored))
        })
        .await
    }
}

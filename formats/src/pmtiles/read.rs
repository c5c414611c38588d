//! Reading a PMTiles v3 archive with the `pmtiles` crate, over positioned reads: the one PMTiles
//! reader of the project, used by the server, `lbm-tiler inspect` and the tests.
//!
//! The crate parses the header and directories; its memory-mapped backend is not used because a
//! file truncated in place under a mapping kills the process with SIGBUS, and the server must
//! survive whatever happens in its tiles folder. Positioned reads of a file handle opened once
//! keep serving the old file after a rename, like the server's SQLite connections.
//!
//! The reads are plain blocking `pread`s, so the reader's futures are always ready: they are
//! driven with [`pollster::block_on`] (on the server, right on its async worker: a tile from the
//! page cache takes microseconds, like an MBTiles read).

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use pmtiles::{
    AsyncBackend, AsyncPmTilesReader, BackendResponse, Compression, HashMapCache, PmtError,
    PmtResult, TileType,
};

use crate::tile::{TileCoord, ZoomStats};

pub use pmtiles::Header;

/// Why an archive cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The file cannot be opened.
    #[error("cannot open: {0}")]
    Open(#[from] std::io::Error),
    /// Not a PMTiles v3 archive, or a broken one.
    #[error("PMTiles: {0}")]
    Pmtiles(#[from] PmtError),
    /// A valid archive of something other than gzip or uncompressed vector tiles.
    #[error("{0}")]
    Unsupported(String),
}

/// Reads byte ranges of one open file (blocking; see the module docs).
#[derive(Debug, Clone)]
struct FileBackend {
    file: Arc<File>,
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// Reads up to `length` bytes at `offset` (fewer only at the end of the file) into a buffer
/// of the pool ([`super::buffers`]).
fn read_range(file: &File, offset: u64, length: usize) -> std::io::Result<Bytes> {
    super::buffers::filled_with(length, |buf| {
        let mut filled = 0;
        while filled < buf.len() {
            match read_at(file, &mut buf[filled..], offset + filled as u64) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(filled)
    })
}

impl AsyncBackend for FileBackend {
    async fn read(&self, offset: u64, length: usize) -> PmtResult<BackendResponse> {
        Ok(BackendResponse::new(read_range(
            &self.file, offset, length,
        )?))
    }
}

/// An open PMTiles archive of vector tiles.
pub struct Archive {
    reader: Arc<AsyncPmTilesReader<FileBackend, HashMapCache>>,
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive")
            .field("header", self.reader.get_header())
            .finish()
    }
}

impl Archive {
    /// Opens and checks `path` (blocking): a PMTiles v3 archive of MVT tiles, gzip or
    /// uncompressed.
    pub fn open(path: &Path) -> Result<Self, ArchiveError> {
        let backend = FileBackend {
            file: Arc::new(File::open(path)?),
        };
        let reader = pollster::block_on(AsyncPmTilesReader::try_from_cached_source(
            backend,
            HashMapCache::default(),
        ))?;
        let header = reader.get_header();
        if header.tile_type != TileType::Mvt {
            return Err(ArchiveError::Unsupported(format!(
                "PMTiles tile type is {:?}, not MVT vector tiles",
                header.tile_type
            )));
        }
        if !matches!(
            header.tile_compression,
            Compression::Gzip | Compression::None
        ) {
            // Browsers decode gzip themselves; other codecs would need recompressing per request.
            return Err(ArchiveError::Unsupported(format!(
                "PMTiles tile compression {:?} is not supported (gzip or none)",
                header.tile_compression
            )));
        }
        Ok(Self {
            reader: Arc::new(reader),
        })
    }

    /// Whether `path` starts like a PMTiles v3 archive (its magic and version).
    pub fn is_archive(path: &Path) -> bool {
        File::open(path)
            .and_then(|f| read_range(&f, 0, 8))
            .is_ok_and(|b| b.starts_with(b"PMTiles\x03"))
    }

    /// The archive's header.
    pub fn header(&self) -> &Header {
        self.reader.get_header()
    }

    /// The metadata JSON text (blocking).
    pub fn metadata_json(&self) -> Result<String, ArchiveError> {
        Ok(pollster::block_on(self.reader.get_metadata())?)
    }

    /// The metadata as MBTiles rows ([`super::metadata_rows`]).
    pub fn metadata_rows(&self) -> Result<Vec<(String, String)>, ArchiveError> {
        super::metadata_rows(&self.metadata_json()?)
            .map_err(|e| ArchiveError::Unsupported(format!("PMTiles metadata: {e}")))
    }

    /// The stored bytes of tile `c`, if the archive has it (blocking).
    pub fn tile(&self, c: TileCoord) -> Result<Option<Bytes>, ArchiveError> {
        Ok(pollster::block_on(self.reader.get_tile(super::coord(c)?))?)
    }

    /// Every addressed tile, in tile-id order, with the length of its stored bytes (tiles of one
    /// run share them), read through the directories (blocking).
    pub fn tiles(&self) -> Result<Vec<(TileCoord, usize)>, ArchiveError> {
        pollster::block_on(async {
            let mut out = Vec::new();
            let mut entries = Arc::clone(&self.reader).entries();
            while let Some(entry) = entries.next().await {
                let entry = entry?;
                let mut len = None;
                for c in entry.iter_coords() {
                    let n = match len {
                        Some(n) => n,
                        None => {
                            let n = self.reader.get_tile(c).await?.map_or(0, |b| b.len());
                            *len.insert(n)
                        }
                    };
                    out.push((super::from_coord(c.into()), n));
                }
            }
            Ok(out)
        })
    }

    /// Tile counts and sizes per zoom, counted like an MBTiles file's rows (each addressed tile
    /// with its bytes).
    pub fn zoom_stats(&self) -> Result<Vec<ZoomStats>, ArchiveError> {
        let mut out: Vec<ZoomStats> = Vec::new();
        for (TileCoord { z, .. }, n) in self.tiles()? {
            ZoomStats::tally(&mut out, z, n as u64);
        }
        out.sort_by_key(|s| s.zoom);
        Ok(out)
    }
}

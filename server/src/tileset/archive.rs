//! PMTiles v3 archives as a tile source, read with positioned reads.
//!
//! The `pmtiles` crate parses the header and directories; its memory-mapped backend is not
//! used because a file truncated in place under a mapping kills the process with SIGBUS,
//! and the server must survive whatever happens in its tiles folder. Positioned reads of a
//! file handle opened once keep serving the old file after a rename, like the SQLite pool.
//!
//! The reads are plain blocking `pread`s, so the reader's futures are always ready: callers
//! drive them with [`pollster::block_on`] on the blocking thread pool, as SQLite reads are.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use pmtiles::{
    AsyncBackend, AsyncPmTilesReader, BackendResponse, Compression, HashMapCache, PmtError,
    PmtResult, TileCoord, TileType,
};

use crate::error::TilesetError;

/// Reads byte ranges of one open file (blocking; see the module docs).
#[derive(Debug, Clone)]
pub struct FileBackend {
    file: Arc<File>,
}

impl FileBackend {
    /// Opens `path` for reading.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        Ok(Self {
            file: Arc::new(File::open(path)?),
        })
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// Reads up to `length` bytes at `offset`; fewer only at the end of the file.
fn read_range(file: &File, offset: u64, length: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0; length];
    let mut filled = 0;
    while filled < length {
        match read_at(file, &mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

impl AsyncBackend for FileBackend {
    async fn read(&self, offset: u64, length: usize) -> PmtResult<BackendResponse> {
        let bytes = read_range(&self.file, offset, length)?;
        Ok(BackendResponse::new(Bytes::from(bytes)))
    }
}

/// An open PMTiles archive of vector tiles.
pub struct Archive {
    reader: AsyncPmTilesReader<FileBackend, HashMapCache>,
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive")
            .field("header", self.reader.get_header())
            .finish()
    }
}

fn invalid(e: PmtError) -> TilesetError {
    TilesetError::Invalid(format!("PMTiles: {e}"))
}

impl Archive {
    /// Opens and checks `path` (blocking): a PMTiles v3 archive of MVT tiles, gzip or
    /// uncompressed.
    pub fn open(path: &Path) -> Result<Self, TilesetError> {
        pollster::block_on(Self::open_async(path))
    }

    async fn open_async(path: &Path) -> Result<Self, TilesetError> {
        let backend = FileBackend::open(path)
            .map_err(|e| TilesetError::Invalid(format!("cannot open: {e}")))?;
        let reader = AsyncPmTilesReader::try_from_cached_source(backend, HashMapCache::default())
            .await
            .map_err(invalid)?;
        let header = reader.get_header();
        if header.tile_type != TileType::Mvt {
            return Err(TilesetError::Invalid(format!(
                "PMTiles tile type is {:?}, not MVT vector tiles",
                header.tile_type
            )));
        }
        if !matches!(
            header.tile_compression,
            Compression::Gzip | Compression::None
        ) {
            // Browsers decode gzip themselves; other codecs would need recompressing per request.
            return Err(TilesetError::Invalid(format!(
                "PMTiles tile compression {:?} is not supported (gzip or none)",
                header.tile_compression
            )));
        }
        Ok(Self { reader })
    }

    /// The archive's header.
    pub fn header(&self) -> &pmtiles::Header {
        self.reader.get_header()
    }

    /// The metadata JSON text (blocking).
    pub fn metadata(&self) -> Result<String, TilesetError> {
        pollster::block_on(self.reader.get_metadata()).map_err(invalid)
    }

    /// The stored bytes of XYZ tile `z/x/y`, if the archive has it (blocking).
    pub fn read_tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Bytes>, TilesetError> {
        let coord = TileCoord::new(z, x, y).map_err(invalid)?;
        pollster::block_on(self.reader.get_tile(coord)).map_err(invalid)
    }
}

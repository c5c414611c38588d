//! PMTiles v3 archives: the writer of the build, the mapping between MBTiles metadata rows and
//! the archive's JSON metadata, and a small synchronous reader for `inspect` and the tests.
//!
//! The writer takes tiles in any order (rayon workers finish them in no particular order) but
//! writes a *clustered* archive, tile data in tile-id order, which is what range readers (a
//! browser over HTTP, a CDN) read fastest. To do that without holding a tileset in memory it
//! spills the tile bytes to an unnamed temporary file and keeps only `(tile id, offset, length)`
//! per tile; at the end it sorts those and copies the tiles into the archive.
//!
//! The format of the metadata is specified in `docs/tileset-format.md` ("PMTiles").

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use ::pmtiles::{Compression, PmTilesWriter, TileCoord, TileId, TileType, PYRAMID_SIZE_BY_ZOOM};

use crate::error::{Result, TilerError};
use crate::output::{PendingFile, ZoomStats};
use lbm_tileset::pmtiles_json::{metadata_json, metadata_rows};

/// File name extension of the archives (`{tileset}.pmtiles`).
pub const EXTENSION: &str = "pmtiles";

/// Where the bytes of one tile lie in the spill file.
#[derive(Clone, Copy, Debug)]
struct Spilled {
    id: u64,
    offset: u64,
    len: u32,
}

/// Writes one PMTiles v3 archive of gzip-compressed MVT tiles, atomically (see
/// [`PendingFile`]).
///
/// Tiles may be added in any order; memory use is 24 bytes per tile. The tile bytes are spilled
/// to an unnamed temporary file in the destination folder (on the same disk as the archive, and
/// nothing is left behind when the process is killed).
pub struct PmtilesWriter {
    // The open files come before `file`, whose drop deletes the temporary archive: they are
    // closed first (Windows cannot delete an open file).
    archive: File,
    spill: BufWriter<File>,
    spill_len: u64,
    tiles: Vec<Spilled>,
    file: PendingFile,
}

impl PmtilesWriter {
    /// Starts `dest`: creates its temporary file (so an unwritable folder fails before any tile
    /// is encoded) and the spill file.
    pub fn create(dest: &Path) -> Result<Self> {
        let file = PendingFile::new(dest)?;
        let archive = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(file.tmp())
            .map_err(|e| TilerError::io(file.tmp(), e))?;
        let dir = file.tmp().parent().unwrap_or(Path::new("."));
        let spill = tempfile::tempfile_in(dir).map_err(|e| {
            TilerError::pmtiles(
                dest,
                format!("creating a spill file in {}: {e}", dir.display()),
            )
        })?;
        Ok(PmtilesWriter {
            archive,
            spill: BufWriter::with_capacity(1 << 20, spill),
            spill_len: 0,
            tiles: Vec::new(),
            file,
        })
    }

    /// Adds a gzip-compressed MVT tile given in XYZ numbering.
    pub fn add_tile(&mut self, z: u8, x: u32, y: u32, data: &[u8]) -> Result<()> {
        let dest = self.file.dest();
        let coord = TileCoord::new(z, x, y).map_err(|e| TilerError::pmtiles(dest, e))?;
        let len = u32::try_from(data.len()).map_err(|_| {
            TilerError::pmtiles(dest, format!("tile {z}/{x}/{y} is larger than 4 GiB"))
        })?;
        self.spill
            .write_all(data)
            .map_err(|e| TilerError::pmtiles(dest, format!("writing to the spill file: {e}")))?;
        self.tiles.push(Spilled {
            id: TileId::from(coord).value(),
            offset: self.spill_len,
            len,
        });
        self.spill_len += u64::from(len);
        Ok(())
    }

    /// Number of tiles added so far.
    pub fn tile_count(&self) -> u64 {
        self.tiles.len() as u64
    }

    /// Writes the archive with `metadata` (see [`metadata_json`]) and moves it into place.
    pub fn finish(self, metadata: &[(String, String)]) -> Result<PathBuf> {
        self.seal(metadata)?.commit()
    }

    /// Writes the archive (tiles in tile-id order, then the directories), fsyncs it and leaves it
    /// under its temporary name; [`PendingFile::commit`] moves it into place.
    ///
    /// The header's zooms, bounds and center come from the `minzoom`, `maxzoom`, `bounds` and
    /// `center` rows (from the tiles and the whole world when a row is missing).
    pub fn seal(self, metadata: &[(String, String)]) -> Result<PendingFile> {
        let PmtilesWriter {
            mut archive,
            spill,
            mut tiles,
            file,
            ..
        } = self;
        let dest = file.dest().to_path_buf();
        let err = |m: String| TilerError::pmtiles(&dest, m);
        let spill = spill
            .into_inner()
            .map_err(|e| err(format!("writing to the spill file: {}", e.error())))?;
        tiles.sort_unstable_by_key(|t| t.id);
        if let Some(w) = tiles.windows(2).find(|w| w[0].id == w[1].id) {
            let c = coord_of(w[0].id);
            return Err(err(format!(
                "tile {}/{}/{} was added twice",
                c.z(),
                c.x(),
                c.y()
            )));
        }
        let h = HeaderFields::new(metadata, &tiles);
        let mut writer = PmTilesWriter::new(TileType::Mvt)
            // The tiles are gzip-compressed by the encoder already: stored as they are.
            .precompressed(Compression::Gzip)
            .internal_compression(Compression::Gzip)
            .min_zoom(h.min_zoom)
            .max_zoom(h.max_zoom)
            .bounds(h.bounds[0], h.bounds[1], h.bounds[2], h.bounds[3])
            .center(h.center[0], h.center[1])
            .center_zoom(h.center_zoom)
            .metadata(metadata_json(metadata))
            .create(&mut archive)
            .map_err(|e| err(e.to_string()))?;
        let mut buf = Vec::new();
        for t in &tiles {
            buf.resize(t.len as usize, 0);
            read_exact_at(&spill, &mut buf, t.offset)
                .map_err(|e| err(format!("reading back the spill file: {e}")))?;
            writer
                .add_tile(coord_of(t.id), &buf)
                .map_err(|e| err(e.to_string()))?;
        }
        writer.finalize().map_err(|e| err(e.to_string()))?;
        archive
            .sync_all()
            .map_err(|e| TilerError::io(file.tmp(), e))?;
        Ok(file)
    }
}

/// The coordinate of a tile id that came from a [`TileCoord`].
fn coord_of(id: u64) -> TileCoord {
    TileCoord::from(TileId::new(id).expect("made from a valid TileCoord"))
}

/// The header fields taken from the metadata rows.
struct HeaderFields {
    min_zoom: u8,
    max_zoom: u8,
    bounds: [f64; 4],
    center: [f64; 2],
    center_zoom: u8,
}

impl HeaderFields {
    /// From the rows; missing or unreadable rows fall back to the zooms of the tiles (sorted by
    /// id, so zoom-major), the whole Web Mercator world and its middle.
    fn new(rows: &[(String, String)], tiles: &[Spilled]) -> Self {
        let row = |name: &str| {
            rows.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let numbers = |name: &str| -> Vec<f64> {
            row(name)
                .map(|v| v.split(',').map_while(|p| p.trim().parse().ok()).collect())
                .unwrap_or_default()
        };
        let zoom_of_tiles = |t: Option<&Spilled>| t.map(|t| coord_of(t.id).z());
        let min_zoom = row("minzoom")
            .and_then(|v| v.trim().parse().ok())
            .or(zoom_of_tiles(tiles.first()))
            .unwrap_or(0);
        let max_zoom = row("maxzoom")
            .and_then(|v| v.trim().parse().ok())
            .or(zoom_of_tiles(tiles.last()))
            .unwrap_or(min_zoom);
        let bounds = match numbers("bounds")[..] {
            [w, s, e, n] => [w, s, e, n],
            _ => [-180.0, -85.051_129, 180.0, 85.051_129],
        };
        let (center, center_zoom) = match numbers("center")[..] {
            [lon, lat, z] => ([lon, lat], z as u8),
            [lon, lat] => ([lon, lat], min_zoom),
            _ => (
                [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0],
                min_zoom,
            ),
        };
        HeaderFields {
            min_zoom,
            max_zoom,
            bounds,
            center,
            center_zoom,
        }
    }
}

/// Reads exactly `buf.len()` bytes at `offset` without moving a shared file cursor.
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(not(unix))]
    {
        // Elsewhere through the cursor: callers of one `File` must not read concurrently.
        use std::io::{Seek, SeekFrom};
        let mut f = file;
        f.seek(SeekFrom::Start(offset))?;
        f.read_exact(buf)
    }
}

// ---------------------------------------------------------------------------------------------
// Reader

/// Length of the fixed PMTiles v3 header.
pub const HEADER_LEN: usize = 127;

/// The header of a PMTiles v3 archive.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// Spec version (3).
    pub spec_version: u8,
    /// Offset of the root directory.
    pub root_offset: u64,
    /// Length of the root directory.
    pub root_length: u64,
    /// Offset of the JSON metadata.
    pub metadata_offset: u64,
    /// Length of the JSON metadata (compressed).
    pub metadata_length: u64,
    /// Offset of the leaf directories.
    pub leaf_offset: u64,
    /// Length of the leaf directories.
    pub leaf_length: u64,
    /// Offset of the tile data.
    pub data_offset: u64,
    /// Length of the tile data.
    pub data_length: u64,
    /// Number of addressed tiles (0 = unknown).
    pub addressed_tiles: u64,
    /// Number of tile entries (0 = unknown).
    pub tile_entries: u64,
    /// Number of distinct tile contents (0 = unknown).
    pub tile_contents: u64,
    /// Whether the tile data is in tile-id order.
    pub clustered: bool,
    /// Compression of directories and metadata (see [`compression_name`]).
    pub internal_compression: u8,
    /// Compression of the tiles.
    pub tile_compression: u8,
    /// Tile type: 1 = MVT.
    pub tile_type: u8,
    /// Lowest zoom.
    pub min_zoom: u8,
    /// Highest zoom.
    pub max_zoom: u8,
    /// West, south, east, north in degrees.
    pub bounds: [f64; 4],
    /// Zoom of the center.
    pub center_zoom: u8,
    /// Longitude and latitude of the center.
    pub center: [f64; 2],
}

impl Header {
    /// Parses the first [`HEADER_LEN`] bytes of an archive; `None` when they are not a PMTiles
    /// v3 header.
    pub fn parse(b: &[u8]) -> Option<Self> {
        if b.len() < HEADER_LEN || &b[..7] != b"PMTiles" || b[7] != 3 {
            return None;
        }
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        let deg_at = |i: usize| {
            f64::from(i32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"))) / 1e7
        };
        Some(Header {
            spec_version: b[7],
            root_offset: u64_at(8),
            root_length: u64_at(16),
            metadata_offset: u64_at(24),
            metadata_length: u64_at(32),
            leaf_offset: u64_at(40),
            leaf_length: u64_at(48),
            data_offset: u64_at(56),
            data_length: u64_at(64),
            addressed_tiles: u64_at(72),
            tile_entries: u64_at(80),
            tile_contents: u64_at(88),
            clustered: b[96] == 1,
            internal_compression: b[97],
            tile_compression: b[98],
            tile_type: b[99],
            min_zoom: b[100],
            max_zoom: b[101],
            bounds: [deg_at(102), deg_at(106), deg_at(110), deg_at(114)],
            center_zoom: b[118],
            center: [deg_at(119), deg_at(123)],
        })
    }
}

/// The name of a PMTiles compression code.
pub fn compression_name(code: u8) -> &'static str {
    match code {
        1 => "none",
        2 => "gzip",
        3 => "brotli",
        4 => "zstd",
        _ => "unknown",
    }
}

/// One directory entry: `run_length` tiles from `tile_id` on share the `length` bytes at
/// `offset` of the tile data; `run_length` 0 is a leaf directory at `offset` of the leaf section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// First tile id.
    pub tile_id: u64,
    /// Offset in the tile data (or leaf directory section).
    pub offset: u64,
    /// Length in bytes.
    pub length: u32,
    /// Number of tiles (0 = leaf directory).
    pub run_length: u32,
}

/// Whether `path` starts with the PMTiles magic (`false` when it cannot be read).
pub fn is_pmtiles(path: &Path) -> bool {
    let mut magic = [0u8; 7];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| &magic == b"PMTiles")
}

/// A PMTiles v3 archive opened for reading (synchronous, for `inspect` and tests; the server
/// has its own reader).
#[derive(Debug)]
pub struct Archive {
    path: PathBuf,
    file: File,
    len: u64,
    header: Header,
}

impl Archive {
    /// Opens `path` and reads its header.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| TilerError::io(path, e))?;
        let len = file.metadata().map_err(|e| TilerError::io(path, e))?.len();
        let mut head = [0u8; HEADER_LEN];
        read_exact_at(&file, &mut head, 0)
            .ok()
            .filter(|()| len >= HEADER_LEN as u64)
            .ok_or_else(|| TilerError::pmtiles(path, "too short for a PMTiles header"))?;
        let header = Header::parse(&head).ok_or_else(|| {
            TilerError::pmtiles(path, "not a PMTiles v3 archive (bad magic or version)")
        })?;
        Ok(Archive {
            path: path.to_path_buf(),
            file,
            len,
            header,
        })
    }

    /// The archive's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// `length` bytes at `offset`, checked against the file size before allocating.
    fn read(&self, offset: u64, length: u64) -> Result<Vec<u8>> {
        if offset.checked_add(length).is_none_or(|end| end > self.len) {
            return Err(TilerError::pmtiles(
                &self.path,
                format!(
                    "section at {offset}+{length} lies beyond the end of the file ({} bytes)",
                    self.len
                ),
            ));
        }
        let mut buf = vec![0; length as usize];
        read_exact_at(&self.file, &mut buf, offset).map_err(|e| TilerError::io(&self.path, e))?;
        Ok(buf)
    }

    /// Undoes the internal compression (directories and metadata).
    fn decompress(&self, data: Vec<u8>) -> Result<Vec<u8>> {
        match self.header.internal_compression {
            1 => Ok(data),
            2 => {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&data[..])
                    .read_to_end(&mut out)
                    .map_err(|e| TilerError::pmtiles(&self.path, format!("gzip: {e}")))?;
                Ok(out)
            }
            c => Err(TilerError::pmtiles(
                &self.path,
                format!(
                    "internal compression {} is not supported by this reader",
                    compression_name(c)
                ),
            )),
        }
    }

    /// The metadata JSON text.
    pub fn metadata_json(&self) -> Result<String> {
        let h = &self.header;
        let raw = self.decompress(self.read(h.metadata_offset, h.metadata_length)?)?;
        String::from_utf8(raw)
            .map_err(|e| TilerError::pmtiles(&self.path, format!("metadata: {e}")))
    }

    /// The metadata as MBTiles rows ([`metadata_rows`]).
    pub fn metadata(&self) -> Result<Vec<(String, String)>> {
        metadata_rows(&self.metadata_json()?)
            .map_err(|e| TilerError::pmtiles(&self.path, format!("metadata: {e}")))
    }

    /// The directory at `offset` (absolute) of `length` bytes.
    fn directory(&self, offset: u64, length: u64) -> Result<Vec<Entry>> {
        let raw = self.decompress(self.read(offset, length)?)?;
        decode_directory(&raw).ok_or_else(|| {
            TilerError::pmtiles(&self.path, format!("malformed directory at {offset}"))
        })
    }

    /// The stored bytes of tile z/x/y (XYZ), still gzip-compressed; `None` when absent.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>> {
        let Ok(coord) = TileCoord::new(z, x, y) else {
            return Ok(None);
        };
        let id = TileId::from(coord).value();
        let h = &self.header;
        let (mut offset, mut length) = (h.root_offset, h.root_length);
        // The root and at most a few levels of leaves; the bound stops a cyclic archive.
        for _ in 0..4 {
            let dir = self.directory(offset, length)?;
            let i = dir.partition_point(|e| e.tile_id <= id);
            let Some(e) = i.checked_sub(1).map(|i| dir[i]) else {
                return Ok(None);
            };
            if e.run_length > 0 {
                return if id < e.tile_id + u64::from(e.run_length) {
                    self.read(h.data_offset + e.offset, u64::from(e.length))
                        .map(Some)
                } else {
                    Ok(None)
                };
            }
            (offset, length) = (h.leaf_offset + e.offset, u64::from(e.length));
        }
        Err(TilerError::pmtiles(
            &self.path,
            "directories nested too deeply",
        ))
    }

    /// Every tile entry of the archive (leaf directories resolved), in directory order.
    pub fn tile_entries(&self) -> Result<Vec<Entry>> {
        let h = &self.header;
        let mut out = Vec::new();
        self.collect(h.root_offset, h.root_length, 0, &mut out)?;
        Ok(out)
    }

    fn collect(&self, offset: u64, length: u64, depth: u8, out: &mut Vec<Entry>) -> Result<()> {
        if depth > 3 {
            return Err(TilerError::pmtiles(
                &self.path,
                "directories nested too deeply",
            ));
        }
        for e in self.directory(offset, length)? {
            if e.run_length == 0 {
                self.collect(
                    self.header.leaf_offset + e.offset,
                    u64::from(e.length),
                    depth + 1,
                    out,
                )?;
            } else {
                out.push(e);
            }
        }
        Ok(())
    }

    /// Tile counts and sizes per zoom (a run of identical tiles counts every tile).
    pub fn zoom_stats(&self) -> Result<Vec<ZoomStats>> {
        let mut stats: Vec<ZoomStats> = Vec::new();
        for e in self.tile_entries()? {
            let (mut id, end) = (e.tile_id, e.tile_id + u64::from(e.run_length));
            // A run may in principle cross into the next zoom.
            while id < end {
                let z = PYRAMID_SIZE_BY_ZOOM.partition_point(|&s| s <= id) - 1;
                let zoom_end = PYRAMID_SIZE_BY_ZOOM.get(z + 1).copied().unwrap_or(u64::MAX);
                let n = end.min(zoom_end) - id;
                let s = match stats.iter_mut().find(|s| usize::from(s.zoom) == z) {
                    Some(s) => s,
                    None => {
                        stats.push(ZoomStats {
                            zoom: z as u8,
                            ..Default::default()
                        });
                        stats.last_mut().expect("pushed above")
                    }
                };
                s.tiles += n;
                s.bytes += n * u64::from(e.length);
                s.max_bytes = s.max_bytes.max(u64::from(e.length));
                id += n;
            }
        }
        stats.sort_by_key(|s| s.zoom);
        Ok(stats)
    }
}

/// Decodes a (decompressed) directory: entry count, then delta-coded tile ids, run lengths,
/// lengths and offsets (0 = directly after the previous entry, else offset + 1), all varints.
fn decode_directory(mut b: &[u8]) -> Option<Vec<Entry>> {
    fn varint(b: &mut &[u8]) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = b.split_first()?;
            *b = rest;
            v |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Some(v);
            }
        }
        None
    }
    let n = usize::try_from(varint(&mut b)?).ok()?;
    // Each entry takes at least four bytes: refuse counts the data cannot hold.
    if n > b.len() / 4 + 1 {
        return None;
    }
    let mut entries = vec![
        Entry {
            tile_id: 0,
            offset: 0,
            length: 0,
            run_length: 0
        };
        n
    ];
    let mut id = 0u64;
    for e in &mut entries {
        id = id.checked_add(varint(&mut b)?)?;
        e.tile_id = id;
    }
    for e in &mut entries {
        e.run_length = u32::try_from(varint(&mut b)?).ok()?;
    }
    for e in &mut entries {
        e.length = u32::try_from(varint(&mut b)?).ok()?;
    }
    for i in 0..n {
        let v = varint(&mut b)?;
        entries[i].offset = if v == 0 && i > 0 {
            entries[i - 1].offset + u64::from(entries[i - 1].length)
        } else {
            v.checked_sub(1)?
        };
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn writes_a_clustered_archive_from_unordered_tiles() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("t.pmtiles");
        let mut w = PmtilesWriter::create(&dest).unwrap();
        // Out of order and across zooms (archives with leaf directories: tests/pmtiles.rs).
        let tiles: Vec<(u8, u32, u32)> =
            vec![(3, 7, 0), (0, 0, 0), (3, 0, 7), (2, 1, 1), (3, 4, 4)];
        for (i, &(z, x, y)) in tiles.iter().enumerate() {
            w.add_tile(z, x, y, format!("tile{i}").as_bytes()).unwrap();
        }
        assert_eq!(w.tile_count(), 5);
        assert!(!dest.exists());
        let meta = rows(&[
            ("name", "t"),
            ("bounds", "3.2,50.7,7.3,53.6"),
            ("center", "5.25,52.15,2"),
            ("minzoom", "0"),
            ("maxzoom", "3"),
            ("json", r#"{"vector_layers":[]}"#),
        ]);
        w.finish(&meta).unwrap();
        assert_eq!(
            std::fs::read_dir(d.path()).unwrap().count(),
            1,
            "no temporaries"
        );
        let a = Archive::open(&dest).unwrap();
        let h = a.header();
        assert!(h.clustered);
        assert_eq!(
            (h.tile_type, h.tile_compression, h.internal_compression),
            (1, 2, 2)
        );
        assert_eq!((h.min_zoom, h.max_zoom, h.center_zoom), (0, 3, 2));
        assert_eq!(h.bounds, [3.2, 50.7, 7.3, 53.6]);
        assert_eq!(h.center, [5.25, 52.15]);
        assert_eq!(h.addressed_tiles, 5);
        for (i, &(z, x, y)) in tiles.iter().enumerate() {
            assert_eq!(
                a.tile(z, x, y).unwrap().unwrap(),
                format!("tile{i}").as_bytes()
            );
        }
        assert_eq!(a.tile(3, 1, 1).unwrap(), None);
        assert_eq!(a.tile(1, 0, 0).unwrap(), None);
        assert_eq!(a.metadata().unwrap(), meta);
        let ids: Vec<u64> = a
            .tile_entries()
            .unwrap()
            .iter()
            .map(|e| e.tile_id)
            .collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "tile-id order: {ids:?}"
        );
        let stats = a.zoom_stats().unwrap();
        assert_eq!(
            stats.iter().map(|s| (s.zoom, s.tiles)).collect::<Vec<_>>(),
            [(0, 1), (2, 1), (3, 3)]
        );
    }

    #[test]
    fn large_archives_have_leaf_directories_and_runs() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("big.pmtiles");
        let mut w = PmtilesWriter::create(&dest).unwrap();
        // 65,536 tiles of zoom 8, in a scrambled order; every 7th column holds one repeated
        // tile, which the writer stores once (as runs where they are consecutive ids).
        let n = 256u32;
        let data = |x: u32, y: u32| {
            if x.is_multiple_of(7) {
                b"same".to_vec()
            } else {
                format!("{x}/{y}").into_bytes()
            }
        };
        for i in 0..n * n {
            let j = (i.wrapping_mul(40_503)) % (n * n);
            let (x, y) = (j % n, j / n);
            w.add_tile(8, x, y, &data(x, y)).unwrap();
        }
        w.finish(&rows(&[("name", "big")])).unwrap();
        let a = Archive::open(&dest).unwrap();
        let h = a.header();
        assert!(h.leaf_length > 0, "leaf directories");
        assert_eq!(h.addressed_tiles, u64::from(n * n));
        assert!(
            h.tile_contents < h.addressed_tiles,
            "identical tiles stored once"
        );
        assert_eq!(
            (h.min_zoom, h.max_zoom),
            (8, 8),
            "zooms of the tiles without rows"
        );
        let entries = a.tile_entries().unwrap();
        assert_eq!(
            entries.iter().map(|e| u64::from(e.run_length)).sum::<u64>(),
            u64::from(n * n)
        );
        for (x, y) in [(0, 0), (255, 255), (7, 100), (13, 200), (100, 7)] {
            assert_eq!(a.tile(8, x, y).unwrap().unwrap(), data(x, y), "{x}/{y}");
        }
        assert_eq!(a.tile(9, 0, 0).unwrap(), None);
        let stats = a.zoom_stats().unwrap();
        assert_eq!(stats.len(), 1);
        assert_eq!(stats[0].tiles, u64::from(n * n));
    }

    #[test]
    fn dropped_writer_leaves_previous_file_and_no_temporaries() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("t.pmtiles");
        std::fs::write(&dest, b"old").unwrap();
        let stale = d.path().join(".t.pmtiles.tmp-4000000000");
        std::fs::write(&stale, b"x").unwrap();
        let mut w = PmtilesWriter::create(&dest).unwrap();
        assert!(!stale.exists() || !Path::new("/proc/self").exists());
        w.add_tile(0, 0, 0, b"x").unwrap();
        drop(w);
        assert_eq!(std::fs::read(&dest).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn duplicate_tiles_are_an_error_naming_the_file() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("t.pmtiles");
        let mut w = PmtilesWriter::create(&dest).unwrap();
        w.add_tile(1, 1, 0, b"a").unwrap();
        w.add_tile(1, 1, 0, b"b").unwrap();
        let e = w.finish(&[]).unwrap_err().to_string();
        assert!(e.contains("t.pmtiles") && e.contains("1/1/0"), "{e}");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
    }

    #[test]
    fn rejects_files_that_are_not_archives() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.pmtiles");
        std::fs::write(&p, b"PMTiles").unwrap();
        let e = Archive::open(&p).unwrap_err().to_string();
        assert!(e.contains("x.pmtiles") && e.contains("too short"), "{e}");
        std::fs::write(&p, [0u8; 200]).unwrap();
        let e = Archive::open(&p).unwrap_err().to_string();
        assert!(e.contains("not a PMTiles v3 archive"), "{e}");
        assert!(!is_pmtiles(&p));
    }

    #[test]
    fn decodes_directories_and_refuses_garbage() {
        // 2 entries: ids 5, 7; runs 1, 2; lengths 10, 3; offsets 0 (+1), then contiguous.
        let dir = [2, 5, 2, 1, 2, 10, 3, 1, 0];
        assert_eq!(
            decode_directory(&dir).unwrap(),
            [
                Entry {
                    tile_id: 5,
                    offset: 0,
                    length: 10,
                    run_length: 1
                },
                Entry {
                    tile_id: 7,
                    offset: 10,
                    length: 3,
                    run_length: 2
                },
            ]
        );
        assert_eq!(decode_directory(&[200, 1]), None);
        assert_eq!(decode_directory(&[2, 5, 2, 1]), None);
        assert_eq!(decode_directory(&[0xff; 12]), None);
    }
}

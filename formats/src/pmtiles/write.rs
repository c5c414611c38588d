//! The PMTiles v3 writer of the build.
//!
//! The writer takes tiles in any order (rayon workers finish them in no particular order) but
//! writes a *clustered* archive, tile data in tile-id order, which is what range readers (a
//! browser over HTTP, a CDN) read fastest. To do that without holding a tileset in memory it
//! spills the tile bytes to an unnamed temporary file and keeps only `(tile id, offset, length)`
//! per tile; at the end it sorts those and copies the tiles into the archive.
//!
//! The format of the metadata is specified in `docs/tileset-format.md` ("PMTiles").

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use pmtiles::{Compression, PmTilesWriter, TileId, TileType};

use super::metadata::metadata_json;
use crate::error::{FormatError, Result};
use crate::pending::PendingFile;
use crate::tile::TileCoord;

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
            .map_err(|e| FormatError::io(file.tmp(), e))?;
        let dir = file.tmp().parent().unwrap_or(Path::new("."));
        let spill = tempfile::tempfile_in(dir).map_err(|e| {
            FormatError::pmtiles(
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

    /// Adds a gzip-compressed MVT tile.
    pub fn add_tile(&mut self, c: TileCoord, data: &[u8]) -> Result<()> {
        let dest = self.file.dest();
        let coord = super::coord(c).map_err(|e| FormatError::pmtiles(dest, e))?;
        let len = u32::try_from(data.len())
            .map_err(|_| FormatError::pmtiles(dest, format!("tile {c} is larger than 4 GiB")))?;
        self.spill
            .write_all(data)
            .map_err(|e| FormatError::pmtiles(dest, format!("writing to the spill file: {e}")))?;
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
        let err = |m: String| FormatError::pmtiles(&dest, m);
        let spill = spill
            .into_inner()
            .map_err(|e| err(format!("writing to the spill file: {}", e.error())))?;
        tiles.sort_unstable_by_key(|t| t.id);
        if let Some(w) = tiles.windows(2).find(|w| w[0].id == w[1].id) {
            let c = super::from_coord(coord_of(w[0].id));
            return Err(err(format!("tile {c} was added twice")));
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
            .map_err(|e| FormatError::io(file.tmp(), e))?;
        Ok(file)
    }
}

/// The coordinate of a tile id that came from a valid coordinate.
fn coord_of(id: u64) -> pmtiles::TileCoord {
    pmtiles::TileCoord::from(TileId::new(id).expect("made from a valid TileCoord"))
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
        use std::io::{Read, Seek, SeekFrom};
        let mut f = file;
        f.seek(SeekFrom::Start(offset))?;
        f.read_exact(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pmtiles::Archive;

    /// The tile ids of an archive's tiles, in the order its directories list them.
    fn ids(a: &Archive) -> Vec<u64> {
        a.tiles()
            .unwrap()
            .iter()
            .map(|&(c, _)| TileId::from(crate::pmtiles::coord(c).unwrap()).value())
            .collect()
    }

    fn xyz(z: u8, x: u32, y: u32) -> TileCoord {
        TileCoord::new(z, x, y).unwrap()
    }

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
            w.add_tile(xyz(z, x, y), format!("tile{i}").as_bytes())
                .unwrap();
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
        assert!(h.clustered());
        assert_eq!(
            (h.tile_type, h.tile_compression, h.internal_compression()),
            (TileType::Mvt, Compression::Gzip, Compression::Gzip)
        );
        assert_eq!((h.min_zoom, h.max_zoom, h.center_zoom), (0, 3, 2));
        assert_eq!(
            [
                h.min_longitude,
                h.min_latitude,
                h.max_longitude,
                h.max_latitude
            ],
            [3.2, 50.7, 7.3, 53.6]
        );
        assert_eq!([h.center_longitude, h.center_latitude], [5.25, 52.15]);
        assert_eq!(h.n_addressed_tiles().map(|n| n.get()), Some(5));
        for (i, &(z, x, y)) in tiles.iter().enumerate() {
            assert_eq!(
                a.tile(xyz(z, x, y)).unwrap().unwrap().as_ref(),
                format!("tile{i}").as_bytes()
            );
        }
        assert_eq!(a.tile(xyz(3, 1, 1)).unwrap(), None);
        assert_eq!(a.tile(xyz(1, 0, 0)).unwrap(), None);
        assert_eq!(a.metadata_rows().unwrap(), meta);
        let ids = ids(&a);
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
            w.add_tile(xyz(8, x, y), &data(x, y)).unwrap();
        }
        w.finish(&rows(&[("name", "big")])).unwrap();
        let a = Archive::open(&dest).unwrap();
        let h = a.header();
        let addressed = h.n_addressed_tiles().map_or(0, |n| n.get());
        assert_eq!(addressed, u64::from(n * n));
        assert!(
            h.n_tile_contents().map_or(0, |n| n.get()) < addressed,
            "identical tiles stored once"
        );
        assert_eq!(
            (h.min_zoom, h.max_zoom),
            (8, 8),
            "zooms of the tiles without rows"
        );
        // More tiles than a root directory holds: every one is found through the leaves.
        let ids = ids(&a);
        assert_eq!(ids.len() as u64, u64::from(n * n));
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        for (x, y) in [(0, 0), (255, 255), (7, 100), (13, 200), (100, 7)] {
            assert_eq!(
                a.tile(xyz(8, x, y)).unwrap().unwrap().as_ref(),
                data(x, y).as_slice(),
                "{x}/{y}"
            );
        }
        assert_eq!(a.tile(xyz(9, 0, 0)).unwrap(), None);
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
        w.add_tile(xyz(0, 0, 0), b"x").unwrap();
        drop(w);
        assert_eq!(std::fs::read(&dest).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn duplicate_tiles_are_an_error_naming_the_file() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("t.pmtiles");
        let mut w = PmtilesWriter::create(&dest).unwrap();
        w.add_tile(xyz(1, 1, 0), b"a").unwrap();
        w.add_tile(xyz(1, 1, 0), b"b").unwrap();
        let e = w.finish(&[]).unwrap_err().to_string();
        assert!(e.contains("t.pmtiles") && e.contains("1/1/0"), "{e}");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
    }
}

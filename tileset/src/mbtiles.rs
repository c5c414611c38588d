//! Reading an MBTiles 1.3 file: the one reader of the tables the tiler writes, used by the
//! server (over its pool of read-only connections), `lbm-tiler inspect` and the tests. Every
//! function takes an open connection, so callers choose how to open and share it.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

/// Tile counts and sizes of one zoom level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ZoomStats {
    /// Zoom level.
    pub zoom: u8,
    /// Number of tiles.
    pub tiles: u64,
    /// Total stored (compressed) bytes.
    pub bytes: u64,
    /// Largest stored tile in bytes.
    pub max_bytes: u64,
}

/// The characters with a meaning in an SQLite URI file name.
const URI_RESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b'%').add(b'?').add(b'#');

/// Opens an existing file read-only and immutable (tilesets are replaced by a rename, never
/// modified in place, so SQLite need not lock or watch the file); never creates one.
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let path = path.to_string_lossy();
    let name = percent_encoding::utf8_percent_encode(&path, URI_RESERVED);
    let uri = format!("file:{name}?mode=ro&immutable=1");
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(uri, flags)
}

/// Why a SQLite file is not an MBTiles file this project can read.
#[derive(Debug, thiserror::Error)]
pub enum MbtilesError {
    /// A table is missing.
    #[error("no {0} table")]
    MissingTable(&'static str),
    /// SQLite failed (not a database, a broken file, a missing column).
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Checks the tables and the columns the tile reads need.
pub fn check(conn: &Connection) -> Result<(), MbtilesError> {
    for table in ["metadata", "tiles"] {
        let found: Option<String> = conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE name = ?1 AND type IN ('table', 'view')",
                [table],
                |r| r.get(0),
            )
            .optional()?;
        if found.is_none() {
            return Err(MbtilesError::MissingTable(table));
        }
    }
    conn.prepare(
        "SELECT tile_data FROM tiles WHERE zoom_level = 0 AND tile_column = 0 AND tile_row = 0",
    )?;
    conn.prepare("SELECT name, value FROM metadata")?;
    Ok(())
}

/// The metadata rows in file order (rows with a NULL name or value are left out).
pub fn metadata(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare("SELECT name, value FROM metadata")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        if let (Some(k), Some(v)) = row? {
            out.push((k, v));
        }
    }
    Ok(out)
}

/// The lowest and highest zoom with tiles, if any.
pub fn zoom_range(conn: &Connection) -> rusqlite::Result<Option<(u8, u8)>> {
    let (a, b) = conn.query_row(
        "SELECT min(zoom_level), max(zoom_level) FROM tiles",
        [],
        |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?)),
    )?;
    Ok(a.zip(b)
        .and_then(|(a, b)| Some((u8::try_from(a).ok()?, u8::try_from(b).ok()?))))
}

/// The stored bytes of XYZ tile `z/x/y` (the file's rows are TMS), if the file has it.
pub fn tile(conn: &Connection, z: u8, x: u32, y: u32) -> rusqlite::Result<Option<Vec<u8>>> {
    let Some(tms) = (1u64 << z).checked_sub(1 + u64::from(y)) else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
    )?;
    let data: Option<Option<Vec<u8>>> = stmt
        .query_row(rusqlite::params![z, x, tms as i64], |r| r.get(0))
        .optional()?;
    Ok(data.flatten())
}

/// An XYZ tile address `(z, x, y)`.
pub type TileXyz = (u8, u32, u32);

/// Every tile with its stored bytes, in zoom, column, row order.
pub fn tiles(conn: &Connection) -> rusqlite::Result<Vec<(TileXyz, Vec<u8>)>> {
    let mut stmt = conn.prepare(
        "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles
         ORDER BY zoom_level, tile_column, tile_row",
    )?;
    let rows = stmt.query_map([], |r| {
        let z: u8 = r.get(0)?;
        let tms: u32 = r.get(2)?;
        Ok(((z, r.get(1)?, (1u32 << z) - 1 - tms), r.get(3)?))
    })?;
    rows.collect()
}

/// Tile counts and sizes per zoom.
pub fn zoom_stats(conn: &Connection) -> rusqlite::Result<Vec<ZoomStats>> {
    let mut stmt = conn.prepare(
        "SELECT zoom_level, COUNT(*), SUM(LENGTH(tile_data)), MAX(LENGTH(tile_data))
         FROM tiles GROUP BY zoom_level ORDER BY zoom_level",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ZoomStats {
            zoom: r.get(0)?,
            tiles: r.get::<_, i64>(1)? as u64,
            bytes: r.get::<_, i64>(2)? as u64,
            max_bytes: r.get::<_, i64>(3)? as u64,
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_format_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.mbtiles");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(
                "CREATE TABLE metadata (name TEXT, value TEXT);
                 CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
                 INSERT INTO metadata VALUES ('name', 't'), ('format', 'pbf'), (NULL, 'x');
                 INSERT INTO tiles VALUES (1, 1, 1, x'616263'), (2, 0, 0, x'64');",
            )
            .unwrap();
        }
        let c = open(&path).unwrap();
        check(&c).unwrap();
        assert_eq!(metadata(&c).unwrap().len(), 2);
        assert_eq!(zoom_range(&c).unwrap(), Some((1, 2)));
        // TMS row 1 of zoom 1 is XYZ row 0.
        assert_eq!(tile(&c, 1, 1, 0).unwrap().as_deref(), Some(&b"abc"[..]));
        assert_eq!(tile(&c, 1, 1, 1).unwrap(), None);
        assert_eq!(tile(&c, 1, 1, 7).unwrap(), None, "outside the zoom");
        assert_eq!(tiles(&c).unwrap()[1].0, (2, 0, 3));
        assert_eq!(
            zoom_stats(&c).unwrap()[0],
            ZoomStats {
                zoom: 1,
                tiles: 1,
                bytes: 3,
                max_bytes: 3
            }
        );
        c.execute_batch("SELECT 1").unwrap();
        let other = dir.path().join("o.sqlite");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE x (a)")
            .unwrap();
        assert!(matches!(
            check(&open(&other).unwrap()),
            Err(MbtilesError::MissingTable("metadata"))
        ));
    }
}

//! The SQLite files of the project (MBTiles and the point index): opened read-only without
//! locks, and written atomically under a temporary name.

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::error::{FormatError, Result};
use crate::pending::PendingFile;

/// The characters with a meaning in an SQLite URI file name.
const URI_RESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b'%').add(b'?').add(b'#');

/// How much of a file read-only connections map into memory: SQLite then reads pages from the
/// mapping (the kernel's page cache, shared by every connection) instead of `pread`ing each into
/// its own page cache. Address space only; tilesets are tens of MB, a national index 200 MB.
const MMAP_BYTES: i64 = 1 << 30;

/// Opens an existing file read-only and immutable (tilesets and the index are replaced by a
/// rename, never modified in place, so SQLite need not lock or watch the file), memory-mapped;
/// never creates one.
pub fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    let path = path.to_string_lossy();
    let name = percent_encoding::utf8_percent_encode(&path, URI_RESERVED);
    let uri = format!("file:{name}?mode=ro&immutable=1");
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(uri, flags)?;
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    Ok(conn)
}

/// A SQLite file being written under a temporary name in the destination folder.
///
/// [`AtomicDb::commit`] closes it, syncs it to disk and renames it into place. Dropping it
/// without committing deletes the temporary file, so a failed run leaves the previous file.
pub struct AtomicDb {
    // Declared before `file`: the connection is closed before the temporary file is deleted.
    conn: Option<Connection>,
    file: PendingFile,
}

impl AtomicDb {
    /// Creates `DIR/.{file name}.tmp-<pid>` for `dest` with pages of `page_size` bytes, fast
    /// bulk-load pragmas and an open transaction.
    pub fn create(dest: &Path, page_size: u32) -> Result<Self> {
        let file = PendingFile::new(dest)?;
        let conn = Connection::open(file.tmp()).map_err(|e| FormatError::sqlite(file.tmp(), e))?;
        let db = AtomicDb {
            conn: Some(conn),
            file,
        };
        db.batch(&format!(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size={page_size}; BEGIN;"
        ))?;
        Ok(db)
    }

    /// The open connection.
    pub fn conn(&self) -> &Connection {
        self.conn.as_ref().expect("connection open until commit")
    }

    /// Runs SQL statements, mapping errors to the temporary path.
    pub fn batch(&self, sql: &str) -> Result<()> {
        self.conn()
            .execute_batch(sql)
            .map_err(|e| FormatError::sqlite(self.file.tmp(), e))
    }

    /// Maps a SQLite error to this file.
    pub fn err(&self, e: rusqlite::Error) -> FormatError {
        FormatError::sqlite(self.file.tmp(), e)
    }

    /// Commits the transaction, closes the file and fsyncs it, still under its temporary name:
    /// [`PendingFile::commit`] then renames it into place. Lets several files of one tileset be
    /// completed before any of them replaces a previous one.
    pub fn seal(mut self) -> Result<PendingFile> {
        self.batch("COMMIT;")?;
        let conn = self.conn.take().expect("connection open until commit");
        conn.close()
            .map_err(|(_, e)| FormatError::sqlite(self.file.tmp(), e))?;
        File::open(self.file.tmp())
            .and_then(|f| f.sync_all())
            .map_err(|e| FormatError::io(self.file.tmp(), e))?;
        Ok(self.file)
    }

    /// Commits, closes, fsyncs and renames the file into place.
    pub fn commit(self) -> Result<PathBuf> {
        self.seal()?.commit()
    }
}

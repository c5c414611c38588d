//! What can go wrong while writing (or opening for writing) a file of one of the formats. Every
//! error names the file.

use std::path::PathBuf;

/// A failed read or write of a tileset file or the index, with the file's path.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// Reading or writing a file failed.
    // The cause is part of the message (not a `#[source]`), so `{:#}` chains don't repeat it.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// SQLite failed on a file.
    #[error("{path}: SQLite: {error}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        error: rusqlite::Error,
    },
    /// Writing or reading a PMTiles archive failed (I/O errors included), or the archive is not a
    /// valid PMTiles v3 file.
    #[error("{path}: PMTiles: {message}")]
    Pmtiles {
        /// The archive.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}

impl FormatError {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        FormatError::Io {
            path: path.into(),
            error,
        }
    }

    /// A PMTiles error on `path`.
    pub fn pmtiles(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> Self {
        FormatError::Pmtiles {
            path: path.into(),
            message: message.to_string(),
        }
    }

    /// Wraps a SQLite error with the database path.
    pub fn sqlite(path: impl Into<PathBuf>, error: rusqlite::Error) -> Self {
        FormatError::Sqlite {
            path: path.into(),
            error,
        }
    }
}

/// Result alias of the writers.
pub type Result<T, E = FormatError> = std::result::Result<T, E>;

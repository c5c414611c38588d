//! Errors of the tiler library: every input error names the file, line and column.

use std::path::PathBuf;

/// Everything that can go wrong while reading inputs or writing tilesets.
///
/// Input errors carry the file path, the 1-based line and column (the field number in a CSV
/// row) and what was expected, so that a user can fix the file without guessing.
#[derive(Debug, thiserror::Error)]
pub enum TilerError {
    /// The header line lacks required columns.
    #[error(
        "{path}: line {line}: missing column(s) {missing}; expected a header with grid_id (or x,y), \
         jaar, lbm, fys, onv, soc, vrz, won and optionally afw (found: {found})"
    )]
    MissingColumns {
        /// Scores file.
        path: PathBuf,
        /// Line of the header.
        line: u64,
        /// The missing column names, comma separated.
        missing: String,
        /// The header as found.
        found: String,
    },
    /// A field that should hold a number does not.
    #[error("{path}: line {line}, column {column} ({name}): cannot read {value:?} as a number, expected {expected}")]
    BadNumber {
        /// Scores file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// 1-based field number.
        column: usize,
        /// Column name from the header.
        name: String,
        /// The offending text.
        value: String,
        /// What would have been accepted.
        expected: &'static str,
    },
    /// NaN or an infinite value.
    #[error("{path}: line {line}, column {column} ({name}): {value:?} is not a finite number; expected a finite number or an empty field for no data")]
    NotFinite {
        /// Scores file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// 1-based field number.
        column: usize,
        /// Column name from the header.
        name: String,
        /// The offending text.
        value: String,
    },
    /// A grid id that does not follow `E<hx>N<hy>`.
    #[error("{path}: line {line}, column {column} ({name}): {value:?} is not a grid id; expected E<hx>N<hy> in hectometres, such as E1213N4879{also}")]
    BadGridId {
        /// Scores file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// 1-based field number.
        column: usize,
        /// Column name from the header.
        name: String,
        /// The offending text.
        value: String,
        /// What else was tried (`, or a grid_id of grid 2024.gpkg`), or empty.
        also: String,
    },
    /// A cell outside the RD New extent of the Netherlands.
    #[error("{path}: line {line}, column {column} ({name}): cell {cell} lies outside the Netherlands; expected RD New x in -7000..300000 and y in 289000..629000 metres")]
    OutsideNetherlands {
        /// Scores file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// 1-based field number.
        column: usize,
        /// Column name from the header.
        name: String,
        /// The cell id.
        cell: String,
    },
    /// The same cell appears twice for one year.
    #[error("{path}: line {line}, column {column}: duplicate row for cell {cell} in year {year} (first on line {first_line}); expected one row per cell and year")]
    DuplicateCell {
        /// Scores file.
        path: PathBuf,
        /// Line of the second occurrence.
        line: u64,
        /// Field number of the cell id.
        column: usize,
        /// The cell id.
        cell: String,
        /// The year.
        year: u16,
        /// Line of the first occurrence.
        first_line: u64,
    },
    /// The file has no header or no data rows.
    #[error("{path}: {what}; expected a header line (grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won) and at least one data row")]
    EmptyFile {
        /// The file.
        path: PathBuf,
        /// What is missing.
        what: &'static str,
    },
    /// A measure name that is not one of `lbm fys onv soc vrz won`.
    #[error("{path}: line {line}, column {column}: unknown measure name {name:?}; expected one of lbm, fys, onv, soc, vrz, won")]
    UnknownMeasure {
        /// The file (or `--measures` for the command line).
        path: PathBuf,
        /// 1-based line (0 when not from a file).
        line: u64,
        /// 1-based column.
        column: usize,
        /// The unknown name.
        name: String,
    },
    /// Cut points that are not strictly increasing.
    #[error("{path}: line {line}, column {column}: measure {measure}: cut points must be strictly increasing, but cut {index} ({a}) is followed by {b}")]
    CutsNotIncreasing {
        /// Classification file.
        path: PathBuf,
        /// 1-based line of the `cuts` entry.
        line: u64,
        /// 1-based column of the `cuts` entry.
        column: usize,
        /// The measure.
        measure: String,
        /// 1-based index of the first offending cut.
        index: usize,
        /// The cut.
        a: f64,
        /// The next cut.
        b: f64,
    },
    /// Any other problem in a classification file.
    #[error("{path}: line {line}, column {column}: {message}")]
    BadClassification {
        /// Classification file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: u64,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A CSV row that cannot be split into fields (wrong field count, bad quoting, bad UTF-8).
    #[error("{path}: line {line}: {message}")]
    Csv {
        /// Scores file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The CSV reader's message.
        message: String,
    },
    /// An invalid option value (command line or [`crate::BuildOptions`]).
    #[error("invalid option {option}: {message}")]
    InvalidOption {
        /// The option.
        option: &'static str,
        /// What is wrong and what was expected.
        message: String,
    },
    /// An area boundary file (GeoJSON, FlatGeobuf, GeoPackage) that cannot be used.
    #[error("{path}: {feature}: {message}")]
    BadArea {
        /// The boundary file.
        path: PathBuf,
        /// Which feature: `feature 3 (GM0363)`, or `file` for the whole file.
        feature: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// An open-data release (a zip or folder) whose files cannot be found or unpacked.
    #[error("{path}: {message}")]
    OpenData {
        /// The zip or folder given.
        path: PathBuf,
        /// What is missing or wrong, and what was expected.
        message: String,
    },
    /// Reading or writing a file failed (I/O, SQLite, PMTiles), with the file named.
    #[error(transparent)]
    File(#[from] lbm_formats::FormatError),
    /// The coordinate transformation failed.
    #[error(transparent)]
    Projection(#[from] lbm_tileset::project::ProjectionError),
    /// Encoding a vector tile failed.
    #[error("encoding tile {z}/{x}/{y}: {message}")]
    Encode {
        /// Zoom.
        z: u8,
        /// Column.
        x: u32,
        /// XYZ row.
        y: u32,
        /// What failed.
        message: String,
    },
}

impl TilerError {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        lbm_formats::FormatError::io(path, error).into()
    }

    /// A PMTiles error on `path`.
    pub fn pmtiles(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> Self {
        lbm_formats::FormatError::pmtiles(path, message).into()
    }

    /// Wraps a SQLite error with the database path.
    pub fn sqlite(path: impl Into<PathBuf>, error: rusqlite::Error) -> Self {
        lbm_formats::FormatError::sqlite(path, error).into()
    }
}

/// Result alias of the tiler library.
pub type Result<T, E = TilerError> = std::result::Result<T, E>;

//! The CSV front shared by the grid and area score readers: the header with its separator sniffed
//! (`,` or `;`, decimal commas with `;`), rows with their line numbers, and numeric fields read
//! with errors that name the file, line and column.

use std::io::{BufRead, Read};
use std::path::Path;

use lbm_tileset::Values;

use crate::error::{Result, TilerError};

/// A scores CSV with its header read: the front shared by the grid and area score readers.
pub(crate) struct ScoresCsv<R: Read> {
    csv: csv::Reader<std::io::Chain<std::io::Cursor<Vec<u8>>, R>>,
    /// Header names, lower case, without a byte order mark.
    pub headers: Vec<String>,
    /// `;`-separated files write decimals with a comma.
    pub decimal_comma: bool,
}

impl<R: BufRead> ScoresCsv<R> {
    /// Reads the header line and sniffs the separator from it (`;` when it has more `;` than
    /// `,`); `empty` says what an empty file lacks.
    pub fn open(path: &Path, mut reader: R, empty: &'static str) -> Result<Self> {
        let mut first = String::new();
        reader
            .read_line(&mut first)
            .map_err(|e| TilerError::io(path, e))?;
        if first.trim().trim_start_matches('\u{feff}').is_empty() {
            return Err(TilerError::EmptyFile {
                path: path.to_path_buf(),
                what: empty,
            });
        }
        let sep = if first.matches(';').count() > first.matches(',').count() {
            b';'
        } else {
            b','
        };
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(sep)
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(std::io::Cursor::new(first.into_bytes()).chain(reader));
        let headers = csv
            .headers()
            .map_err(|e| csv_error(path, 1, e))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
            .collect();
        Ok(ScoresCsv {
            csv,
            headers,
            decimal_comma: sep == b';',
        })
    }

    /// Calls `row` with every record that is not blank and its line number; returns how many
    /// there were. CSV syntax errors name the file and line.
    pub fn for_each_row(
        &mut self,
        path: &Path,
        mut row: impl FnMut(&csv::StringRecord, u64) -> Result<()>,
    ) -> Result<u64> {
        let mut record = csv::StringRecord::new();
        let mut rows = 0;
        loop {
            match self.csv.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return Ok(rows),
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return Err(csv_error(path, line, e));
                }
            }
            if record.iter().all(|f| f.is_empty()) {
                continue;
            }
            rows += 1;
            row(&record, record.position().map_or(0, |p| p.line()))?;
        }
    }
}

/// The values of a record (NaN where empty or where the file has no such column);
/// `value_cols` holds the field of each [`Column`] in [`Column::ALL`] order.
pub(crate) fn parse_values(
    path: &Path,
    record: &csv::StringRecord,
    line: u64,
    headers: &[String],
    value_cols: &[Option<usize>],
    decimal_comma: bool,
) -> Result<Values> {
    let mut values = Values::EMPTY;
    for (i, col) in value_cols.iter().enumerate() {
        if let Some(c) = *col {
            let text = record.get(c).unwrap_or("");
            if let Some(v) = parse_number(path, line, c, &headers[c], text, decimal_comma)? {
                values.0[i] = v;
            }
        }
    }
    Ok(values)
}

pub(crate) fn csv_error(path: &Path, line: u64, e: csv::Error) -> TilerError {
    TilerError::Csv {
        path: path.to_path_buf(),
        line,
        message: e.to_string(),
    }
}

/// Parses a numeric field; `Ok(None)` for an empty field (no data).
pub(crate) fn parse_number(
    path: &Path,
    line: u64,
    col: usize,
    name: &str,
    text: &str,
    decimal_comma: bool,
) -> Result<Option<f64>> {
    if text.is_empty() {
        return Ok(None);
    }
    // With `;` as separator a comma can only be a decimal comma.
    let replaced;
    let text_norm = if decimal_comma && text.contains(',') {
        replaced = text.replace(',', ".");
        replaced.as_str()
    } else {
        text
    };
    match text_norm.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(_) => Err(TilerError::NotFinite {
            path: path.to_path_buf(),
            line,
            column: col + 1,
            name: name.to_string(),
            value: text.to_string(),
        }),
        Err(_) => Err(TilerError::BadNumber {
            path: path.to_path_buf(),
            line,
            column: col + 1,
            name: name.to_string(),
            value: text.to_string(),
            expected: if decimal_comma {
                "a decimal number such as 4,125 or 4.125, or an empty field"
            } else {
                "a decimal number such as 4.125, or an empty field"
            },
        }),
    }
}

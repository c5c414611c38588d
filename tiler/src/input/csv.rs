//! The CSV front shared by the grid and area score readers: the header with its separator sniffed
//! (`,` or `;`, decimal commas with `;`), rows with their line numbers, and numeric fields read
//! with errors that name the file, line and column. A large file without quotes is parsed in
//! parallel chunks ([`ScoresCsv::par_map_rows`]).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use lbm_tileset::Values;

use crate::error::{Result, TilerError};

/// A scores CSV with its header read: the front shared by the grid and area score readers.
pub(crate) struct ScoresCsv<'a> {
    /// The whole file.
    bytes: &'a [u8],
    /// Where the rows start: after the header line.
    body: usize,
    /// Header names, lower case, without a byte order mark.
    pub headers: Vec<String>,
    /// `;`-separated files write decimals with a comma.
    pub decimal_comma: bool,
    /// The separator.
    sep: u8,
}

/// Bytes of a chunk of a parallel parse: the national scores file (173 MB) makes 42 chunks,
/// enough to balance two to eight workers; a reader's setup per chunk is negligible.
const CHUNK_BYTES: usize = 4 << 20;

impl<'a> ScoresCsv<'a> {
    /// Reads the header line of the file's `bytes` and sniffs the separator from it (`;` when
    /// it has more `;` than `,`); `empty` says what an empty file lacks.
    pub fn open(path: &Path, bytes: &'a [u8], empty: &'static str) -> Result<Self> {
        let body = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1);
        let first = std::str::from_utf8(&bytes[..body]).map_err(|e| {
            TilerError::io(
                path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        })?;
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
        let headers = csv::ReaderBuilder::new()
            .delimiter(sep)
            .trim(csv::Trim::All)
            .has_headers(true)
            .from_reader(first.as_bytes())
            .headers()
            .map_err(|e| csv_error(path, 1, e))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
            .collect();
        Ok(ScoresCsv {
            bytes,
            body,
            headers,
            decimal_comma: sep == b';',
            sep,
        })
    }

    /// Calls `row` with every record that is not blank and its line number; returns how many
    /// there were. CSV syntax errors and rows of another length than the header name the file
    /// and line.
    pub fn for_each_row(
        &self,
        path: &Path,
        mut row: impl FnMut(&csv::StringRecord, u64) -> Result<()>,
    ) -> Result<u64> {
        let mut rows = 0;
        self.read(path, &self.bytes[self.body..], 2, |record, line| {
            rows += 1;
            row(record, line)
        })?;
        Ok(rows)
    }

    /// Maps every record that is not blank, with its line number, through `row`; returns the
    /// results in file order, or the first error in the file.
    ///
    /// Reading the national scores file was a serial 4.7 s before every build (csv parsing and
    /// trimming 45 %, number parsing 25 % of it). A file without quotes has one record per
    /// line, so it is cut at line ends into chunks that rayon parses independently, each from
    /// its first line number.
    pub fn par_map_rows<T: Send>(
        &self,
        path: &Path,
        row: impl Fn(&csv::StringRecord, u64) -> Result<T> + Sync,
    ) -> Result<Vec<T>> {
        self.par_map_rows_in(path, CHUNK_BYTES, row)
    }

    fn par_map_rows_in<T: Send>(
        &self,
        path: &Path,
        chunk_bytes: usize,
        row: impl Fn(&csv::StringRecord, u64) -> Result<T> + Sync,
    ) -> Result<Vec<T>> {
        let body = &self.bytes[self.body..];
        if memchr::memchr(b'"', body).is_some() {
            let mut out = Vec::new();
            self.for_each_row(path, |record, line| {
                out.push(row(record, line)?);
                Ok(())
            })?;
            return Ok(out);
        }
        let chunks = line_chunks(body, chunk_bytes);
        let mut line = 2;
        let lines: Vec<u64> = chunks
            .iter()
            .map(|c| {
                let first = line;
                line += memchr::memchr_iter(b'\n', c).count() as u64;
                first
            })
            .collect();
        let parsed: Vec<Result<Vec<T>>> = chunks
            .par_iter()
            .zip(lines)
            .map(|(chunk, first)| {
                // A national row is about 60 bytes.
                let mut out = Vec::with_capacity(chunk.len() / 48);
                self.read(path, chunk, first, |record, line| {
                    out.push(row(record, line)?);
                    Ok(())
                })?;
                Ok(out)
            })
            .collect();
        let mut out = Vec::new();
        for chunk in parsed {
            out.extend(chunk?);
        }
        Ok(out)
    }

    /// Reads the records of `text`, whose first byte is on line `first_line`, through `row`,
    /// skipping blank ones.
    fn read(
        &self,
        path: &Path,
        text: &[u8],
        first_line: u64,
        mut row: impl FnMut(&csv::StringRecord, u64) -> Result<()>,
    ) -> Result<()> {
        // Trimmed below only when a field needs it: csv's `Trim::All` rebuilds every record,
        // 14 % of reading the national file, which has no blanks to trim.
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(self.sep)
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut record = csv::StringRecord::new();
        // Lines are counted here from byte offsets: the csv crate's own count is one short
        // after a CRLF line end and after a blank line (rust-csv issues 395 and 208), and
        // spreadsheets on Windows write CRLF.
        let (mut at, mut line) = (0, first_line);
        let mut line_of = |byte: usize| {
            let byte = byte.clamp(at, text.len());
            // Mostly one line: a plain count beats memchr's setup.
            line += text[at..byte].iter().filter(|&&b| b == b'\n').count() as u64;
            at = byte;
            line
        };
        loop {
            match csv.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => {
                    let byte = e.position().map_or(text.len(), |p| p.byte() as usize);
                    return Err(csv_error(path, line_of(byte), e));
                }
            }
            let start = record.position().map_or(0, |p| p.byte() as usize);
            let skipped = text
                .get(start..)
                .unwrap_or_default()
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            let line = line_of(start + skipped);
            if record.iter().any(|f| f.trim() != f) {
                record.trim();
            }
            if record.iter().all(|f| f.is_empty()) {
                continue;
            }
            // Empty fields after the last column (a separator at the end of each row, as some
            // exports write) are no values: ignored, as GDAL's CSV driver does.
            let extra = record
                .iter()
                .skip(self.headers.len())
                .any(|f| !f.is_empty());
            if record.len() < self.headers.len() || extra {
                return Err(TilerError::Csv {
                    path: path.to_path_buf(),
                    line,
                    message: format!(
                        "the row has {} fields, the header {}; expected one value per column",
                        record.len(),
                        self.headers.len()
                    ),
                });
            }
            row(&record, line)?;
        }
    }
}

/// `body` cut after a line end into chunks of about `chunk_bytes`.
fn line_chunks(body: &[u8], chunk_bytes: usize) -> Vec<&[u8]> {
    let mut chunks = Vec::new();
    let mut rest = body;
    while rest.len() > chunk_bytes {
        match memchr::memchr(b'\n', &rest[chunk_bytes..]) {
            Some(i) => {
                let (chunk, tail) = rest.split_at(chunk_bytes + i + 1);
                chunks.push(chunk);
                rest = tail;
            }
            None => break,
        }
    }
    chunks.push(rest);
    chunks
}

/// The words statistics packages and spreadsheets write for a missing value (R and pandas
/// `NA`/`NaN`, Excel `#N/A`, databases `NULL`, SPSS and CBS tables `.` or `-`), compared
/// without case. Read as no data, like an empty field, and counted.
pub(crate) const NO_DATA_MARKERS: [&str; 8] =
    ["NA", "N/A", "#N/A", "NaN", "NULL", "None", ".", "-"];

/// Whether `text` is one of the [`NO_DATA_MARKERS`].
pub(crate) fn is_no_data_marker(text: &str) -> bool {
    NO_DATA_MARKERS.iter().any(|m| m.eq_ignore_ascii_case(text))
}

/// The values of a record (NaN where empty, a [`NO_DATA_MARKERS`] word or where the file has
/// no such column); `value_cols` holds the field of each [`Column`] in [`Column::ALL`] order.
/// Each marker read adds one to `markers`.
pub(crate) fn parse_values(
    path: &Path,
    record: &csv::StringRecord,
    line: u64,
    headers: &[String],
    value_cols: &[Option<usize>],
    decimal_comma: bool,
    markers: &AtomicU64,
) -> Result<Values> {
    let mut values = Values::EMPTY;
    for (i, col) in value_cols.iter().enumerate() {
        if let Some(c) = *col {
            let text = record.get(c).unwrap_or("");
            match parse_number(path, line, c, &headers[c], text, decimal_comma)? {
                Some(v) => values.0[i] = v,
                // Not empty, yet no data: a no-data word.
                None if !text.is_empty() => {
                    markers.fetch_add(1, Ordering::Relaxed);
                }
                None => {}
            }
        }
    }
    Ok(values)
}

/// Logs how many value fields of `path` held a no-data marker, if any.
pub(crate) fn warn_no_data_markers(path: &Path, markers: u64) {
    if markers > 0 {
        tracing::warn!(
            path = %path.display(),
            fields = markers,
            "value fields holding a no-data word ({}) were read as no data",
            NO_DATA_MARKERS.join(", ")
        );
    }
}

pub(crate) fn csv_error(path: &Path, line: u64, e: csv::Error) -> TilerError {
    TilerError::Csv {
        path: path.to_path_buf(),
        line,
        message: e.to_string(),
    }
}

/// Parses a numeric field; `Ok(None)` for an empty field or a [`NO_DATA_MARKERS`] word (no
/// data).
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
        // Looked for only when the field is no number (`NaN` parses, as a non-finite one):
        // never on the path of the millions of fields that are.
        _ if is_no_data_marker(text) => Ok(None),
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
                "a decimal number such as 4,125 or 4.125, or an empty field or NA for no data"
            } else {
                "a decimal number such as 4.125, or an empty field or NA for no data"
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of `text` as (line, fields): in one pass (`chunk` None) or in chunks of about
    /// `chunk` bytes.
    fn rows(text: &str, chunk: Option<usize>) -> Result<Vec<(u64, Vec<String>)>> {
        let path = Path::new("t.csv");
        let input = ScoresCsv::open(path, text.as_bytes(), "empty")?;
        let row = |record: &csv::StringRecord, line| {
            let n: f64 = record
                .get(1)
                .unwrap_or("")
                .parse()
                .map_err(|_| TilerError::Csv {
                    path: path.to_path_buf(),
                    line,
                    message: format!("bad {:?}", record.get(1)),
                })?;
            assert!(n.is_finite());
            Ok((line, record.iter().map(str::to_string).collect()))
        };
        match chunk {
            Some(chunk) => input.par_map_rows_in(path, chunk, row),
            None => {
                let mut out = Vec::new();
                input.for_each_row(path, |record, line| {
                    out.push(row(record, line)?);
                    Ok(())
                })?;
                Ok(out)
            }
        }
    }

    fn file(lines: usize, end: &str) -> String {
        let mut s = format!("id,v{end}");
        for i in 0..lines {
            s.push_str(&format!("c{i}, {i}.5 {end}"));
            if i % 7 == 3 {
                s.push_str(&format!(",{end}{end}"));
            }
        }
        s
    }

    #[test]
    fn chunks_give_the_rows_and_lines_of_one_pass() {
        for end in ["\n", "\r\n"] {
            let text = file(500, end);
            let serial = rows(&text, None).unwrap();
            assert_eq!(serial.len(), 500);
            assert_eq!(serial[0], (2, vec!["c0".to_string(), "0.5".to_string()]));
            // Line numbers as an editor shows them, also after CRLF and blank lines.
            assert_eq!(serial[4], (8, vec!["c4".to_string(), "4.5".to_string()]));
            for chunk in [1, 16, 100, 1000] {
                assert_eq!(
                    rows(&text, Some(chunk)).unwrap(),
                    serial,
                    "chunk {chunk} {end:?}"
                );
            }
        }
    }

    #[test]
    fn errors_in_a_chunk_are_those_of_one_pass() {
        let mut text = file(300, "\n");
        text = text.replacen("c250, 250.5", "c250, x", 1);
        let serial = rows(&text, None).unwrap_err().to_string();
        assert!(serial.contains("line "), "{serial}");
        assert_eq!(rows(&text, Some(64)).unwrap_err().to_string(), serial);

        // A ragged row: the csv crate's message, with its record and line.
        let ragged = file(300, "\n").replacen("c200, 200.5", "c200, 200.5,9", 1);
        let serial = rows(&ragged, None).unwrap_err().to_string();
        assert!(serial.contains("fields"), "{serial}");
        assert_eq!(rows(&ragged, Some(64)).unwrap_err().to_string(), serial);
    }

    #[test]
    fn empty_fields_after_the_last_column_are_ignored() {
        let got = rows("id,v\nc0,1,\nc1,2,,\n", None).unwrap();
        assert_eq!(
            got[1],
            (
                3,
                vec!["c1".into(), "2".into(), String::new(), String::new()]
            )
        );
        let e = rows("id,v\nc0,1,x\n", None).unwrap_err().to_string();
        assert!(
            e.contains("line 2: the row has 3 fields, the header 2"),
            "{e}"
        );
    }

    #[test]
    fn quoted_files_are_read_in_one_pass() {
        let text = format!("id,v\n\"a\nb\",1\n{}", "c,2\n".repeat(50));
        let got = rows(&text, Some(8)).unwrap();
        assert_eq!(got[0], (2, vec!["a\nb".to_string(), "1".to_string()]));
        assert_eq!(got[1].0, 4);
        assert_eq!(got.len(), 51);
    }
}

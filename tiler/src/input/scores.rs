//! Streaming reader of Leefbaarometer grid score CSV files into compact per-year cell records.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use lbm_tileset::{CellId, Column, Values};

use crate::error::{Result, TilerError};
use crate::input::csv::{parse_number, parse_values, ScoresCsv};
use crate::input::grid_geometry::{cell_of_id, tried_also, GridKeys};

/// One populated 100 m cell in one year.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CellRecord {
    /// Hectometres of the south-west corner, x.
    pub hx: i32,
    /// Hectometres of the south-west corner, y.
    pub hy: i32,
    /// One value per column; NaN means no data.
    pub values: Values,
}

/// All cells of one measurement year, sorted by (hx, hy).
#[derive(Clone, Debug)]
pub struct YearScores {
    /// The measurement year (`jaar`).
    pub year: u16,
    /// Cells sorted by (hx, hy), unique.
    pub cells: Vec<CellRecord>,
    /// The weight of each cell (same order as `cells`) when the file has a weight column
    /// ([`WEIGHT_COLUMNS`]); an empty field weighs 0.
    pub weights: Option<Vec<f64>>,
}

impl YearScores {
    /// The weight of cell `i`: its weight column, or 1 in an unweighted file.
    pub fn weight(&self, i: usize) -> f64 {
        self.weights.as_ref().map_or(1.0, |w| w[i])
    }
}

/// Header names of an optional weight column (households, dwellings, residents), in order of
/// preference: the class distributions of the index then also sum these weights per class.
pub const WEIGHT_COLUMNS: [&str; 8] = [
    "weight",
    "gewicht",
    "huishoudens",
    "households",
    "woningen",
    "dwellings",
    "inwoners",
    "residents",
];

/// A parsed scores file.
#[derive(Clone, Debug)]
pub struct Scores {
    /// The file read.
    pub path: PathBuf,
    /// Years in ascending order.
    pub years: Vec<YearScores>,
    /// SHA-256 (hex) of the file's bytes.
    pub sha256: String,
    /// What `afw` is measured against, per year.
    pub reference: AfwReference,
    /// Number of data rows read.
    pub rows: u64,
    /// The weight column's name, when the file has one (see [`WEIGHT_COLUMNS`]).
    pub weight_column: Option<String>,
    /// The key column(s) as the header names them: `grid_id`, or `x,y`.
    pub key_column: String,
    /// Value fields that held a no-data word such as `NA` (read as no data).
    pub no_data_markers: u64,
}

/// The national reference level `afw` is measured against.
#[derive(Clone, Debug, PartialEq)]
pub struct AfwReference {
    /// `lbm - afw` per year: the mean over the year's cells of a file's own `afw`, or the one
    /// derived level of every year.
    pub by_year: BTreeMap<u16, f64>,
    /// Whether the tiler derived `afw` (the file has no `afw` column).
    pub derived: bool,
}

impl AfwReference {
    /// The largest difference between the levels of two years, when it is over the rounding of
    /// published values: `afw` is then measured against another level each year, and the total
    /// score's classes of different years are not comparable.
    pub fn spread(&self) -> Option<f64> {
        let (lo, hi) = self
            .by_year
            .values()
            .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        (hi - lo > 0.001).then_some(hi - lo)
    }

    /// The `lbm_reference` metadata of year `year`.
    pub fn metadata(&self, year: u16) -> Option<lbm_tileset::metadata::Reference> {
        Some(lbm_tileset::metadata::Reference {
            value: lbm_tileset::publish(*self.by_year.get(&year)?),
            source: if self.derived { "derived" } else { "file" }.into(),
            spread: self.spread().map(lbm_tileset::publish),
        })
    }
}

impl Scores {
    /// Scores made in memory rather than read (the demo's), with every column including `afw`
    /// and without weights: `years` in any order, each one's cells sorted by (hx, hy) and
    /// unique; years without cells are left out, as a file has no rows for them. `sha256` is
    /// left empty for the caller, who knows which bytes the scores stand for.
    pub fn from_years(path: PathBuf, mut years: Vec<YearScores>) -> Scores {
        years.retain(|y| !y.cells.is_empty());
        years.sort_by_key(|y| y.year);
        debug_assert!(years.iter().all(|y| y
            .cells
            .windows(2)
            .all(|w| (w[0].hx, w[0].hy) < (w[1].hx, w[1].hy))));
        let rows = years.iter().map(|y| y.cells.len() as u64).sum();
        let reference = fill_afw(&mut years, false, None);
        Scores {
            path,
            years,
            sha256: String::new(),
            reference,
            rows,
            weight_column: None,
            key_column: "grid_id".into(),
            no_data_markers: 0,
        }
    }

    /// The scores of one year, if present.
    pub fn year(&self, year: u16) -> Option<&YearScores> {
        self.years.iter().find(|y| y.year == year)
    }
}

/// Where the key columns are.
enum KeyColumns {
    GridId(usize),
    Xy(usize, usize),
}

/// Reads a grid scores CSV (see the crate docs for the accepted layouts).
///
/// The separator (`,` or `;`) is sniffed from the header line; with `;` decimal commas are
/// accepted. An empty field or a no-data word such as `NA` means "no data" for that measure.
/// When the file has no `afw` column, `afw` is derived as `lbm` minus one national reference
/// level for every year: the mean `lbm` of the first year's cells (see [`read_scores_with`]).
pub fn read_scores(path: &Path) -> Result<Scores> {
    read_scores_with(path, None, None)
}

/// As [`read_scores`], with the reference level of a derived `afw` given (`None`: the mean
/// `lbm` of the first year). A file's own `afw` is kept; where one of its rows lacks it, it is
/// filled in against that year's level (the mean `lbm - afw` of its other cells). Grid ids that
/// are not `E…N…` are looked up in `grid_keys` (the release's grid GeoPackage) when given.
pub fn read_scores_with(
    path: &Path,
    afw_reference: Option<f64>,
    grid_keys: Option<&GridKeys>,
) -> Result<Scores> {
    // Read whole: the chunks of the parallel parse are slices of it, and a second thread
    // hashes it meanwhile.
    let bytes = crate::input::spreadsheet::read_table(path)?;
    std::thread::scope(|s| {
        let sha256 = s.spawn(|| hex::encode(Sha256::digest(&bytes)));
        let parsed = parse_scores(path, &bytes, afw_reference, grid_keys);
        parsed.map(|mut scores| {
            scores.sha256 = sha256.join().expect("hashing does not panic");
            scores
        })
    })
}

/// [`read_scores_with`] of the file's `bytes`; its `sha256` is left empty.
fn parse_scores(
    path: &Path,
    bytes: &[u8],
    afw_reference: Option<f64>,
    grid_keys: Option<&GridKeys>,
) -> Result<Scores> {
    let input = ScoresCsv::open(path, bytes, "the file is empty")?;
    let file = ScoresFile {
        path,
        grid_keys,
        columns: ScoreColumns::find(path, &input.headers)?,
        headers: &input.headers,
        decimal_comma: input.decimal_comma,
        no_data_markers: AtomicU64::new(0),
    };
    let rows = input.par_map_rows(path, |record, line| file.row(record, line))?;
    if rows.is_empty() {
        return Err(TilerError::EmptyFile {
            path: path.to_path_buf(),
            what: "the file has a header but no data rows",
        });
    }
    let n_rows = rows.len() as u64;
    let no_data_markers = file.no_data_markers.load(Ordering::Relaxed);
    crate::input::csv::warn_no_data_markers(path, no_data_markers);
    let mut years = file.years(rows)?;
    let derived = file.columns.values[Column::Afw.index()].is_none();
    let reference = fill_afw(&mut years, derived, afw_reference);
    Ok(Scores {
        path: path.to_path_buf(),
        years,
        sha256: String::new(),
        reference,
        rows: n_rows,
        weight_column: file.columns.weight.map(|c| input.headers[c].clone()),
        key_column: match file.columns.key {
            KeyColumns::GridId(c) => input.headers[c].clone(),
            KeyColumns::Xy(x, y) => format!("{},{}", input.headers[x], input.headers[y]),
        },
        no_data_markers,
    })
}

/// Where the columns of a scores file are.
struct ScoreColumns {
    key: KeyColumns,
    year: usize,
    /// Per [`Column::ALL`], the column holding it (`afw` may be missing).
    values: Vec<Option<usize>>,
    weight: Option<usize>,
}

impl ScoreColumns {
    /// The columns by their names in `headers`; an error naming every required one missing.
    fn find(path: &Path, headers: &[String]) -> Result<Self> {
        let find = |name: &str| headers.iter().position(|h| h == name);
        let key = match (find("grid_id"), find("x"), find("y")) {
            (Some(g), _, _) => Some(KeyColumns::GridId(g)),
            (None, Some(x), Some(y)) => Some(KeyColumns::Xy(x, y)),
            _ => None,
        };
        let year = find("jaar").or_else(|| find("year"));
        let values: Vec<Option<usize>> = Column::ALL.iter().map(|c| find(c.name())).collect();
        let mut missing: Vec<&str> = Vec::new();
        if key.is_none() {
            missing.push("grid_id (or x and y)");
        }
        if year.is_none() {
            missing.push("jaar");
        }
        for c in Column::ALL {
            if c != Column::Afw && values[c.index()].is_none() {
                missing.push(c.name());
            }
        }
        match (key, year) {
            (Some(key), Some(year)) if missing.is_empty() => Ok(ScoreColumns {
                key,
                year,
                values,
                weight: WEIGHT_COLUMNS.iter().find_map(|n| find(n)),
            }),
            _ => Err(missing_columns(path, &missing, headers)),
        }
    }

    /// The first key column (0-based).
    fn key_column(&self) -> usize {
        match self.key {
            KeyColumns::GridId(c) | KeyColumns::Xy(c, _) => c,
        }
    }
}

/// One data row: its year, cell, line and weight.
type Row = (u16, CellRecord, u32, f64);

/// A scores file being read: what its rows are checked and converted with.
struct ScoresFile<'a> {
    path: &'a Path,
    /// Resolves grid ids that are not `E…N…`.
    grid_keys: Option<&'a GridKeys>,
    headers: &'a [String],
    columns: ScoreColumns,
    decimal_comma: bool,
    /// Value fields read so far that held a no-data word.
    no_data_markers: AtomicU64,
}

impl ScoresFile<'_> {
    /// A [`TilerError::BadNumber`] for field `col` of `line`.
    fn bad_number(&self, line: u64, col: usize, value: &str, expected: &'static str) -> TilerError {
        TilerError::BadNumber {
            path: self.path.to_path_buf(),
            line,
            column: col + 1,
            name: self.headers[col].clone(),
            value: value.to_string(),
            expected,
        }
    }

    /// Reads one data row.
    fn row(&self, record: &csv::StringRecord, line: u64) -> Result<Row> {
        let cell = self.cell(record, line)?;
        let year = self.year(record, line)?;
        let values = parse_values(
            self.path,
            record,
            line,
            self.headers,
            &self.columns.values,
            self.decimal_comma,
            &self.no_data_markers,
        )?;
        let weight = self.weight(record, line)?;
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        let cell = CellRecord {
            hx: cell.hx,
            hy: cell.hy,
            values,
        };
        Ok((year, cell, line, weight))
    }

    /// The row's cell, from its grid id or its RD New coordinates, inside the Netherlands.
    fn cell(&self, record: &csv::StringRecord, line: u64) -> Result<CellId> {
        let field = |col: usize| record.get(col).unwrap_or("");
        let cell = match self.columns.key {
            KeyColumns::GridId(c) => {
                let text = field(c);
                cell_of_id(text, self.grid_keys).ok_or_else(|| TilerError::BadGridId {
                    path: self.path.to_path_buf(),
                    line,
                    column: c + 1,
                    name: self.headers[c].clone(),
                    value: text.to_string(),
                    also: tried_also(self.grid_keys),
                })?
            }
            KeyColumns::Xy(cx, cy) => {
                let number = |c: usize| {
                    let (name, text) = (&self.headers[c], field(c));
                    parse_number(self.path, line, c, name, text, self.decimal_comma)
                };
                match (number(cx)?, number(cy)?) {
                    (Some(x), Some(y)) => CellId::from_xy(x, y),
                    (x, _) => {
                        let c = if x.is_none() { cx } else { cy };
                        // The field as written: empty, or a no-data word such as `NA`.
                        let text = field(c);
                        return Err(self.bad_number(
                            line,
                            c,
                            text,
                            "an RD New coordinate in metres",
                        ));
                    }
                }
            }
        };
        if !cell.in_netherlands() {
            let key = self.columns.key_column();
            return Err(TilerError::OutsideNetherlands {
                path: self.path.to_path_buf(),
                line,
                column: key + 1,
                name: self.headers[key].clone(),
                cell: cell.to_string(),
            });
        }
        Ok(cell)
    }

    /// The row's year.
    fn year(&self, record: &csv::StringRecord, line: u64) -> Result<u16> {
        let col = self.columns.year;
        let text = record.get(col).unwrap_or("");
        text.parse::<u16>()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| self.bad_number(line, col, text, "a year such as 2020"))
    }

    /// The row's weight: 1 without a weight column, 0 for an empty field.
    fn weight(&self, record: &csv::StringRecord, line: u64) -> Result<f64> {
        let Some(c) = self.columns.weight else {
            return Ok(1.0);
        };
        let text = record.get(c).unwrap_or("");
        match parse_number(
            self.path,
            line,
            c,
            &self.headers[c],
            text,
            self.decimal_comma,
        )? {
            None => Ok(0.0),
            Some(w) if w.is_finite() && w >= 0.0 => Ok(w),
            Some(_) => Err(self.bad_number(
                line,
                c,
                text,
                "a weight of 0 or more (households, dwellings)",
            )),
        }
    }

    /// The rows by year, each year's cells in cell order; a cell given twice in a year is an
    /// error reported at its second line.
    fn years(&self, mut rows: Vec<Row>) -> Result<Vec<YearScores>> {
        rows.par_sort_unstable_by_key(|(year, c, line, _)| (*year, c.hx, c.hy, *line));
        let mut years = Vec::new();
        for run in rows.chunk_by(|a, b| a.0 == b.0) {
            let year = run[0].0;
            if let Some(w) = run
                .windows(2)
                .find(|w| w[0].1.hx == w[1].1.hx && w[0].1.hy == w[1].1.hy)
            {
                let (a, b) = (&w[0], &w[1]);
                return Err(TilerError::DuplicateCell {
                    path: self.path.to_path_buf(),
                    line: u64::from(b.2),
                    column: self.columns.key_column() + 1,
                    cell: CellId {
                        hx: b.1.hx,
                        hy: b.1.hy,
                    }
                    .to_string(),
                    year,
                    first_line: u64::from(a.2),
                });
            }
            years.push(YearScores {
                year,
                cells: run.iter().map(|r| r.1).collect(),
                weights: self
                    .columns
                    .weight
                    .map(|_| run.iter().map(|r| r.3).collect()),
            });
        }
        Ok(years)
    }
}

/// Fills in `afw` where a cell has `lbm` but no `afw`, and says what `afw` is measured against.
///
/// Without an `afw` column, every year is measured against one level (`reference`, or the mean
/// `lbm` of the first year): a class then means the same in every year, and national
/// improvement shows as cells moving into better classes. With the column, a year's level is the
/// mean `lbm - afw` of its cells, and a row without `afw` is measured against it.
fn fill_afw(years: &mut [YearScores], derived: bool, reference: Option<f64>) -> AfwReference {
    let mean = |cells: &[CellRecord], f: &dyn Fn(&Values) -> f64| {
        let (s, n) = cells
            .iter()
            .map(|c| f(&c.values))
            .filter(|v| v.is_finite())
            .fold((0.0, 0u64), |(s, n), v| (s + v, n + 1));
        (n > 0).then(|| s / n as f64)
    };
    let fixed = if derived {
        reference.or_else(|| {
            years
                .iter()
                .find_map(|y| mean(&y.cells, &|v| v[Column::Lbm]))
        })
    } else {
        None
    };
    let mut by_year = BTreeMap::new();
    for y in years.iter_mut() {
        let level = fixed.or_else(|| mean(&y.cells, &|v| v[Column::Lbm] - v[Column::Afw]));
        let Some(level) = level else { continue };
        by_year.insert(y.year, level);
        for c in &mut y.cells {
            let v = &mut c.values;
            if v[Column::Lbm].is_finite() && !v[Column::Afw].is_finite() {
                v[Column::Afw] = v[Column::Lbm] - level;
            }
        }
    }
    AfwReference { by_year, derived }
}

fn missing_columns(path: &Path, missing: &[&str], headers: &[String]) -> TilerError {
    TilerError::MissingColumns {
        path: path.to_path_buf(),
        line: 1,
        missing: missing.join(", "),
        found: headers.join(","),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::File::create(&p)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        p
    }

    #[test]
    fn no_data_words_are_read_as_no_data_and_counted() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            &d,
            "na.csv",
            "grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won\n\
             E1213N4879,2020,4.2,0.1,NA,na,NaN,#N/A,NULL\n\
             E1213N4878,2020,4.0,.,-,N/A,None,\"NA\",0.1\n\
             E1213N4877,2020,4.1,0.1,0.1,0.1,0.1,0.1,0.1\n",
        );
        let s = read_scores(&p).unwrap();
        assert_eq!(s.no_data_markers, 10);
        let cells = &s.year(2020).unwrap().cells;
        assert_eq!(cells.len(), 3);
        let first = cells.iter().find(|c| c.hy == 4879).unwrap();
        assert_eq!(first.values[Column::Lbm], 4.2);
        for c in [
            Column::Fys,
            Column::Onv,
            Column::Soc,
            Column::Vrz,
            Column::Won,
        ] {
            assert!(first.values[c].is_nan(), "{c:?} is no data");
        }
        // A word that is no number and no no-data word still stops the build, at its place.
        let p = write(
            &d,
            "bad.csv",
            "grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won\nE1213N4879,2020,4.2,0.1,n.v.t.,0,0,0,0\n",
        );
        let e = read_scores(&p).unwrap_err().to_string();
        assert!(e.contains("line 2, column 5 (fys)"), "{e}");
    }

    #[test]
    fn reads_comma_file_any_order() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            &d,
            "a.csv",
            "jaar,grid_id,won,vrz,soc,onv,fys,afw,lbm\n2020,E1213N4879,0.1,0.2,0.3,0.4,0.5,0.06,4.2\n2020,E1213N4878,,,,,,,4.0\n2018,E1X2,,,,,,,\n",
        );
        let err = read_scores(&p).unwrap_err().to_string();
        assert!(err.contains("line 4, column 2 (grid_id)"), "{err}");
        let p = write(
            &d,
            "b.csv",
            "jaar,grid_id,won,vrz,soc,onv,fys,afw,lbm\n2020,E1213N4879,0.1,0.2,0.3,0.4,0.5,0.06,4.2\n2020,E1213N4878,,,,,,,4.0\n",
        );
        let s = read_scores(&p).unwrap();
        assert_eq!(s.years.len(), 1);
        let c = &s.years[0].cells;
        assert_eq!((c[0].hx, c[0].hy), (1213, 4878));
        assert_eq!(c[1].values[Column::Lbm], 4.2);
        assert_eq!(c[1].values[Column::Won], 0.1);
        assert!(c[0].values[Column::Fys].is_nan());
        assert_eq!(s.sha256.len(), 64);
        assert!(!s.reference.derived);
        // The file's afw is measured against 4.2 - 0.06; the row without afw against the same.
        assert!((s.reference.by_year[&2020] - 4.14).abs() < 1e-9);
        assert!((c[0].values[Column::Afw] - (4.0 - 4.14)).abs() < 1e-9);
    }

    #[test]
    fn accepts_bom_crlf_quotes_and_upper_case_headers() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            &d,
            "w.csv",
            "\u{feff}GRID_ID,Jaar,lbm,afw,fys,onv,soc,vrz,won\r\n\"E1213N4879\",2020,4.2,0.1,0.1,0.1,0.1,0.1,0.1\r\n",
        );
        let s = read_scores(&p).unwrap();
        assert_eq!(s.rows, 1);
        assert_eq!(s.years[0].cells[0].values[Column::Lbm], 4.2);
    }

    #[test]
    fn reads_semicolon_decimal_comma_xy_and_derives_afw() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            &d,
            "c.csv",
            "x;y;jaar;lbm;fys;onv;soc;vrz;won\n121350;487950;2022;4,5;0,1;;;;\n121250,5;487950;2022;3,5;;;;;\n",
        );
        let s = read_scores(&p).unwrap();
        assert!(s.reference.derived);
        let c = &s.years[0].cells;
        assert_eq!(
            (c[0].hx, c[0].hy, c[0].values[Column::Lbm]),
            (1212, 4879, 3.5)
        );
        assert!((c[0].values[Column::Afw] + 0.5).abs() < 1e-12);
        assert!((c[1].values[Column::Afw] - 0.5).abs() < 1e-12);
        assert_eq!(c[1].values[Column::Fys], 0.1);
    }

    #[test]
    fn reads_an_optional_weight_column() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            &d,
            "w.csv",
            "grid_id;jaar;lbm;fys;onv;soc;vrz;won;Huishoudens\nE1213N4879;2020;4,0;;;;;;12,5\nE1213N4878;2020;4,2;;;;;;\n",
        );
        let s = read_scores(&p).unwrap();
        assert_eq!(s.weight_column.as_deref(), Some("huishoudens"));
        let y = &s.years[0];
        assert_eq!(
            y.weights.as_deref(),
            Some(&[0.0, 12.5][..]),
            "sorted with the cells"
        );
        assert_eq!(y.weight(1), 12.5);
        let p = write(
            &d,
            "n.csv",
            "grid_id,jaar,lbm,fys,onv,soc,vrz,won,woningen\nE1213N4879,2020,4.0,,,,,,-3\n",
        );
        let err = read_scores(&p).unwrap_err().to_string();
        assert!(err.contains("line 2, column 9 (woningen)"), "{err}");
        let p = write(
            &d,
            "u.csv",
            "grid_id,jaar,lbm,fys,onv,soc,vrz,won\nE1213N4879,2020,4.0,,,,,\n",
        );
        let s = read_scores(&p).unwrap();
        assert!(s.weight_column.is_none() && s.years[0].weights.is_none());
        assert_eq!(s.years[0].weight(0), 1.0);
    }

    /// A derived afw is measured against one level for every year (the first year's mean, or
    /// the one given), so a rising national score shows as rising afw.
    #[test]
    fn derived_afw_has_one_reference_for_all_years() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            &d,
            "r.csv",
            "grid_id,jaar,lbm,fys,onv,soc,vrz,won\nE1213N4879,2014,4.0,,,,,\nE1213N4878,2014,4.2,,,,,\nE1213N4879,2020,4.3,,,,,\n",
        );
        let s = read_scores(&p).unwrap();
        assert_eq!(s.reference.by_year.len(), 2);
        assert!(s.reference.by_year.values().all(|v| (v - 4.1).abs() < 1e-9));
        assert!(s.reference.spread().is_none());
        let late = &s.years[1].cells[0].values;
        assert!((late[Column::Afw] - 0.2).abs() < 1e-9, "4.3 - 4.1");
        let s = read_scores_with(&p, Some(4.0), None).unwrap();
        assert!((s.years[1].cells[0].values[Column::Afw] - 0.3).abs() < 1e-9);
        assert_eq!(s.reference.metadata(2020).unwrap().value, 4.0);
        // A file whose afw is measured against each year's own mean says so.
        let p = write(
            &d,
            "f.csv",
            "grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won\nE1213N4879,2014,4.0,0,,,,,\nE1213N4879,2020,4.3,0,,,,,\n",
        );
        let s = read_scores(&p).unwrap();
        assert!((s.reference.spread().unwrap() - 0.3).abs() < 1e-9);
        assert_eq!(s.reference.metadata(2014).unwrap().source, "file");
    }
}

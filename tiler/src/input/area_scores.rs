//! Area scores CSV: the grid layout keyed by `bu_code`, `wk_code`, `gm_code` or `PC4` instead of
//! `grid_id`, read with the same rules (`,` or `;`, decimal commas with `;`, empty = no data).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use lbm_tileset::{Column, Values};

use crate::error::{Result, TilerError};
use crate::input::areas::{normalise_code, AreaLevel};
use crate::input::csv::{parse_values, ScoresCsv};

/// Scores per area code and year, from one or more files.
#[derive(Clone, Debug, Default)]
pub struct AreaScores {
    /// The files read.
    pub paths: Vec<PathBuf>,
    /// `(code, year)` → the values (NaN = no data; `afw` NaN when the file has no `afw`
    /// column).
    pub values: HashMap<(String, u16), Values>,
    /// The levels the files hold.
    pub levels: BTreeSet<AreaLevel>,
}

/// The levels in the order their key columns are looked for in a table: the finest first, as
/// a buurt table also carries the `wk_code` and `gm_code` of each buurt.
pub(crate) const FINEST_FIRST: [AreaLevel; 4] = [
    AreaLevel::Buurt,
    AreaLevel::Wijk,
    AreaLevel::Gemeente,
    AreaLevel::Pc4,
];

/// What one area scores file held.
#[derive(Clone, Debug)]
pub struct AreaScoresFile {
    /// Its level, from its key column.
    pub level: AreaLevel,
    /// The key column as the header names it.
    pub key: String,
    /// The years of its rows.
    pub years: BTreeSet<u16>,
    /// Its data rows.
    pub rows: u64,
    /// Value fields that held a no-data word such as `NA` (read as no data).
    pub no_data_markers: u64,
}

/// How the codes of one level's scores file meet its boundary files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeMatch {
    /// The level.
    pub level: AreaLevel,
    /// Codes with scores.
    pub scored: usize,
    /// Codes with scores but in no boundary file (not on the map).
    pub without_boundary: usize,
    /// Boundaries whose code has no scores (drawn without a score).
    pub without_scores: usize,
}

impl std::fmt::Display for CodeMatch {
    /// `pc4 scores: 3 codes, 1 in no boundary file (not on the map), 0 boundaries without scores`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} scores: {} codes, {} in no boundary file (not on the map), {} boundaries without \
             scores",
            self.level.layer(),
            self.scored,
            self.without_boundary,
            self.without_scores
        )
    }
}

/// The level of a normalised code (`BU…`, `WK…`, `GM…`, four digits).
fn level_of(code: &str) -> Option<AreaLevel> {
    AreaLevel::ALL
        .into_iter()
        .find(|l| normalise_code(*l, code).is_ok_and(|c| c == code))
}

fn bad(path: &Path, at: String, message: String) -> TilerError {
    TilerError::BadArea {
        path: path.to_path_buf(),
        feature: at,
        message,
    }
}

impl AreaScores {
    /// Reads one area scores file and adds it (a `(code, year)` given twice is an error);
    /// returns what it held.
    pub fn add_file(&mut self, path: &Path) -> Result<AreaScoresFile> {
        let bytes = crate::input::spreadsheet::read_table(path)?;
        let input = ScoresCsv::open(path, &bytes, "the area scores file is empty")?;
        let headers = input.headers.clone();
        let decimal_comma = input.decimal_comma;
        let find = |name: &str| headers.iter().position(|h| h == name);
        // The finest key present (CBS buurt files also carry wk_code and gm_code).
        let key = FINEST_FIRST
            .into_iter()
            .find_map(|l| find(l.key_column()).map(|c| (l, c)));
        let year_col = find("jaar").or_else(|| find("year"));
        let value_cols: Vec<Option<usize>> = Column::ALL.iter().map(|c| find(c.name())).collect();
        let mut missing: Vec<&str> = Vec::new();
        if key.is_none() {
            missing.push("bu_code, wk_code, gm_code or PC4");
        }
        if year_col.is_none() {
            missing.push("jaar");
        }
        for c in Column::ALL {
            if c != Column::Afw && value_cols[c.index()].is_none() {
                missing.push(c.name());
            }
        }
        let (Some((level, key_col)), Some(year_col), true) = (key, year_col, missing.is_empty())
        else {
            return Err(bad(
                path,
                "line 1".into(),
                format!(
                    "missing column(s) {}; expected a header with bu_code, wk_code, gm_code or \
                     PC4, jaar, lbm, fys, onv, soc, vrz, won and optionally afw (found: {})",
                    missing.join(", "),
                    headers.join(",")
                ),
            ));
        };
        let mut years = BTreeSet::new();
        let markers = AtomicU64::new(0);
        let rows = input.for_each_row(path, |record, line| {
            let field = |col: usize| record.get(col).unwrap_or("");
            let at = |col: usize| format!("line {line}, column {} ({})", col + 1, headers[col]);
            let code =
                normalise_code(level, field(key_col)).map_err(|m| bad(path, at(key_col), m))?;
            let year = field(year_col)
                .parse::<u16>()
                .ok()
                .filter(|y| (1900..=2100).contains(y))
                .ok_or_else(|| {
                    bad(
                        path,
                        at(year_col),
                        format!("{:?} is not a year such as 2020", field(year_col)),
                    )
                })?;
            let values = parse_values(
                path,
                record,
                line,
                &headers,
                &value_cols,
                decimal_comma,
                &markers,
            )?;
            years.insert(year);
            if self.values.insert((code.clone(), year), values).is_some() {
                return Err(bad(
                    path,
                    at(key_col),
                    format!("{code} in {year} is given twice; expected one row per area and year"),
                ));
            }
            Ok(())
        })?;
        if rows == 0 {
            return Err(TilerError::EmptyFile {
                path: path.to_path_buf(),
                what: "the area scores file has a header but no data rows",
            });
        }
        self.levels.insert(level);
        self.paths.push(path.to_path_buf());
        let no_data_markers = markers.into_inner();
        crate::input::csv::warn_no_data_markers(path, no_data_markers);
        Ok(AreaScoresFile {
            level,
            key: headers[key_col].clone(),
            years,
            rows,
            no_data_markers,
        })
    }

    /// How the codes of `level` in these scores meet the boundaries `areas` of that level.
    pub fn match_codes(&self, level: AreaLevel, areas: &[crate::input::areas::Area]) -> CodeMatch {
        let on_map: std::collections::HashSet<&str> =
            areas.iter().map(|a| a.code.as_str()).collect();
        let scored: BTreeSet<&str> = self
            .values
            .keys()
            .map(|(code, _)| code.as_str())
            .filter(|code| level_of(code) == Some(level))
            .collect();
        CodeMatch {
            level,
            scored: scored.len(),
            without_boundary: scored.iter().filter(|c| !on_map.contains(*c)).count(),
            without_scores: on_map.iter().filter(|c| !scored.contains(*c)).count(),
        }
    }

    /// For every level these scores hold, how its codes meet that level's boundaries among
    /// `levels` (none: every code is without one).
    pub fn match_levels(
        &self,
        levels: &[(AreaLevel, Vec<crate::input::areas::Area>)],
    ) -> Vec<CodeMatch> {
        self.levels
            .iter()
            .map(|&level| {
                let areas = levels
                    .iter()
                    .find(|(l, _)| *l == level)
                    .map_or(&[][..], |(_, a)| a.as_slice());
                self.match_codes(level, areas)
            })
            .collect()
    }

    /// The values of an area in a year, `afw` filled in as `lbm` minus `reference` (the
    /// national reference level of that year, as for the grid) when the file lacks it.
    pub fn get(&self, code: &str, year: u16, reference: f64) -> Option<Values> {
        let mut v = *self.values.get(&(code.to_string(), year))?;
        if v[Column::Afw].is_nan() {
            v[Column::Afw] = v[Column::Lbm] - reference;
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_semicolon_file_keyed_by_bu_code() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(
            &p,
            "gm_code;BU_CODE;jaar;lbm;fys;onv;soc;vrz;won\nGM0363;BU03630000;2020;4,2;0,1;;;;\n",
        )
        .unwrap();
        let mut s = AreaScores::default();
        assert_eq!(s.add_file(&p).unwrap().no_data_markers, 0);
        assert!(s.levels.contains(&AreaLevel::Buurt));
        let v = s.get("BU03630000", 2020, 4.0).unwrap();
        assert_eq!((v[Column::Lbm], v[Column::Fys]), (4.2, 0.1));
        assert!((v[Column::Afw] - 0.2).abs() < 1e-12);
        assert!(v[Column::Onv].is_nan());
        // No-data words as R or a database writes them: read as no data, counted.
        let q = dir.path().join("na.csv");
        std::fs::write(
            &q,
            "bu_code,jaar,lbm,fys,onv,soc,vrz,won\nBU03630001,2020,4.1,NA,NULL,.,0.1,0.1\n",
        )
        .unwrap();
        let file = s.add_file(&q).unwrap();
        assert_eq!(file.no_data_markers, 3);
        let v = s.get("BU03630001", 2020, 4.0).unwrap();
        assert!(v[Column::Fys].is_nan() && v[Column::Onv].is_nan() && v[Column::Soc].is_nan());
        assert_eq!(v[Column::Vrz], 0.1);
        std::fs::write(
            &p,
            "bu_code,jaar,lbm,fys,onv,soc,vrz,won\nBU036,2020,4,,,,,\n",
        )
        .unwrap();
        let e = AreaScores::default().add_file(&p).unwrap_err().to_string();
        assert!(e.contains("a.csv: line 2, column 1 (bu_code)"), "{e}");
        std::fs::write(&p, "code,jaar,lbm\n").unwrap();
        let e = AreaScores::default().add_file(&p).unwrap_err().to_string();
        assert!(
            e.contains("line 1: missing column(s) bu_code, wk_code"),
            "{e}"
        );
    }
}

//! The official development files held against the change maps: each change a file gives is
//! compared with the change the maps, the panel and the report show for that place and period
//! (`to − from` of the scores each shows, as published), so a build says whether the two agree.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use lbm_tileset::{change_value, CellId, Column};

use crate::input::development::{self, Development};
use crate::input::grid_geometry::GridKeys;
use crate::input::scores::Scores;
use crate::pipeline::PreparedAreas;

/// Two changes agree when they differ by at most the rounding of two published values.
const TOLERANCE: f64 = 0.0015;

/// What became of one development file.
#[derive(Clone, Debug)]
pub struct DevelopmentReport {
    /// The file.
    pub path: PathBuf,
    /// How it was read and compared, or why it was not read.
    pub outcome: Result<Comparison, String>,
}

/// A development file read and compared with the change the maps show.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    /// `pc4`, `buurt`, ... or `grid`.
    pub level: String,
    /// The key column.
    pub key: String,
    /// How its periods were found.
    pub layout: String,
    /// Its data rows.
    pub rows: u64,
    /// Its periods as `2014-2024`.
    pub periods: Vec<String>,
    /// Changes compared (place, period and measure given in the file and shown on the maps).
    pub compared: u64,
    /// Of those, the ones that differ by more than the rounding.
    pub differ: u64,
    /// Changes given for a place or period without scores of both years (a year not in the
    /// scores, a code with no boundary and no score).
    pub not_shown: u64,
    /// The first difference: place, period, measure, the file's value and the maps'.
    pub first_difference: Option<String>,
}

/// Reads development file `path` (its grid ids resolved with `grid_keys`, as the scores') and
/// compares it with the changes of `scores` and `areas`.
pub fn compare(
    path: &Path,
    grid_keys: Option<&GridKeys>,
    scores: &Scores,
    areas: &[PreparedAreas],
) -> DevelopmentReport {
    let outcome = development::read(path, grid_keys).map(|d| compare_read(&d, scores, areas));
    if let Ok(c) = &outcome {
        if c.differ > 0 {
            tracing::warn!(
                path = %path.display(),
                compared = c.compared,
                differ = c.differ,
                first = c.first_difference.as_deref().unwrap_or(""),
                "the development file gives other changes than the maps show (the maps show the \
                 difference of the scores)"
            );
        }
    }
    if let Err(why) = &outcome {
        tracing::warn!(path = %path.display(), "development file not read: {why}");
    }
    DevelopmentReport {
        path: path.to_path_buf(),
        outcome,
    }
}

/// Reads development file `path` without comparing it (`--dry-run`).
pub fn recognise(path: &Path, grid_keys: Option<&GridKeys>) -> DevelopmentReport {
    DevelopmentReport {
        path: path.to_path_buf(),
        outcome: development::read(path, grid_keys).map(|d| header(&d)),
    }
}

fn level_name(d: &Development) -> String {
    d.level.map_or("grid", |l| l.layer()).to_string()
}

fn periods(d: &Development) -> Vec<String> {
    d.periods.iter().map(|(f, t)| format!("{f}-{t}")).collect()
}

/// The change shown for place `code` from `from` to `to` in measure `m`, if any.
type Shown<'a> = Box<dyn Fn(&str, u16, u16, Column) -> Option<f64> + 'a>;

fn compare_read(d: &Development, scores: &Scores, areas: &[PreparedAreas]) -> Comparison {
    let shown: Shown<'_> = match d.level {
        None => Box::new(|code: &str, from: u16, to: u16, m: Column| {
            let cell = CellId::parse(code)?;
            let value = |year: u16| {
                let cells = &scores.year(year)?.cells;
                let i = cells
                    .binary_search_by_key(&(cell.hx, cell.hy), |c| (c.hx, c.hy))
                    .ok()?;
                let v = cells[i].values[m];
                (!v.is_nan()).then_some(v)
            };
            Some(change_value(value(from)?, value(to)?))
        }),
        Some(level) => {
            let Some(pa) = areas.iter().find(|pa| pa.layer.level == level) else {
                return Comparison {
                    not_shown: d.changes.values().map(given).sum(),
                    ..header(d)
                };
            };
            let index: HashMap<&str, usize> = pa
                .layer
                .areas
                .iter()
                .enumerate()
                .map(|(i, a)| (a.code.as_str(), i))
                .collect();
            Box::new(move |code: &str, from: u16, to: u16, m: Column| {
                let i = *index.get(code)?;
                let mean = |year: u16| pa.year(year).get(i)?.mean(m);
                Some(change_value(mean(from)?, mean(to)?))
            })
        }
    };
    let mut c = header(d);
    let mut keys: Vec<&(String, u16, u16)> = d.changes.keys().collect();
    keys.sort();
    for key in keys {
        let (code, from, to) = key;
        let values = &d.changes[key];
        for m in &d.measures {
            let official = values[*m];
            if official.is_nan() {
                continue;
            }
            match shown(code, *from, *to, *m) {
                None => c.not_shown += 1,
                Some(s) => {
                    c.compared += 1;
                    if (s - official).abs() > TOLERANCE {
                        c.differ += 1;
                        c.first_difference.get_or_insert_with(|| {
                            format!(
                                "{code} {from}-{to} {}: file {official:.3}, maps {s:.3}",
                                m.name()
                            )
                        });
                    }
                }
            }
        }
    }
    c
}

/// The values a row gives (not NaN).
fn given(v: &lbm_tileset::Values) -> u64 {
    v.0.iter().filter(|x| !x.is_nan()).count() as u64
}

/// What `d` holds, nothing compared yet.
fn header(d: &Development) -> Comparison {
    Comparison {
        level: level_name(d),
        key: d.key.clone(),
        layout: d.layout.clone(),
        rows: d.rows,
        periods: periods(d),
        ..Comparison::default()
    }
}

impl fmt::Display for DevelopmentReport {
    /// `development  F: level pc4, key pc4, period column periode, 6 rows, periods 2020-2022;
    /// the maps show the same change for 6 of 6 values`, or `not read     F: why`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = match &self.outcome {
            Err(why) => return write!(f, "not read     {}: {why}", self.path.display()),
            Ok(c) => c,
        };
        write!(
            f,
            "development  {}: level {}, key {}, {}, {} rows, periods {}",
            self.path.display(),
            c.level,
            c.key,
            c.layout,
            c.rows,
            c.periods.join(", ")
        )?;
        if c.compared == 0 && c.not_shown == 0 {
            return Ok(());
        }
        write!(
            f,
            "; the difference of the published scores (the change the maps, the panel and the \
             report show) is the same for {} of {} values compared",
            c.compared - c.differ,
            c.compared
        )?;
        if let Some(first) = &c.first_difference {
            write!(f, ", {} differ (first: {first})", c.differ)?;
        }
        if c.not_shown > 0 {
            write!(
                f,
                "; {} values for a place or period without scores of both years",
                c.not_shown
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::scores::{CellRecord, YearScores};
    use lbm_tileset::Values;

    fn year(year: u16, lbm: &[(i32, f64)]) -> YearScores {
        YearScores {
            year,
            cells: lbm
                .iter()
                .map(|&(hx, v)| {
                    let mut values = Values::EMPTY;
                    values[Column::Lbm] = v;
                    CellRecord {
                        hx,
                        hy: 4879,
                        values,
                    }
                })
                .collect(),
            weights: None,
        }
    }

    #[test]
    fn each_change_is_held_against_the_difference_of_the_scores() {
        let scores = Scores::from_years(
            "scores.csv".into(),
            vec![
                year(2020, &[(1213, 4.0), (1214, 4.1)]),
                year(2022, &[(1213, 4.25), (1214, 4.0)]),
            ],
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ontwikkeling grids.csv");
        std::fs::write(
            &path,
            "grid_id,jaar_van,jaar_tot,lbm\n\
             E1213N4879,2020,2022,0.250\n\
             E1214N4879,2020,2022,0.1\n\
             E1215N4879,2020,2022,0.3\n\
             E1213N4879,2018,2022,0.3\n",
        )
        .unwrap();
        let report = compare(&path, None, &scores, &[]);
        let c = report.outcome.as_ref().unwrap();
        assert_eq!((c.compared, c.differ, c.not_shown), (2, 1, 2));
        assert_eq!(
            c.first_difference.as_deref(),
            Some("E1214N4879 2020-2022 lbm: file 0.100, maps -0.100")
        );
        let text = report.to_string();
        assert!(
            text.contains("for 1 of 2 values compared, 1 differ (first: E1214N4879")
                && text.contains("; 2 values for a place or period without scores of both years"),
            "{text}"
        );
        // A table this cannot read is named with why, and never stops the build.
        std::fs::write(&path, "grid_id,jaar,lbm\nE1213N4879,2020,0.1\n").unwrap();
        let text = compare(&path, None, &scores, &[]).to_string();
        assert!(
            text.starts_with("not read     ") && text.contains("no period"),
            "{text}"
        );
    }
}

//! The Leefbaarometer's development files (`ontwikkeling`): the change of each area or cell
//! between two measured years, as published.
//!
//! Their column layout is not documented anywhere public. Read are the three layouts a table of
//! changes can take, with the key column of an area scores file (`bu_code`, `wk_code`,
//! `gm_code`, `PC4`) or `grid_id`:
//! - a period column (`periode`, `period`) holding both years (`2014-2024`, `2014 - 2024`,
//!   `2014_2024`, `14-24`), and value columns named by a measure (`lbm`, `ont_lbm`, `d_fys`);
//! - two year columns (`jaar_van`/`jaar_tot`, `van`/`tot`, `beginjaar`/`eindjaar`,
//!   `startjaar`/`eindjaar`, `jaar1`/`jaar2`, `from`/`to`), and value columns as above;
//! - one column per measure and period (`lbm_2014_2024`, `ont_lbm_14_24`).
//!
//! A file in none of these is named with why, never guessed. The change maps are made from the
//! scores (`to − from`, the same number in the tiles, the panel and the report); a development
//! file read here is compared with them value by value (see `pipeline::development`).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use lbm_tileset::{AreaLevel, Column, Values};

use crate::input::area_scores::FINEST_FIRST;
use crate::input::areas::normalise_code;
use crate::input::csv::{parse_number, ScoresCsv};
use crate::input::grid_geometry::{cell_of_id, tried_also, GridKeys};

/// The names of a column holding the start year of a period, and of the end year (lower case).
const FROM_COLUMNS: [&str; 9] = [
    "jaar_van",
    "van_jaar",
    "van",
    "beginjaar",
    "startjaar",
    "jaar_begin",
    "jaar1",
    "from",
    "year_from",
];
const TO_COLUMNS: [&str; 9] = [
    "jaar_tot",
    "tot_jaar",
    "tot",
    "eindjaar",
    "jaar_einde",
    "jaar_eind",
    "jaar2",
    "to",
    "year_to",
];
/// The names of a column holding a whole period.
const PERIOD_COLUMNS: [&str; 3] = ["periode", "period", "jaren"];

/// What a development file holds.
#[derive(Debug)]
pub struct Development {
    /// The file.
    pub path: PathBuf,
    /// The level of its keys; `None` for grid cells (`grid_id`).
    pub level: Option<AreaLevel>,
    /// The key column as the header names it.
    pub key: String,
    /// How its periods were found: "period column periode", "year columns van, tot", "one
    /// column per measure and period".
    pub layout: String,
    /// Its data rows.
    pub rows: u64,
    /// `(code, from, to)` → the change per measure (NaN where not given). Codes as the
    /// boundaries and area scores write them (`BU03630000`, `3511`), cells as `E1213N4879`.
    pub changes: HashMap<(String, u16, u16), Values>,
    /// The periods it holds.
    pub periods: BTreeSet<(u16, u16)>,
    /// The measures it gives a change of.
    pub measures: Vec<Column>,
}

/// Where a row's period comes from.
enum Periods {
    /// One column with both years; the value columns per measure.
    Column(usize, Vec<(Column, usize)>),
    /// A start and an end year column; the value columns per measure.
    Years(usize, usize, Vec<(Column, usize)>),
    /// Per column: its measure and period.
    Wide(Vec<(usize, Column, u16, u16)>),
}

/// Reads development file `path`, or says why it is not a development table this can read.
/// Grid ids that are not `E…N…` are looked up in `grid_keys` (the release's grid GeoPackage),
/// as in the grid scores file.
pub fn read(path: &Path, grid_keys: Option<&GridKeys>) -> std::result::Result<Development, String> {
    let bytes = crate::input::spreadsheet::read_table(path).map_err(|e| e.to_string())?;
    let input = ScoresCsv::open(path, &bytes, "the file is empty").map_err(|e| e.to_string())?;
    let headers = &input.headers;
    let find = |name: &str| headers.iter().position(|h| h == name);
    // The finest key present, as in an area scores file.
    let (level, key_col) = FINEST_FIRST
        .into_iter()
        .find_map(|l| find(l.key_column()).map(|c| (Some(l), c)))
        .or_else(|| find("grid_id").map(|c| (None, c)))
        .ok_or_else(|| {
            format!(
                "no key column: expected bu_code, wk_code, gm_code, PC4 or grid_id (found: {})",
                headers.join(", ")
            )
        })?;
    let periods = periods_of(headers)?.ok_or_else(|| {
        format!(
            "no period: expected a period column (periode: 2014-2024), a start and an end year \
             (jaar_van, jaar_tot), or one column per measure and period (lbm_2014_2024) \
             (found: {})",
            headers.join(", ")
        )
    })?;
    let layout = match &periods {
        Periods::Column(c, _) => format!("period column {}", headers[*c]),
        Periods::Years(f, t, _) => format!("year columns {}, {}", headers[*f], headers[*t]),
        Periods::Wide(_) => "one column per measure and period".to_string(),
    };
    let mut measures: Vec<Column> = match &periods {
        Periods::Column(_, v) | Periods::Years(_, _, v) => v.iter().map(|(m, _)| *m).collect(),
        Periods::Wide(v) => v.iter().map(|(_, m, _, _)| *m).collect(),
    };
    measures.sort_by_key(|m| m.index());
    measures.dedup();
    let mut changes: HashMap<(String, u16, u16), Values> = HashMap::new();
    let decimal_comma = input.decimal_comma;
    let rows = input
        .for_each_row(path, |record, line| {
            let field = |c: usize| record.get(c).unwrap_or("");
            let bad = |c: usize, why: String| crate::TilerError::Csv {
                path: path.to_path_buf(),
                line,
                message: format!("column {} ({}): {why}", c + 1, headers[c]),
            };
            let code = match level {
                Some(l) => normalise_code(l, field(key_col)).map_err(|m| bad(key_col, m))?,
                None => cell_of_id(field(key_col), grid_keys)
                    .ok_or_else(|| {
                        let also = tried_also(grid_keys);
                        bad(key_col, format!("not a grid id such as E1213N4879{also}"))
                    })?
                    .to_string(),
            };
            let number = |c: usize| {
                parse_number(path, line, c, &headers[c], field(c), decimal_comma)
                    .map(|v| v.unwrap_or(f64::NAN))
            };
            // Each (code, period) once: a second row for it is an error at that row.
            let mut row: Vec<((u16, u16), Column, f64)> = Vec::new();
            let mut put = |from: u16, to: u16, m: Column, v: f64| row.push(((from, to), m, v));
            match &periods {
                Periods::Column(c, values) => {
                    let (from, to) = period_of(field(*c))
                        .ok_or_else(|| bad(*c, "not a period such as 2014-2024".into()))?;
                    for (m, vc) in values {
                        put(from, to, *m, number(*vc)?);
                    }
                }
                Periods::Years(fc, tc, values) => {
                    let year = |c: usize| {
                        year_of(field(c)).ok_or_else(|| bad(c, "not a year such as 2014".into()))
                    };
                    let (from, to) = (year(*fc)?, year(*tc)?);
                    if from >= to {
                        return Err(bad(
                            *tc,
                            format!("the period {from}-{to} does not end after it starts"),
                        ));
                    }
                    for (m, vc) in values {
                        put(from, to, *m, number(*vc)?);
                    }
                }
                Periods::Wide(columns) => {
                    for (c, m, from, to) in columns {
                        put(*from, *to, *m, number(*c)?);
                    }
                }
            }
            let periods: BTreeSet<(u16, u16)> = row.iter().map(|(p, ..)| *p).collect();
            if let Some((from, to)) = periods
                .iter()
                .find(|(f, t)| changes.contains_key(&(code.clone(), *f, *t)))
            {
                return Err(bad(
                    key_col,
                    format!(
                        "{code} {from}-{to} is given twice; expected one row per place and period"
                    ),
                ));
            }
            for ((from, to), m, v) in row {
                changes
                    .entry((code.clone(), from, to))
                    .or_insert(Values::EMPTY)
                    .0[m.index()] = v;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    if rows == 0 {
        return Err("a header but no data rows".into());
    }
    Ok(Development {
        path: path.to_path_buf(),
        level,
        key: headers[key_col].clone(),
        layout,
        rows,
        periods: changes.keys().map(|(_, from, to)| (*from, *to)).collect(),
        changes,
        measures,
    })
}

/// How the header gives a row's period and values, if it does in a layout this reads; an
/// error when two columns give the same measure (of the same period).
fn periods_of(headers: &[String]) -> std::result::Result<Option<Periods>, String> {
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| headers.iter().position(|h| h == n))
    };
    // Value columns named by a measure alone (with a prefix or suffix word, no years).
    let values: Vec<(Column, usize)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let (measures, years) = words(h);
            (measures.len() == 1 && years.is_empty()).then(|| (measures[0], i))
        })
        .collect();
    let twice = |a: usize, b: usize| {
        format!(
            "two columns give the same measure: {} and {}; expected one column per measure \
             (and period)",
            headers[a], headers[b]
        )
    };
    if !values.is_empty() {
        for (k, (m, c)) in values.iter().enumerate() {
            if let Some((_, d)) = values[..k].iter().find(|(n, _)| n == m) {
                return Err(twice(*d, *c));
            }
        }
        if let Some(c) = find(&PERIOD_COLUMNS) {
            return Ok(Some(Periods::Column(c, values)));
        }
        if let (Some(f), Some(t)) = (find(&FROM_COLUMNS), find(&TO_COLUMNS)) {
            return Ok(Some(Periods::Years(f, t, values)));
        }
    }
    let wide: Vec<(usize, Column, u16, u16)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let (measures, years) = words(h);
            match (measures.as_slice(), years.as_slice()) {
                ([m], [from, to]) if from < to => Some((i, *m, *from, *to)),
                _ => None,
            }
        })
        .collect();
    for (k, (c, m, from, to)) in wide.iter().enumerate() {
        if let Some((d, ..)) = wide[..k]
            .iter()
            .find(|(_, n, f, t)| (n, f, t) == (m, from, to))
        {
            return Err(twice(*d, *c));
        }
    }
    Ok((!wide.is_empty()).then_some(Periods::Wide(wide)))
}

/// The measures and years named by the words of column name `h` (`ont_lbm_14_24`: lbm, 2014
/// and 2024).
fn words(h: &str) -> (Vec<Column>, Vec<u16>) {
    let mut measures = Vec::new();
    let mut years = Vec::new();
    for w in h
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if let Some(m) = Column::parse(w) {
            measures.push(m);
        } else if let Some(y) = year_of(w) {
            years.push(y);
        }
    }
    (measures, years)
}

/// `2014`, or `14` (2014) and `98` (1998), as a measured year.
fn year_of(text: &str) -> Option<u16> {
    let text = text.trim();
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: u16 = text.parse().ok()?;
    match text.len() {
        4 if (1990..=2100).contains(&y) => Some(y),
        2 if y >= 90 => Some(1900 + y),
        2 => Some(2000 + y),
        _ => None,
    }
}

/// `2014-2024`, `2014 - 2024`, `2014_2024`, `2014/2024` or `14-24`: the two years, the earlier
/// first.
fn period_of(text: &str) -> Option<(u16, u16)> {
    let years: Vec<u16> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .map(year_of)
        .collect::<Option<_>>()?;
    match years.as_slice() {
        [from, to] if from < to => Some((*from, *to)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> std::result::Result<Development, String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir
            .path()
            .join("Leefbaarometer-ontwikkeling PC4 2002-2024.csv");
        std::fs::write(&p, text).unwrap();
        read(&p, None)
    }

    #[test]
    fn a_period_column() {
        let d = read_text(
            "PC4;periode;lbm;fys\r\n3511;2014-2024;0,120;-0,01\r\n3511;2002 - 2024;NA;0,2\r\n",
        )
        .unwrap();
        assert_eq!(d.level, Some(AreaLevel::Pc4));
        assert_eq!(d.rows, 2);
        assert_eq!(d.measures, [Column::Lbm, Column::Fys]);
        assert_eq!(
            d.periods.iter().copied().collect::<Vec<_>>(),
            [(2002, 2024), (2014, 2024)]
        );
        let v = d.changes[&("3511".to_string(), 2014, 2024)];
        assert_eq!((v[Column::Lbm], v[Column::Fys]), (0.12, -0.01));
        assert!(d.changes[&("3511".to_string(), 2002, 2024)][Column::Lbm].is_nan());
        assert_eq!(period_of("98-02"), Some((1998, 2002)));
        assert_eq!(period_of("2024-2014"), None);
    }

    #[test]
    fn two_year_columns() {
        let d =
            read_text("bu_code,jaar_van,jaar_tot,ont_lbm\nBU03630000,2020,2024,0.05\n").unwrap();
        assert_eq!(d.level, Some(AreaLevel::Buurt));
        assert_eq!(d.layout, "year columns jaar_van, jaar_tot");
        assert_eq!(
            d.changes[&("BU03630000".to_string(), 2020, 2024)][Column::Lbm],
            0.05
        );
    }

    #[test]
    fn one_column_per_measure_and_period() {
        let d = read_text("grid_id,lbm_2014_2024,ont_fys_02_24\nE1213N4879,0.1,-0.2\n").unwrap();
        assert_eq!(d.level, None);
        let key = |f, t| ("E1213N4879".to_string(), f, t);
        assert_eq!(d.changes[&key(2014, 2024)][Column::Lbm], 0.1);
        assert_eq!(d.changes[&key(2002, 2024)][Column::Fys], -0.2);
    }

    #[test]
    fn a_buurt_file_is_keyed_by_its_buurt_code_not_its_gemeente() {
        let d = read_text(
            "gm_code,wk_code,bu_code,periode,lbm\n\
             GM0363,WK036300,BU03630000,2020-2022,0.1\n\
             GM0363,WK036300,BU03630001,2020-2022,0.2\n",
        )
        .unwrap();
        assert_eq!(d.level, Some(AreaLevel::Buurt));
        assert_eq!(d.changes.len(), 2);
    }

    #[test]
    fn what_cannot_be_read_is_named_with_why() {
        let e = read_text("PC4,periode,ont_lbm,lbm\n3511,2014-2024,0.1,0.1\n").unwrap_err();
        assert!(
            e.contains("two columns give the same measure: ont_lbm and lbm"),
            "{e}"
        );
        let e = read_text("PC4,van,tot,lbm\n3511,2024,2014,0.1\n").unwrap_err();
        assert!(e.contains("2024-2014 does not end after it starts"), "{e}");
        let e = read_text("PC4,periode,lbm\n3511,2014-2024,0.1\n3511,14-24,0.2\n").unwrap_err();
        assert!(
            e.contains("line 3") && e.contains("3511 2014-2024 is given twice"),
            "{e}"
        );
        let e = read_text("PC4,jaar,lbm\n3511,2024,0.1\n").unwrap_err();
        assert!(e.starts_with("no period"), "{e}");
        let e = read_text("postcode,periode,lbm\n3511,2014-2024,0.1\n").unwrap_err();
        assert!(e.starts_with("no key column"), "{e}");
        let e = read_text("PC4,periode,lbm\n3511,2014,0.1\n").unwrap_err();
        assert!(e.contains("line 2") && e.contains("periode"), "{e}");
    }
}

//! The report document of a place (the Netherlands, a gemeente, wijk, buurt or PC4 area): per
//! measure and year the populated cells per class (and their weights, from a weighted scores
//! file), the same for each change period, the published means and their classes, and the
//! dimension that lags the national level most. Answered by `/api/v1/.../report` and written by
//! the static site's export.
//!
//! The counts are the tiler's (`class_counts` of the index), computed with the classification
//! the tilesets carry; the classes of the means are classified with the catalog's, as the
//! point API does.

use serde::Serialize;

use lbm_tileset::Measure;

use super::values::{Meaning, YearJson};
use crate::catalog::Snapshot;
use crate::error::ApiError;
use crate::index::report::{CountRow, ReportData, NATIONAL_CODE};
use crate::index::{CellYear, PointIndex};

/// The distribution of one measure in one year or change period.
#[derive(Serialize)]
struct PeriodJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<i32>,
    #[serde(rename = "year", skip_serializing_if = "Option::is_none")]
    score_year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<i32>,
    /// Cells with a class (the denominator of `shares`).
    cells: u64,
    no_data: u64,
    counts: [u64; 9],
    /// Percent of `cells` per class (summing to 100 when `cells` > 0).
    shares: [f64; 9],
    #[serde(skip_serializing_if = "Option::is_none")]
    weights: Option<[f64; 9]>,
    /// Percent of the summed weight per class.
    #[serde(skip_serializing_if = "Option::is_none")]
    weight_shares: Option<[f64; 9]>,
}

/// Percentages of `parts` in their sum (all 0 when the sum is 0).
fn percentages<T: Copy + Into<f64>>(parts: &[T; 9]) -> [f64; 9] {
    let total: f64 = parts.iter().map(|p| (*p).into()).sum();
    parts.map(|p| {
        if total > 0.0 {
            100.0 * p.into() / total
        } else {
            0.0
        }
    })
}

impl PeriodJson {
    fn of(row: &CountRow) -> Self {
        let counts_f = row.counts.map(|c| c as f64);
        let (score_year, from, to) = match row.from {
            Some(f) => (None, Some(f), Some(row.year)),
            None => (Some(row.year), None, None),
        };
        PeriodJson {
            from,
            score_year,
            to,
            cells: row.counts.iter().sum(),
            no_data: row.no_data,
            counts: row.counts,
            shares: percentages(&counts_f),
            weights: row.weights,
            weight_shares: row.weights.as_ref().map(percentages),
        }
    }
}

/// The distributions of one measure.
#[derive(Serialize)]
struct MeasureJson<'a> {
    measure: &'a str,
    years: Vec<PeriodJson>,
    changes: Vec<PeriodJson>,
}

/// A dimension's mean against the national mean in one year.
#[derive(Serialize)]
struct LagJson {
    year: i32,
    value: f64,
    national: f64,
    difference: f64,
}

/// The dimension lagging the national level most in the last year with all five.
#[derive(Serialize)]
struct WeakestJson {
    measure: &'static str,
    /// Every year with both values, ordered.
    trend: Vec<LagJson>,
}

/// The area a wijk or buurt lies in.
#[derive(Serialize)]
struct ParentJson<'a> {
    code: &'a str,
    name: Option<&'a str>,
}

/// The areas structureel onder druk in or at the place, and the rule that marks them.
#[derive(Serialize)]
struct PressureJson<'a> {
    rule: &'a lbm_tileset::metadata::Pressure,
    /// Whether the place itself is marked (null for the Netherlands).
    marked: Option<bool>,
    buurten: u64,
    in_wijken: u64,
    in_gemeenten: u64,
    wijken: u64,
    gemeenten: u64,
}

/// The answer.
#[derive(Serialize)]
struct ReportJson<'a> {
    code: &'a str,
    level: &'a str,
    name: &'a str,
    gemeente: Option<ParentJson<'a>>,
    /// The scores file's weight column, when `weights` are given.
    weight: Option<&'a str>,
    /// Published means per year with their classes (as the point API gives them).
    means: Vec<YearJson<'a>>,
    measures: Vec<MeasureJson<'a>>,
    weakest: Option<WeakestJson>,
    /// Null when the index has no overlay rule (a build without one, or an older tiler).
    pressure: Option<PressureJson<'a>>,
}

/// The dimension whose mean lies furthest below the national mean in the last year in which
/// the area and the country have all five (an area's deviation of the total is, in the
/// Leefbaarometer's model, the sum of these differences).
fn weakest(means: &[CellYear], national: &[CellYear]) -> Option<WeakestJson> {
    let diff = |m: Measure, row: &CellYear| -> Option<LagJson> {
        let nat = national.iter().find(|n| n.year == row.year)?;
        let (v, n) = (row.value(m.id())?, nat.value(m.id())?);
        Some(LagJson {
            year: row.year,
            value: v,
            national: n,
            difference: lbm_tileset::publish(v - n),
        })
    };
    let last = means
        .iter()
        .rev()
        .find(|row| Measure::DIMENSIONS.iter().all(|m| diff(*m, row).is_some()))?;
    let m = Measure::DIMENSIONS.into_iter().min_by(|a, b| {
        let (da, db) = (diff(*a, last), diff(*b, last));
        let key = |d: Option<LagJson>| d.map_or(f64::MAX, |d| d.difference);
        key(da).total_cmp(&key(db))
    })?;
    Some(WeakestJson {
        measure: m.id(),
        trend: means.iter().filter_map(|row| diff(m, row)).collect(),
    })
}

/// The filters of the query string.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Filters {
    /// Only this measure.
    pub(crate) measure: Option<Measure>,
    /// Only this year (score years equal to it, change periods starting or ending in it).
    pub(crate) year: Option<i32>,
}

/// No filters: the whole report.
pub(crate) const ALL: Filters = Filters {
    measure: None,
    year: None,
};

/// The report document of `data` (read from `index` of `snapshot`) with `filters` applied, as
/// JSON text; a 404 for a measure or year it has no data for.
pub(crate) fn document(
    snapshot: &Snapshot,
    index: &PointIndex,
    data: &ReportData,
    filters: &Filters,
) -> Result<String, ApiError> {
    let code = data.code.as_str();
    if let Some(m) = filters.measure {
        if !data.counts.iter().any(|r| r.measure == m.id()) {
            return Err(ApiError::not_found(format!(
                "no distributions of measure {m} for {code}"
            )));
        }
    }
    if let Some(y) = filters.year {
        let known = data.counts.iter().any(|r| r.year == y || r.from == Some(y))
            || data.means.iter().any(|r| r.year == y);
        if !known {
            let years: std::collections::BTreeSet<i32> =
                data.means.iter().map(|r| r.year).collect();
            return Err(ApiError::not_found(format!(
                "no year {y} for {code}; years with data: {years:?}"
            )));
        }
    }
    let in_year =
        |year: i32, from: Option<i32>| filters.year.is_none_or(|y| y == year || from == Some(y));
    let meaning = Meaning::of(snapshot);
    let mut measures: Vec<MeasureJson<'_>> = Vec::new();
    for m in Measure::ALL {
        if filters.measure.is_some_and(|f| f != m) {
            continue;
        }
        let rows = data.counts.iter().filter(|r| r.measure == m.id());
        let (mut years, mut changes) = (Vec::new(), Vec::new());
        for r in rows.filter(|r| in_year(r.year, r.from)) {
            match r.from {
                None => years.push(PeriodJson::of(r)),
                Some(_) => changes.push(PeriodJson::of(r)),
            }
        }
        if !years.is_empty() || !changes.is_empty() {
            measures.push(MeasureJson {
                measure: m.id(),
                years,
                changes,
            });
        }
    }
    let means: Vec<CellYear> = data
        .means
        .iter()
        .filter(|r| filters.year.is_none_or(|y| y == r.year))
        .map(|r| CellYear {
            year: r.year,
            values: r
                .values
                .iter()
                .filter(|(n, _)| {
                    filters
                        .measure
                        .is_none_or(|m| *n == m.id() || (m == Measure::Lbm && *n == "afw"))
                })
                .cloned()
                .collect(),
        })
        .collect();
    let weakest = (data.code != NATIONAL_CODE)
        .then(|| weakest(&data.means, index.national_means()))
        .flatten();
    let gemeente = data.parent.as_deref().map(|p| ParentJson {
        code: p,
        name: data.parent_name.as_deref(),
    });
    let pressure = match (index.pressure_rule(), &data.pressure) {
        (Some(rule), Some(c)) => Some(PressureJson {
            rule,
            marked: c.marked,
            buurten: c.buurten,
            in_wijken: c.in_wijken,
            in_gemeenten: c.in_gemeenten,
            wijken: c.wijken,
            gemeenten: c.gemeenten,
        }),
        _ => None,
    };
    let weighted = data.counts.iter().any(|r| r.weights.is_some());
    let body = ReportJson {
        code: &data.code,
        level: &data.level,
        name: &data.name,
        gemeente,
        weight: index.weight_column().filter(|_| weighted),
        means: means
            .iter()
            .map(|row| YearJson::new(row, &meaning))
            .collect(),
        measures,
        weakest,
        pressure,
    };
    // Our own types always serialise.
    serde_json::to_string(&body).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year(y: i32, values: &[(&'static str, f64)]) -> CellYear {
        CellYear {
            year: y,
            values: values.to_vec(),
        }
    }

    #[test]
    fn shares_sum_to_one_hundred() {
        let s = percentages(&[1.0, 2.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 1.0]);
        assert!((s.iter().sum::<f64>() - 100.0).abs() < 1e-9);
        assert!((s[4] - 300.0 / 7.0).abs() < 1e-9);
        assert_eq!(percentages(&[0.0; 9]), [0.0; 9]);
    }

    #[test]
    fn the_weakest_dimension_lags_the_country_most() {
        let dims = |f: f64, won: f64, onv: f64| {
            vec![
                ("fys", f),
                ("won", won),
                ("vrz", 0.0),
                ("soc", 0.0),
                ("onv", onv),
            ]
        };
        let national = vec![
            year(2018, &dims(0.0, 0.0, 0.0)),
            year(2020, &dims(0.0, 0.0, -0.1)),
        ];
        // In 2020 onv is lowest in the area but also nationally: won lags the country more.
        let means = vec![
            year(2018, &dims(0.01, -0.02, -0.05)),
            year(2020, &dims(0.01, -0.04, -0.12)),
        ];
        let w = weakest(&means, &national).unwrap();
        assert_eq!(w.measure, "won");
        assert_eq!(w.trend.len(), 2);
        assert_eq!(w.trend[1].difference, -0.04);
        // Without all five dimensions in any year there is none.
        assert!(weakest(&[year(2020, &[("lbm", 4.0)])], &national).is_none());
    }
}

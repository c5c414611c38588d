//! The build's options checked and turned into a plan before any work starts: which measures,
//! which score years and change pairs, which zooms.

use std::path::PathBuf;

use lbm_tileset::metadata::{Pressure, TilesetKind};
use lbm_tileset::Measure;

use crate::aggregate::pyramid::{pyramid, ZoomLevel};
use crate::error::{Result, TilerError};
use crate::input::scores::Scores;
use crate::pipeline::BuildOptions;

/// One tileset to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// The scores of `measure` in `year`: `{measure}-{year}`.
    Score {
        /// The measure.
        measure: Measure,
        /// The year.
        year: u16,
    },
    /// The change of `measure` from `from` to `to`: `{measure}-{from}-{to}`.
    Change {
        /// The measure.
        measure: Measure,
        /// From-year.
        from: u16,
        /// To-year.
        to: u16,
    },
    /// The places of `measure` structureel onder druk over the plan's [`Plan::pressure`] period
    /// (`from` to `to`): `{measure}-pressure-{from}-{to}`.
    Pressure {
        /// The measure.
        measure: Measure,
        /// The period's first measured year.
        from: u16,
        /// Its last.
        to: u16,
    },
}

impl Job {
    /// The measure.
    pub fn measure(self) -> Measure {
        match self {
            Job::Score { measure, .. }
            | Job::Change { measure, .. }
            | Job::Pressure { measure, .. } => measure,
        }
    }

    /// The year shown (the to-year of a change map, the last year of a pressure period).
    pub fn year(self) -> u16 {
        match self {
            Job::Score { year, .. } => year,
            Job::Change { to, .. } | Job::Pressure { to, .. } => to,
        }
    }

    /// The from-year of a change map.
    pub fn from(self) -> Option<u16> {
        match self {
            Job::Score { .. } | Job::Pressure { .. } => None,
            Job::Change { from, .. } => Some(from),
        }
    }

    /// What the tileset shows, as its metadata says it.
    pub fn kind(self) -> TilesetKind {
        let measure = self.measure().id().to_string();
        match self {
            Job::Score { year, .. } => TilesetKind::Score {
                measure,
                year: i32::from(year),
            },
            Job::Change { from, to, .. } => TilesetKind::Change {
                measure,
                from: i32::from(from),
                to: i32::from(to),
            },
            Job::Pressure { from, to, .. } => TilesetKind::Pressure {
                measure,
                from: i32::from(from),
                to: i32::from(to),
            },
        }
    }

    /// The tileset id and file stem.
    pub fn name(self) -> String {
        match self {
            Job::Score { measure, year } => format!("{measure}-{year}"),
            Job::Change { measure, from, to } => format!("{measure}-{from}-{to}"),
            Job::Pressure { measure, from, to } => format!("{measure}-pressure-{from}-{to}"),
        }
    }
}

/// What the build will do.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The measures, in [`Measure::ALL`] order.
    pub measures: Vec<Measure>,
    /// The score years tiled, ascending.
    pub years: Vec<u16>,
    /// The change maps, by from-year then to-year.
    pub pairs: Vec<(u16, u16)>,
    /// The zooms and the cell level of each.
    pub zooms: Vec<ZoomLevel>,
    /// The rule of the "structureel onder druk" overlay of the total score, when the build makes
    /// one (the total score is built and the period has two measured years or more).
    pub pressure: Option<Pressure>,
}

impl Plan {
    /// Checks what can be checked without the scores file: zooms, measures, their
    /// classifications.
    pub fn check_options(opts: &BuildOptions) -> Result<(Vec<Measure>, Vec<ZoomLevel>)> {
        if opts.minzoom > opts.maxzoom || opts.maxzoom > 18 {
            return Err(TilerError::InvalidOption {
                option: "--minzoom/--maxzoom",
                message: format!(
                    "{}..{}; expected minzoom <= maxzoom <= 18",
                    opts.minzoom, opts.maxzoom
                ),
            });
        }
        if let Some(p) = opts.pressure.filter(|p| !(1..=8).contains(&p.max_class)) {
            return Err(TilerError::InvalidOption {
                option: "--pressure-class",
                message: format!(
                    "{}; expected a class from 1 to 8 (4: zwak or lower), or none",
                    p.max_class
                ),
            });
        }
        if let Some(r) = opts.afw_reference.filter(|r| !r.is_finite()) {
            return Err(TilerError::InvalidOption {
                option: "--afw-reference",
                message: format!("{r}; expected a finite score such as 4.05"),
            });
        }
        let names: Vec<String> = match &opts.measures {
            None => Measure::ALL.iter().map(|m| m.id().to_string()).collect(),
            Some(list) => list.clone(),
        };
        let mut measures = Vec::new();
        let mut column = 1;
        for name in &names {
            let m: Measure = name.parse().map_err(|_| TilerError::UnknownMeasure {
                path: PathBuf::from("--measures"),
                line: 1,
                column,
                name: name.clone(),
            })?;
            if opts.classification.get(m.id()).is_none()
                || opts.classification.change(m.id()).is_none()
            {
                return Err(TilerError::BadClassification {
                    path: opts.classification.source.clone(),
                    line: 0,
                    column: 0,
                    message: format!(
                        "no classification for measure {m}; expected a [measures.{m}] section"
                    ),
                });
            }
            if !measures.contains(&m) {
                measures.push(m);
            }
            column += name.len() + 1;
        }
        measures.sort_by_key(|m| Measure::rank(m.id()));
        Ok((measures, pyramid(opts.minzoom, opts.maxzoom)))
    }

    /// The whole plan, with the years and change pairs checked against the scores file.
    pub fn new(scores: &Scores, opts: &BuildOptions) -> Result<Self> {
        let (measures, zooms) = Self::check_options(opts)?;
        let in_file = |y: u16| scores.year(y).is_some();
        let listing = || {
            scores
                .years
                .iter()
                .map(|y| y.year.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let years: Vec<u16> = match &opts.years {
            None => scores.years.iter().map(|y| y.year).collect(),
            Some(list) => {
                if let Some(y) = list.iter().find(|y| !in_file(**y)) {
                    return Err(TilerError::InvalidOption {
                        option: "--years",
                        message: format!(
                            "{y} is not in {}; it has {}",
                            scores.path.display(),
                            listing()
                        ),
                    });
                }
                let mut l = list.clone();
                l.sort_unstable();
                l.dedup();
                l
            }
        };
        let pairs = match &opts.changes {
            None => default_change_pairs(&years),
            Some(list) => {
                for &(from, to) in list {
                    if from >= to {
                        return Err(TilerError::InvalidOption {
                            option: "--change",
                            message: format!("{from}:{to}; expected FROM:TO with FROM before TO"),
                        });
                    }
                    if let Some(y) = [from, to].into_iter().find(|y| !in_file(*y)) {
                        return Err(TilerError::InvalidOption {
                            option: "--change",
                            message: format!(
                                "{from}:{to}: {y} is not in {}; it has {}",
                                scores.path.display(),
                                listing()
                            ),
                        });
                    }
                }
                let mut l = list.clone();
                l.sort_unstable();
                l.dedup();
                l
            }
        };
        let pressure = opts
            .pressure
            .filter(|_| measures.contains(&Measure::Lbm))
            .and_then(|p| {
                // Every measured year of the period: of the file, also where --years tiles fewer.
                let years: Vec<i32> = scores
                    .years
                    .iter()
                    .map(|y| i32::from(y.year))
                    .filter(|y| *y >= i32::from(p.since))
                    .collect();
                if years.len() < 2 {
                    tracing::info!(
                        since = p.since,
                        years = years.len(),
                        "no structureel-onder-druk overlay: the period has fewer than two measured years"
                    );
                    return None;
                }
                Some(Pressure {
                    measure: Measure::Lbm.id().into(),
                    max_class: p.max_class,
                    since: i32::from(p.since),
                    years,
                })
            });
        Ok(Plan {
            measures,
            years,
            pairs,
            zooms,
            pressure,
        })
    }

    /// The years of the pressure period (empty without one).
    pub fn pressure_years(&self) -> Vec<u16> {
        self.pressure.as_ref().map_or_else(Vec::new, |p| {
            p.years
                .iter()
                .filter_map(|y| u16::try_from(*y).ok())
                .collect()
        })
    }

    /// Every tileset, measure by measure: its score years, then its change maps; the pressure
    /// overlay last.
    pub fn jobs(&self) -> Vec<Job> {
        let years = self.pressure_years();
        let pressure = match (years.first(), years.last()) {
            (Some(&from), Some(&to)) => Some(Job::Pressure {
                measure: Measure::Lbm,
                from,
                to,
            }),
            _ => None,
        };
        self.measures
            .iter()
            .flat_map(|&measure| {
                self.years
                    .iter()
                    .map(move |&year| Job::Score { measure, year })
                    .chain(self.pairs.iter().map(move |&(from, to)| Job::Change {
                        measure,
                        from,
                        to,
                    }))
            })
            .chain(pressure)
            .collect()
    }

    /// The years whose cells are needed: the score years and both years of every change pair.
    pub fn used_years(&self) -> Vec<u16> {
        let mut y: Vec<u16> = self
            .years
            .iter()
            .copied()
            .chain(self.pairs.iter().flat_map(|&(a, b)| [a, b]))
            .chain(self.pressure_years())
            .collect();
        y.sort_unstable();
        y.dedup();
        y
    }
}

/// The change maps built by default: every pair of consecutive years, and every earlier year to
/// the latest ("is it better than in 2014?"), in order.
pub fn default_change_pairs(years: &[u16]) -> Vec<(u16, u16)> {
    let mut pairs: Vec<(u16, u16)> = years.windows(2).map(|w| (w[0], w[1])).collect();
    if let Some((&last, earlier)) = years.split_last() {
        pairs.extend(earlier.iter().map(|&y| (y, last)));
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_changes_are_consecutive_and_to_the_latest() {
        assert_eq!(
            super::default_change_pairs(&[2014, 2018, 2020, 2022]),
            vec![
                (2014, 2018),
                (2014, 2022),
                (2018, 2020),
                (2018, 2022),
                (2020, 2022)
            ]
        );
        assert!(super::default_change_pairs(&[2022]).is_empty());
    }
}

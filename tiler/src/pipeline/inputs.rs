//! What each tileset is made from, as one digest (metadata row `lbm_inputs_sha256`): the tiler
//! version, the options that change its bytes, its classification, the cells of exactly its
//! years, and per area level the boundaries and that level's values in those years. Not the
//! whole scores file: when a new year is added, the tilesets of the other years keep their
//! digest, so a build into the same folder keeps them byte for byte (and the server keeps their
//! versioned URLs, so browser and CDN caches stay valid). Never a timestamp.

use std::collections::HashMap;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use lbm_tileset::Column;

use crate::aggregate::pyramid::AggCell;
use crate::input::scores::{Scores, YearScores};
use crate::pipeline::plan::{Job, Plan};
use crate::pipeline::{BuildOptions, PreparedAreas, GENERATOR};

/// The digests of the parts tilesets are made from, computed once per build.
pub struct InputDigests {
    /// Per year: its cells and their values, and the year's afw reference.
    years: HashMap<u16, [u8; 32]>,
    /// Per area level: its geometry, names and range (the same in every year).
    levels: Vec<[u8; 32]>,
    /// Per area level and year: the values of its areas.
    level_years: Vec<HashMap<u16, [u8; 32]>>,
}

fn finish(h: Sha256) -> [u8; 32] {
    h.finalize().into()
}

fn year_digest(y: &YearScores, reference: Option<String>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(y.year.to_le_bytes());
    for c in &y.cells {
        h.update(c.hx.to_le_bytes());
        h.update(c.hy.to_le_bytes());
        for col in Column::ALL {
            h.update(c.values[col].to_bits().to_le_bytes());
        }
    }
    if let Some(w) = &y.weights {
        for v in w {
            h.update(v.to_bits().to_le_bytes());
        }
    }
    h.update(reference.unwrap_or_default().as_bytes());
    finish(h)
}

fn level_digest(pa: &PreparedAreas) -> [u8; 32] {
    let l = &pa.layer;
    let mut h = Sha256::new();
    h.update(l.level.layer().as_bytes());
    h.update([l.minzoom, l.maxzoom, u8::from(pa.from_file)]);
    for a in &l.areas {
        h.update(a.code.as_bytes());
        h.update([0]);
        h.update(a.name.as_bytes());
        h.update([0]);
        for polygon in &a.polygons {
            h.update([1]);
            for ring in polygon {
                h.update([2]);
                for &(x, y) in ring {
                    h.update(x.to_bits().to_le_bytes());
                    h.update(y.to_bits().to_le_bytes());
                }
            }
        }
    }
    finish(h)
}

fn aggs_digest(aggs: &[AggCell]) -> [u8; 32] {
    let mut h = Sha256::new();
    for a in aggs {
        for s in a.sums {
            h.update(s.to_bits().to_le_bytes());
        }
        for n in a.counts {
            h.update(n.to_le_bytes());
        }
    }
    finish(h)
}

impl InputDigests {
    /// The digests of every year of `scores` and every area level of `areas`.
    pub fn new(scores: &Scores, areas: &[PreparedAreas]) -> Self {
        let years = scores
            .years
            .par_iter()
            .map(|y| {
                let reference = scores
                    .reference
                    .metadata(y.year)
                    .and_then(|r| serde_json::to_string(&r).ok());
                (y.year, year_digest(y, reference))
            })
            .collect();
        let levels = areas.par_iter().map(level_digest).collect();
        let level_years = areas
            .par_iter()
            .map(|pa| {
                pa.aggs
                    .iter()
                    .map(|(year, aggs)| (*year, aggs_digest(aggs)))
                    .collect()
            })
            .collect();
        InputDigests {
            years,
            levels,
            level_years,
        }
    }

    /// The years whose cells `job` draws.
    pub fn years_of(job: Job, plan: &Plan) -> Vec<u16> {
        match job {
            Job::Score { year, .. } => vec![year],
            Job::Change { from, to, .. } => vec![from, to],
            Job::Pressure { .. } => plan.pressure_years(),
        }
    }

    /// The years whose cells any of `jobs` draws, ascending, each once.
    pub fn years_of_all(jobs: &[Job], plan: &Plan) -> Vec<u16> {
        let mut years: Vec<u16> = jobs.iter().flat_map(|&j| Self::years_of(j, plan)).collect();
        years.sort_unstable();
        years.dedup();
        years
    }

    /// The digest (hex) of what `job` of `plan` is made from.
    pub fn of(&self, job: Job, opts: &BuildOptions, plan: &Plan, scores: &Scores) -> String {
        let mut h = Sha256::new();
        let mut text = |s: &str| {
            h.update(s.as_bytes());
            h.update([0]);
        };
        text(GENERATOR);
        text(&job.name());
        text(&format!(
            "{}/{}/{}/{:?}/{:?}",
            opts.minzoom, opts.maxzoom, opts.gzip_level, opts.attribution, opts.attribution_nl
        ));
        let zooms: Vec<(u8, u8)> = plan.zooms.iter().map(|z| (z.zoom, z.level)).collect();
        text(&format!("{zooms:?}"));
        let measure = job.measure().id();
        let classes = match job {
            Job::Score { .. } | Job::Pressure { .. } => opts.classification.get(measure),
            Job::Change { .. } => opts.classification.change(measure),
        };
        text(&serde_json::to_string(&classes).unwrap_or_default());
        if let Job::Pressure { .. } = job {
            text(&serde_json::to_string(&plan.pressure).unwrap_or_default());
        }
        text(scores.weight_column.as_deref().unwrap_or(""));
        let years = Self::years_of(job, plan);
        for y in &years {
            h.update(y.to_le_bytes());
            h.update(self.years.get(y).copied().unwrap_or_default());
        }
        for (i, level) in self.levels.iter().enumerate() {
            h.update(level);
            for y in &years {
                h.update(self.level_years[i].get(y).copied().unwrap_or_default());
            }
        }
        hex::encode(h.finalize())
    }
}

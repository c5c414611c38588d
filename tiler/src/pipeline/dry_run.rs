//! `lbm-tiler build --dry-run`: every input read and checked as the build reads it, and what the
//! build would write, without writing anything.

use std::fmt;
use std::path::PathBuf;

use crate::error::Result;
use crate::input::area_scores::{AreaScores, AreaScoresFile, CodeMatch};
use crate::input::grid_geometry::GridKeys;
use crate::input::scores::{read_scores_with, Scores};
use crate::pipeline::development::{recognise, DevelopmentReport};
use crate::pipeline::plan::{Job, Plan};
use crate::pipeline::{load_areas, BoundaryReport, BuildOptions, INDEX_FILE};

/// What the inputs hold and what a build of them would write.
#[derive(Debug)]
pub struct DryRun {
    /// The grid scores file: key, years, rows.
    pub scores: ScoresReport,
    /// The grid GeoPackage, with how many cells it resolves.
    pub grid_keys: Option<(PathBuf, String, usize)>,
    /// Each area scores file: level, key, years, rows.
    pub area_scores: Vec<(PathBuf, AreaScoresFile)>,
    /// Each boundary file: areas per level, repairs, features left out.
    pub boundaries: Vec<BoundaryReport>,
    /// Per level with an area scores file: how its codes meet the boundaries.
    pub code_matches: Vec<CodeMatch>,
    /// Each development file: how it was read, or why not.
    pub development: Vec<DevelopmentReport>,
    /// The tilesets the build would write, in build order.
    pub jobs: Vec<Job>,
    /// The output folder.
    pub out_dir: PathBuf,
    /// Whether the point index would be written.
    pub index: bool,
}

/// The grid scores file as read.
#[derive(Debug)]
pub struct ScoresReport {
    /// The file.
    pub path: PathBuf,
    /// The key column(s).
    pub key: String,
    /// Years with their rows.
    pub years: Vec<(u16, usize)>,
    /// Data rows.
    pub rows: u64,
    /// Value fields that held a no-data word such as `NA`.
    pub no_data_markers: u64,
}

impl ScoresReport {
    fn of(scores: &Scores) -> Self {
        ScoresReport {
            path: scores.path.clone(),
            key: scores.key_column.clone(),
            years: scores
                .years
                .iter()
                .map(|y| (y.year, y.cells.len()))
                .collect(),
            rows: scores.rows,
            no_data_markers: scores.no_data_markers,
        }
    }
}

/// Reads and checks every input of `opts` as [`crate::build`] would, and plans the build;
/// writes nothing. Errors are the build's errors.
pub fn dry_run(opts: &BuildOptions) -> Result<DryRun> {
    Plan::check_options(opts)?;
    let grid_keys = opts
        .grid_geometry
        .as_deref()
        .map(GridKeys::read)
        .transpose()?;
    let scores = read_scores_with(&opts.scores, opts.afw_reference, grid_keys.as_ref())?;
    let plan = Plan::new(&scores, opts)?;
    let (levels, boundaries) = load_areas(opts)?;
    let mut file_scores = AreaScores::default();
    let mut area_scores = Vec::new();
    for p in &opts.area_scores {
        area_scores.push((p.clone(), file_scores.add_file(p)?));
    }
    let code_matches = file_scores.match_levels(&levels);
    let development = opts
        .development
        .iter()
        .map(|p| recognise(p, grid_keys.as_ref()))
        .collect();
    Ok(DryRun {
        scores: ScoresReport::of(&scores),
        grid_keys: grid_keys.map(|k| (k.path, k.column, k.cells.len())),
        area_scores,
        boundaries,
        code_matches,
        development,
        jobs: plan.jobs(),
        out_dir: opts.out_dir.clone(),
        index: opts.write_index,
    })
}

/// `12 value fields held a no-data word (NA, …), read as no data`.
pub(crate) fn no_data_note(markers: u64) -> String {
    format!(
        "{markers} value fields held a no-data word ({}), read as no data",
        crate::input::csv::NO_DATA_MARKERS.join(", ")
    )
}

/// [`no_data_note`] after `; `, or nothing when there were none.
fn no_data_suffix(markers: u64) -> String {
    if markers == 0 {
        return String::new();
    }
    format!("; {}", no_data_note(markers))
}

/// Years as `2002, 2008, 2012`.
fn years_text(years: impl IntoIterator<Item = u16>) -> String {
    years
        .into_iter()
        .map(|y| y.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for DryRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.scores;
        writeln!(
            f,
            "grid scores  {}: key {}, {} rows, years {}{}",
            s.path.display(),
            s.key,
            s.rows,
            s.years
                .iter()
                .map(|(y, n)| format!("{y} ({n} cells)"))
                .collect::<Vec<_>>()
                .join(", "),
            no_data_suffix(s.no_data_markers)
        )?;
        if let Some((path, column, cells)) = &self.grid_keys {
            writeln!(
                f,
                "grid cells   {}: {cells} cell polygons keyed by {column}",
                path.display()
            )?;
        }
        for (path, a) in &self.area_scores {
            writeln!(
                f,
                "area scores  {}: level {}, key {}, {} rows, years {} (the scores of the file, \
                 \"scores\":\"file\"){}",
                path.display(),
                a.level.layer(),
                a.key,
                a.rows,
                years_text(a.years.iter().copied()),
                no_data_suffix(a.no_data_markers)
            )?;
        }
        for b in &self.boundaries {
            let levels: Vec<String> = b
                .levels
                .iter()
                .map(|(l, n)| format!("{n} {}", l.layer()))
                .collect();
            write!(
                f,
                "boundaries   {}: {}",
                b.path.display(),
                levels.join(", ")
            )?;
            b.write_notes(f)?;
            writeln!(f)?;
        }
        for m in &self.code_matches {
            writeln!(f, "{m}")?;
        }
        for d in &self.development {
            writeln!(f, "{d}")?;
        }
        let derived: Vec<&str> = self
            .boundaries
            .iter()
            .flat_map(|b| &b.levels)
            .map(|(l, _)| *l)
            .filter(|l| !self.code_matches.iter().any(|m| m.level == *l))
            .map(|l| l.layer())
            .collect();
        if !derived.is_empty() {
            writeln!(
                f,
                "levels scored as the mean of their cells (\"scores\":\"derived\"): {}",
                derived.join(", ")
            )?;
        }
        let count = |pick: fn(&Job) -> bool| self.jobs.iter().filter(|j| pick(j)).count();
        writeln!(
            f,
            "would write {} tilesets into {}: {} score, {} change, {} overlay{}",
            self.jobs.len(),
            self.out_dir.display(),
            count(|j| matches!(j, Job::Score { .. })),
            count(|j| matches!(j, Job::Change { .. })),
            count(|j| matches!(j, Job::Pressure { .. })),
            if self.index {
                format!(", and the point index {INDEX_FILE}")
            } else {
                String::new()
            }
        )?;
        let names: Vec<String> = self.jobs.iter().map(|j| j.name()).collect();
        writeln!(f, "  {}", names.join(" "))?;
        writeln!(f, "dry run: nothing written")
    }
}

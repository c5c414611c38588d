//! The build, stage by stage: read the scores and the area files (`input`), aggregate them to
//! the pyramid's cells and to areas (`aggregate`), cut the area geometry into tiles (`geometry`),
//! then encode and write each tileset (`tileset`) and the rows of the point index (`index`).

pub mod development;
pub mod dry_run;
pub mod index;
pub mod inputs;
pub mod plan;
pub mod summary;
pub mod tileset;

pub use summary::{BoundaryReport, BuildSummary, TilesetSummary};

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::aggregate::areas::Membership;
use crate::aggregate::pyramid::{aggregate, coarsen, AggCell, Lattice, LevelGeometry};
use crate::aggregate::pyramid::{DEFAULT_MAXZOOM, DEFAULT_MINZOOM};
use crate::error::{Result, TilerError};
use crate::geometry::area_tiles::AreaLayer;
use crate::input::area_scores::{AreaScores, CodeMatch};
use crate::input::areas::{read_areas, split_layer, Area, AreaLevel};
use crate::input::classes::ClassificationSet;
use crate::input::grid_geometry::GridKeys;
use crate::input::scores::{read_scores_with, Scores};
use crate::output;
use crate::output::OutputFormat;
use plan::Plan;

pub use lbm_formats::index::INDEX_FILE;
/// Tiles above this compressed size are reported as a warning.
pub const MAX_TILE_BYTES: u64 = 500 * 1024;
/// The generator string written into every file.
pub const GENERATOR: &str = concat!("lbm-tiler ", env!("CARGO_PKG_VERSION"));

/// What to build.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// The grid scores CSV.
    pub scores: PathBuf,
    /// Output folder (created when missing).
    pub out_dir: PathBuf,
    /// Only these years (all years in the file when `None`).
    pub years: Option<Vec<u16>>,
    /// Only these measures (all six when `None`).
    pub measures: Option<Vec<String>>,
    /// The classification (the embedded default unless read with [`ClassificationSet::load`]).
    pub classification: ClassificationSet,
    /// Lowest zoom.
    pub minzoom: u8,
    /// Highest zoom.
    pub maxzoom: u8,
    /// The `attribution` metadata row.
    pub attribution: String,
    /// Its Dutch version (`lbm_attribution_nl`), for the web map in Dutch.
    pub attribution_nl: Option<String>,
    /// Show progress bars (they also stay hidden when stderr is not a terminal).
    pub progress: bool,
    /// Also write [`INDEX_FILE`] (always with every year of the scores file).
    pub write_index: bool,
    /// gzip level of the tiles (default [`crate::encode::GZIP_LEVEL`]).
    pub gzip_level: u32,
    /// Change maps `(from, to)`: `None` = each pair of consecutive selected years; `Some(vec![])`
    /// = none.
    pub changes: Option<Vec<(u16, u16)>>,
    /// Area boundary files (GeoJSON, FlatGeobuf, GeoPackage); their scores are derived from the
    /// grid cells whose centre lies inside.
    pub areas: Vec<PathBuf>,
    /// Areas already read (the demo's embedded municipalities), added to those of `areas`.
    pub area_features: Vec<Area>,
    /// Area scores CSV files (keyed by bu_code, wk_code, gm_code or PC4); a level they hold
    /// takes its scores from them instead of deriving them from the cells.
    pub area_scores: Vec<PathBuf>,
    /// The Leefbaarometer's development files (`ontwikkeling`): read and compared with the
    /// change the maps show (the difference of the scores), in the build summary.
    pub development: Vec<PathBuf>,
    /// Which files to write per tileset: `{name}.mbtiles`, `{name}.pmtiles` or both.
    pub format: OutputFormat,
    /// The national reference level of a derived `afw` (scores files without an `afw` column);
    /// `None`: the mean `lbm` of the first year.
    pub afw_reference: Option<f64>,
    /// The "structureel onder druk" overlay of the total score (`None`: none).
    pub pressure: Option<PressureOptions>,
    /// The grid GeoPackage of the open data: resolves the scores' grid ids that are not
    /// `E…N…` to the cells of its polygons.
    pub grid_geometry: Option<PathBuf>,
    /// An area without a usable polygon is an error instead of being left off the map (and
    /// kept in the index).
    pub strict: bool,
}

/// The rule of the "structureel onder druk" overlay: places whose total score is in class
/// `max_class` or lower in every measured year from `since` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PressureOptions {
    /// The highest class under pressure (1..8).
    pub max_class: u8,
    /// The first year of the period.
    pub since: u16,
}

impl Default for PressureOptions {
    /// "Zwak" (class 4) or lower in every measured year from 2014 on.
    fn default() -> Self {
        PressureOptions {
            max_class: 4,
            since: 2014,
        }
    }
}

impl BuildOptions {
    /// Defaults: all years and measures, the embedded classification, zooms 5..11, index on,
    /// MBTiles only.
    pub fn new(scores: impl Into<PathBuf>, out_dir: impl Into<PathBuf>) -> Self {
        BuildOptions {
            scores: scores.into(),
            out_dir: out_dir.into(),
            years: None,
            measures: None,
            classification: ClassificationSet::embedded(),
            minzoom: DEFAULT_MINZOOM,
            maxzoom: DEFAULT_MAXZOOM,
            attribution: "Leefbaarometer (Ministerie van BZK), leefbaarometer.nl".into(),
            attribution_nl: None,
            progress: true,
            write_index: true,
            gzip_level: crate::encode::GZIP_LEVEL,
            changes: None,
            areas: Vec::new(),
            area_features: Vec::new(),
            area_scores: Vec::new(),
            development: Vec::new(),
            format: OutputFormat::default(),
            afw_reference: None,
            pressure: Some(PressureOptions::default()),
            grid_geometry: None,
            strict: false,
        }
    }
}

/// Reads the scores file and builds every selected tileset (see [`build_from_scores`]).
pub fn build(opts: &BuildOptions) -> Result<BuildSummary> {
    let started = Instant::now();
    // Fail on bad options before spending time on the scores file.
    Plan::check_options(opts)?;
    let boundary_files = opts.areas.iter().map(|a| split_layer(a).0);
    for a in boundary_files.chain(opts.area_scores.iter().cloned()) {
        if !a.is_file() {
            return Err(TilerError::io(
                &a,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such boundary file"),
            ));
        }
    }
    let grid_keys = opts
        .grid_geometry
        .as_deref()
        .map(|path| {
            tracing::info!(path = %path.display(), "reading the grid cells' ids");
            GridKeys::read(path)
        })
        .transpose()?;
    tracing::info!(path = %opts.scores.display(), "reading scores");
    // The boundary files are read meanwhile: neither needs the other.
    let (scores, areas) = rayon::join(
        || read_scores_with(&opts.scores, opts.afw_reference, grid_keys.as_ref()),
        || load_areas(opts),
    );
    let scores = scores?;
    tracing::info!(
        rows = scores.rows,
        years = scores.years.len(),
        "scores read"
    );
    if let Some(spread) = scores.reference.spread() {
        tracing::warn!(
            path = %opts.scores.display(),
            spread = format!("{spread:.3}"),
            "afw is measured against a different national level in different years (lbm - afw \
             differs by {spread:.3}): classes of the total score are not comparable over time"
        );
    }
    let mut summary = build_with_areas(&scores, grid_keys.as_ref(), areas?, opts)?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// The areas of one level.
pub(crate) type LevelAreas = (AreaLevel, Vec<Area>);

/// Reads the boundary files and the preloaded areas, groups them by level (first of a code wins).
/// Returns per file what was repaired or skipped, each also logged as one warning.
pub(crate) fn load_areas(opts: &BuildOptions) -> Result<(Vec<LevelAreas>, Vec<BoundaryReport>)> {
    let mut all: Vec<Area> = opts.area_features.clone();
    // After every drawn area, so that a code drawn by another file is not shadowed.
    let mut unmapped: Vec<Area> = Vec::new();
    let mut reports = Vec::new();
    // Read side by side (a file's parse and repairs are one thread's work), then taken in the
    // order given: the first of a code wins, and the logs and the summary keep that order.
    let files: Vec<_> = opts.areas.par_iter().map(|p| read_areas(p)).collect();
    for (path, file) in opts.areas.iter().zip(files) {
        let file = file?;
        tracing::info!(path = %path.display(), areas = file.areas.len(), "boundaries read");
        if !file.log.repairs.is_empty() {
            tracing::warn!(path = %path.display(), "{}", file.log.repairs);
        }
        if file.log.water > 0 {
            tracing::info!(path = %path.display(), water = file.log.water, "water-only areas left out");
        }
        if let Some(why) = file.log.unusable_summary() {
            if opts.strict {
                return Err(TilerError::BadArea {
                    path: path.clone(),
                    feature: file.log.unusable[0].clone(),
                    message: format!("{why}; refused under --strict"),
                });
            }
            tracing::warn!(path = %path.display(), "{why}");
        }
        reports.push(BoundaryReport {
            path: path.clone(),
            areas: file.areas.len(),
            levels: AreaLevel::ALL
                .into_iter()
                .map(|l| (l, file.areas.iter().filter(|a| a.level == l).count()))
                .filter(|(_, n)| *n > 0)
                .collect(),
            log: file.log,
        });
        all.extend(file.areas);
        unmapped.extend(file.unmapped);
    }
    all.extend(unmapped);
    let mut seen = std::collections::HashSet::new();
    all.retain(|a| {
        let first = seen.insert(a.code.clone());
        if !first {
            tracing::warn!(code = %a.code, "area given twice; the first boundary is used");
        }
        first
    });
    let levels = AreaLevel::ALL
        .iter()
        .map(|&l| {
            (
                l,
                all.iter()
                    .filter(|a| a.level == l)
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    Ok((levels, reports))
}

/// A level of the pyramid: the projected corners of its cells and, per year used, their
/// aggregates.
pub struct Level {
    /// Cell level (cells of `100 << level` m).
    pub level: u8,
    /// Corners of every cell of the level in any year of the build (shared by every group).
    pub geometry: Arc<LevelGeometry>,
    /// `(year, aggregates sorted by (kx, ky))` for every year used.
    pub aggs: Vec<(u16, Vec<AggCell>)>,
}

impl Level {
    /// The aggregates of `year` (a year of the plan).
    pub fn year(&self, year: u16) -> &[AggCell] {
        self.aggs
            .iter()
            .find(|(y, _)| *y == year)
            .map_or(&[][..], |(_, a)| a.as_slice())
    }
}

/// An area level ready to tile: its pieces per zoom and its aggregates per year.
pub struct PreparedAreas {
    /// The areas cut into tiles per zoom.
    pub layer: AreaLayer,
    /// Scores from an area scores file (`n` is then 0), not derived from the cells.
    pub from_file: bool,
    /// `(year, aggregate per area)` for every year of the scores file.
    pub aggs: Vec<(u16, Vec<AggCell>)>,
    /// The area of each populated cell (also for a level scored from a file: its class
    /// distributions count the cells).
    pub members: Membership,
}

impl PreparedAreas {
    /// The aggregates of `year`, one per area of [`AreaLayer::areas`].
    pub fn year(&self, year: u16) -> &[AggCell] {
        self.aggs
            .iter()
            .find(|(y, _)| *y == year)
            .map_or(&[][..], |(_, a)| a.as_slice())
    }
}

/// Everything the tilesets of a build are made from.
pub struct Prepared<'a> {
    /// The options.
    pub opts: &'a BuildOptions,
    /// The scores.
    pub scores: &'a Scores,
    /// What to build.
    pub plan: &'a Plan,
    /// The cells of each pyramid level, projected once for every year built; each group of
    /// tilesets aggregates its own years onto them ([`levels_for`]).
    pub geometry: &'a [Arc<LevelGeometry>],
    /// The area levels.
    pub areas: &'a [PreparedAreas],
    /// The digests of what each tileset is made from.
    pub inputs: &'a inputs::InputDigests,
}

/// Builds every selected tileset and the point index from already parsed scores.
pub fn build_from_scores(scores: &Scores, opts: &BuildOptions) -> Result<BuildSummary> {
    build_with_areas(scores, None, load_areas(opts)?, opts)
}

/// [`build_from_scores`] with the boundary files already read ([`load_areas`]); `grid_keys`
/// resolves the grid ids of development files as it resolved the scores'.
fn build_with_areas(
    scores: &Scores,
    grid_keys: Option<&GridKeys>,
    loaded: (Vec<LevelAreas>, Vec<BoundaryReport>),
    opts: &BuildOptions,
) -> Result<BuildSummary> {
    let started = Instant::now();
    let plan = Plan::new(scores, opts)?;
    let AreaInputs {
        areas,
        boundaries,
        code_matches,
        no_data_markers,
    } = prepare_areas(scores, loaded, opts)?;
    let no_data_markers: Vec<(PathBuf, u64)> =
        std::iter::once((scores.path.clone(), scores.no_data_markers))
            .chain(no_data_markers)
            .filter(|(_, n)| *n > 0)
            .collect();
    let development = opts
        .development
        .iter()
        .map(|p| development::compare(p, grid_keys, scores, &areas))
        .collect();
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| TilerError::io(&opts.out_dir, e))?;
    // A tileset already in the folder, made from exactly the same inputs, is kept as it is.
    let digests = inputs::InputDigests::new(scores, &areas);
    let all_jobs = plan.jobs();
    let (kept, jobs): (Vec<plan::Job>, Vec<plan::Job>) = all_jobs.iter().partition(|&&job| {
        output::unchanged(
            &opts.out_dir,
            &job.name(),
            opts.format,
            &digests.of(job, opts, &plan, scores),
        )
    });
    if !kept.is_empty() {
        tracing::info!(
            kept = kept.len(),
            build = jobs.len(),
            "tilesets made from unchanged inputs are kept"
        );
    }
    let years = inputs::InputDigests::years_of_all(&jobs, &plan);
    let geometry = prepare_geometry(scores, &plan, &years)?;
    let cells = {
        let mut all: Vec<(i32, i32)> = plan
            .years
            .iter()
            .filter_map(|&y| scores.year(y))
            .flat_map(|y| y.cells.iter().map(|c| (c.hx, c.hy)))
            .collect();
        all.par_sort_unstable();
        all.dedup();
        all.len()
    };
    tracing::info!(cells, levels = geometry.len(), "pyramid prepared");

    let bar = if opts.progress {
        ProgressBar::with_draw_target(Some(jobs.len() as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{elapsed:>4} [{bar:30}] {pos}/{len} tilesets {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let prepared = Prepared {
        opts,
        scores,
        plan: &plan,
        geometry: &geometry,
        areas: &areas,
        inputs: &digests,
    };
    let (tilesets, index) = std::thread::scope(|s| {
        // The index always holds every year of the file, also when only some years are tiled:
        // the point API shows a cell's whole history.
        let index = opts.write_index.then(|| {
            s.spawn(|| {
                index::write_index(
                    &opts.out_dir.join(INDEX_FILE),
                    scores,
                    &opts.classification,
                    &areas,
                    &plan.pairs,
                    plan.pressure.as_ref(),
                )
            })
        });
        let done = |job: &plan::Job| {
            bar.inc(1);
            bar.set_message(job.name());
        };
        // One group after the other, each in parallel inside: groups side by side each held
        // their years' pyramid (rayon starts another group while a worker waits), 2.4 GB.
        let tilesets: Result<Vec<TilesetSummary>> = tileset::groups(&jobs)
            .iter()
            .map(|group| tileset::build_group(&prepared, group, &done))
            .collect::<Result<Vec<_>>>()
            .map(|groups| {
                // In the plan's order, as the jobs were listed.
                let mut all: Vec<TilesetSummary> = groups.into_iter().flatten().collect();
                all.sort_by_key(|t| {
                    let stem = t.path.file_stem().and_then(|s| s.to_str());
                    jobs.iter().position(|j| Some(j.name().as_str()) == stem)
                });
                all
            });
        let index = index.map(|h| h.join().expect("index writer does not panic"));
        (tilesets, index)
    });
    bar.finish_and_clear();
    let tilesets = tilesets?;
    let index = index.transpose()?;
    let names: Vec<String> = all_jobs.iter().map(|j| j.name()).collect();
    let removed = output::remove_stale(&opts.out_dir, &names)?;
    Ok(BuildSummary {
        tilesets,
        kept: kept.iter().map(|j| j.name()).collect(),
        removed,
        index,
        rows: scores.rows,
        no_data_markers,
        cells,
        boundaries,
        code_matches,
        development,
        elapsed: started.elapsed(),
    })
}

/// Cuts the area levels read by [`load_areas`] into tiles and aggregates them once for every
/// year of the file (with the area scores files): the tiles and the index share these
/// aggregates.
fn prepare_areas(
    scores: &Scores,
    (area_levels, reports): (Vec<LevelAreas>, Vec<BoundaryReport>),
    opts: &BuildOptions,
) -> Result<AreaInputs> {
    let mut file_scores = AreaScores::default();
    let mut no_data_markers = Vec::new();
    for p in &opts.area_scores {
        let file = file_scores.add_file(p)?;
        no_data_markers.push((p.clone(), file.no_data_markers));
    }
    let matches = file_scores.match_levels(&area_levels);
    for m in matches
        .iter()
        .filter(|m| m.without_boundary > 0 || m.without_scores > 0)
    {
        tracing::warn!(
            level = m.level.layer(),
            scored = m.scored,
            without_boundary = m.without_boundary,
            without_scores = m.without_scores,
            "area scores and boundaries do not match one to one"
        );
    }
    let all_years: Vec<_> = scores.years.iter().collect();
    // Levels side by side: a level's shared arcs are built by one thread (only the
    // projection of its points is spread over the workers).
    let prepared = area_levels
        .into_par_iter()
        .filter(|(level, _)| level.minzoom().max(opts.minzoom) <= opts.maxzoom)
        .map(|(level, areas)| {
            let from_file = file_scores.levels.contains(&level);
            let members = Membership::new(&areas, &all_years);
            let aggs = if from_file {
                crate::aggregate::areas::from_file(&file_scores, &areas, scores)
            } else {
                crate::aggregate::areas::from_cells(&members, areas.len(), &all_years)
            };
            let aggs = scores.years.iter().map(|y| y.year).zip(aggs).collect();
            let layer = AreaLayer::build(
                level,
                areas,
                level.minzoom().max(opts.minzoom),
                opts.maxzoom,
            )?;
            Ok(PreparedAreas {
                layer,
                from_file,
                aggs,
                members,
            })
        })
        .collect::<Result<_>>()?;
    Ok(AreaInputs {
        areas: prepared,
        boundaries: reports,
        code_matches: matches,
        no_data_markers,
    })
}

/// The area levels ready to tile ([`prepare_areas`]), with what reading their files found.
struct AreaInputs {
    areas: Vec<PreparedAreas>,
    boundaries: Vec<BoundaryReport>,
    code_matches: Vec<CodeMatch>,
    /// Per area scores file, its value fields that held a no-data word.
    no_data_markers: Vec<(PathBuf, u64)>,
}

/// The cells of every pyramid level of the plan's zooms in any of `years` (those of the tilesets
/// to write), with their corners projected once.
fn prepare_geometry(
    scores: &Scores,
    plan: &Plan,
    years: &[u16],
) -> Result<Vec<Arc<LevelGeometry>>> {
    let used: Vec<_> = years.iter().filter_map(|&y| scores.year(y)).collect();
    let mut out: Vec<Arc<LevelGeometry>> = Vec::new();
    let mut lattice = Lattice::default();
    // Each level's keys from the one below it, the first from the 100 m cells: as the
    // aggregates of `levels_for` key them.
    for level in level_ids(plan) {
        let keys: Vec<(i32, i32)> = match out.last() {
            None => used
                .iter()
                .flat_map(|y| y.cells.iter().map(|c| (c.hx >> level, c.hy >> level)))
                .collect(),
            Some(finer) => {
                let by = level - finer.level;
                finer
                    .keys
                    .iter()
                    .map(|&(x, y)| (x >> by, y >> by))
                    .collect()
            }
        };
        out.push(Arc::new(LevelGeometry::from_keys(
            level,
            keys,
            &mut lattice,
        )?));
    }
    Ok(out)
}

/// The cell levels of the plan's zooms, fine to coarse.
fn level_ids(plan: &Plan) -> Vec<u8> {
    let mut ids: Vec<u8> = plan.zooms.iter().map(|z| z.level).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The pyramid of `years` on the shared `geometry`: each level aggregated from the one below it
/// (a quarter of the cells per step), the first from the 100 m cells.
///
/// Made per group of tilesets for the years the group shows, not once for every year of the
/// build: the aggregates of nine years were 0.85 GB of a release build's peak (2.2 GB; now
/// 1.5 GB), a group holds at most three years' (the overlay: its period's), and making a year's
/// again for another group costs a fraction of a second.
pub(crate) fn levels_for(
    scores: &Scores,
    geometry: &[Arc<LevelGeometry>],
    years: &[u16],
) -> Vec<Level> {
    let used: Vec<_> = years.iter().filter_map(|&y| scores.year(y)).collect();
    let mut levels: Vec<Level> = Vec::with_capacity(geometry.len());
    for g in geometry {
        let mut aggs: Vec<Vec<AggCell>> = match levels.last() {
            None => used
                .par_iter()
                .map(|y| aggregate(&y.cells, g.level))
                .collect(),
            Some(finer) => finer
                .aggs
                .par_iter()
                .map(|(_, a)| coarsen(a, g.level - finer.level))
                .collect(),
        };
        aggs.par_iter_mut().for_each(|a| g.link(a));
        levels.push(Level {
            level: g.level,
            geometry: Arc::clone(g),
            aggs: used.iter().map(|y| y.year).zip(aggs).collect(),
        });
    }
    levels
}

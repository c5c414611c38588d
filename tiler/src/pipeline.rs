//! The build: scores file → one MBTiles and/or PMTiles per measure and year, plus the point
//! index.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use rusqlite::params;

use std::collections::HashMap;

use crate::area_scores::AreaScores;
use crate::area_tiles::AreaLayer;
use crate::areas::{read_areas, Area, AreaLevel};
use crate::classes::{Classification, MeasureClassification};
use crate::encode::{encode_tile, global_px, round3, AreaTileFeature, AreaTileLayer, TileFeature};
use crate::error::{Result, TilerError};
use crate::mbtiles::{AtomicDb, ZoomStats};
use crate::output::{OutputFile, OutputFormat, TilesetWriter};
use crate::project::rd_to_wgs84;
use crate::pyramid::{aggregate, pyramid, pyramid_json, AggCell, LevelGeometry, ZoomLevel};
use crate::pyramid::{DEFAULT_MAXZOOM, DEFAULT_MINZOOM};
use crate::scores::{read_scores, value_index, Scores, YearScores, MEASURES, VALUE_NAMES};

/// Name of the point index written beside the tilesets.
pub const INDEX_FILE: &str = "lbm-index.sqlite";
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
    /// The classification (the embedded default unless read with [`Classification::load`]).
    pub classification: Classification,
    /// Lowest zoom.
    pub minzoom: u8,
    /// Highest zoom.
    pub maxzoom: u8,
    /// The `attribution` metadata row.
    pub attribution: String,
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
    /// Which files to write per tileset: `{name}.mbtiles`, `{name}.pmtiles` or both.
    pub format: OutputFormat,
}

impl BuildOptions {
    /// Defaults: all years and measures, the embedded classification, zooms 5..13, index on,
    /// MBTiles only.
    pub fn new(scores: impl Into<PathBuf>, out_dir: impl Into<PathBuf>) -> Self {
        BuildOptions {
            scores: scores.into(),
            out_dir: out_dir.into(),
            years: None,
            measures: None,
            classification: Classification::embedded(),
            minzoom: DEFAULT_MINZOOM,
            maxzoom: DEFAULT_MAXZOOM,
            attribution: "Leefbaarometer (Ministerie van BZK), leefbaarometer.nl".into(),
            progress: true,
            write_index: true,
            gzip_level: crate::encode::GZIP_LEVEL,
            changes: None,
            areas: Vec::new(),
            area_features: Vec::new(),
            area_scores: Vec::new(),
            format: OutputFormat::default(),
        }
    }
}

/// What one tileset came out as.
#[derive(Clone, Debug)]
pub struct TilesetSummary {
    /// The main file written: the MBTiles file, or the PMTiles archive when only that was
    /// written.
    pub path: PathBuf,
    /// Every file written for the tileset (MBTiles first), with its size.
    pub files: Vec<OutputFile>,
    /// The `lbm_tiles_hash` of its tiles (see [`crate::output::TilesHash`]).
    pub tiles_hash: String,
    /// Measure.
    pub measure: String,
    /// Year (the to-year of a change map).
    pub year: u16,
    /// The from-year of a change map; `None` for a score tileset.
    pub year_from: Option<u16>,
    /// Features per zoom, in zoom order.
    pub features: Vec<u64>,
    /// Tiles per zoom.
    pub zooms: Vec<ZoomStats>,
}

/// What a build did.
#[derive(Clone, Debug)]
pub struct BuildSummary {
    /// The tilesets, in (measure, year) order.
    pub tilesets: Vec<TilesetSummary>,
    /// The point index, when written.
    pub index: Option<PathBuf>,
    /// Data rows read.
    pub rows: u64,
    /// Distinct populated 100 m cells over the years built.
    pub cells: usize,
    /// Wall time.
    pub elapsed: Duration,
}

impl BuildSummary {
    /// Total tiles.
    pub fn tiles(&self) -> u64 {
        self.tilesets
            .iter()
            .flat_map(|t| &t.zooms)
            .map(|z| z.tiles)
            .sum()
    }

    /// Total compressed tile bytes.
    pub fn bytes(&self) -> u64 {
        self.tilesets
            .iter()
            .flat_map(|t| &t.zooms)
            .map(|z| z.bytes)
            .sum()
    }

    /// The largest tile in bytes.
    pub fn max_tile(&self) -> u64 {
        self.tilesets
            .iter()
            .flat_map(|t| &t.zooms)
            .map(|z| z.max_bytes)
            .max()
            .unwrap_or(0)
    }

    /// Statistics summed per zoom over all tilesets (max_bytes is the maximum).
    pub fn per_zoom(&self) -> Vec<ZoomStats> {
        let mut out: Vec<ZoomStats> = Vec::new();
        for z in self.tilesets.iter().flat_map(|t| &t.zooms) {
            match out.iter_mut().find(|o| o.zoom == z.zoom) {
                Some(o) => {
                    o.tiles += z.tiles;
                    o.bytes += z.bytes;
                    o.max_bytes = o.max_bytes.max(z.max_bytes);
                }
                None => out.push(*z),
            }
        }
        out.sort_by_key(|z| z.zoom);
        out
    }
}

impl fmt::Display for BuildSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} tilesets, {} tiles, {:.1} MB, largest tile {:.1} KB, {} rows, {} cells, {:.1} s",
            self.tilesets.len(),
            self.tiles(),
            self.bytes() as f64 / 1e6,
            self.max_tile() as f64 / 1024.0,
            self.rows,
            self.cells,
            self.elapsed.as_secs_f64()
        )?;
        writeln!(f, "zoom  tiles  total MB  max KB  (all tilesets)")?;
        for z in self.per_zoom() {
            writeln!(
                f,
                "{:>4} {:>6} {:>9.2} {:>7.1}",
                z.zoom,
                z.tiles,
                z.bytes as f64 / 1e6,
                z.max_bytes as f64 / 1024.0
            )?;
        }
        for (label, pm) in [("MBTiles", false), ("PMTiles", true)] {
            let files: Vec<&OutputFile> = self
                .tilesets
                .iter()
                .flat_map(|t| &t.files)
                .filter(|o| o.is_pmtiles() == pm)
                .collect();
            if let Some(first) = files.first() {
                writeln!(
                    f,
                    "{label}: {} files, {:.1} MB, in {}",
                    files.len(),
                    files.iter().map(|o| o.bytes).sum::<u64>() as f64 / 1e6,
                    first.path.parent().unwrap_or(Path::new(".")).display()
                )?;
            }
        }
        if let Some(i) = &self.index {
            writeln!(f, "point index: {}", i.display())?;
        }
        Ok(())
    }
}

/// Reads the scores file and builds every selected tileset (see [`build_from_scores`]).
pub fn build(opts: &BuildOptions) -> Result<BuildSummary> {
    let started = Instant::now();
    // Fail on bad options before spending time on the scores file.
    check_options(opts)?;
    for a in opts.areas.iter().chain(&opts.area_scores) {
        if !a.is_file() {
            return Err(TilerError::io(
                a,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such boundary file"),
            ));
        }
    }
    tracing::info!(path = %opts.scores.display(), "reading scores");
    let scores = read_scores(&opts.scores)?;
    tracing::info!(
        rows = scores.rows,
        years = scores.years.len(),
        "scores read"
    );
    let mut summary = build_from_scores(&scores, opts)?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Validates the options; returns the measures to build and the pyramid.
fn check_options(opts: &BuildOptions) -> Result<(Vec<String>, Vec<ZoomLevel>)> {
    if opts.minzoom > opts.maxzoom || opts.maxzoom > 18 {
        return Err(TilerError::InvalidOption {
            option: "--minzoom/--maxzoom",
            message: format!(
                "{}..{}; expected minzoom <= maxzoom <= 18",
                opts.minzoom, opts.maxzoom
            ),
        });
    }
    let measures: Vec<String> = match &opts.measures {
        None => MEASURES.iter().map(|m| m.to_string()).collect(),
        Some(list) => list.clone(),
    };
    let mut column = 1;
    for m in &measures {
        if !MEASURES.contains(&m.as_str()) {
            return Err(TilerError::UnknownMeasure {
                path: PathBuf::from("--measures"),
                line: 1,
                column,
                name: m.clone(),
            });
        }
        if opts.classification.get(m).is_none() || opts.classification.change(m).is_none() {
            return Err(TilerError::BadClassification {
                path: opts.classification.source.clone(),
                line: 0,
                column: 0,
                message: format!(
                    "no classification for measure {m}; expected a [measures.{m}] section"
                ),
            });
        }
        column += m.len() + 1;
    }
    Ok((measures, pyramid(opts.minzoom, opts.maxzoom)))
}

/// Reads the boundary files and the preloaded areas, groups them by level (first of a code wins).
fn load_areas(opts: &BuildOptions) -> Result<Vec<(AreaLevel, Vec<Area>)>> {
    let mut all: Vec<Area> = opts.area_features.clone();
    for path in &opts.areas {
        let areas = read_areas(path)?;
        tracing::info!(path = %path.display(), areas = areas.len(), "boundaries read");
        all.extend(areas);
    }
    let mut seen = std::collections::HashSet::new();
    all.retain(|a| {
        let first = seen.insert(a.code.clone());
        if !first {
            tracing::warn!(code = %a.code, "area given twice; the first boundary is used");
        }
        first
    });
    Ok(AreaLevel::ALL
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
        .collect())
}

/// Per area of `layer` and per dataset, the sums and counts of the 100 m cells whose centre lies
/// inside the area (each cell counts for at most one area of a level).
pub fn area_aggregates(areas: &[Area], datasets: &[&YearScores]) -> Vec<Vec<AggCell>> {
    let mut union: Vec<(i32, i32)> = datasets
        .iter()
        .flat_map(|y| y.cells.iter().map(|c| (c.hx, c.hy)))
        .collect();
    union.par_sort_unstable();
    union.dedup();
    let mut rows: Vec<(i32, i32, u32)> = union
        .iter()
        .enumerate()
        .map(|(i, &(hx, hy))| (hy, hx, i as u32))
        .collect();
    rows.par_sort_unstable();
    let inside: Vec<Vec<u32>> = areas
        .par_iter()
        .map(|a| {
            let (_, y0, _, y1) = a.bounds();
            let hy0 = ((y0 - 50.0) / 100.0).floor() as i32;
            let hy1 = ((y1 - 50.0) / 100.0).ceil() as i32;
            let mut out = Vec::new();
            let mut xs: Vec<f64> = Vec::new();
            for hy in hy0..=hy1 {
                let yc = f64::from(hy) * 100.0 + 50.0;
                xs.clear();
                for ring in a.polygons.iter().flatten() {
                    for i in 0..ring.len() {
                        let (p, q) = (ring[i], ring[(i + 1) % ring.len()]);
                        if (p.1 <= yc) != (q.1 <= yc) {
                            xs.push(p.0 + (yc - p.1) * (q.0 - p.0) / (q.1 - p.1));
                        }
                    }
                }
                if xs.len() < 2 {
                    continue;
                }
                xs.sort_by(f64::total_cmp);
                let start = rows.partition_point(|r| r.0 < hy);
                let end = rows.partition_point(|r| r.0 <= hy);
                let row = &rows[start..end];
                for pair in xs.chunks_exact(2) {
                    // Cells whose centre x lies in [pair[0], pair[1]).
                    let lo = ((pair[0] - 50.0) / 100.0).ceil() as i32;
                    let hi = ((pair[1] - 50.0) / 100.0).ceil() as i32;
                    let a = row.partition_point(|r| r.1 < lo);
                    let b = row.partition_point(|r| r.1 < hi);
                    out.extend(row[a..b].iter().map(|r| r.2));
                }
            }
            out
        })
        .collect();
    let mut owner = vec![u32::MAX; union.len()];
    for (ai, cells) in inside.iter().enumerate() {
        for &c in cells {
            if owner[c as usize] == u32::MAX {
                owner[c as usize] = ai as u32;
            }
        }
    }
    datasets
        .par_iter()
        .map(|y| {
            let mut aggs = vec![
                AggCell {
                    kx: 0,
                    ky: 0,
                    geom: 0,
                    sums: [0.0; 7],
                    counts: [0; 7],
                };
                areas.len()
            ];
            let mut j = 0;
            for c in &y.cells {
                while union[j] != (c.hx, c.hy) {
                    j += 1;
                }
                let o = owner[j];
                if o == u32::MAX {
                    continue;
                }
                let a = &mut aggs[o as usize];
                for (k, v) in c.values.iter().enumerate() {
                    if v.is_finite() {
                        a.sums[k] += v;
                        a.counts[k] += 1;
                    }
                }
            }
            aggs
        })
        .collect()
}

/// An area's aggregate from an area scores file: its values in `year`, or the difference from
/// `from` to `year` for a change map (a column only where both years have it).
fn file_agg(
    file: &AreaScores,
    national: &HashMap<u16, f64>,
    code: &str,
    year: u16,
    from: Option<u16>,
) -> AggCell {
    let get = |y: u16| file.get(code, y, national.get(&y).copied().unwrap_or(f64::NAN));
    let values = match from {
        None => get(year),
        Some(f) => match (get(f), get(year)) {
            (Some(a), Some(b)) => {
                let mut d = [f64::NAN; 7];
                for (k, v) in d.iter_mut().enumerate() {
                    *v = ((b[k] - a[k]) * 1e9).round() / 1e9;
                }
                Some(d)
            }
            _ => None,
        },
    };
    let mut agg = AggCell {
        kx: 0,
        ky: 0,
        geom: 0,
        sums: [0.0; 7],
        counts: [0; 7],
    };
    for (k, v) in values.iter().flatten().enumerate() {
        if v.is_finite() {
            agg.sums[k] = *v;
            agg.counts[k] = 1;
        }
    }
    agg
}

/// An area level ready to tile: its pieces per zoom and its aggregates per dataset.
struct PreparedAreas {
    layer: AreaLayer,
    /// Scores from an area scores file (`n` is then 0), not derived from the cells.
    from_file: bool,
    /// Indexed like the datasets (years, then change pairs), then by area.
    aggs: Vec<Vec<AggCell>>,
}

/// Per-level aggregates of every selected year and the level's projected geometry.
struct Level {
    level: u8,
    geometry: LevelGeometry,
    /// Indexed like the selected years.
    aggs: Vec<Vec<AggCell>>,
}

/// Builds every selected tileset from already parsed scores.
pub fn build_from_scores(scores: &Scores, opts: &BuildOptions) -> Result<BuildSummary> {
    let started = Instant::now();
    let (measures, zooms) = check_options(opts)?;
    let years: Vec<&YearScores> = match &opts.years {
        None => scores.years.iter().collect(),
        Some(list) => list
            .iter()
            .map(|y| {
                scores.year(*y).ok_or_else(|| TilerError::InvalidOption {
                    option: "--years",
                    message: format!(
                        "{y} is not in {}; it has {}",
                        scores.path.display(),
                        scores
                            .years
                            .iter()
                            .map(|y| y.year.to_string())
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                })
            })
            .collect::<Result<_>>()?,
    };
    let pairs = change_pairs(scores, opts, &years)?;
    // A change map is tiled like a year whose cells hold the per-cell differences.
    let diffs: Vec<YearScores> = pairs
        .par_iter()
        .map(|&(from, to)| {
            difference(
                scores.year(from).expect("checked in change_pairs"),
                scores.year(to).expect("checked in change_pairs"),
            )
        })
        .collect();
    let n_years = years.len();
    let years: Vec<&YearScores> = years.into_iter().chain(diffs.iter()).collect();
    let area_levels = load_areas(opts)?;
    let mut file_scores = AreaScores::default();
    for p in &opts.area_scores {
        file_scores.add_file(p)?;
    }
    // The national mean lbm per year, for afw of area scores files without an afw column.
    let national: HashMap<u16, f64> = scores
        .years
        .iter()
        .map(|y| {
            let (s, n) = y
                .cells
                .iter()
                .filter(|c| c.values[0].is_finite())
                .fold((0.0, 0u32), |(s, n), c| (s + c.values[0], n + 1));
            (y.year, s / f64::from(n.max(1)))
        })
        .collect();
    let prepared: Vec<PreparedAreas> = area_levels
        .into_iter()
        .filter(|(level, _)| level.minzoom().max(opts.minzoom) <= opts.maxzoom)
        .map(|(level, areas)| {
            let from_file = file_scores.levels.contains(&level);
            let aggs = if from_file {
                years
                    .iter()
                    .enumerate()
                    .map(|(di, y)| {
                        let from = di.checked_sub(n_years).map(|pi| pairs[pi].0);
                        areas
                            .iter()
                            .map(|a| file_agg(&file_scores, &national, &a.code, y.year, from))
                            .collect()
                    })
                    .collect()
            } else {
                area_aggregates(&areas, &years)
            };
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
            })
        })
        .collect::<Result<_>>()?;
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| TilerError::io(&opts.out_dir, e))?;

    let mut level_ids: Vec<u8> = zooms.iter().map(|z| z.level).collect();
    level_ids.sort_unstable();
    level_ids.dedup();
    let levels: Vec<Level> = level_ids
        .iter()
        .map(|&level| {
            let mut aggs: Vec<Vec<AggCell>> = years
                .par_iter()
                .map(|y| aggregate(&y.cells, level))
                .collect();
            let refs: Vec<&[AggCell]> = aggs.iter().map(|a| a.as_slice()).collect();
            let geometry = LevelGeometry::build(level, &refs)?;
            aggs.par_iter_mut().for_each(|a| geometry.link(a));
            Ok(Level {
                level,
                geometry,
                aggs,
            })
        })
        .collect::<Result<_>>()?;
    let cells = {
        let mut all: Vec<(i32, i32)> = years[..n_years]
            .iter()
            .flat_map(|y| y.cells.iter().map(|c| (c.hx, c.hy)))
            .collect();
        all.par_sort_unstable();
        all.dedup();
        all.len()
    };
    tracing::info!(cells, levels = levels.len(), "pyramid prepared");

    // (measure, index into `years`, from-year of a change map)
    let jobs: Vec<(&str, usize, Option<u16>)> = measures
        .iter()
        .flat_map(|m| {
            (0..n_years).map(move |yi| (m.as_str(), yi, None)).chain(
                pairs
                    .iter()
                    .enumerate()
                    .map(move |(pi, p)| (m.as_str(), n_years + pi, Some(p.0))),
            )
        })
        .collect();
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

    let (tilesets, index) = std::thread::scope(|s| {
        // The index always holds every year of the file, also when only some years are tiled:
        // the point API shows a cell's whole history.
        let index = opts.write_index.then(|| {
            s.spawn(|| {
                let all: Vec<&YearScores> = scores.years.iter().collect();
                write_index(
                    &opts.out_dir.join(INDEX_FILE),
                    scores,
                    &all,
                    &opts.classification,
                    &prepared,
                    &file_scores,
                    &national,
                )
            })
        });
        let tilesets: Result<Vec<TilesetSummary>> = jobs
            .par_iter()
            .map(|&(measure, yi, from)| {
                let r = build_tileset(
                    scores, opts, measure, years[yi], yi, from, &levels, &prepared, &zooms,
                );
                bar.inc(1);
                bar.set_message(format!("{measure}-{}", years[yi].year));
                r
            })
            .collect();
        let index = index.map(|h| h.join().expect("index writer does not panic"));
        (tilesets, index)
    });
    bar.finish_and_clear();
    let tilesets = tilesets?;
    let index = index.transpose()?;
    Ok(BuildSummary {
        tilesets,
        index,
        rows: scores.rows,
        cells,
        elapsed: started.elapsed(),
    })
}

/// The change pairs to build: the explicit ones (checked against the file), or each pair of
/// consecutive selected years.
fn change_pairs(
    scores: &Scores,
    opts: &BuildOptions,
    years: &[&YearScores],
) -> Result<Vec<(u16, u16)>> {
    let Some(list) = &opts.changes else {
        return Ok(years.windows(2).map(|w| (w[0].year, w[1].year)).collect());
    };
    for &(from, to) in list {
        if from >= to {
            return Err(TilerError::InvalidOption {
                option: "--change",
                message: format!("{from}:{to}; expected FROM:TO with FROM before TO"),
            });
        }
        if let Some(y) = [from, to].into_iter().find(|y| scores.year(*y).is_none()) {
            return Err(TilerError::InvalidOption {
                option: "--change",
                message: format!(
                    "{from}:{to}: {y} is not in {}; it has {}",
                    scores.path.display(),
                    scores
                        .years
                        .iter()
                        .map(|y| y.year.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            });
        }
    }
    let mut list = list.clone();
    list.sort_unstable();
    list.dedup();
    Ok(list)
}

/// Per-cell differences `to - from` of every value column, for the cells present in both years
/// (a column is NaN where either year lacks it). Labelled with the to-year.
pub fn difference(from: &YearScores, to: &YearScores) -> YearScores {
    let mut cells = Vec::with_capacity(to.cells.len().min(from.cells.len()));
    let (mut i, mut j) = (0, 0);
    while i < from.cells.len() && j < to.cells.len() {
        let (a, b) = (&from.cells[i], &to.cells[j]);
        match (a.hx, a.hy).cmp(&(b.hx, b.hy)) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let mut values = [f64::NAN; 7];
                for (k, v) in values.iter_mut().enumerate() {
                    // Inputs have 3 decimals: round away the float noise of the subtraction.
                    *v = ((b.values[k] - a.values[k]) * 1e9).round() / 1e9;
                }
                if values.iter().any(|v| v.is_finite()) {
                    cells.push(crate::scores::CellRecord {
                        hx: a.hx,
                        hy: a.hy,
                        values,
                    });
                }
                i += 1;
                j += 1;
            }
        }
    }
    YearScores {
        year: to.year,
        cells,
    }
}

/// Builds `{measure}-{year}.mbtiles` (or `{measure}-{from}-{year}.mbtiles` for a change map),
/// and/or the `.pmtiles` archive: rayon workers encode tiles, one thread writes them.
#[allow(clippy::too_many_arguments)]
fn build_tileset(
    scores: &Scores,
    opts: &BuildOptions,
    measure: &str,
    year: &YearScores,
    yi: usize,
    from: Option<u16>,
    levels: &[Level],
    areas: &[PreparedAreas],
    zooms: &[ZoomLevel],
) -> Result<TilesetSummary> {
    let cls = match from {
        None => opts.classification.get(measure),
        Some(_) => opts.classification.change(measure),
    }
    .expect("checked in check_options");
    let vi = value_index(measure).expect("known measure");
    let bi = cls.basis_index();
    let name = match from {
        None => format!("{measure}-{}", year.year),
        Some(f) => format!("{measure}-{f}-{}", year.year),
    };
    let writer = TilesetWriter::create(&opts.out_dir, &name, opts.format)?;
    let (tx, rx) = sync_channel::<(u8, u32, u32, Vec<u8>)>(256);
    let writer_thread = std::thread::spawn(move || -> Result<(TilesetWriter, Vec<ZoomStats>)> {
        let mut writer = writer;
        let mut stats: Vec<ZoomStats> = Vec::new();
        for (z, x, y, data) in rx {
            writer.add_tile(z, x, y, &data)?;
            if stats.last().is_none_or(|s| s.zoom != z) {
                stats.push(ZoomStats {
                    zoom: z,
                    ..Default::default()
                });
            }
            let s = stats.last_mut().expect("pushed above");
            s.tiles += 1;
            s.bytes += data.len() as u64;
            s.max_bytes = s.max_bytes.max(data.len() as u64);
        }
        Ok((writer, stats))
    });

    let produced = (|| -> Result<Vec<u64>> {
        let mut features = Vec::with_capacity(zooms.len());
        for zl in zooms {
            let level = levels
                .iter()
                .find(|l| l.level == zl.level)
                .expect("level prepared");
            let feats = tile_features(&level.aggs[yi], &level.geometry, cls, vi, bi, zl.zoom);
            features.push(feats.len() as u64);
            let mut assign: Vec<(u64, u32)> = Vec::with_capacity(feats.len() + feats.len() / 8);
            for (i, f) in feats.iter().enumerate() {
                let (x0, y0, x1, y1) = f.tile_range(zl.zoom);
                for x in x0..=x1 {
                    for y in y0..=y1 {
                        assign.push(((u64::from(x) << 32) | u64::from(y), i as u32));
                    }
                }
            }
            // Area features of this zoom with data: (tile key, layer, piece), in tile order.
            let mut area_assign: Vec<(u64, u8, u32)> = Vec::new();
            for (li, pa) in areas.iter().enumerate() {
                let agg = &pa.aggs[yi];
                area_assign.extend(
                    pa.layer
                        .at(zl.zoom)
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| agg[p.area as usize].counts[vi] > 0)
                        .map(|(pi, p)| (p.key, li as u8, pi as u32)),
                );
            }
            assign.par_sort_unstable();
            area_assign.par_sort_unstable();
            // (tile key, grid range, area range), merged over both.
            let mut groups: Vec<(u64, usize, usize, usize, usize)> = Vec::new();
            let (mut i, mut j) = (0, 0);
            while i < assign.len() || j < area_assign.len() {
                let key = match (assign.get(i), area_assign.get(j)) {
                    (Some(a), Some(b)) => a.0.min(b.0),
                    (Some(a), None) => a.0,
                    (None, Some(b)) => b.0,
                    (None, None) => unreachable!("loop condition"),
                };
                let (gi, aj) = (i, j);
                while i < assign.len() && assign[i].0 == key {
                    i += 1;
                }
                while j < area_assign.len() && area_assign[j].0 == key {
                    j += 1;
                }
                groups.push((key, gi, i, aj, j));
            }
            groups.par_iter().try_for_each_with(tx.clone(), |tx, &(key, a, b, c, d)| {
                let (x, y) = ((key >> 32) as u32, key as u32);
                let mut layers: Vec<AreaTileLayer> = Vec::new();
                for &(_, li, pi) in &area_assign[c..d] {
                    let pa = &areas[li as usize];
                    let piece = &pa.layer.at(zl.zoom)[pi as usize];
                    let area = &pa.layer.areas[piece.area as usize];
                    let agg = &pa.aggs[yi][piece.area as usize];
                    let mean = agg.mean(vi).expect("filtered on data");
                    let basis = if bi == vi { mean } else { agg.mean(bi).unwrap_or(mean) };
                    let name = pa.layer.level.layer();
                    if layers.last().is_none_or(|l| l.name != name) {
                        layers.push(AreaTileLayer { name, features: Vec::new() });
                    }
                    layers.last_mut().expect("pushed above").features.push(AreaTileFeature {
                        rings: &piece.rings,
                        id: area.feature_id(),
                        code: &area.code,
                        name: &area.name,
                        score: round3(mean),
                        class: cls.classify(basis),
                        n: if pa.from_file { 0 } else { agg.counts[vi] },
                    });
                }
                let data = encode_tile(zl.zoom, x, y, zl.level, opts.gzip_level, assign[a..b].iter().map(|(_, i)| &feats[*i as usize]), &layers)?;
                if data.len() as u64 > MAX_TILE_BYTES {
                    tracing::warn!(tile = %format!("{name} {}/{x}/{y}", zl.zoom), bytes = data.len(), "tile above 500 KB");
                }
                tx.send((zl.zoom, x, y, data)).map_err(|_| TilerError::Encode {
                    z: zl.zoom,
                    x,
                    y,
                    message: "the tile writer stopped".into(),
                })
            })?;
        }
        Ok(features)
    })();
    drop(tx);
    let written = writer_thread.join().expect("tile writer does not panic");
    // A writer error explains a producer's "writer stopped", so report it first.
    let (writer, zoom_stats) = written?;
    let features = produced?;
    let tiles_hash = writer.tiles_hash().to_string();
    let metadata = metadata_rows(
        scores,
        opts,
        cls,
        &name,
        year,
        from,
        zooms,
        areas,
        &tiles_hash,
    );
    let files = writer.finish(&metadata)?;
    tracing::debug!(tileset = %name, "written");
    Ok(TilesetSummary {
        path: files[0].path.clone(),
        files,
        tiles_hash,
        measure: measure.to_string(),
        year: year.year,
        year_from: from,
        features,
        zooms: zoom_stats,
    })
}

/// The features of one measure at one zoom: score, class, n and quantised corners.
fn tile_features(
    aggs: &[AggCell],
    geometry: &LevelGeometry,
    cls: &MeasureClassification,
    vi: usize,
    bi: usize,
    zoom: u8,
) -> Vec<TileFeature> {
    aggs.par_iter()
        .filter_map(|a| {
            let mean = a.mean(vi)?;
            // The class comes from the mean itself, not from the rounded score: a mean of
            // -0.0405 is below the cut at -0.04 even though it is shown as -0.040.
            let basis = if bi == vi {
                mean
            } else {
                a.mean(bi).unwrap_or(mean)
            };
            let score = round3(mean);
            let c = &geometry.corners[a.geom as usize];
            Some(TileFeature {
                quad: [
                    global_px(c[0], zoom),
                    global_px(c[1], zoom),
                    global_px(c[2], zoom),
                    global_px(c[3], zoom),
                ],
                kx: a.kx,
                ky: a.ky,
                score,
                class: cls.classify(basis),
                n: a.counts[vi],
            })
        })
        .collect()
}

/// WGS84 bounds (w, s, e, n) of the cells with data for value column `vi`.
fn bounds(year: &YearScores, vi: usize) -> (f64, f64, f64, f64) {
    let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
    for c in year.cells.iter().filter(|c| c.values[vi].is_finite()) {
        x0 = x0.min(c.hx);
        y0 = y0.min(c.hy);
        x1 = x1.max(c.hx + 1);
        y1 = y1.max(c.hy + 1);
    }
    if x0 > x1 {
        return (3.2, 50.7, 7.3, 53.6);
    }
    let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    // RD New is rotated against lon/lat: sample the bbox edges, not only its corners.
    for i in 0..=8 {
        let t = f64::from(i) / 8.0;
        let xs = f64::from(x0) + t * f64::from(x1 - x0);
        let ys = f64::from(y0) + t * f64::from(y1 - y0);
        for (x, y) in [
            (xs, f64::from(y0)),
            (xs, f64::from(y1)),
            (f64::from(x0), ys),
            (f64::from(x1), ys),
        ] {
            if let Ok((lon, lat)) = rd_to_wgs84(x * 100.0, y * 100.0) {
                w = w.min(lon);
                e = e.max(lon);
                s = s.min(lat);
                n = n.max(lat);
            }
        }
    }
    (w, s, e, n)
}

#[allow(clippy::too_many_arguments)]
fn metadata_rows(
    scores: &Scores,
    opts: &BuildOptions,
    cls: &MeasureClassification,
    name: &str,
    year: &YearScores,
    from: Option<u16>,
    zooms: &[ZoomLevel],
    areas: &[PreparedAreas],
    tiles_hash: &str,
) -> Vec<(String, String)> {
    let vi = value_index(&cls.measure).unwrap_or(0);
    let (w, s, e, n) = bounds(year, vi);
    let center_zoom = 8u8.clamp(opts.minzoom, opts.maxzoom);
    let description = match from {
        None => format!(
            "Leefbaarometer {} ({}) {}, RD New grid cells from 100 m",
            cls.name_nl, cls.name_en, year.year
        ),
        Some(f) => format!(
            "Leefbaarometer {} ({}) ontwikkeling (change) {f}-{}, RD New grid cells from 100 m",
            cls.name_nl, cls.name_en, year.year
        ),
    };
    let mut layers = vec![serde_json::json!({
        "id": crate::encode::LAYER,
        "description": description,
        "minzoom": opts.minzoom,
        "maxzoom": opts.maxzoom,
        "fields": {"score": "Number", "class": "Number", "cell": "String", "n": "Number"},
    })];
    let mut lbm_areas = Vec::new();
    for pa in areas {
        let l = &pa.layer;
        layers.push(serde_json::json!({
            "id": l.level.layer(),
            "description": if pa.from_file {
                format!("{} per {} (area scores file)", cls.name_nl, l.level.layer())
            } else {
                format!("{} per {}: mean of the 100 m cells whose centre lies inside", cls.name_nl, l.level.layer())
            },
            "minzoom": l.minzoom,
            "maxzoom": l.maxzoom,
            "fields": {"code": "String", "name": "String", "score": "Number", "class": "Number", "n": "Number"},
        }));
        lbm_areas.push(serde_json::json!({
            "layer": l.level.layer(), "minzoom": l.minzoom, "maxzoom": l.maxzoom,
            "scores": if pa.from_file { "file" } else { "derived" },
        }));
    }
    let json = serde_json::json!({ "vector_layers": layers });
    let mut rows = vec![
        ("name", name.to_string()),
        ("format", "pbf".into()),
        ("bounds", format!("{w:.6},{s:.6},{e:.6},{n:.6}")),
        (
            "center",
            format!("{:.6},{:.6},{center_zoom}", (w + e) / 2.0, (s + n) / 2.0),
        ),
        ("minzoom", opts.minzoom.to_string()),
        ("maxzoom", opts.maxzoom.to_string()),
        ("type", "overlay".into()),
        ("version", "1".into()),
        ("description", description.clone()),
        ("attribution", opts.attribution.clone()),
        ("json", json.to_string()),
        (
            "lbm_kind",
            if from.is_some() { "change" } else { "score" }.into(),
        ),
        ("lbm_measure", cls.measure.clone()),
        ("lbm_year", year.year.to_string()),
        ("lbm_classification", cls.to_json()),
        ("lbm_pyramid", pyramid_json(zooms)),
        ("lbm_source_sha256", scores.sha256.clone()),
        ("lbm_generator", GENERATOR.into()),
    ];
    if !lbm_areas.is_empty() {
        rows.push(("lbm_areas", serde_json::Value::from(lbm_areas).to_string()));
    }
    if let Some(f) = from {
        rows.push(("lbm_year_from", f.to_string()));
        rows.push(("lbm_year_to", year.year.to_string()));
    }
    rows.push(("lbm_tiles_hash", tiles_hash.to_string()));
    rows.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The `areas` and `area_scores` tables (derived scores, every year of the file).
fn write_index_areas(
    db: &AtomicDb,
    years: &[&YearScores],
    areas: &[PreparedAreas],
    file_scores: &AreaScores,
    national: &HashMap<u16, f64>,
) -> Result<()> {
    let mut area_stmt = db
        .conn()
        .prepare("INSERT INTO areas VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)")
        .map_err(|e| db.err(e))?;
    let mut score_stmt = db
        .conn()
        .prepare("INSERT INTO area_scores VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)")
        .map_err(|e| db.err(e))?;
    for pa in areas {
        let list = &pa.layer.areas;
        let aggs: Vec<Vec<AggCell>> = if pa.from_file {
            years
                .iter()
                .map(|y| {
                    list.iter()
                        .map(|a| file_agg(file_scores, national, &a.code, y.year, None))
                        .collect()
                })
                .collect()
        } else {
            area_aggregates(list, years)
        };
        for (ai, a) in list.iter().enumerate() {
            let (x0, y0, x1, y1) = a.bounds();
            let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for &(x, y) in a.polygons.iter().flatten().flatten() {
                let (lon, lat) = rd_to_wgs84(x, y)?;
                w = w.min(lon);
                e = e.max(lon);
                s = s.min(lat);
                n = n.max(lat);
            }
            area_stmt
                .execute(params![
                    a.code,
                    a.level.layer(),
                    a.name,
                    crate::areas::normalise_name(&a.name),
                    a.parent(),
                    w,
                    s,
                    e,
                    n,
                    x0,
                    y0,
                    x1,
                    y1,
                    a.geojson()
                ])
                .map_err(|e| db.err(e))?;
            for (yi, y) in years.iter().enumerate() {
                let agg = &aggs[yi][ai];
                if agg.counts.iter().all(|c| *c == 0) {
                    continue;
                }
                let m = |i: usize| agg.mean(i).map(|v| (v * 1e6).round() / 1e6);
                score_stmt
                    .execute(params![
                        a.code,
                        y.year,
                        m(0),
                        m(1),
                        m(2),
                        m(3),
                        m(4),
                        m(5),
                        m(6)
                    ])
                    .map_err(|e| db.err(e))?;
            }
        }
    }
    Ok(())
}

/// Writes the point index: every cell with all values for every selected year, and the
/// classification JSON per measure in `meta`.
fn write_index(
    dest: &Path,
    scores: &Scores,
    years: &[&YearScores],
    classes: &Classification,
    areas: &[PreparedAreas],
    file_scores: &AreaScores,
    national: &HashMap<u16, f64>,
) -> Result<PathBuf> {
    let db = AtomicDb::create(dest)?;
    db.batch(
        "CREATE TABLE cells (hx INTEGER, hy INTEGER, year INTEGER, lbm REAL, afw REAL, fys REAL,
           onv REAL, soc REAL, vrz REAL, won REAL, PRIMARY KEY (hx, hy, year)) WITHOUT ROWID;
         CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
         CREATE TABLE areas (code TEXT PRIMARY KEY, level TEXT, name TEXT, name_norm TEXT,
           parent TEXT, minlon REAL, minlat REAL, maxlon REAL, maxlat REAL, minx REAL, miny REAL,
           maxx REAL, maxy REAL, geom TEXT);
         CREATE TABLE area_scores (code TEXT, year INTEGER, lbm REAL, afw REAL, fys REAL,
           onv REAL, soc REAL, vrz REAL, won REAL, PRIMARY KEY (code, year)) WITHOUT ROWID;",
    )?;
    write_index_areas(&db, years, areas, file_scores, national)?;
    // Insert in primary-key order: appending to the B-tree is much faster than random inserts.
    let mut order: Vec<(i32, i32, u16, u32, u32)> = years
        .iter()
        .enumerate()
        .flat_map(|(yi, y)| {
            y.cells
                .iter()
                .enumerate()
                .map(move |(ci, c)| (c.hx, c.hy, y.year, yi as u32, ci as u32))
        })
        .collect();
    order.par_sort_unstable();
    {
        let mut stmt = db
            .conn()
            .prepare("INSERT INTO cells VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
            .map_err(|e| db.err(e))?;
        for (hx, hy, year, yi, ci) in order {
            let v = years[yi as usize].cells[ci as usize].values;
            let o = |i: usize| v[i].is_finite().then_some(v[i]);
            stmt.execute(params![
                hx,
                hy,
                year,
                o(0),
                o(1),
                o(2),
                o(3),
                o(4),
                o(5),
                o(6)
            ])
            .map_err(|e| db.err(e))?;
        }
        let mut meta = db
            .conn()
            .prepare("INSERT INTO meta VALUES (?1, ?2)")
            .map_err(|e| db.err(e))?;
        for m in &classes.measures {
            meta.execute(params![
                format!("classification.{}", m.measure),
                m.to_json()
            ])
            .map_err(|e| db.err(e))?;
        }
        for m in &classes.changes {
            meta.execute(params![
                format!("classification.change.{}", m.measure),
                m.to_json()
            ])
            .map_err(|e| db.err(e))?;
        }
        let year_list: Vec<u16> = years.iter().map(|y| y.year).collect();
        for (k, v) in [
            (
                "years",
                serde_json::to_string(&year_list).unwrap_or_default(),
            ),
            (
                "columns",
                serde_json::to_string(&VALUE_NAMES).unwrap_or_default(),
            ),
            ("afw_derived", scores.afw_derived.to_string()),
            ("source_sha256", scores.sha256.clone()),
            ("generator", GENERATOR.to_string()),
        ] {
            meta.execute(params![k, v]).map_err(|e| db.err(e))?;
        }
    }
    db.commit()
}

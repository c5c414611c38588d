//! The tilesets of one year: their cells per zoom, assigned to tiles, cut and encoded once by
//! rayon workers and given each tileset's values, each tileset written by its own thread, and
//! their metadata rows.

use std::collections::BTreeSet;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use rayon::prelude::*;
use serde_json::Value;

use lbm_tileset::levels::automatic_plan;
use lbm_tileset::metadata::Pressure;
use lbm_tileset::metadata::{area_fields, grid_fields, vector_layer, TilesetMeta};
use lbm_tileset::project::rd_to_wgs84;
use lbm_tileset::{Column, Measure};

use crate::aggregate::pyramid::{pyramid_levels, AggCell};
use crate::aggregate::shown::Rule;
use crate::encode::{
    extent_at, global_px, AreaTileFeature, AreaTileLayer, Shown, TileCells, TileEncoder,
    TileFeature,
};
use crate::error::{Result, TilerError};
use crate::output::{TilesetWriter, ZoomStats};
use crate::pipeline::plan::Job;
use crate::pipeline::{Level, Prepared, PreparedAreas, TilesetSummary, GENERATOR, MAX_TILE_BYTES};

/// The most years a group's pyramid holds (see [`groups`]).
const GROUP_YEARS: usize = 3;

/// The jobs split into groups that draw the same cells: the score tilesets and change maps of
/// one year (the change maps show the cells of their to-year), and the pressure overlay alone
/// (it draws only the cells it marks). In the order of their first job.
///
/// A group holds the pyramid of its years while it is written (see `levels_for`), so a year's
/// change maps are split over several groups of at most [`GROUP_YEARS`] years: the change maps
/// of a release into its last year start in every earlier year, and one group of them held the
/// pyramid of all nine years (the overlay is one job and holds the years of its period). Each
/// group cuts its year's tiles again, which costs less than the encoding it shares.
pub fn groups(jobs: &[Job]) -> Vec<Vec<Job>> {
    let key = |j: &Job| (j.year(), matches!(j, Job::Pressure { .. }));
    let years = |j: &Job| match *j {
        Job::Change { from, to, .. } => BTreeSet::from([from, to]),
        _ => BTreeSet::from([j.year()]),
    };
    let mut groups: Vec<(BTreeSet<u16>, Vec<Job>)> = Vec::new();
    for &job in jobs {
        let needs = years(&job);
        let fits = |(held, group): &(BTreeSet<u16>, Vec<Job>)| {
            key(&group[0]) == key(&job) && held.union(&needs).count() <= GROUP_YEARS
        };
        match groups.iter_mut().find(|g| fits(g)) {
            Some((held, group)) => {
                held.extend(needs);
                group.push(job);
            }
            None => groups.push((needs, vec![job])),
        }
    }
    groups.into_iter().map(|(_, group)| group).collect()
}

/// A tile on its way to its file: zoom, x, y (XYZ) and its bytes.
type TileMessage = (u8, u32, u32, Vec<u8>);
/// What a writer is sent: the tiles of a few neighbouring tile keys of one zoom.
type TileBatch = Vec<TileMessage>;
/// The thread writing one tileset's file, with what it wrote per zoom.
type WriterThread = JoinHandle<Result<(TilesetWriter, Vec<ZoomStats>)>>;

/// One tileset of a group being written: what it shows and the thread writing its file.
struct Output<'a> {
    job: Job,
    classes: &'a lbm_tileset::Classification,
    rule: Rule<'a>,
    /// What each area of each area level shows, and its `n`.
    area_values: Vec<Vec<(Option<Shown>, u32)>>,
    tx: SyncSender<TileBatch>,
    writer: WriterThread,
}

/// Builds the tilesets of one group of [`groups`] (`{name}.mbtiles` and/or `.pmtiles` each):
/// rayon workers cut, label and encode each tile's cells once ([`TileCells`]) and then encode the
/// tile of every tileset from them; one thread per tileset writes its file. `done` is called
/// as each tileset is finished.
pub fn build_group(
    p: &Prepared<'_>,
    jobs: &[Job],
    done: &(dyn Fn(&Job) + Sync),
) -> Result<Vec<TilesetSummary>> {
    let opts = p.opts;
    let pressure = match jobs {
        [Job::Pressure { .. }] => p.plan.pressure.as_ref(),
        _ => None,
    };
    let mut outputs = Vec::with_capacity(jobs.len());
    for &job in jobs {
        let measure = job.measure();
        let classes = match job {
            Job::Score { .. } | Job::Pressure { .. } => opts.classification.get(measure.id()),
            Job::Change { .. } => opts.classification.change(measure.id()),
        }
        .expect("checked by the plan");
        let rule = match job {
            Job::Score { .. } | Job::Pressure { .. } => Rule::score(measure, classes),
            Job::Change { .. } => Rule::change(measure, classes),
        };
        let area_values = p
            .areas
            .iter()
            .map(|pa| area_values(pa, job, &rule, pressure))
            .collect();
        let (tx, writer) = spawn_writer(TilesetWriter::create(
            &opts.out_dir,
            &job.name(),
            opts.format,
        )?);
        outputs.push(Output {
            job,
            classes,
            rule,
            area_values,
            tx,
            writer,
        });
    }
    // The pyramid of this group's years only (see `levels_for`).
    let years = super::inputs::InputDigests::years_of_all(jobs, p.plan);
    let levels = super::levels_for(p.scores, p.geometry, &years);
    let produced = produce(p, &levels, &outputs, pressure);
    drop(levels);
    let mut summaries = Vec::with_capacity(outputs.len());
    let (features, mut first_error) = match produced {
        Ok(f) => (f, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    for o in outputs {
        drop(o.tx);
        let written = o.writer.join().expect("tile writer does not panic");
        let summary = written.and_then(|(writer, zoom_stats)| {
            let tiles_hash = writer.tiles_hash().to_string();
            let meta = metadata(p, o.job, o.classes, &tiles_hash);
            let files = writer.finish(&meta.to_rows())?;
            tracing::debug!(tileset = %o.job.name(), "written");
            Ok(TilesetSummary {
                path: files[0].path.clone(),
                files,
                tiles_hash,
                measure: o.job.measure().id().to_string(),
                year: o.job.year(),
                year_from: o.job.from(),
                features: features.clone(),
                zooms: zoom_stats,
            })
        });
        match summary {
            Ok(s) => {
                done(&o.job);
                summaries.push(s);
            }
            // A writer error explains a producer's "writer stopped": it replaces that one.
            Err(e) => first_error = Some(e),
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(summaries),
    }
}

/// A thread writing the tiles it is sent into `writer`, with the statistics of each zoom.
fn spawn_writer(writer: TilesetWriter) -> (SyncSender<TileBatch>, WriterThread) {
    let (tx, rx) = sync_channel::<TileBatch>(64);
    let handle = std::thread::spawn(move || {
        let mut writer = writer;
        let mut stats: Vec<ZoomStats> = Vec::new();
        for (z, x, y, data) in rx.into_iter().flatten() {
            writer.add_tile(z, x, y, &data)?;
            ZoomStats::tally(&mut stats, z, data.len() as u64);
        }
        Ok((writer, stats))
    });
    (tx, handle)
}

/// A tile's key: `x << 32 | y`.
type TileKey = u64;
/// A grid cell assigned to a tile: the tile, the cell's index in the zoom's cells.
type CellInTile = (TileKey, u32);
/// An area piece assigned to a tile: the tile, the area layer, the piece's index in the layer.
type PieceInTile = (TileKey, u8, u32);
/// A tile with its ranges in the sorted cell and piece assignments.
type TileWork = (TileKey, usize, usize, usize, usize);

/// Encodes every tile of every zoom for all `outputs` and sends each to its writer; returns the
/// number of cells of each zoom.
fn produce(
    p: &Prepared<'_>,
    levels: &[Level],
    outputs: &[Output<'_>],
    pressure: Option<&Pressure>,
) -> Result<Vec<u64>> {
    let year = outputs[0].job.year();
    let mut features = Vec::with_capacity(p.plan.zooms.len());
    for zl in &p.plan.zooms {
        let level = levels
            .iter()
            .find(|l| l.level == zl.level)
            .expect("level prepared");
        let to = level.year(year);
        let extent = extent_at(zl.zoom, p.opts.maxzoom);
        let cells = grid_cells(level, to, &outputs[0].rule, pressure, (zl.zoom, extent));
        // What a cell shows is worked out as its tiles are encoded (about once per cell): a
        // table of it per tileset and zoom was 48 bytes per cell, 210 MB per zoom for the
        // twelve tilesets of a year, allocated and faulted in anew for every zoom.
        let places = from_places(outputs, level, to);
        let froms: Vec<Option<(&[AggCell], &[u32])>> = outputs
            .iter()
            .map(|o| {
                let f = o.job.from()?;
                let (_, at) = places.iter().find(|(y, _)| *y == f)?;
                Some((level.year(f), &at[..]))
            })
            .collect();
        let zoom = ZoomWork {
            zoom: zl.zoom,
            level: zl.level,
            extent,
            to,
            cells: &cells,
            assign: cell_assignments(&cells, zl.zoom, extent),
            area_assign: area_assignments(p, outputs, zl.zoom, pressure),
            froms,
        };
        zoom.encode(p, outputs)?;
        features.push(cells.len() as u64);
    }
    Ok(features)
}

/// For every from-year of the change maps among `outputs`, the place in it of each cell of
/// `to`: found once for the change maps that share that year (a binary search per cell and
/// change map was 8 % of a build).
fn from_places(outputs: &[Output<'_>], level: &Level, to: &[AggCell]) -> Vec<(u16, Vec<u32>)> {
    let mut places: Vec<(u16, Vec<u32>)> = Vec::new();
    for f in outputs.iter().filter_map(|o| o.job.from()) {
        if places.iter().all(|(y, _)| *y != f) {
            places.push((f, places_in(to, level.year(f))));
        }
    }
    places
}

/// Every cell of a zoom in every tile its feature reaches, sorted by tile.
fn cell_assignments(cells: &[(u32, TileFeature)], zoom: u8, extent: u32) -> Vec<CellInTile> {
    let mut assign: Vec<CellInTile> = Vec::with_capacity(cells.len() + cells.len() / 8);
    for (i, (_, f)) in cells.iter().enumerate() {
        let (x0, y0, x1, y1) = f.tile_range(zoom, extent);
        for x in x0..=x1 {
            for y in y0..=y1 {
                assign.push(((u64::from(x) << 32) | u64::from(y), i as u32));
            }
        }
    }
    assign.par_sort_unstable();
    assign
}

/// Every area piece of a zoom, with or without data (a pressure overlay: only the places it
/// marks), sorted by tile.
fn area_assignments(
    p: &Prepared<'_>,
    outputs: &[Output<'_>],
    zoom: u8,
    pressure: Option<&Pressure>,
) -> Vec<PieceInTile> {
    let mut area_assign: Vec<PieceInTile> = Vec::new();
    for (li, pa) in p.areas.iter().enumerate() {
        let values = &outputs[0].area_values[li];
        let wanted = |area: u32| pressure.is_none() || values[area as usize].0.is_some();
        area_assign.extend(
            pa.layer
                .at(zoom)
                .iter()
                .enumerate()
                .filter(|(_, piece)| wanted(piece.area))
                .map(|(pi, piece)| (piece.key, li as u8, pi as u32)),
        );
    }
    area_assign.par_sort_unstable();
    area_assign
}

/// The work of one zoom: its cells and area pieces assigned to tiles, and where the change maps
/// find their from-year values.
struct ZoomWork<'a> {
    zoom: u8,
    level: u8,
    extent: u32,
    /// The aggregates of the group's year at this zoom's level.
    to: &'a [AggCell],
    cells: &'a [(u32, TileFeature)],
    assign: Vec<CellInTile>,
    area_assign: Vec<PieceInTile>,
    /// Per output, a change map's from-year values and the place in them of each cell of `to`.
    froms: Vec<Option<(&'a [AggCell], &'a [u32])>>,
}

impl ZoomWork<'_> {
    /// Encodes every tile of the zoom for every output, on the rayon workers, and sends the
    /// tiles to the writers.
    fn encode(&self, p: &Prepared<'_>, outputs: &[Output<'_>]) -> Result<()> {
        let tiles = merge_by_tile(&self.assign, &self.area_assign);
        // Tiles go to the writers in batches: a message per tile woke each tileset's writer
        // thread once per tile (futex wake-ups and task switches were 5 % of a build). Few tiles
        // (the low zooms) stay one per task, so that both cores share them.
        let batch = (tiles.len() / 64).clamp(1, 16);
        tiles.par_chunks(batch).try_for_each_init(
            || (TileCells::default(), TileEncoder::default()),
            |(tile_cells, encoder), chunk| {
                self.encode_chunk(p, outputs, chunk, tile_cells, encoder)
            },
        )
    }

    /// Encodes the tiles of `chunk` for every output and sends each output its batch.
    fn encode_chunk(
        &self,
        p: &Prepared<'_>,
        outputs: &[Output<'_>],
        chunk: &[TileWork],
        tile_cells: &mut TileCells,
        encoder: &mut TileEncoder,
    ) -> Result<()> {
        let zoom = self.zoom;
        let mut batches: Vec<Vec<TileMessage>> = outputs
            .iter()
            .map(|_| Vec::with_capacity(chunk.len()))
            .collect();
        for &(key, a, b, c, d) in chunk {
            let (x, y) = ((key >> 32) as u32, key as u32);
            tile_cells.place(
                (x, y),
                self.extent,
                self.level,
                // Each cell with its index in `to`, which its values are looked up by.
                self.assign[a..b].iter().map(|&(_, i)| {
                    let (at, ref feature) = self.cells[i as usize];
                    (at, feature)
                }),
            );
            for ((o, &from), out) in outputs.iter().zip(&self.froms).zip(&mut batches) {
                let layers = area_layers(p, zoom, &self.area_assign[c..d], &o.area_values);
                let data = encoder.encode_tile(
                    (zoom, x, y),
                    p.opts.gzip_level,
                    tile_cells,
                    |i| cell_value(self.to, i as usize, from, &o.rule),
                    &layers,
                )?;
                if data.len() as u64 > MAX_TILE_BYTES {
                    tracing::warn!(tile = %format!("{} {zoom}/{x}/{y}", o.job.name()), bytes = data.len(), "tile above 500 KB");
                }
                out.push((zoom, x, y, data));
            }
        }
        for (o, out) in outputs.iter().zip(batches) {
            let (z, x, y) = (out[0].0, out[0].1, out[0].2);
            o.tx.send(out).map_err(|_| TilerError::Encode {
                z,
                x,
                y,
                message: "the tile writer stopped".into(),
            })?;
        }
        Ok(())
    }
}

/// The area features of one tile for one tileset, by layer.
fn area_layers<'p>(
    p: &'p Prepared<'_>,
    zoom: u8,
    assigned: &[PieceInTile],
    values: &[Vec<(Option<Shown>, u32)>],
) -> Vec<AreaTileLayer<'p>> {
    let mut layers: Vec<AreaTileLayer> = Vec::new();
    for &(_, li, pi) in assigned {
        let pa = &p.areas[li as usize];
        let piece = &pa.layer.at(zoom)[pi as usize];
        let area = &pa.layer.areas[piece.area as usize];
        let (shown, n) = values[li as usize][piece.area as usize];
        let layer_name = pa.layer.level.layer();
        if layers.last().is_none_or(|l| l.name != layer_name) {
            layers.push(AreaTileLayer {
                name: layer_name,
                features: Vec::new(),
            });
        }
        layers
            .last_mut()
            .expect("pushed above")
            .features
            .push(AreaTileFeature {
                geometry: &piece.geometry,
                id: area.feature_id(),
                code: &area.code,
                name: &area.name,
                shown,
                n,
            });
    }
    layers
}

/// Grid and area assignments of one zoom merged by tile: `(tile key, grid range, area range)`.
fn merge_by_tile(assign: &[CellInTile], area_assign: &[PieceInTile]) -> Vec<TileWork> {
    let mut groups = Vec::new();
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
    groups
}

/// The cells of one zoom (with tiles of `extent` units), placed: every populated cell of the year shown (`to`, the to-year of a
/// change map), by its index in `to`. A pressure overlay has only the cells under pressure (by
/// the cell's class at this zoom in each year of the period, with the total score's `rule`).
fn grid_cells(
    level: &Level,
    to: &[AggCell],
    rule: &Rule<'_>,
    pressure: Option<&Pressure>,
    (zoom, extent): (u8, u32),
) -> Vec<(u32, TileFeature)> {
    // Each year of the period with the place in it of every cell of `to` (a merge walk per year,
    // not a binary search per cell and year).
    let period: Vec<(&[AggCell], Vec<u32>)> = pressure.map_or_else(Vec::new, |p| {
        p.years
            .par_iter()
            .filter_map(|y| u16::try_from(*y).ok())
            .map(|y| {
                let cells = level.year(y);
                (cells, places_in(to, cells))
            })
            .collect()
    });
    to.par_iter()
        .enumerate()
        .filter(|(i, _)| {
            pressure.is_none_or(|p| {
                p.holds(period.iter().map(|(cells, places)| {
                    cells
                        .get(places[*i] as usize)
                        .and_then(|c| rule.score_of(c))
                        .map(|s| s.class)
                }))
            })
        })
        .map(|(i, a)| {
            let c = &level.geometry.corners[a.geom as usize];
            let feature = TileFeature {
                quad: [
                    global_px(c[0], zoom, extent),
                    global_px(c[1], zoom, extent),
                    global_px(c[2], zoom, extent),
                    global_px(c[3], zoom, extent),
                ],
                kx: a.kx,
                ky: a.ky,
            };
            (i as u32, feature)
        })
        .collect()
}

/// What cell `i` of the shown year `to` shows in one tileset (nothing when it lacks the value;
/// in a change map its change since the year `from`, with the place in it of each cell of
/// `to`), and its `n`.
fn cell_value(
    to: &[AggCell],
    i: usize,
    from: Option<(&[AggCell], &[u32])>,
    rule: &Rule<'_>,
) -> (Option<Shown>, u32) {
    let a = &to[i];
    let shown = match from {
        None => rule.score_of(a),
        Some((cells, at)) => cells.get(at[i] as usize).and_then(|f| rule.change_of(f, a)),
    };
    (shown, a.count(rule.column))
}

/// The index in `from` of each cell of `to` (`u32::MAX` where `from` lacks it); both sorted by
/// (kx, ky).
fn places_in(to: &[AggCell], from: &[AggCell]) -> Vec<u32> {
    let mut j = 0;
    to.iter()
        .map(|a| {
            let key = (a.kx, a.ky);
            while j < from.len() && (from[j].kx, from[j].ky) < key {
                j += 1;
            }
            match from.get(j) {
                Some(f) if (f.kx, f.ky) == key => j as u32,
                _ => u32::MAX,
            }
        })
        .collect()
}

/// What each area of a level shows, and its `n` (cells with data; 0 for scores from a file). In
/// a pressure overlay an area not under pressure shows nothing.
fn area_values(
    pa: &PreparedAreas,
    job: Job,
    rule: &Rule<'_>,
    pressure: Option<&Pressure>,
) -> Vec<(Option<Shown>, u32)> {
    let to = pa.year(job.year());
    let n = |a: &AggCell| {
        if pa.from_file {
            0
        } else {
            a.count(rule.column)
        }
    };
    if let Some(p) = pressure {
        let marked = area_pressure(pa, rule, p);
        return to
            .iter()
            .zip(marked)
            .map(|(a, m)| (rule.score_of(a).filter(|_| m), n(a)))
            .collect();
    }
    match job.from() {
        None => to.iter().map(|a| (rule.score_of(a), n(a))).collect(),
        Some(f) => pa
            .year(f)
            .iter()
            .zip(to)
            .map(|(a, b)| (rule.change_of(a, b), n(b)))
            .collect(),
    }
}

/// Per area of a level, whether it is under pressure: its class (of its mean, as its score
/// tilesets show it) at or below the rule's in every year of the period.
pub fn area_pressure(pa: &PreparedAreas, rule: &Rule<'_>, p: &Pressure) -> Vec<bool> {
    let years: Vec<&[AggCell]> = p
        .years
        .iter()
        .filter_map(|y| u16::try_from(*y).ok())
        .map(|y| pa.year(y))
        .collect();
    (0..pa.layer.areas.len())
        .map(|i| {
            p.holds(
                years
                    .iter()
                    .map(|aggs| aggs.get(i).and_then(|a| rule.score_of(a)).map(|s| s.class)),
            )
        })
        .collect()
}

/// WGS84 bounds (w, s, e, n) of the cells with data in column `c`.
fn bounds(cells: &[crate::input::scores::CellRecord], c: Column) -> [f64; 4] {
    let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
    for cell in cells.iter().filter(|cell| cell.values[c].is_finite()) {
        x0 = x0.min(cell.hx);
        y0 = y0.min(cell.hy);
        x1 = x1.max(cell.hx + 1);
        y1 = y1.max(cell.hy + 1);
    }
    if x0 > x1 {
        return [3.2, 50.7, 7.3, 53.6];
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
    [w, s, e, n]
}

/// The metadata of a tileset.
fn metadata(
    p: &Prepared<'_>,
    job: Job,
    classes: &lbm_tileset::Classification,
    tiles_hash: &str,
) -> TilesetMeta {
    let opts = p.opts;
    let measure = job.measure();
    let year = job.year();
    let cells = p.scores.year(year).map_or(&[][..], |y| y.cells.as_slice());
    let [w, s, e, n] = bounds(cells, measure.column());
    let center_zoom = 8u8.clamp(opts.minzoom, opts.maxzoom);
    let pressure = match job {
        Job::Pressure { .. } => p.plan.pressure.clone(),
        _ => None,
    };
    let description = match (job.from(), &pressure) {
        (_, Some(rule)) => format!(
            "Leefbaarometer {} ({}) structureel onder druk (under structural pressure): class {} \
             or lower in every measured year from {} ({}), RD New grid cells from 100 m",
            classes.name_nl,
            classes.name_en,
            rule.max_class,
            rule.since,
            rule.years
                .iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (None, None) => format!(
            "Leefbaarometer {} ({}) {year}, RD New grid cells from 100 m",
            classes.name_nl, classes.name_en
        ),
        (Some(f), None) => format!(
            "Leefbaarometer {} ({}) ontwikkeling (change) {f}-{year}, RD New grid cells from 100 m",
            classes.name_nl, classes.name_en
        ),
    };
    let with_afw = measure == Measure::Lbm && job.from().is_none();
    let mut layers = vec![vector_layer(
        crate::encode::LAYER,
        &description,
        opts.minzoom,
        opts.maxzoom,
        grid_fields(with_afw),
    )];
    let mut areas = Vec::new();
    for pa in p.areas {
        let l = &pa.layer;
        let what = if pa.from_file {
            format!(
                "{} per {} (area scores file)",
                classes.name_nl,
                l.level.layer()
            )
        } else {
            format!(
                "{} per {}: mean of the 100 m cells whose centre lies inside",
                classes.name_nl,
                l.level.layer()
            )
        };
        layers.push(vector_layer(
            l.level.layer(),
            &what,
            l.minzoom,
            l.maxzoom,
            area_fields(with_afw),
        ));
        areas.push(lbm_tileset::levels::AreaLayerInfo {
            layer: l.level.layer().into(),
            minzoom: l.minzoom,
            maxzoom: l.maxzoom,
            scores: Some(if pa.from_file { "file" } else { "derived" }.into()),
        });
    }
    TilesetMeta {
        name: job.name(),
        description: Some(description),
        attribution: Some(opts.attribution.clone()),
        attribution_nl: opts.attribution_nl.clone(),
        version: Some("1".into()),
        bounds: [w, s, e, n],
        center: [(w + e) / 2.0, (s + n) / 2.0, f64::from(center_zoom)],
        minzoom: opts.minzoom,
        maxzoom: opts.maxzoom,
        vector_layers: Value::Array(layers),
        kind: Some(job.kind()),
        classification: Some(classes.clone()),
        pyramid: pyramid_levels(&p.plan.zooms),
        // Not the scores file's digest (the point index names it): a tileset names exactly
        // what it was made from, so adding a year leaves the other years' bytes alone.
        source_sha256: None,
        inputs_sha256: Some(p.inputs.of(job, opts, p.plan, p.scores)),
        generator: Some(GENERATOR.into()),
        levels: automatic_plan(&areas, opts.minzoom),
        areas,
        reference: if with_afw {
            p.scores.reference.metadata(year)
        } else {
            None
        },
        tiles_hash: Some(tiles_hash.to_string()),
        pressure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lbm_tileset::Measure;

    #[test]
    fn a_year_with_change_maps_from_every_earlier_year_is_split_by_years() {
        let years = [2002u16, 2008, 2012, 2014, 2016, 2018, 2020, 2022, 2024];
        let mut jobs = Vec::new();
        for measure in Measure::ALL {
            jobs.push(Job::Score {
                measure,
                year: 2024,
            });
            for &from in &years[..years.len() - 1] {
                jobs.push(Job::Change {
                    measure,
                    from,
                    to: 2024,
                });
            }
            jobs.push(Job::Score {
                measure,
                year: 2022,
            });
        }
        let groups = groups(&jobs);
        let mut seen: Vec<String> = groups.iter().flatten().map(|j| j.name()).collect();
        seen.sort();
        let mut all: Vec<String> = jobs.iter().map(|j| j.name()).collect();
        all.sort();
        assert_eq!(seen, all, "every job in exactly one group");
        for g in &groups {
            let mut held: Vec<u16> = g
                .iter()
                .flat_map(|j| match *j {
                    Job::Change { from, to, .. } => vec![from, to],
                    _ => vec![j.year()],
                })
                .collect();
            held.sort_unstable();
            held.dedup();
            assert!(held.len() <= GROUP_YEARS, "{held:?}");
            assert!(
                g.iter().all(|j| j.year() == g[0].year()),
                "one to-year per group"
            );
        }
        // 2024's score tilesets and 8 from-years, two from-years per group: 4 groups; 2022: 1.
        assert_eq!(groups.len(), 5);
    }
}

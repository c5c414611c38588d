//! A deterministic synthetic dataset that looks like the Netherlands, written as a scores CSV and
//! tiled like real data.
//!
//! Populated 100 m cells lie around the real places (GeoNames, population >= 500) inside the
//! national outline and outside the large waters; the scores are smooth spatially correlated
//! fields (octaves of value noise) that drift between the years, with a town-versus-country
//! pattern (more amenities, more nuisance and less cohesion in cities). The areas are the real
//! gemeenten and synthetic wijken and buurten cut from them (see [`areas`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use lbm_tileset::Values;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::aggregate::pyramid::{DEFAULT_MAXZOOM, DEFAULT_MINZOOM};
use crate::basemap::{basemap, BasemapOptions};
use crate::error::{Result, TilerError};
use crate::input::scores::{CellRecord, Scores, YearScores};
use crate::output::OutputFormat;
use crate::pipeline::plan::Plan;
use crate::pipeline::{build_from_scores, BuildOptions, BuildSummary};

mod areas;
mod cells;
mod fields;

use cells::populated_cells;
use fields::CellFields;

/// The national reference level of the demo's `afw`: one level for every year, so that a class
/// means the same in 2002 and in 2022 and the national improvement of the synthetic scores shows
/// as cells moving into better classes (as in the Leefbaarometer since version 3.0).
pub const DEMO_REFERENCE: f64 = 4.0;

/// The measurement years of the Leefbaarometer.
pub const DEMO_YEARS: [u16; 8] = [2002, 2008, 2012, 2014, 2016, 2018, 2020, 2022];
/// File name of the generated scores.
pub const DEMO_CSV: &str = "demo-scores.csv";
/// What the demo's scores are, the first part of their attribution.
pub const DEMO_SOURCE: &str = "Synthetic demo data, not real Leefbaarometer scores";
/// [`DEMO_SOURCE`] in Dutch.
pub const DEMO_SOURCE_NL: &str = "Synthetische demodata, geen echte Leefbaarometer-scores";

/// Attribution of the demo tilesets: what the data is, then the embedded geography it was made
/// from, credited in the very words of the basemap (so that a list of every source on the map
/// names each once).
pub fn demo_attribution() -> (String, String) {
    (
        format!("{DEMO_SOURCE}; {}", crate::input::geography::ATTRIBUTION),
        format!(
            "{DEMO_SOURCE_NL}; {}",
            crate::input::geography::ATTRIBUTION_NL
        ),
    )
}
/// The RD New extent scanned for the full country (metres: xmin, ymin, xmax, ymax).
pub const NL_BBOX: [f64; 4] = [0.0, 300_000.0, 280_000.0, 620_000.0];

/// What the demo generates and tiles.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Output folder: `demo-scores.csv`, the tilesets and the point index go here.
    pub out_dir: PathBuf,
    /// Only cells whose south-west corner lies in this RD New box (xmin, ymin, xmax, ymax).
    pub bbox: Option<[f64; 4]>,
    /// Only these years (all eight when `None`).
    pub years: Option<Vec<u16>>,
    /// Only these measures (all six when `None`).
    pub measures: Option<Vec<String>>,
    /// Lowest zoom.
    pub minzoom: u8,
    /// Highest zoom.
    pub maxzoom: u8,
    /// Change maps `(from, to)`; `None` = [`demo_change_pairs`] of the selected years.
    pub changes: Option<Vec<(u16, u16)>>,
    /// Show progress bars.
    pub progress: bool,
    /// Which files to write per tileset (passed to [`BuildOptions::format`]).
    pub format: OutputFormat,
    /// Write `demo-scores.csv` (the CLI does, as an example input). The server's first run does
    /// not: the point index holds the same numbers, and the CSV would be a second copy of them
    /// (173 MB for the whole country).
    pub keep_scores: bool,
}

impl DemoOptions {
    /// The whole country, all years and measures, zooms 5..11.
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        DemoOptions {
            out_dir: out_dir.into(),
            bbox: None,
            years: None,
            measures: None,
            minzoom: DEFAULT_MINZOOM,
            maxzoom: DEFAULT_MAXZOOM,
            changes: None,
            progress: true,
            format: OutputFormat::default(),
            keep_scores: true,
        }
    }
}

/// The demo's change maps: to the latest year from every earlier year ("is it better than in
/// 2014?"). The consecutive pairs that `build` adds by default would double the demo's change
/// maps (and its first-run time and size) for comparisons a visitor of the demo rarely makes.
pub fn demo_change_pairs(years: &[u16]) -> Vec<(u16, u16)> {
    let mut years = years.to_vec();
    years.sort_unstable();
    years.dedup();
    let Some((&last, earlier)) = years.split_last() else {
        return Vec::new();
    };
    earlier.iter().map(|&y| (y, last)).collect()
}

/// Makes the demo scores (writing `DIR/demo-scores.csv` when [`DemoOptions::keep_scores`]),
/// tiles them and writes the basemap with the demo's areas; returns the build summary.
///
/// The tiler builds from the scores in memory: they are bit for bit what reading the CSV back
/// gives (see [`demo_scores`]), so the CSV is neither read again nor, on the server's first
/// run, written at all.
pub fn demo(opts: &DemoOptions) -> Result<BuildSummary> {
    let started = std::time::Instant::now();
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| TilerError::io(&opts.out_dir, e))?;
    let csv = opts.out_dir.join(DEMO_CSV);
    let years: Vec<u16> = opts.years.clone().unwrap_or_else(|| DEMO_YEARS.to_vec());
    if let Some(y) = years.iter().find(|y| !DEMO_YEARS.contains(y)) {
        return Err(TilerError::InvalidOption {
            option: "--years",
            message: format!("{y} is not a demo year; expected some of {DEMO_YEARS:?}"),
        });
    }
    let mut b = BuildOptions::new(&csv, &opts.out_dir);
    b.measures = opts.measures.clone();
    b.minzoom = opts.minzoom;
    b.maxzoom = opts.maxzoom;
    let (attribution, attribution_nl) = demo_attribution();
    b.attribution = attribution;
    b.attribution_nl = Some(attribution_nl);
    b.changes = Some(
        opts.changes
            .clone()
            .unwrap_or_else(|| demo_change_pairs(&years)),
    );
    b.progress = opts.progress;
    b.format = opts.format;
    Plan::check_options(&b)?;

    let mut scores = demo_scores(&csv, opts.bbox.unwrap_or(NL_BBOX), &years);
    // The metadata's `source_sha256` names the CSV's bytes, whether or not it is kept.
    let text = scores_csv(&scores);
    scores.sha256 = hex::encode(Sha256::digest(&text));
    if opts.keep_scores {
        write_atomically(&csv, &text)?;
    }
    drop(text);
    tracing::info!(
        rows = scores.rows,
        kept = opts.keep_scores,
        "demo scores made"
    );

    let mut areas = crate::input::geography::gemeenten()?;
    let parts = areas::subdivide(&areas, opts.bbox.unwrap_or(NL_BBOX));
    tracing::info!(areas = parts.len(), "synthetic wijken and buurten made");
    areas.extend(parts);
    let mut map = BasemapOptions::new(&opts.out_dir);
    map.areas = areas.clone();
    map.areas_attribution = Some((
        "wijken and buurten: synthetic (demo)".into(),
        Some("wijken en buurten: synthetisch (demo)".into()),
    ));
    map.format = opts.format;
    b.area_features = areas;
    let mut summary = build_from_scores(&scores, &b)?;
    basemap(&map)?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Generates the demo scores for the cells in `bbox` and the given years and writes them as a
/// Leefbaarometer grid CSV (`grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won`). Returns the row count.
pub fn write_demo_csv(path: &Path, bbox: [f64; 4], years: &[u16]) -> Result<usize> {
    let scores = demo_scores(path, bbox, years);
    write_atomically(path, &scores_csv(&scores))?;
    Ok(scores.rows as usize)
}

/// The demo scores of `years` for the populated cells in `bbox`, every value rounded to
/// thousandths as a published file has them. `afw` is `lbm` minus [`DEMO_REFERENCE`] exactly.
///
/// A value is `k / 1000.0` for an integer `k`: the double nearest to `k / 1000`, which is what
/// parsing the decimal `k / 1000` gives, so [`scores_csv`]'s text reads back to the same bits.
pub fn demo_scores(path: &Path, bbox: [f64; 4], years: &[u16]) -> Scores {
    let cells = populated_cells(bbox);
    let fields: Vec<CellFields> = cells.par_iter().map(CellFields::new).collect();
    let mut years = years.to_vec();
    years.sort_unstable();
    years.dedup();
    let reference = (DEMO_REFERENCE * 1000.0).round() as i64;
    let per_year = years
        .iter()
        .map(|&year| {
            let t = f64::from(year - 2002) / 20.0;
            let cells: Vec<CellRecord> = cells
                .par_iter()
                .zip(&fields)
                .filter_map(|(c, f)| {
                    let v = f.values(year, t)?;
                    let k = |x: f64| (x * 1000.0).round() as i64;
                    let lbm = k(v[0]);
                    let ks = [
                        lbm,
                        lbm - reference,
                        k(v[1]),
                        k(v[2]),
                        k(v[3]),
                        k(v[4]),
                        k(v[5]),
                    ];
                    Some(CellRecord {
                        hx: c.hx,
                        hy: c.hy,
                        values: Values(ks.map(|k| k as f64 / 1000.0)),
                    })
                })
                .collect();
            YearScores {
                year,
                cells,
                weights: None,
            }
        })
        .collect();
    Scores::from_years(path.to_path_buf(), per_year)
}

/// The CSV text of demo scores (`grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won`, three decimals),
/// formatted from each value's thousandths in parallel.
pub fn scores_csv(scores: &Scores) -> Vec<u8> {
    let mut out = b"grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won\n".to_vec();
    for y in &scores.years {
        let chunks: Vec<Vec<u8>> = y
            .cells
            .par_chunks(4096)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(chunk.len() * 64);
                for c in chunk {
                    let _ = write!(buf, "E{}N{},{}", c.hx, c.hy, y.year);
                    for v in c.values.0 {
                        buf.push(b',');
                        push_thousandths(&mut buf, (v * 1000.0).round() as i64);
                    }
                    buf.push(b'\n');
                }
                buf
            })
            .collect();
        for chunk in chunks {
            out.extend_from_slice(&chunk);
        }
    }
    out
}

/// `k / 1000` with three decimals (`-0.012`, `4.100`).
fn push_thousandths(out: &mut Vec<u8>, k: i64) {
    if k < 0 {
        out.push(b'-');
    }
    let a = k.unsigned_abs();
    let _ = write!(out, "{}.{:03}", a / 1000, a % 1000);
}

/// Writes `bytes` to `path` through a temporary file, so that no half-written file is left.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("csv.tmp");
    let written = std::fs::write(&tmp, bytes)
        .map_err(|e| TilerError::io(&tmp, e))
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| TilerError::io(path, e)));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// A populated demo cell: position and how urban it is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DemoCell {
    hx: i32,
    hy: i32,
    /// 0 (countryside) .. 1 (big city centre).
    urban: f64,
}

#[cfg(test)]
mod tests {
    use super::fields::{fbm, hash01};
    use super::*;

    #[test]
    fn demo_change_pairs_end_in_the_latest_year() {
        let all = [2002, 2008, 2012, 2014, 2016, 2018, 2020, 2022];
        assert_eq!(
            demo_change_pairs(&all),
            all[..7].iter().map(|&y| (y, 2022)).collect::<Vec<_>>()
        );
        assert_eq!(
            demo_change_pairs(&[2022, 2018, 2020]),
            vec![(2018, 2022), (2020, 2022)]
        );
        assert_eq!(demo_change_pairs(&[2020]), vec![]);
    }

    #[test]
    fn the_csv_reads_back_to_the_same_scores() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join(DEMO_CSV);
        let bbox = [118_000.0, 484_000.0, 124_000.0, 490_000.0];
        let made = demo_scores(&csv, bbox, &[2022, 2002, 2020]);
        assert!(made.rows > 1000, "{}", made.rows);
        assert_eq!(
            write_demo_csv(&csv, bbox, &[2002, 2020, 2022]).unwrap() as u64,
            made.rows
        );
        let read = crate::input::scores::read_scores(&csv).unwrap();
        assert_eq!(read.rows, made.rows);
        assert_eq!(read.reference, made.reference);
        assert_eq!(read.years.len(), 3);
        for (r, m) in read.years.iter().zip(&made.years) {
            assert_eq!(r.year, m.year);
            assert_eq!(r.cells.len(), m.cells.len());
            for (a, b) in r.cells.iter().zip(&m.cells) {
                assert_eq!((a.hx, a.hy), (b.hx, b.hy));
                let bits = |v: &Values| v.0.map(f64::to_bits);
                assert_eq!(bits(&a.values), bits(&b.values), "E{}N{}", a.hx, a.hy);
            }
        }
        let text = String::from_utf8(scores_csv(&made)).unwrap();
        assert!(text.lines().skip(1).all(|l| l.split(',').count() == 9));
        let mut t = Vec::new();
        push_thousandths(&mut t, -12);
        push_thousandths(&mut t, 4100);
        push_thousandths(&mut t, 0);
        assert_eq!(t, b"-0.0124.1000.000");
    }

    #[test]
    fn noise_is_smooth_and_bounded() {
        let a = fbm(121_000.0, 487_000.0, 1);
        let b = fbm(121_100.0, 487_000.0, 1);
        assert!((a - b).abs() < 0.2, "{a} {b}");
        for i in 0..1000 {
            let v = fbm(f64::from(i) * 377.0, 400_000.0 + f64::from(i) * 91.0, 3);
            assert!(v.abs() <= 1.03);
        }
        assert_eq!(hash01(1, 2, 3), hash01(1, 2, 3));
    }

    #[test]
    fn masks_follow_the_map() {
        let cells = populated_cells([120_000.0, 480_000.0, 130_000.0, 490_000.0]);
        assert!(
            cells.len() > 1000,
            "Amsterdam is populated: {}",
            cells.len()
        );
        assert!(cells
            .windows(2)
            .all(|w| (w[0].hx, w[0].hy) < (w[1].hx, w[1].hy)));
        // The middle of the IJsselmeer is water.
        let lake = populated_cells([150_000.0, 530_000.0, 160_000.0, 540_000.0]);
        assert!(lake.is_empty(), "{}", lake.len());
        // The North Sea off The Hague is outside the outline.
        assert!(populated_cells([60_000.0, 450_000.0, 65_000.0, 460_000.0]).is_empty());
    }

    #[test]
    fn values_are_in_range_and_deterministic() {
        let c = DemoCell {
            hx: 1213,
            hy: 4879,
            urban: 0.8,
        };
        let f = CellFields::new(&c);
        let v = f.values(2022, 1.0).unwrap();
        assert_eq!(Some(v), CellFields::new(&c).values(2022, 1.0));
        assert!((3.0..=5.2).contains(&v[0]));
        assert!(v[1..].iter().all(|d| d.abs() <= 0.6));
    }
}

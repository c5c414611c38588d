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

use rayon::prelude::*;

use crate::aggregate::pyramid::{DEFAULT_MAXZOOM, DEFAULT_MINZOOM};
use crate::basemap::{basemap, BasemapOptions};
use crate::error::{Result, TilerError};
use crate::output::OutputFormat;
use crate::pipeline::{build, BuildOptions, BuildSummary};

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
/// Attribution of the demo tilesets.
pub const DEMO_ATTRIBUTION: &str = "Synthetic demo data, not real Leefbaarometer scores; \
outline: Natural Earth; waters: Rijkswaterstaat KRW via nlmod; contains data from GeoNames (geonames.org); \
Gemeentegrenzen 2024: CBS / Kadaster (CBS Gebiedsindelingen via PDOK), CC BY 4.0; generalised by cartomap/nl";
/// [`DEMO_ATTRIBUTION`] in Dutch.
pub const DEMO_ATTRIBUTION_NL: &str = "Synthetische demodata, geen echte Leefbaarometer-scores; \
omtrek: Natural Earth; wateren: Rijkswaterstaat KRW via nlmod; bevat gegevens van GeoNames (geonames.org); \
Gemeentegrenzen 2024: CBS / Kadaster (CBS Gebiedsindelingen via PDOK), CC BY 4.0; gegeneraliseerd door cartomap/nl";
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
    /// Keep `demo-scores.csv` after the build (the CLI does, as an example input). The server's
    /// first run does not: the point index holds the same numbers, and the CSV would be a
    /// second copy of them (173 MB for the whole country).
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

/// The demo's change maps: to the latest year from the year before, from ten years before and
/// from the first year (those present). Every consecutive pair, as `build` writes by default,
/// would double the demo's size and first-run time for little a visitor would miss.
pub fn demo_change_pairs(years: &[u16]) -> Vec<(u16, u16)> {
    let mut years = years.to_vec();
    years.sort_unstable();
    years.dedup();
    let Some(&last) = years.last() else {
        return Vec::new();
    };
    let earlier = &years[..years.len() - 1];
    let mut from: Vec<u16> = [
        earlier.last().copied(),
        earlier.iter().copied().find(|&y| y == last - 10),
        earlier.first().copied(),
    ]
    .into_iter()
    .flatten()
    .collect();
    from.sort_unstable();
    from.dedup();
    from.into_iter().map(|f| (f, last)).collect()
}

/// Writes `DIR/demo-scores.csv`, tiles it and writes the basemap with the demo's areas; returns
/// the build summary.
pub fn demo(opts: &DemoOptions) -> Result<BuildSummary> {
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| TilerError::io(&opts.out_dir, e))?;
    let csv = opts.out_dir.join(DEMO_CSV);
    let years: Vec<u16> = opts.years.clone().unwrap_or_else(|| DEMO_YEARS.to_vec());
    if let Some(y) = years.iter().find(|y| !DEMO_YEARS.contains(y)) {
        return Err(TilerError::InvalidOption {
            option: "--years",
            message: format!("{y} is not a demo year; expected some of {DEMO_YEARS:?}"),
        });
    }
    let rows = write_demo_csv(&csv, opts.bbox.unwrap_or(NL_BBOX), &years)?;
    tracing::info!(rows, path = %csv.display(), "demo scores written");
    let mut b = BuildOptions::new(&csv, &opts.out_dir);
    b.measures = opts.measures.clone();
    b.minzoom = opts.minzoom;
    b.maxzoom = opts.maxzoom;
    b.attribution = DEMO_ATTRIBUTION.into();
    b.attribution_nl = Some(DEMO_ATTRIBUTION_NL.into());
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
    b.changes = Some(
        opts.changes
            .clone()
            .unwrap_or_else(|| demo_change_pairs(&years)),
    );
    b.progress = opts.progress;
    b.format = opts.format;
    let summary = build(&b).and_then(|s| {
        basemap(&map)?;
        Ok(s)
    });
    if !opts.keep_scores {
        // Gone either way: a failed build is retried from scratch on the next run.
        let _ = std::fs::remove_file(&csv);
    }
    summary
}

/// Generates the demo scores for the cells in `bbox` and the given years and writes them as a
/// Leefbaarometer grid CSV (`grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won`). Returns the row count.
pub fn write_demo_csv(path: &Path, bbox: [f64; 4], years: &[u16]) -> Result<usize> {
    let cells = populated_cells(bbox);
    let fields: Vec<CellFields> = cells.par_iter().map(CellFields::new).collect();
    let tmp = path.with_extension("csv.tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| TilerError::io(&tmp, e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let io = |e| TilerError::io(&tmp, e);
    w.write_all(b"grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won\n")
        .map_err(io)?;
    let mut rows = 0;
    for &year in years {
        let t = f64::from(year - 2002) / 20.0;
        let values: Vec<Option<[f64; 6]>> = fields.par_iter().map(|f| f.values(year, t)).collect();
        let n = values.iter().flatten().count();
        let text: String = cells
            .par_iter()
            .zip(&values)
            .filter_map(|(c, v)| {
                let v = (*v)?;
                Some(format!(
                    "E{}N{},{year},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3}\n",
                    c.hx,
                    c.hy,
                    v[0],
                    v[0] - DEMO_REFERENCE,
                    v[1],
                    v[2],
                    v[3],
                    v[4],
                    v[5]
                ))
            })
            .collect();
        rows += n;
        w.write_all(text.as_bytes()).map_err(io)?;
    }
    w.flush().map_err(io)?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(|e| TilerError::io(path, e))?;
    Ok(rows)
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
            vec![(2002, 2022), (2012, 2022), (2020, 2022)]
        );
        assert_eq!(
            demo_change_pairs(&[2022, 2018, 2020]),
            vec![(2018, 2022), (2020, 2022)]
        );
        assert_eq!(demo_change_pairs(&[2020]), vec![]);
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

//! A deterministic synthetic dataset that looks like the Netherlands, written as a scores CSV and
//! tiled like real data.
//!
//! Populated 100 m cells lie around the real places (GeoNames, population >= 500) inside the
//! national outline and outside the large waters; the scores are smooth spatially correlated
//! fields (octaves of value noise) that drift between the years, with a town-versus-country
//! pattern (more amenities, more nuisance and less cohesion in cities).

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::aggregate::pyramid::{DEFAULT_MAXZOOM, DEFAULT_MINZOOM};
use crate::error::{Result, TilerError};
use crate::geometry::scanline::CellRows;
use crate::output::OutputFormat;
use crate::pipeline::{build, BuildOptions, BuildSummary};

/// The national outline (Natural Earth, public domain), RD New.
const OUTLINE: &str = include_str!("../data/nl_outline_ne10m_rd.geojson");
/// Large water bodies (Rijkswaterstaat KRW via nlmod, MIT), RD New.
const WATERS: &str = include_str!("../data/nl_large_waters_krw_nlmod_rd.geojson");
/// CBS municipality boundaries 2024, generalised (CBS / Kadaster, CC BY 4.0, via cartomap/nl).
const GEMEENTEN: &str = include_str!("../data/gemeente_2024_rd.geojson");
/// Places with population >= 500 (GeoNames, CC BY 4.0).
const PLACES: &str = include_str!("../data/nl_places_geonames_pop500.csv");

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
}

impl DemoOptions {
    /// The whole country, all years and measures, zooms 5..13.
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

/// Writes `DIR/demo-scores.csv` and tiles it; returns the build summary.
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
    b.area_features = crate::input::areas::read_geojson(
        GEMEENTEN,
        Path::new("<embedded gemeente_2024_rd.geojson>"),
    )?;
    b.changes = Some(
        opts.changes
            .clone()
            .unwrap_or_else(|| demo_change_pairs(&years)),
    );
    b.progress = opts.progress;
    b.format = opts.format;
    build(&b)
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
struct DemoCell {
    hx: i32,
    hy: i32,
    /// 0 (countryside) .. 1 (big city centre).
    urban: f64,
}

/// splitmix64: a tiny, good, deterministic hash.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Uniform in [0, 1) from integer coordinates and a seed.
fn hash01(x: i64, y: i64, seed: u64) -> f64 {
    let h = splitmix64(splitmix64(splitmix64(seed) ^ x as u64) ^ y as u64);
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Smooth value noise in [-1, 1] at (x, y) in lattice units.
fn value_noise(x: f64, y: f64, seed: u64) -> f64 {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (sx, sy) = (fx * fx * (3.0 - 2.0 * fx), fy * fy * (3.0 - 2.0 * fy));
    let (ix, iy) = (x0 as i64, y0 as i64);
    let v = |dx: i64, dy: i64| hash01(ix + dx, iy + dy, seed) * 2.0 - 1.0;
    let a = v(0, 0) + sx * (v(1, 0) - v(0, 0));
    let b = v(0, 1) + sx * (v(1, 1) - v(0, 1));
    a + sy * (b - a)
}

/// Sum of octaves of value noise (wavelengths 40 km .. 800 m) at RD New metres.
fn fbm(x: f64, y: f64, seed: u64) -> f64 {
    const OCTAVES: [(f64, f64); 4] = [
        (40_000.0, 0.5),
        (12_000.0, 0.3),
        (3_000.0, 0.15),
        (800.0, 0.08),
    ];
    OCTAVES
        .iter()
        .enumerate()
        .map(|(i, (wl, amp))| amp * value_noise(x / wl, y / wl, seed.wrapping_add(i as u64 * 7919)))
        .sum()
}

/// The noise fields of one cell, computed once for all years.
struct CellFields {
    urban: f64,
    /// Two fields per dimension; a year blends them so the map drifts smoothly over time.
    dims: [(f64, f64); 5],
    jitter: [f64; 6],
    /// First year the cell is populated (new neighbourhoods appear over time).
    born: u16,
}

impl CellFields {
    fn new(c: &DemoCell) -> Self {
        let (x, y) = (
            f64::from(c.hx) * 100.0 + 50.0,
            f64::from(c.hy) * 100.0 + 50.0,
        );
        let mut dims = [(0.0, 0.0); 5];
        for (i, d) in dims.iter_mut().enumerate() {
            let s = 1000 + i as u64 * 100;
            *d = (fbm(x, y, s), fbm(x, y, s + 50));
        }
        let mut jitter = [0.0; 6];
        for (i, j) in jitter.iter_mut().enumerate() {
            *j = hash01(i64::from(c.hx), i64::from(c.hy), 77 + i as u64) * 2.0 - 1.0;
        }
        let b = hash01(i64::from(c.hx), i64::from(c.hy), 4242);
        let born = if b < 0.06 {
            DEMO_YEARS[1 + (b / 0.06 * 6.0) as usize]
        } else {
            2002
        };
        CellFields {
            urban: c.urban,
            dims,
            jitter,
            born,
        }
    }

    /// `[lbm, fys, onv, soc, vrz, won]` in `year` (`t` = 0 in 2002 .. 1 in 2022).
    fn values(&self, year: u16, t: f64) -> Option<[f64; 6]> {
        if year < self.born {
            return None;
        }
        let theta = t * 1.2;
        let (c, s) = (theta.cos(), theta.sin());
        let u = self.urban;
        // Town-versus-country offsets per dimension: fys, onv, soc, vrz, won.
        let urban_effect = [-0.08, -0.16, -0.12, 0.26, -0.05];
        let offset = [0.03, 0.06, 0.05, -0.07, 0.02];
        let mut out = [0.0; 6];
        let mut sum = 0.0;
        for i in 0..5 {
            let f = self.dims[i].0 * c + self.dims[i].1 * s;
            let v = 0.22 * f + urban_effect[i] * u + offset[i] + 0.025 * self.jitter[i + 1];
            out[i + 1] = v.clamp(-0.6, 0.6);
            sum += out[i + 1];
        }
        // The national level rises steadily (measured against the one DEMO_REFERENCE, the share
        // of cells rated "goed" or better rises and that of "onvoldoende" or worse falls: from
        // about 22 % and 6 % in 2014 to 30 % and 4 % in 2020, the story of Leefbaarheid in
        // Nederland 2020), around which places differ by their dimensions.
        let national = 3.922 + 0.05 * t;
        out[0] = (national + 0.652 * sum + 0.03 * self.jitter[0]).clamp(3.0, 5.2);
        Some(out)
    }
}

/// All polygon rings of a GeoJSON FeatureCollection, one list per feature.
fn geojson_rings(text: &str) -> Vec<Vec<Vec<(f64, f64)>>> {
    let v: serde_json::Value = serde_json::from_str(text).expect("embedded GeoJSON is valid");
    let ring = |r: &serde_json::Value| -> Vec<(f64, f64)> {
        r.as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
            .collect()
    };
    let mut out = Vec::new();
    for f in v["features"].as_array().into_iter().flatten() {
        let g = &f["geometry"];
        let polys: Vec<&serde_json::Value> = match g["type"].as_str() {
            Some("Polygon") => vec![&g["coordinates"]],
            Some("MultiPolygon") => g["coordinates"].as_array().into_iter().flatten().collect(),
            _ => Vec::new(),
        };
        out.push(
            polys
                .into_iter()
                .flat_map(|p| p.as_array().into_iter().flatten().map(ring))
                .collect(),
        );
    }
    out
}

/// A place: RD New position and population.
struct Place {
    x: f64,
    y: f64,
    population: f64,
}

fn places() -> Vec<Place> {
    let mut r = csv::Reader::from_reader(PLACES.as_bytes());
    let h = r.headers().expect("embedded CSV has a header").clone();
    let col = |n: &str| h.iter().position(|c| c == n).expect("known column");
    let (cp, cx, cy) = (col("population"), col("x_rd"), col("y_rd"));
    r.records()
        .filter_map(|rec| {
            let rec = rec.ok()?;
            Some(Place {
                population: rec.get(cp)?.parse().ok()?,
                x: rec.get(cx)?.parse().ok()?,
                y: rec.get(cy)?.parse().ok()?,
            })
        })
        .collect()
}

/// The populated cells in `bbox`, sorted by (hx, hy).
fn populated_cells(bbox: [f64; 4]) -> Vec<DemoCell> {
    let hx0 = (bbox[0] / 100.0).floor() as i32;
    let hy0 = (bbox[1] / 100.0).floor() as i32;
    let hx1 = (bbox[2] / 100.0).ceil() as i32;
    let hy1 = (bbox[3] / 100.0).ceil() as i32;
    let (w, h) = ((hx1 - hx0).max(0) as usize, (hy1 - hy0).max(0) as usize);
    // Urbanness per cell of the box; 0 = not populated.
    let mut urban = vec![0f32; w * h];
    for p in places() {
        // Radius grows a little slower than sqrt(population): ~280 m for 500, ~6.5 km for 750k.
        let r = 280.0 * (p.population / 500.0).powf(0.43);
        let weight = (p.population.ln() / 750_000f64.ln()).clamp(0.0, 1.0);
        let ax = (((p.x - r) / 100.0).floor() as i32).max(hx0);
        let bx = (((p.x + r) / 100.0).ceil() as i32).min(hx1 - 1);
        let ay = (((p.y - r) / 100.0).floor() as i32).max(hy0);
        let by = (((p.y + r) / 100.0).ceil() as i32).min(hy1 - 1);
        for hy in ay..=by {
            for hx in ax..=bx {
                let dx = f64::from(hx) * 100.0 + 50.0 - p.x;
                let dy = f64::from(hy) * 100.0 + 50.0 - p.y;
                let d = dx.hypot(dy) / r;
                if d >= 1.0 {
                    continue;
                }
                let density =
                    0.95 * (1.0 - d * d).sqrt() * (0.75 + 0.25 * fbm(dx + p.x, dy + p.y, 5));
                if hash01(i64::from(hx), i64::from(hy), 11) < density {
                    let u = (weight * (1.0 - d)) as f32;
                    let cell = &mut urban[(hy - hy0) as usize * w + (hx - hx0) as usize];
                    *cell = cell.max(u).max(f32::MIN_POSITIVE);
                }
            }
        }
    }
    let outline: Vec<Vec<(f64, f64)>> = geojson_rings(OUTLINE).into_iter().flatten().collect();
    let land = CellRows::new(&outline, hy0, hy1);
    let waters: Vec<CellRows> = geojson_rings(WATERS)
        .iter()
        .map(|rings| CellRows::new(rings, hy0, hy1))
        .collect();
    (0..w)
        .into_par_iter()
        .flat_map_iter(|i| {
            let hx = hx0 + i as i32;
            let (land, waters, urban) = (&land, &waters, &urban);
            (0..h).filter_map(move |j| {
                let hy = hy0 + j as i32;
                let mut u = urban[j * w + i];
                if u == 0.0 {
                    // Scattered farms and hamlets: about 5 % of the countryside, clustered.
                    let p =
                        0.05 * (1.0 + 1.5 * fbm(f64::from(hx) * 100.0, f64::from(hy) * 100.0, 9));
                    if hash01(i64::from(hx), i64::from(hy), 13) >= p {
                        return None;
                    }
                    u = f32::MIN_POSITIVE;
                }
                if !land.contains(hx, hy) || waters.iter().any(|m| m.contains(hx, hy)) {
                    return None;
                }
                Some(DemoCell {
                    hx,
                    hy,
                    urban: f64::from(u),
                })
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
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

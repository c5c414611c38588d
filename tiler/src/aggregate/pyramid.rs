//! The zoom pyramid: RD-aligned cells of 100·2^k m per zoom, their aggregates and projected corners.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use lbm_tileset::metadata::PyramidLevel;
use lbm_tileset::{publish, Column};

use crate::error::Result;
use crate::input::scores::CellRecord;
use lbm_tileset::project::{lonlat_to_unit, rd_to_wgs84};

/// Default lowest zoom.
pub const DEFAULT_MINZOOM: u8 = 5;
/// Default highest zoom: its tiles keep zoom 13's precision ([`crate::encode::extent_at`]),
/// so clients overzoom it to every 100 m cell and border exactly as a zoom 13 would draw them.
pub const DEFAULT_MAXZOOM: u8 = 11;
/// Smallest on-screen cell size in pixels (on 512 px tiles) a zoom may show.
pub const MIN_CELL_PX: f64 = 3.0;
/// Latitude used for the ground resolution (middle of the Netherlands).
const NL_LATITUDE: f64 = 52.2;

/// Ground metres per pixel of a 512 px tile at zoom `z` at Dutch latitudes.
pub fn metres_per_pixel(z: u8) -> f64 {
    40_075_016.686 * NL_LATITUDE.to_radians().cos() / (512.0 * f64::from(1u32 << z))
}

/// The cell level k (cell size 100·2^k m) drawn at zoom `z`: the finest that stays at least
/// [`MIN_CELL_PX`] pixels wide.
pub fn level_for_zoom(z: u8) -> u8 {
    let mpp = metres_per_pixel(z);
    (0..20u8)
        .find(|k| f64::from(100u32 << k) / mpp >= MIN_CELL_PX)
        .unwrap_or(19)
}

/// One zoom of the pyramid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZoomLevel {
    /// Web Mercator zoom.
    pub zoom: u8,
    /// Cell level: cells are `100 << level` metres.
    pub level: u8,
}

impl ZoomLevel {
    /// Cell size in metres.
    pub fn cell_m(self) -> u32 {
        100 << self.level
    }
}

/// The pyramid for a zoom range.
pub fn pyramid(minzoom: u8, maxzoom: u8) -> Vec<ZoomLevel> {
    (minzoom..=maxzoom)
        .map(|zoom| ZoomLevel {
            zoom,
            level: level_for_zoom(zoom),
        })
        .collect()
}

/// The `lbm_pyramid` metadata: the cell size of every zoom.
pub fn pyramid_levels(levels: &[ZoomLevel]) -> Vec<PyramidLevel> {
    levels
        .iter()
        .map(|l| PyramidLevel {
            zoom: l.zoom,
            cell_m: l.cell_m(),
        })
        .collect()
}

/// A cell of some level with the sums and counts of the populated 100 m cells it covers.
#[derive(Clone, Copy, Debug)]
pub struct AggCell {
    /// x in units of the cell size (`hx >> level`).
    pub kx: i32,
    /// y in units of the cell size (`hy >> level`).
    pub ky: i32,
    /// Index of this cell in the level's [`LevelGeometry`].
    pub geom: u32,
    /// Sum per value column (indexed by [`Column::index`]).
    pub sums: [f64; 7],
    /// Number of 100 m cells with data per value column.
    pub counts: [u32; 7],
}

impl AggCell {
    /// A cell (or area) with nothing in it yet.
    pub const EMPTY: AggCell = AggCell {
        kx: 0,
        ky: 0,
        geom: 0,
        sums: [0.0; 7],
        counts: [0; 7],
    };

    /// Mean of a column, `None` without data.
    pub fn mean(&self, c: Column) -> Option<f64> {
        let (s, n) = (self.sums[c.index()], self.counts[c.index()]);
        (n > 0).then(|| s / f64::from(n))
    }

    /// The published mean of a column ([`publish`]): what a tile shows.
    pub fn published(&self, c: Column) -> Option<f64> {
        self.mean(c).map(publish)
    }

    /// 100 m cells with data in column `c`.
    pub fn count(&self, c: Column) -> u32 {
        self.counts[c.index()]
    }

    /// Whether any column has data (the place exists in that year).
    pub fn any(&self) -> bool {
        self.counts.iter().any(|n| *n > 0)
    }

    /// Adds the sums and counts of another aggregate.
    pub fn merge(&mut self, other: &AggCell) {
        for j in 0..self.sums.len() {
            self.sums[j] += other.sums[j];
            self.counts[j] += other.counts[j];
        }
    }

    /// Adds the values of one 100 m cell.
    pub fn add(&mut self, values: &lbm_tileset::Values) {
        for (j, v) in values.0.iter().enumerate() {
            if v.is_finite() {
                self.sums[j] += v;
                self.counts[j] += 1;
            }
        }
    }
}

/// Aggregates 100 m cells (sorted by hx, hy) to cells of `level`, sorted by (kx, ky).
/// `geom` is left 0; see [`LevelGeometry::link`].
pub fn aggregate(cells: &[CellRecord], level: u8) -> Vec<AggCell> {
    let keyed = cells
        .iter()
        .enumerate()
        .map(|(i, c)| (c.hx >> level, c.hy >> level, i as u32))
        .collect();
    // At level 0 the keys are already in (hx, hy) order.
    group(keyed, level > 0, 2 * level.min(4), |a, i| {
        a.add(&cells[i].values)
    })
}

/// Aggregates the cells of a level (sorted by (kx, ky)) to cells `by` levels coarser, sorted by
/// (kx, ky): the sums and counts of the 100 m cells they cover, as [`aggregate`] of those cells
/// gives them (up to the order of the additions). `geom` is left 0.
pub fn coarsen(finer: &[AggCell], by: u8) -> Vec<AggCell> {
    let keyed = finer
        .iter()
        .enumerate()
        .map(|(i, c)| (c.kx >> by, c.ky >> by, i as u32))
        .collect();
    group(keyed, true, by.min(2), |a, i| a.merge(&finer[i]))
}

/// The cells of `(kx, ky, item)` keys (sorted first when `sort`), in (kx, ky) order, each made
/// of its items with `add`; `shrink` guesses the output size as `keys >> shrink`.
fn group(
    mut keyed: Vec<(i32, i32, u32)>,
    sort: bool,
    shrink: u8,
    mut add: impl FnMut(&mut AggCell, usize),
) -> Vec<AggCell> {
    if sort {
        keyed.par_sort_unstable();
    }
    let mut out: Vec<AggCell> = Vec::with_capacity(keyed.len() >> shrink);
    for (kx, ky, i) in keyed {
        if !matches!(out.last(), Some(a) if a.kx == kx && a.ky == ky) {
            out.push(AggCell {
                kx,
                ky,
                ..AggCell::EMPTY
            });
        }
        add(out.last_mut().expect("pushed above"), i as usize);
    }
    out
}

/// Spacing in metres of the lattice of points projected exactly; the corners between are
/// interpolated (see [`LevelGeometry::from_keys`]).
pub const ANCHOR_M: i32 = 400;

/// Interpolates bilinearly between the values at the corners of a block: `a` at (0, 0), `b` at
/// (1, 0), `c` at (0, 1), `d` at (1, 1). At fx, fy in {0, 1} it returns a corner exactly, and on
/// a block's edge only the two values of that edge count, so two blocks give a point on their
/// common edge the same value to the bit.
fn mix((a, b, c, d): (f64, f64, f64, f64), fx: f64, fy: f64) -> f64 {
    (1.0 - fy) * ((1.0 - fx) * a + fx * b) + fy * ((1.0 - fx) * c + fx * d)
}

/// The points of the [`ANCHOR_M`] lattice that the levels need, projected once to WGS84 (lon,
/// lat) and shared: the anchors of the 100, 200 and 400 m levels are the same points, and the
/// corners of coarser cells lie on the lattice too.
#[derive(Clone, Debug, Default)]
pub struct Lattice {
    /// Lon/lat by lattice point (x, y) in units of [`ANCHOR_M`].
    lonlat: FxHashMap<(i32, i32), (f64, f64)>,
}

impl Lattice {
    /// Projects those of `points` (in units of [`ANCHOR_M`]) not yet in it.
    pub fn add(&mut self, points: &[(i32, i32)]) -> Result<()> {
        let missing: Vec<(i32, i32)> = points
            .iter()
            .filter(|p| !self.lonlat.contains_key(p))
            .copied()
            .collect();
        let metres = |v: i32| f64::from(v) * f64::from(ANCHOR_M);
        let projected: Vec<(f64, f64)> = missing
            .par_iter()
            .map(|&(x, y)| Ok(rd_to_wgs84(metres(x), metres(y))?))
            .collect::<Result<_>>()?;
        self.lonlat.extend(missing.into_iter().zip(projected));
        Ok(())
    }

    /// The lon/lat of lattice point `p`, which [`Self::add`] was given.
    fn get(&self, p: (i32, i32)) -> (f64, f64) {
        self.lonlat[&p]
    }
}

/// Projected corners of every cell of one level that occurs in any year.
///
/// A corner is shared by up to four cells and by every measure and year: each distinct corner is
/// projected once, in parallel.
#[derive(Clone, Debug)]
pub struct LevelGeometry {
    /// Cell level.
    pub level: u8,
    /// Cell keys (kx, ky), sorted, unique.
    pub keys: Vec<(i32, i32)>,
    /// Per cell the normalised Web Mercator corners SW, NW, NE, SE.
    pub corners: Vec<[(f64, f64); 4]>,
}

impl LevelGeometry {
    /// Builds the geometry of the cells with keys (kx, ky), given in any order, repeats allowed
    /// (the union of the cells of several years).
    ///
    /// Projecting RD New to WGS84 (a double stereographic inverse and a datum shift) was a third
    /// of the CPU of a one-tileset build. Over [`ANCHOR_M`] that map is close to linear: the bend
    /// of the meridians (latitude gains tan(lat)·x²/2R² along RD's x) is the largest term, 4 mm
    /// in the middle of a 400 m block. So only the block corners (1 in 16 corners of 100 m cells)
    /// are projected exactly; a cell's corners get the longitude and latitude interpolated in its
    /// block (see [`mix`]), then exact Mercator. Every corner of a cell of 400 m or more is exact,
    /// a corner shared by two cells is the same to the bit, and the unit tests bound the error at
    /// 5 mm (a tile unit at z13 is 0.73 m).
    pub fn from_keys(level: u8, mut keys: Vec<(i32, i32)>, lattice: &mut Lattice) -> Result<Self> {
        keys.par_sort_unstable();
        keys.dedup();
        let size = 100i32 << level;
        let per = (ANCHOR_M / size).max(1);
        let block = |(x, y): (i32, i32)| (x.div_euclid(per), y.div_euclid(per));
        let mut blocks: Vec<(i32, i32)> = keys.iter().map(|&k| block(k)).collect();
        blocks.dedup();
        let mut anchors: Vec<(i32, i32)> = blocks
            .iter()
            .flat_map(|&(bx, by)| [(bx, by), (bx + 1, by), (bx, by + 1), (bx + 1, by + 1)])
            .collect();
        anchors.par_sort_unstable();
        anchors.dedup();
        // Anchors are `per * size` apart: `step` lattice points.
        let step = per * size / ANCHOR_M;
        let on_lattice = |(ax, ay): (i32, i32)| (ax * step, ay * step);
        let points: Vec<(i32, i32)> = anchors.iter().map(|&a| on_lattice(a)).collect();
        lattice.add(&points)?;
        let at = |a: (i32, i32)| lattice.get(on_lattice(a));
        let corners = keys
            .par_iter()
            .map(|&(x, y)| {
                let (bx, by) = block((x, y));
                let q = [
                    at((bx, by)),
                    at((bx + 1, by)),
                    at((bx, by + 1)),
                    at((bx + 1, by + 1)),
                ];
                let lon = (q[0].0, q[1].0, q[2].0, q[3].0);
                let lat = (q[0].1, q[1].1, q[2].1, q[3].1);
                let corner = |cx: i32, cy: i32| {
                    let fx = f64::from(cx - bx * per) / f64::from(per);
                    let fy = f64::from(cy - by * per) / f64::from(per);
                    lonlat_to_unit(mix(lon, fx, fy), mix(lat, fx, fy))
                };
                [
                    corner(x, y),
                    corner(x, y + 1),
                    corner(x + 1, y + 1),
                    corner(x + 1, y),
                ]
            })
            .collect();
        Ok(LevelGeometry {
            level,
            keys,
            corners,
        })
    }

    /// Sets [`AggCell::geom`] of each cell to its index in this geometry.
    pub fn link(&self, agg: &mut [AggCell]) {
        // Both are sorted by key: a merge walk instead of a binary search per cell.
        let mut j = 0;
        for a in agg.iter_mut() {
            while self.keys[j] != (a.kx, a.ky) {
                j += 1;
            }
            a.geom = j as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of `cells`, as the build takes them.
    fn keys(cells: &[AggCell]) -> Vec<(i32, i32)> {
        cells.iter().map(|c| (c.kx, c.ky)).collect()
    }
    use lbm_tileset::project::rd_to_unit;

    #[test]
    fn levels_per_zoom() {
        let p = pyramid(DEFAULT_MINZOOM, 13);
        let cells: Vec<(u8, u32)> = p.iter().map(|l| (l.zoom, l.cell_m())).collect();
        assert_eq!(
            cells,
            [
                (5, 6400),
                (6, 3200),
                (7, 1600),
                (8, 800),
                (9, 400),
                (10, 200),
                (11, 100),
                (12, 100),
                (13, 100)
            ]
        );
        for l in &p {
            let px = f64::from(l.cell_m()) / metres_per_pixel(l.zoom);
            assert!(
                px >= MIN_CELL_PX && (l.level == 0 || px < 2.0 * MIN_CELL_PX),
                "{l:?} {px}"
            );
        }
        assert_eq!(
            serde_json::to_string(&pyramid_levels(&p[..2])).unwrap(),
            r#"[{"zoom":5,"cell_m":6400},{"zoom":6,"cell_m":3200}]"#
        );
    }

    fn rec(hx: i32, hy: i32, v: f64) -> CellRecord {
        let mut values = lbm_tileset::Values::EMPTY;
        values[Column::Lbm] = v;
        values[Column::Fys] = v / 10.0;
        CellRecord { hx, hy, values }
    }

    #[test]
    fn aggregate_means_and_counts() {
        let mut cells = vec![
            rec(1200, 4800, 4.0),
            rec(1201, 4801, 5.0),
            rec(1202, 4800, 3.0),
            rec(-1, 3000, 1.0),
        ];
        cells[1].values[Column::Fys] = f64::NAN;
        cells.sort_by_key(|c| (c.hx, c.hy));
        let a = aggregate(&cells, 1);
        assert_eq!(a.len(), 3);
        assert_eq!((a[0].kx, a[0].ky), (-1, 1500));
        assert_eq!(
            (
                a[1].kx,
                a[1].ky,
                a[1].count(Column::Lbm),
                a[1].count(Column::Fys)
            ),
            (600, 2400, 2, 1)
        );
        assert_eq!(a[1].mean(Column::Lbm), Some(4.5));
        assert_eq!(a[1].mean(Column::Fys), Some(0.4));
        assert_eq!(a[1].mean(Column::Onv), None);
        let a0 = aggregate(&cells, 0);
        assert_eq!(a0.len(), 4);
        // Coarsening the 100 m aggregates gives what aggregating the cells gives.
        let c = coarsen(&a0, 1);
        assert_eq!(c.len(), a.len());
        for (c, a) in c.iter().zip(&a) {
            assert_eq!(
                (c.kx, c.ky, c.counts, c.sums),
                (a.kx, a.ky, a.counts, a.sums)
            );
        }
    }

    #[test]
    fn interpolated_corners_are_within_5_mm() {
        // Cells of 100, 200 and 800 m over the country against exact projection; the error in
        // metres of Mercator at Dutch latitudes (a z13 tile unit is 0.73 m).
        let unit_m = 40_075_016.686 * NL_LATITUDE.to_radians().cos();
        for level in [0u8, 1, 3] {
            let size = 100i32 << level;
            let cells: Vec<AggCell> = (0..=280_000 / size)
                .step_by((970 / size).max(1) as usize)
                .flat_map(|kx| {
                    (300_000 / size..=620_000 / size)
                        .step_by(7)
                        .map(move |ky| AggCell {
                            kx,
                            ky,
                            ..AggCell::EMPTY
                        })
                })
                .collect();
            let g = LevelGeometry::from_keys(level, keys(&cells), &mut Lattice::default()).unwrap();
            let mut worst = 0.0f64;
            for (&(x, y), corners) in g.keys.iter().zip(&g.corners) {
                let exact = |cx: i32, cy: i32| {
                    rd_to_unit(f64::from(cx * size), f64::from(cy * size)).unwrap()
                };
                let want = [
                    exact(x, y),
                    exact(x, y + 1),
                    exact(x + 1, y + 1),
                    exact(x + 1, y),
                ];
                for (g, e) in corners.iter().zip(want) {
                    worst = worst.max((g.0 - e.0).hypot(g.1 - e.1) * unit_m);
                }
                if size >= ANCHOR_M {
                    assert_eq!(*corners, want, "a cell of {size} m is exact");
                }
            }
            assert!(worst < 0.005, "{size} m: {worst} m");
        }
    }

    #[test]
    fn neighbours_in_other_blocks_share_corners_exactly() {
        // (1203, 4803) and (1204, 4804) lie in different 400 m blocks; their neighbours close
        // the square.
        let cells =
            [(1203, 4803), (1203, 4804), (1204, 4803), (1204, 4804)].map(|(kx, ky)| AggCell {
                kx,
                ky,
                ..AggCell::EMPTY
            });
        let g = LevelGeometry::from_keys(0, keys(&cells), &mut Lattice::default()).unwrap();
        let c = &g.corners;
        // The middle point (1204, 4804) is the NE of the first, SE of the second, NW of the
        // third and SW of the fourth.
        assert_eq!(c[0][2], c[1][3]);
        assert_eq!(c[0][2], c[2][1]);
        assert_eq!(c[0][2], c[3][0]);
        // A shared edge point off the lattice: (1204, 4803) and (1203, 4804).
        assert_eq!(c[0][3], c[2][0]);
        assert_eq!(c[0][1], c[1][0]);
        assert_eq!(c[1][2], c[3][1]);
    }

    #[test]
    fn geometry_shares_corners() {
        let cells = vec![
            rec(1200, 4800, 4.0),
            rec(1200, 4801, 4.0),
            rec(1201, 4800, 4.0),
        ];
        let mut a = aggregate(&cells, 0);
        let g = LevelGeometry::from_keys(0, keys(&a), &mut Lattice::default()).unwrap();
        g.link(&mut a);
        assert_eq!(a.iter().map(|c| c.geom).collect::<Vec<_>>(), [0, 1, 2]);
        // NW corner of (1200,4800) is the SW corner of (1200,4801); NE is SW of... shared exactly.
        assert_eq!(g.corners[0][1], g.corners[1][0]);
        assert_eq!(g.corners[0][3], g.corners[2][0]);
        assert_eq!(g.corners[0][2], g.corners[2][1]);
        assert_eq!(g.corners[0][2], g.corners[1][3]);
    }
}

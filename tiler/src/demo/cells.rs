//! Where the demo's populated cells are: around the real places (GeoNames, population >= 500),
//! inside the national outline and outside the large waters.

use rayon::prelude::*;

use super::fields::{fbm, hash01};
use super::DemoCell;
use crate::geometry::scanline::CellRows;
use crate::input::geography::{self, features, OUTLINE, WATERS};
use crate::input::places::places;

/// The populated cells in `bbox`, sorted by (hx, hy).
pub(super) fn populated_cells(bbox: [f64; 4]) -> Vec<DemoCell> {
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
    // Every ring of a feature's polygons, holes included: the even-odd rule of `CellRows`.
    let rings = |f: geography::Feature| -> Vec<Vec<(f64, f64)>> {
        f.polygons.into_iter().flatten().collect()
    };
    let outline: Vec<Vec<(f64, f64)>> = features(OUTLINE).into_iter().flat_map(rings).collect();
    let land = CellRows::new(&outline, hy0, hy1);
    let waters: Vec<CellRows> = features(WATERS)
        .into_iter()
        .map(|f| CellRows::new(&rings(f), hy0, hy1))
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

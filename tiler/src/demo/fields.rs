//! The synthetic scores: smooth, spatially correlated fields (octaves of value noise) per
//! dimension that drift between the years, a town-versus-country pattern, and a national level
//! that rises slowly.

use super::{DemoCell, DEMO_YEARS};

/// splitmix64: a tiny, good, deterministic hash.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Uniform in [0, 1) from integer coordinates and a seed.
pub(super) fn hash01(x: i64, y: i64, seed: u64) -> f64 {
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
pub(super) fn fbm(x: f64, y: f64, seed: u64) -> f64 {
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
pub(super) struct CellFields {
    urban: f64,
    /// Two fields per dimension; a year blends them so the map drifts smoothly over time.
    dims: [(f64, f64); 5],
    jitter: [f64; 6],
    /// First year the cell is populated (new neighbourhoods appear over time).
    born: u16,
}

impl CellFields {
    pub(super) fn new(c: &DemoCell) -> Self {
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
    pub(super) fn values(&self, year: u16, t: f64) -> Option<[f64; 6]> {
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

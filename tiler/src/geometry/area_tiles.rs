//! Area polygons cut into tiles: projected once, simplified per zoom without cracking shared
//! borders, snapped to each zoom's global tile-unit grid and clipped per tile, shared by every
//! tileset of a build.
//!
//! Simplification works on the shared arcs of all areas of a level ([`crate::geometry::simplify`]): each
//! border between two areas is simplified once, so both sides keep the same points. Snapping
//! to the *global* grid (like the cell corners) then keeps those shared points identical after
//! quantisation, and dropping repeated and collinear points treats both sides alike.
//!
//! The environment variable `LBM_SIMPLIFY` tunes the simplification for comparisons and
//! debugging: a number is the Douglas–Peucker tolerance in tile units (default
//! [`SIMPLIFY_TOLERANCE`]), `0` or `off` turns it off (snapping only).

use rayon::prelude::*;

use crate::encode::{buffer_at, extent_at, global_px, BUFFER, EXTENT};
use crate::error::Result;
use crate::geometry::simplify::{Polygon, Topology};
use crate::input::areas::{Area, AreaLevel};
use lbm_tileset::project::rd_to_unit;

/// Douglas–Peucker tolerance in tile units (1/4096 of a tile) at every zoom: borders stay
/// within one tile unit of their true course, the tolerance tippecanoe uses by default. A
/// tile unit is an eighth of a screen pixel on a 512-pixel tile, so the loss does not show.
pub const SIMPLIFY_TOLERANCE: f64 = 1.0;

/// Rings smaller than this many square tile units are dropped at a zoom (islands, holes; about
/// one screen pixel on a high-DPI screen), except an area's largest exterior while the area
/// as a whole is this large.
pub const MIN_RING_AREA: f64 = 16.0;

/// The simplification tolerance in tile units from `LBM_SIMPLIFY` (see the module docs);
/// `None` when simplification is off.
pub fn simplify_tolerance() -> Option<f64> {
    match std::env::var("LBM_SIMPLIFY") {
        Err(_) => Some(SIMPLIFY_TOLERANCE),
        Ok(v) => match v.trim() {
            "" => Some(SIMPLIFY_TOLERANCE),
            "off" | "no" | "false" => None,
            t => match t.parse::<f64>() {
                Ok(t) if t > 0.0 && t.is_finite() => Some(t),
                Ok(_) => None,
                Err(_) => {
                    tracing::warn!(value = %t, "LBM_SIMPLIFY is not a number or off; using the default");
                    Some(SIMPLIFY_TOLERANCE)
                }
            },
        },
    }
}

/// A polygon in normalised Web Mercator (rings of unit-square points).
type UnitPolygon = Vec<Vec<(f64, f64)>>;

/// One area's polygon rings inside one tile, in tile coordinates, oriented for MVT 2.1
/// (exteriors positive area in y-down coordinates, holes negative).
#[derive(Clone, Debug)]
pub struct AreaPiece {
    /// Tile key `x << 32 | y`.
    pub key: u64,
    /// Index of the area in [`AreaLayer::areas`].
    pub area: u32,
    /// The rings (each exterior followed by its holes) as MVT geometry commands, encoded once
    /// for every tileset that draws them. Only these are kept: the rings as points took about
    /// three times the memory, for every zoom of every level.
    pub geometry: Vec<u8>,
}

/// The pieces of one area level for every zoom of its range.
#[derive(Clone, Debug)]
pub struct AreaLayer {
    /// The level (layer name via [`AreaLevel::layer`]).
    pub level: AreaLevel,
    /// Lowest zoom written.
    pub minzoom: u8,
    /// Highest zoom written.
    pub maxzoom: u8,
    /// The areas of this level.
    pub areas: Vec<Area>,
    /// Per zoom from `minzoom`, the pieces sorted by (tile key, area).
    pub pieces: Vec<Vec<AreaPiece>>,
}

impl AreaLayer {
    /// Projects, simplifies, snaps and clips `areas` (all of `level`) for zooms
    /// `minzoom..=maxzoom` of a pyramid ending at `maxzoom` (whose top zoom may have a larger
    /// extent, [`extent_at`]), with the tolerance of [`simplify_tolerance`].
    pub fn build(level: AreaLevel, areas: Vec<Area>, minzoom: u8, maxzoom: u8) -> Result<Self> {
        Self::build_with(level, areas, minzoom, maxzoom, simplify_tolerance())
    }

    /// As [`AreaLayer::build`] with an explicit Douglas–Peucker `tolerance` in tile units
    /// (`None`: snap to the tile grid only).
    pub fn build_with(
        level: AreaLevel,
        areas: Vec<Area>,
        minzoom: u8,
        maxzoom: u8,
        tolerance: Option<f64>,
    ) -> Result<Self> {
        let polygons: Vec<&[Polygon]> = areas.iter().map(|a| a.polygons.as_slice()).collect();
        let pieces = tile_polygons(
            level.layer(),
            &polygons,
            (minzoom, maxzoom),
            tolerance,
            BUFFER,
            extent_at(maxzoom, maxzoom),
        )?;
        Ok(AreaLayer {
            level,
            minzoom,
            maxzoom,
            areas,
            pieces,
        })
    }

    /// The pieces at zoom `z` (empty outside the layer's range).
    pub fn at(&self, z: u8) -> &[AreaPiece] {
        if z < self.minzoom || z > self.maxzoom {
            return &[];
        }
        &self.pieces[usize::from(z - self.minzoom)]
    }
}

/// Twice the signed area in y-down coordinates (positive = clockwise on screen = MVT exterior).
fn area2(r: &[(i64, i64)]) -> i64 {
    (0..r.len())
        .map(|i| {
            let (a, b) = (r[i], r[(i + 1) % r.len()]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum()
}

/// Drops repeated points and points on a straight line between their neighbours (also spikes).
fn drop_collinear(ring: &mut Vec<(i64, i64)>) {
    let mut changed = true;
    while changed && ring.len() >= 3 {
        changed = false;
        let mut out: Vec<(i64, i64)> = Vec::with_capacity(ring.len());
        for &p in ring.iter() {
            if out.last() == Some(&p) {
                changed = true;
                continue;
            }
            out.push(p);
            while out.len() >= 3 {
                let n = out.len();
                let (a, b, c) = (out[n - 3], out[n - 2], out[n - 1]);
                if (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0) == 0 {
                    out.remove(n - 2);
                    changed = true;
                } else {
                    break;
                }
            }
        }
        // The seam between the last and the first point.
        while out.len() >= 3 {
            let n = out.len();
            if out[0] == out[n - 1] {
                out.pop();
                changed = true;
                continue;
            }
            let (a, b, c) = (out[n - 1], out[0], out[1]);
            if (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0) == 0 {
                out.remove(0);
                changed = true;
                continue;
            }
            let (a, b, c) = (out[n - 2], out[n - 1], out[0]);
            if (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0) == 0 {
                out.pop();
                changed = true;
                continue;
            }
            break;
        }
        *ring = out;
    }
}

/// Intersection of segment a-b with a vertical (`vertical`) or horizontal line at `at`, computed
/// from the lexicographically smaller end so both neighbours of a border get the same point.
fn cross(a: (i64, i64), b: (i64, i64), at: i64, vertical: bool) -> (i64, i64) {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    if vertical {
        let t = (at - a.0) as f64 / (b.0 - a.0) as f64;
        (at, (a.1 as f64 + t * (b.1 - a.1) as f64).round() as i64)
    } else {
        let t = (at - a.1) as f64 / (b.1 - a.1) as f64;
        ((a.0 as f64 + t * (b.0 - a.0) as f64).round() as i64, at)
    }
}

/// Sutherland–Hodgman clip of a ring to the box [x0, x1] × [y0, y1].
fn clip(ring: &[(i64, i64)], x0: i64, y0: i64, x1: i64, y1: i64) -> Vec<(i64, i64)> {
    let mut cur = ring.to_vec();
    // (line, vertical, keep the side above the line)
    for (at, vertical, above) in [
        (x0, true, true),
        (x1, true, false),
        (y0, false, true),
        (y1, false, false),
    ] {
        let inside = |p: (i64, i64)| {
            let v = if vertical { p.0 } else { p.1 };
            if above {
                v >= at
            } else {
                v <= at
            }
        };
        if cur.is_empty() {
            break;
        }
        let mut out = Vec::with_capacity(cur.len() + 4);
        for i in 0..cur.len() {
            let (prev, p) = (cur[(i + cur.len() - 1) % cur.len()], cur[i]);
            match (inside(prev), inside(p)) {
                (true, true) => out.push(p),
                (true, false) => out.push(cross(prev, p, at, vertical)),
                (false, true) => {
                    out.push(cross(prev, p, at, vertical));
                    out.push(p);
                }
                (false, false) => {}
            }
        }
        cur = out;
    }
    cur
}

/// Projects, simplifies (Douglas–Peucker `tolerance` in tile units over shared arcs; `None`:
/// snap only), snaps and clips the features' RD New `polygons` for zooms `minzoom..=maxzoom`,
/// each tile with `buffer` tile units (of an [`EXTENT`] tile) around it: per zoom, the pieces
/// sorted by (tile key, feature index). The top zoom's tiles have `top_extent` units, every other
/// zoom's [`EXTENT`]; tolerance, smallest ring and buffer are in tile units at every extent.
/// `label` names them in logs.
///
/// The buffer keeps the clip edges off the screen: a line drawn along a polygon's outline also
/// follows its clip edges, half its width inside the tile when the buffer is narrower than that.
pub fn tile_polygons(
    label: &str,
    polygons: &[&[Polygon]],
    (minzoom, maxzoom): (u8, u8),
    tolerance: Option<f64>,
    buffer: i32,
    top_extent: u32,
) -> Result<Vec<Vec<AreaPiece>>> {
    let started = std::time::Instant::now();
    let (topology, projected) = match tolerance {
        // The arcs are built on the RD New input, where shared vertices are bit-identical,
        // and each distinct vertex is projected once.
        Some(_) => {
            let t = Topology::build_projected(polygons, |(x, y)| rd_to_unit(x, y))?;
            tracing::debug!(
                layer = label,
                arcs = t.arc_count(),
                vertices = t.vertex_count(),
                ms = started.elapsed().as_millis(),
                "area borders as shared arcs"
            );
            (Some(t), Vec::new())
        }
        None => {
            let projected: Vec<Vec<UnitPolygon>> = polygons
                .par_iter()
                .map(|polys| {
                    polys
                        .iter()
                        .map(|p| {
                            p.iter()
                                .map(|r| r.iter().map(|&(x, y)| Ok(rd_to_unit(x, y)?)).collect())
                                .collect()
                        })
                        .collect()
                })
                .collect::<Result<_>>()?;
            (None, projected)
        }
    };
    let (mut simplify_ms, mut cut_ms) = (0, 0);
    let pieces = (minzoom..=maxzoom)
        .map(|z| {
            let extent = if z == maxzoom { top_extent } else { EXTENT };
            // Tile units per unit-square unit at this zoom.
            let scale = f64::from(extent) * f64::from(1u32 << z);
            let t0 = std::time::Instant::now();
            let simplified = match (&topology, tolerance) {
                (Some(t), Some(tol)) => {
                    Some(t.simplify(tol / scale, MIN_RING_AREA / (scale * scale)))
                }
                _ => None,
            };
            simplify_ms += t0.elapsed().as_millis();
            let t0 = std::time::Instant::now();
            let polygons = simplified.as_ref().unwrap_or(&projected);
            let mut v: Vec<AreaPiece> = polygons
                .par_iter()
                .enumerate()
                .flat_map_iter(|(i, polys)| {
                    cut(polys, (z, extent), i as u32, buffer_at(buffer, extent))
                })
                .collect();
            v.par_sort_unstable_by_key(|p| (p.key, p.area));
            cut_ms += t0.elapsed().as_millis();
            v
        })
        .collect();
    tracing::debug!(layer = label, simplify_ms, cut_ms, "area layer tiled");
    Ok(pieces)
}

/// Snaps one area to zoom `z` with tiles of `extent` units and cuts it into tile pieces.
fn cut(polys: &[UnitPolygon], (z, extent): (u8, u32), area: u32, buffer: i32) -> Vec<AreaPiece> {
    // Snapped, simplified and oriented polygons in global tile units.
    let mut snapped: Vec<Vec<Vec<(i64, i64)>>> = Vec::new();
    let (mut bx0, mut by0, mut bx1, mut by1) = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
    for poly in polys {
        let mut rings = Vec::new();
        for (ri, r) in poly.iter().enumerate() {
            let mut ring: Vec<(i64, i64)> = r
                .iter()
                .map(|&u| {
                    let (x, y) = global_px(u, z, extent);
                    (i64::from(x), i64::from(y))
                })
                .collect();
            drop_collinear(&mut ring);
            let a = area2(&ring);
            if ring.len() < 3 || a == 0 {
                if ri == 0 {
                    break; // the exterior vanished at this zoom: so do its holes
                }
                continue;
            }
            if (ri == 0) != (a > 0) {
                ring.reverse();
            }
            for &(x, y) in &ring {
                bx0 = bx0.min(x);
                by0 = by0.min(y);
                bx1 = bx1.max(x);
                by1 = by1.max(y);
            }
            rings.push(ring);
        }
        if !rings.is_empty() {
            snapped.push(rings);
        }
    }
    if snapped.is_empty() {
        return Vec::new();
    }
    let e = i64::from(extent);
    let b = i64::from(buffer);
    let max = (1i64 << z) - 1;
    let t = |v: i64| v.div_euclid(e).clamp(0, max);
    let mut out = Vec::new();
    for tx in t(bx0 - b)..=t(bx1 + b) {
        for ty in t(by0 - b)..=t(by1 + b) {
            let (ox, oy) = (tx * e, ty * e);
            let mut rings: Vec<Vec<(i32, i32)>> = Vec::new();
            for poly in &snapped {
                for (ri, ring) in poly.iter().enumerate() {
                    let mut c = clip(ring, ox - b, oy - b, ox + e + b, oy + e + b);
                    drop_collinear(&mut c);
                    if c.len() < 3 || area2(&c) == 0 {
                        if ri == 0 {
                            break;
                        }
                        continue;
                    }
                    rings.push(
                        c.iter()
                            .map(|&(x, y)| ((x - ox) as i32, (y - oy) as i32))
                            .collect(),
                    );
                }
            }
            let mut geometry = Vec::new();
            if crate::encode::geometry::polygon(&mut geometry, rings.iter().map(|r| &r[..])) {
                out.push(AreaPiece {
                    key: ((tx as u64) << 32) | ty as u64,
                    area,
                    geometry,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_collinear_drops_duplicates_collinear_and_spikes() {
        let mut r = vec![(0, 0), (0, 5), (0, 10), (0, 10), (10, 10), (10, 0), (5, 0)];
        drop_collinear(&mut r);
        assert_eq!(r, [(0, 0), (0, 10), (10, 10), (10, 0)]);
        let mut spike = vec![(0, 0), (0, 10), (0, 20), (0, 10), (10, 10)];
        drop_collinear(&mut spike);
        assert!(spike.len() < 3 || area2(&spike) != 0, "{spike:?}");
    }

    #[test]
    fn clip_keeps_orientation_and_shares_borders() {
        // Two squares sharing the edge x = 100, crossing the clip box edge y = 50.
        let left = vec![(0, 0), (100, 0), (100, 100), (0, 100)];
        let right = vec![(100, 0), (200, 0), (200, 100), (100, 100)];
        let l = clip(&left, -10, 50, 300, 300);
        let r = clip(&right, -10, 50, 300, 300);
        assert!(area2(&l) > 0 && area2(&r) > 0);
        assert!(l.contains(&(100, 50)) && r.contains(&(100, 50)));
        // A slanted shared border gives the same intersection from both sides.
        assert_eq!(
            cross((0, 0), (7, 100), 33, false),
            cross((7, 100), (0, 0), 33, false)
        );
        assert!(clip(&left, 500, 500, 600, 600).is_empty());
    }
}

//! Synthetic wijken and buurten: the real gemeenten cut into pieces, so that the demo shows the
//! scale sequence gemeente → wijk → buurt → grid of the Leefbaarometer and its search finds
//! wijken and buurten.
//!
//! A gemeente's populated demo cells are clustered (k-means) into wijken of about
//! [`CELLS_PER_WIJK`] cells; the Voronoi cells of the cluster centres, cut to the gemeente's
//! boundary, are the wijken. Each wijk is cut into buurten the same way. So the pieces nest and
//! cover their parent, are small where people live densely and large in the countryside, as the
//! CBS's are. The pieces depend on the gemeente alone (its boundary and the demo's cells in it),
//! not on the box a demo is built for, so a wijk has one shape in every demo.

use geo::{Area as _, BooleanOps, Coord, LineString, MultiPolygon, Polygon as GeoPolygon};
use rayon::prelude::*;
use voronoice::{BoundingBox, Point, VoronoiBuilder};

use super::cells::populated_cells;
use super::fields::hash01;
use crate::geometry::scanline::CellRows;
use crate::input::areas::{Area, AreaLevel, Polygon};
use crate::input::places::{places, Place};

/// Populated cells per wijk, about (a real wijk has some 100 to 300 of them).
const CELLS_PER_WIJK: f64 = 200.0;
/// Populated cells per buurt, about.
const CELLS_PER_BUURT: f64 = 40.0;
/// The code has two digits for the wijk within its gemeente and two for the buurt within its
/// wijk.
const MAX_PARTS: usize = 100;
/// What marks a synthetic name.
const SYNTHETIC: &str = " (synthetisch)";

/// The wijken and buurten of every gemeente whose bounds meet `bbox` (RD New metres).
pub(super) fn subdivide(gemeenten: &[Area], bbox: [f64; 4]) -> Vec<Area> {
    let places = places();
    gemeenten
        .par_iter()
        .filter(|g| g.level == AreaLevel::Gemeente)
        .filter(|g| {
            let b = g.bounds();
            b.0 <= bbox[2] && b.2 >= bbox[0] && b.1 <= bbox[3] && b.3 >= bbox[1]
        })
        .flat_map_iter(|g| subdivide_gemeente(g, &places))
        .collect()
}

/// One gemeente's wijken, then its buurten.
fn subdivide_gemeente(gemeente: &Area, places: &[Place]) -> Vec<Area> {
    let region = to_multi(&gemeente.polygons);
    let points = cells_inside(gemeente);
    let gm = &gemeente.code[2..];
    let mut names = Names::new(gemeente, places);
    let mut wijken = Vec::new();
    let mut buurten = Vec::new();
    for (w, (wijk, wijk_points)) in split(&region, &points, CELLS_PER_WIJK)
        .into_iter()
        .enumerate()
    {
        let wijk_name = names.wijk(&wijk, w);
        for (b, (buurt, _)) in split(&wijk, &wijk_points, CELLS_PER_BUURT)
            .into_iter()
            .enumerate()
        {
            buurten.push(Area {
                level: AreaLevel::Buurt,
                code: format!("BU{gm}{w:02}{b:02}"),
                name: format!("{}{SYNTHETIC}", names.buurt(&buurt, &wijk_name, b)),
                polygons: from_multi(&buurt),
            });
        }
        wijken.push(Area {
            level: AreaLevel::Wijk,
            code: format!("WK{gm}{w:02}"),
            name: format!("{wijk_name}{SYNTHETIC}"),
            polygons: from_multi(&wijk),
        });
    }
    wijken.extend(buurten);
    wijken
}

/// The centres of the gemeente's populated demo cells.
fn cells_inside(gemeente: &Area) -> Vec<(f64, f64)> {
    let (x0, y0, x1, y1) = gemeente.bounds();
    let rings: Vec<&[(f64, f64)]> = gemeente
        .polygons
        .iter()
        .flatten()
        .map(Vec::as_slice)
        .collect();
    let hy0 = (y0 / 100.0).floor() as i32;
    let inside = CellRows::new(&rings, hy0, (y1 / 100.0).ceil() as i32 + 1);
    populated_cells([x0, y0, x1, y1])
        .into_iter()
        .filter(|c| inside.contains(c.hx, c.hy))
        .map(|c| {
            (
                f64::from(c.hx) * 100.0 + 50.0,
                f64::from(c.hy) * 100.0 + 50.0,
            )
        })
        .collect()
}

/// A piece of a region and the cell centres in it.
type Piece = (MultiPolygon<f64>, Vec<(f64, f64)>);

/// `region` cut into about `points / per_part` pieces (1 when fewer than 3 would do), each with
/// the points that fall in it; north to south, then west to east.
fn split(region: &MultiPolygon<f64>, points: &[(f64, f64)], per_part: f64) -> Vec<Piece> {
    let k = ((points.len() as f64 / per_part).round() as usize).min(MAX_PARTS);
    let whole = || vec![(region.clone(), points.to_vec())];
    if k < 3 {
        return whole();
    }
    let mut centres = kmeans(points, k);
    centres.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.total_cmp(&b.0)));
    centres.dedup();
    let Some(bounds) = bounding_rect(region) else {
        return whole();
    };
    let (cx, cy) = ((bounds.0 + bounds.2) / 2.0, (bounds.1 + bounds.3) / 2.0);
    // A margin, so that no centre lies on the box's edge.
    let (w, h) = (bounds.2 - bounds.0 + 200.0, bounds.3 - bounds.1 + 200.0);
    let Some(voronoi) = VoronoiBuilder::default()
        .set_sites(centres.iter().map(|&(x, y)| Point { x, y }).collect())
        .set_bounding_box(BoundingBox::new(Point { x: cx, y: cy }, w, h))
        .build()
    else {
        // Collinear centres have no Voronoi diagram: keep the region whole.
        return whole();
    };
    let mut members = vec![Vec::new(); centres.len()];
    for &p in points {
        members[nearest(&centres, p)].push(p);
    }
    let mut parts = Vec::new();
    for (cell, mine) in voronoi.iter_cells().zip(members) {
        let ring: Vec<Coord<f64>> = cell
            .iter_vertices()
            .map(|p| Coord { x: p.x, y: p.y })
            .collect();
        let piece = region.intersection(&GeoPolygon::new(LineString::new(ring), Vec::new()));
        if piece.unsigned_area() > 1.0 {
            parts.push((piece, mine));
        }
    }
    if parts.is_empty() {
        return whole();
    }
    parts
}

/// `k` cluster centres of `points` by Lloyd's algorithm, from a deterministic spread of seeds.
fn kmeans(points: &[(f64, f64)], k: usize) -> Vec<(f64, f64)> {
    let mut seeds: Vec<(f64, (f64, f64))> = points
        .iter()
        .map(|&(x, y)| (hash01(x as i64, y as i64, 17), (x, y)))
        .collect();
    seeds.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut centres: Vec<(f64, f64)> = seeds.into_iter().take(k).map(|s| s.1).collect();
    for _ in 0..10 {
        let mut sums = vec![(0.0, 0.0, 0usize); centres.len()];
        for &p in points {
            let s = &mut sums[nearest(&centres, p)];
            *s = (s.0 + p.0, s.1 + p.1, s.2 + 1);
        }
        for (c, s) in centres.iter_mut().zip(&sums) {
            if s.2 > 0 {
                *c = (s.0 / s.2 as f64, s.1 / s.2 as f64);
            }
        }
    }
    centres
}

fn nearest(centres: &[(f64, f64)], p: (f64, f64)) -> usize {
    let d2 = |c: &(f64, f64)| (c.0 - p.0).powi(2) + (c.1 - p.1).powi(2);
    (0..centres.len())
        .min_by(|&a, &b| d2(&centres[a]).total_cmp(&d2(&centres[b])))
        .expect("at least one centre")
}

fn bounding_rect(region: &MultiPolygon<f64>) -> Option<(f64, f64, f64, f64)> {
    use geo::BoundingRect;
    region
        .bounding_rect()
        .map(|r| (r.min().x, r.min().y, r.max().x, r.max().y))
}

/// Names for the pieces of one gemeente: the largest GeoNames place in a piece that no other
/// piece of the gemeente is named after, or a numbered name as the CBS gives ("Wijk 03
/// Utrecht").
struct Names<'a> {
    gemeente: &'a str,
    /// The places in the gemeente, largest first, and whether one has given a name yet.
    places: Vec<(&'a Place, bool)>,
}

impl<'a> Names<'a> {
    fn new(gemeente: &'a Area, places: &'a [Place]) -> Self {
        Names {
            gemeente: &gemeente.name,
            places: places
                .iter()
                .filter(|p| gemeente.contains(p.x, p.y))
                .map(|p| (p, false))
                .collect(),
        }
    }

    /// The largest unused place inside `piece`, now used.
    fn take_place(&mut self, piece: &MultiPolygon<f64>) -> Option<&'a str> {
        use geo::Contains;
        let (place, used) = self
            .places
            .iter_mut()
            .find(|(p, used)| !used && piece.contains(&Coord { x: p.x, y: p.y }))?;
        *used = true;
        Some(&place.name)
    }

    fn wijk(&mut self, piece: &MultiPolygon<f64>, index: usize) -> String {
        match self.take_place(piece) {
            // The town the gemeente is named after is the wijk's centre.
            Some(p) if p == self.gemeente => "Centrum".to_string(),
            Some(p) => p.to_string(),
            None => format!("Wijk {index:02} {}", self.gemeente),
        }
    }

    fn buurt(&mut self, piece: &MultiPolygon<f64>, wijk: &str, index: usize) -> String {
        match self.take_place(piece) {
            Some(p) if p != self.gemeente => p.to_string(),
            _ => format!("{wijk} {}", buurt_letter(index)),
        }
    }
}

/// A, B, .., Z, AA, AB, ..
fn buurt_letter(index: usize) -> String {
    let letter = |i: usize| char::from(b'A' + (i % 26) as u8);
    if index < 26 {
        letter(index).to_string()
    } else {
        format!("{}{}", letter(index / 26 - 1), letter(index))
    }
}

fn to_multi(polygons: &[Polygon]) -> MultiPolygon<f64> {
    let ring = |r: &Vec<(f64, f64)>| LineString::from(r.clone());
    MultiPolygon::new(
        polygons
            .iter()
            .map(|p| GeoPolygon::new(ring(&p[0]), p[1..].iter().map(ring).collect()))
            .collect(),
    )
}

fn from_multi(mp: &MultiPolygon<f64>) -> Vec<Polygon> {
    let ring = |l: &LineString<f64>| {
        let mut r: Vec<(f64, f64)> = l.0.iter().map(|c| (c.x, c.y)).collect();
        if r.len() > 1 && r.first() == r.last() {
            r.pop();
        }
        r
    };
    mp.0.iter()
        .map(|p| {
            std::iter::once(ring(p.exterior()))
                .chain(p.interiors().iter().map(ring))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square_gemeente(code: &str, name: &str, x: f64, y: f64, s: f64) -> Area {
        Area {
            level: AreaLevel::Gemeente,
            code: code.into(),
            name: name.into(),
            polygons: vec![vec![vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s)]]],
        }
    }

    fn area(a: &Area) -> f64 {
        to_multi(&a.polygons).unsigned_area()
    }

    #[test]
    fn pieces_nest_cover_their_parent_and_carry_cbs_codes() {
        // 20 km around Utrecht: many populated cells.
        let g = square_gemeente("GM0344", "Utrecht", 126_000.0, 448_000.0, 20_000.0);
        let parts = subdivide_gemeente(&g, &places());
        let wijken: Vec<&Area> = parts
            .iter()
            .filter(|a| a.level == AreaLevel::Wijk)
            .collect();
        let buurten: Vec<&Area> = parts
            .iter()
            .filter(|a| a.level == AreaLevel::Buurt)
            .collect();
        assert!(wijken.len() >= 10, "{} wijken", wijken.len());
        assert!(
            buurten.len() >= 3 * wijken.len(),
            "{} buurten",
            buurten.len()
        );
        let total: f64 = wijken.iter().map(|w| area(w)).sum();
        assert!(
            (total - area(&g)).abs() < 1.0,
            "wijken cover the gemeente: {total}"
        );
        for w in &wijken {
            assert!(
                w.code.starts_with("WK0344") && w.code.len() == 8,
                "{}",
                w.code
            );
            assert!(w.name.ends_with("(synthetisch)"), "{}", w.name);
            let mine: f64 = buurten
                .iter()
                .filter(|b| b.code[2..8] == w.code[2..])
                .map(|b| area(b))
                .sum();
            assert!((mine - area(w)).abs() < 1.0, "buurten cover {}", w.code);
        }
        assert!(buurten.iter().all(|b| b.code.len() == 10));
        assert!(wijken.iter().any(|w| w.name == "Centrum (synthetisch)"));
        // One shape in every demo: the same input gives the same pieces.
        let again = subdivide_gemeente(&g, &places());
        assert_eq!(
            parts.iter().map(|a| (&a.code, &a.name)).collect::<Vec<_>>(),
            again.iter().map(|a| (&a.code, &a.name)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn an_empty_gemeente_is_one_wijk_and_one_buurt() {
        // The North Sea: no populated cells.
        let g = square_gemeente("GM9999", "Zee", 10_000.0, 560_000.0, 5_000.0);
        let parts = subdivide_gemeente(&g, &places());
        let codes: Vec<&str> = parts.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(codes, ["WK999900", "BU99990000"]);
        assert_eq!(parts[0].name, "Wijk 00 Zee (synthetisch)");
        assert_eq!(parts[1].name, "Wijk 00 Zee A (synthetisch)");
    }

    #[test]
    fn buurt_letters_continue_past_z() {
        assert_eq!(buurt_letter(0), "A");
        assert_eq!(buurt_letter(25), "Z");
        assert_eq!(buurt_letter(26), "AA");
        assert_eq!(buurt_letter(27), "AB");
    }
}

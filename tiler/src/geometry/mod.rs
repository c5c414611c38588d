//! Geometry: area borders simplified per zoom as shared arcs, snapped and cut into tiles, which
//! cells lie inside polygons, and the one point inside an area that labels and centres it.

pub mod area_tiles;
pub mod scanline;
pub mod simplify;

use geo::{Area as _, InteriorPoint as _};

/// A polygon: exterior ring first, then holes (any planar coordinates).
type Rings = Vec<Vec<(f64, f64)>>;

/// The point that stands for an area: the interior point of its largest polygon (`geo`'s
/// `InteriorPoint`: inside the polygon, also when it is concave, holed or one of several parts).
/// The basemap labels an area there, and search and the area API centre it there.
pub fn interior_point(polygons: &[Rings]) -> Option<(f64, f64)> {
    let to_geo = |p: &Rings| {
        let ring = |r: &Vec<(f64, f64)>| geo::LineString::from(r.clone());
        let mut rings = p.iter();
        let exterior = ring(rings.next()?);
        Some(geo::Polygon::new(exterior, rings.map(ring).collect()))
    };
    let largest = polygons
        .iter()
        .filter_map(to_geo)
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    let p = largest.interior_point()?;
    Some((p.x(), p.y()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interior_point_lies_in_the_largest_part_also_when_concave() {
        // A U shape whose bounding-box middle lies in the gap, and a small island.
        let u = vec![vec![
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (8.0, 10.0),
            (8.0, 2.0),
            (2.0, 2.0),
            (2.0, 10.0),
            (0.0, 10.0),
        ]];
        let island = vec![vec![(20.0, 0.0), (21.0, 0.0), (21.0, 1.0), (20.0, 1.0)]];
        let (x, y) = interior_point(&[island, u.clone()]).unwrap();
        assert!(lbm_tileset::geometry::rings_contain(&u, x, y), "{x},{y}");
        assert!(
            !(2.0..=8.0).contains(&x) || y < 2.0,
            "not in the gap: {x},{y}"
        );
        assert_eq!(interior_point(&[]), None);
    }
}

//! Plane geometry the readers and writers of tilesets share.

/// Whether the even-odd rule puts (`x`, `y`) inside `rings` (any mix of exteriors and holes, in
/// any orientation; a ring need not repeat its first point). A point on the boundary may fall on
/// either side.
pub fn rings_contain<R: AsRef<[(f64, f64)]>>(rings: &[R], x: f64, y: f64) -> bool {
    let mut inside = false;
    for ring in rings {
        let ring = ring.as_ref();
        let n = ring.len();
        if n < 3 {
            continue;
        }
        let mut j = n - 1;
        for i in 0..n {
            let ((xi, yi), (xj, yj)) = (ring[i], ring[j]);
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                inside = !inside;
            }
            j = i;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_odd_with_holes_and_closed_rings() {
        let outer = vec![
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (0.0, 0.0),
        ];
        let hole = vec![(4.0, 4.0), (4.0, 6.0), (6.0, 6.0), (6.0, 4.0)];
        let rings = [outer.clone(), hole];
        assert!(rings_contain(&rings, 1.0, 1.0));
        assert!(!rings_contain(&rings, 5.0, 5.0), "in the hole");
        assert!(!rings_contain(&rings, 11.0, 5.0));
        assert!(!rings_contain(&[vec![(0.0, 0.0), (1.0, 1.0)]], 0.5, 0.5));
        // Two separate polygons of a multipolygon: either holds its points.
        let other = vec![(20.0, 20.0), (21.0, 20.0), (21.0, 21.0), (20.0, 21.0)];
        assert!(rings_contain(&[outer, other], 20.5, 20.5));
    }
}

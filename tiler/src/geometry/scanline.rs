//! Which 100 m cells lie inside polygons, row by row: per row of cell centres, the x of every
//! place where a ring crosses the row's centre line (even-odd between them). Used for the demo's
//! land and water masks and for the cells of each area.

/// The ring crossings of the centre lines of cell rows `hy0..hy1`.
pub struct CellRows {
    hy0: i32,
    rows: Vec<Vec<f64>>,
}

impl CellRows {
    /// The crossings of `rings` (RD New metres, closing point optional) with the centre lines
    /// `y = hy * 100 + 50` for `hy` in `hy0..hy1`, each row sorted.
    pub fn new<R: AsRef<[(f64, f64)]>>(rings: &[R], hy0: i32, hy1: i32) -> Self {
        let mut rows = vec![Vec::new(); (hy1 - hy0).max(0) as usize];
        for ring in rings {
            let ring = ring.as_ref();
            for (i, a) in ring.iter().enumerate() {
                let b = ring[(i + 1) % ring.len()];
                let (ylo, yhi) = (a.1.min(b.1), a.1.max(b.1));
                let first = (((ylo - 50.0) / 100.0).floor() as i32).max(hy0);
                let last = (((yhi - 50.0) / 100.0).ceil() as i32).min(hy1 - 1);
                for hy in first..=last {
                    let yc = f64::from(hy) * 100.0 + 50.0;
                    if (a.1 <= yc) != (b.1 <= yc) {
                        let x = a.0 + (yc - a.1) * (b.0 - a.0) / (b.1 - a.1);
                        rows[(hy - hy0) as usize].push(x);
                    }
                }
            }
        }
        for r in &mut rows {
            r.sort_by(f64::total_cmp);
        }
        CellRows { hy0, rows }
    }

    /// The sorted crossings of row `hy` (empty outside the rows).
    pub fn crossings(&self, hy: i32) -> &[f64] {
        usize::try_from(hy - self.hy0)
            .ok()
            .and_then(|i| self.rows.get(i))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether the centre of cell (`hx`, `hy`) is inside (even-odd).
    pub fn contains(&self, hx: i32, hy: i32) -> bool {
        let x = f64::from(hx) * 100.0 + 50.0;
        self.crossings(hy).partition_point(|c| *c < x) % 2 == 1
    }

    /// The cells of row `hy` whose centre is inside: `hx` ranges `[lo, hi)`, one per span.
    pub fn spans(&self, hy: i32) -> impl Iterator<Item = (i32, i32)> + '_ {
        self.crossings(hy).chunks_exact(2).map(|pair| {
            (
                ((pair[0] - 50.0) / 100.0).ceil() as i32,
                ((pair[1] - 50.0) / 100.0).ceil() as i32,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_by_their_centre() {
        // A square from x 1000 to 1300 and y 2000 to 2200, with a hole over cell (11, 20).
        let outer = vec![
            (1000.0, 2000.0),
            (1300.0, 2000.0),
            (1300.0, 2200.0),
            (1000.0, 2200.0),
        ];
        let hole = vec![
            (1100.0, 2000.0),
            (1200.0, 2000.0),
            (1200.0, 2100.0),
            (1100.0, 2100.0),
        ];
        let rows = CellRows::new(&[outer, hole], 19, 23);
        assert!(rows.contains(10, 20) && rows.contains(12, 21) && rows.contains(11, 21));
        assert!(!rows.contains(11, 20), "in the hole");
        assert!(!rows.contains(13, 20) && !rows.contains(10, 22) && !rows.contains(10, 19));
        assert_eq!(rows.spans(20).collect::<Vec<_>>(), [(10, 11), (12, 13)]);
        assert_eq!(rows.spans(21).collect::<Vec<_>>(), [(10, 13)]);
        assert!(rows.crossings(40).is_empty());
    }
}

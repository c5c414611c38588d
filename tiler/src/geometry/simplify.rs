//! Topology-preserving simplification of a polygon mosaic (the areas of one level).
//!
//! Hand-written: the `geo` crate simplifies single lines and knows nothing of arcs shared by
//! neighbours. The phases of [`Topology::build_projected`] are functions of their own: number
//! the points ([`point_ids`]), find the nodes ([`nodes`]), cut the rings into arcs
//! ([`ArcTable`]), rank every arc vertex ([`importances`]).
//!
//! Simplifying each polygon on its own moves a border shared by two areas differently on each
//! side, which opens slivers and overlaps between neighbours. Instead, every ring is cut into
//! *arcs* at its *nodes* (points where three or more areas meet, or where the neighbour on the
//! other side changes), identical arcs of neighbouring rings are stored once, and each arc is
//! simplified once with Douglas–Peucker while its end points stay fixed. Rings are then
//! reassembled from the simplified arcs, so both sides of a border get the very same points.
//!
//! Douglas–Peucker is hand-written rather than taken from the `geo` crate: `geo`'s `Simplify`
//! works on one line at a time and knows nothing of shared arcs (the arc building here is the
//! actual work either way), and here each vertex's *importance* is computed once per arc — the
//! largest tolerance at which Douglas–Peucker would keep it — so every zoom is a cheap filter
//! instead of a new run. (`geo` is a dependency of the tiler for the repair of area rings, not for
//! this.)

use std::collections::HashMap;

use rayon::prelude::*;

/// A point in any planar coordinates (the tiler uses normalised Web Mercator).
pub type Point = (f64, f64);
/// A polygon: exterior ring first, then holes; rings without the closing point.
pub type Polygon = Vec<Vec<Point>>;

/// A ring's use of an arc: the arc's index and whether the ring runs it backwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ArcRef {
    arc: u32,
    rev: bool,
}

/// One ring of the input as arcs, with its unsimplified area.
#[derive(Clone, Debug)]
struct TopoRing {
    arcs: Vec<ArcRef>,
    /// Absolute area of the unsimplified ring.
    area: f64,
}

/// Polygons of many features (areas) as shared arcs, ready to be simplified at any tolerance.
#[derive(Clone, Debug)]
pub struct Topology {
    /// Coordinates of every distinct point.
    coords: Vec<Point>,
    /// Point ids of all arcs, one after the other.
    arc_points: Vec<u32>,
    /// For each entry of `arc_points`, the squared Douglas–Peucker importance: the vertex is
    /// kept at tolerance `t` when this is greater than `t²` (infinite at the arc's ends).
    importance: Vec<f64>,
    /// Arc `i` is `arc_points[arc_start[i]..arc_start[i + 1]]`.
    arc_start: Vec<usize>,
    /// Per feature, per polygon, per ring (exterior first).
    features: Vec<Vec<Vec<TopoRing>>>,
}

/// Twice the signed area of a ring (shoelace).
fn area2(r: &[Point]) -> f64 {
    (0..r.len())
        .map(|i| {
            let (a, b) = (r[i], r[(i + 1) % r.len()]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum()
}

/// Squared distance of `p` from the segment `a`–`b` (from `a` when the segment is a point, as
/// for a closed arc whose ends coincide).
fn seg_dist2(p: Point, a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (a.0 + t * dx - p.0, a.1 + t * dy - p.1);
    ex * ex + ey * ey
}

/// Squared Douglas–Peucker importance of each point of a line: Douglas–Peucker with tolerance
/// `t` keeps exactly the points whose value is greater than `t²`. A point's value is its
/// distance when it split its interval, capped by the value of the point that split the
/// enclosing interval (a point is only considered once all of its ancestors were kept).
fn dp_importance(pts: &[Point], out: &mut [f64]) {
    let n = pts.len();
    out.fill(0.0);
    if n == 0 {
        return;
    }
    out[0] = f64::INFINITY;
    out[n - 1] = f64::INFINITY;
    let mut stack = vec![(0usize, n - 1, f64::INFINITY)];
    while let Some((i, j, parent)) = stack.pop() {
        if j <= i + 1 {
            continue;
        }
        let (mut k, mut dmax) = (i + 1, -1.0);
        for (m, &p) in pts.iter().enumerate().take(j).skip(i + 1) {
            let d = seg_dist2(p, pts[i], pts[j]);
            if d > dmax {
                (k, dmax) = (m, d);
            }
        }
        let imp = dmax.min(parent);
        out[k] = imp;
        stack.push((i, k, imp));
        stack.push((k, j, imp));
    }
}

/// Point ids of a ring without repeated consecutive points (also across the seam).
fn dedup_ring(ids: &mut Vec<u32>) {
    ids.dedup();
    while ids.len() > 1 && ids.first() == ids.last() {
        ids.pop();
    }
}

/// Every distinct point of `features` (matched by exact coordinates) and every ring as point
/// ids, in input order, without repeated consecutive points.
fn point_ids<F: AsRef<[Polygon]>>(features: &[F]) -> (Vec<Point>, Vec<Vec<u32>>) {
    let total: usize = features
        .iter()
        .flat_map(|f| f.as_ref().iter().flatten())
        .map(Vec::len)
        .sum();
    let mut ids: HashMap<(u64, u64), u32> = HashMap::with_capacity(total / 2 + 16);
    let mut coords: Vec<Point> = Vec::with_capacity(total / 2 + 16);
    let mut rings: Vec<Vec<u32>> = Vec::new();
    for ring in features.iter().flat_map(|f| f.as_ref().iter().flatten()) {
        let mut r: Vec<u32> = ring
            .iter()
            .map(|&p| {
                *ids.entry((p.0.to_bits(), p.1.to_bits()))
                    .or_insert_with(|| {
                        coords.push(p);
                        (coords.len() - 1) as u32
                    })
            })
            .collect();
        dedup_ring(&mut r);
        rings.push(r);
    }
    (coords, rings)
}

/// Which of `n_points` points are nodes: a point is a node when its two neighbours differ
/// between the rings that pass it (a border ends there, or three areas meet); a point visited
/// twice by one ring (a pinch) differs from itself in the same way.
fn nodes(rings: &[Vec<u32>], n_points: usize) -> Vec<bool> {
    const NONE: u32 = u32::MAX;
    let mut neighbours = vec![[NONE, NONE]; n_points];
    let mut node = vec![false; n_points];
    for r in rings.iter().filter(|r| r.len() >= 3) {
        let n = r.len();
        for i in 0..n {
            let (a, p, b) = (r[(i + n - 1) % n], r[i], r[(i + 1) % n]);
            let nb = &mut neighbours[p as usize];
            if nb[0] == NONE {
                *nb = [a, b];
            } else if *nb != [a, b] && *nb != [b, a] {
                node[p as usize] = true;
            }
        }
    }
    node
}

/// The arcs of a mosaic, each stored once in a canonical direction.
struct ArcTable {
    /// Arc ids by their point sequence in canonical direction.
    ids: HashMap<Vec<u32>, u32>,
    /// Point ids of all arcs, one after the other.
    points: Vec<u32>,
    /// Arc `i` is `points[start[i]..start[i + 1]]`.
    start: Vec<usize>,
}

impl Default for ArcTable {
    fn default() -> Self {
        ArcTable {
            ids: HashMap::new(),
            points: Vec::new(),
            start: vec![0],
        }
    }
}

impl ArcTable {
    /// The arc of `seq` (added when new), and whether `seq` runs it backwards.
    fn add(&mut self, seq: Vec<u32>) -> ArcRef {
        let rev_seq: Vec<u32> = seq.iter().rev().copied().collect();
        let (key, rev) = if rev_seq < seq {
            (rev_seq, true)
        } else {
            (seq, false)
        };
        let next = self.ids.len() as u32;
        let (points, start) = (&mut self.points, &mut self.start);
        let arc = *self.ids.entry(key).or_insert_with_key(|k| {
            points.extend_from_slice(k);
            start.push(points.len());
            next
        });
        ArcRef { arc, rev }
    }

    /// Ring `r` (point ids) cut into arcs at its nodes; no arcs for a ring of fewer than
    /// three points.
    fn cut(&mut self, r: &[u32], node: &[bool]) -> Vec<ArcRef> {
        let n = r.len();
        if n < 3 {
            return Vec::new();
        }
        let mut refs = Vec::new();
        match (0..n).find(|&i| node[r[i] as usize]) {
            None => {
                // A closed ring with no node (an island, or a hole filled by one area): one
                // closed arc, started at its smallest point id and run towards the smaller
                // neighbour, so the island and the hole give the same arc.
                let s = (0..n).min_by_key(|&i| r[i]).expect("n >= 3");
                let fwd = r[(s + 1) % n] < r[(s + n - 1) % n];
                let seq: Vec<u32> = (0..=n)
                    .map(|k| {
                        if fwd {
                            r[(s + k) % n]
                        } else {
                            r[(s + n - k % n) % n]
                        }
                    })
                    .collect();
                let mut a = self.add(seq);
                // The ring runs the arc backwards when it walks the other way round.
                a.rev ^= !fwd;
                refs.push(a);
            }
            Some(j0) => {
                let mut seq = vec![r[j0]];
                for k in 1..=n {
                    let p = r[(j0 + k) % n];
                    seq.push(p);
                    if node[p as usize] {
                        refs.push(self.add(std::mem::replace(&mut seq, vec![p])));
                    }
                }
            }
        }
        refs
    }
}

/// The importance of every arc vertex ([`dp_importance`]), arcs in parallel.
fn importances(arc_points: &[u32], arc_start: &[usize], coords: &[Point]) -> Vec<f64> {
    let mut importance = vec![0.0; arc_points.len()];
    let mut slices: Vec<&mut [f64]> = Vec::with_capacity(arc_start.len());
    let mut rest = importance.as_mut_slice();
    for w in arc_start.windows(2) {
        let (head, tail) = rest.split_at_mut(w[1] - w[0]);
        slices.push(head);
        rest = tail;
    }
    slices.into_par_iter().enumerate().for_each(|(a, out)| {
        let pts: Vec<Point> = arc_points[arc_start[a]..arc_start[a + 1]]
            .iter()
            .map(|&id| coords[id as usize])
            .collect();
        dp_importance(&pts, out);
    });
    importance
}

impl Topology {
    /// Builds the arcs of `features` (each a list of polygons). Points are matched by exact
    /// coordinates: neighbouring areas in a boundary file share their border vertices.
    pub fn build<F: AsRef<[Polygon]>>(features: &[F]) -> Self {
        match Self::build_projected(features, Ok::<Point, ()>) {
            Ok(t) => t,
            Err(()) => unreachable!("the identity cannot fail"),
        }
    }

    /// As [`Topology::build`], then maps every distinct point through `project` (e.g. RD New
    /// to Web Mercator) before simplifying: points are matched in the input coordinates, where
    /// a border's vertices are bit-identical on both sides, and a shared vertex is projected
    /// once instead of once per ring.
    pub fn build_projected<F: AsRef<[Polygon]>, E: Send>(
        features: &[F],
        project: impl Fn(Point) -> Result<Point, E> + Sync + Send,
    ) -> Result<Self, E> {
        let (coords, rings) = point_ids(features);
        let coords: Vec<Point> = coords
            .into_par_iter()
            .map(project)
            .collect::<Result<_, E>>()?;
        let node = nodes(&rings, coords.len());
        let mut arcs = ArcTable::default();
        let topo_rings: Vec<Vec<ArcRef>> = rings.iter().map(|r| arcs.cut(r, &node)).collect();
        let ArcTable {
            points: arc_points,
            start: arc_start,
            ..
        } = arcs;
        let importance = importances(&arc_points, &arc_start, &coords);
        // Back into the feature / polygon / ring structure, with each ring's area.
        let mut it = topo_rings.into_iter().zip(&rings);
        let features = features
            .iter()
            .map(|f| {
                f.as_ref()
                    .iter()
                    .map(|p| {
                        p.iter()
                            .map(|_| {
                                let (arcs, ids) = it.next().expect("one per input ring");
                                let pts: Vec<Point> =
                                    ids.iter().map(|&id| coords[id as usize]).collect();
                                TopoRing {
                                    arcs,
                                    area: area2(&pts).abs() / 2.0,
                                }
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Ok(Topology {
            coords,
            arc_points,
            importance,
            arc_start,
            features,
        })
    }

    /// Number of distinct arcs (shared borders count once).
    pub fn arc_count(&self) -> usize {
        self.arc_start.len() - 1
    }

    /// Number of arc vertices (a shared border's vertices count once).
    pub fn vertex_count(&self) -> usize {
        self.arc_points.len()
    }

    /// The ring from its arcs, each arc keeping the vertices above its tolerance.
    fn assemble(&self, ring: &TopoRing, arc_tol2: &[f64]) -> Vec<Point> {
        let mut out = Vec::new();
        for r in &ring.arcs {
            let (s, e) = (
                self.arc_start[r.arc as usize],
                self.arc_start[r.arc as usize + 1],
            );
            let t2 = arc_tol2[r.arc as usize];
            let kept = (s..e).filter(|&i| self.importance[i] > t2);
            // The last point of each arc is the first of the next (or of the ring).
            let mut pts: Vec<Point> = kept
                .map(|i| self.coords[self.arc_points[i] as usize])
                .collect();
            if r.rev {
                pts.reverse();
            }
            pts.pop();
            out.extend(pts);
        }
        out
    }

    /// The features simplified with Douglas–Peucker `tolerance` (in the input's units), shared
    /// borders identical on both sides.
    ///
    /// Rings smaller than `min_area` are dropped (islands and holes that would not show), but a
    /// feature whose exteriors add up to `min_area` or more keeps at least its largest exterior.
    /// A ring that simplification would collapse (fewer than 3 distinct points, or its area
    /// changed by more than half) gets its arcs simplified less (a quarter of the tolerance,
    /// then a sixteenth, then not at all); the arcs are shared, so its neighbours follow.
    pub fn simplify(&self, tolerance: f64, min_area: f64) -> Vec<Vec<Polygon>> {
        // Which rings to write: (feature, polygon, ring).
        let kept: Vec<Vec<Vec<bool>>> = self
            .features
            .iter()
            .map(|f| {
                let total: f64 = f.iter().filter_map(|p| p.first()).map(|r| r.area).sum();
                if total < min_area || total == 0.0 {
                    return f.iter().map(|p| vec![false; p.len()]).collect();
                }
                let largest = (0..f.len())
                    .filter(|&pi| !f[pi].is_empty() && !f[pi][0].arcs.is_empty())
                    .max_by(|&a, &b| f[a][0].area.total_cmp(&f[b][0].area));
                f.iter()
                    .enumerate()
                    .map(|(pi, p)| {
                        let exterior =
                            !p.is_empty() && (p[0].area >= min_area || Some(pi) == largest);
                        p.iter()
                            .enumerate()
                            .map(|(ri, r)| {
                                exterior && !r.arcs.is_empty() && (ri == 0 || r.area >= min_area)
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let all: Vec<&TopoRing> = self
            .features
            .iter()
            .zip(&kept)
            .flat_map(|(f, k)| {
                f.iter()
                    .zip(k)
                    .flat_map(|(p, k)| p.iter().zip(k).filter(|(_, k)| **k).map(|(r, _)| r))
            })
            .collect();

        let mut arc_tol2 = vec![tolerance * tolerance; self.arc_count()];
        let mut check: Vec<&TopoRing> = all.clone();
        for round in 0..3 {
            let bad: Vec<&TopoRing> = check
                .par_iter()
                .copied()
                .filter(|r| {
                    let pts = self.assemble(r, &arc_tol2);
                    let a = area2(&pts).abs() / 2.0;
                    pts.len() < 3 || (a - r.area).abs() > 0.5 * r.area
                })
                .collect();
            if bad.is_empty() {
                break;
            }
            for r in &bad {
                for a in &r.arcs {
                    let t = &mut arc_tol2[a.arc as usize];
                    *t = if round == 2 { 0.0 } else { *t / 16.0 };
                }
            }
            check = bad;
        }

        self.features
            .par_iter()
            .zip(&kept)
            .map(|(f, k)| {
                f.iter()
                    .zip(k)
                    .filter(|(_, k)| k.first() == Some(&true))
                    .map(|(p, k)| {
                        p.iter()
                            .zip(k)
                            .filter(|(_, k)| **k)
                            .map(|(r, _)| self.assemble(r, &arc_tol2))
                            .collect()
                    })
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A border from `a` to `b` with `n` steps: every point off the straight line by `jag`
    /// (alternating sides), on a tent-shaped bump `bump` high in the middle that must survive.
    fn jagged(a: Point, b: Point, n: usize, jag: f64, bump: f64) -> Vec<Point> {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt();
        let (nx, ny) = (-dy / len, dx / len);
        (0..=n)
            .map(|i| {
                let t = i as f64 / n as f64;
                let mut off = if i == 0 || i == n {
                    0.0
                } else if i % 2 == 0 {
                    jag
                } else {
                    -jag
                };
                off += bump * (1.0 - (2.0 * t - 1.0).abs());
                (a.0 + t * dx + off * nx, a.1 + t * dy + off * ny)
            })
            .collect()
    }

    /// A ring from borders walked in order (each border's last point is the next one's first).
    fn ring(borders: &[Vec<Point>]) -> Vec<Point> {
        borders
            .iter()
            .flat_map(|b| b[..b.len() - 1].iter().copied())
            .collect()
    }

    fn rev(v: &[Point]) -> Vec<Point> {
        v.iter().rev().copied().collect()
    }

    /// The points of a closed ring from `from` to `to` (inclusive), walking forwards.
    fn path(r: &[Point], from: Point, to: Point) -> Vec<Point> {
        let s = r.iter().position(|&p| p == from).expect("from in ring");
        let mut out = vec![from];
        for k in 1..=r.len() {
            let p = r[(s + k) % r.len()];
            out.push(p);
            if p == to {
                return out;
            }
        }
        panic!("{to:?} not in ring");
    }

    /// Straight-forward recursive Douglas–Peucker, for comparison.
    fn dp_reference(pts: &[Point], tol: f64, keep: &mut [bool]) {
        keep[0] = true;
        keep[pts.len() - 1] = true;
        fn go(pts: &[Point], i: usize, j: usize, tol2: f64, keep: &mut [bool]) {
            if j <= i + 1 {
                return;
            }
            let (k, d) = (i + 1..j)
                .map(|m| (m, seg_dist2(pts[m], pts[i], pts[j])))
                .fold((i + 1, -1.0), |b, x| if x.1 > b.1 { x } else { b });
            if d > tol2 {
                keep[k] = true;
                go(pts, i, k, tol2, keep);
                go(pts, k, j, tol2, keep);
            }
        }
        go(pts, 0, pts.len() - 1, tol * tol, keep);
    }

    #[test]
    fn importance_filter_equals_douglas_peucker() {
        let pts: Vec<Point> = (0..200)
            .map(|i| {
                let x = f64::from(i);
                (
                    x,
                    (x * 0.37).sin() * 20.0 + (x * 2.1).cos() * 3.0 + (x * 7.3).sin(),
                )
            })
            .collect();
        let mut imp = vec![0.0; pts.len()];
        dp_importance(&pts, &mut imp);
        for tol in [0.0, 0.3, 1.0, 2.5, 7.0, 30.0] {
            let mut keep = vec![false; pts.len()];
            dp_reference(&pts, tol, &mut keep);
            let ours: Vec<bool> = imp.iter().map(|&v| v > tol * tol).collect();
            assert_eq!(ours, keep, "tolerance {tol}");
        }
    }

    #[test]
    fn two_squares_share_one_simplified_border() {
        let (sw, nw, s, n) = ((0.0, 0.0), (0.0, 100.0), (100.0, 0.0), (100.0, 100.0));
        let (se, ne) = ((200.0, 0.0), (200.0, 100.0));
        let border = jagged(n, s, 100, 0.3, 10.0); // north to south
        let left = ring(&[
            jagged(sw, nw, 50, 0.2, 0.0),
            jagged(nw, n, 50, 0.2, 0.0),
            border.clone(),
            jagged(s, sw, 50, 0.2, 0.0),
        ]);
        let right = ring(&[
            rev(&border),
            jagged(n, ne, 50, 0.2, 0.0),
            jagged(ne, se, 50, 0.2, 0.0),
            jagged(se, s, 50, 0.2, 0.0),
        ]);
        let t = Topology::build(&[vec![vec![left.clone()]], vec![vec![right.clone()]]]);
        // The shared border, the rest of the left ring and the rest of the right ring.
        assert_eq!(t.arc_count(), 3);
        let out = t.simplify(1.0, 1.0);
        let (l, r) = (&out[0][0][0], &out[1][0][0]);
        assert!(
            l.len() < left.len() / 10 && r.len() < right.len() / 10,
            "{l:?}"
        );
        // Nodes stay; the border is the same points both ways; its bump survives.
        let lb = path(l, n, s);
        let rb = path(r, s, n);
        assert_eq!(lb, rev(&rb));
        assert!(lb.len() >= 3 && lb.len() < 10, "{lb:?}");
        assert!(lb.iter().any(|p| p.0 > 109.0), "bump kept: {lb:?}");
        // Every kept point is an input point, and the areas hardly changed.
        assert!(l.iter().all(|p| left.contains(p)));
        assert!((area2(l).abs() / 2.0 - area2(&left).abs() / 2.0).abs() < 200.0);
        // Orientation as given.
        assert_eq!(area2(l) > 0.0, area2(&left) > 0.0);
        assert_eq!(area2(r) > 0.0, area2(&right) > 0.0);
    }

    #[test]
    fn three_areas_keep_their_common_node_and_borders() {
        // A on the left; B (north-east) and C (south-east) meet A at the node (100, 50).
        let (sw, nw, s, m, n) = (
            (0.0, 0.0),
            (0.0, 100.0),
            (100.0, 0.0),
            (100.0, 50.0),
            (100.0, 100.0),
        );
        let (se, e, ne) = ((200.0, 0.0), (200.0, 50.0), (200.0, 100.0));
        let ab = jagged(n, m, 60, 0.4, 6.0);
        let ac = jagged(m, s, 60, 0.4, -6.0);
        let bc = jagged(m, e, 80, 0.4, 8.0);
        let a = ring(&[
            vec![sw, nw],
            vec![nw, n],
            ab.clone(),
            ac.clone(),
            vec![s, sw],
        ]);
        let b = ring(&[rev(&ab), vec![n, ne], vec![ne, e], rev(&bc)]);
        let c = ring(&[rev(&ac), bc.clone(), vec![e, se], vec![se, s]]);
        let t = Topology::build(&[vec![vec![a.clone()]], vec![vec![b]], vec![vec![c]]]);
        let out = t.simplify(1.0, 1.0);
        let (a, b, c) = (&out[0][0][0], &out[1][0][0], &out[2][0][0]);
        for r in [a, b, c] {
            assert!(r.contains(&m), "node kept in {r:?}");
        }
        assert_eq!(path(a, n, m), rev(&path(b, m, n)));
        assert_eq!(path(a, m, s), rev(&path(c, s, m)));
        assert_eq!(path(b, e, m), rev(&path(c, m, e)));
        // Simplified: the 60-point border keeps its node ends and its bump only.
        assert_eq!(path(a, n, m).len(), 3);
        // The straight input edges were already minimal and stay as they are.
        assert!(path(a, sw, nw).len() == 2);
    }

    #[test]
    fn a_hole_and_the_island_filling_it_stay_identical() {
        let outer = ring(&[
            jagged((0.0, 0.0), (0.0, 300.0), 90, 0.3, 0.0),
            jagged((0.0, 300.0), (300.0, 300.0), 90, 0.3, 0.0),
            jagged((300.0, 300.0), (300.0, 0.0), 90, 0.3, 0.0),
            jagged((300.0, 0.0), (0.0, 0.0), 90, 0.3, 0.0),
        ]);
        // The hole, walked the other way round from a different start than the island.
        let island = ring(&[
            jagged((100.0, 100.0), (100.0, 200.0), 40, 0.3, 5.0),
            jagged((100.0, 200.0), (200.0, 200.0), 40, 0.3, 5.0),
            jagged((200.0, 200.0), (200.0, 100.0), 40, 0.3, 5.0),
            jagged((200.0, 100.0), (100.0, 100.0), 40, 0.3, 5.0),
        ]);
        let mut hole = rev(&island);
        hole.rotate_left(17);
        let t = Topology::build(&[vec![vec![outer, hole.clone()]], vec![vec![island.clone()]]]);
        // The outer ring, and the closed ring shared by the hole and the island.
        assert_eq!(t.arc_count(), 2);
        let out = t.simplify(1.0, 1.0);
        assert_eq!(out[0][0].len(), 2, "hole kept");
        let (h, i) = (&out[0][0][1], &out[1][0][0]);
        assert!(h.len() < hole.len() / 5, "{h:?}");
        // Same points, walked in opposite directions.
        assert_eq!(path(h, h[0], h[h.len() - 1]).len(), h.len());
        let back = rev(i);
        let s = back.iter().position(|&p| p == h[0]).unwrap();
        let mut back = back;
        back.rotate_left(s);
        assert_eq!(&back, h);
        assert_eq!(
            area2(h) > 0.0,
            area2(&hole) > 0.0,
            "hole keeps its direction"
        );
        // At a coarse scale the hole is too small to show and goes, the outer ring stays.
        let coarse = t.simplify(1.0, 20_000.0);
        assert_eq!(coarse[0][0].len(), 1, "hole dropped");
        assert_eq!(coarse[1].len(), 0, "the island area is too small to show");
    }

    #[test]
    fn tiny_islands_go_only_at_low_zoom_and_visible_areas_keep_something() {
        let square = |x: f64, y: f64, d: f64| vec![(x, y), (x, y + d), (x + d, y + d), (x + d, y)];
        // A big polygon with a 2 × 2 island.
        let big = vec![vec![square(0.0, 0.0, 100.0)], vec![square(200.0, 0.0, 2.0)]];
        // Two 3 × 3 islands (9 each): visible together at a threshold of 16, not alone.
        let pair = vec![vec![square(300.0, 0.0, 3.0)], vec![square(310.0, 0.0, 3.5)]];
        // A speck.
        let speck = vec![vec![square(400.0, 0.0, 1.0)]];
        let t = Topology::build(&[big, pair, speck]);
        // High zoom (small thresholds): everything stays.
        let fine = t.simplify(0.1, 0.5);
        assert_eq!(
            fine.iter().map(Vec::len).collect::<Vec<_>>(),
            [2, 2, 1],
            "{fine:?}"
        );
        // Low zoom: the big polygon drops its island; the pair keeps its larger square; the
        // speck goes.
        let low = t.simplify(1.0, 16.0);
        assert_eq!(low[0].len(), 1);
        assert_eq!(low[0][0][0].len(), 4);
        assert_eq!(low[1].len(), 1);
        assert_eq!(low[1][0][0][0], (310.0, 0.0));
        assert!(low[2].is_empty());
    }

    #[test]
    fn a_ring_that_would_collapse_is_simplified_less() {
        // A diamond of radius 5 with densified edges: at tolerance 10 Douglas–Peucker alone
        // keeps two points of it.
        let diamond = ring(&[
            jagged((5.0, 0.0), (0.0, 5.0), 20, 0.05, 0.0),
            jagged((0.0, 5.0), (-5.0, 0.0), 20, 0.05, 0.0),
            jagged((-5.0, 0.0), (0.0, -5.0), 20, 0.05, 0.0),
            jagged((0.0, -5.0), (5.0, 0.0), 20, 0.05, 0.0),
        ]);
        let t = Topology::build(&[vec![vec![diamond.clone()]]]);
        let out = t.simplify(10.0, 1.0);
        let r = &out[0][0][0];
        assert!(r.len() >= 3 && r.len() < 12, "{r:?}");
        let (a, want) = (area2(r).abs() / 2.0, area2(&diamond).abs() / 2.0);
        assert!((a - want).abs() < 0.5 * want, "{a} vs {want}");
    }
}

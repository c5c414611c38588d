//! The areas of the point index in memory, for the point API: their polygons under an R-tree of
//! bounding boxes (`rstar`) and their scores. A look-up is a tree query and an even-odd test on
//! the few areas whose box holds the point, in microseconds; reading the candidates from SQLite
//! and parsing each one's GeoJSON per request managed 440 look-ups/s on a national index.

use std::collections::HashMap;

use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use serde::Deserialize;

use lbm_formats::index::read;

use super::{AreaAt, CellYear};
use crate::error::TilesetError;

/// The bounding box of one polygon of an area, with the area's position in [`Areas::areas`].
type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// A polygon: exterior ring first, then holes (RD New metres).
type Polygon = Vec<Vec<(f64, f64)>>;

/// A polygon's edges sorted into horizontal bands, so that the even-odd test of a point looks
/// only at the edges of the point's band: about √n of the n edges. National gemeenten have
/// thousands of vertices, and a plain ring walk over each candidate was most of a look-up.
#[derive(Debug)]
struct BandedPolygon {
    /// Bounds (min x, min y, max x, max y).
    bounds: [f64; 4],
    /// Bands per metre of y (0 when the polygon has no height).
    per_metre: f64,
    /// Start of each band's edges in `edges`, plus the end.
    starts: Vec<u32>,
    /// Edges `[x1, y1, x2, y2]` in metres from the south-west corner of `bounds`, band after
    /// band (an edge is in every band it spans). `f32` halves the memory of a national index
    /// (~17 million edges with real-looking borders); 60 km from the corner its step is 4 mm,
    /// far below what separates two areas.
    edges: Vec<[f32; 4]>,
}

impl BandedPolygon {
    /// The bands of `rings` (even-odd over all of them); `None` without a ring of 3 points.
    fn new(rings: &Polygon) -> Option<Self> {
        let mut edges = Vec::new();
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for ring in rings.iter().filter(|r| r.len() >= 3) {
            let mut prev = ring[ring.len() - 1];
            for &(x, y) in ring {
                b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
                // Horizontal edges never cross a horizontal ray.
                if prev.1 != y {
                    edges.push([prev.0, prev.1, x, y]);
                }
                prev = (x, y);
            }
        }
        if !(b[0] <= b[2] && b[1] <= b[3]) {
            return None;
        }
        let n_bands = ((edges.len() as f64).sqrt().ceil() as usize).clamp(1, 4096);
        let height = b[3] - b[1];
        let per_metre = if height > 0.0 {
            n_bands as f64 / height
        } else {
            0.0
        };
        let band = |y: f64| (((y - b[1]) * per_metre) as usize).min(n_bands - 1);
        let span = |e: &[f64; 4]| band(e[1].min(e[3]))..=band(e[1].max(e[3]));
        let mut starts = vec![0u32; n_bands + 1];
        for e in &edges {
            for i in span(e) {
                starts[i + 1] += 1;
            }
        }
        for i in 0..n_bands {
            starts[i + 1] += starts[i];
        }
        let mut fill: Vec<u32> = starts[..n_bands].to_vec();
        let mut banded = vec![[0.0f32; 4]; starts[n_bands] as usize];
        for e in &edges {
            let local = [
                (e[0] - b[0]) as f32,
                (e[1] - b[1]) as f32,
                (e[2] - b[0]) as f32,
                (e[3] - b[1]) as f32,
            ];
            for i in span(e) {
                banded[fill[i] as usize] = local;
                fill[i] += 1;
            }
        }
        Some(Self {
            bounds: b,
            per_metre,
            starts,
            edges: banded,
        })
    }

    /// Whether the even-odd rule puts (`x`, `y`) inside (the test of
    /// `lbm_tileset::geometry::rings_contain`, on the edges of one band).
    fn contains(&self, x: f64, y: f64) -> bool {
        let b = &self.bounds;
        if !(x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]) {
            return false;
        }
        let n_bands = self.starts.len() - 1;
        let i = (((y - b[1]) * self.per_metre) as usize).min(n_bands - 1);
        let edges = &self.edges[self.starts[i] as usize..self.starts[i + 1] as usize];
        let (x, y) = (x - b[0], y - b[1]);
        let mut inside = false;
        for e in edges {
            let [xi, yi, xj, yj] = e.map(f64::from);
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                inside = !inside;
            }
        }
        inside
    }
}

/// One area as the point API answers it.
#[derive(Debug)]
struct Area {
    code: String,
    level: String,
    name: String,
    polygons: Vec<BandedPolygon>,
    years: Vec<CellYear>,
}

/// The geometry column as the tiler writes it: GeoJSON `Polygon` or `MultiPolygon`, RD New.
#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

fn polygon(rings: Vec<Vec<[f64; 2]>>) -> Polygon {
    rings
        .into_iter()
        .map(|r| r.into_iter().map(|[x, y]| (x, y)).collect())
        .collect()
}

/// Every area of an index with its polygons and scores.
#[derive(Debug)]
pub(crate) struct Areas {
    tree: RTree<Entry>,
    areas: Vec<Area>,
}

impl Areas {
    /// Reads `areas` (and `area_scores` when `with_scores`). An area whose geometry cannot be
    /// read is left out of the look-ups (and counted in a warning); the search still has it.
    pub(crate) fn load(
        conn: &rusqlite::Connection,
        with_scores: bool,
    ) -> Result<Self, TilesetError> {
        let mut years: HashMap<String, Vec<CellYear>> = HashMap::new();
        if with_scores {
            for (code, year) in read::all_area_scores(conn)? {
                years.entry(code).or_default().push(year.into());
            }
        }
        let (mut areas, mut unreadable) = (Vec::new(), 0usize);
        read::for_each_area_shape(conn, |shape| {
            // An area not on the map (stored without geometry): no look-up finds it, but
            // the area API answers its scores.
            if shape.geom.is_none() {
                areas.push(Area {
                    years: years.remove(&shape.code).unwrap_or_default(),
                    code: shape.code,
                    level: shape.level,
                    name: shape.name,
                    polygons: Vec::new(),
                });
                return;
            }
            let polygons: Vec<Polygon> =
                match shape.geom.as_deref().map(serde_json::from_str::<Geometry>) {
                    Some(Ok(Geometry::Polygon(p))) => vec![polygon(p)],
                    Some(Ok(Geometry::MultiPolygon(ps))) => ps.into_iter().map(polygon).collect(),
                    _ => Vec::new(),
                };
            let polygons: Vec<BandedPolygon> =
                polygons.iter().filter_map(BandedPolygon::new).collect();
            if polygons.is_empty() {
                unreadable += 1;
                return;
            }
            areas.push(Area {
                years: years.remove(&shape.code).unwrap_or_default(),
                code: shape.code,
                level: shape.level,
                name: shape.name,
                polygons,
            });
        })?;
        if unreadable > 0 {
            tracing::warn!(
                unreadable,
                "areas without a readable geometry are left out of the point look-ups"
            );
        }
        let entries: Vec<Entry> = areas
            .iter()
            .enumerate()
            .flat_map(|(i, a)| {
                a.polygons.iter().map(move |p| {
                    let b = p.bounds;
                    GeomWithData::new(
                        Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]),
                        i as u32,
                    )
                })
            })
            .collect();
        Ok(Areas {
            tree: RTree::bulk_load(entries),
            areas,
        })
    }

    /// The areas containing RD point (`x`, `y`) (even-odd over each polygon's rings), each
    /// once, in code order.
    pub(crate) fn at(&self, x: f64, y: f64) -> Vec<AreaAt<'_>> {
        let mut hits: Vec<u32> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_point([x, y]))
            .map(|e| e.data)
            .collect();
        hits.sort_unstable();
        hits.dedup();
        hits.into_iter()
            .map(|i| &self.areas[i as usize])
            .filter(|a| a.polygons.iter().any(|p| p.contains(x, y)))
            .map(|a| AreaAt {
                code: &a.code,
                level: &a.level,
                name: &a.name,
                years: &a.years,
            })
            .collect()
    }

    /// Whether area `code` has a polygon on the map.
    pub(crate) fn on_map(&self, code: &str) -> bool {
        self.areas
            .binary_search_by(|a| a.code.as_str().cmp(code))
            .is_ok_and(|i| !self.areas[i].polygons.is_empty())
    }

    /// Area `code` with its time series, when it has a readable polygon or none was stored
    /// (an area not on the map).
    pub(crate) fn get(&self, code: &str) -> Option<AreaAt<'_>> {
        let i = self
            .areas
            .binary_search_by(|a| a.code.as_str().cmp(code))
            .ok()?;
        let a = &self.areas[i];
        Some(AreaAt {
            code: &a.code,
            level: &a.level,
            name: &a.name,
            years: &a.years,
        })
    }

    /// How many areas the look-ups know.
    pub(crate) fn len(&self) -> usize {
        self.areas.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index written by the real writer, with a holed polygon, a multi-part one and a
    /// geometry that is not GeoJSON.
    fn index() -> (tempfile::TempDir, rusqlite::Connection) {
        use lbm_formats::index::{AreaRow, IndexWriter};
        let dir = tempfile::tempdir().unwrap();
        let w = IndexWriter::create(&dir.path().join("i.sqlite")).unwrap();
        for (code, level, name, geom) in [
            (
                "GM0001",
                "gemeente",
                "Holed",
                r#"{"coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]],"type":"Polygon"}"#,
            ),
            (
                "GM0002",
                "gemeente",
                "Two parts",
                r#"{"type":"MultiPolygon","coordinates":[[[[20,0],[21,0],[21,1],[20,1],[20,0]]],[[[25,5],[26,5],[26,6],[25,6],[25,5]]]]}"#,
            ),
            ("WK000100", "wijk", "Broken", "not json"),
        ] {
            w.add_area(&AreaRow {
                code,
                level,
                name,
                parent: None,
                bounds_lonlat: [0.0; 4],
                bounds_rd: [0.0; 4],
                geom: Some(geom),
                parent_name: None,
                center: None,
            })
            .unwrap();
        }
        let z = Some(0.0);
        w.add_area_scores("GM0001", 2020, &[Some(4.1), Some(0.1), None, z, z, z, z])
            .unwrap();
        w.add_area_scores("GM0001", 2022, &[Some(4.2), Some(0.2), None, z, z, z, z])
            .unwrap();
        let path = w.finish().unwrap();
        let conn = lbm_formats::sqlite::open_read_only(&path).unwrap();
        (dir, conn)
    }

    #[test]
    fn points_find_their_areas_with_holes_and_parts() {
        let (_dir, conn) = index();
        let areas = Areas::load(&conn, true).unwrap();
        assert_eq!(areas.len(), 2, "the unreadable geometry is left out");
        let codes = |x, y| {
            areas
                .at(x, y)
                .into_iter()
                .map(|a| a.code)
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(1.0, 1.0), ["GM0001"]);
        assert!(codes(5.0, 5.0).is_empty(), "in the hole");
        assert!(codes(11.0, 5.0).is_empty());
        assert_eq!(codes(25.5, 5.5), ["GM0002"]);
        assert!(codes(23.0, 3.0).is_empty(), "between the parts");
        let a = &areas.at(1.0, 1.0)[0];
        assert_eq!(
            a.years.iter().map(|y| y.year).collect::<Vec<_>>(),
            [2020, 2022]
        );
        assert_eq!(a.years[0].values[..2], [("lbm", 4.1), ("afw", 0.1)]);
        assert!(
            a.years[0].values.iter().all(|(n, _)| *n != "fys"),
            "NULL is no value"
        );
    }

    proptest::proptest! {
        /// The banded test answers as the plain ring walk does, for star-shaped rings with a
        /// hole and points inside and around them (points within a millimetre of an edge aside).
        #[test]
        fn bands_agree_with_the_ring_walk(
            radii in proptest::collection::vec(1.0f64..100.0, 3..400),
            points in proptest::collection::vec((-120.0f64..120.0, -120.0f64..120.0), 50),
        ) {
            let n = radii.len() as f64;
            let outer: Vec<(f64, f64)> = radii
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let a = i as f64 / n * std::f64::consts::TAU;
                    (r * a.cos(), r * a.sin())
                })
                .collect();
            let hole = vec![(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)];
            let rings = vec![outer, hole];
            let banded = BandedPolygon::new(&rings).unwrap();
            // Edges are stored as f32 offsets: a point within a millimetre of an edge may fall
            // on either side, as on any boundary.
            let near_an_edge = |x: f64, y: f64| {
                rings.iter().any(|ring| {
                    (0..ring.len()).any(|i| {
                        let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
                        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
                        let t = (((x - a.0) * dx + (y - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
                        (a.0 + t * dx - x).hypot(a.1 + t * dy - y) < 1e-3
                    })
                })
            };
            for (x, y) in points.into_iter().filter(|&(x, y)| !near_an_edge(x, y)) {
                proptest::prop_assert_eq!(
                    banded.contains(x, y),
                    lbm_tileset::geometry::rings_contain(&rings, x, y),
                    "({}, {})", x, y
                );
            }
        }
    }
}

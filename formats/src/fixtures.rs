//! Tiny tilesets and point indexes written with the real writers, for the tests of every crate
//! (feature `fixtures`): a test that builds its files here exercises the layouts that ship, not a
//! copy of them. The functions panic on failure, as test helpers do.

use std::path::{Path, PathBuf};

use lbm_tileset::project::rd_to_wgs84;

use crate::index::{AreaRow, CellRow, ClassCountRow, IndexWriter, ValueRow, INDEX_FILE};
use crate::mbtiles::MbtilesWriter;
use crate::pmtiles::PmtilesWriter;
use crate::tile::TileCoord;

/// Metadata rows from `(name, value)` pairs.
pub fn rows(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Writes the MBTiles file `path` with `metadata` and `tiles` (stored bytes, empty ones too).
pub fn mbtiles(path: &Path, metadata: &[(String, String)], tiles: &[(TileCoord, Vec<u8>)]) {
    let mut w = MbtilesWriter::create(path).expect("start MBTiles fixture");
    for (c, data) in tiles {
        w.insert_tile(*c, data).expect("add tile");
    }
    w.finish(metadata).expect("finish MBTiles fixture");
}

/// Writes the PMTiles archive `path` with `metadata` and `tiles`.
pub fn pmtiles(path: &Path, metadata: &[(String, String)], tiles: &[(TileCoord, Vec<u8>)]) {
    let mut w = PmtilesWriter::create(path).expect("start PMTiles fixture");
    for (c, data) in tiles {
        w.add_tile(*c, data).expect("add tile");
    }
    w.finish(metadata).expect("finish PMTiles fixture");
}

/// An area of an index fixture: an axis-aligned rectangle in RD New.
#[derive(Clone, Debug)]
pub struct Area {
    /// Code (`GM0344`).
    pub code: String,
    /// Level (`gemeente`, `wijk`, `buurt`, `pc4`).
    pub level: String,
    /// Display name.
    pub name: String,
    /// The gemeente code of a wijk or buurt.
    pub parent: Option<String>,
    /// The name of that gemeente.
    pub parent_name: Option<String>,
    /// `[min x, min y, max x, max y]` in RD New metres.
    pub rd: [f64; 4],
}

impl Area {
    /// An area `code` of `level` named `name` covering the RD New rectangle `rd`.
    pub fn new(code: &str, level: &str, name: &str, rd: [f64; 4]) -> Self {
        Area {
            code: code.into(),
            level: level.into(),
            name: name.into(),
            parent: None,
            parent_name: None,
            rd,
        }
    }

    /// The same area inside gemeente `code` named `name`.
    pub fn in_gemeente(mut self, code: &str, name: &str) -> Self {
        self.parent = Some(code.into());
        self.parent_name = Some(name.into());
        self
    }

    /// The rectangle as a GeoJSON polygon in RD New, as the tiler writes areas.
    pub fn geojson(&self) -> String {
        let [x0, y0, x1, y1] = self.rd;
        serde_json::json!({"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]})
        .to_string()
    }

    /// The rectangle's middle in WGS84.
    pub fn center_lonlat(&self) -> [f64; 2] {
        let [x0, y0, x1, y1] = self.rd;
        let (lon, lat) = rd_to_wgs84((x0 + x1) / 2.0, (y0 + y1) / 2.0).expect("a point in RD New");
        [lon, lat]
    }

    /// The WGS84 bounds of the rectangle's corners.
    pub fn bounds_lonlat(&self) -> [f64; 4] {
        let [x0, y0, x1, y1] = self.rd;
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for (x, y) in [(x0, y0), (x1, y0), (x0, y1), (x1, y1)] {
            let (lon, lat) = rd_to_wgs84(x, y).expect("a point in RD New");
            b = [b[0].min(lon), b[1].min(lat), b[2].max(lon), b[3].max(lat)];
        }
        b
    }
}

/// One class distribution of an index fixture (unweighted).
#[derive(Clone, Debug)]
pub struct ClassCount {
    /// Area code, or `NL`.
    pub code: String,
    /// Measure id.
    pub measure: String,
    /// First year of a change period.
    pub from_year: Option<u16>,
    /// The year.
    pub year: u16,
    /// Cells without a value.
    pub no_data: u32,
    /// Cells per class 1..=9.
    pub counts: [u32; 9],
}

/// A point index to write with [`IndexWriter`]: cells, areas and their scores, national means,
/// class distributions and `meta` rows, in the order the tiler writes them.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// Populated cells (any order: they are sorted when written).
    pub cells: Vec<CellRow>,
    /// Areas.
    pub areas: Vec<Area>,
    /// Published area values: code, year, values.
    pub area_scores: Vec<(String, u16, ValueRow)>,
    /// Other names: alias, code, kind.
    pub aliases: Vec<(String, String, String)>,
    /// National means per year.
    pub national: Vec<(u16, ValueRow)>,
    /// Class distributions.
    pub class_counts: Vec<ClassCount>,
    /// `meta` rows.
    pub meta: Vec<(String, String)>,
}

impl Index {
    /// Adds cell (`hx`, `hy`) of `year` with `values` (NaN: no data), in column order.
    pub fn cell(mut self, hx: i32, hy: i32, year: u16, values: [f64; 7]) -> Self {
        self.cells.push(CellRow {
            hx,
            hy,
            year,
            values,
        });
        self
    }

    /// Adds an area.
    pub fn area(mut self, area: Area) -> Self {
        self.areas.push(area);
        self
    }

    /// Adds the values of area `code` in `year`.
    pub fn area_scores(mut self, code: &str, year: u16, values: ValueRow) -> Self {
        self.area_scores.push((code.into(), year, values));
        self
    }

    /// Writes `DIR/lbm-index.sqlite` (replacing it) and returns its path.
    pub fn write(&self, dir: &Path) -> PathBuf {
        let w = IndexWriter::create(&dir.join(INDEX_FILE)).expect("start index fixture");
        for a in &self.areas {
            let geom = a.geojson();
            w.add_area(&AreaRow {
                code: &a.code,
                level: &a.level,
                name: &a.name,
                parent: a.parent.as_deref(),
                bounds_lonlat: a.bounds_lonlat(),
                bounds_rd: a.rd,
                geom: Some(&geom),
                parent_name: a.parent_name.as_deref(),
                center: Some(a.center_lonlat()),
            })
            .expect("add area");
        }
        for (code, year, v) in &self.area_scores {
            w.add_area_scores(code, *year, v).expect("add area scores");
        }
        for (alias, code, kind) in &self.aliases {
            w.add_alias(alias, code, kind).expect("add alias");
        }
        let mut counts = w.class_counts().expect("start class counts");
        for c in &self.class_counts {
            counts
                .add(&ClassCountRow {
                    code: &c.code,
                    measure: &c.measure,
                    from_year: c.from_year,
                    year: c.year,
                    no_data: c.no_data,
                    counts: c.counts,
                    weights: None,
                })
                .expect("add class counts");
        }
        counts.finish().expect("store class counts");
        for (year, v) in &self.national {
            w.add_national_scores(*year, v)
                .expect("add national scores");
        }
        let mut cells = self.cells.clone();
        cells.sort_by_key(|c| (c.hx, c.hy, c.year));
        w.add_cells(&cells).expect("add cells");
        for (k, v) in &self.meta {
            w.set_meta(k, v).expect("add meta");
        }
        w.finish().expect("finish index fixture")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_fixture_reads_back_through_the_cells_view() {
        let dir = tempfile::tempdir().unwrap();
        let nan = f64::NAN;
        let path = Index::default()
            .cell(1350, 4550, 2022, [4.2, -0.4, -0.3, 0.1, 0.0, 0.01, 0.2])
            .cell(1350, 4550, 2020, [4.1, 0.06, 0.05, -0.1, 0.0, nan, 0.3])
            .area(Area::new(
                "GM0344",
                "gemeente",
                "Utrecht",
                [130e3, 450e3, 142e3, 462e3],
            ))
            .area_scores("GM0344", 2020, [Some(4.1); 7])
            .write(dir.path());
        let conn = crate::sqlite::open_read_only(&path).unwrap();
        let (year, lbm, vrz): (u16, f64, Option<f64>) = conn
            .query_row(
                "SELECT year, lbm, vrz FROM cells WHERE hx = 1350 AND hy = 4550 ORDER BY year",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((year, lbm, vrz), (2020, 4.1, None));
        let norm: String = conn
            .query_row("SELECT name_norm FROM areas", [], |r| r.get(0))
            .unwrap();
        assert_eq!(norm, "utrecht");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM area_scores", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn tileset_fixtures_read_back_in_both_formats() {
        let dir = tempfile::tempdir().unwrap();
        let meta = rows(&[("name", "t"), ("format", "pbf")]);
        let tiles = vec![(TileCoord::new(5, 16, 10).unwrap(), b"abc".to_vec())];
        mbtiles(&dir.path().join("t.mbtiles"), &meta, &tiles);
        pmtiles(&dir.path().join("t.pmtiles"), &meta, &tiles);
        let conn = crate::mbtiles::open(&dir.path().join("t.mbtiles")).unwrap();
        assert_eq!(crate::mbtiles::tiles(&conn).unwrap(), tiles);
        let a = crate::pmtiles::Archive::open(&dir.path().join("t.pmtiles")).unwrap();
        assert_eq!(a.tile(tiles[0].0).unwrap().unwrap().as_ref(), b"abc");
        assert_eq!(a.metadata_rows().unwrap(), meta);
    }
}

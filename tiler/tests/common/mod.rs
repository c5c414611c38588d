//! Helpers shared by the integration tests: tile decoding and file checks.
#![allow(dead_code, missing_docs, unused_imports)]

use std::path::{Path, PathBuf};

/// A decoded `grid` feature.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub id: u64,
    /// NaN for a cell without a score ("geen gegevens").
    pub score: f64,
    /// 0 for a cell without a score.
    pub class: u64,
    /// The published afw of an lbm score tileset.
    pub afw: Option<f64>,
    pub cell: String,
    pub n: u64,
    /// Exterior ring in tile coordinates (without the closing point).
    pub ring: Vec<(i64, i64)>,
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// File names in a folder, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

pub use lbm_test_support::{gunzip, ring_area2 as area2, ring_contains as contains};

/// A number or string property, checked against the layer's schema.
fn prop<'a>(f: &'a lbm_test_support::Feature, key: &str) -> Option<&'a serde_json::Value> {
    f.props.get(key)
}

/// The top zoom of a build with the default zooms (its tiles have a larger extent, see
/// [`lbm_tiler::encode::extent_at`]).
pub const TOP: u8 = lbm_tiler::aggregate::pyramid::DEFAULT_MAXZOOM;

/// The extent of a gzip-compressed MVT tile (that of its first layer; all layers share it).
pub fn extent(data: &[u8]) -> u32 {
    let tile = <geozero::mvt::Tile as geozero::mvt::Message>::decode(&gunzip(data)[..]).unwrap();
    let extents: Vec<u32> = tile
        .layers
        .iter()
        .map(|l| l.extent.unwrap_or(4096))
        .collect();
    assert!(extents.windows(2).all(|w| w[0] == w[1]), "{extents:?}");
    extents.first().copied().unwrap_or(4096)
}

/// Decodes a gzip-compressed MVT tile's `grid` layer (checks version 2, an extent of 4096 or a
/// top zoom's 8192 or 16384, and that a feature carries only the contract's properties).
pub fn decode(data: &[u8]) -> Vec<Decoded> {
    let (extent, features) = lbm_test_support::decode_layer(&gunzip(data), "grid");
    assert!([4096, 8192, 16384].contains(&extent), "extent {extent}");
    features
        .iter()
        .map(|f| {
            for k in f.props.keys() {
                assert!(
                    ["score", "class", "afw", "cell", "n"].contains(&k.as_str()),
                    "unexpected property {k}"
                );
            }
            assert_eq!(f.rings.len(), 1, "one ring per cell");
            Decoded {
                id: f.id,
                score: prop(f, "score").map_or(f64::NAN, |v| v.as_f64().unwrap()),
                class: prop(f, "class").map_or(0, |v| v.as_f64().unwrap() as u64),
                afw: prop(f, "afw").map(|v| v.as_f64().unwrap()),
                cell: prop(f, "cell")
                    .and_then(|v| v.as_str())
                    .expect("cell")
                    .to_string(),
                n: prop(f, "n").map_or(0, |v| v.as_f64().unwrap() as u64),
                ring: f.rings[0].clone(),
            }
        })
        .collect()
}

/// A decoded area feature (layers gemeente, wijk, buurt, pc4).
#[derive(Debug, Clone)]
pub struct DecodedArea {
    pub id: u64,
    pub code: String,
    pub name: String,
    /// NaN for an area without a score.
    pub score: f64,
    /// 0 for an area without a score.
    pub class: u64,
    pub afw: Option<f64>,
    pub n: u64,
    /// Rings in tile coordinates (without closing points).
    pub rings: Vec<Vec<(i64, i64)>>,
}

impl DecodedArea {
    /// Even-odd over all rings.
    pub fn contains(&self, p: (f64, f64)) -> bool {
        self.rings.iter().filter(|r| contains(r, p)).count() % 2 == 1
    }
}

/// The names of the layers of a gzip-compressed tile.
pub fn layer_names(data: &[u8]) -> Vec<String> {
    lbm_test_support::layer_names(&gunzip(data))
}

/// Decodes one area layer of a gzip-compressed MVT tile (empty when the layer is absent).
pub fn decode_areas(data: &[u8], name: &str) -> Vec<DecodedArea> {
    let (_, features) = lbm_test_support::decode_layer(&gunzip(data), name);
    features
        .iter()
        .map(|f| {
            for k in f.props.keys() {
                assert!(
                    ["score", "class", "afw", "code", "name", "n"].contains(&k.as_str()),
                    "unexpected property {k}"
                );
            }
            DecodedArea {
                id: f.id,
                code: prop(f, "code")
                    .and_then(|v| v.as_str())
                    .expect("code")
                    .to_string(),
                name: prop(f, "name")
                    .and_then(|v| v.as_str())
                    .expect("name")
                    .to_string(),
                score: prop(f, "score").map_or(f64::NAN, |v| v.as_f64().unwrap()),
                class: prop(f, "class").map_or(0, |v| v.as_f64().unwrap() as u64),
                afw: prop(f, "afw").map(|v| v.as_f64().unwrap()),
                n: prop(f, "n").map_or(0, |v| v.as_f64().unwrap() as u64),
                rings: f.rings.clone(),
            }
        })
        .collect()
}

/// Reads the tile holding RD point (x, y) at zoom z: the raw tile and the point in tile coords
/// (of the tile's extent).
pub fn raw_tile_at(mbtiles: &Path, x: f64, y: f64, z: u8) -> (Vec<u8>, (f64, f64)) {
    let (tx, ty, _) = locate(x, y, z, 4096);
    let data = lbm_test_support::read_tile(mbtiles, z, tx, ty)
        .unwrap_or_else(|| panic!("tile {z}/{tx}/{ty} exists"));
    let (_, _, p) = locate(x, y, z, extent(&data));
    (data, p)
}

/// The XYZ tile at zoom z holding RD New point (x, y) and the point in that tile's coordinates
/// of `extent` units.
pub fn locate(x: f64, y: f64, z: u8, extent: u32) -> (u32, u32, (f64, f64)) {
    let (lon, lat) = lbm_tileset::project::rd_to_wgs84(x, y).unwrap();
    let ((tx, ty), p) = lbm_test_support::tile_of(lon, lat, z, extent);
    (tx, ty, p)
}

/// Reads the tile holding RD point (x, y) at zoom z and returns it with the point's tile coords.
pub fn tile_at(mbtiles: &Path, x: f64, y: f64, z: u8) -> (Vec<Decoded>, (f64, f64)) {
    let (data, p) = raw_tile_at(mbtiles, x, y, z);
    (decode(&data), p)
}

/// The metadata rows of an MBTiles file, by name.
pub fn meta(path: &Path) -> std::collections::HashMap<String, String> {
    lbm_test_support::metadata(path)
}

/// A closed RD New square ring.
pub fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<(f64, f64)> {
    vec![(x0, y0), (x0, y1), (x1, y1), (x1, y0), (x0, y0)]
}

/// FlatGeobuf with one wijk (same square as GM0001), written with the flatgeobuf crate.
pub fn write_fgb(path: &Path, props: &str, crs: i32) {
    use flatgeobuf::{FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
    let mut fgb = FgbWriter::create_with_options(
        "wijken",
        GeometryType::Polygon,
        FgbWriterOptions {
            crs: FgbCrs {
                code: crs,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    let keys: serde_json::Map<String, serde_json::Value> = serde_json::from_str(props).unwrap();
    for k in keys.keys() {
        fgb.add_column(k, flatgeobuf::ColumnType::String, |_, _| {});
    }
    let ring: Vec<String> = square(121_000.0, 487_500.0, 121_400.0, 488_500.0)
        .iter()
        .map(|(x, y)| format!("[{x},{y}]"))
        .collect();
    let f = format!(
        r#"{{"type":"Feature","properties":{props},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#,
        ring.join(",")
    );
    fgb.add_feature(geozero::geojson::GeoJson(&f)).unwrap();
    let mut file = std::fs::File::create(path).unwrap();
    fgb.write(&mut file).unwrap();
}

/// GeoPackage binary: `GP`, version 0, flags (little endian, no envelope), srs id, then WKB.
pub fn gpkg_blob(srs: i32, wkb_type: u32, rings: &[Vec<(f64, f64)>]) -> Vec<u8> {
    let mut b = b"GP".to_vec();
    b.push(0);
    b.push(1);
    b.extend_from_slice(&srs.to_le_bytes());
    b.push(1);
    b.extend_from_slice(&wkb_type.to_le_bytes());
    if wkb_type == 2 {
        // LineString: the points of the first ring.
        b.extend_from_slice(&(rings[0].len() as u32).to_le_bytes());
    } else {
        b.extend_from_slice(&(rings.len() as u32).to_le_bytes());
    }
    for r in rings {
        if wkb_type != 2 {
            b.extend_from_slice(&(r.len() as u32).to_le_bytes());
        }
        for (x, y) in r {
            b.extend_from_slice(&x.to_le_bytes());
            b.extend_from_slice(&y.to_le_bytes());
        }
        if wkb_type == 2 {
            break;
        }
    }
    b
}

/// GeoPackage with one buurt (most of GM0001's square), created with rusqlite.
pub fn write_gpkg(path: &Path, srs: i32, wkb_type: u32) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY,
           organization TEXT, organization_coordsys_id INTEGER, definition TEXT, description TEXT);
         CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT,
           description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL,
           srs_id INTEGER);
         CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT,
           geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER);
         CREATE TABLE buurten (fid INTEGER PRIMARY KEY, geom BLOB, bu_code TEXT, bu_naam TEXT);",
    )
    .unwrap();
    c.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('x', ?1, 'EPSG', ?1, 'undefined', '')",
        [srs],
    )
    .unwrap();
    c.execute(
        "INSERT INTO gpkg_contents VALUES ('buurten', 'features', 'buurten', '', '', 0, 0, 0, 0, ?1)",
        [srs],
    )
    .unwrap();
    c.execute(
        "INSERT INTO gpkg_geometry_columns VALUES ('buurten', 'geom', 'POLYGON', ?1, 0, 0)",
        [srs],
    )
    .unwrap();
    let blob = gpkg_blob(
        srs,
        wkb_type,
        &[square(121_000.0, 487_500.0, 121_380.0, 488_500.0)],
    );
    c.execute(
        "INSERT INTO buurten VALUES (1, ?1, 'BU00010001', 'Súdkant')",
        [blob],
    )
    .unwrap();
}

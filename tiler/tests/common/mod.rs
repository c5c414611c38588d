//! Helpers shared by the integration tests: tile decoding and file checks.
#![allow(dead_code, missing_docs)]

use std::io::Read;
use std::path::{Path, PathBuf};

use geozero::mvt::{tile, Message, Tile};

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

pub fn gunzip(data: &[u8]) -> Vec<u8> {
    assert_eq!(&data[..2], &[0x1f, 0x8b], "tile is gzip-compressed");
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Decodes a gzip-compressed MVT tile's `grid` layer (checks version 2, extent 4096).
pub fn decode(data: &[u8]) -> Vec<Decoded> {
    let tile = Tile::decode(gunzip(data).as_slice()).unwrap();
    let Some(layer) = tile.layers.iter().find(|l| l.name == "grid") else {
        return Vec::new();
    };
    assert_eq!(layer.version, 2);
    assert_eq!(layer.extent, Some(4096));
    layer
        .features
        .iter()
        .map(|f| {
            assert_eq!(f.r#type, Some(tile::GeomType::Polygon as i32));
            let mut d = Decoded {
                id: f.id.expect("feature id"),
                score: f64::NAN,
                class: 0,
                afw: None,
                cell: String::new(),
                n: 0,
                ring: decode_ring(&f.geometry),
            };
            for kv in f.tags.chunks(2) {
                let key = layer.keys[kv[0] as usize].as_str();
                let v = &layer.values[kv[1] as usize];
                match key {
                    "score" => d.score = v.double_value.expect("score is a double"),
                    "class" => d.class = v.uint_value.expect("class is a uint"),
                    "afw" => d.afw = Some(v.double_value.expect("afw is a double")),
                    "cell" => d.cell = v.string_value.clone().expect("cell is a string"),
                    "n" => d.n = v.uint_value.expect("n is a uint"),
                    other => panic!("unexpected property {other}"),
                }
            }
            d
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

/// The names of the layers of a tile.
pub fn layer_names(data: &[u8]) -> Vec<String> {
    let tile = Tile::decode(gunzip(data).as_slice()).unwrap();
    tile.layers.iter().map(|l| l.name.clone()).collect()
}

/// Decodes one area layer of a gzip-compressed MVT tile (empty when the layer is absent).
pub fn decode_areas(data: &[u8], name: &str) -> Vec<DecodedArea> {
    let tile = Tile::decode(gunzip(data).as_slice()).unwrap();
    let Some(layer) = tile.layers.iter().find(|l| l.name == name) else {
        return Vec::new();
    };
    assert_eq!(layer.version, 2);
    layer
        .features
        .iter()
        .map(|f| {
            assert_eq!(f.r#type, Some(tile::GeomType::Polygon as i32));
            let mut d = DecodedArea {
                id: f.id.expect("feature id"),
                code: String::new(),
                name: String::new(),
                score: f64::NAN,
                class: 0,
                afw: None,
                n: 0,
                rings: decode_rings(&f.geometry),
            };
            for kv in f.tags.chunks(2) {
                let key = layer.keys[kv[0] as usize].as_str();
                let v = &layer.values[kv[1] as usize];
                match key {
                    "score" => d.score = v.double_value.expect("score is a double"),
                    "class" => d.class = v.uint_value.expect("class is a uint"),
                    "afw" => d.afw = Some(v.double_value.expect("afw is a double")),
                    "code" => d.code = v.string_value.clone().expect("code is a string"),
                    "name" => d.name = v.string_value.clone().expect("name is a string"),
                    "n" => d.n = v.uint_value.expect("n is a uint"),
                    other => panic!("unexpected property {other}"),
                }
            }
            d
        })
        .collect()
}

/// Decodes polygon rings: each MoveTo starts a ring.
pub fn decode_rings(g: &[u32]) -> Vec<Vec<(i64, i64)>> {
    let (mut x, mut y) = (0i64, 0i64);
    let mut rings: Vec<Vec<(i64, i64)>> = Vec::new();
    let mut i = 0;
    while i < g.len() {
        let (cmd, count) = (g[i] & 7, g[i] >> 3);
        i += 1;
        match cmd {
            1 | 2 => {
                if cmd == 1 {
                    rings.push(Vec::new());
                }
                for _ in 0..count {
                    x += zigzag(g[i]);
                    y += zigzag(g[i + 1]);
                    i += 2;
                    rings.last_mut().expect("MoveTo first").push((x, y));
                }
            }
            7 => {}
            c => panic!("unknown command {c}"),
        }
    }
    rings
}

/// Reads the tile holding RD point (x, y) at zoom z: the raw tile and the point in tile coords.
pub fn raw_tile_at(mbtiles: &Path, x: f64, y: f64, z: u8) -> (Vec<u8>, (f64, f64)) {
    let (tx, ty, p) = locate(x, y, z);
    let data = lbm_tiler::output::mbtiles::read_tile(mbtiles, z, tx, ty)
        .unwrap()
        .unwrap_or_else(|| panic!("tile {z}/{tx}/{ty} exists"));
    (data, p)
}

fn zigzag(v: u32) -> i64 {
    i64::from((v >> 1) as i32 ^ -((v & 1) as i32))
}

/// Decodes a single-ring polygon: MoveTo(1), LineTo(n), ClosePath.
fn decode_ring(g: &[u32]) -> Vec<(i64, i64)> {
    let (mut x, mut y) = (0i64, 0i64);
    let mut ring = Vec::new();
    let mut i = 0;
    while i < g.len() {
        let (cmd, count) = (g[i] & 7, g[i] >> 3);
        i += 1;
        match cmd {
            1 | 2 => {
                for _ in 0..count {
                    x += zigzag(g[i]);
                    y += zigzag(g[i + 1]);
                    i += 2;
                    ring.push((x, y));
                }
            }
            7 => {}
            c => panic!("unknown command {c}"),
        }
    }
    ring
}

/// Twice the signed area by the surveyor's formula in tile coordinates (y down): positive for an
/// exterior ring per the MVT 2.1 spec.
pub fn area2(ring: &[(i64, i64)]) -> i64 {
    (0..ring.len())
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum()
}

/// Even-odd point in polygon.
pub fn contains(ring: &[(i64, i64)], p: (f64, f64)) -> bool {
    let mut inside = false;
    for i in 0..ring.len() {
        let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
        let (ax, ay, bx, by) = (a.0 as f64, a.1 as f64, b.0 as f64, b.1 as f64);
        if (ay > p.1) != (by > p.1) && p.0 < ax + (p.1 - ay) * (bx - ax) / (by - ay) {
            inside = !inside;
        }
    }
    inside
}

/// The XYZ tile at zoom z holding RD New point (x, y) and the point in that tile's coordinates.
pub fn locate(x: f64, y: f64, z: u8) -> (u32, u32, (f64, f64)) {
    let (lon, lat) = lbm_tileset::project::rd_to_wgs84(x, y).unwrap();
    let (ux, uy) = lbm_tileset::project::lonlat_to_unit(lon, lat);
    let scale = 4096.0 * f64::from(1u32 << z);
    let (gx, gy) = (ux * scale, uy * scale);
    let (tx, ty) = ((gx / 4096.0).floor() as u32, (gy / 4096.0).floor() as u32);
    (
        tx,
        ty,
        (gx - f64::from(tx) * 4096.0, gy - f64::from(ty) * 4096.0),
    )
}

/// Reads the tile holding RD point (x, y) at zoom z and returns it with the point's tile coords.
pub fn tile_at(mbtiles: &Path, x: f64, y: f64, z: u8) -> (Vec<Decoded>, (f64, f64)) {
    let (tx, ty, p) = locate(x, y, z);
    let data = lbm_tiler::output::mbtiles::read_tile(mbtiles, z, tx, ty)
        .unwrap()
        .unwrap_or_else(|| panic!("tile {z}/{tx}/{ty} exists"));
    (decode(&data), p)
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

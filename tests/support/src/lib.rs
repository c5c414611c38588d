//! What the tests of the tiler, the server and the end-to-end crate share:
//!
//! - an MVT decoder made of geozero's protobuf types and a plain reading of the MVT 2.1 command
//!   encoding, independent of the tiler's encoder ([`decode_layer`], [`layer_names`]);
//! - [`gunzip`] and [`gunzip_if_needed`];
//! - tile arithmetic ([`tile_of`]) and ring checks ([`ring_area2`], [`ring_contains`]);
//! - reading tileset files with the one reader of their format ([`metadata`], [`read_tile`],
//!   [`tiles`]);
//! - HTTP helpers: [`get_json`], [`get_json_blocking`], [`eventually`], [`urlencode`].

use std::collections::HashMap;
use std::path::Path;

use geozero::mvt::{tile, Message, Tile};
use lbm_formats::{mbtiles, TileCoord};

/// One decoded MVT feature: id, properties and polygon rings in tile coordinates.
#[derive(Debug, Clone)]
pub struct Feature {
    /// The feature id.
    pub id: u64,
    /// Properties by key: numbers as f64, strings as strings.
    pub props: HashMap<String, serde_json::Value>,
    /// Rings as decoded from the command stream (closing point not repeated).
    pub rings: Vec<Vec<(i64, i64)>>,
}

/// Decodes layer `layer` of an (uncompressed) MVT tile with geozero's protobuf types and a plain
/// reading of the MVT 2.1 command encoding.
pub fn decode_layer(mvt: &[u8], layer: &str) -> (u32, Vec<Feature>) {
    let tile = Tile::decode(mvt).expect("valid MVT protobuf");
    let Some(layer) = tile.layers.iter().find(|l| l.name == layer) else {
        return (4096, Vec::new());
    };
    assert_eq!(layer.version, 2, "MVT 2");
    let features = layer
        .features
        .iter()
        .map(|f| {
            let mut props = HashMap::new();
            for kv in f.tags.chunks(2) {
                let key = layer.keys[kv[0] as usize].clone();
                props.insert(key, value_json(&layer.values[kv[1] as usize]));
            }
            Feature {
                id: f.id.expect("feature id"),
                props,
                rings: decode_rings(&f.geometry),
            }
        })
        .collect();
    (layer.extent.unwrap_or(4096), features)
}

fn value_json(v: &tile::Value) -> serde_json::Value {
    if let Some(s) = &v.string_value {
        return serde_json::Value::from(s.clone());
    }
    let n = v
        .double_value
        .or(v.float_value.map(f64::from))
        .or(v.int_value.map(|i| i as f64))
        .or(v.uint_value.map(|u| u as f64))
        .or(v.sint_value.map(|s| s as f64));
    match (n, v.bool_value) {
        (Some(n), _) => serde_json::Value::from(n),
        (None, Some(b)) => serde_json::Value::from(b),
        _ => serde_json::Value::Null,
    }
}

/// The rings of a feature's geometry field as written (packed varints of MVT 2.1 commands),
/// e.g. the encoded geometry the tiler keeps per area piece.
pub fn packed_rings(packed: &[u8]) -> Vec<Vec<(i64, i64)>> {
    let mut words = Vec::with_capacity(packed.len());
    let (mut v, mut shift) = (0u32, 0);
    for &b in packed {
        v |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            words.push(v);
            (v, shift) = (0, 0);
        } else {
            shift += 7;
        }
    }
    decode_rings(&words)
}

fn decode_rings(geometry: &[u32]) -> Vec<Vec<(i64, i64)>> {
    let zigzag = |v: u32| ((v >> 1) as i64) ^ -((v & 1) as i64);
    let (mut x, mut y) = (0i64, 0i64);
    let mut rings = Vec::new();
    let mut ring = Vec::new();
    let mut i = 0;
    while i < geometry.len() {
        let (cmd, count) = (geometry[i] & 7, geometry[i] >> 3);
        i += 1;
        match cmd {
            1 | 2 => {
                for _ in 0..count {
                    x += zigzag(geometry[i]);
                    y += zigzag(geometry[i + 1]);
                    i += 2;
                    if cmd == 1 && !ring.is_empty() {
                        rings.push(std::mem::take(&mut ring));
                    }
                    ring.push((x, y));
                }
            }
            7 => rings.push(std::mem::take(&mut ring)),
            other => panic!("unknown MVT command {other}"),
        }
    }
    if !ring.is_empty() {
        rings.push(ring);
    }
    rings
}

/// Twice the signed area of a ring by the surveyor's formula in tile coordinates (y down):
/// positive for the clockwise exterior rings MVT 2.1 requires.
pub fn ring_area2(ring: &[(i64, i64)]) -> i64 {
    (0..ring.len())
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum()
}

/// Whether `p` lies inside `ring` of tile coordinates (even-odd rule).
pub fn ring_contains(ring: &[(i64, i64)], p: (f64, f64)) -> bool {
    let ring: Vec<(f64, f64)> = ring.iter().map(|&(x, y)| (x as f64, y as f64)).collect();
    lbm_tileset::geometry::rings_contain(&[ring], p.0, p.1)
}

/// The XYZ tile containing (lon, lat) at zoom `z`, and the point's position inside it in
/// tile coordinates of the given extent.
pub fn tile_of(lon: f64, lat: f64, z: u8, extent: u32) -> ((u32, u32), (f64, f64)) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let s = lat.to_radians().sin();
    let y = (0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * std::f64::consts::PI)) * n;
    let (tx, ty) = (x.floor(), y.floor());
    let e = f64::from(extent);
    ((tx as u32, ty as u32), ((x - tx) * e, (y - ty) * e))
}

/// Gunzips `data`, which must be gzip-compressed (as every tile the tiler writes is).
pub fn gunzip(data: &[u8]) -> Vec<u8> {
    use std::io::Read;
    assert!(data.starts_with(&[0x1f, 0x8b]), "gzip-compressed");
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

/// Gunzips `data` when it starts with the gzip magic, else returns it as is.
pub fn gunzip_if_needed(data: &[u8]) -> Vec<u8> {
    if data.starts_with(&[0x1f, 0x8b]) {
        gunzip(data)
    } else {
        data.to_vec()
    }
}

/// The names of the layers of an (uncompressed) MVT tile, in tile order.
pub fn layer_names(mvt: &[u8]) -> Vec<String> {
    let tile = Tile::decode(mvt).expect("valid MVT protobuf");
    tile.layers.iter().map(|l| l.name.clone()).collect()
}

/// GETs `url` and parses its JSON body, asserting a 200.
pub async fn get_json(client: &reqwest::Client, url: &str) -> serde_json::Value {
    let r = client.get(url).send().await.expect("request");
    assert_eq!(r.status(), 200, "GET {url}");
    r.json().await.expect("JSON body")
}

/// [`get_json`] with a blocking client.
pub fn get_json_blocking(client: &reqwest::blocking::Client, url: &str) -> serde_json::Value {
    let r = client.get(url).send().expect("request");
    assert_eq!(r.status(), 200, "GET {url}");
    r.json().expect("JSON body")
}

/// Polls `f` every 100 ms until it returns true; panics naming `what` after `limit` (generous:
/// these tests are about correctness, not speed, on shared machines).
pub async fn eventually<F, Fut>(what: &str, limit: std::time::Duration, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    loop {
        if f().await {
            return;
        }
        assert!(start.elapsed() < limit, "timed out waiting for: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// `s` percent-encoded for a query value (everything but letters, digits and `-._`).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The metadata rows of an MBTiles file, by name.
pub fn metadata(path: &Path) -> HashMap<String, String> {
    let conn = mbtiles::open(path).expect("open MBTiles");
    mbtiles::metadata(&conn)
        .expect("metadata")
        .into_iter()
        .collect()
}

/// The stored bytes of XYZ tile `z/x/y` of an MBTiles file.
pub fn read_tile(path: &Path, z: u8, x: u32, y: u32) -> Option<Vec<u8>> {
    let conn = mbtiles::open(path).expect("open MBTiles");
    let c = TileCoord::new(z, x, y).expect("a tile of its zoom");
    mbtiles::tile(&conn, c).expect("tile query")
}

/// Every tile of an MBTiles file with its stored bytes, in zoom, column, TMS row order.
pub fn tiles(path: &Path) -> Vec<(TileCoord, Vec<u8>)> {
    let conn = mbtiles::open(path).expect("open MBTiles");
    mbtiles::tiles(&conn).expect("tiles")
}

//! Test helpers: MBTiles and point-index fixtures written with the real writers
//! (`lbm_formats::fixtures`), and a real server on an ephemeral port.
#![allow(dead_code, missing_docs, unused_imports)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lbm_formats::fixtures::{self, Area};
use lbm_formats::TileCoord;
use lbm_server::Config;
use serde_json::{json, Value};

/// The 9 class colours of the fixtures.
pub const COLORS: [&str; 9] = [
    "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3",
    "#2166ac",
];
pub const NO_DATA: &str = "#bdbdbd";

pub fn classification(measure: &str) -> Value {
    let (name_nl, name_en, basis, cuts) = if measure == "lbm" {
        (
            "Leefbaarheid",
            "Liveability",
            "afw",
            vec![-0.3, -0.2, -0.1, -0.05, 0.05, 0.1, 0.2, 0.3],
        )
    } else {
        (
            "Fysieke omgeving",
            "Physical environment",
            measure,
            vec![-0.21, -0.13, -0.075, -0.04, 0.04, 0.075, 0.13, 0.21],
        )
    };
    let classes: Vec<Value> = COLORS
        .iter()
        .enumerate()
        .map(|(i, c)| json!({"class": i + 1, "label_nl": format!("klasse {}", i + 1), "label_en": format!("class {}", i + 1), "color": c}))
        .collect();
    json!({"measure": measure, "name_nl": name_nl, "name_en": name_en, "basis": basis, "cuts": cuts,
           "classes": classes, "no_data": {"label_nl": "geen gegevens", "label_en": "no data", "color": NO_DATA}})
}

/// A gzip MVT tile with one `grid` polygon (id 12134879) carrying `score`.
pub fn grid_tile(score: f64) -> Vec<u8> {
    let mut tile = mvt::Tile::new(4096);
    let layer = tile.create_layer("grid");
    let geom = mvt::GeomEncoder::new(mvt::GeomType::Polygon)
        .point(100.0, 200.0)
        .unwrap()
        .point(100.0, 100.0)
        .unwrap()
        .point(200.0, 100.0)
        .unwrap()
        .point(200.0, 200.0)
        .unwrap()
        .complete()
        .unwrap()
        .encode()
        .unwrap();
    let mut feature = layer.into_feature(geom);
    feature.set_id(12_134_879);
    feature.add_tag_double("score", score);
    feature.add_tag_uint("class", 6);
    feature.add_tag_string("cell", "E1213N4879");
    feature.add_tag_uint("n", 1);
    tile.add_layer(feature.into_layer()).unwrap();
    gzip(&tile.to_bytes().unwrap())
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

pub use lbm_test_support::gunzip;

/// Where the fixture tiles are (XYZ).
pub const TILE: (u8, u32, u32) = (5, 16, 10);
pub const EMPTY_TILE: (u8, u32, u32) = (5, 16, 11);

fn coord((z, x, y): (u8, u32, u32)) -> TileCoord {
    TileCoord::new(z, x, y).unwrap()
}

/// The metadata rows of a score tileset of the fixtures, zooms 5..=8.
pub fn tileset_rows(measure: &str, year: i32) -> Vec<(String, String)> {
    let layers = json!({"vector_layers": [{"id": "grid", "description": "cells", "minzoom": 5, "maxzoom": 8,
        "fields": {"score": "Number", "class": "Number", "cell": "String", "n": "Number"}}]});
    let pyramid = json!([{"zoom": 5, "cell_m": 6400}, {"zoom": 8, "cell_m": 800}]);
    [
        ("name", format!("Leefbaarometer {measure} {year}")),
        ("format", "pbf".into()),
        ("bounds", "3.2,50.7,7.3,53.6".into()),
        ("center", "5.3,52.1,7".into()),
        ("minzoom", "5".into()),
        ("maxzoom", "8".into()),
        ("type", "overlay".into()),
        ("version", "1".into()),
        ("description", format!("{measure} scores {year}")),
        ("attribution", "Leefbaarometer".into()),
        ("json", layers.to_string()),
        ("lbm_kind", "score".into()),
        ("lbm_measure", measure.into()),
        ("lbm_year", year.to_string()),
        ("lbm_classification", classification(measure).to_string()),
        ("lbm_pyramid", pyramid.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Sets metadata row `name` to `value` (replacing it or adding it at the end).
pub fn set_row(rows: &mut Vec<(String, String)>, name: &str, value: String) {
    match rows.iter_mut().find(|(k, _)| k == name) {
        Some(row) => row.1 = value,
        None => rows.push((name.to_string(), value)),
    }
}

/// The fixture tiles: one `grid` tile carrying `score` at [`TILE`], an empty blob at
/// [`EMPTY_TILE`].
pub fn fixture_tiles(score: f64) -> Vec<(TileCoord, Vec<u8>)> {
    vec![
        (coord(TILE), grid_tile(score)),
        (coord(EMPTY_TILE), Vec::new()),
    ]
}

/// Writes a valid MBTiles `{measure}-{year}.mbtiles` into `dir` with the real writer (a
/// temporary file renamed into place), zooms 5..=8, with one tile at [`TILE`] and an empty blob
/// at [`EMPTY_TILE`].
pub fn write_tileset(dir: &Path, measure: &str, year: i32, score: f64) -> PathBuf {
    write_tileset_with(dir, measure, year, score, |_| {})
}

/// [`write_tileset`] with its metadata rows changed by `tweak` first.
pub fn write_tileset_with(
    dir: &Path,
    measure: &str,
    year: i32,
    score: f64,
    tweak: impl FnOnce(&mut Vec<(String, String)>),
) -> PathBuf {
    let path = dir.join(format!("{measure}-{year}.mbtiles"));
    let mut rows = tileset_rows(measure, year);
    tweak(&mut rows);
    fixtures::mbtiles(&path, &rows, &fixture_tiles(score));
    path
}

/// The 100 m cell (hectometre indices) containing a WGS84 point.
pub fn cell_at(lon: f64, lat: f64) -> (i64, i64) {
    let (x, y) = lbm_tileset::project::wgs84_to_rd(lon, lat).unwrap();
    let c = lbm_tileset::CellId::from_xy(x, y);
    (i64::from(c.hx), i64::from(c.hy))
}

/// The index fixture with one cell, at (`hx`, `hy`), for 2020 and 2022.
fn one_cell_index((hx, hy): (i64, i64)) -> fixtures::Index {
    let (hx, hy) = (hx as i32, hy as i32);
    fixtures::Index::default()
        .cell(hx, hy, 2020, [4.1, 0.06, 0.05, -0.1, 0.0, f64::NAN, 0.3])
        .cell(hx, hy, 2022, [4.2, -0.4, -0.3, 0.1, 0.0, 0.01, 0.2])
}

/// Writes `lbm-index.sqlite` with one cell (the one containing lon/lat) for 2020 and 2022, and
/// no areas.
pub fn write_index(dir: &Path, lon: f64, lat: f64) -> (i64, i64) {
    let cell = cell_at(lon, lat);
    one_cell_index(cell).write(dir);
    cell
}

pub use lbm_server::testing::TestServer;

/// A server on `dir` (rescanning every 200 ms), stopped when dropped.
pub async fn start(dir: &Path) -> TestServer {
    start_with(dir, |_| {}).await
}

/// A server on `dir` with its configuration changed by `tweak`.
pub async fn start_with(dir: &Path, tweak: impl FnOnce(&mut Config)) -> TestServer {
    let mut config = Config::for_tiles(dir);
    config.rescan_ms = 200;
    tweak(&mut config);
    // Started from a blocking thread: the test server has its own runtime.
    tokio::task::spawn_blocking(move || TestServer::start_with(config))
        .await
        .expect("test server thread")
}

/// A client that neither decompresses nor sends Accept-Encoding on its own.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Sends a raw HTTP/1.1 GET with `target` untouched (no URL normalisation) and returns the
/// status code and body.
pub async fn raw_get(addr: std::net::SocketAddr, method: &str, target: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

/// Polls `f` until it returns true, for at most a minute.
pub async fn eventually<F, Fut>(what: &str, f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    lbm_test_support::eventually(what, Duration::from_secs(60), f).await
}

pub use lbm_test_support::urlencode;

/// A decoded feature: layer name, feature id, tags as (key, value as string).
pub type DecodedFeature = (String, Option<u64>, Vec<(String, String)>);

/// Decodes every layer of an MVT tile with the shared decoder.
pub fn decode(mvt_bytes: &[u8]) -> Vec<DecodedFeature> {
    let mut out = Vec::new();
    for layer in lbm_test_support::layer_names(mvt_bytes) {
        for f in lbm_test_support::decode_layer(mvt_bytes, &layer).1 {
            assert!(!f.rings.is_empty(), "feature without geometry");
            let mut tags: Vec<(String, String)> = f
                .props
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_json::Value::String(s) => s.clone(),
                        // The decoder reads every number as f64: integers as the tile wrote them.
                        serde_json::Value::Number(n) => match n.as_f64() {
                            Some(f) if f.fract() == 0.0 => format!("{}", f as i64),
                            Some(f) => f.to_string(),
                            None => n.to_string(),
                        },
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect();
            tags.sort();
            out.push((layer.clone(), Some(f.id), tags));
        }
    }
    out
}

/// A change classification: labels "sterke achteruitgang" .. "sterke vooruitgang".
pub fn change_classification(measure: &str) -> Value {
    let labels = [
        ("sterke achteruitgang", "strong decline"),
        ("achteruitgang", "decline"),
        ("lichte achteruitgang", "slight decline"),
        ("zeer lichte achteruitgang", "very slight decline"),
        ("geen verandering", "no change"),
        ("zeer lichte vooruitgang", "very slight improvement"),
        ("lichte vooruitgang", "slight improvement"),
        ("vooruitgang", "improvement"),
        ("sterke vooruitgang", "strong improvement"),
    ];
    let classes: Vec<Value> = labels
        .iter()
        .zip(COLORS)
        .enumerate()
        .map(|(i, ((nl, en), c))| json!({"class": i + 1, "label_nl": nl, "label_en": en, "color": c}))
        .collect();
    json!({"kind": "change", "measure": measure, "name_nl": "Leefbaarheid", "name_en": "Liveability",
           "basis": if measure == "lbm" { "afw" } else { measure },
           "cuts": [-0.2, -0.1, -0.05, -0.02, 0.02, 0.05, 0.1, 0.2],
           "classes": classes, "no_data": {"label_nl": "geen gegevens", "label_en": "no data", "color": NO_DATA}})
}

/// Writes a change tileset `{measure}-{from}-{to}.mbtiles` into `dir`.
pub fn write_change_tileset(dir: &Path, measure: &str, from: i32, to: i32) -> PathBuf {
    let mut rows = tileset_rows(measure, to);
    for (k, v) in [
        ("name", format!("Leefbaarometer {measure} {from}-{to}")),
        ("lbm_kind", "change".into()),
        ("lbm_year_from", from.to_string()),
        ("lbm_year_to", to.to_string()),
        (
            "lbm_classification",
            change_classification(measure).to_string(),
        ),
    ] {
        set_row(&mut rows, k, v);
    }
    let path = dir.join(format!("{measure}-{from}-{to}.mbtiles"));
    fixtures::mbtiles(&path, &rows, &fixture_tiles(0.05));
    path
}

/// The area layers metadata of a tileset with `gemeente` and `wijk`.
pub fn areas_metadata() -> String {
    json!([{"layer": "gemeente", "minzoom": 5, "maxzoom": 8, "scores": "derived"},
           {"layer": "wijk", "minzoom": 8, "maxzoom": 8, "scores": "derived"}])
    .to_string()
}

/// The RD point at the heart of the fixture areas (in GM0344, WK034401 and BU03440101).
pub const AREA_CENTRE_RD: (f64, f64) = (136_050.0, 456_050.0);
/// A point in GM0344 only.
pub const GEMEENTE_ONLY_RD: (f64, f64) = (132_050.0, 452_050.0);

/// The fixture areas: three gemeenten, two wijken of GM0344 and one buurt.
pub fn fixture_areas() -> Vec<Area> {
    vec![
        Area::new(
            "GM0344",
            "gemeente",
            "Utrecht",
            [130e3, 450e3, 142e3, 462e3],
        ),
        Area::new(
            "GM0339",
            "gemeente",
            "Utrechtse Heuvelrug",
            [150e3, 440e3, 160e3, 450e3],
        ),
        Area::new(
            "GM1900",
            "gemeente",
            "Súdwest-Fryslân",
            [160e3, 540e3, 180e3, 560e3],
        ),
        Area::new(
            "WK034401",
            "wijk",
            "Binnenstad",
            [135e3, 455e3, 137e3, 457e3],
        )
        .in_gemeente("GM0344", "Utrecht"),
        Area::new(
            "WK034402",
            "wijk",
            "Oost Utrecht",
            [137e3, 455e3, 139e3, 457e3],
        )
        .in_gemeente("GM0344", "Utrecht"),
        Area::new(
            "BU03440101",
            "buurt",
            "Domplein 50%_e.o.",
            [135_500.0, 455_500.0, 136_500.0, 456_500.0],
        )
        .in_gemeente("GM0344", "Utrecht"),
    ]
}

/// Writes the index into `dir` with the fixture areas, their scores for 2020 and 2022, and one
/// cell at [`AREA_CENTRE_RD`].
pub fn write_area_index(dir: &Path) {
    let (lon, lat) = lonlat(AREA_CENTRE_RD);
    let mut index = one_cell_index(cell_at(lon, lat));
    index.areas = fixture_areas();
    for (code, afw) in [("GM0344", 0.06), ("WK034401", -0.12), ("BU03440101", 0.25)] {
        let z = Some(0.0);
        index = index
            .area_scores(code, 2020, [Some(4.1), Some(afw), z, z, z, z, z])
            .area_scores(code, 2022, [Some(4.2), Some(afw + 0.01), z, z, z, None, z]);
    }
    index.write(dir);
}

/// WGS84 of an RD point.
pub fn lonlat(rd: (f64, f64)) -> (f64, f64) {
    lbm_tileset::project::rd_to_wgs84(rd.0, rd.1).unwrap()
}

/// A GET of `path` with `headers`, as the fast path and the router both take it.
pub fn get_request(path: &str, headers: &[(&str, &str)]) -> axum::http::Request<axum::body::Body> {
    let mut b = axum::http::Request::builder().uri(path.to_string());
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(axum::body::Body::empty()).unwrap()
}

/// What two answers to one request must share: status, headers (but `Date`, which moves, and
/// `Content-Length`, checked against the body instead: hyper writes it from the body's exact
/// size when a response lacks it, and axum's router sets it itself), body.
pub async fn comparable(
    r: axum::response::Response,
) -> (
    axum::http::StatusCode,
    Vec<(String, String)>,
    axum::body::Bytes,
) {
    let status = r.status();
    let length = r.headers().get("content-length").cloned();
    let mut headers: Vec<(String, String)> = r
        .headers()
        .iter()
        .filter(|(k, _)| *k != "date" && *k != "content-length")
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    headers.sort();
    let body = axum::body::to_bytes(r.into_body(), 1 << 24).await.unwrap();
    if let Some(length) = length {
        assert_eq!(length.to_str().unwrap(), body.len().to_string());
    }
    (status, headers, body)
}

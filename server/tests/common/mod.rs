//! Test helpers: MBTiles and point-index fixtures written with rusqlite, and a real server on
//! an ephemeral port.
#![allow(dead_code, missing_docs, unused_imports)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lbm_server::Config;
use rusqlite::Connection;
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

/// Writes a valid MBTiles `{measure}-{year}.mbtiles` into `dir` (via a temp file and a rename,
/// as the tiler does), zooms 5..=8, with one tile at [`TILE`] and an empty blob at [`EMPTY_TILE`].
pub fn write_tileset(dir: &Path, measure: &str, year: i32, score: f64) -> PathBuf {
    let path = dir.join(format!("{measure}-{year}.mbtiles"));
    let tmp = dir.join(format!(".{measure}-{year}.mbtiles.tmp"));
    let _ = std::fs::remove_file(&tmp);
    let conn = Connection::open(&tmp).unwrap();
    conn.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);",
    )
    .unwrap();
    let layers = json!({"vector_layers": [{"id": "grid", "description": "cells", "minzoom": 5, "maxzoom": 8,
        "fields": {"score": "Number", "class": "Number", "cell": "String", "n": "Number"}}]});
    let pyramid = json!([{"zoom": 5, "cell_m": 6400}, {"zoom": 8, "cell_m": 800}]);
    let rows = [
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
    ];
    for (k, v) in rows {
        conn.execute("INSERT INTO metadata VALUES (?1, ?2)", (k, v))
            .unwrap();
    }
    let tms = |z: u8, y: u32| (1u32 << z) - 1 - y;
    let (z, x, y) = TILE;
    conn.execute(
        "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)",
        (z, x, tms(z, y), grid_tile(score)),
    )
    .unwrap();
    let (z, x, y) = EMPTY_TILE;
    conn.execute(
        "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)",
        (z, x, tms(z, y), Vec::<u8>::new()),
    )
    .unwrap();
    drop(conn);
    std::fs::rename(&tmp, &path).unwrap();
    path
}

/// Writes `lbm-index.sqlite` with one cell (the one containing lon/lat) for 2020 and 2022.
pub fn write_index(dir: &Path, lon: f64, lat: f64) -> (i64, i64) {
    let (x, y) = lbm_tileset::project::wgs84_to_rd(lon, lat).unwrap();
    let (hx, hy) = ((x / 100.0).floor() as i64, (y / 100.0).floor() as i64);
    let conn = Connection::open(dir.join("lbm-index.sqlite")).unwrap();
    conn.execute_batch(
        "CREATE TABLE cells (hx INTEGER, hy INTEGER, year INTEGER, lbm REAL, afw REAL, fys REAL,
           onv REAL, soc REAL, vrz REAL, won REAL, PRIMARY KEY (hx, hy, year)) WITHOUT ROWID;",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO cells VALUES (?1, ?2, 2020, 4.1, 0.06, 0.05, -0.1, 0.0, NULL, 0.3)",
        (hx, hy),
    )
    .unwrap();
    conn.execute(
        "INSERT INTO cells VALUES (?1, ?2, 2022, 4.2, -0.4, -0.3, 0.1, 0.0, 0.01, 0.2)",
        (hx, hy),
    )
    .unwrap();
    (hx, hy)
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

/// Polls `f` until it returns true (generous timeout: this is about correctness, not speed).
pub async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..600 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for: {what}");
}

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

/// Rewrites metadata rows of an MBTiles file (insert or replace).
pub fn set_metadata(path: &Path, rows: &[(&str, String)]) {
    let conn = Connection::open(path).unwrap();
    for (k, v) in rows {
        conn.execute("DELETE FROM metadata WHERE name = ?1", [k])
            .unwrap();
        conn.execute("INSERT INTO metadata VALUES (?1, ?2)", (k, v))
            .unwrap();
    }
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
    let scratch = tempfile::tempdir().unwrap();
    let written = write_tileset(scratch.path(), measure, to, 0.05);
    set_metadata(
        &written,
        &[
            ("name", format!("Leefbaarometer {measure} {from}-{to}")),
            ("lbm_kind", "change".into()),
            ("lbm_year_from", from.to_string()),
            ("lbm_year_to", to.to_string()),
            (
                "lbm_classification",
                change_classification(measure).to_string(),
            ),
        ],
    );
    let path = dir.join(format!("{measure}-{from}-{to}.mbtiles"));
    std::fs::copy(&written, &path).unwrap();
    path
}

/// The area layers metadata of a tileset with `gemeente` and `wijk`.
pub fn areas_metadata() -> String {
    json!([{"layer": "gemeente", "minzoom": 5, "maxzoom": 8, "scores": "derived"},
           {"layer": "wijk", "minzoom": 8, "maxzoom": 8, "scores": "derived"}])
    .to_string()
}

/// A square in RD New as a GeoJSON polygon, and its RD and WGS84 bounds.
fn rd_square(x0: f64, y0: f64, x1: f64, y1: f64) -> (String, [f64; 4], [f64; 4]) {
    let geom = json!({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]});
    let mut ll = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (x, y) in [(x0, y0), (x1, y0), (x0, y1), (x1, y1)] {
        let (lon, lat) = lbm_tileset::project::rd_to_wgs84(x, y).unwrap();
        ll = [
            ll[0].min(lon),
            ll[1].min(lat),
            ll[2].max(lon),
            ll[3].max(lat),
        ];
    }
    (geom.to_string(), [x0, y0, x1, y1], ll)
}

/// The RD point at the heart of the fixture areas (in GM0344, WK034401 and BU03440101).
pub const AREA_CENTRE_RD: (f64, f64) = (136_050.0, 456_050.0);
/// A point in GM0344 only.
pub const GEMEENTE_ONLY_RD: (f64, f64) = (132_050.0, 452_050.0);

/// Adds the `areas` and `area_scores` tables to the index in `dir` (creating it with one cell
/// at [`AREA_CENTRE_RD`] when missing).
pub fn write_area_index(dir: &Path) {
    let (lon, lat) = lbm_tileset::project::rd_to_wgs84(AREA_CENTRE_RD.0, AREA_CENTRE_RD.1).unwrap();
    let path = dir.join("lbm-index.sqlite");
    if !path.exists() {
        write_index(dir, lon, lat);
    }
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE areas (code TEXT PRIMARY KEY, level TEXT, name TEXT, name_norm TEXT,
           parent TEXT, minlon REAL, minlat REAL, maxlon REAL, maxlat REAL, minx REAL, miny REAL,
           maxx REAL, maxy REAL, geom TEXT);
         CREATE TABLE area_scores (code TEXT, year INTEGER, lbm REAL, afw REAL, fys REAL,
           onv REAL, soc REAL, vrz REAL, won REAL, PRIMARY KEY (code, year)) WITHOUT ROWID;",
    )
    .unwrap();
    let areas = [
        (
            "GM0344",
            "gemeente",
            "Utrecht",
            "utrecht",
            "",
            (130_000.0, 450_000.0, 142_000.0, 462_000.0),
        ),
        (
            "GM0339",
            "gemeente",
            "Utrechtse Heuvelrug",
            "utrechtse heuvelrug",
            "",
            (150_000.0, 440_000.0, 160_000.0, 450_000.0),
        ),
        (
            "GM1900",
            "gemeente",
            "Súdwest-Fryslân",
            "sudwest-fryslan",
            "",
            (160_000.0, 540_000.0, 180_000.0, 560_000.0),
        ),
        (
            "WK034401",
            "wijk",
            "Binnenstad",
            "binnenstad",
            "GM0344",
            (135_000.0, 455_000.0, 137_000.0, 457_000.0),
        ),
        (
            "WK034402",
            "wijk",
            "Oost Utrecht",
            "oost utrecht",
            "GM0344",
            (137_000.0, 455_000.0, 139_000.0, 457_000.0),
        ),
        (
            "BU03440101",
            "buurt",
            "Domplein 50%_e.o.",
            "domplein 50%_e.o.",
            "WK034401",
            (135_500.0, 455_500.0, 136_500.0, 456_500.0),
        ),
    ];
    for (code, level, name, norm, parent, (x0, y0, x1, y1)) in areas {
        let (geom, rd, ll) = rd_square(x0, y0, x1, y1);
        conn.execute(
            "INSERT INTO areas VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            rusqlite::params![code, level, name, norm, parent, ll[0], ll[1], ll[2], ll[3], rd[0], rd[1], rd[2], rd[3], geom],
        )
        .unwrap();
    }
    for (code, afw) in [("GM0344", 0.06), ("WK034401", -0.12), ("BU03440101", 0.25)] {
        conn.execute(
            "INSERT INTO area_scores VALUES (?1, 2020, 4.1, ?2, 0.0, 0.0, 0.0, 0.0, 0.0)",
            rusqlite::params![code, afw],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO area_scores VALUES (?1, 2022, 4.2, ?2, 0.0, 0.0, 0.0, NULL, 0.0)",
            rusqlite::params![code, afw + 0.01],
        )
        .unwrap();
    }
}

/// WGS84 of an RD point.
pub fn lonlat(rd: (f64, f64)) -> (f64, f64) {
    lbm_tileset::project::rd_to_wgs84(rd.0, rd.1).unwrap()
}

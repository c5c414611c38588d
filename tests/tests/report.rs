//! The report API against what an independent reader finds: the class counts of the
//! Netherlands and of a gemeente equal the 100 m cells of the tiles of the same tileset (counted
//! with our own MVT decoder, the gemeente's cells by its polygon in the index), change counts
//! equal the change tileset's, and weighted shares equal a hand computation on a small fixture.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lbm_e2e::{build_demo, decode_layer, gunzip_if_needed, TestServer};
use serde_json::Value;

fn get(server: &TestServer, path: &str) -> (u16, Value) {
    let res = reqwest::blocking::get(format!("{}{path}", server.base)).expect("GET");
    let status = res.status().as_u16();
    (status, res.json().expect("a JSON body"))
}

/// Every 100 m cell of the finest zoom of an MBTiles tileset: `(hx, hy) → class` (None without a
/// class), each cell once (a cell near a tile edge is in its neighbour's buffer too).
fn cells_of(path: &Path) -> HashMap<(i64, i64), Option<u8>> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open MBTiles");
    let maxzoom: u8 = conn
        .query_row("SELECT max(zoom_level) FROM tiles", [], |r| r.get(0))
        .unwrap();
    let mut stmt = conn
        .prepare("SELECT tile_data FROM tiles WHERE zoom_level = ?1")
        .unwrap();
    let mut out = HashMap::new();
    let rows = stmt
        .query_map([maxzoom], |r| r.get::<_, Vec<u8>>(0))
        .unwrap();
    for data in rows {
        for f in decode_layer(&gunzip_if_needed(&data.unwrap()), "grid").1 {
            let label = f.props["cell"].as_str().unwrap().to_string();
            assert!(
                !label.contains('/'),
                "the finest zoom has 100 m cells: {label}"
            );
            let (x, y) = label[1..].split_once('N').unwrap();
            let class = f
                .props
                .get("class")
                .and_then(Value::as_f64)
                .map(|c| c as u8);
            out.insert((x.parse().unwrap(), y.parse().unwrap()), class);
        }
    }
    out
}

/// Counts per class 1..9 and without a class.
fn tally<'a>(classes: impl Iterator<Item = &'a Option<u8>>) -> ([u64; 9], u64) {
    let mut counts = [0u64; 9];
    let mut none = 0;
    for c in classes {
        match c {
            Some(k) => counts[usize::from(*k - 1)] += 1,
            None => none += 1,
        }
    }
    (counts, none)
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// The period of `measure` in a report: a year, or a change `from`-`to`.
fn period<'a>(report: &'a Value, measure: &str, from: Option<i64>, year: i64) -> &'a Value {
    let m = report["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == measure)
        .unwrap_or_else(|| panic!("measure {measure} in the report"));
    let list = if from.is_some() {
        &m["changes"]
    } else {
        &m["years"]
    };
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| match from {
            Some(f) => p["from"] == f && p["to"] == year,
            None => p["year"] == year,
        })
        .unwrap_or_else(|| panic!("{measure} {from:?} {year}"))
}

/// Whether the even-odd rule puts `p` inside a GeoJSON Polygon or MultiPolygon (RD metres).
fn geojson_contains(geom: &Value, p: (f64, f64)) -> bool {
    let polygons: Vec<&Value> = match geom["type"].as_str().unwrap() {
        "Polygon" => vec![&geom["coordinates"]],
        _ => geom["coordinates"].as_array().unwrap().iter().collect(),
    };
    let mut inside = false;
    for ring in polygons.iter().flat_map(|p| p.as_array().unwrap()) {
        let pts: Vec<(f64, f64)> = ring
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
            .collect();
        for i in 0..pts.len() {
            let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
            if (a.1 > p.1) != (b.1 > p.1) && p.0 < a.0 + (p.1 - a.1) * (b.0 - a.0) / (b.1 - a.1) {
                inside = !inside;
            }
        }
    }
    inside
}

fn assert_counts(report: &Value, expected: ([u64; 9], u64), what: &str) {
    let counts: Vec<u64> = numbers(&report["counts"])
        .iter()
        .map(|c| *c as u64)
        .collect();
    assert_eq!(counts, expected.0, "{what}: cells per class");
    assert_eq!(
        report["no_data"].as_u64(),
        Some(expected.1),
        "{what}: no data"
    );
    let cells: u64 = expected.0.iter().sum();
    assert_eq!(report["cells"].as_u64(), Some(cells), "{what}");
    let shares = numbers(&report["shares"]);
    assert!(
        (shares.iter().sum::<f64>() - 100.0).abs() < 1e-9,
        "{what}: shares sum to 100 %"
    );
    for (s, c) in shares.iter().zip(&expected.0) {
        assert!(
            (s - 100.0 * *c as f64 / cells as f64).abs() < 1e-9,
            "{what}"
        );
    }
}

#[test]
fn report_counts_are_the_cells_of_the_tiles() {
    let tiles = build_demo(&PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-report"));
    let server = TestServer::start(&tiles);
    let (status, nl) = get(&server, "/api/v1/report");
    assert_eq!(status, 200);
    assert_eq!(
        (nl["code"].as_str(), nl["level"].as_str()),
        (Some("NL"), Some("land"))
    );
    let (status, gm) = get(&server, "/api/v1/areas/GM0344/report");
    assert_eq!(status, 200);
    assert_eq!(gm["name"], "Utrecht");
    let index = rusqlite::Connection::open(tiles.join("lbm-index.sqlite")).unwrap();
    let geom: Value = serde_json::from_str(
        &index
            .query_row("SELECT geom FROM areas WHERE code = 'GM0344'", [], |r| {
                r.get::<_, String>(0)
            })
            .unwrap(),
    )
    .unwrap();
    let centre = |(hx, hy): (i64, i64)| (hx as f64 * 100.0 + 50.0, hy as f64 * 100.0 + 50.0);
    let mut checked = 0;
    for measure in ["lbm", "onv"] {
        for year in [2018, 2022] {
            let cells = cells_of(&tiles.join(format!("{measure}-{year}.mbtiles")));
            let what = format!("{measure} {year}");
            assert_counts(
                period(&nl, measure, None, year),
                tally(cells.values()),
                &format!("NL {what}"),
            );
            let inside = cells
                .iter()
                .filter(|(c, _)| geojson_contains(&geom, centre(**c)))
                .map(|(_, k)| k);
            let expected = tally(inside);
            assert!(
                expected.0.iter().sum::<u64>() > 1000,
                "Utrecht is populated"
            );
            assert_counts(
                period(&gm, measure, None, year),
                expected,
                &format!("GM0344 {what}"),
            );
            checked += 1;
        }
    }
    // A change map's cells in their change classes.
    let pair = nl["measures"][0]["changes"][0].clone();
    let (from, to) = (pair["from"].as_i64().unwrap(), pair["to"].as_i64().unwrap());
    let cells = cells_of(&tiles.join(format!("lbm-{from}-{to}.mbtiles")));
    assert_counts(
        period(&nl, "lbm", Some(from), to),
        tally(cells.values()),
        "NL change",
    );
    assert_eq!(checked, 4);
    // Filters, and what is refused.
    let (status, one) = get(&server, "/api/v1/areas/gm0344/report?measure=fys&year=2022");
    assert_eq!(status, 200);
    assert_eq!(one["measures"].as_array().unwrap().len(), 1);
    assert_eq!(one["measures"][0]["years"].as_array().unwrap().len(), 1);
    for (path, want) in [
        ("/api/v1/areas/GM9999/report", 404),
        ("/api/v1/areas/GM0344/report?measure=afw", 400),
        ("/api/v1/areas/GM0344/report?year=1990", 404),
        ("/api/v1/areas/GM0344/report?year=twee", 400),
        ("/api/v1/report?colour=red", 400),
        ("/api/v1/areas/GM0344%3B/report", 400),
    ] {
        let (status, body) = get(&server, path);
        assert_eq!(status, want, "{path}: {body}");
        assert!(body["error"].is_string(), "{path}: a JSON error");
    }
}

/// One gemeente with two cells and its neighbour with one; one cell outside both. Weights are
/// households.
const CSV: &str = "grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won,huishoudens
E1213N4879,2020,4.250,0.190,0.031,-0.058,-0.084,0.310,0.001,10
E1213N4880,2020,3.900,-0.160,,0.1,0.1,0.1,0.1,2.5
E1214N4879,2020,4.000,-0.060,-0.114,0.034,0.632,-0.011,-0.031,4
E1300N4900,2020,4.060,0.000,0.0,0.0,0.0,0.0,0.0,1
E1213N4879,2018,4.100,0.100,0.010,0.010,0.010,0.010,0.010,8
";

const GEMEENTEN: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"gm_code":"GM0001","gm_naam":"Één"},"geometry":{"type":"Polygon","coordinates":[
   [[121000,487500],[121400,487500],[121400,488500],[121000,488500],[121000,487500]]]}},
 {"type":"Feature","properties":{"gm_code":"GM0002","gm_naam":"Twee"},"geometry":{"type":"Polygon","coordinates":[
   [[121400,487500],[122000,487500],[122000,488500],[121400,488500],[121400,487500]]]}}]}"#;

#[test]
fn weighted_shares_are_the_households_per_class() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("scores.csv");
    std::fs::write(&csv, CSV).unwrap();
    let gj = dir.path().join("gemeenten.geojson");
    std::fs::write(&gj, GEMEENTEN).unwrap();
    let out = dir.path().join("tiles");
    let mut o = lbm_tiler::BuildOptions::new(&csv, &out);
    o.progress = false;
    o.areas = vec![gj];
    lbm_tiler::build(&o).expect("build");
    let server = TestServer::start(&out);
    // lbm is classified by afw with cuts -0.30 -0.20 -0.12 -0.05 0.05 0.10 0.15 0.18:
    // 0.190 → 9, -0.160 → 3, -0.060 → 4, 0.000 → 5, and in 2018 0.100 → 7.
    let (status, one) = get(&server, "/api/v1/areas/GM0001/report?measure=lbm");
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["weight"], "huishoudens");
    let y = period(&one, "lbm", None, 2020);
    assert_eq!(numbers(&y["counts"]), [0., 0., 1., 0., 0., 0., 0., 0., 1.]);
    assert_eq!(
        numbers(&y["weights"]),
        [0., 0., 2.5, 0., 0., 0., 0., 0., 10.]
    );
    assert_eq!(
        numbers(&y["weight_shares"]),
        [0., 0., 20., 0., 0., 0., 0., 0., 80.]
    );
    assert_eq!(
        numbers(&y["shares"]),
        [0., 0., 50., 0., 0., 0., 0., 0., 50.]
    );
    let y = period(&one, "lbm", None, 2018);
    assert_eq!(numbers(&y["weights"]), [0., 0., 0., 0., 0., 0., 8., 0., 0.]);
    // 2018 → 2020: E1213N4879 rose by 0.150; E1213N4880 is new (no change), weighted 2020.
    let ch = period(&one, "lbm", Some(2018), 2020);
    assert_eq!(ch["no_data"], 1);
    let counts = numbers(&ch["counts"]);
    assert_eq!(counts.iter().sum::<f64>(), 1.0);
    let k = counts.iter().position(|c| *c == 1.0).unwrap();
    assert!(k >= 5, "a rise is an improvement class");
    assert_eq!(numbers(&ch["weights"])[k], 10.0);
    // fys: one of GM0001's two cells has no value.
    let (_, fys) = get(&server, "/api/v1/areas/GM0001/report?measure=fys&year=2020");
    assert_eq!(period(&fys, "fys", None, 2020)["no_data"], 1);
    // The Netherlands: all four cells of 2020, 17.5 households.
    let (_, nl) = get(&server, "/api/v1/report?measure=lbm&year=2020");
    let y = period(&nl, "lbm", None, 2020);
    assert_eq!(
        numbers(&y["weights"]),
        [0., 0., 2.5, 4., 1., 0., 0., 0., 10.]
    );
    let shares = numbers(&y["weight_shares"]);
    for (s, w) in shares.iter().zip([0., 0., 2.5, 4., 1., 0., 0., 0., 10.]) {
        assert!((s - 100.0 * w / 17.5).abs() < 1e-9);
    }
    // GM0001's weakest dimension against the national means of 2020.
    assert!(one["weakest"]["measure"].is_string());
    let (_, two) = get(&server, "/api/v1/areas/GM0002/report");
    assert_eq!(two["gemeente"], Value::Null);
    assert_eq!(
        numbers(&period(&two, "lbm", None, 2020)["weights"]),
        [0., 0., 0., 4., 0., 0., 0., 0., 0.]
    );
}

/// Five cells over four years, with their lbm classes (afw against cuts -0.30 -0.20 -0.12 -0.05
/// 0.05 ...): A 4 3 4, B 4 5 4, C 2 – 2 (no 2016), D 2 2 2, E 5 in 2012 (before the period),
/// then 3 3 3. Under pressure from 2014 on (class 4 or lower in 2014, 2016 and 2018): A, D, E.
const PRESSURE_CSV: &str = "grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won
E1213N4879,2014,3.92,-0.08,0,0,0,0,0
E1213N4879,2016,3.85,-0.15,0,0,0,0,0
E1213N4879,2018,3.92,-0.08,0,0,0,0,0
E1216N4879,2014,3.92,-0.08,0,0,0,0,0
E1216N4879,2016,4.00,0.00,0,0,0,0,0
E1216N4879,2018,3.92,-0.08,0,0,0,0,0
E1230N4879,2014,3.75,-0.25,0,0,0,0,0
E1230N4879,2018,3.75,-0.25,0,0,0,0,0
E1225N4879,2014,3.75,-0.25,0,0,0,0,0
E1225N4879,2016,3.75,-0.25,0,0,0,0,0
E1225N4879,2018,3.75,-0.25,0,0,0,0,0
E1226N4879,2012,4.00,0.00,0,0,0,0,0
E1226N4879,2014,3.85,-0.15,0,0,0,0,0
E1226N4879,2016,3.85,-0.15,0,0,0,0,0
E1226N4879,2018,3.85,-0.15,0,0,0,0,0
";

/// GM0001 holds A, GM0002 B, GM0003 D and E (mean afw -0.20: class 3 every year); C lies
/// outside them all.
const PRESSURE_GEMEENTEN: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"gm_code":"GM0001","gm_naam":"Een"},"geometry":{"type":"Polygon","coordinates":[
   [[121000,487500],[121400,487500],[121400,488500],[121000,488500],[121000,487500]]]}},
 {"type":"Feature","properties":{"gm_code":"GM0002","gm_naam":"Twee"},"geometry":{"type":"Polygon","coordinates":[
   [[121400,487500],[122000,487500],[122000,488500],[121400,488500],[121400,487500]]]}},
 {"type":"Feature","properties":{"gm_code":"GM0003","gm_naam":"Drie"},"geometry":{"type":"Polygon","coordinates":[
   [[122000,487500],[123000,487500],[123000,488500],[122000,488500],[122000,487500]]]}}]}"#;

#[test]
fn structureel_onder_druk_marks_the_places_low_in_every_year_of_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("scores.csv");
    std::fs::write(&csv, PRESSURE_CSV).unwrap();
    let gj = dir.path().join("gemeenten.geojson");
    std::fs::write(&gj, PRESSURE_GEMEENTEN).unwrap();
    let out = dir.path().join("tiles");
    let mut o = lbm_tiler::BuildOptions::new(&csv, &out);
    o.progress = false;
    o.measures = Some(vec!["lbm".into()]);
    o.changes = Some(vec![]);
    o.areas = vec![gj];
    lbm_tiler::build(&o).expect("build");
    let path = out.join("lbm-pressure-2014-2018.mbtiles");
    let meta = lbm_e2e::metadata(&path);
    assert_eq!(meta["lbm_kind"], "pressure");
    let rule: Value = serde_json::from_str(&meta["lbm_pressure"]).unwrap();
    assert_eq!(
        rule,
        serde_json::json!({"measure": "lbm", "max_class": 4, "since": 2014, "years": [2014, 2016, 2018]})
    );
    // The 100 m cells of the overlay, cell by cell, each with its class of 2018.
    let cells = cells_of(&path);
    let mut marked: Vec<_> = cells.iter().map(|(c, k)| (*c, *k)).collect();
    marked.sort_unstable();
    assert_eq!(
        marked,
        [
            ((1213, 4879), Some(4)),
            ((1225, 4879), Some(2)),
            ((1226, 4879), Some(3))
        ]
    );
    // The areas: GM0001 (A) and GM0003 (D, E); not GM0002 (B rose to 5 in 2016).
    let server = TestServer::start(&out);
    let (_, nl) = get(&server, "/api/v1/report");
    assert_eq!(nl["pressure"]["rule"], rule);
    assert_eq!(nl["pressure"]["gemeenten"], 2);
    for (code, want) in [("GM0001", true), ("GM0002", false), ("GM0003", true)] {
        let (_, r) = get(&server, &format!("/api/v1/areas/{code}/report"));
        assert_eq!(r["pressure"]["marked"], want, "{code}");
    }
    // The catalog lists the overlay with its rule; its style marks without a background.
    let (_, catalog) = get(&server, "/catalog.json");
    let overlay = catalog["tilesets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "pressure")
        .expect("the overlay in the catalog");
    assert_eq!(overlay["pressure"], rule);
    let (status, style) = get(&server, "/styles/lbm-pressure-2014-2018.json");
    assert_eq!(status, 200);
    assert!(style["layers"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["type"] != "background"));
    // Without the overlay (--pressure-class none) there is no such tileset.
    let out2 = dir.path().join("none");
    let mut o = lbm_tiler::BuildOptions::new(&csv, &out2);
    o.progress = false;
    o.measures = Some(vec!["lbm".into()]);
    o.changes = Some(vec![]);
    o.pressure = None;
    lbm_tiler::build(&o).expect("build");
    assert!(!out2.join("lbm-pressure-2014-2018.mbtiles").exists());
}

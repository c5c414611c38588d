//! Area layers from real GeoJSON, FlatGeobuf and GeoPackage files: decoded features, the index,
//! and errors that name the file and the feature.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use lbm_tiler::{build, BuildOptions};

const CSV: &str = "grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won
E1213N4879,2020,4.250,0.190,0.031,-0.058,-0.084,0.310,0.001
E1214N4879,2020,4.000,-0.060,-0.114,0.034,0.632,-0.011,-0.031
E1213N4880,2020,3.900,-0.160,,0.1,0.1,0.1,0.1
E1213N4879,2018,4.100,0.100,0.010,0.010,0.010,0.010,0.010
";

/// GM0001 holds the centres of E1213N4879 and E1213N4880; GM0002 (east of x = 121400) holds
/// E1214N4879. GM0001 has a hole far from the cells.
const GEMEENTEN: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"gm_code":"GM0001","gm_naam":"Één"},"geometry":{"type":"Polygon","coordinates":[
   [[121000,487500],[121400,487500],[121400,488500],[121000,488500],[121000,487500]],
   [[121050,487550],[121050,487600],[121100,487600],[121100,487550],[121050,487550]]]}},
 {"type":"Feature","properties":{"gm_code":"GM0002","gm_naam":"Twee"},"geometry":{"type":"MultiPolygon","coordinates":[
   [[[121400,487500],[122000,487500],[122000,488500],[121400,488500],[121400,487500]]]]}}]}"#;

fn setup(dir: &Path) -> (PathBuf, Vec<PathBuf>) {
    let csv = write(dir, "scores.csv", CSV);
    let gj = write(dir, "gemeenten.geojson", GEMEENTEN);
    let fgb = dir.join("wijken.fgb");
    write_fgb(&fgb, r#"{"wk_code":"WK000100","wk_naam":"Centrum"}"#, 28992);
    let gpkg = dir.join("buurten.gpkg");
    write_gpkg(&gpkg, 28992, 3);
    (csv, vec![gj, fgb, gpkg])
}

#[test]
fn area_layers_from_three_formats() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, areas) = setup(dir.path());
    let out = dir.path().join("tiles");
    let mut o = BuildOptions::new(&csv, &out);
    o.progress = false;
    o.measures = Some(vec!["lbm".into()]);
    o.areas = areas;
    build(&o).unwrap();
    let lbm = out.join("lbm-2020.mbtiles");
    let m: std::collections::HashMap<String, String> = lbm_test_support::metadata(&lbm);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&m["lbm_areas"]).unwrap(),
        serde_json::json!([
            {"layer":"gemeente","minzoom":5,"maxzoom":TOP,"scores":"derived"},
            {"layer":"wijk","minzoom":8,"maxzoom":TOP,"scores":"derived"},
            {"layer":"buurt","minzoom":10,"maxzoom":TOP,"scores":"derived"}
        ])
    );
    let (data, p) = raw_tile_at(&lbm, 121_350.0, 487_950.0, TOP);
    assert_eq!(layer_names(&data), ["grid", "gemeente", "wijk", "buurt"]);
    let gm = decode_areas(&data, "gemeente");
    let one = gm.iter().find(|a| a.code == "GM0001").unwrap();
    // Mean of 4.25 and 3.9; mean afw 0.015 → class 5; 2 cells.
    assert_eq!(
        (one.id, one.name.as_str(), one.score, one.class, one.n),
        (1, "Één", 4.075, 5, 2)
    );
    assert!(one.contains(p));
    assert!(area2(&one.rings[0]) > 0, "exterior clockwise");
    let two = gm.iter().find(|a| a.code == "GM0002").unwrap();
    assert_eq!((two.score, two.class, two.n), (4.0, 4, 1));
    // The shared border: a point just west of x = 121400 is only in GM0001, just east only in GM0002.
    let (_, _, west) = locate(121_390.0, 488_000.0, TOP, extent(&data));
    let (_, _, east) = locate(121_410.0, 488_000.0, TOP, extent(&data));
    assert!(one.contains(west) && !two.contains(west));
    assert!(two.contains(east) && !one.contains(east));
    let wk = decode_areas(&data, "wijk");
    assert_eq!(
        (
            wk[0].code.as_str(),
            wk[0].name.as_str(),
            wk[0].id,
            wk[0].score
        ),
        ("WK000100", "Centrum", 100, 4.075)
    );
    assert!(wk[0].contains(p));
    let bu = decode_areas(&data, "buurt");
    assert_eq!(
        (bu[0].code.as_str(), bu[0].name.as_str(), bu[0].id, bu[0].n),
        ("BU00010001", "Súdkant", 10_001, 2)
    );
    assert!(bu[0].contains(p));
    // The hole of GM0001 at the top zoom is a counter-clockwise ring.
    let (data, hole) = raw_tile_at(&lbm, 121_075.0, 487_575.0, TOP);
    let one = decode_areas(&data, "gemeente")
        .into_iter()
        .find(|a| a.code == "GM0001")
        .unwrap();
    assert_eq!(one.rings.len(), 2);
    assert!(area2(&one.rings[1]) < 0, "hole counter-clockwise");
    assert!(!one.contains(hole));
    // Buurt starts at zoom 10.
    let (data, _) = raw_tile_at(&lbm, 121_350.0, 487_950.0, 9);
    assert_eq!(layer_names(&data), ["grid", "gemeente", "wijk"]);
    // Change maps carry the area layers too. A change is the difference of the published
    // scores: GM0001 is 4.100 in 2018 (one cell) and 4.075 in 2020 (two cells), -0.025, a very
    // slight decline. GM0002 has no cell in 2018: it stays on the map, without a score.
    let (data, _) = raw_tile_at(
        &out.join("lbm-2018-2020.mbtiles"),
        121_350.0,
        487_950.0,
        TOP,
    );
    let gm = decode_areas(&data, "gemeente");
    assert_eq!(gm.len(), 2, "areas without a change stay on the map");
    let one = gm.iter().find(|a| a.code == "GM0001").unwrap();
    assert_eq!((one.score, one.class, one.n), (-0.025, 4, 2));
    let two = gm.iter().find(|a| a.code == "GM0002").unwrap();
    assert!(two.score.is_nan() && two.class == 0, "{two:?}");

    // The index.
    let conn = lbm_formats::sqlite::open_read_only(&out.join("lbm-index.sqlite")).unwrap();
    let rows: Vec<(String, String, String, Option<String>)> = conn
        .prepare("SELECT code, level, name_norm, parent FROM areas ORDER BY code")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(
        rows,
        [
            (
                "BU00010001".into(),
                "buurt".into(),
                "sudkant".into(),
                Some("GM0001".into())
            ),
            ("GM0001".into(), "gemeente".into(), "een".into(), None),
            ("GM0002".into(), "gemeente".into(), "twee".into(), None),
            (
                "WK000100".into(),
                "wijk".into(),
                "centrum".into(),
                Some("GM0001".into())
            ),
        ]
    );
    let (minx, maxlon, geom): (f64, f64, String) = conn
        .query_row(
            "SELECT minx, maxlon, geom FROM areas WHERE code='GM0002'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(minx, 121_400.0);
    assert!((4.89..4.91).contains(&maxlon), "{maxlon}");
    let g: serde_json::Value = serde_json::from_str(&geom).unwrap();
    assert_eq!(g["type"], "Polygon");
    let scores: Vec<(i64, f64, Option<f64>)> = conn
        .prepare("SELECT year, lbm, fys FROM area_scores WHERE code='GM0001' ORDER BY year")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(
        scores,
        [(2018, 4.1, Some(0.01)), (2020, 4.075, Some(0.031))]
    );
}

#[test]
fn area_scores_file_replaces_derived_scores() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, areas) = setup(dir.path());
    let scores = write(
        dir.path(),
        "gm.csv",
        "GM_CODE;jaar;lbm;afw;fys;onv;soc;vrz;won\nGM0001;2018;4,0;0,0;;;;;\nGM0001;2020;4,3;0,12;0,05;;;;\n",
    );
    let out = dir.path().join("tiles");
    let mut o = BuildOptions::new(&csv, &out);
    o.progress = false;
    o.measures = Some(vec!["lbm".into()]);
    o.areas = areas;
    o.area_scores = vec![scores];
    build(&o).unwrap();
    let lbm = out.join("lbm-2020.mbtiles");
    let m: std::collections::HashMap<String, String> = lbm_test_support::metadata(&lbm);
    let la: serde_json::Value = serde_json::from_str(&m["lbm_areas"]).unwrap();
    assert_eq!(la[0]["scores"], "file");
    assert_eq!(la[1]["scores"], "derived");
    let (data, p) = raw_tile_at(&lbm, 121_350.0, 487_950.0, TOP);
    let mut gm = decode_areas(&data, "gemeente");
    gm.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(
        gm.len(),
        2,
        "GM0002 has no row in the file, and stays on the map"
    );
    // afw 0.12 → class 7; n = 0 for file scores.
    assert_eq!(
        (gm[0].code.as_str(), gm[0].score, gm[0].class, gm[0].n),
        ("GM0001", 4.3, 7, 0)
    );
    assert_eq!(gm[0].afw, Some(0.12));
    assert!(gm[0].contains(p));
    assert!(gm[1].score.is_nan() && gm[1].class == 0 && gm[1].afw.is_none());
    assert_eq!(decode_areas(&data, "wijk")[0].n, 2, "wijk still derived");
    let (data, _) = raw_tile_at(
        &out.join("lbm-2018-2020.mbtiles"),
        121_350.0,
        487_950.0,
        TOP,
    );
    let gm = decode_areas(&data, "gemeente");
    let one = gm.iter().find(|a| a.code == "GM0001").unwrap();
    assert_eq!((one.score, one.class), (0.3, 9), "lbm 4.0 → 4.3");
    let conn = lbm_formats::sqlite::open_read_only(&out.join("lbm-index.sqlite")).unwrap();
    let v: (f64, f64, Option<f64>) = conn
        .query_row(
            "SELECT lbm, afw, fys FROM area_scores WHERE code='GM0001' AND year=2020",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(v, (4.3, 0.12, Some(0.05)));
}

fn build_err(dir: &Path, area: PathBuf) -> String {
    let csv = write(dir, "scores.csv", CSV);
    let mut o = BuildOptions::new(&csv, dir.join("tiles"));
    o.progress = false;
    o.areas = vec![area];
    build(&o).unwrap_err().to_string()
}

#[test]
fn bad_boundary_files_name_the_file_and_feature() {
    let dir = tempfile::tempdir().unwrap();
    let fgb = dir.path().join("nocode.fgb");
    write_fgb(&fgb, r#"{"naam":"Centrum"}"#, 28992);
    let e = build_err(dir.path(), fgb.clone());
    assert!(
        e.contains("nocode.fgb: feature 0: no code field") && e.contains("naam"),
        "{e}"
    );
    let fgb = dir.path().join("mercator.fgb");
    write_fgb(&fgb, r#"{"wk_code":"WK000100"}"#, 3857);
    let e = build_err(dir.path(), fgb);
    assert!(
        e.contains("mercator.fgb: file: unknown CRS EPSG:3857"),
        "{e}"
    );

    let gpkg = dir.path().join("lines.gpkg");
    write_gpkg(&gpkg, 28992, 2);
    let e = build_err(dir.path(), gpkg);
    assert!(
        e.contains("lines.gpkg: feature 0 (BU00010001): unsupported geometry type (WKB 2)"),
        "{e}"
    );
    let gpkg = dir.path().join("mercator.gpkg");
    write_gpkg(&gpkg, 3857, 3);
    let e = build_err(dir.path(), gpkg);
    assert!(
        e.contains("mercator.gpkg") && e.contains("unknown CRS EPSG:3857"),
        "{e}"
    );

    let broken = write(
        dir.path(),
        "broken.geojson",
        &GEMEENTEN.replace("[121400,487500],[122000,487500],", "[121400,\"x\"],"),
    );
    let e = build_err(dir.path(), broken);
    assert!(
        e.contains("broken.geojson: feature 1 (GM0002): broken geometry"),
        "{e}"
    );
    let e = build_err(dir.path(), dir.path().join("missing.geojson"));
    assert!(e.contains("missing.geojson"), "{e}");
    // Nothing was written.
    assert!(!dir.path().join("tiles").exists() || listing(&dir.path().join("tiles")).is_empty());
}

#[test]
fn cli_areas_and_change_flags() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, areas) = setup(dir.path());
    let out = dir.path().join("tiles");
    let exe = env!("CARGO_BIN_EXE_lbm-tiler");
    let r = std::process::Command::new(exe)
        .args([
            "build",
            "--measures",
            "lbm",
            "--change",
            "2018:2020",
            "--scores",
        ])
        .arg(&csv)
        .arg("--areas")
        .arg(&areas[0])
        .arg("--areas")
        .arg(&areas[1])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(
        listing(&out),
        [
            "lbm-2018-2020.mbtiles",
            "lbm-2018.mbtiles",
            "lbm-2020.mbtiles",
            "lbm-index.sqlite",
            "lbm-pressure-2018-2020.mbtiles"
        ]
    );
    let (data, _) = raw_tile_at(&out.join("lbm-2020.mbtiles"), 121_350.0, 487_950.0, TOP);
    assert_eq!(layer_names(&data), ["grid", "gemeente", "wijk"]);
    for (arg, needle) in [
        ("2018-2020", "is not FROM:TO"),
        ("2020:2018", "FROM before TO"),
    ] {
        let r = std::process::Command::new(exe)
            .args(["build", "--change", arg, "--scores"])
            .arg(&csv)
            .arg("--out")
            .arg(dir.path().join("x"))
            .output()
            .unwrap();
        assert!(!r.status.success());
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains("--change") && err.contains(needle), "{err}");
    }
}

/// Points from `a` to `b` every 10 m, zig-zagging ±3 m across the line and meandering 300 m
/// over 10 km, both ends exact (they are nodes shared with other borders).
fn jagged_border(a: (f64, f64), b: (f64, f64)) -> Vec<(f64, f64)> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt();
    let n = (len / 10.0) as usize;
    let (nx, ny) = (-dy / len, dx / len);
    (0..=n)
        .map(|i| {
            let t = i as f64 / n as f64;
            let d = t * len;
            let mut off = if i % 2 == 0 { 3.0 } else { -3.0 };
            off += 300.0 * (d / 10_000.0 * std::f64::consts::TAU).sin();
            off *= (d.min(len - d) / 100.0).min(1.0);
            (a.0 + t * dx + off * nx, a.1 + t * dy + off * ny)
        })
        .collect()
}

/// A ring from borders walked in order (each border's last point is the next one's first).
fn ring_of(borders: &[Vec<(f64, f64)>]) -> Vec<(f64, f64)> {
    borders
        .iter()
        .flat_map(|b| b[..b.len() - 1].iter().copied())
        .collect()
}

#[test]
fn simplified_area_borders_stay_shared_and_lose_their_jags() {
    use lbm_tiler::geometry::area_tiles::AreaLayer;
    use lbm_tiler::input::areas::{Area, AreaLevel};
    // West, north-east and south-east meet at the node (150 km, 450 km); every border between
    // them is jagged.
    let node = (150_000.0, 450_000.0);
    let (nw, n, ne) = (
        (50_000.0, 500_000.0),
        (150_000.0, 500_000.0),
        (250_000.0, 500_000.0),
    );
    let (sw, s, se) = (
        (50_000.0, 400_000.0),
        (150_000.0, 400_000.0),
        (250_000.0, 400_000.0),
    );
    let e = (250_000.0, 450_000.0);
    let (b1, b2, b3) = (
        jagged_border(n, node),
        jagged_border(node, s),
        jagged_border(node, e),
    );
    let rev = |v: &Vec<(f64, f64)>| v.iter().rev().copied().collect::<Vec<_>>();
    let area = |code: &str, ring: Vec<(f64, f64)>| Area {
        level: AreaLevel::Gemeente,
        code: code.into(),
        name: code.into(),
        polygons: vec![vec![ring]],
    };
    let areas = vec![
        area(
            "GM0001",
            ring_of(&[
                vec![sw, nw],
                vec![nw, n],
                b1.clone(),
                b2.clone(),
                vec![s, sw],
            ]),
        ),
        area(
            "GM0002",
            ring_of(&[vec![n, ne], vec![ne, e], rev(&b3), rev(&b1)]),
        ),
        area(
            "GM0003",
            ring_of(&[b3.clone(), vec![e, se], vec![se, s], rev(&b2)]),
        ),
    ];
    let simplified =
        AreaLayer::build_with(AreaLevel::Gemeente, areas.clone(), 8, 12, Some(1.0)).unwrap();
    let snapped = AreaLayer::build_with(AreaLevel::Gemeente, areas, 8, 12, None).unwrap();
    let vertices = |l: &AreaLayer, z: u8| -> usize {
        l.at(z)
            .iter()
            .flat_map(|p| lbm_test_support::packed_rings(&p.geometry))
            .map(|r| r.len())
            .sum()
    };
    for z in 8..=12u8 {
        // The top zoom 12 has zoom 13's units.
        let e = lbm_tiler::encode::extent_at(z, 12);
        let (tx, ty, p) = locate(node.0, node.1, z, e);
        let key = (u64::from(tx) << 32) | u64::from(ty);
        // Around the node (far from the outer edges), every sample point lies in exactly one
        // area: no gap and no overlap between the simplified neighbours.
        for layer in [&simplified, &snapped] {
            let pieces: Vec<_> = layer.at(z).iter().filter(|p| p.key == key).collect();
            assert_eq!(pieces.len(), 3, "zoom {z}");
            let rings: Vec<Vec<Vec<(i64, i64)>>> = pieces
                .iter()
                .map(|p| lbm_test_support::packed_rings(&p.geometry))
                .collect();
            for i in -40..=40 {
                for j in -40..=40 {
                    let q = (
                        p.0 + f64::from(i) * 7.0 + 0.37,
                        p.1 + f64::from(j) * 7.0 + 0.61,
                    );
                    let inside_tile = |v: f64| (0.0..f64::from(e)).contains(&v);
                    if !inside_tile(q.0) || !inside_tile(q.1) {
                        continue; // another tile
                    }
                    let inside = rings
                        .iter()
                        .filter(|rs| rs.iter().filter(|r| contains(r, q)).count() % 2 == 1)
                        .count();
                    assert_eq!(inside, 1, "zoom {z}, {q:?}");
                }
            }
        }
        let (a, b) = (vertices(&simplified, z), vertices(&snapped, z));
        assert!(a < b, "zoom {z}: {a} simplified vs {b} snapped");
        if z <= 10 {
            // The ±3 m zig-zag is below a tile unit: simplification removes it.
            assert!(a * 4 < b, "zoom {z}: {a} simplified vs {b} snapped");
        }
    }
}

//! End-to-end tests of `build`: real temp folders, real SQLite files, decoded tiles.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use lbm_tiler::{build, BuildOptions, ClassificationSet};

const CSV: &str = "grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won
E1213N4879,2020,4.250,0.190,0.031,-0.058,-0.084,0.310,0.001
E1214N4879,2020,4.000,-0.060,-0.114,0.034,0.632,-0.011,-0.031
E1213N4880,2020,3.900,-0.160,,0.1,0.1,0.1,0.1
E1213N4879,2018,4.100,0.100,0.010,0.010,0.010,0.010,0.010
";

fn opts(scores: &Path, out: &Path) -> BuildOptions {
    let mut o = BuildOptions::new(scores, out);
    o.progress = false;
    o
}

#[test]
fn builds_tilesets_per_contract() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "scores.csv", CSV);
    let out = dir.path().join("tiles");
    let summary = build(&opts(&csv, &out)).unwrap();
    // 2 years and, by default, the change map of the consecutive pair, for 6 measures, and the
    // total score's "structureel onder druk" overlay over both years.
    assert_eq!(summary.tilesets.len(), 19);
    assert_eq!(summary.cells, 3);
    let mut expected: Vec<String> = ["lbm", "fys", "onv", "soc", "vrz", "won"]
        .iter()
        .flat_map(|m| {
            [
                format!("{m}-2018.mbtiles"),
                format!("{m}-2020.mbtiles"),
                format!("{m}-2018-2020.mbtiles"),
            ]
        })
        .collect();
    expected.push("lbm-index.sqlite".into());
    expected.push("lbm-pressure-2018-2020.mbtiles".into());
    expected.sort();
    assert_eq!(listing(&out), expected, "no temporary files remain");

    let lbm = out.join("lbm-2020.mbtiles");
    let m = meta(&lbm);
    assert_eq!(m["name"], "lbm-2020");
    assert_eq!(m["format"], "pbf");
    assert_eq!(m["type"], "overlay");
    assert_eq!(m["minzoom"], "5");
    assert_eq!(m["maxzoom"], TOP.to_string());
    for k in ["version", "description", "attribution"] {
        assert!(!m[k].is_empty(), "{k}");
    }
    let b: Vec<f64> = m["bounds"].split(',').map(|v| v.parse().unwrap()).collect();
    assert_eq!(b.len(), 4);
    assert!(
        b[0] < 4.893 && b[2] > 4.893 && b[1] < 52.378 && b[3] > 52.378 && b[3] - b[1] < 0.01,
        "{b:?}"
    );
    let c: Vec<f64> = m["center"].split(',').map(|v| v.parse().unwrap()).collect();
    assert!(c.len() == 3 && c[0] > b[0] && c[0] < b[2] && c[1] > b[1] && c[1] < b[3]);
    let json: serde_json::Value = serde_json::from_str(&m["json"]).unwrap();
    let layer = &json["vector_layers"][0];
    assert_eq!(layer["id"], "grid");
    assert_eq!(layer["minzoom"], 5);
    assert_eq!(layer["maxzoom"], TOP);
    assert_eq!(
        layer["fields"],
        serde_json::json!({"score":"Number","class":"Number","cell":"String","n":"Number","afw":"Number"})
    );
    assert!(layer["description"].is_string());
    assert_eq!(m["lbm_kind"], "score");
    assert_eq!(m["lbm_measure"], "lbm");
    assert_eq!(m["lbm_year"], "2020");
    let cls: lbm_tileset::Classification = serde_json::from_str(&m["lbm_classification"]).unwrap();
    assert_eq!(&cls, ClassificationSet::embedded().get("lbm").unwrap());
    let raw: serde_json::Value = serde_json::from_str(&m["lbm_classification"]).unwrap();
    assert_eq!(raw["basis"], "afw");
    assert_eq!(raw["classes"].as_array().unwrap().len(), 9);
    assert_eq!(raw["classes"][8]["class"], 9);
    let pyramid: serde_json::Value = serde_json::from_str(&m["lbm_pyramid"]).unwrap();
    assert_eq!(pyramid[0], serde_json::json!({"zoom":5,"cell_m":6400}));
    assert_eq!(pyramid[6], serde_json::json!({"zoom":11,"cell_m":100}));
    // A tileset names the digest of exactly what it was made from, not of the whole file (the
    // index's meta names the file).
    assert!(!m.contains_key("lbm_source_sha256"));
    assert_eq!(m["lbm_inputs_sha256"].len(), 64);
    assert_eq!(
        m["lbm_generator"],
        format!("lbm-tiler {}", env!("CARGO_PKG_VERSION"))
    );

    // MBTiles structure: the unique tile_index, TMS rows.
    let conn = lbm_formats::sqlite::open_read_only(&lbm).unwrap();
    let idx: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name='tile_index'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        idx.contains("UNIQUE") && idx.contains("zoom_level, tile_column, tile_row"),
        "{idx}"
    );
    let zooms: Vec<u8> = conn
        .prepare("SELECT DISTINCT zoom_level FROM tiles ORDER BY 1")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(zooms, (5..=TOP).collect::<Vec<_>>());
    let max: i64 = conn
        .query_row("SELECT MAX(LENGTH(tile_data)) FROM tiles", [], |r| r.get(0))
        .unwrap();
    assert!(max < 500 * 1024);

    // The 100 m cell decodes to the right score and class at the right place, at every detail zoom.
    for z in 11..=TOP {
        let (data, centre) = raw_tile_at(&lbm, 121_350.0, 487_950.0, z);
        let feats = decode(&data);
        let f = feats
            .iter()
            .find(|f| f.id == 12_134_879)
            .expect("cell E1213N4879");
        assert_eq!(
            (f.cell.as_str(), f.score, f.class, f.n),
            ("E1213N4879", 4.25, 9, 1)
        );
        assert_eq!(
            f.afw,
            Some(0.19),
            "the total score carries what it is classified by"
        );
        assert!(
            contains(&f.ring, centre),
            "z{z}: {:?} does not contain {centre:?}",
            f.ring
        );
        assert_eq!(f.ring.len(), 4);
        assert!(
            area2(&f.ring) > 0,
            "exterior ring clockwise in tile coordinates (positive area)"
        );
        // Cells stay at least 3 px (24 units at 4096/512) wide: nothing collapses.
        let w = (f.ring[3].0 - f.ring[0].0).abs();
        assert!(w >= 24 * i64::from(extent(&data) / 4096), "z{z}: width {w}");
        // Neighbours share corners exactly: SW, NW, NE, SE.
        let east = feats.iter().find(|f| f.cell == "E1214N4879").unwrap();
        let north = feats.iter().find(|f| f.cell == "E1213N4880").unwrap();
        assert_eq!(east.ring[0], f.ring[3]);
        assert_eq!(east.ring[1], f.ring[2]);
        assert_eq!(north.ring[0], f.ring[1]);
        assert_eq!(north.ring[3], f.ring[2]);
        assert_eq!(east.class, 4, "afw -0.06");
        assert_eq!(north.class, 3, "afw -0.16");
    }
    // Coarse cells: the mean of the 100 m cells, re-classified, with n and the sized id.
    let (feats, centre) = tile_at(&lbm, 121_350.0, 487_950.0, 5);
    assert_eq!(feats.len(), 1);
    let f = &feats[0];
    assert_eq!(f.cell, "E1152N4864/6400m");
    assert_eq!(f.id, 611_524_864);
    assert_eq!(f.n, 3);
    assert_eq!(f.score, 4.05);
    assert_eq!(f.class, 5, "mean afw -0.01");
    assert!(contains(&f.ring, centre));

    // A dimension: its own value is the basis; a populated cell without the value stays on the
    // map without score and class ("geen gegevens").
    let fys = out.join("fys-2020.mbtiles");
    let (feats, _) = tile_at(&fys, 121_350.0, 487_950.0, TOP);
    let classes: Vec<(&str, f64, u64)> = feats
        .iter()
        .map(|f| (f.cell.as_str(), f.score, f.class))
        .collect();
    assert_eq!(classes.len(), 3, "{classes:?}");
    assert!(classes
        .iter()
        .any(|c| c.0 == "E1213N4880" && c.1.is_nan() && c.2 == 0));
    assert!(classes.contains(&("E1213N4879", 0.031, 5)));
    assert!(classes.contains(&("E1214N4879", -0.114, 3)));
    let (feats, _) = tile_at(&out.join("soc-2020.mbtiles"), 121_350.0, 487_950.0, TOP);
    assert_eq!(
        feats.iter().find(|f| f.cell == "E1214N4879").unwrap().class,
        9
    );

    // The point index.
    let conn = lbm_formats::sqlite::open_read_only(&out.join("lbm-index.sqlite")).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM cells", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 4);
    let (lbm_v, fys_v): (f64, Option<f64>) = conn
        .query_row(
            "SELECT lbm, fys FROM cells WHERE hx=1213 AND hy=4880 AND year=2020",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((lbm_v, fys_v), (3.9, None));
    let cls: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key='classification.fys'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(cls.contains("\"measure\":\"fys\""));
}

#[test]
fn change_maps_hold_the_difference_and_its_class() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "scores.csv", CSV);
    let out = dir.path().join("tiles");
    let mut o = opts(&csv, &out);
    o.measures = Some(vec!["lbm".into(), "onv".into()]);
    o.changes = Some(vec![(2018, 2020)]);
    o.years = Some(vec![2020]);
    let s = build(&o).unwrap();
    // 2020 and the change map of lbm and onv, and the overlay of lbm over both years of the file.
    assert_eq!(s.tilesets.len(), 5);
    let lbm = out.join("lbm-2018-2020.mbtiles");
    let m = meta(&lbm);
    assert_eq!(m["name"], "lbm-2018-2020");
    assert_eq!(m["lbm_kind"], "change");
    assert_eq!(m["lbm_year"], "2020");
    assert_eq!(m["lbm_year_from"], "2018");
    assert_eq!(m["lbm_year_to"], "2020");
    let cls: serde_json::Value = serde_json::from_str(&m["lbm_classification"]).unwrap();
    assert_eq!(cls["kind"], "change");
    assert_eq!(
        cls["basis"], "lbm",
        "the change of lbm itself is classified"
    );
    assert_eq!(cls["classes"][0]["label_nl"], "sterke achteruitgang");
    assert_eq!(cls["classes"][8]["label_nl"], "sterke vooruitgang");
    // A change is the difference of the published scores of the two years. At z13 only
    // E1213N4879 has both years: lbm 4.100 → 4.250 (+0.150, strong improvement), onv 0.010 →
    // -0.058 (-0.068, decline). The cells that are new in 2020 stay on the map without a value.
    let (feats, centre) = tile_at(&lbm, 121_350.0, 487_950.0, TOP);
    assert_eq!(feats.len(), 3, "every cell of the to-year");
    let f = feats.iter().find(|f| f.cell == "E1213N4879").unwrap();
    assert_eq!((f.score, f.class, f.n), (0.15, 9, 1));
    assert!(contains(&f.ring, centre));
    assert!(feats
        .iter()
        .filter(|f| f.cell != "E1213N4879")
        .all(|f| f.score.is_nan() && f.class == 0));
    let (feats, _) = tile_at(
        &out.join("onv-2018-2020.mbtiles"),
        121_350.0,
        487_950.0,
        TOP,
    );
    let f = feats.iter().find(|f| f.cell == "E1213N4879").unwrap();
    assert_eq!((f.score, f.class), (-0.068, 2));
    // At z5 the 6400 m cell holds all three: lbm 4.100 → 4.050 (-0.050, very slight decline),
    // onv 0.010 → 0.025 (+0.015, very slight improvement).
    let (feats, _) = tile_at(&lbm, 121_350.0, 487_950.0, 5);
    assert_eq!((feats[0].score, feats[0].class, feats[0].n), (-0.05, 4, 3));
    let (feats, _) = tile_at(&out.join("onv-2018-2020.mbtiles"), 121_350.0, 487_950.0, 5);
    assert_eq!((feats[0].score, feats[0].class), (0.015, 6));
    let conn = lbm_formats::sqlite::open_read_only(&out.join("lbm-index.sqlite")).unwrap();
    let c: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key='classification.change.lbm'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(c.contains("\"kind\":\"change\""), "{c}");
    // Bad pairs name the option and the years the file has.
    o.changes = Some(vec![(2018, 2019)]);
    let e = build(&o).unwrap_err().to_string();
    assert!(
        e.contains("--change") && e.contains("2019") && e.contains("2018,2020"),
        "{e}"
    );
    o.changes = Some(vec![(2020, 2018)]);
    assert!(build(&o).unwrap_err().to_string().contains("--change"));
    // `none`: only score tilesets (and the pressure overlay, which is no change map).
    o.changes = Some(vec![]);
    o.years = None;
    // (Written or kept from the build before: made from the same inputs.)
    let planned = |s: lbm_tiler::BuildSummary| s.tilesets.len() + s.kept.len();
    assert_eq!(planned(build(&o).unwrap()), 5);
    o.pressure = None;
    assert_eq!(planned(build(&o).unwrap()), 4);
}

#[test]
fn filters_years_and_measures_and_derives_afw() {
    let dir = tempfile::tempdir().unwrap();
    let text = "grid_id;jaar;lbm;fys;onv;soc;vrz;won\nE1213N4879;2020;4,5;0,1;;;;\nE1214N4879;2020;3,5;;;;;\n";
    let csv = write(dir.path(), "s.csv", text);
    let out = dir.path().join("o");
    let mut o = opts(&csv, &out);
    o.years = Some(vec![2020]);
    o.measures = Some(vec!["lbm".into()]);
    o.minzoom = 12;
    o.maxzoom = 13;
    let s = build(&o).unwrap();
    assert_eq!(s.tilesets.len(), 1);
    assert_eq!(listing(&out), ["lbm-2020.mbtiles", "lbm-index.sqlite"]);
    let m = meta(&out.join("lbm-2020.mbtiles"));
    assert_eq!((m["minzoom"].as_str(), m["maxzoom"].as_str()), ("12", "13"));
    let (feats, _) = tile_at(&out.join("lbm-2020.mbtiles"), 121_350.0, 487_950.0, 13);
    // afw = lbm - the first year's mean lbm (4.0) = ±0.5 → classes 9 and 1.
    let mut got: Vec<(String, u64)> = feats.into_iter().map(|f| (f.cell, f.class)).collect();
    got.sort();
    assert_eq!(
        got,
        [("E1213N4879".to_string(), 9), ("E1214N4879".to_string(), 1)]
    );
    let mut o2 = o.clone();
    o2.years = Some(vec![2019]);
    assert!(build(&o2).unwrap_err().to_string().contains("2019"));
}

#[test]
fn ogrinfo_reads_the_tileset_when_installed() {
    if std::process::Command::new("ogrinfo")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("ogrinfo not installed: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "scores.csv", CSV);
    let out = dir.path().join("tiles");
    let mut o = opts(&csv, &out);
    o.measures = Some(vec!["lbm".into()]);
    o.years = Some(vec![2020]);
    build(&o).unwrap();
    let r = std::process::Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(out.join("lbm-2020.mbtiles"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(
        r.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(stdout.contains("Layer name: grid"), "{stdout}");
    assert!(stdout.contains("score: Real"), "{stdout}");
    assert!(stdout.contains("cell: String"), "{stdout}");
}

#[test]
fn cli_build_and_inspect() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "scores.csv", CSV);
    let out = dir.path().join("tiles");
    let exe = env!("CARGO_BIN_EXE_lbm-tiler");
    let r = std::process::Command::new(exe)
        .args([
            "build",
            "--measures",
            "lbm",
            "--years",
            "2020",
            "--maxzoom",
            "12",
            "--scores",
        ])
        .arg(&csv)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let stdout = String::from_utf8_lossy(&r.stdout);
    // lbm-2020, and the pressure overlay over the file's years 2018 and 2020.
    assert!(stdout.starts_with("2 tilesets, "), "{stdout}");
    let r = std::process::Command::new(exe)
        .arg("inspect")
        .arg(out.join("lbm-2020.mbtiles"))
        .output()
        .unwrap();
    assert!(r.status.success());
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(stdout.contains("lbm_measure          lbm"), "{stdout}");
    assert!(stdout.contains("maxzoom              12"), "{stdout}");
    let zoom_rows = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with(char::is_numeric))
        .count();
    assert_eq!(zoom_rows, 8, "zooms 5..=12: {stdout}");
    let r = std::process::Command::new(exe)
        .arg("inspect")
        .arg(dir.path().join("missing.mbtiles"))
        .output()
        .unwrap();
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("missing.mbtiles"));
}

/// Scores of `years` on a few cells: lbm 4.0 + `shift` + a little per cell and year.
fn scores_of(years: &[u16], shift: f64) -> String {
    let mut csv = String::from("grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won\n");
    for &year in years {
        for (i, (hx, hy)) in [(1213, 4879), (1214, 4879), (1213, 4880), (1250, 4900)]
            .iter()
            .enumerate()
        {
            let v = 4.0 + shift + f64::from(year - 2000) / 100.0 + i as f64 / 10.0;
            // afw against one national level in every year, as the Leefbaarometer measures it
            // (a level that moves between years is named in every lbm tileset's metadata).
            let afw = v - 3.9;
            csv.push_str(&format!(
                "E{hx}N{hy},{year},{v:.3},{afw:.3},0.1,0.1,0.1,0.1,0.1\n"
            ));
        }
    }
    csv
}

/// The names of the tilesets a build wrote, sorted.
fn written(summary: &lbm_tiler::BuildSummary) -> Vec<String> {
    let mut names: Vec<String> = summary
        .tilesets
        .iter()
        .map(|t| t.path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The options of the new-year test: lbm only, zooms to 11, every place in the overlay.
fn new_year_options(csv: impl Into<PathBuf>, out: impl Into<PathBuf>) -> BuildOptions {
    let mut o = BuildOptions::new(csv, out);
    o.measures = Some(vec!["lbm".into()]);
    o.maxzoom = 11;
    o.progress = false;
    o.pressure = Some(lbm_tiler::PressureOptions {
        max_class: 8,
        since: 2014,
    });
    o
}

#[test]
fn a_new_year_writes_only_what_it_changes_and_keeps_the_rest_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tiles");
    let build_years = |years: &[u16]| {
        let csv = write(dir.path(), "scores.csv", &scores_of(years, 0.0));
        let o = new_year_options(&csv, &out);
        build(&o).unwrap()
    };
    let files = || -> std::collections::BTreeMap<String, Vec<u8>> {
        listing(&out)
            .into_iter()
            .filter(|f| f.ends_with(".mbtiles"))
            .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
            .collect()
    };
    let first = build_years(&[2018, 2020]);
    assert!(first.kept.is_empty());
    let before = files();
    assert!(
        before.contains_key("lbm-pressure-2018-2020.mbtiles"),
        "{:?}",
        before.keys()
    );
    // 2022 added: its tileset, the change maps to it, the overlay and the index are written;
    // the tilesets of 2018 and 2020 and their change map are kept as they were.
    let second = build_years(&[2018, 2020, 2022]);
    assert_eq!(
        written(&second),
        [
            "lbm-2018-2022",
            "lbm-2020-2022",
            "lbm-2022",
            "lbm-pressure-2018-2022"
        ]
        .map(String::from),
        "{second}"
    );
    assert_eq!(
        second.kept,
        ["lbm-2018", "lbm-2020", "lbm-2018-2020"].map(String::from)
    );
    assert_eq!(second.removed, ["lbm-pressure-2018-2020"].map(String::from));
    let text = second.to_string();
    assert!(text.contains("kept 3 tilesets as they were"), "{text}");
    assert!(
        text.contains("removed 1 tilesets no longer in the plan: lbm-pressure-2018-2020"),
        "{text}"
    );
    let after = files();
    for kept in [
        "lbm-2018.mbtiles",
        "lbm-2020.mbtiles",
        "lbm-2018-2020.mbtiles",
    ] {
        assert!(
            after[kept] == before[kept],
            "{kept} is byte for byte the same"
        );
    }
    assert!(!after.contains_key("lbm-pressure-2018-2020.mbtiles"));
    // The kept ones are what a fresh build writes.
    let fresh_dir = tempfile::tempdir().unwrap();
    let csv = write(
        fresh_dir.path(),
        "scores.csv",
        &scores_of(&[2018, 2020, 2022], 0.0),
    );
    let o = new_year_options(&csv, fresh_dir.path().join("tiles"));
    build(&o).unwrap();
    // (The same metadata, tiles digest and inputs digest: the server's content version. The
    // SQLite pages of two builds may be laid out differently, as parallel encoders hand the
    // tiles over in varying order.)
    for name in after.keys() {
        let fresh = meta(&fresh_dir.path().join("tiles").join(name));
        assert_eq!(
            fresh,
            meta(&out.join(name)),
            "{name} as a fresh build writes it"
        );
    }
    // A changed year rebuilds what it draws, and only that.
    let csv = write(
        dir.path(),
        "scores.csv",
        &scores_of(&[2018, 2020, 2022], 0.0)
            .replace("E1250N4900,2020,4.500,0.600", "E1250N4900,2020,4.600,0.700"),
    );
    let o = new_year_options(&csv, &out);
    let third = build(&o).unwrap();
    assert_eq!(
        written(&third),
        [
            "lbm-2018-2020",
            "lbm-2020",
            "lbm-2020-2022",
            "lbm-pressure-2018-2022"
        ]
        .map(String::from),
        "{third}"
    );
}

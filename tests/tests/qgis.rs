//! The map in QGIS, as an analyst adds it: QGIS 3.22 (Debian's `python3-qgis`, run with Debian's
//! own `python3`, headless) loads a score tileset as a vector tile layer with the server's style
//! URL and renders a wide view and a city view (`tests/scripts/qgis_render.py`). At the interior
//! points of areas and cells the pixel must be the legend colour of a class there, and several
//! classes must show: a style QGIS cannot convert draws everything one grey.
//!
//! Without QGIS the test skips with the reason printed, unless `LBM_REQUIRE_TOOLS=1` (CI).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use lbm_e2e::{build_demo, get_json_blocking, workspace_root, TestServer, DEMO_BBOX};
use lbm_formats::index::{read, INDEX_FILE};
use lbm_tileset::Classification;
use serde_json::{json, Value};

/// Debian's python3 when it has the QGIS bindings.
fn qgis_python() -> Option<PathBuf> {
    let python = PathBuf::from("/usr/bin/python3");
    let usable = python.is_file()
        && Command::new(&python)
            .args(["-c", "import qgis.core"])
            .env("QT_QPA_PLATFORM", "offscreen")
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !usable {
        assert!(
            std::env::var("LBM_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "QGIS (python3-qgis under /usr/bin/python3) is required (LBM_REQUIRE_TOOLS=1); \
             .ci/run installs it"
        );
        eprintln!("skipped: no QGIS Python bindings (apt-get install python3-qgis)");
    }
    usable.then_some(python)
}

/// A runtime directory as Qt wants it (mode 0700).
fn runtime_dir(home: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = home.join("runtime");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

/// Runs the QGIS script `script` (in tests/scripts) on `job`; its JSON answer.
fn run_qgis(python: &Path, script: &str, job: &Value) -> Value {
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(python)
        .arg(workspace_root().join("tests/scripts").join(script))
        .env("QT_QPA_PLATFORM", "offscreen")
        // QGIS writes its profile under HOME: a fresh one, as on a new desk.
        .env("HOME", home.path())
        .env("XDG_RUNTIME_DIR", runtime_dir(home.path()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start QGIS");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "QGIS {script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or("");
    serde_json::from_str(line).unwrap_or_else(|e| panic!("QGIS answer {text:?}: {e}"))
}

fn hex(c: &[u64]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

fn rgb(hex: &str) -> [i64; 3] {
    let v = |i: usize| i64::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap();
    [v(0), v(1), v(2)]
}

/// One point sampled: where, and the classes of what could be drawn there at some zoom (the
/// cell and every area holding it), from the point API.
struct Sample {
    lonlat: [f64; 2],
    classes: BTreeSet<Option<u8>>,
}

/// The classes of `measure` in `year` at a place, of the cell and the areas there.
fn classes_at(http: &reqwest::blocking::Client, server: &TestServer, lonlat: [f64; 2]) -> Sample {
    let [lon, lat] = lonlat;
    let url = server.url(&format!("/api/v1/point?lon={lon:.7}&lat={lat:.7}"));
    let p = get_json_blocking(http, &url);
    let class_in = |years: &Value| -> Option<u8> {
        years.as_array()?.iter().find(|y| y["year"] == YEAR)?["classes"]["lbm"]
            .as_u64()
            .map(|k| k as u8)
    };
    let mut classes = BTreeSet::new();
    if p["cell"].is_string() {
        classes.insert(class_in(&p["years"]));
    }
    for a in p["areas"].as_array().into_iter().flatten() {
        classes.insert(class_in(&a["years"]));
    }
    Sample { lonlat, classes }
}

const YEAR: u16 = 2022;

#[test]
fn qgis_draws_the_style_in_the_legend_colours() {
    let Some(python) = qgis_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tiles = build_demo(&dir.path().join("tiles"));
    let server = TestServer::start(&tiles);
    let http = reqwest::blocking::Client::new();
    let id = format!("lbm-{YEAR}");
    let tj = get_json_blocking(&http, &server.url(&format!("/tiles/{id}.json")));
    let cls: Classification =
        serde_json::from_value(tj["lbm"]["classification"].clone()).expect("classification");

    // Interior points: every area's centre (inside it by construction) for the wide view, and
    // the centres of the 100 m cells and buurten in a city window for the close one.
    let conn = lbm_formats::sqlite::open_read_only(&tiles.join(INDEX_FILE)).unwrap();
    let areas = read::area_entries(&conn, &read::Tables::of(&conn)).unwrap();
    let centres: Vec<([f64; 2], String)> = areas
        .iter()
        .filter_map(|a| Some((a.center?, a.level.clone())))
        .collect();
    let [x0, y0, x1, y1] = DEMO_BBOX;
    let corner = |x: f64, y: f64| lbm_tileset::project::rd_to_wgs84(x, y).unwrap();
    let (w, s) = corner(x0, y0);
    let (e, n) = corner(x1, y1);
    let wide = [w, s, e, n];
    // The old city of Utrecht, 3 km across.
    let (cw, cs) = corner(135_000.0, 454_000.0);
    let (ce, cn) = corner(138_000.0, 457_000.0);
    let city = [cw, cs, ce, cn];
    let inside =
        |p: &[f64; 2], b: &[f64; 4]| p[0] > b[0] && p[0] < b[2] && p[1] > b[1] && p[1] < b[3];
    let national = [3.3, 50.7, 7.3, 53.6];
    let national_points: Vec<[f64; 2]> = centres
        .iter()
        .filter(|(c, level)| level == "gemeente" && inside(c, &national))
        .map(|(c, _)| *c)
        .collect();
    let mut wide_points: Vec<[f64; 2]> = centres
        .iter()
        .filter(|(c, _)| inside(c, &wide))
        .map(|(c, _)| *c)
        .collect();
    wide_points.truncate(200);
    let mut city_points: Vec<[f64; 2]> = centres
        .iter()
        .filter(|(c, _)| inside(c, &city))
        .map(|(c, _)| *c)
        .collect();
    for i in 0..12 {
        for j in 0..12 {
            let (x, y) = (
                135_050.0 + 250.0 * f64::from(i),
                454_050.0 + 250.0 * f64::from(j),
            );
            let (lon, lat) = corner(x, y);
            city_points.push([lon, lat]);
        }
    }
    assert!(wide_points.len() >= 10 && city_points.len() >= 100);

    let out_dir = workspace_root().join("target/tmp/qgis");
    std::fs::create_dir_all(&out_dir).unwrap();
    let job = json!({
        // As docs/gis.md tells: the unversioned tile URL, zooms and style URL of the tileset.
        "tiles": server.url(&format!("/tiles/{id}/{{z}}/{{x}}/{{y}}.pbf")),
        "zmin": tj["minzoom"],
        "zmax": tj["maxzoom"],
        "style": server.url(&format!("/styles/{id}.json")),
        "views": [
            {"name": "national", "bbox": national, "size": [800, 900], "points": national_points,
             "png": out_dir.join("qgis-national.png")},
            {"name": "wide", "bbox": wide, "size": [900, 900], "points": wide_points,
             "png": out_dir.join("qgis-wide.png")},
            {"name": "city", "bbox": city, "size": [900, 900], "points": city_points,
             "png": out_dir.join("qgis-city.png")},
        ],
    });
    let answer = run_qgis(&python, "qgis_render.py", &job);
    eprintln!(
        "QGIS {}: {} styles, warnings {}",
        answer["qgis"], answer["styles"], answer["warnings"]
    );
    let colour_of = |k: Option<u8>| match k {
        Some(k) => cls.entry(k).expect("a class of the legend").color.clone(),
        None => cls.no_data.color.clone(),
    };
    let mut all_seen = BTreeSet::new();
    for (view, points) in [
        ("national", &national_points),
        ("wide", &wide_points),
        ("city", &city_points),
    ] {
        let pixels = answer["views"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == view)
            .unwrap()["pixels"]
            .as_array()
            .unwrap()
            .clone();
        let (mut matched, mut seen, mut misses) = (0usize, BTreeSet::new(), Vec::new());
        for (point, px) in points.iter().zip(&pixels) {
            let Some(px) = px.as_array() else { continue };
            let px: Vec<u64> = px.iter().map(|v| v.as_u64().unwrap()).collect();
            let sample = classes_at(&http, &server, *point);
            let hit = sample.classes.iter().find(|k| {
                let want = rgb(&colour_of(**k));
                want.iter()
                    .zip(&px)
                    .all(|(a, b)| (a - *b as i64).abs() <= 3)
            });
            match hit {
                Some(k) => {
                    matched += 1;
                    seen.insert(*k);
                }
                None => misses.push(format!(
                    "{:?}: {} not among {:?}",
                    sample.lonlat,
                    hex(&px),
                    sample.classes
                )),
            }
        }
        let total = matched + misses.len();
        eprintln!("QGIS {view}: {matched} of {total} points in a legend colour, classes {seen:?}");
        // Points on an outline of a finer level than the one sampled may be off; nothing else.
        assert!(
            total > 0 && matched * 10 >= total * 9,
            "{view}: {matched} of {total} in a class colour there; misses: {misses:#?}"
        );
        assert!(
            seen.iter().filter(|k| k.is_some()).count() >= 2,
            "{view}: classes drawn, not one colour: {seen:?}"
        );
        all_seen.extend(seen);
    }
    assert!(
        all_seen.iter().filter(|k| k.is_some()).count() >= 4,
        "at least four classes drawn, saw {all_seen:?}"
    );
}

/// QGIS's OGC API – Features provider (`OAPIF`) loads the gemeenten and buurten of a year with
/// their fields, every feature, and the values of the report API.
#[test]
fn qgis_loads_the_areas_as_ogc_api_features() {
    let Some(python) = qgis_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tiles = build_demo(&dir.path().join("tiles"));
    let server = TestServer::start(&tiles);
    let http = reqwest::blocking::Client::new();
    let collections = [format!("gemeente-{YEAR}"), format!("buurt-{YEAR}")];
    let job = json!({"url": server.url("/ogc"), "collections": collections});
    let answer = run_qgis(&python, "qgis_features.py", &job);
    for layer in answer["layers"].as_array().unwrap() {
        let name = layer["collection"].as_str().unwrap();
        assert_eq!(layer["valid"], true, "{name}: {layer}");
        let fields: Vec<&str> = layer["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        for f in [
            "code",
            "name",
            "level",
            "parent",
            "lbm",
            "lbm_class",
            "afw",
            "fys",
            "won_class",
        ] {
            assert!(fields.contains(&f), "{name}: field {f} in {fields:?}");
        }
        let items = get_json_blocking(
            &http,
            &server.url(&format!("/ogc/collections/{name}/items?limit=1")),
        );
        assert_eq!(
            layer["count"], items["numberMatched"],
            "{name}: QGIS loads every feature"
        );
        let features = layer["features"].as_array().unwrap();
        assert!(
            features.iter().all(|f| f["area"].as_f64().unwrap() > 0.0),
            "{name}: polygons"
        );
        // A sample's lbm is the report API's mean of that year.
        for f in features.iter().step_by((features.len() / 8).max(1)) {
            let code = f["code"].as_str().unwrap();
            let report =
                get_json_blocking(&http, &server.url(&format!("/api/v1/areas/{code}/report")));
            let mean = report["means"]
                .as_array()
                .unwrap()
                .iter()
                .find(|y| y["year"] == YEAR)
                .map(|y| y["values"]["lbm"].clone())
                .unwrap_or(Value::Null);
            let got = f["lbm"].as_f64();
            assert_eq!(
                got,
                mean.as_f64(),
                "{name} {code}: lbm in QGIS and the report"
            );
        }
        eprintln!(
            "QGIS OAPIF {name}: {} features, fields {fields:?}",
            layer["count"]
        );
    }
}

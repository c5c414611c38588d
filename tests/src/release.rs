//! A Leefbaarometer open-data release in the published layout, built by the real tiler: the
//! fixture of the end-to-end and browser tests of the official data. The demo's grid scores as
//! `Leefbaarometer-scores grids 2002-2024.csv`, the Leefbaarometer's own PC4 scores keyed by
//! PC4 as a number (`;`, decimal commas, CRLF), PC4 boundaries keyed by it as text, and one PC4
//! area (3519) collapsed to a line, so not on the map.

use std::path::{Path, PathBuf};

use crate::DEMO_BBOX;

/// A GeoJSON feature of PC4 area `pc4` (as text) with the given exterior ring.
fn feature(pc4: &str, ring: &[(f64, f64)]) -> String {
    let coords: Vec<String> = ring.iter().map(|(x, y)| format!("[{x},{y}]")).collect();
    format!(
        r#"{{"type":"Feature","properties":{{"PC4":"{pc4}","gm_naam":"Utrecht"}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#,
        coords.join(",")
    )
}

fn square(x: f64, y: f64, side: f64) -> Vec<(f64, f64)> {
    vec![
        (x, y),
        (x + side, y),
        (x + side, y + side),
        (x, y + side),
        (x, y),
    ]
}

/// The official lbm of each PC4 area and year, as the file writes it (not the mean of its
/// cells).
pub const OFFICIAL: [(u32, u16, &str); 6] = [
    (3511, 2020, "3,777"),
    (3511, 2022, "3,801"),
    (3512, 2020, "4,111"),
    (3512, 2022, "4,123"),
    (3519, 2020, "3,999"),
    (3519, 2022, "4,004"),
];

/// The official lbm of PC4 `code` in `year`.
pub fn official(code: &str, year: u16) -> f64 {
    let (_, _, v) = OFFICIAL
        .iter()
        .find(|(c, y, _)| c.to_string() == code && *y == year)
        .unwrap();
    v.replace(',', ".").parse().unwrap()
}

/// Where PC4 3511 starts (RD New, south-west corner; 3512 lies east of it, 1500 m each).
pub const PC4_ORIGIN: (f64, f64) = (135_000.0, 455_000.0);

/// Writes the release under `dir/download` and builds it into `dir/tiles` (returned) with the
/// library's `Release::find` and `Release::apply`, as `lbm-tiler build --open-data` does; the
/// build summary's text is returned too.
pub fn build_release(dir: &Path) -> (PathBuf, String) {
    let demo = dir.join("demo");
    let mut d = lbm_tiler::DemoOptions::new(&demo);
    d.bbox = Some(DEMO_BBOX);
    d.years = Some(vec![2020, 2022]);
    d.measures = Some(vec!["lbm".into()]);
    d.changes = Some(vec![]);
    d.progress = false;
    d.keep_scores = true;
    lbm_tiler::demo(&d).expect("demo scores");

    // The release as unpacked: nested folders, names with spaces.
    let root = dir.join("download");
    let scores_dir = root.join("Leefbaarometer 3.0 - Meting 2024 - open data");
    let geometry_dir = root.join("geometrie-lbm3-2024/geometrie-lbm3-2024");
    std::fs::create_dir_all(&scores_dir).unwrap();
    std::fs::create_dir_all(&geometry_dir).unwrap();
    std::fs::copy(
        demo.join(lbm_tiler::demo::DEMO_CSV),
        scores_dir.join("Leefbaarometer-scores grids 2002-2024.csv"),
    )
    .unwrap();
    let mut pc4 = String::from("PC4;jaar;lbm;fys;onv;soc;vrz;won\r\n");
    for (code, year, lbm) in OFFICIAL {
        pc4.push_str(&format!("{code};{year};{lbm};0;0;0;0;0\r\n"));
    }
    std::fs::write(
        scores_dir.join("Leefbaarometer-scores PC4 2002-2024.csv"),
        pc4,
    )
    .unwrap();
    // The development of each PC4 area from 2020 to 2022: the difference of its scores, as
    // the Leefbaarometer publishes it (a period column; decimal commas).
    let mut development = String::from("PC4;periode;lbm\r\n");
    for code in [3511, 3512, 3519] {
        let change = official(&code.to_string(), 2022) - official(&code.to_string(), 2020);
        let text = format!("{change:.3}").replace('.', ",");
        development.push_str(&format!("{code};2020-2022;{text}\r\n"));
    }
    std::fs::write(
        scores_dir.join("Leefbaarometer-ontwikkeling PC4 2002-2024.csv"),
        development,
    )
    .unwrap();
    let (x, y) = PC4_ORIGIN;
    std::fs::write(
        geometry_dir.join("PC4 2024.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{},{},{}]}}"#,
            feature("3511", &square(x, y, 1500.0)),
            feature("3512", &square(x + 1500.0, y, 1500.0)),
            // Collapsed to a line by generalisation: no usable polygon.
            feature(
                "3519",
                &[(x, y + 2000.0), (x + 500.0, y + 2000.0), (x, y + 2000.0)]
            ),
        ),
    )
    .unwrap();

    let given = [root];
    let release = lbm_tiler::input::open_data::Release::find(&given).unwrap();
    let tiles = dir.join("tiles");
    let scores = release.scores(&given).unwrap().to_path_buf();
    let mut o = lbm_tiler::BuildOptions::new(scores, &tiles);
    release.apply(&mut o);
    o.measures = Some(vec!["lbm".into()]);
    o.progress = false;
    let summary = lbm_tiler::build(&o).expect("build from the release");
    (tiles, summary.to_string())
}

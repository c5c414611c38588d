//! A postcode finds its PC4 area when the build has a PC4 level: the search gives the area for
//! `3511` and for `3511 AB` (a full postcode names its PC4 area), and the area API opens it with
//! a centre inside it and its values. Built by the real tiler from the demo's scores and a PC4
//! boundary file.

use lbm_e2e::{get_json_blocking, TestServer, DEMO_BBOX};

/// A GeoJSON feature of PC4 area `pc4`: the RD New square with south-west corner (`x`, `y`).
fn square(pc4: &str, x: f64, y: f64, side: f64) -> String {
    let (x1, y1) = (x + side, y + side);
    format!(
        r#"{{"type":"Feature","properties":{{"pc4":"{pc4}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y1}],[{x},{y}]]]}}}}"#
    )
}

#[test]
fn a_postcode_finds_its_pc4_area() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let mut d = lbm_tiler::DemoOptions::new(&demo);
    d.bbox = Some(DEMO_BBOX);
    d.years = Some(vec![2022]);
    d.measures = Some(vec!["lbm".into()]);
    d.changes = Some(vec![]);
    d.progress = false;
    d.keep_scores = true;
    lbm_tiler::demo(&d).expect("demo scores");
    let areas = dir.path().join("pc4.geojson");
    std::fs::write(
        &areas,
        format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            square("3511", 135_000.0, 455_000.0, 1500.0),
            square("3512", 136_500.0, 455_000.0, 1500.0)
        ),
    )
    .unwrap();
    let tiles = dir.path().join("tiles");
    let mut o = lbm_tiler::BuildOptions::new(demo.join(lbm_tiler::demo::DEMO_CSV), &tiles);
    o.areas = vec![areas];
    o.measures = Some(vec!["lbm".into()]);
    o.progress = false;
    lbm_tiler::build(&o).expect("build with a PC4 level");

    let server = TestServer::start(&tiles);
    let http = reqwest::blocking::Client::new();
    for q in ["3511", "3511 AB", "3511ab"] {
        let found = get_json_blocking(
            &http,
            &server.url(&format!("/api/v1/search?q={}", lbm_e2e::urlencode(q))),
        );
        let first = &found["results"][0];
        assert_eq!(first["kind"], "area", "{q}: {found}");
        assert_eq!(first["level"], "pc4", "{q}: {found}");
        assert_eq!(first["code"], "3511", "{q}: {found}");
    }
    let area = get_json_blocking(&http, &server.url("/api/v1/areas/3511"));
    assert_eq!(area["level"], "pc4");
    let c = &area["center"];
    let (x, y) =
        lbm_tileset::project::wgs84_to_rd(c[0].as_f64().unwrap(), c[1].as_f64().unwrap()).unwrap();
    assert!(
        (135_000.0..136_500.0).contains(&x) && (455_000.0..456_500.0).contains(&y),
        "the centre lies inside 3511: {x}, {y}"
    );
    let year = area["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2022)
        .expect("a value for 2022");
    assert!(year["values"]["lbm"].is_number(), "{year}");
}

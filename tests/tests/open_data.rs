//! The official open data through the whole site: a release folder in the published layout
//! (`lbm_e2e::release`) found by `Release::find`, built by the real tiler and served by the real
//! server. Search (a postcode), the area API, the point API, the report, the OGC items and the
//! catalog all give the Leefbaarometer's own PC4 scores; the area collapsed to a line is not on
//! the map but keeps its scores, in search, the area API and the OGC items.

use lbm_e2e::release::{build_release, official, PC4_ORIGIN};
use lbm_e2e::{get_json_blocking, TestServer};
use serde_json::Value;

#[test]
fn an_official_release_gives_its_own_area_scores_everywhere_and_keeps_an_area_off_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let (tiles, text) = build_release(dir.path());
    assert!(
        text.contains("feature 2 (3519)")
            && text.contains("pc4 scores: 3 codes, 0 in no boundary file"),
        "{text}"
    );
    // The official development file is read and agrees with the change the maps show.
    assert!(
        text.contains(
            "Leefbaarometer-ontwikkeling PC4 2002-2024.csv: level pc4, key pc4, period column \
             periode, 3 rows, periods 2020-2022; the difference of the published scores (the \
             change the maps, the panel and the report show) is the same for 3 of 3 values \
             compared"
        ) && !text.contains(" differ (first:"),
        "{text}"
    );
    let (x, y) = PC4_ORIGIN;
    let server = TestServer::start(&tiles);
    let http = reqwest::blocking::Client::new();
    let get = |path: &str| -> Value { get_json_blocking(&http, &server.url(path)) };

    // The catalog says the PC4 scores are the file's own, and names the release.
    let catalog = get("/catalog.json");
    let ts = catalog["tilesets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "lbm-2022")
        .unwrap();
    let pc4_layer = ts["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["layer"] == "pc4")
        .unwrap();
    assert_eq!(pc4_layer["scores"], "file", "{ts}");
    let tilejson = get("/tiles/lbm-2022.json");
    assert!(
        tilejson["attribution"]
            .as_str()
            .unwrap()
            .contains("Meting 2024"),
        "{tilejson}"
    );

    // A postcode finds its area; the area API gives the official scores.
    let found = get("/api/v1/search?q=3511%20AB");
    assert_eq!(found["results"][0]["code"], "3511", "{found}");
    assert_eq!(found["results"][0]["on_map"], true, "{found}");
    let lbm_of = |entry: &Value, year: u16| -> f64 {
        entry["years"]
            .as_array()
            .unwrap()
            .iter()
            .find(|y| y["year"] == year)
            .unwrap_or_else(|| panic!("{year} in {entry}"))["values"]["lbm"]
            .as_f64()
            .unwrap()
    };
    let area = get("/api/v1/areas/3511");
    assert_eq!(area["on_map"], true);
    for year in [2020, 2022] {
        assert_eq!(lbm_of(&area, year), official("3511", year), "{area}");
    }
    // The point API inside 3512 names it with the same official scores.
    let (lon, lat) = lbm_tileset::project::rd_to_wgs84(x + 2000.0, y + 700.0).unwrap();
    let point = get(&format!("/api/v1/point?lon={lon}&lat={lat}"));
    let at = point["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["level"] == "pc4")
        .unwrap_or_else(|| panic!("pc4 at the point: {point}"));
    assert_eq!(at["code"], "3512");
    assert_eq!(lbm_of(at, 2022), official("3512", 2022));
    // The report of the area is about the same area and its official values.
    let report = get("/api/v1/areas/3511/report");
    assert_eq!(report["code"], "3511", "{report}");
    // The OGC items of the PC4 collection carry the official values; the area off the map is
    // listed with its values and no geometry.
    let items = get("/ogc/collections/pc4-2022/items?limit=50");
    let feats = items["features"].as_array().unwrap();
    let by_code = |c: &str| {
        feats
            .iter()
            .find(|f| f["id"] == c)
            .unwrap_or_else(|| panic!("{c}: {items}"))
    };
    assert_eq!(
        by_code("3511")["properties"]["lbm"].as_f64(),
        Some(official("3511", 2022))
    );
    assert!(by_code("3519")["geometry"].is_null());
    assert_eq!(
        by_code("3519")["properties"]["lbm"].as_f64(),
        Some(official("3519", 2022))
    );

    // The collapsed area: found, not on the map, without a centre, with its official scores.
    let found = get("/api/v1/search?q=3519");
    let hit = &found["results"][0];
    assert_eq!(hit["code"], "3519", "{found}");
    assert_eq!(hit["on_map"], false, "{found}");
    assert!(hit["center"].is_null() && hit["bbox"].is_null(), "{found}");
    let area = get("/api/v1/areas/3519");
    assert_eq!(area["on_map"], false, "{area}");
    assert!(area["center"].is_null(), "{area}");
    for year in [2020, 2022] {
        assert_eq!(lbm_of(&area, year), official("3519", year), "{area}");
    }
}

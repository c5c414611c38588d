//! Issue 5 on the server: change tilesets and area layers in the catalog, TileJSON and styles;
//! `/api/v1/search`; `/api/v1/point` with areas.

mod common;

use common::*;
use serde_json::Value;

async fn json(resp: reqwest::Response) -> Value {
    assert_eq!(resp.headers()["content-type"], "application/json");
    resp.json().await.unwrap()
}

async fn get(s: &TestServer, path: &str) -> (u16, Value) {
    let resp = client()
        .get(format!("{}{path}", s.base))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), json(resp).await)
}

/// Score tilesets 2018/2020 (2020 with area layers), a change tileset 2018-2020 and an index
/// with areas.
async fn area_server() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2018, 0.1);
    write_tileset_with(dir.path(), "lbm", 2020, 0.2, |rows| {
        set_row(rows, "lbm_areas", areas_metadata())
    });
    write_change_tileset(dir.path(), "lbm", 2018, 2020);
    write_area_index(dir.path());
    add_old_style_areas(dir.path());
    let s = start(dir.path()).await;
    (dir, s)
}

/// Adds areas the way an index written before hyphens and spaces were folded alike stored
/// them: `name_norm` keeps hyphens and apostrophes, and `parent_name` is missing. The server
/// must find them all the same. (A deliberately outdated row: raw SQL.)
fn add_old_style_areas(dir: &std::path::Path) {
    let conn = rusqlite::Connection::open(dir.join("lbm-index.sqlite")).unwrap();
    for (code, level, name, norm, parent, (x0, y0, x1, y1)) in [
        (
            "GM0796",
            "gemeente",
            "'s-Hertogenbosch",
            "'s-hertogenbosch",
            None,
            (145_000.0, 405_000.0, 155_000.0, 415_000.0),
        ),
        (
            "WK079601",
            "wijk",
            "Zuid-Oost",
            "zuid-oost",
            Some("GM0796"),
            (150_000.0, 405_000.0, 155_000.0, 410_000.0),
        ),
    ] {
        let (w, s) = lbm_tileset::project::rd_to_wgs84(x0, y0).unwrap();
        let (e, n) = lbm_tileset::project::rd_to_wgs84(x1, y1).unwrap();
        let geom = serde_json::json!({"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]});
        conn.execute(
            "INSERT INTO areas (code, level, name, name_norm, parent, minlon, minlat, maxlon,
               maxlat, minx, miny, maxx, maxy, geom)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
            rusqlite::params![
                code,
                level,
                name,
                norm,
                parent,
                w,
                s,
                e,
                n,
                x0,
                y0,
                x1,
                y1,
                geom.to_string()
            ],
        )
        .unwrap();
    }
}

#[tokio::test]
async fn catalog_lists_changes_and_areas() {
    let (_dir, s) = area_server().await;
    let (status, catalog) = get(&s, "/catalog.json").await;
    assert_eq!(status, 200);
    // Change tilesets add no years to the measure.
    assert_eq!(
        catalog["measures"][0]["years"],
        serde_json::json!([2018, 2020])
    );
    assert_eq!(
        catalog["changes"],
        serde_json::json!([{"measure": "lbm", "from": 2018, "to": 2020, "id": "lbm-2018-2020"}])
    );
    let tilesets = catalog["tilesets"].as_array().unwrap();
    let change = tilesets
        .iter()
        .find(|t| t["id"] == "lbm-2018-2020")
        .unwrap();
    assert_eq!(change["kind"], "change");
    assert_eq!(change["year_from"], 2018);
    assert_eq!(change["year_to"], 2020);
    assert_eq!(change["classification"]["kind"], "change");
    assert_eq!(
        change["classification"]["classes"][4]["label_nl"],
        "geen verandering"
    );
    let score = tilesets.iter().find(|t| t["id"] == "lbm-2020").unwrap();
    assert_eq!(score["areas"][0]["layer"], "gemeente");
    assert_eq!(score["areas"][1]["layer"], "wijk");
    assert_eq!(score["year_from"], Value::Null);
    let plain = tilesets.iter().find(|t| t["id"] == "lbm-2018").unwrap();
    assert_eq!(plain["areas"], serde_json::json!([]));
}

#[tokio::test]
async fn tilejson_and_style_know_change_and_area_layers() {
    let (_dir, s) = area_server().await;
    let (_, tj) = get(&s, "/tiles/lbm-2018-2020.json").await;
    assert_eq!(tj["lbm"]["kind"], "change");
    assert_eq!(tj["lbm"]["year_from"], 2018);
    assert_eq!(tj["lbm"]["year_to"], 2020);
    assert_eq!(tj["lbm"]["areas"], serde_json::json!([]));
    let (_, tj) = get(&s, "/tiles/lbm-2020.json").await;
    assert_eq!(tj["lbm"]["areas"][0]["layer"], "gemeente");

    // Change style: grid in the change colours.
    let (status, style) = get(&s, "/styles/lbm-2018-2020.json").await;
    assert_eq!(status, 200);
    let layers = style["layers"].as_array().unwrap();
    assert_eq!(layers[0]["type"], "background");
    assert_eq!(layers[1]["source-layer"], "grid");
    assert_eq!(style["metadata"]["lbm:kind"], "change");

    // Area style: the automatic bands (gemeente from the tileset's minzoom below 9, wijk 9..11,
    // grid above, since there is no buurt); bands never overlap.
    let (_, style) = get(&s, "/styles/lbm-2020.json").await;
    let layers = style["layers"].as_array().unwrap();
    let ids: Vec<&str> = layers.iter().map(|l| l["id"].as_str().unwrap()).collect();
    for id in [
        "gemeente-fill-1",
        "gemeente-fill-none",
        "gemeente-outline",
        "wijk-fill-9",
        "wijk-outline",
        "grid-fill-5",
        "grid-outline",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let band = |id: &str| {
        let l = layers.iter().find(|l| l["id"] == id).unwrap();
        (
            l["minzoom"].as_u64().unwrap(),
            l["maxzoom"].as_u64().unwrap_or(24),
        )
    };
    for k in ["1", "5", "9", "none"] {
        assert_eq!(band(&format!("gemeente-fill-{k}")), (5, 9));
        assert_eq!(band(&format!("wijk-fill-{k}")), (9, 11));
        assert_eq!(band(&format!("grid-fill-{k}")), (11, 24));
    }
    let gm = layers
        .iter()
        .find(|l| l["id"] == "gemeente-fill-3")
        .unwrap();
    assert_eq!(gm["source-layer"], "gemeente");
    assert_eq!(gm["filter"], serde_json::json!(["==", ["get", "class"], 3]));
    assert!(gm["paint"]["fill-color"].is_string(), "a plain colour");
    let outline = layers
        .iter()
        .find(|l| l["id"] == "gemeente-outline")
        .unwrap();
    assert_eq!(outline["type"], "line");
}

#[tokio::test]
async fn search_finds_areas_by_name_and_code_ranked() {
    let (_dir, s) = area_server().await;
    let (status, r) = get(&s, "/api/v1/search?q=utrecht").await;
    assert_eq!(status, 200);
    let results = r["results"].as_array().unwrap();
    let codes: Vec<&str> = results
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    // Exact name first, then prefixes, then substrings (by level).
    assert_eq!(codes, ["GM0344", "GM0339", "WK034402"]);
    let first = &results[0];
    assert_eq!(first["kind"], "area");
    assert_eq!(first["level"], "gemeente");
    assert_eq!(first["name"], "Utrecht");
    assert_eq!(first["parent"], Value::Null);
    assert_eq!(results[2]["parent"], "Utrecht", "a wijk names its gemeente");
    let bbox: Vec<f64> = serde_json::from_value(first["bbox"].clone()).unwrap();
    let center: Vec<f64> = serde_json::from_value(first["center"].clone()).unwrap();
    assert!(bbox[0] < center[0] && center[0] < bbox[2]);
    assert!(bbox[1] < center[1] && center[1] < bbox[3]);
    assert!((4.9..5.3).contains(&center[0]) && (52.0..52.2).contains(&center[1]));

    // Accent- and case-insensitive, both ways.
    for q in ["SUDWEST", "súdwest-fryslân", "Fryslan"] {
        let (_, r) = get(&s, &format!("/api/v1/search?q={}", urlencode(q))).await;
        assert_eq!(r["results"][0]["code"], "GM1900", "{q}");
    }
    // Codes, case-insensitive, and code prefixes.
    let (_, r) = get(&s, "/api/v1/search?q=gm0344").await;
    assert_eq!(r["results"][0]["code"], "GM0344");
    let (_, r) = get(&s, "/api/v1/search?q=WK0344").await;
    assert_eq!(r["results"].as_array().unwrap().len(), 2);
    // Punctuation alone names nothing (and is no wildcard that lists every area); beside
    // letters or digits it matches like a space.
    for q in ["%", "_", "-", "'"] {
        let (status, r) = get(&s, &format!("/api/v1/search?q={}", urlencode(q))).await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(r["results"], serde_json::json!([]), "{q}");
    }
    let (_, r) = get(&s, "/api/v1/search?q=50%25").await;
    assert_eq!(r["results"][0]["code"], "BU03440101");
    assert_eq!(r["results"].as_array().unwrap().len(), 1);
    // limit.
    let (_, r) = get(&s, "/api/v1/search?q=u&limit=2").await;
    assert_eq!(r["results"].as_array().unwrap().len(), 2);
    let (_, r) = get(&s, "/api/v1/search?q=zzzz").await;
    assert_eq!(r["results"], serde_json::json!([]));
}

#[tokio::test]
async fn search_treats_hyphens_spaces_and_punctuation_alike() {
    let (_dir, s) = area_server().await;
    let first = |r: &Value| r["results"][0]["code"].as_str().unwrap_or("").to_string();
    // Hyphenated names found with spaces, without separators and with other punctuation; the
    // fixture stores their `name_norm` as an older tiler did (hyphens kept).
    for (q, code) in [
        ("sudwest fryslan", "GM1900"),
        ("Súdwest Fryslân", "GM1900"),
        ("sudwestfryslan", "GM1900"),
        ("s hertogenbosch", "GM0796"),
        ("'s-Hertogenbosch", "GM0796"),
        ("\u{2019}s Hertogenbosch", "GM0796"),
        ("s-hertogenbosch", "GM0796"),
        ("hertogenbosch", "GM0796"),
        ("zuid oost", "WK079601"),
        // A name with a space found with a hyphen.
        ("oost-utrecht", "WK034402"),
        ("Oost_Utrecht", "WK034402"),
    ] {
        let (status, r) = get(&s, &format!("/api/v1/search?q={}", urlencode(q))).await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(first(&r), code, "{q}: {r}");
    }
    // Ranking is unchanged: the exact name first, then by level; parents are named.
    let (_, r) = get(&s, "/api/v1/search?q=s%20hertogenbosch").await;
    assert_eq!(r["results"][0]["name"], "'s-Hertogenbosch");
    assert_eq!(r["results"].as_array().unwrap().len(), 1);
    let (_, r) = get(&s, "/api/v1/search?q=zuid-oost").await;
    assert_eq!(r["results"][0]["parent"], "'s-Hertogenbosch");
    let (_, r) = get(&s, "/api/v1/search?q=oost").await;
    let codes: Vec<&str> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["WK034402", "WK079601"], "prefix before substring");
}

#[tokio::test]
async fn search_finds_cells_by_id_and_coordinates() {
    // No areas table: cells and coordinates still answer, names find nothing.
    let dir = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2020, 0.2);
    write_index(dir.path(), 5.12, 52.09);
    let s = start(dir.path()).await;
    let (status, r) = get(&s, "/api/v1/search?q=E1213N4879").await;
    assert_eq!(status, 200);
    let cell = &r["results"][0];
    assert_eq!(cell["kind"], "cell");
    assert_eq!(cell["cell"], "E1213N4879");
    assert_eq!(cell["x"], 121300.0);
    let (lon, lat) = lonlat((121_350.0, 487_950.0));
    let c: Vec<f64> = serde_json::from_value(cell["center"].clone()).unwrap();
    assert!((c[0] - lon).abs() < 1e-5 && (c[1] - lat).abs() < 1e-5);
    for q in [
        "121350,487950",
        "121350 487950",
        &format!("{lat},{lon}"),
        &format!("{lon}, {lat}"),
    ] {
        let (status, r) = get(&s, &format!("/api/v1/search?q={}", urlencode(q))).await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(r["results"][0]["cell"], "E1213N4879", "{q}");
    }
    let (status, r) = get(&s, "/api/v1/search?q=Utrecht").await;
    assert_eq!(status, 200);
    assert_eq!(r["results"], serde_json::json!([]));
}

#[tokio::test]
async fn search_rejects_bad_input_with_400_json() {
    let (_dir, s) = area_server().await;
    let long = "a".repeat(101);
    for q in [
        "/api/v1/search",
        "/api/v1/search?q=",
        "/api/v1/search?q=%20%20",
        &format!("/api/v1/search?q={long}"),
        "/api/v1/search?q=a&limit=0",
        "/api/v1/search?q=a&limit=51",
        "/api/v1/search?q=a&limit=-1",
        "/api/v1/search?q=a&limit=ten",
        "/api/v1/search?q=1,2",
        "/api/v1/search?q=52.1,200",
        "/api/v1/search?q=E9999N1",
        "/api/v1/search?q=a%00b",
    ] {
        let (status, body) = get(&s, q).await;
        assert_eq!(status, 400, "{q}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{q}: {body}"
        );
    }
    let (status, _) = get(&s, &format!("/api/v1/search?q={}", "a".repeat(100))).await;
    assert_eq!(status, 200);
    let (status, _) = get(&s, "/api/v1/search?q=a&limit=50").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn point_lists_the_areas_with_their_time_series() {
    let (_dir, s) = area_server().await;
    let (lon, lat) = lonlat(AREA_CENTRE_RD);
    let (status, p) = get(&s, &format!("/api/v1/point?lon={lon}&lat={lat}")).await;
    assert_eq!(status, 200);
    assert_eq!(p["cell"], "E1360N4560");
    let areas = p["areas"].as_array().unwrap();
    let levels: Vec<&str> = areas.iter().map(|a| a["level"].as_str().unwrap()).collect();
    assert_eq!(levels, ["gemeente", "wijk", "buurt"]);
    assert_eq!(areas[0]["code"], "GM0344");
    assert_eq!(areas[0]["name"], "Utrecht");
    assert_eq!(areas[1]["code"], "WK034401");
    let years = areas[1]["years"].as_array().unwrap();
    assert_eq!(years.len(), 2);
    assert_eq!(years[0]["year"], 2020);
    assert_eq!(years[0]["values"]["afw"], -0.12);
    // lbm is classified by afw with the score classification (-0.2 <= -0.12 < -0.1: class 3).
    assert_eq!(years[0]["classes"]["lbm"], 3);
    assert_eq!(years[1]["values"].get("vrz"), None);

    // In the gemeente but without a cell: cell null, one area.
    let (lon, lat) = lonlat(GEMEENTE_ONLY_RD);
    let (status, p) = get(&s, &format!("/api/v1/point?lon={lon}&lat={lat}")).await;
    assert_eq!(status, 200);
    assert_eq!(p["cell"], Value::Null);
    assert_eq!(p["years"], serde_json::json!([]));
    assert_eq!(p["areas"].as_array().unwrap().len(), 1);
    assert_eq!(p["areas"][0]["code"], "GM0344");

    // Neither: 404.
    let (status, body) = get(&s, "/api/v1/point?lon=6.5&lat=53.2").await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("no cell"));
}

#[tokio::test]
async fn point_without_area_tables_still_answers_cells() {
    let dir = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2020, 0.2);
    write_index(dir.path(), 5.12, 52.09);
    let s = start(dir.path()).await;
    let (status, p) = get(&s, "/api/v1/point?lon=5.12&lat=52.09").await;
    assert_eq!(status, 200);
    assert!(p["cell"].is_string());
    assert_eq!(p["areas"], serde_json::json!([]));
}

#[tokio::test]
async fn an_area_opens_by_its_code_with_the_point_apis_entry() {
    let (_dir, s) = area_server().await;
    let (lon, lat) = lonlat(AREA_CENTRE_RD);
    let (_, p) = get(&s, &format!("/api/v1/point?lon={lon}&lat={lat}")).await;
    for (code, asked) in [
        ("GM0344", "GM0344"),
        ("WK034401", "wk034401"),
        ("BU03440101", "BU03440101"),
    ] {
        let (status, a) = get(&s, &format!("/api/v1/areas/{asked}")).await;
        assert_eq!(status, 200, "{code}: {a}");
        assert_eq!(a["code"], code);
        assert_eq!(a["on_map"], true);
        // The id of its features in the tiles (the tiler's: the digits of the code).
        assert_eq!(a["feature_id"], lbm_tileset::names::code_id(code));
        // The same entry, years, values, classes and changes, as the point API's.
        let entry = p["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["code"] == code)
            .unwrap();
        for key in ["level", "name", "feature_id", "years", "changes"] {
            assert_eq!(a[key], entry[key], "{code} {key}");
        }
        // The centre lies inside the area (the fixture's rectangles) and in its bbox.
        let fixture = fixture_areas()
            .into_iter()
            .find(|f| f.code == code)
            .unwrap();
        let c = &a["center"];
        let (clon, clat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        let (x, y) = lbm_tileset::project::wgs84_to_rd(clon, clat).unwrap();
        let [x0, y0, x1, y1] = fixture.rd;
        assert!(x > x0 && x < x1 && y > y0 && y < y1, "{code}: {x},{y}");
        // The areas it lies in, coarse to fine, ending with itself.
        let listed: Vec<&str> = a["areas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap())
            .collect();
        assert_eq!(listed.last(), Some(&code));
        assert_eq!(listed[0], "GM0344");
    }
    let (_, buurt) = get(&s, "/api/v1/areas/BU03440101").await;
    assert_eq!(buurt["parent"], "GM0344");
    assert_eq!(buurt["parent_name"], "Utrecht");
    let (_, gemeente) = get(&s, "/api/v1/areas/GM0344").await;
    assert_eq!(gemeente["parent"], Value::Null);

    // Search gives the same centre.
    let (_, found) = get(&s, "/api/v1/search?q=WK034401").await;
    let (_, wijk) = get(&s, "/api/v1/areas/WK034401").await;
    assert_eq!(found["results"][0]["center"], wijk["center"]);

    for (path, status) in [
        ("/api/v1/areas/GM9999", 404),
        ("/api/v1/areas/GM0344%20x", 400),
        (&format!("/api/v1/areas/{}", "A".repeat(40)), 400),
    ] {
        let (got, body) = get(&s, path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body["error"].is_string(), "{path}");
    }
}

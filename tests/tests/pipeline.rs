//! End to end: the real tiler builds demo tilesets, a real lbm-server serves them on 127.0.0.1,
//! and an HTTP client with an independent MVT decoder checks that what arrives is right: the
//! catalog, TileJSON, and cells with the right score and class at the right place, at the detail
//! zooms and in the coarser pyramid.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use lbm_e2e::{
    build_demo, decode_layer, gunzip_if_needed, ring_area2, ring_contains, tile_of, TestServer,
    DEMO_YEARS,
};
use serde_json::Value;

struct Setup {
    tiles: PathBuf,
    server: TestServer,
    http: reqwest::blocking::Client,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let tiles = build_demo(&PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-pipeline"));
        let server = TestServer::start(&tiles);
        let http = reqwest::blocking::Client::new();
        Setup {
            tiles,
            server,
            http,
        }
    })
}

fn get_json(path: &str) -> Value {
    let s = setup();
    lbm_e2e::get_json_blocking(&s.http, &s.server.url(path))
}

/// Fetches an XYZ tile through the URL template of the TileJSON and decodes layer `grid`.
fn fetch_grid(template: &str, z: u8, x: u32, y: u32) -> (u32, Vec<lbm_e2e::Feature>) {
    let url = template
        .replace("{z}", &z.to_string())
        .replace("{x}", &x.to_string())
        .replace("{y}", &y.to_string());
    let resp = setup().http.get(&url).send().expect("tile request");
    match resp.status().as_u16() {
        204 => (4096, Vec::new()),
        200 => decode_layer(&gunzip_if_needed(&resp.bytes().expect("body")), "grid"),
        other => panic!("GET {url}: {other}"),
    }
}

/// One row of the demo CSV: cell (hx, hy), year and the measure values by column name.
struct Row {
    hx: u32,
    hy: u32,
    year: u16,
    values: HashMap<String, f64>,
}

fn demo_rows() -> &'static Vec<Row> {
    static ROWS: OnceLock<Vec<Row>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let path = setup().tiles.join("demo-scores.csv");
        let mut reader = csv::Reader::from_path(&path).expect("demo CSV");
        let headers = reader.headers().expect("header").clone();
        reader
            .records()
            .map(|r| {
                let r = r.expect("row");
                let mut values = HashMap::new();
                let (mut hx, mut hy, mut year) = (0, 0, 0);
                for (h, v) in headers.iter().zip(r.iter()) {
                    match h {
                        "grid_id" => {
                            let (e, n) = v[1..].split_once('N').expect("grid id");
                            hx = e.parse().expect("hx");
                            hy = n.parse().expect("hy");
                        }
                        "jaar" => year = v.parse().expect("year"),
                        _ if !v.is_empty() => {
                            values.insert(h.to_string(), v.parse().expect("number"));
                        }
                        _ => {}
                    }
                }
                Row {
                    hx,
                    hy,
                    year,
                    values,
                }
            })
            .collect()
    })
}

/// The classification a tileset carries, read with the contract (its one `classify`: the
/// published value against the cut points).
fn classification(tilejson: &Value) -> lbm_tileset::Classification {
    let c: lbm_tileset::Classification =
        serde_json::from_value(tilejson["lbm"]["classification"].clone()).expect("classification");
    c.check().expect("a usable classification");
    c
}

#[test]
fn catalog_lists_every_measure_and_year() {
    let catalog = get_json("/catalog.json");
    let tilesets = catalog["tilesets"].as_array().expect("tilesets");
    for t in tilesets {
        // The web map credits its sources from here (CC BY for the CBS boundaries and GeoNames).
        let credit = t["attribution"].as_str().unwrap_or_default();
        assert!(
            credit.contains("CBS") && credit.contains("GeoNames"),
            "{credit:?}"
        );
    }
    // Change tilesets are listed too; the score tilesets are one per measure and year.
    let scores = tilesets.iter().filter(|t| t["kind"] == "score").count();
    assert_eq!(scores, 6 * DEMO_YEARS.len());
    let measures = catalog["measures"].as_array().expect("measures");
    let ids: Vec<&str> = measures.iter().map(|m| m["id"].as_str().unwrap()).collect();
    for m in ["lbm", "fys", "onv", "soc", "vrz", "won"] {
        assert!(ids.contains(&m), "measure {m} in {ids:?}");
    }
    for m in measures {
        let years: Vec<u64> = m["years"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| y.as_u64().unwrap())
            .collect();
        assert_eq!(years, DEMO_YEARS.map(u64::from).to_vec(), "years of {m}");
        assert!(!m["name_nl"].as_str().unwrap().is_empty());
    }
}

#[test]
fn tilejson_is_complete_and_absolute() {
    let base = &setup().server.base;
    let tj = get_json("/tiles/lbm-2020.json");
    assert_eq!(tj["tilejson"], "3.0.0");
    let tile_url = tj["tiles"][0].as_str().expect("tiles");
    assert!(
        tile_url.starts_with(base.as_str()),
        "{tile_url} is absolute"
    );
    assert!(tile_url.contains("{z}") && tile_url.contains("{x}") && tile_url.contains("{y}"));
    let layers = tj["vector_layers"].as_array().expect("vector_layers");
    let grid = layers
        .iter()
        .find(|l| l["id"] == "grid")
        .expect("grid layer");
    for field in ["score", "class", "cell", "n"] {
        assert!(grid["fields"][field].is_string(), "field {field} declared");
    }
    let b: Vec<f64> = tj["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(
        b[0] > 4.8 && b[2] < 5.5 && b[1] > 51.8 && b[3] < 52.4,
        "Utrecht bounds {b:?}"
    );
    assert_eq!(tj["lbm"]["measure"], "lbm");
    assert_eq!(tj["lbm"]["year"].to_string().trim_matches('"'), "2020");
    assert_eq!(
        tj["lbm"]["classification"]["classes"]
            .as_array()
            .unwrap()
            .len(),
        9
    );
    assert!(tj["minzoom"].as_u64().unwrap() < tj["maxzoom"].as_u64().unwrap());
}

#[test]
fn detail_cells_decode_to_their_score_and_class_at_their_place() {
    for measure in ["lbm", "fys", "won"] {
        let tj = get_json(&format!("/tiles/{measure}-2020.json"));
        let template = tj["tiles"][0].as_str().unwrap().to_string();
        let maxzoom = tj["maxzoom"].as_u64().unwrap() as u8;
        let cls = classification(&tj);
        let basis = cls.basis().to_string();
        let rows: Vec<&Row> = demo_rows()
            .iter()
            .filter(|r| r.year == 2020 && r.values.contains_key(measure))
            .collect();
        assert!(rows.len() > 1000, "demo has cells: {}", rows.len());
        for row in rows.iter().step_by(rows.len() / 40) {
            let (cx, cy) = (
                f64::from(row.hx) * 100.0 + 50.0,
                f64::from(row.hy) * 100.0 + 50.0,
            );
            let (lon, lat) = lbm_tileset::project::rd_to_wgs84(cx, cy).expect("projection");
            let ((tx, ty), _) = tile_of(lon, lat, maxzoom, 4096);
            let (extent, features) = fetch_grid(&template, maxzoom, tx, ty);
            let (_, centre) = tile_of(lon, lat, maxzoom, extent);
            let id = u64::from(row.hx) * 10_000 + u64::from(row.hy);
            let f = features
                .iter()
                .find(|f| f.id == id)
                .unwrap_or_else(|| panic!("{measure}: cell {id} in tile {maxzoom}/{tx}/{ty}"));
            let want = row.values[measure];
            let score = f.props["score"].as_f64().unwrap();
            assert!(
                (score - want).abs() <= 0.0005 + 1e-9,
                "{measure} {id}: {score} vs {want}"
            );
            let class = f.props["class"].as_f64().unwrap() as u8;
            assert_eq!(
                Some(class),
                cls.classify(row.values[&basis]),
                "{measure} {id} class"
            );
            assert_eq!(f.props["cell"], format!("E{}N{}", row.hx, row.hy));
            assert_eq!(f.rings.len(), 1, "one ring");
            assert!(
                ring_area2(&f.rings[0]) > 0,
                "exterior ring clockwise (MVT 2.1)"
            );
            assert!(ring_contains(&f.rings[0], centre), "{id} drawn where it is");
        }
    }
}

#[test]
fn neighbouring_cells_share_their_corners_exactly() {
    let tj = get_json("/tiles/lbm-2022.json");
    let template = tj["tiles"][0].as_str().unwrap().to_string();
    let maxzoom = tj["maxzoom"].as_u64().unwrap() as u8;
    let (lon, lat) = lbm_tileset::project::rd_to_wgs84(136_000.0, 456_000.0).unwrap();
    let ((tx, ty), _) = tile_of(lon, lat, maxzoom, 4096);
    let (_, features) = fetch_grid(&template, maxzoom, tx, ty);
    let by_id: HashMap<u64, &lbm_e2e::Feature> = features.iter().map(|f| (f.id, f)).collect();
    let mut pairs = 0;
    for f in &features {
        // Ring order is SW, NW, NE, SE: the east neighbour's SW/NW are this cell's SE/NE, the
        // north neighbour's SW/SE are this cell's NW/NE.
        let r = &f.rings[0];
        if let Some(east) = by_id.get(&(f.id + 10_000)) {
            assert_eq!(
                (east.rings[0][0], east.rings[0][1]),
                (r[3], r[2]),
                "east of {}",
                f.id
            );
            pairs += 1;
        }
        if let Some(north) = by_id.get(&(f.id + 1)) {
            assert_eq!(
                (north.rings[0][0], north.rings[0][3]),
                (r[1], r[2]),
                "north of {}",
                f.id
            );
            pairs += 1;
        }
    }
    assert!(pairs > 100, "enough neighbours checked: {pairs}");
}

#[test]
fn pyramid_cells_are_the_mean_of_their_hundred_metre_cells() {
    let tj = get_json("/tiles/fys-2018.json");
    let template = tj["tiles"][0].as_str().unwrap().to_string();
    let cls = classification(&tj);
    let pyramid = tj["lbm"]["pyramid"].as_array().expect("pyramid").clone();
    let rows: HashMap<(u32, u32), f64> = demo_rows()
        .iter()
        .filter(|r| r.year == 2018)
        .filter_map(|r| Some(((r.hx, r.hy), *r.values.get("fys")?)))
        .collect();
    let (lon, lat) = lbm_tileset::project::rd_to_wgs84(136_000.0, 456_000.0).unwrap();
    let mut checked = 0;
    for level in pyramid {
        let (z, cell_m) = (
            level["zoom"].as_u64().unwrap() as u8,
            level["cell_m"].as_u64().unwrap(),
        );
        if cell_m == 100 {
            continue;
        }
        let ((tx, ty), _) = tile_of(lon, lat, z, 4096);
        let (_, features) = fetch_grid(&template, z, tx, ty);
        assert!(!features.is_empty(), "z{z} has cells");
        for f in features.iter().take(60) {
            let cell = f.props["cell"].as_str().unwrap();
            let (sw, size) = cell.split_once('/').expect("coarse cell id has a size");
            assert_eq!(size, format!("{cell_m}m"), "z{z} cell size");
            let (e, n) = sw[1..].split_once('N').unwrap();
            let (hx, hy): (u32, u32) = (e.parse().unwrap(), n.parse().unwrap());
            let k = (cell_m / 100) as u32;
            let values: Vec<f64> = (hx..hx + k)
                .flat_map(|x| (hy..hy + k).map(move |y| (x, y)))
                .filter_map(|c| rows.get(&c).copied())
                .collect();
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            assert_eq!(
                f.props["n"].as_f64().unwrap() as usize,
                values.len(),
                "{cell} n"
            );
            let score = f.props["score"].as_f64().unwrap();
            assert!(
                (score - mean).abs() <= 0.0005 + 1e-9,
                "{cell}: {score} vs mean {mean}"
            );
            assert_eq!(
                Some(f.props["class"].as_f64().unwrap() as u8),
                cls.classify(mean),
                "{cell}: mean {mean}"
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "coarse cells checked: {checked}");
}

#[test]
fn style_draws_the_tileset_in_its_class_colours() {
    let style = get_json("/styles/soc-2022.json");
    let tj = get_json("/tiles/soc-2022.json");
    assert_eq!(style["version"], 8);
    let text = style.to_string().to_lowercase();
    for class in tj["lbm"]["classification"]["classes"].as_array().unwrap() {
        let colour = class["color"].as_str().unwrap().to_lowercase();
        assert!(text.contains(&colour), "style uses {colour}");
    }
    let sources = style["sources"].as_object().expect("sources");
    assert!(sources.values().any(|s| s["type"] == "vector"));
}

#[test]
fn point_api_returns_the_cell_time_series() {
    let row = demo_rows().iter().find(|r| r.year == 2020).expect("a row");
    let (lon, lat) = lbm_tileset::project::rd_to_wgs84(
        f64::from(row.hx) * 100.0 + 50.0,
        f64::from(row.hy) * 100.0 + 50.0,
    )
    .unwrap();
    let body = get_json(&format!("/api/v1/point?lon={lon}&lat={lat}"));
    assert_eq!(body["cell"], format!("E{}N{}", row.hx, row.hy));
    let years = body["years"].as_array().expect("years");
    let expected: Vec<&Row> = demo_rows()
        .iter()
        .filter(|r| (r.hx, r.hy) == (row.hx, row.hy))
        .collect();
    assert_eq!(years.len(), expected.len());
    for y in years {
        let year = y["year"].as_u64().unwrap() as u16;
        let want = expected
            .iter()
            .find(|r| r.year == year)
            .expect("year in CSV");
        let got = y["values"]["lbm"].as_f64().unwrap();
        assert!((got - want.values["lbm"]).abs() < 1e-6, "lbm {year}");
    }
}

#[test]
fn catalog_lists_the_change_pairs_with_their_tilesets() {
    let catalog = get_json("/catalog.json");
    let changes = catalog["changes"].as_array().expect("changes");
    assert!(!changes.is_empty(), "the demo writes default change pairs");
    for c in changes {
        let id = c["id"].as_str().unwrap();
        let t = catalog["tilesets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("{id} listed"));
        assert_eq!(t["kind"], "change");
        assert_eq!(t["year_from"], c["from"]);
        assert_eq!(t["year_to"], c["to"]);
        assert!(c["from"].as_i64() < c["to"].as_i64());
        let tj = get_json(&format!("/tiles/{id}.json"));
        assert_eq!(tj["lbm"]["kind"], "change");
        assert_eq!(tj["lbm"]["year_from"], c["from"]);
        let style = get_json(&format!("/styles/{id}.json"));
        assert!(style["layers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["source-layer"] == "grid"));
    }
}

#[test]
fn search_finds_the_demo_municipality_and_cells() {
    let body = get_json("/api/v1/search?q=UTRECHT");
    let first = &body["results"][0];
    assert_eq!(first["kind"], "area");
    assert_eq!(first["level"], "gemeente");
    assert_eq!(first["code"], "GM0344");
    assert_eq!(first["name"], "Utrecht");
    let bbox: Vec<f64> = serde_json::from_value(first["bbox"].clone()).unwrap();
    let (lon, lat) = lbm_tileset::project::rd_to_wgs84(136_000.0, 456_000.0).unwrap(); // the Dom
    assert!(bbox[0] < lon && lon < bbox[2] && bbox[1] < lat && lat < bbox[3]);
    // By code, case-insensitive.
    let body = get_json("/api/v1/search?q=gm0344");
    assert_eq!(body["results"][0]["code"], "GM0344");

    let row = &demo_rows()[0];
    let id = format!("E{}N{}", row.hx, row.hy);
    let (clon, clat) = lbm_tileset::project::rd_to_wgs84(
        f64::from(row.hx) * 100.0 + 50.0,
        f64::from(row.hy) * 100.0 + 50.0,
    )
    .unwrap();
    for q in [
        id.clone(),
        format!("{},{}", row.hx * 100 + 50, row.hy * 100 + 50),
        format!("{clat:.6},{clon:.6}"),
    ] {
        let body = get_json(&format!("/api/v1/search?q={q}"));
        let cell = &body["results"][0];
        assert_eq!(cell["kind"], "cell", "{q}");
        assert_eq!(cell["cell"], id.as_str(), "{q}");
        let c: Vec<f64> = serde_json::from_value(cell["center"].clone()).unwrap();
        assert!(
            (c[0] - clon).abs() < 1e-5 && (c[1] - clat).abs() < 1e-5,
            "{q}"
        );
    }
    let s = setup();
    let resp = s
        .http
        .get(s.server.url("/api/v1/search?q=x&limit=51"))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 400);
}

/// The first result of a search, as `(code, name, alias)`.
fn first_hit(q: &str) -> (String, String, Option<String>) {
    let body = get_json(&format!("/api/v1/search?q={}", lbm_e2e::urlencode(q)));
    let r = &body["results"][0];
    assert_eq!(r["kind"], "area", "{q}: {body}");
    (
        r["code"].as_str().unwrap().to_string(),
        r["name"].as_str().unwrap().to_string(),
        r["alias"].as_str().map(str::to_string),
    )
}

#[test]
fn search_finds_the_names_people_type() {
    // Everyday names and former municipalities (merged into Eemsdelta in 2021).
    for (q, code, name, alias) in [
        ("Den Haag", "GM0518", "'s-Gravenhage", Some("Den Haag")),
        ("den bosch", "GM0796", "'s-Hertogenbosch", Some("Den Bosch")),
        ("Appingedam", "GM1979", "Eemsdelta", Some("Appingedam")),
        ("sudwest fryslan", "GM1900", "Súdwest-Fryslân", None),
        // One and two typos.
        ("Utrcht", "GM0344", "Utrecht", None),
        ("Amstredam", "GM0363", "Amsterdam", None),
    ] {
        let hit = first_hit(q);
        assert_eq!(
            (hit.0.as_str(), hit.1.as_str(), hit.2.as_deref()),
            (code, name, alias),
            "{q}"
        );
    }
    // The demo's synthetic wijk and buurt at the Dom, found by their names, with their gemeente.
    let (lon, lat) = lbm_tileset::project::rd_to_wgs84(136_000.0, 456_000.0).unwrap();
    let point = get_json(&format!("/api/v1/point?lon={lon}&lat={lat}"));
    for level in ["wijk", "buurt"] {
        let area = point["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["level"] == level)
            .unwrap_or_else(|| panic!("a {level} at the Dom: {point}"));
        let name = area["name"].as_str().unwrap();
        let typed = name.trim_end_matches(" (synthetisch)");
        assert_ne!(typed, name, "the name says it is synthetic");
        let body = get_json(&format!(
            "/api/v1/search?q={}&limit=50",
            lbm_e2e::urlencode(typed)
        ));
        let hit = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == area["code"])
            .unwrap_or_else(|| panic!("{typed:?} finds {}: {body}", area["code"]));
        assert_eq!(hit["level"], level);
        assert_eq!(hit["parent"], "Utrecht", "{hit}");
    }
    // Ranking: the exact name first, then names starting with the query, then names holding it.
    let body = get_json("/api/v1/search?q=utrecht&limit=50");
    let results = body["results"].as_array().unwrap();
    assert_eq!(results[0]["code"], "GM0344");
    let category = |r: &Value| {
        let key = lbm_tileset::names::normalise_name(r["name"].as_str().unwrap());
        if key == "utrecht" {
            0
        } else if key.starts_with("utrecht") {
            1
        } else if key.contains("utrecht") {
            2
        } else {
            3
        }
    };
    let order: Vec<u8> = results.iter().map(category).collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
    assert!(
        order.contains(&1) || order.contains(&2),
        "more than the one exact hit: {body}"
    );
}

#[test]
fn point_api_names_the_municipality_with_its_scores() {
    // The Dom in Utrecht.
    let (lon, lat) = lbm_tileset::project::rd_to_wgs84(136_000.0, 456_000.0).unwrap();
    let body = get_json(&format!("/api/v1/point?lon={lon}&lat={lat}"));
    let areas = body["areas"].as_array().expect("areas");
    let gm = areas
        .iter()
        .find(|a| a["level"] == "gemeente")
        .expect("a gemeente at the Dom");
    assert_eq!(gm["code"], "GM0344");
    let years = gm["years"].as_array().unwrap();
    assert!(!years.is_empty(), "the gemeente has scores");
    for y in years {
        assert!(DEMO_YEARS.contains(&(y["year"].as_u64().unwrap() as u16)));
        assert!(y["values"]["lbm"].is_number());
        assert!((1..=9).contains(&y["classes"]["lbm"].as_u64().unwrap()));
    }
}

/// The polygons of an index geometry (GeoJSON `Polygon` or `MultiPolygon` in RD New).
fn polygons_of(geom: &Value) -> Vec<Vec<Vec<(f64, f64)>>> {
    let ring = |r: &Value| -> Vec<(f64, f64)> {
        r.as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect()
    };
    let polygon =
        |p: &Value| -> Vec<Vec<(f64, f64)>> { p.as_array().unwrap().iter().map(ring).collect() };
    match geom["type"].as_str() {
        Some("Polygon") => vec![polygon(&geom["coordinates"])],
        Some("MultiPolygon") => geom["coordinates"]
            .as_array()
            .unwrap()
            .iter()
            .map(polygon)
            .collect(),
        other => panic!("geometry type {other:?}"),
    }
}

/// Whether WGS84 point `c` (`[lon, lat]`) lies in one of `polygons`.
fn inside(polygons: &[Vec<Vec<(f64, f64)>>], c: &Value) -> bool {
    let (x, y) =
        lbm_tileset::project::wgs84_to_rd(c[0].as_f64().unwrap(), c[1].as_f64().unwrap()).unwrap();
    polygons
        .iter()
        .any(|p| lbm_tileset::geometry::rings_contain(p, x, y))
}

#[test]
fn every_area_is_found_with_a_centre_inside_it_and_opens_by_its_code() {
    let s = setup();
    let index = lbm_formats::sqlite::open_read_only(&s.tiles.join("lbm-index.sqlite")).unwrap();
    let mut stmt = index
        .prepare("SELECT code, level, name, geom FROM areas ORDER BY code")
        .unwrap();
    let areas: Vec<(String, String, String, Value)> = stmt
        .query_map([], |r| {
            let geom: String = r.get(3)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                serde_json::from_str(&geom).unwrap(),
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let gemeenten = areas.iter().filter(|a| a.1 == "gemeente").count();
    assert!(gemeenten >= 300, "the national gemeenten: {gemeenten}");
    assert!(areas.iter().any(|a| a.1 == "buurt"));
    let mut middle_outside = Vec::new();
    for (code, level, name, geom) in &areas {
        let polygons = polygons_of(geom);
        let body = get_json(&format!("/api/v1/search?q={code}"));
        let hit = &body["results"][0];
        assert_eq!(hit["code"], code.as_str(), "{code}: {body}");
        assert!(
            inside(&polygons, &hit["center"]),
            "{code} {name}: centre {} outside",
            hit["center"]
        );
        // What the search used to answer: the middle of the bbox, outside concave areas.
        let b = &hit["bbox"];
        let middle = serde_json::json!([
            (b[0].as_f64().unwrap() + b[2].as_f64().unwrap()) / 2.0,
            (b[1].as_f64().unwrap() + b[3].as_f64().unwrap()) / 2.0
        ]);
        if !inside(&polygons, &middle) {
            middle_outside.push(code.clone());
        }
        let area = get_json(&format!("/api/v1/areas/{code}"));
        assert_eq!(area["code"], code.as_str());
        assert_eq!(area["level"], level.as_str());
        assert_eq!(area["center"], hit["center"], "{code}");
        assert_eq!(area["on_map"], true, "{code}");
        if level == "gemeente" {
            let by_name = get_json(&format!("/api/v1/search?q={}", lbm_e2e::urlencode(name)));
            assert_eq!(
                by_name["results"][0]["code"],
                code.as_str(),
                "{name}: {by_name}"
            );
        } else {
            assert!(
                area["parent"].as_str().is_some_and(|p| p.starts_with("GM")),
                "{code}: {area}"
            );
        }
    }
    // Rotterdam's bbox runs out to the Maasvlakte: its middle lies in Maassluis.
    assert!(
        middle_outside.iter().any(|c| c == "GM0599"),
        "{middle_outside:?}"
    );
    eprintln!(
        "{} areas, {} of them with the middle of their bbox outside: {:?}",
        areas.len(),
        middle_outside.len(),
        &middle_outside[..middle_outside.len().min(12)]
    );
}

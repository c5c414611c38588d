//! One meaning per tileset, end to end with the
//! real tiler, a real lbm-server on 127.0.0.1 and an independent MVT decoder:
//!
//! - around every cut point, the class in the tile, in `/api/v1/point` and in the legend (the
//!   style's colour of that class) is the same, for cells, coarse cells, areas and change maps;
//! - every cell of a demo change map is classified on the side of the sign of lbm(to) - lbm(from)
//!   computed from the two score tilesets;
//! - the demo's national class shares, counted from its tiles, rise and fall as the
//!   Leefbaarometer's own reporting says (measured against one fixed reference).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use lbm_e2e::{build_demo, decode_layer, gunzip_if_needed, tile_of, Feature, TestServer};
use lbm_tileset::{publish, Classification};
use serde_json::Value;

/// The top zoom of a build with the default zooms.
const TOP: u8 = lbm_tiler::aggregate::pyramid::DEFAULT_MAXZOOM;

/// The scores file of the cut-point fixture: rows of cells whose values lie on, just below and
/// just above every cut point (in steps of 0.0001, so that some round onto the cut and some do
/// not), in 2018 and 2020, with the change from 2018 to 2020 around the change cut points.
struct Fixture {
    csv: String,
    /// Per cell (hx, hy).
    cells: Vec<(u32, u32)>,
    /// GeoJSON of areas of two neighbouring cells each.
    areas: String,
}

const X0: u32 = 1200;
const Y0: u32 = 4800;
const STEPS: i32 = 12;

fn fixture(score: &Classification, fys: &Classification, change: &Classification) -> Fixture {
    let mut csv = String::from("grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won\n");
    let mut cells = Vec::new();
    let mut features = Vec::new();
    let reference = 4.0;
    for (row, ((cut, dim_cut), change_cut)) in score
        .cuts
        .iter()
        .zip(&fys.cuts)
        .zip(&change.cuts)
        .enumerate()
    {
        for (col, k) in (-STEPS..=STEPS).enumerate() {
            let (hx, hy) = (X0 + col as u32, Y0 + row as u32 * 2);
            let d = f64::from(k) / 10_000.0;
            let afw = cut + d;
            let lbm = reference + afw;
            let fys_v = dim_cut - d;
            // The change from 2018 lies around the change cut, by other offsets.
            let lbm_from = lbm - (change_cut + f64::from((k * 7) % (STEPS + 1)) / 10_000.0);
            for (year, l) in [(2018, lbm_from), (2020, lbm)] {
                writeln!(
                    csv,
                    "E{hx}N{hy},{year},{l:.4},{:.4},{fys_v:.4},0.0,0.0,0.0,0.0",
                    l - reference
                )
                .unwrap();
            }
            cells.push((hx, hy));
            if col % 2 == 0 && col + 1 < (2 * STEPS + 1) as usize {
                // An area of this cell and its east neighbour: its mean lies between the two.
                let (x, y) = (f64::from(hx) * 100.0, f64::from(hy) * 100.0);
                features.push(format!(
                    r#"{{"type":"Feature","properties":{{"gm_code":"GM{:04}","gm_naam":"Gebied {row}-{col}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]}}}}"#,
                    features.len() + 1,
                    x + 200.0,
                    x + 200.0,
                    y + 100.0,
                    y + 100.0
                ));
            }
        }
    }
    Fixture {
        csv,
        cells,
        areas: format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        ),
    }
}

use lbm_e2e::get_json_blocking as get_json;

/// One decoded layer of an XYZ tile fetched through a TileJSON's URL template.
fn fetch(
    http: &reqwest::blocking::Client,
    template: &str,
    z: u8,
    (x, y): (u32, u32),
    layer: &str,
) -> Vec<Feature> {
    let url = template
        .replace("{z}", &z.to_string())
        .replace("{x}", &x.to_string())
        .replace("{y}", &y.to_string());
    let resp = http.get(&url).send().expect("tile request");
    match resp.status().as_u16() {
        204 => Vec::new(),
        200 => decode_layer(&gunzip_if_needed(&resp.bytes().expect("body")), layer).1,
        other => panic!("GET {url}: {other}"),
    }
}

fn num(f: &Feature, key: &str) -> Option<f64> {
    f.props.get(key).and_then(Value::as_f64)
}

/// The classification of a TileJSON, read with the contract.
fn classification_of(tj: &Value) -> Classification {
    serde_json::from_value(tj["lbm"]["classification"].clone()).expect("classification")
}

/// The colour the style draws a feature of `level` with class `k` (`None`: no class) in: the
/// fill of the first of the level's fill layers whose filter takes it (the two filter forms the
/// style uses: `["==", ["get", key], value]` and `["!", ["has", key]]`).
fn style_colour(style: &Value, level: &str, k: Option<u8>) -> String {
    let takes = |filter: &Value| -> bool {
        let f = filter.as_array().expect("a filter");
        match f[0].as_str() {
            Some("==") if f[1] == serde_json::json!(["get", "class"]) => {
                k.is_some_and(|k| f[2].as_u64() == Some(u64::from(k)))
            }
            Some("!") if f[1] == serde_json::json!(["has", "class"]) => k.is_none(),
            _ => panic!("a filter the test does not know: {filter}"),
        }
    };
    style["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["type"] == "fill" && l["source-layer"] == level)
        .find(|l| takes(&l["filter"]))
        .unwrap_or_else(|| panic!("no fill of {level} takes class {k:?}"))["paint"]["fill-color"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn around_every_cut_point_tile_point_api_and_legend_agree() {
    let set = lbm_tiler::ClassificationSet::embedded();
    let (lbm, fys, change) = (
        set.get("lbm").unwrap(),
        set.get("fys").unwrap(),
        set.change("lbm").unwrap(),
    );
    let fx = fixture(lbm, fys, change);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("scores.csv");
    std::fs::write(&csv, &fx.csv).unwrap();
    let areas = dir.path().join("gemeenten.geojson");
    std::fs::write(&areas, &fx.areas).unwrap();
    let out = dir.path().join("tiles");
    let mut o = lbm_tiler::BuildOptions::new(&csv, &out);
    o.progress = false;
    o.measures = Some(vec!["lbm".into(), "fys".into()]);
    o.areas = vec![areas];
    lbm_tiler::build(&o).expect("build");
    let server = TestServer::start(&out);
    let http = reqwest::blocking::Client::new();

    let mut checked = BTreeMap::<&str, usize>::new();
    for (id, measure) in [
        ("lbm-2020", "lbm"),
        ("fys-2020", "fys"),
        ("lbm-2018-2020", "lbm"),
    ] {
        let tj = get_json(&http, &server.url(&format!("/tiles/{id}.json")));
        let cls = classification_of(&tj);
        let is_change = cls.is_change();
        let template = tj["tiles"][0].as_str().unwrap().to_string();
        let style = get_json(&http, &server.url(&format!("/styles/{id}.json")));
        // The legend shows the catalog's classification: the same document as the tile's.
        let catalog = get_json(&http, &server.url("/catalog.json"));
        let listed = catalog["tilesets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap();
        assert_eq!(
            serde_json::from_value::<Classification>(listed["classification"].clone()).unwrap(),
            cls,
            "{id}: the legend's classification is the tile's"
        );
        let mut tiles: HashMap<(u8, (u32, u32), String), Vec<Feature>> = HashMap::new();
        let mut tile = |z: u8, xy: (u32, u32), layer: &str| {
            tiles
                .entry((z, xy, layer.to_string()))
                .or_insert_with(|| fetch(&http, &template, z, xy, layer))
                .clone()
        };
        for &(hx, hy) in &fx.cells {
            let (cx, cy) = (f64::from(hx) * 100.0 + 50.0, f64::from(hy) * 100.0 + 50.0);
            let (lon, lat) = lbm_tileset::project::rd_to_wgs84(cx, cy).unwrap();
            let ((tx, ty), _) = tile_of(lon, lat, TOP, 4096);
            let fid = u64::from(hx) * 10_000 + u64::from(hy);
            let feats = tile(TOP, (tx, ty), "grid");
            let f = feats
                .iter()
                .find(|f| f.id == fid)
                .unwrap_or_else(|| panic!("{id}: cell {fid}"));
            let score = num(f, "score").expect("score");
            let class = num(f, "class").expect("class") as u8;
            // Any reader recomputes the class from the published value the tile carries.
            let basis = if cls.basis() == "afw" {
                num(f, "afw").expect("an lbm tile carries afw")
            } else {
                score
            };
            assert_eq!(cls.classify(basis), Some(class), "{id} {fid}: {basis}");
            assert_eq!(publish(basis), basis, "{id}: published with 3 decimals");
            // The point API says the same.
            let p = get_json(
                &http,
                &server.url(&format!("/api/v1/point?lon={lon:.7}&lat={lat:.7}")),
            );
            assert_eq!(p["cell"], format!("E{hx}N{hy}"));
            // The feature ids the API gives are those of the tiles: the 100 m cell's, and at a
            // coarser zoom the coarse cell's, whose label the API lists with it.
            assert_eq!(p["feature_id"], fid, "{id}: the cell's feature id");
            let coarse_zoom = TOP - 4;
            let ((cx, cy), _) = tile_of(lon, lat, coarse_zoom, 4096);
            let coarse = tile(coarse_zoom, (cx, cy), "grid");
            let listed = p["coarse_cells"].as_array().expect("coarse_cells");
            let drawn = coarse
                .iter()
                .find_map(|f| {
                    let label = f.props.get("cell")?.as_str()?;
                    let entry = listed.iter().find(|c| c["label"] == label)?;
                    Some((f.id, entry))
                })
                .unwrap_or_else(|| panic!("{id}: a coarse cell at z{coarse_zoom} listed"));
            assert_eq!(drawn.1["feature_id"], drawn.0, "{id}: coarse feature id");
            let (v, k) = if is_change {
                let c = p["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["from"] == 2018 && c["to"] == 2020)
                    .expect("the 2018-2020 change at the cell");
                (
                    c["values"][measure].as_f64(),
                    c["classes"][measure].as_u64(),
                )
            } else {
                let y = p["years"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|y| y["year"] == 2020)
                    .unwrap();
                (
                    y["values"][measure].as_f64(),
                    y["classes"][measure].as_u64(),
                )
            };
            assert_eq!(v, Some(score), "{id} {fid}: point API value");
            assert_eq!(k, Some(u64::from(class)), "{id} {fid}: point API class");
            // The map draws the legend's colour of that class.
            assert_eq!(
                style_colour(&style, "grid", Some(class)),
                cls.entry(class).unwrap().color,
                "{id}: class {class} colour"
            );
            if is_change {
                if score > 0.0 {
                    assert!(class >= 5, "{id} {fid}: a rise {score} in class {class}");
                }
                if score < 0.0 {
                    assert!(class <= 5, "{id} {fid}: a fall {score} in class {class}");
                }
            }
            *checked.entry("cells").or_default() += 1;
        }
        // Coarse cells and areas: the class follows from what the feature carries, and the
        // point API names the same class for the area.
        for z in [9u8, TOP] {
            let (lon, lat) = lbm_tileset::project::rd_to_wgs84(
                f64::from(X0) * 100.0 + 1200.0,
                f64::from(Y0) * 100.0 + 800.0,
            )
            .unwrap();
            let xy = tile_of(lon, lat, z, 4096).0;
            for f in tile(z, xy, "grid") {
                let basis = if cls.basis() == "afw" {
                    num(&f, "afw")
                } else {
                    num(&f, "score")
                };
                assert_eq!(
                    cls.classify(basis.unwrap()),
                    num(&f, "class").map(|c| c as u8)
                );
                *checked.entry("coarse").or_default() += 1;
            }
            if z != TOP {
                continue;
            }
            for a in tile(z, xy, "gemeente") {
                let code = a.props["code"].as_str().unwrap().to_string();
                let class = num(&a, "class").expect("every fixture area has data") as u8;
                let score = num(&a, "score").unwrap();
                let basis = if cls.basis() == "afw" {
                    num(&a, "afw").unwrap()
                } else {
                    score
                };
                assert_eq!(cls.classify(basis), Some(class), "{id} {code}");
                // The area's first cell: the point API lists the area with its classes.
                let digits: usize = code[2..].parse().unwrap();
                let (hx, hy) = fx
                    .cells
                    .iter()
                    .filter(|(hx, _)| (hx - X0).is_multiple_of(2) && hx - X0 < 2 * STEPS as u32)
                    .nth(digits - 1)
                    .copied()
                    .unwrap();
                let (lon, lat) = lbm_tileset::project::rd_to_wgs84(
                    f64::from(hx) * 100.0 + 50.0,
                    f64::from(hy) * 100.0 + 50.0,
                )
                .unwrap();
                let p = get_json(
                    &http,
                    &server.url(&format!("/api/v1/point?lon={lon:.7}&lat={lat:.7}")),
                );
                let area = p["areas"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x["code"] == code.as_str())
                    .unwrap_or_else(|| panic!("{code} at its first cell"));
                let (v, k) = if is_change {
                    let c = &area["changes"][0];
                    (
                        c["values"][measure].as_f64(),
                        c["classes"][measure].as_u64(),
                    )
                } else {
                    let y = area["years"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|y| y["year"] == 2020)
                        .unwrap();
                    (
                        y["values"][measure].as_f64(),
                        y["classes"][measure].as_u64(),
                    )
                };
                assert_eq!(v, Some(score), "{id} {code}: value in the point API");
                assert_eq!(
                    k,
                    Some(u64::from(class)),
                    "{id} {code}: class in the point API"
                );
                assert_eq!(
                    style_colour(&style, "gemeente", Some(class)),
                    cls.entry(class).unwrap().color
                );
                *checked.entry("areas").or_default() += 1;
            }
        }
    }
    eprintln!("checked: {checked:?}");
    assert_eq!(checked["cells"], 3 * fx.cells.len());
    assert!(
        checked["coarse"] > 30 && checked["areas"] > 30,
        "{checked:?}"
    );
}

/// Every tile of a tileset at zoom `z`, decoded (layer `grid`), from the real MBTiles file.
fn tiles_at(path: &Path, z: u8) -> Vec<((u32, u32), Vec<Feature>)> {
    lbm_test_support::tiles(path)
        .into_iter()
        .filter(|(c, _)| c.z == z)
        .map(|(c, data)| ((c.x, c.y), decode_layer(&gunzip_if_needed(&data), "grid").1))
        .collect()
}

#[test]
fn demo_change_classes_follow_the_sign_of_the_score_change() {
    let tiles = build_demo(&PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-one-meaning"));
    let cls: Classification = {
        let rows: HashMap<String, String> =
            lbm_test_support::metadata(&tiles.join("lbm-2020-2022.mbtiles"));
        serde_json::from_str(&rows["lbm_classification"]).unwrap()
    };
    let (mut rises, mut falls, mut without) = (0, 0, 0);
    for z in [5u8, 9, TOP] {
        let from: HashMap<(u32, u32), Vec<Feature>> = tiles_at(&tiles.join("lbm-2020.mbtiles"), z)
            .into_iter()
            .collect();
        let to: HashMap<(u32, u32), Vec<Feature>> = tiles_at(&tiles.join("lbm-2022.mbtiles"), z)
            .into_iter()
            .collect();
        for (xy, feats) in tiles_at(&tiles.join("lbm-2020-2022.mbtiles"), z) {
            for f in feats {
                let b = to[&xy]
                    .iter()
                    .find(|g| g.id == f.id)
                    .expect("a change cell exists in the to-year");
                let a = from
                    .get(&xy)
                    .and_then(|fs| fs.iter().find(|g| g.id == f.id));
                let (Some(a), Some(class)) = (a, num(&f, "class")) else {
                    assert!(num(&f, "score").is_none(), "no class without a score");
                    without += 1;
                    continue;
                };
                let d = publish(num(b, "score").unwrap() - num(a, "score").unwrap());
                assert_eq!(
                    num(&f, "score"),
                    Some(d),
                    "z{z} {}: the change of the two scores",
                    f.id
                );
                assert_eq!(cls.classify(d), Some(class as u8));
                if d > 0.0 {
                    assert!(class >= 5.0, "z{z} {}: rise {d} in class {class}", f.id);
                    rises += 1;
                }
                if d < 0.0 {
                    assert!(class <= 5.0, "z{z} {}: fall {d} in class {class}", f.id);
                    falls += 1;
                }
            }
        }
    }
    eprintln!("{rises} rises, {falls} falls, {without} cells without a change");
    assert!(
        rises > 1000 && falls > 100,
        "both signs occur: {rises} {falls}"
    );
}

#[test]
fn demo_national_class_shares_rise_and_fall_as_reported() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-national-shares");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    let mut opts = lbm_tiler::DemoOptions::new(&dir);
    opts.years = Some(vec![2014, 2020]);
    opts.measures = Some(vec!["lbm".into()]);
    opts.changes = Some(vec![]);
    (opts.minzoom, opts.maxzoom) = (11, 11);
    opts.progress = false;
    lbm_tiler::demo(&opts).expect("national demo");
    let mut shares = Vec::new();
    for year in [2014, 2020] {
        // Each cell once (a cell near a tile edge is in its neighbour's buffer too).
        let mut classes: HashMap<u64, u8> = HashMap::new();
        for (_, feats) in tiles_at(&dir.join(format!("lbm-{year}.mbtiles")), 11) {
            for f in feats {
                if let Some(c) = num(&f, "class") {
                    classes.insert(f.id, c as u8);
                }
            }
        }
        let n = classes.len() as f64;
        let good = classes.values().filter(|c| **c >= 7).count() as f64 / n;
        let poor = classes.values().filter(|c| **c <= 3).count() as f64 / n;
        eprintln!(
            "{year}: {} populated cells, {:.1} % goed or better, {:.1} % onvoldoende or worse",
            classes.len(),
            100.0 * good,
            100.0 * poor
        );
        assert!(classes.len() > 300_000, "the whole country");
        shares.push((good, poor));
    }
    let ((good14, poor14), (good20, poor20)) = (shares[0], shares[1]);
    assert!(
        good20 > good14 + 0.03,
        "goed or better rises: {good14} → {good20}"
    );
    assert!(
        poor20 < poor14 - 0.01,
        "onvoldoende or worse falls: {poor14} → {poor20}"
    );
}

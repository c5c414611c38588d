//! The OGC API at `/ogc` against the requirements of OGC API – Features – Part 1 (core, GeoJSON,
//! OpenAPI 3.0) and – Tiles (core, tileset, MVT), on a demo build by the real tiler: landing
//! page, conformance, collections, items with paging and bbox, single features, bad requests;
//! and that the features say what the tiles and `/api/v1` say (one classify).

use std::collections::BTreeSet;

use lbm_e2e::{build_demo, get_json_blocking, TestServer};
use serde_json::Value;

struct Api {
    server: TestServer,
    http: reqwest::blocking::Client,
    _dir: tempfile::TempDir,
}

impl Api {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let tiles = build_demo(&dir.path().join("tiles"));
        let server = TestServer::start(&tiles);
        Api {
            server,
            http: reqwest::blocking::Client::new(),
            _dir: dir,
        }
    }

    /// GET `url` (absolute, or a path): status, content type and JSON body (Null if none).
    fn get(&self, url: &str) -> (u16, String, Value) {
        let url = if url.starts_with("http") {
            url.to_string()
        } else {
            self.server.url(url)
        };
        let r = self.http.get(&url).send().expect("request");
        let status = r.status().as_u16();
        let kind = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = r.json().unwrap_or(Value::Null);
        (status, kind, body)
    }

    fn ok(&self, url: &str) -> (String, Value) {
        let (status, kind, body) = self.get(url);
        assert_eq!(status, 200, "GET {url}: {body}");
        (kind, body)
    }
}

fn link<'a>(doc: &'a Value, rel: &str) -> Option<&'a Value> {
    doc["links"].as_array()?.iter().find(|l| l["rel"] == rel)
}

fn href(doc: &Value, rel: &str) -> String {
    link(doc, rel).unwrap_or_else(|| panic!("no {rel} link in {doc}"))["href"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Bounds of a GeoJSON geometry.
fn bounds(g: &Value) -> [f64; 4] {
    fn walk(v: &Value, b: &mut [f64; 4]) {
        match v.as_array() {
            Some(a) if a.len() >= 2 && a.iter().all(Value::is_number) => {
                let (x, y) = (a[0].as_f64().unwrap(), a[1].as_f64().unwrap());
                *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
            }
            Some(a) => a.iter().for_each(|v| walk(v, b)),
            None => {}
        }
    }
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    walk(&g["coordinates"], &mut b);
    b
}

/// Every feature of an items URL, following `next` links; checks each page's counts.
fn all_pages(api: &Api, first: &str) -> (Vec<Value>, u64) {
    let (mut url, mut features, mut matched) = (Some(first.to_string()), Vec::new(), None);
    let mut pages = 0;
    while let Some(u) = url {
        let (kind, page) = api.ok(&u);
        assert!(kind.starts_with("application/geo+json"), "{u}: {kind}");
        assert_eq!(page["type"], "FeatureCollection");
        let got = page["features"].as_array().unwrap();
        assert_eq!(page["numberReturned"].as_u64().unwrap(), got.len() as u64);
        let m = page["numberMatched"].as_u64().unwrap();
        assert_eq!(*matched.get_or_insert(m), m, "numberMatched stays the same");
        assert!(link(&page, "self").is_some());
        features.extend(got.iter().cloned());
        url = link(&page, "next").map(|l| l["href"].as_str().unwrap().to_string());
        pages += 1;
        assert!(pages < 1000, "paging ends");
    }
    (features, matched.unwrap_or(0))
}

#[test]
fn ogc_api_features_core_geojson_and_tiles() {
    let api = Api::start();

    // Landing page (/req/core/root-success): links to itself, the API definition, the
    // conformance classes and the collections, each of which answers.
    let (kind, landing) = api.ok("/ogc");
    assert!(kind.starts_with("application/json"));
    assert!(landing["title"].is_string());
    for rel in ["self", "service-desc", "conformance", "data"] {
        let (status, _, _) = api.get(&href(&landing, rel));
        assert_eq!(status, 200, "{rel}");
    }
    assert_eq!(
        link(&landing, "service-desc").unwrap()["type"],
        "application/vnd.oai.openapi+json;version=3.0"
    );
    // API definition (/req/oas30/oas-definition-1).
    let (kind, oas) = api.ok(&href(&landing, "service-desc"));
    assert!(
        kind.starts_with("application/vnd.oai.openapi+json"),
        "{kind}"
    );
    assert!(oas["openapi"].as_str().unwrap().starts_with("3.0"));
    for path in [
        "/ogc/collections/{collectionId}/items",
        "/ogc/collections/{collectionId}/items/{featureId}",
        "/ogc/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
        "/api/v1/point",
        "/api/v1/areas/{code}",
    ] {
        assert!(oas["paths"].get(path).is_some(), "{path} in the OpenAPI");
    }
    // Conformance (/req/core/conformance-success).
    let (_, conf) = api.ok(&href(&landing, "conformance"));
    let classes: Vec<&str> = conf["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for c in [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    ] {
        assert!(classes.contains(&c), "{c}");
    }

    // Collections (/req/core/fc-md-success, fc-md-items, fc-md-extent).
    let (_, cols) = api.ok(&href(&landing, "data"));
    let collections = cols["collections"].as_array().unwrap();
    let ids: BTreeSet<&str> = collections
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for id in [
        "gemeente-2022",
        "wijk-2022",
        "buurt-2020",
        "grid-2022",
        "lbm-2022",
    ] {
        assert!(ids.contains(id), "{id} in {ids:?}");
    }
    for c in collections {
        let id = c["id"].as_str().unwrap();
        let bbox = c["extent"]["spatial"]["bbox"][0].as_array().unwrap();
        assert_eq!(bbox.len(), 4, "{id}");
        let (_, one) = api.ok(&href(c, "self"));
        assert_eq!(one["id"], id);
        if c["itemType"] == "feature" {
            assert!(link(c, "items").is_some(), "{id} links its items");
        }
    }

    // Items of the gemeenten of 2022: every page, every gemeente once, in CRS84, with the
    // values and classes of the area API.
    let (all, matched) = all_pages(&api, "/ogc/collections/gemeente-2022/items?limit=3");
    assert_eq!(all.len() as u64, matched);
    let codes: BTreeSet<&str> = all.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), all.len(), "each feature once");
    assert!(all.len() >= 3);
    for f in &all {
        let code = f["id"].as_str().unwrap();
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["properties"]["code"], code);
        assert_eq!(f["properties"]["level"], "gemeente");
        assert!(
            ["Polygon", "MultiPolygon"].contains(&f["geometry"]["type"].as_str().unwrap()),
            "{code}"
        );
        let b = bounds(&f["geometry"]);
        assert!(
            b[0] > 3.0 && b[2] < 7.5 && b[1] > 50.5 && b[3] < 53.7,
            "{code}: CRS84 {b:?}"
        );
        let area = get_json_blocking(&api.http, &api.server.url(&format!("/api/v1/areas/{code}")));
        let year = area["years"]
            .as_array()
            .unwrap()
            .iter()
            .find(|y| y["year"] == 2022);
        for m in ["lbm", "fys", "won"] {
            let (v, k) = match year {
                Some(y) => (y["values"][m].clone(), y["classes"][m].clone()),
                None => (Value::Null, Value::Null),
            };
            assert_eq!(f["properties"][m], v, "{code} {m}");
            assert_eq!(f["properties"][format!("{m}_class")], k, "{code} {m}_class");
        }
        // The single feature is the same feature.
        let (kind, one) = api.ok(&format!("/ogc/collections/gemeente-2022/items/{code}"));
        assert!(kind.starts_with("application/geo+json"));
        assert_eq!(one["properties"], f["properties"]);
    }

    // bbox (/req/core/fc-bbox-response): only features that meet it; a small one near Utrecht
    // holds fewer buurten than all.
    let (_, buurten) = api.ok("/ogc/collections/buurt-2022/items?limit=1");
    let total = buurten["numberMatched"].as_u64().unwrap();
    let bbox = [5.10, 52.08, 5.13, 52.10];
    let q = format!("{},{},{},{}", bbox[0], bbox[1], bbox[2], bbox[3]);
    let (near, n) = all_pages(
        &api,
        &format!("/ogc/collections/buurt-2022/items?bbox={q}&limit=50"),
    );
    assert!(n > 0 && n < total, "{n} of {total} buurten meet the bbox");
    for f in &near {
        let b = bounds(&f["geometry"]);
        assert!(
            b[0] <= bbox[2] && b[2] >= bbox[0] && b[1] <= bbox[3] && b[3] >= bbox[1],
            "{}: {b:?} outside {bbox:?}",
            f["id"]
        );
        assert!(f["properties"]["parent"]
            .as_str()
            .unwrap()
            .starts_with("GM"));
    }

    // The 100 m cells: bbox required, each cell's values those of the point API.
    let (status, _, e) = api.get("/ogc/collections/grid-2022/items");
    assert_eq!(status, 400, "{e}");
    let (cells, n) = all_pages(
        &api,
        "/ogc/collections/grid-2022/items?bbox=5.115,52.088,5.125,52.093&limit=40",
    );
    assert!(n > 10, "{n} cells");
    for f in cells.iter().step_by(7) {
        let b = bounds(&f["geometry"]);
        let (lon, lat) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
        let p = get_json_blocking(
            &api.http,
            &api.server
                .url(&format!("/api/v1/point?lon={lon}&lat={lat}")),
        );
        assert_eq!(p["cell"], f["id"]);
        let y = p["years"]
            .as_array()
            .unwrap()
            .iter()
            .find(|y| y["year"] == 2022)
            .unwrap();
        assert_eq!(f["properties"]["lbm"], y["values"]["lbm"]);
        assert_eq!(f["properties"]["lbm_class"], y["classes"]["lbm"]);
        let id = f["id"].as_str().unwrap();
        let (_, one) = api.ok(&format!("/ogc/collections/grid-2022/items/{id}"));
        assert_eq!(one["properties"], f["properties"]);
    }

    // Bad requests are 400 with a message, unknown things 404, never a 500.
    for (url, status) in [
        ("/ogc/collections/gemeente-2022/items?limit=0", 400),
        ("/ogc/collections/gemeente-2022/items?limit=abc", 400),
        ("/ogc/collections/gemeente-2022/items?offset=-1", 400),
        ("/ogc/collections/gemeente-2022/items?bbox=1,2,3", 400),
        ("/ogc/collections/gemeente-2022/items?bbox=6,52,5,53", 400),
        ("/ogc/collections/gemeente-2022/items?unknown=1", 400),
        ("/ogc/collections/gemeente-2022/items?f=html", 400),
        (
            "/ogc/collections/gemeente-2022/items?bbox-crs=EPSG:28992&bbox=1,2,3,4",
            400,
        ),
        ("/ogc/collections/grid-2022/items?bbox=3.5,51,6.5,53", 400),
        ("/ogc/collections/gemeente-1900", 404),
        ("/ogc/collections/gemeente-1900/items", 404),
        ("/ogc/collections/gemeente-2022/items/GM9999", 404),
        ("/ogc/collections/wijk-2022/items/GM0344", 404),
        ("/ogc/collections/grid-2022/items/E0N0", 404),
        ("/ogc/collections/grid-2022/items/nonsense", 404),
        ("/ogc/collections/lbm-2022/items", 404),
        ("/ogc/tileMatrixSets/WorldCRS84Quad", 404),
        ("/ogc/collections/gemeente-2022/tiles", 404),
    ] {
        let (got, kind, body) = api.get(url);
        assert_eq!(got, status, "{url}: {body}");
        assert!(kind.starts_with("application/json"), "{url}: {kind}");
        assert!(body["error"].is_string(), "{url}: {body}");
    }
    // A limit above the maximum is capped, not refused (/req/core/fc-limit-response-1).
    let (_, capped) = api.ok("/ogc/collections/buurt-2022/items?limit=100000");
    assert!(capped["numberReturned"].as_u64().unwrap() <= 1000);

    // Tiles: the tileset collection's vector tiles in WebMercatorQuad, the same bytes as /tiles.
    let (_, tms) = api.ok("/ogc/tileMatrixSets/WebMercatorQuad");
    assert_eq!(tms["crs"], "http://www.opengis.net/def/crs/EPSG/0/3857");
    let (_, col) = api.ok("/ogc/collections/lbm-2022");
    assert!(link(&col, "stylesheet").is_some() && link(&col, "alternate").is_some());
    let (_, sets) = api.ok(&href(
        &col,
        "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
    ));
    let set_url = href(&sets["tilesets"][0], "self");
    let (_, set) = api.ok(&set_url);
    assert_eq!(set["dataType"], "vector");
    let template = href(&set, "item");
    let limits = set["tileMatrixSetLimits"].as_array().unwrap();
    let top = limits.last().unwrap();
    let z = top["tileMatrix"].as_str().unwrap();
    let (row0, row1) = (
        top["minTileRow"].as_u64().unwrap(),
        top["maxTileRow"].as_u64().unwrap(),
    );
    let (col0, col1) = (
        top["minTileCol"].as_u64().unwrap(),
        top["maxTileCol"].as_u64().unwrap(),
    );
    let (row, colm) = ((row0 + row1) / 2, (col0 + col1) / 2);
    let url = template
        .replace("{tileMatrix}", z)
        .replace("{tileRow}", &row.to_string())
        .replace("{tileCol}", &colm.to_string());
    let ogc = api.http.get(&url).send().unwrap();
    assert_eq!(ogc.status(), 200, "{url}");
    assert_eq!(
        ogc.headers()["content-type"],
        "application/vnd.mapbox-vector-tile"
    );
    let ogc = ogc.bytes().unwrap();
    let plain = api
        .http
        .get(
            api.server
                .url(&format!("/tiles/lbm-2022/{z}/{colm}/{row}.pbf")),
        )
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    assert_eq!(ogc, plain, "the OGC tile is the XYZ tile x = col, y = row");
}

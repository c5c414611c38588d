//! HTTP behaviour of a real server on 127.0.0.1 with real MBTiles fixtures.

mod common;

use common::*;
use serde_json::Value;

fn tile_url(base: &str, id: &str, (z, x, y): (u8, u32, u32)) -> String {
    format!("{base}/tiles/{id}/{z}/{x}/{y}.pbf")
}

/// The tile URL template a document names, with its content version replaced by `V`.
fn unversioned(template: &Value) -> String {
    let t = template.as_str().unwrap();
    let (head, tail) = t.split_once("/{z}/").unwrap();
    let (prefix, version) = head.rsplit_once('/').unwrap();
    assert_eq!(version.len(), 16, "{t}");
    format!("{prefix}/V/{{z}}/{tail}")
}

async fn fixture_server() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2020, 4.125);
    write_tileset(dir.path(), "lbm", 2022, 4.25);
    write_tileset(dir.path(), "fys", 2020, 0.05);
    let server = start(dir.path()).await;
    (dir, server)
}

async fn json(resp: reqwest::Response) -> Value {
    resp.json().await.unwrap()
}

#[tokio::test]
async fn tile_is_passed_through_gzipped_or_decompressed() {
    let (_dir, s) = fixture_server().await;
    let url = tile_url(&s.base, "lbm-2020", TILE);
    let gz = client()
        .get(&url)
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.status(), 200);
    assert_eq!(
        gz.headers()["content-type"],
        "application/vnd.mapbox-vector-tile"
    );
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.headers()["vary"], "Accept-Encoding");
    assert!(gz.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let etag_gz = gz.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag_gz.starts_with('"') && !etag_gz.starts_with("W/"));
    let body = gz.bytes().await.unwrap();
    assert_eq!(&body[..2], &[0x1f, 0x8b]);
    let features = decode(&gunzip(&body));

    let plain = client().get(&url).send().await.unwrap();
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    let etag_plain = plain.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(
        etag_gz, etag_plain,
        "two representations need two strong ETags"
    );
    let plain_features = decode(&plain.bytes().await.unwrap());
    assert_eq!(features, plain_features);

    assert_eq!(features.len(), 1);
    let (layer, id, tags) = &features[0];
    assert_eq!(layer, "grid");
    assert_eq!(*id, Some(12_134_879));
    let tag = |k: &str| {
        tags.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(tag("score"), "4.125");
    assert_eq!(tag("class"), "6");
    assert_eq!(tag("cell"), "E1213N4879");

    // `.mvt` is accepted as well.
    let mvt = client()
        .get(url.replace(".pbf", ".mvt"))
        .send()
        .await
        .unwrap();
    assert_eq!(mvt.status(), 200);
}

#[tokio::test]
async fn etag_gives_304_and_head_has_headers_only() {
    let (_dir, s) = fixture_server().await;
    let url = tile_url(&s.base, "lbm-2020", TILE);
    let first = client()
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    let etag = first.headers()["etag"].clone();
    let again = client()
        .get(&url)
        .header("accept-encoding", "gzip")
        .header("if-none-match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag);
    assert_eq!(again.headers()["vary"], "Accept-Encoding");
    assert!(again.bytes().await.unwrap().is_empty());
    let other = client()
        .get(&url)
        .header("if-none-match", "\"nope\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);

    let head = client()
        .head(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["etag"], etag);
    assert_eq!(head.headers()["content-encoding"], "gzip");
    assert!(head.bytes().await.unwrap().is_empty());
    for path in ["/", "/catalog.json", "/tiles/lbm-2020.json", "/health"] {
        let r = client()
            .head(format!("{}{path}", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "HEAD {path}");
    }
}

#[tokio::test]
async fn empty_and_missing_tiles_are_204() {
    let (_dir, s) = fixture_server().await;
    let r = client()
        .get(tile_url(&s.base, "lbm-2020", EMPTY_TILE))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = client()
        .get(tile_url(&s.base, "lbm-2020", (7, 65, 42)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn unknown_tileset_and_zoom_out_of_range_are_404_json() {
    let (_dir, s) = fixture_server().await;
    for url in [
        tile_url(&s.base, "nope-2020", TILE),
        tile_url(&s.base, "lbm-2020", (4, 8, 5)),
        tile_url(&s.base, "lbm-2020", (9, 0, 0)),
        format!("{}/tiles/nope.json", s.base),
        format!("{}/styles/nope.json", s.base),
        format!("{}/no/such/route", s.base),
    ] {
        let r = client().get(&url).send().await.unwrap();
        assert_eq!(r.status(), 404, "{url}");
        assert_eq!(r.headers()["content-type"], "application/json");
        let body = json(r).await;
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{url}: {body}"
        );
    }
}

#[tokio::test]
async fn malformed_tile_paths_are_400_json() {
    let (_dir, s) = fixture_server().await;
    for path in [
        "a/16/10.pbf",
        "5/x/10.pbf",
        "5/16/y.pbf",
        "-1/0/0.pbf",
        "5/-16/10.pbf",
        "5/32/10.pbf",
        "5/16/32.pbf",
        "31/0/0.pbf",
        "99999999999999999999/0/0.pbf",
        "5/99999999999999999999999/0.pbf",
        "5/16/10.png",
        "5/16/10",
        "5/1e1/10.pbf",
    ] {
        let r = client()
            .get(format!("{}/tiles/lbm-2020/{path}", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{path}");
        assert!(json(r).await["error"].is_string(), "{path}");
    }
}

#[tokio::test]
async fn unsupported_methods_are_405() {
    let (_dir, s) = fixture_server().await;
    let c = client();
    for req in [
        c.post(tile_url(&s.base, "lbm-2020", TILE)),
        c.put(format!("{}/catalog.json", s.base)),
        c.delete(format!("{}/tiles/lbm-2020.json", s.base)),
        c.post(format!("{}/", s.base)),
        c.patch(format!("{}/static/js/main.js", s.base)),
    ] {
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 405);
        assert!(json(r).await["error"].is_string());
    }
}

#[tokio::test]
async fn traversal_and_overlong_paths_are_4xx_never_5xx() {
    let (_dir, s) = fixture_server().await;
    let long = format!("/tiles/{}/5/16/10.pbf", "a".repeat(2000));
    let targets = [
        "/static/../Cargo.toml",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "/static/%2E%2E%2FCargo.toml",
        "/vendor/maplibre-gl/..%2f..%2fpackage.json",
        "/tiles/..%2F..%2Fetc%2Fpasswd/5/16/10.pbf",
        "/tiles/../../etc/passwd.json",
        "/styles/..%5c..%5cwin.json",
        "/static/js/%00main.js",
        "/%zz",
        "/static/js/.%2e/.%2e/x",
        long.as_str(),
    ];
    for target in targets {
        let (status, body) = raw_get(s.addr, "GET", target).await;
        assert!((400..500).contains(&status), "{target}: {status}");
        if status != 414 || !body.is_empty() {
            let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            assert!(v["error"].is_string(), "{target}: {body}");
        }
    }
    let (status, _) = raw_get(s.addr, "GET", &long).await;
    assert_eq!(status, 414);
}

#[tokio::test]
async fn cors_is_open_by_default_and_configurable() {
    let (dir, s) = fixture_server().await;
    let r = client()
        .get(tile_url(&s.base, "lbm-2020", TILE))
        .header("origin", "https://gemeente.example.nl")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");

    let limited = start_with(dir.path(), |c| {
        c.cors_origins = vec!["https://a.example".into()]
    })
    .await;
    let ok = client()
        .get(format!("{}/catalog.json", limited.base))
        .header("origin", "https://a.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://a.example"
    );
    let no = client()
        .get(format!("{}/catalog.json", limited.base))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(no.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn web_map_has_security_headers_and_embed_can_be_framed() {
    let (dir, s) = fixture_server().await;
    let index = client().get(format!("{}/", s.base)).send().await.unwrap();
    assert_eq!(index.status(), 200);
    assert!(index.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(index.headers()["x-content-type-options"], "nosniff");
    assert_eq!(index.headers()["cache-control"], "no-cache");
    assert!(index.headers().get("etag").is_some());
    assert!(index.headers().get("referrer-policy").is_some());
    let csp = index.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert!(index.text().await.unwrap().contains("<html"));

    let embed = client()
        .get(format!("{}/embed", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(embed.status(), 200);
    let csp = embed.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors *"), "{csp}");
    assert!(embed.headers().get("x-frame-options").is_none());

    let js = client()
        .get(format!("{}/static/js/main.js", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    if lbm_server::assets::find("/vendor/maplibre-gl/maplibre-gl.mjs").is_some() {
        let r = client()
            .get(format!("{}/vendor/maplibre-gl/maplibre-gl.mjs", s.base))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript"));
        assert_eq!(r.headers()["content-encoding"], "gzip");
        assert!(r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age"));
        let plain = client()
            .get(format!("{}/vendor/maplibre-gl/maplibre-gl.mjs", s.base))
            .send()
            .await
            .unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        assert_ne!(
            r.headers()["etag"],
            plain.headers()["etag"],
            "each encoding has its own strong ETag"
        );
    }

    let with_basemap = start_with(dir.path(), |c| {
        c.basemap_style_url = Some("https://tiles.example.org/styles/light.json".into())
    })
    .await;
    let r = client()
        .get(format!("{}/", with_basemap.base))
        .send()
        .await
        .unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("connect-src 'self' https://tiles.example.org"),
        "{csp}"
    );
    let cfg = json(
        client()
            .get(format!("{}/config.json", with_basemap.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        cfg["basemap"],
        "https://tiles.example.org/styles/light.json"
    );
    let cfg = json(
        client()
            .get(format!("{}/config.json", s.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(cfg["basemap"].is_null());
}

#[tokio::test]
async fn tilejson_is_complete_with_absolute_urls() {
    let (dir, s) = fixture_server().await;
    let r = client()
        .get(format!("{}/tiles/lbm-2020.json", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert!(r.headers()["vary"]
        .to_str()
        .unwrap()
        .contains("X-Forwarded-Host"));
    let tj = json(r).await;
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(tj["name"], "Leefbaarometer lbm 2020");
    assert_eq!(tj["description"], "lbm scores 2020");
    assert_eq!(tj["attribution"], "Leefbaarometer");
    assert_eq!(tj["scheme"], "xyz");
    assert_eq!(
        unversioned(&tj["tiles"][0]),
        format!("{}/tiles/lbm-2020/V/{{z}}/{{x}}/{{y}}.pbf", s.base)
    );
    assert_eq!(tj["minzoom"], 5);
    assert_eq!(tj["maxzoom"], 8);
    assert_eq!(tj["bounds"], serde_json::json!([3.2, 50.7, 7.3, 53.6]));
    assert_eq!(tj["center"], serde_json::json!([5.3, 52.1, 7.0]));
    assert_eq!(tj["vector_layers"][0]["id"], "grid");
    assert_eq!(tj["lbm"]["kind"], "score");
    assert_eq!(tj["lbm"]["measure"], "lbm");
    assert_eq!(tj["lbm"]["year"], 2020);
    assert_eq!(tj["lbm"]["classification"]["basis"], "afw");
    assert_eq!(tj["lbm"]["pyramid"][0]["cell_m"], 6400);

    // Revalidation by ETag.
    let r = client()
        .get(format!("{}/tiles/lbm-2020.json", s.base))
        .send()
        .await
        .unwrap();
    let etag = r.headers()["etag"].clone();
    let r = client()
        .get(format!("{}/tiles/lbm-2020.json", s.base))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);

    // The tile URL of the TileJSON works as it is.
    let tile = tj["tiles"][0]
        .as_str()
        .unwrap()
        .replace("{z}/{x}/{y}", "5/16/10");
    assert_eq!(client().get(tile).send().await.unwrap().status(), 200);

    // Behind a proxy: X-Forwarded-Proto/Host; with --public-url: that.
    let proxied = json(
        client()
            .get(format!("{}/tiles/lbm-2020.json", s.base))
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-host", "kaart.example.nl")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        unversioned(&proxied["tiles"][0]),
        "https://kaart.example.nl/tiles/lbm-2020/V/{z}/{x}/{y}.pbf"
    );
    let public = start_with(dir.path(), |c| {
        c.public_url = Some("https://maps.example.nl/lbm/".into())
    })
    .await;
    let r = client()
        .get(format!("{}/tiles/lbm-2020.json", public.base))
        .send()
        .await
        .unwrap();
    let vary = r
        .headers()
        .get("vary")
        .map(|v| v.to_str().unwrap().to_string());
    assert!(
        vary.as_deref().is_none_or(|v| !v.contains("Host")),
        "fixed public URL: the document varies by encoding at most: {vary:?}"
    );
    let tj = json(r).await;
    assert_eq!(
        unversioned(&tj["tiles"][0]),
        "https://maps.example.nl/lbm/tiles/lbm-2020/V/{z}/{x}/{y}.pbf"
    );
}

#[tokio::test]
async fn catalog_groups_measures_and_years() {
    let (_dir, s) = fixture_server().await;
    let cat = json(
        client()
            .get(format!("{}/catalog.json", s.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let measures = cat["measures"].as_array().unwrap();
    assert_eq!(measures.len(), 2);
    assert_eq!(measures[0]["id"], "lbm");
    assert_eq!(measures[0]["years"], serde_json::json!([2020, 2022]));
    assert_eq!(measures[0]["name_en"], "Liveability");
    assert_eq!(measures[1]["id"], "fys");
    assert_eq!(measures[1]["name_nl"], "Fysieke omgeving");
    assert_eq!(measures[1]["years"], serde_json::json!([2020]));
    let tilesets = cat["tilesets"].as_array().unwrap();
    let ids: Vec<_> = tilesets.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["lbm-2020", "lbm-2022", "fys-2020"]);
    let t = &tilesets[0];
    assert_eq!(t["kind"], "score");
    assert_eq!(t["measure"], "lbm");
    assert_eq!(t["year"], 2020);
    assert_eq!(
        (t["minzoom"].as_u64(), t["maxzoom"].as_u64()),
        (Some(5), Some(8))
    );
    assert_eq!(t["tilejson"], format!("{}/tiles/lbm-2020.json", s.base));
    assert_eq!(t["style"], format!("{}/styles/lbm-2020.json", s.base));
    assert_eq!(
        unversioned(&t["tiles"][0]),
        format!("{}/tiles/lbm-2020/V/{{z}}/{{x}}/{{y}}.pbf", s.base)
    );
    assert_eq!(t["classification"]["classes"].as_array().unwrap().len(), 9);
    assert_eq!(t["bounds"].as_array().unwrap().len(), 4);
    assert_eq!(t["center"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn style_draws_grid_in_the_class_colours() {
    let (_dir, s) = fixture_server().await;
    let style = json(
        client()
            .get(format!("{}/styles/fys-2020.json", s.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(style["version"], 8);
    assert_eq!(style["sources"]["lbm"]["type"], "vector");
    assert_eq!(
        style["sources"]["lbm"]["url"],
        format!("{}/tiles/fys-2020.json", s.base)
    );
    assert!(style.get("glyphs").is_none() && style.get("sprite").is_none());
    let layers = style["layers"].as_array().unwrap();
    // One fill per class (a plain filter on `class` and a plain colour, which every style
    // converter draws), and one for the places without a class in the no-data colour.
    let fills: Vec<&Value> = layers.iter().filter(|l| l["type"] == "fill").collect();
    let classification = classification("fys");
    let classes = classification["classes"].as_array().unwrap();
    assert_eq!(fills.len(), classes.len() + 1);
    for (fill, class) in fills.iter().zip(classes) {
        assert_eq!(fill["source-layer"], "grid");
        assert_eq!(
            fill["filter"],
            serde_json::json!(["==", ["get", "class"], class["class"]])
        );
        assert_eq!(fill["paint"]["fill-color"], class["color"]);
    }
    let none = fills.last().unwrap();
    assert_eq!(none["filter"], serde_json::json!(["!", ["has", "class"]]));
    assert_eq!(none["paint"]["fill-color"], NO_DATA);
    assert!(
        !style.to_string().contains("feature-state"),
        "nothing only the page draws"
    );
    let line = layers.iter().find(|l| l["type"] == "line").unwrap();
    assert_eq!(line["source-layer"], "grid");
    assert_eq!(line["minzoom"], 11.5);
    // The background is land without residents, in neither a class nor the no-data colour;
    // every other layer refers to a declared source.
    assert_eq!(layers[0]["type"], "background");
    assert_ne!(layers[0]["paint"]["background-color"], NO_DATA);
    for l in &layers[1..] {
        assert!(style["sources"]
            .get(l["source"].as_str().unwrap())
            .is_some());
    }
}

#[tokio::test]
async fn corrupt_and_foreign_files_are_skipped_while_others_serve() {
    let dir = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2020, 4.0);
    std::fs::write(
        dir.path().join("random-2020.mbtiles"),
        (0..5000u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    rusqlite::Connection::open(dir.path().join("empty-2020.mbtiles"))
        .unwrap()
        .execute_batch("CREATE TABLE other (a); INSERT INTO other VALUES (1);")
        .unwrap();
    let png = rusqlite::Connection::open(dir.path().join("raster-2020.mbtiles")).unwrap();
    png.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT); INSERT INTO metadata VALUES ('format', 'png');
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);",
    )
    .unwrap();
    drop(png);
    std::fs::write(dir.path().join("zero-2020.mbtiles"), b"").unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"ignored").unwrap();
    let s = start(dir.path()).await;
    let cat = json(
        client()
            .get(format!("{}/catalog.json", s.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let ids: Vec<_> = cat["tilesets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["lbm-2020"]);
    assert_eq!(
        client()
            .get(tile_url(&s.base, "lbm-2020", TILE))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    for id in ["random-2020", "empty-2020", "raster-2020", "zero-2020"] {
        assert_eq!(
            client()
                .get(tile_url(&s.base, id, TILE))
                .send()
                .await
                .unwrap()
                .status(),
            404,
            "{id}"
        );
    }
    let health = json(
        client()
            .get(format!("{}/health", s.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(health["tilesets"], 1);
}

#[tokio::test]
async fn health_and_metrics() {
    let empty = tempfile::tempdir().unwrap();
    let none = start(empty.path()).await;
    let r = client()
        .get(format!("{}/health", none.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);

    let (_dir, s) = fixture_server().await;
    let r = client()
        .get(format!("{}/health", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = json(r).await;
    assert_eq!(h["status"], "ok");
    assert_eq!(h["tilesets"], 3);

    let url = tile_url(&s.base, "lbm-2020", TILE);
    for _ in 0..3 {
        client().get(&url).send().await.unwrap();
    }
    client()
        .get(format!("{}/tiles/lbm-2020/x/0/0.pbf", s.base))
        .send()
        .await
        .unwrap();
    let r = client()
        .get(format!("{}/metrics", s.base))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = r.text().await.unwrap();
    for needle in [
        "lbm_http_requests_total{route=\"tile\",status=\"200\"} 3",
        "lbm_http_requests_total{route=\"tile\",status=\"400\"} 1",
        "lbm_http_request_duration_seconds_bucket{route=\"tile\",le=\"+Inf\"} 4",
        "lbm_http_response_bytes_total{route=\"tile\"}",
        "lbm_tile_cache_hits_total 2",
        "lbm_tile_cache_misses_total 1",
        "lbm_tile_requests_total{tileset=\"lbm-2020\"} 3",
        "lbm_tilesets 3",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
}

#[tokio::test]
async fn point_api_answers_with_classes_and_rejects_bad_input() {
    let (dir, s) = fixture_server().await;
    let c = client();
    let get = |q: &str| c.get(format!("{}/api/v1/point?{q}", s.base)).send();

    // No index yet: 404 with a reason.
    let r = get("lon=4.893&lat=52.373").await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(json(r).await["error"]
        .as_str()
        .unwrap()
        .contains("lbm-index.sqlite"));

    for q in [
        "lon=abc&lat=52",
        "lon=4.9",
        "lat=52",
        "",
        "lon=NaN&lat=52",
        "lon=inf&lat=52",
        "lon=4.9&lat=1e400",
        "lon=120&lat=52",
        "lon=4.9&lat=-52",
        "lon=4.9&lat=52;DROP TABLE cells",
        "lon=%ZZ&lat=1",
    ] {
        let r = get(q).await.unwrap();
        assert_eq!(r.status(), 400, "{q}");
        assert!(json(r).await["error"].is_string(), "{q}");
    }

    let (hx, hy) = write_index(dir.path(), 4.893, 52.373);
    eventually("point index picked up", || async {
        get("lon=4.893&lat=52.373").await.unwrap().status() == 200
    })
    .await;
    let p = json(get("lon=4.893&lat=52.373").await.unwrap()).await;
    assert_eq!(p["cell"], format!("E{hx}N{hy}"));
    assert_eq!(p["x"], hx * 100);
    assert_eq!(p["y"], hy * 100);
    let years = p["years"].as_array().unwrap();
    assert_eq!(years.len(), 2);
    assert_eq!(years[0]["year"], 2020);
    assert_eq!(years[0]["lbm"], 4.1);
    assert_eq!(years[0]["values"]["fys"], 0.05);
    assert!(years[0].get("vrz").is_none(), "NULL values are left out");
    // lbm is classified by afw (0.06 → class 6 with cuts ±0.05/0.1/...), fys by itself.
    assert_eq!(years[0]["classes"]["lbm"], 6);
    assert_eq!(years[0]["classes"]["fys"], 6);
    assert_eq!(years[1]["classes"]["lbm"], 1);
    assert_eq!(years[1]["classes"]["fys"], 1);
    assert!(
        years[0]["classes"].get("onv").is_none(),
        "no onv tileset, no classification"
    );

    let r = get("lon=6.5&lat=53.2").await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn point_api_finds_the_cell_through_the_rd_new_projection() {
    let dir = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2020, 4.0);
    let (hx, hy) = write_index(dir.path(), 4.893, 52.373);
    let s = start(dir.path()).await;
    // The centre of the fixture cell, projected back to WGS84: the API must find that cell.
    let (lon, lat) =
        lbm_tileset::project::rd_to_wgs84((hx * 100 + 50) as f64, (hy * 100 + 50) as f64).unwrap();
    let r = client()
        .get(format!("{}/api/v1/point?lon={lon}&lat={lat}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(json(r).await["cell"], format!("E{hx}N{hy}"));
}

#[tokio::test]
async fn json_documents_are_gzipped_for_clients_that_accept_it() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    for year in [2018, 2020, 2022] {
        write_tileset(dir.path(), "lbm", year, 4.0);
    }
    let s = start(dir.path()).await;
    let url = format!("{}/catalog.json", s.base);
    let plain = client().get(&url).send().await.unwrap();
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_etag = plain.headers()["etag"].to_str().unwrap().to_string();
    let plain_body = plain.bytes().await.unwrap();
    assert!(
        plain_body.len() >= 1024,
        "the catalog is big enough to gzip"
    );

    let gz = client()
        .get(&url)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.status(), 200);
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let vary: Vec<&str> = gz
        .headers()
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        vary.iter().any(|v| v.contains("Accept-Encoding")),
        "{vary:?}"
    );
    let gz_etag = gz.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(
        gz_etag, plain_etag,
        "each representation has its own strong ETag"
    );
    let mut body = Vec::new();
    flate2::read::GzDecoder::new(&gz.bytes().await.unwrap()[..])
        .read_to_end(&mut body)
        .unwrap();
    assert_eq!(body, plain_body.to_vec(), "the same document");

    let again = client()
        .get(&url)
        .header("Accept-Encoding", "gzip")
        .header("If-None-Match", &gz_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

/// A cached tile is answered before the router (`http::fast_tile`) exactly as the full stack
/// answers it: the same status, headers (but `Date`) and body, for every way of asking; what
/// it does not hold (misses of an MBTiles file, HEAD, older versions, bodies, encoded paths, an
/// origin list) goes the full way. (Misses of a PMTiles archive: `tests/pmtiles.rs`.)
#[tokio::test]
async fn cached_tiles_skip_the_router_with_the_full_stack_answer() {
    use axum::http::Method;
    /// The fast path as `serve` calls it.
    async fn fast_tile<B>(
        state: &lbm_server::AppState,
        req: &axum::http::Request<B>,
    ) -> Option<axum::response::Response> {
        lbm_server::http::fast_tile(state, req, lbm_server::routes::stored_tile).await
    }
    use tower::ServiceExt;

    let (dir, s) = fixture_server().await;
    let (z, x, y) = TILE;
    let version = s
        .state
        .catalog
        .get("lbm-2020")
        .unwrap()
        .info
        .content_version
        .clone();
    let plain = format!("/tiles/lbm-2020/{z}/{x}/{y}.pbf");
    let versioned = format!("/tiles/lbm-2020/{version}/{z}/{x}/{y}.pbf");
    let (request, answer) = (get_request, comparable);
    assert!(
        fast_tile(&s.state, &request(&plain, &[])).await.is_none(),
        "not read yet: a miss goes the full way"
    );
    let full = lbm_server::router(s.state.clone());
    let first = full.clone().oneshot(request(&plain, &[])).await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let gz = ("accept-encoding", "gzip");
    let asks: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (&plain, vec![gz]),
        (&plain, vec![]),
        (&plain, vec![gz, ("if-none-match", &etag)]),
        (&plain, vec![gz, ("origin", "https://gemeente.example.nl")]),
        (&versioned, vec![gz]),
    ];
    for (path, headers) in &asks {
        let fast = fast_tile(&s.state, &request(path, headers))
            .await
            .unwrap_or_else(|| panic!("{path} {headers:?}: a cached tile"));
        let slow = full.clone().oneshot(request(path, headers)).await.unwrap();
        let (fast, slow) = (answer(fast).await, answer(slow).await);
        assert_eq!(fast, slow, "{path} {headers:?}");
    }
    assert_eq!(answer(first).await.0, 200);

    let mut head = request(&plain, &[gz]);
    *head.method_mut() = Method::HEAD;
    let old = format!("/tiles/lbm-2020/0123456789abcdef/{z}/{x}/{y}.pbf");
    let encoded = format!("/tiles/lbm%2D2020/{z}/{x}/{y}.pbf");
    let with_body = request(&plain, &[gz, ("content-length", "3")]);
    for (what, req) in [
        ("HEAD", head),
        ("an older version", request(&old, &[gz])),
        ("an encoded path", request(&encoded, &[gz])),
        ("a body", with_body),
    ] {
        assert!(
            fast_tile(&s.state, &req).await.is_none(),
            "{what} goes the full way"
        );
    }
    let limited = start_with(dir.path(), |c| {
        c.cors_origins = vec!["https://a.example".into()]
    })
    .await;
    let hit = client().get(limited.url(&plain)).send().await.unwrap();
    assert_eq!(hit.status(), 200);
    assert!(
        fast_tile(&limited.state, &request(&plain, &[gz]))
            .await
            .is_none(),
        "with an origin list, answers vary by Origin: the full way"
    );
}

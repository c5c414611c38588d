//! The built-in basemap over HTTP: the tiler's real basemap tileset in the catalog, its style
//! with glyphs from this server, and the glyph endpoint (`/fonts/{fontstack}/{range}.pbf`).

mod common;

use common::*;
use pbf_font_tools::prost::Message;
use serde_json::Value;

async fn basemap_server() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2022, 4.25);
    lbm_tiler::basemap(&lbm_tiler::BasemapOptions::new(dir.path())).unwrap();
    let server = start(dir.path()).await;
    (dir, server)
}

async fn get(url: &str) -> reqwest::Response {
    client().get(url).send().await.unwrap()
}

#[tokio::test]
async fn the_basemap_style_asks_only_for_fonts_this_server_has() {
    let (_dir, s) = basemap_server().await;
    let catalog: Value = get(&format!("{}/catalog.json", s.base))
        .await
        .json()
        .await
        .unwrap();
    let basemap = catalog["tilesets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "basemap")
        .expect("the basemap is in the catalog");
    // Not a measure: the measures list only the score tileset's.
    assert_eq!(catalog["measures"].as_array().unwrap().len(), 1);
    let style: Value = get(basemap["style"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    let glyphs = style["glyphs"].as_str().unwrap();
    assert_eq!(
        glyphs,
        format!("{}/fonts/{{fontstack}}/{{range}}.pbf", s.base)
    );
    // Every font named by a label layer (also inside `match` expressions) is served.
    let mut fonts = std::collections::BTreeSet::new();
    fn collect(v: &Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            Value::String(s) if s.starts_with("Open Sans") => {
                out.insert(s.clone());
            }
            Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    for layer in style["layers"].as_array().unwrap() {
        if let Some(f) = layer["layout"].get("text-font") {
            collect(f, &mut fonts);
        }
    }
    assert_eq!(fonts.len(), 2, "{fonts:?}");
    for font in fonts {
        let url = glyphs
            .replace("{fontstack}", &font.replace(' ', "%20"))
            .replace("{range}", "0-255");
        let resp = get(&url).await;
        assert_eq!(resp.status(), 200, "{url}");
        assert_eq!(resp.headers()["content-type"], "application/x-protobuf");
        let pbf = pbf_font_tools::Glyphs::decode(resp.bytes().await.unwrap()).unwrap();
        assert!(pbf.stacks[0].glyphs.iter().any(|g| g.id == 'U' as u32));
    }
    // The basemap's tiles are served like any tileset's.
    let tilejson: Value = get(basemap["tilejson"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tilejson["maxzoom"], 12);
}

#[tokio::test]
async fn glyph_ranges_are_valid_pbf_gzipped_on_request_and_revalidated() {
    let (_dir, s) = basemap_server().await;
    let url = format!(
        "{}/fonts/Open%20Sans%20Bold,Arial%20Unicode%20MS%20Regular/256-511.pbf",
        s.base
    );
    let plain = get(&url).await;
    assert_eq!(plain.status(), 200);
    let etag = plain.headers()["etag"].to_str().unwrap().to_string();
    let raw = plain.bytes().await.unwrap();
    let pbf = pbf_font_tools::Glyphs::decode(raw.clone()).unwrap();
    assert_eq!(pbf.stacks[0].range, "256-511");
    // Latin Extended-A: the ij of Dutch names.
    assert!(pbf.stacks[0].glyphs.iter().any(|g| g.id == 0x133));
    let gz = client()
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_ne!(gz.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(gunzip(&gz.bytes().await.unwrap()), raw.to_vec());
    let again = client()
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    // A range beyond the font: empty, but a valid message.
    let empty = get(&format!(
        "{}/fonts/Open%20Sans%20Regular/44032-44287.pbf",
        s.base
    ))
    .await;
    assert_eq!(empty.status(), 200);
    let pbf = pbf_font_tools::Glyphs::decode(empty.bytes().await.unwrap()).unwrap();
    assert!(pbf.stacks[0].glyphs.is_empty());
}

#[tokio::test]
async fn bad_glyph_requests_are_4xx_json() {
    let (_dir, s) = basemap_server().await;
    for (path, status) in [
        ("/fonts/Open%20Sans%20Regular/1-256.pbf", 400),
        ("/fonts/Open%20Sans%20Regular/0-511.pbf", 400),
        ("/fonts/Open%20Sans%20Regular/65536-65791.pbf", 400),
        ("/fonts/Open%20Sans%20Regular/a-b.pbf", 400),
        ("/fonts/Open%20Sans%20Regular/0-255.png", 404),
        ("/fonts/Comic%20Sans/0-255.pbf", 404),
        ("/fonts/Open%20Sans%20Regular/0-255.pbf/x", 404),
    ] {
        let resp = get(&format!("{}{path}", s.base)).await;
        assert_eq!(resp.status(), status, "{path}");
        let body: Value = resp.json().await.unwrap();
        assert!(body["error"].is_string(), "{path}: {body}");
    }
    let traversal = get(&format!("{}/fonts/%2E%2E/0-255.pbf", s.base)).await;
    assert!(traversal.status().is_client_error());
    let long = format!("{}/fonts/{}/0-255.pbf", s.base, "a".repeat(300));
    assert_eq!(get(&long).await.status(), 400);
}

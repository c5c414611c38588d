//! A foreign basemap host for the tests: another origin on 127.0.0.1 serving a MapLibre style
//! with its own tiles, sprite and glyphs, in one of two real-world shapes:
//!
//! - `pdok`: shaped like PDOK's BRT-Achtergrondkaart vector style (OGC API Tiles): source `brt`
//!   with an inline `tiles` template in `{z}/{y}/{x}` order and a query string, Dutch
//!   `*_vlak`/`*_lijn`/`*_label` source layers, sprite and fonts under `resources/`;
//! - `omt`: the OpenMapTiles schema: source `openmaptiles` through a TileJSON `url`, source
//!   layers `water`, `landcover`, `boundary` and `place` (with `class`), `{name}` text fields.
//!
//! The tiles are the built-in basemap's (the tiler's real `basemap.mbtiles`) with their layers
//! renamed to the shape's schema, the glyphs are rendered from the server's font under the name
//! the style asks for, and the sprite is a real PNG. CORS is open, as on a public basemap host.

use std::path::{Path, PathBuf};

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use geozero::mvt::{Message, Tile};
use serde_json::{json, Value};

/// A running basemap host; stopped (and its port closed) when dropped.
pub struct BasemapOrigin {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    _server: crate::local_server::LocalServer,
}

#[derive(Clone)]
struct Host {
    base: String,
    mbtiles: PathBuf,
}

/// Source layers of the built-in basemap renamed per shape (others are left out).
fn rename(shape: &str, layer: &str) -> Option<&'static str> {
    match (shape, layer) {
        ("pdok", "land") => Some("terrein_vlak"),
        ("pdok", "water") => Some("water_vlak"),
        ("pdok", "gemeente") => Some("registratief_gebied_vlak"),
        ("pdok", "place") => Some("plaats_label"),
        ("omt", "land") => Some("landcover"),
        ("omt", "water") => Some("water"),
        ("omt", "gemeente") => Some("boundary"),
        ("omt", "place") => Some("place"),
        _ => None,
    }
}

/// The font the shape's style names (rendered from the server's Open Sans).
const FONT: &str = "Noto Sans Regular";

fn style(shape: &str, base: &str) -> Value {
    let text = |source: &str, layer: &str, id: &str, filter: Value| {
        json!({
            "id": id, "type": "symbol", "source": source, "source-layer": layer, "filter": filter,
            "layout": {
                "text-field": "{name}", "text-font": [FONT], "text-size": 13,
                "icon-image": "dot", "text-offset": [0, 1.1], "text-anchor": "top",
            },
            "paint": {"text-color": "#333333", "text-halo-color": "#ffffff", "text-halo-width": 1.5},
        })
    };
    match shape {
        "pdok" => json!({
            "version": 8,
            "name": "BRT-Achtergrondkaart standaard (test shape)",
            "sprite": format!("{base}/pdok/resources/sprites/brt"),
            "glyphs": format!("{base}/pdok/resources/fonts/{{fontstack}}/{{range}}.pbf"),
            "sources": {"brt": {
                "type": "vector",
                "tiles": [format!("{base}/pdok/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}?f=mvt")],
                "minzoom": 4, "maxzoom": 12,
                "attribution": "Kadaster (test shape)",
            }},
            "layers": [
                {"id": "achtergrond", "type": "background", "paint": {"background-color": "#d3e6f0"}},
                {"id": "terrein_vlak", "type": "fill", "source": "brt", "source-layer": "terrein_vlak",
                 "paint": {"fill-color": "#f2f1ec"}},
                {"id": "water_vlak", "type": "fill", "source": "brt", "source-layer": "water_vlak",
                 "paint": {"fill-color": "#b9d8ea"}},
                {"id": "registratief_gebied_lijn", "type": "line", "source": "brt",
                 "source-layer": "registratief_gebied_vlak",
                 "paint": {"line-color": "#8c8c8c", "line-width": 1}},
                text("brt", "plaats_label", "plaats_label", json!(["has", "name"])),
            ],
        }),
        _ => json!({
            "version": 8,
            "name": "OSM Bright (OpenMapTiles schema, test shape)",
            "sprite": format!("{base}/omt/sprites/bright"),
            "glyphs": format!("{base}/omt/fonts/{{fontstack}}/{{range}}.pbf"),
            "sources": {"openmaptiles": {"type": "vector", "url": format!("{base}/omt/tiles.json")}},
            "layers": [
                {"id": "background", "type": "background", "paint": {"background-color": "#f8f4f0"}},
                {"id": "landcover", "type": "fill", "source": "openmaptiles", "source-layer": "landcover",
                 "paint": {"fill-color": "#eeeae2"}},
                {"id": "water", "type": "fill", "source": "openmaptiles", "source-layer": "water",
                 "paint": {"fill-color": "#a0c8f0"}},
                {"id": "boundary-admin", "type": "line", "source": "openmaptiles", "source-layer": "boundary",
                 "paint": {"line-color": "#9e9cab", "line-dasharray": [3, 1, 1, 1]}},
                text("openmaptiles", "place", "place-city", json!(["==", "class", "city"])),
                text("openmaptiles", "place", "place-town", json!(["!=", "class", "city"])),
            ],
        }),
    }
}

/// A tile of the built-in basemap with its layers (and the place `kind`, OpenMapTiles' `class`)
/// renamed to the shape's schema; uncompressed.
fn shaped_tile(mbtiles: &Path, shape: &str, z: u8, x: u32, y: u32) -> Option<Vec<u8>> {
    let conn = lbm_formats::sqlite::open_read_only(mbtiles).ok()?;
    let data = lbm_formats::mbtiles::tile(&conn, lbm_formats::TileCoord::new(z, x, y)?).ok()??;
    let raw = lbm_test_support::gunzip_if_needed(&data);
    let mut tile = Tile::decode(raw.as_slice()).ok()?;
    tile.layers.retain_mut(|l| match rename(shape, &l.name) {
        Some(name) => {
            l.name = name.to_string();
            for k in &mut l.keys {
                if shape == "omt" && k == "kind" {
                    *k = "class".into();
                }
            }
            true
        }
        None => false,
    });
    Some(tile.encode_to_vec())
}

fn protobuf(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/x-protobuf")], body).into_response()
}

/// The sprite: one 16 px dot (32 px at @2x), as JSON index and PNG sheet.
fn sprite(file: &str) -> Response {
    let ratio = if file.contains("@2x") { 2 } else { 1 };
    if file.ends_with(".json") {
        let s = 16 * ratio;
        return Json(
            json!({"dot": {"x": 0, "y": 0, "width": s, "height": s, "pixelRatio": ratio}}),
        )
        .into_response();
    }
    let side = 16 * ratio;
    let mut rgba = Vec::with_capacity((side * side * 4) as usize);
    for j in 0..side {
        for i in 0..side {
            let (dx, dy) = (
                i as f64 - side as f64 / 2.0 + 0.5,
                j as f64 - side as f64 / 2.0 + 0.5,
            );
            let inside = dx.hypot(dy) < side as f64 / 3.0;
            rgba.extend_from_slice(if inside {
                &[60, 60, 60, 255]
            } else {
                &[0, 0, 0, 0]
            });
        }
    }
    let mut png = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png, side, side);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("png header");
        w.write_image_data(&rgba).expect("png data");
    }
    ([(header::CONTENT_TYPE, "image/png")], png).into_response()
}

async fn glyphs(UrlPath((shape, font, range)): UrlPath<(String, String, String)>) -> Response {
    let _ = shape;
    let start = range
        .strip_suffix(".pbf")
        .and_then(|r| lbm_server::glyphs::parse_range(r).ok());
    let Some(start) = start else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let stack = tokio::task::spawn_blocking(move || {
        lbm_server::glyphs::render_range(&lbm_server::glyphs::FONTS[0], start)
    })
    .await
    .expect("render task");
    match stack {
        Ok(s) => protobuf(lbm_server::glyphs::encode_stack(&font, start, vec![s])),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn routes(host: Host) -> Router {
    let tile = |shape: &'static str, z: String, x: String, y: String, host: Host| {
        let parsed = (
            z.parse::<u8>(),
            x.parse::<u32>(),
            y.trim_end_matches(".pbf").parse::<u32>(),
        );
        let (Ok(z), Ok(x), Ok(y)) = parsed else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        match shaped_tile(&host.mbtiles, shape, z, x, y) {
            Some(body) => protobuf(body),
            None => StatusCode::NO_CONTENT.into_response(),
        }
    };
    Router::new()
        .route(
            "/{shape}/style.json",
            get(|State(h): State<Host>, UrlPath(shape): UrlPath<String>| async move {
                Json(style(&shape, &h.base))
            }),
        )
        .route(
            "/omt/tiles.json",
            get(|State(h): State<Host>| async move {
                Json(json!({
                    "tilejson": "3.0.0",
                    "tiles": [format!("{}/omt/tiles/{{z}}/{{x}}/{{y}}.pbf", h.base)],
                    "minzoom": 4, "maxzoom": 12,
                    "attribution": "OpenMapTiles (test shape)",
                    "vector_layers": [{"id": "water"}, {"id": "landcover"}, {"id": "boundary"}, {"id": "place"}],
                }))
            }),
        )
        // PDOK's OGC API order: {z}/{y}/{x}.
        .route(
            "/pdok/tiles/WebMercatorQuad/{z}/{y}/{x}",
            get(move |State(h): State<Host>, UrlPath((z, y, x)): UrlPath<(String, String, String)>| async move {
                tile("pdok", z, x, y, h)
            }),
        )
        .route(
            "/omt/tiles/{z}/{x}/{y}",
            get(move |State(h): State<Host>, UrlPath((z, x, y)): UrlPath<(String, String, String)>| async move {
                tile("omt", z, x, y, h)
            }),
        )
        .route("/pdok/resources/sprites/{file}", get(|UrlPath(f): UrlPath<String>| async move { sprite(&f) }))
        .route("/omt/sprites/{file}", get(|UrlPath(f): UrlPath<String>| async move { sprite(&f) }))
        .route("/{shape}/resources/fonts/{font}/{range}", get(glyphs))
        .route("/{shape}/fonts/{font}/{range}", get(glyphs))
        .layer(tower_http::cors::CorsLayer::permissive())
        .with_state(host)
}

impl BasemapOrigin {
    /// Serves the shapes from the tiles of `basemap_mbtiles` on 127.0.0.1 and an ephemeral port.
    pub fn start(basemap_mbtiles: &Path) -> Self {
        let mbtiles = basemap_mbtiles.to_path_buf();
        let server = crate::local_server::LocalServer::start(move |addr| {
            routes(Host {
                base: format!("http://{addr}"),
                mbtiles,
            })
        });
        BasemapOrigin {
            base: format!("http://{}", server.addr),
            _server: server,
        }
    }

    /// The style URL of `shape` (`pdok` or `omt`).
    pub fn style_url(&self, shape: &str) -> String {
        format!("{}/{shape}/style.json", self.base)
    }
}

//! `GET /styles/{tileset}.json`: a MapLibre style (v8) drawing layer `grid` in the class colours.

use axum::extract::{Path, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::tilejson::{tilejson_url, tileset_document};
use crate::error::ApiError;
use crate::tileset::TilesetInfo;
use crate::AppState;

/// Fallback colour when a tileset has no classification.
const NO_DATA_COLOR: &str = "#bdbdbd";

/// The `fill-color` expression: a `match` on `class` to the class colours.
pub fn fill_color(info: &TilesetInfo) -> Value {
    let Some(c) = &info.classification else {
        return json!(NO_DATA_COLOR);
    };
    let mut expr = vec![json!("match"), json!(["get", "class"])];
    for class in &c.classes {
        expr.push(json!(class.class));
        expr.push(json!(class.color));
    }
    expr.push(json!(c.no_data.color));
    if c.classes.is_empty() {
        return json!(c.no_data.color);
    }
    Value::Array(expr)
}

/// Area levels drawn automatically by zoom, coarse to fine, with the zoom where each starts
/// when a coarser level is present (gemeente below 9, wijk 9..11, buurt 11..13, cells above).
pub const AUTO_LEVELS: [(&str, u8); 3] = [("gemeente", 0), ("wijk", 9), ("buurt", 11)];

/// Zoom where the grid takes over after the finest area level `level`.
fn grid_start_after(level: &str) -> u8 {
    match level {
        "gemeente" => 9,
        "wijk" => 11,
        _ => 13,
    }
}

/// The automatic level plan of a tileset: `(source layer, minzoom, maxzoom exclusive)` for
/// each area level it has and for `grid`, consecutive and without overlap. Without area layers
/// the grid covers every zoom.
pub fn level_plan(info: &TilesetInfo) -> Vec<(String, u8, u8)> {
    let present: Vec<&str> = AUTO_LEVELS
        .iter()
        .map(|(l, _)| *l)
        .filter(|l| info.areas.iter().any(|a| a.layer == *l))
        .collect();
    let Some(last) = present.last() else {
        return vec![("grid".into(), info.minzoom, 24)];
    };
    let mut starts: Vec<(String, u8)> = present
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let default = AUTO_LEVELS.iter().find(|(n, _)| n == l).map_or(0, |x| x.1);
            let start = if i == 0 { info.minzoom } else { default };
            ((*l).to_string(), start)
        })
        .collect();
    starts.push(("grid".into(), grid_start_after(last).max(info.minzoom)));
    let mut plan = Vec::new();
    for (i, (layer, start)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(24, |s| s.1);
        if end > *start {
            plan.push((layer.clone(), *start, end));
        }
    }
    plan
}

/// The MapLibre style of a tileset: the grid and, when present, the area layers (fill in the
/// class colours plus an outline), each shown in its zoom band of [`level_plan`].
pub fn style(info: &TilesetInfo, base: &str) -> Value {
    let source = "lbm";
    let mut layers = Vec::new();
    for (layer, minzoom, maxzoom) in level_plan(info) {
        let mut fill = json!({
            "id": format!("{layer}-fill"),
            "type": "fill",
            "source": source,
            "source-layer": layer,
            "minzoom": minzoom,
            "paint": {
                "fill-color": fill_color(info),
                "fill-opacity": 0.8
            }
        });
        if maxzoom < 24 {
            fill["maxzoom"] = json!(maxzoom);
        }
        layers.push(fill);
        if layer == "grid" {
            layers.push(json!({
                "id": "grid-outline",
                "type": "line",
                "source": source,
                "source-layer": "grid",
                "minzoom": minzoom.max(12),
                "paint": {
                    "line-color": "rgba(255, 255, 255, 0.6)",
                    "line-width": ["interpolate", ["linear"], ["zoom"], 12, 0.2, 16, 1]
                }
            }));
        } else {
            let mut outline = json!({
                "id": format!("{layer}-outline"),
                "type": "line",
                "source": source,
                "source-layer": layer,
                "minzoom": minzoom,
                "paint": {
                    "line-color": "rgba(60, 60, 60, 0.8)",
                    "line-width": ["interpolate", ["linear"], ["zoom"], 5, 0.4, 13, 1.5]
                }
            });
            if maxzoom < 24 {
                outline["maxzoom"] = json!(maxzoom);
            }
            layers.push(outline);
        }
    }
    json!({
        "version": 8,
        "name": info.name,
        "metadata": {
            "lbm:tileset": info.id, "lbm:kind": info.kind, "lbm:measure": info.measure,
            "lbm:year": info.year, "lbm:year_from": info.year_from, "lbm:year_to": info.year_to
        },
        "center": [info.center[0], info.center[1]],
        "zoom": info.center[2],
        "sources": {
            source: {"type": "vector", "url": tilejson_url(base, &info.id)}
        },
        "layers": layers
    })
}

/// Handler of `/styles/{file}`.
pub async fn handler(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    tileset_document(&state, &file, &headers, style)
}

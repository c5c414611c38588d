//! `GET /styles/{tileset}.json`: a MapLibre style (v8) drawing layer `grid` in the class colours.

use axum::extract::{Path, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::tilejson::{json_stem, tilejson_url, url_document};
use crate::error::ApiError;
use crate::http::base_url;
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

/// The MapLibre style of a tileset.
pub fn style(info: &TilesetInfo, base: &str) -> Value {
    let source = "lbm";
    let layer_min = info.minzoom;
    json!({
        "version": 8,
        "name": info.name,
        "metadata": {"lbm:tileset": info.id, "lbm:measure": info.measure, "lbm:year": info.year},
        "center": [info.center[0], info.center[1]],
        "zoom": info.center[2],
        "sources": {
            source: {"type": "vector", "url": tilejson_url(base, &info.id)}
        },
        "layers": [
            {
                "id": "grid-fill",
                "type": "fill",
                "source": source,
                "source-layer": "grid",
                "minzoom": layer_min,
                "paint": {
                    "fill-color": fill_color(info),
                    "fill-opacity": 0.8
                }
            },
            {
                "id": "grid-outline",
                "type": "line",
                "source": source,
                "source-layer": "grid",
                "minzoom": 12,
                "paint": {
                    "line-color": "rgba(255, 255, 255, 0.6)",
                    "line-width": ["interpolate", ["linear"], ["zoom"], 12, 0.2, 16, 1]
                }
            }
        ]
    })
}

/// Handler of `/styles/{file}`.
pub async fn handler(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = json_stem(&file)?;
    let tileset = state
        .catalog
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("unknown tileset {id:?}")))?;
    let base = base_url(state.config.public_url.as_deref(), &headers);
    let public_url = state.config.public_url.as_deref();
    Ok(url_document(
        &style(&tileset.info, &base),
        public_url,
        &headers,
    ))
}

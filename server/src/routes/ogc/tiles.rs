//! OGC API – Tiles: each tileset as vector tiles in the `WebMercatorQuad` tile matrix set (the
//! XYZ scheme of `/tiles`: `tileMatrix` is z, `tileCol` x and `tileRow` y), with links to its
//! style and TileJSON.

use std::collections::HashMap;
use std::f64::consts::PI;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::collections::{find, Collection};
use super::{base, collection_url, link, params, typed};
use crate::error::ApiError;
use crate::urls::{self, Part};
use crate::AppState;

/// The one tile matrix set.
const WEB_MERCATOR_QUAD: &str = "WebMercatorQuad";
/// Its URI in the OGC register.
const TMS_URI: &str = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
/// Its CRS.
const TMS_CRS: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";
/// Half the side of the Web Mercator square, in metres.
const ORIGIN: f64 = 20_037_508.342_789_244;
/// The deepest tile matrix defined.
const TMS_MAX_ZOOM: u8 = 24;

/// The rows or columns of tile `z` covering longitudes `w..e` or latitudes `s..n`.
fn tile_range(z: u8, lo: f64, hi: f64, lat: bool) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let f = |v: f64| {
        if lat {
            let r = v.clamp(-85.051_128, 85.051_128).to_radians();
            (1.0 - (r.tan() + 1.0 / r.cos()).ln() / PI) / 2.0 * n
        } else {
            (v + 180.0) / 360.0 * n
        }
    };
    let (a, b) = (f(lo), f(hi));
    let max = (1u32 << z) - 1;
    let clamp = |v: f64| (v.floor().max(0.0) as u32).min(max);
    (clamp(a.min(b)), clamp(a.max(b)))
}

/// The tile matrix set `WebMercatorQuad` (OGC Two Dimensional Tile Matrix Set 2.0), zooms 0 to
/// [`TMS_MAX_ZOOM`].
fn tile_matrix_set_document() -> Value {
    let matrices: Vec<Value> = (0..=TMS_MAX_ZOOM)
        .map(|z| {
            let n = 1u64 << z;
            let cell = 2.0 * ORIGIN / 256.0 / n as f64;
            json!({
                "id": z.to_string(),
                "scaleDenominator": cell / 0.28e-3,
                "cellSize": cell,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-ORIGIN, ORIGIN],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": n,
                "matrixHeight": n,
            })
        })
        .collect();
    json!({
        "id": WEB_MERCATOR_QUAD,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": TMS_CRS,
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
    })
}

/// A 404 for any tile matrix set but the one served.
fn known_tile_matrix_set(tms: &str) -> Result<(), ApiError> {
    if tms == WEB_MERCATOR_QUAD {
        return Ok(());
    }
    Err(ApiError::not_found(format!(
        "no tile matrix set {tms:?}; there is {WEB_MERCATOR_QUAD}"
    )))
}

fn tms_url(base: &str) -> String {
    urls::OGC_TILE_MATRIX_SET.url(base, &[Part::Value(WEB_MERCATOR_QUAD)])
}

/// The URL template of a tileset's tiles.
fn tile_template(base: &str, id: &str) -> String {
    urls::OGC_TILE.url(
        base,
        &[
            Part::Value(id),
            Part::Value(WEB_MERCATOR_QUAD),
            Part::Raw("{tileMatrix}"),
            Part::Raw("{tileRow}"),
            Part::Raw("{tileCol}"),
        ],
    )
}

/// The links of a tileset collection: its tilesets, style and TileJSON.
pub(super) fn collection_links(base: &str, id: &str) -> Vec<Value> {
    vec![
        link(
            collection_url(base, urls::OGC_TILESETS, id),
            "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
            "application/json",
            "The vector tiles",
        ),
        link(
            urls::style_url(base, id),
            "stylesheet",
            "application/vnd.mapbox.style+json",
            "MapLibre style (the web map's colours and legend classes)",
        ),
        link(
            urls::tilejson_url(base, id),
            "alternate",
            "application/json",
            "TileJSON 3.0",
        ),
    ]
}

/// `GET /ogc/tileMatrixSets`.
pub(crate) async fn tile_matrix_sets(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params(query, &[])?;
    let base = base(&state, &headers);
    let doc = json!({"tileMatrixSets": [{
        "id": WEB_MERCATOR_QUAD, "title": "Google Maps Compatible for the World", "uri": TMS_URI,
        "links": [link(tms_url(&base), "self", "application/json", "WebMercatorQuad")],
    }]});
    Ok(typed(&doc, &headers, "application/json"))
}

/// `GET /ogc/tileMatrixSets/{tileMatrixSetId}`.
pub(crate) async fn tile_matrix_set(
    Path(tms): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params(query, &[])?;
    known_tile_matrix_set(&tms)?;
    Ok(typed(
        &tile_matrix_set_document(),
        &headers,
        "application/json",
    ))
}

/// The tileset of collection `id`, or a 404.
fn tileset_of(
    state: &AppState,
    id: &str,
) -> Result<std::sync::Arc<crate::tileset::Tileset>, ApiError> {
    let snapshot = state.catalog.snapshot();
    match find(&snapshot, id)? {
        Collection::Tiles { id } => state
            .catalog
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("unknown tileset {id:?}"))),
        _ => Err(ApiError::not_found(format!(
            "collection {id:?} has features, not tiles: /ogc/collections lists the tilesets"
        ))),
    }
}

/// The description of one tileset in `WebMercatorQuad`.
fn tileset_document(base: &str, tileset: &crate::tileset::Tileset) -> Value {
    let meta = &tileset.info.meta;
    let id = &tileset.info.id;
    let [w, s, e, n] = meta.bounds;
    let limits: Vec<Value> = (meta.minzoom..=meta.maxzoom)
        .map(|z| {
            let (c0, c1) = tile_range(z, w, e, false);
            let (r0, r1) = tile_range(z, s, n, true);
            json!({"tileMatrix": z.to_string(), "minTileRow": r0, "maxTileRow": r1,
                   "minTileCol": c0, "maxTileCol": c1})
        })
        .collect();
    let layers: Vec<Value> = meta
        .vector_layers
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            json!({
                "id": l["id"], "dataType": "vector", "geometryDimension": 2,
                "minTileMatrix": l["minzoom"].as_u64().unwrap_or(u64::from(meta.minzoom)).to_string(),
                "maxTileMatrix": l["maxzoom"].as_u64().unwrap_or(u64::from(meta.maxzoom)).to_string(),
                "propertiesSchema": {"type": "object", "properties": l["fields"].as_object().map(|f| {
                    f.iter().map(|(k, v)| (k.clone(), json!({"type": if v == "Number" { "number" } else { "string" }})))
                        .collect::<serde_json::Map<_, _>>()
                }).unwrap_or_default()},
            })
        })
        .collect();
    let mut links = vec![
        link(
            urls::OGC_TILESET.url(base, &[Part::Value(id), Part::Value(WEB_MERCATOR_QUAD)]),
            "self",
            "application/json",
            "This tileset",
        ),
        link(
            tms_url(base),
            "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
            "application/json",
            "WebMercatorQuad",
        ),
        json!({"href": tile_template(base, id), "rel": "item", "type": "application/vnd.mapbox-vector-tile",
               "templated": true, "title": "A tile"}),
    ];
    links.extend(collection_links(base, id).into_iter().skip(1));
    json!({
        "title": meta.name,
        "description": meta.description,
        "dataType": "vector",
        "crs": TMS_CRS,
        "tileMatrixSetURI": TMS_URI,
        "tileMatrixSetLimits": limits,
        "boundingBox": {"lowerLeft": [w, s], "upperRight": [e, n], "crs": super::CRS84},
        "minTileMatrix": meta.minzoom.to_string(),
        "maxTileMatrix": meta.maxzoom.to_string(),
        "layers": layers,
        "links": links,
    })
}

/// `GET /ogc/collections/{collectionId}/tiles`: the tilesets of a collection (one).
pub(crate) async fn tilesets(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params(query, &[])?;
    let tileset = tileset_of(&state, &id)?;
    let base = base(&state, &headers);
    let doc = tileset_document(&base, &tileset);
    let entry = json!({
        "title": doc["title"], "dataType": "vector", "crs": TMS_CRS, "tileMatrixSetURI": TMS_URI,
        "links": doc["links"],
    });
    Ok(typed(
        &json!({"tilesets": [entry]}),
        &headers,
        "application/json",
    ))
}

/// `GET /ogc/collections/{collectionId}/tiles/{tileMatrixSetId}`.
pub(crate) async fn tileset(
    State(state): State<AppState>,
    Path((id, tms)): Path<(String, String)>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params(query, &[])?;
    known_tile_matrix_set(&tms)?;
    let tileset = tileset_of(&state, &id)?;
    let base = base(&state, &headers);
    Ok(typed(
        &tileset_document(&base, &tileset),
        &headers,
        "application/json",
    ))
}

/// The path of a tile request, as captured.
type TilePath = (String, String, String, String, String);

/// `GET /ogc/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}`.
pub(crate) async fn tile(
    State(state): State<AppState>,
    Path((id, tms, z, row, col)): Path<TilePath>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params(query, &[])?;
    known_tile_matrix_set(&tms)?;
    tileset_of(&state, &id)?;
    super::super::tiles::tile_at(&state, &id, (&z, &col, &row), &headers).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_mercator_quad_is_the_registered_definition() {
        let d = tile_matrix_set_document();
        let z0 = &d["tileMatrices"][0];
        // The OGC register's values for zoom 0.
        assert!((z0["scaleDenominator"].as_f64().unwrap() - 559_082_264.028_717_8).abs() < 1e-3);
        assert!((z0["cellSize"].as_f64().unwrap() - 156_543.033_928_041).abs() < 1e-6);
        assert_eq!(d["tileMatrices"][24]["matrixWidth"], 1u64 << 24);
    }

    #[test]
    fn tile_ranges_cover_the_bounds() {
        // Utrecht at zoom 10: tile x 526, y 337.
        assert_eq!(tile_range(10, 5.1, 5.1, false), (526, 526));
        assert_eq!(tile_range(10, 52.09, 52.09, true), (337, 337));
        assert_eq!(tile_range(0, -180.0, 180.0, false), (0, 0));
    }
}

//! OGC API – Features and – Tiles at `/ogc`, for GIS clients (QGIS's OAPIF provider, ArcGIS,
//! GDAL): the areas of each level and year and the 100 m cells of each year as feature
//! collections, and every tileset as a vector tile collection in `WebMercatorQuad`.
//!
//! Collections: `{level}-{year}` (`gemeente-2022`, `buurt-2024`, `pc4-2022`), `grid-{year}`
//! (with a required `bbox`), and each tileset by its id (`lbm-2022`). The values and classes
//! are those of the tiles and `/api/v1` (the same published values and the one `classify`).

mod collections;
mod features;
mod openapi;
mod tiles;

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::Response;
use serde_json::{json, Value};

use super::tilejson::json_response;
use crate::error::ApiError;
use crate::urls::{self, base_url, Part};
use crate::AppState;

pub(super) use collections::{collection, collections};
pub(super) use features::{item, items};
pub(super) use openapi::openapi;
pub(super) use tiles::{tile, tile_matrix_set, tile_matrix_sets, tileset, tilesets};

/// The CRS of every geometry and bbox: WGS84 longitude, latitude.
const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// The conformance classes implemented.
const CONFORMANCE: [&str; 9] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
];

/// The base URL of the links: the configured public URL, else the request's host.
fn base(state: &AppState, headers: &HeaderMap) -> String {
    base_url(state.config.public_url.as_deref(), headers)
}

/// A link object.
fn link(href: String, rel: &str, kind: &str, title: &str) -> Value {
    json!({"href": href, "rel": rel, "type": kind, "title": title})
}

/// The query parameters, refusing any a route does not define (OGC API – Features
/// `/req/core/query-param-unknown`) and any `f` other than JSON.
fn params(
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    allowed: &[&str],
) -> Result<HashMap<String, String>, ApiError> {
    let Query(params) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    for (k, v) in &params {
        if k == "f" {
            if ![
                "json",
                "geojson",
                "application/json",
                "application/geo+json",
            ]
            .contains(&v.as_str())
            {
                return Err(ApiError::bad_request(format!(
                    "f={v}: this API answers JSON only (f=json)"
                )));
            }
        } else if !allowed.contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "unknown query parameter {k:?}; this request takes {}",
                if allowed.is_empty() {
                    "only f".to_string()
                } else {
                    format!("{} and f", allowed.join(", "))
                }
            )));
        }
    }
    Ok(params)
}

/// [`json_response`] with `content_type`.
fn typed(value: &Value, headers: &HeaderMap, content_type: &'static str) -> Response {
    let mut response = json_response(value, headers);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `GET /ogc`: the landing page.
pub(super) async fn landing(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params(query, &[])?;
    let base = base(&state, &headers);
    let url = |route: urls::Route| route.url(&base, &[]);
    let doc = json!({
        "title": "Leefbaarometer",
        "description": "De Leefbaarometer als OGC API: de scores van gemeenten, wijken, buurten, \
                        postcodegebieden en 100 m-cellen per jaar als features, en de kaarten als \
                        vector tiles. Livability scores of the Netherlands as OGC API Features and \
                        Tiles.",
        "links": [
            link(url(urls::OGC_LANDING), "self", "application/json", "This document"),
            link(url(urls::OGC_API), "service-desc",
                 "application/vnd.oai.openapi+json;version=3.0", "The API definition (OpenAPI 3.0)"),
            link(url(urls::OGC_CONFORMANCE), "conformance", "application/json",
                 "The conformance classes implemented"),
            link(url(urls::OGC_COLLECTIONS), "data", "application/json", "The collections"),
            link(url(urls::OGC_TILE_MATRIX_SETS), "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
                 "application/json", "The tiling schemes"),
        ],
    });
    Ok(typed(&doc, &headers, "application/json"))
}

/// `GET /ogc/conformance`.
pub(super) async fn conformance(
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params(query, &[])?;
    Ok(typed(
        &json!({"conformsTo": CONFORMANCE}),
        &headers,
        "application/json",
    ))
}

/// The URL of collection `id`'s document, items or another route under it.
fn collection_url(base: &str, route: urls::Route, id: &str) -> String {
    route.url(base, &[Part::Value(id)])
}

/// The path segment of a collection, as captured.
type CollectionPath = Path<String>;

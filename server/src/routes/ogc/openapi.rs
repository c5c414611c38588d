//! `GET /ogc/api`: the OpenAPI 3.0 definition of the OGC API at `/ogc` and of the JSON API at
//! `/api/v1`, the landing page's `service-desc`.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::features::GRID_MAX_KM;
use super::{base, params, typed};
use crate::error::ApiError;
use crate::urls;
use crate::AppState;

/// A path parameter.
fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description,
           "schema": {"type": "string"}})
}

/// A query parameter of `schema`.
fn query_param(name: &str, description: &str, required: bool, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": required, "description": description,
           "schema": schema, "style": "form", "explode": false})
}

/// A GET operation answering `content_type`.
fn get(id: &str, summary: &str, parameters: Vec<Value>, content_type: &str) -> Value {
    let mut ok = Map::new();
    ok.insert(
        content_type.to_string(),
        json!({"schema": {"type": "object"}}),
    );
    json!({"get": {
        "operationId": id,
        "summary": summary,
        "parameters": parameters,
        "responses": {
            "200": {"description": "OK", "content": ok},
            "400": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"},
        },
    }})
}

/// Common parameters of the OGC routes.
struct Params {
    f: Value,
    collection: Value,
    tms: Value,
}

impl Params {
    fn new() -> Self {
        Params {
            f: query_param(
                "f",
                "The format: JSON only",
                false,
                json!({"type": "string", "enum": ["json"]}),
            ),
            collection: path_param(
                "collectionId",
                "`{level}-{year}` (gemeente-2022, buurt-2024, pc4-2022), `grid-{year}`, or a tileset id",
            ),
            tms: path_param("tileMatrixSetId", "WebMercatorQuad"),
        }
    }
}

/// The `paths` object being filled.
struct Paths(Map<String, Value>);

impl Paths {
    /// Adds `route` with operation `op`, under its pattern with our segment names as OGC names
    /// them.
    fn add(&mut self, route: urls::Route, op: Value) {
        let path = route
            .pattern
            .replace("{collection}", "{collectionId}")
            .replace("{feature}", "{featureId}")
            .replace("{tms}", "{tileMatrixSetId}")
            .replace("{z}", "{tileMatrix}")
            .replace("{row}", "{tileRow}")
            .replace("{col}", "{tileCol}");
        self.0.insert(path, op);
    }
}

/// The OGC API – Features routes.
fn feature_paths(paths: &mut Paths, p: &Params) {
    let Params { f, collection, .. } = p;
    paths.add(
        urls::OGC_LANDING,
        get(
            "landing",
            "Landing page",
            vec![f.clone()],
            "application/json",
        ),
    );
    paths.add(
        urls::OGC_CONFORMANCE,
        get(
            "conformance",
            "Conformance classes",
            vec![f.clone()],
            "application/json",
        ),
    );
    paths.add(
        urls::OGC_API,
        get(
            "api",
            "This definition",
            vec![f.clone()],
            "application/vnd.oai.openapi+json;version=3.0",
        ),
    );
    paths.add(
        urls::OGC_COLLECTIONS,
        get(
            "collections",
            "The collections",
            vec![f.clone()],
            "application/json",
        ),
    );
    paths.add(
        urls::OGC_COLLECTION,
        get(
            "collection",
            "One collection",
            vec![collection.clone(), f.clone()],
            "application/json",
        ),
    );
    let items_params =
        vec![
        collection.clone(),
        query_param(
            "limit",
            "Features per page: areas 1-1000 (10 by default), cells 1-10000 (100); larger values \
             are capped",
            false,
            json!({"type": "integer", "minimum": 1, "maximum": 10000, "default": 10}),
        ),
        query_param(
            "offset",
            "Features to skip (the `next` link pages with it)",
            false,
            json!({"type": "integer", "minimum": 0, "default": 0}),
        ),
        query_param(
            "bbox",
            &format!(
                "minlon,minlat,maxlon,maxlat (CRS84): the features that meet it; required for \
                 grid-{{year}}, at most {GRID_MAX_KM} × {GRID_MAX_KM} km"
            ),
            false,
            json!({"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}),
        ),
        query_param(
            "bbox-crs",
            "CRS84 only",
            false,
            json!({"type": "string", "format": "uri"}),
        ),
        query_param("crs", "CRS84 only", false, json!({"type": "string", "format": "uri"})),
        f.clone(),
    ];
    paths.add(
        urls::OGC_ITEMS,
        get(
            "items",
            "The features of a collection: code, name, level, parent (the gemeente), year, and \
             per measure (lbm, afw, fys, onv, soc, vrz, won) the value and its class 1-9 \
             ({measure}_class)",
            items_params,
            "application/geo+json",
        ),
    );
    paths.add(
        urls::OGC_ITEM,
        get(
            "item",
            "One feature: an area by its code, a cell by its id (E1213N4879)",
            vec![
                collection.clone(),
                path_param("featureId", "Area code or cell id"),
                f.clone(),
            ],
            "application/geo+json",
        ),
    );
}

/// The OGC API – Tiles routes.
fn tile_paths(paths: &mut Paths, p: &Params) {
    let Params { f, collection, tms } = p;
    paths.add(
        urls::OGC_TILE_MATRIX_SETS,
        get(
            "tileMatrixSets",
            "The tile matrix sets",
            vec![f.clone()],
            "application/json",
        ),
    );
    paths.add(
        urls::OGC_TILE_MATRIX_SET,
        get(
            "tileMatrixSet",
            "A tile matrix set",
            vec![tms.clone(), f.clone()],
            "application/json",
        ),
    );
    paths.add(
        urls::OGC_TILESETS,
        get(
            "tilesets",
            "The vector tilesets of a tileset collection",
            vec![collection.clone(), f.clone()],
            "application/json",
        ),
    );
    paths.add(
        urls::OGC_TILESET,
        get(
            "tileset",
            "A vector tileset in a tile matrix set",
            vec![collection.clone(), tms.clone(), f.clone()],
            "application/json",
        ),
    );
    paths.add(
        urls::OGC_TILE,
        get(
            "tile",
            "A Mapbox Vector Tile (204: no features there)",
            vec![
                collection.clone(),
                tms.clone(),
                path_param("tileMatrix", "Zoom"),
                path_param("tileRow", "Row (y)"),
                path_param("tileCol", "Column (x)"),
            ],
            "application/vnd.mapbox-vector-tile",
        ),
    );
}

/// The JSON API at `/api/v1`.
fn api_paths(paths: &mut Paths) {
    let code = path_param("code", "An area code: GM0344, WK034401, BU03440101, 3511");
    let lonlat = |name: &str, d: &str| query_param(name, d, true, json!({"type": "number"}));
    paths.add(
        urls::POINT,
        get(
            "point",
            "The 100 m cell and the areas at a place, every measure and year, with classes",
            vec![lonlat("lon", "Longitude"), lonlat("lat", "Latitude")],
            "application/json",
        ),
    );
    paths.add(
        urls::SEARCH,
        get(
            "search",
            "Areas by name or code, cells by id, coordinates",
            vec![
                query_param("q", "What to find", true, json!({"type": "string"})),
                query_param(
                    "limit",
                    "Results, 1-50",
                    false,
                    json!({"type": "integer", "minimum": 1, "maximum": 50}),
                ),
            ],
            "application/json",
        ),
    );
    paths.add(
        urls::AREA,
        get(
            "area",
            "An area by its code: level, name, parent, centre, values and classes per year and change period",
            vec![code.clone()],
            "application/json",
        ),
    );
    paths.add(
        urls::AREA_REPORT,
        get(
            "areaReport",
            "The report of an area: means per year and class distributions",
            vec![code],
            "application/json",
        ),
    );
    paths.add(
        urls::NATIONAL_REPORT,
        get(
            "nationalReport",
            "The report of the Netherlands",
            vec![],
            "application/json",
        ),
    );
}

/// The definition, with the server at `base`.
fn document(base: &str) -> Value {
    let params = Params::new();
    let mut paths = Paths(Map::new());
    feature_paths(&mut paths, &params);
    tile_paths(&mut paths, &params);
    api_paths(&mut paths);
    let paths = paths.0;
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Leefbaarometer",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "OGC API – Features and – Tiles of the Leefbaarometer, and its JSON API.",
            "license": {"name": "MIT OR Apache-2.0"},
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": {"responses": {"Error": {
            "description": "A bad request or nothing found",
            "content": {"application/json": {"schema": {"type": "object",
                "properties": {"error": {"type": "string"}}}}},
        }}},
    })
}

/// `GET /ogc/api`.
pub(crate) async fn openapi(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params(query, &[])?;
    let base = base(&state, &headers);
    Ok(typed(
        &document(&base),
        &headers,
        "application/vnd.oai.openapi+json;version=3.0",
    ))
}

//! The web map: `/`, `/embed`, `/static/...` and `/vendor/maplibre-gl/...` from the binary.

use axum::http::header::HeaderMap;
use axum::http::{Method, Uri};
use axum::response::Response;

use crate::assets;
use crate::error::ApiError;

fn serve_path(path: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    if assets::ASSETS.is_empty() {
        return Err(ApiError::not_found(
            "this lbm-server was built without the web map (cargo feature `web`); \
             tiles, styles and the APIs are served",
        ));
    }
    let index =
        assets::find(path).ok_or_else(|| ApiError::not_found(format!("no such file: {path}")))?;
    Ok(assets::serve(index, headers))
}

/// `/`: the web map.
pub(super) async fn index(headers: HeaderMap) -> Result<Response, ApiError> {
    serve_path("/static/index.html", &headers)
}

/// `/embed`: the map alone, for municipal sites to frame.
pub(super) async fn embed(headers: HeaderMap) -> Result<Response, ApiError> {
    serve_path("/static/embed.html", &headers)
}

/// Everything else: embedded files for GET/HEAD, 404/405 JSON otherwise.
pub(super) async fn fallback(
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let path = uri.path();
    let known = assets::find(path);
    if method != Method::GET && method != Method::HEAD {
        return Err(match known {
            Some(_) => ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed (use GET or HEAD)",
            ),
            None => ApiError::not_found(format!("no route for {method} {path}")),
        });
    }
    match known {
        Some(i) => Ok(assets::serve(i, &headers)),
        None => Err(ApiError::not_found(format!("no route for {path}"))),
    }
}

//! Cross-origin requests: the CORS layer of `--cors-origins`, and the same headers for the
//! answers of the fast path.

use std::time::Duration;

use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::Method;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Headers a client script may read (`Access-Control-Expose-Headers`): range readers of
/// `/archives/` need the total size from Content-Range.
const EXPOSED_HEADERS: [HeaderName; 4] = [
    header::ETAG,
    header::CONTENT_LENGTH,
    header::CONTENT_RANGE,
    header::ACCEPT_RANGES,
];

/// [`EXPOSED_HEADERS`] as the header value the CORS layer sends.
static EXPOSED_VALUE: std::sync::LazyLock<HeaderValue> = std::sync::LazyLock::new(|| {
    let names: Vec<&str> = EXPOSED_HEADERS.iter().map(HeaderName::as_str).collect();
    HeaderValue::from_str(&names.join(",")).expect("header names are header values")
});

/// The origins `--cors-origins` allows, `None` for every origin (none valid given, or `*`).
pub(crate) fn allowed_origins(origins: &[String]) -> Option<Vec<HeaderValue>> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    (!origins.is_empty() && !origins.iter().any(|o| o == "*")).then_some(origins)
}

/// The CORS layer for the allowed `origins`.
pub(super) fn layer(origins: &[String]) -> CorsLayer {
    let allow = match allowed_origins(origins) {
        None => AllowOrigin::any(),
        Some(list) => AllowOrigin::list(list),
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([header::IF_NONE_MATCH, header::RANGE])
        .expose_headers(EXPOSED_HEADERS)
        .max_age(Duration::from_secs(86400))
}

/// The CORS headers the layer adds for a server that allows every origin.
pub(super) fn any_origin(headers: &mut HeaderMap) {
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_VALUE.clone());
}

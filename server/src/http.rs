//! HTTP behaviour around the routes: CORS, security headers, path guards, JSON errors,
//! timeouts, panics, metrics and access logs; plus small header helpers.

use std::time::{Duration, Instant};

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;

use crate::error::json_error;
use crate::AppState;

/// Default longest accepted request target (path and query), in bytes (`--max-uri-bytes`).
pub const MAX_URI_LEN: usize = 1024;

/// Wraps the routes in every layer, outermost first: panic catcher, the [`edge`] of every
/// request (guard, JSON error bodies, security headers, metrics and access log), timeout, CORS.
pub fn with_layers(routes: Router, state: AppState) -> Router {
    let timeout = state.config.timeout();
    let cors = cors_layer(&state.config.cors_origins);
    routes.layer(
        ServiceBuilder::new()
            .layer(CatchPanicLayer::custom(
                |_: Box<dyn std::any::Any + Send>| {
                    tracing::error!("handler panicked");
                    json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
                },
            ))
            .layer(middleware::from_fn_with_state(state, edge))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                timeout,
            ))
            .layer(cors),
    )
}

/// What happens around every request, in one middleware (each `from_fn` layer costs a boxed
/// future and a clone of the inner services per request; four of them were a measurable part of
/// a cached tile): [`refusal`] before routing, then on the way out [`with_json_error`],
/// [`with_security_headers`] and [`observe`].
async fn edge(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    // A `Uri` clone shares its bytes; the path is read after the handler took the request.
    let uri = req.uri().clone();
    let response = match refusal(&state, &req) {
        Some(refused) => refused,
        None => next.run(req).await,
    };
    let mut response = with_json_error(response);
    with_security_headers(&state, uri.path(), &mut response);
    observe(&state, &method, uri.path(), start, &response);
    response
}

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

fn cors_layer(origins: &[String]) -> CorsLayer {
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

/// A cached tile answered before the router and its layers ([`crate::routes::cached_tile`]),
/// with what the layers would add: the [`refusal`] checks (anything refused goes the full way),
/// the CORS headers of an any-origin server (with an origin list, responses vary by `Origin`:
/// the full way), the security headers, metrics and access log. No timeout or panic guard is
/// needed: nothing here waits, and its one fallible step returns `None`.
///
/// The layers cost a boxed future, a timer and clones of the inner services per request,
/// a measurable part of serving a cached tile.
pub fn fast_tile<B>(state: &AppState, req: &axum::http::Request<B>) -> Option<Response> {
    let start = Instant::now();
    if !state.cors_any_origin || refusal(state, req).is_some() {
        return None;
    }
    let uri = req.uri();
    let mut response = crate::routes::cached_tile(state, req.method(), uri.path(), req.headers())?;
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_VALUE.clone());
    with_security_headers(state, uri.path(), &mut response);
    observe(state, req.method(), uri.path(), start, &response);
    Some(response)
}

/// The metrics label of a request path.
pub fn route_label(path: &str) -> &'static str {
    match path {
        "/catalog.json" => "catalog",
        "/health" => "health",
        "/metrics" => "metrics",
        "/config.json" => "config",
        "/api/v1/point" => "point",
        "/api/v1/report" => "report",
        _ if path.starts_with("/api/v1/areas/") => "report",
        "/" | "/embed" => "asset",
        _ if path.starts_with("/tiles/") => {
            if path[7..].contains('/') {
                "tile"
            } else {
                "tilejson"
            }
        }
        _ if path.starts_with("/styles/") => "style",
        _ if path.starts_with("/fonts/") => "glyphs",
        _ if path.starts_with("/archives/") => "archive",
        _ if path.starts_with("/static/") || path.starts_with("/vendor/") => "asset",
        _ => "other",
    }
}

/// Counts a finished request (route, status, latency, bytes) and writes its access log line.
fn observe(state: &AppState, method: &Method, path: &str, start: Instant, response: &Response) {
    let elapsed = start.elapsed();
    let status = response.status();
    let bytes = response.body().size_hint().exact();
    let route = if status == StatusCode::URI_TOO_LONG {
        "rejected"
    } else {
        match route_label(path) {
            "other" if status == StatusCode::BAD_REQUEST => "rejected",
            route => route,
        }
    };
    state.metrics.record(route, status.as_u16(), elapsed, bytes);
    // At most 200 characters of the path, cut at a character boundary.
    let shown = path
        .char_indices()
        .nth(200)
        .map_or(path, |(i, _)| &path[..i]);
    tracing::info!(
        target: "lbm_server::access",
        %method, path = shown, status = status.as_u16(),
        micros = elapsed.as_micros() as u64, bytes = bytes.unwrap_or(0),
        "request"
    );
}

/// The bytes of a percent-encoded path segment, `None` when a `%` is not followed by two hex
/// digits (which `percent-encoding` would pass through as they are).
pub fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let valid = b.iter().enumerate().all(|(i, &c)| {
        c != b'%'
            || b.get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    valid.then(|| percent_encoding::percent_decode_str(s).collect())
}

/// Why a raw request path is refused, if it is.
pub fn reject_path(path: &str) -> Option<&'static str> {
    for segment in path.split('/') {
        let Some(decoded) = percent_decode(segment) else {
            return Some("invalid percent-encoding in path");
        };
        if decoded == b".." || decoded == b"." {
            return Some("path traversal is not allowed");
        }
        if decoded.iter().any(|&b| b == b'/' || b == b'\\' || b == 0) {
            return Some("encoded slashes, backslashes and NUL are not allowed in paths");
        }
    }
    None
}

/// Whether a request carries a body (a non-zero `Content-Length` or any `Transfer-Encoding`).
pub fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get_all(header::CONTENT_LENGTH)
            .iter()
            .any(|v| v.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok()) != Some(0))
}

/// Why a request is refused before routing, as the response: a body (413: every route is
/// GET/HEAD), an overlong target (414) or a traversal attempt (400).
fn refusal<B>(state: &AppState, req: &axum::http::Request<B>) -> Option<Response> {
    if has_body(req.headers()) {
        return Some(json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request bodies are not accepted (GET and HEAD only)",
        ));
    }
    let uri = req.uri();
    let target_len = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    let max = state.config.max_uri_bytes;
    if target_len > max {
        return Some(json_error(
            StatusCode::URI_TOO_LONG,
            &format!("request target longer than {max} bytes"),
        ));
    }
    reject_path(uri.path()).map(|reason| json_error(StatusCode::BAD_REQUEST, reason))
}

/// Content-Security-Policy of the web map; `embed` allows any site to frame it.
pub fn content_security_policy(extra_origin: Option<&str>, embed: bool) -> String {
    let extra = extra_origin.map(|o| format!(" {o}")).unwrap_or_default();
    let frame = if embed { "*" } else { "'self'" };
    format!(
        "default-src 'self'; img-src 'self' data: blob:{extra}; worker-src 'self' blob:; \
         child-src blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'{extra}; \
         font-src 'self'{extra}; object-src 'none'; base-uri 'self'; frame-ancestors {frame}"
    )
}

/// nosniff everywhere; CSP, framing and referrer policy on HTML.
fn with_security_headers(state: &AppState, path: &str, response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        let embed = matches!(path, "/embed" | "/embed.html" | "/static/embed.html");
        let csp = content_security_policy(state.config.basemap_origin().as_deref(), embed);
        if let Ok(v) = HeaderValue::from_str(&csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, v);
        }
        if !embed {
            headers.insert(
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("SAMEORIGIN"),
            );
        }
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
    }
}

/// Gives every 4xx/5xx without a JSON body (axum's 405, timeouts, ...) a JSON reason.
fn with_json_error(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let reason = match status {
        StatusCode::METHOD_NOT_ALLOWED => "method not allowed (use GET or HEAD)",
        StatusCode::NOT_FOUND => "not found",
        StatusCode::SERVICE_UNAVAILABLE => "request timed out or service unavailable",
        _ => status.canonical_reason().unwrap_or("error"),
    };
    let (mut parts, _) = response.into_parts();
    let body = serde_json::json!({ "error": reason }).to_string();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// Whether the client accepts gzip (`Accept-Encoding` with gzip or `*` and q > 0).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',').any(|item| {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                let q = parts
                    .filter_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.trim().parse::<f32>().ok())
                    })
                    .next()
                    .unwrap_or(1.0);
                (coding == "gzip" || coding == "x-gzip" || coding == "*") && q > 0.0
            })
        })
}

/// Whether `If-None-Match` matches `etag` (weak comparison, as RFC 9110 asks for it).
pub fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    fn strip(t: &str) -> &str {
        t.trim().trim_start_matches("W/")
    }
    let ours = strip(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|t| t.trim() == "*" || strip(t) == ours))
}

/// A 304 Not Modified carrying the validators and caching headers of the full response.
pub fn not_modified(etag: &str, cache_control: &str, vary: bool) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(cache_control) {
        headers.insert(header::CACHE_CONTROL, v);
    }
    if vary {
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    response
}

fn clean_host(host: &str) -> Option<&str> {
    let host = host.split(',').next()?.trim();
    let ok = !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]_".contains(c));
    ok.then_some(host)
}

/// The public base URL (no trailing slash): `--public-url`, else scheme and host of the request
/// (X-Forwarded-Proto / X-Forwarded-Host honoured).
pub fn base_url(public_url: Option<&str>, headers: &HeaderMap) -> String {
    if let Some(url) = public_url {
        return url.trim_end_matches('/').to_string();
    }
    let get = |name: &HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let proto = get(&HeaderName::from_static("x-forwarded-proto"))
        .and_then(|p| p.split(',').next())
        .map(|p| p.trim().to_ascii_lowercase())
        .filter(|p| p == "http" || p == "https")
        .unwrap_or_else(|| "http".to_string());
    let host = get(&HeaderName::from_static("x-forwarded-host"))
        .and_then(clean_host)
        .or_else(|| get(&header::HOST).and_then(clean_host))
        .unwrap_or("localhost");
    format!("{proto}://{host}")
}

/// Everything but the unreserved characters of RFC 3986 (`A-Z a-z 0-9 - . _ ~`).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `s` percent-encoded as one URL path segment.
pub fn encode_segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_traversal_variants() {
        for p in [
            "/static/../x",
            "/static/%2e%2e/x",
            "/static/%2E%2e/x",
            "/a/.%2e/b",
            "/tiles/a%2fb/1/1/1.pbf",
            "/x/%5c",
            "/x/%00",
            "/x/%zz",
        ] {
            assert!(reject_path(p).is_some(), "{p}");
        }
        for p in [
            "/",
            "/tiles/lbm-2020/5/16/10.pbf",
            "/static/js/main.js",
            "/tiles/a%20b.json",
        ] {
            assert!(reject_path(p).is_none(), "{p}");
        }
    }

    #[test]
    fn parses_accept_encoding() {
        let mut h = HeaderMap::new();
        assert!(!accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br, gzip;q=0.5"),
        );
        assert!(accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip;q=0, br"),
        );
        assert!(!accepts_gzip(&h));
    }

    #[test]
    fn base_url_prefers_forwarded_headers() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(base_url(None, &h), "http://127.0.0.1:8080");
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        h.insert(
            "x-forwarded-host",
            HeaderValue::from_static("maps.example.nl"),
        );
        assert_eq!(base_url(None, &h), "https://maps.example.nl");
        h.insert("x-forwarded-host", HeaderValue::from_static("evil\"host"));
        assert_eq!(base_url(None, &h), "https://127.0.0.1:8080");
        assert_eq!(base_url(Some("https://x.nl/"), &h), "https://x.nl");
    }
}

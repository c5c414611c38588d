//! HTTP behaviour around the routes, one concern a module: [`guards`] (what is refused before
//! routing), [`cors`], [`security`] headers, JSON [`errors`], [`conditional`] requests; here the
//! layer stack that applies them with timeouts, the panic guard, metrics and the access log,
//! and the fast path of cached tiles.

use std::time::Instant;

use axum::body::HttpBody;
use axum::extract::{Request, State};
use axum::http::header::HeaderMap;
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

use crate::error::json_error;
use crate::AppState;

pub mod conditional;
mod cors;
mod errors;
pub mod guards;
mod security;

pub use conditional::{accepts_gzip, etag_matches, not_modified};
pub(crate) use cors::allowed_origins;
pub use guards::MAX_URI_LEN;

/// Wraps the routes in every layer, outermost first: panic catcher, the [`edge`] of every
/// request (guard, JSON error bodies, security headers, metrics and access log), timeout, CORS.
pub fn with_layers(routes: Router, state: AppState) -> Router {
    let timeout = state.config.timeout();
    let cors = cors::layer(&state.config.cors_origins);
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
/// a cached tile): [`guards`] before routing, then on the way out [`errors`], [`security`]
/// headers and [`observe`].
async fn edge(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    // A `Uri` clone shares its bytes; the path is read after the handler took the request.
    let uri = req.uri().clone();
    let response = match guards::refusal(&state, &req) {
        Some(refused) => refused,
        None => next.run(req).await,
    };
    let mut response = errors::with_json_error(response);
    security::with_security_headers(&state, uri.path(), &mut response);
    observe(&state, &method, uri.path(), start, &response);
    response
}

/// A tile answered before the router and its layers (by `lookup`, which gives the response the
/// routes would give, or `None` for anything they must answer themselves:
/// [`crate::routes::stored_tile`]), with what the layers would add: the [`guards`] checks
/// (anything refused goes the full way), the CORS headers of an any-origin server (with an
/// origin list, responses vary by `Origin`: the full way), the security headers, metrics and
/// access log. No timeout or panic guard: `lookup` waits for nothing but a read of a tile, and
/// its fallible steps answer or return `None`.
///
/// The layers cost a boxed future, a timer and clones of the inner services per request,
/// a measurable part of serving a tile.
pub async fn fast_tile<B>(
    state: &AppState,
    req: &axum::http::Request<B>,
    lookup: impl AsyncFnOnce(&AppState, &Method, &str, &HeaderMap) -> Option<Response>,
) -> Option<Response> {
    let start = Instant::now();
    if !state.cors_any_origin || guards::refusal(state, req).is_some() {
        return None;
    }
    let uri = req.uri();
    let mut response = lookup(state, req.method(), uri.path(), req.headers()).await?;
    cors::any_origin(response.headers_mut());
    security::with_security_headers(state, uri.path(), &mut response);
    observe(state, req.method(), uri.path(), start, &response);
    Some(response)
}

/// Counts a finished request (route, status, latency, bytes) and writes its access log line.
fn observe(state: &AppState, method: &Method, path: &str, start: Instant, response: &Response) {
    let elapsed = start.elapsed();
    let status = response.status();
    let bytes = response.body().size_hint().exact();
    let route = if status == StatusCode::URI_TOO_LONG {
        "rejected"
    } else {
        match crate::urls::label(path) {
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

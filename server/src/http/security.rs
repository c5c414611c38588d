//! Security headers: `nosniff` everywhere; the Content-Security-Policy, framing and referrer
//! policy of the web map's pages.

use axum::http::header::{self, HeaderValue};
use axum::response::Response;

use crate::AppState;

/// Content-Security-Policy of the web map: the basemap's origin may serve styles, tiles,
/// sprites and fonts, the geocoder's may be fetched from; `embed` allows any site to frame it.
pub(super) fn content_security_policy(
    basemap: Option<&str>,
    geocoder: Option<&str>,
    embed: bool,
) -> String {
    let extra = basemap.map(|o| format!(" {o}")).unwrap_or_default();
    let mut connect = extra.clone();
    if let Some(g) = geocoder.filter(|g| Some(*g) != basemap) {
        connect.push(' ');
        connect.push_str(g);
    }
    let frame = if embed { "*" } else { "'self'" };
    format!(
        "default-src 'self'; img-src 'self' data: blob:{extra}; worker-src 'self' blob:; \
         child-src blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'{connect}; \
         font-src 'self'{extra}; object-src 'none'; base-uri 'self'; frame-ancestors {frame}"
    )
}

/// nosniff everywhere; CSP, framing and referrer policy on HTML.
pub(super) fn with_security_headers(state: &AppState, path: &str, response: &mut Response) {
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
        let csp = content_security_policy(
            state.config.basemap_origin().as_deref(),
            state.config.geocoder_origin().as_deref(),
            embed,
        );
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

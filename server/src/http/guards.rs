//! What is refused before routing: request bodies, overlong targets and paths that try to leave
//! their folder.

use axum::http::header::{self, HeaderMap};
use axum::http::StatusCode;
use axum::response::Response;

use crate::error::json_error;
use crate::AppState;

/// Default longest accepted request target (path and query), in bytes (`--max-uri-bytes`).
pub const MAX_URI_LEN: usize = 1024;

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
pub(super) fn refusal<B>(state: &AppState, req: &axum::http::Request<B>) -> Option<Response> {
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
}

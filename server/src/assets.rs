//! The web map and MapLibre GL JS, embedded at build time (see `build.rs`).

use std::sync::OnceLock;

use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::http::{accepts_gzip, etag_matches, not_modified};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

pub use generated::ASSETS;

/// `Cache-Control` of the app's own files: always revalidate (they are not fingerprinted).
pub const APP_CACHE_CONTROL: &str = "no-cache";
/// `Cache-Control` of the vendored MapLibre files (versioned by the lock file).
pub const VENDOR_CACHE_CONTROL: &str = "public, max-age=86400";

/// Per-asset data computed on first use: ETag and a gzip copy for compressible types.
struct Prepared {
    etag: String,
    gzip: Option<Vec<u8>>,
}

fn prepared(index: usize) -> &'static Prepared {
    static PREPARED: OnceLock<Vec<OnceLock<Prepared>>> = OnceLock::new();
    let all = PREPARED.get_or_init(|| ASSETS.iter().map(|_| OnceLock::new()).collect());
    all[index].get_or_init(|| {
        let (_, bytes, content_type) = ASSETS[index];
        let etag = format!("\"{}\"", hex::encode(&Sha256::digest(bytes)[..16]));
        let compressible =
            content_type.starts_with("text/") || content_type.starts_with("application/json");
        let gzip = (compressible && bytes.len() > 512).then(|| {
            use std::io::Write;
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            let _ = enc.write_all(bytes);
            enc.finish().unwrap_or_default()
        });
        Prepared {
            etag,
            gzip: gzip.filter(|g| !g.is_empty() && g.len() < bytes.len()),
        }
    })
}

/// Index of the embedded file served at `path`, if any.
pub fn find(path: &str) -> Option<usize> {
    ASSETS.iter().position(|(p, _, _)| *p == path)
}

/// Serves embedded asset `index` with ETag/304, gzip when accepted, and its cache policy.
pub fn serve(index: usize, request_headers: &HeaderMap) -> Response {
    let (path, bytes, content_type) = ASSETS[index];
    let prepared = prepared(index);
    let cache_control = if path.starts_with("/vendor/") {
        VENDOR_CACHE_CONTROL
    } else {
        APP_CACHE_CONTROL
    };
    let vary = prepared.gzip.is_some();
    let gzip = prepared
        .gzip
        .as_deref()
        .filter(|_| accepts_gzip(request_headers));
    // The gzipped file is another representation: it gets its own strong ETag, as tiles and JSON
    // documents do, so a cache never revalidates one encoding with the other's validator.
    let etag = match gzip {
        Some(_) => format!("{}-gz\"", prepared.etag.trim_end_matches('"')),
        None => prepared.etag.clone(),
    };
    if etag_matches(request_headers, &etag) {
        return not_modified(&etag, cache_control, vary);
    }
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    if vary {
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    match gzip {
        Some(gz) => {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            (StatusCode::OK, headers, gz).into_response()
        }
        None => (StatusCode::OK, headers, bytes).into_response(),
    }
}

//! `GET /tiles/{tileset}/{version}/{z}/{x}/{y}.pbf` (the URLs TileJSON names: immutable, cached
//! for a year) and `GET /tiles/{tileset}/{z}/{x}/{y}.pbf` (unversioned, revalidated): XYZ vector
//! tiles with ETag, gzip passthrough and 204s.

use std::io::Read;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::tilejson::versioned_tile_url;
use axum::body::Bytes;

use crate::error::{ApiError, TilesetError};
use crate::http::{accepts_gzip, etag_matches};
use crate::tileset::{Tile, Tileset};
use crate::urls::{self, base_url};
use crate::AppState;
use lbm_formats::TileCoord;

/// Content type of Mapbox/MapLibre vector tiles.
pub(super) const MVT_CONTENT_TYPE: &str = "application/vnd.mapbox-vector-tile";

/// Highest zoom a tile path may name.
pub(super) const MAX_ZOOM: u8 = 30;

/// Parses a decimal number of at most `max_digits` digits (no sign, no spaces).
fn parse_number(s: &str, what: &str, max_digits: usize) -> Result<u64, ApiError> {
    if s.is_empty() || s.len() > max_digits || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_request(format!(
            "{what} must be a non-negative integer, got {s:?}"
        )));
    }
    s.parse()
        .map_err(|_| ApiError::bad_request(format!("{what} is not a valid number")))
}

/// Validates `z`, `x` and `{y}.pbf|.mvt` into a tile address.
pub(super) fn parse_tile_path(z: &str, x: &str, file: &str) -> Result<TileCoord, ApiError> {
    let y = file
        .strip_suffix(".pbf")
        .or_else(|| file.strip_suffix(".mvt"))
        .ok_or_else(|| ApiError::bad_request("tile path must end in {y}.pbf or {y}.mvt"))?;
    let z = parse_number(z, "z", 2)?;
    if z > u64::from(MAX_ZOOM) {
        return Err(ApiError::bad_request(format!(
            "z must be at most {MAX_ZOOM}"
        )));
    }
    let x = parse_number(x, "x", 10)?;
    let y = parse_number(y, "y", 10)?;
    let coord = u32::try_from(x)
        .ok()
        .zip(u32::try_from(y).ok())
        .and_then(|(x, y)| TileCoord::new(z as u8, x, y));
    coord.ok_or_else(|| {
        ApiError::bad_request(format!(
            "x and y must be below 2^z = {} at z = {z}",
            1u64 << z
        ))
    })
}

/// Handler of the unversioned tile route: tiles with the configured `Cache-Control`.
pub(super) async fn tile(
    State(state): State<AppState>,
    path: Result<Path<(String, String, String, String)>, PathRejection>,
    // The request itself rather than a `HeaderMap`, which axum would clone.
    req: Request,
) -> Result<Response, ApiError> {
    let headers = req.headers();
    let Path((id, z, x, file)) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let coord = parse_tile_path(&z, &x, &file)?;
    let tileset = state
        .catalog
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("unknown tileset {id:?}")))?;
    let cache_control = state.tile_cache_control.as_ref();
    serve_tile(&state, &tileset, coord, headers, cache_control).await
}

/// Tile (`z`, `x`, `y`) of tileset `id` as the OGC API addresses it (`tileMatrix`, `tileCol`,
/// `tileRow` of `WebMercatorQuad`, which are XYZ's), with the configured `Cache-Control`.
pub(super) async fn tile_at(
    state: &AppState,
    id: &str,
    (z, x, y): (&str, &str, &str),
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let coord = parse_tile_path(z, x, &format!("{y}.pbf"))?;
    let tileset = state
        .catalog
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("unknown tileset {id:?}")))?;
    let cache_control = state.tile_cache_control.as_ref();
    serve_tile(state, &tileset, coord, headers, cache_control).await
}

/// `{tileset}/{version}/{z}/{x}/{y}.pbf` as captured.
type VersionedTilePath = (String, String, String, String, String);

/// Handler of the versioned tile route. The current version's tiles never change, so caches
/// may keep them for a year; a URL of an earlier version (a page loaded before the tileset was
/// replaced) is redirected, uncached, to the same tile of the current version.
pub(super) async fn versioned_tile(
    State(state): State<AppState>,
    path: Result<Path<VersionedTilePath>, PathRejection>,
    req: Request,
) -> Result<Response, ApiError> {
    let headers = req.headers();
    let Path((id, version, z, x, file)) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let coord = parse_tile_path(&z, &x, &file)?;
    if version.len() > 64 || !version.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ApiError::bad_request(format!(
            "tileset version must be letters and digits, got {version:?}"
        )));
    }
    let tileset = state
        .catalog
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("unknown tileset {id:?}")))?;
    let current = &tileset.info.content_version;
    if &version != current {
        let base = base_url(state.config.public_url.as_deref(), headers);
        let location = versioned_tile_url(
            &base,
            &id,
            current,
            &coord.z.to_string(),
            &coord.x.to_string(),
            &coord.y.to_string(),
        );
        let mut response = StatusCode::FOUND.into_response();
        let h = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&location) {
            h.insert(header::LOCATION, v);
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Ok(response);
    }
    let cache_control = state.immutable_cache_control.as_ref();
    serve_tile(&state, &tileset, coord, headers, cache_control).await
}

/// The answer to a tile request without the router: a GET of a tile of a loaded tileset
/// (current version, or unversioned) in its zoom range, from the tile cache or, for a tileset
/// read from a PMTiles archive, from the archive on a miss: the answer of [`serve_tile`], which
/// the routes give. `None` for anything else, which the full stack answers: misses of MBTiles
/// files and empty tiles they hold, redirects of older versions, unknown tilesets, zooms out of
/// range, malformed and percent-encoded paths.
pub async fn stored_tile(
    state: &AppState,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Option<Response> {
    let (tileset, coord, cache_control) = fast_target(state, method, path)?;
    let cache_control = cache_control.as_ref();
    if tileset.is_pmtiles() {
        // A miss is one positioned read of the archive on this worker (or a wait for another
        // request's read of the same tile): nothing that needs the full stack's timeout.
        let response = serve_tile(state, &tileset, coord, headers, cache_control).await;
        return Some(response.unwrap_or_else(IntoResponse::into_response));
    }
    // An MBTiles read waits for a pooled connection: misses go the full way, under its timeout.
    let tile = state.tiles.get(&(tileset.generation, coord))??;
    let response = tile_response(&tile, headers, cache_control).ok()?;
    state.metrics.tile_request(&tileset.info.id);
    state.metrics.cache_hits.fetch_add(1, Ordering::Relaxed);
    Some(response)
}

/// The tileset, tile and `Cache-Control` of a GET of a tile path that [`stored_tile`] may
/// answer: a loaded tileset, its current version or none, a zoom in its range.
fn fast_target(
    state: &AppState,
    method: &Method,
    path: &str,
) -> Option<(Arc<Tileset>, TileCoord, Option<HeaderValue>)> {
    if method != Method::GET || path.contains('%') {
        return None;
    }
    let (id, version, z, x, file) = if let Some(p) = urls::TILE.matches(path) {
        let &[id, z, x, file] = p.as_slice() else {
            return None;
        };
        (id, None, z, x, file)
    } else {
        let p = urls::VERSIONED_TILE.matches(path)?;
        let &[id, v, z, x, file] = p.as_slice() else {
            return None;
        };
        (id, Some(v), z, x, file)
    };
    let coord = parse_tile_path(z, x, file).ok()?;
    let tileset = state.catalog.get(id)?;
    let info = &tileset.info;
    let cache_control = match version {
        None => state.tile_cache_control.clone(),
        Some(v) if v == info.content_version => state.immutable_cache_control.clone(),
        Some(_) => return None,
    };
    if coord.z < info.minzoom || coord.z > info.maxzoom {
        return None;
    }
    Some((tileset, coord, cache_control))
}

/// Tile `coord` of `tileset` (from the tile cache or the file) with `cache_control`.
async fn serve_tile(
    state: &AppState,
    tileset: &Tileset,
    coord: TileCoord,
    headers: &HeaderMap,
    cache_control: Option<&HeaderValue>,
) -> Result<Response, ApiError> {
    let info = &tileset.info;
    state.metrics.tile_request(&info.id);
    let z = coord.z;
    if z < info.minzoom || z > info.maxzoom {
        return Err(ApiError::not_found(format!(
            "zoom {z} outside {}..={} of tileset {:?}",
            info.minzoom, info.maxzoom, info.id
        )));
    }
    let key = (tileset.generation, coord);
    let tile = match state.tiles.get(&key) {
        Some(tile) => {
            state.metrics.cache_hits.fetch_add(1, Ordering::Relaxed);
            tile
        }
        // Concurrent misses on one tile wait for the first one's read instead of each reading.
        None => state
            .tiles
            .get_or_insert_async(&key, async {
                state.metrics.cache_misses.fetch_add(1, Ordering::Relaxed);
                // A read error means the file changed under us (replaced in place instead of
                // renamed) or the disk failed: 503, the client retries and the reload picks up
                // the new file. Errors are not cached.
                let tile = tileset.read_tile(coord).await?;
                Ok::<_, TilesetError>(tile.map(Arc::new))
            })
            .await
            .map_err(ApiError::unavailable)?,
    };
    let Some(tile) = tile else {
        // Empty or missing tile inside the zoom range: 204, cacheable like a tile.
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Some(v) = cache_control {
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, v.clone());
        }
        return Ok(response);
    };
    tile_response(&tile, headers, cache_control)
}

/// The 200 or 304 for a stored tile, gzip passed through when the client accepts it. Every
/// header value is ready-made: the tile's ETags and the configured `Cache-Control`.
fn tile_response(
    tile: &Tile,
    headers: &HeaderMap,
    cache_control: Option<&HeaderValue>,
) -> Result<Response, ApiError> {
    let send_gzip = tile.gzip && accepts_gzip(headers);
    let etag = if tile.gzip && !send_gzip {
        &tile.etag_identity
    } else {
        &tile.etag
    };
    let matched = etag.to_str().is_ok_and(|etag| etag_matches(headers, etag));
    let mut response = if matched {
        StatusCode::NOT_MODIFIED.into_response()
    } else if tile.gzip && !send_gzip {
        let mut out = Vec::with_capacity(tile.data.len() * 4);
        flate2::read::GzDecoder::new(&tile.data[..])
            .read_to_end(&mut out)
            .map_err(|e| ApiError::internal(format!("stored tile is not valid gzip: {e}")))?;
        (StatusCode::OK, Bytes::from(out)).into_response()
    } else {
        (StatusCode::OK, tile.data.clone()).into_response()
    };
    let h = response.headers_mut();
    if !matched {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(MVT_CONTENT_TYPE),
        );
        if send_gzip {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
    }
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    h.insert(header::ETAG, etag.clone());
    if let Some(v) = cache_control {
        h.insert(header::CACHE_CONTROL, v.clone());
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_paths() {
        assert_eq!(
            parse_tile_path("5", "16", "10.pbf").unwrap(),
            TileCoord::new(5, 16, 10).unwrap()
        );
        assert_eq!(
            parse_tile_path("0", "0", "0.mvt").unwrap(),
            TileCoord::new(0, 0, 0).unwrap()
        );
        for (z, x, y) in [
            ("a", "0", "0.pbf"),
            ("-1", "0", "0.pbf"),
            ("31", "0", "0.pbf"),
            ("5", "32", "0.pbf"),
            ("5", "0", "32.pbf"),
            ("5", "99999999999999999999", "0.pbf"),
            ("5", "+1", "0.pbf"),
            ("5", "1", "1.png"),
            ("5", "1", ".pbf"),
        ] {
            assert_eq!(
                parse_tile_path(z, x, y).unwrap_err().status,
                StatusCode::BAD_REQUEST,
                "{z}/{x}/{y}"
            );
        }
    }
}

//! The URL scheme of the server, written once: every route's path pattern and metrics label.
//! The router registers these patterns ([`crate::routes`]), the fast path of tiles and
//! the metrics match request paths against them ([`Route::matches`], [`label`]), and the
//! documents build their links with them ([`Route::url`]).

use axum::http::header::{self, HeaderMap, HeaderName};

/// One route: its path pattern (axum's syntax, `{name}` for one segment) and the label its
/// requests are counted under in `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The path pattern.
    pub pattern: &'static str,
    /// The metrics label.
    pub label: &'static str,
}

/// A tile of the current version, with the configured `Cache-Control`.
pub const TILE: Route = Route {
    pattern: "/tiles/{tileset}/{z}/{x}/{tile}",
    label: "tile",
};
/// A tile of one content version (immutable).
pub const VERSIONED_TILE: Route = Route {
    pattern: "/tiles/{tileset}/{version}/{z}/{x}/{tile}",
    label: "tile",
};
/// A tileset's TileJSON (`{tileset}.json`).
pub const TILEJSON: Route = Route {
    pattern: "/tiles/{file}",
    label: "tilejson",
};
/// A tileset's MapLibre style (`{tileset}.json`).
pub const STYLE: Route = Route {
    pattern: "/styles/{file}",
    label: "style",
};
/// A raw PMTiles archive (`{tileset}.pmtiles`).
pub const ARCHIVE: Route = Route {
    pattern: "/archives/{file}",
    label: "archive",
};
/// Label glyphs.
pub const GLYPHS: Route = Route {
    pattern: "/fonts/{fontstack}/{range}",
    label: "glyphs",
};
/// The catalog of tilesets.
pub const CATALOG: Route = Route {
    pattern: "/catalog.json",
    label: "catalog",
};
/// The values at a point.
pub const POINT: Route = Route {
    pattern: "/api/v1/point",
    label: "point",
};
/// Areas, cells and coordinates by name or number.
pub const SEARCH: Route = Route {
    pattern: "/api/v1/search",
    label: "search",
};
/// One area by its code.
pub const AREA: Route = Route {
    pattern: "/api/v1/areas/{code}",
    label: "area",
};
/// The national report.
pub const NATIONAL_REPORT: Route = Route {
    pattern: "/api/v1/report",
    label: "report",
};
/// The report of one area.
pub const AREA_REPORT: Route = Route {
    pattern: "/api/v1/areas/{code}/report",
    label: "report",
};
/// Liveness and readiness.
pub const HEALTH: Route = Route {
    pattern: "/health",
    label: "health",
};
/// Prometheus metrics.
pub const METRICS: Route = Route {
    pattern: "/metrics",
    label: "metrics",
};
/// The web map's configuration.
pub const CONFIG: Route = Route {
    pattern: "/config.json",
    label: "config",
};
/// The web map.
pub const INDEX: Route = Route {
    pattern: "/",
    label: "asset",
};
/// The embeddable map.
pub const EMBED: Route = Route {
    pattern: "/embed",
    label: "asset",
};

/// The OGC API's landing page.
pub const OGC_LANDING: Route = Route {
    pattern: "/ogc",
    label: "ogc",
};
/// Its conformance classes.
pub const OGC_CONFORMANCE: Route = Route {
    pattern: "/ogc/conformance",
    label: "ogc",
};
/// The OpenAPI definition of `/ogc` and `/api/v1`.
pub const OGC_API: Route = Route {
    pattern: "/ogc/api",
    label: "ogc",
};
/// The collections.
pub const OGC_COLLECTIONS: Route = Route {
    pattern: "/ogc/collections",
    label: "ogc",
};
/// One collection.
pub const OGC_COLLECTION: Route = Route {
    pattern: "/ogc/collections/{collection}",
    label: "ogc",
};
/// The features of a collection.
pub const OGC_ITEMS: Route = Route {
    pattern: "/ogc/collections/{collection}/items",
    label: "ogc",
};
/// One feature.
pub const OGC_ITEM: Route = Route {
    pattern: "/ogc/collections/{collection}/items/{feature}",
    label: "ogc",
};
/// The vector tilesets of a tileset collection.
pub const OGC_TILESETS: Route = Route {
    pattern: "/ogc/collections/{collection}/tiles",
    label: "ogc",
};
/// One vector tileset in a tile matrix set.
pub const OGC_TILESET: Route = Route {
    pattern: "/ogc/collections/{collection}/tiles/{tms}",
    label: "ogc",
};
/// One tile, by tile matrix, row and column.
pub const OGC_TILE: Route = Route {
    pattern: "/ogc/collections/{collection}/tiles/{tms}/{z}/{row}/{col}",
    label: "tile",
};
/// The tile matrix sets.
pub const OGC_TILE_MATRIX_SETS: Route = Route {
    pattern: "/ogc/tileMatrixSets",
    label: "ogc",
};
/// One tile matrix set.
pub const OGC_TILE_MATRIX_SET: Route = Route {
    pattern: "/ogc/tileMatrixSets/{tms}",
    label: "ogc",
};

/// Every route, in the order a path is matched against them.
pub const ALL: [Route; 29] = [
    TILE,
    VERSIONED_TILE,
    TILEJSON,
    STYLE,
    ARCHIVE,
    GLYPHS,
    CATALOG,
    POINT,
    SEARCH,
    AREA,
    NATIONAL_REPORT,
    AREA_REPORT,
    HEALTH,
    METRICS,
    CONFIG,
    INDEX,
    EMBED,
    OGC_LANDING,
    OGC_CONFORMANCE,
    OGC_API,
    OGC_COLLECTIONS,
    OGC_COLLECTION,
    OGC_ITEMS,
    OGC_ITEM,
    OGC_TILESETS,
    OGC_TILESET,
    OGC_TILE,
    OGC_TILE_MATRIX_SETS,
    OGC_TILE_MATRIX_SET,
];

/// Path prefixes of the web map's files, served by the fallback.
const ASSET_PREFIXES: [&str; 2] = ["/static/", "/vendor/"];

/// Most `{name}` segments of a pattern.
const MAX_PARAMS: usize = 5;

/// The values of a matched path's `{name}` segments, in pattern order (still percent-encoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params<'a> {
    values: [&'a str; MAX_PARAMS],
    len: usize,
}

impl<'a> Params<'a> {
    /// The values as a slice.
    pub fn as_slice(&self) -> &[&'a str] {
        &self.values[..self.len]
    }
}

/// One part of a URL to build: a value (percent-encoded as a segment) or a template
/// placeholder such as `{z}` (written as it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part<'a> {
    /// A value, percent-encoded.
    Value(&'a str),
    /// Written as it is.
    Raw(&'a str),
}

impl Route {
    /// The values of the `{name}` segments when `path` matches the pattern, segment by
    /// segment (without allocating: the fast path of tiles calls it per request).
    pub fn matches<'a>(&self, path: &'a str) -> Option<Params<'a>> {
        let mut params = Params {
            values: [""; MAX_PARAMS],
            len: 0,
        };
        let mut got = path.split('/');
        for want in self.pattern.split('/') {
            let seg = got.next()?;
            if want.starts_with('{') {
                if seg.is_empty() || params.len == MAX_PARAMS {
                    return None;
                }
                params.values[params.len] = seg;
                params.len += 1;
            } else if want != seg {
                return None;
            }
        }
        got.next().is_none().then_some(params)
    }

    /// The URL under `base` with the `{name}` segments filled in order by `parts`.
    pub fn url(&self, base: &str, parts: &[Part<'_>]) -> String {
        let mut out = String::from(base);
        let mut parts = parts.iter();
        for (i, seg) in self.pattern.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            if seg.starts_with('{') {
                match parts.next() {
                    Some(Part::Value(v)) => out.push_str(&encode_segment(v)),
                    Some(Part::Raw(v)) => out.push_str(v),
                    None => out.push_str(seg),
                }
            } else {
                out.push_str(seg);
            }
        }
        out
    }
}

/// The metrics label of a request path: its route's, `asset` for the web map's files, `other`
/// for anything else.
pub fn label(path: &str) -> &'static str {
    if let Some(route) = ALL.iter().find(|r| r.matches(path).is_some()) {
        return route.label;
    }
    if ASSET_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return "asset";
    }
    "other"
}

/// URL of a tileset's TileJSON.
pub fn tilejson_url(base: &str, id: &str) -> String {
    TILEJSON.url(base, &[Part::Raw(&file_name(id, "json"))])
}

/// URL of a tileset's MapLibre style.
pub fn style_url(base: &str, id: &str) -> String {
    STYLE.url(base, &[Part::Raw(&file_name(id, "json"))])
}

/// URL of the raw archive of tileset `id`.
pub fn archive_url(base: &str, id: &str) -> String {
    ARCHIVE.url(base, &[Part::Raw(&file_name(id, "pmtiles"))])
}

/// URL of one tile of version `version` of tileset `id`; `z`, `x` and `y` may be `{z}`-style
/// placeholders.
pub fn versioned_tile_url(
    base: &str,
    id: &str,
    version: &str,
    z: &str,
    x: &str,
    y: &str,
) -> String {
    VERSIONED_TILE.url(
        base,
        &[
            Part::Value(id),
            Part::Value(version),
            Part::Raw(z),
            Part::Raw(x),
            Part::Raw(&format!("{y}.pbf")),
        ],
    )
}

/// The file name of a route's `{file}` segment for `id` with `extension`, percent-encoded: how
/// a static site names the documents the server answers under these routes.
pub fn file_name(id: &str, extension: &str) -> String {
    format!("{}.{extension}", encode_segment(id))
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
    use axum::http::HeaderValue;

    #[test]
    fn paths_match_their_routes_and_labels() {
        let p = TILE.matches("/tiles/lbm-2020/5/16/10.pbf").unwrap();
        assert_eq!(p.as_slice(), ["lbm-2020", "5", "16", "10.pbf"]);
        assert!(TILE.matches("/tiles/lbm-2020/5/16").is_none());
        assert!(TILE.matches("/tiles/lbm-2020/5/16/10.pbf/x").is_none());
        assert!(TILE.matches("/tiles//5/16/10.pbf").is_none());
        let v = VERSIONED_TILE.matches("/tiles/a/v1/5/16/10.pbf").unwrap();
        assert_eq!(v.as_slice(), ["a", "v1", "5", "16", "10.pbf"]);
        for (path, want) in [
            ("/tiles/lbm-2020/5/16/10.pbf", "tile"),
            ("/tiles/lbm-2020/abc/5/16/10.pbf", "tile"),
            ("/tiles/lbm-2020.json", "tilejson"),
            ("/styles/lbm-2020.json", "style"),
            ("/archives/lbm-2020.pmtiles", "archive"),
            ("/fonts/Noto%20Sans/0-255.pbf", "glyphs"),
            ("/catalog.json", "catalog"),
            ("/api/v1/point", "point"),
            ("/api/v1/search", "search"),
            ("/api/v1/report", "report"),
            ("/api/v1/areas/GM0344/report", "report"),
            ("/health", "health"),
            ("/metrics", "metrics"),
            ("/config.json", "config"),
            ("/", "asset"),
            ("/embed", "asset"),
            ("/static/js/main.js", "asset"),
            ("/vendor/maplibre-gl/maplibre-gl.js", "asset"),
            ("/nothing", "other"),
            ("/api/v1/areas/GM0344", "area"),
            ("/api/v1/areas/GM0344/x", "other"),
        ] {
            assert_eq!(label(path), want, "{path}");
        }
        // Every pattern matches itself with its own label first: no route hides another.
        for r in ALL {
            let first = ALL.iter().find(|o| o.matches(r.pattern).is_some()).unwrap();
            assert_eq!(first.pattern, r.pattern);
        }
    }

    #[test]
    fn urls_are_built_from_the_patterns() {
        let base = "https://maps.example.nl";
        assert_eq!(
            tilejson_url(base, "lbm 2020"),
            "https://maps.example.nl/tiles/lbm%202020.json"
        );
        assert_eq!(
            style_url(base, "lbm-2020"),
            "https://maps.example.nl/styles/lbm-2020.json"
        );
        assert_eq!(
            archive_url(base, "lbm-2020"),
            "https://maps.example.nl/archives/lbm-2020.pmtiles"
        );
        let url = versioned_tile_url(base, "lbm-2020", "ab12", "{z}", "{x}", "{y}");
        assert_eq!(
            url,
            "https://maps.example.nl/tiles/lbm-2020/ab12/{z}/{x}/{y}.pbf"
        );
        let path = versioned_tile_url("", "a b", "v", "5", "16", "10");
        assert_eq!(
            VERSIONED_TILE.matches(&path).unwrap().as_slice(),
            ["a%20b", "v", "5", "16", "10.pbf"]
        );
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

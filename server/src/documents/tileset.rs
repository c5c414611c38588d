//! The documents of one tileset: its TileJSON 3.0.0 (absolute tile URLs and the `lbm`
//! metadata) and its MapLibre style, the one document of [`lbm_tileset::style`] that the web
//! map draws with too (for the basemap, the one of [`lbm_tileset::basemap`]).

use serde_json::{json, Value};

use lbm_tileset::basemap;
use lbm_tileset::style::{style as tileset_style, StyleSource};
use lbm_tileset::TilesetKind;

use crate::tileset::TilesetInfo;
use crate::urls::{tilejson_url, versioned_tile_url};

/// URL template of a tileset's tiles, versioned by its content (immutable, cached for a year).
pub(crate) fn tiles_url(base: &str, info: &TilesetInfo) -> String {
    versioned_tile_url(base, &info.id, &info.content_version, "{z}", "{x}", "{y}")
}

/// The `lbm` object: kind, measure, year(s), classification, pyramid, area layers.
pub(crate) fn lbm_object(info: &TilesetInfo) -> Value {
    json!({
        "kind": info.kind_id(),
        "measure": info.measure(),
        "year": info.year(),
        "year_from": info.period().map(|p| p.0),
        "year_to": info.period().map(|p| p.1),
        "classification": info.classification,
        "pyramid": info.pyramid,
        "areas": info.areas,
        "levels": info.levels,
        "reference": info.reference,
    })
}

/// The TileJSON 3.0.0 document of a tileset.
pub(crate) fn tilejson(info: &TilesetInfo, base: &str) -> Value {
    json!({
        "tilejson": "3.0.0",
        "name": info.name,
        "description": info.description,
        "attribution": info.attribution,
        "version": info.version.as_deref().unwrap_or("1.0.0"),
        "scheme": "xyz",
        "tiles": [tiles_url(base, info)],
        "minzoom": info.minzoom,
        "maxzoom": info.maxzoom,
        "bounds": info.bounds,
        "center": info.center,
        "vector_layers": info.vector_layers,
        "lbm": lbm_object(info),
    })
}

/// The style of a tileset, its source the tileset's TileJSON on this server; the basemap's
/// glyphs come from this server's `/fonts/`.
pub(crate) fn style(info: &TilesetInfo, base: &str) -> Value {
    let source = StyleSource::TileJson(tilejson_url(base, &info.id));
    if info.kind == Some(TilesetKind::Basemap) {
        let glyphs = format!("{base}/fonts/{{fontstack}}/{{range}}.pbf");
        return basemap::style(&source, &glyphs, info.attribution.as_deref());
    }
    tileset_style(&info.meta, &info.id, &source)
}

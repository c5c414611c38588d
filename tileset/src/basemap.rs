//! The built-in basemap: the tileset `basemap` (`lbm_kind = basemap`, written by
//! `lbm-tiler basemap` and the demo) and the MapLibre style it is drawn with.
//!
//! Its layers say where a place is: land and the large waters under the scores, and over them
//! the boundaries of provinces, gemeenten, wijken and buurten and the names of places and areas.
//! A style layer carries `metadata["lbm:basemap"]`: `under` (drawn below the scores) or `over`
//! (above them); a page puts the score layers between the two.

use serde_json::{json, Value};

use crate::style::{StyleSource, LAND_COLOR};

/// The id (file stem) of the basemap tileset.
pub const ID: &str = "basemap";

/// Source layer of the land polygon.
pub const LAND: &str = "land";
/// Source layer of the large waters (`name`).
pub const WATER: &str = "water";
/// Source layer of province polygons (`name`).
pub const PROVINCE: &str = "province";
/// Source layers of area polygons (`code`, `name`), as the score tilesets name their levels.
pub const AREA_LAYERS: [&str; 3] = ["gemeente", "wijk", "buurt"];
/// Source layer of place points (`name`, `population`, `kind`: `city`, `town` or `village`).
pub const PLACE: &str = "place";
/// Source layer of label points (`name`, `level`: `water`, `gemeente`, `wijk` or `buurt`).
pub const AREA_LABEL: &str = "area_label";

/// Highest zoom of the basemap's tiles; MapLibre overzooms them above.
pub const MAXZOOM: u8 = 12;
/// Lowest zoom of the basemap's tiles.
pub const MINZOOM: u8 = 4;

/// Open sea and the large waters: blue-grey, unlike the no-data grey and the land colour.
pub const WATER_COLOR: &str = "#a9c3d6";
/// Text colour of labels and its halo, readable on every class colour.
pub const TEXT_COLOR: &str = "#1d2833";
/// The halo around label text.
pub const HALO_COLOR: &str = "rgba(255, 255, 255, 0.92)";

/// The fonts the style asks for (served by lbm-server at `/fonts/`).
pub const REGULAR_FONT: &str = "Open Sans Regular";
/// The bold label font.
pub const BOLD_FONT: &str = "Open Sans Bold";

/// A place's kind by its population, and the zoom from which it is in the tiles (and so its name
/// shown): cities from z6, towns from z9, villages from z11.
pub fn place_kind(population: f64) -> (&'static str, u8) {
    if population >= 100_000.0 {
        ("city", 6)
    } else if population >= 40_000.0 {
        ("city", 7)
    } else if population >= 10_000.0 {
        ("town", 9)
    } else if population >= 2_000.0 {
        ("village", 11)
    } else {
        ("village", 12)
    }
}

/// The zoom from which an area level's label is shown, and up to which (exclusive).
pub fn area_label_zooms(level: &str) -> (u8, u8) {
    match level {
        "gemeente" => (9, 12),
        "wijk" => (12, 14),
        _ => (14, 24),
    }
}

fn layer(id: &str, kind: &str, source_layer: Option<&str>, place: &str, rest: Value) -> Value {
    let mut l = json!({"id": id, "type": kind, "metadata": {"lbm:basemap": place}});
    if let Some(s) = source_layer {
        l["source"] = json!(ID);
        l["source-layer"] = json!(s);
    }
    for (k, v) in rest.as_object().into_iter().flatten() {
        l[k] = v.clone();
    }
    l
}

fn halo() -> Value {
    json!({"text-color": TEXT_COLOR, "text-halo-color": HALO_COLOR, "text-halo-width": 1.6, "text-halo-blur": 0.4})
}

/// The layers of the basemap, bottom to top; `under` ones first.
pub fn layers() -> Vec<Value> {
    let mut out = vec![
        layer(
            "basemap-sea",
            "background",
            None,
            "under",
            json!({"paint": {"background-color": WATER_COLOR}}),
        ),
        layer(
            "basemap-land",
            "fill",
            Some(LAND),
            "under",
            json!({"paint": {"fill-color": LAND_COLOR}}),
        ),
        layer(
            "basemap-water",
            "fill",
            Some(WATER),
            "under",
            json!({"paint": {"fill-color": WATER_COLOR}}),
        ),
        layer(
            "basemap-province",
            "line",
            Some(PROVINCE),
            "over",
            json!({"paint": {
                "line-color": "rgba(60, 70, 80, 0.75)",
                "line-width": ["interpolate", ["linear"], ["zoom"], 5, 0.8, 10, 2.2],
                "line-dasharray": [3, 1.5],
            }}),
        ),
    ];
    for (level, min, width) in [
        ("gemeente", 7.0, 1.4),
        ("wijk", 11.0, 1.0),
        ("buurt", 13.0, 0.8),
    ] {
        out.push(layer(
            &format!("basemap-{level}"),
            "line",
            Some(level),
            "over",
            json!({"minzoom": min, "paint": {
                "line-color": "rgba(40, 48, 56, 0.55)",
                "line-width": ["interpolate", ["linear"], ["zoom"], min, width * 0.6, min + 4.0, width * 1.6],
            }}),
        ));
    }
    // Invisible fills of the areas: what a hover or tap names at every zoom.
    for level in AREA_LAYERS {
        out.push(layer(
            &format!("basemap-{level}-hit"),
            "fill",
            Some(level),
            "over",
            json!({"paint": {"fill-color": "#000000", "fill-opacity": 0}}),
        ));
    }
    out.push(layer(
        "basemap-water-label",
        "symbol",
        Some(AREA_LABEL),
        "over",
        json!({
            "minzoom": 7,
            "filter": ["==", ["get", "level"], "water"],
            "layout": {
                "text-field": ["get", "name"], "text-font": [REGULAR_FONT],
                "text-size": ["interpolate", ["linear"], ["zoom"], 7, 11, 12, 14],
                "text-letter-spacing": 0.1, "text-max-width": 8,
            },
            "paint": {"text-color": "#2f5470", "text-halo-color": "rgba(255, 255, 255, 0.6)", "text-halo-width": 1},
        }),
    ));
    for (level, size) in [("buurt", 11.0), ("wijk", 12.0), ("gemeente", 13.0)] {
        let (min, max) = area_label_zooms(level);
        out.push(layer(
            &format!("basemap-{level}-label"),
            "symbol",
            Some(AREA_LABEL),
            "over",
            json!({
                "minzoom": min, "maxzoom": max,
                "filter": ["==", ["get", "level"], level],
                "layout": {
                    "text-field": ["get", "name"], "text-font": [REGULAR_FONT],
                    "text-size": size, "text-max-width": 8,
                    "text-transform": if level == "gemeente" { "uppercase" } else { "none" },
                    "text-letter-spacing": if level == "gemeente" { 0.08 } else { 0.0 },
                },
                "paint": halo(),
            }),
        ));
    }
    out.push(layer(
        "basemap-place-label",
        "symbol",
        Some(PLACE),
        "over",
        json!({
            "layout": {
                "text-field": ["get", "name"],
                "text-font": ["match", ["get", "kind"], "city", ["literal", [BOLD_FONT]], ["literal", [REGULAR_FONT]]],
                "text-size": ["interpolate", ["linear"], ["zoom"],
                    6, ["match", ["get", "kind"], "city", 12, 10],
                    12, ["match", ["get", "kind"], "city", 18, "town", 15, 12]],
                "symbol-sort-key": ["-", 0, ["get", "population"]],
                "text-max-width": 8,
                "text-padding": 4,
            },
            "paint": halo(),
        }),
    ));
    out
}

/// The basemap's style: its layers over source [`ID`], glyphs from `glyphs` (a URL template with
/// `{fontstack}` and `{range}`).
pub fn style(source: &StyleSource, glyphs: &str, attribution: Option<&str>) -> Value {
    json!({
        "version": 8,
        "name": "Leefbaarometer basemap",
        "metadata": {"lbm:tileset": ID, "lbm:kind": "basemap"},
        "glyphs": glyphs,
        "sources": {ID: source.source(attribution)},
        "layers": layers(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_layers_come_first_and_labels_last() {
        let layers = layers();
        let place = |l: &Value| l["metadata"]["lbm:basemap"].as_str().unwrap().to_string();
        let first_over = layers.iter().position(|l| place(l) == "over").unwrap();
        assert!(layers[..first_over].iter().all(|l| place(l) == "under"));
        assert!(layers[first_over..].iter().all(|l| place(l) == "over"));
        let first_symbol = layers.iter().position(|l| l["type"] == "symbol").unwrap();
        assert!(layers[first_symbol..].iter().all(|l| l["type"] == "symbol"));
        assert_ne!(WATER_COLOR, crate::classification::NoData::default().color);
    }

    #[test]
    fn cities_come_before_towns_and_villages() {
        assert_eq!(place_kind(350_000.0), ("city", 6));
        assert_eq!(place_kind(15_000.0).1, 9);
        assert_eq!(place_kind(3_000.0).1, 11);
    }
}

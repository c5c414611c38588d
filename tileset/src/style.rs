//! The MapLibre style (v8) of a tileset: the one document the server publishes at
//! `/styles/{id}.json`, `export-site` writes beside a static site, and the web map draws with.
//!
//! Every layer reads source `lbm` and carries `metadata` naming its level (`lbm:level`) and role
//! (`lbm:role`: `fill` (with `lbm:class`) or `outline`; a pressure overlay's `mark` and `mark-casing`), so a page can place the layers of several
//! tilesets on one map and switch the level shown without knowing how they are drawn.

use serde_json::{json, Value};

use crate::levels::{AreaLevel, Band, GRID_LAYER, TOP_ZOOM};
use crate::measure::Kind;
use crate::metadata::TilesetMeta;

/// The name of the style's one source.
pub const SOURCE: &str = "lbm";

/// The colour of land without residents (the style's background): no class colour and not the
/// no-data grey, so that "not populated" and "populated but without a score" look different.
pub const LAND_COLOR: &str = "#e4e6e8";

/// From this zoom on, 100 m cells are wide enough on screen for an outline.
pub const GRID_OUTLINE_FROM: f64 = 11.5;

/// Where the style's source comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StyleSource {
    /// A TileJSON URL (the server's `/tiles/{id}.json`).
    TileJson(String),
    /// A PMTiles archive URL, read with the `pmtiles` protocol (a static site).
    Pmtiles(String),
}

impl StyleSource {
    pub(crate) fn source(&self, attribution: Option<&str>) -> Value {
        let url = match self {
            StyleSource::TileJson(u) => u.clone(),
            StyleSource::Pmtiles(u) => format!("pmtiles://{u}"),
        };
        let mut s = json!({"type": "vector", "url": url});
        if let Some(a) = attribution {
            s["attribution"] = json!(a);
        }
        s
    }
}

/// The fills of one level: one layer per class, selected by a plain filter on the tile's
/// `class` and painted in the class colour, and one for the places without a score (no `class`)
/// in the no-data colour. Each carries `lbm:class` (the class, or `"none"`) in its metadata.
///
/// One layer per class, not one layer with a `match` on the class: every style converter draws
/// a filter and a plain colour (QGIS 3.22 turns a `match` on numbers into an empty `IN ()` and
/// draws everything grey), and MapLibre draws both alike.
fn fill_layers(meta: &TilesetMeta, level: &str) -> Vec<Value> {
    let no_data = meta
        .classification
        .as_ref()
        .map(|c| c.no_data.color.clone())
        .unwrap_or_else(|| crate::classification::NoData::default().color);
    let paint =
        |color: &str| json!({"fill-color": color, "fill-opacity": 1, "fill-antialias": false});
    let mut out: Vec<Value> = meta
        .classification
        .iter()
        .flat_map(|c| &c.classes)
        .map(|class| {
            let mut l = layer(
                format!("{level}-fill-{}", class.class),
                "fill",
                level,
                "fill",
                paint(&class.color),
            );
            l["filter"] = json!(["==", ["get", "class"], class.class]);
            l["metadata"]["lbm:class"] = json!(class.class);
            l
        })
        .collect();
    let mut none = layer(
        format!("{level}-fill-none"),
        "fill",
        level,
        "fill",
        paint(&no_data),
    );
    none["filter"] = json!(["!", ["has", "class"]]);
    none["metadata"]["lbm:class"] = json!("none");
    out.push(none);
    out
}

/// The zoom range and visibility of one level's layers: its band of the plan, or (for a level
/// the plan does not show by itself, like pc4) hidden, within its own tile zooms.
fn placement(meta: &TilesetMeta, layer: &str) -> (Option<u8>, Option<u8>, &'static str) {
    let zooms = |b: &Band| {
        (
            (b.minzoom > 0).then_some(b.minzoom),
            (b.maxzoom < TOP_ZOOM).then_some(b.maxzoom),
        )
    };
    match meta.levels.iter().find(|b| b.layer == layer) {
        Some(b) => {
            let (min, max) = zooms(b);
            (min, max, "visible")
        }
        None => {
            let min = meta.area(layer).map(|a| a.minzoom);
            (min.filter(|z| *z > 0), None, "none")
        }
    }
}

fn layer(id: String, kind: &str, source_layer: &str, role: &str, paint: Value) -> Value {
    json!({
        "id": id, "type": kind, "source": SOURCE, "source-layer": source_layer,
        "metadata": {"lbm:level": source_layer, "lbm:role": role},
        "paint": paint,
    })
}

/// The layers of one level: its fills ([`fill_layers`]) and an outline.
///
/// Fills are opaque at every level and zoom: a drawn colour is exactly its legend colour, which a
/// translucent fill over the land or water below never is (0.85 drew a class 9 gemeente 33 off
/// per channel). Transparency is the reader's choice (the page's control), alike for every level.
/// What only the web page draws (the outline of the selected place, by feature state) the page
/// adds itself: the shared document holds only what every client draws.
fn level_layers(meta: &TilesetMeta, level: &str) -> Vec<Value> {
    let grid = level == GRID_LAYER;
    let outline = if grid {
        json!({
            "line-color": "rgba(40, 40, 40, 0.35)",
            "line-width": ["interpolate", ["linear"], ["zoom"], 12, 0.3, 17, 1.2],
        })
    } else {
        json!({
            "line-color": "rgba(30, 30, 30, 0.7)",
            "line-width": ["interpolate", ["linear"], ["zoom"], 6, 0.5, 14, 1.6],
        })
    };
    let mut out = fill_layers(meta, level);
    out.push(layer(
        format!("{level}-outline"),
        "line",
        level,
        "outline",
        outline,
    ));
    let min = place(meta, level, &mut out);
    if grid {
        // 100 m cells get their outline only once they are wide enough on screen.
        let z = min
            .map_or(GRID_OUTLINE_FROM, f64::from)
            .max(GRID_OUTLINE_FROM);
        if let Some(outline) = out.last_mut() {
            outline["minzoom"] = json!(z);
        }
    }
    out
}

/// Puts the layers of `level` in the level's zoom band with its visibility ([`placement`]);
/// returns the band's minzoom.
fn place(meta: &TilesetMeta, level: &str, layers: &mut [Value]) -> Option<u8> {
    let (min, max, visibility) = placement(meta, level);
    for l in layers {
        if let Some(z) = min {
            l["minzoom"] = json!(z);
        }
        if let Some(z) = max {
            l["maxzoom"] = json!(z);
        }
        l["layout"] = json!({"visibility": visibility});
    }
    min
}

/// The colour that marks a place "structureel onder druk" ([`Kind::Pressure`]): a purple
/// apart from every class colour and from the no-data grey.
pub const PRESSURE_COLOR: &str = "#5b1a73";

/// The colour of the casing under the pressure outline, so that it stands out on dark and light
/// class colours alike.
pub const PRESSURE_CASING: &str = "#ffffff";

/// The two layers of one level of a pressure overlay: a strong outline in [`PRESSURE_COLOR`] on
/// a white casing, drawn inside the marked place along its border, and no fill: the interior
/// keeps the class colour of the map below (a translucent fill mixed with the classes into
/// shades no legend has), and every client draws plain lines. In the level's band of the plan.
fn pressure_layers(meta: &TilesetMeta, level: &str) -> Vec<Value> {
    let grid = level == GRID_LAYER;
    let width = |w: f64| {
        if grid {
            json!([
                "interpolate",
                ["linear"],
                ["zoom"],
                10,
                0.6 * w,
                16,
                2.0 * w
            ])
        } else {
            json!(["interpolate", ["linear"], ["zoom"], 6, 1.5 * w, 14, 3.0 * w])
        }
    };
    // A line offset by half its width lies inside the polygon (MVT rings run clockwise).
    let offset = |w: f64| width(w / 2.0);
    let casing = json!({
        "line-color": PRESSURE_CASING,
        "line-width": width(1.6),
        "line-offset": offset(1.6),
    });
    let outline = json!({
        "line-color": PRESSURE_COLOR,
        "line-width": width(1.0),
        "line-offset": offset(1.0),
    });
    // Roles of their own (`mark-casing`, `mark`): a page treats the outlines of score levels
    // (role `outline`) otherwise, e.g. 100 m cells get theirs only from a zoom on.
    let mut out = vec![
        layer(
            format!("{level}-casing"),
            "line",
            level,
            "mark-casing",
            casing,
        ),
        layer(format!("{level}-mark"), "line", level, "mark", outline),
    ];
    place(meta, level, &mut out);
    out
}

/// The style document of a tileset: a background in [`LAND_COLOR`], then per area level (coarse
/// to fine) and for the grid a fill per class in the class colours and an outline,
/// each level in its band of the tileset's level plan (`lbm_levels`).
///
/// A pressure overlay ([`Kind::Pressure`]) has no background: its marked places in
/// [`PRESSURE_COLOR`] over whatever score map lies below, level by level as the score maps.
pub fn style(meta: &TilesetMeta, id: &str, source: &StyleSource) -> Value {
    let pressure = meta.kind_id() == Some(Kind::Pressure);
    let levels = |level: &str| {
        if pressure {
            pressure_layers(meta, level)
        } else {
            level_layers(meta, level)
        }
    };
    let mut layers = if pressure {
        Vec::new()
    } else {
        vec![json!({
            "id": "background", "type": "background",
            "paint": {"background-color": LAND_COLOR},
        })]
    };
    for level in AreaLevel::ALL {
        if meta.area(level.layer()).is_some() {
            layers.extend(levels(level.layer()));
        }
    }
    layers.extend(levels(GRID_LAYER));
    json!({
        "version": 8,
        "name": meta.name,
        "metadata": {
            "lbm:tileset": id, "lbm:kind": meta.kind_id(), "lbm:measure": meta.measure(),
            "lbm:year": meta.year(), "lbm:year_from": meta.period().map(|p| p.0),
            "lbm:year_to": meta.period().map(|p| p.1),
            "lbm:levels": meta.levels,
        },
        "center": [meta.center[0], meta.center[1]],
        "zoom": meta.center[2],
        "sources": {SOURCE: source.source(meta.attribution.as_deref())},
        "layers": layers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classification::{ClassEntry, Classification, NoData};
    use crate::levels::{automatic_plan, AreaLayerInfo};
    use std::collections::HashMap;

    fn meta(areas: &[&str]) -> TilesetMeta {
        let areas: Vec<AreaLayerInfo> = areas
            .iter()
            .map(|l| AreaLayerInfo {
                layer: l.to_string(),
                minzoom: AreaLevel::parse(l).unwrap().minzoom(),
                maxzoom: 13,
                scores: None,
            })
            .collect();
        let rows: HashMap<String, String> = [
            ("format", "pbf".to_string()),
            ("minzoom", "5".into()),
            ("maxzoom", "13".into()),
            ("lbm_areas", serde_json::to_string(&areas).unwrap()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let mut m = TilesetMeta::from_rows("t", &rows, None).unwrap();
        m.classification = Some(Classification {
            measure: "fys".into(),
            kind: None,
            name_nl: String::new(),
            name_en: String::new(),
            basis: "fys".into(),
            cuts: vec![-0.21, -0.13, -0.075, -0.04, 0.04, 0.075, 0.13, 0.21],
            classes: (1..=9)
                .map(|class| ClassEntry {
                    class,
                    label_nl: String::new(),
                    label_en: String::new(),
                    color: format!("#00000{class}"),
                })
                .collect(),
            no_data: NoData::default(),
        });
        assert_eq!(m.levels, automatic_plan(&m.areas, 5));
        m
    }

    #[test]
    fn layers_follow_the_level_plan() {
        let m = meta(&["gemeente", "wijk", "pc4"]);
        let s = style(
            &m,
            "fys-2020",
            &StyleSource::TileJson("http://h/tiles/fys-2020.json".into()),
        );
        let layers = s["layers"].as_array().unwrap();
        let find = |id: &str| layers.iter().find(|l| l["id"] == id).unwrap();
        assert_eq!(layers[0]["type"], "background");
        assert_eq!(find("gemeente-fill-1")["minzoom"], 5);
        assert_eq!(find("gemeente-fill-9")["maxzoom"], 9);
        assert_eq!(find("gemeente-fill-none")["maxzoom"], 9);
        assert_eq!(find("wijk-outline")["minzoom"], 9);
        assert_eq!(find("wijk-outline")["maxzoom"], 11);
        assert_eq!(find("pc4-fill-4")["layout"]["visibility"], "none");
        assert_eq!(find("grid-fill-5")["minzoom"], 11);
        assert!(find("grid-fill-5").get("maxzoom").is_none());
        assert_eq!(find("grid-outline")["minzoom"], 11.5);
        // Nothing only the page draws (feature state) is in the shared document.
        assert!(!s.to_string().contains("feature-state"));
        // One fill per class with a plain filter and colour, one for no data.
        for k in 1..=9u8 {
            let fill = find(&format!("grid-fill-{k}"));
            assert_eq!(fill["filter"], json!(["==", ["get", "class"], k]));
            assert_eq!(fill["paint"]["fill-color"], format!("#00000{k}"));
            assert_eq!(fill["metadata"]["lbm:class"], k);
            assert_eq!(fill["metadata"]["lbm:role"], "fill");
        }
        let none = find("grid-fill-none");
        assert_eq!(none["filter"], json!(["!", ["has", "class"]]));
        assert_eq!(none["paint"]["fill-color"], "#bdbdbd");
        assert_eq!(s["sources"]["lbm"]["url"], "http://h/tiles/fys-2020.json");
        assert!(layers
            .iter()
            .skip(1)
            .all(|l| l["source"] == SOURCE && l["metadata"]["lbm:level"] == l["source-layer"]));
        let pm = style(
            &m,
            "fys-2020",
            &StyleSource::Pmtiles("tiles/fys-2020.pmtiles".into()),
        );
        assert_eq!(
            pm["sources"]["lbm"]["url"],
            "pmtiles://tiles/fys-2020.pmtiles"
        );
    }

    #[test]
    fn a_pressure_overlay_marks_places_in_one_colour_without_a_background() {
        let mut m = meta(&["gemeente", "wijk"]);
        m.kind = Some(crate::TilesetKind::Pressure {
            measure: "lbm".into(),
            from: 2014,
            to: 2022,
        });
        let s = style(
            &m,
            "lbm-pressure-2014-2022",
            &StyleSource::TileJson("u".into()),
        );
        let layers = s["layers"].as_array().unwrap();
        assert!(
            layers.iter().all(|l| l["source"] == SOURCE),
            "no background"
        );
        assert_eq!(
            layers.len(),
            6,
            "casing and outline of gemeente, wijk and grid"
        );
        assert!(
            layers.iter().all(|l| l["type"] == "line"),
            "no fill: the class colour below stays as it is"
        );
        assert!(layers
            .iter()
            .filter(|l| l["metadata"]["lbm:role"] == "mark")
            .all(|l| l["paint"]["line-color"] == PRESSURE_COLOR));
        let wijk = layers.iter().find(|l| l["id"] == "wijk-mark").unwrap();
        assert_eq!(
            (wijk["minzoom"].as_u64(), wijk["maxzoom"].as_u64()),
            (Some(9), Some(11))
        );
    }

    #[test]
    fn without_areas_the_grid_is_drawn_from_minzoom() {
        let s = style(&meta(&[]), "t", &StyleSource::TileJson("u".into()));
        let layers = s["layers"].as_array().unwrap();
        assert_eq!(
            layers[1]["paint"]["fill-opacity"], 1,
            "opaque: the legend's colours"
        );
        assert_eq!(
            layers.len(),
            1 + 10 + 1,
            "background, ten fills, the outline"
        );
        assert_eq!(layers[1]["minzoom"], 5);
        assert_eq!(layers[11]["minzoom"], 11.5);
    }
}

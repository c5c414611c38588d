//! The levels a tileset draws (gemeente, wijk, buurt, pc4 and the grid) and the zoom band of
//! each: the level plan, written by the tiler into `lbm_levels` and read by the server's style
//! and the web map.

use serde::{Deserialize, Serialize};

/// An administrative level with its own layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AreaLevel {
    /// Municipality, `GM0344`.
    Gemeente,
    /// District, `WK034401`.
    Wijk,
    /// Neighbourhood, `BU03440101`.
    Buurt,
    /// Four-digit postcode area, `3511`.
    Pc4,
}

impl AreaLevel {
    /// Every level, coarse to fine (pc4 last: it is no part of the administrative nesting).
    pub const ALL: [AreaLevel; 4] = [
        AreaLevel::Gemeente,
        AreaLevel::Wijk,
        AreaLevel::Buurt,
        AreaLevel::Pc4,
    ];

    /// Layer name in the tiles: `gemeente`, `wijk`, `buurt`, `pc4`.
    pub fn layer(self) -> &'static str {
        match self {
            AreaLevel::Gemeente => "gemeente",
            AreaLevel::Wijk => "wijk",
            AreaLevel::Buurt => "buurt",
            AreaLevel::Pc4 => "pc4",
        }
    }

    /// The level of layer `name`.
    pub fn parse(name: &str) -> Option<AreaLevel> {
        AreaLevel::ALL.into_iter().find(|l| l.layer() == name)
    }

    /// Lowest zoom at which the tiler writes the layer (coarser zooms would show specks).
    pub fn minzoom(self) -> u8 {
        match self {
            AreaLevel::Gemeente => 5,
            AreaLevel::Wijk => 8,
            AreaLevel::Pc4 => 9,
            AreaLevel::Buurt => 10,
        }
    }

    /// Where the automatic plan lets this level take over from a coarser one, and `None` for
    /// a level it never shows by itself (pc4 overlaps the others).
    fn automatic_from(self) -> Option<u8> {
        match self {
            AreaLevel::Gemeente => Some(0),
            AreaLevel::Wijk => Some(9),
            AreaLevel::Buurt => Some(11),
            AreaLevel::Pc4 => None,
        }
    }

    /// Where the grid takes over when this is the finest level of the automatic plan.
    fn grid_after(self) -> u8 {
        match self {
            AreaLevel::Gemeente => 9,
            AreaLevel::Wijk => 11,
            AreaLevel::Buurt | AreaLevel::Pc4 => 13,
        }
    }

    /// The key column of an area scores file (the open-data layout).
    pub fn key_column(self) -> &'static str {
        match self {
            AreaLevel::Gemeente => "gm_code",
            AreaLevel::Wijk => "wk_code",
            AreaLevel::Buurt => "bu_code",
            AreaLevel::Pc4 => "pc4",
        }
    }

    /// The letters a code of this level starts with (`GM`, `WK`, `BU`; none for pc4).
    pub fn code_prefix(self) -> &'static str {
        match self {
            AreaLevel::Gemeente => "GM",
            AreaLevel::Wijk => "WK",
            AreaLevel::Buurt => "BU",
            AreaLevel::Pc4 => "",
        }
    }

    /// The digits after the prefix: 4 (gemeente, pc4), 6 (wijk), 8 (buurt).
    pub fn code_digits(self) -> usize {
        match self {
            AreaLevel::Gemeente | AreaLevel::Pc4 => 4,
            AreaLevel::Wijk => 6,
            AreaLevel::Buurt => 8,
        }
    }

    /// 0 for gemeente .. 3 for pc4 (search and panel order).
    pub fn rank(self) -> u8 {
        self as u8
    }
}

/// One area layer of a tileset: an entry of the `lbm_areas` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaLayerInfo {
    /// Layer name: `gemeente`, `wijk`, `buurt` or `pc4`.
    pub layer: String,
    /// Lowest zoom of the layer's tiles.
    #[serde(default)]
    pub minzoom: u8,
    /// Highest zoom of the layer's tiles.
    #[serde(default = "open_maxzoom")]
    pub maxzoom: u8,
    /// Where the scores come from: `derived` (mean of the cells inside) or `file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<String>,
}

fn open_maxzoom() -> u8 {
    30
}

/// The layer name of the grid cells.
pub const GRID_LAYER: &str = "grid";

/// MapLibre's highest zoom: a band ending here is open-ended.
pub const TOP_ZOOM: u8 = 24;

/// One entry of the level plan: `layer` is drawn from `minzoom` up to, not including,
/// `maxzoom` (the meaning of a MapLibre style layer's `maxzoom`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    /// `gemeente`, `wijk`, `buurt` or `grid`.
    pub layer: String,
    /// First zoom drawn.
    pub minzoom: u8,
    /// First zoom no longer drawn ([`TOP_ZOOM`]: drawn to the end).
    pub maxzoom: u8,
}

impl Band {
    /// Whether the band draws at `zoom`.
    pub fn contains(&self, zoom: f64) -> bool {
        zoom >= f64::from(self.minzoom) && zoom < f64::from(self.maxzoom)
    }
}

/// The automatic level plan: which layer the map draws at which zoom, coarse to fine, one
/// layer per zoom, without gaps from the tileset's `minzoom` on. Each administrative level
/// the tileset has takes over at its own zoom (gemeente first, wijk from 9, buurt from 11) and
/// the grid after the finest (after gemeente from 9, wijk 11, buurt 13). Without area layers
/// the grid is drawn at every zoom.
pub fn automatic_plan(areas: &[AreaLayerInfo], minzoom: u8) -> Vec<Band> {
    let present: Vec<AreaLevel> = AreaLevel::ALL
        .into_iter()
        .filter(|l| l.automatic_from().is_some())
        .filter(|l| areas.iter().any(|a| a.layer == l.layer()))
        .collect();
    let Some(finest) = present.last() else {
        return vec![Band {
            layer: GRID_LAYER.into(),
            minzoom,
            maxzoom: TOP_ZOOM,
        }];
    };
    let mut starts: Vec<(&'static str, u8)> = present
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let from = if i == 0 {
                minzoom
            } else {
                l.automatic_from().unwrap_or(0).max(minzoom)
            };
            (l.layer(), from)
        })
        .collect();
    starts.push((GRID_LAYER, finest.grid_after().max(minzoom)));
    let mut plan = Vec::new();
    for (i, &(layer, from)) in starts.iter().enumerate() {
        let to = starts.get(i + 1).map_or(TOP_ZOOM, |s| s.1);
        if to > from {
            plan.push(Band {
                layer: layer.into(),
                minzoom: from,
                maxzoom: to,
            });
        }
    }
    plan
}

/// The `lbm_levels` row of a plan.
pub fn plan_json(plan: &[Band]) -> String {
    serde_json::to_string(plan).expect("bands serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers(names: &[&str]) -> Vec<AreaLayerInfo> {
        names
            .iter()
            .map(|n| AreaLayerInfo {
                layer: n.to_string(),
                minzoom: AreaLevel::parse(n).unwrap().minzoom(),
                maxzoom: 13,
                scores: None,
            })
            .collect()
    }

    fn bands(plan: &[Band]) -> Vec<(&str, u8, u8)> {
        plan.iter()
            .map(|b| (b.layer.as_str(), b.minzoom, b.maxzoom))
            .collect()
    }

    #[test]
    fn plans_are_consecutive_from_minzoom() {
        assert_eq!(bands(&automatic_plan(&[], 5)), [("grid", 5, 24)]);
        assert_eq!(
            bands(&automatic_plan(&layers(&["gemeente"]), 5)),
            [("gemeente", 5, 9), ("grid", 9, 24)]
        );
        assert_eq!(
            bands(&automatic_plan(
                &layers(&["gemeente", "wijk", "buurt", "pc4"]),
                5
            )),
            [
                ("gemeente", 5, 9),
                ("wijk", 9, 11),
                ("buurt", 11, 13),
                ("grid", 13, 24)
            ]
        );
        // A buurt file alone starts at the tileset's minzoom; pc4 is never automatic.
        assert_eq!(
            bands(&automatic_plan(&layers(&["buurt", "pc4"]), 7)),
            [("buurt", 7, 13), ("grid", 13, 24)]
        );
        assert_eq!(
            bands(&automatic_plan(&layers(&["gemeente", "wijk"]), 10)),
            [("wijk", 10, 11), ("grid", 11, 24)]
        );
        assert!(plan_json(&automatic_plan(&[], 5)).starts_with("[{\"layer\":\"grid\""));
    }
}

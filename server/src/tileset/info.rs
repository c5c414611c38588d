//! Tileset metadata (`metadata` table) parsed into [`TilesetInfo`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::TilesetError;

/// One class of a classification (1..9).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClassDef {
    /// Class number, 1..9.
    pub class: u32,
    /// Dutch label.
    #[serde(default)]
    pub label_nl: String,
    /// English label.
    #[serde(default)]
    pub label_en: String,
    /// CSS colour, e.g. `#b2182b`.
    pub color: String,
}

/// The "no data" entry of a classification.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NoData {
    /// Dutch label.
    #[serde(default)]
    pub label_nl: String,
    /// English label.
    #[serde(default)]
    pub label_en: String,
    /// CSS colour.
    pub color: String,
}

/// The classification a tileset was classified with (`lbm_classification`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Classification {
    /// `change` for the classification of a change tileset; absent for scores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Measure id (`lbm`, `fys`, ...).
    pub measure: String,
    /// Dutch measure name.
    #[serde(default)]
    pub name_nl: String,
    /// English measure name.
    #[serde(default)]
    pub name_en: String,
    /// The value the class is computed from (the measure itself, or `afw` for `lbm`).
    #[serde(default)]
    pub basis: String,
    /// The 8 cut points between the 9 classes, ascending.
    pub cuts: Vec<f64>,
    /// The classes with labels and colours.
    pub classes: Vec<ClassDef>,
    /// Colour and label for cells without a value.
    pub no_data: NoData,
}

impl Classification {
    /// The class (1-based) of `value`: class k holds `cuts[k-2] <= v < cuts[k-1]`.
    pub fn classify(&self, value: f64) -> Option<u32> {
        if !value.is_finite() {
            return None;
        }
        let below = self.cuts.iter().filter(|&&c| c <= value).count();
        Some(below as u32 + 1)
    }

    /// The value this classification classifies: `basis`, or the measure when empty.
    pub fn basis(&self) -> &str {
        if self.basis.is_empty() {
            &self.measure
        } else {
            &self.basis
        }
    }
}

/// Everything the server needs to know about a tileset, from its `metadata` table.
#[derive(Debug, Clone, Serialize)]
pub struct TilesetInfo {
    /// Tileset id: the file stem, used in URLs.
    pub id: String,
    /// `name` row (falls back to the id).
    pub name: String,
    /// `description` row.
    pub description: Option<String>,
    /// `attribution` row.
    pub attribution: Option<String>,
    /// `version` row.
    pub version: Option<String>,
    /// `[w, s, e, n]` in WGS84 (the whole world when missing).
    pub bounds: [f64; 4],
    /// `[lon, lat, zoom]` (the middle of the bounds when missing).
    pub center: [f64; 3],
    /// Lowest zoom with tiles.
    pub minzoom: u8,
    /// Highest zoom with tiles.
    pub maxzoom: u8,
    /// `vector_layers` from the `json` row.
    pub vector_layers: Value,
    /// `lbm_kind` (`score`, later `change`).
    pub kind: Option<String>,
    /// `lbm_measure`.
    pub measure: Option<String>,
    /// `lbm_year`.
    pub year: Option<i32>,
    /// `lbm_classification`, parsed.
    pub classification: Option<Classification>,
    /// `lbm_pyramid` as stored (JSON).
    pub pyramid: Option<Value>,
    /// `lbm_year_from` of a change tileset.
    pub year_from: Option<i32>,
    /// `lbm_year_to` of a change tileset (falls back to `lbm_year`).
    pub year_to: Option<i32>,
    /// `lbm_areas` as stored (a JSON array of `{layer, minzoom, maxzoom, scores}`); empty
    /// when the tileset has no area layers.
    pub areas: Vec<AreaLayer>,
    /// Content version of the file (see `Tileset::version`); empty until the file is opened.
    pub content_version: String,
}

/// One area layer of a tileset (`lbm_areas`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AreaLayer {
    /// Layer name: `gemeente`, `wijk`, `buurt` or `pc4`.
    pub layer: String,
    /// Lowest zoom of the layer.
    #[serde(default)]
    pub minzoom: u8,
    /// Highest zoom of the layer.
    #[serde(default = "default_area_maxzoom")]
    pub maxzoom: u8,
    /// Where the scores come from: `derived` or `file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<String>,
}

fn default_area_maxzoom() -> u8 {
    30
}

fn parse_floats<const N: usize>(s: &str) -> Option<[f64; N]> {
    let parts: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()?;
    let arr: [f64; N] = parts.try_into().ok()?;
    arr.iter().all(|v| v.is_finite()).then_some(arr)
}

fn parse_zoom(rows: &HashMap<String, String>, key: &str) -> Result<Option<u8>, TilesetError> {
    match rows.get(key) {
        None => Ok(None),
        Some(v) => {
            let z: f64 = v
                .trim()
                .parse()
                .map_err(|_| TilesetError::Invalid(format!("{key} is not a number: {v:?}")))?;
            if !(0.0..=30.0).contains(&z) || z.fract() != 0.0 {
                return Err(TilesetError::Invalid(format!("{key} out of range: {v:?}")));
            }
            Ok(Some(z as u8))
        }
    }
}

impl TilesetInfo {
    /// Builds the info from the `metadata` rows; `zoom_range` (from the tiles table) fills in
    /// missing zooms. Rejects anything that is not a `pbf` tileset.
    pub fn from_metadata(
        id: &str,
        rows: &HashMap<String, String>,
        zoom_range: Option<(u8, u8)>,
    ) -> Result<Self, TilesetError> {
        match rows.get("format").map(|s| s.trim()) {
            Some("pbf") => {}
            Some(other) => {
                return Err(TilesetError::Invalid(format!(
                    "format is {other:?}, not pbf"
                )))
            }
            None => return Err(TilesetError::Invalid("no format row".into())),
        }
        let minzoom = parse_zoom(rows, "minzoom")?
            .or(zoom_range.map(|r| r.0))
            .unwrap_or(0);
        let maxzoom = parse_zoom(rows, "maxzoom")?
            .or(zoom_range.map(|r| r.1))
            .unwrap_or(minzoom);
        if minzoom > maxzoom {
            return Err(TilesetError::Invalid(format!(
                "minzoom {minzoom} > maxzoom {maxzoom}"
            )));
        }
        let bounds = rows
            .get("bounds")
            .and_then(|b| parse_floats::<4>(b))
            .unwrap_or([-180.0, -85.051_128_8, 180.0, 85.051_128_8]);
        let center = rows
            .get("center")
            .and_then(|c| parse_floats::<3>(c))
            .unwrap_or([
                (bounds[0] + bounds[2]) / 2.0,
                (bounds[1] + bounds[3]) / 2.0,
                f64::from(minzoom),
            ]);
        let vector_layers = rows
            .get("json")
            .and_then(|j| serde_json::from_str::<Value>(j).ok())
            .and_then(|j| j.get("vector_layers").cloned())
            .unwrap_or_else(|| Value::Array(vec![]));
        let classification = match rows.get("lbm_classification") {
            Some(s) => Some(serde_json::from_str::<Classification>(s).map_err(|e| {
                TilesetError::Invalid(format!("lbm_classification is not valid: {e}"))
            })?),
            None => None,
        };
        let text = |k: &str| {
            rows.get(k)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        Ok(Self {
            id: id.to_string(),
            name: text("name").unwrap_or_else(|| id.to_string()),
            description: text("description"),
            attribution: text("attribution"),
            version: text("version"),
            bounds,
            center,
            minzoom,
            maxzoom,
            vector_layers,
            kind: text("lbm_kind"),
            measure: text("lbm_measure"),
            year: text("lbm_year").and_then(|y| y.parse().ok()),
            classification,
            pyramid: rows
                .get("lbm_pyramid")
                .and_then(|p| serde_json::from_str(p).ok()),
            year_from: text("lbm_year_from").and_then(|y| y.parse().ok()),
            year_to: text("lbm_year_to")
                .and_then(|y| y.parse().ok())
                .or_else(|| {
                    (text("lbm_kind").as_deref() == Some("change"))
                        .then(|| text("lbm_year").and_then(|y| y.parse().ok()))
                        .flatten()
                }),
            // A malformed row only loses the area list; the tileset itself still serves.
            areas: rows
                .get("lbm_areas")
                .and_then(|a| serde_json::from_str::<Vec<AreaLayer>>(a).ok())
                .unwrap_or_default(),
            content_version: String::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classification() -> Classification {
        Classification {
            kind: None,
            measure: "fys".into(),
            name_nl: "Fysieke omgeving".into(),
            name_en: "Physical environment".into(),
            basis: "fys".into(),
            cuts: vec![-0.21, -0.13, -0.075, -0.04, 0.04, 0.075, 0.13, 0.21],
            classes: vec![],
            no_data: NoData {
                label_nl: String::new(),
                label_en: String::new(),
                color: "#bdbdbd".into(),
            },
        }
    }

    #[test]
    fn classify_follows_half_open_cuts() {
        let c = classification();
        assert_eq!(c.classify(-1.0), Some(1));
        assert_eq!(c.classify(-0.21), Some(2));
        assert_eq!(c.classify(0.0), Some(5));
        assert_eq!(c.classify(0.21), Some(9));
        assert_eq!(c.classify(f64::NAN), None);
    }

    #[test]
    fn rejects_non_pbf_and_bad_zooms() {
        let mut rows = HashMap::new();
        rows.insert("format".to_string(), "png".to_string());
        assert!(TilesetInfo::from_metadata("x", &rows, None).is_err());
        rows.insert("format".to_string(), "pbf".to_string());
        rows.insert("minzoom".to_string(), "abc".to_string());
        assert!(TilesetInfo::from_metadata("x", &rows, None).is_err());
        rows.insert("minzoom".to_string(), "5".to_string());
        rows.insert("maxzoom".to_string(), "12".to_string());
        let info = TilesetInfo::from_metadata("x", &rows, None).unwrap();
        assert_eq!((info.minzoom, info.maxzoom), (5, 12));
    }
}

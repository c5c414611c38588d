//! The metadata rows of a tileset (the MBTiles `metadata` table; a PMTiles archive holds the same
//! rows, see `lbm_formats::pmtiles::metadata`): written by the tiler with [`TilesetMeta::to_rows`], read
//! by the server and the tests with [`TilesetMeta::from_rows`]. The rows are specified in
//! `docs/tileset-format.md`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::classification::Classification;
use crate::levels::{automatic_plan, AreaLayerInfo, Band, GRID_LAYER};
use crate::measure::Kind;

/// The RD New cell size drawn at one zoom (an entry of `lbm_pyramid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PyramidLevel {
    /// Web Mercator zoom.
    pub zoom: u8,
    /// Cell size in metres (100 · 2^k).
    pub cell_m: u32,
}

/// What `afw` (and so the class of the total score) is measured against: the `lbm_reference`
/// row of an `lbm` score tileset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// The national reference level: `lbm - afw` (the mean over the year's cells).
    pub value: f64,
    /// `file` (the scores file's own `afw` column), `derived` (the tiler computed
    /// `afw = lbm - value` with one value for every year) or `demo`.
    pub source: String,
    /// When the file's `afw` is measured against another level in other years (the largest
    /// difference of `lbm - afw` between years): its classes are then not comparable over time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<f64>,
}

/// The rule of a "structureel onder druk" tileset (its `lbm_pressure` row): a place is marked
/// when its `measure` is in class `max_class` or lower in every year of `years` (the measured
/// years from `since` on), by the classification of the tileset (`lbm_classification`). Each
/// marked feature shows its score and class of the last of `years`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pressure {
    /// The measure (`lbm`).
    pub measure: String,
    /// The highest class that counts as under pressure (4: "zwak" or lower).
    pub max_class: u8,
    /// The first year of the period.
    pub since: i32,
    /// The measured years of the period, ascending (at least two).
    pub years: Vec<i32>,
}

impl Pressure {
    /// Whether a place with class `classes[i]` in `years[i]` is under pressure: a class in every
    /// year, none above `max_class`.
    pub fn holds(&self, classes: impl IntoIterator<Item = Option<u8>>) -> bool {
        let mut n = 0;
        for c in classes {
            match c {
                Some(k) if k <= self.max_class => n += 1,
                _ => return false,
            }
        }
        n == self.years.len()
    }
}

/// What a tileset shows: its `lbm_kind`, `lbm_measure`, `lbm_year`, `lbm_year_from` and
/// `lbm_year_to` rows, as one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TilesetKind {
    /// The published scores of `measure` in `year`.
    Score {
        /// Measure id (`lbm`, `fys`, ...).
        measure: String,
        /// Measurement year.
        year: i32,
    },
    /// Ontwikkeling: the change of `measure` from `from` to `to`.
    Change {
        /// Measure id.
        measure: String,
        /// The earlier year.
        from: i32,
        /// The later year.
        to: i32,
    },
    /// Structureel onder druk by `measure` in every measured year from `from` to `to`
    /// ([`Pressure`]).
    Pressure {
        /// Measure id.
        measure: String,
        /// The first year of the period.
        from: i32,
        /// The last year of the period.
        to: i32,
    },
    /// The built-in basemap: no scores.
    Basemap,
}

impl TilesetKind {
    /// The kind as the `lbm_kind` row names it.
    pub fn kind(&self) -> Kind {
        match self {
            TilesetKind::Score { .. } => Kind::Score,
            TilesetKind::Change { .. } => Kind::Change,
            TilesetKind::Pressure { .. } => Kind::Pressure,
            TilesetKind::Basemap => Kind::Basemap,
        }
    }

    /// The measure shown (none for the basemap).
    pub fn measure(&self) -> Option<&str> {
        match self {
            TilesetKind::Score { measure, .. }
            | TilesetKind::Change { measure, .. }
            | TilesetKind::Pressure { measure, .. } => Some(measure),
            TilesetKind::Basemap => None,
        }
    }

    /// The `lbm_year` row: the year of a score map, the last year of a period.
    pub fn year(&self) -> Option<i32> {
        match *self {
            TilesetKind::Score { year, .. } => Some(year),
            TilesetKind::Change { to, .. } | TilesetKind::Pressure { to, .. } => Some(to),
            TilesetKind::Basemap => None,
        }
    }

    /// The period `(from, to)` of a change map or a pressure overlay.
    pub fn period(&self) -> Option<(i32, i32)> {
        match *self {
            TilesetKind::Change { from, to, .. } | TilesetKind::Pressure { from, to, .. } => {
                Some((from, to))
            }
            _ => None,
        }
    }

    /// The kind the rows describe. Without an `lbm_kind` row, a measure and a year make a score
    /// map (as tilesets of the first tiler wrote them); rows that name a kind without what it
    /// needs describe none.
    fn from_rows(
        kind: Option<Kind>,
        measure: Option<String>,
        year: Option<i32>,
        from: Option<i32>,
        to: Option<i32>,
    ) -> Option<Self> {
        let to = to.or(year);
        Some(match kind {
            Some(Kind::Basemap) => TilesetKind::Basemap,
            Some(Kind::Score) | None => TilesetKind::Score {
                measure: measure?,
                year: year?,
            },
            Some(Kind::Change) => TilesetKind::Change {
                measure: measure?,
                from: from?,
                to: to?,
            },
            Some(Kind::Pressure) => TilesetKind::Pressure {
                measure: measure?,
                from: from?,
                to: to?,
            },
        })
    }
}

/// Everything a tileset's metadata says, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct TilesetMeta {
    /// `name` row (the tileset id for the tiler's files).
    pub name: String,
    /// `description` row.
    pub description: Option<String>,
    /// `attribution` row (English, or neutral: what every other client shows).
    pub attribution: Option<String>,
    /// `lbm_attribution_nl`: the same in Dutch, for the web map in Dutch.
    pub attribution_nl: Option<String>,
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
    /// `vector_layers` of the `json` row.
    pub vector_layers: Value,
    /// What it shows (`lbm_kind`, `lbm_measure` and the year rows); `None` for a tileset
    /// whose rows say none (another tool's).
    pub kind: Option<TilesetKind>,
    /// `lbm_classification`.
    pub classification: Option<Classification>,
    /// `lbm_pyramid`.
    pub pyramid: Vec<PyramidLevel>,
    /// `lbm_source_sha256`.
    pub source_sha256: Option<String>,
    /// `lbm_inputs_sha256`: the digest of exactly what the tileset was made from (the tiler
    /// version, the options that change its bytes, its classification, the cells of its years,
    /// the area levels and their values in those years); a build into the same folder keeps a
    /// tileset whose digest is unchanged.
    pub inputs_sha256: Option<String>,
    /// `lbm_generator`.
    pub generator: Option<String>,
    /// `lbm_areas` (empty without area layers).
    pub areas: Vec<AreaLayerInfo>,
    /// `lbm_levels`: the automatic level plan. Tilesets written before the row existed get the
    /// plan [`automatic_plan`] makes of their `lbm_areas`.
    pub levels: Vec<Band>,
    /// `lbm_reference` of an `lbm` score tileset.
    pub reference: Option<Reference>,
    /// `lbm_tiles_hash`.
    pub tiles_hash: Option<String>,
    /// `lbm_pressure` of a "structureel onder druk" tileset.
    pub pressure: Option<Pressure>,
}

/// Metadata that cannot be served.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct MetadataError(pub String);

/// The fields of the `grid` layer, as listed in `vector_layers`.
pub fn grid_fields(with_afw: bool) -> Value {
    let mut f = json!({"score": "Number", "class": "Number", "cell": "String", "n": "Number"});
    if with_afw {
        f["afw"] = json!("Number");
    }
    f
}

/// The fields of an area layer, as listed in `vector_layers`.
pub fn area_fields(with_afw: bool) -> Value {
    let mut f = json!({"code": "String", "name": "String", "score": "Number", "class": "Number", "n": "Number"});
    if with_afw {
        f["afw"] = json!("Number");
    }
    f
}

/// One entry of `vector_layers`.
pub fn vector_layer(id: &str, description: &str, minzoom: u8, maxzoom: u8, fields: Value) -> Value {
    json!({"id": id, "description": description, "minzoom": minzoom, "maxzoom": maxzoom, "fields": fields})
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

fn parse_zoom(rows: &HashMap<String, String>, key: &str) -> Result<Option<u8>, MetadataError> {
    let Some(v) = rows.get(key) else {
        return Ok(None);
    };
    let z: f64 = v
        .trim()
        .parse()
        .map_err(|_| MetadataError(format!("{key} is not a number: {v:?}")))?;
    if !(0.0..=30.0).contains(&z) || z.fract() != 0.0 {
        return Err(MetadataError(format!("{key} out of range: {v:?}")));
    }
    Ok(Some(z as u8))
}

/// A JSON row, when present and readable.
fn json_row<T: serde::de::DeserializeOwned>(
    rows: &HashMap<String, String>,
    key: &str,
) -> Option<T> {
    rows.get(key).and_then(|v| serde_json::from_str(v).ok())
}

/// A number as the rows write it: integers without a fraction, others with 6 decimals.
fn coordinate(v: f64) -> String {
    format!("{v:.6}")
}

impl TilesetMeta {
    /// Reads the rows; `zoom_range` (from the tiles) fills in missing zooms. Rejects anything
    /// that is not a `pbf` tileset or whose `lbm_classification` cannot be read; other `lbm_*`
    /// rows that cannot be read are left out (the tileset still serves).
    pub fn from_rows(
        id: &str,
        rows: &HashMap<String, String>,
        zoom_range: Option<(u8, u8)>,
    ) -> Result<Self, MetadataError> {
        match rows.get("format").map(|s| s.trim()) {
            Some("pbf") => {}
            Some(other) => return Err(MetadataError(format!("format is {other:?}, not pbf"))),
            None => return Err(MetadataError("no format row".into())),
        }
        let minzoom = parse_zoom(rows, "minzoom")?
            .or(zoom_range.map(|r| r.0))
            .unwrap_or(0);
        let maxzoom = parse_zoom(rows, "maxzoom")?
            .or(zoom_range.map(|r| r.1))
            .unwrap_or(minzoom);
        if minzoom > maxzoom {
            return Err(MetadataError(format!(
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
        let text = |k: &str| {
            rows.get(k)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let classification = match rows.get("lbm_classification") {
            Some(s) => Some(
                serde_json::from_str::<Classification>(s)
                    .map_err(|e| MetadataError(format!("lbm_classification is not valid: {e}")))?,
            ),
            None => None,
        };
        let year = |k: &str| text(k).and_then(|y| y.parse().ok());
        let kind = TilesetKind::from_rows(
            text("lbm_kind").and_then(|k| Kind::parse(&k)),
            text("lbm_measure"),
            year("lbm_year"),
            year("lbm_year_from"),
            year("lbm_year_to"),
        );
        let areas: Vec<AreaLayerInfo> = json_row(rows, "lbm_areas").unwrap_or_default();
        let levels =
            json_row(rows, "lbm_levels").unwrap_or_else(|| automatic_plan(&areas, minzoom));
        Ok(TilesetMeta {
            name: text("name").unwrap_or_else(|| id.to_string()),
            description: text("description"),
            attribution: text("attribution"),
            attribution_nl: text("lbm_attribution_nl"),
            version: text("version"),
            bounds,
            center,
            minzoom,
            maxzoom,
            vector_layers: rows
                .get("json")
                .and_then(|j| serde_json::from_str::<Value>(j).ok())
                .and_then(|j| j.get("vector_layers").cloned())
                .unwrap_or_else(|| Value::Array(vec![])),
            kind,
            classification,
            pyramid: json_row(rows, "lbm_pyramid").unwrap_or_default(),
            source_sha256: text("lbm_source_sha256"),
            inputs_sha256: text("lbm_inputs_sha256"),
            generator: text("lbm_generator"),
            areas,
            levels,
            reference: json_row(rows, "lbm_reference"),
            tiles_hash: text("lbm_tiles_hash"),
            pressure: json_row(rows, "lbm_pressure"),
        })
    }

    /// The rows, in the order the tiler writes them (see `docs/tileset-format.md`).
    pub fn to_rows(&self) -> Vec<(String, String)> {
        let [w, s, e, n] = self.bounds;
        let mut rows: Vec<(&str, String)> = vec![
            ("name", self.name.clone()),
            ("format", "pbf".into()),
            ("bounds", [w, s, e, n].map(coordinate).join(",")),
            (
                "center",
                format!(
                    "{},{},{}",
                    coordinate(self.center[0]),
                    coordinate(self.center[1]),
                    self.center[2]
                ),
            ),
            ("minzoom", self.minzoom.to_string()),
            ("maxzoom", self.maxzoom.to_string()),
            ("type", "overlay".into()),
            (
                "version",
                self.version.clone().unwrap_or_else(|| "1".into()),
            ),
        ];
        if let Some(d) = &self.description {
            rows.push(("description", d.clone()));
        }
        if let Some(a) = &self.attribution {
            rows.push(("attribution", a.clone()));
        }
        rows.push((
            "json",
            json!({"vector_layers": self.vector_layers}).to_string(),
        ));
        let mut push = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                rows.push((k, v));
            }
        };
        push("lbm_attribution_nl", self.attribution_nl.clone());
        let kind = self.kind.as_ref();
        push("lbm_kind", kind.map(|k| k.kind().id().to_string()));
        push(
            "lbm_measure",
            kind.and_then(|k| k.measure()).map(String::from),
        );
        push(
            "lbm_year",
            kind.and_then(|k| k.year()).map(|y| y.to_string()),
        );
        push(
            "lbm_classification",
            self.classification.as_ref().map(Classification::to_json),
        );
        push(
            "lbm_pyramid",
            Some(serde_json::to_string(&self.pyramid).expect("pyramid serialises")),
        );
        push("lbm_source_sha256", self.source_sha256.clone());
        push("lbm_inputs_sha256", self.inputs_sha256.clone());
        push("lbm_generator", self.generator.clone());
        if !self.areas.is_empty() {
            push(
                "lbm_areas",
                Some(serde_json::to_string(&self.areas).expect("areas serialise")),
            );
        }
        push(
            "lbm_levels",
            Some(serde_json::to_string(&self.levels).expect("bands serialise")),
        );
        push(
            "lbm_reference",
            self.reference
                .as_ref()
                .map(|r| serde_json::to_string(r).expect("reference serialises")),
        );
        if let Some((from, to)) = kind.and_then(|k| k.period()) {
            push("lbm_year_from", Some(from.to_string()));
            push("lbm_year_to", Some(to.to_string()));
        }
        push(
            "lbm_pressure",
            self.pressure
                .as_ref()
                .map(|p| serde_json::to_string(p).expect("pressure serialises")),
        );
        push("lbm_tiles_hash", self.tiles_hash.clone());
        rows.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    /// The kind as the `lbm_kind` row names it, if the rows say.
    pub fn kind_id(&self) -> Option<Kind> {
        self.kind.as_ref().map(TilesetKind::kind)
    }

    /// Whether this is a change map.
    pub fn is_change(&self) -> bool {
        self.kind_id() == Some(Kind::Change)
    }

    /// The measure shown, if any.
    pub fn measure(&self) -> Option<&str> {
        self.kind.as_ref().and_then(TilesetKind::measure)
    }

    /// The `lbm_year` row: the year of a score map, the last year of a period.
    pub fn year(&self) -> Option<i32> {
        self.kind.as_ref().and_then(TilesetKind::year)
    }

    /// The period `(from, to)` of a change map or a pressure overlay.
    pub fn period(&self) -> Option<(i32, i32)> {
        self.kind.as_ref().and_then(TilesetKind::period)
    }

    /// The area layer named `layer`, if the tileset has it.
    pub fn area(&self, layer: &str) -> Option<&AreaLayerInfo> {
        self.areas.iter().find(|a| a.layer == layer)
    }

    /// The layer the automatic plan draws at `zoom` (the grid when the plan is empty).
    pub fn level_at(&self, zoom: f64) -> &str {
        self.levels
            .iter()
            .find(|b| b.contains(zoom))
            .or(self.levels.last())
            .map_or(GRID_LAYER, |b| b.layer.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::levels::AreaLevel;

    #[test]
    fn pressure_needs_a_low_class_in_every_year() {
        let p = Pressure {
            measure: "lbm".into(),
            max_class: 4,
            since: 2014,
            years: vec![2014, 2016, 2018],
        };
        assert!(p.holds([Some(4), Some(1), Some(3)]));
        assert!(!p.holds([Some(4), Some(5), Some(3)]), "one year above");
        assert!(!p.holds([Some(4), None, Some(3)]), "a year without a score");
        assert!(!p.holds([Some(4), Some(4)]), "a year missing");
        let mut m = sample();
        m.kind = Some(TilesetKind::Pressure {
            measure: "lbm".into(),
            from: 2012,
            to: 2022,
        });
        m.pressure = Some(p.clone());
        let rows: HashMap<String, String> = m.to_rows().into_iter().collect();
        let back = TilesetMeta::from_rows("x", &rows, None).unwrap();
        assert_eq!(back.pressure, Some(p));
        assert_eq!(back.period(), Some((2012, 2022)));
        assert_eq!(back.year(), Some(2022));
    }

    fn sample() -> TilesetMeta {
        let areas = vec![AreaLayerInfo {
            layer: "gemeente".into(),
            minzoom: AreaLevel::Gemeente.minzoom(),
            maxzoom: 13,
            scores: Some("derived".into()),
        }];
        TilesetMeta {
            name: "lbm-2012-2022".into(),
            description: Some("d".into()),
            attribution: Some("a".into()),
            attribution_nl: Some("a (nl)".into()),
            version: Some("1".into()),
            bounds: [3.2, 50.75, 7.22, 53.5],
            center: [5.21, 52.125, 8.0],
            minzoom: 5,
            maxzoom: 13,
            vector_layers: json!([vector_layer("grid", "g", 5, 13, grid_fields(false))]),
            kind: Some(TilesetKind::Change {
                measure: "lbm".into(),
                from: 2012,
                to: 2022,
            }),
            classification: None,
            pyramid: vec![PyramidLevel {
                zoom: 5,
                cell_m: 6400,
            }],
            source_sha256: Some("ab".into()),
            inputs_sha256: Some("cd".into()),
            generator: Some("lbm-tiler 0.1.0".into()),
            levels: automatic_plan(&areas, 5),
            areas,
            reference: Some(Reference {
                value: 4.05,
                source: "demo".into(),
                spread: None,
            }),
            tiles_hash: Some("00".into()),
            pressure: None,
        }
    }

    #[test]
    fn rows_round_trip() {
        let m = sample();
        let rows = m.to_rows();
        let names: Vec<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names[..3], ["name", "format", "bounds"]);
        assert_eq!(rows[2].1, "3.200000,50.750000,7.220000,53.500000");
        assert_eq!(rows[3].1, "5.210000,52.125000,8");
        assert_eq!(*names.last().unwrap(), "lbm_tiles_hash");
        let map: HashMap<String, String> = rows.into_iter().collect();
        let back = TilesetMeta::from_rows("x", &map, None).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.level_at(6.0), "gemeente");
        assert_eq!(back.level_at(9.0), "grid");
        assert_eq!(back.level_at(30.0), "grid");
    }

    #[test]
    fn older_rows_get_the_automatic_plan_and_bad_rows_are_refused() {
        let mut map: HashMap<String, String> = sample().to_rows().into_iter().collect();
        map.remove("lbm_levels");
        let back = TilesetMeta::from_rows("x", &map, None).unwrap();
        assert_eq!(back.levels, sample().levels);
        map.insert("format".into(), "png".into());
        assert!(TilesetMeta::from_rows("x", &map, None).is_err());
        map.insert("format".into(), "pbf".into());
        map.insert("minzoom".into(), "abc".into());
        assert!(TilesetMeta::from_rows("x", &map, None).is_err());
        map.insert("minzoom".into(), "5".into());
        map.insert("lbm_classification".into(), "{".into());
        assert!(TilesetMeta::from_rows("x", &map, None).is_err());
    }
}

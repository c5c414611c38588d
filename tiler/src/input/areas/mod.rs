//! Area boundaries (gemeente, wijk, buurt, pc4) from GeoJSON, FlatGeobuf or GeoPackage files.
//!
//! Every reader ends in the same [`Area`]: level, code, name and polygons in RD New metres.
//! Errors name the file and the feature (its index and, when known, its code).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Result, TilerError};
use lbm_tileset::project::wgs84_to_rd;

/// A ring of RD New points, without the closing point.
pub type Ring = Vec<(f64, f64)>;
/// A polygon: exterior ring first, then holes.
pub type Polygon = Vec<Ring>;

mod flatgeobuf;
mod geojson;
pub(crate) mod geopackage;
pub mod repair;

pub use flatgeobuf::read_flatgeobuf;
pub use geojson::read_geojson;
pub use geopackage::read_geopackage;
pub use lbm_tileset::levels::AreaLevel;
use lbm_tileset::names::code_id;

/// One area with its boundary.
#[derive(Clone, Debug)]
pub struct Area {
    /// Level.
    pub level: AreaLevel,
    /// Code, e.g. `GM0363`, `WK036300`, `BU03630000` or `3511`.
    pub code: String,
    /// Name (the code itself for pc4).
    pub name: String,
    /// Polygons in RD New metres.
    pub polygons: Vec<Polygon>,
}

impl Area {
    /// The MVT feature id: the digits of the code as an integer (GM0363 → 363).
    pub fn feature_id(&self) -> u64 {
        code_id(&self.code)
    }

    /// The gemeente code of a wijk or buurt (from the code digits), `None` otherwise.
    pub fn parent(&self) -> Option<String> {
        match self.level {
            AreaLevel::Wijk | AreaLevel::Buurt => Some(format!("GM{}", &self.code[2..6])),
            _ => None,
        }
    }

    /// RD New bounds (xmin, ymin, xmax, ymax).
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &(x, y) in self.polygons.iter().flatten().flatten() {
            b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
        }
        b
    }

    /// Even-odd point in polygon over all rings (holes excluded).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        let rings: Vec<&Ring> = self.polygons.iter().flatten().collect();
        lbm_tileset::geometry::rings_contain(&rings, x, y)
    }

    /// The boundary as GeoJSON geometry text (RD New metres, rings closed).
    pub fn geojson(&self) -> String {
        let polys: Vec<Vec<Vec<[f64; 2]>>> = self
            .polygons
            .iter()
            .map(|p| {
                p.iter()
                    .map(|r| {
                        r.iter()
                            .chain(r.first())
                            .map(|&(x, y)| [round2(x), round2(y)])
                            .collect()
                    })
                    .collect()
            })
            .collect();
        if polys.len() == 1 {
            serde_json::json!({"type": "Polygon", "coordinates": polys[0]}).to_string()
        } else {
            serde_json::json!({"type": "MultiPolygon", "coordinates": polys}).to_string()
        }
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The coordinate system of a boundary file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Crs {
    Rd,
    Wgs84,
    /// Not declared: lon/lat when every coordinate fits, RD New otherwise.
    Guess,
}

/// What reading one boundary file found besides its areas.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileLog {
    /// The geometry defects repaired or dropped.
    pub repairs: repair::RepairReport,
    /// Features left out because they are water only (CBS `water` = `JA`).
    pub water: usize,
    /// Features left out of the map because no usable polygon is left after repairs (an empty
    /// geometry, or every ring fewer than 3 distinct points or without area): their labels,
    /// `feature 131 (WK190102)`. GDAL, QGIS and tippecanoe draw the other features of such a
    /// file; so does the tiler, saying which it left out (see [`AreaFile::unmapped`]).
    pub unusable: Vec<String>,
}

impl FileLog {
    /// "2 features without a usable polygon left off the map (kept in the index and search):
    /// feature 131 (WK190102), ..." (the first ten named).
    pub fn unusable_summary(&self) -> Option<String> {
        let n = self.unusable.len();
        (n > 0).then(|| {
            let shown: Vec<&str> = self.unusable.iter().take(10).map(String::as_str).collect();
            let more = if n > 10 {
                format!(" and {} more", n - 10)
            } else {
                String::new()
            };
            format!(
                "{n} feature{} without a usable polygon left off the map (kept in the index and \
                 search): {}{more}",
                if n == 1 { "" } else { "s" },
                shown.join(", ")
            )
        })
    }
}

impl FileLog {
    /// Whether a feature is water only (the CBS wijk- en buurtkaart marks those `water` = `JA`):
    /// it has no residents and is not an area of the map. Counted.
    fn skip_water(&mut self, props: &HashMap<String, String>) -> bool {
        let water = props
            .get("water")
            .is_some_and(|w| w.trim().eq_ignore_ascii_case("ja"));
        self.water += usize::from(water);
        water
    }
}

/// The areas of one boundary file and what was repaired or skipped reading it.
#[derive(Clone, Debug, Default)]
pub struct AreaFile {
    /// The areas, in file order.
    pub areas: Vec<Area>,
    /// The features without a usable polygon (named in `log.unusable`), without polygons: not
    /// on the map, but in the index, the search and the reports with their scores.
    pub unmapped: Vec<Area>,
    /// Repairs and skipped water areas.
    pub log: FileLog,
}

/// A boundary file argument `file.gpkg:layer` as the file and the layer (a GeoPackage holds
/// several); any other argument as it is.
pub fn split_layer(arg: &Path) -> (PathBuf, Option<String>) {
    let text = arg.to_string_lossy();
    let lower = text.to_ascii_lowercase();
    if let Some(i) = lower.rfind(".gpkg:") {
        let (file, layer) = (&text[..i + 5], &text[i + 6..]);
        if !layer.is_empty() && !arg.exists() {
            return (PathBuf::from(file), Some(layer.to_string()));
        }
    }
    (arg.to_path_buf(), None)
}

/// Reads the areas of a boundary file, by extension: `.geojson`/`.json`, `.fgb`, `.gpkg` (all
/// its feature tables, or the one named as `file.gpkg:layer`).
pub fn read_areas(arg: &Path) -> Result<AreaFile> {
    let (path, layer) = split_layer(arg);
    let path = path.as_path();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut log = FileLog::default();
    let areas = match ext.as_str() {
        "geojson" | "json" => {
            let text = std::fs::read_to_string(path).map_err(|e| TilerError::io(path, e))?;
            read_geojson(&text, path, &mut log)?
        }
        "fgb" => read_flatgeobuf(path, &mut log)?,
        "gpkg" => read_geopackage(path, layer.as_deref(), &mut log)?,
        _ => {
            return Err(bad(
                path,
                "file",
                format!(
                    "unknown boundary file type {ext:?}; expected .geojson, .json, .fgb or .gpkg"
                ),
            ))
        }
    };
    let (areas, unmapped): (Vec<Area>, Vec<Area>) =
        areas.into_iter().partition(|a| !a.polygons.is_empty());
    // Refused only when nothing in it can be used.
    if areas.is_empty() {
        if let Some(why) = log.unusable_summary() {
            return Err(bad(path, "file", format!("no area can be drawn: {why}")));
        }
    }
    Ok(AreaFile {
        areas,
        unmapped,
        log,
    })
}

fn bad(path: &Path, feature: impl Into<String>, message: impl Into<String>) -> TilerError {
    TilerError::BadArea {
        path: path.to_path_buf(),
        feature: feature.into(),
        message: message.into(),
    }
}

fn feature_label(i: usize, code: Option<&str>) -> String {
    match code {
        Some(c) => format!("feature {i} ({c})"),
        None => format!("feature {i}"),
    }
}

/// Level, code and name from a feature's properties (keys compared case-insensitively).
fn identify(
    props: &HashMap<String, String>,
) -> std::result::Result<(AreaLevel, String, String), String> {
    let get = |k: &str| {
        props
            .get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let name_of = |k: &str, code: &str| get(k).unwrap_or_else(|| code.to_string());
    let (level, code, name) = if let Some(c) = get("bu_code").or_else(|| get("buurtcode")) {
        let n = get("bu_naam")
            .or_else(|| get("buurtnaam"))
            .unwrap_or_else(|| c.clone());
        (AreaLevel::Buurt, c, n)
    } else if let Some(c) = get("wk_code").or_else(|| get("wijkcode")) {
        let n = get("wk_naam")
            .or_else(|| get("wijknaam"))
            .unwrap_or_else(|| c.clone());
        (AreaLevel::Wijk, c, n)
    } else if let Some(c) = get("gm_code").or_else(|| get("gemeentecode")) {
        let n = get("gm_naam")
            .or_else(|| get("gemeentenaam"))
            .unwrap_or_else(|| c.clone());
        (AreaLevel::Gemeente, c, n)
    } else if let Some(c) = get("statcode") {
        let level = match c.get(..2).map(str::to_ascii_uppercase).as_deref() {
            Some("GM") => AreaLevel::Gemeente,
            Some("WK") => AreaLevel::Wijk,
            Some("BU") => AreaLevel::Buurt,
            _ => return Err(format!("statcode {c:?} does not start with GM, WK or BU")),
        };
        let n = name_of("statnaam", &c);
        (level, c, n)
    } else if let Some(c) = ["pc4", "pc4_code", "postcode", "postcode4"]
        .into_iter()
        .find_map(get)
    {
        (AreaLevel::Pc4, c.clone(), c)
    } else {
        let mut keys: Vec<&String> = props.keys().collect();
        keys.sort();
        return Err(format!(
            "no code field; expected bu_code/bu_naam, wk_code/wk_naam, gm_code/gm_naam, \
             statcode/statnaam or pc4/postcode (found: {})",
            keys.iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    Ok((level, normalise_code(level, &code)?, name))
}

/// `GM0363`, `WK036300`, `BU03630000` or `3511`; digits alone get the prefix.
pub(crate) fn normalise_code(level: AreaLevel, code: &str) -> std::result::Result<String, String> {
    let upper = code.to_ascii_uppercase();
    let digits = upper.strip_prefix(level.code_prefix()).unwrap_or(&upper);
    if digits.len() == level.code_digits() && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(format!("{}{digits}", level.code_prefix()))
    } else {
        Err(format!(
            "code {code:?} is not a {} code; expected {}{}",
            level.layer(),
            level.code_prefix(),
            "9".repeat(level.code_digits())
        ))
    }
}

/// Turns raw polygons (in the file's CRS) into an [`Area`]: repaired (see [`repair`], counted in
/// `log`), in RD New, inside the Netherlands. A feature with no usable polygon (empty, or nothing
/// left after the repairs) is named in `log` and comes out without polygons (not on the map, but
/// kept for the index and the search); a coordinate outside the
/// Netherlands (a wrong CRS) or a missing code is an error naming the file and the feature.
fn finish_area(
    path: &Path,
    label: &str,
    props: &HashMap<String, String>,
    polygons: Vec<Polygon>,
    crs: Crs,
    log: &mut FileLog,
) -> Result<Option<Area>> {
    let (level, code, name) = identify(props).map_err(|m| bad(path, label, m))?;
    let unmapped = |log: &mut FileLog| {
        log.unusable.push(label.to_string());
        Ok(Some(Area {
            level,
            code: code.clone(),
            name: name.clone(),
            polygons: Vec::new(),
        }))
    };
    if polygons.is_empty() {
        return unmapped(log);
    }
    let lonlat = match crs {
        Crs::Rd => false,
        Crs::Wgs84 => true,
        Crs::Guess => polygons
            .iter()
            .flatten()
            .flatten()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .all(|&(x, y)| x.abs() <= 180.0 && y.abs() <= 90.0),
    };
    // To RD New and inside the Netherlands first: a coordinate far away is a wrong CRS, which
    // no repair should hide. Non-finite points are left to the repairs.
    let mut polygons = polygons;
    for p in polygons.iter_mut().flatten().flatten() {
        if !(p.0.is_finite() && p.1.is_finite()) {
            continue;
        }
        if lonlat {
            *p = wgs84_to_rd(p.0, p.1)?;
        }
        if !(-7_000.0..=300_000.0).contains(&p.0) || !(289_000.0..=629_000.0).contains(&p.1) {
            return Err(bad(
                path,
                label,
                format!(
                    "coordinate ({}, {}) is outside the Netherlands in RD New; expected \
                     EPSG:28992 metres, or EPSG:4326 declared in the file (unknown CRS?)",
                    p.0, p.1
                ),
            ));
        }
    }
    let out = repair::repair(polygons, &mut log.repairs, label);
    if out.is_empty() {
        return unmapped(log);
    }
    Ok(Some(Area {
        level,
        code,
        name,
        polygons: out,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"statcode":"GM0363","statnaam":"Amsterdam"},
       "geometry":{"type":"Polygon","coordinates":[[[120000,480000],[120000,490000],[130000,490000],[130000,480000],[120000,480000]]]}}]}"#;

    #[test]
    fn reads_geojson_rd_and_lonlat() {
        let a = read_geojson(SQUARE, Path::new("a.geojson"), &mut Default::default()).unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(
            (a[0].level, a[0].code.as_str(), a[0].name.as_str()),
            (AreaLevel::Gemeente, "GM0363", "Amsterdam")
        );
        assert_eq!(a[0].polygons[0][0].len(), 4, "closing point dropped");
        assert!(a[0].contains(125_000.0, 485_000.0));
        assert_eq!(a[0].feature_id(), 363);
        let ll = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"wk_code":"WK036300","wk_naam":"Burgwallen"},
          "geometry":{"type":"MultiPolygon","coordinates":[[[[4.88,52.37],[4.88,52.38],[4.90,52.38],[4.90,52.37],[4.88,52.37]]]]}}]}"#;
        let a = read_geojson(ll, Path::new("b.geojson"), &mut Default::default()).unwrap();
        assert_eq!(a[0].level, AreaLevel::Wijk);
        assert_eq!(a[0].parent().as_deref(), Some("GM0363"));
        let (x, y) = wgs84_to_rd(4.89, 52.375).unwrap();
        assert!(a[0].contains(x, y), "converted to RD New");
    }

    #[test]
    fn errors_name_file_and_feature() {
        let e = read_geojson(
            &SQUARE.replace("statcode", "foo"),
            Path::new("a.geojson"),
            &mut Default::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("a.geojson: feature 0: no code field"), "{e}");
        let e = read_geojson(
            &SQUARE.replace("\"Polygon\"", "\"LineString\""),
            Path::new("a.geojson"),
            &mut Default::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("a.geojson: feature 0 (GM0363): unsupported geometry type LineString"),
            "{e}"
        );
        let crs = SQUARE.replacen("{\"type\":\"FeatureCollection\",", "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::3857\"}},", 1);
        let e = read_geojson(&crs, Path::new("c.geojson"), &mut Default::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("c.geojson: file: unknown CRS") && e.contains("3857"),
            "{e}"
        );
        let far = SQUARE.replace("120000,480000]", "920000,480000]");
        let e = read_geojson(&far, Path::new("d.geojson"), &mut Default::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("feature 0 (GM0363): coordinate (920000"), "{e}");
        // A feature whose polygon collapses is left out and named, not a reason to stop.
        let short = SQUARE.replace("[120000,490000],[130000,490000],", "");
        let mut log = FileLog::default();
        let areas = read_geojson(&short, Path::new("e.geojson"), &mut log).unwrap();
        assert!(areas.len() == 1 && areas[0].polygons.is_empty());
        assert_eq!(log.unusable, ["feature 0 (GM0363)"]);
        let why = log.unusable_summary().unwrap();
        assert!(
            why.starts_with("1 feature without a usable polygon left off the map (kept in the index and search): feature 0 (GM0363)"),
            "{why}"
        );
    }

    #[test]
    fn codes_and_names() {
        assert_eq!(code_id("BU03630000"), 3_630_000);
        assert_eq!(
            normalise_code(AreaLevel::Gemeente, "0363").unwrap(),
            "GM0363"
        );
        assert!(normalise_code(AreaLevel::Buurt, "BU0363").is_err());
    }
}

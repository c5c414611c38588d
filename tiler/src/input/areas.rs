//! Area boundaries (gemeente, wijk, buurt, pc4) from GeoJSON, FlatGeobuf or GeoPackage files.
//!
//! Every reader ends in the same [`Area`]: level, code, name and polygons in RD New metres.
//! Errors name the file and the feature (its index and, when known, its code).

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Result, TilerError};
use lbm_tileset::project::wgs84_to_rd;

/// A ring of RD New points, without the closing point.
pub type Ring = Vec<(f64, f64)>;
/// A polygon: exterior ring first, then holes.
pub type Polygon = Vec<Ring>;

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

/// Reads the areas of a boundary file, by extension: `.geojson`/`.json`, `.fgb`, `.gpkg`.
pub fn read_areas(path: &Path) -> Result<Vec<Area>> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "geojson" | "json" => {
            let text = std::fs::read_to_string(path).map_err(|e| TilerError::io(path, e))?;
            read_geojson(&text, path)
        }
        "fgb" => read_flatgeobuf(path),
        "gpkg" => read_geopackage(path),
        _ => Err(bad(
            path,
            "file",
            format!("unknown boundary file type {ext:?}; expected .geojson, .json, .fgb or .gpkg"),
        )),
    }
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
    } else if let Some(c) = get("pc4").or_else(|| get("postcode")) {
        (AreaLevel::Pc4, c.clone(), c)
    } else {
        let mut keys: Vec<&String> = props.keys().collect();
        keys.sort();
        return Err(format!(
            "no code field; expected bu_code/bu_naam, wk_code/wk_naam, gm_code/gm_naam, \
             statcode/statnaam or pc4 (found: {})",
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

/// Turns raw polygons (in the file's CRS) into an [`Area`], checking rings and coordinates.
fn finish_area(
    path: &Path,
    index: usize,
    props: &HashMap<String, String>,
    polygons: Vec<Polygon>,
    crs: Crs,
) -> Result<Area> {
    let (level, code, name) =
        identify(props).map_err(|m| bad(path, feature_label(index, None), m))?;
    let label = feature_label(index, Some(&code));
    if polygons.is_empty() {
        return Err(bad(
            path,
            label,
            "empty geometry; expected a Polygon or MultiPolygon",
        ));
    }
    let lonlat = match crs {
        Crs::Rd => false,
        Crs::Wgs84 => true,
        Crs::Guess => polygons
            .iter()
            .flatten()
            .flatten()
            .all(|&(x, y)| x.abs() <= 180.0 && y.abs() <= 90.0),
    };
    let mut out = Vec::with_capacity(polygons.len());
    for poly in polygons {
        let mut rings = Vec::with_capacity(poly.len());
        for mut ring in poly {
            if ring.len() > 1 && ring.first() == ring.last() {
                ring.pop();
            }
            if ring.len() < 3 || ring.iter().any(|p| !p.0.is_finite() || !p.1.is_finite()) {
                return Err(bad(
                    path,
                    label,
                    format!(
                        "broken geometry: a ring with {} distinct points or a non-finite \
                         coordinate; expected rings of at least 4 positions (closed)",
                        ring.len()
                    ),
                ));
            }
            if lonlat {
                for p in &mut ring {
                    *p = wgs84_to_rd(p.0, p.1)?;
                }
            }
            if let Some(p) = ring.iter().find(|p| {
                !(-7_000.0..=300_000.0).contains(&p.0) || !(289_000.0..=629_000.0).contains(&p.1)
            }) {
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
            rings.push(ring);
        }
        out.push(rings);
    }
    Ok(Area {
        level,
        code,
        name,
        polygons: out,
    })
}

// ---- GeoJSON ----

fn json_props(f: &serde_json::Value) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Some(obj) = f.get("properties").and_then(|p| p.as_object()) {
        for (k, v) in obj {
            let s = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => continue,
            };
            out.insert(k.to_ascii_lowercase(), s);
        }
    }
    out
}

fn json_polygons(g: &serde_json::Value) -> std::result::Result<Vec<Polygon>, String> {
    let ring = |r: &serde_json::Value| -> std::result::Result<Ring, String> {
        r.as_array()
            .ok_or("broken geometry: a ring is not an array of positions")?
            .iter()
            .map(|p| {
                match (
                    p.get(0).and_then(|v| v.as_f64()),
                    p.get(1).and_then(|v| v.as_f64()),
                ) {
                    (Some(x), Some(y)) => Ok((x, y)),
                    _ => Err(format!("broken geometry: position {p} is not [x, y]")),
                }
            })
            .collect()
    };
    let polygon = |p: &serde_json::Value| -> std::result::Result<Polygon, String> {
        p.as_array()
            .ok_or("broken geometry: a polygon is not an array of rings")?
            .iter()
            .map(ring)
            .collect()
    };
    let coords = &g["coordinates"];
    match g.get("type").and_then(|t| t.as_str()) {
        Some("Polygon") => Ok(vec![polygon(coords)?]),
        Some("MultiPolygon") => coords
            .as_array()
            .ok_or("broken geometry: MultiPolygon coordinates are not an array")?
            .iter()
            .map(polygon)
            .collect(),
        Some(t) => Err(format!(
            "unsupported geometry type {t}; expected Polygon or MultiPolygon"
        )),
        None => Err("no geometry; expected a Polygon or MultiPolygon".into()),
    }
}

/// Reads a GeoJSON FeatureCollection; `path` is used in error messages.
pub fn read_geojson(text: &str, path: &Path) -> Result<Vec<Area>> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        bad(
            path,
            format!("line {}, column {}", e.line(), e.column()),
            format!("not valid JSON: {e}"),
        )
    })?;
    let crs = match v.pointer("/crs/properties/name").and_then(|n| n.as_str()) {
        None => Crs::Guess,
        Some(n) if n.contains("28992") => Crs::Rd,
        Some(n) if n.contains("4326") || n.contains("CRS84") => Crs::Wgs84,
        Some(n) => {
            return Err(bad(
                path,
                "file",
                format!("unknown CRS {n:?}; expected EPSG:28992 (RD New) or EPSG:4326"),
            ))
        }
    };
    let features = v["features"].as_array().ok_or_else(|| {
        bad(
            path,
            "file",
            "not a FeatureCollection; expected a \"features\" array",
        )
    })?;
    features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let props = json_props(f);
            let polys = json_polygons(&f["geometry"]).map_err(|m| {
                let code = identify(&props).ok().map(|(_, c, _)| c);
                bad(path, feature_label(i, code.as_deref()), m)
            })?;
            finish_area(path, i, &props, polys, crs)
        })
        .collect()
}

// ---- FlatGeobuf ----

fn fgb_err(path: &Path, e: impl std::fmt::Display) -> TilerError {
    bad(path, "file", format!("cannot read FlatGeobuf: {e}"))
}

fn fgb_polygon(g: &flatgeobuf::Geometry<'_>) -> Polygon {
    let xy: Vec<f64> = g.xy().map(|v| v.iter().collect()).unwrap_or_default();
    let n = xy.len() / 2;
    let ends: Vec<usize> = g
        .ends()
        .map(|e| e.iter().map(|v| v as usize).collect())
        .unwrap_or_else(|| vec![n]);
    let mut start = 0;
    let mut rings = Vec::new();
    for end in ends {
        let end = end.min(n);
        rings.push((start..end).map(|i| (xy[2 * i], xy[2 * i + 1])).collect());
        start = end;
    }
    rings
}

/// Reads a FlatGeobuf file of Polygon or MultiPolygon features.
pub fn read_flatgeobuf(path: &Path) -> Result<Vec<Area>> {
    // The flatgeobuf crate trusts offsets inside the file and panics (slice bounds) on some
    // corrupt files, as the parser fuzz test found; a bad input file must be an error that names
    // it, never a crash of the tiler.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_flatgeobuf_features(path)
    }))
    .unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("the FlatGeobuf reader gave up");
        Err(bad(path, "file", format!("corrupt FlatGeobuf: {why}")))
    })
}

fn read_flatgeobuf_features(path: &Path) -> Result<Vec<Area>> {
    use flatgeobuf::{FallibleStreamingIterator, FeatureProperties, GeometryType};
    let file = std::fs::File::open(path).map_err(|e| TilerError::io(path, e))?;
    let mut reader = std::io::BufReader::new(file);
    let fgb = flatgeobuf::FgbReader::open(&mut reader).map_err(|e| fgb_err(path, e))?;
    let header_type = fgb.header().geometry_type();
    let crs = match fgb.header().crs().map(|c| c.code()) {
        None | Some(0) => Crs::Guess,
        Some(28992) => Crs::Rd,
        Some(4326) => Crs::Wgs84,
        Some(c) => {
            return Err(bad(
                path,
                "file",
                format!("unknown CRS EPSG:{c}; expected EPSG:28992 (RD New) or EPSG:4326"),
            ))
        }
    };
    check_fgb_index(path, fgb.header())?;
    let mut iter = fgb.select_all_seq().map_err(|e| fgb_err(path, e))?;
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(f) = iter.next().map_err(|e| fgb_err(path, e))? {
        let props: HashMap<String, String> = f
            .properties()
            .map_err(|e| {
                bad(
                    path,
                    feature_label(i, None),
                    format!("cannot read the properties: {e}"),
                )
            })?
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        let code = identify(&props).ok().map(|(_, c, _)| c);
        let label = feature_label(i, code.as_deref());
        let g = f.geometry().ok_or_else(|| {
            bad(
                path,
                label.clone(),
                "no geometry; expected a Polygon or MultiPolygon",
            )
        })?;
        let ty = if header_type == GeometryType::Unknown {
            g.type_()
        } else {
            header_type
        };
        let polys = match ty {
            GeometryType::Polygon => vec![fgb_polygon(&g)],
            GeometryType::MultiPolygon => match g.parts() {
                Some(parts) => parts.iter().map(|p| fgb_polygon(&p)).collect(),
                None => vec![fgb_polygon(&g)],
            },
            t => {
                return Err(bad(
                    path,
                    label,
                    format!("unsupported geometry type {t:?}; expected Polygon or MultiPolygon"),
                ))
            }
        };
        out.push(finish_area(path, i, &props, polys, crs)?);
        i += 1;
    }
    Ok(out)
}

/// Refuses a header whose spatial index cannot be in the file: the flatgeobuf crate asserts on
/// a node size of 1 and overflows on absurd feature counts while skipping the index (found by
/// the parser fuzz test), so a corrupt header must be caught before it gets there.
fn check_fgb_index(path: &Path, header: flatgeobuf::Header) -> Result<()> {
    let node_size = header.index_node_size();
    if node_size == 0 {
        return Ok(());
    }
    let file_len = std::fs::metadata(path)
        .map_err(|e| TilerError::io(path, e))?
        .len();
    // Every feature has a 40-byte node in the index's bottom level.
    let index_min = header.features_count().saturating_mul(40);
    if node_size == 1 || index_min > file_len {
        return Err(bad(
            path,
            "header",
            format!(
                "corrupt FlatGeobuf header: {} features with index node size {node_size} do not fit in {file_len} bytes",
                header.features_count()
            ),
        ));
    }
    Ok(())
}

// ---- GeoPackage ----

/// Reads the first feature table of a GeoPackage (its geometry column: GeoPackage binary, i.e.
/// the `GP` header followed by WKB).
pub fn read_geopackage(path: &Path) -> Result<Vec<Area>> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| TilerError::sqlite(path, e))?;
    let sql_err = |e: rusqlite::Error| bad(path, "file", format!("not a readable GeoPackage: {e}"));
    let (table, column, srs_id): (String, String, i64) = conn
        .query_row(
            "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns ORDER BY table_name LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(sql_err)?;
    let org_code: Option<i64> = conn
        .query_row(
            "SELECT organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| r.get(0),
        )
        .ok();
    let crs = match org_code.unwrap_or(srs_id) {
        28992 => Crs::Rd,
        4326 => Crs::Wgs84,
        0 | -1 => Crs::Guess,
        c => {
            return Err(bad(
                path,
                format!("table {table}"),
                format!("unknown CRS EPSG:{c}; expected EPSG:28992 (RD New) or EPSG:4326"),
            ))
        }
    };
    // Identifiers come from the file's own catalogue; quote them as SQL identifiers.
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut stmt = conn
        .prepare(&format!("SELECT * FROM {}", quote(&table)))
        .map_err(sql_err)?;
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    let gcol = names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(&column))
        .ok_or_else(|| {
            bad(
                path,
                format!("table {table}"),
                format!("no geometry column {column}"),
            )
        })?;
    let mut rows = stmt.query([]).map_err(sql_err)?;
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(row) = rows.next().map_err(sql_err)? {
        let mut props = HashMap::new();
        for (c, name) in names.iter().enumerate() {
            if c == gcol {
                continue;
            }
            let v = match row.get_ref(c).map_err(sql_err)? {
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                rusqlite::types::ValueRef::Real(f) => f.to_string(),
                _ => continue,
            };
            props.insert(name.to_ascii_lowercase(), v);
        }
        let code = identify(&props).ok().map(|(_, c, _)| c);
        let label = feature_label(i, code.as_deref());
        let blob = match row.get_ref(gcol).map_err(sql_err)? {
            rusqlite::types::ValueRef::Blob(b) => b,
            _ => {
                return Err(bad(
                    path,
                    label,
                    "no geometry; expected a Polygon or MultiPolygon",
                ))
            }
        };
        let polys = gpkg_polygons(blob).map_err(|m| bad(path, label, m))?;
        out.push(finish_area(path, i, &props, polys, crs)?);
        i += 1;
    }
    Ok(out)
}

/// Polygons of a GeoPackage geometry blob (the `GP` header and WKB), read with geozero.
fn gpkg_polygons(blob: &[u8]) -> std::result::Result<Vec<Polygon>, String> {
    let mut polygons = PolygonCollector::default();
    geozero::GeozeroGeometry::process_geom(&geozero::wkb::GpkgWkb(blob), &mut polygons)
        .map_err(|e| format!("broken geometry: {e}"))?;
    if let Some(code) = polygons.other {
        return Err(format!(
            "unsupported geometry type (WKB {code}); expected Polygon or MultiPolygon"
        ));
    }
    Ok(polygons.out)
}

/// The polygons of a geometry as geozero reads it, or the WKB type code of the first part that
/// is not a polygon.
#[derive(Default)]
struct PolygonCollector {
    out: Vec<Polygon>,
    ring: Ring,
    other: Option<u32>,
}

impl PolygonCollector {
    fn not_polygon(&mut self, code: u32) -> geozero::error::Result<()> {
        self.other.get_or_insert(code);
        Ok(())
    }
}

impl geozero::GeomProcessor for PolygonCollector {
    fn xy(&mut self, x: f64, y: f64, _idx: usize) -> geozero::error::Result<()> {
        self.ring.push((x, y));
        Ok(())
    }
    fn polygon_begin(
        &mut self,
        _tagged: bool,
        _size: usize,
        _idx: usize,
    ) -> geozero::error::Result<()> {
        self.out.push(Vec::new());
        Ok(())
    }
    fn linestring_begin(
        &mut self,
        tagged: bool,
        _size: usize,
        _idx: usize,
    ) -> geozero::error::Result<()> {
        self.ring.clear();
        if tagged {
            return self.not_polygon(2);
        }
        Ok(())
    }
    fn linestring_end(&mut self, tagged: bool, _idx: usize) -> geozero::error::Result<()> {
        let ring = std::mem::take(&mut self.ring);
        if let (false, Some(p)) = (tagged, self.out.last_mut()) {
            p.push(ring);
        }
        Ok(())
    }
    fn point_begin(&mut self, _idx: usize) -> geozero::error::Result<()> {
        self.not_polygon(1)
    }
    fn multipoint_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.not_polygon(4)
    }
    fn multilinestring_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.not_polygon(5)
    }
    fn geometrycollection_begin(
        &mut self,
        _size: usize,
        _idx: usize,
    ) -> geozero::error::Result<()> {
        self.not_polygon(7)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"statcode":"GM0363","statnaam":"Amsterdam"},
       "geometry":{"type":"Polygon","coordinates":[[[120000,480000],[120000,490000],[130000,490000],[130000,480000],[120000,480000]]]}}]}"#;

    #[test]
    fn reads_geojson_rd_and_lonlat() {
        let a = read_geojson(SQUARE, Path::new("a.geojson")).unwrap();
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
        let a = read_geojson(ll, Path::new("b.geojson")).unwrap();
        assert_eq!(a[0].level, AreaLevel::Wijk);
        assert_eq!(a[0].parent().as_deref(), Some("GM0363"));
        let (x, y) = wgs84_to_rd(4.89, 52.375).unwrap();
        assert!(a[0].contains(x, y), "converted to RD New");
    }

    #[test]
    fn errors_name_file_and_feature() {
        let e = read_geojson(&SQUARE.replace("statcode", "foo"), Path::new("a.geojson"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("a.geojson: feature 0: no code field"), "{e}");
        let e = read_geojson(
            &SQUARE.replace("\"Polygon\"", "\"LineString\""),
            Path::new("a.geojson"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("a.geojson: feature 0 (GM0363): unsupported geometry type LineString"),
            "{e}"
        );
        let crs = SQUARE.replacen("{\"type\":\"FeatureCollection\",", "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::3857\"}},", 1);
        let e = read_geojson(&crs, Path::new("c.geojson"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("c.geojson: file: unknown CRS") && e.contains("3857"),
            "{e}"
        );
        let far = SQUARE.replace("120000,480000]", "920000,480000]");
        let e = read_geojson(&far, Path::new("d.geojson"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("feature 0 (GM0363): coordinate (920000"), "{e}");
        let short = SQUARE.replace("[120000,490000],[130000,490000],", "");
        let e = read_geojson(&short, Path::new("e.geojson"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("feature 0 (GM0363): broken geometry"), "{e}");
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

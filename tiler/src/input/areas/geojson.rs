//! Area boundaries from GeoJSON (RD New or WGS84, `crs` member or guessed).

use std::collections::HashMap;
use std::path::Path;

use super::{bad, feature_label, finish_area, identify, Area, Crs, FileLog, Polygon, Ring};
use crate::error::Result;

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
pub fn read_geojson(text: &str, path: &Path, log: &mut FileLog) -> Result<Vec<Area>> {
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
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let props = json_props(f);
        if log.skip_water(&props) {
            continue;
        }
        let code = identify(&props).ok().map(|(_, c, _)| c);
        let label = feature_label(i, code.as_deref());
        let polys = json_polygons(&f["geometry"]).map_err(|m| bad(path, label.clone(), m))?;
        out.extend(finish_area(path, &label, &props, polys, crs, log)?);
    }
    Ok(out)
}

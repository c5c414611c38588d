//! Area boundaries from a GeoPackage: its first feature table, the geometry blobs read with
//! geozero.

use std::collections::HashMap;
use std::path::Path;

use super::{bad, feature_label, finish_area, identify, Area, Crs, Polygon, Ring};
use crate::error::{Result, TilerError};

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

//! Area boundaries from a GeoPackage: every feature table (or the one named), the geometry
//! blobs read with geozero.

use std::collections::HashMap;
use std::path::Path;

use super::{bad, feature_label, finish_area, identify, Area, Crs, FileLog, Polygon, Ring};
use crate::error::{Result, TilerError};

/// Reads the feature tables of a GeoPackage: every one (a CBS wijk- en buurtkaart holds
/// `gemeenten`, `wijken` and `buurten` in one file), or only `layer`. Geometry columns hold
/// GeoPackage binary (the `GP` header followed by WKB).
pub fn read_geopackage(path: &Path, layer: Option<&str>, log: &mut FileLog) -> Result<Vec<Area>> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| TilerError::sqlite(path, e))?;
    let sql_err = |e: rusqlite::Error| bad(path, "file", format!("not a readable GeoPackage: {e}"));
    let tables: Vec<(String, String, i64)> = conn
        .prepare(
            "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns ORDER BY table_name",
        )
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(sql_err)?;
    let chosen: Vec<&(String, String, i64)> = match layer {
        None => tables.iter().collect(),
        Some(l) => tables
            .iter()
            .filter(|t| t.0.eq_ignore_ascii_case(l))
            .collect(),
    };
    if chosen.is_empty() {
        let names: Vec<&str> = tables.iter().map(|t| t.0.as_str()).collect();
        return Err(bad(
            path,
            "file",
            match layer {
                Some(l) => format!("no layer {l:?}; the file has {}", names.join(", ")),
                None => "no feature table (gpkg_geometry_columns is empty)".into(),
            },
        ));
    }
    let mut out = Vec::new();
    // Features are named by their layer too where the file has several.
    let several = tables.len() > 1;
    for (table, column, srs_id) in chosen {
        let layer = several.then_some(table.as_str());
        read_table(&conn, path, (table, column, *srs_id), layer, log, &mut out)?;
    }
    Ok(out)
}

/// Reads one feature table into `out`.
fn read_table(
    conn: &rusqlite::Connection,
    path: &Path,
    (table, column, srs_id): (&str, &str, i64),
    layer: Option<&str>,
    log: &mut FileLog,
    out: &mut Vec<Area>,
) -> Result<()> {
    let sql_err = |e: rusqlite::Error| bad(path, "file", format!("not a readable GeoPackage: {e}"));
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
        .prepare(&format!("SELECT * FROM {}", quote(table)))
        .map_err(sql_err)?;
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    let gcol = names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(column))
        .ok_or_else(|| {
            bad(
                path,
                format!("table {table}"),
                format!("no geometry column {column}"),
            )
        })?;
    let mut rows = stmt.query([]).map_err(sql_err)?;
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
        let index = i;
        i += 1;
        if log.skip_water(&props) {
            continue;
        }
        let code = identify(&props).ok().map(|(_, c, _)| c);
        let label = match layer {
            Some(l) => format!("{} in layer {l}", feature_label(index, code.as_deref())),
            None => feature_label(index, code.as_deref()),
        };
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
        let polys = gpkg_polygons(blob).map_err(|m| bad(path, label.clone(), m))?;
        out.extend(finish_area(path, &label, &props, polys, crs, log)?);
    }
    Ok(())
}

/// Polygons of a GeoPackage geometry blob (the `GP` header and WKB), read with geozero.
pub(crate) fn gpkg_polygons(blob: &[u8]) -> std::result::Result<Vec<Polygon>, String> {
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

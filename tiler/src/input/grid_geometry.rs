//! The grid GeoPackage of the open data (`grid 2024.gpkg`): one 100 m cell polygon per grid
//! id, joined to the grid scores on `grid_id`. It resolves the ids of a scores file that are not
//! `E…N…`: each polygon is checked to be a 100 m cell of the RD grid, or a part of one (cells
//! at the coast and the border are clipped), and the id maps to that cell.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lbm_tileset::CellId;

use crate::error::{Result, TilerError};
use crate::input::areas::geopackage::gpkg_polygons;

/// How far (metres) a cell polygon's corner may lie outside its grid square: coordinates
/// stored as floats, rounded to centimetres or millimetres by the GIS that wrote them.
const TOLERANCE_M: f64 = 0.5;

/// The cells of the grid ids of a grid GeoPackage.
#[derive(Clone, Debug, Default)]
pub struct GridKeys {
    /// The file read.
    pub path: PathBuf,
    /// The key column, as the file spells it.
    pub column: String,
    /// Grid id (as text) → its cell.
    pub cells: HashMap<String, CellId>,
}

fn bad(path: &Path, at: String, message: String) -> TilerError {
    TilerError::BadArea {
        path: path.to_path_buf(),
        feature: at,
        message,
    }
}

impl GridKeys {
    /// Reads the first feature table of the GeoPackage at `path`: its `grid_id` column (any
    /// case) and the cell of each polygon. A polygon that is not within one 100 m square of
    /// the RD grid, a CRS other than RD New, or a grid id given twice for two cells is an
    /// error naming the feature.
    pub fn read(path: &Path) -> Result<GridKeys> {
        let conn =
            rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| TilerError::sqlite(path, e))?;
        let sql_err = |e: rusqlite::Error| {
            bad(
                path,
                "file".into(),
                format!("not a readable GeoPackage: {e}"),
            )
        };
        let (table, column, srs): (String, String, i64) = conn
            .query_row(
                "SELECT c.table_name, c.column_name, coalesce(s.organization_coordsys_id, c.srs_id) \
                 FROM gpkg_geometry_columns c LEFT JOIN gpkg_spatial_ref_sys s USING (srs_id) \
                 ORDER BY c.table_name LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(sql_err)?;
        if srs != 28992 {
            return Err(bad(
                path,
                format!("table {table}"),
                format!("CRS EPSG:{srs}; the grid cells are expected in EPSG:28992 (RD New)"),
            ));
        }
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {}", quote(&table)))
            .map_err(sql_err)?;
        let names: Vec<String> = stmt.column_names().map(String::from).collect();
        let gcol = names.iter().position(|n| n.eq_ignore_ascii_case(&column));
        let kcol = names.iter().position(|n| n.eq_ignore_ascii_case("grid_id"));
        let (Some(gcol), Some(kcol)) = (gcol, kcol) else {
            return Err(bad(
                path,
                format!("table {table}"),
                format!(
                    "no grid_id column; the grid GeoPackage joins the scores on grid_id (found: {})",
                    names.join(", ")
                ),
            ));
        };
        let mut keys = GridKeys {
            path: path.to_path_buf(),
            column: names[kcol].clone(),
            cells: HashMap::new(),
        };
        let mut rows = stmt.query([]).map_err(sql_err)?;
        let mut index = 0usize;
        while let Some(row) = rows.next().map_err(sql_err)? {
            let label = |id: &str| format!("feature {index} ({id})");
            let id = match row.get_ref(kcol).map_err(sql_err)? {
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).trim().to_string(),
                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                rusqlite::types::ValueRef::Real(f) if f.fract() == 0.0 => (f as i64).to_string(),
                _ => {
                    return Err(bad(path, label(""), "no grid_id".into()));
                }
            };
            let rusqlite::types::ValueRef::Blob(blob) = row.get_ref(gcol).map_err(sql_err)? else {
                return Err(bad(path, label(&id), "no geometry".into()));
            };
            let polygons = gpkg_polygons(blob).map_err(|m| bad(path, label(&id), m))?;
            let cell = cell_of(&polygons).map_err(|m| bad(path, label(&id), m))?;
            if let Some(other) = keys.cells.insert(id.clone(), cell) {
                if other != cell {
                    return Err(bad(
                        path,
                        label(&id),
                        format!("grid id {id:?} is given for two cells, {other} and {cell}"),
                    ));
                }
            }
            index += 1;
        }
        Ok(keys)
    }

    /// The cell of grid id `id`.
    pub fn get(&self, id: &str) -> Option<CellId> {
        self.cells.get(id.trim()).copied()
    }
}

/// The cell of grid id `text`: `E1213N4879`, or else an id of `keys` (the release's grid
/// GeoPackage) when given. Errors say what was tried with [`tried_also`].
pub fn cell_of_id(text: &str, keys: Option<&GridKeys>) -> Option<CellId> {
    CellId::parse(text).or_else(|| keys.and_then(|k| k.get(text)))
}

/// `, nor a grid_id of grid.gpkg` when [`cell_of_id`] also looked in `keys`, else nothing.
pub fn tried_also(keys: Option<&GridKeys>) -> String {
    keys.map_or(String::new(), |k| {
        format!(", nor a {} of {}", k.column, k.path.display())
    })
}

/// The 100 m cell of the RD grid that a cell polygon fills or, clipped, lies in.
fn cell_of(polygons: &[crate::input::areas::Polygon]) -> std::result::Result<CellId, String> {
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in polygons.iter().flatten().flatten() {
        b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
    }
    if b.0 > b.2 || !b.0.is_finite() || !b.3.is_finite() {
        return Err("an empty polygon; expected a 100 m cell of the RD grid".into());
    }
    let cell = CellId::from_xy((b.0 + b.2) / 2.0, (b.1 + b.3) / 2.0);
    let (x0, y0) = (f64::from(cell.x_m()), f64::from(cell.y_m()));
    let inside = b.0 >= x0 - TOLERANCE_M
        && b.1 >= y0 - TOLERANCE_M
        && b.2 <= x0 + 100.0 + TOLERANCE_M
        && b.3 <= y0 + 100.0 + TOLERANCE_M;
    if !inside {
        return Err(format!(
            "the polygon spans x {:.1}..{:.1}, y {:.1}..{:.1}: not within one 100 m cell of the \
             RD grid (EPSG:28992)",
            b.0, b.2, b.1, b.3
        ));
    }
    Ok(cell)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, w: f64, h: f64) -> Vec<crate::input::areas::Polygon> {
        vec![vec![vec![
            (x0, y0),
            (x0 + w, y0),
            (x0 + w, y0 + h),
            (x0, y0 + h),
        ]]]
    }

    #[test]
    fn a_cell_polygon_and_a_clipped_one_map_to_their_cell() {
        let c = cell_of(&square(121300.0, 487900.0, 100.0, 100.0)).unwrap();
        assert_eq!(c.to_string(), "E1213N4879");
        // Clipped at the coast: a corner of the cell.
        let c = cell_of(&square(121340.0, 487950.0, 30.0, 20.0)).unwrap();
        assert_eq!(c.to_string(), "E1213N4879");
        // Written with float noise.
        let c = cell_of(&square(121299.99, 487900.01, 100.0, 99.99)).unwrap();
        assert_eq!(c.to_string(), "E1213N4879");
        // A 250 m square or a shifted grid is not a cell of the RD grid.
        assert!(cell_of(&square(121300.0, 487900.0, 250.0, 250.0)).is_err());
        assert!(cell_of(&square(121350.0, 487900.0, 100.0, 100.0)).is_err());
        assert!(cell_of(&[]).is_err());
    }
}

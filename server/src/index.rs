//! The point index `lbm-index.sqlite`: every 100 m cell with all measures for all years, and
//! (issue 5) the areas with their names, bounds, geometry and scores.

use std::path::Path;
use std::sync::Arc;

use crate::error::TilesetError;
use crate::tileset::ReadOnlyPool;

/// File name of the point index inside the tiles folder.
pub const INDEX_FILE: &str = "lbm-index.sqlite";

/// Value columns of `cells`, in order.
pub const VALUE_COLUMNS: [&str; 7] = ["lbm", "afw", "fys", "onv", "soc", "vrz", "won"];

/// One year of one cell: `(column, value)` for each value column that is not NULL.
#[derive(Debug, Clone, PartialEq)]
pub struct CellYear {
    /// The year.
    pub year: i32,
    /// Measure values present for that year (`lbm`, `afw`, `fys`, ...).
    pub values: Vec<(&'static str, f64)>,
}

/// An opened point index.
#[derive(Debug)]
pub struct PointIndex {
    pool: Arc<ReadOnlyPool>,
    /// The index has the `areas` table (issue 5); older ones hold cells only.
    has_areas: bool,
    /// The index has the `area_scores` table.
    has_area_scores: bool,
}

impl PointIndex {
    /// Opens and validates the index (blocking).
    pub fn open(path: &Path, pool_size: usize) -> Result<Self, TilesetError> {
        let pool = ReadOnlyPool::open(path, pool_size)?;
        let (has_areas, has_area_scores) = pool.with_conn_blocking(|conn| {
            conn.prepare(
                "SELECT year, lbm, afw, fys, onv, soc, vrz, won FROM cells WHERE hx = ?1 AND hy = ?2",
            )?;
            // Optional tables: present only when every column the server reads is there.
            let has_areas = conn
                .prepare(
                    "SELECT code, level, name, name_norm, parent, minlon, minlat, maxlon, maxlat,
                       minx, miny, maxx, maxy, geom FROM areas LIMIT 0",
                )
                .is_ok();
            let has_area_scores = conn
                .prepare(
                    "SELECT code, year, lbm, afw, fys, onv, soc, vrz, won FROM area_scores LIMIT 0",
                )
                .is_ok();
            Ok((has_areas, has_area_scores))
        })?;
        Ok(Self {
            pool: Arc::new(pool),
            has_areas,
            has_area_scores,
        })
    }

    /// All years of cell (`hx`, `hy`) (hectometre indices), ordered by year.
    pub async fn lookup(&self, hx: i64, hy: i64) -> Result<Vec<CellYear>, TilesetError> {
        self.pool
            .with_conn(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT year, lbm, afw, fys, onv, soc, vrz, won FROM cells \
                     WHERE hx = ?1 AND hy = ?2 ORDER BY year",
                )?;
                let rows = stmt.query_map([hx, hy], year_row)?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
    }
}

/// One area found by name or code.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaHit {
    /// Area code, e.g. `GM0344`.
    pub code: String,
    /// `gemeente`, `wijk`, `buurt` or `pc4`.
    pub level: String,
    /// Display name.
    pub name: String,
    /// `[w, s, e, n]` in WGS84.
    pub bbox: [f64; 4],
    /// Name of the parent area (the gemeente of a wijk, the wijk of a buurt), when known.
    pub parent_name: Option<String>,
}

/// An area containing a point, with its time series.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaAt {
    /// Area code.
    pub code: String,
    /// Level.
    pub level: String,
    /// Display name.
    pub name: String,
    /// Every year with scores (from `area_scores`), ordered by year.
    pub years: Vec<CellYear>,
}

/// Lower case without accents, whitespace collapsed: the form of `areas.name_norm`.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match fold_char(c) {
            Fold::Zero => {}
            Fold::One(f) => out.push(f),
            Fold::Two(a, b) => {
                out.push(a);
                out.push(b);
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

enum Fold {
    Zero,
    One(char),
    Two(char, char),
}

/// Folds a lower-case Latin-1 / Latin Extended-A letter to its base letter(s).
fn fold_char(c: char) -> Fold {
    let base = match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
        'æ' => return Fold::Two('a', 'e'),
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' | 'ħ' => 'h',
        'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ĳ' => return Fold::Two('i', 'j'),
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò'..='ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'œ' => return Fold::Two('o', 'e'),
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ß' => return Fold::Two('s', 's'),
        'ţ' | 'ť' | 'ŧ' => 't',
        'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        '\u{2019}' | '\u{2018}' | '`' | '´' => '\'',
        // Combining marks (decomposed input) vanish.
        '\u{0300}'..='\u{036f}' => return Fold::Zero,
        other => other,
    };
    Fold::One(base)
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether the ray-casting (even-odd) rule puts (`x`, `y`) inside the rings.
fn inside_rings(rings: &[Vec<(f64, f64)>], x: f64, y: f64) -> bool {
    let mut inside = false;
    for ring in rings {
        let n = ring.len();
        if n < 3 {
            continue;
        }
        let mut j = n - 1;
        for i in 0..n {
            let (xi, yi) = ring[i];
            let (xj, yj) = ring[j];
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                inside = !inside;
            }
            j = i;
        }
    }
    inside
}

fn ring_of(v: &serde_json::Value) -> Option<Vec<(f64, f64)>> {
    v.as_array()?
        .iter()
        .map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
        .collect()
}

fn polygon_of(v: &serde_json::Value) -> Option<Vec<Vec<(f64, f64)>>> {
    v.as_array()?.iter().map(ring_of).collect()
}

/// Whether a GeoJSON `Polygon`/`MultiPolygon` geometry (text) contains (`x`, `y`).
pub fn geometry_contains(geom: &str, x: f64, y: f64) -> bool {
    let Ok(g) = serde_json::from_str::<serde_json::Value>(geom) else {
        return false;
    };
    let coords = &g["coordinates"];
    match g["type"].as_str() {
        Some("Polygon") => polygon_of(coords).is_some_and(|p| inside_rings(&p, x, y)),
        Some("MultiPolygon") => coords.as_array().is_some_and(|polys| {
            polys
                .iter()
                .filter_map(polygon_of)
                .any(|p| inside_rings(&p, x, y))
        }),
        _ => false,
    }
}

fn level_rank(level: &str) -> u8 {
    match level {
        "gemeente" => 0,
        "wijk" => 1,
        "buurt" => 2,
        _ => 3,
    }
}

fn year_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CellYear> {
    let year: i32 = r.get(0)?;
    let mut values = Vec::with_capacity(7);
    for (i, name) in VALUE_COLUMNS.iter().enumerate() {
        if let Some(v) = r.get::<_, Option<f64>>(i + 1)? {
            values.push((*name, v));
        }
    }
    Ok(CellYear { year, values })
}

impl PointIndex {
    /// Whether the index has the `areas` table (older indexes hold cells only).
    pub fn has_areas(&self) -> bool {
        self.has_areas
    }

    /// Areas whose normalised name or code matches `query`: exact matches first, then name
    /// prefixes, then substrings; within each by level (gemeente, wijk, buurt) and name.
    pub async fn search_areas(
        &self,
        query: &str,
        limit: usize,
    ) -> Result<Vec<AreaHit>, TilesetError> {
        if !self.has_areas {
            return Ok(Vec::new());
        }
        let norm = normalize(query);
        if norm.is_empty() {
            return Ok(Vec::new());
        }
        let escaped = like_escape(&norm);
        let prefix = format!("{escaped}%");
        let contains = format!("%{escaped}%");
        let code = query.trim().to_uppercase();
        let code_prefix = format!("{}%", like_escape(&code));
        let limit = i64::try_from(limit).unwrap_or(50);
        let mut hits = self
            .pool
            .with_conn(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT code, level, name, minlon, minlat, maxlon, maxlat,
                       (SELECT p.name FROM areas AS p WHERE p.code = areas.parent) AS parent_name,
                       CASE WHEN upper(code) = ?1 OR name_norm = ?2 THEN 0
                            WHEN name_norm LIKE ?3 ESCAPE '\\' OR upper(code) LIKE ?5 ESCAPE '\\'
                              THEN 1
                            ELSE 2 END AS rank,
                       CASE level WHEN 'gemeente' THEN 0 WHEN 'wijk' THEN 1 WHEN 'buurt' THEN 2
                            ELSE 3 END AS lv
                     FROM areas
                     WHERE upper(code) LIKE ?5 ESCAPE '\\' OR name_norm LIKE ?4 ESCAPE '\\'
                     ORDER BY rank, lv, name, code
                     LIMIT ?6",
                )?;
                let rows = stmt.query_map(
                    rusqlite::params![code, norm, prefix, contains, code_prefix, limit],
                    |r| {
                        Ok(AreaHit {
                            code: r.get(0)?,
                            level: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                            name: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                            bbox: [
                                r.get::<_, Option<f64>>(3)?.unwrap_or(f64::NAN),
                                r.get::<_, Option<f64>>(4)?.unwrap_or(f64::NAN),
                                r.get::<_, Option<f64>>(5)?.unwrap_or(f64::NAN),
                                r.get::<_, Option<f64>>(6)?.unwrap_or(f64::NAN),
                            ],
                            parent_name: r.get(7)?,
                        })
                    },
                )?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await?;
        hits.retain(|h| h.bbox.iter().all(|v| v.is_finite()));
        Ok(hits)
    }

    /// The areas containing RD point (`x`, `y`), coarse to fine, each with its time series.
    pub async fn areas_at(&self, x: f64, y: f64) -> Result<Vec<AreaAt>, TilesetError> {
        if !self.has_areas {
            return Ok(Vec::new());
        }
        let has_scores = self.has_area_scores;
        let mut found = self
            .pool
            .with_conn(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT code, level, name, geom FROM areas
                     WHERE minx <= ?1 AND maxx >= ?1 AND miny <= ?2 AND maxy >= ?2",
                )?;
                let candidates = stmt.query_map(rusqlite::params![x, y], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                    ))
                })?;
                let mut out = Vec::new();
                for c in candidates {
                    let (code, level, name, geom) = c?;
                    if geometry_contains(&geom, x, y) {
                        out.push(AreaAt {
                            code,
                            level,
                            name,
                            years: Vec::new(),
                        });
                    }
                }
                if has_scores {
                    let mut scores = conn.prepare_cached(
                        "SELECT year, lbm, afw, fys, onv, soc, vrz, won FROM area_scores
                         WHERE code = ?1 ORDER BY year",
                    )?;
                    for area in &mut out {
                        area.years = scores
                            .query_map([&area.code], year_row)?
                            .collect::<Result<Vec<_>, _>>()?;
                    }
                }
                Ok(out)
            })
            .await?;
        found.sort_by(|a, b| {
            level_rank(&a.level)
                .cmp(&level_rank(&b.level))
                .then_with(|| a.code.cmp(&b.code))
        });
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_case_and_accents() {
        assert_eq!(normalize("  Súdwest-Fryslân "), "sudwest-fryslan");
        assert_eq!(normalize("'S-GRAVENHAGE"), "'s-gravenhage");
        assert_eq!(normalize("Bergen (NH.)"), "bergen (nh.)");
        assert_eq!(normalize("Ĳsselstein  Zuid"), "ijsselstein zuid");
        assert_eq!(normalize("Cafe\u{301}"), "cafe");
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escape("50%_a\\b"), "50\\%\\_a\\\\b");
    }

    #[test]
    fn point_in_polygon_with_holes_and_multipolygons() {
        let square = r#"{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]}"#;
        assert!(geometry_contains(square, 1.0, 1.0));
        assert!(!geometry_contains(square, 5.0, 5.0));
        assert!(!geometry_contains(square, 11.0, 5.0));
        let multi = r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,6],[5,5]]]]}"#;
        assert!(geometry_contains(multi, 5.5, 5.5));
        assert!(!geometry_contains(multi, 3.0, 3.0));
        assert!(!geometry_contains("not json", 0.0, 0.0));
    }
}

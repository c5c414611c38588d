//! The point index `lbm-index.sqlite`: every 100 m cell with all measures for all years, and
//! the areas with their names, bounds, geometry and scores.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

pub(crate) mod areas;
pub(crate) mod report;
pub(crate) mod search;

use lbm_formats::index::read;

use crate::error::TilesetError;
use crate::tileset::ReadOnlyPool;

pub(crate) use search::level_rank;
pub(crate) use search::AreaHit;
use search::SearchEntry;

pub(crate) use lbm_formats::index::{INDEX_FILE, VALUE_COLUMN_NAMES as VALUE_COLUMNS};

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
    /// The areas with their polygons and scores, when the index has the `areas` table
    /// (older ones hold cells only).
    areas: Option<areas::Areas>,
    /// Every area with a finite bbox, for the search: a national index holds some 25,000
    /// areas, which a scan in memory matches in about a millisecond. Matching in SQL would need
    /// the fold as an SQL function, and an index written by an older tiler stores another fold
    /// in `name_norm`: the names are folded here, at open, with the current fold.
    search: Vec<SearchEntry>,
    /// The position in `search` of every area (not its aliases) by its code in ASCII upper
    /// case: the area, report and OGC item APIs look one up per request, and scanning 25,000
    /// entries for it was a third of the area API's CPU.
    by_code: HashMap<String, usize>,
    /// Whether the index has the class distributions of the reports (`class_counts`).
    reports: bool,
    /// The scores file's weight column, when the distributions are weighted.
    weight_column: Option<String>,
    /// The national means per year (`national_scores`), the yardstick of an area's dimensions.
    national: Vec<CellYear>,
    /// The rule of the areas under pressure and the areas (`pressure` table, in memory for the
    /// reports' counts), when the index has them.
    pressure: Option<(lbm_tileset::metadata::Pressure, Arc<report::PressureAreas>)>,
}

/// The position of every area in `search` by its code in ASCII upper case; the first entry of
/// a code wins, as the scan it replaces found it.
fn codes(search: &[SearchEntry]) -> HashMap<String, usize> {
    let mut by_code = HashMap::with_capacity(search.len());
    for (i, hit) in search.iter().map(SearchEntry::hit).enumerate() {
        if hit.alias.is_none() {
            by_code.entry(hit.code.to_ascii_uppercase()).or_insert(i);
        }
    }
    by_code
}

impl PointIndex {
    /// Opens and validates the index (blocking).
    pub fn open(path: &Path, pool_size: usize) -> Result<Self, TilesetError> {
        let pool = ReadOnlyPool::open(path, pool_size)?;
        let loaded = pool.with_conn_blocking(|conn| {
            read::check_cells(conn)?;
            let tables = read::Tables::of(conn);
            let weight = read::meta(conn, "weight_column")?.filter(|w| !w.is_empty());
            let national = if tables.reports {
                read::national_scores(conn)?
                    .into_iter()
                    .map(CellYear::from)
                    .collect()
            } else {
                Vec::new()
            };
            let pressure = if tables.pressure {
                let rule =
                    read::meta(conn, "pressure")?.and_then(|v| serde_json::from_str(&v).ok());
                // A broken table costs the reports their pressure counts, not the index.
                rule.and_then(|rule| match read::PressureAreas::read(conn) {
                    Ok(areas) => Some((rule, Arc::new(areas))),
                    Err(e) => {
                        tracing::warn!(path = %path.display(), error = %e,
                            "areas under pressure left out of the reports");
                        None
                    }
                })
            } else {
                None
            };
            let (areas, search) = if tables.areas {
                let areas = areas::Areas::load(conn, tables.area_scores)?;
                tracing::debug!(areas = areas.len(), path = %path.display(), "areas loaded");
                (Some(areas), search::load(conn, &tables)?)
            } else {
                (None, Vec::new())
            };
            Ok((tables.reports, weight, national, pressure, areas, search))
        })?;
        let (reports, weight_column, national, pressure, areas, search) = loaded;
        let by_code = codes(&search);
        Ok(Self {
            pool: Arc::new(pool),
            areas,
            search,
            by_code,
            reports,
            weight_column,
            national,
            pressure,
        })
    }

    /// All years of cell (`hx`, `hy`) (hectometre indices), ordered by year.
    pub async fn lookup(&self, hx: i64, hy: i64) -> Result<Vec<CellYear>, TilesetError> {
        self.pool
            .with_conn_inline(move |conn| {
                let years = read::cell_years(conn, hx, hy)?;
                Ok(years.into_iter().map(CellYear::from).collect())
            })
            .await
    }
}

/// An area containing a point, with its time series (borrowed from the index).
#[derive(Debug, Clone, PartialEq)]
pub struct AreaAt<'a> {
    /// Area code.
    pub code: &'a str,
    /// Level.
    pub level: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Every year with scores (from `area_scores`), ordered by year.
    pub years: &'a [CellYear],
}

impl CellYear {
    /// The value of column `name` (`lbm`, `afw`, ...), when it has one.
    pub fn value(&self, name: &str) -> Option<f64> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

impl From<read::YearValues> for CellYear {
    fn from(y: read::YearValues) -> Self {
        let values = VALUE_COLUMNS
            .iter()
            .zip(y.values)
            .filter_map(|(name, v)| Some((*name, v?)))
            .collect();
        CellYear {
            year: y.year,
            values,
        }
    }
}

impl PointIndex {
    /// Whether the index has the `areas` table (older indexes hold cells only).
    pub fn has_areas(&self) -> bool {
        self.areas.is_some()
    }

    /// Whether the index holds the class distributions of the reports.
    pub fn has_reports(&self) -> bool {
        self.reports
    }

    /// The rule of the areas under pressure, when the index has them.
    pub fn pressure_rule(&self) -> Option<&lbm_tileset::metadata::Pressure> {
        self.pressure.as_ref().map(|(rule, _)| rule)
    }

    /// [`PointIndex::report`] on the calling thread (for the static site's export).
    pub fn report_blocking(&self, code: &str) -> Result<Option<report::ReportData>, TilesetError> {
        let pressure = self.pressure.as_ref().map(|(_, areas)| &**areas);
        self.pool
            .with_conn_blocking(|conn| report::read(conn, code, pressure))
    }

    /// Every area code of the index, ordered (blocking).
    pub fn codes_blocking(&self) -> Result<Vec<String>, TilesetError> {
        self.pool
            .with_conn_blocking(|conn| Ok(read::area_codes(conn)?))
    }

    /// The national means per year.
    pub fn national_means(&self) -> &[CellYear] {
        &self.national
    }

    /// The weight column of the distributions' weights, when the scores file had one.
    pub fn weight_column(&self) -> Option<&str> {
        self.weight_column.as_deref()
    }

    /// The report data of area `code` ([`report::NATIONAL_CODE`] for the country); `None`
    /// when the index has no such area.
    pub async fn report(&self, code: &str) -> Result<Option<report::ReportData>, TilesetError> {
        let code = code.to_string();
        let pressure = self.pressure.as_ref().map(|(_, areas)| Arc::clone(areas));
        self.pool
            .with_conn_inline(move |conn| report::read(conn, &code, pressure.as_deref()))
            .await
    }

    /// Areas matching `query` by name, alias, code or postcode, best first (see [`search`]).
    pub async fn search_areas(
        &self,
        query: &str,
        limit: usize,
    ) -> Result<Vec<AreaHit>, TilesetError> {
        Ok(search::search(&self.search, query, limit))
    }

    /// Area `code` (any case) as search knows it: level, name, parent, bounds and centre.
    pub fn area_hit(&self, code: &str) -> Option<&AreaHit> {
        let at = *self.by_code.get(&code.to_ascii_uppercase())?;
        Some(self.search[at].hit())
    }

    /// Every area of `level` as search knows it (each once, without aliases), in code order.
    pub fn areas_of_level<'a>(&'a self, level: &'a str) -> impl Iterator<Item = &'a AreaHit> {
        self.search
            .iter()
            .map(SearchEntry::hit)
            .filter(move |h| h.alias.is_none() && h.level == level)
    }

    /// The RD New polygons of area `code` as a GeoJSON geometry, when it has them.
    pub async fn area_geometry(&self, code: &str) -> Result<Option<String>, TilesetError> {
        let code = code.to_string();
        self.pool
            .with_conn_inline(move |conn| Ok(read::area_geometry(conn, &code)?))
            .await
    }

    /// The populated cells of `year` with `hx` in `hx0..=hx1` and `hy` in `hy0..=hy1`, as
    /// `(hx, hy, values)` in (`hx`, `hy`) order.
    pub async fn cells_in(
        &self,
        (hx0, hx1): (i64, i64),
        (hy0, hy1): (i64, i64),
        year: i32,
    ) -> Result<Vec<(i64, i64, CellYear)>, TilesetError> {
        // Up to hundreds of seeks: on the blocking pool, not this worker.
        self.pool
            .with_conn(move |conn| {
                let mut out = Vec::new();
                for hx in hx0..=hx1 {
                    for (hy, v) in read::cells_in_column(conn, hx, (hy0, hy1), year)? {
                        out.push((hx, hy, CellYear::from(v)));
                    }
                }
                Ok(out)
            })
            .await
    }

    /// Area `code` with its time series, when it has a readable polygon.
    pub fn area_years(&self, code: &str) -> Option<AreaAt<'_>> {
        self.areas.as_ref()?.get(code)
    }

    /// Whether area `code` has a polygon on the map (an area whose boundary file had no usable
    /// polygon for it is in the index without one).
    pub fn area_on_map(&self, code: &str) -> bool {
        self.areas.as_ref().is_some_and(|a| a.on_map(code))
    }

    /// The areas containing RD point (`x`, `y`), coarse to fine, each with its time series.
    pub fn areas_at(&self, x: f64, y: f64) -> Vec<AreaAt<'_>> {
        let mut found = self.areas.as_ref().map_or_else(Vec::new, |a| a.at(x, y));
        found.sort_by(|a, b| {
            level_rank(a.level)
                .cmp(&level_rank(b.level))
                .then_with(|| a.code.cmp(b.code))
        });
        found
    }
}

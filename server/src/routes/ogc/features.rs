//! The items of the feature collections: areas and 100 m cells as GeoJSON in CRS84, with the
//! published values and classes of their year, paged by `limit` and `offset`.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use lbm_tileset::project::{rd_to_wgs84, wgs84_to_rd};
use lbm_tileset::CellId;
use serde_json::{json, Map, Value};

use super::collections::{find, Collection};
use super::{base, collection_url, link, params, typed};
use crate::catalog::Snapshot;
use crate::documents::values::Meaning;
use crate::error::ApiError;
use crate::index::{AreaHit, CellYear, PointIndex, VALUE_COLUMNS};
use crate::routes::search::round6;
use crate::urls;
use crate::AppState;

/// Areas per page by default, and at most.
const AREA_LIMIT: (usize, usize) = (10, 1000);
/// Cells per page by default, and at most.
const GRID_LIMIT: (usize, usize) = (100, 10_000);
/// The widest and highest bbox (km) of a grid request: 250 × 250 cells at most to look at.
pub(super) const GRID_MAX_KM: u32 = 25;

/// `limit`, `offset` and `bbox` of an items request.
struct Page {
    limit: usize,
    offset: usize,
    bbox: Option<[f64; 4]>,
}

impl Page {
    fn parse(
        p: &HashMap<String, String>,
        (default, max): (usize, usize),
    ) -> Result<Self, ApiError> {
        let limit = match p.get("limit") {
            None => default,
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(n) if n >= 1 => n.min(max),
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "limit must be a whole number of at least 1, got {raw:?}"
                    )))
                }
            },
        };
        let offset = match p.get("offset") {
            None => 0,
            Some(raw) => raw.trim().parse::<usize>().map_err(|_| {
                ApiError::bad_request(format!("offset must be a whole number, got {raw:?}"))
            })?,
        };
        if let Some(crs) = p.get("bbox-crs").filter(|c| c.as_str() != super::CRS84) {
            return Err(ApiError::bad_request(format!(
                "bbox-crs {crs:?}: only {} (longitude, latitude) is supported",
                super::CRS84
            )));
        }
        if let Some(crs) = p.get("crs").filter(|c| c.as_str() != super::CRS84) {
            return Err(ApiError::bad_request(format!(
                "crs {crs:?}: only {} is supported",
                super::CRS84
            )));
        }
        let bbox = p.get("bbox").map(|raw| parse_bbox(raw)).transpose()?;
        Ok(Page {
            limit,
            offset,
            bbox,
        })
    }

    /// The query string of this page at `offset`.
    fn query(&self, offset: usize) -> String {
        let mut q = format!("limit={}&offset={offset}", self.limit);
        if let Some(b) = self.bbox {
            q.push_str(&format!("&bbox={},{},{},{}", b[0], b[1], b[2], b[3]));
        }
        q
    }
}

/// `minlon,minlat,maxlon,maxlat` (a 6-number bbox with heights is accepted, its heights
/// ignored).
fn parse_bbox(raw: &str) -> Result<[f64; 4], ApiError> {
    let bad = || {
        ApiError::bad_request(format!(
            "bbox must be minlon,minlat,maxlon,maxlat in degrees (CRS84), got {raw:?}"
        ))
    };
    let v: Vec<f64> = raw
        .split(',')
        .map(|s| s.trim().parse::<f64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let b = match v.as_slice() {
        [w, s, e, n] => [*w, *s, *e, *n],
        [w, s, _, e, n, _] => [*w, *s, *e, *n],
        _ => return Err(bad()),
    };
    let ok = b.iter().all(|x| x.is_finite())
        && b[1] <= b[3]
        && (-90.0..=90.0).contains(&b[1])
        && (-90.0..=90.0).contains(&b[3])
        && (-180.0..=180.0).contains(&b[0])
        && (-180.0..=180.0).contains(&b[2])
        && b[0] <= b[2];
    ok.then_some(b).ok_or_else(bad)
}

fn intersects(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1]
}

/// A GeoJSON geometry in RD New with every position projected to CRS84 (6 decimals).
fn to_crs84(geometry: &mut Value) {
    match geometry {
        Value::Array(a) if a.len() >= 2 && a.iter().all(Value::is_number) => {
            let (x, y) = (a[0].as_f64().unwrap_or(0.0), a[1].as_f64().unwrap_or(0.0));
            if let Ok((lon, lat)) = rd_to_wgs84(x, y) {
                *a = vec![json!(round6(lon)), json!(round6(lat))];
            }
        }
        Value::Array(a) => a.iter_mut().for_each(to_crs84),
        Value::Object(o) => {
            if let Some(c) = o.get_mut("coordinates") {
                to_crs84(c);
            }
        }
        _ => {}
    }
}

/// The values of `row` (when there is one) as `{measure}` and `{measure}_class` properties.
fn add_values(props: &mut Map<String, Value>, row: Option<&CellYear>, meaning: &Meaning<'_>) {
    for name in VALUE_COLUMNS {
        props.insert(name.to_string(), json!(row.and_then(|r| r.value(name))));
        let class = row.and_then(|r| meaning.class(r, name));
        props.insert(format!("{name}_class"), json!(class));
    }
}

/// Area `hit` of the index as a feature with its values of `year`.
async fn area_feature(
    index: &PointIndex,
    meaning: &Meaning<'_>,
    hit: &AreaHit,
    year: i32,
) -> Result<Value, ApiError> {
    let mut geometry = match index
        .area_geometry(&hit.code)
        .await
        .map_err(ApiError::unavailable)?
    {
        Some(text) => serde_json::from_str(&text).unwrap_or(Value::Null),
        None => Value::Null,
    };
    to_crs84(&mut geometry);
    let own = index.area_years(&hit.code);
    let row = own
        .as_ref()
        .and_then(|a| a.years.iter().find(|y| y.year == year));
    let mut props = Map::new();
    props.insert("code".into(), json!(hit.code));
    props.insert("name".into(), json!(hit.name));
    props.insert("level".into(), json!(hit.level));
    props.insert("parent".into(), json!(hit.parent));
    props.insert("year".into(), json!(year));
    add_values(&mut props, row, meaning);
    Ok(json!({
        "type": "Feature",
        "id": hit.code,
        "geometry": geometry,
        "properties": props,
    }))
}

/// A 100 m cell as a feature: its square projected to CRS84.
fn cell_feature(cell: CellId, row: &CellYear, meaning: &Meaning<'_>) -> Value {
    let (x, y) = (f64::from(cell.x_m()), f64::from(cell.y_m()));
    let ring: Vec<Value> = [
        (x, y),
        (x + 100.0, y),
        (x + 100.0, y + 100.0),
        (x, y + 100.0),
        (x, y),
    ]
    .iter()
    .map(|&(x, y)| {
        let (lon, lat) = rd_to_wgs84(x, y).unwrap_or((0.0, 0.0));
        json!([round6(lon), round6(lat)])
    })
    .collect();
    let mut props = Map::new();
    props.insert("cell".into(), json!(cell.to_string()));
    props.insert("year".into(), json!(row.year));
    add_values(&mut props, Some(row), meaning);
    json!({
        "type": "Feature",
        "id": cell.to_string(),
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": props,
    })
}

/// An inclusive range of hectometre indices (RD New metres / 100).
type HectometreRange = (i64, i64);

/// The RD New hectometre ranges of the cells that may meet `bbox`, refused when wider or higher
/// than [`GRID_MAX_KM`].
fn grid_ranges(bbox: &[f64; 4]) -> Result<(HectometreRange, HectometreRange), ApiError> {
    let corners = [
        (bbox[0], bbox[1]),
        (bbox[2], bbox[1]),
        (bbox[0], bbox[3]),
        (bbox[2], bbox[3]),
    ];
    let mut r = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (lon, lat) in corners {
        let (x, y) = wgs84_to_rd(lon, lat)
            .map_err(|_| ApiError::bad_request("bbox lies outside the Netherlands"))?;
        r = [r[0].min(x), r[1].min(y), r[2].max(x), r[3].max(y)];
    }
    let max = f64::from(GRID_MAX_KM) * 1000.0;
    if r[2] - r[0] > max || r[3] - r[1] > max {
        return Err(ApiError::bad_request(format!(
            "bbox is {:.0} × {:.0} km: the 100 m cells are served for a bbox of at most \
             {GRID_MAX_KM} × {GRID_MAX_KM} km",
            (r[2] - r[0]) / 1000.0,
            (r[3] - r[1]) / 1000.0
        )));
    }
    let h = |v: f64| (v / 100.0).floor() as i64;
    Ok(((h(r[0]), h(r[2])), (h(r[1]), h(r[3]))))
}

/// The bounds of a GeoJSON polygon ring set (any nesting) in CRS84.
fn feature_bounds(f: &Value) -> Option<[f64; 4]> {
    fn walk(v: &Value, b: &mut [f64; 4]) {
        match v {
            Value::Array(a) if a.len() >= 2 && a.iter().all(Value::is_number) => {
                let (x, y) = (a[0].as_f64().unwrap_or(0.0), a[1].as_f64().unwrap_or(0.0));
                *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, b)),
            _ => {}
        }
    }
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    walk(&f["geometry"]["coordinates"], &mut b);
    b[0].is_finite().then_some(b)
}

/// A page of the areas of `level` with their values of `year`, and how many match: areas with
/// scores that year first, then by code, so that a client that guesses the fields' types from
/// the first features (QGIS) sees numbers, not only nulls.
async fn area_page(
    index: &PointIndex,
    meaning: &Meaning<'_>,
    level: &str,
    year: i32,
    page: &Page,
) -> Result<(Vec<Value>, usize), ApiError> {
    let mut hits: Vec<(bool, &AreaHit)> = index
        .areas_of_level(level)
        .filter(|h| page.bbox.is_none_or(|b| intersects(&h.bbox, &b)))
        .map(|h| {
            let scored = index
                .area_years(&h.code)
                .is_some_and(|a| a.years.iter().any(|y| y.year == year));
            (!scored, h)
        })
        .collect();
    hits.sort_unstable_by(|a, b| (a.0, &a.1.code).cmp(&(b.0, &b.1.code)));
    let mut features = Vec::new();
    for (_, hit) in hits.iter().skip(page.offset).take(page.limit) {
        features.push(area_feature(index, meaning, hit, year).await?);
    }
    Ok((features, hits.len()))
}

/// A page of the populated 100 m cells of `year` that meet the page's (required) bbox, and how
/// many match.
async fn grid_page(
    index: &PointIndex,
    meaning: &Meaning<'_>,
    year: i32,
    page: &Page,
) -> Result<(Vec<Value>, usize), ApiError> {
    let bbox = page.bbox.ok_or_else(|| {
        ApiError::bad_request(format!(
            "the 100 m cells need a bbox (minlon,minlat,maxlon,maxlat) of at most \
             {GRID_MAX_KM} × {GRID_MAX_KM} km"
        ))
    })?;
    let (hx, hy) = grid_ranges(&bbox)?;
    let cells = index
        .cells_in(hx, hy, year)
        .await
        .map_err(ApiError::unavailable)?;
    // The RD ranges hold the bbox; keep the cells whose square meets it.
    let features: Vec<Value> = cells
        .iter()
        .map(|(hx, hy, row)| {
            let cell = CellId {
                hx: *hx as i32,
                hy: *hy as i32,
            };
            cell_feature(cell, row, meaning)
        })
        .filter(|f| feature_bounds(f).is_some_and(|b| intersects(&b, &bbox)))
        .collect();
    let matched = features.len();
    let features = features
        .into_iter()
        .skip(page.offset)
        .take(page.limit)
        .collect();
    Ok((features, matched))
}

/// Feature collection `id` of `snapshot` with the point index its features come from.
fn with_index<'a>(
    snapshot: &'a Snapshot,
    id: &str,
) -> Result<(Collection, &'a PointIndex), ApiError> {
    let collection = find(snapshot, id)?;
    let index = snapshot
        .index
        .as_deref()
        .ok_or_else(|| ApiError::not_found("no point index: lbm-index.sqlite is missing"))?;
    Ok((collection, index))
}

/// `GET /ogc/collections/{collectionId}/items`.
pub(crate) async fn items(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let p = params(query, &["limit", "offset", "bbox", "bbox-crs", "crs"])?;
    let snapshot = state.catalog.snapshot();
    let (collection, index) = with_index(&snapshot, &id)?;
    let meaning = Meaning::of(&snapshot);
    let (features, matched, page) = match &collection {
        Collection::Areas { level, year } => {
            let page = Page::parse(&p, AREA_LIMIT)?;
            let (features, matched) = area_page(index, &meaning, level, *year, &page).await?;
            (features, matched, page)
        }
        Collection::Grid { year } => {
            let page = Page::parse(&p, GRID_LIMIT)?;
            let (features, matched) = grid_page(index, &meaning, *year, &page).await?;
            (features, matched, page)
        }
        Collection::Tiles { .. } => {
            return Err(ApiError::not_found(format!(
                "collection {id:?} is a tileset: its tiles are under /ogc/collections/{id}/tiles"
            )))
        }
    };
    let base = base(&state, &headers);
    let items = collection_url(&base, urls::OGC_ITEMS, &id);
    let returned = features.len();
    let mut links = vec![
        link(
            format!("{items}?{}", page.query(page.offset)),
            "self",
            "application/geo+json",
            "This page",
        ),
        link(
            collection_url(&base, urls::OGC_COLLECTION, &id),
            "collection",
            "application/json",
            "The collection",
        ),
    ];
    if page.offset + returned < matched {
        links.push(link(
            format!("{items}?{}", page.query(page.offset + returned)),
            "next",
            "application/geo+json",
            "The next page",
        ));
    }
    if page.offset > 0 {
        links.push(link(
            format!(
                "{items}?{}",
                page.query(page.offset.saturating_sub(page.limit))
            ),
            "prev",
            "application/geo+json",
            "The previous page",
        ));
    }
    let doc = json!({
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": returned,
        "links": links,
        "features": features,
    });
    Ok(typed(&doc, &headers, "application/geo+json"))
}

/// `GET /ogc/collections/{collectionId}/items/{featureId}`: an area by its code, a cell by its
/// id (`E1213N4879`).
pub(crate) async fn item(
    State(state): State<AppState>,
    Path((id, feature)): Path<(String, String)>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params(query, &["crs"])?;
    let snapshot = state.catalog.snapshot();
    let (collection, index) = with_index(&snapshot, &id)?;
    let meaning = Meaning::of(&snapshot);
    let missing = || ApiError::not_found(format!("no feature {feature:?} in {id:?}"));
    let mut f = match &collection {
        Collection::Areas { level, year } => {
            let hit = index
                .area_hit(&feature)
                .filter(|h| h.level == *level)
                .ok_or_else(missing)?;
            area_feature(index, &meaning, hit, *year).await?
        }
        Collection::Grid { year } => {
            let cell = CellId::parse(&feature).ok_or_else(missing)?;
            let rows = index
                .lookup(i64::from(cell.hx), i64::from(cell.hy))
                .await
                .map_err(ApiError::unavailable)?;
            let row = rows.iter().find(|r| r.year == *year).ok_or_else(missing)?;
            cell_feature(cell, row, &meaning)
        }
        Collection::Tiles { .. } => return Err(missing()),
    };
    let base = base(&state, &headers);
    f["links"] = json!([
        link(
            format!(
                "{}/{}",
                collection_url(&base, urls::OGC_ITEMS, &id),
                urls::encode_segment(&feature)
            ),
            "self",
            "application/geo+json",
            "This feature"
        ),
        link(
            collection_url(&base, urls::OGC_COLLECTION, &id),
            "collection",
            "application/json",
            "The collection"
        ),
    ]);
    Ok(typed(&f, &headers, "application/geo+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bboxes_are_checked() {
        assert_eq!(parse_bbox("5,52,5.1,52.1").unwrap(), [5.0, 52.0, 5.1, 52.1]);
        assert_eq!(
            parse_bbox("5,52,0,5.1,52.1,10").unwrap(),
            [5.0, 52.0, 5.1, 52.1]
        );
        for bad in ["5,52,5.1", "5,52,4,53", "a,b,c,d", "5,95,6,96", ""] {
            assert!(parse_bbox(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rd_geometry_is_projected_to_crs84() {
        let mut g = json!({"type": "Polygon", "coordinates": [[[155000.0, 463000.0], [155100.0, 463000.0]]]});
        to_crs84(&mut g);
        let p = &g["coordinates"][0][0];
        // Amersfoort, the origin of RD New.
        assert!((p[0].as_f64().unwrap() - 5.387204).abs() < 1e-5, "{p}");
        assert!((p[1].as_f64().unwrap() - 52.155172).abs() < 1e-5, "{p}");
    }

    #[test]
    fn a_grid_bbox_is_at_most_25_km() {
        assert!(grid_ranges(&[5.0, 52.0, 5.1, 52.1]).is_ok());
        assert!(grid_ranges(&[4.0, 52.0, 5.0, 52.1]).is_err());
    }
}

//! The collections of the OGC API: which there are (from the point index and the catalog) and
//! their documents.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use lbm_tileset::levels::AreaLevel;
use lbm_tileset::measure::Kind;
use serde_json::{json, Value};

use super::{base, collection_url, link, params, typed, CollectionPath, CRS84};
use crate::catalog::Snapshot;
use crate::error::ApiError;
use crate::urls;
use crate::AppState;

/// What a collection holds.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Collection {
    /// The areas of `level` with their values of `year`.
    Areas {
        /// `gemeente`, `wijk`, `buurt` or `pc4`.
        level: String,
        /// The year of the values.
        year: i32,
    },
    /// The populated 100 m cells of `year`.
    Grid {
        /// The year.
        year: i32,
    },
    /// A tileset, as vector tiles.
    Tiles {
        /// The tileset id.
        id: String,
    },
}

/// Every collection of `snapshot` by id: the area levels and grid per year of the index, then
/// the tilesets.
pub(super) fn all(snapshot: &Snapshot) -> BTreeMap<String, Collection> {
    let mut out = BTreeMap::new();
    if let Some(index) = &snapshot.index {
        for level in AreaLevel::ALL {
            let level = level.layer();
            let mut years = BTreeSet::new();
            for hit in index.areas_of_level(level) {
                if let Some(a) = index.area_years(&hit.code) {
                    years.extend(a.years.iter().map(|y| y.year));
                }
            }
            for year in years {
                let level = level.to_string();
                out.insert(format!("{level}-{year}"), Collection::Areas { level, year });
            }
        }
        if grid_extent(snapshot).is_some() {
            for year in index.national_means().iter().map(|y| y.year) {
                out.insert(format!("grid-{year}"), Collection::Grid { year });
            }
        }
    }
    for (id, t) in &snapshot.tilesets {
        if t.info.kind_id() != Some(Kind::Basemap) && !out.contains_key(id) {
            out.insert(id.clone(), Collection::Tiles { id: id.clone() });
        }
    }
    out
}

/// Collection `id` of `snapshot`, as [`all`] has it, resolved from the id alone (a request, an
/// OGC tile among them, must not list every collection first).
fn resolve(snapshot: &Snapshot, id: &str) -> Option<Collection> {
    let index = snapshot.index.as_deref();
    let by_year = id
        .rsplit_once('-')
        .and_then(|(prefix, year)| Some((prefix, year.parse::<i32>().ok()?)));
    if let (Some(index), Some((prefix, year))) = (index, by_year) {
        if prefix == "grid" {
            let measured = index.national_means().iter().any(|y| y.year == year);
            if measured && grid_extent(snapshot).is_some() {
                return Some(Collection::Grid { year });
            }
        } else if let Some(level) = AreaLevel::parse(prefix) {
            let scored = index.areas_of_level(level.layer()).any(|h| {
                index
                    .area_years(&h.code)
                    .is_some_and(|a| a.years.iter().any(|y| y.year == year))
            });
            if scored {
                let level = level.layer().to_string();
                return Some(Collection::Areas { level, year });
            }
        }
    }
    let t = snapshot.tilesets.get(id)?;
    (t.info.kind_id() != Some(Kind::Basemap)).then(|| Collection::Tiles { id: id.to_string() })
}

/// The bounds of the score tilesets: where the 100 m cells are.
fn grid_extent(snapshot: &Snapshot) -> Option<[f64; 4]> {
    snapshot
        .tilesets
        .values()
        .filter(|t| t.info.kind_id() == Some(Kind::Score))
        .map(|t| t.info.meta.bounds)
        .fold(None, |acc, b| Some(union(acc, b)))
}

/// The spatial extent of a collection (WGS84 `[w, s, e, n]`).
fn extent(snapshot: &Snapshot, collection: &Collection) -> [f64; 4] {
    let nothing = [0.0; 4];
    match collection {
        Collection::Areas { level, .. } => snapshot
            .index
            .as_deref()
            .and_then(|index| {
                index
                    .areas_of_level(level)
                    .filter(|h| h.on_map())
                    .fold(None, |acc, h| Some(union(acc, h.bbox)))
            })
            .unwrap_or(nothing),
        Collection::Grid { .. } => grid_extent(snapshot).unwrap_or(nothing),
        Collection::Tiles { id } => snapshot
            .tilesets
            .get(id)
            .map_or(nothing, |t| t.info.meta.bounds),
    }
}

fn union(acc: Option<[f64; 4]>, b: [f64; 4]) -> [f64; 4] {
    match acc {
        None => b,
        Some(a) => [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ],
    }
}

/// Collection `id` of `snapshot`, or a 404 naming it.
pub(super) fn find(snapshot: &Snapshot, id: &str) -> Result<Collection, ApiError> {
    resolve(snapshot, id).ok_or_else(|| {
        ApiError::not_found(format!(
            "no collection {id:?}; /ogc/collections lists them ({{level}}-{{year}}, \
             grid-{{year}} and the tilesets)"
        ))
    })
}

/// The document of collection `id`.
fn document(snapshot: &Snapshot, base: &str, id: &str, collection: &Collection) -> Value {
    let bbox = extent(snapshot, collection);
    let mut links = vec![link(
        collection_url(base, urls::OGC_COLLECTION, id),
        "self",
        "application/json",
        "This collection",
    )];
    let (title, description, item_type) = match collection {
        Collection::Areas { level, year } => (
            format!("{} {year}", level_title(level)),
            format!(
                "De {} met hun Leefbaarometer-scores van {year}: per thema de waarde ({{measure}}) \
                 en de klasse 1-9 ({{measure}}_class), zoals de kaart en /api/v1 ze geven.",
                level_plural(level)
            ),
            Some("feature"),
        ),
        Collection::Grid { year } => (
            format!("100 m-cellen {year}"),
            format!(
                "De bewoonde 100 m-cellen met hun Leefbaarometer-scores van {year}. Vraag ze op \
                 met een bbox van hoogstens {} km breed en hoog.",
                super::features::GRID_MAX_KM
            ),
            Some("feature"),
        ),
        Collection::Tiles { id } => {
            let meta = snapshot.tilesets.get(id).map(|t| &t.info.meta);
            (
                meta.map_or_else(|| id.clone(), |m| m.name.clone()),
                meta.and_then(|m| m.description.clone()).unwrap_or_default(),
                None,
            )
        }
    };
    if item_type.is_some() {
        links.push(link(
            collection_url(base, urls::OGC_ITEMS, id),
            "items",
            "application/geo+json",
            "The features",
        ));
    }
    if let Collection::Tiles { id } = collection {
        links.extend(super::tiles::collection_links(base, id));
    }
    let mut doc = json!({
        "id": id,
        "title": title,
        "description": description,
        "links": links,
        "extent": {"spatial": {"bbox": [bbox], "crs": CRS84}},
        "crs": [CRS84],
        "storageCrs": CRS84,
    });
    match collection {
        Collection::Areas { year, .. } | Collection::Grid { year } => {
            doc["itemType"] = json!("feature");
            doc["extent"]["temporal"] = json!({
                "interval": [[format!("{year}-01-01T00:00:00Z"), format!("{year}-12-31T23:59:59Z")]],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            });
        }
        Collection::Tiles { .. } => doc["dataType"] = json!("vector"),
    }
    doc
}

/// "Gemeenten", "Wijken", ... for a title.
fn level_title(level: &str) -> String {
    let plural = level_plural(level);
    let mut c = plural.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn level_plural(level: &str) -> &'static str {
    match level {
        "gemeente" => "gemeenten",
        "wijk" => "wijken",
        "buurt" => "buurten",
        "pc4" => "postcodegebieden (PC4)",
        _ => "gebieden",
    }
}

/// `GET /ogc/collections`.
pub(crate) async fn collections(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params(query, &[])?;
    let base = base(&state, &headers);
    let snapshot = state.catalog.snapshot();
    let collections: Vec<Value> = all(&snapshot)
        .iter()
        .map(|(id, c)| document(&snapshot, &base, id, c))
        .collect();
    let doc = json!({
        "links": [link(urls::OGC_COLLECTIONS.url(&base, &[]), "self", "application/json", "The collections")],
        "collections": collections,
    });
    Ok(typed(&doc, &headers, "application/json"))
}

/// `GET /ogc/collections/{collectionId}`.
pub(crate) async fn collection(
    State(state): State<AppState>,
    id: CollectionPath,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params(query, &[])?;
    let base = base(&state, &headers);
    let snapshot = state.catalog.snapshot();
    let c = find(&snapshot, &id.0)?;
    Ok(typed(
        &document(&snapshot, &base, &id.0, &c),
        &headers,
        "application/json",
    ))
}

//! `GET /catalog.json`: every tileset with its URLs, grouped by measure and year.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::header::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::archives::archive_url;
use super::tilejson::{style_url, tilejson_url, tiles_url, url_document};
use lbm_tileset::{Measure, TilesetKind};

use crate::catalog::Snapshot;
use crate::urls::base_url;
use crate::AppState;

/// Measures in the contract's one order ([`Measure::ALL`]); others follow alphabetically.
fn measure_rank(m: &str) -> (usize, String) {
    (Measure::rank(m), m.to_string())
}

/// The catalog document of a snapshot.
pub fn catalog_json(snapshot: &Snapshot, base: &str) -> Value {
    let mut tilesets: Vec<_> = snapshot.tilesets.values().collect();
    tilesets.sort_by_key(|t| {
        (
            measure_rank(t.info.measure().unwrap_or("")),
            t.info.year(),
            t.info.id.clone(),
        )
    });
    let mut measures: BTreeMap<(usize, String), (Value, Value, Vec<i32>)> = BTreeMap::new();
    for t in &tilesets {
        // The measure/year choices come from score tilesets; change maps (later) are listed
        // under `tilesets` with their kind but do not add years.
        let Some(TilesetKind::Score { measure: m, year }) = &t.info.kind else {
            continue;
        };
        let entry =
            measures
                .entry(measure_rank(m))
                .or_insert((Value::Null, Value::Null, Vec::new()));
        if let Some(c) = &t.info.classification {
            entry.0 = json!(c.name_nl);
            entry.1 = json!(c.name_en);
        }
        if !entry.2.contains(year) {
            entry.2.push(*year);
        }
    }
    let measures: Vec<Value> = measures
        .into_iter()
        .map(|((_, id), (name_nl, name_en, mut years))| {
            years.sort_unstable();
            json!({"id": id, "name_nl": name_nl, "name_en": name_en, "years": years})
        })
        .collect();
    let tilesets: Vec<Value> = tilesets
        .iter()
        .map(|t| {
            let i = &t.info;
            json!({
                "id": i.id,
                "name": i.name,
                "attribution": i.attribution,
                "attribution_nl": i.attribution_nl,
                "kind": i.kind_id(),
                "measure": i.measure(),
                "year": i.year(),
                "minzoom": i.minzoom,
                "maxzoom": i.maxzoom,
                "bounds": i.bounds,
                "center": i.center,
                "tilejson": tilejson_url(base, &i.id),
                "style": style_url(base, &i.id),
                "tiles": [tiles_url(base, i)],
                "version": i.content_version,
                "pmtiles": snapshot.archives.get(&i.id).map(|_| archive_url(base, &i.id)),
                "classification": i.classification,
                "pyramid": i.pyramid,
                "year_from": i.period().map(|p| p.0),
                "year_to": i.period().map(|p| p.1),
                "areas": i.areas,
                "levels": i.levels,
                "reference": i.reference,
                "pressure": i.pressure,
            })
        })
        .collect();
    // Change tilesets as pairs, by measure, from-year, to-year.
    let mut changes: Vec<(&crate::tileset::TilesetInfo, i32, i32)> = snapshot
        .tilesets
        .values()
        .filter_map(|t| match &t.info.kind {
            Some(TilesetKind::Change { from, to, .. }) => Some((&t.info, *from, *to)),
            _ => None,
        })
        .collect();
    changes.sort_by_key(|(i, from, to)| (measure_rank(i.measure().unwrap_or("")), *from, *to));
    let changes: Vec<Value> = changes
        .into_iter()
        .map(|(i, from, to)| json!({"measure": i.measure(), "from": from, "to": to, "id": i.id}))
        .collect();
    json!({"measures": measures, "tilesets": tilesets, "changes": changes})
}

/// Handler of `/catalog.json`.
pub(super) async fn handler(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = base_url(state.config.public_url.as_deref(), &headers);
    let document = catalog_json(&state.catalog.snapshot(), &base);
    url_document(&document, state.config.public_url.as_deref(), &headers)
}

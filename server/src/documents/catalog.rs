//! The catalog (`/catalog.json`, and `catalog.json` of a static site): every tileset with its
//! URLs and meaning, the measures with their years, and the change pairs.

use std::collections::BTreeMap;

use lbm_tileset::levels::{AreaLayerInfo, Band};
use lbm_tileset::metadata::{Pressure, PyramidLevel, Reference};
use lbm_tileset::{Classification, Kind, Measure, TilesetKind};
use serde::Serialize;

use super::tileset::tiles_url;
use crate::catalog::Snapshot;
use crate::tileset::TilesetInfo;
use crate::urls::{archive_url, style_url, tilejson_url};

/// The catalog document.
#[derive(Serialize)]
pub(crate) struct Catalog<'a> {
    /// The measures of the score tilesets, in the contract's order.
    pub(crate) measures: Vec<MeasureEntry<'a>>,
    /// Every tileset.
    pub(crate) tilesets: Vec<TilesetEntry<'a>>,
    /// The change tilesets as pairs.
    pub(crate) changes: Vec<ChangeEntry<'a>>,
}

/// A measure with the years of its score tilesets.
#[derive(Serialize)]
pub(crate) struct MeasureEntry<'a> {
    id: &'a str,
    name_nl: Option<&'a str>,
    name_en: Option<&'a str>,
    /// The years of its score tilesets, ascending.
    pub(crate) years: Vec<i32>,
}

impl<'a> MeasureEntry<'a> {
    /// The measure's id.
    pub(crate) fn id(&self) -> &'a str {
        self.id
    }
}

/// A tileset as the catalog lists it.
#[derive(Serialize)]
pub(crate) struct TilesetEntry<'a> {
    /// The tileset id.
    pub(crate) id: &'a str,
    name: &'a str,
    attribution: Option<&'a str>,
    attribution_nl: Option<&'a str>,
    /// Score, change, pressure or basemap.
    pub(crate) kind: Option<Kind>,
    /// The measure of a score, change or pressure tileset.
    pub(crate) measure: Option<&'a str>,
    /// The year of a score tileset.
    pub(crate) year: Option<i32>,
    minzoom: u8,
    maxzoom: u8,
    bounds: [f64; 4],
    center: [f64; 3],
    /// Its TileJSON (none in a static site, which has no server to answer it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tilejson: Option<String>,
    /// Its style.
    pub(crate) style: String,
    /// Its tile URL template (none in a static site: the archive holds the tiles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tiles: Option<[String; 1]>,
    version: &'a str,
    /// The raw archive's URL, for a tileset that is also a PMTiles archive.
    pub(crate) pmtiles: Option<String>,
    classification: Option<&'a Classification>,
    pyramid: &'a [PyramidLevel],
    year_from: Option<i32>,
    year_to: Option<i32>,
    areas: &'a [AreaLayerInfo],
    levels: &'a [Band],
    reference: Option<&'a Reference>,
    pressure: Option<&'a Pressure>,
}

/// A change tileset as a pair of years.
#[derive(Serialize)]
pub(crate) struct ChangeEntry<'a> {
    measure: Option<&'a str>,
    from: i32,
    to: i32,
    /// The change tileset's id.
    pub(crate) id: &'a str,
}

/// Measures in the contract's one order ([`Measure::ALL`]); others follow alphabetically.
fn measure_rank(m: &str) -> (usize, String) {
    (Measure::rank(m), m.to_string())
}

impl<'a> TilesetEntry<'a> {
    fn of(snapshot: &Snapshot, i: &'a TilesetInfo, base: &str) -> Self {
        TilesetEntry {
            id: &i.id,
            name: &i.name,
            attribution: i.attribution.as_deref(),
            attribution_nl: i.attribution_nl.as_deref(),
            kind: i.kind_id(),
            measure: i.measure(),
            year: i.year(),
            minzoom: i.minzoom,
            maxzoom: i.maxzoom,
            bounds: i.bounds,
            center: i.center,
            tilejson: Some(tilejson_url(base, &i.id)),
            style: style_url(base, &i.id),
            tiles: Some([tiles_url(base, i)]),
            version: &i.content_version,
            pmtiles: snapshot.archive(&i.id).map(|_| archive_url(base, &i.id)),
            classification: i.classification.as_ref(),
            pyramid: &i.pyramid,
            year_from: i.period().map(|p| p.0),
            year_to: i.period().map(|p| p.1),
            areas: &i.areas,
            levels: &i.levels,
            reference: i.reference.as_ref(),
            pressure: i.pressure.as_ref(),
        }
    }
}

/// The catalog of `snapshot` with URLs under `base`.
pub(crate) fn catalog<'a>(snapshot: &'a Snapshot, base: &str) -> Catalog<'a> {
    let mut tilesets: Vec<&TilesetInfo> = snapshot.tilesets.values().map(|t| &t.info).collect();
    tilesets.sort_by_key(|i| {
        (
            measure_rank(i.measure().unwrap_or("")),
            i.year(),
            i.id.clone(),
        )
    });
    // The measure/year choices come from score tilesets; change maps are listed under
    // `tilesets` with their kind but do not add years.
    let mut measures: BTreeMap<(usize, String), MeasureEntry<'a>> = BTreeMap::new();
    for i in &tilesets {
        let Some(TilesetKind::Score { measure: m, year }) = &i.kind else {
            continue;
        };
        let entry = measures.entry(measure_rank(m)).or_insert(MeasureEntry {
            id: m,
            name_nl: None,
            name_en: None,
            years: Vec::new(),
        });
        if let Some(c) = &i.classification {
            entry.name_nl = Some(&c.name_nl);
            entry.name_en = Some(&c.name_en);
        }
        if !entry.years.contains(year) {
            entry.years.push(*year);
        }
    }
    let measures = measures
        .into_values()
        .map(|mut m| {
            m.years.sort_unstable();
            m
        })
        .collect();
    // Change tilesets as pairs, by measure, from-year, to-year.
    let mut changes: Vec<ChangeEntry<'a>> = tilesets
        .iter()
        .filter_map(|i| match &i.kind {
            Some(TilesetKind::Change { from, to, .. }) => Some(ChangeEntry {
                measure: i.measure(),
                from: *from,
                to: *to,
                id: &i.id,
            }),
            _ => None,
        })
        .collect();
    changes.sort_by_key(|c| (measure_rank(c.measure.unwrap_or("")), c.from, c.to));
    Catalog {
        measures,
        tilesets: tilesets
            .iter()
            .map(|i| TilesetEntry::of(snapshot, i, base))
            .collect(),
        changes,
    }
}

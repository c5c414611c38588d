//! The rows of the point index beside the tilesets ([`lbm_formats::index`]): every cell and area
//! with its published values for every year of the scores file, the class distributions of the
//! reports, the areas under pressure and the classifications.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use lbm_formats::index::{
    change_classification_key, classification_key, AreaRow, CellRow, ClassCountRow, ClassCounts,
    IndexWriter, ValueRow, NATIONAL_CODE,
};
use lbm_tileset::metadata::Pressure;
use lbm_tileset::project::rd_to_wgs84;
use lbm_tileset::{Column, Measure};

use crate::aggregate::distribution::{change_tally, score_tally, Distribution, Tally};
use crate::aggregate::pyramid::AggCell;
use crate::aggregate::shown::Rule;
use crate::error::Result;
use crate::geometry::interior_point;
use crate::input::aliases::{aliases, gemeente_names};
use crate::input::areas::{Area, AreaLevel};
use crate::input::classes::ClassificationSet;
use crate::input::scores::Scores;
use crate::pipeline::tileset::area_pressure;
use crate::pipeline::{PreparedAreas, GENERATOR};

/// The published values of `agg` in the index's column order.
fn published(agg: &AggCell) -> ValueRow {
    // `Column::ALL` is the order of the tables' value columns.
    Column::ALL.map(|c| agg.published(c))
}

/// Fills `cells` in its primary-key order, a bounded slice at a time.
fn write_cells(index: &IndexWriter, scores: &Scores) -> Result<()> {
    let mut order: Vec<(i32, i32, u16, u32, u32)> = scores
        .years
        .iter()
        .enumerate()
        .flat_map(|(yi, y)| {
            y.cells
                .iter()
                .enumerate()
                .map(move |(ci, c)| (c.hx, c.hy, y.year, yi as u32, ci as u32))
        })
        .collect();
    order.par_sort_unstable();
    let mut rows = Vec::with_capacity(4096);
    for chunk in order.chunks(4096) {
        rows.clear();
        rows.extend(chunk.iter().map(|&(hx, hy, year, yi, ci)| CellRow {
            hx,
            hy,
            year,
            values: scores.years[yi as usize].cells[ci as usize].values.0,
        }));
        index.add_cells(&rows)?;
    }
    Ok(())
}

/// Writes the index to `dest` (atomically: a temporary file renamed into place), with the class
/// distributions of every year and of the change periods `pairs`.
pub fn write_index(
    dest: &Path,
    scores: &Scores,
    classes: &ClassificationSet,
    areas: &[PreparedAreas],
    pairs: &[(u16, u16)],
    pressure: Option<&Pressure>,
) -> Result<PathBuf> {
    let index = IndexWriter::create(dest)?;
    write_areas(&index, scores, areas)?;
    write_distributions(&index, scores, classes, areas, pairs)?;
    write_national_scores(&index, scores)?;
    if let Some(p) = pressure {
        write_pressure(&index, classes, areas, p)?;
    }
    write_cells(&index, scores)?;
    {
        for m in &classes.measures {
            index.set_meta(&classification_key(&m.measure), &m.to_json())?;
        }
        for m in &classes.changes {
            index.set_meta(&change_classification_key(&m.measure), &m.to_json())?;
        }
        let year_list: Vec<u16> = scores.years.iter().map(|y| y.year).collect();
        let columns: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        for (k, v) in [
            (
                "years",
                serde_json::to_string(&year_list).unwrap_or_default(),
            ),
            (
                "columns",
                serde_json::to_string(&columns).unwrap_or_default(),
            ),
            ("afw_derived", scores.reference.derived.to_string()),
            (
                "weight_column",
                scores.weight_column.clone().unwrap_or_default(),
            ),
            ("source_sha256", scores.sha256.clone()),
            ("generator", GENERATOR.to_string()),
        ] {
            index.set_meta(k, &v)?;
        }
    }
    Ok(index.finish()?)
}

/// The `class_counts` rows: per period (each year, then each change pair), the distributions
/// of every area of every level and of the whole country.
fn write_distributions(
    index: &IndexWriter,
    scores: &Scores,
    classes: &ClassificationSet,
    areas: &[PreparedAreas],
    pairs: &[(u16, u16)],
) -> Result<()> {
    let mut counts = index.class_counts()?;
    let weighted = scores.weight_column.is_some();
    let mut write = |code: &str, measure: &str, from: Option<u16>, year: u16, d: &Distribution| {
        if d.is_empty() {
            return Ok(());
        }
        counts.add(&ClassCountRow {
            code,
            measure,
            from_year: from,
            year,
            no_data: d.no_data,
            counts: d.counts,
            weights: weighted.then_some(d.weights),
        })
    };
    let score_classes = &classes.measures;
    let change_classes = &classes.changes;
    for y in &scores.years {
        let national = score_tally(y, std::iter::repeat(Some(0)), 1, score_classes);
        let levels: Vec<Tally> = areas
            .par_iter()
            .map(|pa| {
                let n = pa.layer.areas.len();
                score_tally(y, pa.members.owners(y), n, score_classes)
            })
            .collect();
        for (m, c) in score_classes.iter().enumerate() {
            write(NATIONAL_CODE, &c.measure, None, y.year, national.get(0, m))?;
        }
        for (pa, tally) in areas.iter().zip(&levels) {
            for (ai, a) in pa.layer.areas.iter().enumerate() {
                for (m, c) in score_classes.iter().enumerate() {
                    write(&a.code, &c.measure, None, y.year, tally.get(ai, m))?;
                }
            }
        }
    }
    for &(from, to) in pairs {
        let (Some(a), Some(b)) = (scores.year(from), scores.year(to)) else {
            continue;
        };
        let national = change_tally(a, b, std::iter::repeat(Some(0)), 1, change_classes);
        let levels: Vec<Tally> = areas
            .par_iter()
            .map(|pa| {
                let n = pa.layer.areas.len();
                change_tally(a, b, pa.members.owners(b), n, change_classes)
            })
            .collect();
        for (m, c) in change_classes.iter().enumerate() {
            write(
                NATIONAL_CODE,
                &c.measure,
                Some(from),
                to,
                national.get(0, m),
            )?;
        }
        for (pa, tally) in areas.iter().zip(&levels) {
            for (ai, a) in pa.layer.areas.iter().enumerate() {
                for (m, c) in change_classes.iter().enumerate() {
                    write(&a.code, &c.measure, Some(from), to, tally.get(ai, m))?;
                }
            }
        }
    }
    Ok(ClassCounts::finish(counts)?)
}

/// The `pressure` rows (the areas under pressure, with their gemeente and wijk) and the rule in
/// `meta`.
fn write_pressure(
    index: &IndexWriter,
    classes: &ClassificationSet,
    areas: &[PreparedAreas],
    p: &Pressure,
) -> Result<()> {
    let Some(lbm) = classes.get(Measure::Lbm.id()) else {
        return Ok(());
    };
    let rule = Rule::score(Measure::Lbm, lbm);
    for pa in areas {
        for (a, marked) in pa.layer.areas.iter().zip(area_pressure(pa, &rule, p)) {
            if !marked {
                continue;
            }
            let wijk = (a.level == AreaLevel::Buurt && a.code.len() >= 8)
                .then(|| format!("WK{}", &a.code[2..8]));
            let gemeente = a.parent();
            index.add_pressure(
                &a.code,
                a.level.layer(),
                gemeente.as_deref(),
                wijk.as_deref(),
            )?;
        }
    }
    index.set_meta("pressure", &serde_json::to_string(p).unwrap_or_default())?;
    Ok(())
}

/// The `national_scores` rows: per year the published mean of each column over all cells.
fn write_national_scores(index: &IndexWriter, scores: &Scores) -> Result<()> {
    for y in &scores.years {
        let mut agg = AggCell::EMPTY;
        for c in &y.cells {
            agg.add(&c.values);
        }
        index.add_national_scores(y.year, &published(&agg))?;
    }
    Ok(())
}

/// The corners of the convex hull of an area's exterior rings (RD New): where its extremes in
/// longitude and latitude lie, since RD New maps to WGS84 almost affinely over an area.
/// Projecting these instead of every vertex (9.5 million in national buurten with real border
/// detail) took the projections out of a release build's profile.
fn hull(a: &Area) -> Vec<(f64, f64)> {
    use geo::ConvexHull;
    let points: geo::MultiPoint<f64> = a
        .polygons
        .iter()
        .filter_map(|p| p.first())
        .flatten()
        .map(|&(x, y)| geo::Point::new(x, y))
        .collect();
    points
        .convex_hull()
        .exterior()
        .coords()
        .map(|c| (c.x, c.y))
        .collect()
}

/// The `areas` and `area_scores` rows (every year of the file), then the aliases.
fn write_areas(index: &IndexWriter, scores: &Scores, areas: &[PreparedAreas]) -> Result<()> {
    // The name of each gemeente: of the areas present, else of the shipped code list.
    let mut gemeente: HashMap<String, String> = gemeente_names().into_iter().collect();
    for pa in areas {
        for a in pa
            .layer
            .areas
            .iter()
            .filter(|a| a.level == AreaLevel::Gemeente)
        {
            gemeente.insert(a.code.clone(), a.name.clone());
        }
    }
    for pa in areas {
        for (ai, a) in pa.layer.areas.iter().enumerate() {
            // An area not on the map (no usable polygon): its names and scores, no geometry,
            // bounds or centre (NaN is stored as NULL).
            let on_map = !a.polygons.is_empty();
            let nan = (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
            let (x0, y0, x1, y1) = if on_map { a.bounds() } else { nan };
            let (mut w, mut s, mut e, mut n) = if on_map {
                (f64::MAX, f64::MAX, f64::MIN, f64::MIN)
            } else {
                nan
            };
            for (x, y) in hull(a) {
                let (lon, lat) = rd_to_wgs84(x, y)?;
                w = w.min(lon);
                e = e.max(lon);
                s = s.min(lat);
                n = n.max(lat);
            }
            let parent = a.parent();
            let geom = on_map.then(|| a.geojson());
            let center = match interior_point(&a.polygons) {
                Some((x, y)) => {
                    let (lon, lat) = rd_to_wgs84(x, y)?;
                    Some([lon, lat])
                }
                None => None,
            };
            index.add_area(&AreaRow {
                code: &a.code,
                level: a.level.layer(),
                name: &a.name,
                parent: parent.as_deref(),
                bounds_lonlat: [w, s, e, n],
                bounds_rd: [x0, y0, x1, y1],
                geom: geom.as_deref(),
                parent_name: parent
                    .as_ref()
                    .and_then(|p| gemeente.get(p))
                    .map(String::as_str),
                center,
            })?;
            for y in &scores.years {
                let agg: &AggCell = &pa.year(y.year)[ai];
                if agg.any() {
                    index.add_area_scores(&a.code, y.year, &published(agg))?;
                }
            }
        }
    }
    let all: Vec<&Area> = areas.iter().flat_map(|pa| &pa.layer.areas).collect();
    for a in aliases(&all) {
        index.add_alias(&a.name, &a.code, a.kind)?;
    }
    Ok(())
}

//! The point index beside the tilesets ([`lbm_tileset::index`]): every cell and area with its
//! published values for every year of the scores file, and the classifications.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rusqlite::params;

use lbm_tileset::index::{
    change_classification_key, classification_key, INDEXES, NATIONAL_CODE, SCHEMA,
};
use lbm_tileset::metadata::Pressure;
use lbm_tileset::names::normalise_name;
use lbm_tileset::project::rd_to_wgs84;
use lbm_tileset::{Column, Measure};

use crate::aggregate::distribution::{change_tally, score_tally, Distribution, Tally, CLASSES};
use crate::aggregate::pyramid::AggCell;
use crate::aggregate::shown::Rule;
use crate::error::Result;
use crate::input::aliases::{aliases, gemeente_names};
use crate::input::areas::{Area, AreaLevel};
use crate::input::classes::ClassificationSet;
use crate::input::scores::Scores;
use crate::output::mbtiles::AtomicDb;
use crate::pipeline::tileset::area_pressure;
use crate::pipeline::{PreparedAreas, GENERATOR};

/// A column's published value in thousandths (as `cell_values` stores it), or NULL.
fn thousandths(v: f64) -> Option<i64> {
    // `lbm_tileset::publish` is this rounding divided by 1000, so the `cells` view gives back exactly it.
    v.is_finite().then(|| (v * 1000.0).round() as i64)
}

/// Rows of the `cell_values` table per INSERT statement: one statement's fixed cost (bind, step, reset)
/// spread over many rows. 64 rows of 10 values stay far under SQLite's limit of parameters.
const CELL_ROWS_PER_INSERT: usize = 64;

/// Fills the `cell_values` table (the `cells` view), in `order` (its primary-key order: appending to the B-tree is much
/// faster than random inserts).
fn write_cells(
    db: &AtomicDb,
    scores: &Scores,
    order: Vec<(i32, i32, u16, u32, u32)>,
) -> Result<()> {
    let insert = |rows: usize| {
        let values = vec!["(?,?,?,?,?,?,?,?,?,?)"; rows].join(",");
        db.conn()
            .prepare(&format!("INSERT INTO cell_values VALUES {values}"))
            .map_err(|e| db.err(e))
    };
    let mut full = insert(CELL_ROWS_PER_INSERT)?;
    for chunk in order.chunks(CELL_ROWS_PER_INSERT) {
        let mut rest;
        let stmt = if chunk.len() == CELL_ROWS_PER_INSERT {
            &mut full
        } else {
            rest = insert(chunk.len())?;
            &mut rest
        };
        let mut p = 0;
        let mut bind = |stmt: &mut rusqlite::Statement<'_>, v: &dyn rusqlite::ToSql| {
            p += 1;
            stmt.raw_bind_parameter(p, v).map_err(|e| db.err(e))
        };
        for &(hx, hy, year, yi, ci) in chunk {
            let v = scores.years[yi as usize].cells[ci as usize].values;
            bind(stmt, &hx)?;
            bind(stmt, &hy)?;
            bind(stmt, &year)?;
            // `Column::ALL` is the order of the table's value columns.
            for c in Column::ALL {
                bind(stmt, &thousandths(v[c]))?;
            }
        }
        stmt.raw_execute().map_err(|e| db.err(e))?;
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
    let db = AtomicDb::create(dest, 8192)?;
    db.batch(SCHEMA)?;
    write_areas(&db, scores, areas)?;
    write_distributions(&db, scores, classes, areas, pairs)?;
    write_national_scores(&db, scores)?;
    if let Some(p) = pressure {
        write_pressure(&db, classes, areas, p)?;
    }
    // Insert in primary-key order: appending to the B-tree is much faster than random inserts.
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
    write_cells(&db, scores, order)?;
    {
        let mut meta = db
            .conn()
            .prepare("INSERT INTO meta VALUES (?1, ?2)")
            .map_err(|e| db.err(e))?;
        for m in &classes.measures {
            meta.execute(params![classification_key(&m.measure), m.to_json()])
                .map_err(|e| db.err(e))?;
        }
        for m in &classes.changes {
            meta.execute(params![change_classification_key(&m.measure), m.to_json()])
                .map_err(|e| db.err(e))?;
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
            meta.execute(params![k, v]).map_err(|e| db.err(e))?;
        }
    }
    db.batch(INDEXES)?;
    db.commit()
}

/// The `class_counts` rows: per period (each year, then each change pair), the distributions
/// of every area of every level and of the whole country.
fn write_distributions(
    db: &AtomicDb,
    scores: &Scores,
    classes: &ClassificationSet,
    areas: &[PreparedAreas],
    pairs: &[(u16, u16)],
) -> Result<()> {
    // Counted period by period, read place by place: the rows go to a staging table first and
    // are copied in place order at the end, so that a report's rows lie together on disk.
    db.batch("CREATE TEMP TABLE class_counts_staging AS SELECT * FROM class_counts WHERE 0")?;
    let mut stmt = db
        .conn()
        .prepare(
            "INSERT INTO class_counts_staging VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,\
             ?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)",
        )
        .map_err(|e| db.err(e))?;
    let weighted = scores.weight_column.is_some();
    let mut write = |code: &str, measure: &str, from: Option<u16>, year: u16, d: &Distribution| {
        if d.is_empty() {
            return Ok(());
        }
        let bind = |stmt: &mut rusqlite::Statement<'_>| -> rusqlite::Result<usize> {
            stmt.raw_bind_parameter(1, code)?;
            stmt.raw_bind_parameter(2, measure)?;
            stmt.raw_bind_parameter(3, from)?;
            stmt.raw_bind_parameter(4, year)?;
            stmt.raw_bind_parameter(5, d.no_data)?;
            for k in 0..CLASSES {
                stmt.raw_bind_parameter(6 + k, d.counts[k])?;
                stmt.raw_bind_parameter(15 + k, weighted.then_some(d.weights[k]))?;
            }
            stmt.raw_execute()
        };
        bind(&mut stmt).map(|_| ()).map_err(|e| db.err(e))
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
    drop(stmt);
    db.batch(
        "INSERT INTO class_counts SELECT * FROM class_counts_staging
           ORDER BY code, measure, from_year, year;
         DROP TABLE class_counts_staging;",
    )
}

/// The `pressure` rows (the areas under pressure, with their gemeente and wijk) and the rule in
/// `meta`.
fn write_pressure(
    db: &AtomicDb,
    classes: &ClassificationSet,
    areas: &[PreparedAreas],
    p: &Pressure,
) -> Result<()> {
    let Some(lbm) = classes.get(Measure::Lbm.id()) else {
        return Ok(());
    };
    let rule = Rule::score(Measure::Lbm, lbm);
    let mut stmt = db
        .conn()
        .prepare("INSERT INTO pressure VALUES (?1, ?2, ?3, ?4)")
        .map_err(|e| db.err(e))?;
    for pa in areas {
        for (a, marked) in pa.layer.areas.iter().zip(area_pressure(pa, &rule, p)) {
            if !marked {
                continue;
            }
            let wijk = (a.level == AreaLevel::Buurt && a.code.len() >= 8)
                .then(|| format!("WK{}", &a.code[2..8]));
            stmt.execute(params![a.code, a.level.layer(), a.parent(), wijk])
                .map_err(|e| db.err(e))?;
        }
    }
    db.conn()
        .execute(
            "INSERT INTO meta VALUES ('pressure', ?1)",
            [serde_json::to_string(p).unwrap_or_default()],
        )
        .map_err(|e| db.err(e))?;
    Ok(())
}

/// The `national_scores` rows: per year the published mean of each column over all cells.
fn write_national_scores(db: &AtomicDb, scores: &Scores) -> Result<()> {
    let mut stmt = db
        .conn()
        .prepare("INSERT INTO national_scores VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        .map_err(|e| db.err(e))?;
    for y in &scores.years {
        let mut agg = AggCell::EMPTY;
        for c in &y.cells {
            agg.add(&c.values);
        }
        let m = |c: Column| agg.published(c);
        stmt.execute(params![
            y.year,
            m(Column::Lbm),
            m(Column::Afw),
            m(Column::Fys),
            m(Column::Onv),
            m(Column::Soc),
            m(Column::Vrz),
            m(Column::Won)
        ])
        .map_err(|e| db.err(e))?;
    }
    Ok(())
}

/// The `areas` and `area_scores` tables (every year of the file).
fn write_areas(db: &AtomicDb, scores: &Scores, areas: &[PreparedAreas]) -> Result<()> {
    let mut area_stmt = db
        .conn()
        .prepare("INSERT INTO areas VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)")
        .map_err(|e| db.err(e))?;
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
    let mut score_stmt = db
        .conn()
        .prepare("INSERT INTO area_scores VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)")
        .map_err(|e| db.err(e))?;
    for pa in areas {
        for (ai, a) in pa.layer.areas.iter().enumerate() {
            let (x0, y0, x1, y1) = a.bounds();
            let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for &(x, y) in a.polygons.iter().flatten().flatten() {
                let (lon, lat) = rd_to_wgs84(x, y)?;
                w = w.min(lon);
                e = e.max(lon);
                s = s.min(lat);
                n = n.max(lat);
            }
            area_stmt
                .execute(params![
                    a.code,
                    a.level.layer(),
                    a.name,
                    normalise_name(&a.name),
                    a.parent(),
                    w,
                    s,
                    e,
                    n,
                    x0,
                    y0,
                    x1,
                    y1,
                    a.geojson(),
                    a.parent().and_then(|p| gemeente.get(&p).cloned())
                ])
                .map_err(|e| db.err(e))?;
            for y in &scores.years {
                let agg: &AggCell = &pa.year(y.year)[ai];
                if !agg.any() {
                    continue;
                }
                let m = |c: Column| agg.published(c);
                score_stmt
                    .execute(params![
                        a.code,
                        y.year,
                        m(Column::Lbm),
                        m(Column::Afw),
                        m(Column::Fys),
                        m(Column::Onv),
                        m(Column::Soc),
                        m(Column::Vrz),
                        m(Column::Won)
                    ])
                    .map_err(|e| db.err(e))?;
            }
        }
    }
    let all: Vec<&Area> = areas.iter().flat_map(|pa| &pa.layer.areas).collect();
    let mut alias_stmt = db
        .conn()
        .prepare("INSERT INTO aliases VALUES (?1, ?2, ?3, ?4)")
        .map_err(|e| db.err(e))?;
    for a in aliases(&all) {
        alias_stmt
            .execute(params![a.name, normalise_name(&a.name), a.code, a.kind])
            .map_err(|e| db.err(e))?;
    }
    Ok(())
}

//! The demo: a small region of the synthetic Netherlands, tiled and checked cell by cell.

mod common;

use common::*;
use lbm_tiler::{demo, DemoOptions};

const UTRECHT: [f64; 4] = [120_000.0, 440_000.0, 150_000.0, 470_000.0];

#[test]
fn demo_region_tiles_decode_to_the_csv_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = DemoOptions::new(dir.path());
    o.bbox = Some(UTRECHT);
    o.years = Some(vec![2020]);
    o.measures = Some(vec!["lbm".into(), "fys".into()]);
    o.progress = false;
    let s = demo(&o).unwrap();
    assert_eq!(s.tilesets.len(), 2);
    assert!(s.cells > 5_000, "{} cells", s.cells);
    assert!(s.max_tile() < 500 * 1024);
    assert_eq!(
        listing(dir.path()),
        [
            "demo-scores.csv",
            "fys-2020.mbtiles",
            "lbm-2020.mbtiles",
            "lbm-index.sqlite"
        ]
    );
    let m: std::collections::HashMap<String, String> =
        lbm_tiler::mbtiles::read_metadata(&dir.path().join("lbm-2020.mbtiles"))
            .unwrap()
            .into_iter()
            .collect();
    assert!(m["attribution"].contains("GeoNames"));

    let csv = std::fs::read_to_string(dir.path().join("demo-scores.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), s.rows as usize);
    let classes = lbm_tiler::Classification::embedded();
    let lbm_cls = classes.get("lbm").unwrap();
    let mut lbm_values = Vec::new();
    for row in rows.iter().step_by(rows.len() / 25) {
        let cell = lbm_tiler::CellId::parse(row[0]).unwrap();
        assert!(UTRECHT[0] <= f64::from(cell.x_m()) && f64::from(cell.x_m()) < UTRECHT[2]);
        let (lbm, afw): (f64, f64) = (row[2].parse().unwrap(), row[3].parse().unwrap());
        lbm_values.push(lbm);
        let (x, y) = (f64::from(cell.x_m()) + 50.0, f64::from(cell.y_m()) + 50.0);
        let (feats, centre) = tile_at(&dir.path().join("lbm-2020.mbtiles"), x, y, 13);
        let f = feats
            .iter()
            .find(|f| f.cell == row[0])
            .expect("cell in its tile");
        assert_eq!(f.id, lbm_tiler::grid::feature_id(cell.hx, cell.hy, 0));
        assert_eq!(f.score, lbm);
        assert_eq!(f.class, u64::from(lbm_cls.classify(afw)));
        assert!(contains(&f.ring, centre));
        // Exactly one feature of the tile contains the centre: no overlaps.
        assert_eq!(
            feats.iter().filter(|g| contains(&g.ring, centre)).count(),
            1
        );
    }
    assert!(lbm_values.iter().all(|v| (3.0..=5.2).contains(v)));
    assert!(
        lbm_values.iter().any(|v| *v != lbm_values[0]),
        "scores vary"
    );
}

#[test]
fn demo_csv_is_deterministic_and_drifts_between_years() {
    let dir = tempfile::tempdir().unwrap();
    let bbox = [130_000.0, 450_000.0, 140_000.0, 460_000.0];
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    lbm_tiler::demo::write_demo_csv(&a, bbox, &[2002, 2022]).unwrap();
    lbm_tiler::demo::write_demo_csv(&b, bbox, &[2002, 2022]).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let s = lbm_tiler::read_scores(&a).unwrap();
    assert_eq!(s.years.len(), 2);
    let (y0, y1) = (&s.years[0], &s.years[1]);
    let c = y0.cells[y0.cells.len() / 2];
    let later = y1
        .cells
        .iter()
        .find(|d| (d.hx, d.hy) == (c.hx, c.hy))
        .unwrap();
    assert_ne!(c.values, later.values, "the fields drift between years");
    assert!((c.values[2] - later.values[2]).abs() < 0.5);
}

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
            "basemap.mbtiles",
            "demo-scores.csv",
            "fys-2020.mbtiles",
            "lbm-2020.mbtiles",
            "lbm-index.sqlite"
        ]
    );
    let m: std::collections::HashMap<String, String> =
        lbm_test_support::metadata(&dir.path().join("lbm-2020.mbtiles"));
    assert!(m["attribution"].contains("GeoNames"));

    let csv = std::fs::read_to_string(dir.path().join("demo-scores.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), s.rows as usize);
    let classes = lbm_tiler::ClassificationSet::embedded();
    let lbm_cls = classes.get("lbm").unwrap();
    let mut lbm_values = Vec::new();
    for row in rows.iter().step_by(rows.len() / 25) {
        let cell = lbm_tileset::CellId::parse(row[0]).unwrap();
        assert!(UTRECHT[0] <= f64::from(cell.x_m()) && f64::from(cell.x_m()) < UTRECHT[2]);
        let (lbm, afw): (f64, f64) = (row[2].parse().unwrap(), row[3].parse().unwrap());
        lbm_values.push(lbm);
        let (x, y) = (f64::from(cell.x_m()) + 50.0, f64::from(cell.y_m()) + 50.0);
        let (feats, centre) = tile_at(&dir.path().join("lbm-2020.mbtiles"), x, y, TOP);
        let f = feats
            .iter()
            .find(|f| f.cell == row[0])
            .expect("cell in its tile");
        assert_eq!(f.id, lbm_tileset::grid::feature_id(cell.hx, cell.hy, 0));
        assert_eq!(f.score, lbm);
        assert_eq!(f.class, u64::from(lbm_cls.classify(afw).unwrap()));
        assert!(contains(&f.ring, centre));
        // Exactly one feature of the tile contains the centre: no overlaps.
        assert_eq!(
            feats.iter().filter(|g| contains(&g.ring, centre)).count(),
            1
        );
    }
    // The gemeente layer: Utrecht (GM0344) holds the mean of the cells whose centre lies inside.
    let gm = lbm_tiler::input::areas::read_geojson(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/gemeente_2024_rd.geojson"
        ))
        .unwrap(),
        std::path::Path::new("gemeente"),
        &mut Default::default(),
    )
    .unwrap();
    let utrecht = gm.iter().find(|a| a.code == "GM0344").unwrap();
    let (mut sum, mut afw, mut n) = (0.0, 0.0, 0u64);
    for row in &rows {
        let cell = lbm_tileset::CellId::parse(row[0]).unwrap();
        if utrecht.contains(f64::from(cell.x_m()) + 50.0, f64::from(cell.y_m()) + 50.0) {
            sum += row[2].parse::<f64>().unwrap();
            afw += row[3].parse::<f64>().unwrap();
            n += 1;
        }
    }
    assert!(n > 500, "{n} cells in Utrecht");
    let lbm_path = dir.path().join("lbm-2020.mbtiles");
    for z in [5u8, 8, TOP] {
        let (data, p) = raw_tile_at(&lbm_path, 136_000.0, 456_000.0, z);
        let areas = decode_areas(&data, "gemeente");
        let f = areas
            .iter()
            .find(|a| a.code == "GM0344")
            .expect("Utrecht in its tile");
        assert_eq!((f.id, f.name.as_str(), f.n), (344, "Utrecht", n), "z{z}");
        assert!(
            (f.score - sum / n as f64).abs() < 0.0006,
            "z{z}: {} vs {}",
            f.score,
            sum / n as f64
        );
        assert_eq!(
            f.class,
            u64::from(lbm_cls.classify(afw / n as f64).unwrap()),
            "z{z}"
        );
        assert!(f.contains(p), "z{z}: the polygon holds a point in Utrecht");
        assert!(area2(&f.rings[0]) > 0, "exterior ring clockwise");
        assert_eq!(
            areas.iter().filter(|a| a.contains(p)).count(),
            1,
            "z{z}: no overlap"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&m["json"]).unwrap();
    assert_eq!(json["vector_layers"][1]["id"], "gemeente");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&m["lbm_areas"]).unwrap(),
        serde_json::json!([
            {"layer":"gemeente","minzoom":5,"maxzoom":TOP,"scores":"derived"},
            {"layer":"wijk","minzoom":8,"maxzoom":TOP,"scores":"derived"},
            {"layer":"buurt","minzoom":10,"maxzoom":TOP,"scores":"derived"}
        ])
    );
    // The synthetic wijk and buurt at a point in Utrecht: one of each, nested, named as
    // synthetic, with their gemeente in the index.
    let (data, p) = raw_tile_at(&lbm_path, 136_000.0, 456_000.0, TOP);
    let wijk = decode_areas(&data, "wijk");
    let buurt = decode_areas(&data, "buurt");
    let w: Vec<_> = wijk.iter().filter(|a| a.contains(p)).collect();
    let b: Vec<_> = buurt.iter().filter(|a| a.contains(p)).collect();
    assert_eq!(
        (w.len(), b.len()),
        (1, 1),
        "one wijk and one buurt at the point"
    );
    assert!(w[0].code.starts_with("WK0344"), "{}", w[0].code);
    assert!(b[0].code.starts_with(&format!("BU{}", &w[0].code[2..])));
    assert!(w[0].name.ends_with("(synthetisch)") && b[0].name.ends_with("(synthetisch)"));
    assert!(w[0].n > 0 && b[0].n > 0 && b[0].n <= w[0].n);
    let conn = lbm_formats::sqlite::open_read_only(&dir.path().join("lbm-index.sqlite")).unwrap();
    let (name, norm, parent, geom): (String, String, Option<String>, String) = conn
        .query_row(
            "SELECT name, name_norm, parent, geom FROM areas WHERE code='GM0344'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (name.as_str(), norm.as_str(), parent),
        ("Utrecht", "utrecht", None)
    );
    assert!(
        geom.starts_with("{\"coordinates\"") || geom.contains("\"Polygon\""),
        "{geom}"
    );
    let parent: Option<String> = conn
        .query_row(
            "SELECT parent FROM areas WHERE code=?1",
            [&b[0].code],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(parent.as_deref(), Some("GM0344"));
    let lbm_idx: f64 = conn
        .query_row(
            "SELECT lbm FROM area_scores WHERE code='GM0344' AND year=2020",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        lbm_idx,
        lbm_tileset::publish(sum / n as f64),
        "the index holds the published mean"
    );
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
    assert!(
        (c.values[lbm_tileset::Column::Fys] - later.values[lbm_tileset::Column::Fys]).abs() < 0.5
    );
}

//! Property tests of the input parsers: grid-score CSV, area-score CSV, classification
//! files (TOML and JSON) and GeoJSON, FlatGeobuf and GeoPackage boundaries get mutated and
//! generated inputs. None may
//! panic or hang (inputs are small and bounded), and every rejected input must come back as an
//! error that names the file.
//!
//! Bounded (128 cases per parser) so `cargo test` stays quick; failures proptest finds are kept
//! next to this file in `fuzz_parsers.proptest-regressions` and replayed first.

mod common;

use std::path::Path;

use lbm_tiler::{read_scores, ClassificationSet};
use proptest::prelude::*;

const CLASSES_TOML: &str = include_str!("../data/classes.toml");

/// A field of a score row: valid and broken values.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        (-1.0f64..1.0).prop_map(|f| format!("{f:.3}")),
        (3.0f64..5.0).prop_map(|f| format!("{f:.3}")),
        Just(String::new()),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("1e400".to_string()),
        Just("0,125".to_string()),
        Just("\"4,2\"".to_string()),
        Just("E1213N4879".to_string()),
        Just("E99999999N99999999".to_string()),
        Just("E-1N-1".to_string()),
        Just("2020".to_string()),
        Just("65536".to_string()),
        Just("-2020".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[ -~]{0,12}",
        "\\PC{0,6}",
    ]
}

fn header() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won".to_string()),
        Just("grid_id;jaar;lbm;afw;fys;onv;soc;vrz;won".to_string()),
        Just("\u{feff}GRID_ID,Year,LBM,fys,onv,soc,vrz,won".to_string()),
        Just("x,y,jaar,lbm,afw,fys,onv,soc,vrz,won".to_string()),
        Just("grid_id,grid_id,jaar,lbm".to_string()),
        Just("jaar,lbm".to_string()),
        Just(String::new()),
        "[a-z_,;]{0,40}",
    ]
}

fn csv_text(key: &'static str) -> impl Strategy<Value = String> {
    let row = proptest::collection::vec(field(), 0..12);
    (
        header(),
        proptest::collection::vec(row, 0..12),
        prop_oneof![Just(","), Just(";")],
        any::<bool>(),
    )
        .prop_map(move |(header, rows, sep, crlf)| {
            let header = if key == "grid" {
                header
            } else {
                header.replace("grid_id", key)
            };
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text = header + nl;
            for row in rows {
                text.push_str(&row.join(sep));
                text.push_str(nl);
            }
            text
        })
}

/// Replaces a random span of `text` by `insert` (on char boundaries).
fn mutate(text: &str, at: usize, len: usize, insert: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = at % (chars.len() + 1);
    let end = (at + len).min(chars.len());
    let mut out: String = chars[..at].iter().collect();
    out.push_str(insert);
    out.extend(&chars[end..]);
    out
}

/// The error names the file it is about and says something.
fn clear(err: &lbm_tiler::TilerError, path: &Path) -> Result<(), TestCaseError> {
    let msg = err.to_string();
    prop_assert!(
        msg.contains(&path.display().to_string()) || msg.contains(&*path.to_string_lossy()),
        "error does not name the file: {msg}"
    );
    prop_assert!(
        msg.len() > path.display().to_string().len() + 5,
        "terse error: {msg}"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn grid_scores_never_panic(text in csv_text("grid"), junk in proptest::collection::vec(any::<u8>(), 0..32), raw in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scores.csv");
        let mut bytes = text.into_bytes();
        if raw {
            bytes.extend(junk);
        }
        std::fs::write(&path, &bytes).unwrap();
        if let Err(e) = read_scores(&path) {
            clear(&e, &path)?;
        }
    }

    #[test]
    fn area_scores_never_panic(
        key in prop_oneof![Just("gm_code"), Just("wk_code"), Just("bu_code"), Just("pc4")],
        text in csv_text("KEY"),
        code in prop_oneof![Just("GM0344"), Just("WK034401"), Just("BU03440101"), Just("3511"), Just("XX"), Just("")],
    ) {
        let text = text.replace("KEY", key).replace("E1213N4879", code);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("areas.csv");
        std::fs::write(&path, text).unwrap();
        let mut scores = lbm_tiler::input::area_scores::AreaScores::default();
        if let Err(e) = scores.add_file(&path) {
            clear(&e, &path)?;
        }
    }

    #[test]
    fn classification_toml_never_panics(at in any::<usize>(), len in 0usize..40, insert in prop_oneof![
        "[ -~]{0,20}",
        Just("NaN".to_string()),
        Just("1e999".to_string()),
        Just("\"#zzzzzz\"".to_string()),
        Just("[]".to_string()),
        Just("[[".to_string()),
        Just("cuts = [0.3, 0.1]".to_string()),
        Just(String::new()),
    ]) {
        let text = mutate(CLASSES_TOML, at, len, &insert);
        let path = Path::new("classes.toml");
        if let Err(e) = ClassificationSet::parse(&text, path, false) {
            clear(&e, path)?;
        }
    }

    #[test]
    fn classification_json_never_panics(
        cuts in proptest::collection::vec(prop_oneof![any::<f64>(), -1.0f64..1.0], 0..12),
        colors in proptest::collection::vec(prop_oneof![Just("#b2182b".to_string()), "#[0-9a-fA-F]{0,8}", "[ -~]{0,8}"], 0..12),
        at in any::<usize>(), len in 0usize..8, insert in "[ -~]{0,6}", mutated in any::<bool>(),
    ) {
        let cuts: Vec<serde_json::Value> = cuts.iter().map(|c| serde_json::json!(c)).collect();
        let classes: Vec<serde_json::Value> = colors
            .iter()
            .map(|c| serde_json::json!({"label_nl": "k", "label_en": "c", "color": c}))
            .collect();
        let doc = serde_json::json!({"defaults": {"cuts": cuts, "classes": classes,
            "no_data": {"label_nl": "geen", "label_en": "none", "color": "#bdbdbd"}}});
        let mut text = doc.to_string();
        if mutated {
            text = mutate(&text, at, len, &insert);
        }
        let path = Path::new("classes.json");
        if let Err(e) = ClassificationSet::parse(&text, path, true) {
            clear(&e, path)?;
        }
    }

    #[test]
    fn geojson_never_panics(
        coords in proptest::collection::vec((prop_oneof![any::<f64>(), 3.0f64..7.0], prop_oneof![any::<f64>(), 50.0f64..54.0]), 0..8),
        code in prop_oneof![Just("GM0344"), Just("BU03440101"), Just(""), Just("statcode")],
        at in any::<usize>(), len in 0usize..10, insert in "[ -~]{0,8}", mutated in any::<bool>(),
    ) {
        let ring: Vec<serde_json::Value> = coords.iter().map(|(x, y)| serde_json::json!([x, y])).collect();
        let doc = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"gm_code": code, "gm_naam": "Één"},
             "geometry": {"type": "Polygon", "coordinates": [ring]}}]});
        let mut text = doc.to_string();
        if mutated {
            text = mutate(&text, at, len, &insert);
        }
        let path = Path::new("areas.geojson");
        if let Err(e) = lbm_tiler::input::areas::read_geojson(&text, path, &mut Default::default()) {
            clear(&e, path)?;
        }
    }

    #[test]
    fn flatgeobuf_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let valid = dir.path().join("valid.fgb");
        common::write_fgb(&valid, r#"{"wk_code":"WK000101","wk_naam":"Wijk"}"#, 28992);
        let mut bytes = std::fs::read(&valid).unwrap();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        let path = dir.path().join("wijken.fgb");
        std::fs::write(&path, bytes).unwrap();
        if let Err(e) = lbm_tiler::input::areas::read_areas(&path) {
            clear(&e, &path)?;
        }
    }

    #[test]
    fn geopackage_geometry_blobs_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        junk in proptest::collection::vec(any::<u8>(), 0..64),
        cut in proptest::option::of(any::<prop::sample::Index>()),
        raw in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("buurten.gpkg");
        common::write_gpkg(&path, 28992, 3);
        let mut blob = common::gpkg_blob(
            28992,
            3,
            &[common::square(121_000.0, 487_500.0, 121_380.0, 488_500.0)],
        );
        if raw {
            blob = junk;
        } else {
            for (at, byte) in edits {
                let i = at.index(blob.len());
                blob[i] = byte;
            }
            if let Some(cut) = cut {
                blob.truncate(cut.index(blob.len() + 1));
            }
        }
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute("UPDATE buurten SET geom = ?1", [blob]).unwrap();
        drop(c);
        if let Err(e) = lbm_tiler::input::areas::read_areas(&path) {
            clear(&e, &path)?;
        }
    }
}

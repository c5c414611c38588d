//! Every kind of bad input fails with file, line, column and what was expected, and leaves the
//! output folder exactly as it was (a previous tileset stays untouched, no temporary files).

mod common;

use std::path::Path;

use common::*;
use lbm_tiler::{build, BuildOptions, ClassificationSet, TilerError};

const HEADER: &str = "grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won\n";
const GOOD_ROW: &str = "E1213N4879,2020,4.2,0.1,0.1,0.1,0.1,0.1,0.1\n";
const PREVIOUS: &[u8] = b"previous tileset bytes";

/// Builds `csv_text` into a folder that already holds `lbm-2020.mbtiles`; returns the error
/// message after checking that the folder is unchanged.
fn fails(csv_text: &str) -> (TilerError, String) {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "scores.csv", csv_text);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("lbm-2020.mbtiles"), PREVIOUS).unwrap();
    let mut o = BuildOptions::new(&csv, &out);
    o.progress = false;
    let err = build(&o).expect_err("bad input must fail");
    assert_unchanged(&out);
    let msg = err.to_string();
    assert!(
        msg.starts_with(&csv.display().to_string()),
        "names the file: {msg}"
    );
    (err, msg)
}

fn assert_unchanged(out: &Path) {
    assert_eq!(
        listing(out),
        ["lbm-2020.mbtiles"],
        "nothing half-written stays behind"
    );
    assert_eq!(
        std::fs::read(out.join("lbm-2020.mbtiles")).unwrap(),
        PREVIOUS
    );
}

#[test]
fn missing_header_columns() {
    let (e, msg) = fails("grid_id,jaar,lbm,fys,onv,soc,won\nE1213N4879,2020,4.2,0.1,0.1,0.1,0.1\n");
    assert!(
        matches!(e, TilerError::MissingColumns { line: 1, .. }),
        "{msg}"
    );
    assert!(
        msg.contains("line 1") && msg.contains("missing column(s) vrz"),
        "{msg}"
    );
    let (_, msg) = fails(
        "cell,jaar,lbm,afw,fys,onv,soc,vrz,won\nE1213N4879,2020,4.2,0.1,0.1,0.1,0.1,0.1,0.1\n",
    );
    assert!(msg.contains("grid_id (or x and y)"), "{msg}");
}

#[test]
fn unparseable_number() {
    let (e, msg) = fails(&format!(
        "{HEADER}{GOOD_ROW}E1214N4879,2020,4.2,0.1,abc,0.1,0.1,0.1,0.1\n"
    ));
    assert!(
        matches!(
            e,
            TilerError::BadNumber {
                line: 3,
                column: 5,
                ..
            }
        ),
        "{msg}"
    );
    assert!(
        msg.contains("line 3, column 5 (fys)")
            && msg.contains("\"abc\"")
            && msg.contains("expected"),
        "{msg}"
    );
    let (_, msg) = fails(&format!(
        "{HEADER}E1214N4879,twenty,4.2,0.1,0.1,0.1,0.1,0.1,0.1\n"
    ));
    assert!(
        msg.contains("line 2, column 2 (jaar)") && msg.contains("a year"),
        "{msg}"
    );
    // A decimal comma is only accepted with `;` as separator.
    let (_, msg) =
        fails("grid_id;jaar;lbm;afw;fys;onv;soc;vrz;won\nE1214N4879;2020;4,2;0.1;1e;0;0;0;0\n");
    assert!(msg.contains("line 2, column 5 (fys)"), "{msg}");
}

#[test]
fn infinite_values() {
    // (`NaN` is a no-data word, read as no data like `NA`: see `input::csv::NO_DATA_MARKERS`.)
    for bad in ["inf", "-Infinity", "1e400"] {
        let (e, msg) = fails(&format!(
            "{HEADER}{GOOD_ROW}E1214N4879,2020,4.2,0.1,0.1,0.1,0.1,{bad},0.1\n"
        ));
        assert!(
            matches!(
                e,
                TilerError::NotFinite {
                    line: 3,
                    column: 8,
                    ..
                }
            ),
            "{msg}"
        );
        assert!(
            msg.contains("line 3, column 8 (vrz)") && msg.contains("not a finite number"),
            "{msg}"
        );
    }
}

#[test]
fn grid_ids_outside_the_netherlands_or_malformed() {
    let (e, msg) = fails(&format!(
        "{HEADER}{GOOD_ROW}E3500N4879,2020,4.2,0.1,0.1,0.1,0.1,0.1,0.1\n"
    ));
    assert!(
        matches!(
            e,
            TilerError::OutsideNetherlands {
                line: 3,
                column: 1,
                ..
            }
        ),
        "{msg}"
    );
    assert!(
        msg.contains("E3500N4879") && msg.contains("outside the Netherlands"),
        "{msg}"
    );
    let (_, msg) = fails(
        "x,y,jaar,lbm,afw,fys,onv,soc,vrz,won\n121000,100000,2020,4.2,0.1,0.1,0.1,0.1,0.1,0.1\n",
    );
    assert!(
        msg.contains("line 2, column 1 (x)") && msg.contains("outside"),
        "{msg}"
    );
    let (e, msg) = fails(&format!(
        "{HEADER}{GOOD_ROW}1213-4879,2020,4.2,0.1,0.1,0.1,0.1,0.1,0.1\n"
    ));
    assert!(
        matches!(
            e,
            TilerError::BadGridId {
                line: 3,
                column: 1,
                ..
            }
        ),
        "{msg}"
    );
    assert!(msg.contains("E<hx>N<hy>"), "{msg}");
}

#[test]
fn duplicate_cell_year_rows() {
    let (e, msg) = fails(&format!(
        "{HEADER}{GOOD_ROW}E1213N4879,2018,4.2,0.1,0.1,0.1,0.1,0.1,0.1\n{GOOD_ROW}"
    ));
    assert!(
        matches!(
            e,
            TilerError::DuplicateCell {
                line: 4,
                column: 1,
                first_line: 2,
                year: 2020,
                ..
            }
        ),
        "{msg}"
    );
    assert!(
        msg.contains("line 4, column 1") && msg.contains("first on line 2"),
        "{msg}"
    );
}

#[test]
fn empty_files() {
    let (e, msg) = fails("");
    assert!(matches!(e, TilerError::EmptyFile { .. }), "{msg}");
    let (e, msg) = fails(HEADER);
    assert!(matches!(e, TilerError::EmptyFile { .. }), "{msg}");
    assert!(msg.contains("no data rows"), "{msg}");
}

#[test]
fn ragged_rows() {
    let (e, msg) = fails(&format!("{HEADER}{GOOD_ROW}E1214N4879,2020,4.2\n"));
    assert!(matches!(e, TilerError::Csv { line: 3, .. }), "{msg}");
}

#[test]
fn unknown_measure_names() {
    // In a classification file.
    let dir = tempfile::tempdir().unwrap();
    let text = lbm_tiler::input::classes::DEFAULT_CLASSES_TOML
        .replace("[measures.won]", "[measures.wonen]");
    let p = write(dir.path(), "classes.toml", &text);
    let e = ClassificationSet::load(&p).unwrap_err();
    let msg = e.to_string();
    let line = text
        .lines()
        .position(|l| l.contains("[measures.wonen]"))
        .unwrap() as u64
        + 1;
    assert!(
        matches!(e, TilerError::UnknownMeasure { line: l, column: 2, .. } if l == line),
        "{msg}"
    );
    assert!(
        msg.starts_with(&p.display().to_string()) && msg.contains("\"wonen\""),
        "{msg}"
    );
    // On the command line / in the options: fails before anything is read or written.
    let csv = write(dir.path(), "scores.csv", &format!("{HEADER}{GOOD_ROW}"));
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("lbm-2020.mbtiles"), PREVIOUS).unwrap();
    let mut o = BuildOptions::new(&csv, &out);
    o.progress = false;
    o.measures = Some(vec!["lbm".into(), "fsy".into()]);
    let msg = build(&o).unwrap_err().to_string();
    assert!(
        msg.contains("--measures") && msg.contains("column 5") && msg.contains("\"fsy\""),
        "{msg}"
    );
    assert_unchanged(&out);
}

#[test]
fn non_increasing_cut_points() {
    let dir = tempfile::tempdir().unwrap();
    let text = lbm_tiler::input::classes::DEFAULT_CLASSES_TOML.replace(
        "[measures.soc]\n",
        "[measures.soc]\ncuts = [-0.2, -0.1, -0.05, -0.05, 0.0, 0.1, 0.2, 0.3]\n",
    );
    let p = write(dir.path(), "classes.toml", &text);
    let e = ClassificationSet::load(&p).unwrap_err();
    let msg = e.to_string();
    let line = text
        .lines()
        .position(|l| l.starts_with("cuts = [-0.2, -0.1"))
        .unwrap() as u64
        + 1;
    assert!(
        matches!(&e, TilerError::CutsNotIncreasing { line: l, column: 1, index: 3, measure, .. } if *l == line && measure == "soc"),
        "{msg}"
    );
    // JSON classification files are checked the same way.
    let json = r#"{"measures": {"fys": {
  "cuts": [0.3, 0.2, 0.1, 0, 1, 2, 3, 4],
  "classes": []}}}"#;
    let p = write(dir.path(), "classes.json", json);
    let msg = ClassificationSet::load(&p).unwrap_err().to_string();
    assert!(
        msg.contains("classes.json: line 2, column 4") && msg.contains("strictly increasing"),
        "{msg}"
    );
}

#[test]
fn the_cli_exits_non_zero_with_the_location() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "scores.csv",
        &format!("{HEADER}{GOOD_ROW}E1214N4879,2020,4.2,0.1,0.1,x,0.1,0.1,0.1\n"),
    );
    let out = dir.path().join("out");
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_lbm-tiler"))
        .args(["build", "--scores"])
        .arg(&csv)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!r.status.success());
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(stderr.contains("line 3, column 6 (onv)"), "{stderr}");
    assert!(!out.exists() || listing(&out).is_empty());
}

#[test]
fn line_numbers_as_an_editor_shows_them() {
    // A spreadsheet on Windows writes CRLF line ends; the csv crate's own count lags one line
    // behind after each CRLF and after a blank line.
    let text = format!("{HEADER}{GOOD_ROW}\nE1215N4879,2020,4.2,0.1,abc,0.1,0.1,0.1,0.1\n")
        .replace('\n', "\r\n");
    let (_, msg) = fails(&text);
    assert!(msg.contains("line 4, column 5 (fys)"), "{msg}");
    let (e, msg) =
        fails(&format!("{HEADER}{GOOD_ROW}{GOOD_ROW}E1214N4879,2020\n").replace('\n', "\r\n"));
    assert!(matches!(e, TilerError::Csv { line: 4, .. }), "{msg}");
    assert!(msg.contains("the row has 2 fields, the header 9"), "{msg}");
}

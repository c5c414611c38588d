//! Boundary files as they are published and converted: broken geometry repaired (not refused) in
//! GeoJSON, FlatGeobuf and GeoPackage, with one warning per file; an area with nothing valid left
//! fails the build by name without touching earlier tilesets; the CBS wijk- en buurtkaart layout
//! (three layers in one GeoPackage, water-only areas, `file.gpkg:layer`).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use lbm_tiler::input::areas::repair::Defect;
use lbm_tiler::{build, BuildOptions};

const CSV: &str = "grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won
E1213N4879,2020,4.250,0.190,0.031,-0.058,-0.084,0.310,0.001
E1214N4879,2020,4.000,-0.060,-0.114,0.034,0.632,-0.011,-0.031
E1213N4880,2020,3.900,-0.160,,0.1,0.1,0.1,0.1
";

type Rings = Vec<Vec<(f64, f64)>>;

/// A square ring from (x, y), `s` metres wide, counter-clockwise and closed.
fn sq(x: f64, y: f64, s: f64) -> Vec<(f64, f64)> {
    vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)]
}

/// The wijken of the fixture, each with its defects (codes WK0001xx of gemeente GM0001).
fn broken_wijken() -> Vec<(&'static str, Vec<Rings>)> {
    let (x, y) = (121_000.0, 487_500.0);
    let mut cw = sq(x, y, 200.0);
    cw.reverse();
    cw.insert(2, cw[1]); // a repeated point
    let mut unclosed = sq(x + 200.0, y, 200.0);
    unclosed.pop();
    let bow = vec![
        (x + 400.0, y),
        (x + 600.0, y + 200.0),
        (x + 600.0, y),
        (x + 400.0, y + 200.0),
        (x + 400.0, y),
    ];
    let two_points = vec![(x + 600.0, y), (x + 700.0, y), (x + 600.0, y)];
    let line = vec![
        (x + 800.0, y),
        (x + 900.0, y),
        (x + 1000.0, y),
        (x + 800.0, y),
    ];
    vec![
        ("WK000100", vec![vec![sq(x, y + 400.0, 200.0)]]),
        ("WK000101", vec![vec![cw]]),
        ("WK000102", vec![vec![unclosed]]),
        ("WK000103", vec![vec![bow]]),
        (
            "WK000104",
            vec![vec![two_points], vec![sq(x + 600.0, y + 400.0, 200.0)]],
        ),
        (
            "WK000105",
            vec![vec![line], vec![sq(x + 800.0, y + 400.0, 200.0)]],
        ),
    ]
}

fn geojson(features: &[(&str, Vec<Rings>)]) -> String {
    let fs: Vec<String> = features
        .iter()
        .map(|(code, polys)| {
            let coords: Vec<String> = polys
                .iter()
                .map(|rings| {
                    let rs: Vec<String> = rings
                        .iter()
                        .map(|r| {
                            let ps: Vec<String> =
                                r.iter().map(|(x, y)| format!("[{x},{y}]")).collect();
                            format!("[{}]", ps.join(","))
                        })
                        .collect();
                    format!("[{}]", rs.join(","))
                })
                .collect();
            format!(
                r#"{{"type":"Feature","properties":{{"wk_code":"{code}","wk_naam":"Wijk {code}"}},"geometry":{{"type":"MultiPolygon","coordinates":[{}]}}}}"#,
                coords.join(",")
            )
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        fs.join(",")
    )
}

fn write_fgb_features(path: &Path, features: &[(&str, Vec<Rings>)]) {
    use flatgeobuf::{FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
    let mut fgb = FgbWriter::create_with_options(
        "wijken",
        GeometryType::MultiPolygon,
        FgbWriterOptions {
            crs: FgbCrs {
                code: 28992,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    fgb.add_column("wk_code", flatgeobuf::ColumnType::String, |_, _| {});
    fgb.add_column("wk_naam", flatgeobuf::ColumnType::String, |_, _| {});
    let text = geojson(features);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    for f in v["features"].as_array().unwrap() {
        fgb.add_feature(geozero::geojson::GeoJson(&f.to_string()))
            .unwrap();
    }
    let mut file = std::fs::File::create(path).unwrap();
    fgb.write(&mut file).unwrap();
}

/// WKB of a MultiPolygon in a GeoPackage blob.
fn gpkg_multipolygon(polys: &[Rings]) -> Vec<u8> {
    let mut b = b"GP".to_vec();
    b.extend_from_slice(&[0, 1]);
    b.extend_from_slice(&28992i32.to_le_bytes());
    b.push(1);
    b.extend_from_slice(&6u32.to_le_bytes());
    b.extend_from_slice(&(polys.len() as u32).to_le_bytes());
    for rings in polys {
        b.push(1);
        b.extend_from_slice(&3u32.to_le_bytes());
        b.extend_from_slice(&(rings.len() as u32).to_le_bytes());
        for r in rings {
            b.extend_from_slice(&(r.len() as u32).to_le_bytes());
            for (x, y) in r {
                b.extend_from_slice(&x.to_le_bytes());
                b.extend_from_slice(&y.to_le_bytes());
            }
        }
    }
    b
}

/// A GeoPackage of feature tables: `(table, columns, rows of (values, polygons))`.
type Table<'a> = (&'a str, &'a [&'a str], Vec<(Vec<String>, Vec<Rings>)>);

fn write_gpkg_tables(path: &Path, tables: &[Table<'_>]) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY,
           organization TEXT, organization_coordsys_id INTEGER, definition TEXT, description TEXT);
         INSERT INTO gpkg_spatial_ref_sys VALUES ('Amersfoort / RD New', 28992, 'EPSG', 28992, '', '');
         CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT,
           description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL,
           srs_id INTEGER);
         CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT,
           geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER);",
    )
    .unwrap();
    for (table, columns, rows) in tables {
        let defs: Vec<String> = columns.iter().map(|c| format!("{c} TEXT")).collect();
        c.execute_batch(&format!(
            "CREATE TABLE {table} (fid INTEGER PRIMARY KEY, geom BLOB, {});
             INSERT INTO gpkg_contents VALUES ('{table}', 'features', '{table}', '', '', 0, 0, 0, 0, 28992);
             INSERT INTO gpkg_geometry_columns VALUES ('{table}', 'geom', 'MULTIPOLYGON', 28992, 0, 0);",
            defs.join(", ")
        ))
        .unwrap();
        for (values, polys) in rows {
            let marks: Vec<String> = (0..values.len()).map(|i| format!("?{}", i + 2)).collect();
            let sql = format!(
                "INSERT INTO {table} (geom, {}) VALUES (?1, {})",
                columns.join(", "),
                marks.join(", ")
            );
            let mut params: Vec<Box<dyn rusqlite::ToSql>> =
                vec![Box::new(gpkg_multipolygon(polys))];
            for v in values {
                params.push(Box::new(v.clone()));
            }
            c.execute(
                &sql,
                rusqlite::params_from_iter(params.iter().map(|p| p.as_ref())),
            )
            .unwrap();
        }
    }
}

fn opts(dir: &Path, areas: Vec<PathBuf>) -> BuildOptions {
    let csv = write(dir, "scores.csv", CSV);
    let mut o = BuildOptions::new(csv, dir.join("tiles"));
    o.progress = false;
    o.measures = Some(vec!["lbm".into()]);
    o.changes = Some(vec![]);
    o.areas = areas;
    o
}

#[test]
fn broken_geometry_is_repaired_in_every_format_with_one_warning_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let wijken = broken_wijken();
    let gj = write(dir.path(), "wijken.geojson", &geojson(&wijken));
    let fgb = dir.path().join("wijken.fgb");
    write_fgb_features(&fgb, &wijken);
    let gpkg = dir.path().join("wijken.gpkg");
    let rows = wijken
        .iter()
        .map(|(code, polys)| {
            (
                vec![code.to_string(), format!("Wijk {code}")],
                polys.clone(),
            )
        })
        .collect();
    write_gpkg_tables(&gpkg, &[("wijken", &["wk_code", "wk_naam"], rows)]);
    for file in [gj, fgb, gpkg] {
        let o = opts(dir.path(), vec![file.clone()]);
        let summary = build(&o).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let b = &summary.boundaries[0];
        assert_eq!(b.areas, 6, "{}", file.display());
        let r = &b.log.repairs;
        for (defect, n) in [
            (Defect::RepeatedPoint, 1),
            (Defect::WrongOrientation, 1),
            (Defect::SelfIntersection, 1),
            (Defect::DegenerateRing, 1),
            (Defect::ZeroAreaRing, 1),
        ] {
            assert_eq!(r.count(defect), n, "{defect:?} in {}: {r}", file.display());
        }
        // FlatGeobuf and GeoPackage keep an unclosed ring as written; GeoJSON too.
        assert_eq!(r.count(Defect::UnclosedRing), 1, "{}: {r}", file.display());
        assert_eq!(r.features, 5, "{r}");
        let text = summary.to_string();
        // One line for the file, naming the first feature of each defect (FlatGeobuf keeps its
        // features in the order of its spatial index, so the numbers differ by format).
        let line = text
            .lines()
            .find(|l| l.contains("features repaired"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(line.contains("5 features repaired"), "{line}");
        for (what, code) in [
            (
                "self-intersecting or overlapping polygon rebuilt (first: feature ",
                "WK000103",
            ),
            (
                "with fewer than 3 distinct points dropped (first: feature ",
                "WK000104",
            ),
            ("without area dropped (first: feature ", "WK000105"),
        ] {
            let at = line
                .find(what)
                .unwrap_or_else(|| panic!("{what} in {line}"));
            let named = &line[at + what.len()..];
            assert!(
                named[..named.find(')').unwrap() + 1].contains(code),
                "{what}{code}: {line}"
            );
        }
        // Every wijk is on the map, the bow-tie with both lobes.
        let lbm = dir.path().join("tiles/lbm-2020.mbtiles");
        let (data, _) = raw_tile_at(&lbm, 121_500.0, 487_700.0, 11);
        let mut codes: Vec<String> = decode_areas(&data, "wijk")
            .into_iter()
            .map(|a| a.code)
            .collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 6, "{codes:?}");
        let (data, west) = raw_tile_at(&lbm, 121_450.0, 487_600.0, TOP);
        let (_, _, east) = locate(121_550.0, 487_600.0, TOP, extent(&data));
        let wk = decode_areas(&data, "wijk");
        let lobes = wk.iter().filter(|a| a.code == "WK000103");
        let inside = |p| lobes.clone().any(|a| a.contains(p));
        assert!(inside(west) && inside(east), "the bow-tie keeps both lobes");
    }
}

#[test]
fn a_collapsed_area_is_left_out_and_named_and_a_file_of_nothing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "good.geojson",
        &geojson(&[("WK000100", vec![vec![sq(121_000.0, 487_500.0, 500.0)]])]),
    );
    build(&opts(dir.path(), vec![good])).unwrap();
    let tiles = dir.path().join("tiles");
    // The digest of each tileset's tiles (`lbm_tiles_hash`).
    let tiles_hashes = || -> Vec<(String, String)> {
        listing(&tiles)
            .into_iter()
            .filter(|f| f.ends_with(".mbtiles"))
            .map(|f| (f.clone(), meta(&tiles.join(&f))["lbm_tiles_hash"].clone()))
            .collect()
    };
    let hashes_before = tiles_hashes();
    let x = 121_000.0;
    let bad = write(
        dir.path(),
        "bad.geojson",
        &geojson(&[
            ("WK000100", vec![vec![sq(x, 487_500.0, 500.0)]]),
            (
                "WK000107",
                vec![vec![vec![
                    (x, 488_000.0),
                    (x + 10.0, 488_000.0),
                    (x, 488_000.0),
                ]]],
            ),
        ]),
    );
    // One wijk collapsed to a line: left out and named, the other drawn (as GDAL, QGIS and
    // tippecanoe do).
    let summary = build(&opts(dir.path(), vec![bad.clone()])).unwrap();
    assert_eq!(summary.boundaries[0].areas, 1);
    assert_eq!(summary.boundaries[0].log.unusable, ["feature 1 (WK000107)"]);
    let text = summary.to_string();
    assert!(
        text.contains("1 feature without a usable polygon left off the map (kept in the index and search): feature 1 (WK000107)"),
        "{text}"
    );
    // It stays in the index, without geometry, bounds or centre: search and the area API
    // still know it.
    let conn = lbm_formats::sqlite::open_read_only(&tiles.join("lbm-index.sqlite")).unwrap();
    let (name, geom, minlon, center): (String, Option<String>, Option<f64>, Option<f64>) = conn
        .query_row(
            "SELECT name, geom, minlon, center_lon FROM areas WHERE code = 'WK000107'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (name.as_str(), geom, minlon, center),
        ("Wijk WK000107", None, None, None)
    );
    drop(conn);
    // Under --strict it is an error naming the feature, and nothing is written.
    let mut strict = opts(dir.path(), vec![bad.clone()]);
    strict.strict = true;
    let before_strict: Vec<(String, Vec<u8>)> = listing(&tiles)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(tiles.join(&f)).unwrap()))
        .collect();
    let e = build(&strict).unwrap_err().to_string();
    assert!(
        e.contains("bad.geojson: feature 1 (WK000107)") && e.contains("--strict"),
        "{e}"
    );
    let after_strict: Vec<(String, Vec<u8>)> = listing(&tiles)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(tiles.join(&f)).unwrap()))
        .collect();
    assert_eq!(before_strict, after_strict);
    let hashes_rebuilt = tiles_hashes();
    // A file of which nothing can be drawn is refused, by name, and nothing is written.
    let rebuilt: Vec<(String, Vec<u8>)> = listing(&tiles)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(tiles.join(&f)).unwrap()))
        .collect();
    let none = write(
        dir.path(),
        "none.geojson",
        &geojson(&[(
            "WK000107",
            vec![vec![vec![
                (x, 488_000.0),
                (x + 10.0, 488_000.0),
                (x, 488_000.0),
            ]]],
        )]),
    );
    let e = build(&opts(dir.path(), vec![none]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("none.geojson: file: no area can be drawn: 1 feature without a usable polygon left off the map (kept in the index and search): feature 0 (WK000107)"),
        "{e}"
    );
    let after: Vec<(String, Vec<u8>)> = listing(&tiles)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(tiles.join(&f)).unwrap()))
        .collect();
    assert!(
        rebuilt == after,
        "the tilesets of the last build are untouched"
    );
    // The good file holds the one usable wijk: leaving the collapsed one off made the same map
    // (only the index differs: it keeps the collapsed wijk).
    assert_eq!(
        hashes_before, hashes_rebuilt,
        "the same tiles as from the file without the collapsed wijk"
    );
}

#[test]
fn a_cbs_wijk_en_buurtkaart_is_read_with_every_level() {
    let dir = tempfile::tempdir().unwrap();
    let (x, y) = (121_000.0, 487_500.0);
    let stats = ["aantal_inwoners", "water"];
    let gm_cols = ["gemeentecode", "gemeentenaam", stats[0], stats[1]];
    let wk_cols = [
        "wijkcode",
        "wijknaam",
        "gemeentecode",
        "gemeentenaam",
        stats[0],
        stats[1],
    ];
    let bu_cols = [
        "buurtcode",
        "buurtnaam",
        "wijkcode",
        "gemeentecode",
        "gemeentenaam",
        stats[0],
        stats[1],
    ];
    let s = |v: &[&str]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    let gpkg = dir.path().join("wijkenbuurten_2024.gpkg");
    write_gpkg_tables(
        &gpkg,
        &[
            (
                "gemeenten",
                &gm_cols,
                vec![
                    (
                        s(&["GM0001", "Één", "1200", "NEE"]),
                        vec![vec![sq(x, y, 1000.0)]],
                    ),
                    // The water of a gemeente is an area of its own in the file: left out.
                    (
                        s(&["GM0001", "Één", "-99999999", "JA"]),
                        vec![vec![sq(x + 1000.0, y, 500.0)]],
                    ),
                ],
            ),
            (
                "wijken",
                &wk_cols,
                vec![(
                    s(&["WK000100", "Centrum", "GM0001", "Één", "1200", "NEE"]),
                    vec![vec![sq(x, y, 1000.0)]],
                )],
            ),
            (
                "buurten",
                &bu_cols,
                vec![
                    (
                        s(&[
                            "BU00010001",
                            "Súdkant",
                            "WK000100",
                            "GM0001",
                            "Één",
                            "800",
                            "NEE",
                        ]),
                        vec![vec![sq(x, y, 1000.0)]],
                    ),
                    (
                        s(&[
                            "BU00010009",
                            "Haven (water)",
                            "WK000100",
                            "GM0001",
                            "Één",
                            "-99999999",
                            "JA",
                        ]),
                        vec![vec![sq(x + 1000.0, y, 500.0)]],
                    ),
                ],
            ),
        ],
    );
    let summary = build(&opts(dir.path(), vec![gpkg.clone()])).unwrap();
    let b = &summary.boundaries[0];
    assert_eq!(
        (b.areas, b.log.water),
        (3, 2),
        "every layer, without the water"
    );
    let m = meta(&dir.path().join("tiles/lbm-2020.mbtiles"));
    let layers: Vec<String> = serde_json::from_str::<serde_json::Value>(&m["lbm_areas"])
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["layer"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(layers, ["gemeente", "wijk", "buurt"]);
    let conn =
        lbm_formats::sqlite::open_read_only(&dir.path().join("tiles/lbm-index.sqlite")).unwrap();
    let codes: Vec<(String, Option<String>)> = conn
        .prepare("SELECT code, parent FROM areas ORDER BY code")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        codes,
        [
            ("BU00010001".to_string(), Some("GM0001".to_string())),
            ("GM0001".to_string(), None),
            ("WK000100".to_string(), Some("GM0001".to_string())),
        ]
    );
    // One layer of the file by name; an unknown one is named with those the file has.
    let mut arg = gpkg.clone().into_os_string();
    arg.push(":buurten");
    let summary = build(&opts(dir.path(), vec![PathBuf::from(arg)])).unwrap();
    assert_eq!(summary.boundaries[0].areas, 1);
    let mut arg = gpkg.into_os_string();
    arg.push(":straten");
    let e = build(&opts(dir.path(), vec![PathBuf::from(arg)]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no layer \"straten\"") && e.contains("buurten, gemeenten, wijken"),
        "{e}"
    );
}

#[test]
fn a_cbs_postcode_4_file_is_read_as_pc4() {
    let dir = tempfile::tempdir().unwrap();
    let (x, y) = (136_000.0, 455_000.0);
    let cols = [
        "postcode",
        "aantal_inwoners",
        "gemiddelde_woz_waarde_woning",
    ];
    let s = |v: &[&str]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    let gpkg = dir.path().join("cbs_pc4_2023.gpkg");
    write_gpkg_tables(
        &gpkg,
        &[(
            "cbs_pc4_2023",
            &cols,
            vec![
                (s(&["3511", "5305", "412"]), vec![vec![sq(x, y, 1000.0)]]),
                (
                    s(&["3512", "-99999999", "-99999999"]),
                    vec![vec![sq(x + 1000.0, y, 1000.0)]],
                ),
            ],
        )],
    );
    let summary = build(&opts(dir.path(), vec![gpkg])).unwrap();
    assert_eq!(summary.boundaries[0].areas, 2);
    let conn =
        lbm_formats::sqlite::open_read_only(&dir.path().join("tiles/lbm-index.sqlite")).unwrap();
    let rows: Vec<(String, String, String)> = conn
        .prepare("SELECT code, level, name FROM areas ORDER BY code")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let pc4 = |c: &str| (c.to_string(), "pc4".to_string(), c.to_string());
    assert_eq!(rows, [pc4("3511"), pc4("3512")]);
}

/// Files into a zip as the Leefbaarometer's download packs them: `(name in the zip, path)`.
fn zip_files(dest: &Path, files: &[(&str, &Path)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(dest).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for (name, path) in files {
        zip.start_file(*name, opts).unwrap();
        std::io::Write::write_all(&mut zip, &std::fs::read(path).unwrap()).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn the_open_data_download_builds_the_site_with_the_official_area_scores() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    // The scores zip: the grid file with `;` and decimal commas, and the gemeenten's own
    // scores (which are not the mean of their cells).
    let mut grid = String::from("grid_id;jaar;lbm;afw;fys;onv;soc;vrz;won\n");
    for hx in 1210..1216 {
        for hy in 4870..4876 {
            for (year, v) in [(2022, 4.1), (2024, 4.2)] {
                grid.push_str(
                    &format!("E{hx}N{hy};{year};{v};0,1;0;0;0;0;0\n")
                        .replace("4.1", "4,1")
                        .replace("4.2", "4,2"),
                );
            }
        }
    }
    let grid_csv = work.join("grid.csv");
    std::fs::write(&grid_csv, grid).unwrap();
    let gm_csv = work.join("gm.csv");
    std::fs::write(
        &gm_csv,
        "gm_code;jaar;lbm;afw;fys;onv;soc;vrz;won\nGM0001;2022;3,950;-0,05;0;0;0;0;0\nGM0001;2024;3,975;-0,025;0;0;0;0;0\n",
    )
    .unwrap();
    let folder = "Leefbaarometer 3.0 - Meting 2024 - open data";
    let scores_zip = dir.path().join("open-data-leefbaarometer-meting-2024.zip");
    zip_files(
        &scores_zip,
        &[
            (
                &format!("{folder}/Leefbaarometer-scores grids 2002-2024.csv"),
                &grid_csv,
            ),
            (
                &format!("{folder}/Leefbaarometer-scores gemeenten 2002-2024.csv"),
                &gm_csv,
            ),
        ],
    );
    // The geometry zip: `gemeente 2024.gpkg` in a nested folder.
    let gpkg = work.join("gemeente.gpkg");
    let cols = ["gm_code", "gm_naam"];
    let s = |v: &[&str]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    write_gpkg_tables(
        &gpkg,
        &[(
            "gemeente_2024",
            &cols,
            vec![(
                s(&["GM0001", "Eerste"]),
                vec![vec![sq(120_500.0, 486_500.0, 1_500.0)]],
            )],
        )],
    );
    let geometry_zip = dir.path().join("geometrie-lbm3-2024.zip");
    zip_files(
        &geometry_zip,
        &[(
            "geometrie-lbm3-2024/geometrie-lbm3-2024/gemeente 2024.gpkg",
            &gpkg,
        )],
    );

    let out = dir.path().join("tiles");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_lbm-tiler"))
        .args(["build", "--measures", "lbm", "--out"])
        .arg(&out)
        .arg("--open-data")
        .arg(&scores_zip)
        .arg("--open-data")
        .arg(&geometry_zip)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Both years, the change map and the index; 2024 included.
    for f in [
        "lbm-2022.mbtiles",
        "lbm-2024.mbtiles",
        "lbm-2022-2024.mbtiles",
        "lbm-index.sqlite",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    // The gemeente's official scores, not the mean of its cells (4.1, 4.2).
    let conn = lbm_formats::sqlite::open_read_only(&out.join("lbm-index.sqlite")).unwrap();
    let years = lbm_formats::index::read::area_scores(&conn, "GM0001").unwrap();
    let lbm: Vec<(i32, Option<f64>)> = years.iter().map(|y| (y.year, y.values[0])).collect();
    assert_eq!(lbm, [(2022, Some(3.95)), (2024, Some(3.975))]);
    // The release is named in the attribution.
    let rows = lbm_formats::mbtiles::metadata(
        &lbm_formats::sqlite::open_read_only(&out.join("lbm-2024.mbtiles")).unwrap(),
    )
    .unwrap();
    let attribution = rows
        .iter()
        .find(|(k, _)| k == "attribution")
        .unwrap()
        .1
        .clone();
    assert!(attribution.contains("Meting 2024"), "{attribution}");
}

#[test]
fn a_release_with_grid_ids_of_its_own_a_spreadsheet_and_pc4_builds_and_dry_runs() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    // The grid scores keyed by the grid GeoPackage's own ids (not E…N…), `,`-separated with a
    // byte order mark, CRLF and quoted fields; the grid GeoPackage holds one polygon per id, a
    // whole 100 m cell or one clipped at the coast.
    let mut grid = String::from("\u{feff}\"GRID_ID\",\"jaar\",lbm,afw,fys,onv,soc,vrz,won\r\n");
    let mut cells = Vec::new();
    for (i, (hx, hy)) in (1210..1216)
        .flat_map(|hx| (4870..4876).map(move |hy| (hx, hy)))
        .enumerate()
    {
        let id = format!("{}", 700_000 + i);
        grid.push_str(&format!("\"{id}\",2024,4.2,0.1,0,0,0,0,0\r\n"));
        let (x, y) = (f64::from(hx) * 100.0, f64::from(hy) * 100.0);
        let side = if i == 0 { 40.0 } else { 100.0 };
        cells.push((vec![id, "x".to_string()], vec![vec![sq(x, y, side)]]));
    }
    let grid_csv = work.join("grid.csv");
    std::fs::write(&grid_csv, grid).unwrap();
    let grid_gpkg = work.join("grid.gpkg");
    write_gpkg_tables(&grid_gpkg, &[("grid_2024", &["grid_id", "bron"], cells)]);
    // The PC4 scores as a spreadsheet with PC4 as numbers; the PC4 boundaries with it as text.
    let pc4_xlsx = work.join("pc4.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in [
        "PC4", "jaar", "lbm", "afw", "fys", "onv", "soc", "vrz", "won",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (pc4, lbm)) in [(1011.0, 3.9), (1012.0, 4.4)].iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in [*pc4, 2024.0, *lbm, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
            .iter()
            .enumerate()
        {
            // One missing value as statistics packages write it.
            if (r, c) == (1, 4) {
                sheet.write_string(r, c as u16, "NA").unwrap();
            } else {
                sheet.write_number(r, c as u16, *v).unwrap();
            }
        }
    }
    book.save(&pc4_xlsx).unwrap();
    let pc4_gpkg = work.join("pc4.gpkg");
    let s = |v: &[&str]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    write_gpkg_tables(
        &pc4_gpkg,
        &[(
            "pc4_2024",
            &["PC4", "gm_naam"],
            vec![
                (
                    s(&["1011", "Eerste"]),
                    vec![vec![sq(121_000.0, 487_000.0, 300.0)]],
                ),
                (
                    s(&["1013", "Eerste"]),
                    vec![vec![sq(121_300.0, 487_000.0, 300.0)]],
                ),
            ],
        )],
    );
    // A development file keyed by the same ids (looked up in the grid GeoPackage too).
    let grid_development = work.join("development.csv");
    std::fs::write(
        &grid_development,
        "grid_id;periode;lbm\r\n700001;2022-2024;0,1\r\n",
    )
    .unwrap();
    let folder = "open-data-leefbaarometer-meting-2024_2025-11-21_1035";
    let scores_zip = dir.path().join("open-data-leefbaarometer-meting-2024.zip");
    zip_files(
        &scores_zip,
        &[
            (
                &format!("{folder}/Leefbaarometer-scores grids 2002-2024.csv"),
                &grid_csv,
            ),
            (
                &format!("{folder}/Leefbaarometer-scores PC4 2002-2024.xlsx"),
                &pc4_xlsx,
            ),
            (&format!("{folder}/toelichting.txt"), &grid_csv),
            (
                &format!("{folder}/Leefbaarometer-ontwikkeling grids 2002-2024.csv"),
                &grid_development,
            ),
        ],
    );
    let geometry_zip = dir.path().join("geometrie-lbm3-2024.zip");
    zip_files(
        &geometry_zip,
        &[
            (
                "geometrie-lbm3-2024/geometrie-lbm3-2024/grid 2024.gpkg",
                &grid_gpkg,
            ),
            (
                "geometrie-lbm3-2024/geometrie-lbm3-2024/PC4 2024.gpkg",
                &pc4_gpkg,
            ),
        ],
    );
    let out = dir.path().join("tiles");
    let tiler = |extra: &[&str]| {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_lbm-tiler"))
            .args(["build", "--measures", "lbm", "--out"])
            .arg(&out)
            .arg("--open-data")
            .arg(&scores_zip)
            .arg("--open-data")
            .arg(&geometry_zip)
            .args(extra)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        String::from_utf8(run.stdout).unwrap()
    };
    // The dry run says what it recognised and what it would build, names what it skips and
    // writes nothing.
    let listed = tiler(&["--dry-run"]);
    for expected in [
        "key grid_id, 36 rows, years 2024 (36 cells)",
        "grid 2024.gpkg: 36 cell polygons keyed by grid_id",
        "Leefbaarometer-scores PC4 2002-2024.xlsx: level pc4, key pc4, 2 rows, years 2024",
        "PC4 2024.gpkg: 2 pc4",
        "pc4 scores: 2 codes, 1 in no boundary file (not on the map), 1 boundaries without scores",
        "would write 1 tilesets",
        "lbm-2024",
        "toelichting.txt: not a score table",
        "Leefbaarometer-ontwikkeling grids 2002-2024.csv: level grid, key grid_id, period column \
         periode, 1 rows, periods 2022-2024",
        "2 rows, years 2024 (the scores of the file, \"scores\":\"file\"); 1 value fields held a \
         no-data word",
        "dry run: nothing written",
    ] {
        assert!(listed.contains(expected), "{expected:?} in:\n{listed}");
    }
    assert!(!out.exists(), "a dry run writes nothing");
    // The build: every id resolved to its cell, the clipped one too; the PC4 areas with the
    // spreadsheet's scores.
    let built = tiler(&[]);
    assert!(built.contains("pc4 scores: 2 codes"), "{built}");
    // The NA of the spreadsheet is counted in the summary; the development file's change has
    // no scores of 2022 to be compared with.
    assert!(
        built.contains(
            "Leefbaarometer-scores PC4 2002-2024.xlsx: 1 value fields held a no-data word"
        ) && built.contains("1 values for a place or period without scores of both years"),
        "{built}"
    );
    let conn = lbm_formats::sqlite::open_read_only(&out.join("lbm-index.sqlite")).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count("SELECT count(*) FROM (SELECT DISTINCT hx, hy FROM cells)"),
        36
    );
    assert_eq!(
        count("SELECT count(*) FROM cells WHERE hx = 1210 AND hy = 4870"),
        1,
        "the clipped cell"
    );
    let years = lbm_formats::index::read::area_scores(&conn, "1011").unwrap();
    let lbm: Vec<(i32, Option<f64>)> = years.iter().map(|y| (y.year, y.values[0])).collect();
    assert_eq!(lbm, [(2024, Some(3.9))]);
    // An id that neither is E…N… nor is in the grid GeoPackage names both.
    let bad = work.join("bad.csv");
    std::fs::write(
        &bad,
        "grid_id,jaar,lbm,fys,onv,soc,vrz,won\n999,2024,4,0,0,0,0,0\n",
    )
    .unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_lbm-tiler"))
        .args(["build", "--measures", "lbm", "--dry-run", "--out"])
        .arg(&out)
        .arg("--scores")
        .arg(&bad)
        .arg("--grid-geometry")
        .arg(&grid_gpkg)
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success()
            && e.contains("line 2")
            && e.contains("\"999\"")
            && e.contains("grid.gpkg"),
        "{e}"
    );
}

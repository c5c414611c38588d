//! `--format pmtiles|both`: PMTiles archives with the same tiles and metadata as the MBTiles
//! files, the `lbm_tiles_hash` row, `inspect` of an archive, and failures that name the path and
//! leave no temporary files.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::*;
use lbm_formats::pmtiles::Archive;
use lbm_formats::{mbtiles, TileCoord};
use lbm_tiler::{build, BuildOptions, OutputFormat};

/// A 6 × 6 km piece of the synthetic Utrecht: a few thousand cells, tiles at every zoom.
const BBOX: [f64; 4] = [133_000.0, 452_000.0, 139_000.0, 458_000.0];

/// One municipality over the west half of the box, for an area layer and the `lbm_areas` row.
const GEMEENTE: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"gm_code":"GM0344","gm_naam":"Utrecht"},"geometry":{"type":"Polygon","coordinates":[
   [[133000,452000],[136000,452000],[136000,458000],[133000,458000],[133000,452000]]]}}]}"#;

/// Writes the scores CSV (years 2018 and 2020) and the boundary file.
fn inputs(dir: &Path) -> (PathBuf, PathBuf) {
    let csv = dir.join("scores.csv");
    lbm_tiler::demo::write_demo_csv(&csv, BBOX, &[2018, 2020]).unwrap();
    (csv, write(dir, "gemeente.geojson", GEMEENTE))
}

fn opts(csv: &Path, areas: &Path, out: &Path, format: OutputFormat) -> BuildOptions {
    let mut o = BuildOptions::new(csv, out);
    o.progress = false;
    o.measures = Some(vec!["lbm".into(), "fys".into()]);
    o.areas = vec![areas.to_path_buf()];
    o.format = format;
    o
}

/// Every tile of an MBTiles file by address.
fn mbtiles_tiles(path: &Path) -> HashMap<TileCoord, Vec<u8>> {
    lbm_test_support::tiles(path).into_iter().collect()
}

/// `lbm_tiles_hash` recomputed from its definition in docs/tileset-format.md.
fn hash_by_definition(tiles: &HashMap<TileCoord, Vec<u8>>) -> String {
    let sum = tiles
        .iter()
        .fold(0u128, |sum, (&TileCoord { z, x, y }, data)| {
            let mut buf = vec![z];
            buf.extend_from_slice(&x.to_le_bytes());
            buf.extend_from_slice(&y.to_le_bytes());
            buf.extend_from_slice(&(data.len() as u64).to_le_bytes());
            buf.extend_from_slice(data);
            sum.wrapping_add(twox_hash::XxHash3_128::oneshot(&buf))
        });
    format!("{sum:032x}")
}

fn row<'a>(rows: &'a [(String, String)], name: &str) -> &'a str {
    &rows.iter().find(|(k, _)| k == name).unwrap().1
}

fn numbers(text: &str) -> Vec<f64> {
    text.split(',').map(|v| v.parse().unwrap()).collect()
}

#[test]
fn both_formats_hold_identical_tiles_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, areas) = inputs(dir.path());
    let out = dir.path().join("tiles");
    let summary = build(&opts(&csv, &areas, &out, OutputFormat::Both)).unwrap();
    // lbm and fys for 2018, 2020 and the change map 2018-2020; the lbm pressure overlay.
    assert_eq!(summary.tilesets.len(), 7);
    let mut expected = vec!["lbm-index.sqlite".to_string()];
    for t in [
        "lbm-2018",
        "lbm-2020",
        "lbm-2018-2020",
        "fys-2018",
        "fys-2020",
        "fys-2018-2020",
        "lbm-pressure-2018-2020",
    ] {
        expected.push(format!("{t}.mbtiles"));
        expected.push(format!("{t}.pmtiles"));
    }
    expected.sort();
    assert_eq!(
        listing(&out),
        expected,
        "no temporary or spill files remain"
    );
    let text = summary.to_string();
    assert!(
        text.contains("MBTiles: 7 files") && text.contains("PMTiles: 7 files"),
        "{text}"
    );

    for t in &summary.tilesets {
        assert_eq!(t.files.len(), 2);
        assert_eq!(t.path, t.files[0].path);
        let mb = &t.files[0].path;
        let pm = &t.files[1].path;
        assert_eq!(pm, &mb.with_extension("pmtiles"));
        assert_eq!(t.files[1].bytes, std::fs::metadata(pm).unwrap().len());

        let tiles = mbtiles_tiles(mb);
        // The pressure overlay holds only the few places it marks; the others at least a tile
        // per zoom, 5 to the top.
        let least = if mb.to_string_lossy().contains("-pressure-") {
            1
        } else {
            usize::from(TOP - 4)
        };
        assert!(
            tiles.len() >= least,
            "{}: {} tiles",
            mb.display(),
            tiles.len()
        );
        let archive = Archive::open(pm).unwrap();
        let h = lbm_tiler::inspect::ArchiveHeader::from(archive.header());
        let [addressed, entries, contents] = h.counts;
        assert_eq!(addressed, tiles.len() as u64, "{}", pm.display());
        assert!(contents <= entries && entries <= addressed);
        assert!(h.clustered);
        assert_eq!(h.types, ["Mvt", "Gzip", "Gzip"]);
        // The directories list every tile once, in tile-id order.
        let listed = archive.tiles().unwrap();
        assert_eq!(listed.len(), tiles.len());
        for (c, len) in listed {
            assert_eq!(len, tiles[&c].len(), "{c}");
        }
        for (&c, data) in &tiles {
            let got = archive.tile(c).unwrap();
            assert_eq!(got.as_deref(), Some(&data[..]), "{} {c}", pm.display());
        }
        assert_eq!(
            archive.zoom_stats().unwrap(),
            mbtiles::zoom_stats(&mbtiles::open(mb).unwrap()).unwrap()
        );

        // The same rows, in the same order.
        let rows = mbtiles::metadata(&mbtiles::open(mb).unwrap()).unwrap();
        assert_eq!(archive.metadata_rows().unwrap(), rows, "{}", pm.display());
        // Header values from the same rows (the header stores degrees × 10^7).
        assert_eq!(h.zooms.0.to_string(), row(&rows, "minzoom"));
        assert_eq!(h.zooms.1.to_string(), row(&rows, "maxzoom"));
        let b = numbers(row(&rows, "bounds"));
        let c = numbers(row(&rows, "center"));
        for (got, want) in h.bounds.iter().zip(&b).chain(h.center.iter().zip(&c)) {
            assert!((got - want).abs() < 1e-7, "{got} {want}");
        }
        // What TileJSON and PMTiles readers look for.
        let json: serde_json::Value =
            serde_json::from_str(&archive.metadata_json().unwrap()).unwrap();
        assert_eq!(json["vector_layers"][0]["id"], "grid");
        assert_eq!(json["vector_layers"][1]["id"], "gemeente");
        assert!(json["lbm_classification"]["cuts"].is_array());
        assert!(json["lbm_areas"].is_array());
        assert!(json["lbm_pyramid"].is_array());
        assert_eq!(json["name"], row(&rows, "name"));

        // lbm_tiles_hash: the same in both files, by its definition.
        let hash = row(&rows, "lbm_tiles_hash");
        assert_eq!(hash, t.tiles_hash);
        assert_eq!(hash.len(), 32);
        assert!(hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(hash, hash_by_definition(&tiles));
    }
    let hashes: std::collections::HashSet<&str> = summary
        .tilesets
        .iter()
        .map(|t| t.tiles_hash.as_str())
        .collect();
    assert_eq!(hashes.len(), 7, "every tileset has its own hash");
}

#[test]
fn pmtiles_only_and_inspect() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, areas) = inputs(dir.path());
    let out = dir.path().join("tiles");
    let mut o = opts(&csv, &areas, &out, OutputFormat::Pmtiles);
    o.measures = Some(vec!["soc".into()]);
    o.years = Some(vec![2020]);
    o.write_index = false;
    let summary = build(&o).unwrap();
    assert_eq!(listing(&out), ["soc-2020.pmtiles"]);
    let t = &summary.tilesets[0];
    assert_eq!(t.path, out.join("soc-2020.pmtiles"));
    assert!(!summary.to_string().contains("MBTiles:"));

    let i = lbm_tiler::inspect(&t.path).unwrap();
    let h = i.pmtiles.as_ref().expect("a PMTiles header");
    assert_eq!(i.zooms.iter().map(|z| z.tiles).sum::<u64>(), h.counts[0]);
    assert_eq!(i.zooms.first().unwrap().zoom, 5);
    assert_eq!(i.zooms.last().unwrap().zoom, TOP);
    assert_eq!(row(&i.metadata, "lbm_measure"), "soc");
    let text = i.to_string();
    for want in [
        "PMTiles v3",
        "tile type Mvt",
        "clustered",
        &format!("header zooms 5..{TOP}"),
        "lbm_tiles_hash",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    // And an MBTiles file is still inspected as one.
    let mut o = opts(&csv, &areas, &out, OutputFormat::Mbtiles);
    o.measures = Some(vec!["soc".into()]);
    o.years = Some(vec![2020]);
    o.write_index = false;
    build(&o).unwrap();
    let i = lbm_tiler::inspect(&out.join("soc-2020.mbtiles")).unwrap();
    assert!(i.pmtiles.is_none());
    assert_eq!(row(&i.metadata, "lbm_tiles_hash"), t.tiles_hash);
}

/// Builds `csv` into `out` on a rayon pool of `threads` threads; returns the hash per tileset.
fn hashes_with_threads(
    csv: &Path,
    areas: &Path,
    out: &Path,
    threads: usize,
) -> HashMap<String, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut o = opts(csv, areas, out, OutputFormat::Both);
    o.write_index = false;
    let summary = pool.install(|| build(&o)).unwrap();
    summary
        .tilesets
        .iter()
        .map(|t| {
            let name = t.path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, t.tiles_hash.clone())
        })
        .collect()
}

#[test]
fn tiles_hash_is_deterministic_and_follows_every_tile() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, areas) = inputs(dir.path());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let first = hashes_with_threads(&csv, &areas, &a, 1);
    let second = hashes_with_threads(&csv, &areas, &b, 3);
    assert_eq!(first, second, "same input, other thread scheduling");
    // The archives themselves are identical too: tiles are written in tile-id order.
    for name in first.keys() {
        let file = format!("{name}.pmtiles");
        assert!(
            std::fs::read(a.join(&file)).unwrap() == std::fs::read(b.join(&file)).unwrap(),
            "{file} differs between the builds"
        );
    }

    // One fys value of one cell changed: the fys tilesets of that year and of the change map
    // change, every other tileset keeps its hash.
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let (jaar, fys) = (
        header.iter().position(|h| *h == "jaar").unwrap(),
        header.iter().position(|h| *h == "fys").unwrap(),
    );
    let i = lines
        .iter()
        .position(|l| l.split(',').nth(jaar) == Some("2020"))
        .unwrap();
    let mut fields: Vec<String> = lines[i].split(',').map(str::to_string).collect();
    let v: f64 = fields[fys].parse().unwrap();
    fields[fys] = format!("{:.3}", v + 0.25);
    lines[i] = fields.join(",");
    let changed_csv = write(dir.path(), "changed.csv", &(lines.join("\n") + "\n"));
    let changed = hashes_with_threads(&changed_csv, &areas, &dir.path().join("c"), 2);
    for (name, hash) in &first {
        let expect_change = name == "fys-2020" || name == "fys-2018-2020";
        assert_eq!(&changed[name] != hash, expect_change, "{name}");
    }
}

#[test]
fn unwritable_destinations_fail_naming_the_path_and_leave_no_temporaries() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, areas) = inputs(dir.path());
    let out = dir.path().join("tiles");
    std::fs::create_dir(&out).unwrap();
    // A previous build's file, a folder in the way of an archive, and a temporary file of a
    // killed run (a process id that cannot exist).
    std::fs::write(out.join("lbm-2020.mbtiles"), b"previous").unwrap();
    std::fs::create_dir(out.join("lbm-2020.pmtiles")).unwrap();
    std::fs::write(out.join("lbm-2020.pmtiles/keep"), b"x").unwrap();
    // (The writers of lbm-2020 start before the error, so they remove it whatever the order of
    // the parallel jobs.)
    std::fs::write(out.join(".lbm-2020.mbtiles.tmp-4000000000"), b"stale").unwrap();
    let mut o = opts(&csv, &areas, &out, OutputFormat::Both);
    o.years = Some(vec![2020]);
    o.write_index = false;
    let e = build(&o).unwrap_err().to_string();
    assert!(
        e.contains(&out.join("lbm-2020.pmtiles").display().to_string()) && e.contains("folder"),
        "{e}"
    );
    let left: Vec<String> = listing(&out);
    assert!(
        left.iter().all(|f| !f.contains(".tmp")),
        "no temporaries: {left:?}"
    );
    assert_eq!(
        std::fs::read(out.join("lbm-2020.mbtiles")).unwrap(),
        b"previous"
    );
    assert!(out.join("lbm-2020.pmtiles/keep").exists());

    // An output "folder" that is a file.
    let file = write(dir.path(), "not-a-folder", "x");
    let e = build(&opts(&csv, &areas, &file, OutputFormat::Pmtiles))
        .unwrap_err()
        .to_string();
    assert!(e.contains(&file.display().to_string()), "{e}");

    // A read-only folder (root may write anyway: then there is nothing to test).
    let ro = dir.path().join("read-only");
    std::fs::create_dir(&ro).unwrap();
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ro, perms.clone()).unwrap();
    if std::fs::write(ro.join("probe"), b"").is_ok() {
        eprintln!("skipped the read-only folder case: this user can write into read-only folders");
        std::fs::remove_file(ro.join("probe")).unwrap();
    } else {
        let mut o = opts(&csv, &areas, &ro, OutputFormat::Pmtiles);
        o.write_index = false;
        let e = build(&o).unwrap_err().to_string();
        assert!(e.contains(&ro.display().to_string()), "{e}");
        assert!(listing(&ro).is_empty());
    }
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&ro, perms).unwrap();
}

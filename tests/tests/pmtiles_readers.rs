//! The tiler's PMTiles archives read by independent readers, compared with the MBTiles files of
//! the same build: the Python `pmtiles` package with `mapbox-vector-tile` (pinned by
//! `tests/requirements.txt`, installed by `.ci/run` into `target/pyenv`), and the npm `pmtiles`
//! package the web map uses (pinned by `static/package-lock.json`), run by Node on a file-backed
//! source. Without those tools the tests skip with the reason printed, unless
//! `LBM_REQUIRE_TOOLS=1` (CI): then they fail.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use lbm_e2e::{decode_layer, gunzip_if_needed, have_program, workspace_root, DEMO_BBOX};
use serde_json::Value;

/// Whether a tool is there; when it is not, skips (prints why and returns `false`) or, under
/// `LBM_REQUIRE_TOOLS=1`, fails.
fn require(found: bool, what: &str) -> bool {
    if !found {
        assert!(
            std::env::var("LBM_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{what} is required (LBM_REQUIRE_TOOLS=1) but missing; .ci/run installs it"
        );
        eprintln!("skipped: {what} missing (set LBM_REQUIRE_TOOLS=1 to make this an error)");
    }
    found
}

/// The demo around Utrecht, two years, two measures and their change map, in both formats.
fn build_both(dir: &Path) {
    let mut o = lbm_tiler::DemoOptions::new(dir);
    o.bbox = Some(DEMO_BBOX);
    o.years = Some(vec![2020, 2022]);
    o.measures = Some(vec!["lbm".into(), "fys".into()]);
    o.progress = false;
    o.format = lbm_tiler::OutputFormat::Both;
    let summary = lbm_tiler::demo(&o).expect("demo build");
    // Two years and a change map of each measure, and the total score's pressure overlay.
    assert_eq!(summary.tilesets.len(), 7);
}

/// The tilesets the readers check: a score map with the gemeente layer and a change map.
const CHECKED: [&str; 2] = ["lbm-2022", "fys-2020-2022"];

/// What the MBTiles file of a tileset holds.
struct Expected {
    rows: HashMap<String, String>,
    /// Stored (gzip) tile bytes by XYZ address.
    tiles: BTreeMap<(u8, u32, u32), Vec<u8>>,
}

impl Expected {
    fn read(mbtiles: &Path) -> Self {
        let rows = lbm_test_support::metadata(mbtiles);
        let tiles = lbm_test_support::tiles(mbtiles)
            .into_iter()
            .map(|(c, data)| ((c.z, c.x, c.y), data))
            .collect();
        Expected { rows, tiles }
    }

    /// The tiles to fetch: the largest of each zoom, and one far outside the data.
    fn wanted(&self) -> Vec<String> {
        let mut best: BTreeMap<u8, (usize, (u8, u32, u32))> = BTreeMap::new();
        for (&k, data) in &self.tiles {
            let e = best.entry(k.0).or_insert((0, k));
            if data.len() > e.0 {
                *e = (data.len(), k);
            }
        }
        let mut out: Vec<String> = best
            .values()
            .map(|(_, (z, x, y))| format!("{z}/{x}/{y}"))
            .collect();
        out.push(ABSENT.into());
        out
    }

    fn tile(&self, zxy: &str) -> &[u8] {
        let v: Vec<u32> = zxy.split('/').map(|p| p.parse().unwrap()).collect();
        &self.tiles[&(v[0] as u8, v[1], v[2])]
    }

    fn json_row(&self, name: &str) -> Value {
        serde_json::from_str(&self.rows[name]).unwrap()
    }

    fn number_row(&self, name: &str) -> Vec<f64> {
        self.rows[name]
            .split(',')
            .map(|v| v.parse().unwrap())
            .collect()
    }
}

/// A tile in the Pacific, at the lowest zoom: in no archive.
const ABSENT: &str = "5/0/0";

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

fn crc32(data: &[u8]) -> u64 {
    let mut c = flate2::Crc::new();
    c.update(data);
    u64::from(c.sum())
}

fn run_json(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("start the reader");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the reader prints JSON")
}

/// Metadata members every reader must see: the layers at the top level and the project rows as
/// JSON values or strings.
fn check_metadata(meta: &Value, e: &Expected, reader: &str) {
    assert_eq!(
        meta["vector_layers"],
        e.json_row("json")["vector_layers"],
        "{reader}"
    );
    assert_eq!(meta["vector_layers"][0]["id"], "grid", "{reader}");
    assert_eq!(
        meta["lbm_classification"],
        e.json_row("lbm_classification"),
        "{reader}"
    );
    assert_eq!(meta["lbm_pyramid"], e.json_row("lbm_pyramid"), "{reader}");
    for k in [
        "name",
        "lbm_kind",
        "lbm_measure",
        "lbm_year",
        "lbm_tiles_hash",
        "minzoom",
    ] {
        assert_eq!(meta[k].as_str(), Some(e.rows[k].as_str()), "{reader}: {k}");
    }
    // The tiler's own inverse mapping gives the MBTiles rows back from what this reader saw.
    let rows: HashMap<String, String> = lbm_formats::pmtiles::metadata_rows(&meta.to_string())
        .unwrap()
        .into_iter()
        .collect();
    for (k, v) in &e.rows {
        if k == "json" || k.starts_with("lbm_") && v.starts_with(['{', '[']) {
            // Re-serialised by the reader's JSON library: compare as JSON.
            // Its numbers may come back as 4 where they were 4.0: compare them as numbers.
            let got: Value = serde_json::from_str(&rows[k]).unwrap();
            assert_eq!(numeric(got), numeric(e.json_row(k)), "{reader}: {k}");
        } else {
            assert_eq!(&rows[k], v, "{reader}: {k}");
        }
    }
}

/// `v` with every number as a float, so that `4` and `4.0` compare equal.
fn numeric(v: Value) -> Value {
    match v {
        Value::Number(n) => n.as_f64().map_or(Value::Null, Value::from),
        Value::Array(a) => Value::Array(a.into_iter().map(numeric).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, numeric(v))).collect()),
        other => other,
    }
}

fn python() -> Option<PathBuf> {
    let python = workspace_root().join("target/pyenv/bin/python");
    let usable = python.is_file()
        && Command::new(&python)
            .args(["-c", "import pmtiles.reader, mapbox_vector_tile"])
            .status()
            .is_ok_and(|s| s.success());
    require(
        usable,
        &format!(
            "{} with the pmtiles and mapbox-vector-tile packages (tests/requirements.txt)",
            python.display()
        ),
    )
    .then_some(python)
}

#[test]
fn python_pmtiles_and_mapbox_vector_tile_read_the_archives() {
    let Some(python) = python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    build_both(dir.path());
    let script = workspace_root().join("tests/scripts/pmtiles_read.py");
    for name in CHECKED {
        let e = Expected::read(&dir.path().join(format!("{name}.mbtiles")));
        let wanted = e.wanted();
        let got = run_json(
            Command::new(&python)
                .arg(&script)
                .arg(dir.path().join(format!("{name}.pmtiles")))
                .args(&wanted),
        );

        let h = &got["header"];
        assert_eq!(h["version"], 3, "{name}");
        assert_eq!(h["tile_type"], 1, "{name}: MVT");
        assert_eq!(h["tile_compression"], 2, "{name}: gzip");
        assert_eq!(h["internal_compression"], 2, "{name}: gzip");
        assert_eq!(h["clustered"], true, "{name}");
        assert_eq!(h["addressed_tiles_count"], e.tiles.len() as u64, "{name}");
        assert_eq!(h["min_zoom"].to_string(), e.rows["minzoom"], "{name}");
        assert_eq!(h["max_zoom"].to_string(), e.rows["maxzoom"], "{name}");
        let bounds = e.number_row("bounds");
        for (k, want) in ["min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7"]
            .iter()
            .zip(&bounds)
        {
            assert_eq!(
                h[k].as_i64(),
                Some((want * 1e7).round() as i64),
                "{name}: {k}"
            );
        }
        let center = e.number_row("center");
        assert_eq!(
            h["center_lon_e7"].as_i64(),
            Some((center[0] * 1e7).round() as i64)
        );
        assert_eq!(
            h["center_lat_e7"].as_i64(),
            Some((center[1] * 1e7).round() as i64)
        );
        assert_eq!(h["center_zoom"].as_f64(), Some(center[2]));

        check_metadata(&got["metadata"], &e, "python pmtiles");

        // Every tile, found by walking the directories: same addresses, lengths and CRCs.
        let all = got["all"].as_object().unwrap();
        assert_eq!(all.len(), e.tiles.len(), "{name}");
        for (&(z, x, y), data) in &e.tiles {
            let v = &all[&format!("{z}/{x}/{y}")];
            assert_eq!(v[0].as_u64(), Some(data.len() as u64), "{name} {z}/{x}/{y}");
            assert_eq!(v[1].as_u64(), Some(crc32(data)), "{name} {z}/{x}/{y}");
        }

        // Fetched tiles: the stored bytes, and what mapbox-vector-tile decodes from them.
        let tiles = got["tiles"].as_object().unwrap();
        assert!(
            tiles[ABSENT].is_null(),
            "{name}: {ABSENT} is not in the archive"
        );
        for zxy in &wanted[..wanted.len() - 1] {
            let t = &tiles[zxy];
            let stored = e.tile(zxy);
            assert_eq!(
                t["stored_hex"].as_str(),
                Some(hex(stored).as_str()),
                "{name} {zxy}"
            );
            let mvt = gunzip_if_needed(stored);
            for layer in ["grid", "gemeente"] {
                let (_, want) = decode_layer(&mvt, layer);
                let got: &[Value] = t["layers"]
                    .get(layer)
                    .and_then(|l| l.as_array())
                    .map_or(&[], Vec::as_slice);
                assert_eq!(got.len(), want.len(), "{name} {zxy} {layer}");
                let by_id: HashMap<u64, &Value> = got
                    .iter()
                    .map(|f| (f["id"].as_u64().unwrap(), &f["properties"]))
                    .collect();
                for f in &want {
                    let props = by_id[&f.id];
                    for (k, v) in &f.props {
                        let same = match (v, &props[k]) {
                            (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
                            (a, b) => a == b,
                        };
                        assert!(
                            same,
                            "{name} {zxy} {layer} {}: {k} {v} vs {}",
                            f.id, props[k]
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn npm_pmtiles_reads_the_archives_from_a_file_source() {
    let module = workspace_root().join("static/node_modules/pmtiles/dist/esm/index.js");
    if !require(have_program("node"), "node (Node.js)")
        || !require(
            module.is_file(),
            &format!("{} (npm ci in static/)", module.display()),
        )
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    build_both(dir.path());
    let script = workspace_root().join("tests/scripts/pmtiles_read.mjs");
    for name in CHECKED {
        let e = Expected::read(&dir.path().join(format!("{name}.mbtiles")));
        let wanted = e.wanted();
        let got = run_json(
            Command::new("node")
                .arg(&script)
                .arg(&module)
                .arg(dir.path().join(format!("{name}.pmtiles")))
                .args(&wanted),
        );
        let h = &got["header"];
        assert_eq!(h["specVersion"], 3, "{name}");
        assert_eq!(h["tileType"], 1, "{name}");
        assert_eq!(h["tileCompression"], 2, "{name}");
        assert_eq!(h["clustered"], true, "{name}");
        assert_eq!(h["numAddressedTiles"], e.tiles.len() as u64, "{name}");
        assert_eq!(h["minZoom"].to_string(), e.rows["minzoom"], "{name}");
        assert_eq!(h["maxZoom"].to_string(), e.rows["maxzoom"], "{name}");
        let bounds = e.number_row("bounds");
        for (k, want) in ["minLon", "minLat", "maxLon", "maxLat"].iter().zip(&bounds) {
            assert!((h[k].as_f64().unwrap() - want).abs() < 1e-7, "{name}: {k}");
        }

        check_metadata(&got["metadata"], &e, "npm pmtiles");

        // The npm reader hands out tiles decompressed, as MapLibre gets them.
        let tiles = got["tiles"].as_object().unwrap();
        assert!(
            tiles[ABSENT].is_null(),
            "{name}: {ABSENT} is not in the archive"
        );
        for zxy in &wanted[..wanted.len() - 1] {
            let want = gunzip_if_needed(e.tile(zxy));
            assert_eq!(
                tiles[zxy].as_str(),
                Some(hex(&want).as_str()),
                "{name} {zxy}"
            );
        }
    }
}

//! PMTiles archives served like MBTiles (same TileJSON, same tiles), raw archives with HTTP
//! range requests, and versioned, immutable tile URLs. The archives are written by the real
//! tiler (`--format both`).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// A 6 km square of the demo (one measure, one year, zooms 5..=12) in both formats.
fn build_both(dir: &Path) {
    build_square(dir, [130_000.0, 450_000.0], lbm_tiler::OutputFormat::Both);
}

/// The demo's `lbm-2020` on the 6 km square from RD New corner `sw`, in `format`.
fn build_square(dir: &Path, sw: [f64; 2], format: lbm_tiler::OutputFormat) {
    let mut opts = lbm_tiler::DemoOptions::new(dir);
    opts.bbox = Some([sw[0], sw[1], sw[0] + 6_000.0, sw[1] + 6_000.0]);
    opts.years = Some(vec![2020]);
    opts.measures = Some(vec!["lbm".into()]);
    opts.maxzoom = 12;
    opts.changes = Some(vec![]);
    opts.progress = false;
    opts.format = format;
    lbm_tiler::demo(&opts).unwrap();
}

/// A folder with only the files of `both` in format `ext` (and the index).
fn only(both: &Path, ext: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(both).unwrap() {
        let path: PathBuf = entry.unwrap().path();
        let e = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if e == ext || e == "sqlite" {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

async fn get_json(url: &str) -> Value {
    lbm_test_support::get_json(&client(), url).await
}

#[tokio::test]
async fn pmtiles_serve_the_same_tilejson_and_tiles_as_mbtiles() {
    let both = tempfile::tempdir().unwrap();
    build_both(both.path());
    let mbtiles = only(both.path(), "mbtiles");
    let pmtiles = only(both.path(), "pmtiles");
    let a = start(mbtiles.path()).await;
    let b = start(pmtiles.path()).await;

    // The same document, apart from the server it names.
    let tj_a = get_json(&format!("{}/tiles/lbm-2020.json", a.base)).await;
    let tj_b = get_json(&format!("{}/tiles/lbm-2020.json", b.base)).await;
    let unbase = |v: &Value, base: &str| v.to_string().replace(base, "BASE");
    assert_eq!(unbase(&tj_a, &a.base), unbase(&tj_b, &b.base));
    assert_eq!(tj_b["lbm"]["classification"]["measure"], "lbm");
    assert!(!tj_b["vector_layers"].as_array().unwrap().is_empty());
    let style_a = get_json(&format!("{}/styles/lbm-2020.json", a.base)).await;
    let style_b = get_json(&format!("{}/styles/lbm-2020.json", b.base)).await;
    assert_eq!(unbase(&style_a, &a.base), unbase(&style_b, &b.base));

    // Every tile, byte for byte, through the versioned URL TileJSON names: from the archives
    // alone, and from the folder with both formats (read from the archives; without a tile
    // cache and several times, so that every answer is a read into a reused buffer).
    let c = start_with(both.path(), |config| config.tile_cache_mb = 0).await;
    let tiles = lbm_test_support::tiles(&both.path().join("lbm-2020.mbtiles"));
    assert!(tiles.len() > 20, "{} tiles", tiles.len());
    for (server, rounds) in [(&b, 1), (&c, 3)] {
        let tj = get_json(&format!("{}/tiles/lbm-2020.json", server.base)).await;
        let template = tj["tiles"][0].as_str().unwrap().to_string();
        for _ in 0..rounds {
            for (c, data) in &tiles {
                let url = template
                    .replace("{z}", &c.z.to_string())
                    .replace("{x}", &c.x.to_string())
                    .replace("{y}", &c.y.to_string());
                let r = client()
                    .get(&url)
                    .header("accept-encoding", "gzip")
                    .send()
                    .await
                    .unwrap();
                if data.is_empty() {
                    assert_eq!(r.status(), 204, "{url}");
                    continue;
                }
                assert_eq!(r.status(), 200, "{url}");
                assert_eq!(r.bytes().await.unwrap().as_ref(), &data[..], "{url}");
            }
        }
    }
    // A tile outside the data but inside the zoom range: 204, as for MBTiles.
    let r = client()
        .get(format!("{}/tiles/lbm-2020/12/0/0.pbf", b.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);

    // The catalog offers the raw archive where there is one.
    let cat_c = get_json(&format!("{}/catalog.json", c.base)).await;
    let entry = &cat_c["tilesets"][0];
    assert_eq!(
        entry["pmtiles"],
        format!("{}/archives/lbm-2020.pmtiles", c.base)
    );
    let cat_a = get_json(&format!("{}/catalog.json", a.base)).await;
    assert!(cat_a["tilesets"][0]["pmtiles"].is_null(), "{cat_a}");
}

#[test]
fn a_tileset_in_both_formats_is_read_from_its_archive_unless_another_build_left_it() {
    let both = tempfile::tempdir().unwrap();
    build_both(both.path());
    let catalog = lbm_server::Catalog::new(both.path(), 2);
    catalog.rescan_blocking();
    let served = catalog.get("lbm-2020").unwrap();
    assert!(served.is_pmtiles());
    // Nothing changed on disk: nothing is opened again.
    assert!(!catalog.rescan_blocking());
    let still_served = |catalog: &lbm_server::Catalog| {
        std::sync::Arc::ptr_eq(&served, &catalog.get("lbm-2020").unwrap())
    };
    assert!(still_served(&catalog));
    // The MBTiles file removed: the archive is still served, and the file is let go of.
    let mbtiles = both.path().join("lbm-2020.mbtiles");
    let kept = std::fs::read(&mbtiles).unwrap();
    std::fs::remove_file(&mbtiles).unwrap();
    assert!(catalog.rescan_blocking());
    assert!(!catalog.snapshot().mbtiles.contains_key("lbm-2020"));
    assert!(still_served(&catalog));
    std::fs::write(&mbtiles, kept).unwrap();

    // The archive of another build (another area) beside the MBTiles file: its tiles are not
    // this tileset's, so they are read from the MBTiles file.
    let other = tempfile::tempdir().unwrap();
    build_square(
        other.path(),
        [140_000.0, 450_000.0],
        lbm_tiler::OutputFormat::Pmtiles,
    );
    std::fs::copy(
        other.path().join("lbm-2020.pmtiles"),
        both.path().join("lbm-2020.pmtiles"),
    )
    .unwrap();
    let catalog = lbm_server::Catalog::new(both.path(), 2);
    catalog.rescan_blocking();
    let tileset = catalog.get("lbm-2020").unwrap();
    assert!(!tileset.is_pmtiles());
    let snapshot = catalog.snapshot();
    assert!(snapshot.archives.contains_key("lbm-2020"));
    assert!(
        snapshot.archive("lbm-2020").is_none(),
        "not offered for these tiles"
    );
}

#[tokio::test]
async fn raw_archives_answer_range_requests() {
    let both = tempfile::tempdir().unwrap();
    build_both(both.path());
    let file = std::fs::read(both.path().join("lbm-2020.pmtiles")).unwrap();
    let size = file.len();
    let s = start(both.path()).await;
    let url = format!("{}/archives/lbm-2020.pmtiles", s.base);

    // The header, as a PMTiles reader asks for it first.
    let r = client()
        .get(&url)
        .header("range", "bytes=0-126")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.headers()["content-range"], format!("bytes 0-126/{size}"));
    assert_eq!(r.headers()["accept-ranges"], "bytes");
    assert!(r.headers()["etag"].to_str().unwrap().starts_with("W/\""));
    let body = r.bytes().await.unwrap();
    assert_eq!(&body[..], &file[..127]);
    assert_eq!(&body[..7], b"PMTiles");
    assert_eq!(body[7], 3, "spec version 3");

    // An open-ended and a suffix range.
    let r = client()
        .get(&url)
        .header("range", format!("bytes={}-", size - 10))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &file[size - 10..]);
    let r = client()
        .get(&url)
        .header("range", "bytes=-5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &file[size - 5..]);

    // Past the end: 416 naming the size.
    let r = client()
        .get(&url)
        .header("range", format!("bytes={size}-"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 416);
    assert_eq!(r.headers()["content-range"], format!("bytes */{size}"));

    // No range, or several: the whole file.
    for range in [None, Some("bytes=0-1,5-6")] {
        let mut req = client().get(&url);
        if let Some(range) = range {
            req = req.header("range", range);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 200, "{range:?}");
        assert_eq!(r.bytes().await.unwrap().len(), size);
    }
    // HEAD: the size without the body.
    let r = client().head(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-length"], size.to_string());

    // Cross-origin readers may see the range headers.
    let r = client()
        .get(&url)
        .header("origin", "https://gemeente.example.nl")
        .header("range", "bytes=0-9")
        .send()
        .await
        .unwrap();
    let exposed = r.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("content-range"), "{exposed}");

    // Only archives the catalog opened; nothing else of the folder.
    for path in [
        "/archives/lbm-2021.pmtiles",
        "/archives/lbm-2020.mbtiles",
        "/archives/lbm-index.sqlite",
        "/archives/..%2Flbm-2020.pmtiles",
    ] {
        let r = client()
            .get(format!("{}{path}", s.base))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{path}: {}", r.status());
        let text = r.text().await.unwrap();
        assert!(text.contains("error"), "{path}: {text}");
    }
}

#[tokio::test]
async fn versioned_tile_urls_are_immutable_and_old_versions_redirect() {
    let dir = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2020, 4.125);
    let s = start(dir.path()).await;
    let tj = get_json(&format!("{}/tiles/lbm-2020.json", s.base)).await;
    let template = tj["tiles"][0].as_str().unwrap().to_string();
    let prefix = format!("{}/tiles/lbm-2020/", s.base);
    let version = template
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix("/{z}/{x}/{y}.pbf"))
        .unwrap_or_else(|| panic!("{template}"))
        .to_string();
    assert_eq!(version.len(), 16);
    assert!(version.bytes().all(|b| b.is_ascii_hexdigit()));
    let cat = get_json(&format!("{}/catalog.json", s.base)).await;
    assert_eq!(cat["tilesets"][0]["tiles"][0], template);
    assert_eq!(cat["tilesets"][0]["version"], version);

    let (z, x, y) = TILE;
    let url = |v: &str| format!("{prefix}{v}/{z}/{x}/{y}.pbf");
    let r = client().get(url(&version)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let first = r.bytes().await.unwrap();
    // The unversioned URL keeps the revalidated default.
    let r = client()
        .get(format!("{}/tiles/lbm-2020/{z}/{x}/{y}.pbf", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["cache-control"],
        lbm_server::config::DEFAULT_CACHE_CONTROL
    );

    // The tileset is replaced: a new version, and the old URL leads to the new tile, uncached.
    write_tileset(dir.path(), "lbm", 2020, 9.5);
    let base = s.base.clone();
    eventually("the new version", || {
        let base = base.clone();
        let version = version.clone();
        async move {
            let tj = get_json(&format!("{base}/tiles/lbm-2020.json")).await;
            !tj["tiles"][0].as_str().unwrap().contains(&version)
        }
    })
    .await;
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirect.get(url(&version)).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&prefix) && !location.contains(&version),
        "{location}"
    );
    let r = client().get(&location).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_ne!(r.bytes().await.unwrap(), first);

    // Malformed versions are 400s, not redirects (an encoded traversal is refused earlier).
    for bad in ["a.b", &"f".repeat(65)] {
        let r = no_redirect.get(url(bad)).send().await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
    }
    let r = no_redirect.get(url("%2e%2e")).send().await.unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
}

#[tokio::test]
async fn corrupt_pmtiles_are_skipped_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2020, 4.125);
    std::fs::write(
        dir.path().join("fys-2020.pmtiles"),
        b"PMTiles\x03 not really",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("won-2020.pmtiles"),
        b"something else entirely",
    )
    .unwrap();
    let s = start(dir.path()).await;
    let health = get_json(&format!("{}/health", s.base)).await;
    let text = health.to_string();
    assert!(text.contains("fys-2020.pmtiles"), "{text}");
    assert!(text.contains("won-2020.pmtiles"), "{text}");
    let r = client()
        .get(format!("{}/tiles/fys-2020.json", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = client()
        .get(format!("{}/tiles/lbm-2020.json", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_replaced_archive_is_picked_up_with_a_new_version() {
    let first = tempfile::tempdir().unwrap();
    build_both(first.path());
    let served = only(first.path(), "pmtiles");
    let s = start(served.path()).await;
    let before = get_json(&format!("{}/tiles/lbm-2020.json", s.base)).await;

    // Another area, renamed into place over the served archive (as the tiler does).
    let second = tempfile::tempdir().unwrap();
    build_square(
        second.path(),
        [150_000.0, 440_000.0],
        lbm_tiler::OutputFormat::Pmtiles,
    );
    let tmp = served.path().join(".lbm-2020.pmtiles.tmp");
    std::fs::copy(second.path().join("lbm-2020.pmtiles"), &tmp).unwrap();
    std::fs::rename(&tmp, served.path().join("lbm-2020.pmtiles")).unwrap();

    let base = s.base.clone();
    let old_tiles = before["tiles"][0].as_str().unwrap().to_string();
    eventually("the replaced archive", || {
        let (base, old_tiles) = (base.clone(), old_tiles.clone());
        async move {
            let tj = get_json(&format!("{base}/tiles/lbm-2020.json")).await;
            tj["tiles"][0].as_str() != Some(old_tiles.as_str())
        }
    })
    .await;
    let after = get_json(&format!("{}/tiles/lbm-2020.json", s.base)).await;
    assert_ne!(after["bounds"], before["bounds"], "the new archive's area");
    // The raw archive is the new file too.
    let r = client()
        .get(format!("{}/archives/lbm-2020.pmtiles", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        &std::fs::read(served.path().join("lbm-2020.pmtiles")).unwrap()[..]
    );
}

/// A tile of an archive that the tile cache does not hold is read and answered before the
/// router (`http::fast_tile`) exactly as the full stack answers it: the same status, headers
/// (but `Date`) and body, for a stored tile (200, 304, with and without gzip, versioned) and an
/// empty one (204); each answer is one read, counted once as a miss.
#[tokio::test]
async fn archive_misses_skip_the_router_with_the_full_stack_answer() {
    use tower::ServiceExt;

    let both = tempfile::tempdir().unwrap();
    build_both(both.path());
    let pmtiles = only(both.path(), "pmtiles");
    // No tile cache: every request reads the archive.
    let s = start_with(pmtiles.path(), |c| c.tile_cache_mb = 0).await;
    let version = s
        .state
        .catalog
        .get("lbm-2020")
        .unwrap()
        .info
        .content_version
        .clone();
    let (c, _) = lbm_test_support::tiles(&both.path().join("lbm-2020.mbtiles"))
        .into_iter()
        .find(|(c, _)| c.z == 10)
        .expect("a z10 tile");
    let stored = format!("/tiles/lbm-2020/{}/{}/{}.pbf", c.z, c.x, c.y);
    let versioned = format!("/tiles/lbm-2020/{version}/{}/{}/{}.pbf", c.z, c.x, c.y);
    // In the zoom range, far from the square: no tile.
    let empty = "/tiles/lbm-2020/5/0/0.pbf".to_string();
    let (request, answer) = (get_request, comparable);
    let full = lbm_server::router(s.state.clone());
    let gz = ("accept-encoding", "gzip");
    let first = full.clone().oneshot(request(&stored, &[gz])).await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let if_none_match = ("if-none-match", etag.as_str());
    let asks = [
        (&stored, &[gz][..], 200),
        (&stored, &[], 200),
        (&stored, &[gz, if_none_match], 304),
        (&versioned, &[gz], 200),
        (&empty, &[gz], 204),
    ];
    for (path, headers, status) in &asks {
        let fast = lbm_server::http::fast_tile(
            &s.state,
            &request(path, headers),
            lbm_server::routes::stored_tile,
        )
        .await
        .unwrap_or_else(|| panic!("{path} {headers:?}: an archive's tile"));
        let slow = full.clone().oneshot(request(path, headers)).await.unwrap();
        let (fast, slow) = (answer(fast).await, answer(slow).await);
        assert_eq!(fast.0.as_u16(), *status, "{path} {headers:?}");
        assert_eq!(fast, slow, "{path} {headers:?}");
    }

    // Over HTTP: one miss per request, not one in the fast path and another in the full stack.
    let misses = || async {
        let text = client()
            .get(s.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("lbm_tile_cache_misses_total "))
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    let before = misses().await;
    for path in [&stored, &versioned, &empty] {
        let r = client().get(s.url(path)).send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
    }
    assert_eq!(misses().await - before, 3);
}

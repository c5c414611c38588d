//! The web map with no tile server at all: demo tiles as PMTiles (the real tiler), the site of
//! `lbm-server export-site`, Debian's nginx serving it with `deploy/nginx-static.conf` as plain
//! files on 127.0.0.1, and headless Chromium (`static/tests/static-site.test.mjs`) checking that
//! the map draws from the archives by range requests.
//!
//! Skips where Chromium, Node.js, the npm packages or nginx are missing, unless
//! `LBM_REQUIRE_BROWSER=1` / `LBM_REQUIRE_TOOLS=1` (CI sets both).

use std::path::{Path, PathBuf};
use std::process::Command;

use lbm_e2e::nginx::{free_port, Nginx};
use lbm_e2e::{browser_missing, workspace_root};

/// Two years of one measure around Utrecht, with their change map, in both formats.
fn build_tiles(dir: &Path) {
    let mut opts = lbm_tiler::DemoOptions::new(dir);
    opts.bbox = Some([128_000.0, 448_000.0, 142_000.0, 462_000.0]);
    opts.years = Some(vec![2020, 2022]);
    opts.measures = Some(vec!["lbm".into()]);
    opts.changes = Some(vec![(2020, 2022)]);
    opts.progress = false;
    opts.format = lbm_tiler::OutputFormat::Both;
    lbm_tiler::demo(&opts).expect("demo tiles");
}

#[test]
fn web_map_runs_from_pmtiles_on_a_static_file_server() {
    if let Some(reason) = browser_missing() {
        assert!(
            std::env::var("LBM_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "LBM_REQUIRE_BROWSER=1 but the static-site test cannot run: {reason}"
        );
        eprintln!("skipping the static-site browser test: {reason}");
        return;
    }
    let Some(nginx_bin) = Nginx::binary() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let tiles = tmp.path().join("tiles");
    build_tiles(&tiles);
    let catalog = lbm_server::Catalog::new(&tiles, 1);
    catalog.rescan_blocking();
    let site = tmp.path().join("site");
    let summary = lbm_server::site::export_site(
        &catalog.snapshot(),
        &tiles,
        &lbm_server::site::SiteOptions {
            out: site.clone(),
            archive_base: None,
            basemap: None,
            geocoder: None,
        },
    )
    .expect("export the site");
    assert_eq!(
        summary.tilesets, 5,
        "two years, a change map, the pressure overlay and the basemap"
    );
    // `config.json` tells the page there is no API, and no geocoder unless one was given.
    let config = |dir: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.join("config.json")).unwrap()).unwrap()
    };
    assert_eq!(config(&site)["api"], false);
    assert_eq!(config(&site)["geocoder_url"], serde_json::Value::Null);
    let with_geocoder = tmp.path().join("site-geocoder");
    let geocoder = "https://api.pdok.nl/bzk/locatieserver/search/v3_1";
    lbm_server::site::export_site(
        &catalog.snapshot(),
        &tiles,
        &lbm_server::site::SiteOptions {
            out: with_geocoder.clone(),
            archive_base: Some("https://example.org/tiles".into()),
            basemap: None,
            geocoder: Some(geocoder.into()),
        },
    )
    .expect("export the site with a geocoder");
    assert_eq!(config(&with_geocoder)["geocoder_url"], geocoder);
    // The report documents of the Netherlands and every area, as the API answers them.
    let index = catalog.snapshot().index.clone().expect("an index");
    let areas = index.codes_blocking().unwrap().len();
    assert_eq!(summary.reports, areas + 1, "NL and every area");
    let server = lbm_server::testing::TestServer::start(&tiles);
    for code in ["NL", "GM0344"] {
        let path = if code == "NL" {
            "/api/v1/report".to_string()
        } else {
            format!("/api/v1/areas/{code}/report")
        };
        let api: serde_json::Value = reqwest::blocking::get(format!("{}{path}", server.base))
            .unwrap()
            .json()
            .unwrap();
        let file: serde_json::Value = serde_json::from_slice(
            &std::fs::read(site.join("reports").join(format!("{code}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(file, api, "{code}: the file is the API's document");
    }

    let port = free_port();
    let conf = std::fs::read_to_string(workspace_root().join("deploy/nginx-static.conf"))
        .unwrap()
        .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
        .replace("/srv/lbm/site", &site.display().to_string());
    assert!(conf.contains(&site.display().to_string()) && conf.contains(&port.to_string()));
    let nginx = Nginx::start(&nginx_bin, &tmp.path().join("nginx"), port, &conf);

    let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-artifacts");
    let root = workspace_root();
    let status = Command::new("node")
        .arg("--test")
        .arg("--test-reporter=spec")
        .arg(root.join("static/tests/static-site.test.mjs"))
        .current_dir(root.join("static"))
        .env("LBM_SITE_URL", &nginx.base)
        .env("LBM_ARTIFACTS", &artifacts)
        .env("LBM_REQUIRE_BROWSER", "1")
        .status()
        .expect("run node");
    eprintln!("screenshots in {}", artifacts.display());
    assert!(
        status.success(),
        "static-site browser test failed: {status}\nnginx log:\n{}",
        nginx.error_log()
    );
}

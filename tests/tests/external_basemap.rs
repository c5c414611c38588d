//! The web map on external basemaps in two real-world shapes (PDOK's BRT-Achtergrondkaart and
//! the OpenMapTiles schema), each served from another port with its own tiles, sprite and
//! glyphs (`lbm_e2e::basemap_origin`), in headless Chromium (`static/tests/basemap-external.test.mjs`):
//! first with that host up, then with it gone.

use std::path::PathBuf;
use std::process::Command;

use lbm_e2e::basemap_origin::BasemapOrigin;
use lbm_e2e::{browser_missing, build_demo, workspace_root, TestServer};

fn run_node(server: &TestServer, origin: &str, shape: &str, state: &str, artifacts: &PathBuf) {
    let root = workspace_root();
    let status = Command::new("node")
        .arg("--test")
        .arg("--test-reporter=spec")
        .arg(root.join("static/tests/basemap-external.test.mjs"))
        .current_dir(root.join("static"))
        .env("LBM_BASE_URL", &server.base)
        .env("LBM_BASEMAP_ORIGIN", origin)
        .env("LBM_BASEMAP_SHAPE", shape)
        .env("LBM_BASEMAP_STATE", state)
        .env("LBM_ARTIFACTS", artifacts)
        .env("LBM_REQUIRE_BROWSER", "1")
        .status()
        .expect("run node");
    assert!(status.success(), "{shape} basemap {state}: {status}");
}

#[test]
fn external_basemaps_lie_over_the_scores_and_the_built_in_one_stands_in() {
    if let Some(reason) = browser_missing() {
        if std::env::var("LBM_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("LBM_REQUIRE_BROWSER=1 but the browser test cannot run: {reason}");
        }
        eprintln!("skipping the external basemap test: {reason}");
        return;
    }
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let tiles = build_demo(&tmp.join("e2e-external-basemap"));
    let artifacts = tmp.join("browser-artifacts");
    for shape in ["pdok", "omt"] {
        let origin = BasemapOrigin::start(&tiles.join("basemap.mbtiles"));
        let base = origin.base.clone();
        let mut config = lbm_server::Config::for_tiles(&tiles);
        config.basemap_style_url = Some(origin.style_url(shape));
        let server = TestServer::start_with(config);
        run_node(&server, &base, shape, "up", &artifacts);
        drop(origin);
        run_node(&server, &base, shape, "down", &artifacts);
    }
    eprintln!("screenshots in {}", artifacts.display());
}

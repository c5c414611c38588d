//! Address and postcode search through a geocoder in the shape of PDOK Locatieserver v3.1
//! (`lbm-server --geocoder-url`): a stand-in on another port (`lbm_e2e::geocoder`) up, gone and
//! slow, with the web map in headless Chromium (`static/tests/geocoder.test.mjs`).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use lbm_e2e::geocoder::Geocoder;
use lbm_e2e::{browser_missing, build_demo, workspace_root, TestServer};

fn run_node(server: &TestServer, geocoder: &str, state: &str, artifacts: &PathBuf) {
    let root = workspace_root();
    let status = Command::new("node")
        .arg("--test")
        .arg("--test-reporter=spec")
        .arg(root.join("static/tests/geocoder.test.mjs"))
        .current_dir(root.join("static"))
        .env("LBM_BASE_URL", &server.base)
        .env("LBM_GEOCODER_URL", geocoder)
        .env("LBM_GEOCODER_STATE", state)
        .env("LBM_ARTIFACTS", artifacts)
        .env("LBM_REQUIRE_BROWSER", "1")
        .status()
        .expect("run node");
    assert!(status.success(), "geocoder {state}: {status}");
}

fn server_with(tiles: &std::path::Path, geocoder: &str) -> TestServer {
    let mut config = lbm_server::Config::for_tiles(tiles);
    config.geocoder_url = Some(geocoder.to_string());
    TestServer::start_with(config)
}

#[test]
fn addresses_are_found_through_the_geocoder_and_search_works_without_it() {
    if let Some(reason) = browser_missing() {
        if std::env::var("LBM_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("LBM_REQUIRE_BROWSER=1 but the browser test cannot run: {reason}");
        }
        eprintln!("skipping the geocoder test: {reason}");
        return;
    }
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let tiles = build_demo(&tmp.join("e2e-geocoder"));
    let artifacts = tmp.join("browser-artifacts");

    let geocoder = Geocoder::start(Duration::ZERO);
    let base = geocoder.base.clone();
    let server = server_with(&tiles, &base);
    run_node(&server, &base, "up", &artifacts);
    let asked = geocoder.requests();
    assert!(
        asked.iter().any(|r| r.starts_with("lookup adr-")),
        "the page resolved the address: {asked:?}"
    );
    drop(geocoder);
    run_node(&server, &base, "down", &artifacts);

    let slow = Geocoder::start(Duration::from_secs(10));
    let server = server_with(&tiles, &slow.base);
    run_node(&server, &slow.base, "slow", &artifacts);
}

#[test]
fn a_geocoder_url_that_is_not_http_is_refused_at_start() {
    let mut config = lbm_server::Config::for_tiles("unused");
    for bad in ["ftp://x", "api.pdok.nl/search", "https://x/?q=1"] {
        config.geocoder_url = Some(bad.into());
        let err = config.geocoder().unwrap_err();
        assert!(err.contains("--geocoder-url"), "{err}");
    }
    config.geocoder_url = Some("https://api.pdok.nl/bzk/locatieserver/search/v3_1/".into());
    assert_eq!(
        config.geocoder().unwrap().as_deref(),
        Some("https://api.pdok.nl/bzk/locatieserver/search/v3_1")
    );
}

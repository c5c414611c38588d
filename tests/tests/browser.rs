//! End to end in a real browser: demo tiles from the real tiler, a real lbm-server on 127.0.0.1,
//! and Debian's headless Chromium driven by playwright-core (`static/tests/browser.test.mjs`, and
//! `usertest.test.mjs`: the defects a user test found; `report.test.mjs`: the area reports;
//! `a11y.test.mjs`: axe-core's WCAG 2.1 A/AA checks).
//!
//! Skips (with a message) where Chromium, Node.js or the web map's npm packages are missing,
//! unless `LBM_REQUIRE_BROWSER=1`, which CI sets: then a missing part fails the test.

use std::path::PathBuf;
use std::process::Command;

use lbm_e2e::{browser_missing, build_demo, workspace_root, TestServer};

#[test]
fn web_map_in_headless_chromium() {
    if let Some(reason) = browser_missing() {
        if std::env::var("LBM_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("LBM_REQUIRE_BROWSER=1 but the browser test cannot run: {reason}");
        }
        eprintln!("skipping the browser test: {reason}");
        return;
    }
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let tiles = build_demo(&tmp.join("e2e-browser"));
    let server = TestServer::start(&tiles);
    let artifacts = tmp.join("browser-artifacts");
    let root = workspace_root();
    let status = Command::new("node")
        .arg("--test")
        .arg("--test-reporter=spec")
        .arg(root.join("static/tests/browser.test.mjs"))
        .arg(root.join("static/tests/usertest.test.mjs"))
        .arg(root.join("static/tests/report.test.mjs"))
        .arg(root.join("static/tests/a11y.test.mjs"))
        .current_dir(root.join("static"))
        .env("LBM_BASE_URL", &server.base)
        .env("LBM_ARTIFACTS", &artifacts)
        .env("LBM_REQUIRE_BROWSER", "1")
        .status()
        .expect("run node");
    eprintln!("screenshots in {}", artifacts.display());
    assert!(status.success(), "browser test failed: {status}");
}

/// The official open data in the browser: a site built from a release in the published layout
/// (`lbm_e2e::release`), with `static/tests/open-data.test.mjs`.
#[test]
fn official_release_in_headless_chromium() {
    if let Some(reason) = browser_missing() {
        if std::env::var("LBM_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("LBM_REQUIRE_BROWSER=1 but the browser test cannot run: {reason}");
        }
        eprintln!("skipping the open-data browser test: {reason}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (tiles, _) = lbm_e2e::release::build_release(dir.path());
    let server = TestServer::start(&tiles);
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let root = workspace_root();
    let status = Command::new("node")
        .arg("--test")
        .arg("--test-reporter=spec")
        .arg(root.join("static/tests/open-data.test.mjs"))
        .current_dir(root.join("static"))
        .env("LBM_BASE_URL", &server.base)
        .env("LBM_ARTIFACTS", tmp.join("browser-artifacts"))
        .env("LBM_REQUIRE_BROWSER", "1")
        .status()
        .expect("run node");
    assert!(status.success(), "open-data browser test failed: {status}");
}

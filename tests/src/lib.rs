//! Shared parts of the end-to-end tests: demo tiles built by the real tiler, a real `lbm-server`
//! on an ephemeral 127.0.0.1 port, and an MVT decoder that knows nothing of our encoder.

use std::path::{Path, PathBuf};

pub use lbm_test_support::*;

pub mod basemap_origin;
pub mod geocoder;
pub mod local_server;
pub mod nginx;
pub mod release;

/// The demo region of the tests: the city of Utrecht and surroundings (RD New metres).
pub const DEMO_BBOX: [f64; 4] = [125_000.0, 445_000.0, 145_000.0, 465_000.0];
/// The demo years of the tests (a subset of the eight, enough for switching and a time series).
pub const DEMO_YEARS: [u16; 3] = [2018, 2020, 2022];

/// Builds the demo tilesets for [`DEMO_BBOX`] and [`DEMO_YEARS`] into `dir` (emptied first).
pub fn build_demo(dir: &Path) -> PathBuf {
    if dir.exists() {
        std::fs::remove_dir_all(dir).expect("clear the demo folder");
    }
    let mut opts = lbm_tiler::DemoOptions::new(dir);
    opts.bbox = Some(DEMO_BBOX);
    opts.years = Some(DEMO_YEARS.to_vec());
    opts.progress = false;
    lbm_tiler::demo(&opts).expect("demo build");
    dir.to_path_buf()
}

pub use lbm_server::testing::TestServer;

/// A tool a test needs (nginx, the Python readers, ...): found on PATH or at one of
/// `fallbacks`. When missing, the test skips with the reason printed, unless
/// `LBM_REQUIRE_TOOLS=1` (set by `.ci/run`, which installs them): then it fails.
pub fn require_tool(name: &str, fallbacks: &[&str]) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    let found = on_path.or_else(|| fallbacks.iter().map(PathBuf::from).find(|p| p.is_file()));
    if found.is_none() {
        assert!(
            std::env::var("LBM_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{name} is required (LBM_REQUIRE_TOOLS=1) but was not found; .ci/run installs it"
        );
        eprintln!("skipped: {name} not found (set LBM_REQUIRE_TOOLS=1 to make this an error)");
    }
    found
}

/// Why the browser tests cannot run here (no Chromium, Node.js or the web map's npm packages),
/// or `None` when they can.
pub fn browser_missing() -> Option<String> {
    let chromium = std::env::var("LBM_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !PathBuf::from(&chromium).is_file() {
        return Some(format!(
            "no Chromium at {chromium} (apt-get install chromium)"
        ));
    }
    if !have_program("node") {
        return Some("no node on PATH".into());
    }
    if !workspace_root()
        .join("static/node_modules/playwright-core")
        .is_dir()
    {
        return Some("static/node_modules is missing (run npm ci in static/)".into());
    }
    None
}

/// Whether a program can be found on PATH.
pub fn have_program(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
}

/// The workspace root (the folder holding `static/` and `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

//! Debian's nginx in front of `lbm-server` as a caching proxy, configured with the very file
//! `docs/deploy.md` tells operators to install (`deploy/nginx-lbm.conf`): the versioned tile
//! URLs TileJSON names are cached, a hot tile is served from the cache without reaching the
//! server, and keeps being served while the server is down.

use std::path::Path;

use lbm_e2e::nginx::{free_port, Nginx};
use lbm_e2e::{workspace_root, TestServer};
use serde_json::Value;

/// One measure and year of a small part of the demo.
fn build_tiles(dir: &Path) {
    let mut opts = lbm_tiler::DemoOptions::new(dir);
    opts.bbox = Some([130_000.0, 450_000.0, 140_000.0, 460_000.0]);
    opts.years = Some(vec![2022]);
    opts.measures = Some(vec!["lbm".into()]);
    opts.maxzoom = 12;
    opts.changes = Some(vec![]);
    opts.progress = false;
    lbm_tiler::demo(&opts).expect("demo tiles");
}

/// `deploy/nginx-lbm.conf` pointed at this test's server, port and cache folder.
fn proxy_conf(upstream: &str, port: u16, cache: &Path) -> String {
    let conf = std::fs::read_to_string(workspace_root().join("deploy/nginx-lbm.conf"))
        .expect("deploy/nginx-lbm.conf");
    let replaced = conf
        .replace("server 127.0.0.1:8080;", &format!("server {upstream};"))
        .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
        .replace("/var/cache/nginx/lbm", &cache.display().to_string());
    // Each replacement must have hit, or the test would silently test something else.
    for needle in ["127.0.0.1:8080", "listen 80;", "/var/cache/nginx/lbm"] {
        assert!(!replaced.contains(needle), "{needle} still in the config");
    }
    assert!(replaced.contains(upstream) && replaced.contains(&port.to_string()));
    replaced
}

/// How many tile requests reached the server, from its Prometheus metrics.
fn tile_requests_seen(server: &TestServer) -> u64 {
    let text = reqwest::blocking::get(server.url("/metrics"))
        .and_then(|r| r.text())
        .expect("metrics");
    text.lines()
        .filter(|l| l.starts_with("lbm_http_requests_total") && l.contains("route=\"tile\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

#[test]
fn nginx_caches_versioned_tiles_and_serves_them_while_the_server_is_down() {
    let Some(nginx_bin) = Nginx::binary() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let tiles = tmp.path().join("tiles");
    build_tiles(&tiles);
    let server = TestServer::start(&tiles);
    let port = free_port();
    let upstream = server.addr.to_string();
    let conf = proxy_conf(&upstream, port, &tmp.path().join("cache"));
    let nginx = Nginx::start(&nginx_bin, &tmp.path().join("nginx"), port, &conf);
    let client = reqwest::blocking::Client::builder()
        .gzip(false)
        .build()
        .unwrap();

    // TileJSON through the proxy names the proxy, with a versioned tile URL.
    let tj: Value = client
        .get(format!("{}/tiles/lbm-2022.json", nginx.base))
        .send()
        .and_then(|r| r.json())
        .unwrap_or_else(|e| panic!("TileJSON via nginx: {e}\n{}", nginx.error_log()));
    let template = tj["tiles"][0].as_str().unwrap().to_string();
    let prefix = format!("{}/tiles/lbm-2022/", nginx.base);
    assert!(template.starts_with(&prefix), "{template}");

    // The z12 tile in the middle of the area (it has cells).
    let (lon, lat) = lbm_tileset::project::rd_to_wgs84(135_000.0, 455_000.0).unwrap();
    let ((x, y), _) = lbm_e2e::tile_of(lon, lat, 12, 4096);
    let url = template
        .replace("{z}", "12")
        .replace("{x}", &x.to_string())
        .replace("{y}", &y.to_string());
    let direct = client
        .get(url.replace(&nginx.base, &server.base))
        .header("accept-encoding", "gzip")
        .send()
        .unwrap();
    assert_eq!(direct.status(), 200, "{url}");
    let direct = direct.bytes().unwrap();

    let before = tile_requests_seen(&server);
    let fetch = || {
        let r = client
            .get(&url)
            .header("accept-encoding", "gzip")
            .send()
            .unwrap();
        let status = r.status().as_u16();
        let cache = r
            .headers()
            .get("x-cache-status")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let control = r
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, cache, control, r.bytes().unwrap())
    };
    let (status, cache, control, body) = fetch();
    assert_eq!((status, cache.as_str()), (200, "MISS"), "{url}");
    assert!(control.contains("immutable"), "{control}");
    assert_eq!(body, direct);
    for _ in 0..20 {
        let (status, cache, _, body) = fetch();
        assert_eq!((status, cache.as_str()), (200, "HIT"));
        assert_eq!(body, direct);
    }
    // One request reached the server for 21 answers.
    assert_eq!(tile_requests_seen(&server) - before, 1);

    // The server goes away; the hot tile is still served, from the cache.
    drop(server);
    let (status, cache, _, body) = fetch();
    assert_eq!((status, cache.as_str()), (200, "HIT"));
    assert_eq!(body, direct);
    // A tile nobody asked for before is not there: nginx says the upstream is down.
    let cold = template
        .replace("{z}", "12")
        .replace("{x}", &(x + 1).to_string())
        .replace("{y}", &y.to_string());
    let status = client.get(&cold).send().unwrap().status().as_u16();
    assert_eq!(status, 502, "{cold}");
    println!("nginx cache: 21 requests of {url} → 1 at the server; HIT while the server was down");
}

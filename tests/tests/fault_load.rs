//! Fault-and-load test: steady tile load against the demo tilesets while (a) a
//! tileset is replaced by a newer build, (b) a tileset is deleted, (c) a truncated and a corrupt
//! `.mbtiles` are dropped into the folder, (d) 200 slow clients hold half-sent requests, and
//! (e) the real `lbm-server` binary gets SIGTERM with requests in flight.
//!
//! Bounded by request counts and generous polling limits, 127.0.0.1 only; it asserts outcomes,
//! never durations. Prints requests, errors and latency percentiles at the end.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lbm_e2e::get_json;
use lbm_e2e::{build_demo, TestServer};
use lbm_formats::TileCoord;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Exists throughout: every request must succeed.
const STEADY: &str = "lbm-2022";
/// Replaced by another build (the 2018 file) mid-load: every request must succeed.
const SWAPPED: &str = "lbm-2020";
/// Deleted mid-load: 200/204 before, 404 once the deletion was seen.
const DELETED: &str = "fys-2020";
/// Upper bound of requests per load client (the load stops earlier, when the faults are done).
const MAX_REQUESTS_PER_CLIENT: usize = 20_000;
const CLIENTS: usize = 4;
const SLOW_CLIENTS: usize = 200;

/// The demo tiles, built once per test binary (both tests wait for the one build).
fn demo_dir() -> PathBuf {
    static DEMO: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-fault-load");
        build_demo(&dir.join("demo"));
        dir
    })
    .clone()
}

/// A fresh copy of the demo tiles (the test changes the folder).
fn fresh_tiles(name: &str) -> PathBuf {
    let dir = demo_dir();
    let out = dir.join(name);
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    for e in std::fs::read_dir(dir.join("demo")).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), out.join(e.file_name())).unwrap();
        }
    }
    out
}

/// Up to `n` XYZ addresses of non-empty tiles of a tileset file.
fn some_tiles(path: &Path, n: usize) -> Vec<TileCoord> {
    lbm_test_support::tiles(path)
        .into_iter()
        .filter(|(_, data)| !data.is_empty())
        .map(|(c, _)| c)
        .take(n)
        .collect()
}

/// Counters of the load clients.
#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    errors: Mutex<Vec<String>>,
    latencies: Mutex<Vec<Duration>>,
}

impl Stats {
    fn error(&self, e: String) {
        self.errors.lock().unwrap().push(e);
    }

    fn report(&self, what: &str) {
        let mut l = self.latencies.lock().unwrap().clone();
        l.sort();
        let p = |q: f64| {
            l.get(((l.len() as f64 * q) as usize).min(l.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        eprintln!(
            "{what}: {} requests, {} errors, latency p50 {:?} p90 {:?} p99 {:?} max {:?}",
            self.requests.load(Ordering::Relaxed),
            self.errors.lock().unwrap().len(),
            p(0.5),
            p(0.9),
            p(0.99),
            l.last().copied().unwrap_or_default()
        );
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

/// Polls `f` until true (up to 10 minutes: correctness, not speed).
async fn eventually<F, Fut>(what: &str, f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    lbm_e2e::eventually(what, Duration::from_secs(600), f).await
}

#[test]
fn load_with_faults() {
    let tiles = fresh_tiles("faults");
    let steady_tiles = some_tiles(&tiles.join(format!("{STEADY}.mbtiles")), 16);
    let swapped_tiles = some_tiles(&tiles.join(format!("{SWAPPED}.mbtiles")), 16);
    let deleted_tiles = some_tiles(&tiles.join(format!("{DELETED}.mbtiles")), 16);
    assert!(!steady_tiles.is_empty() && !swapped_tiles.is_empty() && !deleted_tiles.is_empty());

    let mut config = lbm_server::Config::for_tiles(&tiles);
    config.rescan_ms = 200;
    config.header_read_timeout = 2;
    let server = TestServer::start_with(config);
    let base = server.base.clone();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let stats = Arc::new(Stats::default());
    let done = Arc::new(AtomicBool::new(false));
    let deleted_seen = Arc::new(AtomicBool::new(false));

    rt.block_on(async {
        let c = client();
        // Wait for the first scan.
        eventually("server healthy", || async {
            c.get(format!("{base}/health"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
        })
        .await;

        // Steady load.
        let mut load = Vec::new();
        for i in 0..CLIENTS {
            let (base, stats, done, deleted_seen) =
                (base.clone(), stats.clone(), done.clone(), deleted_seen.clone());
            let (steady, swapped, deleted) =
                (steady_tiles.clone(), swapped_tiles.clone(), deleted_tiles.clone());
            load.push(tokio::spawn(async move {
                let c = client();
                for n in 0..MAX_REQUESTS_PER_CLIENT {
                    if done.load(Ordering::Relaxed) {
                        break;
                    }
                    let k = n + i;
                    let (id, TileCoord { z, x, y }) = match k % 3 {
                        0 => (STEADY, steady[k % steady.len()]),
                        1 => (SWAPPED, swapped[k % swapped.len()]),
                        _ => (DELETED, deleted[k % deleted.len()]),
                    };
                    let must_be_gone = id == DELETED && deleted_seen.load(Ordering::SeqCst);
                    let url = format!("{base}/tiles/{id}/{z}/{x}/{y}.pbf");
                    let start = Instant::now();
                    let result = match c.get(&url).send().await {
                        Ok(r) => {
                            let status = r.status().as_u16();
                            r.bytes().await.map(|_| status).map_err(|e| e.to_string())
                        }
                        Err(e) => Err(e.to_string()),
                    };
                    stats.latencies.lock().unwrap().push(start.elapsed());
                    stats.requests.fetch_add(1, Ordering::Relaxed);
                    match result {
                        Ok(404) if id == DELETED => {}
                        Ok(200 | 204) if !must_be_gone => {}
                        Ok(s) => stats.error(format!("{url}: {s}")),
                        Err(e) => stats.error(format!("{url}: {e}")),
                    }
                }
            }));
        }

        // (a) Replace a tileset by another build: written under a temp name, renamed over.
        let before = get_json(&c, &format!("{base}/tiles/{SWAPPED}.json")).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let tmp = tiles.join(format!(".{SWAPPED}.mbtiles.tmp"));
        std::fs::copy(tiles.join("lbm-2018.mbtiles"), &tmp).unwrap();
        std::fs::rename(&tmp, tiles.join(format!("{SWAPPED}.mbtiles"))).unwrap();
        eventually("the replaced tileset is served", || async {
            let now = get_json(&c, &format!("{base}/tiles/{SWAPPED}.json")).await;
            now["name"] != before["name"]
        })
        .await;
        let after = get_json(&c, &format!("{base}/tiles/{SWAPPED}.json")).await;
        eprintln!("(a) {SWAPPED} swapped: {:?} -> {:?}", before["name"], after["name"]);

        // (b) Delete a tileset.
        std::fs::remove_file(tiles.join(format!("{DELETED}.mbtiles"))).unwrap();
        let TileCoord { z, x, y } = deleted_tiles[0];
        eventually("the deleted tileset answers 404", || async {
            c.get(format!("{base}/tiles/{DELETED}/{z}/{x}/{y}.pbf"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 404)
        })
        .await;
        deleted_seen.store(true, Ordering::SeqCst);
        eprintln!("(b) {DELETED} deleted: 404");

        // (c) A truncated and a corrupt tileset.
        let good = std::fs::read(tiles.join(format!("{STEADY}.mbtiles"))).unwrap();
        std::fs::write(tiles.join("truncated-2019.mbtiles"), &good[..good.len() / 3]).unwrap();
        let mut corrupt = good.clone();
        for b in corrupt.iter_mut().skip(100).step_by(7) {
            *b ^= 0x5a;
        }
        std::fs::write(tiles.join("corrupt-2019.mbtiles"), &corrupt).unwrap();
        eventually("both bad files are listed as skipped with a reason", || async {
            let health = get_json(&c, &format!("{base}/health")).await;
            let skipped = health["skipped"].as_array().cloned().unwrap_or_default();
            ["truncated-2019.mbtiles", "corrupt-2019.mbtiles"].iter().all(|f| {
                skipped.iter().any(|s| {
                    s["file"] == *f && s["reason"].as_str().is_some_and(|r| !r.is_empty())
                })
            })
        })
        .await;
        let health = get_json(&c, &format!("{base}/health")).await;
        eprintln!("(c) skipped: {}", health["skipped"]);
        let catalog = get_json(&c, &format!("{base}/catalog.json")).await;
        let ids: Vec<&str> = catalog["tilesets"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["id"].as_str())
            .collect();
        assert!(!ids.contains(&"truncated-2019") && !ids.contains(&"corrupt-2019"));
        assert!(ids.contains(&STEADY) && ids.contains(&SWAPPED) && !ids.contains(&DELETED));

        // (d) Slow clients: half a request each, then nothing.
        let mut slow = Vec::new();
        for _ in 0..SLOW_CLIENTS {
            let mut s = tokio::net::TcpStream::connect(server.addr).await.unwrap();
            s.write_all(format!("GET /tiles/{STEADY}.json HTTP/1.1\r\nHost: 127.0.0.1\r\n").as_bytes())
                .await
                .unwrap();
            slow.push(s);
        }
        let served_during = stats.requests.load(Ordering::Relaxed);
        let mut closed = 0;
        for mut s in slow {
            let mut buf = Vec::new();
            let read =
                tokio::time::timeout(Duration::from_secs(600), s.read_to_end(&mut buf)).await;
            if read.is_ok() {
                closed += 1;
            }
        }
        let served_after = stats.requests.load(Ordering::Relaxed);
        eprintln!(
            "(d) {closed}/{SLOW_CLIENTS} slow clients closed by the server; {} load requests served meanwhile",
            served_after - served_during
        );
        assert_eq!(closed, SLOW_CLIENTS, "slow clients left open");
        assert!(served_after > served_during, "load starved by slow clients");

        done.store(true, Ordering::Relaxed);
        for t in load {
            t.await.unwrap();
        }
    });

    stats.report("load (a)-(d)");
    let errors = stats.errors.lock().unwrap();
    assert!(
        errors.is_empty(),
        "failed requests: {:?}",
        &errors[..errors.len().min(20)]
    );
    drop(server);
}

/// The `lbm-server` binary next to this test's target directory, if it was built.
fn server_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let bin = exe
        .parent()?
        .parent()?
        .join(format!("lbm-server{}", std::env::consts::EXE_SUFFIX));
    bin.is_file().then_some(bin)
}

#[cfg(unix)]
#[test]
fn sigterm_drains_in_flight_requests() {
    use std::io::BufRead;

    let Some(bin) = server_binary() else {
        // CI builds the binaries first (.ci/run); there a missing one is a failure, not a skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "lbm-server binary not built: .ci/run must run `cargo build -p lbm-server` first"
        );
        eprintln!("SKIPPED: lbm-server binary not built (run `cargo build -p lbm-server` first)");
        return;
    };
    let tiles = fresh_tiles("sigterm");
    let mut child = std::process::Command::new(&bin)
        .args(["--bind", "127.0.0.1:0", "--tiles"])
        .arg(&tiles)
        .env("RUST_LOG", "info,lbm_server::access=off")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let logs = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let _ = tx.send(rest.split('/').next().unwrap_or_default().to_string());
            }
            lines.push(line);
        }
        lines
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(600))
        .expect("server address in the log");
    let base = format!("http://{addr}");
    let tile = some_tiles(&tiles.join(format!("{STEADY}.mbtiles")), 1)[0];

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let stats = Arc::new(Stats::default());
    let term_sent = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..CLIENTS * 2 {
            let (base, stats, term_sent, ok, refused) = (
                base.clone(),
                stats.clone(),
                term_sent.clone(),
                ok.clone(),
                refused.clone(),
            );
            tasks.push(tokio::spawn(async move {
                // A new connection per request: each one is either served in full or refused.
                let c = reqwest::Client::builder()
                    .pool_max_idle_per_host(0)
                    .timeout(Duration::from_secs(120))
                    .build()
                    .unwrap();
                let TileCoord { z, x, y } = tile;
                for _ in 0..300 {
                    let start = Instant::now();
                    let after_term = term_sent.load(Ordering::SeqCst);
                    let res = c
                        .get(format!("{base}/tiles/{STEADY}/{z}/{x}/{y}.pbf"))
                        .send()
                        .await;
                    stats.requests.fetch_add(1, Ordering::Relaxed);
                    match res {
                        Ok(r) => {
                            let status = r.status();
                            match r.bytes().await {
                                Ok(_) if status == 200 => {
                                    ok.fetch_add(1, Ordering::Relaxed);
                                    stats.latencies.lock().unwrap().push(start.elapsed());
                                }
                                Ok(_) => stats.error(format!("status {status}")),
                                Err(e) => stats.error(format!("body cut off: {e}")),
                            }
                        }
                        // Once SIGTERM went out, new connections may be refused: that is the
                        // listener closing, not a dropped request.
                        Err(_) if after_term || term_sent.load(Ordering::SeqCst) => {
                            refused.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                        Err(e) => stats.error(format!("before SIGTERM: {e}")),
                    }
                }
            }));
        }
        // Let the load get going, then SIGTERM.
        let ok2 = ok.clone();
        eventually("some requests served", || {
            let n = ok2.load(Ordering::Relaxed);
            async move { n >= 200 }
        })
        .await;
        term_sent.store(true, Ordering::SeqCst);
        let status = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        for t in tasks {
            t.await.unwrap();
        }
    });
    let exit = child.wait().unwrap();
    let lines = logs.join().unwrap();
    eprintln!(
        "(e) SIGTERM: {} served in full, {} refused after SIGTERM, {exit}",
        ok.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed)
    );
    stats.report("load (e)");
    assert!(exit.success(), "exit status {exit}");
    assert!(lines.iter().any(|l| l.contains("shutting down")));
    let errors = stats.errors.lock().unwrap();
    assert!(
        errors.is_empty(),
        "failed requests: {:?}",
        &errors[..errors.len().min(20)]
    );
}

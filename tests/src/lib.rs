//! Shared parts of the end-to-end tests: demo tiles built by the real tiler, a real `lbm-server`
//! on an ephemeral 127.0.0.1 port, and an MVT decoder that knows nothing of our encoder.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use geozero::mvt::{tile, Message, Tile};

pub mod nginx;

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

/// A running `lbm-server` on its own runtime thread; stopped (gracefully) on drop.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The bound address.
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server on `tiles` with the default configuration.
    pub fn start(tiles: &Path) -> Self {
        Self::start_with(lbm_server::Config::for_tiles(tiles))
    }

    /// Starts a server with `config` on 127.0.0.1 and an ephemeral port.
    pub fn start_with(config: lbm_server::Config) -> Self {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(async move {
                let state = lbm_server::AppState::load(config)
                    .await
                    .expect("load tiles");
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                addr_tx
                    .send(listener.local_addr().expect("addr"))
                    .expect("report addr");
                let shutdown = async move {
                    let _ = stopped.await;
                };
                lbm_server::serve(listener, state, shutdown)
                    .await
                    .expect("serve");
            });
        });
        let addr = addr_rx.recv().expect("server started");
        TestServer {
            base: format!("http://{addr}"),
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One decoded MVT feature: id, properties and polygon rings in tile coordinates.
#[derive(Debug, Clone)]
pub struct Feature {
    /// The feature id.
    pub id: u64,
    /// Properties by key: numbers as f64, strings as strings.
    pub props: HashMap<String, serde_json::Value>,
    /// Rings as decoded from the command stream (closing point not repeated).
    pub rings: Vec<Vec<(i64, i64)>>,
}

/// Decodes layer `layer` of an (uncompressed) MVT tile with geozero's protobuf types and a plain
/// reading of the MVT 2.1 command encoding.
pub fn decode_layer(mvt: &[u8], layer: &str) -> (u32, Vec<Feature>) {
    let tile = Tile::decode(mvt).expect("valid MVT protobuf");
    let Some(layer) = tile.layers.iter().find(|l| l.name == layer) else {
        return (4096, Vec::new());
    };
    let features = layer
        .features
        .iter()
        .map(|f| {
            let mut props = HashMap::new();
            for kv in f.tags.chunks(2) {
                let key = layer.keys[kv[0] as usize].clone();
                props.insert(key, value_json(&layer.values[kv[1] as usize]));
            }
            Feature {
                id: f.id.expect("feature id"),
                props,
                rings: decode_rings(&f.geometry),
            }
        })
        .collect();
    (layer.extent.unwrap_or(4096), features)
}

fn value_json(v: &tile::Value) -> serde_json::Value {
    if let Some(s) = &v.string_value {
        return serde_json::Value::from(s.clone());
    }
    let n = v
        .double_value
        .or(v.float_value.map(f64::from))
        .or(v.int_value.map(|i| i as f64))
        .or(v.uint_value.map(|u| u as f64))
        .or(v.sint_value.map(|s| s as f64));
    match (n, v.bool_value) {
        (Some(n), _) => serde_json::Value::from(n),
        (None, Some(b)) => serde_json::Value::from(b),
        _ => serde_json::Value::Null,
    }
}

fn decode_rings(geometry: &[u32]) -> Vec<Vec<(i64, i64)>> {
    let zigzag = |v: u32| ((v >> 1) as i64) ^ -((v & 1) as i64);
    let (mut x, mut y) = (0i64, 0i64);
    let mut rings = Vec::new();
    let mut ring = Vec::new();
    let mut i = 0;
    while i < geometry.len() {
        let (cmd, count) = (geometry[i] & 7, geometry[i] >> 3);
        i += 1;
        match cmd {
            1 | 2 => {
                for _ in 0..count {
                    x += zigzag(geometry[i]);
                    y += zigzag(geometry[i + 1]);
                    i += 2;
                    if cmd == 1 && !ring.is_empty() {
                        rings.push(std::mem::take(&mut ring));
                    }
                    ring.push((x, y));
                }
            }
            7 => rings.push(std::mem::take(&mut ring)),
            other => panic!("unknown MVT command {other}"),
        }
    }
    if !ring.is_empty() {
        rings.push(ring);
    }
    rings
}

/// Twice the signed area of a ring by the surveyor's formula in tile coordinates (y down):
/// positive for the clockwise exterior rings MVT 2.1 requires.
pub fn ring_area2(ring: &[(i64, i64)]) -> i64 {
    (0..ring.len())
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum()
}

/// Whether `p` lies inside `ring` (even-odd rule).
pub fn ring_contains(ring: &[(i64, i64)], p: (f64, f64)) -> bool {
    let mut inside = false;
    let n = ring.len();
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + n - 1) % n]);
        let (ax, ay, bx, by) = (a.0 as f64, a.1 as f64, b.0 as f64, b.1 as f64);
        if (ay > p.1) != (by > p.1) && p.0 < (bx - ax) * (p.1 - ay) / (by - ay) + ax {
            inside = !inside;
        }
    }
    inside
}

/// The XYZ tile containing (lon, lat) at zoom `z`, and the point's position inside it in
/// tile coordinates of the given extent.
pub fn tile_of(lon: f64, lat: f64, z: u8, extent: u32) -> ((u32, u32), (f64, f64)) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let s = lat.to_radians().sin();
    let y = (0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * std::f64::consts::PI)) * n;
    let (tx, ty) = (x.floor(), y.floor());
    let e = f64::from(extent);
    ((tx as u32, ty as u32), ((x - tx) * e, (y - ty) * e))
}

/// Gunzips `data` when it starts with the gzip magic, else returns it as is.
pub fn gunzip_if_needed(data: &[u8]) -> Vec<u8> {
    use std::io::Read;
    if data.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .read_to_end(&mut out)
            .expect("gzip");
        out
    } else {
        data.to_vec()
    }
}

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

//! Prometheus metrics with lock-free counters (text exposition at `/metrics`).

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Route labels; requests are counted per label and status: the labels of the URL table
/// ([`crate::urls`]) in its order, then `asset`, `other` and `rejected` (the last two must stay
/// last: an unknown label is counted as `other`).
static ROUTES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let mut labels: Vec<&'static str> = Vec::new();
    for label in crate::urls::ALL
        .iter()
        .map(|r| r.label)
        .chain(["asset", "other", "rejected"])
    {
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    labels
});

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Debug)]
struct RouteMetrics {
    by_status: Vec<AtomicU64>, // index: status code 100..=599 minus 100
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    bytes: AtomicU64,
}

impl Default for RouteMetrics {
    fn default() -> Self {
        Self {
            by_status: (0..500).map(|_| AtomicU64::new(0)).collect(),
            buckets: Default::default(),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
        }
    }
}

/// All metrics of a server.
#[derive(Debug)]
pub(crate) struct Metrics {
    routes: Vec<RouteMetrics>,
    /// Tile cache hits.
    pub cache_hits: AtomicU64,
    /// Tile cache misses.
    pub cache_misses: AtomicU64,
    per_tileset: RwLock<HashMap<String, Arc<AtomicU64>>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            routes: ROUTES.iter().map(|_| RouteMetrics::default()).collect(),
            cache_hits: AtomicU64::new(0),
            cache_misses: AtomicU64::new(0),
            per_tileset: RwLock::new(HashMap::new()),
        }
    }
}

impl Metrics {
    /// Records one finished request.
    pub(crate) fn record(&self, route: &str, status: u16, elapsed: Duration, bytes: Option<u64>) {
        let idx = ROUTES
            .iter()
            .position(|r| *r == route)
            .unwrap_or(ROUTES.len() - 2);
        let m = &self.routes[idx];
        if (100..600).contains(&status) {
            m.by_status[usize::from(status - 100)].fetch_add(1, Ordering::Relaxed);
        }
        // One counter per request (the first bucket that holds it); the exposition sums them
        // into Prometheus's cumulative buckets. Requests slower than the last bound are only
        // in the count.
        let secs = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|bound| secs <= *bound) {
            m.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        m.count.fetch_add(1, Ordering::Relaxed);
        m.sum_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
        if let Some(b) = bytes {
            m.bytes.fetch_add(b, Ordering::Relaxed);
        }
    }

    /// Counts a tile request for `tileset` (only for tilesets that exist).
    pub(crate) fn tile_request(&self, tileset: &str) {
        if let Some(c) = self
            .per_tileset
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(tileset)
        {
            c.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut map = self.per_tileset.write().unwrap_or_else(|p| p.into_inner());
        map.entry(tileset.to_string())
            .or_default()
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Prometheus text exposition format 0.0.4.
    pub(crate) fn render(&self, tilesets_loaded: usize) -> String {
        let mut out = String::new();
        out.push_str("# HELP lbm_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE lbm_http_requests_total counter\n");
        for (route, m) in ROUTES.iter().zip(&self.routes) {
            for (i, c) in m.by_status.iter().enumerate() {
                let n = c.load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "lbm_http_requests_total{{route=\"{route}\",status=\"{}\"}} {n}",
                        i + 100
                    );
                }
            }
        }
        out.push_str("# HELP lbm_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE lbm_http_request_duration_seconds histogram\n");
        for (route, m) in ROUTES.iter().zip(&self.routes) {
            let count = m.count.load(Ordering::Relaxed);
            if count == 0 {
                continue;
            }
            let mut cumulative = 0;
            for (bound, b) in BUCKETS.iter().zip(&m.buckets) {
                cumulative += b.load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "lbm_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "lbm_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                out,
                "lbm_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                m.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
            );
            let _ = writeln!(
                out,
                "lbm_http_request_duration_seconds_count{{route=\"{route}\"}} {count}"
            );
        }
        out.push_str("# HELP lbm_http_response_bytes_total Response body bytes sent by route.\n");
        out.push_str("# TYPE lbm_http_response_bytes_total counter\n");
        for (route, m) in ROUTES.iter().zip(&self.routes) {
            let _ = writeln!(
                out,
                "lbm_http_response_bytes_total{{route=\"{route}\"}} {}",
                m.bytes.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP lbm_tile_cache_hits_total Tiles served from the in-memory cache.\n");
        out.push_str("# TYPE lbm_tile_cache_hits_total counter\n");
        let _ = writeln!(
            out,
            "lbm_tile_cache_hits_total {}",
            self.cache_hits.load(Ordering::Relaxed)
        );
        out.push_str("# HELP lbm_tile_cache_misses_total Tiles read from SQLite.\n");
        out.push_str("# TYPE lbm_tile_cache_misses_total counter\n");
        let _ = writeln!(
            out,
            "lbm_tile_cache_misses_total {}",
            self.cache_misses.load(Ordering::Relaxed)
        );
        out.push_str("# HELP lbm_tile_requests_total Tile requests by tileset.\n");
        out.push_str("# TYPE lbm_tile_requests_total counter\n");
        let map = self.per_tileset.read().unwrap_or_else(|p| p.into_inner());
        let mut ids: Vec<_> = map.iter().collect();
        ids.sort_by(|a, b| a.0.cmp(b.0));
        for (id, c) in ids {
            let _ = writeln!(
                out,
                "lbm_tile_requests_total{{tileset=\"{id}\"}} {}",
                c.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP lbm_tilesets Tilesets currently loaded.\n# TYPE lbm_tilesets gauge\n");
        let _ = writeln!(out, "lbm_tilesets {tilesets_loaded}");
        out
    }
}

//! A stand-in for PDOK Locatieserver v3.1 on 127.0.0.1, for the address search tests: its
//! `/suggest`, `/lookup` and `/free` answer in the shapes of the real service (`response.docs`
//! with `id`, `type`, `weergavenaam`, `score`; `highlighting`; full documents with
//! `centroide_ll` and `centroide_rd` from `lookup` and `free`) for a few addresses, a postcode,
//! a street and a place in Utrecht, with CORS as PDOK sends it. It can answer late, to stand for
//! a slow service.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

/// One fixture location: (id, type, weergavenaam, lon, lat, extra fields).
struct Place {
    id: &'static str,
    kind: &'static str,
    name: &'static str,
    lonlat: (f64, f64),
    rd: (f64, f64),
    extra: fn() -> Value,
}

/// What the stand-in knows: real places of central Utrecht (inside the tests' demo region).
const PLACES: [Place; 5] = [
    Place {
        id: "adr-a1b2c3d4e5f60718293a4b5c6d7e8f90",
        kind: "adres",
        name: "Oudegracht 1, 3511AA Utrecht",
        lonlat: (5.121_877, 52.091_653),
        rd: (136_436.3, 455_894.1),
        extra: || {
            json!({"straatnaam": "Oudegracht", "huisnummer": 1, "postcode": "3511AA",
                   "woonplaatsnaam": "Utrecht", "gemeentenaam": "Utrecht", "gemeentecode": "0344",
                   "provincienaam": "Utrecht", "bron": "BAG"})
        },
    },
    Place {
        id: "adr-0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        kind: "adres",
        name: "Vredenburg 40, 3511BD Utrecht",
        lonlat: (5.114_763, 52.093_218),
        rd: (135_949.0, 456_069.0),
        extra: || {
            json!({"straatnaam": "Vredenburg", "huisnummer": 40, "postcode": "3511BD",
                   "woonplaatsnaam": "Utrecht", "gemeentenaam": "Utrecht", "gemeentecode": "0344",
                   "provincienaam": "Utrecht", "bron": "BAG"})
        },
    },
    Place {
        id: "pcd-5b2d9a7e1c3f4a6b8d0e2f4a6c8e0a2b",
        kind: "postcode",
        name: "Oudegracht, 3511AA Utrecht",
        lonlat: (5.121_4, 52.091_9),
        rd: (136_404.0, 455_922.0),
        extra: || {
            json!({"straatnaam": "Oudegracht", "postcode": "3511AA", "woonplaatsnaam": "Utrecht",
                   "gemeentenaam": "Utrecht", "bron": "BAG"})
        },
    },
    Place {
        id: "weg-7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29",
        kind: "weg",
        name: "Biltstraat, Utrecht",
        lonlat: (5.132_8, 52.095_9),
        rd: (137_186.0, 456_369.0),
        extra: || {
            json!({"straatnaam": "Biltstraat", "woonplaatsnaam": "Utrecht",
                   "gemeentenaam": "Utrecht", "bron": "BAG"})
        },
    },
    Place {
        id: "wpl-3295",
        kind: "woonplaats",
        name: "Utrecht, Utrecht, Utrecht",
        lonlat: (5.104_5, 52.088_1),
        rd: (135_250.0, 455_500.0),
        extra: || {
            json!({"woonplaatsnaam": "Utrecht", "woonplaatscode": "3295",
                   "gemeentenaam": "Utrecht", "provincienaam": "Utrecht", "bron": "BAG"})
        },
    },
];

/// Lower case letters and digits, in words.
fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The places whose name holds every word of `q` (a word of the name starting with it, or a
/// postcode starting with it), best first.
fn matching(q: &str) -> Vec<&'static Place> {
    let want = words(q);
    if want.is_empty() {
        return Vec::new();
    }
    PLACES
        .iter()
        .filter(|p| {
            let have = words(p.name);
            want.iter()
                .all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
        })
        .collect()
}

fn full_doc(p: &Place) -> Value {
    let mut doc = (p.extra)();
    doc["id"] = json!(p.id);
    doc["type"] = json!(p.kind);
    doc["weergavenaam"] = json!(p.name);
    doc["centroide_ll"] = json!(format!("POINT({} {})", p.lonlat.0, p.lonlat.1));
    doc["centroide_rd"] = json!(format!("POINT({} {})", p.rd.0, p.rd.1));
    doc
}

fn response(docs: Vec<Value>) -> Value {
    json!({"response": {"numFound": docs.len(), "start": 0, "maxScore": 12.5, "docs": docs}})
}

#[derive(Clone)]
struct Host {
    delay: Duration,
    log: Arc<Mutex<Vec<String>>>,
}

type Params = Query<std::collections::HashMap<String, String>>;

async fn suggest(State(h): State<Host>, Query(p): Params) -> Json<Value> {
    let q = p.get("q").cloned().unwrap_or_default();
    h.log.lock().unwrap().push(format!("suggest {q}"));
    tokio::time::sleep(h.delay).await;
    let rows: usize = p.get("rows").and_then(|r| r.parse().ok()).unwrap_or(10);
    let found: Vec<&Place> = matching(&q).into_iter().take(rows).collect();
    let docs = found
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({"type": p.kind, "weergavenaam": p.name, "id": p.id,
                   "score": 12.5 - i as f64})
        })
        .collect();
    let mut body = response(docs);
    body["highlighting"] = found
        .iter()
        .map(|p| (p.id.to_string(), json!({"suggest": [p.name]})))
        .collect::<serde_json::Map<_, _>>()
        .into();
    Json(body)
}

async fn lookup(State(h): State<Host>, Query(p): Params) -> Json<Value> {
    let id = p.get("id").cloned().unwrap_or_default();
    h.log.lock().unwrap().push(format!("lookup {id}"));
    tokio::time::sleep(h.delay).await;
    Json(response(
        PLACES.iter().filter(|p| p.id == id).map(full_doc).collect(),
    ))
}

async fn free(State(h): State<Host>, Query(p): Params) -> Json<Value> {
    let q = p.get("q").cloned().unwrap_or_default();
    h.log.lock().unwrap().push(format!("free {q}"));
    tokio::time::sleep(h.delay).await;
    Json(response(matching(&q).into_iter().map(full_doc).collect()))
}

/// The stand-in, running until dropped.
pub struct Geocoder {
    /// Its base URL (what `--geocoder-url` takes), e.g. `http://127.0.0.1:41234/search/v3_1`.
    pub base: String,
    log: Arc<Mutex<Vec<String>>>,
    _server: crate::local_server::LocalServer,
}

impl Geocoder {
    /// Starts it on 127.0.0.1 and an ephemeral port, answering after `delay`.
    pub fn start(delay: Duration) -> Self {
        let log = Arc::new(Mutex::new(Vec::new()));
        let host = Host {
            delay,
            log: log.clone(),
        };
        let server = crate::local_server::LocalServer::start(move |_| {
            Router::new()
                .route("/search/v3_1/suggest", get(suggest))
                .route("/search/v3_1/lookup", get(lookup))
                .route("/search/v3_1/free", get(free))
                .layer(tower_http::cors::CorsLayer::permissive())
                .with_state(host)
        });
        Geocoder {
            base: format!("http://{}/search/v3_1", server.addr),
            log,
            _server: server,
        }
    }

    /// The requests it answered so far (`suggest q`, `lookup id`, `free q`).
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_match_words_and_postcodes() {
        let names = |q: &str| matching(q).iter().map(|p| p.name).collect::<Vec<_>>();
        assert_eq!(names("oudegracht 1"), ["Oudegracht 1, 3511AA Utrecht"]);
        assert_eq!(names("3511").len(), 3);
        assert_eq!(names("utrecht").len(), 5);
        assert!(names("amsterdam").is_empty());
    }
}

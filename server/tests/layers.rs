//! The HTTP layers on their own: request timeout and the panic catcher, around test routes.

mod common;

use std::time::Duration;

use axum::routing::get;
use common::*;
use serde_json::Value;

async fn serve_routes(routes: axum::Router) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = lbm_server::Config::for_tiles(dir.path());
    config.request_timeout = 1;
    let state = lbm_server::AppState::load(config).await.unwrap();
    let app = lbm_server::http::with_layers(routes, state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (dir, base)
}

#[tokio::test]
async fn slow_requests_time_out_with_a_json_503() {
    let routes = axum::Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "late"
        }),
    );
    let (_dir, base) = serve_routes(routes).await;
    let r = client().get(format!("{base}/slow")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].is_string());
}

#[tokio::test]
async fn a_panicking_handler_is_a_json_500_and_the_server_lives_on() {
    let routes = axum::Router::new()
        .route(
            "/boom",
            get(|| async {
                if std::hint::black_box(true) {
                    panic!("boom");
                }
                "unreachable"
            }),
        )
        .route("/ok", get(|| async { "ok" }));
    let (_dir, base) = serve_routes(routes).await;
    let r = client().get(format!("{base}/boom")).send().await.unwrap();
    assert_eq!(r.status(), 500);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "internal error");
    let r = client().get(format!("{base}/ok")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

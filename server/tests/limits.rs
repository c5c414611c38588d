//! Connection and request limits: request bodies, head size, slow clients
//! (header read timeout) and the connection limit, against a real server on 127.0.0.1.

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn fixture(tweak: impl FnOnce(&mut lbm_server::Config)) -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2020, 4.125);
    let server = start_with(dir.path(), tweak).await;
    (dir, server)
}

/// Sends `head` on a new connection and reads the answer until the server closes.
async fn exchange(addr: std::net::SocketAddr, head: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(head).await.unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf).await;
    String::from_utf8_lossy(&buf).to_string()
}

#[tokio::test]
async fn request_bodies_are_refused() {
    let (_dir, s) = fixture(|_| {}).await;
    let resp = client()
        .get(format!("{}/catalog.json", s.base))
        .body("x".repeat(100))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert!(v["error"].as_str().unwrap().contains("bodies"));
    let chunked = exchange(
        s.addr,
        b"GET /catalog.json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n1\r\nx\r\n0\r\n\r\n",
    )
    .await;
    assert!(chunked.starts_with("HTTP/1.1 413"), "{chunked}");
    // An explicit empty body is fine.
    let ok = exchange(
        s.addr,
        b"GET /catalog.json HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
}

#[tokio::test]
async fn oversized_request_heads_are_refused() {
    let (_dir, s) = fixture(|c| c.max_header_bytes = 16 * 1024).await;
    let big = format!(
        "GET /catalog.json HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(32 * 1024)
    );
    let answer = exchange(s.addr, big.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer:.200}");
    // Below the limit is served.
    let fits = format!(
        "GET /catalog.json HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(8 * 1024)
    );
    let answer = exchange(s.addr, fits.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:.200}");
}

#[tokio::test]
async fn slow_clients_are_dropped_and_others_served() {
    let (_dir, s) = fixture(|c| c.header_read_timeout = 1).await;
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut c = TcpStream::connect(s.addr).await.unwrap();
        c.write_all(b"GET /catalog.json HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        slow.push(c);
    }
    // Others are served while the slow ones hang.
    for _ in 0..10 {
        let resp = client()
            .get(format!("{}/catalog.json", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    // Every slow client gets closed (with or without a 408) instead of holding on forever.
    for mut c in slow {
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(120), c.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "a slow client was not dropped");
        let text = String::from_utf8_lossy(&buf);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 408"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let (_dir, s) = fixture(|c| {
        c.max_connections = 2;
        c.header_read_timeout = 600;
    })
    .await;
    let held1 = TcpStream::connect(s.addr).await.unwrap();
    let held2 = TcpStream::connect(s.addr).await.unwrap();
    // Both slots taken: a third client is accepted by the kernel but not served yet.
    let mut third = TcpStream::connect(s.addr).await.unwrap();
    third
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let early = tokio::time::timeout(Duration::from_millis(300), third.read_to_end(&mut buf)).await;
    assert!(early.is_err() && buf.is_empty(), "served beyond the limit");
    drop(held1);
    let done = tokio::time::timeout(Duration::from_secs(120), third.read_to_end(&mut buf)).await;
    assert!(done.is_ok());
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    drop(held2);
}

#[tokio::test]
async fn health_lists_refused_files_with_a_reason() {
    let (dir, s) = fixture(|_| {}).await;
    std::fs::write(
        dir.path().join("broken-2021.mbtiles"),
        b"not a database at all",
    )
    .unwrap();
    eventually("broken file listed as skipped", || async {
        let v: serde_json::Value = client()
            .get(format!("{}/health", s.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["skipped"].as_array().is_some_and(|a| {
            a.iter().any(|e| {
                e["file"] == "broken-2021.mbtiles"
                    && e["reason"].as_str().is_some_and(|r| !r.is_empty())
            })
        })
    })
    .await;
}

#[tokio::test]
async fn idle_connections_are_closed_too() {
    let (_dir, s) = fixture(|c| c.header_read_timeout = 1).await;
    // Nothing sent at all, and idle after one request on a keep-alive connection.
    let mut silent = TcpStream::connect(s.addr).await.unwrap();
    let mut kept = TcpStream::connect(s.addr).await.unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    for c in [&mut silent, &mut kept] {
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(120), c.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "an idle connection was not closed");
    }
}

#[tokio::test]
async fn the_request_target_limit_is_configurable() {
    let (_dir, s) = fixture(|c| c.max_uri_bytes = 64).await;
    let long = format!("{}/catalog.json?pad={}", s.base, "x".repeat(64));
    let resp = client().get(long).send().await.unwrap();
    assert_eq!(resp.status(), 414);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert!(v["error"].as_str().unwrap().contains("64 bytes"));
    let resp = client()
        .get(format!("{}/catalog.json", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

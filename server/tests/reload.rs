//! Hot reload: add, replace and delete tilesets under a live server, without failed requests.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use common::*;
use serde_json::Value;

async fn catalog_ids(base: &str) -> Vec<String> {
    let cat: Value = client()
        .get(format!("{base}/catalog.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    cat["tilesets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

/// The `score` tag of the fixture tile of `id`, or None when the request is not a 200.
async fn tile_score(c: &reqwest::Client, base: &str, id: &str) -> Option<String> {
    let (z, x, y) = TILE;
    let r = c
        .get(format!("{base}/tiles/{id}/{z}/{x}/{y}.pbf"))
        .send()
        .await
        .ok()?;
    if r.status() != 200 {
        return None;
    }
    let body = r.bytes().await.ok()?;
    let features = decode(&body);
    let (_, _, tags) = features.first()?;
    tags.iter()
        .find(|(k, _)| k == "score")
        .map(|(_, v)| v.clone())
}

#[tokio::test]
async fn add_replace_delete_without_failed_requests() {
    let dir = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2020, 1.5);
    let s = start(dir.path()).await;
    assert_eq!(catalog_ids(&s.base).await, ["lbm-2020"]);

    // Add.
    write_tileset(dir.path(), "fys", 2022, 0.25);
    eventually("fys-2022 appears in the catalog", || async {
        catalog_ids(&s.base).await.contains(&"fys-2022".to_string())
    })
    .await;
    assert_eq!(
        tile_score(&client(), &s.base, "fys-2022").await.as_deref(),
        Some("0.25")
    );

    // Replace under load: every request during the swap must succeed with old or new content.
    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicU64::new(0));
    let requests = Arc::new(AtomicU64::new(0));
    let mut loops = Vec::new();
    for _ in 0..4 {
        let (stop, failures, requests, base) = (
            stop.clone(),
            failures.clone(),
            requests.clone(),
            s.base.clone(),
        );
        loops.push(tokio::spawn(async move {
            let c = client();
            while !stop.load(Ordering::Relaxed) {
                requests.fetch_add(1, Ordering::Relaxed);
                match tile_score(&c, &base, "lbm-2020").await.as_deref() {
                    Some("1.5") | Some("2.5") => {}
                    other => {
                        eprintln!("failed request during swap: {other:?}");
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
                let tj = c.get(format!("{base}/tiles/lbm-2020.json")).send().await;
                if !tj.is_ok_and(|r| r.status() == 200) {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    write_tileset(dir.path(), "lbm", 2020, 2.5);
    eventually("the replaced lbm-2020 is served", || async {
        tile_score(&client(), &s.base, "lbm-2020").await.as_deref() == Some("2.5")
    })
    .await;
    // Keep the load on a little past the swap.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for l in loops {
        l.await.unwrap();
    }
    assert!(requests.load(Ordering::Relaxed) > 10);
    assert_eq!(
        failures.load(Ordering::Relaxed),
        0,
        "requests failed during the swap"
    );

    // Delete.
    std::fs::remove_file(dir.path().join("fys-2022.mbtiles")).unwrap();
    eventually("fys-2022 disappears", || async {
        !catalog_ids(&s.base).await.contains(&"fys-2022".to_string())
    })
    .await;
    let (z, x, y) = TILE;
    let r = client()
        .get(format!("{}/tiles/fys-2022/{z}/{x}/{y}.pbf", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(catalog_ids(&s.base).await, ["lbm-2020"]);
}

#[tokio::test]
async fn a_broken_replacement_keeps_the_old_tileset_serving() {
    let dir = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2020, 1.5);
    let s = start(dir.path()).await;
    // Overwrite with garbage via a rename, then with a good file again.
    let tmp = dir.path().join(".garbage.tmp");
    std::fs::write(&tmp, b"this is not sqlite at all, just bytes").unwrap();
    std::fs::rename(&tmp, dir.path().join("lbm-2020.mbtiles")).unwrap();
    // Give the scanner a few rounds to see (and reject) the broken file.
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    assert_eq!(
        tile_score(&client(), &s.base, "lbm-2020").await.as_deref(),
        Some("1.5")
    );
    write_tileset(dir.path(), "lbm", 2020, 3.5);
    eventually("the repaired lbm-2020 is served", || async {
        tile_score(&client(), &s.base, "lbm-2020").await.as_deref() == Some("3.5")
    })
    .await;
}

#[tokio::test]
async fn temp_files_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2020, 1.5);
    std::fs::copy(
        dir.path().join("lbm-2020.mbtiles"),
        dir.path().join(".hidden.mbtiles"),
    )
    .unwrap();
    std::fs::copy(
        dir.path().join("lbm-2020.mbtiles"),
        dir.path().join("lbm-2021.tmp.mbtiles"),
    )
    .unwrap();
    let s = start(dir.path()).await;
    assert_eq!(catalog_ids(&s.base).await, ["lbm-2020"]);
}

#[tokio::test]
async fn a_file_copied_in_place_is_picked_up() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    write_tileset(dir.path(), "lbm", 2020, 1.5);
    let s = start(dir.path()).await;
    assert_eq!(
        tile_score(&client(), &s.base, "lbm-2020").await.as_deref(),
        Some("1.5")
    );
    let new = write_tileset(elsewhere.path(), "lbm", 2020, 7.5);
    // `cp` over the live file: same inode, truncated and rewritten.
    std::fs::copy(&new, dir.path().join("lbm-2020.mbtiles")).unwrap();
    eventually("the copied lbm-2020 is served", || async {
        tile_score(&client(), &s.base, "lbm-2020").await.as_deref() == Some("7.5")
    })
    .await;
}

#[tokio::test]
async fn a_tiles_folder_created_later_is_picked_up() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("tiles");
    let s = start(&dir).await;
    let health = client()
        .get(format!("{}/health", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 503);
    std::fs::create_dir(&dir).unwrap();
    write_tileset(&dir, "won", 2018, 0.5);
    eventually("won-2018 appears", || async {
        catalog_ids(&s.base).await == ["won-2018"]
    })
    .await;
    let health = client()
        .get(format!("{}/health", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

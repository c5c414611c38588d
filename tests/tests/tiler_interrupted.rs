//! The tiler killed mid-run: the real `lbm-tiler` binary re-tiles the demo CSV into a
//! folder that already holds tilesets and is SIGKILLed at a few points (while a temp file is
//! being written, right after a first tileset was replaced, and early on). Every tileset under
//! a final name must stay intact and readable: the old build or a complete new one, never a
//! half-written file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use lbm_e2e::build_demo;

/// The `lbm-tiler` binary next to this test's target directory, if it was built.
fn tiler_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let bin = exe
        .parent()?
        .parent()?
        .join(format!("lbm-tiler{}", std::env::consts::EXE_SUFFIX));
    bin.is_file().then_some(bin)
}

/// What must survive of a tileset: readable, consistent, same tiles and identity.
#[derive(Debug, PartialEq)]
struct Summary {
    tiles: i64,
    name: Option<String>,
    measure: Option<String>,
    year: Option<String>,
    metadata_keys: Vec<String>,
}

fn summarise(path: &Path) -> Result<Summary, String> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| e.to_string())?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if check != "ok" {
        return Err(format!("quick_check: {check}"));
    }
    let tiles: i64 = conn
        .query_row("SELECT count(*) FROM tiles", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    let mut stmt = conn
        .prepare("SELECT name, value FROM metadata ORDER BY name")
        .map_err(|e| e.to_string())?;
    let meta: BTreeMap<String, String> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(|e| e.to_string())?
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    Ok(Summary {
        tiles,
        name: meta.get("name").cloned(),
        measure: meta.get("lbm_measure").cloned(),
        year: meta.get("lbm_year").cloned(),
        metadata_keys: meta.keys().cloned().collect(),
    })
}

/// Summaries of every `.mbtiles` under a final name in `dir`.
fn tilesets(dir: &Path) -> BTreeMap<String, Result<Summary, String>> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".mbtiles") && !n.starts_with('.') && !n.contains(".tmp"))
        .map(|n| {
            let s = summarise(&dir.join(&n));
            (n, s)
        })
        .collect()
}

fn is_temp(name: &str) -> bool {
    name.starts_with('.') || name.contains(".tmp")
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}

/// When to kill the tiler.
#[derive(Debug, Clone, Copy)]
enum KillPoint {
    /// As soon as a temp file shows up (a tileset is being written).
    WhileWriting,
    /// Right after the first tileset under a final name was replaced.
    AfterFirstRename,
    /// After the tiler had a moment to start (reading the CSV).
    Early,
}

#[test]
fn killed_tiler_leaves_previous_tilesets_intact() {
    let Some(bin) = tiler_binary() else {
        // CI builds the binaries first (.ci/run); there a missing one is a failure, not a skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "lbm-tiler binary not built: .ci/run must run `cargo build -p lbm-tiler` first"
        );
        eprintln!("SKIPPED: lbm-tiler binary not built (run `cargo build -p lbm-tiler` first)");
        return;
    };
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-tiler-interrupted");
    let demo = root.join("demo");
    if !demo.join("lbm-2022.mbtiles").exists() {
        build_demo(&demo);
    }
    let csv = demo.join("demo-scores.csv");
    let before = tilesets(&demo);
    assert!(
        before.values().all(Result::is_ok),
        "demo readable: {before:?}"
    );

    // A complete run of the same command, for what a finished new build looks like.
    let reference = root.join("reference");
    let _ = std::fs::remove_dir_all(&reference);
    std::fs::create_dir_all(&reference).unwrap();
    let status = std::process::Command::new(&bin)
        .args(["build", "--change", "none", "--scores"])
        .arg(&csv)
        .arg("--out")
        .arg(&reference)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "reference build: {status}");
    let complete = tilesets(&reference);

    for point in [
        KillPoint::WhileWriting,
        KillPoint::AfterFirstRename,
        KillPoint::Early,
    ] {
        let out = root.join(format!("{point:?}"));
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        for e in std::fs::read_dir(&demo).unwrap().flatten() {
            std::fs::copy(e.path(), out.join(e.file_name())).unwrap();
        }
        let copied: BTreeMap<String, Option<SystemTime>> = before
            .keys()
            .map(|n| (n.clone(), modified(&out.join(n))))
            .collect();
        let mut child = std::process::Command::new(&bin)
            .args(["build", "--change", "none", "--scores"])
            .arg(&csv)
            .arg("--out")
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut killed = false;
        // Poll (bounded) for the kill point; the tiler may also finish first.
        for _ in 0..60_000 {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            let hit = match point {
                KillPoint::WhileWriting => std::fs::read_dir(&out)
                    .unwrap()
                    .flatten()
                    .any(|e| is_temp(&e.file_name().to_string_lossy())),
                KillPoint::AfterFirstRename => std::fs::read_dir(&out)
                    .unwrap()
                    .flatten()
                    .filter(|e| !is_temp(&e.file_name().to_string_lossy()))
                    .any(|e| {
                        e.path().extension().is_some_and(|x| x == "mbtiles")
                            && copied
                                .get(&*e.file_name().to_string_lossy())
                                .is_some_and(|m| *m != modified(&e.path()))
                    }),
                KillPoint::Early => true,
            };
            if hit {
                if matches!(point, KillPoint::Early) {
                    std::thread::sleep(Duration::from_millis(200));
                }
                let _ = child.kill(); // SIGKILL
                killed = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let status = child.wait().unwrap();
        let after = tilesets(&out);
        let replaced = after
            .keys()
            .filter(|n| copied.get(*n).is_none_or(|m| *m != modified(&out.join(n))))
            .count();
        let leftovers: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| is_temp(n))
            .collect();
        eprintln!(
            "{point:?}: killed={killed} ({status}), {replaced} of {} tilesets replaced, temp files left: {leftovers:?}",
            after.len(),
        );
        // Under final names: the previous tilesets, each either untouched or replaced by a
        // complete new build, and no partial file of a tileset the run had not finished.
        for (name, summary) in &after {
            let summary = summary
                .as_ref()
                .unwrap_or_else(|e| panic!("{point:?}: {name} unreadable: {e}"));
            let old = before.get(name).map(|s| s.as_ref().unwrap());
            let new = complete.get(name).map(|s| s.as_ref().unwrap());
            assert!(
                Some(summary) == old || Some(summary) == new,
                "{point:?}: {name} is neither the previous nor a complete build: {summary:?}"
            );
        }
        // A tileset of the earlier build disappears only when it is not in the new plan (the
        // demo's change maps, under `--change none`), and only after the new build is complete.
        let gone: Vec<&String> = before.keys().filter(|n| !after.contains_key(*n)).collect();
        for name in &gone {
            assert!(
                !complete.contains_key(*name),
                "{point:?}: {name} disappeared, but the new build has it"
            );
        }
        if !gone.is_empty() {
            for (name, new) in &complete {
                assert!(
                    after.get(name).map(|s| s.as_ref().ok()) == Some(new.as_ref().ok()),
                    "{point:?}: {gone:?} removed before {name} was complete"
                );
            }
        }
        // The point index, too.
        let index = rusqlite::Connection::open_with_flags(
            out.join("lbm-index.sqlite"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let check: String = index
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "{point:?}: point index");
    }
}

//! The tilesets in the tiles folder, swapped atomically on hot reload.
//!
//! Readers clone an `Arc<Snapshot>` under a read lock held for nanoseconds; a rescan opens new
//! or changed files off the hot path and only then swaps the snapshot in, so the old generation
//! keeps serving until the new one opened successfully. A `notify` watcher triggers rescans, and
//! a periodic rescan (comparing size, mtime and inode) covers file systems without events.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, SystemTime};

use notify::Watcher;

use crate::error::ServerError;
use crate::index::{PointIndex, INDEX_FILE};
use lbm_tileset::{Classification, TilesetKind};

use crate::tileset::{Tileset, TILESET_EXTENSIONS};

/// What identifies a version of a file on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

impl Fingerprint {
    fn of(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Self {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        })
    }
}

/// One immutable view of the folder.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Tilesets by id. When a folder holds both `x.mbtiles` and `x.pmtiles` (the tiler's
    /// `--format both`), tiles of `x` are read from the MBTiles file.
    pub tilesets: BTreeMap<String, Arc<Tileset>>,
    /// Every valid PMTiles archive by id, served as a tileset or not: browsers may read these
    /// files directly with range requests (`/archives/{id}.pmtiles`).
    pub archives: BTreeMap<String, Arc<Tileset>>,
    /// The point index, when the folder has one.
    pub index: Option<Arc<PointIndex>>,
    /// True once the first scan has finished.
    pub loaded: bool,
}

impl Snapshot {
    /// The classification of `measure`, from any score tileset of that measure (newest year
    /// first; change tilesets have their own change classification).
    pub fn classification(&self, measure: &str) -> Option<&Classification> {
        self.classification_of(measure, false)
    }

    /// The change classification of `measure`, from any of its change tilesets.
    pub fn change_classification(&self, measure: &str) -> Option<&Classification> {
        self.classification_of(measure, true)
    }

    fn classification_of(&self, measure: &str, change: bool) -> Option<&Classification> {
        self.tilesets
            .values()
            .rev()
            .filter(|t| t.info.measure() == Some(measure))
            .filter(|t| t.info.is_change() == change)
            .find_map(|t| t.info.classification.as_ref())
    }

    /// The change pairs `(measure, from, to)` of the change tilesets, sorted.
    pub fn change_pairs(&self) -> Vec<(String, i32, i32)> {
        let mut pairs: Vec<(String, i32, i32)> = self
            .tilesets
            .values()
            .filter_map(|t| match &t.info.kind {
                Some(TilesetKind::Change { measure, from, to }) => {
                    Some((measure.clone(), *from, *to))
                }
                _ => None,
            })
            .collect();
        pairs.sort_by_key(|(m, a, b)| (lbm_tileset::Measure::rank(m), m.clone(), *a, *b));
        pairs.dedup();
        pairs
    }
}

/// Bookkeeping of the scanner: fingerprints of what is loaded and of files that failed.
#[derive(Debug, Default)]
struct ScanState {
    loaded: HashMap<PathBuf, Fingerprint>,
    failed: HashMap<PathBuf, Fingerprint>,
    /// Why each failed file was refused.
    reasons: HashMap<PathBuf, String>,
}

/// The live set of tilesets.
#[derive(Debug)]
pub struct Catalog {
    dir: PathBuf,
    pool_size: usize,
    current: RwLock<Arc<Snapshot>>,
    scan: Mutex<ScanState>,
    /// Set when a scan left a fresh file for later, so the watcher rescans soon.
    pending: std::sync::atomic::AtomicBool,
    /// Files refused by the last scan, by file name, with the reason (for `/health`).
    skipped: Mutex<BTreeMap<String, String>>,
}

/// A changed file is opened only once it has not been modified for this long, so a file being
/// copied in place (not renamed into place) is not opened half-written. The first scan at
/// startup does not wait.
pub const SETTLE: Duration = Duration::from_millis(500);

impl Fingerprint {
    /// Whether the file was modified less than [`SETTLE`] ago.
    fn is_fresh(&self) -> bool {
        self.modified
            .and_then(|m| SystemTime::now().duration_since(m).ok())
            .is_some_and(|age| age < SETTLE)
    }
}

/// Temp files of writers (`.name`, `name.tmp`, `name.mbtiles.tmp-123`) are never opened.
fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') || name.contains(".tmp") || name.ends_with('~')
}

impl Catalog {
    /// An empty catalog over `dir`; call [`Catalog::rescan`] to load it.
    pub fn new(dir: impl Into<PathBuf>, pool_size: usize) -> Self {
        Self {
            dir: dir.into(),
            pool_size,
            current: RwLock::new(Arc::new(Snapshot::default())),
            scan: Mutex::new(ScanState::default()),
            pending: std::sync::atomic::AtomicBool::new(false),
            skipped: Mutex::new(BTreeMap::new()),
        }
    }

    /// The tiles folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The current snapshot (cheap: clones an `Arc`).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.current.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Files in the folder that failed to open (file name → reason), as of the last scan.
    pub fn skipped(&self) -> BTreeMap<String, String> {
        self.skipped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// One tileset by id.
    pub fn get(&self, id: &str) -> Option<Arc<Tileset>> {
        self.snapshot().tilesets.get(id).cloned()
    }

    /// Rescans the folder on the blocking pool; returns whether anything changed.
    pub async fn rescan(self: &Arc<Self>) -> bool {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || this.rescan_blocking())
            .await
            .unwrap_or(false)
    }

    /// Rescans the folder: opens new and changed files, drops deleted ones.
    pub fn rescan_blocking(&self) -> bool {
        let mut scan = self.scan.lock().unwrap_or_else(|p| p.into_inner());
        let old = self.snapshot();
        let mut tilesets = BTreeMap::new();
        let mut archives = BTreeMap::new();
        let mut index = None;
        let mut changed = !old.loaded;
        let mut seen = HashMap::new();

        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries.flatten().map(|e| e.path()).collect::<Vec<_>>(),
            Err(e) => {
                tracing::warn!(dir = %self.dir.display(), error = %e, "cannot read tiles folder");
                Vec::new()
            }
        };
        for path in entries {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if is_temp_name(name) || !path.is_file() {
                continue;
            }
            let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let is_tileset = TILESET_EXTENSIONS.contains(&extension);
            let is_archive = extension == "pmtiles";
            let is_index = name == INDEX_FILE;
            if !is_tileset && !is_index {
                continue;
            }
            let Some(fp) = Fingerprint::of(&path) else {
                continue;
            };
            seen.insert(path.clone(), fp);
            let unchanged = scan.loaded.get(&path) == Some(&fp);
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            let previous_tileset = if is_archive {
                old.archives.get(&stem)
            } else {
                old.tilesets.get(&stem)
            }
            .filter(|t| t.path == path)
            .cloned();
            // Archives and MBTiles of the same id are kept apart and merged after the scan.
            let found = if is_archive {
                &mut archives
            } else {
                &mut tilesets
            };
            if !unchanged && old.loaded && fp.is_fresh() {
                // Still being written: keep serving what we had, look again on the next scan.
                if is_index {
                    index = old.index.clone();
                } else if let Some(t) = previous_tileset {
                    found.insert(stem, t);
                }
                self.pending
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                continue;
            }

            if is_index {
                if unchanged && old.index.is_some() {
                    index = old.index.clone();
                    continue;
                }
                if scan.failed.get(&path) == Some(&fp) {
                    index = old.index.clone();
                    continue;
                }
                match PointIndex::open(&path, 2) {
                    Ok(ix) => {
                        tracing::info!(path = %path.display(), "point index loaded");
                        index = Some(Arc::new(ix));
                        scan.loaded.insert(path.clone(), fp);
                        scan.failed.remove(&path);
                        changed = true;
                    }
                    Err(e) => {
                        tracing::warn!(path = %path.display(), error = %e, "point index skipped");
                        scan.failed.insert(path.clone(), fp);
                        scan.reasons.insert(path.clone(), e.to_string());
                        index = old.index.clone();
                    }
                }
                continue;
            }

            if unchanged {
                if let Some(t) = previous_tileset {
                    found.insert(stem, t);
                    continue;
                }
            }
            if scan.failed.get(&path) == Some(&fp) {
                // Still the same broken file: keep whatever served before, don't log again.
                if let Some(t) = previous_tileset {
                    found.insert(stem, t);
                }
                continue;
            }
            match Tileset::open(&path, self.pool_size) {
                Ok(t) => {
                    tracing::info!(
                        tileset = %t.info.id, file = %name, generation = t.generation,
                        minzoom = t.info.minzoom, maxzoom = t.info.maxzoom,
                        "tileset {}", if previous_tileset.is_some() { "replaced" } else { "loaded" }
                    );
                    found.insert(stem, Arc::new(t));
                    scan.loaded.insert(path.clone(), fp);
                    scan.failed.remove(&path);
                    changed = true;
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "tileset skipped");
                    scan.failed.insert(path.clone(), fp);
                    scan.reasons.insert(path.clone(), e.to_string());
                    if let Some(t) = previous_tileset {
                        found.insert(stem, t);
                    }
                }
            }
        }
        for (id, archive) in &archives {
            tilesets
                .entry(id.clone())
                .or_insert_with(|| Arc::clone(archive));
        }
        for id in old.archives.keys() {
            if !archives.contains_key(id) {
                changed = true;
            }
        }
        for id in old.tilesets.keys() {
            if !tilesets.contains_key(id) {
                tracing::info!(tileset = %id, "tileset removed");
                changed = true;
            }
        }
        if old.index.is_some() && index.is_none() {
            tracing::info!("point index removed");
            changed = true;
        }
        scan.loaded.retain(|p, _| seen.contains_key(p));
        scan.failed.retain(|p, _| seen.contains_key(p));
        let ScanState {
            failed, reasons, ..
        } = &mut *scan;
        reasons.retain(|p, _| failed.contains_key(p));
        let skipped = scan
            .reasons
            .iter()
            .map(|(p, reason)| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                (name.unwrap_or_default(), reason.clone())
            })
            .collect();
        *self.skipped.lock().unwrap_or_else(|p| p.into_inner()) = skipped;
        if changed {
            let snapshot = Arc::new(Snapshot {
                tilesets,
                archives,
                index,
                loaded: true,
            });
            *self.current.write().unwrap_or_else(|p| p.into_inner()) = snapshot;
        }
        changed
    }

    /// Starts hot reload: a `notify` watcher plus a rescan every `interval`. Stops by itself
    /// when the catalog is dropped.
    pub fn watch(self: &Arc<Self>, interval: Duration) -> Result<(), ServerError> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if event.is_ok() {
                    let _ = tx.send(());
                }
            })?;
        if let Err(e) = watcher.watch(&self.dir, notify::RecursiveMode::NonRecursive) {
            // The periodic rescan still works (e.g. the folder does not exist yet).
            tracing::warn!(dir = %self.dir.display(), error = %e, "file watcher not started; polling only");
        }
        let weak: Weak<Catalog> = Arc::downgrade(self);
        tokio::spawn(async move {
            let _watcher = watcher;
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    event = rx.recv() => {
                        if event.is_none() { break; }
                        // Debounce: a copy or rename fires several events.
                        tokio::time::sleep(Duration::from_millis(150)).await;
                        while rx.try_recv().is_ok() {}
                    }
                    _ = ticker.tick() => {}
                }
                let Some(catalog) = weak.upgrade() else { break };
                catalog.rescan().await;
                // A file was still being written: look again once it has settled, without
                // waiting for the next periodic scan.
                while catalog
                    .pending
                    .swap(false, std::sync::atomic::Ordering::Relaxed)
                {
                    tokio::time::sleep(SETTLE).await;
                    catalog.rescan().await;
                }
            }
        });
        Ok(())
    }
}

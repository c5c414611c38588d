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
pub(crate) struct Fingerprint {
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
    /// Tilesets by id. When a folder holds both `x.mbtiles` and `x.pmtiles` of the same content
    /// (the tiler's `--format both`), tiles of `x` are read from the archive; when their contents
    /// differ (an archive left by another build), from the MBTiles file.
    pub tilesets: BTreeMap<String, Arc<Tileset>>,
    /// Every valid PMTiles archive by id, served as a tileset or not: browsers may read these
    /// files directly with range requests (`/archives/{id}.pmtiles`).
    pub archives: BTreeMap<String, Arc<Tileset>>,
    /// Every valid MBTiles file by id, served as a tileset or not (see [`Self::tilesets`]).
    pub mbtiles: BTreeMap<String, Arc<Tileset>>,
    /// The point index, when the folder has one.
    pub index: Option<Arc<PointIndex>>,
    /// True once the first scan has finished.
    pub loaded: bool,
}

impl Snapshot {
    /// The archive of tileset `id` when it holds the tiles served under `id` (the same content
    /// version); an archive left by another build beside an MBTiles file does not, and is not
    /// offered for it.
    pub fn archive(&self, id: &str) -> Option<&Arc<Tileset>> {
        let archive = self.archives.get(id)?;
        self.tilesets
            .get(id)?
            .same_content(archive)
            .then_some(archive)
    }

    /// Every archive that holds the tiles served under its id ([`Self::archive`]), by id.
    pub fn served_archives(&self) -> impl Iterator<Item = (&String, &Arc<Tileset>)> {
        self.archives
            .iter()
            .filter(|(id, _)| self.archive(id).is_some())
    }

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
pub(crate) const SETTLE: Duration = Duration::from_millis(500);

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

/// What a file of the tiles folder is to the scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    /// An MBTiles tileset.
    Mbtiles,
    /// A PMTiles archive (a tileset, and raw archive under `/archives/`).
    Pmtiles,
    /// The point index.
    Index,
}

impl FileKind {
    /// The kind of the file at `path` by its name; `None` for files the server never opens
    /// (temporaries of writers, other files).
    fn of(path: &Path) -> Option<Self> {
        let name = path.file_name().and_then(|n| n.to_str())?;
        if is_temp_name(name) {
            return None;
        }
        if name == INDEX_FILE {
            return Some(FileKind::Index);
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if !TILESET_EXTENSIONS.contains(&e) => None,
            Some("pmtiles") => Some(FileKind::Pmtiles),
            Some(_) => Some(FileKind::Mbtiles),
            None => None,
        }
    }
}

impl ScanState {
    /// Forgets the files that are no longer in the folder.
    fn retain(&mut self, seen: &HashMap<PathBuf, Fingerprint>) {
        self.loaded.retain(|p, _| seen.contains_key(p));
        self.failed.retain(|p, _| seen.contains_key(p));
        let failed = &self.failed;
        self.reasons.retain(|p, _| failed.contains_key(p));
    }

    /// The files that failed, by file name, with the reason.
    fn skipped(&self) -> BTreeMap<String, String> {
        self.reasons
            .iter()
            .map(|(p, reason)| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                (name.unwrap_or_default(), reason.clone())
            })
            .collect()
    }
}

/// One scan of the folder: what it finds, against the snapshot before it.
struct Scan<'a> {
    catalog: &'a Catalog,
    state: &'a mut ScanState,
    old: &'a Snapshot,
    tilesets: BTreeMap<String, Arc<Tileset>>,
    /// PMTiles archives, kept apart from the MBTiles of the same id and merged at the end.
    archives: BTreeMap<String, Arc<Tileset>>,
    index: Option<Arc<PointIndex>>,
    changed: bool,
    seen: HashMap<PathBuf, Fingerprint>,
}

impl Scan<'_> {
    /// Looks at one file of the folder.
    fn visit(&mut self, path: PathBuf) {
        let Some(kind) = FileKind::of(&path) else {
            return;
        };
        if !path.is_file() {
            return;
        }
        let Some(fp) = Fingerprint::of(&path) else {
            return;
        };
        self.seen.insert(path.clone(), fp);
        let unchanged = self.state.loaded.get(&path) == Some(&fp);
        if !unchanged && self.old.loaded && fp.is_fresh() {
            // Still being written: keep serving what we had, look again on the next scan.
            self.keep_previous(kind, &path);
            self.catalog
                .pending
                .store(true, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        match kind {
            FileKind::Index => self.visit_index(path, fp, unchanged),
            _ => self.visit_tileset(path, kind, fp, unchanged),
        }
    }

    /// The id of a tileset file: its stem.
    fn stem(path: &Path) -> String {
        path.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string()
    }

    /// The tileset the snapshot before had from this very file.
    fn previous(&self, kind: FileKind, path: &Path) -> Option<Arc<Tileset>> {
        let before = match kind {
            FileKind::Pmtiles => &self.old.archives,
            _ => &self.old.mbtiles,
        };
        before
            .get(&Self::stem(path))
            .filter(|t| t.path == path)
            .cloned()
    }

    /// Keeps what the snapshot before had from this file.
    fn keep_previous(&mut self, kind: FileKind, path: &Path) {
        match kind {
            FileKind::Index => self.index = self.old.index.clone(),
            _ => {
                if let Some(t) = self.previous(kind, path) {
                    self.found(kind).insert(Self::stem(path), t);
                }
            }
        }
    }

    /// Where tilesets of `kind` are collected.
    fn found(&mut self, kind: FileKind) -> &mut BTreeMap<String, Arc<Tileset>> {
        match kind {
            FileKind::Pmtiles => &mut self.archives,
            _ => &mut self.tilesets,
        }
    }

    /// Records a file that failed to open, and keeps what served before.
    fn failed(&mut self, kind: FileKind, path: PathBuf, fp: Fingerprint, reason: String) {
        self.keep_previous(kind, &path);
        self.state.failed.insert(path.clone(), fp);
        self.state.reasons.insert(path, reason);
    }

    /// Records a file that opened.
    fn loaded(&mut self, path: PathBuf, fp: Fingerprint) {
        self.state.loaded.insert(path.clone(), fp);
        self.state.failed.remove(&path);
        self.changed = true;
    }

    fn visit_index(&mut self, path: PathBuf, fp: Fingerprint, unchanged: bool) {
        let same_failure = self.state.failed.get(&path) == Some(&fp);
        if (unchanged && self.old.index.is_some()) || same_failure {
            self.index = self.old.index.clone();
            return;
        }
        match PointIndex::open(&path, 2) {
            Ok(ix) => {
                tracing::info!(path = %path.display(), "point index loaded");
                self.index = Some(Arc::new(ix));
                self.loaded(path, fp);
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "point index skipped");
                self.failed(FileKind::Index, path, fp, e.to_string());
            }
        }
    }

    fn visit_tileset(&mut self, path: PathBuf, kind: FileKind, fp: Fingerprint, unchanged: bool) {
        let previous = self.previous(kind, &path);
        if unchanged && previous.is_some() {
            self.keep_previous(kind, &path);
            return;
        }
        if self.state.failed.get(&path) == Some(&fp) {
            // Still the same broken file: keep whatever served before, don't log again.
            self.keep_previous(kind, &path);
            return;
        }
        match Tileset::open(&path, self.catalog.pool_size) {
            Ok(t) => {
                let file = path.file_name().unwrap_or_default().to_string_lossy();
                tracing::info!(
                    tileset = %t.info.id, %file, generation = t.generation,
                    minzoom = t.info.minzoom, maxzoom = t.info.maxzoom,
                    "tileset {}", if previous.is_some() { "replaced" } else { "loaded" }
                );
                self.found(kind).insert(Self::stem(&path), Arc::new(t));
                self.loaded(path, fp);
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "tileset skipped");
                self.failed(kind, path, fp, e.to_string());
            }
        }
    }

    /// The snapshot of what was found (see [`Snapshot::tilesets`] for a tileset in both formats),
    /// and whether it differs from the one before.
    fn finish(mut self) -> (Snapshot, bool) {
        let mbtiles = self.tilesets.clone();
        for (id, archive) in &self.archives {
            // The same tileset in both formats (`--format both`): tiles are read from the
            // archive, one positioned read of a contiguous range instead of a B-tree descent and
            // an overflow chain (the long tail, `tests/bench/tail.sh`). Not so beside another
            // build's MBTiles file (e.g. an archive left by an earlier `--format both`).
            let other_build = self
                .tilesets
                .get(id)
                .is_some_and(|mbtiles| !mbtiles.same_content(archive));
            if !other_build {
                self.tilesets.insert(id.clone(), Arc::clone(archive));
            }
        }
        // A file removed changes the snapshot without a file being opened: what is served under
        // an id (an MBTiles file removed from beside its archive), or only what is kept open
        // (an MBTiles file not served, whose handles would hold the deleted file's space).
        let differs = |before: &BTreeMap<String, Arc<Tileset>>,
                       now: &BTreeMap<String, Arc<Tileset>>| {
            before.len() != now.len()
                || before
                    .iter()
                    .any(|(id, b)| now.get(id).is_none_or(|n| !Arc::ptr_eq(b, n)))
        };
        if differs(&self.old.tilesets, &self.tilesets)
            || differs(&self.old.mbtiles, &mbtiles)
            || differs(&self.old.archives, &self.archives)
        {
            self.changed = true;
        }
        for id in self.old.tilesets.keys() {
            if !self.tilesets.contains_key(id) {
                tracing::info!(tileset = %id, "tileset removed");
                self.changed = true;
            }
        }
        if self.old.index.is_some() && self.index.is_none() {
            tracing::info!("point index removed");
            self.changed = true;
        }
        self.state.retain(&self.seen);
        let snapshot = Snapshot {
            tilesets: self.tilesets,
            archives: self.archives,
            mbtiles,
            index: self.index,
            loaded: true,
        };
        (snapshot, self.changed)
    }
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

    /// Rescans the folder: opens new and changed files, drops deleted ones; returns whether the
    /// snapshot changed.
    pub fn rescan_blocking(&self) -> bool {
        let mut state = self.scan.lock().unwrap_or_else(|p| p.into_inner());
        let old = self.snapshot();
        let mut scan = Scan {
            catalog: self,
            state: &mut state,
            tilesets: BTreeMap::new(),
            archives: BTreeMap::new(),
            index: None,
            changed: !old.loaded,
            seen: HashMap::new(),
            old: &old,
        };
        for path in self.folder_files() {
            scan.visit(path);
        }
        let (snapshot, changed) = scan.finish();
        *self.skipped.lock().unwrap_or_else(|p| p.into_inner()) = state.skipped();
        if changed {
            *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(snapshot);
        }
        changed
    }

    /// The files of the tiles folder (none, with a warning, when it cannot be read).
    fn folder_files(&self) -> Vec<PathBuf> {
        match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
            Err(e) => {
                tracing::warn!(dir = %self.dir.display(), error = %e, "cannot read tiles folder");
                Vec::new()
            }
        }
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

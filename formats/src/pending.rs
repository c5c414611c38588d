//! A file written under a temporary name in its destination folder and renamed into place:
//! what every written file (MBTiles, PMTiles, the index) goes through.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{FormatError, Result};

/// A file being written under a temporary name in its destination folder,
/// `DIR/.{file name}.tmp-<pid>`, and renamed into place by [`PendingFile::commit`].
///
/// Dropping it without committing deletes the temporary file, so a failed run leaves the
/// previous file. A killed run leaves the temporary file, which the next run removes (see
/// [`PendingFile::new`]). Readers of the folder never see a half-written file under its final
/// name, because a rename within one folder is atomic.
#[derive(Debug)]
pub struct PendingFile {
    tmp: PathBuf,
    dest: PathBuf,
    renamed: bool,
}

impl PendingFile {
    /// Chooses the temporary name for `dest` and removes temporary files of `dest` left by
    /// processes that no longer run (and a leftover of this process id). Creates nothing.
    ///
    /// Fails at once when a folder is in the way of `dest`: the rename at the end could not
    /// replace it, and failing then would waste the whole build.
    pub fn new(dest: &Path) -> Result<Self> {
        if dest.is_dir() {
            return Err(FormatError::io(
                dest,
                std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "a folder is in the way of the file to write",
                ),
            ));
        }
        let dir = parent_dir(dest);
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        remove_stale_temporaries(dir, &name);
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_file(&tmp).map_err(|e| FormatError::io(&tmp, e))?;
        }
        Ok(PendingFile {
            tmp,
            dest: dest.to_path_buf(),
            renamed: false,
        })
    }

    /// The temporary path the file is written to.
    pub fn tmp(&self) -> &Path {
        &self.tmp
    }

    /// The final path.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Renames the (closed and synced) temporary file into place and syncs the folder.
    pub fn commit(mut self) -> Result<PathBuf> {
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| FormatError::io(&self.dest, e))?;
        self.renamed = true;
        // Make the rename durable; not every platform can open a directory, so ignore errors.
        let _ = File::open(parent_dir(&self.dest)).and_then(|f| f.sync_all());
        Ok(self.dest.clone())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The folder of `path` (`.` for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Removes `.{name}.tmp-PID` files left by killed runs whose process no longer exists.
///
/// Only on Linux, where a live process has `/proc/PID`; elsewhere stale files are left alone
/// (they never replace a finished file, they only take space).
fn remove_stale_temporaries(dir: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(pid) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            tracing::info!(file = %e.path().display(), "removing a temporary file of an interrupted run");
            let _ = std::fs::remove_file(e.path());
        }
    }
}

//! A tiny pool of read-only SQLite connections, used from `spawn_blocking`.
//!
//! r2d2_sqlite and deadpool-sqlite pin an older rusqlite, so this is our own: a fixed number of
//! connections opened up front (so a file replaced on disk never leaks into an old generation),
//! handed out under a semaphore so that waiting is async and never blocks a runtime thread.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use crate::error::TilesetError;

/// Fixed-size pool of read-only connections to one SQLite file.
#[derive(Debug)]
pub(crate) struct ReadOnlyPool {
    conns: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

/// Opens `path` read-only and immutable (see [`lbm_formats::sqlite::open_read_only`]).
pub(super) fn open_read_only(path: &Path) -> Result<Connection, TilesetError> {
    Ok(lbm_formats::sqlite::open_read_only(path)?)
}

impl ReadOnlyPool {
    /// Opens `size` connections (at least one) to `path`.
    pub(crate) fn open(path: &Path, size: usize) -> Result<Self, TilesetError> {
        let size = size.max(1);
        let conns = (0..size)
            .map(|_| open_read_only(path))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            conns: Mutex::new(conns),
            permits: Arc::new(Semaphore::new(size)),
        })
    }

    /// Runs `f` with a connection on the blocking thread pool.
    pub(crate) async fn with_conn<T, F>(self: &Arc<Self>, f: F) -> Result<T, TilesetError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, TilesetError> + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| TilesetError::Task(e.to_string()))?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            pool.with_conn_blocking(f)
        })
        .await
        .map_err(|e| TilesetError::Task(e.to_string()))?
    }

    /// Runs `f` with a connection right here on the async thread when one is free, else as
    /// [`Self::with_conn`] does. For look-ups by key that take microseconds when the file is in
    /// the page cache (the point index): handing those to the blocking pool cost more in thread
    /// switches than the query itself. A cold read blocks this worker for one disk read.
    pub(crate) async fn with_conn_inline<T, F>(self: &Arc<Self>, f: F) -> Result<T, TilesetError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, TilesetError> + Send + 'static,
    {
        match self.permits.try_acquire() {
            Ok(_permit) => self.with_conn_blocking(f),
            Err(_) => self.with_conn(f).await,
        }
    }

    /// Runs `f` with a connection on the current thread (the caller holds a permit or is
    /// alone, e.g. while opening).
    pub(crate) fn with_conn_blocking<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, TilesetError>,
    ) -> Result<T, TilesetError> {
        let conn = self
            .conns
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .ok_or_else(|| TilesetError::Task("connection pool exhausted".into()))?;
        // Give the connection back even if `f` panics: a guard would need unsafe-free Drop
        // gymnastics; catch_unwind keeps it simple.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&conn)));
        self.conns
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(conn);
        result.map_err(|_| TilesetError::Task("query panicked".into()))?
    }
}

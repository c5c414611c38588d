//! A real server for tests: [`TestServer`] serves a tiles folder on 127.0.0.1 with an ephemeral
//! port, on its own runtime thread, so that blocking and async tests alike can talk to it over
//! HTTP. The one test server of the project (the server's tests and the end-to-end tests).

use std::net::SocketAddr;
use std::path::Path;
use std::thread::JoinHandle;

use crate::{AppState, Config};

/// A running server; stopped gracefully (and its thread joined) when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// The server's state (its catalog, caches and metrics).
    pub state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serves `tiles` with the default configuration.
    pub fn start(tiles: &Path) -> Self {
        Self::start_with(Config::for_tiles(tiles))
    }

    /// Serves with `config` (its `bind` is ignored: 127.0.0.1 and an ephemeral port).
    ///
    /// # Panics
    /// When the tiles folder cannot be loaded or the port cannot be bound: a test cannot go on.
    pub fn start_with(config: Config) -> Self {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(async move {
                let state = AppState::load(config).await.expect("load the tiles folder");
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind 127.0.0.1:0");
                let addr = listener.local_addr().expect("bound address");
                ready_tx
                    .send((addr, state.clone()))
                    .expect("the test is waiting");
                let shutdown = async move {
                    let _ = stopped.await;
                };
                crate::serve(listener, state, shutdown)
                    .await
                    .expect("serve");
            });
        });
        let (addr, state) = ready_rx.recv().expect("the server started");
        TestServer {
            base: format!("http://{addr}"),
            addr,
            state,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

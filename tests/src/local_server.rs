//! A second HTTP host for the tests (a foreign basemap, a geocoder): an axum app on 127.0.0.1
//! and an ephemeral port, run by a runtime of its own on a thread, stopped when dropped.

use std::net::SocketAddr;
use std::thread::JoinHandle;

use axum::Router;

/// A running host; its port is closed when it is dropped.
pub struct LocalServer {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl LocalServer {
    /// Serves the app `make` builds for the address it got (an app that writes its own URLs
    /// needs it).
    pub fn start(make: impl FnOnce(SocketAddr) -> Router + Send + 'static) -> Self {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind 127.0.0.1:0");
                let addr = listener.local_addr().expect("address");
                ready_tx.send(addr).expect("the test is waiting");
                axum::serve(listener, make(addr))
                    .with_graceful_shutdown(async move {
                        let _ = stopped.await;
                    })
                    .await
                    .expect("serve");
            });
        });
        let addr = ready_rx.recv().expect("the host started");
        LocalServer {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

//! The accept loop: hyper's HTTP/1 connections served directly, with the limits axum::serve
//! does not expose, and a graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tower::ServiceExt;

use crate::{router, AppState, ServerError};

/// Serves `state` on `listener` until `shutdown` resolves, then drains open requests.
///
/// Connections are served by hyper's HTTP/1 builder directly (axum::serve does not expose its
/// limits): the request head is limited to `--max-header-bytes` and must arrive within
/// `--header-read-timeout`, and at most `--max-connections` connections are served at once
/// (further clients wait in the listen backlog until one closes).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    use hyper_util::rt::{TokioIo, TokioTimer};

    let max_buf = state.config.max_header_bytes.max(8192);
    let header_timeout = state.config.header_timeout();
    let slots = Arc::new(tokio::sync::Semaphore::new(
        state.config.max_connections.max(1),
    ));
    let app = router(state.clone());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = {
            let (state, app) = (state.clone(), app.clone());
            // A tile is answered before the router and its layers when it can be (see
            // `http::fast_tile`); everything else goes through them.
            hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let (state, app) = (state.clone(), app.clone());
                async move {
                    match crate::http::fast_tile(&state, &req, crate::routes::stored_tile).await {
                        Some(response) => Ok(response),
                        None => app.oneshot(req.map(axum::body::Body::new)).await,
                    }
                }
            })
        };
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .max_buf_size(max_buf)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection closed with an error");
            }
            drop(permit);
        });
    }
    // Stop accepting, let open requests finish (each is bounded by the request timeout), and
    // close idle keep-alive connections.
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

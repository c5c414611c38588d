//! Error types: tileset loading errors and the JSON error response of the HTTP API.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Why a tileset or the point index could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum TilesetError {
    /// SQLite refused the file or a query failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file is SQLite but not an MBTiles tileset of this project.
    #[error("invalid tileset: {0}")]
    Invalid(String),
    /// A blocking task was cancelled or panicked.
    #[error("background task failed: {0}")]
    Task(String),
}

impl From<lbm_formats::pmtiles::ArchiveError> for TilesetError {
    fn from(e: lbm_formats::pmtiles::ArchiveError) -> Self {
        TilesetError::Invalid(e.to_string())
    }
}

impl From<lbm_formats::mbtiles::MbtilesError> for TilesetError {
    fn from(e: lbm_formats::mbtiles::MbtilesError) -> Self {
        match e {
            lbm_formats::mbtiles::MbtilesError::Sqlite(e) => TilesetError::Sqlite(e),
            other => TilesetError::Invalid(other.to_string()),
        }
    }
}

/// Errors of the server as a whole (startup, binding, serving).
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// An I/O error (binding, reading the tiles folder, serving).
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The file watcher could not be started.
    #[error("watcher: {0}")]
    Watch(#[from] notify::Error),
}

/// An HTTP error answered as `{"error": "...", "code": "..."}` with the given status.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status sent.
    pub status: StatusCode,
    /// Human-readable reason (English, for developers and logs).
    pub message: String,
    /// A stable name of the reason, for clients that say it in their own language (the web
    /// map does, in Dutch or English).
    pub code: Option<&'static str>,
}

impl ApiError {
    /// An error with a status and a reason.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            code: None,
        }
    }
    /// The same error with a stable `code` in its JSON body.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }
    /// 400 Bad Request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    /// 404 Not Found.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    /// 503 for a read that failed (e.g. a tileset replaced in place); logged, worth a retry.
    pub fn unavailable(err: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %err, "read failed");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "tileset temporarily unavailable, retry",
        )
    }
    /// 500 for a failure on our side (logged, reason kept generic for the client).
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.code {
            Some(code) => {
                let body = serde_json::json!({ "error": self.message, "code": code }).to_string();
                json_body(self.status, body)
            }
            None => json_error(self.status, &self.message),
        }
    }
}

/// A JSON error body `{"error": message}` with `status`.
pub(crate) fn json_error(status: StatusCode, message: &str) -> Response {
    json_body(status, serde_json::json!({ "error": message }).to_string())
}

fn json_body(status: StatusCode, body: String) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

//! `lbm-server`: serves the tiles folder and the web map (see `lbm-server --help`).

use anyhow::Context;
use clap::Parser;
use lbm_server::{AppState, Config};
use tracing_subscriber::EnvFilter;

/// See `server/Cargo.toml` for why.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Whether the tiles folder holds at least one tileset (`.mbtiles` or `.pmtiles`).
fn has_tilesets(dir: &std::path::Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries.flatten().any(|e| {
                let ext = e
                    .path()
                    .extension()
                    .and_then(|x| x.to_str())
                    .map(str::to_owned);
                ext.is_some_and(|x| lbm_server::TILESET_EXTENSIONS.contains(&x.as_str()))
            })
        })
        .unwrap_or(false)
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down: finishing open requests");
}

/// Builds the demo tilesets and point index into `dir` (with progress bars on a terminal).
#[cfg(feature = "demo")]
async fn build_demo(dir: &std::path::Path) -> anyhow::Result<()> {
    tracing::info!(
        tiles = %dir.display(),
        "no tilesets in the tiles folder: building the demo dataset first (once)"
    );
    let target = dir.to_path_buf();
    let summary = tokio::task::spawn_blocking(move || {
        build_staged(&target, |staging| {
            let mut opts = lbm_tiler::DemoOptions::new(staging);
            opts.keep_scores = false;
            Ok(lbm_tiler::demo(&opts)?)
        })
    })
    .await
    .context("demo build task")?
    .with_context(|| format!("building the demo dataset into {}", dir.display()))?;
    tracing::info!(
        tilesets = summary.tilesets.len(),
        tiles = summary.tiles(),
        bytes = summary.bytes(),
        "demo dataset built"
    );
    Ok(())
}

/// Runs `build` into a staging folder inside `dir` and moves what it wrote into `dir` only when
/// it succeeds: a build that fails half-way (a full disk) leaves no tilesets that the next start
/// would take for the whole demo. The staging folder is removed either way.
#[cfg(feature = "demo")]
fn build_staged<T>(
    dir: &std::path::Path,
    build: impl FnOnce(&std::path::Path) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".lbm-demo-")
        .tempdir_in(dir)
        .with_context(|| format!("creating a staging folder in {}", dir.display()))?;
    let out = build(staging.path())?;
    for entry in std::fs::read_dir(staging.path())? {
        let from = entry?.path();
        let to = dir.join(from.file_name().expect("a folder entry has a name"));
        std::fs::rename(&from, &to)
            .with_context(|| format!("moving {} to {}", from.display(), to.display()))?;
    }
    Ok(out)
}

/// Without the `demo` feature there is no demo to build.
#[cfg(not(feature = "demo"))]
async fn build_demo(dir: &std::path::Path) -> anyhow::Result<()> {
    tracing::warn!(tiles = %dir.display(), "no tilesets in the tiles folder (built without the demo)");
    Ok(())
}

/// `lbm-server export-site`: the tiles folder's archives as a static web map.
fn export_site(
    config: &Config,
    out: &std::path::Path,
    archive_base: Option<String>,
) -> anyhow::Result<()> {
    let catalog = lbm_server::Catalog::new(&config.tiles, 1);
    catalog.rescan_blocking();
    for (file, reason) in catalog.skipped() {
        tracing::warn!(file = %file, reason = %reason, "skipped");
    }
    let opts = lbm_server::site::SiteOptions {
        out: out.to_path_buf(),
        archive_base,
        basemap: config.basemap_style_url.clone(),
        geocoder: config.geocoder().map_err(anyhow::Error::msg)?,
    };
    let summary = lbm_server::site::export_site(&catalog.snapshot(), &config.tiles, &opts)
        .with_context(|| format!("exporting the site to {}", out.display()))?;
    for id in &summary.without_archive {
        tracing::warn!(tileset = %id, "left out: no .pmtiles archive (build with --format both)");
    }
    tracing::info!(
        tilesets = summary.tilesets,
        archives = summary.archives_copied,
        files = summary.files,
        "static site written to {}",
        out.display()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Access logs: one line per request at info (target `lbm_server::access`), written by
    // tracing-appender's log thread so that handlers never wait on stdout; it writes through a
    // buffer it flushes each time it has drained its queue. Under a burst larger than the queue
    // lines are dropped (counted by the appender) rather than slowing requests down. Silence them
    // with RUST_LOG=info,lbm_server::access=off.
    let (writer, _flush_logs) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(65_536)
        .thread_name("lbm-log")
        .finish(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stdout(),
        ));
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_writer(writer)
        .init();
    let config = Config::parse();
    config.geocoder().map_err(anyhow::Error::msg)?;
    if let Some(lbm_server::config::Command::ExportSite { out, archive_base }) = &config.command {
        return export_site(&config, out, archive_base.clone());
    }

    // First run: no tilesets yet → build the demo dataset into the tiles folder, so that
    // `cargo run --release` shows a working map on a fresh clone.
    if !has_tilesets(&config.tiles) {
        build_demo(&config.tiles).await?;
    }

    let bind = config.bind;
    let state = AppState::load(config)
        .await
        .context("loading the tiles folder")?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let addr = listener.local_addr()?;
    tracing::info!(
        tilesets = state.catalog.snapshot().tilesets.len(),
        "lbm-server listening on http://{addr}/"
    );
    lbm_server::serve(listener, state, shutdown_signal())
        .await
        .context("serving")?;
    Ok(())
}

#[cfg(all(test, feature = "demo"))]
mod tests {
    use super::*;

    #[test]
    fn a_staged_build_is_moved_in_only_when_it_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        let tiles = dir.path().join("tiles");
        let failed: anyhow::Result<()> = build_staged(&tiles, |staging| {
            std::fs::write(staging.join("lbm-2020.mbtiles"), b"a finished tileset").unwrap();
            anyhow::bail!("database or disk is full")
        });
        assert!(failed.is_err());
        assert!(!has_tilesets(&tiles), "a failed build leaves no tilesets");
        assert_eq!(
            std::fs::read_dir(&tiles).unwrap().count(),
            0,
            "nor its staging folder"
        );

        let n = build_staged(&tiles, |staging| {
            std::fs::write(staging.join("lbm-2020.mbtiles"), b"tiles").unwrap();
            std::fs::write(staging.join("lbm-index.sqlite"), b"index").unwrap();
            Ok(2)
        })
        .unwrap();
        assert_eq!(n, 2);
        assert!(has_tilesets(&tiles));
        let mut names: Vec<_> = std::fs::read_dir(&tiles)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["lbm-2020.mbtiles", "lbm-index.sqlite"]);
    }
}

//! `lbm-server export-site`: the web map as plain files that need no tile server.
//!
//! The site holds the embedded web map and MapLibre, a `catalog.json` whose tilesets point at
//! PMTiles archives (read by the browser with HTTP range requests through the `pmtiles`
//! protocol), and a `config.json` telling the map that the server's JSON APIs (point info,
//! search) are absent; the report documents of the Netherlands and of every area are files under
//! `reports/`, when the tiles folder has an index. Any static file host with range requests serves it: nginx, a CDN, or
//! object storage. Written to a temporary folder and renamed into place, so a failed export
//! leaves the previous site.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use lbm_tileset::basemap;
use lbm_tileset::style::{style, StyleSource};
use lbm_tileset::{Kind, TilesetKind};

use crate::assets::ASSETS;
use crate::catalog::Snapshot;
use crate::documents::catalog::catalog;
use crate::documents::report::{document as report_document, ALL as REPORT_ALL};
use crate::glyphs::{encode_stack, render_range, GlyphError, FONTS};
use crate::index::report::NATIONAL_CODE;

/// What to export.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    /// The site folder (replaced when it exists).
    pub out: PathBuf,
    /// Where the archives will be hosted (e.g. an object-storage bucket URL); `None` copies
    /// them into the site's `tiles/` folder.
    pub archive_base: Option<String>,
    /// The basemap style URL written into `config.json`.
    pub basemap: Option<String>,
    /// The geocoder's base URL written into `config.json` (`geocoder_url`): the site's search
    /// then finds addresses, postcodes and places.
    pub geocoder: Option<String>,
}

/// What was exported.
#[derive(Debug, Clone, Default)]
pub struct SiteSummary {
    /// Tilesets in the site's catalog.
    pub tilesets: usize,
    /// Archives copied into the site.
    pub archives_copied: usize,
    /// Tilesets left out because they have no PMTiles archive.
    pub without_archive: Vec<String>,
    /// Files written (app, vendor, JSON).
    pub files: usize,
    /// Report documents written (`reports/`), of the Netherlands and every area.
    pub reports: usize,
}

/// Errors of the export, naming the path involved.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The binary has no web map to export.
    #[error(
        "this lbm-server was built without the web map (cargo feature `web`): nothing to export"
    )]
    NoWebMap,
    /// Nothing to export.
    #[error(
        "no tileset in {0} has a PMTiles archive; build them with `lbm-tiler build --format pmtiles` (or `both`)"
    )]
    NoArchives(PathBuf),
    /// The label glyphs could not be rendered.
    #[error("{0}")]
    Glyphs(GlyphError),
    /// The report documents could not be read from the index.
    #[error("reports: {0}")]
    Reports(String),
    /// The archive base URL is unusable.
    #[error("archive base URL {0:?} must start with http://, https:// or be a relative path")]
    BadArchiveBase(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SiteError + '_ {
    move |source| SiteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The URL of a tileset's archive in the site: relative to the site's root, or under
/// `archive_base`.
fn archive_url(id: &str, archive_base: Option<&str>) -> String {
    let file = crate::urls::file_name(id, "pmtiles");
    match archive_base {
        Some(base) => format!("{}/{file}", base.trim_end_matches('/')),
        None => format!("tiles/{file}"),
    }
}

/// The URL of a tileset's style in the site, relative to the site's root.
fn style_path(id: &str) -> String {
    format!("styles/{}", crate::urls::file_name(id, "json"))
}

/// The catalog of the site: the server's catalog restricted to tilesets with an archive, with
/// `pmtiles` URLs (relative to the site, or under `archive_base`) and the style files of the
/// site instead of the server's TileJSON, style and tile URLs.
pub fn site_catalog(snapshot: &Snapshot, archive_base: Option<&str>) -> Value {
    let mut catalog = catalog(snapshot, "");
    catalog
        .tilesets
        .retain(|t| snapshot.archive(t.id).is_some());
    for t in &mut catalog.tilesets {
        t.tilejson = None;
        t.tiles = None;
        t.pmtiles = Some(archive_url(t.id, archive_base));
        t.style = style_path(t.id);
    }
    let kept: Vec<&str> = catalog.tilesets.iter().map(|t| t.id).collect();
    catalog.changes.retain(|c| kept.contains(&c.id));
    // Years of a measure: those of its score tilesets that made it into the site.
    let tilesets = &catalog.tilesets;
    for m in &mut catalog.measures {
        let id = m.id();
        let kept = |y: &i32| {
            tilesets
                .iter()
                .any(|t| t.kind == Some(Kind::Score) && t.year == Some(*y) && t.measure == Some(id))
        };
        m.years.retain(kept);
    }
    catalog.measures.retain(|m| !m.years.is_empty());
    // Our own types always serialise.
    serde_json::to_value(&catalog).unwrap_or_default()
}

/// Copies `from` to `to`: a hard link when both are on one file system (archives are large
/// and never modified in place), a copy otherwise.
fn link_or_copy(from: &Path, to: &Path) -> Result<(), SiteError> {
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to).map(|_| ()).map_err(io(to))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), SiteError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    std::fs::write(path, bytes).map_err(io(path))
}

/// The glyphs URL of the basemap's style in a site, relative to its root.
const GLYPHS: &str = "fonts/{fontstack}/{range}.pbf";

/// Writes `fonts/{font}/{range}.pbf` for every range of every served font that has glyphs (the
/// server renders the same on request); returns the number of files.
fn write_glyphs(dir: &Path) -> Result<usize, SiteError> {
    let mut files = 0;
    for font in FONTS {
        for start in (0..=65535u32).step_by(256) {
            let range = render_range(font, start).map_err(SiteError::Glyphs)?;
            if range.glyphs.is_empty() {
                continue;
            }
            let path = dir
                .join("fonts")
                .join(font.name)
                .join(format!("{start}-{}.pbf", start + 255));
            write(&path, &encode_stack(font.name, start, vec![range]))?;
            files += 1;
        }
    }
    Ok(files)
}

/// The folder of the report documents in a site, relative to its root.
const REPORTS: &str = "reports/";

/// Writes `reports/{code}.json` for the Netherlands (`NL`) and every area of the index, the
/// documents `/api/v1/report` and `/api/v1/areas/{code}/report` answer (nothing without an
/// index with class distributions); returns the number of files.
fn write_reports(snapshot: &Snapshot, dir: &Path) -> Result<usize, SiteError> {
    let Some(index) = snapshot.index.as_deref().filter(|i| i.has_reports()) else {
        return Ok(0);
    };
    let failed = |e: &dyn std::fmt::Display| SiteError::Reports(e.to_string());
    let mut codes = index.codes_blocking().map_err(|e| failed(&e))?;
    codes.insert(0, NATIONAL_CODE.to_string());
    let mut files = 0;
    for code in codes {
        let Some(data) = index.report_blocking(&code).map_err(|e| failed(&e))? else {
            continue;
        };
        let doc =
            report_document(snapshot, index, &data, &REPORT_ALL).map_err(|e| failed(&e.message))?;
        let name = crate::urls::file_name(&code, "json");
        write(&dir.join(REPORTS).join(name), doc.as_bytes())?;
        files += 1;
    }
    Ok(files)
}

/// Writes the site of `snapshot` into `opts.out` (see the module docs).
pub fn export_site(
    snapshot: &Snapshot,
    tiles_dir: &Path,
    opts: &SiteOptions,
) -> Result<SiteSummary, SiteError> {
    if let Some(base) = &opts.archive_base {
        let ok = base.starts_with("https://")
            || base.starts_with("http://")
            || !(base.contains(':') || base.starts_with("//") || base.is_empty());
        if !ok {
            return Err(SiteError::BadArchiveBase(base.clone()));
        }
    }
    if snapshot.served_archives().next().is_none() {
        return Err(SiteError::NoArchives(tiles_dir.to_path_buf()));
    }
    if ASSETS.is_empty() {
        return Err(SiteError::NoWebMap);
    }
    let mut summary = SiteSummary {
        without_archive: snapshot
            .tilesets
            .keys()
            .filter(|id| snapshot.archive(id).is_none())
            .cloned()
            .collect(),
        ..SiteSummary::default()
    };

    let out = &opts.out;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    let result = write_site(snapshot, &tmp, opts, &mut summary);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    // Swap the new site in; the old one goes only once the new one is in place.
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if out.exists() {
        std::fs::rename(out, &old).map_err(io(out))?;
    }
    std::fs::rename(&tmp, out).map_err(io(out))?;
    if old.exists() {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(summary)
}

fn write_site(
    snapshot: &Snapshot,
    dir: &Path,
    opts: &SiteOptions,
    summary: &mut SiteSummary,
) -> Result<(), SiteError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for (url, bytes, _) in ASSETS {
        let rel = url.trim_start_matches('/');
        write(&dir.join(rel), bytes)?;
        summary.files += 1;
    }
    // The pages at the site's root, where the server serves them as `/` and `/embed`.
    for (page, asset) in [
        ("index.html", "/static/index.html"),
        ("embed.html", "/static/embed.html"),
    ] {
        if let Some((_, bytes, _)) = ASSETS.iter().find(|(u, _, _)| *u == asset) {
            write(&dir.join(page), bytes)?;
            summary.files += 1;
        }
    }
    let catalog = site_catalog(snapshot, opts.archive_base.as_deref());
    summary.tilesets = catalog["tilesets"].as_array().map_or(0, Vec::len);
    write(&dir.join("catalog.json"), catalog.to_string().as_bytes())?;
    // The same style documents the server publishes, with the archive as their source.
    for (id, tileset) in snapshot.served_archives() {
        let source = StyleSource::Pmtiles(archive_url(id, opts.archive_base.as_deref()));
        let doc = if tileset.info.kind == Some(TilesetKind::Basemap) {
            // Relative to the site's root; the page makes it absolute.
            basemap::style(&source, GLYPHS, tileset.info.attribution.as_deref())
        } else {
            style(&tileset.info.meta, id, &source)
        };
        write(&dir.join(style_path(id)), doc.to_string().as_bytes())?;
        summary.files += 1;
    }
    if snapshot
        .served_archives()
        .any(|(_, t)| t.info.kind == Some(TilesetKind::Basemap))
    {
        summary.files += write_glyphs(dir)?;
    }
    let reports = write_reports(snapshot, dir)?;
    summary.files += reports;
    summary.reports = reports;
    let mut config = json!({"basemap": opts.basemap, "api": false, "pmtiles": true,
                            "geocoder_url": opts.geocoder});
    if reports > 0 {
        config["reports"] = json!(REPORTS);
    }
    write(&dir.join("config.json"), config.to_string().as_bytes())?;
    summary.files += 2;
    if opts.archive_base.is_none() {
        let tiles = dir.join("tiles");
        std::fs::create_dir_all(&tiles).map_err(io(&tiles))?;
        for (id, tileset) in snapshot.served_archives() {
            link_or_copy(&tileset.path, &tiles.join(format!("{id}.pmtiles")))?;
            summary.archives_copied += 1;
        }
    }
    Ok(())
}

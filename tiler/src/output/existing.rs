//! The tilesets an earlier build left in the output folder: which can be kept (made from the
//! same inputs) and which are no longer in the plan.

use std::path::Path;

use crate::error::{Result, TilerError};
use crate::output::OutputFormat;

/// The metadata rows of the tileset file at `path`, when it is a readable MBTiles file or
/// PMTiles archive.
fn rows(path: &Path) -> Option<Vec<(String, String)>> {
    let ext = path.extension()?.to_str()?;
    match ext {
        "mbtiles" => {
            let conn = lbm_formats::sqlite::open_read_only(path).ok()?;
            lbm_formats::mbtiles::metadata(&conn).ok()
        }
        "pmtiles" => lbm_formats::pmtiles::Archive::open(path)
            .ok()?
            .metadata_rows()
            .ok(),
        _ => None,
    }
}

fn row<'a>(rows: &'a [(String, String)], key: &str) -> Option<&'a str> {
    rows.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Whether every file `format` writes for tileset `name` is in `dir` and was made from the
/// inputs with digest `inputs` (its `lbm_inputs_sha256` row).
pub fn unchanged(dir: &Path, name: &str, format: OutputFormat, inputs: &str) -> bool {
    let exts = [("mbtiles", format.mbtiles()), ("pmtiles", format.pmtiles())];
    exts.iter().filter(|(_, written)| *written).all(|(ext, _)| {
        rows(&dir.join(format!("{name}.{ext}")))
            .is_some_and(|r| row(&r, "lbm_inputs_sha256") == Some(inputs))
    })
}

/// Removes the score, change and pressure tilesets of an earlier build in `dir` whose name is
/// not in `planned` (other files, the basemap among them, are left alone); returns their names.
pub fn remove_stale(dir: &Path, planned: &[String]) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| TilerError::io(dir, e))?;
    let mut removed = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| TilerError::io(dir, e))?.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if stem.starts_with('.') || planned.iter().any(|p| p == stem) {
            continue;
        }
        let Some(r) = rows(&path) else { continue };
        let ours = row(&r, "lbm_generator").is_some_and(|g| g.starts_with("lbm-tiler"))
            && matches!(row(&r, "lbm_kind"), Some("score" | "change" | "pressure"));
        if ours {
            std::fs::remove_file(&path).map_err(|e| TilerError::io(&path, e))?;
            tracing::info!(path = %path.display(), "removed: no longer in the plan");
            if !removed.iter().any(|n| n == stem) {
                removed.push(stem.to_string());
            }
        }
    }
    removed.sort();
    Ok(removed)
}

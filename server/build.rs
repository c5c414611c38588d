//! Embeds the web map (`../static`) and MapLibre GL JS into the binary (cargo feature `web`,
//! on by default; without it the server serves no page, only tiles and the APIs).
//!
//! Writes `$OUT_DIR/assets.rs` with `ASSETS: &[(url path, bytes, content type)]`. MapLibre and
//! the PMTiles reader come from `static/node_modules` when a developer installed them there
//! (`npm ci` in `static/`, which the browser tests need anyway); otherwise this script copies
//! `static/package.json` and `static/package-lock.json` into `$OUT_DIR/web` and runs `npm ci`
//! there (as martin does for its UI), so a build never writes into the source tree. npm keeps
//! its own download cache (`~/.npm`), so the second profile's install is quick. Without npm or
//! a lock file it embeds the app without MapLibre and warns, so the server still builds.

use std::path::{Path, PathBuf};
use std::process::Command;

/// MapLibre files served under `/vendor/maplibre-gl/`; sourcemaps and dev builds are left out.
fn is_vendor_file(name: &str) -> bool {
    let wanted = name.ends_with(".mjs") || name.ends_with(".js") || name.ends_with(".css");
    wanted && !name.contains("-dev")
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Every app file under `dir`, skipping npm's files, tests and dot files.
fn collect_app_files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if dir == root && (name == "node_modules" || name == "tests") {
                continue;
            }
            collect_app_files(root, &path, out);
        } else if !(dir == root && name.starts_with("package")) {
            out.push(path);
        }
    }
}

/// The `node_modules` folder to embed MapLibre from: `static/node_modules` when MapLibre is
/// installed there, else one installed by `npm ci` under `out` (`None` when that fails).
fn node_modules(static_dir: &Path, out: &Path) -> Option<PathBuf> {
    let in_tree = static_dir.join("node_modules");
    if in_tree.join("maplibre-gl/dist").is_dir() {
        return Some(in_tree);
    }
    let web = out.join("web");
    let installed = web.join("node_modules");
    let lock = static_dir.join("package-lock.json");
    if !lock.is_file() {
        println!("cargo:warning=static/package-lock.json missing; MapLibre is not embedded");
        return None;
    }
    // Installed once per lock file: the copy of the lock beside it says which.
    let same_lock = std::fs::read(web.join("package-lock.json")).ok() == std::fs::read(&lock).ok();
    if same_lock && installed.join("maplibre-gl/dist").is_dir() {
        return Some(installed);
    }
    let copied = std::fs::create_dir_all(&web).and_then(|_| {
        std::fs::copy(static_dir.join("package.json"), web.join("package.json"))?;
        std::fs::copy(&lock, web.join("package-lock.json"))
    });
    if let Err(e) = copied {
        println!(
            "cargo:warning=cannot prepare {}: {e}; MapLibre is not embedded",
            web.display()
        );
        return None;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(&web)
        .status();
    match status {
        Ok(s) if s.success() => Some(installed),
        Ok(s) => {
            println!("cargo:warning=npm ci failed ({s}); MapLibre is not embedded");
            None
        }
        Err(e) => {
            println!("cargo:warning=npm not runnable ({e}); MapLibre is not embedded");
            None
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let static_dir = manifest.join("..").join("static");
    let lock = static_dir.join("package-lock.json");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    let out = out_dir.join("assets.rs");
    println!("cargo:rerun-if-changed={}", static_dir.display());
    println!("cargo:rerun-if-changed={}", lock.display());
    println!("cargo:rerun-if-changed=build.rs");

    const HEADER: &str = "/// Embedded files: (URL path, bytes, content type).\npub static ASSETS: &[(&str, &[u8], &str)] = &[\n";
    if std::env::var_os("CARGO_FEATURE_WEB").is_none() {
        std::fs::write(out, format!("{HEADER}];\n")).expect("write assets.rs");
        return;
    }
    let modules = node_modules(&static_dir, &out_dir);
    let dist = modules
        .as_ref()
        .map(|m| m.join("maplibre-gl/dist"))
        .unwrap_or_default();

    let mut assets: Vec<(String, PathBuf)> = Vec::new();
    let mut files = Vec::new();
    collect_app_files(&static_dir, &static_dir, &mut files);
    for file in files {
        let rel = file.strip_prefix(&static_dir).expect("under static/");
        let url = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        assets.push((format!("/static/{url}"), file));
    }
    if let Ok(entries) = std::fs::read_dir(&dist) {
        let mut names: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        names.sort();
        for path in names {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            if path.is_file() && is_vendor_file(&name) {
                assets.push((format!("/vendor/maplibre-gl/{name}"), path));
            }
        }
    } else {
        println!("cargo:warning=maplibre-gl/dist missing; MapLibre is not embedded");
    }
    // The PMTiles reader (one self-contained script) for the server-less site of `export-site`.
    let pmtiles = modules
        .map(|m| m.join("pmtiles/dist/pmtiles.js"))
        .unwrap_or_default();
    if pmtiles.is_file() {
        assets.push(("/vendor/pmtiles/pmtiles.js".into(), pmtiles));
    } else {
        println!(
            "cargo:warning=node_modules/pmtiles missing; export-site maps cannot read archives"
        );
    }

    let mut code = String::from(HEADER);
    for (url, path) in &assets {
        let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
        code.push_str(&format!(
            "    ({url:?}, include_bytes!({abs:?}), {ct:?}),\n",
            abs = abs.to_string_lossy(),
            ct = content_type(path)
        ));
    }
    code.push_str("];\n");
    std::fs::write(out, code).expect("write assets.rs");
}

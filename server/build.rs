//! Embeds the web map (`../static`) and MapLibre GL JS into the binary.
//!
//! Writes `$OUT_DIR/assets.rs` with `ASSETS: &[(url path, bytes, content type)]`. When
//! `static/node_modules/maplibre-gl/dist` is missing it runs `npm ci` in `static/` first (as
//! martin does for its UI); without npm or a lock file it embeds the app without MapLibre and
//! warns, so the server still builds.

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

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let static_dir = manifest.join("..").join("static");
    let dist = static_dir.join("node_modules/maplibre-gl/dist");
    let lock = static_dir.join("package-lock.json");
    println!("cargo:rerun-if-changed={}", static_dir.display());
    println!("cargo:rerun-if-changed={}", lock.display());
    println!("cargo:rerun-if-changed=build.rs");

    if !dist.is_dir() {
        if lock.is_file() {
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&static_dir)
                .status();
            match status {
                Ok(s) if s.success() => {}
                Ok(s) => println!(
                    "cargo:warning=npm ci in static/ failed ({s}); MapLibre is not embedded"
                ),
                Err(e) => {
                    println!("cargo:warning=npm not runnable ({e}); MapLibre is not embedded")
                }
            }
        } else {
            println!("cargo:warning=static/package-lock.json missing; MapLibre is not embedded");
        }
    }

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
        println!(
            "cargo:warning=static/node_modules/maplibre-gl/dist missing; MapLibre is not embedded"
        );
    }
    // The PMTiles reader (one self-contained script) for the server-less site of `export-site`.
    let pmtiles = static_dir.join("node_modules/pmtiles/dist/pmtiles.js");
    if pmtiles.is_file() {
        assets.push(("/vendor/pmtiles/pmtiles.js".into(), pmtiles));
    } else {
        println!("cargo:warning=static/node_modules/pmtiles missing; export-site maps cannot read archives");
    }

    let mut code = String::from(
        "/// Embedded files: (URL path, bytes, content type).\npub static ASSETS: &[(&str, &[u8], &str)] = &[\n",
    );
    for (url, path) in &assets {
        let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
        code.push_str(&format!(
            "    ({url:?}, include_bytes!({abs:?}), {ct:?}),\n",
            abs = abs.to_string_lossy(),
            ct = content_type(path)
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("assets.rs");
    std::fs::write(out, code).expect("write assets.rs");
}

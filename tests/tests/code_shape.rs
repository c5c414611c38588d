//! The shape of the code, checked on its sources: no module of a crate depends on a module that
//! depends back on it (the modules named by `crate::` paths, outside comments and test modules),
//! and the byte layouts are written in one crate only (`formats/`): no other source creates the
//! project's SQLite tables, inserts their rows or flips a tile row between XYZ and TMS (reading
//! them to check what was written is every test's right).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The code of a source file without comments and without its `#[cfg(test)]` module.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level module a source file belongs to (`None` for the crate root and binaries).
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    let name = first.trim_end_matches(".rs").to_string();
    (!["lib", "main"].contains(&name.as_str())).then_some(name)
}

/// The top-level modules each module of the crate at `src` names through `crate::` paths.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in sources(src) {
        let Some(from) = top_module(src, &file) else {
            continue;
        };
        let code = code(&file);
        let deps = graph.entry(from.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let is_module = src.join(format!("{name}.rs")).is_file() || src.join(&name).is_dir();
            if is_module && name != from {
                deps.insert(name);
            }
        }
    }
    graph
}

/// A cycle of the graph, if it has one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            return Some(path[i..].to_vec());
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

fn root() -> PathBuf {
    lbm_e2e::workspace_root()
}

#[test]
fn no_crate_has_a_module_cycle() {
    for krate in ["formats", "tileset", "tiler", "server"] {
        let graph = module_graph(&root().join(krate).join("src"));
        assert!(graph.len() > 3, "{krate}: modules found");
        assert_eq!(cycle(&graph), None, "{krate}: {graph:?}");
    }
    // The check finds a cycle when there is one.
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert!(cycle(&g).is_some());
}

#[test]
fn byte_layouts_are_written_in_formats_only() {
    // Tests that write a deliberately broken or foreign file (a raster MBTiles, an index of an
    // older tiler, GeoPackages) may use SQL of their own; these are named here.
    let allowed = [
        "server/tests/http.rs",
        "server/tests/areas.rs",
        "tiler/tests/real_world.rs",
        "tiler/tests/common/mod.rs",
        "tiler/tests/fuzz_parsers.rs",
        "tests/tests/code_shape.rs",
    ];
    let mut offending = Vec::new();
    for dir in ["tileset", "tiler", "server", "tests"] {
        for file in sources(&root().join(dir)) {
            let rel = file
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel.starts_with("tests/target") || allowed.contains(&rel.as_str()) {
                continue;
            }
            let code = code(&file);
            for needle in [
                "CREATE TABLE",
                "CREATE VIEW",
                "INSERT INTO tiles",
                "INSERT INTO metadata",
                "<< z) - 1 -",
            ] {
                if code.contains(needle) {
                    offending.push(format!("{rel}: {needle}"));
                }
            }
        }
    }
    assert!(offending.is_empty(), "outside formats/: {offending:#?}");
    // And formats/ does hold them.
    let mbtiles = code(&root().join("formats/src/mbtiles.rs"));
    assert!(
        mbtiles.contains("CREATE TABLE tiles")
            && code(&root().join("formats/src/tile.rs")).contains("tms_row")
    );
}

#[test]
fn the_index_and_tilesets_are_read_in_formats_only() {
    // The tables of the point index and of MBTiles: queried by `formats/` only (tests may read
    // them to check what was written).
    let tables = [
        "cells",
        "cell_values",
        "areas",
        "aliases",
        "area_scores",
        "class_counts",
        "national_scores",
        "pressure",
        "meta",
        "tiles",
        "metadata",
    ];
    let mut offending = Vec::new();
    for krate in ["tileset", "tiler", "server"] {
        for file in sources(&root().join(krate).join("src")) {
            let code = code(&file).to_lowercase();
            for table in tables {
                for from in [" ", "\"", "\n"].map(|end| format!("from {table}{end}")) {
                    if code.contains(&from) {
                        offending.push(format!("{}: {from}", file.display()));
                    }
                }
            }
        }
    }
    assert!(offending.is_empty(), "outside formats/: {offending:#?}");
    let read = code(&root().join("formats/src/index/read.rs")).to_lowercase();
    assert!(read.contains("from cells ") && read.contains("from class_counts "));
}

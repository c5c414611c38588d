//! Runs `docs/deploy.md`: every ```sh block, in order, with the guide's locations pointed into
//! a temporary folder. The settings block is replaced by the test's values (it may only set
//! the variables below), and a block marked "not run by the test" may only hold `systemctl`
//! commands: in their place the test starts the installed unit's `ExecStart` with its
//! `Environment=` lines, as systemd would, and checks it answers.
//!
//! Needs the release binaries the guide builds (`.ci/run` builds them first; elsewhere the
//! test skips without them, as a release build takes minutes), bash, curl and
//! systemd-analyze.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lbm_e2e::nginx::free_port;
use lbm_e2e::{require_tool, workspace_root};

/// The variables of the guide's settings block.
const SETTINGS: [&str; 6] = [
    "LBM_SRC",
    "LBM_DIR",
    "BIN_DIR",
    "UNIT_DIR",
    "NGINX_CONF_DIR",
    "LBM_BIND",
];

/// One ```sh block of the guide.
#[derive(Debug)]
struct Block {
    /// 1-based line of the opening fence.
    line: usize,
    text: String,
    /// Marked `<!-- not run by the test: ... -->`.
    not_run: bool,
}

fn sh_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    let mut previous = "";
    for (i, line) in markdown.lines().enumerate() {
        match &mut current {
            None if line.trim() == "```sh" => {
                current = Some(Block {
                    line: i + 1,
                    text: String::new(),
                    not_run: previous.trim().starts_with("<!-- not run by the test"),
                });
            }
            Some(_) if line.trim() == "```" => blocks.push(current.take().expect("open block")),
            Some(block) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            None => {}
        }
        if !line.trim().is_empty() {
            previous = line;
        }
    }
    assert!(current.is_none(), "unclosed ```sh block in docs/deploy.md");
    blocks
}

/// Checks the settings block only exports [`SETTINGS`].
fn check_settings(block: &Block) {
    let mut names = Vec::new();
    for line in block.text.lines() {
        let code = line.split('#').next().unwrap_or("").trim();
        if code.is_empty() {
            continue;
        }
        let name = code
            .strip_prefix("export ")
            .and_then(|rest| rest.split('=').next())
            .unwrap_or_else(|| panic!("settings block line is not an export: {line:?}"));
        names.push(name.to_string());
    }
    assert_eq!(names, SETTINGS, "docs/deploy.md line {}", block.line);
}

/// `Environment=` and `ExecStart=` of a systemd unit.
fn unit_service(unit: &Path) -> (BTreeMap<String, String>, String) {
    let text = std::fs::read_to_string(unit).unwrap_or_else(|e| panic!("{}: {e}", unit.display()));
    let mut env = BTreeMap::new();
    let mut exec = None;
    for line in text.lines() {
        if let Some(kv) = line.strip_prefix("Environment=") {
            let (k, v) = kv.split_once('=').expect("Environment=K=V");
            env.insert(k.to_string(), v.to_string());
        } else if let Some(cmd) = line.strip_prefix("ExecStart=") {
            exec = Some(cmd.to_string());
        }
    }
    (env, exec.expect("ExecStart="))
}

/// Stops the service on drop (SIGTERM, as systemd does).
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn release_binaries(root: &Path) -> bool {
    ["lbm-server", "lbm-tiler"]
        .iter()
        .all(|b| root.join("target/release").join(b).is_file())
}

#[test]
fn every_command_of_the_deploy_guide_runs() {
    let root = workspace_root();
    if !release_binaries(&root) {
        assert!(
            std::env::var("LBM_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "target/release/lbm-server and lbm-tiler are required: .ci/run builds them"
        );
        eprintln!(
            "skipped: no release binaries (cargo build --release -p lbm-server -p lbm-tiler)"
        );
        return;
    }
    for tool in ["bash", "curl", "systemd-analyze"] {
        if require_tool(tool, &[]).is_none() {
            return;
        }
    }
    let guide = std::fs::read_to_string(root.join("docs/deploy.md")).unwrap();
    let blocks = sh_blocks(&guide);
    assert!(blocks.len() >= 6, "{} blocks", blocks.len());
    check_settings(&blocks[0]);

    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let bind = format!("127.0.0.1:{}", free_port());
    let values = [
        root.display().to_string(),
        t.join("lbm").display().to_string(),
        t.join("bin").display().to_string(),
        t.join("systemd").display().to_string(),
        t.join("nginx").display().to_string(),
        bind.clone(),
    ];
    for dir in &values[1..5] {
        std::fs::create_dir_all(dir).unwrap();
    }
    // The guide's input: a scores file (a corner of Utrecht, two years).
    let scores = t.join("lbm/scores.csv");
    lbm_tiler::demo::write_demo_csv(
        &scores,
        [134_000.0, 454_000.0, 138_000.0, 458_000.0],
        &[2020, 2022],
    )
    .unwrap();

    let mut service = None;
    for block in &blocks[1..] {
        if block.not_run {
            for line in block.text.lines().filter(|l| !l.trim().is_empty()) {
                assert!(
                    line.trim_start().starts_with("systemctl "),
                    "docs/deploy.md line {}: only systemctl may go unrun: {line:?}",
                    block.line
                );
            }
            // What `systemctl enable --now lbm-server` starts.
            let (env, exec) = unit_service(&t.join("systemd/lbm-server.service"));
            let mut cmd = Command::new(&exec);
            cmd.envs(&env).stdout(Stdio::null()).stderr(Stdio::null());
            service = Some(Service(
                cmd.spawn().unwrap_or_else(|e| panic!("{exec}: {e}")),
            ));
            let started = Instant::now();
            while std::net::TcpStream::connect(&bind).is_err() {
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "the service did not listen on {bind}"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
            continue;
        }
        let mut script = String::from("set -euo pipefail\n");
        for (name, value) in SETTINGS.iter().zip(&values) {
            script.push_str(&format!("export {name}='{value}'\n"));
        }
        script.push_str(&block.text);
        let out = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(&root)
            .output()
            .unwrap();
        println!(
            "docs/deploy.md line {}:\n{}{}",
            block.line,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "docs/deploy.md block at line {} failed ({}):\n{}\n{}",
            block.line,
            out.status,
            block.text,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(service.is_some(), "the guide starts the service");

    // What the guide promised is there.
    let installed: PathBuf = t.join("bin/lbm-server");
    assert!(installed.is_file());
    let tiles = t.join("lbm/tiles");
    for f in ["lbm-2022.mbtiles", "lbm-2022.pmtiles", "lbm-index.sqlite"] {
        assert!(tiles.join(f).is_file(), "{f}");
    }
    let site = t.join("lbm/site");
    for f in [
        "index.html",
        "embed.html",
        "catalog.json",
        "config.json",
        "tiles/lbm-2022.pmtiles",
    ] {
        assert!(site.join(f).is_file(), "site/{f}");
    }
    let catalog: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("catalog.json")).unwrap()).unwrap();
    let first = &catalog["tilesets"][0];
    assert!(
        first["pmtiles"].as_str().unwrap().starts_with("tiles/"),
        "{first}"
    );
    assert!(first.get("tiles").is_none(), "{first}");
    for conf in ["lbm.conf", "lbm-site.conf"] {
        let text = std::fs::read_to_string(t.join("nginx").join(conf)).unwrap();
        assert!(text.contains("server {"), "{conf}");
    }
    let site_conf = std::fs::read_to_string(t.join("nginx/lbm-site.conf")).unwrap();
    assert!(site_conf.contains(&site.display().to_string()));
}

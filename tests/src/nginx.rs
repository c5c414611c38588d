//! Debian's nginx as a real peer of the tests: a caching proxy in front of `lbm-server`, or a
//! plain static file server for the server-less web map. Runs unprivileged with its own prefix,
//! configuration, cache and logs in a temporary folder, on an ephemeral 127.0.0.1 port.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::require_tool;

/// A running nginx, stopped when dropped.
pub struct Nginx {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The listening port.
    pub port: u16,
    /// The prefix folder (configuration, logs, cache).
    pub prefix: PathBuf,
    binary: PathBuf,
    child: Child,
}

/// A port nothing listens on right now (bound and released; nginx binds it next).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("an ephemeral port")
}

/// `nginx` with the prefix, configuration and error log of the folder `prefix`.
fn command(binary: &Path, prefix: &Path) -> Command {
    let mut cmd = Command::new(binary);
    cmd.arg("-p")
        .arg(prefix)
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .arg("-e")
        .arg(prefix.join("logs/error.log"));
    cmd
}

impl Nginx {
    /// The nginx binary, or `None` (with the reason printed) when the machine has none and
    /// `LBM_REQUIRE_TOOLS` is not set; panics when it is set and nginx is missing.
    pub fn binary() -> Option<PathBuf> {
        require_tool("nginx", &["/usr/sbin/nginx"])
    }

    /// Starts `nginx` with `http_conf` (text for the `http {}` block, which must contain a
    /// `listen 127.0.0.1:{port}` of [`free_port`]'s `port`) in `prefix`.
    pub fn start(binary: &Path, prefix: &Path, port: u16, http_conf: &str) -> Self {
        std::fs::create_dir_all(prefix.join("logs")).expect("nginx prefix");
        let p = prefix.display();
        // Everything nginx writes goes under the prefix: an unprivileged run on a clean machine.
        let conf = format!(
            "daemon off;\nworker_processes 1;\npid {p}/nginx.pid;\nerror_log {p}/logs/error.log info;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log {p}/logs/access.log;\n  client_body_temp_path {p}/client_body;\n\
             proxy_temp_path {p}/proxy;\n  fastcgi_temp_path {p}/fastcgi;\n  uwsgi_temp_path {p}/uwsgi;\n\
             scgi_temp_path {p}/scgi;\n  types {{\n    text/html html;\n    text/css css;\n\
             text/javascript js mjs;\n    application/json json;\n    application/octet-stream pmtiles;\n  }}\n\
             default_type application/octet-stream;\n{http_conf}\n}}\n"
        );
        let conf_path = prefix.join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("write nginx.conf");
        let test = command(binary, prefix)
            .arg("-t")
            .output()
            .expect("run nginx -t");
        assert!(
            test.status.success(),
            "nginx refused the configuration:\n{}",
            String::from_utf8_lossy(&test.stderr)
        );
        let child = command(binary, prefix)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start nginx");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "nginx did not listen on {port}; log:\n{}",
                std::fs::read_to_string(prefix.join("logs/error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Nginx {
            base: format!("http://127.0.0.1:{port}"),
            port,
            prefix: prefix.to_path_buf(),
            binary: binary.to_path_buf(),
            child,
        }
    }

    /// nginx's error log so far (for failure messages).
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.prefix.join("logs/error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // `-s stop` signals the master, which stops its workers; killing the master alone
        // would leave them running.
        let _ = command(&self.binary, &self.prefix)
            .args(["-s", "stop"])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

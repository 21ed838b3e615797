//! Shared test support: the vcsim scenario server and running the real `vcaudit` binary.
//!
//! The scenario is the project's Go program under `tests/vcsim/`, built against Debian's govmomi.
//! When it cannot be built the tests fail (never skip) with a message saying how to install what
//! is missing: `bash tests/run.sh` installs the packages and runs everything.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::OnceLock;

pub const USER: &str = "auditor";
pub const PASSWORD: &str = "s3cret-pa55";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Path of the scenario binary, built once per test process (atomically, so parallel test
/// binaries never run a half-written file).
pub fn scenario_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let out_dir = root().join("target/vcsim-scenario");
        let bin = out_dir.join("vcsim-scenario");
        let src = root().join("tests/vcsim");
        let newest_src = std::fs::read_dir(&src)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", src.display()))
            .flatten()
            .filter_map(|e| e.metadata().ok()?.modified().ok())
            .max();
        let built = bin.metadata().and_then(|m| m.modified()).ok();
        if built.is_some() && newest_src.is_some() && built >= newest_src {
            return bin;
        }
        std::fs::create_dir_all(&out_dir).expect("create target/vcsim-scenario");
        let tmp = out_dir.join(format!("vcsim-scenario.{}.tmp", std::process::id()));
        let gopath = std::env::var("VCAUDIT_GOPATH").unwrap_or_else(|_| "/usr/share/gocode".into());
        let status = Command::new("go")
            .args(["build", "-o"])
            .arg(&tmp)
            .arg("./tests/vcsim")
            .current_dir(root())
            .env("GOPATH", &gopath)
            .env("GO111MODULE", "off")
            .env("GOCACHE", root().join("target/gocache"))
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => panic!(
                "the vcsim scenario did not build (go build exited {s}); is govmomi installed under {gopath}? \
                 Run `bash tests/run.sh`, which installs golang-go and golang-github-vmware-govmomi-dev"
            ),
            Err(e) => panic!(
                "the vcsim scenario cannot be built: `go` could not run ({e}). \
                 Run `bash tests/run.sh`, which installs golang-go and golang-github-vmware-govmomi-dev"
            ),
        }
        std::fs::rename(&tmp, &bin).expect("move the scenario binary into place");
        bin
    })
}

/// A running scenario vCenter; stopped when dropped.
pub struct Sim {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    pub info: Value,
}

impl Sim {
    /// Starts `scenario` (audit, demo, scale) with extra args and waits until it serves.
    pub fn start(scenario: &str, extra: &[&str]) -> Sim {
        let mut child = Command::new(scenario_binary())
            .args(["-scenario", scenario, "-user", USER])
            .args(extra)
            .env("VCSIM_PASSWORD", PASSWORD)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the vcsim scenario");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("read the scenario's ready line");
        assert!(
            !line.trim().is_empty(),
            "the vcsim scenario exited before it was ready"
        );
        let info: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the scenario's ready line is not JSON ({e}): {line}"));
        let stdin = child.stdin.take();
        Sim {
            child,
            stdin,
            stdout,
            info,
        }
    }

    /// Stops the simulator and returns its last line: the requests it served since it was
    /// ready, by interface (`{"requests": {"sdk": n, "rest": n, "api": n, "other": n}}`).
    pub fn stop(mut self) -> Value {
        drop(self.stdin.take());
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .expect("read the scenario's stats line");
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the scenario's stats line is not JSON ({e}): {line}"))
    }

    pub fn audit() -> Sim {
        Sim::start("audit", &[])
    }

    pub fn server(&self) -> &str {
        self.info["server"].as_str().expect("server")
    }

    pub fn ca_file(&self) -> &str {
        self.info["ca_file"].as_str().expect("ca_file")
    }

    pub fn thumbprint(&self) -> &str {
        self.info["thumbprint"].as_str().expect("thumbprint")
    }

    pub fn expected(&self) -> &Value {
        &self.info["expected"]
    }

    /// Kills the simulator now (for "vCenter dies mid-run" tests).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The result of running the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `vcaudit` with `args`, the password in `VCAUDIT_PASSWORD` and no GOVC/VCAUDIT variables
/// leaking in from the environment.
pub fn vcaudit(args: &[&str], password: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vcaudit"));
    cmd.args(args).stdin(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("VCAUDIT_") || k.starts_with("GOVC_") {
            cmd.env_remove(k);
        }
    }
    if let Some(p) = password {
        cmd.env("VCAUDIT_PASSWORD", p);
    }
    let out = cmd.output().expect("run vcaudit");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A CSV report read into rows of column → value.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<HashMap<String, String>>,
}

impl Table {
    pub fn read(path: &Path) -> Table {
        let mut r = csv::Reader::from_path(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let header: Vec<String> = r
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect();
        let rows = r
            .records()
            .map(|rec| {
                let rec = rec.expect("csv record");
                header
                    .iter()
                    .cloned()
                    .zip(rec.iter().map(str::to_string))
                    .collect()
            })
            .collect();
        Table { header, rows }
    }

    /// Rows keyed by the value of `col` (which must be unique).
    pub fn by(&self, col: &str) -> HashMap<String, &HashMap<String, String>> {
        let mut m = HashMap::new();
        for r in &self.rows {
            let k = r[col].clone();
            assert!(m.insert(k.clone(), r).is_none(), "duplicate {col} {k}");
        }
        m
    }
}

/// Bytes as GiB with at most two decimals, trailing zeros dropped: the reports' number format,
/// written independently of the library's formatter.
pub fn gib(bytes: u64) -> String {
    let s = format!("{:.2}", bytes as f64 / 1073741824.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A JSON value as the CSV cell it should become: null → "", bools and numbers as text.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => panic!("not a scalar: {other}"),
    }
}

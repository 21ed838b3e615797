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

    /// The audit scenario serving the CA-signed P-256 certificate whose CA is [`Sim::ca_file`]
    /// (vcsim's stock RSA-1024 one is the default).
    pub fn audit_with_ca() -> Sim {
        Sim::start("audit", &["-tls", "ca"])
    }

    /// `SUB --server S --user U --thumbprint T` and then `rest`: how the tests call `vcaudit` on
    /// this simulator, pinning the certificate it serves (vcsim's stock one unless started with
    /// `-tls ca`), as an admin of a self-signed vCenter would.
    pub fn args<'a>(&'a self, sub: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
        let mut v = vec![
            sub,
            "--server",
            self.server(),
            "--user",
            USER,
            "--thumbprint",
            self.thumbprint(),
        ];
        v.extend_from_slice(rest);
        v
    }

    pub fn server(&self) -> &str {
        self.info["server"].as_str().expect("server")
    }

    /// The CA file of a simulator started with `-tls ca`.
    pub fn ca_file(&self) -> &str {
        let ca = self.info["ca_file"].as_str().expect("ca_file");
        assert!(
            !ca.is_empty(),
            "ca_file needs the scenario started with -tls ca"
        );
        ca
    }

    pub fn thumbprint(&self) -> &str {
        self.info["thumbprint"].as_str().expect("thumbprint")
    }

    pub fn expected(&self) -> &Value {
        &self.info["expected"]
    }

    /// Sends one command line to the scenario (e.g. `mutate`) and returns its JSON answer.
    pub fn command(&mut self, cmd: &str) -> Value {
        use std::io::Write;
        let stdin = self.stdin.as_mut().expect("the scenario's stdin is open");
        writeln!(stdin, "{cmd}").expect("send a command to the scenario");
        stdin.flush().expect("flush the command");
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .expect("read the scenario's answer");
        let v: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the scenario's answer is not JSON ({e}): {line}"));
        assert!(
            v.get("error").is_none(),
            "scenario command {cmd} failed: {v}"
        );
        v
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
    match password {
        Some(p) => vcaudit_env(args, &[("VCAUDIT_PASSWORD", p)]),
        None => vcaudit_env(args, &[]),
    }
}

/// Runs `vcaudit` with `args` and exactly the variables `env` set of the VCAUDIT/GOVC ones (for
/// estate files naming their own `password_env`).
pub fn vcaudit_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = vcaudit_command(args, env).output().expect("run vcaudit");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The `vcaudit` command with `args`, no standard input and exactly the variables `env` set of
/// the VCAUDIT/GOVC ones.
fn vcaudit_command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vcaudit"));
    cmd.args(args).stdin(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("VCAUDIT_") || k.starts_with("GOVC_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs `vcaudit` like [`vcaudit`] and also returns its peak resident memory in KiB, as the
/// kernel accounted it for the reaped process (`wait4`'s `ru_maxrss`), not sampled.
// The child is reaped by libc::wait4 below, which clippy cannot see.
#[allow(dead_code, clippy::zombie_processes)]
pub fn vcaudit_peak(args: &[&str], password: Option<&str>) -> (Run, u64) {
    use std::io::Read;
    let env: Vec<(&str, &str)> = password
        .map(|p| ("VCAUDIT_PASSWORD", p))
        .into_iter()
        .collect();
    let mut child = vcaudit_command(args, &env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vcaudit");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            r.read_to_end(&mut v).expect("read vcaudit's output");
            String::from_utf8_lossy(&v).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data that wait4 fills; the pid is our own unreaped child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4 on vcaudit");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let run = Run {
        code,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (run, usage.ru_maxrss.max(0) as u64)
}

/// Asserts that `dir` holds no file: no partial report.
pub fn assert_no_reports(dir: &std::path::Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "files were left behind: {left:?}");
}

/// Asserts exit code 2 and exactly one `vcaudit:` error line mentioning `needle`, without the
/// password or a panic.
pub fn assert_one_line_error(run: &Run, needle: &str) {
    assert_eq!(run.code, 2, "exit code; stderr: {}", run.stderr);
    let lines: Vec<_> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("vcaudit:"))
        .collect();
    assert_eq!(lines.len(), 1, "one error line: {}", run.stderr);
    assert!(
        lines[0].contains(needle),
        "error {:?} should mention {needle:?}",
        lines[0]
    );
    assert!(
        !run.stderr.contains(PASSWORD) && !run.stdout.contains(PASSWORD),
        "password leaked"
    );
    assert!(
        !run.stderr.contains("panicked"),
        "no backtrace: {}",
        run.stderr
    );
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

/// A JSON value as the CSV cell it should become: null → "", bools and numbers as text, text
/// formula-safe.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => text_cell(s),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => panic!("not a scalar: {other}"),
    }
}

/// Text as the CSV cell it should become: with a leading `'` when a spreadsheet would read it as
/// a formula (it begins with `=`, `+`, `-`, `@`, TAB or CR), written independently of the
/// library's rule.
pub fn text_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn list<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("expected.{key} is not a list"))
}

/// Compares one row with the expected cells, naming every difference.
fn compare(
    what: &str,
    row: &HashMap<String, String>,
    want: &[(&str, String)],
    diffs: &mut Vec<String>,
) {
    for (col, expected) in want {
        let got = row
            .get(*col)
            .unwrap_or_else(|| panic!("{what}: no column {col}"));
        if got != expected {
            diffs.push(format!(
                "{what}: {col} is {got:?}, simulator has {expected:?}"
            ));
        }
    }
}

/// What [`compare_inventory`] found for one vCenter.
pub struct InventoryCheck {
    /// Every difference between the reports and the simulator, one line each.
    pub diffs: Vec<String>,
    /// Rows the simulator's objects should give, per report.
    pub hosts: usize,
    pub vms: usize,
    pub disks: usize,
    pub datastores: usize,
}

/// Compares the inventory reports in `dir` (vcenters, hosts, vms, disks, datastores) for the
/// vCenter `server` with `exp`, the simulator's own `expected` object: every object present once,
/// every column equal. Rows of other vCenters are left alone (morefs repeat across vCenters).
pub fn compare_inventory(dir: &Path, server: &str, exp: &Value) -> InventoryCheck {
    let server = server.to_string();
    let mut diffs = Vec::new();
    let mine = |t: &Table| -> Vec<HashMap<String, String>> {
        t.rows
            .iter()
            .filter(|r| r["vcenter"] == server)
            .cloned()
            .collect()
    };
    let by_moref = |rows: &[HashMap<String, String>], what: &str| {
        let mut m: HashMap<String, HashMap<String, String>> = HashMap::new();
        for r in rows {
            let k = r["moref"].clone();
            assert!(
                m.insert(k.clone(), r.clone()).is_none(),
                "duplicate {what} {k} of {server}"
            );
        }
        m
    };

    // vcenters.csv
    let vcs = mine(&Table::read(&dir.join("vcenters.csv")));
    assert_eq!(vcs.len(), 1, "one vcenters.csv row for {server}");
    let about = &exp["about"];
    compare(
        &format!("vcenter {server}"),
        &vcs[0],
        &[
            ("url", format!("https://{server}/sdk")),
            ("name", cell(&about["name"])),
            ("version", cell(&about["version"])),
            ("build", cell(&about["build"])),
            ("api_version", cell(&about["api_version"])),
            ("instance_uuid", cell(&about["instance_uuid"])),
            ("status", "ok".into()),
            ("error", String::new()),
            ("datacenters", list(exp, "datacenters").len().to_string()),
            ("clusters", list(exp, "clusters").len().to_string()),
            ("hosts", list(exp, "hosts").len().to_string()),
            ("vms", list(exp, "vms").len().to_string()),
        ],
        &mut diffs,
    );
    assert!(!vcs[0]["collected_at"].is_empty(), "collected_at is set");

    // hosts.csv
    let hosts = mine(&Table::read(&dir.join("hosts.csv")));
    if hosts.len() != list(exp, "hosts").len() {
        diffs.push(format!(
            "{server}: {} hosts.csv rows, simulator has {} hosts",
            hosts.len(),
            list(exp, "hosts").len()
        ));
    }
    let by = by_moref(&hosts, "host");
    for h in list(exp, "hosts") {
        let moref = cell(&h["moref"]);
        let Some(row) = by.get(&moref) else {
            diffs.push(format!("host {moref} of {server} missing from hosts.csv"));
            continue;
        };
        compare(
            &format!("host {moref}"),
            row,
            &[
                ("datacenter", cell(&h["datacenter"])),
                ("cluster", cell(&h["cluster"])),
                ("host", cell(&h["name"])),
                ("version", cell(&h["version"])),
                ("build", cell(&h["build"])),
                ("full_name", cell(&h["full_name"])),
                ("connection_state", cell(&h["connection_state"])),
                ("maintenance_mode", cell(&h["maintenance_mode"])),
                ("vms", cell(&h["vms"])),
            ],
            &mut diffs,
        );
    }

    // vms.csv and disks.csv
    let vms = mine(&Table::read(&dir.join("vms.csv")));
    if vms.len() != list(exp, "vms").len() {
        diffs.push(format!(
            "{server}: {} vms.csv rows, simulator has {} VMs",
            vms.len(),
            list(exp, "vms").len()
        ));
    }
    let by = by_moref(&vms, "VM");
    let disks = mine(&Table::read(&dir.join("disks.csv")));
    let mut disk_rows: HashMap<(String, String), &HashMap<String, String>> = HashMap::new();
    for r in &disks {
        disk_rows.insert((r["vm_moref"].clone(), r["label"].clone()), r);
    }
    let mut expected_disks = 0;
    for vm in list(exp, "vms") {
        let moref = cell(&vm["moref"]);
        let vdisks = list(vm, "disks");
        expected_disks += vdisks.len();
        let Some(row) = by.get(&moref) else {
            diffs.push(format!("VM {moref} of {server} missing from vms.csv"));
            continue;
        };
        let sizes: Vec<u64> = vdisks
            .iter()
            .map(|d| {
                d["capacity_in_bytes"]
                    .as_u64()
                    .unwrap_or_else(|| d["capacity_in_kb"].as_u64().unwrap() * 1024)
            })
            .collect();
        let datastores: Vec<String> = list(vm, "datastores").iter().map(cell).collect();
        compare(
            &format!("vm {moref}"),
            row,
            &[
                ("datacenter", cell(&vm["datacenter"])),
                ("cluster", cell(&vm["cluster"])),
                ("host", cell(&vm["host"])),
                ("folder", cell(&vm["folder"])),
                ("vm", cell(&vm["name"])),
                ("bios_uuid", cell(&vm["bios_uuid"])),
                ("instance_uuid", cell(&vm["instance_uuid"])),
                ("power_state", cell(&vm["power_state"])),
                ("template", cell(&vm["template"])),
                ("guest_id", cell(&vm["guest_id"])),
                ("guest_os_config", cell(&vm["guest_full_name"])),
                ("guest_os_tools", cell(&vm["tools_guest_full_name"])),
                ("tools_status", cell(&vm["tools_status"])),
                ("tools_running", cell(&vm["tools_running"])),
                ("tools_version", cell(&vm["tools_version"])),
                ("tools_version_status", cell(&vm["tools_version_status"])),
                ("firmware", cell(&vm["firmware"])),
                ("cpus", cell(&vm["cpus"])),
                ("memory_mb", cell(&vm["memory_mb"])),
                ("disks", vdisks.len().to_string()),
                ("provisioned_gib", gib(sizes.iter().sum())),
                (
                    "largest_disk_gib",
                    sizes.iter().max().map(|s| gib(*s)).unwrap_or_default(),
                ),
                ("datastores", datastores.join("; ")),
            ],
            &mut diffs,
        );
        for (d, size) in vdisks.iter().zip(&sizes) {
            let label = cell(&d["label"]);
            let Some(drow) = disk_rows.get(&(moref.clone(), label.clone())) else {
                diffs.push(format!("disk {label} of {moref} missing from disks.csv"));
                continue;
            };
            compare(
                &format!("disk {moref}/{label}"),
                drow,
                &[
                    ("vm", cell(&vm["name"])),
                    ("capacity_bytes", size.to_string()),
                    ("capacity_gib", gib(*size)),
                    ("datastore", cell(&d["datastore"])),
                    ("file", cell(&d["file"])),
                    ("thin", cell(&d["thin"])),
                    ("disk_mode", cell(&d["disk_mode"])),
                    ("backing", cell(&d["backing"])),
                    ("controller", cell(&d["controller"])),
                    ("unit", cell(&d["unit"])),
                ],
                &mut diffs,
            );
        }
    }
    if disks.len() != expected_disks {
        diffs.push(format!(
            "{server}: {} disks.csv rows, simulator has {expected_disks} virtual disks",
            disks.len()
        ));
    }

    // datastores.csv
    let ds = mine(&Table::read(&dir.join("datastores.csv")));
    if ds.len() != list(exp, "datastores").len() {
        diffs.push(format!(
            "{server}: {} datastores.csv rows, simulator has {} datastores",
            ds.len(),
            list(exp, "datastores").len()
        ));
    }
    let by = by_moref(&ds, "datastore");
    let pods: HashMap<String, &Value> = list(exp, "storage_pods")
        .iter()
        .map(|p| (cell(&p["moref"]), p))
        .collect();
    for d in list(exp, "datastores") {
        let moref = cell(&d["moref"]);
        let Some(row) = by.get(&moref) else {
            diffs.push(format!("datastore {moref} of {server} missing"));
            continue;
        };
        let pod = d["storage_pod"].as_str().and_then(|p| pods.get(p));
        compare(
            &format!("datastore {moref}"),
            row,
            &[
                ("datacenter", cell(&d["datacenter"])),
                ("datastore", cell(&d["name"])),
                ("type", cell(&d["type"])),
                (
                    "capacity_gib",
                    d["capacity"].as_u64().map(gib).unwrap_or_default(),
                ),
                (
                    "free_gib",
                    d["free_space"].as_u64().map(gib).unwrap_or_default(),
                ),
                (
                    "datastore_cluster",
                    pod.map(|p| cell(&p["name"])).unwrap_or_default(),
                ),
                (
                    "storage_drs",
                    pod.map(|p| cell(&p["storage_drs"])).unwrap_or_default(),
                ),
            ],
            &mut diffs,
        );
    }
    InventoryCheck {
        diffs,
        hosts: list(exp, "hosts").len(),
        vms: list(exp, "vms").len(),
        disks: expected_disks,
        datastores: list(exp, "datastores").len(),
    }
}

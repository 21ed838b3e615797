//! The inventory reports against the vcsim scenario estate: every VM, host, disk and datastore
//! the simulator holds, every column compared with what the simulator itself reports.
//! Plus the bad-input cases: each a clear one-line error, exit 2, no report files.

mod support;

use serde_json::Value;
use std::collections::HashMap;
use support::{PASSWORD, Sim, Table, USER, cell, gib, vcaudit};

fn audit_ok(sim: &Sim, out: &std::path::Path) -> support::Run {
    let run = vcaudit(
        &[
            "audit",
            "--server",
            sim.server(),
            "--user",
            USER,
            "--ca-file",
            sim.ca_file(),
            "--out",
            out.to_str().unwrap(),
            "--fail-on",
            "never",
        ],
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "vcaudit failed: {}{}", run.stdout, run.stderr);
    run
}

fn list<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("expected.{key} is not a list"))
}

fn u64_of(v: &Value) -> Option<u64> {
    v.as_u64()
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

#[test]
fn inventory_reports_match_the_simulator() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    audit_ok(&sim, dir.path());
    let exp = sim.expected();
    let server = sim.server().to_string();
    let mut diffs = Vec::new();

    // vcenters.csv
    let vcs = Table::read(&dir.path().join("vcenters.csv"));
    assert_eq!(vcs.rows.len(), 1);
    let about = &exp["about"];
    compare(
        "vcenter",
        &vcs.rows[0],
        &[
            ("vcenter", server.clone()),
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
    assert!(
        !vcs.rows[0]["collected_at"].is_empty(),
        "collected_at is set"
    );

    // hosts.csv
    let hosts = Table::read(&dir.path().join("hosts.csv"));
    assert_eq!(
        hosts.rows.len(),
        list(exp, "hosts").len(),
        "one row per host"
    );
    let by = hosts.by("moref");
    for h in list(exp, "hosts") {
        let moref = cell(&h["moref"]);
        let row = by
            .get(&moref)
            .unwrap_or_else(|| panic!("host {moref} missing from hosts.csv"));
        compare(
            &format!("host {moref}"),
            row,
            &[
                ("vcenter", server.clone()),
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
    let vms = Table::read(&dir.path().join("vms.csv"));
    assert_eq!(vms.rows.len(), list(exp, "vms").len(), "one row per VM");
    let by = vms.by("moref");
    let disks = Table::read(&dir.path().join("disks.csv"));
    let mut disk_rows: HashMap<(String, String), &HashMap<String, String>> = HashMap::new();
    for r in &disks.rows {
        disk_rows.insert((r["vm_moref"].clone(), r["label"].clone()), r);
    }
    let mut expected_disks = 0;
    for vm in list(exp, "vms") {
        let moref = cell(&vm["moref"]);
        let row = by
            .get(&moref)
            .unwrap_or_else(|| panic!("VM {moref} missing from vms.csv"));
        let vdisks = list(vm, "disks");
        let sizes: Vec<u64> = vdisks
            .iter()
            .map(|d| {
                u64_of(&d["capacity_in_bytes"])
                    .unwrap_or_else(|| d["capacity_in_kb"].as_u64().unwrap() * 1024)
            })
            .collect();
        let datastores: Vec<String> = list(vm, "datastores").iter().map(cell).collect();
        compare(
            &format!("vm {moref}"),
            row,
            &[
                ("vcenter", server.clone()),
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
            expected_disks += 1;
            let label = cell(&d["label"]);
            let Some(drow) = disk_rows.get(&(moref.clone(), label.clone())) else {
                diffs.push(format!("disk {label} of {moref} missing from disks.csv"));
                continue;
            };
            compare(
                &format!("disk {moref}/{label}"),
                drow,
                &[
                    ("vcenter", server.clone()),
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
    assert_eq!(disks.rows.len(), expected_disks, "one row per virtual disk");

    // datastores.csv
    let ds = Table::read(&dir.path().join("datastores.csv"));
    assert_eq!(
        ds.rows.len(),
        list(exp, "datastores").len(),
        "one row per datastore"
    );
    let by = ds.by("moref");
    let pods: HashMap<String, &Value> = list(exp, "storage_pods")
        .iter()
        .map(|p| (cell(&p["moref"]), p))
        .collect();
    for d in list(exp, "datastores") {
        let moref = cell(&d["moref"]);
        let row = by
            .get(&moref)
            .unwrap_or_else(|| panic!("datastore {moref} missing"));
        let pod = d["storage_pod"].as_str().and_then(|p| pods.get(p));
        compare(
            &format!("datastore {moref}"),
            row,
            &[
                ("vcenter", server.clone()),
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
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    // The scenario is not trivial: it has what later rules need.
    assert!(list(exp, "vms").len() >= 10 && expected_disks > list(exp, "vms").len());
    assert!(!list(exp, "storage_pods").is_empty());
}

fn assert_no_reports(dir: &std::path::Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "files were left behind: {left:?}");
}

fn assert_one_line_error(run: &support::Run, needle: &str) {
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

#[test]
fn wrong_password_is_a_clear_error_without_reports() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = vcaudit(
        &[
            "audit",
            "--server",
            sim.server(),
            "--user",
            USER,
            "--ca-file",
            sim.ca_file(),
            "--out",
            out.to_str().unwrap(),
        ],
        Some("not-the-password"),
    );
    assert_one_line_error(
        &run,
        &format!(
            "login failed for {USER} at {}: InvalidLogin (check the user and password)",
            sim.server()
        ),
    );
    assert!(!run.stderr.contains("not-the-password"));
    assert_no_reports(&out);
}

#[test]
fn wrong_thumbprint_is_a_clear_error_and_the_right_one_works() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let wrong = sim.info["wrong_thumbprint"].as_str().unwrap();
    let run = vcaudit(
        &[
            "audit",
            "--server",
            sim.server(),
            "--user",
            USER,
            "--thumbprint",
            wrong,
            "--out",
            out.to_str().unwrap(),
        ],
        Some(PASSWORD),
    );
    assert_one_line_error(&run, "check --thumbprint");
    assert!(
        run.stderr.contains(sim.thumbprint()),
        "the message names the presented thumbprint"
    );
    assert_no_reports(&out);
    let run = vcaudit(
        &[
            "audit",
            "--server",
            sim.server(),
            "--user",
            USER,
            "--thumbprint",
            sim.thumbprint(),
            "--out",
            out.to_str().unwrap(),
            "--fail-on",
            "never",
        ],
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(out.join("vms.csv").exists());
}

#[test]
fn untrusted_certificate_says_which_option_to_use() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = vcaudit(
        &[
            "audit",
            "--server",
            sim.server(),
            "--user",
            USER,
            "--out",
            out.to_str().unwrap(),
        ],
        Some(PASSWORD),
    );
    assert_one_line_error(&run, "--ca-file");
    assert!(run.stderr.contains("--thumbprint") && run.stderr.contains("--insecure"));
    assert!(
        run.stderr.contains(sim.thumbprint()),
        "names the thumbprint to pin: {}",
        run.stderr
    );
    assert_no_reports(&out);
}

#[test]
fn unreachable_server_is_a_clear_error() {
    // A port nothing listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let server = format!("127.0.0.1:{port}");
    let run = vcaudit(
        &[
            "audit",
            "--server",
            &server,
            "--user",
            USER,
            "--insecure",
            "--out",
            out.to_str().unwrap(),
            "--timeout",
            "5",
        ],
        Some(PASSWORD),
    );
    assert_one_line_error(&run, &format!("cannot reach {server}"));
    assert_no_reports(&out);
}

#[test]
fn unwritable_out_is_a_clear_error_before_collection() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the folder should be: cannot be created or written, even as root.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let out = blocker.join("reports");
    let run = vcaudit(
        &[
            "audit",
            "--server",
            sim.server(),
            "--user",
            USER,
            "--ca-file",
            sim.ca_file(),
            "--out",
            out.to_str().unwrap(),
        ],
        Some(PASSWORD),
    );
    assert_one_line_error(&run, "cannot write reports to");
    assert!(run.stderr.contains("--out"));
    assert_eq!(
        std::fs::read_to_string(&blocker).unwrap(),
        "x",
        "nothing already written is lost"
    );
}

#[test]
fn missing_password_is_a_usage_error() {
    let run = vcaudit(&["audit", "--server", "vc01.example", "--user", USER], None);
    assert_one_line_error(&run, "no password");
    assert!(run.stderr.contains("VCAUDIT_PASSWORD"));
}

#[test]
fn password_is_not_an_option() {
    let run = vcaudit(
        &[
            "audit",
            "--server",
            "vc01.example",
            "--user",
            USER,
            "--password",
            "x",
        ],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--password"), "{}", run.stderr);
}

#[test]
fn password_file_works_and_env_wins_nothing_over_it() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    let out = dir.path().join("out");
    // The environment holds a wrong password; the explicit file is used.
    let run = vcaudit(
        &[
            "audit",
            "--server",
            sim.server(),
            "--user",
            USER,
            "--ca-file",
            sim.ca_file(),
            "--password-file",
            pw.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--fail-on",
            "never",
        ],
        Some("wrong"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn failed_run_keeps_previous_reports() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    audit_ok(&sim, dir.path());
    let before = std::fs::read(dir.path().join("vms.csv")).unwrap();
    let run = vcaudit(
        &[
            "audit",
            "--server",
            sim.server(),
            "--user",
            USER,
            "--ca-file",
            sim.ca_file(),
            "--out",
            dir.path().to_str().unwrap(),
        ],
        Some("wrong"),
    );
    assert_eq!(run.code, 2);
    assert_eq!(
        std::fs::read(dir.path().join("vms.csv")).unwrap(),
        before,
        "previous report intact"
    );
    let stray: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(stray.is_empty(), "temporary files left: {stray:?}");
}

//! The inventory reports against the vcsim scenario estate: every VM, host, disk and datastore
//! the simulator holds, every column compared with what the simulator itself reports.
//! Plus the bad-input cases: each a clear one-line error, exit 2, no report files.

mod support;

use support::{
    PASSWORD, Sim, Table, USER, assert_no_reports, assert_one_line_error, compare_inventory,
    vcaudit,
};

fn audit_ok(sim: &Sim, out: &std::path::Path) -> support::Run {
    let run = vcaudit(
        &sim.args(
            "audit",
            &["--out", out.to_str().unwrap(), "--fail-on", "never"],
        ),
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "vcaudit failed: {}{}", run.stdout, run.stderr);
    run
}

#[test]
fn inventory_reports_match_the_simulator() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    audit_ok(&sim, dir.path());
    let exp = sim.expected();
    let check = compare_inventory(dir.path(), sim.server(), exp);
    assert!(
        check.diffs.is_empty(),
        "{} differences:\n{}",
        check.diffs.len(),
        check.diffs.join("\n")
    );
    // One vCenter: every row of every report is one of its objects.
    let rows = |name: &str| Table::read(&dir.path().join(name)).rows.len();
    assert_eq!(rows("vcenters.csv"), 1);
    assert_eq!(rows("hosts.csv"), check.hosts, "one row per host");
    assert_eq!(rows("vms.csv"), check.vms, "one row per VM");
    assert_eq!(rows("disks.csv"), check.disks, "one row per virtual disk");
    assert_eq!(
        rows("datastores.csv"),
        check.datastores,
        "one row per datastore"
    );
    // The scenario is not trivial: it has what later rules need.
    assert!(check.vms >= 10 && check.disks > check.vms);
    assert!(!exp["storage_pods"].as_array().unwrap().is_empty());
}

#[test]
fn wrong_password_is_a_clear_error_without_reports() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = vcaudit(
        &sim.args("audit", &["--out", out.to_str().unwrap()]),
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
    // A CA-signed certificate whose CA is not trusted: all three options would work.
    let sim = Sim::audit_with_ca();
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
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(out.join("vms.csv").exists());
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
        &sim.args("audit", &["--out", out.to_str().unwrap()]),
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
        &sim.args(
            "audit",
            &[
                "--password-file",
                pw.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--fail-on",
                "never",
            ],
        ),
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
        &sim.args("audit", &["--out", dir.path().to_str().unwrap()]),
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

/// Network adapters are collected from the paged VM retrieval (device list plus `guest.net`) and
/// kept in the snapshot exactly as the simulator holds them.
#[test]
fn nics_match_the_simulator() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("s.json");
    let run = vcaudit(
        &sim.args("collect", &["--snapshot", snap.to_str().unwrap()]),
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let got: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    let vms = got["vcenters"][0]["vms"].as_array().unwrap();
    let exp = sim.expected()["vms"].as_array().unwrap();
    assert_eq!(vms.len(), exp.len());
    let mut with_ips = 0;
    let mut nics = 0;
    for e in exp {
        let moref = e["moref"].as_str().unwrap();
        let vm = vms.iter().find(|v| v["moref"] == moref).unwrap();
        assert_eq!(vm["nics"], e["nics"], "NICs of {moref}");
        for n in e["nics"].as_array().unwrap() {
            nics += 1;
            with_ips += usize::from(!n["ip_addresses"].as_array().unwrap().is_empty());
        }
    }
    assert!(nics >= exp.len(), "every default VM has an adapter: {nics}");
    assert!(with_ips > 0, "the scenario plants guest addresses");
}

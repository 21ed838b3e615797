//! Issue 3 end to end: against the vcsim scenario estate, `findings.csv` holds exactly the
//! violations the scenario planted (no more, no less), readiness and summary counts add up, and
//! the exit code follows `--fail-on`.

mod support;

use std::collections::BTreeSet;
use support::{PASSWORD, Sim, Table, text_cell, vcaudit};

#[test]
fn findings_are_exactly_what_the_scenario_planted() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let base = sim.args("audit", &["--out", out]);
    let run = vcaudit(&base, Some(PASSWORD));
    assert_eq!(run.code, 1, "failing error checks exit 1: {}", run.stderr);
    assert!(run.stdout.contains("VM readiness:"), "{}", run.stdout);

    let findings = Table::read(&dir.path().join("findings.csv"));
    let key = |t: &str, o: &str, r: &str, s: &str| format!("{t} {o} {r} {s}");
    let got: Vec<String> = findings
        .rows
        .iter()
        .map(|f| key(&f["object_type"], &f["object"], &f["rule"], &f["status"]))
        .collect();
    let planted: Vec<String> = sim.info["planted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            key(
                p["object_type"].as_str().unwrap(),
                &text_cell(p["object"].as_str().unwrap()),
                p["rule"].as_str().unwrap(),
                p["status"].as_str().unwrap(),
            )
        })
        .collect();
    let got_set: BTreeSet<_> = got.iter().cloned().collect();
    let want_set: BTreeSet<_> = planted.iter().cloned().collect();
    let extra: Vec<_> = got_set.difference(&want_set).collect();
    let missing: Vec<_> = want_set.difference(&got_set).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "unexpected: {extra:#?}\nmissing: {missing:#?}"
    );
    assert_eq!(
        got.len(),
        planted.len(),
        "one finding per planted violation"
    );
    assert!(planted.len() >= 20, "the scenario plants every rule");

    // Disk-size findings name the disk and the limit.
    let big = findings
        .rows
        .iter()
        .find(|f| f["object"] == "bigdisk-2t-01")
        .unwrap();
    assert_eq!(
        big["message"],
        r#"disk "Hard disk 2" is 2048 GiB; the limit is 1023 GiB"#
    );

    // Readiness and counts add up.
    let vms = Table::read(&dir.path().join("vms.csv"));
    for vm in &vms.rows {
        let own = findings
            .rows
            .iter()
            .filter(|f| f["object_type"] == "vm" && f["moref"] == vm["moref"])
            .count();
        assert_eq!(
            vm["findings"],
            own.to_string(),
            "findings count of {}",
            vm["vm"]
        );
        let fails_error = findings.rows.iter().any(|f| {
            f["moref"] == vm["moref"] && f["severity"] == "error" && f["status"] == "fail"
        });
        if fails_error {
            assert_eq!(vm["readiness"], "not-ready", "{}", vm["vm"]);
        }
    }
    assert!(
        vms.rows.iter().any(|v| v["readiness"] == "ready"),
        "clean VMs are ready"
    );
    let summary = Table::read(&dir.path().join("summary.csv"));
    for r in summary.rows.iter().filter(|r| r["status"] == "checked") {
        let n = |c: &str| r[c].parse::<usize>().unwrap();
        assert_eq!(
            n("checked"),
            n("passed") + n("failed") + n("unknown"),
            "{}",
            r["rule"]
        );
    }
    assert!(
        summary.rows.iter().any(|r| r["status"] == "manual"),
        "manual checks are listed"
    );

    // --fail-on never exits 0 on the same estate.
    let mut never = base.to_vec();
    never.extend(["--fail-on", "never"]);
    assert_eq!(vcaudit(&never, Some(PASSWORD)).code, 0);
}

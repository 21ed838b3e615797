//! Issue 5 end to end: many vCenters in one run. Scenario vCenters with a VM planted in all of
//! them (same UUIDs) and migration events planted in one, a vCenter that refuses the login and a
//! vCenter killed mid-collection, collected concurrently from one `--estate` file. The reports
//! must hold exactly the expected findings and the healthy vCenters' complete inventories; the
//! failed ones are `status=error` rows and one error line, exit 2.

mod support;

use std::path::{Path, PathBuf};
use support::{PASSWORD, Run, Sim, Table, USER, compare_inventory, text_cell, vcaudit_env};

/// The `/sdk` request on which the dying vCenter exits. The client sends RetrieveServiceContent
/// (1), Login (2), then per object type CreateContainerView, RetrievePropertiesEx and DestroyView:
/// request 10 is the third type's RetrievePropertiesEx, in the middle of the inventory. The
/// scenario logs every request with its method to stderr.
const DIE_AFTER: &str = "10";

fn audit_instance(n: u32, extra: &[&str]) -> Sim {
    let n = n.to_string();
    let mut args = vec!["-instance", n.as_str()];
    args.extend(extra);
    Sim::start("audit", &args)
}

/// Writes an estate file: one `[[vcenter]]` per (sim, password variable), each pinning its certificate.
fn estate_file(dir: &Path, entries: &[(&Sim, &str)]) -> PathBuf {
    let mut text = String::new();
    for (sim, var) in entries {
        text.push_str(&format!(
            "[[vcenter]]\nserver = {:?}\nuser = {USER:?}\npassword_env = {var:?}\nthumbprint = {:?}\n\n",
            sim.server(),
            sim.thumbprint()
        ));
    }
    let path = dir.join("estate.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `vcenter object_type object rule status`, the identity of a finding.
fn key(vcenter: &str, kind: &str, object: &str, rule: &str, status: &str) -> String {
    format!("{vcenter} {kind} {object} {rule} {status}")
}

/// The findings `sims` audited together must give, sorted: what each planted, plus a failing
/// cross-vcenter-vmotion for every copy of a VM shared by all of them (when there are two or
/// more).
fn expected_findings(sims: &[&Sim]) -> Vec<String> {
    let mut want = Vec::new();
    for sim in sims {
        for p in sim.info["planted"].as_array().expect("planted") {
            let s = |k: &str| p[k].as_str().unwrap().to_string();
            want.push(key(
                sim.server(),
                &s("object_type"),
                &text_cell(&s("object")),
                &s("rule"),
                &s("status"),
            ));
        }
        if sims.len() > 1 {
            for vm in shared_vms(sim) {
                want.push(key(
                    sim.server(),
                    "vm",
                    &text_cell(&vm),
                    "cross-vcenter-vmotion",
                    "fail",
                ));
            }
        }
    }
    want.sort();
    want
}

fn shared_vms(sim: &Sim) -> Vec<String> {
    sim.info["shared_vms"]
        .as_array()
        .expect("shared_vms")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn got_findings(findings: &Table) -> Vec<String> {
    let mut got: Vec<String> = findings
        .rows
        .iter()
        .map(|f| {
            key(
                &f["vcenter"],
                &f["object_type"],
                &f["object"],
                &f["rule"],
                &f["status"],
            )
        })
        .collect();
    got.sort();
    got
}

fn assert_same(got: &[String], want: &[String]) {
    let extra: Vec<_> = got.iter().filter(|g| !want.contains(g)).collect();
    let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "unexpected: {extra:#?}\nmissing: {missing:#?}"
    );
    assert_eq!(got, want, "one finding per expected finding, no repeats");
}

/// Every shared VM's copy names the other vCenters and the UUIDs that tie them.
fn assert_shared_messages(findings: &Table, sims: &[&Sim]) {
    for sim in sims {
        for vm in shared_vms(sim) {
            let row = findings
                .rows
                .iter()
                .find(|f| {
                    f["vcenter"] == sim.server()
                        && f["object"] == vm
                        && f["rule"] == "cross-vcenter-vmotion"
                })
                .unwrap_or_else(|| panic!("no finding for {vm} in {}", sim.server()));
            for other in sims.iter().filter(|o| o.server() != sim.server()) {
                assert!(
                    row["message"].contains(other.server()),
                    "{vm} in {} should name {}: {}",
                    sim.server(),
                    other.server(),
                    row["message"]
                );
            }
            assert!(
                row["message"].contains("instance UUID") && row["message"].contains("BIOS UUID"),
                "{}",
                row["message"]
            );
        }
    }
}

fn audit_estate(dir: &Path, estate: &Path, env: &[(&str, &str)]) -> Run {
    audit_estate_into(&dir.join("out"), estate, &["--jobs", "4"], env)
}

/// `vcaudit audit --estate ESTATE --out OUT EXTRA...`.
fn audit_estate_into(out: &Path, estate: &Path, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args = vec![
        "audit",
        "--estate",
        estate.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    vcaudit_env(&args, env)
}

#[test]
fn healthy_vcenters_are_reported_in_full_beside_a_refused_and_a_dying_one() {
    let s1 = audit_instance(1, &[]);
    let s2 = audit_instance(2, &[]);
    let s3 = audit_instance(3, &[]);
    let s4 = audit_instance(4, &["-die-after-soap", DIE_AFTER]);
    assert!(
        !shared_vms(&s1).is_empty() && shared_vms(&s1) == shared_vms(&s2),
        "every instance plants the same shared VMs"
    );
    let dir = tempfile::tempdir().unwrap();
    let estate = estate_file(
        dir.path(),
        &[
            (&s1, "VC1_PW"),
            (&s2, "VC2_PW"),
            (&s3, "VC3_PW"),
            (&s4, "VC4_PW"),
        ],
    );
    let wrong = "not-the-password";
    let run = audit_estate(
        dir.path(),
        &estate,
        &[
            ("VC1_PW", PASSWORD),
            ("VC2_PW", PASSWORD),
            ("VC3_PW", wrong),
            ("VC4_PW", PASSWORD),
        ],
    );
    let out = dir.path().join("out");

    // Exit 2 and one line naming the two failed vCenters.
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let lines: Vec<_> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("vcaudit:"))
        .collect();
    assert_eq!(lines.len(), 1, "one error line: {}", run.stderr);
    assert!(lines[0].contains("2 of 4 vCenters"), "{}", lines[0]);
    assert!(
        lines[0].contains(&format!("login failed for {USER} at {}", s3.server())),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains(&format!("lost the connection to {}", s4.server())),
        "{}",
        lines[0]
    );
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text.contains(PASSWORD) && !text.contains(wrong),
            "password leaked"
        );
    }
    assert!(
        run.stdout.contains("Audited 2 vCenters"),
        "only the collected vCenters are audited: {}",
        run.stdout
    );

    // vcenters.csv: four rows in the order named; the failed two say why.
    let vcs = Table::read(&out.join("vcenters.csv"));
    let servers: Vec<&str> = vcs.rows.iter().map(|r| r["vcenter"].as_str()).collect();
    assert_eq!(
        servers,
        [s1.server(), s2.server(), s3.server(), s4.server()]
    );
    let status: Vec<&str> = vcs.rows.iter().map(|r| r["status"].as_str()).collect();
    assert_eq!(status, ["ok", "ok", "error", "error"]);
    assert!(
        vcs.rows[2]["error"].contains("login failed")
            && vcs.rows[2]["error"].contains("InvalidLogin"),
        "{}",
        vcs.rows[2]["error"]
    );
    assert!(
        vcs.rows[3]["error"].starts_with(&format!(
            "lost the connection to {} during collection",
            s4.server()
        )),
        "{}",
        vcs.rows[3]["error"]
    );
    for r in &vcs.rows[2..] {
        assert_eq!(
            (
                r["hosts"].as_str(),
                r["vms"].as_str(),
                r["findings"].as_str()
            ),
            ("", "", "0"),
            "nothing counted for {}",
            r["vcenter"]
        );
    }
    for r in &vcs.rows[..2] {
        assert_eq!(r["notes"], "", "events were read from {}", r["vcenter"]);
    }

    // The healthy vCenters' inventories, complete; nothing of the failed ones.
    let mut totals = [0usize; 4];
    for sim in [&s1, &s2] {
        let check = compare_inventory(&out, sim.server(), sim.expected());
        assert!(
            check.diffs.is_empty(),
            "{}: {} differences:\n{}",
            sim.server(),
            check.diffs.len(),
            check.diffs.join("\n")
        );
        for (t, n) in totals
            .iter_mut()
            .zip([check.hosts, check.vms, check.disks, check.datastores])
        {
            *t += n;
        }
    }
    for (name, total) in ["hosts.csv", "vms.csv", "disks.csv", "datastores.csv"]
        .iter()
        .zip(totals)
    {
        let t = Table::read(&out.join(name));
        assert_eq!(
            t.rows.len(),
            total,
            "{name}: only the healthy vCenters' rows"
        );
        assert!(
            t.rows
                .iter()
                .all(|r| r["vcenter"] != s3.server() && r["vcenter"] != s4.server()),
            "{name} has rows of a failed vCenter"
        );
    }

    // Findings: exactly what the two healthy vCenters planted, plus every shared copy.
    let findings = Table::read(&out.join("findings.csv"));
    let mut want = expected_findings(&[&s1, &s2]);
    // With two vCenters not collected, cross-vcenter-vmotion cannot clear any VM: what found
    // no evidence is unknown, and says which vCenters it could not see.
    for sim in [&s1, &s2] {
        for vm in sim.expected()["vms"].as_array().unwrap() {
            let name = text_cell(vm["name"].as_str().unwrap());
            let rule = format!("{} vm {name} cross-vcenter-vmotion ", sim.server());
            if !want.iter().any(|k| k.starts_with(&rule)) {
                want.push(key(
                    sim.server(),
                    "vm",
                    &name,
                    "cross-vcenter-vmotion",
                    "unknown",
                ));
            }
        }
    }
    want.sort();
    assert_same(&got_findings(&findings), &want);
    assert_shared_messages(&findings, &[&s1, &s2]);
    let down = format!(
        "vCenters {}, {} were not collected",
        s3.server(),
        s4.server()
    );
    for f in findings.rows.iter().filter(|f| {
        f["rule"] == "cross-vcenter-vmotion"
            && f["status"] == "unknown"
            && !f["message"].starts_with("a cross-vCenter vMotion of this VM failed")
    }) {
        assert!(f["message"].starts_with(&down), "{}", f["message"]);
    }
}

#[test]
fn two_healthy_vcenters_give_the_same_findings_and_exit_1() {
    let s1 = audit_instance(1, &[]);
    let s2 = audit_instance(2, &[]);
    let dir = tempfile::tempdir().unwrap();
    // The first vCenter is named twice: it is audited once.
    let estate = estate_file(
        dir.path(),
        &[(&s1, "VC1_PW"), (&s2, "VC2_PW"), (&s1, "VC1_PW")],
    );
    let run = audit_estate(
        dir.path(),
        &estate,
        &[("VC1_PW", PASSWORD), ("VC2_PW", PASSWORD)],
    );
    assert_eq!(run.code, 1, "failing checks exit 1: {}", run.stderr);
    let vcs = Table::read(&dir.path().join("out/vcenters.csv"));
    let servers: Vec<&str> = vcs.rows.iter().map(|r| r["vcenter"].as_str()).collect();
    assert_eq!(servers, [s1.server(), s2.server()], "each vCenter once");
    assert!(
        !run.stderr.lines().any(|l| l.starts_with("vcaudit:")),
        "{}",
        run.stderr
    );
    let out = dir.path().join("out");
    let findings = Table::read(&out.join("findings.csv"));
    let want = expected_findings(&[&s1, &s2]);
    assert_same(&got_findings(&findings), &want);
    assert_shared_messages(&findings, &[&s1, &s2]);
    // The planted event findings name their events.
    let moved = findings
        .rows
        .iter()
        .find(|f| {
            f["rule"] == "cross-vcenter-vmotion" && f["status"] == "fail" && {
                let p = &s1.info["planted"];
                p.as_array().unwrap().iter().any(|p| {
                    p["object"] == f["object"].as_str() && p["rule"] == "cross-vcenter-vmotion"
                })
            }
        })
        .expect("the planted migration is a finding");
    assert!(
        moved["message"].starts_with("moved by cross-vCenter vMotion at ")
            && moved["message"].contains("com.vmware.vc.vm.DstVmMigratedEvent"),
        "{}",
        moved["message"]
    );
    for vm in Table::read(&out.join("vms.csv")).rows {
        if shared_vms(&s1).contains(&vm["vm"]) {
            assert_eq!(
                vm["readiness"], "not-ready",
                "{} in {}",
                vm["vm"], vm["vcenter"]
            );
        }
    }
}

/// Every VM of `sim` is unknown for cross-vcenter-vmotion, with `why` in the message; the other
/// findings are what the scenario planted.
fn assert_all_unknown(out: &Path, sim: &Sim, why: &str) {
    let findings = Table::read(&out.join("findings.csv"));
    let mut want: Vec<String> = expected_findings(&[sim])
        .into_iter()
        .filter(|k| !k.contains(" cross-vcenter-vmotion "))
        .collect();
    for vm in sim.expected()["vms"].as_array().unwrap() {
        let name = vm["name"].as_str().unwrap();
        want.push(key(
            sim.server(),
            "vm",
            &text_cell(name),
            "cross-vcenter-vmotion",
            "unknown",
        ));
    }
    want.sort();
    assert_same(&got_findings(&findings), &want);
    for f in findings
        .rows
        .iter()
        .filter(|f| f["rule"] == "cross-vcenter-vmotion")
    {
        assert!(
            f["message"].starts_with(why)
                && f["message"].ends_with("verify the VM was never moved by cross-vCenter vMotion"),
            "{}",
            f["message"]
        );
    }
}

#[test]
fn events_that_cannot_be_read_make_the_check_unknown() {
    // Instance 1 holds migration events: refused, they must not be found.
    let sim = audit_instance(1, &["-refuse-events"]);
    let dir = tempfile::tempdir().unwrap();
    let estate = estate_file(dir.path(), &[(&sim, "VC1_PW")]);
    let run = audit_estate(dir.path(), &estate, &[("VC1_PW", PASSWORD)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let out = dir.path().join("out");
    let vcs = Table::read(&out.join("vcenters.csv"));
    assert!(
        vcs.rows[0]["notes"].starts_with("events unavailable: ")
            && vcs.rows[0]["notes"].contains("NoPermission"),
        "{}",
        vcs.rows[0]["notes"]
    );
    assert_all_unknown(&out, &sim, "events unavailable: ");

    // --events-days 0: not read at all, and the message says so.
    let run = audit_estate_into(
        &out,
        &estate,
        &["--events-days", "0"],
        &[("VC1_PW", PASSWORD)],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_all_unknown(&out, &sim, "vCenter events were not read (--events-days 0)");
}

/// With `--jobs` above 1 each vCenter is collected on a thread of its own; the reports must be
/// what collecting them one at a time (in the calling task) gives, byte for byte (apart from
/// `vcenters.csv`, which holds collection times).
#[test]
fn vcenters_collected_on_threads_of_their_own_report_as_one_at_a_time() {
    let s1 = audit_instance(1, &[]);
    let s2 = audit_instance(2, &[]);
    let dir = tempfile::tempdir().unwrap();
    let estate = estate_file(dir.path(), &[(&s1, "VC1_PW"), (&s2, "VC2_PW")]);
    for jobs in ["1", "2"] {
        let run = audit_estate_into(
            &dir.path().join(format!("out-{jobs}")),
            &estate,
            &["--format", "csv", "--jobs", jobs],
            &[("VC1_PW", PASSWORD), ("VC2_PW", PASSWORD)],
        );
        assert_eq!(run.code, 1, "--jobs {jobs}: {}", run.stderr);
    }
    let mut compared = 0;
    for entry in std::fs::read_dir(dir.path().join("out-1")).unwrap() {
        let name = entry.unwrap().file_name();
        if name == "vcenters.csv" {
            continue;
        }
        let one = std::fs::read(dir.path().join("out-1").join(&name)).unwrap();
        let two = std::fs::read(dir.path().join("out-2").join(&name)).unwrap();
        assert!(one == two, "{name:?} differs between --jobs 1 and 2");
        compared += 1;
    }
    let vms = Table::read(&dir.path().join("out-2/vms.csv"));
    let servers: std::collections::BTreeSet<&str> =
        vms.rows.iter().map(|r| r["vcenter"].as_str()).collect();
    assert_eq!(servers.len(), 2, "both vCenters' VMs");
    assert!(compared >= 5, "only {compared} reports compared");
}

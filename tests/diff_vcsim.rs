//! `vcaudit diff` end to end: two vcsim vCenters collected, changes planted through the vSphere
//! API (rename, relocate, move into a folder, destroy, grow a disk, Tools stopped), the second
//! vCenter down, collected again; the diff must show exactly those changes and nothing for the
//! vCenter that was down.

mod support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use support::*;

fn estate_file(dir: &Path, sims: &[&Sim]) -> PathBuf {
    let mut text = String::new();
    for sim in sims {
        text.push_str(&format!(
            "[[vcenter]]\nserver = {:?}\nuser = {USER:?}\npassword_env = \"VCAUDIT_PASSWORD\"\nthumbprint = {:?}\n\n",
            sim.server(),
            sim.thumbprint()
        ));
    }
    let path = dir.join("estate.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn collect(estate: &Path, snapshot: &Path) -> Run {
    vcaudit(
        &[
            "collect",
            "--estate",
            estate.to_str().unwrap(),
            "--snapshot",
            snapshot.to_str().unwrap(),
        ],
        Some(PASSWORD),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `kind|object_type|moref|property` of every row of diff.csv.
fn rows(t: &Table) -> HashSet<String> {
    t.rows
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}",
                r["kind"], r["object_type"], r["moref"], r["property"]
            )
        })
        .collect()
}

#[test]
fn planted_changes_are_found_and_a_down_vcenter_is_not_compared() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut s1 = Sim::start("audit", &["-instance", "1"]);
    let mut s2 = Sim::start("audit", &["-instance", "2"]);
    let estate = estate_file(d, &[&s1, &s2]);
    let (old, new) = (d.join("old.json.zst"), d.join("new.json"));
    let r = collect(&estate, &old);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m = s1.command("mutate");
    s2.kill();
    let r = collect(&estate, &new);
    assert_eq!(r.code, 2, "the second vCenter is down: {}", r.stderr);
    assert!(new.is_file(), "the snapshot is written all the same");

    let out = d.join("diff");
    let r = vcaudit(
        &[
            "diff",
            s(&old),
            s(&new),
            "--out",
            s(&out),
            "--fail-on",
            "any-change",
        ],
        None,
    );
    assert_eq!(
        r.code, 1,
        "changes with --fail-on any-change: {}{}",
        r.stdout, r.stderr
    );
    assert!(
        r.stdout.contains("Compared 1 vCenter(s); 1 not compared."),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "not compared: {}: not collected in NEW",
            s2.server()
        )),
        "{}",
        r.stdout
    );
    let table = Table::read(&out.join("diff.csv"));
    assert_eq!(
        table.header,
        [
            "kind",
            "vcenter",
            "object_type",
            "object",
            "moref",
            "property",
            "old",
            "new"
        ]
    );
    let got = rows(&table);
    let mref = |k: &str| m[k]["moref"].as_str().unwrap().to_string();
    for want in [
        format!("renamed|vm|{}|name", mref("renamed")),
        format!("moved|vm|{}|host", mref("host")),
        format!("moved|vm|{}|folder", mref("folder")),
        format!("vanished|vm|{}|", mref("vanished")),
        format!("changed|vm|{}|provisioned_gib", mref("disk")),
        format!("changed|vm|{}|disk Hard disk 1 capacity_gib", mref("disk")),
        format!("new-finding|vm|{}|disk-size", mref("disk")),
        format!("readiness|vm|{}|readiness", mref("tools")),
        format!("changed|vm|{}|tools_status", mref("tools")),
        format!("changed|vm|{}|tools_running", mref("tools")),
    ] {
        assert!(got.contains(&want), "missing {want} in {got:#?}");
    }
    // Nothing else: every row is about one of the planted VMs.
    let planted: HashSet<String> = ["renamed", "host", "folder", "vanished", "disk", "tools"]
        .iter()
        .map(|k| mref(k))
        .collect();
    // With the second vCenter down, cross-vcenter-vmotion cannot know whether a VM has a copy
    // there: every VM with a UUID is unknown for it (its readiness at best unknown). The shared
    // VMs (same UUIDs in both vCenters), which failed it, change from fail to unknown: not
    // resolved.
    let shared: HashSet<&str> = s1.info["shared_vms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut changed_shared = 0;
    for r in &table.rows {
        if r["property"] == "cross-vcenter-vmotion" {
            assert!(r["new"].starts_with("unknown"), "{r:?}");
            if shared.contains(r["object"].as_str()) {
                assert_eq!(
                    (r["kind"].as_str(), r["old"].as_str()),
                    ("changed-finding", "fail error"),
                    "{r:?}"
                );
                changed_shared += 1;
            } else {
                assert_eq!(r["kind"], "new-finding", "{r:?}");
            }
            continue;
        }
        if r["kind"] == "readiness" && r["new"] == "unknown" {
            continue;
        }
        assert!(planted.contains(&r["moref"]), "unexpected change {r:?}");
        assert_eq!(
            r["vcenter"],
            s1.server(),
            "nothing from the vCenter that was down: {r:?}"
        );
    }
    assert_eq!(changed_shared, shared.len(), "{:#?}", table.rows);
    assert!(
        !table
            .rows
            .iter()
            .any(|r| r["kind"] == "resolved-finding" && r["property"] == "cross-vcenter-vmotion"),
        "a vCenter down resolves nothing"
    );
    let by = |kind: &str, k: &str, prop: &str| {
        table
            .rows
            .iter()
            .find(|r| r["kind"] == kind && r["moref"] == mref(k) && r["property"] == prop)
            .unwrap()
            .clone()
    };
    let renamed = by("renamed", "renamed", "name");
    assert_eq!(renamed["old"], m["renamed"]["old"].as_str().unwrap());
    assert_eq!(renamed["new"], m["renamed"]["new"].as_str().unwrap());
    let host = by("moved", "host", "host");
    assert_eq!(host["old"], m["host"]["old"].as_str().unwrap());
    assert_eq!(host["new"], m["host"]["new"].as_str().unwrap());
    let ready = by("readiness", "tools", "readiness");
    assert_eq!(
        (ready["old"].as_str(), ready["new"].as_str()),
        ("ready", "not-ready")
    );
    let tools = by("changed", "tools", "tools_status");
    assert_eq!(
        (tools["old"].as_str(), tools["new"].as_str()),
        ("toolsOk", "toolsNotRunning")
    );
    assert!(r.stdout.contains("ready -> not-ready: 1"), "{}", r.stdout);

    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("diff.json")).unwrap()).unwrap();
    assert_eq!(doc["changes"].as_array().unwrap().len(), table.rows.len());
    assert_eq!(doc["not_compared"][0]["vcenter"], s2.server());

    // The same diff from a report.json for NEW: snapshots and reports mix.
    let rep = d.join("rep");
    let r = vcaudit(
        &[
            "audit",
            "--snapshot",
            s(&new),
            "--out",
            s(&rep),
            "--format",
            "json",
        ],
        None,
    );
    assert!(r.code <= 1, "{}", r.stderr);
    // The unknown names the vCenter that was not collected.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(rep.join("report.json")).unwrap()).unwrap();
    let cross = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "cross-vcenter-vmotion")
        .expect("cross-vcenter-vmotion findings in NEW");
    assert!(
        cross["message"]
            .as_str()
            .unwrap()
            .contains(&format!("vCenter {} was not collected", s2.server())),
        "{cross}"
    );
    let out2 = d.join("diff2");
    let r = vcaudit(
        &[
            "diff",
            s(&old),
            s(&rep.join("report.json")),
            "--out",
            s(&out2),
        ],
        None,
    );
    assert_eq!(r.code, 0, "no --fail-on: {}", r.stderr);
    assert_eq!(rows(&Table::read(&out2.join("diff.csv"))), got);

    // Snapshots anonymised with the same key diff the same: the same kinds of change on the
    // same properties.
    let key = d.join("key");
    let (ao, an) = (d.join("anon-old.json"), d.join("anon-new.json"));
    for (i, o) in [(&old, &ao), (&new, &an)] {
        let r = vcaudit(&["anonymise", s(i), s(o), "--key-file", s(&key)], None);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let out4 = d.join("diff4");
    let r = vcaudit(&["diff", s(&ao), s(&an), "--out", s(&out4)], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shape = |t: &Table| {
        let mut v: Vec<String> = t
            .rows
            .iter()
            .map(|r| format!("{}|{}|{}", r["kind"], r["object_type"], r["property"]))
            .collect();
        v.sort();
        v
    };
    let anon = Table::read(&out4.join("diff.csv"));
    assert_eq!(shape(&anon), shape(&table));
    assert!(
        anon.rows
            .iter()
            .all(|r| r["object"] != m["renamed"]["new"].as_str().unwrap())
    );

    // The exit code follows --fail-on.
    for (fail_on, code) in [("new-findings", 1), ("readiness-regressions", 1)] {
        let r = vcaudit(&["diff", s(&old), s(&new), "--fail-on", fail_on], None);
        assert_eq!(r.code, code, "{fail_on}: {}", r.stderr);
    }
    let r = vcaudit(&["diff", s(&old), s(&old), "--fail-on", "any-change"], None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("No changes."), "{}", r.stdout);
    // Bad input: one line, exit 2, nothing written.
    std::fs::write(d.join("x.csv"), "a,b\n1,2\n").unwrap();
    let out3 = d.join("diff3");
    let r = vcaudit(
        &["diff", s(&old), s(&d.join("x.csv")), "--out", s(&out3)],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("neither a vcaudit snapshot nor a vcaudit report.json"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(!out3.join("diff.csv").exists());
}

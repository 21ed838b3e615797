//! Issue 6 end to end: vSphere tags read over the vAPI REST interface of the vcsim scenario
//! (which attaches them over REST before it serves), the `tags` columns, scoping the audit with
//! `--tag` / `--exclude-tag` (command line, estate file, snapshot), a vCenter whose REST interface
//! fails, and the number of REST requests (a fixed handful, never one per VM).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use support::{PASSWORD, Sim, Table, USER, text_cell, vcaudit};

/// `category:tag` names per (type, moref), sorted, as the scenario attached them.
fn planted_tags(sim: &Sim) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut m: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for t in sim.info["tags"].as_array().expect("tags in the ready line") {
        let s = |k: &str| t[k].as_str().unwrap().to_string();
        m.entry((s("type"), s("moref")))
            .or_default()
            .insert(format!("{}:{}", s("category"), s("tag")));
    }
    m
}

fn tags_of(
    planted: &BTreeMap<(String, String), BTreeSet<String>>,
    kind: &str,
    moref: &str,
) -> BTreeSet<String> {
    planted
        .get(&(kind.to_string(), moref.to_string()))
        .cloned()
        .unwrap_or_default()
}

fn audit(sim: &Sim, out: &Path, extra: &[&str]) -> support::Run {
    let mut args = sim.args("audit", &["--out", out.to_str().unwrap()]);
    args.extend_from_slice(extra);
    vcaudit(&args, Some(PASSWORD))
}

/// The planted findings of VMs whose moref is in `vms`, plus every host and vCenter finding,
/// as `type object rule status` keys.
fn planted_findings(sim: &Sim, in_scope: &BTreeSet<String>) -> BTreeSet<String> {
    sim.info["planted"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["object_type"] != "vm" || in_scope.contains(&text_cell(p["object"].as_str().unwrap()))
        })
        .map(|p| {
            format!(
                "{} {} {} {}",
                p["object_type"].as_str().unwrap(),
                text_cell(p["object"].as_str().unwrap()),
                p["rule"].as_str().unwrap(),
                p["status"].as_str().unwrap()
            )
        })
        .collect()
}

fn findings(dir: &Path) -> BTreeSet<String> {
    Table::read(&dir.join("findings.csv"))
        .rows
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["object_type"], f["object"], f["rule"], f["status"]
            )
        })
        .collect()
}

/// Checks one scoped run: exactly the VMs `admits` says are in scope are audited (readiness,
/// findings, the summary line), and hosts are still audited.
fn check_scope(
    sim: &Sim,
    dir: &Path,
    stdout: &str,
    admits: impl Fn(&BTreeSet<String>) -> bool,
) -> usize {
    let planted = planted_tags(sim);
    let vms = Table::read(&dir.join("vms.csv"));
    let mut in_scope = BTreeSet::new();
    for vm in &vms.rows {
        let tags = tags_of(&planted, "VirtualMachine", &vm["moref"]);
        if admits(&tags) {
            assert_ne!(vm["readiness"], "out-of-scope", "{} is in scope", vm["vm"]);
            in_scope.insert(vm["vm"].clone());
        } else {
            assert_eq!(
                vm["readiness"], "out-of-scope",
                "{} is out of scope",
                vm["vm"]
            );
            assert_eq!(vm["findings"], "0", "{} has no findings", vm["vm"]);
        }
    }
    let left_out = vms.rows.len() - in_scope.len();
    assert!(
        !in_scope.is_empty() && left_out > 0,
        "the scope splits the estate: {} in, {left_out} out",
        in_scope.len()
    );
    assert!(
        stdout.contains(&format!(
            "{} VMs in scope ({left_out} left out by tag)",
            in_scope.len()
        )),
        "{stdout}"
    );
    assert_eq!(findings(dir), planted_findings(sim, &in_scope));
    let host_findings = findings(dir)
        .iter()
        .filter(|f| f.starts_with("host "))
        .count();
    assert!(host_findings > 0, "hosts are still audited");
    in_scope.len()
}

#[test]
fn tags_columns_hold_what_vcenter_holds_read_in_bulk() {
    let sim = Sim::audit();
    let planted = planted_tags(&sim);
    let dir = tempfile::tempdir().unwrap();
    let run = audit(&sim, dir.path(), &["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    let vms = Table::read(&dir.path().join("vms.csv"));
    assert!(vms.header.contains(&"tags".to_string()));
    let mut tagged = 0;
    for vm in &vms.rows {
        let want = tags_of(&planted, "VirtualMachine", &vm["moref"]);
        tagged += usize::from(!want.is_empty());
        let want: Vec<String> = want.into_iter().collect();
        assert_eq!(vm["tags"], want.join("; "), "tags of VM {}", vm["vm"]);
    }
    assert!(tagged >= 20, "most VMs carry tags ({tagged})");
    assert!(tagged < vms.rows.len(), "some VMs carry none");
    assert!(
        vms.rows.iter().any(|v| v["tags"].contains("; ")),
        "a VM with two tags lists both"
    );

    let hosts = Table::read(&dir.path().join("hosts.csv"));
    let mut tagged_hosts = 0;
    for h in &hosts.rows {
        let want: Vec<String> = tags_of(&planted, "HostSystem", &h["moref"])
            .into_iter()
            .collect();
        tagged_hosts += usize::from(!want.is_empty());
        assert_eq!(h["tags"], want.join("; "), "tags of host {}", h["host"]);
    }
    assert_eq!(tagged_hosts, 1);
    let vcs = Table::read(&dir.path().join("vcenters.csv"));
    assert_eq!(vcs.rows[0]["notes"], "", "nothing was unavailable");

    // A fixed handful of REST requests, however many VMs: session (/api then /rest), two
    // lists, one GET per category and per tag, one bulk association call, logout.
    let stats = sim.stop();
    let rest = stats["requests"]["rest"].as_u64().unwrap();
    let api = stats["requests"]["api"].as_u64().unwrap();
    let categories: BTreeSet<&str> = planted
        .values()
        .flatten()
        .map(|t| t.split(':').next().unwrap())
        .collect();
    let tags: BTreeSet<&String> = planted.values().flatten().collect();
    assert_eq!(api, 1, "one try of /api/session before the /rest fallback");
    assert_eq!(
        rest,
        1 + 2 + categories.len() as u64 + tags.len() as u64 + 1 + 1,
        "REST requests: {stats}"
    );
    assert!(rest < tagged as u64, "fewer requests than tagged VMs");
    assert!(stats["requests"]["sdk"].as_u64().unwrap() > 5);
}

#[test]
fn tag_and_exclude_tag_scope_the_audit() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();

    // --tag: any of them.
    let run = audit(
        &sim,
        dir.path(),
        &["--tag", "dr-tier:silver", "--tag", "DR-Tier:Gold"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    check_scope(&sim, dir.path(), &run.stdout, |t| {
        t.contains("dr-tier:silver") || t.contains("dr-tier:gold")
    });

    // --exclude-tag alone.
    let run = audit(&sim, dir.path(), &["--exclude-tag", "owner:team-a"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    check_scope(&sim, dir.path(), &run.stdout, |t| {
        !t.contains("owner:team-a")
    });

    // Both: in by one tag, out by another.
    let run = audit(
        &sim,
        dir.path(),
        &[
            "--tag",
            "dr-tier:silver",
            "--tag",
            "owner:team-a",
            "--exclude-tag",
            "dr-tier:gold",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    check_scope(&sim, dir.path(), &run.stdout, |t| {
        (t.contains("dr-tier:silver") || t.contains("owner:team-a")) && !t.contains("dr-tier:gold")
    });
}

#[test]
fn estate_file_scope_and_snapshots() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    let estate = dir.path().join("estate.toml");
    std::fs::write(
        &estate,
        format!(
            "[[vcenter]]\nserver = \"{}\"\nuser = \"{USER}\"\nthumbprint = \"{}\"\ntag = [\"dr-tier:silver\"]\n",
            sim.server(),
            sim.thumbprint()
        ),
    )
    .unwrap();
    let out = dir.path().join("r1");
    let snap = dir.path().join("estate.json.zst");
    // The command line's --tag does not override the vCenter's own scope.
    let run = vcaudit(
        &[
            "audit",
            "--estate",
            estate.to_str().unwrap(),
            "--tag",
            "owner:team-a",
            "--out",
            out.to_str().unwrap(),
            "--save-snapshot",
            snap.to_str().unwrap(),
        ],
        Some(PASSWORD),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    check_scope(&sim, &out, &run.stdout, |t| t.contains("dr-tier:silver"));

    // The snapshot keeps tags and the vCenter's scope; --tag scopes a snapshot too.
    let out2 = dir.path().join("r2");
    let run = vcaudit(
        &[
            "audit",
            "--snapshot",
            snap.to_str().unwrap(),
            "--out",
            out2.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    check_scope(&sim, &out2, &run.stdout, |t| t.contains("dr-tier:silver"));
    let live = Table::read(&dir.path().join("r1/vms.csv"));
    let offline = Table::read(&out2.join("vms.csv"));
    let tags = |t: &Table| t.rows.iter().map(|r| r["tags"].clone()).collect::<Vec<_>>();
    assert_eq!(tags(&live), tags(&offline));

    let collected = dir.path().join("all.json");
    let run = vcaudit(
        &sim.args("collect", &["--snapshot", collected.to_str().unwrap()]),
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = vcaudit(
        &[
            "audit",
            "--snapshot",
            collected.to_str().unwrap(),
            "--exclude-tag",
            "dr-tier:silver",
            "--out",
            out2.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    check_scope(&sim, &out2, &run.stdout, |t| !t.contains("dr-tier:silver"));

    // A bad tag in the estate file: one line naming the file, the vCenter and the form.
    std::fs::write(
        &estate,
        format!(
            "[[vcenter]]\nserver = \"{}\"\nexclude_tag = [\"retired\"]\n",
            sim.server()
        ),
    )
    .unwrap();
    let run = vcaudit(
        &[
            "audit",
            "--estate",
            estate.to_str().unwrap(),
            "--user",
            USER,
            "--out",
            out2.to_str().unwrap(),
        ],
        Some(PASSWORD),
    );
    assert_eq!(run.code, 2);
    let line = run.stderr.trim();
    assert!(!line.contains('\n'), "one line: {line}");
    assert!(
        line.contains("exclude_tag of") && line.contains("\"retired\" is not CATEGORY:TAG"),
        "{line}"
    );
}

#[test]
fn a_failing_rest_interface_degrades_to_an_audit_without_tags() {
    let sim = Sim::start("audit", &["-rest-fault", "503"]);
    let vms_expected = sim.expected()["vms"].as_array().unwrap().len();
    let dir = tempfile::tempdir().unwrap();
    let run = audit(&sim, dir.path(), &[]);
    assert_eq!(run.code, 1, "the audit completes: {}", run.stderr);
    assert!(run.stderr.contains("tags unavailable"), "{}", run.stderr);
    let vcs = Table::read(&dir.path().join("vcenters.csv"));
    assert_eq!(vcs.rows[0]["status"], "ok");
    assert!(
        vcs.rows[0]["notes"].contains("tags unavailable: HTTP 503 on /api/session"),
        "{}",
        vcs.rows[0]["notes"]
    );
    let vms = Table::read(&dir.path().join("vms.csv"));
    assert_eq!(vms.rows.len(), vms_expected, "the inventory is complete");
    assert!(vms.rows.iter().all(|v| v["tags"].is_empty()));
    assert!(vms.rows.iter().all(|v| v["readiness"] != "out-of-scope"));
    let before = std::fs::read(dir.path().join("vms.csv")).unwrap();

    // --require-tags, or a tag scope, makes it an error; the previous reports stay.
    for extra in [
        &["--require-tags"][..],
        &["--tag", "dr-tier:gold"][..],
        &["--exclude-tag", "dr-tier:gold"][..],
    ] {
        let run = audit(&sim, dir.path(), extra);
        assert_eq!(run.code, 2, "{extra:?}: {}", run.stderr);
        let line = run.stderr.trim();
        assert!(!line.contains('\n'), "one line: {line}");
        assert!(
            line.starts_with(&format!(
                "vcaudit: tags unavailable at {}: HTTP 503",
                sim.server()
            )),
            "{line}"
        );
        assert!(!line.contains(PASSWORD));
        assert_eq!(std::fs::read(dir.path().join("vms.csv")).unwrap(), before);
    }

    // A snapshot without tags cannot be scoped by tag.
    let snap = dir.path().join("notags.json");
    let run = audit(
        &sim,
        dir.path(),
        &["--save-snapshot", snap.to_str().unwrap()],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let run = vcaudit(
        &[
            "audit",
            "--snapshot",
            snap.to_str().unwrap(),
            "--tag",
            "dr-tier:gold",
            "--out",
            dir.path().to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot scope") && run.stderr.contains("tags unavailable"),
        "{}",
        run.stderr
    );
    let run = vcaudit(
        &[
            "audit",
            "--snapshot",
            snap.to_str().unwrap(),
            "--require-tags",
            "--out",
            dir.path().to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("vcaudit: --require-tags: the snapshot has no tags for "),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(dir.path().join("vms.csv")).unwrap(), before);
}

#[test]
fn a_vcenter_without_rest_is_reported_and_bad_tags_are_usage_errors() {
    let sim = Sim::start("audit", &["-rest-fault", "404"]);
    let dir = tempfile::tempdir().unwrap();
    let run = audit(&sim, dir.path(), &["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let vcs = Table::read(&dir.path().join("vcenters.csv"));
    assert!(
        vcs.rows[0]["notes"].contains("tags unavailable: HTTP 404 on /rest/com/vmware/cis/session"),
        "{}",
        vcs.rows[0]["notes"]
    );

    // A user the REST interface refuses: the same, with the reason.
    let refusing = Sim::start("audit", &["-rest-fault", "401"]);
    let run = audit(
        &refusing,
        &dir.path().join("refused"),
        &["--fail-on", "never"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let vcs = Table::read(&dir.path().join("refused/vcenters.csv"));
    assert_eq!(
        vcs.rows[0]["notes"], "tags unavailable: login refused (HTTP 401)",
        "the reason, and nothing else unavailable"
    );
    drop(refusing);

    for (flag, value) in [("--tag", "gold"), ("--exclude-tag", "dr-tier:")] {
        let run = audit(&sim, &dir.path().join("never"), &[flag, value]);
        assert_eq!(run.code, 2);
        assert_eq!(
            run.stderr.trim(),
            format!("vcaudit: {flag} \"{value}\" is not CATEGORY:TAG (for example dr-tier:gold)")
        );
        assert!(!dir.path().join("never").exists(), "nothing written");
    }
}

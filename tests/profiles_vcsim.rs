//! Issue 14 end to end: two instances of the vcsim scenario "current" (a vSphere 8 estate that
//! plants each condition of today's support matrix) audited together with each built-in profile:
//! `findings.csv` holds exactly the findings the scenario planted for that profile, agent VMs are
//! `out-of-scope` with their managing extension, escaped names are reported as typed, and the
//! default profile's summary ends by suggesting today's profile.

mod support;

use std::collections::BTreeMap;
use support::{PASSWORD, Sim, Table, USER, vcaudit};

type Key = (String, String, String, String, String);

fn planted(sims: &[&Sim], profile: &str) -> BTreeMap<Key, usize> {
    let mut want = BTreeMap::new();
    for sim in sims {
        for p in sim.info["planted"].as_array().unwrap() {
            if p["profile"].as_str() != Some(profile) {
                continue;
            }
            let kind = p["object_type"].as_str().unwrap();
            let object = if kind == "vcenter" {
                sim.server()
            } else {
                p["object"].as_str().unwrap()
            };
            let key = (
                sim.server().to_string(),
                kind.to_string(),
                object.to_string(),
                p["rule"].as_str().unwrap().to_string(),
                p["status"].as_str().unwrap().to_string(),
            );
            *want.entry(key).or_default() += 1;
        }
    }
    want
}

fn found(findings: &Table) -> BTreeMap<Key, usize> {
    let mut got = BTreeMap::new();
    for f in &findings.rows {
        let key = (
            f["vcenter"].clone(),
            f["object_type"].clone(),
            f["object"].clone(),
            f["rule"].clone(),
            f["status"].clone(),
        );
        *got.entry(key).or_default() += 1;
    }
    got
}

#[test]
fn each_profile_finds_exactly_what_the_current_scenario_planted() {
    let s1 = Sim::start("current", &["-instance", "1"]);
    let s2 = Sim::start("current", &["-instance", "2"]);
    let dir = tempfile::tempdir().unwrap();
    for profile in ["asr-vmware-2017", "asr-vmware-2026"] {
        let out = dir.path().join(profile);
        let out_s = out.to_str().unwrap();
        let args = [
            "audit",
            "--server",
            s1.server(),
            "--server",
            s2.server(),
            "--user",
            USER,
            // Both simulators serve vcsim's stock certificate, so one pin fits both.
            "--thumbprint",
            s1.thumbprint(),
            "--profile",
            profile,
            "--out",
            out_s,
        ];
        let run = vcaudit(&args, Some(PASSWORD));
        assert_eq!(run.code, 1, "{profile}: {}{}", run.stdout, run.stderr);

        let want = planted(&[&s1, &s2], profile);
        assert!(want.len() >= 10, "{profile}: the scenario plants findings");
        let got = found(&Table::read(&out.join("findings.csv")));
        let extra: Vec<_> = got
            .iter()
            .filter(|(k, n)| want.get(*k) != Some(n))
            .collect();
        let missing: Vec<_> = want
            .iter()
            .filter(|(k, n)| got.get(*k) != Some(n))
            .collect();
        assert!(
            extra.is_empty() && missing.is_empty(),
            "{profile}: unexpected or miscounted: {extra:#?}\nmissing: {missing:#?}"
        );

        // Agent VMs: listed, out of scope, with the managing extension; no findings.
        let vms = Table::read(&out.join("vms.csv"));
        let agents: Vec<_> = vms.rows.iter().filter(|v| v["vm"] == "vCLS-2f9b").collect();
        assert_eq!(agents.len(), 2, "{profile}: one agent per vCenter");
        for a in agents {
            assert_eq!(a["readiness"], "out-of-scope");
            assert_eq!(a["managed_by"], "com.vmware.vim.eam/cluster-agent");
            assert_eq!(a["findings"], "0");
        }
        assert!(
            vms.rows
                .iter()
                .all(|v| v["vm"] == "vCLS-2f9b" || v["managed_by"].is_empty()),
            "{profile}"
        );
        assert!(
            run.stdout.contains(" in scope (2 left out as agent VMs)"),
            "{profile}: {}",
            run.stdout
        );
        // The escaped name is reported as typed.
        assert!(vms.rows.iter().any(|v| v["vm"] == "app/01"), "{profile}");
        assert!(
            !vms.rows.iter().any(|v| v["vm"].contains("%2f")),
            "{profile}"
        );

        let last = run.stdout.lines().last().unwrap_or_default();
        if profile == "asr-vmware-2017" {
            assert_eq!(
                last,
                "vCenter 8.0, ESXi 8.0 are newer than profile asr-vmware-2017 knows: audit again with --profile asr-vmware-2026 for today's support matrix.",
                "{}",
                run.stdout
            );
        } else {
            assert!(last.starts_with("Reports in "), "{}", run.stdout);
            // Clean VMs on supported hosts are ready today.
            let web = vms.rows.iter().find(|v| v["vm"] == "web8-01").unwrap();
            assert_eq!(web["readiness"], "ready", "{profile}");
            let summary = Table::read(&out.join("summary.csv"));
            let manual: Vec<&str> = summary
                .rows
                .iter()
                .filter(|r| r["status"] == "manual")
                .map(|r| r["rule"].as_str())
                .collect();
            assert_eq!(
                manual,
                [
                    "manual-nic-teaming",
                    "manual-4k-sector",
                    "manual-bitlocker",
                    "manual-rhel-kernel"
                ]
            );
        }
    }
}

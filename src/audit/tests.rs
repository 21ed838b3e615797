//! Tests of the audit as a whole: profiles, outcomes, summaries and findings over whole estates.

use super::testutil::*;
use super::*;
use crate::model::{Disk, Vm};

fn profile(text: &str) -> Profile {
    Profile::from_toml("test.toml", text).unwrap()
}

fn two_oversize_disks() -> Option<Vec<Disk>> {
    Some(vec![
        disk("Hard disk 1", 2048 * GIB),
        disk("Hard disk 2", 2048 * GIB),
    ])
}

#[test]
fn a_tag_scope_leaves_vms_out_of_every_rule_and_count() {
    let mut gold = vm("bad_gold");
    gold.tags = vec!["dr-tier:gold".into()].into();
    let mut retired = vm("bad_retired");
    retired.tags = vec!["dr-tier:gold".into(), "lifecycle:retired".into()].into();
    let untagged = vm("bad_untagged");
    let mut vc = vcenter("vc1", vec![gold, retired, untagged]);
    vc.scope = Some(crate::model::TagScope {
        include: vec!["dr-tier:gold".into()],
        exclude: vec!["lifecycle:retired".into()],
    });
    // A second vCenter without a scope audits everything.
    let other = vcenter("vc2", vec![vm("bad_other")]);
    let r = audit(&estate(vec![vc, other]), &Profile::default());
    assert_eq!((r.counts.vms_in_scope, r.counts.vms_out_of_scope), (2, 2));
    let names: Vec<&str> = r.findings.iter().map(|f| f.object.as_str()).collect();
    assert_eq!(
        names,
        ["bad_gold", "bad_other"],
        "only in-scope VMs are checked"
    );
    let vm_name = r.rules.iter().find(|s| s.rule == "vm-name").unwrap();
    assert_eq!((vm_name.checked, vm_name.failed), (2, 2));
    let readiness: Vec<&str> = r.vcenters[0]
        .vms
        .iter()
        .map(|v| v.readiness_str())
        .collect();
    assert_eq!(readiness, ["not-ready", "out-of-scope", "out-of-scope"]);
}

#[test]
fn agent_vms_are_out_of_scope_in_every_profile() {
    let mut vcls = vm("vCLS-1f2e");
    vcls.guest_id = Some("vmwarePhoton64Guest".into());
    vcls.managed_by = Some(Box::new(crate::model::ManagedBy {
        extension_key: "com.vmware.vim.eam".into(),
        kind: Some("cluster-agent".into()),
    }));
    let e = estate(vec![vcenter("vc1", vec![vcls, vm("bad_name")])]);
    for name in profile::Profile::builtin_names() {
        let r = audit(&e, &Profile::builtin(name).unwrap());
        assert!(
            r.findings.iter().all(|f| f.object != "vCLS-1f2e"),
            "{name}: {:#?}",
            r.findings
        );
        assert_eq!((r.counts.vms_in_scope, r.counts.vms_agents), (1, 1));
        assert_eq!(r.vcenters[0].vms[0].readiness_str(), "out-of-scope");
        let vm_name = r.rules.iter().find(|s| s.rule == "vm-name").unwrap();
        assert_eq!(vm_name.checked, 1, "{name}: agents count toward no rule");
        let summary = crate::report::summary::render(&crate::report::Report::new(
            &e,
            &r,
            "2026-01-01T00:00:00Z".into(),
        ));
        assert!(
            summary.contains("1 VM in scope (1 left out as an agent VM)"),
            "{summary}"
        );
        let port = r.manual.iter().map(|m| m.vms).max().unwrap_or(0);
        assert!(port <= 1, "{name}: agents count toward no manual check");
    }
}

#[test]
fn newer_platforms_are_named_for_the_seed_profile_only() {
    let mut vc = vcenter("vc1", vec![vm("a")]);
    vc.about.version = Some("8.0.3".into());
    vc.hosts.push(host("host-2", "7.0.3", "1"));
    vc.hosts.push(host("host-3", "6.0.0", "1"));
    let e = estate(vec![vc]);
    assert_eq!(
        newer_than_profile(&e, &Profile::default()).as_deref(),
        Some("vCenter 8.0, ESXi 7.0")
    );
    let current = Profile::builtin(profile::CURRENT_PROFILE).unwrap();
    assert_eq!(newer_than_profile(&e, &current), None);
    let old = estate(vec![vcenter("vc1", vec![vm("a")])]);
    assert_eq!(newer_than_profile(&old, &Profile::default()), None);
}

#[test]
fn todays_profile_runs_its_own_rules() {
    let mut vc = vcenter("vc1", vec![vm("web-01")]);
    vc.about.version = Some("8.0.2".into());
    vc.hosts[0].version = Some("7.0.3".into());
    let big = Vm {
        disks: Some((0..3).map(|i| disk(&format!("d{i}"), 2048 * GIB)).collect()),
        nics: Some(Vec::new().into()),
        cpus: Some(2),
        memory_mb: Some(4096).into(),
        bios_uuid: Some("u1".into()),
        ..vm("db-01")
    };
    vc.vms.push(big);
    let r = audit(
        &estate(vec![vc]),
        &Profile::builtin(profile::CURRENT_PROFILE).unwrap(),
    );
    let rules: Vec<&str> = r.rules.iter().map(|s| s.rule).collect();
    assert!(rules.contains(&"os-disk-size") && !rules.contains(&"disk-size"));
    // 2 TiB disks pass today; the OS disk of a VM without controllers is unknown only when
    // a disk is over the BIOS limit, and the data disks are within 32 TiB.
    assert!(
        r.findings.iter().all(|f| f.rule != "data-disk-size"),
        "{:#?}",
        r.findings
    );
    assert!(
        r.findings
            .iter()
            .all(|f| f.object_type != ObjectKind::VCenter)
    );
    assert_eq!(r.manual.len(), 4);
}

#[test]
fn a_clean_estate_is_ready_with_no_findings() {
    let e = estate(vec![vcenter("vc1", vec![vm("web-01"), vm("web-02")])]);
    let r = audit(&e, &Profile::default());
    assert_eq!(r.findings, []);
    assert_eq!(
        r.counts,
        AuditCounts {
            vcenters: 1,
            hosts: 1,
            vms_in_scope: 2,
            vms_out_of_scope: 0,
            vms_agents: 0,
        }
    );
    assert_eq!(r.readiness_counts().ready, 2);
    assert!(!r.exceeds(FailOn::Warning));
    for s in &r.rules {
        let objects = match s.object_type {
            ObjectKind::VCenter | ObjectKind::Host => 1,
            ObjectKind::Vm => 2,
        };
        assert_eq!((s.checked, s.passed), (objects, objects), "{}", s.rule);
    }
}

#[test]
fn findings_carry_the_report_columns() {
    let bad = Vm {
        disks: two_oversize_disks().map(Into::into),
        ..vm("db")
    };
    let mut vc = vcenter("vc1", vec![bad]);
    vc.about.version = Some("6.5.0".into());
    let r = audit(&estate(vec![vc]), &Profile::default());
    let vc_finding = &r.findings[0];
    assert_eq!(
        (
            vc_finding.object_type,
            vc_finding.object.as_str(),
            vc_finding.moref.as_str()
        ),
        (ObjectKind::VCenter, "vc1", "uuid-vc1")
    );
    assert_eq!(vc_finding.rule, "vcenter-version");
    let disk = r.findings.iter().find(|f| f.rule == "disk-size").unwrap();
    assert_eq!(
        (
            disk.vcenter.as_str(),
            disk.object.as_str(),
            disk.moref.as_str()
        ),
        ("vc1", "db", "vm-db")
    );
    assert_eq!(
        (disk.severity, disk.status),
        (Severity::Error, Status::Fail)
    );
    assert_eq!(
        disk.message,
        "disk \"Hard disk 1\" is 2048 GiB; the limit is 1023 GiB"
    );
    assert!(r.findings.iter().all(|f| f.status != Status::Pass));
}

#[test]
fn summary_counts_objects_not_outcomes_and_add_up() {
    let vms = vec![
        Vm {
            disks: two_oversize_disks().map(Into::into),
            ..vm("a")
        },
        Vm {
            disks: None,
            ..vm("b")
        },
        vm("c"),
        Vm {
            name: "bad_name".into(),
            firmware: None,
            ..vm("d")
        },
    ];
    let r = audit(&estate(vec![vcenter("vc1", vms)]), &Profile::default());
    let ds = r.rules.iter().find(|s| s.rule == "disk-size").unwrap();
    assert_eq!((ds.checked, ds.passed, ds.failed, ds.unknown), (4, 2, 1, 1));
    assert_eq!(
        r.findings.iter().filter(|f| f.rule == "disk-size").count(),
        3
    );
    for s in &r.rules {
        assert_eq!(s.checked, s.passed + s.failed + s.unknown, "{}", s.rule);
    }
    let total: usize = r.vcenters[0].vms.iter().map(|v| v.findings as usize).sum();
    assert_eq!(total, r.findings.len());
    let rows = r.summary_rows();
    let p = Profile::default();
    let seed = manual::of_document(p.document()).count();
    assert_eq!(rows.len(), p.rules().count() + seed);
    let ds_row = rows.iter().find(|row| row.rule == "disk-size").unwrap();
    assert_eq!(
        (ds_row.status, ds_row.failed, ds_row.unknown),
        ("checked", Some(1), Some(1))
    );
    let port = rows
        .iter()
        .find(|row| row.rule == "manual-port-20004")
        .unwrap();
    assert_eq!(
        (port.status, port.checked, port.passed, port.severity),
        ("manual", 4, None, None)
    );
    let linux = rows
        .iter()
        .find(|row| row.rule == "manual-etc-hosts")
        .unwrap();
    assert_eq!(
        (linux.checked, linux.applies_to),
        (0, "Linux VMs"),
        "all VMs run Windows"
    );
}

#[test]
fn readiness_follows_the_worst_check() {
    let vms = vec![
        vm("ready"),
        Vm {
            disks: Some((0..17).map(|i| disk(&format!("d{i}"), GIB)).collect()),
            ..vm("warn")
        },
        Vm {
            firmware: None,
            disks: Some((0..17).map(|i| disk(&format!("d{i}"), GIB)).collect()),
            ..vm("unknown")
        },
        Vm {
            firmware: Some(crate::model::Firmware::Efi),
            guest_id: None,
            guest_os_tools: None,
            ..vm("notready")
        },
    ];
    let r = audit(&estate(vec![vcenter("vc1", vms)]), &Profile::default());
    let got: Vec<&str> = r.vcenters[0]
        .vms
        .iter()
        .map(|v| v.readiness_str())
        .collect();
    assert_eq!(
        got,
        ["ready", "conditionally-ready", "unknown", "not-ready"]
    );
    let c = r.readiness_counts();
    assert_eq!(
        (c.ready, c.conditionally_ready, c.unknown, c.not_ready),
        (1, 1, 1, 1)
    );
}

#[test]
fn host_and_vcenter_findings_count_toward_a_vm() {
    let mut on_bad_host = vm("a");
    on_bad_host.host_moref = Some("host-2".into());
    let mut vc = vcenter("vc1", vec![on_bad_host, vm("b")]);
    vc.hosts.push(crate::model::Host {
        version: Some("6.5.0".into()),
        ..host("host-2", "6.5.0", "1")
    });
    let r = audit(&estate(vec![vc]), &Profile::default());
    let vms = &r.vcenters[0].vms;
    assert_eq!(
        (vms[0].readiness, vms[0].findings, vms[0].inherited_findings),
        (Some(Readiness::NotReady), 0, 1)
    );
    assert_eq!(vms[1].readiness, Some(Readiness::Ready));
    assert_eq!(r.vcenters[0].hosts[1].findings(), 1);

    let mut vc = vcenter("vc2", vec![vm("c")]);
    vc.about.version = None;
    let r = audit(&estate(vec![vc]), &Profile::default());
    assert_eq!(r.vcenters[0].vcenter.findings(), 1);
    assert_eq!(r.vcenters[0].vms[0].readiness, Some(Readiness::Unknown));
    assert_eq!(r.vcenters[0].vms[0].inherited_findings, 1);
}

#[test]
fn results_are_parallel_to_the_estate() {
    let mut a = vcenter("vc1", vec![vm("a"), vm("b"), vm("c")]);
    a.hosts.push(host("host-2", "6.0.0", "3620759"));
    let b = vcenter("vc2", vec![vm("d")]);
    let r = audit(&estate(vec![a, b]), &Profile::default());
    assert_eq!(r.vcenters.len(), 2);
    assert_eq!((r.vcenters[0].hosts.len(), r.vcenters[0].vms.len()), (2, 3));
    assert_eq!(
        (r.vcenters[1].server.as_str(), r.vcenters[1].vms.len()),
        ("vc2", 1)
    );
    assert_eq!(r.counts.hosts, 3);
}

#[test]
fn a_vcenter_that_could_not_be_collected_is_not_audited() {
    let failed = crate::model::VCenterInventory {
        server: "vc-down".into(),
        status: CollectStatus::Error,
        error: Some("cannot reach vc-down".into()),
        ..Default::default()
    };
    let shared = Vm {
        instance_uuid: Some("i-1".into()),
        ..vm("b")
    };
    let r = audit(
        &estate(vec![vcenter("vc1", vec![vm("a"), shared]), failed]),
        &Profile::default(),
    );
    // Nothing about vc-down itself; only the VM with a UUID is unknown for the cross-vCenter
    // rule, which cannot see vc-down's VMs.
    let got: Vec<(&str, &str, Status)> = r
        .findings
        .iter()
        .map(|f| (f.object.as_str(), &*f.rule, f.status))
        .collect();
    assert_eq!(got, [("b", "cross-vcenter-vmotion", Status::Unknown)]);
    assert!(r.findings[0].message.contains("vc-down was not collected"));
    assert_eq!(r.vcenters.len(), 2, "still parallel to the estate");
    assert_eq!(r.vcenters[1].server, "vc-down");
    assert_eq!(r.counts.vcenters, 1);
}

#[test]
fn a_disabled_rule_is_not_run() {
    let e = estate(vec![vcenter(
        "vc1",
        vec![Vm {
            disks: two_oversize_disks().map(Into::into),
            ..vm("a")
        }],
    )]);
    let p = profile("[rules.disk-size]\nenabled = false\n");
    let r = audit(&e, &p);
    assert!(r.findings.iter().all(|f| f.rule != "disk-size"));
    let ds = r.rules.iter().find(|s| s.rule == "disk-size").unwrap();
    assert_eq!((ds.enabled, ds.checked), (false, 0));
    assert_eq!(
        r.summary_rows()
            .iter()
            .find(|row| row.rule == "disk-size")
            .unwrap()
            .status,
        "disabled"
    );
    assert_eq!(r.vcenters[0].vms[0].readiness, Some(Readiness::Ready));
}

#[test]
fn a_changed_parameter_or_severity_changes_the_result() {
    let e = estate(vec![vcenter(
        "vc1",
        vec![Vm {
            disks: two_oversize_disks().map(Into::into),
            ..vm("a")
        }],
    )]);
    assert!(audit(&e, &Profile::default()).exceeds(FailOn::Error));
    let r = audit(&e, &profile("[rules.disk-size]\nmax_gib = 4095\n"));
    assert_eq!(r.findings, []);
    let r = audit(&e, &profile("[rules.disk-size]\nseverity = \"warning\"\n"));
    assert!(r.findings.iter().all(|f| f.severity == Severity::Warning));
    assert_eq!(
        r.vcenters[0].vms[0].readiness,
        Some(Readiness::ConditionallyReady)
    );
    assert!(!r.exceeds(FailOn::Error));
    assert!(r.exceeds(FailOn::Warning));
}

#[test]
fn exceeds_follows_the_threshold_and_ignores_unknowns() {
    let warn = Vm {
        disks: Some((0..17).map(|i| disk(&format!("d{i}"), GIB)).collect()),
        ..vm("w")
    };
    let r = audit(
        &estate(vec![vcenter("vc1", vec![warn])]),
        &Profile::default(),
    );
    assert!(r.exceeds(FailOn::Warning));
    assert!(!r.exceeds(FailOn::Error));
    assert!(!r.exceeds(FailOn::Never));

    let unknown = Vm {
        firmware: None,
        ..vm("u")
    };
    let r = audit(
        &estate(vec![vcenter("vc1", vec![unknown])]),
        &Profile::default(),
    );
    assert!(!r.findings.is_empty());
    assert!(!r.exceeds(FailOn::Warning));

    let error = Vm {
        name: "-x".into(),
        ..vm("e")
    };
    let r = audit(
        &estate(vec![vcenter("vc1", vec![error])]),
        &Profile::default(),
    );
    assert!(r.exceeds(FailOn::Error) && r.exceeds(FailOn::Warning) && !r.exceeds(FailOn::Never));
    assert_eq!(FailOn::default(), FailOn::Error);
}

/// 100k VMs audit in well under a second (run with `cargo test --release -- --ignored`).
#[test]
#[ignore]
fn a_hundred_thousand_vms_audit_fast() {
    let vms: Vec<Vm> = (0..100_000)
        .map(|i| {
            let mut v = vm(&format!("vm-{i}"));
            if i % 3 == 0 {
                v.guest_id = Some("rhel7_64Guest".into());
                v.guest_os_tools = None;
            }
            v
        })
        .collect();
    let e = estate(vec![vcenter("vc1", vms)]);
    let p = Profile::default();
    let start = std::time::Instant::now();
    let r = audit(&e, &p);
    let elapsed = start.elapsed();
    eprintln!("audited 100k VMs in {elapsed:?}");
    assert_eq!(r.counts.vms_in_scope, 100_000);
    assert!(
        elapsed < std::time::Duration::from_millis(500),
        "{elapsed:?}"
    );
}

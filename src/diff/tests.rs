//! Unit tests of the diff: matching, moves, property and readiness changes, findings, vCenters
//! not compared, `--fail-on` decisions, and both kinds of input.

use super::input::{Interner, Side, read_side};
use super::*;
use crate::audit::{Finding, Severity, Status, Verdict};
use crate::report::rows::{DatastoreRow, DiskRow, HostRow, VCenterRow, VmRow};

thread_local! {
    /// The strings of the test's sides (each test runs on its own thread).
    static STRS: std::cell::RefCell<Interner> = Default::default();
}

/// A side built from rows, as both readers build it.
#[derive(Default)]
struct B {
    side: Side,
}

/// OLD against NEW.
fn d(old: &B, new: &B) -> DiffResult {
    STRS.with(|s| diff(&old.side, &new.side, &s.borrow()))
}

impl B {
    fn vc(mut self, server: &str, uuid: &str, status: &str) -> Self {
        let side = &mut self.side;
        STRS.with(|s| {
            side.add_vcenter(
                &mut s.borrow_mut(),
                VCenterRow {
                    vcenter: server.into(),
                    instance_uuid: (!uuid.is_empty()).then(|| uuid.into()),
                    status: status.to_string().into(),
                    error: (status != "ok").then(|| "cannot reach it".into()),
                    ..Default::default()
                },
            )
        });
        self
    }

    fn host(mut self, server: &str, moref: &str, name: &str) -> Self {
        let side = &mut self.side;
        STRS.with(|s| {
            side.add_host(
                &mut s.borrow_mut(),
                HostRow {
                    vcenter: server.into(),
                    host: name.into(),
                    moref: moref.into(),
                    version: Some("7.0.3".into()),
                    ..Default::default()
                },
            )
        });
        self
    }

    fn ds(mut self, server: &str, moref: &str, name: &str) -> Self {
        let side = &mut self.side;
        STRS.with(|s| {
            side.add_datastore(
                &mut s.borrow_mut(),
                DatastoreRow {
                    vcenter: server.into(),
                    datastore: name.into(),
                    moref: moref.into(),
                    ..Default::default()
                },
            )
        });
        self
    }

    fn vm(mut self, r: VmRow) -> Self {
        let side = &mut self.side;
        STRS.with(|s| side.add_vm(&mut s.borrow_mut(), r));
        self
    }

    fn disk(mut self, server: &str, vm_moref: &str, label: &str, gib: u64) -> Self {
        let side = &mut self.side;
        STRS.with(|s| {
            side.add_disk(
                &mut s.borrow_mut(),
                DiskRow {
                    vcenter: server.into(),
                    vm_moref: vm_moref.into(),
                    label: Some(label.into()),
                    capacity_gib: Some(crate::report::gib(gib << 30)),
                    ..Default::default()
                },
            )
        });
        self
    }

    fn finding(mut self, server: &str, moref: &str, rule: &'static str, status: Status) -> Self {
        let verdict = Verdict {
            vcenter: server.into(),
            object_type: crate::audit::ObjectKind::Vm,
            rule: rule.into(),
            severity: Severity::Error,
            status,
            message: Default::default(),
            actual: Default::default(),
            expected: Default::default(),
        };
        let f = Finding::new(format!("name-of-{moref}").into(), moref.into(), verdict);
        let side = &mut self.side;
        STRS.with(|s| side.add_finding(&mut s.borrow_mut(), &f));
        self
    }
}

/// A VM of vCenter `server`, on host `esx1`, datastore `ds1`, ready.
fn vm(server: &str, name: &str, moref: &str, uuid: &str) -> VmRow<'static> {
    VmRow {
        vcenter: server.to_owned().into(),
        cluster: Some("c1".into()),
        host: Some("esx1".into()),
        folder: Some("vm".into()),
        vm: name.to_owned().into(),
        moref: moref.to_owned().into(),
        instance_uuid: (!uuid.is_empty()).then(|| uuid.to_owned().into()),
        power_state: Some("poweredOn".into()),
        cpus: Some(2),
        memory_mb: Some(4096),
        datastores: "ds1".into(),
        readiness: "ready".into(),
        ..Default::default()
    }
}

/// One healthy vCenter `vc1` with hosts esx1/esx2 and datastores ds1/ds2, and `vms`.
fn one_vc(vms: Vec<VmRow>) -> B {
    let mut b = B::default()
        .vc("vc1", "uuid-vc1", "ok")
        .host("vc1", "host-1", "esx1")
        .host("vc1", "host-2", "esx2")
        .ds("vc1", "datastore-1", "ds1")
        .ds("vc1", "datastore-2", "ds2");
    for v in vms {
        b = b.vm(v);
    }
    b
}

/// `kind property object old new` of every change.
fn lines(r: &DiffResult) -> Vec<String> {
    r.changes
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {}",
                c.kind.as_str(),
                c.property,
                c.object,
                c.old.as_deref().unwrap_or("-"),
                c.new.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn a_rename_is_a_rename_matched_by_instance_uuid() {
    let old = one_vc(vec![vm("vc1", "web", "vm-1", "u-1")]);
    // Same UUID, new name, and even a new moref (re-registered): the same VM.
    let new = one_vc(vec![vm("vc1", "web-new", "vm-9", "u-1")]);
    let r = d(&old, &new);
    assert_eq!(lines(&r), ["renamed name web-new web web-new"]);
    assert_eq!(r.changes[0].moref, "vm-9", "shown as in NEW");
    // Another UUID under the old name and moref is another VM.
    let other = one_vc(vec![vm("vc1", "web", "vm-1", "u-2")]);
    let r = d(&old, &other);
    assert_eq!(
        lines(&r),
        ["vanished  web web -", "appeared  web - web"],
        "names and morefs never match"
    );
}

#[test]
fn without_a_uuid_vms_match_by_moref() {
    let old = one_vc(vec![vm("vc1", "a", "vm-1", "")]);
    let new = one_vc(vec![vm("vc1", "b", "vm-1", "")]);
    assert_eq!(lines(&d(&old, &new)), ["renamed name b a b"]);
}

#[test]
fn moves_are_by_moref_and_a_renamed_host_moves_nothing() {
    let old = one_vc(vec![
        vm("vc1", "a", "vm-1", "u-1"),
        vm("vc1", "b", "vm-2", "u-2"),
    ]);
    let moved = VmRow {
        host: Some("esx2".into()),
        datastores: "ds1; ds2".into(),
        folder: Some("prod".into()),
        cluster: Some("c2".into()),
        ..vm("vc1", "a", "vm-1", "u-1")
    };
    let new = one_vc(vec![moved, vm("vc1", "b", "vm-2", "u-2")]);
    assert_eq!(
        lines(&d(&old, &new)),
        [
            "moved host a esx1 esx2",
            "moved datastore a ds1 ds1; ds2",
            "moved cluster a c1 c2",
            "moved folder a vm prod",
        ]
    );
    // host-1 renamed esx1 -> esx1b: the host is renamed, its VMs stay.
    let new = B::default()
        .vc("vc1", "uuid-vc1", "ok")
        .host("vc1", "host-1", "esx1b")
        .host("vc1", "host-2", "esx2")
        .ds("vc1", "datastore-1", "ds1")
        .ds("vc1", "datastore-2", "ds2")
        .vm(VmRow {
            host: Some("esx1b".into()),
            ..vm("vc1", "a", "vm-1", "u-1")
        })
        .vm(VmRow {
            host: Some("esx1b".into()),
            ..vm("vc1", "b", "vm-2", "u-2")
        });
    let r = d(&old, &new);
    assert_eq!(lines(&r), ["renamed name esx1b esx1 esx1b"]);
    assert_eq!(r.changes[0].object_type, "host");
}

#[test]
fn a_vm_that_changes_vcenter_moved_and_its_findings_follow_it() {
    let two = |first: bool| {
        let mut b = B::default()
            .vc("vc1", "uuid-vc1", "ok")
            .vc("vc2", "uuid-vc2", "ok");
        let (here, there) = if first {
            ("vc1", "vc2")
        } else {
            ("vc2", "vc1")
        };
        let _ = there;
        b = b
            .vm(vm(here, "a", if first { "vm-1" } else { "vm-7" }, "u-1"))
            .finding(
                here,
                if first { "vm-1" } else { "vm-7" },
                "guest-os",
                Status::Fail,
            );
        b
    };
    let (old, new) = (two(true), two(false));
    let r = d(&old, &new);
    assert_eq!(r.compared, 2);
    assert_eq!(lines(&r), ["moved vcenter a vc1 vc2"], "the finding stays");
    assert_eq!(r.changes[0].vcenter, "vc2");
}

#[test]
fn property_and_disk_changes_are_each_one_row() {
    let old = one_vc(vec![vm("vc1", "a", "vm-1", "u-1")])
        .disk("vc1", "vm-1", "Hard disk 1", 40)
        .disk("vc1", "vm-1", "Hard disk 2", 100);
    let changed = VmRow {
        cpus: Some(4),
        memory_mb: Some(8192),
        tools_status: Some("toolsNotRunning".into()),
        ..vm("vc1", "a", "vm-1", "u-1")
    };
    let new = one_vc(vec![changed])
        .disk("vc1", "vm-1", "Hard disk 1", 5120)
        .disk("vc1", "vm-1", "Hard disk 3", 10);
    assert_eq!(
        lines(&d(&old, &new)),
        [
            "changed tools_status a - toolsNotRunning",
            "changed cpus a 2 4",
            "changed memory_mb a 4096 8192",
            "changed disk Hard disk 1 capacity_gib a 40 5120",
            "changed disk Hard disk 2 capacity_gib a 100 -",
            "changed disk Hard disk 3 capacity_gib a - 10",
        ]
    );
}

#[test]
fn readiness_transitions_and_regressions() {
    let with = |readiness: &'static str| {
        one_vc(vec![VmRow {
            readiness: readiness.into(),
            ..vm("vc1", "a", "vm-1", "u-1")
        }])
    };
    let r = d(&with("ready"), &with("not-ready"));
    assert_eq!(lines(&r), ["readiness readiness a ready not-ready"]);
    assert!(r.has_readiness_regressions());
    assert!(r.render_summary().contains("ready -> not-ready: 1"));
    let back = d(&with("not-ready"), &with("ready"));
    assert_eq!(lines(&back), ["readiness readiness a not-ready ready"]);
    assert!(
        !back.has_readiness_regressions(),
        "back to ready is no regression"
    );
    let worse = d(&with("ready"), &with("unknown"));
    assert!(worse.has_readiness_regressions());
    let better = d(&with("unknown"), &with("conditionally-ready"));
    assert!(!better.has_readiness_regressions());
}

#[test]
fn findings_new_resolved_and_changed() {
    let old = one_vc(vec![
        vm("vc1", "a", "vm-1", "u-1"),
        vm("vc1", "b", "vm-2", "u-2"),
    ])
    .finding("vc1", "vm-1", "guest-os", Status::Fail)
    .finding("vc1", "vm-1", "disk-size", Status::Fail)
    .finding("vc1", "vm-2", "cross-vcenter-vmotion", Status::Fail);
    let new = one_vc(vec![
        vm("vc1", "a", "vm-1", "u-1"),
        vm("vc1", "b", "vm-2", "u-2"),
    ])
    .finding("vc1", "vm-1", "disk-size", Status::Fail)
    // A second failing disk: one new finding.
    .finding("vc1", "vm-1", "disk-size", Status::Fail)
    .finding("vc1", "vm-2", "cross-vcenter-vmotion", Status::Unknown)
    .finding("vc1", "vm-2", "vmware-tools", Status::Unknown);
    let r = d(&old, &new);
    assert_eq!(
        lines(&r),
        [
            "resolved-finding guest-os name-of-vm-1 fail error -",
            "new-finding disk-size name-of-vm-1 - fail error",
            "changed-finding cross-vcenter-vmotion name-of-vm-2 fail error unknown error",
            "new-finding vmware-tools name-of-vm-2 - unknown error",
        ]
    );
    assert!(r.has_new_findings());
    let s = r.render_summary();
    assert!(
        s.contains("guest-os                 resolved       1"),
        "{s}"
    );
    assert!(
        s.contains("cross-vcenter-vmotion    changed        1"),
        "{s}"
    );
}

#[test]
fn fail_on_decisions() {
    let base = || one_vc(vec![vm("vc1", "a", "vm-1", "u-1")]);
    let same = d(&base(), &base());
    assert!(same.changes.is_empty());
    assert!(!same.has_new_findings() && !same.has_readiness_regressions());
    assert!(same.render_summary().contains("No changes."));
    // fail -> unknown is no new finding; unknown -> fail is.
    let unknown = base().finding("vc1", "vm-1", "guest-os", Status::Unknown);
    let fail = base().finding("vc1", "vm-1", "guest-os", Status::Fail);
    assert!(!d(&fail, &unknown).has_new_findings());
    let base2 = base().finding("vc1", "vm-1", "guest-os", Status::Unknown);
    let fail2 = base().finding("vc1", "vm-1", "guest-os", Status::Fail);
    assert!(d(&base2, &fail2).has_new_findings());
    // A resolved finding alone is a change but neither new nor a regression.
    let r = d(&fail2, &base());
    assert_eq!(r.changes.len(), 1);
    assert!(!r.has_new_findings() && !r.has_readiness_regressions());
}

#[test]
fn vcenters_not_collected_or_missing_are_not_compared() {
    let old = B::default()
        .vc("vc1", "uuid-vc1", "ok")
        .vc("vc2", "uuid-vc2", "ok")
        .vc("vc3", "uuid-vc3", "error")
        .vc("vc4", "uuid-vc4", "ok")
        .vm(vm("vc1", "a", "vm-1", "u-1"))
        .vm(vm("vc2", "b", "vm-1", "u-2"))
        .vm(vm("vc4", "d", "vm-1", "u-4"));
    // vc2 down in NEW (no UUID then: matched by server), vc3 up again, vc4 gone, vc5 new.
    let new = B::default()
        .vc("vc1", "uuid-vc1", "ok")
        .vc("vc2", "", "error")
        .vc("vc3", "uuid-vc3", "ok")
        .vc("vc5", "uuid-vc5", "ok")
        .vm(vm("vc1", "a", "vm-1", "u-1"))
        .vm(vm("vc3", "c", "vm-1", "u-3"))
        .vm(vm("vc5", "e", "vm-1", "u-5"));
    let r = d(&old, &new);
    assert_eq!(r.compared, 1);
    let why: Vec<(&str, &str)> = r
        .not_compared
        .iter()
        .map(|n| (n.vcenter.as_str(), n.why.as_str()))
        .collect();
    assert_eq!(
        why,
        [
            ("vc2", "not collected in NEW: cannot reach it"),
            ("vc3", "not collected in OLD: cannot reach it"),
            ("vc4", "not in NEW"),
            ("vc5", "not in OLD"),
        ]
    );
    assert!(r.changes.is_empty(), "nothing vanished: {:?}", lines(&r));
    assert!(
        r.render_summary()
            .contains("not compared: vc2: not collected in NEW")
    );
}

#[test]
fn a_report_json_and_its_snapshot_read_the_same() {
    use crate::audit::testutil::{estate, vcenter, vm as model_vm};
    let dir = tempfile::tempdir().unwrap();
    let e = estate(vec![vcenter(
        "vc1",
        vec![
            model_vm("a"),
            crate::model::Vm {
                tools_status: None,
                tools_running: None,
                ..model_vm("bad_name")
            },
        ],
    )]);
    let profile = crate::audit::Profile::default();
    let result = crate::audit::audit(&e, &profile);
    assert!(!result.findings.is_empty(), "the test needs findings");
    let report = crate::report::Report::new(&e, &result, String::new());
    let mut json = crate::report::json::JsonReport::begin(Vec::new(), profile.name()).unwrap();
    report.write_tables(&mut json).unwrap();
    let json_path = dir.path().join("report.json");
    std::fs::write(&json_path, json.finish().unwrap()).unwrap();
    let snap_path = dir.path().join("s.json.zst");
    crate::snapshot::write(
        &snap_path,
        &crate::snapshot::Snapshot::new(e.clone(), "2026-01-01T00:00:00Z".into()),
    )
    .unwrap();

    let mut strs = Interner::default();
    let from_json = read_side(&json_path, &profile, &mut strs).unwrap();
    let from_snap = read_side(&snap_path, &profile, &mut strs).unwrap();
    // A folder holding a report.json reads as that report.
    let from_dir = read_side(dir.path(), &profile, &mut strs).unwrap();
    for side in [&from_json, &from_snap, &from_dir] {
        assert_eq!(side.profile, profile.name());
        let vc = &side.vcenters[0];
        assert_eq!((strs.str(vc.server), strs.str(vc.status)), ("vc1", "ok"));
        assert_eq!(vc.vms.len(), 2);
        assert_eq!(vc.findings.len(), result.findings.len());
    }
    for (a, b) in [(&from_json, &from_snap), (&from_snap, &from_dir)] {
        let r = diff(a, b, &strs);
        assert_eq!((r.compared, r.changes.len()), (1, 0), "{:?}", lines(&r));
    }
    // Strings are shared between sides.
    let name = |s: &Side| s.vcenters[0].vms[0].obj.name;
    assert_eq!(name(&from_json), name(&from_snap));
    assert_eq!(strs.str(name(&from_json)), "a");

    // A report of a newer schema is refused with advice; other files are not sides.
    let text = std::fs::read_to_string(&json_path).unwrap();
    let newer = dir.path().join("newer.json");
    std::fs::write(
        &newer,
        text.replacen("\"schema_version\": 1", "\"schema_version\": 99", 1),
    )
    .unwrap();
    let e = read_side(&newer, &profile, &mut strs)
        .unwrap_err()
        .to_string();
    assert!(e.contains("99") && e.contains("upgrade vcaudit"), "{e}");
    let other = dir.path().join("other.json");
    std::fs::write(&other, "{\"a\": 1}").unwrap();
    let e = read_side(&other, &profile, &mut strs)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("neither a vcaudit snapshot nor a vcaudit report.json"),
        "{e}"
    );
}

#[test]
fn the_interner_gives_one_symbol_per_text_even_when_hashes_clash() {
    /// Every text hashes alike: every lookup after the first goes through the clash table.
    #[derive(Default)]
    struct Same;
    impl std::hash::BuildHasher for Same {
        type Hasher = Zero;
        fn build_hasher(&self) -> Zero {
            Zero
        }
    }
    struct Zero;
    impl std::hash::Hasher for Zero {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, _: &[u8]) {}
    }
    let mut clashing = Interner::<Same>::default();
    let mut normal: Interner = Interner::default();
    let texts = [
        "",
        "vm-1",
        "poweredOn",
        "vm-1",
        "",
        "ds1; ds2",
        "poweredOn",
        "é",
    ];
    let a: Vec<Sym> = texts.iter().map(|t| clashing.get(t)).collect();
    let b: Vec<Sym> = texts.iter().map(|t| normal.get(t)).collect();
    for (ids, strs) in [(&a, clashing.str(a[0])), (&b, normal.str(b[0]))] {
        assert_eq!(strs, "");
        assert_eq!(ids[1], ids[3], "the same text, the same symbol");
        assert_eq!(ids[0], ids[4]);
        assert_eq!(ids[2], ids[6]);
        let distinct: std::collections::HashSet<&Sym> = ids.iter().collect();
        assert_eq!(distinct.len(), 5);
    }
    for (t, id) in texts.iter().zip(&a) {
        assert_eq!(clashing.str(*id), *t);
    }
    for (t, id) in texts.iter().zip(&b) {
        assert_eq!(normal.str(*id), *t);
    }
}

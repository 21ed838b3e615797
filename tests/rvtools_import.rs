//! `vcaudit audit --rvtools` and `vcaudit collect --rvtools` end to end on workbooks built in
//! the RVTools layout (`/work/shared/rvtools-layout.md`): 4.x (`MiB` headers, text booleans,
//! custom-attribute columns) and 3.x (`MB` headers, another column order, localised booleans).

mod support;

use rust_xlsxwriter::Workbook;
use std::collections::HashMap;
use std::path::Path;
use support::*;

#[derive(Clone, Copy)]
enum Gen {
    V3,
    V4,
}

/// A cell: text or number.
#[derive(Clone)]
enum C {
    S(String),
    N(f64),
}

fn s(v: &str) -> C {
    C::S(v.to_string())
}
fn n(v: f64) -> C {
    C::N(v)
}

type Rows = Vec<Vec<(&'static str, C)>>;

/// Writes a sheet: the headers in the order given by the first row (reversed for 3.x), `MiB`
/// spelled `MB` for 3.x.
fn sheet(wb: &mut Workbook, name: &str, rows: &Rows, g: Gen) {
    let ws = wb.add_worksheet();
    ws.set_name(name).unwrap();
    let mut headers: Vec<&str> = rows[0].iter().map(|(h, _)| *h).collect();
    if let Gen::V3 = g {
        headers.reverse();
    }
    for (c, h) in headers.iter().enumerate() {
        let h = match g {
            Gen::V3 => h.replace("MiB", "MB"),
            Gen::V4 => h.to_string(),
        };
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let m: HashMap<&str, &C> = row.iter().map(|(h, v)| (*h, v)).collect();
        for (c, h) in headers.iter().enumerate() {
            match m.get(h) {
                Some(C::S(v)) => ws.write_string(r as u32 + 1, c as u16, v.as_str()),
                Some(C::N(v)) => ws.write_number(r as u32 + 1, c as u16, *v),
                None => continue,
            }
            .unwrap();
        }
    }
}

struct Estate {
    server: &'static str,
    uuid: &'static str,
    /// (name, instance uuid, moref, tools, disk MiB, partition free MiB of /usr/local or C:\)
    vms: Vec<(&'static str, &'static str, &'static str, &'static str, f64)>,
}

fn yes_no(b: bool, g: Gen) -> C {
    match g {
        Gen::V4 => s(if b { "True" } else { "False" }),
        Gen::V3 => s(if b { "Wahr" } else { "Falsch" }),
    }
}

fn write_book(path: &Path, e: &Estate, g: Gen, with_tools: bool) {
    let mut wb = Workbook::new();
    let tail = |vm: &(&str, &str, &str, &str, f64)| -> Vec<(&'static str, C)> {
        vec![
            ("VM", s(vm.0)),
            ("Powerstate", s("poweredOn")),
            ("Template", yes_no(false, g)),
            ("Datacenter", s("DC-Lab")),
            ("Cluster", s("Prod")),
            ("Host", s("esx01.lab.local")),
            (
                "OS according to the configuration file",
                s("Microsoft Windows Server 2012 (64-bit)"),
            ),
            (
                "OS according to the VMware Tools",
                s("Microsoft Windows Server 2012 R2 Standard"),
            ),
            ("VM ID", s(vm.2)),
            ("VM UUID", s(vm.1)),
            ("VI SDK Server", s(e.server)),
            ("VI SDK UUID", s(e.uuid)),
        ]
    };
    let info: Rows = e
        .vms
        .iter()
        .map(|vm| {
            let mut r = vec![
                ("VM", s(vm.0)),
                ("Powerstate", s("poweredOn")),
                ("Template", yes_no(false, g)),
                ("CPUs", n(4.0)),
                ("Memory", n(8192.0)),
                ("Total disk capacity MiB", n(vm.4)),
                ("Firmware", s("bios")),
                ("HW version", n(14.0)),
                ("Path", s(&format!("[ds01] {0}/{0}.vmx", vm.0))),
                ("Folder", s("/DC-Lab/Prod")),
                ("Annotation", s("")),
                ("Owner", s("team-a")),
                ("SMBIOS UUID", s(&vm.1.replace("50", "42"))),
                (
                    "VI SDK Server type",
                    s("VMware vCenter Server 6.7.0 build-20504362"),
                ),
                ("VI SDK API Version", s("6.7.3")),
            ];
            r.extend(tail(vm));
            r
        })
        .collect();
    sheet(&mut wb, "vInfo", &info, g);
    let disks: Rows = e
        .vms
        .iter()
        .map(|vm| {
            let mut r = vec![
                ("Disk", s("Hard disk 1")),
                ("Disk Key", s("2000")),
                ("Capacity MiB", n(vm.4)),
                ("Raw", yes_no(false, g)),
                ("Disk Mode", s("persistent")),
                ("Thin", yes_no(true, g)),
                ("Controller", s("LSI Logic SAS")),
                ("Unit #", n(0.0)),
                ("Path", s(&format!("[ds01] {0}/{0}.vmdk", vm.0))),
            ];
            r.extend(tail(vm));
            r
        })
        .collect();
    sheet(&mut wb, "vDisk", &disks, g);
    let parts: Rows = e
        .vms
        .iter()
        .map(|vm| {
            let mut r = vec![
                ("Disk", s("C:\\")),
                ("Capacity MiB", n(61000.0)),
                ("Consumed MiB", n(20000.0)),
                ("Free MiB", n(41000.0)),
                ("Free %", n(67.0)),
            ];
            r.extend(tail(vm));
            r
        })
        .collect();
    sheet(&mut wb, "vPartition", &parts, g);
    if with_tools {
        let tools: Rows = e
            .vms
            .iter()
            .map(|vm| {
                let mut r = vec![
                    ("Tools", s(vm.3)),
                    ("Tools Version", n(10346.0)),
                    ("Upgradeable", s("No")),
                ];
                r.extend(tail(vm));
                r
            })
            .collect();
        sheet(&mut wb, "vTools", &tools, g);
    }
    let host: Rows = vec![vec![
        ("Host", s("esx01.lab.local")),
        ("Datacenter", s("DC-Lab")),
        ("Cluster", s("Prod")),
        ("in Maintenance Mode", yes_no(false, g)),
        ("# CPU", n(2.0)),
        ("ESX Version", s("VMware ESXi 6.7.0 build-17700523")),
        ("Object ID", s("host-10")),
        ("UUID", s("4c4c4544-0000")),
        ("VI SDK Server", s(e.server)),
        ("VI SDK UUID", s(e.uuid)),
    ]];
    sheet(&mut wb, "vHost", &host, g);
    let ds: Rows = vec![vec![
        ("Name", s("ds01")),
        ("Accessible", yes_no(true, g)),
        ("Type", s("VMFS")),
        ("Capacity MiB", n(4_194_304.0)),
        ("Free MiB", n(1_048_576.0)),
        ("Object ID", s("datastore-11")),
        ("VI SDK Server", s(e.server)),
        ("VI SDK UUID", s(e.uuid)),
    ]];
    sheet(&mut wb, "vDatastore", &ds, g);
    let src: Rows = vec![vec![
        ("Name", s(e.server)),
        ("API type", s("VirtualCenter")),
        ("API version", s("6.7.3")),
        ("Version", s("6.7.0")),
        ("Build", s("20504362")),
        ("Fullname", s("VMware vCenter Server 6.7.0 build-20504362")),
        ("VI SDK Server", s(e.server)),
        ("VI SDK UUID", s(e.uuid)),
    ]];
    sheet(&mut wb, "vSource", &src, g);
    wb.save(path).unwrap();
}

fn estate_a() -> Estate {
    Estate {
        server: "vc-a.lab.local",
        uuid: "11111111-2222-3333-4444-555555555555",
        vms: vec![
            (
                "web-01",
                "50000000-0000-0000-0000-000000000001",
                "vm-101",
                "toolsOk",
                61440.0,
            ),
            (
                "big-01",
                "50000000-0000-0000-0000-000000000002",
                "vm-102",
                "toolsOk",
                5_242_880.0,
            ),
            (
                "notools-01",
                "50000000-0000-0000-0000-000000000003",
                "vm-103",
                "toolsNotInstalled",
                61440.0,
            ),
            (
                "bad_name",
                "50000000-0000-0000-0000-000000000004",
                "vm-104",
                "toolsOk",
                61440.0,
            ),
        ],
    }
}

fn p(x: &Path) -> &str {
    x.to_str().unwrap()
}

/// `object rule status` of every VM finding except the events one (RVTools has no events).
fn vm_findings(out: &Path) -> Vec<String> {
    let mut v: Vec<String> = Table::read(&out.join("findings.csv"))
        .rows
        .iter()
        .filter(|r| r["object_type"] == "vm")
        .map(|r| format!("{} {} {}", r["object"], r["rule"], r["status"]))
        .collect();
    v.sort();
    v
}

#[test]
fn rvtools_4_and_3_exports_audit_the_same_with_the_planted_findings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (v4, v3) = (d.join("v4.xlsx"), d.join("v3.xlsx"));
    write_book(&v4, &estate_a(), Gen::V4, true);
    write_book(&v3, &estate_a(), Gen::V3, true);
    let (o4, o3) = (d.join("o4"), d.join("o3"));
    let r4 = vcaudit(&["audit", "--rvtools", p(&v4), "--out", p(&o4)], None);
    assert_eq!(r4.code, 1, "failing checks: {}{}", r4.stdout, r4.stderr);
    let r3 = vcaudit(&["audit", "--rvtools", p(&v3), "--out", p(&o3)], None);
    assert_eq!(r3.code, 1, "{}", r3.stderr);
    let f4 = vm_findings(&o4);
    assert_eq!(f4, vm_findings(&o3), "3.x and 4.x read the same");
    for want in [
        "big-01 disk-size fail",
        "notools-01 vmware-tools fail",
        "bad_name vm-name fail",
    ] {
        assert!(f4.iter().any(|f| f == want), "missing {want} in {f4:#?}");
    }
    assert!(
        !f4.iter()
            .any(|f| f.starts_with("web-01 ") && f.ends_with(" fail")),
        "the clean VM fails nothing: {f4:#?}"
    );
    // What the export cannot carry is unknown and said so, never guessed.
    assert!(
        f4.iter()
            .any(|f| f == "web-01 cross-vcenter-vmotion unknown"),
        "{f4:#?}"
    );
    let vms = Table::read(&o4.join("vms.csv"));
    let web = vms.by("vm")["web-01"].clone();
    assert_eq!(web["instance_uuid"], "50000000-0000-0000-0000-000000000001");
    assert_eq!(web["moref"], "vm-101");
    assert_eq!(web["memory_mb"], "8192");
    assert_eq!(web["provisioned_gib"], "60");
    assert_eq!(web["template"], "false");
    assert_eq!(web["tools_status"], "toolsOk");
    assert_eq!(web["host"], "esx01.lab.local");
    let vc = Table::read(&o4.join("vcenters.csv"));
    assert_eq!(vc.rows[0]["vcenter"], "vc-a.lab.local");
    assert_eq!(
        vc.rows[0]["instance_uuid"],
        "11111111-2222-3333-4444-555555555555"
    );
    assert_eq!(vc.rows[0]["version"], "6.7.0");
    let hosts = Table::read(&o4.join("hosts.csv"));
    assert_eq!(hosts.rows[0]["build"], "17700523");
    assert_eq!(hosts.rows[0]["version"], "6.7.0");

    // collect --rvtools makes a snapshot that audits the same.
    let snap = d.join("s.json.zst");
    let r = vcaudit(
        &["collect", "--rvtools", p(&v4), "--snapshot", p(&snap)],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let os = d.join("os");
    let r = vcaudit(&["audit", "--snapshot", p(&snap), "--out", p(&os)], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(vm_findings(&os), f4);
}

#[test]
fn a_missing_sheet_is_unknown_with_a_note_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("no-tools.xlsx");
    write_book(&book, &estate_a(), Gen::V4, false);
    let out = dir.path().join("o");
    let r = vcaudit(&["audit", "--rvtools", p(&book), "--out", p(&out)], None);
    assert!(r.code <= 1, "{}", r.stderr);
    let vc = Table::read(&out.join("vcenters.csv"));
    assert!(
        vc.rows[0]["notes"].contains("vTools sheet"),
        "{:?}",
        vc.rows[0]
    );
    let f = vm_findings(&out);
    assert!(
        f.iter().any(|f| f == "web-01 vmware-tools unknown"),
        "{f:#?}"
    );
    let vms = Table::read(&out.join("vms.csv"));
    assert_eq!(
        vms.by("vm")["web-01"]["tools_status"],
        "",
        "unknown, not guessed"
    );
}

#[test]
fn two_exports_are_two_vcenters_and_cross_vcenter_rules_see_both() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
    write_book(&a, &estate_a(), Gen::V4, true);
    let mut other = estate_a();
    other.server = "vc-b.lab.local";
    other.uuid = "99999999-2222-3333-4444-555555555555";
    // web-01 also in vCenter B (same instance UUID): moved by cross-vCenter vMotion.
    other.vms.truncate(1);
    other.vms[0].2 = "vm-7";
    write_book(&b, &other, Gen::V3, true);
    let out = dir.path().join("o");
    let r = vcaudit(
        &[
            "audit",
            "--rvtools",
            p(&a),
            "--rvtools",
            p(&b),
            "--out",
            p(&out),
        ],
        None,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let vc = Table::read(&out.join("vcenters.csv"));
    assert_eq!(vc.rows.len(), 2);
    let f = Table::read(&out.join("findings.csv"));
    let xvc: Vec<_> = f
        .rows
        .iter()
        .filter(|r| r["rule"] == "cross-vcenter-vmotion" && r["status"] == "fail")
        .map(|r| (r["vcenter"].clone(), r["object"].clone()))
        .collect();
    assert_eq!(xvc.len(), 2, "{xvc:?}");
    assert!(xvc.iter().all(|(_, o)| o == "web-01"));
}

#[test]
fn a_file_that_is_not_an_rvtools_export_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("x.xlsx");
    std::fs::write(&csv, "VM,Powerstate\nweb,poweredOn\n").unwrap();
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("Sheet1").unwrap();
    let other = dir.path().join("other.xlsx");
    wb.save(&other).unwrap();
    for f in [&csv, &other] {
        let out = dir.path().join("o");
        let r = vcaudit(&["audit", "--rvtools", p(f), "--out", p(&out)], None);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("is not an RVTools export"),
            "{}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(!out.join("findings.csv").exists());
    }
}

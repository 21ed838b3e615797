//! `--format rvtools` / `rvtools-csv`: the RVTools workbook read back with an independent reader
//! (calamine): the 27 sheets in RVTools' order, the exact headers of the sheets readers key on
//! (tests/fixtures/rvtools/headers.md), RVTools' cell types, values equal to the CSV reports and
//! to the simulated vCenter, and the split by `--rvtools-max-vms`.

mod support;

use calamine::{Data, Reader, Xlsx, open_workbook};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use support::{PASSWORD, Sim, Table, vcaudit};

const SHEETS: [&str; 27] = [
    "vInfo",
    "vCPU",
    "vMemory",
    "vDisk",
    "vPartition",
    "vNetwork",
    "vCD",
    "vUSB",
    "vSnapshot",
    "vTools",
    "vRP",
    "vCluster",
    "vHost",
    "vHBA",
    "vNIC",
    "vSwitch",
    "vPort",
    "dvSwitch",
    "dvPort",
    "vSC_VMK",
    "vDatastore",
    "vMultiPath",
    "vLicense",
    "vFileInfo",
    "vHealth",
    "vSource",
    "vMetaData",
];

const AUDIT_COLUMNS: [&str; 2] = ["vcaudit readiness", "vcaudit findings"];

/// The header lists of tests/fixtures/rvtools/headers.md, custom-attribute markers dropped.
fn fixture_headers() -> HashMap<String, Vec<String>> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rvtools/headers.md"
    ))
    .unwrap();
    let mut out = HashMap::new();
    for para in text.split("\n\n") {
        let para: Vec<&str> = para.lines().filter(|l| !l.starts_with("##")).collect();
        let para = para.join(" ");
        let Some((sheet, list)) = para.split_once(": ") else {
            continue;
        };
        if !SHEETS.contains(&sheet) {
            continue;
        }
        let cols: Vec<String> = list
            .split(", ")
            .map(|c| c.trim().to_string())
            .filter(|c| !c.starts_with('('))
            .collect();
        out.insert(sheet.to_string(), cols);
    }
    assert_eq!(out.len(), 12, "the fixture lists twelve sheets");
    out
}

/// A sheet as header → cell maps, one per data row.
struct Sheet {
    header: Vec<String>,
    rows: Vec<Vec<Data>>,
    width: usize,
}

impl Sheet {
    fn read(wb: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Sheet {
        let range = wb.worksheet_range(name).unwrap();
        let mut rows = range.rows();
        let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        Sheet {
            header,
            rows: rows.map(|r| r.to_vec()).collect(),
            width: range.width(),
        }
    }

    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    fn get<'a>(&self, row: &'a [Data], name: &str) -> &'a Data {
        row.get(self.col(name)).unwrap_or(&Data::Empty)
    }

    /// Rows keyed by a column's text.
    fn by<'a>(&'a self, key: &str) -> HashMap<String, &'a Vec<Data>> {
        self.rows
            .iter()
            .map(|r| (self.get(r, key).to_string(), r))
            .collect()
    }
}

fn audit_demo(extra: &[&str]) -> tempfile::TempDir {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = tempfile::tempdir().unwrap();
    let snap = format!("{root}/samples/demo-estate.json.zst");
    let mut args = vec![
        "audit",
        "--snapshot",
        &snap,
        "--out",
        dir.path().to_str().unwrap(),
        "--fail-on",
        "never",
    ];
    args.extend_from_slice(extra);
    let run = vcaudit(&args, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    dir
}

fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn num(d: &Data) -> Option<f64> {
    match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

/// Text as the workbook holds it (formula-safe).
fn fs(s: &str) -> String {
    vcaudit::report::cell::formula_safe(s).into_owned()
}

const MIB: f64 = 1024.0 * 1024.0;

#[test]
fn workbook_has_rvtools_sheets_headers_and_cell_types() {
    let dir = audit_demo(&["--format", "csv,rvtools"]);
    let mut wb = open(&dir.path().join("vcaudit-rvtools.xlsx"));
    assert_eq!(wb.sheet_names(), SHEETS, "27 sheets in RVTools' order");
    let fixture = fixture_headers();
    for name in SHEETS {
        let sheet = Sheet::read(&mut wb, name);
        assert!(!sheet.header.is_empty(), "{name} has a header row");
        assert_eq!(
            sheet.width,
            sheet.header.len(),
            "{name}: no columns past the header"
        );
        if let Some(want) = fixture.get(name) {
            let own: Vec<&String> = sheet
                .header
                .iter()
                .filter(|h| !AUDIT_COLUMNS.contains(&h.as_str()))
                .collect();
            let want: Vec<&String> = want.iter().collect();
            assert_eq!(own, want, "{name}: RVTools' exact headers in order");
        }
        for row in &sheet.rows {
            assert!(
                row.iter().any(|c| *c != Data::Empty),
                "{name}: no empty rows"
            );
        }
    }
    let vinfo = Sheet::read(&mut wb, "vInfo");
    // The audit columns sit where RVTools puts custom attributes: before Datacenter.
    assert_eq!(vinfo.col("vcaudit findings") + 1, vinfo.col("Datacenter"));
    let host = Sheet::read(&mut wb, "vHost");
    assert_eq!(host.col("vcaudit findings") + 1, host.col("UUID"));

    // Cell types as RVTools writes them.
    let r = &vinfo.rows[0];
    assert!(
        matches!(vinfo.get(r, "CPUs"), Data::Float(_)),
        "CPUs is a number"
    );
    assert!(
        matches!(vinfo.get(r, "Memory"), Data::Float(_)),
        "Memory is a number"
    );
    assert!(
        matches!(vinfo.get(r, "Template"), Data::String(s) if s == "True" || s == "False"),
        "Template is True/False text"
    );
    assert!(matches!(vinfo.get(r, "Powerstate"), Data::String(s) if s.starts_with("powered")));
    let disk = Sheet::read(&mut wb, "vDisk");
    assert!(
        matches!(disk.get(&disk.rows[0], "Disk Key"), Data::String(_)),
        "Disk Key is text"
    );
    assert!(matches!(
        disk.get(&disk.rows[0], "Capacity MiB"),
        Data::Float(_)
    ));
    let meta = Sheet::read(&mut wb, "vMetaData");
    assert_eq!(meta.rows.len(), 1);
    assert_eq!(
        meta.get(&meta.rows[0], "RVTools version").to_string(),
        format!("vcaudit {}", env!("CARGO_PKG_VERSION"))
    );
    assert!(matches!(
        meta.get(&meta.rows[0], "xlsx creation datetime"),
        Data::DateTime(_)
    ));
    let source = Sheet::read(&mut wb, "vSource");
    assert_eq!(source.rows.len(), 2, "one vSource row per vCenter");
    assert!(
        source
            .rows
            .iter()
            .all(|r| source.get(r, "API type") == "VirtualCenter")
    );
}

#[test]
fn workbook_values_equal_the_csv_reports() {
    let dir = audit_demo(&["--format", "csv,rvtools,rvtools-csv"]);
    let mut wb = open(&dir.path().join("vcaudit-rvtools.xlsx"));
    let vms = Table::read(&dir.path().join("vms.csv"));
    let vinfo = Sheet::read(&mut wb, "vInfo");
    assert_eq!(vinfo.rows.len(), vms.rows.len(), "one vInfo row per VM");
    // The demo has one VM registered in both vCenters (same instance UUID): unique per vCenter.
    let key = |r: &Vec<Data>| {
        (
            vinfo.get(r, "VI SDK Server").to_string(),
            vinfo.get(r, "VM UUID").to_string(),
        )
    };
    let by_uuid: HashMap<(String, String), &Vec<Data>> =
        vinfo.rows.iter().map(|r| (key(r), r)).collect();
    assert_eq!(
        by_uuid.len(),
        vinfo.rows.len(),
        "VM UUID unique per vCenter"
    );
    assert!(
        vinfo.rows.iter().all(|r| !key(r).1.is_empty()),
        "VM UUID present"
    );
    for vm in &vms.rows {
        let r = by_uuid[&(vm["vcenter"].clone(), vm["instance_uuid"].clone())];
        let g = |c: &str| vinfo.get(r, c).to_string();
        assert_eq!(g("VM"), fs(&vm["vm"]));
        assert_eq!(g("VM ID"), vm["moref"]);
        assert_eq!(g("SMBIOS UUID"), vm["bios_uuid"]);
        assert_eq!(g("Powerstate"), vm["power_state"]);
        assert_eq!(g("Template").to_lowercase(), vm["template"]);
        assert_eq!(g("CPUs"), vm["cpus"]);
        assert_eq!(g("Memory"), vm["memory_mb"]);
        assert_eq!(g("Disks"), vm["disks"]);
        assert_eq!(g("Datacenter"), vm["datacenter"]);
        assert_eq!(g("Cluster"), vm["cluster"]);
        assert_eq!(g("Host"), vm["host"]);
        assert_eq!(g("Firmware"), vm["firmware"]);
        assert_eq!(
            g("OS according to the configuration file"),
            vm["guest_os_config"]
        );
        assert_eq!(g("vcaudit readiness"), vm["readiness"]);
        assert_eq!(g("vcaudit findings"), vm["findings"]);
        assert_eq!(g("VI SDK Server"), vm["vcenter"]);
        // From the datacenter on, without the hidden `vm` folder (datacenters may sit in folders).
        let dc_vm = format!("/{}/vm", vm["datacenter"]);
        let at = vm["folder"].find(&dc_vm).unwrap();
        let folder = format!("/{}{}", vm["datacenter"], &vm["folder"][at + dc_vm.len()..]);
        assert_eq!(g("Folder"), fs(&folder));
        let total = num(vinfo.get(r, "Total disk capacity MiB")).unwrap();
        let gib: f64 = vm["provisioned_gib"].parse().unwrap();
        assert!(
            (total / 1024.0 - gib).abs() <= 0.01,
            "{}: {total} MiB vs {gib} GiB",
            vm["vm"]
        );
    }

    let disks = Table::read(&dir.path().join("disks.csv"));
    let vdisk = Sheet::read(&mut wb, "vDisk");
    assert_eq!(vdisk.rows.len(), disks.rows.len(), "one vDisk row per disk");
    let vdisk_rows: HashSet<(String, String, String)> = vdisk
        .rows
        .iter()
        .map(|r| {
            (
                vdisk.get(r, "VM ID").to_string(),
                vdisk.get(r, "Disk").to_string(),
                vdisk.get(r, "Capacity MiB").to_string(),
            )
        })
        .collect();
    for d in &disks.rows {
        let mib = (d["capacity_bytes"].parse::<f64>().unwrap() / MIB)
            .floor()
            .to_string();
        let key = (d["vm_moref"].clone(), d["label"].clone(), mib);
        assert!(vdisk_rows.contains(&key), "disk {key:?} on vDisk");
    }

    let hosts = Table::read(&dir.path().join("hosts.csv"));
    let vhost = Sheet::read(&mut wb, "vHost");
    assert_eq!(vhost.rows.len(), hosts.rows.len());
    let by_name = vhost.by("Host");
    for h in &hosts.rows {
        let r = by_name[&h["host"]];
        assert_eq!(vhost.get(r, "ESX Version").to_string(), h["full_name"]);
        assert_eq!(vhost.get(r, "Object ID").to_string(), h["moref"]);
        assert_eq!(vhost.get(r, "vcaudit findings").to_string(), h["findings"]);
    }

    let stores = Table::read(&dir.path().join("datastores.csv"));
    let vds = Sheet::read(&mut wb, "vDatastore");
    assert_eq!(vds.rows.len(), stores.rows.len());
    let by_id = vds
        .rows
        .iter()
        .map(|r| {
            (
                (
                    vds.get(r, "VI SDK Server").to_string(),
                    vds.get(r, "Object ID").to_string(),
                ),
                r,
            )
        })
        .collect::<HashMap<_, _>>();
    for s in &stores.rows {
        let r = by_id[&(s["vcenter"].clone(), s["moref"].clone())];
        let cap = num(vds.get(r, "Capacity MiB")).unwrap();
        let gib: f64 = s["capacity_gib"].parse().unwrap();
        assert!((cap / 1024.0 - gib).abs() <= 0.01);
        assert_eq!(vds.get(r, "Type").to_string(), s["type"]);
    }

    // The CSV form holds the same cells as the workbook.
    for name in SHEETS {
        let sheet = Sheet::read(&mut wb, name);
        let path = dir.path().join(format!("RVTools_tab{name}.csv"));
        let mut csv = csv::Reader::from_path(&path).unwrap();
        let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, sheet.header, "{name}.csv header");
        let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), sheet.rows.len(), "{name}.csv rows");
        for (c, x) in rows.iter().zip(&sheet.rows) {
            for (i, h) in header.iter().enumerate() {
                let cell = x.get(i).unwrap_or(&Data::Empty);
                if matches!(cell, Data::DateTime(_)) {
                    assert!(!c[i].is_empty());
                    continue;
                }
                assert_eq!(c[i], cell.to_string(), "{name}.{h}");
            }
        }
    }
}

#[test]
fn max_vms_splits_along_vcenter_and_cluster_boundaries() {
    let dir = audit_demo(&["--format", "csv,rvtools", "--rvtools-max-vms", "12"]);
    let vms = Table::read(&dir.path().join("vms.csv"));
    assert!(vms.rows.len() > 12, "the demo estate needs splitting");
    assert!(!dir.path().join("vcaudit-rvtools.xlsx").exists());
    let mut seen: Vec<String> = Vec::new();
    let mut cluster_files: HashMap<(String, String), HashSet<usize>> = HashMap::new();
    let mut n = 1;
    while dir
        .path()
        .join(format!("vcaudit-rvtools-{n}.xlsx"))
        .exists()
    {
        let mut wb = open(&dir.path().join(format!("vcaudit-rvtools-{n}.xlsx")));
        assert_eq!(wb.sheet_names(), SHEETS, "every file has every sheet");
        let vinfo = Sheet::read(&mut wb, "vInfo");
        assert!(vinfo.rows.len() <= 12, "file {n}: {} VMs", vinfo.rows.len());
        let ids: HashSet<String> = vinfo
            .rows
            .iter()
            .map(|r| {
                vinfo.get(r, "VM ID").to_string() + "@" + &vinfo.get(r, "VI SDK Server").to_string()
            })
            .collect();
        // A VM's rows on the other sheets stay in its file.
        for other in ["vCPU", "vMemory", "vDisk", "vTools", "vPartition"] {
            let s = Sheet::read(&mut wb, other);
            for r in &s.rows {
                let id =
                    s.get(r, "VM ID").to_string() + "@" + &s.get(r, "VI SDK Server").to_string();
                assert!(
                    ids.contains(&id),
                    "file {n}: {other} row of {id} without its vInfo row"
                );
            }
        }
        for r in &vinfo.rows {
            seen.push(
                vinfo.get(r, "VM ID").to_string()
                    + "@"
                    + &vinfo.get(r, "VI SDK Server").to_string(),
            );
            let key = (
                vinfo.get(r, "VI SDK Server").to_string(),
                vinfo.get(r, "Cluster").to_string(),
            );
            cluster_files.entry(key).or_default().insert(n);
        }
        n += 1;
    }
    assert!(n > 2, "more than one file");
    seen.sort();
    let mut want: Vec<String> = vms
        .rows
        .iter()
        .map(|v| format!("{}@{}", v["moref"], v["vcenter"]))
        .collect();
    want.sort();
    assert_eq!(seen, want, "every VM in exactly one file");
    // A cluster spans files only when it alone has more VMs than the limit.
    for ((vc, cluster), files) in &cluster_files {
        let size = vms
            .rows
            .iter()
            .filter(|v| &v["vcenter"] == vc && &v["cluster"] == cluster)
            .count();
        if size <= 12 {
            assert_eq!(
                files.len(),
                1,
                "{vc} {cluster} ({size} VMs) is in {files:?}"
            );
        }
    }
}

#[test]
fn workbook_matches_the_simulator() {
    let sim = Sim::audit();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let run = vcaudit(
        &sim.args(
            "audit",
            &["--out", out, "--fail-on", "never", "--format", "rvtools"],
        ),
        Some(PASSWORD),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut wb = open(&dir.path().join("vcaudit-rvtools.xlsx"));
    let exp = sim.expected();
    let vinfo = Sheet::read(&mut wb, "vInfo");
    let want = exp["vms"].as_array().unwrap();
    assert_eq!(
        vinfo.rows.len(),
        want.len(),
        "one vInfo row per simulated VM"
    );
    let by_id = vinfo.by("VM ID");
    let s = |v: &serde_json::Value| support::cell(v);
    for vm in want {
        let r = by_id[vm["moref"].as_str().unwrap()];
        let g = |c: &str| vinfo.get(r, c).to_string();
        assert_eq!(g("VM"), fs(&s(&vm["name"])), "text is formula-safe");
        assert_eq!(g("VM UUID"), s(&vm["instance_uuid"]));
        assert_eq!(g("SMBIOS UUID"), s(&vm["bios_uuid"]));
        assert_eq!(g("Powerstate"), s(&vm["power_state"]));
        let template = if vm["template"].as_bool().unwrap() {
            "True"
        } else {
            "False"
        };
        assert_eq!(g("Template"), template);
        assert_eq!(g("CPUs"), s(&vm["cpus"]));
        assert_eq!(g("Memory"), s(&vm["memory_mb"]));
        assert_eq!(g("Datacenter"), s(&vm["datacenter"]));
        assert_eq!(
            g("OS according to the configuration file"),
            s(&vm["guest_full_name"])
        );
        assert_eq!(g("VI SDK Server"), sim.server());
        assert_eq!(g("VI SDK UUID"), s(&exp["about"]["instance_uuid"]));
        assert_eq!(g("VI SDK Server type"), s(&exp["about"]["full_name"]));
        assert_details(&mut wb, &vinfo, r, vm);
        let parts = Sheet::read(&mut wb, "vPartition");
        let mine: Vec<&Vec<Data>> = parts
            .rows
            .iter()
            .filter(|p| parts.get(p, "VM ID") == vm["moref"].as_str().unwrap())
            .collect();
        let guest = vm["guest_disks"].as_array().map_or(0, Vec::len);
        assert_eq!(
            mine.len(),
            guest,
            "{}: one vPartition row per guest disk",
            g("VM")
        );
        for (p, gd) in mine
            .iter()
            .zip(vm["guest_disks"].as_array().into_iter().flatten())
        {
            assert_eq!(parts.get(p, "Disk").to_string(), s(&gd["path"]));
            let cap = gd["capacity"].as_u64().unwrap() / (1024 * 1024);
            assert_eq!(num(parts.get(p, "Capacity MiB")), Some(cap as f64));
        }
    }
    assert!(
        want.iter().any(|v| v["details"]["annotation"].is_string()
            && v["details"]["cbt"] == true
            && v["details"]["cores_per_socket"] == 2),
        "the scenario plants an annotation, CBT and two cores per socket"
    );
    // vNetwork: one row per NIC, in device order; vInfo's NICs and Network #n agree.
    let vnet = Sheet::read(&mut wb, "vNetwork");
    let mut nics_seen = 0;
    for vm in want {
        let id = vm["moref"].as_str().unwrap();
        let mine: Vec<&Vec<Data>> = vnet
            .rows
            .iter()
            .filter(|r| vnet.get(r, "VM ID") == id)
            .collect();
        let nics = vm["nics"].as_array().unwrap();
        assert_eq!(mine.len(), nics.len(), "{id}: one vNetwork row per NIC");
        let info = by_id[id];
        assert_eq!(vinfo.get(info, "NICs").to_string(), nics.len().to_string());
        for (i, (r, n)) in mine.iter().zip(nics).enumerate() {
            assert_eq!(vnet.get(r, "NIC label").to_string(), s(&n["label"]));
            assert_eq!(vnet.get(r, "Network").to_string(), fs(&s(&n["network"])));
            assert_eq!(vnet.get(r, "Mac Address").to_string(), s(&n["mac"]));
            let connected = n["connected"]
                .as_bool()
                .map(|b| if b { "True" } else { "False" });
            assert_eq!(
                vnet.get(r, "Connected").to_string(),
                connected.unwrap_or("")
            );
            let adapter = n["adapter"].as_str().unwrap();
            assert_eq!(
                vnet.get(r, "Adapter").to_string(),
                adapter.trim_start_matches("Virtual")
            );
            let v4: Vec<&str> = n["ip_addresses"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|a| a.as_str())
                .filter(|a| !a.contains(':'))
                .collect();
            assert_eq!(vnet.get(r, "IPv4 Address").to_string(), v4.join(", "));
            if i < 8 {
                let col = format!("Network #{}", i + 1);
                assert_eq!(vinfo.get(info, &col).to_string(), fs(&s(&n["network"])));
            }
            nics_seen += 1;
        }
    }
    assert!(nics_seen > 0, "the scenario has NICs");

    let vhost = Sheet::read(&mut wb, "vHost");
    assert_eq!(vhost.rows.len(), exp["hosts"].as_array().unwrap().len());
    assert_inventory(&mut wb, &vhost, exp);
    let vsource = Sheet::read(&mut wb, "vSource");
    assert_eq!(
        vsource.get(&vsource.rows[0], "Version").to_string(),
        s(&exp["about"]["version"])
    );
    assert_eq!(
        vsource.get(&vsource.rows[0], "Build").to_string(),
        s(&exp["about"]["build"])
    );
}

/// A simulator number as the numeric cell it becomes, `""` for null.
fn n(v: &serde_json::Value) -> String {
    v.as_i64().map(|n| n.to_string()).unwrap_or_default()
}

fn mib_of(v: &serde_json::Value) -> String {
    v.as_u64()
        .map(|b| (b / (1024 * 1024)).to_string())
        .unwrap_or_default()
}

/// vInfo, vCPU and vMemory columns from the VM's `details` (guest, config, summary).
fn assert_details(
    wb: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    vinfo: &Sheet,
    r: &[Data],
    vm: &serde_json::Value,
) {
    let d = &vm["details"];
    let id = vm["moref"].as_str().unwrap();
    let g = |c: &str| vinfo.get(r, c).to_string();
    let s = |v: &serde_json::Value| support::cell(v);
    assert_eq!(g("DNS Name"), s(&d["dns_name"]), "{id}");
    assert_eq!(g("Primary IP Address"), s(&d["primary_ip"]), "{id}");
    assert_eq!(g("Guest state"), s(&d["guest_state"]), "{id}");
    assert_eq!(g("Heartbeat"), s(&d["heartbeat"]), "{id}");
    assert_eq!(g("Connection state"), s(&d["connection_state"]), "{id}");
    assert_eq!(g("Path"), fs(&s(&d["vmx_path"])), "{id}");
    assert_eq!(g("Annotation"), fs(&s(&d["annotation"])), "{id}");
    let hw = d["hw_version"].as_str().unwrap().trim_start_matches("vmx-");
    assert_eq!(g("HW version"), hw, "{id}");
    assert!(matches!(
        vinfo.get(r, "HW version"),
        Data::Float(_) | Data::Int(_)
    ));
    let cbt = d["cbt"].as_bool().map(|b| if b { "TRUE" } else { "FALSE" });
    assert_eq!(g("CBT"), cbt.unwrap_or(""), "{id}");
    let committed = d["committed"].as_u64().unwrap();
    let provisioned = committed + d["uncommitted"].as_u64().unwrap();
    assert_eq!(
        g("Provisioned MiB"),
        (provisioned / (1024 * 1024)).to_string()
    );
    assert_eq!(g("In Use MiB"), mib_of(&d["committed"]), "{id}");
    assert_eq!(g("Unshared MiB"), mib_of(&d["unshared"]), "{id}");
    assert_eq!(g("Active Memory"), n(&d["memory_active"]), "{id}");

    let vcpu = Sheet::read(wb, "vCPU");
    let c = vcpu.by("VM ID")[id];
    let cores = d["cores_per_socket"].as_i64().unwrap();
    let cpus = vm["cpus"].as_i64().unwrap();
    assert_eq!(vcpu.get(c, "Cores p/s").to_string(), cores.to_string());
    assert_eq!(
        vcpu.get(c, "Sockets").to_string(),
        (cpus / cores).to_string()
    );
    assert_eq!(
        vcpu.get(c, "Reservation").to_string(),
        n(&d["cpu_reservation"])
    );
    assert_eq!(vcpu.get(c, "Limit").to_string(), n(&d["cpu_limit"]));
    assert_eq!(vcpu.get(c, "Annotation").to_string(), g("Annotation"));

    let vmem = Sheet::read(wb, "vMemory");
    let m = vmem.by("VM ID")[id];
    let gm = |c: &str| vmem.get(m, c).to_string();
    assert_eq!(gm("Reservation"), n(&d["memory_reservation"]), "{id}");
    assert_eq!(gm("Limit"), n(&d["memory_limit"]), "{id}");
    assert_eq!(gm("Active"), n(&d["memory_active"]), "{id}");
    assert_eq!(gm("Consumed"), n(&d["memory_consumed"]), "{id}");
}

/// vHost hardware, vCluster totals and vDatastore details against the simulator.
fn assert_inventory(
    wb: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    vhost: &Sheet,
    exp: &serde_json::Value,
) {
    let s = |v: &serde_json::Value| support::cell(v);
    let hosts = vhost.by("Object ID");
    for h in exp["hosts"].as_array().unwrap() {
        let r = hosts[h["moref"].as_str().unwrap()];
        let g = |c: &str| vhost.get(r, c).to_string();
        let hw = &h["hardware"];
        assert!(
            hw.is_object(),
            "the simulator's hosts have summary.hardware"
        );
        assert_eq!(g("CPU Model"), fs(&s(&hw["CpuModel"])));
        assert_eq!(g("Speed"), n(&hw["CpuMhz"]));
        assert_eq!(g("# CPU"), n(&hw["NumCpuPkgs"]));
        assert_eq!(g("# Cores"), n(&hw["NumCpuCores"]));
        let per = hw["NumCpuCores"].as_i64().unwrap() / hw["NumCpuPkgs"].as_i64().unwrap();
        assert_eq!(g("Cores per CPU"), per.to_string());
        assert_eq!(g("# Memory"), mib_of(&hw["MemorySize"]));
        assert_eq!(g("Vendor"), fs(&s(&hw["Vendor"])));
        assert_eq!(g("Model"), fs(&s(&hw["Model"])));
    }
    let vcluster = Sheet::read(wb, "vCluster");
    let clusters = vcluster.by("Object ID");
    let want = exp["clusters"].as_array().unwrap();
    assert!(!want.is_empty(), "the scenario has clusters");
    assert!(
        want.iter().any(|c| c["ha_enabled"] == true),
        "the scenario has an HA cluster"
    );
    for c in want {
        let r = clusters[c["moref"].as_str().unwrap()];
        let g = |col: &str| vcluster.get(r, col).to_string();
        assert_eq!(g("NumHosts"), n(&c["num_hosts"]));
        assert_eq!(g("NumCpuCores"), n(&c["num_cpu_cores"]));
        assert_eq!(g("TotalCpu"), n(&c["total_cpu"]));
        assert_eq!(g("TotalMemory"), mib_of(&c["total_memory"]));
        let ha = c["ha_enabled"]
            .as_bool()
            .map(|b| if b { "True" } else { "False" });
        assert_eq!(g("HA enabled"), ha.unwrap_or(""));
    }
    let vds = Sheet::read(wb, "vDatastore");
    let dss = vds.by("Object ID");
    for d in exp["datastores"].as_array().unwrap() {
        let r = dss[d["moref"].as_str().unwrap()];
        let g = |col: &str| vds.get(r, col).to_string();
        let accessible = if d["accessible"].as_bool().unwrap() {
            "True"
        } else {
            "False"
        };
        assert_eq!(g("Accessible"), accessible);
        assert_eq!(g("URL"), fs(&s(&d["url"])));
        let (cap, free, unc) = (
            d["capacity"].as_u64().unwrap(),
            d["free_space"].as_u64().unwrap(),
            d["uncommitted"].as_u64().unwrap(),
        );
        assert_eq!(
            g("Provisioned MiB"),
            ((cap - free + unc) / (1024 * 1024)).to_string()
        );
    }
}

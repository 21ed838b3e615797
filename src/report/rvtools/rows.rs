//! The rows of an RVTools workbook, made from the estate and its audit, sheet by sheet.
//!
//! RVTools' conventions: sizes in MiB as integers, booleans as the text `True`/`False`, enum
//! values as vSphere spells them, dates as dates, and unknown values as empty cells (never a
//! guess). `VM UUID` is the instance UUID, `SMBIOS UUID` the BIOS UUID, `VM ID` the moref,
//! `VI SDK Server` the vCenter as named, without a scheme.

use super::plan::Part;
use super::sheets::{Sheet, SheetId};
use crate::audit::{AuditResult, Tally, VmAudit};
use crate::model::{Cluster, Datastore, Estate, Host, VCenterInventory, Vm, VmDetails};
use std::collections::HashMap;

/// One RVTools cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// An RFC 3339 time, written as a date.
    Date(String),
}

const MIB: u64 = 1024 * 1024;

/// vInfo's network columns, one per NIC in device order.
const NETWORK_COLUMNS: [&str; 8] = [
    "Network #1",
    "Network #2",
    "Network #3",
    "Network #4",
    "Network #5",
    "Network #6",
    "Network #7",
    "Network #8",
];

fn text<S: std::ops::Deref<Target = str>>(s: &Option<S>) -> Cell {
    s.as_ref()
        .map_or(Cell::Empty, |s| Cell::Text(String::from(&**s)))
}

fn tf(b: Option<bool>) -> Cell {
    b.map_or(Cell::Empty, |b| {
        Cell::Text(if b { "True" } else { "False" }.into())
    })
}

fn int<T: TryInto<i64>>(n: Option<T>) -> Cell {
    n.and_then(|n| n.try_into().ok())
        .map_or(Cell::Empty, Cell::Int)
}

fn mib(bytes: Option<u64>) -> Cell {
    int(bytes.map(|b| b / MIB))
}

/// RVTools' `HW version`: the number of `config.version` (`vmx-19` is 19).
fn hw_version(v: &Option<crate::model::Shared>) -> Cell {
    int(v
        .as_deref()
        .and_then(|v| v.strip_prefix("vmx-"))
        .and_then(|n| n.parse::<i64>().ok()))
}

/// Where rows go: one call per row, sheet by sheet in any interleaving, rows of one sheet in order.
pub trait RowSink {
    type Error;
    fn row(&mut self, sheet: SheetId, cells: &[Cell]) -> Result<(), Self::Error>;
}

/// A row under construction: cells set by header name.
pub struct Row {
    index: &'static HashMap<&'static str, usize>,
    cells: Vec<Cell>,
}

impl Row {
    fn set(&mut self, column: &str, cell: Cell) {
        match self.index.get(column) {
            Some(&i) => self.cells[i] = cell,
            None => debug_assert!(false, "no column {column}"),
        }
    }
}

/// Column positions of every sheet, by header name.
fn indexes() -> &'static Vec<HashMap<&'static str, usize>> {
    static INDEXES: std::sync::OnceLock<Vec<HashMap<&'static str, usize>>> =
        std::sync::OnceLock::new();
    INDEXES.get_or_init(|| {
        super::sheets::SHEETS
            .iter()
            .map(|s: &Sheet| s.header.iter().enumerate().map(|(i, h)| (*h, i)).collect())
            .collect()
    })
}

fn row(sheet: SheetId) -> Row {
    let index = &indexes()[sheet as usize];
    Row {
        index,
        cells: vec![Cell::Empty; sheet.sheet().header.len()],
    }
}

/// `VI SDK Server`, `VI SDK UUID` and the other columns every sheet of a vCenter shares.
fn sdk(r: &mut Row, vc: &VCenterInventory) {
    r.set("VI SDK Server", Cell::Text(vc.server.clone()));
    r.set("VI SDK UUID", text(&vc.about.instance_uuid));
}

/// RVTools' `Folder`: the VM folder path from the datacenter on, without the hidden `vm`
/// folder (`/DC0/vm/Prod` is `/DC0/Prod`; `/Europe/DC1/vm/Web`, a datacenter in a folder, is
/// `/DC1/Web`).
fn rv_folder(folder: Option<&str>, dc: Option<&str>) -> Cell {
    let Some(f) = folder else { return Cell::Empty };
    let parts: Vec<&str> = f.split('/').collect();
    let at = parts
        .windows(2)
        .position(|w| Some(w[0]) == dc && w[1] == "vm")
        .or_else(|| (parts.len() > 2 && parts[2] == "vm").then_some(1));
    match at {
        Some(i) => {
            let mut out = vec!["", parts[i]];
            out.extend(&parts[i + 2..]);
            Cell::Text(out.join("/"))
        }
        None => Cell::Text(f.to_string()),
    }
}

/// The columns every VM sheet repeats (those of them the sheet has).
fn vm_common(sheet: SheetId, vc: &VCenterInventory, vm: &Vm) -> Row {
    let mut r = row(sheet);
    let has = |c: &str| r.index.contains_key(c);
    let cols = [
        ("VM", Cell::Text(vm.name.clone())),
        (
            "Powerstate",
            vm.power_state
                .as_ref()
                .map_or(Cell::Empty, |p| Cell::Text(p.as_str().into())),
        ),
        ("Template", tf(vm.template)),
        ("Datacenter", text(&vm.datacenter)),
        ("Cluster", text(&vm.cluster)),
        ("Host", text(&vm.host)),
        (
            "Folder",
            rv_folder(vm.folder.as_deref(), vm.datacenter.as_deref()),
        ),
        (
            "OS according to the configuration file",
            text(&vm.guest_os_config),
        ),
        ("OS according to the VMware Tools", text(&vm.guest_os_tools)),
        ("VM ID", Cell::Text(vm.moref.clone())),
        ("VMRef", Cell::Text(vm.moref.clone())),
        ("VM UUID", text(&vm.instance_uuid)),
        (
            "Annotation",
            text(&vm.details.as_ref().and_then(|d| d.annotation.clone())),
        ),
    ];
    let present: Vec<(&str, Cell)> = cols.into_iter().filter(|(c, _)| has(c)).collect();
    for (c, v) in present {
        r.set(c, v);
    }
    sdk(&mut r, vc);
    r
}

/// Every row of one part of the estate, sheet by sheet, into `sink`.
pub fn write_part<S: RowSink>(
    sink: &mut S,
    estate: &Estate,
    audit: &AuditResult,
    part: &Part,
    created: &str,
) -> Result<(), S::Error> {
    for &(v, ref vms) in &part.vms {
        let (vc, va) = (&estate.vcenters[v], &audit.vcenters[v]);
        for &i in vms {
            vm_rows(sink, vc, &vc.vms[i], &va.vms[i])?;
        }
    }
    for &v in &part.vcenters {
        let (vc, va) = (&estate.vcenters[v], &audit.vcenters[v]);
        let clusters = part.clusters_of(v);
        let counts = vm_counts(vc);
        for (h, ha) in vc.hosts.iter().zip(&va.hosts) {
            if clusters.is_none_or(|c| c.contains(&h.cluster)) {
                host_row(sink, vc, h, &ha.tally, counts.get(h.moref.as_str()))?;
            }
        }
        for c in &vc.clusters {
            if clusters.is_none_or(|cs| cs.contains(&Some(c.name.clone()))) {
                cluster_row(sink, vc, c)?;
            }
        }
        datastore_rows(sink, vc)?;
        source_row(sink, vc)?;
    }
    for vc in &part.failed {
        let vc = &estate.vcenters[*vc];
        let mut r = row(SheetId::VHealth);
        r.set("Name", Cell::Text(vc.server.clone()));
        r.set("Message", text(&vc.error));
        r.set("Message type", Cell::Text("Error".into()));
        sdk(&mut r, vc);
        sink.row(SheetId::VHealth, &r.cells)?;
    }
    let mut r = row(SheetId::VMetaData);
    r.set("RVTools major version", Cell::Empty);
    r.set(
        "RVTools version",
        Cell::Text(format!("vcaudit {}", env!("CARGO_PKG_VERSION"))),
    );
    r.set("xlsx creation datetime", Cell::Date(created.to_string()));
    let servers: Vec<&str> = part
        .vcenters
        .iter()
        .map(|&v| estate.vcenters[v].server.as_str())
        .collect();
    r.set("Server", Cell::Text(servers.join(", ")));
    sink.row(SheetId::VMetaData, &r.cells)
}

/// VMs (templates excluded) and vCPUs per host moref.
fn vm_counts(vc: &VCenterInventory) -> HashMap<&str, (i64, i64, i64)> {
    let mut m: HashMap<&str, (i64, i64, i64)> = HashMap::new();
    for vm in &vc.vms {
        let Some(h) = vm.host_moref.as_deref() else {
            continue;
        };
        if vm.template == Some(true) {
            continue;
        }
        let e = m.entry(h).or_default();
        e.0 += 1;
        if vm.power_state.as_ref().map(|p| p.as_str()) == Some("poweredOn") {
            e.1 += 1;
        }
        e.2 += vm.cpus.unwrap_or(0) as i64;
    }
    m
}

/// vInfo, vCPU, vMemory, vDisk, vPartition, vTools rows of one VM.
fn vm_rows<S: RowSink>(
    sink: &mut S,
    vc: &VCenterInventory,
    vm: &Vm,
    audit: &VmAudit,
) -> Result<(), S::Error> {
    let mut r = vm_common(SheetId::VInfo, vc, vm);
    r.set("CPUs", int(vm.cpus));
    r.set("Memory", int(vm.memory_mb));
    r.set("Disks", int(vm.disks.as_ref().map(Vec::len)));
    r.set("Total disk capacity MiB", mib(vm.provisioned_bytes()));
    r.set(
        "Firmware",
        vm.firmware
            .as_ref()
            .map_or(Cell::Empty, |f| Cell::Text(f.as_str().into())),
    );
    r.set("SMBIOS UUID", text(&vm.bios_uuid));
    if let Some(nics) = &vm.nics {
        r.set("NICs", int(Some(nics.len())));
        for (i, n) in nics.iter().take(8).enumerate() {
            r.set(NETWORK_COLUMNS[i], text(&n.network));
        }
    }
    if let Some(d) = vm.details.as_deref() {
        vinfo_details(&mut r, d);
    }
    r.set("VI SDK Server type", text(&vc.about.full_name));
    r.set("VI SDK API Version", text(&vc.about.api_version));
    r.set(
        "vcaudit readiness",
        Cell::Text(audit.readiness_str().into()),
    );
    r.set("vcaudit findings", int(Some(audit.findings)));
    sink.row(SheetId::VInfo, &r.cells)?;

    let d = vm.details.as_deref().cloned().unwrap_or_default();
    let mut r = vm_common(SheetId::VCpu, vc, vm);
    r.set("CPUs", int(vm.cpus));
    r.set("Cores p/s", int(d.cores_per_socket));
    let sockets = vm
        .cpus
        .zip(d.cores_per_socket)
        .filter(|(_, c)| *c > 0)
        .map(|(n, c)| n / c);
    r.set("Sockets", int(sockets));
    r.set("Reservation", int(d.cpu_reservation));
    r.set("Limit", int(d.cpu_limit));
    sink.row(SheetId::VCpu, &r.cells)?;

    let mut r = vm_common(SheetId::VMemory, vc, vm);
    r.set("Size MiB", int(vm.memory_mb));
    r.set("Reservation", int(d.memory_reservation));
    r.set("Limit", int(d.memory_limit));
    r.set("Active", int(d.memory_active_mb));
    r.set("Consumed", int(d.memory_consumed_mb));
    sink.row(SheetId::VMemory, &r.cells)?;

    for d in vm.disks.iter().flatten() {
        let mut r = vm_common(SheetId::VDisk, vc, vm);
        r.set("Disk", text(&d.label));
        r.set("Disk Key", Cell::Text(d.key.to_string()));
        r.set("Disk Path", text(&d.file));
        r.set("Capacity MiB", mib(d.capacity_bytes));
        let raw = d.backing.as_ref().map(|b| b.to_string().starts_with("rdm"));
        r.set("Raw", tf(raw));
        if let Some(b) = d.backing.as_ref().map(|b| b.to_string())
            && let Some(mode) = b.strip_prefix("rdm-")
        {
            r.set("Raw Comp. Mode", Cell::Text(format!("{mode}Mode")));
        }
        r.set("Disk Mode", text(&d.disk_mode));
        r.set("Sharing mode", text(&d.sharing));
        let shared_bus = d
            .controller_info
            .as_ref()
            .and_then(|c| c.shared_bus.clone());
        r.set("Shared Bus", text(&shared_bus));
        r.set("Thin", tf(d.thin));
        r.set("Controller", text(&d.controller));
        r.set("Unit #", int(d.unit));
        sink.row(SheetId::VDisk, &r.cells)?;
    }

    for g in &vm.guest_disks {
        let mut r = vm_common(SheetId::VPartition, vc, vm);
        r.set("Disk", Cell::Text(g.path.to_string()));
        r.set("Capacity MiB", mib(g.capacity_bytes));
        let consumed = g
            .capacity_bytes
            .zip(g.free_bytes)
            .map(|(c, f)| c.saturating_sub(f));
        r.set("Consumed MiB", mib(consumed));
        r.set("Free MiB", mib(g.free_bytes));
        let pct = g
            .capacity_bytes
            .zip(g.free_bytes)
            .filter(|(c, _)| *c > 0)
            .map(|(c, f)| (f as f64 * 100.0 / c as f64).round() as i64);
        r.set("Free %", int(pct));
        sink.row(SheetId::VPartition, &r.cells)?;
    }

    for n in vm.nics.iter().flatten() {
        let mut r = vm_common(SheetId::VNetwork, vc, vm);
        r.set("NIC label", text(&n.label));
        // RVTools names the adapter without vSphere's `Virtual` prefix (`Vmxnet3`, `E1000e`).
        let adapter = n
            .adapter
            .as_deref()
            .map(|a| a.strip_prefix("Virtual").unwrap_or(a));
        r.set(
            "Adapter",
            adapter.map_or(Cell::Empty, |a| Cell::Text(a.to_string())),
        );
        r.set("Network", text(&n.network));
        r.set("Connected", tf(n.connected));
        r.set("Mac Address", text(&n.mac));
        let (v6, v4): (Vec<&String>, Vec<&String>) =
            n.ip_addresses.iter().partition(|a| a.contains(':'));
        let join = |l: Vec<&String>| {
            let l: Vec<&str> = l.iter().map(|s| s.as_str()).collect();
            (!l.is_empty()).then(|| l.join(", "))
        };
        r.set("IPv4 Address", text(&join(v4)));
        r.set("IPv6 Address", text(&join(v6)));
        sink.row(SheetId::VNetwork, &r.cells)?;
    }

    let mut r = vm_common(SheetId::VTools, vc, vm);
    r.set(
        "Tools",
        vm.tools_status
            .as_ref()
            .map_or(Cell::Empty, |t| Cell::Text(t.as_str().into())),
    );
    r.set(
        "Tools Version",
        int(vm
            .tools_version
            .as_deref()
            .and_then(|v| v.parse::<i64>().ok())),
    );
    sink.row(SheetId::VTools, &r.cells)
}

/// vInfo's columns from [`VmDetails`].
fn vinfo_details(r: &mut Row, d: &VmDetails) {
    r.set("DNS Name", text(&d.dns_name));
    r.set("Connection state", text(&d.connection_state));
    r.set("Guest state", text(&d.guest_state));
    r.set("Heartbeat", text(&d.heartbeat));
    r.set("Active Memory", int(d.memory_active_mb));
    // RVTools writes CBT as `TRUE`/`FALSE`, unlike its other booleans.
    r.set(
        "CBT",
        d.cbt.map_or(Cell::Empty, |b| {
            Cell::Text(if b { "TRUE" } else { "FALSE" }.into())
        }),
    );
    r.set("Primary IP Address", text(&d.primary_ip));
    let provisioned = d
        .storage_committed
        .zip(d.storage_uncommitted)
        .map(|(c, u)| c.saturating_add(u));
    r.set("Provisioned MiB", mib(provisioned));
    r.set("In Use MiB", mib(d.storage_committed));
    r.set("Unshared MiB", mib(d.storage_unshared));
    r.set("HW version", hw_version(&d.hw_version));
    r.set("Path", text(&d.vmx_path));
}

fn cluster_row<S: RowSink>(
    sink: &mut S,
    vc: &VCenterInventory,
    c: &Cluster,
) -> Result<(), S::Error> {
    let mut r = row(SheetId::VCluster);
    r.set("Name", Cell::Text(c.name.clone()));
    if let Some(s) = &c.summary {
        r.set("NumHosts", int(s.num_hosts));
        r.set("numEffectiveHosts", int(s.num_effective_hosts));
        r.set("TotalCpu", int(s.total_cpu_mhz));
        r.set("NumCpuCores", int(s.num_cpu_cores));
        r.set("NumCpuThreads", int(s.num_cpu_threads));
        r.set("Effective Cpu", int(s.effective_cpu_mhz));
        r.set("TotalMemory", mib(s.total_memory_bytes));
        r.set("Effective Memory", int(s.effective_memory_mb));
    }
    r.set("HA enabled", tf(c.ha_enabled));
    r.set("DRS enabled", tf(c.drs_enabled));
    r.set("DRS default VM behavior", text(&c.drs_automation));
    r.set("Object ID", Cell::Text(c.moref.clone()));
    sdk(&mut r, vc);
    sink.row(SheetId::VCluster, &r.cells)
}

fn host_row<S: RowSink>(
    sink: &mut S,
    vc: &VCenterInventory,
    h: &Host,
    audit: &Tally,
    counts: Option<&(i64, i64, i64)>,
) -> Result<(), S::Error> {
    let mut r = row(SheetId::VHost);
    r.set("Host", Cell::Text(h.name.clone()));
    r.set("Datacenter", text(&h.datacenter));
    r.set("Cluster", text(&h.cluster));
    r.set("in Maintenance Mode", tf(h.maintenance_mode));
    let (total, on, vcpus) = counts.copied().unwrap_or_default();
    r.set("# VMs total", Cell::Int(total));
    r.set("# VMs", Cell::Int(on));
    r.set("# vCPUs", Cell::Int(vcpus));
    r.set("ESX Version", text(&h.full_name));
    if let Some(hw) = &h.hardware {
        r.set("CPU Model", text(&hw.cpu_model));
        r.set("Speed", int(hw.cpu_mhz));
        r.set("# CPU", int(hw.cpu_packages));
        let per_cpu = hw
            .cpu_cores
            .zip(hw.cpu_packages)
            .filter(|(_, p)| *p > 0)
            .map(|(c, p)| c / p);
        r.set("Cores per CPU", int(per_cpu));
        r.set("# Cores", int(hw.cpu_cores));
        r.set("# Memory", mib(hw.memory_bytes));
        r.set("# NICs", int(hw.nics));
        r.set("# HBAs", int(hw.hbas));
        r.set("Vendor", text(&hw.vendor));
        r.set("Model", text(&hw.model));
    }
    r.set("Object ID", Cell::Text(h.moref.clone()));
    r.set(
        "vcaudit readiness",
        Cell::Text(audit.readiness().as_str().into()),
    );
    r.set("vcaudit findings", int(Some(audit.findings)));
    sdk(&mut r, vc);
    sink.row(SheetId::VHost, &r.cells)
}

fn datastore_rows<S: RowSink>(sink: &mut S, vc: &VCenterInventory) -> Result<(), S::Error> {
    let mut vms: HashMap<&str, (i64, i64)> = HashMap::new();
    for vm in &vc.vms {
        for d in &vm.datastore_morefs {
            let e = vms.entry(d.as_str()).or_default();
            e.0 += 1;
            if vm.power_state.as_ref().map(|p| p.as_str()) == Some("poweredOn") {
                e.1 += 1;
            }
        }
    }
    let pods: HashMap<&str, &str> = vc
        .storage_pods
        .iter()
        .map(|p| (p.moref.as_str(), p.name.as_str()))
        .collect();
    for ds in &vc.datastores {
        let mut r = row(SheetId::VDatastore);
        r.set("Name", Cell::Text(ds.name.clone()));
        r.set("Type", text(&ds.kind));
        let (total, on) = vms.get(ds.moref.as_str()).copied().unwrap_or_default();
        r.set("# VMs total", Cell::Int(total));
        r.set("# VMs", Cell::Int(on));
        r.set("Capacity MiB", mib(ds.capacity_bytes));
        r.set("Free MiB", mib(ds.free_bytes));
        let used = ds
            .capacity_bytes
            .zip(ds.free_bytes)
            .map(|(c, f)| c.saturating_sub(f));
        r.set("In Use MiB", mib(used));
        r.set("Provisioned MiB", mib(provisioned(ds)));
        r.set("Accessible", tf(ds.accessible));
        r.set("URL", text(&ds.url));
        let pct = ds
            .capacity_bytes
            .zip(ds.free_bytes)
            .filter(|(c, _)| *c > 0)
            .map(|(c, f)| (f as f64 * 100.0 / c as f64).round() as i64);
        r.set("Free %", int(pct));
        let pod = ds.storage_pod.as_deref().and_then(|p| pods.get(p));
        r.set(
            "Cluster name",
            pod.map_or(Cell::Empty, |p| Cell::Text(p.to_string())),
        );
        r.set("Object ID", Cell::Text(ds.moref.clone()));
        sdk(&mut r, vc);
        sink.row(SheetId::VDatastore, &r.cells)?;
    }
    Ok(())
}

/// RVTools' datastore `Provisioned MiB`: what is used plus what thin disks may still grow by.
fn provisioned(ds: &Datastore) -> Option<u64> {
    let used = ds.capacity_bytes?.saturating_sub(ds.free_bytes?);
    Some(used.saturating_add(ds.uncommitted_bytes?))
}

fn source_row<S: RowSink>(sink: &mut S, vc: &VCenterInventory) -> Result<(), S::Error> {
    let a = &vc.about;
    let mut r = row(SheetId::VSource);
    r.set("Name", Cell::Text(vc.server.clone()));
    r.set("API type", Cell::Text("VirtualCenter".into()));
    r.set("API version", text(&a.api_version));
    r.set("Version", text(&a.version));
    r.set("Build", text(&a.build));
    r.set("Fullname", text(&a.full_name));
    r.set("Product name", text(&a.name));
    r.set("Product version", text(&a.version));
    sdk(&mut r, vc);
    sink.row(SheetId::VSource, &r.cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_drops_the_hidden_vm_folder() {
        let dc = Some("DC0");
        let f = |s: &str| rv_folder(Some(s), dc);
        assert_eq!(f("/DC0/vm/Prod/Web"), Cell::Text("/DC0/Prod/Web".into()));
        assert_eq!(f("/DC0/vm"), Cell::Text("/DC0".into()));
        assert_eq!(f("/Europe/DC0/vm/Web"), Cell::Text("/DC0/Web".into()));
        assert_eq!(rv_folder(None, dc), Cell::Empty);
    }

    #[test]
    fn conventions() {
        assert_eq!(tf(Some(true)), Cell::Text("True".into()));
        assert_eq!(tf(None), Cell::Empty);
        assert_eq!(mib(Some(3 * MIB + 5)), Cell::Int(3));
        assert_eq!(int::<u32>(None), Cell::Empty);
    }

    #[test]
    fn hw_version_is_the_number_of_vmx_n() {
        assert_eq!(hw_version(&Some("vmx-19".into())), Cell::Int(19));
        assert_eq!(hw_version(&Some("vmx-x".into())), Cell::Empty);
        assert_eq!(hw_version(&Some("19".into())), Cell::Empty);
        assert_eq!(hw_version(&None), Cell::Empty);
    }

    #[test]
    fn datastore_provisioned_needs_all_three_figures() {
        let ds = Datastore {
            capacity_bytes: Some(100 * MIB),
            free_bytes: Some(30 * MIB),
            uncommitted_bytes: Some(50 * MIB),
            ..Default::default()
        };
        assert_eq!(provisioned(&ds), Some(120 * MIB));
        let unknown = Datastore {
            uncommitted_bytes: None,
            ..ds
        };
        assert_eq!(provisioned(&unknown), None, "unknown, not a guess");
    }
}

//! The rows of the VM sheets: vInfo, vCPU, vMemory, vDisk, vPartition, vNetwork and vTools, one
//! VM at a time.

use super::super::sheets::SheetId;
use super::{Cell, Row, RowSink, hw_version, int, mib, row, sdk, shown, text, tf};
use crate::audit::VmAudit;
use crate::model::{VCenterInventory, Vm, VmDetails};

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
        ("VM", Cell::Text(vm.name.to_string())),
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
        ("VM ID", Cell::Text(vm.moref.to_string())),
        ("VMRef", Cell::Text(vm.moref.to_string())),
        ("VM UUID", shown(&vm.instance_uuid)),
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

/// vInfo, vCPU, vMemory, vDisk, vPartition, vTools rows of one VM.
pub(super) fn vm_rows<S: RowSink>(
    sink: &mut S,
    vc: &VCenterInventory,
    vm: &Vm,
    audit: &VmAudit,
) -> Result<(), S::Error> {
    sink.row(SheetId::VInfo, &vinfo(vc, vm, audit).cells)?;
    let d = vm.details.as_deref().cloned().unwrap_or_default();
    sink.row(SheetId::VCpu, &vcpu(vc, vm, &d).cells)?;
    sink.row(SheetId::VMemory, &vmemory(vc, vm, &d).cells)?;
    vdisk_rows(sink, vc, vm)?;
    vpartition_rows(sink, vc, vm)?;
    vnetwork_rows(sink, vc, vm)?;
    sink.row(SheetId::VTools, &vtools(vc, vm).cells)
}

fn vinfo(vc: &VCenterInventory, vm: &Vm, audit: &VmAudit) -> Row {
    let mut r = vm_common(SheetId::VInfo, vc, vm);
    r.set("CPUs", int(vm.cpus));
    r.set("Memory", int(vm.memory_mb.get()));
    r.set("Disks", int(vm.disks.as_ref().map(|d| d.len())));
    r.set("Total disk capacity MiB", mib(vm.provisioned_bytes()));
    r.set(
        "Firmware",
        vm.firmware
            .as_ref()
            .map_or(Cell::Empty, |f| Cell::Text(f.as_str().into())),
    );
    r.set("SMBIOS UUID", shown(&vm.bios_uuid));
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
    r
}

fn vcpu(vc: &VCenterInventory, vm: &Vm, d: &VmDetails) -> Row {
    let mut r = vm_common(SheetId::VCpu, vc, vm);
    r.set("CPUs", int(vm.cpus));
    r.set("Cores p/s", int(d.cores_per_socket()));
    let sockets = vm
        .cpus
        .zip(d.cores_per_socket())
        .filter(|(_, c)| *c > 0)
        .map(|(n, c)| n / c);
    r.set("Sockets", int(sockets));
    r.set("Reservation", int(d.cpu_reservation()));
    r.set("Limit", int(d.cpu_limit()));
    r
}

fn vmemory(vc: &VCenterInventory, vm: &Vm, d: &VmDetails) -> Row {
    let mut r = vm_common(SheetId::VMemory, vc, vm);
    r.set("Size MiB", int(vm.memory_mb.get()));
    r.set("Reservation", int(d.memory_reservation()));
    r.set("Limit", int(d.memory_limit()));
    r.set("Active", int(d.memory_active_mb()));
    r.set("Consumed", int(d.memory_consumed_mb()));
    r
}

fn vdisk_rows<S: RowSink>(sink: &mut S, vc: &VCenterInventory, vm: &Vm) -> Result<(), S::Error> {
    for d in vm.disks.iter().flatten() {
        let mut r = vm_common(SheetId::VDisk, vc, vm);
        r.set("Disk", text(&d.label));
        r.set("Disk Key", Cell::Text(d.key.to_string()));
        r.set("Disk Path", shown(&d.file));
        r.set("Capacity MiB", mib(d.capacity_bytes()));
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
        r.set("Thin", tf(d.thin()));
        r.set("Controller", text(&d.controller));
        r.set("Unit #", int(d.unit()));
        sink.row(SheetId::VDisk, &r.cells)?;
    }
    Ok(())
}

fn vpartition_rows<S: RowSink>(
    sink: &mut S,
    vc: &VCenterInventory,
    vm: &Vm,
) -> Result<(), S::Error> {
    for g in &vm.guest_disks {
        let mut r = vm_common(SheetId::VPartition, vc, vm);
        r.set("Disk", Cell::Text(g.path.to_string()));
        r.set("Capacity MiB", mib(g.capacity_bytes()));
        let consumed = g
            .capacity_bytes()
            .zip(g.free_bytes())
            .map(|(c, f)| c.saturating_sub(f));
        r.set("Consumed MiB", mib(consumed));
        r.set("Free MiB", mib(g.free_bytes()));
        let pct = g
            .capacity_bytes()
            .zip(g.free_bytes())
            .filter(|(c, _)| *c > 0)
            .map(|(c, f)| (f as f64 * 100.0 / c as f64).round() as i64);
        r.set("Free %", int(pct));
        sink.row(SheetId::VPartition, &r.cells)?;
    }
    Ok(())
}

fn vnetwork_rows<S: RowSink>(sink: &mut S, vc: &VCenterInventory, vm: &Vm) -> Result<(), S::Error> {
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
        r.set("Mac Address", shown(&n.mac));
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
    Ok(())
}

fn vtools(vc: &VCenterInventory, vm: &Vm) -> Row {
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
    r
}

/// vInfo's columns from [`VmDetails`].
fn vinfo_details(r: &mut Row, d: &VmDetails) {
    r.set("DNS Name", text(&d.dns_name));
    r.set("Connection state", text(&d.connection_state));
    r.set("Guest state", text(&d.guest_state));
    r.set("Heartbeat", text(&d.heartbeat));
    r.set("Active Memory", int(d.memory_active_mb()));
    // RVTools writes CBT as `TRUE`/`FALSE`, unlike its other booleans.
    r.set(
        "CBT",
        d.cbt.map_or(Cell::Empty, |b| {
            Cell::Text(if b { "TRUE" } else { "FALSE" }.into())
        }),
    );
    r.set("Primary IP Address", text(&d.primary_ip));
    let provisioned = d
        .storage_committed()
        .zip(d.storage_uncommitted())
        .map(|(c, u)| c.saturating_add(u));
    r.set("Provisioned MiB", mib(provisioned));
    r.set("In Use MiB", mib(d.storage_committed()));
    r.set("Unshared MiB", mib(d.storage_unshared()));
    r.set("HW version", hw_version(&d.hw_version));
    r.set("Path", shown(&d.vmx_path));
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
}

//! The rows of the infrastructure sheets: vHost, vCluster, vDatastore and vSource, one vCenter
//! at a time.

use super::super::sheets::SheetId;
use super::{Cell, RowSink, int, mib, row, sdk, text, tf};
use crate::audit::Tally;
use crate::model::{Cluster, Datastore, Host, VCenterInventory};
use std::collections::HashMap;

/// VMs (templates excluded) and vCPUs per host moref.
pub(super) fn vm_counts(vc: &VCenterInventory) -> HashMap<&str, (i64, i64, i64)> {
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

pub(super) fn cluster_row<S: RowSink>(
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

pub(super) fn host_row<S: RowSink>(
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

pub(super) fn datastore_rows<S: RowSink>(
    sink: &mut S,
    vc: &VCenterInventory,
) -> Result<(), S::Error> {
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

pub(super) fn source_row<S: RowSink>(sink: &mut S, vc: &VCenterInventory) -> Result<(), S::Error> {
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
    use super::super::MIB;
    use super::*;

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

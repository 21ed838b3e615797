//! The RVTools sheets mapped into [`crate::model`]: one function per sheet.

use super::Workbook;
use super::details;
use super::sheet::{Row, Sheet};
use crate::model::*;
use std::collections::HashMap;

/// Where a fact lives in the workbook, for the note when it is missing.
const VINFO_COLUMNS: &[&str] = &[
    "VM UUID",
    "VM ID",
    "SMBIOS UUID",
    "Powerstate",
    "Template",
    "CPUs",
    "Memory",
    "Firmware",
    "Folder",
    "Datacenter",
    "Cluster",
    "Host",
    "OS according to the configuration file",
    "OS according to the VMware Tools",
    "VI SDK Server",
    "VI SDK UUID",
];
const VDISK_COLUMNS: &[&str] = &["Disk", "Capacity MiB", "Thin", "Disk Mode", "Raw", "Path"];
const VPARTITION_COLUMNS: &[&str] = &["Disk", "Capacity MiB", "Free MiB"];
const VTOOLS_COLUMNS: &[&str] = &["Tools", "Tools Version"];
const VCPU_COLUMNS: &[&str] = &["Cores p/s", "Reservation", "Limit"];
const VMEMORY_COLUMNS: &[&str] = &["Reservation", "Limit", "Active", "Consumed"];
const VNETWORK_COLUMNS: &[&str] = &["Adapter", "Network", "Connected", "Mac Address"];
const VHOST_COLUMNS: &[&str] = &["Host", "ESX Version", "in Maintenance Mode", "Object ID"];
const VDATASTORE_COLUMNS: &[&str] = &["Name", "Type", "Capacity MiB", "Free MiB", "Object ID"];
const VCLUSTER_COLUMNS: &[&str] = &[
    "Name",
    "DRS enabled",
    "DRS default VM behavior",
    "Object ID",
];
const VSOURCE_COLUMNS: &[&str] = &["Fullname", "Version", "Build", "API version"];

/// The vCenters of one workbook.
pub fn vcenters(book: &Workbook) -> Vec<VCenterInventory> {
    let info = book.sheet("vInfo").expect("open() checked vInfo");
    let mut b = Builder {
        book,
        vcs: Vec::new(),
        by_key: HashMap::new(),
        vm_index: HashMap::new(),
    };
    for row in info.rows() {
        b.vm(row);
    }
    if b.vcs.is_empty() {
        // An export of an empty vCenter: still a vCenter.
        b.vc_of(None);
    }
    b.sheet("vSource", VSOURCE_COLUMNS, Builder::source);
    b.sheet("vCluster", VCLUSTER_COLUMNS, Builder::cluster);
    b.sheet("vHost", VHOST_COLUMNS, Builder::host);
    b.sheet("vDatastore", VDATASTORE_COLUMNS, Builder::datastore);
    b.sheet("vDisk", VDISK_COLUMNS, Builder::disk);
    b.sheet("vPartition", VPARTITION_COLUMNS, Builder::partition);
    b.sheet("vTools", VTOOLS_COLUMNS, Builder::tools);
    b.sheet("vCPU", VCPU_COLUMNS, Builder::cpu);
    b.sheet("vMemory", VMEMORY_COLUMNS, Builder::memory);
    b.sheet("vNetwork", VNETWORK_COLUMNS, Builder::network);
    for col in VINFO_COLUMNS {
        if !info.has(col) {
            b.note(&format!("vInfo column {col}"));
        }
    }
    b.finish()
}

struct Builder<'b> {
    book: &'b Workbook,
    vcs: Vec<VCenterInventory>,
    by_key: HashMap<String, usize>,
    /// (vCenter, VM key) -> VM position, for every key the VM can be found by.
    vm_index: HashMap<(usize, String), usize>,
}

impl Builder<'_> {
    /// The vCenter a row belongs to, created on first sight.
    fn vc_of(&mut self, row: Option<Row<'_>>) -> usize {
        let server = row.and_then(|r| r.text("VI SDK Server"));
        let uuid = row.and_then(|r| r.text("VI SDK UUID"));
        let key = uuid.clone().or(server.clone()).unwrap_or_default();
        if let Some(&i) = self.by_key.get(&key) {
            return i;
        }
        // With neither column, every row is the one vCenter of this workbook.
        if key.is_empty() && !self.vcs.is_empty() {
            return 0;
        }
        let stem = Path::new(&self.book.path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.vcs.push(VCenterInventory {
            server: server.unwrap_or(stem),
            url: self.book.path.clone(),
            about: About {
                instance_uuid: uuid,
                full_name: row.and_then(|r| r.text("VI SDK Server type")),
                api_version: row.and_then(|r| r.text("VI SDK API Version")),
                ..Default::default()
            },
            status: CollectStatus::Ok,
            migration_events: None,
            events_error: Some("an RVTools export carries no vCenter events".into()),
            tags_error: Some("an RVTools export carries no tag categories".into()),
            ..Default::default()
        });
        let i = self.vcs.len() - 1;
        let about = &mut self.vcs[i].about;
        if let Some(full) = about.full_name.as_deref() {
            (about.version, about.build) = version_build(full);
        }
        self.by_key.insert(key, i);
        i
    }

    /// Reads a sheet, or notes that it is missing; notes its missing columns.
    fn sheet(&mut self, name: &str, columns: &[&str], f: fn(&mut Self, Row<'_>)) {
        let Some(sheet) = self.book.sheet(name) else {
            self.note(&format!("{name} sheet"));
            return;
        };
        let sheet: &Sheet = sheet;
        for col in columns {
            if !sheet.has(col) {
                self.note(&format!("{name} column {col}"));
            }
        }
        for row in sheet.rows() {
            f(self, row);
        }
    }

    fn note(&mut self, what: &str) {
        for vc in &mut self.vcs {
            vc.property_faults.push(PropertyFault {
                object_type: "RVTools".into(),
                path: what.to_string(),
                fault: "not in the export; values from it are unknown".into(),
                objects: 0,
            });
        }
    }

    fn vm_keys(row: Row<'_>) -> Vec<String> {
        ["VM UUID", "VM ID", "VM"]
            .iter()
            .filter_map(|c| row.text(c).map(|v| format!("{c}={v}")))
            .collect()
    }

    /// The VM a row of vDisk/vPartition/vTools is about.
    fn find_vm(&mut self, row: Row<'_>) -> Option<&mut Vm> {
        let vc = self.vc_of(Some(row));
        let pos = Self::vm_keys(row)
            .into_iter()
            .find_map(|k| self.vm_index.get(&(vc, k)).copied())?;
        self.vcs[vc].vms.get_mut(pos)
    }

    fn vm(&mut self, row: Row<'_>) {
        let Some(name) = row.text("VM") else { return };
        let vc = self.vc_of(Some(row));
        let datastore = row
            .text("Path")
            .and_then(|p| datastore_of(&p))
            .map(Shared::from);
        let vm = Vm {
            moref: row.text("VM ID").unwrap_or_default().into(),
            name: name.into(),
            datacenter: row.text("Datacenter").map(Shared::from),
            cluster: row.text("Cluster").map(Shared::from),
            host: row.text("Host").map(Shared::from),
            folder: row.text("Folder").map(Shared::from),
            bios_uuid: row.text("SMBIOS UUID").map(Into::into),
            instance_uuid: row.text("VM UUID").map(Into::into),
            power_state: row.text("Powerstate").map(|s| PowerState::from_wire(&s)),
            template: row.bool("Template"),
            guest_os_config: row
                .text("OS according to the configuration file")
                .map(Shared::from),
            guest_os_tools: row
                .text("OS according to the VMware Tools")
                .map(Shared::from),
            firmware: row
                .text("Firmware")
                .map(|s| Firmware::from_wire(&s.to_ascii_lowercase())),
            cpus: row.int("CPUs").and_then(|n| u32::try_from(n).ok()),
            memory_mb: row.int("Memory").and_then(|n| u64::try_from(n).ok()).into(),
            datastores: datastore.into_iter().collect(),
            // Disks come from vDisk, adapters from vNetwork; without them they stay unknown.
            disks: self.book.sheet("vDisk").map(|_| Box::default()),
            nics: self.book.sheet("vNetwork").map(|_| Box::default()),
            details: details::vinfo_details(row).map(Box::new),
            ..Default::default()
        };
        let pos = self.vcs[vc].vms.len();
        for k in Self::vm_keys(row) {
            self.vm_index.entry((vc, k)).or_insert(pos);
        }
        self.vcs[vc].vms.push(vm);
    }

    fn source(&mut self, row: Row<'_>) {
        let vc = self.vc_of(Some(row));
        let a = &mut self.vcs[vc].about;
        a.name = row.text("Product name").or(a.name.take());
        a.full_name = row.text("Fullname").or(a.full_name.take());
        a.version = row.text("Version");
        a.build = row.text("Build");
        a.api_version = row.text("API version").or(a.api_version.take());
    }

    fn cluster(&mut self, row: Row<'_>) {
        let Some(name) = row.text("Name") else { return };
        let vc = self.vc_of(Some(row));
        self.vcs[vc].clusters.push(Cluster {
            moref: row.text("Object ID").unwrap_or_default(),
            name,
            datacenter: row.text("Datacenter"),
            drs_enabled: row.bool("DRS enabled"),
            drs_automation: row.text("DRS default VM behavior"),
            ha_enabled: row.bool("HA enabled"),
            summary: details::cluster_summary(row),
        });
    }

    fn host(&mut self, row: Row<'_>) {
        let Some(name) = row.text("Host") else { return };
        let vc = self.vc_of(Some(row));
        let full = row.text("ESX Version");
        let (version, build) = full.as_deref().map(version_build).unwrap_or_default();
        self.vcs[vc].hosts.push(Host {
            moref: row.text("Object ID").unwrap_or_default(),
            name,
            datacenter: row.text("Datacenter"),
            cluster: row.text("Cluster"),
            version,
            build,
            full_name: full,
            connection_state: None,
            maintenance_mode: row.bool("in Maintenance Mode"),
            tags: Vec::new(),
            hardware: details::host_hardware(row),
        });
    }

    fn datastore(&mut self, row: Row<'_>) {
        let Some(name) = row.text("Name") else { return };
        let vc = self.vc_of(Some(row));
        let v = &mut self.vcs[vc];
        let pod = row.text("Cluster name").map(|pod| {
            let moref = format!("rvtools-pod:{pod}");
            if !v.storage_pods.iter().any(|p| p.moref == moref) {
                v.storage_pods.push(StoragePod {
                    moref: moref.clone(),
                    name: pod,
                    datacenter: None,
                    storage_drs: None,
                });
            }
            moref
        });
        v.datastores.push(Datastore {
            moref: row.text("Object ID").unwrap_or_default(),
            name,
            datacenter: None,
            kind: row.text("Type"),
            capacity_bytes: row.mib_bytes("Capacity MiB"),
            free_bytes: row.mib_bytes("Free MiB"),
            storage_pod: pod,
            accessible: row.bool("Accessible"),
            url: row.text("URL"),
            uncommitted_bytes: details::datastore_uncommitted(row),
        });
    }

    fn disk(&mut self, row: Row<'_>) {
        let Some(vm) = self.find_vm(row) else { return };
        // The .vmdk: `Disk Path` in RVTools 4.x, `Path` in exports before it.
        let file = row.text("Disk Path").or_else(|| row.text("Path"));
        let datastore = file.as_deref().and_then(datastore_of).map(Shared::from);
        let backing = match (row.bool("Raw"), row.text("Raw Comp. Mode")) {
            (Some(true), Some(m)) if m.eq_ignore_ascii_case("physicalMode") => {
                Some(DiskBacking::RdmPhysical)
            }
            (Some(true), Some(m)) if m.eq_ignore_ascii_case("virtualMode") => {
                Some(DiskBacking::RdmVirtual)
            }
            (Some(true), _) => None,
            (Some(false), _) => Some(DiskBacking::Flat),
            (None, _) => None,
        };
        if let Some(ds) = &datastore
            && !vm.datastores.contains(ds)
        {
            vm.datastores = vm.datastores.iter().chain([ds]).cloned().collect();
        }
        push(
            vm.disks.get_or_insert_with(Box::default),
            Disk {
                key: row
                    .int("Disk Key")
                    .and_then(|k| i32::try_from(k).ok())
                    .unwrap_or(0),
                label: row.text("Disk").map(Shared::from),
                figures: DiskFigures::new(
                    row.mib_bytes("Capacity MiB"),
                    row.bool("Thin"),
                    row.int("Unit #").and_then(|u| i32::try_from(u).ok()),
                ),
                datastore,
                file: file.map(DatastorePath::from),
                disk_mode: row.text("Disk Mode").as_deref().map(crate::word::Word::new),
                backing,
                controller: row.text("Controller").map(Shared::from),
                controller_info: None,
                sharing: row
                    .text("Sharing mode")
                    .as_deref()
                    .map(crate::word::Word::new),
                key_id: None,
            },
        );
    }

    fn partition(&mut self, row: Row<'_>) {
        let Some(path) = row.text("Disk") else { return };
        let Some(vm) = self.find_vm(row) else { return };
        push(
            &mut vm.guest_disks,
            GuestDisk::new(
                path.into(),
                row.mib_bytes("Capacity MiB"),
                row.mib_bytes("Free MiB"),
            ),
        );
    }

    fn tools(&mut self, row: Row<'_>) {
        let Some(vm) = self.find_vm(row) else { return };
        vm.tools_status = row.text("Tools").map(|s| ToolsStatus::from_wire(&s));
        vm.tools_version = row.text("Tools Version").map(Shared::from);
    }

    fn cpu(&mut self, row: Row<'_>) {
        let Some(vm) = self.find_vm(row) else { return };
        details::vcpu(row, vm.details.get_or_insert_with(Default::default));
    }

    fn memory(&mut self, row: Row<'_>) {
        let Some(vm) = self.find_vm(row) else { return };
        details::vmemory(row, vm.details.get_or_insert_with(Default::default));
    }

    fn network(&mut self, row: Row<'_>) {
        let Some(vm) = self.find_vm(row) else { return };
        push(vm.nics.get_or_insert_with(Box::default), details::nic(row));
    }

    /// Resolves host and datastore morefs by name, then returns the vCenters.
    fn finish(mut self) -> Vec<VCenterInventory> {
        for vc in &mut self.vcs {
            let hosts: HashMap<&str, &str> = vc
                .hosts
                .iter()
                .map(|h| (h.name.as_str(), h.moref.as_str()))
                .collect();
            let dss: HashMap<&str, &str> = vc
                .datastores
                .iter()
                .map(|d| (d.name.as_str(), d.moref.as_str()))
                .collect();
            for vm in &mut vc.vms {
                // vCPU and vMemory rows with nothing in them leave no details.
                if vm.details.as_deref() == Some(&VmDetails::default()) {
                    vm.details = None;
                }
                vm.host_moref = vm
                    .host
                    .as_deref()
                    .and_then(|h| hosts.get(h))
                    .map(|m| Shared::from(*m));
                let morefs: Option<SharedList> = vm
                    .datastores
                    .iter()
                    .map(|d| dss.get(d.as_str()).map(|m| Shared::from(*m)))
                    .collect();
                vm.datastore_morefs = morefs.unwrap_or_default();
            }
            vc.shrink_to_fit();
        }
        self.vcs
    }
}

use std::path::Path;

/// `[ds01] web01/web01.vmx` -> `ds01`.
fn datastore_of(path: &str) -> Option<String> {
    let rest = path.trim().strip_prefix('[')?;
    let (ds, _) = rest.split_once(']')?;
    (!ds.is_empty()).then(|| ds.to_string())
}

/// `VMware ESXi 8.0.3 build-24784735` -> (`8.0.3`, `24784735`).
fn version_build(full: &str) -> (Option<String>, Option<String>) {
    let mut version = None;
    let mut build = None;
    for w in full.split_whitespace() {
        if let Some(b) = w.strip_prefix("build-") {
            build = Some(b.to_string());
        } else if version.is_none()
            && w.chars().next().is_some_and(|c| c.is_ascii_digit())
            && w.contains('.')
        {
            version = Some(w.to_string());
        }
    }
    (version, build)
}

/// Appends to one of a VM's lists, which the model keeps as exact boxed slices: a sheet adds its
/// rows one by one, and a VM has a handful of each.
fn push<T>(list: &mut Box<[T]>, item: T) {
    let mut v = std::mem::take(list).into_vec();
    v.push(item);
    *list = v.into_boxed_slice();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_datastores_are_read_from_their_text() {
        assert_eq!(
            version_build("VMware ESXi 8.0.3 build-24784735"),
            (Some("8.0.3".into()), Some("24784735".into()))
        );
        assert_eq!(version_build("odd"), (None, None));
        assert_eq!(
            datastore_of("[ds 01] web01/web01.vmx").as_deref(),
            Some("ds 01")
        );
        assert_eq!(datastore_of("web01.vmx"), None);
    }
}

//! Wire decoding: vim25 property values ([`ObjectContent`], [`Node`]) into the domain model.
//!
//! Every property may be absent; unknown elements are ignored; a malformed number is unknown.
//! A size whose arithmetic overflows `u64` (a disk's `capacityInKB` × 1024, the sum of a VM's
//! disks) is no vSphere answer: it is an [`Overflow`] error, never a wrapped or unknown value.

use crate::model::{
    ClusterSummary, ConnectionState, Controller, Disk, DiskBacking, Firmware, GuestDisk,
    HostHardware, PowerState, Shared, ToolsRunning, ToolsStatus, VmDetails,
};
use crate::soap::types::{MoRef, ObjectContent, parse_bool, parse_num};
use crate::soap::xml::Node;
use std::collections::HashMap;

/// A capacity past `u64` bytes: the property (e.g. `disk 'Hard disk 1' capacityInKB`) whose
/// arithmetic overflowed. The caller names the object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{property} is past 2^64 bytes, which no disk can hold")]
pub struct Overflow {
    pub property: String,
}

/// Name and parent of any managed entity, for resolving paths and containment.
#[derive(Debug, Clone)]
pub struct Entity {
    pub name: String,
    pub parent: Option<MoRef>,
}

pub fn entity(oc: &ObjectContent) -> Entity {
    Entity {
        name: name(oc),
        parent: oc.moref("parent"),
    }
}

/// The `name` of an inventory object as the admin typed it (see [`unescape_name`]).
pub fn name(oc: &ObjectContent) -> String {
    oc.text("name").map(unescape_name).unwrap_or_default()
}

/// vCenter sends `/`, `\` and `%` in inventory names escaped as `%2f`, `%5c` and `%25` (seen in
/// recordings of vCenter 8.0.3); this gives back the name as typed. Any other `%` is kept.
pub fn unescape_name(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 3).map(str::to_ascii_lowercase);
        match code.as_deref() {
            Some("2f") => out.push('/'),
            Some("5c") => out.push('\\'),
            Some("25") => out.push('%'),
            _ => {
                out.push('%');
                rest = &rest[i + 1..];
                continue;
            }
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    out
}

/// `configurationEx.drsConfig` of a cluster: (enabled, defaultVmBehavior).
pub fn cluster_drs(oc: &ObjectContent) -> (Option<bool>, Option<String>) {
    let Some(cfg) = oc.get("configurationEx") else {
        return (None, None);
    };
    let enabled = cfg.text_at(&["drsConfig", "enabled"]).and_then(parse_bool);
    let behavior = cfg.string_at(&["drsConfig", "defaultVmBehavior"]);
    (enabled, behavior)
}

/// `configurationEx.dasConfig.enabled` of a cluster: vSphere HA.
pub fn cluster_ha(oc: &ObjectContent) -> Option<bool> {
    oc.get("configurationEx")?
        .text_at(&["dasConfig", "enabled"])
        .and_then(parse_bool)
}

/// `summary` of a cluster (`ClusterComputeResourceSummary`).
pub fn cluster_summary(oc: &ObjectContent) -> Option<ClusterSummary> {
    let s = oc.get("summary")?;
    Some(ClusterSummary {
        num_hosts: parse_num(s.text_at(&["numHosts"])),
        num_effective_hosts: parse_num(s.text_at(&["numEffectiveHosts"])),
        total_cpu_mhz: parse_num(s.text_at(&["totalCpu"])),
        num_cpu_cores: parse_num(s.text_at(&["numCpuCores"])),
        num_cpu_threads: parse_num(s.text_at(&["numCpuThreads"])),
        effective_cpu_mhz: parse_num(s.text_at(&["effectiveCpu"])),
        total_memory_bytes: parse_num(s.text_at(&["totalMemory"])),
        effective_memory_mb: parse_num(s.text_at(&["effectiveMemory"])),
    })
}

/// `summary.hardware` of a host.
pub fn host_hardware(oc: &ObjectContent) -> Option<HostHardware> {
    let h = oc.get("summary.hardware")?;
    Some(HostHardware {
        vendor: h.string_at(&["vendor"]),
        model: h.string_at(&["model"]),
        memory_bytes: parse_num(h.text_at(&["memorySize"])),
        cpu_model: h.string_at(&["cpuModel"]),
        cpu_mhz: parse_num(h.text_at(&["cpuMhz"])),
        cpu_packages: parse_num(h.text_at(&["numCpuPkgs"])),
        cpu_cores: parse_num(h.text_at(&["numCpuCores"])),
        cpu_threads: parse_num(h.text_at(&["numCpuThreads"])),
        nics: parse_num(h.text_at(&["numNics"])),
        hbas: parse_num(h.text_at(&["numHBAs"])),
    })
}

/// `ResourceAllocationInfo` at `path`: (reservation, limit).
fn allocation(oc: &ObjectContent, path: &str) -> (Option<i64>, Option<i64>) {
    match oc.get(path) {
        Some(a) => (
            parse_num(a.text_at(&["reservation"])),
            parse_num(a.text_at(&["limit"])),
        ),
        None => (None, None),
    }
}

/// The RVTools details of a VM; `None` when none of them was sent.
pub fn vm_details(oc: &ObjectContent) -> Option<VmDetails> {
    let (cpu_reservation, cpu_limit) = allocation(oc, "config.cpuAllocation");
    let (memory_reservation, memory_limit) = allocation(oc, "config.memoryAllocation");
    let storage = oc.get("summary.storage");
    let stored = |name: &str| storage.and_then(|s| parse_num(s.text_at(&[name])));
    let d = VmDetails {
        dns_name: text(oc, "guest.hostName"),
        primary_ip: text(oc, "guest.ipAddress"),
        guest_state: shared(oc, "guest.guestState"),
        heartbeat: shared(oc, "guestHeartbeatStatus"),
        connection_state: shared(oc, "runtime.connectionState"),
        vmx_path: text(oc, "config.files.vmPathName"),
        annotation: oc
            .text("config.annotation")
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        hw_version: shared(oc, "config.version"),
        cbt: oc.bool("config.changeTrackingEnabled"),
        cores_per_socket: num(oc, "config.hardware.numCoresPerSocket"),
        cpu_reservation,
        cpu_limit,
        memory_reservation,
        memory_limit,
        memory_active_mb: num(oc, "summary.quickStats.guestMemoryUsage"),
        memory_consumed_mb: num(oc, "summary.quickStats.hostMemoryUsage"),
        storage_committed: stored("committed"),
        storage_uncommitted: stored("uncommitted"),
        storage_unshared: stored("unshared"),
    };
    (d != VmDetails::default()).then_some(d)
}

/// `summary.config.product` of a host: (version, build, fullName).
pub fn host_product(oc: &ObjectContent) -> (Option<String>, Option<String>, Option<String>) {
    match oc.get("summary.config.product") {
        Some(p) => (
            p.string_at(&["version"]),
            p.string_at(&["build"]),
            p.string_at(&["fullName"]),
        ),
        None => (None, None, None),
    }
}

pub fn connection_state(oc: &ObjectContent) -> Option<ConnectionState> {
    oc.text("runtime.connectionState")
        .map(|s| ConnectionState::from_wire(s.trim()))
}

pub fn power_state(oc: &ObjectContent) -> Option<PowerState> {
    oc.text("runtime.powerState")
        .map(|s| PowerState::from_wire(s.trim()))
}

pub fn tools_status(oc: &ObjectContent) -> Option<ToolsStatus> {
    oc.text("guest.toolsStatus")
        .map(|s| ToolsStatus::from_wire(s.trim()))
}

pub fn tools_running(oc: &ObjectContent) -> Option<ToolsRunning> {
    oc.text("guest.toolsRunningStatus")
        .map(|s| ToolsRunning::from_wire(s.trim()))
}

pub fn firmware(oc: &ObjectContent) -> Option<Firmware> {
    oc.text("config.firmware")
        .map(|s| Firmware::from_wire(s.trim()))
}

/// A non-empty trimmed string property.
pub fn text(oc: &ObjectContent, path: &str) -> Option<String> {
    oc.text(path)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A non-empty trimmed string property that many objects repeat, interned.
pub fn shared(oc: &ObjectContent, path: &str) -> Option<Shared> {
    oc.text(path)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Shared::from)
}

pub fn num<T: std::str::FromStr>(oc: &ObjectContent, path: &str) -> Option<T> {
    parse_num(oc.text(path))
}

/// The references in an `ArrayOfManagedObjectReference` value.
pub fn moref_list(oc: &ObjectContent, path: &str) -> Vec<MoRef> {
    oc.get_all(path)
        .map(|v| v.into_iter().filter_map(MoRef::from_node).collect())
        .unwrap_or_default()
}

/// `guest.disk`: the filesystems Tools report.
pub fn guest_disks(oc: &ObjectContent) -> Vec<GuestDisk> {
    let Some(v) = oc.get_all("guest.disk") else {
        return Vec::new();
    };
    v.into_iter()
        .map(|d| GuestDisk {
            path: d
                .text_at(&["diskPath"])
                .map(Shared::from)
                .unwrap_or_default(),
            capacity_bytes: parse_num(d.text_at(&["capacity"])),
            free_bytes: parse_num(d.text_at(&["freeSpace"])),
        })
        .collect()
}

/// The virtual disks of `config.hardware.device`, with controllers and datastores named.
/// `None` when the device list was not sent; an [`Overflow`] when a disk's capacity or the sum
/// of them does not fit in `u64` bytes.
pub fn disks(
    oc: &ObjectContent,
    datastore_names: &HashMap<MoRef, Shared>,
) -> Result<Option<Vec<Disk>>, Overflow> {
    let Some(devices) = oc.get_all("config.hardware.device") else {
        return Ok(None);
    };
    let controllers = super::devices::controllers(&devices);
    let labels: HashMap<i32, &str> = devices
        .iter()
        .filter_map(|d| {
            Some((
                parse_num(d.text_at(&["key"]))?,
                d.text_at(&["deviceInfo", "label"])?,
            ))
        })
        .collect();
    let disks = devices
        .iter()
        .filter(|d| d.type_name() == "VirtualDisk")
        .map(|d| disk(d, &labels, &controllers, datastore_names))
        .collect::<Result<Vec<Disk>, Overflow>>()?;
    disks
        .iter()
        .filter_map(|d| d.capacity_bytes)
        .try_fold(0u64, u64::checked_add)
        .ok_or_else(|| Overflow {
            property: "the sum of the disks' capacities".into(),
        })?;
    Ok(Some(disks))
}

fn disk(
    d: &Node,
    labels: &HashMap<i32, &str>,
    controllers: &HashMap<i32, Controller>,
    datastore_names: &HashMap<MoRef, Shared>,
) -> Result<Disk, Overflow> {
    let capacity_bytes = match parse_num::<u64>(d.text_at(&["capacityInBytes"])) {
        Some(bytes) => Some(bytes),
        None => match parse_num::<u64>(d.text_at(&["capacityInKB"])) {
            Some(kb) => Some(kb.checked_mul(1024).ok_or_else(|| Overflow {
                property: format!(
                    "disk '{}' capacityInKB ({kb})",
                    d.text_at(&["deviceInfo", "label"]).unwrap_or("?")
                ),
            })?),
            None => None,
        },
    };
    let backing = d.child("backing");
    let backing_kind = backing.map(|b| match b.type_name() {
        "VirtualDiskFlatVer2BackingInfo" | "VirtualDiskFlatVer1BackingInfo" => DiskBacking::Flat,
        "VirtualDiskRawDiskMappingVer1BackingInfo" => {
            match b.text_at(&["compatibilityMode"]).map(str::trim) {
                Some("physicalMode") => DiskBacking::RdmPhysical,
                Some("virtualMode") => DiskBacking::RdmVirtual,
                _ => DiskBacking::Other,
            }
        }
        _ => DiskBacking::Other,
    });
    let datastore = backing
        .and_then(|b| b.child("datastore"))
        .and_then(MoRef::from_node)
        .and_then(|m| datastore_names.get(&m).cloned());
    let controller_key: Option<i32> = parse_num(d.text_at(&["controllerKey"]));
    Ok(Disk {
        key: parse_num(d.text_at(&["key"])).unwrap_or_default(),
        label: d.text_at(&["deviceInfo", "label"]).map(Shared::from),
        capacity_bytes,
        datastore,
        file: backing.and_then(|b| b.string_at(&["fileName"])),
        thin: backing
            .and_then(|b| b.text_at(&["thinProvisioned"]))
            .and_then(parse_bool),
        disk_mode: backing
            .and_then(|b| b.text_at(&["diskMode"]))
            .map(Shared::from),
        backing: backing_kind,
        controller: controller_key
            .and_then(|k| labels.get(&k))
            .map(|s| Shared::from(*s)),
        unit: parse_num(d.text_at(&["unitNumber"])),
        controller_info: controller_key.and_then(|k| controllers.get(&k).cloned()),
        sharing: backing
            .and_then(|b| b.text_at(&["sharing"]))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Shared::from),
        key_id: backing
            .and_then(|b| b.child("keyId"))
            .and_then(super::devices::crypto_key),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unescaped_once() {
        assert_eq!(unescape_name("web%2f01"), "web/01");
        assert_eq!(unescape_name("a%5Cb%25c"), "a\\b%c");
        assert_eq!(unescape_name("100%"), "100%");
        assert_eq!(unescape_name("50%off%2"), "50%off%2");
        // Decoded once: an escaped escape stays an escape.
        assert_eq!(unescape_name("x%252f"), "x%2f");
        assert_eq!(unescape_name("plain"), "plain");
    }
}

//! Wire decoding of the structured vim25 property values ([`Node`]) into pieces of the domain
//! model. Which property each decoder is applied to, and which model field it fills, is declared
//! in [`super::props`]; the decoders here see only the value.
//!
//! Every property may be absent; unknown elements are ignored; a malformed number is unknown.
//! A size whose arithmetic overflows `u64` (a disk's `capacityInKB` × 1024, the sum of a VM's
//! disks) is no vSphere answer: it is an [`Overflow`] error, never a wrapped or unknown value.

use crate::model::{
    ClusterSummary, Controller, DatastorePath, Disk, DiskBacking, DiskFigures, GuestDisk,
    HostHardware, Shared,
};
use crate::soap::types::{MoRef, parse_bool, parse_num};
use crate::soap::xml::Node;
use crate::word::Word;
use std::collections::HashMap;
use std::sync::Arc;

/// A capacity past `u64` bytes: the property (e.g. `disk 'Hard disk 1' capacityInKB`) whose
/// arithmetic overflowed. The caller names the object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{property} is past 2^64 bytes, which no disk can hold")]
pub struct Overflow {
    pub property: String,
}

/// Name and parent of any managed entity, for resolving paths and containment.
#[derive(Debug, Clone, Default)]
pub struct Entity {
    pub name: String,
    pub parent: Option<MoRef>,
}

/// The `name` of an inventory object as the admin typed it (see [`unescape_name`]).
pub fn name(raw: Option<&str>) -> String {
    raw.map(unescape_name).unwrap_or_default()
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

/// `drsConfig` of a cluster's `configurationEx`: (enabled, defaultVmBehavior).
pub fn cluster_drs(cfg: Option<Node<'_>>) -> (Option<bool>, Option<String>) {
    let Some(cfg) = cfg else {
        return (None, None);
    };
    let enabled = cfg.text_at(&["drsConfig", "enabled"]).and_then(parse_bool);
    let behavior = cfg.string_at(&["drsConfig", "defaultVmBehavior"]);
    (enabled, behavior)
}

/// `dasConfig.enabled` of a cluster's `configurationEx`: vSphere HA.
pub fn cluster_ha(cfg: Option<Node<'_>>) -> Option<bool> {
    cfg?.text_at(&["dasConfig", "enabled"]).and_then(parse_bool)
}

/// `summary` of a cluster (`ClusterComputeResourceSummary`).
pub fn cluster_summary(s: Option<Node<'_>>) -> Option<ClusterSummary> {
    let s = s?;
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

/// A host's `summary.hardware` (`HostHardwareSummary`).
pub fn host_hardware(h: Option<Node<'_>>) -> Option<HostHardware> {
    let h = h?;
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

/// A `ResourceAllocationInfo`: (reservation, limit).
pub fn allocation(a: Option<Node<'_>>) -> (Option<i64>, Option<i64>) {
    match a {
        Some(a) => (
            parse_num(a.text_at(&["reservation"])),
            parse_num(a.text_at(&["limit"])),
        ),
        None => (None, None),
    }
}

/// A host's `summary.config.product` (`AboutInfo`): (version, build, fullName).
pub fn host_product(p: Option<Node<'_>>) -> (Option<String>, Option<String>, Option<String>) {
    match p {
        Some(p) => (
            p.string_at(&["version"]),
            p.string_at(&["build"]),
            p.string_at(&["fullName"]),
        ),
        None => (None, None, None),
    }
}

/// A non-empty trimmed string.
pub fn text(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The references in an `ArrayOfManagedObjectReference` value.
pub fn moref_list(v: Option<Vec<Node<'_>>>) -> Vec<MoRef> {
    v.map(|v| v.into_iter().filter_map(MoRef::from_node).collect())
        .unwrap_or_default()
}

/// A VM's `guest.disk`: the filesystems Tools report.
pub fn guest_disks(v: Option<Vec<Node<'_>>>) -> Vec<GuestDisk> {
    let Some(v) = v else {
        return Vec::new();
    };
    v.into_iter()
        .map(|d| {
            GuestDisk::new(
                d.text_at(&["diskPath"])
                    .map(Shared::from)
                    .unwrap_or_default(),
                parse_num(d.text_at(&["capacity"])),
                parse_num(d.text_at(&["freeSpace"])),
            )
        })
        .collect()
}

/// The virtual disks of a VM's `config.hardware.device`, with controllers and datastores named.
/// `None` when the device list was not sent; an [`Overflow`] when a disk's capacity or the sum
/// of them does not fit in `u64` bytes.
pub fn disks(
    devices: Option<Vec<Node<'_>>>,
    datastore_names: &HashMap<MoRef, Shared>,
) -> Result<Option<Vec<Disk>>, Overflow> {
    let Some(devices) = devices else {
        return Ok(None);
    };
    // The controllers the disks hang on, by key (of several devices with one key, the last).
    let wanted: Vec<i32> = devices
        .iter()
        .filter(|d| d.type_name() == "VirtualDisk")
        .filter_map(|d| parse_num(d.text_at(&["controllerKey"])))
        .collect();
    let controllers = super::devices::controllers_among(&devices, |k| wanted.contains(&k));
    let labels: Vec<(i32, &str)> = devices
        .iter()
        .filter_map(|d| {
            Some((
                parse_num(d.text_at(&["key"])).filter(|k| wanted.contains(k))?,
                d.text_at(&["deviceInfo", "label"])?,
            ))
        })
        .collect();
    let disks = devices
        .iter()
        .filter(|d| d.type_name() == "VirtualDisk")
        .map(|d| disk(*d, &labels, &controllers, datastore_names))
        .collect::<Result<Vec<Disk>, Overflow>>()?;
    disks
        .iter()
        .filter_map(Disk::capacity_bytes)
        .try_fold(0u64, u64::checked_add)
        .ok_or_else(|| Overflow {
            property: "the sum of the disks' capacities".into(),
        })?;
    Ok(Some(disks))
}

fn disk(
    d: Node<'_>,
    labels: &[(i32, &str)],
    controllers: &HashMap<i32, Arc<Controller>>,
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
        figures: DiskFigures::new(
            capacity_bytes,
            backing
                .and_then(|b| b.text_at(&["thinProvisioned"]))
                .and_then(parse_bool),
            parse_num(d.text_at(&["unitNumber"])),
        ),
        datastore,
        file: backing
            .and_then(|b| b.text_at(&["fileName"]))
            .map(DatastorePath::from),
        disk_mode: backing
            .and_then(|b| b.text_at(&["diskMode"]))
            .map(Word::from),
        backing: backing_kind,
        controller: controller_key
            .and_then(|k| labels.iter().rev().find(|(key, _)| *key == k))
            .map(|(_, label)| Shared::from(*label)),
        controller_info: controller_key.and_then(|k| controllers.get(&k).cloned()),
        sharing: backing
            .and_then(|b| b.text_at(&["sharing"]))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Word::from),
        key_id: backing
            .and_then(|b| b.child("keyId"))
            .and_then(super::devices::crypto_key)
            .map(Shared::from),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ControllerKind;
    use crate::soap::xml::parse_document;

    #[tokio::test]
    async fn disks_name_the_controllers_they_hang_on() {
        let doc = br#"<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
          <VirtualDevice xsi:type="VirtualIDEController"><key>200</key><deviceInfo><label>IDE 0</label></deviceInfo><busNumber>0</busNumber></VirtualDevice>
          <VirtualDevice xsi:type="ParaVirtualSCSIController"><key>1000</key><deviceInfo><label>SCSI controller 0</label></deviceInfo><busNumber>0</busNumber><sharedBus>physicalSharing</sharedBus></VirtualDevice>
          <VirtualDevice xsi:type="VirtualNVMEController"><key>31000</key><deviceInfo><label>NVME controller 0</label></deviceInfo><busNumber>1</busNumber></VirtualDevice>
          <VirtualDevice xsi:type="VirtualDisk"><key>2000</key><deviceInfo><label>Hard disk 1</label></deviceInfo><controllerKey>1000</controllerKey><unitNumber>0</unitNumber><capacityInKB>1</capacityInKB></VirtualDevice>
          <VirtualDevice xsi:type="VirtualDisk"><key>2001</key><deviceInfo><label>Hard disk 2</label></deviceInfo><controllerKey>31000</controllerKey><unitNumber>0</unitNumber></VirtualDevice>
          <VirtualDevice xsi:type="VirtualDisk"><key>2002</key><deviceInfo><label>Hard disk 3</label></deviceInfo><controllerKey>7</controllerKey></VirtualDevice>
        </val>"#;
        let tree = parse_document(doc).await.unwrap();
        let devices: Vec<Node<'_>> = tree.root().children().collect();
        let disks = disks(Some(devices), &HashMap::new()).unwrap().unwrap();
        assert_eq!(disks.len(), 3);
        assert_eq!(disks[0].controller.as_deref(), Some("SCSI controller 0"));
        let scsi = disks[0]
            .controller_info
            .as_deref()
            .expect("SCSI controller");
        assert_eq!(
            (scsi.key, &scsi.kind, scsi.bus, scsi.shared_bus.as_deref()),
            (
                1000,
                &ControllerKind::Scsi,
                Some(0),
                Some("physicalSharing")
            )
        );
        assert_eq!(disks[0].capacity_bytes(), Some(1024));
        assert_eq!(disks[1].controller.as_deref(), Some("NVME controller 0"));
        let nvme = disks[1]
            .controller_info
            .as_deref()
            .expect("NVMe controller");
        assert_eq!((&nvme.kind, nvme.bus), (&ControllerKind::Nvme, Some(1)));
        // A controller key that names no device: no label, no controller.
        assert_eq!(disks[2].controller, None);
        assert!(disks[2].controller_info.is_none());
    }

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

//! Wire decoding: vim25 property values ([`ObjectContent`], [`Node`]) into the domain model.
//!
//! Every property may be absent; unknown elements are ignored; a malformed number is unknown.

use crate::model::{
    ConnectionState, Controller, Disk, DiskBacking, Firmware, GuestDisk, PowerState, ToolsRunning,
    ToolsStatus,
};
use crate::soap::types::{MoRef, ObjectContent, parse_bool, parse_num};
use crate::soap::xml::Node;
use std::collections::HashMap;

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
            path: d.string_at(&["diskPath"]).unwrap_or_default(),
            capacity_bytes: parse_num(d.text_at(&["capacity"])),
            free_bytes: parse_num(d.text_at(&["freeSpace"])),
        })
        .collect()
}

/// The virtual disks of `config.hardware.device`, with controllers and datastores named.
/// `None` when the device list was not sent.
pub fn disks(oc: &ObjectContent, datastore_names: &HashMap<MoRef, String>) -> Option<Vec<Disk>> {
    let devices = oc.get_all("config.hardware.device")?;
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
    Some(
        devices
            .iter()
            .filter(|d| d.type_name() == "VirtualDisk")
            .map(|d| disk(d, &labels, &controllers, datastore_names))
            .collect(),
    )
}

fn disk(
    d: &Node,
    labels: &HashMap<i32, &str>,
    controllers: &HashMap<i32, Controller>,
    datastore_names: &HashMap<MoRef, String>,
) -> Disk {
    let capacity_bytes = parse_num::<u64>(d.text_at(&["capacityInBytes"])).or_else(|| {
        parse_num::<u64>(d.text_at(&["capacityInKB"])).and_then(|kb| kb.checked_mul(1024))
    });
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
    Disk {
        key: parse_num(d.text_at(&["key"])).unwrap_or_default(),
        label: d.string_at(&["deviceInfo", "label"]),
        capacity_bytes,
        datastore,
        file: backing.and_then(|b| b.string_at(&["fileName"])),
        thin: backing
            .and_then(|b| b.text_at(&["thinProvisioned"]))
            .and_then(parse_bool),
        disk_mode: backing.and_then(|b| b.string_at(&["diskMode"])),
        backing: backing_kind,
        controller: controller_key
            .and_then(|k| labels.get(&k))
            .map(|s| s.to_string()),
        unit: parse_num(d.text_at(&["unitNumber"])),
        controller_info: controller_key.and_then(|k| controllers.get(&k).cloned()),
        sharing: backing
            .and_then(|b| b.string_at(&["sharing"]))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        key_id: backing
            .and_then(|b| b.child("keyId"))
            .and_then(super::devices::crypto_key),
    }
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

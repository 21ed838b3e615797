//! Wire decoding of the VM configuration the current support matrix needs: network adapters
//! (with the addresses Tools report), disk controllers, the boot order, encryption keys and the
//! managing solution.
//!
//! Every element may be absent; unknown elements and device types are ignored or kept as sent.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::{BootDevice, Controller, ControllerKind, ManagedBy, Nic, Shared};
use crate::soap::types::{parse_bool, parse_num};
use crate::soap::xml::Node;

/// The controllers of a device list by key: every device with a `busNumber` (IDE, SCSI, SATA,
/// NVMe controllers; PCI and PS/2 controllers too, which no disk hangs on).
pub fn controllers(devices: &[Node<'_>]) -> HashMap<i32, Arc<Controller>> {
    controllers_among(devices, |_| true)
}

/// The [`controllers`] whose key `wanted` accepts: a VM's disks hang on one or two of its
/// half-dozen controllers, and only those need building and pooling.
pub fn controllers_among(
    devices: &[Node<'_>],
    wanted: impl Fn(i32) -> bool,
) -> HashMap<i32, Arc<Controller>> {
    devices
        .iter()
        .filter_map(|d| {
            let key = parse_num(d.text_at(&["key"])).filter(|k| wanted(*k))?;
            let bus = parse_num(d.text_at(&["busNumber"]));
            bus?;
            Some((
                key,
                Controller {
                    key,
                    kind: ControllerKind::from_type(d.type_name()),
                    bus,
                    shared_bus: d.text_at(&["sharedBus"]).map(|s| Shared::from(s.trim())),
                }
                .pooled(),
            ))
        })
        .collect()
}

/// `CryptoKeyId` as `provider/key` (or `key` when no provider is named).
pub fn crypto_key(node: Node<'_>) -> Option<String> {
    let key = node
        .text_at(&["keyId"])
        .map(str::trim)
        .filter(|k| !k.is_empty())?;
    match node
        .text_at(&["providerId", "id"])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => Some(format!("{p}/{key}")),
        None => Some(key.to_string()),
    }
}

/// A VM's `config.managedBy` (`ManagedByInfo`).
pub fn managed_by(m: Option<Node<'_>>) -> Option<ManagedBy> {
    let m = m?;
    let extension_key = m
        .text_at(&["extensionKey"])
        .map(str::trim)
        .filter(|k| !k.is_empty())?
        .to_string();
    Some(ManagedBy {
        extension_key,
        kind: m
            .text_at(&["type"])
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string),
    })
}

/// A VM's `config.bootOptions`: (boot order when set, Secure Boot when sent).
pub fn boot_options(b: Option<Node<'_>>) -> (Option<Vec<BootDevice>>, Option<bool>) {
    let Some(b) = b else {
        return (None, None);
    };
    let order: Vec<BootDevice> = b
        .children_named("bootOrder")
        .map(|d| {
            let key = parse_num(d.text_at(&["deviceKey"]));
            match (d.type_name(), key) {
                ("VirtualMachineBootOptionsBootableDiskDevice", Some(k)) => BootDevice::Disk(k),
                ("VirtualMachineBootOptionsBootableEthernetDevice", Some(k)) => {
                    BootDevice::Network(k)
                }
                ("VirtualMachineBootOptionsBootableCdromDevice", _) => BootDevice::Cdrom,
                ("VirtualMachineBootOptionsBootableFloppyDevice", _) => BootDevice::Floppy,
                (other, _) => BootDevice::Unknown(other.into()),
            }
        })
        .collect();
    let secure_boot = b.text_at(&["efiSecureBootEnabled"]).and_then(parse_bool);
    ((!order.is_empty()).then_some(order), secure_boot)
}

/// What Tools report of one adapter (`GuestNicInfo`).
struct GuestNic {
    device_key: Option<i32>,
    mac: Option<String>,
    network: Option<String>,
    ips: Vec<String>,
}

fn guest_nics(v: Option<Vec<Node<'_>>>) -> Vec<GuestNic> {
    let Some(v) = v else {
        return Vec::new();
    };
    v.into_iter()
        .map(|n| {
            let mut ips: Vec<String> = n
                .children_named("ipAddress")
                .map(|a| a.text().trim().to_string())
                .filter(|a| !a.is_empty())
                .collect();
            if ips.is_empty()
                && let Some(cfg) = n.child("ipConfig")
            {
                ips = cfg
                    .children_named("ipAddress")
                    .filter_map(|a| a.text_at(&["ipAddress"]))
                    .map(|a| a.trim().to_string())
                    .filter(|a| !a.is_empty())
                    .collect();
            }
            GuestNic {
                device_key: parse_num(n.text_at(&["deviceConfigId"])).filter(|k: &i32| *k >= 0),
                mac: n
                    .string_at(&["macAddress"])
                    .map(|m| m.trim().to_ascii_lowercase()),
                network: n
                    .string_at(&["network"])
                    .map(|s| super::decode::unescape_name(s.trim()))
                    .filter(|s| !s.is_empty()),
                ips,
            }
        })
        .collect()
}

/// The network adapters of a VM's `config.hardware.device` (every device with a `macAddress`
/// element or an ethernet-card type), matched with its `guest.net` by device key, else by MAC
/// address. `None` when the device list was not sent.
pub fn nics(devices: Option<Vec<Node<'_>>>, guest_net: Option<Vec<Node<'_>>>) -> Option<Vec<Nic>> {
    let devices = devices?;
    let mut guest = guest_nics(guest_net);
    let mut out = Vec::new();
    for d in devices {
        let ty = d.type_name();
        let is_nic = d.child("macAddress").is_some()
            || matches!(
                ty,
                "VirtualE1000"
                    | "VirtualE1000e"
                    | "VirtualPCNet32"
                    | "VirtualVmxnet"
                    | "VirtualVmxnet2"
                    | "VirtualVmxnet3"
                    | "VirtualVmxnet3Vrdma"
                    | "VirtualSriovEthernetCard"
            );
        if !is_nic {
            continue;
        }
        let key: i32 = parse_num(d.text_at(&["key"])).unwrap_or_default();
        let mac = d
            .string_at(&["macAddress"])
            .map(|m| m.trim().to_ascii_lowercase())
            .filter(|m| !m.is_empty());
        let found = guest
            .iter()
            .position(|g| g.device_key == Some(key))
            .or_else(|| {
                let mac = mac.as_deref()?;
                guest.iter().position(|g| g.mac.as_deref() == Some(mac))
            })
            .map(|i| guest.swap_remove(i));
        let backing = d.child("backing");
        let network = backing
            .and_then(|b| b.string_at(&["deviceName"]))
            .map(|s| super::decode::unescape_name(s.trim()))
            .filter(|s| !s.is_empty())
            .or_else(|| found.as_ref().and_then(|g| g.network.clone()))
            .or_else(|| {
                let pg = backing?.text_at(&["port", "portgroupKey"])?.trim();
                (!pg.is_empty()).then(|| format!("dvportgroup:{pg}"))
            })
            .or_else(|| {
                let id = backing?.text_at(&["opaqueNetworkId"])?.trim();
                (!id.is_empty()).then(|| format!("opaque:{id}"))
            });
        out.push(Nic {
            key,
            label: d.text_at(&["deviceInfo", "label"]).map(Shared::from),
            adapter: Some(Shared::from(ty)),
            mac: mac.map(Into::into),
            network: network.map(Shared::from),
            connected: d
                .text_at(&["connectable", "connected"])
                .and_then(parse_bool),
            ip_addresses: found.map(|g| g.ips).unwrap_or_default().into(),
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::types::ObjectContent;
    use crate::soap::xml::parse_document;

    const VM: &[u8] = br#"<objects xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <obj type="VirtualMachine">vm-7</obj>
      <propSet><name>config.hardware.device</name><val xsi:type="ArrayOfVirtualDevice">
        <VirtualDevice xsi:type="ParaVirtualSCSIController"><key>1000</key><deviceInfo><label>SCSI controller 0</label><summary>PVSCSI</summary></deviceInfo><busNumber>0</busNumber><sharedBus>physicalSharing</sharedBus></VirtualDevice>
        <VirtualDevice xsi:type="VirtualNVMEController"><key>31000</key><deviceInfo><label>NVME controller 0</label><summary>NVME</summary></deviceInfo><busNumber>0</busNumber></VirtualDevice>
        <VirtualDevice xsi:type="VirtualVmxnet3"><key>4000</key><deviceInfo><label>Network adapter 1</label><summary>VM Network</summary></deviceInfo>
          <backing xsi:type="VirtualEthernetCardNetworkBackingInfo"><deviceName>Prod%2fWeb</deviceName></backing>
          <connectable><startConnected>true</startConnected><connected>true</connected></connectable>
          <macAddress>00:50:56:AA:BB:01</macAddress></VirtualDevice>
        <VirtualDevice xsi:type="VirtualE1000e"><key>4001</key><deviceInfo><label>Network adapter 2</label><summary>dvs</summary></deviceInfo>
          <backing xsi:type="VirtualEthernetCardDistributedVirtualPortBackingInfo"><port><switchUuid>50 1a</switchUuid><portgroupKey>dvportgroup-12</portgroupKey></port></backing>
          <connectable><connected>false</connected></connectable>
          <macAddress>00:50:56:aa:bb:02</macAddress></VirtualDevice>
      </val></propSet>
      <propSet><name>guest.net</name><val xsi:type="ArrayOfGuestNicInfo">
        <GuestNicInfo><network>dvs-backup</network><macAddress>00:50:56:aa:bb:02</macAddress><connected>false</connected><deviceConfigId>-1</deviceConfigId>
          <ipConfig><ipAddress><ipAddress>10.0.0.9</ipAddress><prefixLength>24</prefixLength></ipAddress></ipConfig></GuestNicInfo>
        <GuestNicInfo><network>Prod/Web</network><ipAddress>10.1.1.5</ipAddress><ipAddress>2001:db8::5</ipAddress><macAddress>00:50:56:aa:bb:01</macAddress><connected>true</connected><deviceConfigId>4000</deviceConfigId></GuestNicInfo>
      </val></propSet>
      <propSet><name>config.bootOptions</name><val xsi:type="VirtualMachineBootOptions">
        <bootDelay>0</bootDelay><efiSecureBootEnabled>true</efiSecureBootEnabled>
        <bootOrder xsi:type="VirtualMachineBootOptionsBootableCdromDevice"></bootOrder>
        <bootOrder xsi:type="VirtualMachineBootOptionsBootableDiskDevice"><deviceKey>2001</deviceKey></bootOrder>
        <bootOrder xsi:type="VirtualMachineBootOptionsBootableFutureDevice"></bootOrder>
      </val></propSet>
      <propSet><name>config.keyId</name><val xsi:type="CryptoKeyId"><keyId>k-1</keyId><providerId><id>kms1</id></providerId></val></propSet>
      <propSet><name>config.managedBy</name><val xsi:type="ManagedByInfo"><extensionKey>com.vmware.vim.eam</extensionKey><type>cluster-agent</type></val></propSet>
    </objects>"#;

    async fn oc() -> ObjectContent {
        ObjectContent::from_tree(parse_document(VM).await.unwrap())
    }

    #[tokio::test]
    async fn nics_are_matched_with_guest_net_by_key_then_mac() {
        let oc = oc().await;
        let nics = nics(
            oc.get_all("config.hardware.device"),
            oc.get_all("guest.net"),
        )
        .unwrap();
        assert_eq!(nics.len(), 2);
        assert_eq!(
            nics[0],
            Nic {
                key: 4000,
                label: Some("Network adapter 1".into()),
                adapter: Some("VirtualVmxnet3".into()),
                mac: Some("00:50:56:aa:bb:01".into()),
                network: Some("Prod/Web".into()),
                connected: Some(true),
                ip_addresses: vec!["10.1.1.5".into(), "2001:db8::5".into()].into(),
            }
        );
        // Matched by MAC (deviceConfigId -1); addresses from ipConfig; the network name from
        // Tools since a distributed port backing names no port group.
        assert_eq!(nics[1].network.as_deref(), Some("dvs-backup"));
        assert_eq!(nics[1].ip_addresses, ["10.0.0.9".to_string()].into());
        assert_eq!(nics[1].connected, Some(false));
    }

    #[tokio::test]
    async fn boot_options_crypto_and_managed_by() {
        let oc = oc().await;
        let (order, secure) = boot_options(oc.get("config.bootOptions"));
        assert_eq!(
            order,
            Some(vec![
                BootDevice::Cdrom,
                BootDevice::Disk(2001),
                BootDevice::Unknown("VirtualMachineBootOptionsBootableFutureDevice".into())
            ])
        );
        assert_eq!(secure, Some(true));
        assert_eq!(
            oc.get("config.keyId").and_then(crypto_key).as_deref(),
            Some("kms1/k-1")
        );
        assert_eq!(
            managed_by(oc.get("config.managedBy"))
                .map(|m| m.label())
                .as_deref(),
            Some("com.vmware.vim.eam/cluster-agent")
        );
        let c = controllers(&oc.get_all("config.hardware.device").unwrap());
        assert_eq!(c[&1000].kind, ControllerKind::Scsi);
        assert_eq!(c[&1000].shared_bus.as_deref(), Some("physicalSharing"));
        assert_eq!(
            (c[&31000].kind.clone(), c[&31000].bus),
            (ControllerKind::Nvme, Some(0))
        );
        assert!(!c.contains_key(&4000), "adapters are not controllers");
    }

    #[tokio::test]
    async fn absent_properties_are_unknown() {
        assert_eq!(nics(None, Some(Vec::new())), None);
        assert_eq!(boot_options(None), (None, None));
        assert_eq!(managed_by(None), None);
    }
}

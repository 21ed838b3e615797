//! The inventory as vcaudit understands it, independent of how it was read.
//!
//! These types are the domain model: the SOAP decoders fill them, the rules read them, the report
//! writers flatten them into rows and snapshots serialize them. They carry no wire detail (no XML
//! element names) and no report formatting. Every value that vCenter may leave unset, or that the
//! user may lack the permission to read, is an `Option`: `None` means "unknown", never a default.
//!
//! Enumerations that come from vCenter keep unknown values as `Unknown(String)` so that a newer
//! vCenter with a new enum member still audits.

use crate::intern::ArcPool;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::compact::{DatastorePath, Mac, Uuid};
pub use crate::disk::{Disk, DiskFigures};
pub use crate::guest_disk::GuestDisk;
pub use crate::intern::{Shared, SharedList};
pub use crate::packed::OptU64;
pub use crate::vm_details::VmDetails;
pub use crate::word::Word;

/// Defines a string-valued enumeration with the wire spelling of each member and an
/// `Unknown(Word)` catch-all. Serializes as the wire string.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of vcaudit does not know, kept as sent (a [`Word`]: 4 bytes,
            /// so the enum takes 8 with its `Option`, where a `Shared` made it 16).
            Unknown(Word),
        }

        impl $name {
            /// The value as vCenter spells it.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(w) => w.as_str(),
                }
            }

            /// Parses the vCenter spelling; never fails.
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $($wire => Self::$variant,)+
                    other => Self::Unknown(Word::new(other)),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str(crate::compact::StrVisitor(Self::from_wire))
            }
        }
    };
}

wire_enum!(
    /// `VirtualMachinePowerState`.
    PowerState { PoweredOn = "poweredOn", PoweredOff = "poweredOff", Suspended = "suspended" }
);
wire_enum!(
    /// `VirtualMachineToolsStatus` (`guest.toolsStatus`).
    ToolsStatus {
        NotInstalled = "toolsNotInstalled",
        NotRunning = "toolsNotRunning",
        Old = "toolsOld",
        Ok = "toolsOk",
    }
);
wire_enum!(
    /// `VirtualMachineToolsRunningStatus` (`guest.toolsRunningStatus`).
    ToolsRunning {
        NotRunning = "guestToolsNotRunning",
        Running = "guestToolsRunning",
        ExecutingScripts = "guestToolsExecutingScripts",
    }
);
wire_enum!(
    /// `HostSystemConnectionState`.
    ConnectionState { Connected = "connected", Disconnected = "disconnected", NotResponding = "notResponding" }
);
wire_enum!(
    /// `GuestOsDescriptorFirmwareType` (`config.firmware`).
    Firmware { Bios = "bios", Efi = "efi" }
);
wire_enum!(
    /// How a virtual disk is backed, reduced to what the audit needs.
    DiskBacking {
        /// A flat VMDK (`VirtualDiskFlatVer1/2BackingInfo`).
        Flat = "flat",
        /// A raw device mapping in physical compatibility mode.
        RdmPhysical = "rdm-physical",
        /// A raw device mapping in virtual compatibility mode.
        RdmVirtual = "rdm-virtual",
        /// Any other backing (sparse, SE sparse, vVol, ...).
        Other = "other",
    }
);

/// Whether collecting a vCenter worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CollectStatus {
    /// Every object was collected.
    #[default]
    Ok,
    /// The vCenter could not be reached or collected; its objects are absent.
    Error,
}

impl CollectStatus {
    /// The report spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CollectStatus::Ok => "ok",
            CollectStatus::Error => "error",
        }
    }
}

/// Everything collected in one run: one entry per vCenter, in the order the user named them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Estate {
    pub vcenters: Vec<VCenterInventory>,
}

/// `ServiceContent.about` of a vCenter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct About {
    pub name: Option<String>,
    pub full_name: Option<String>,
    pub version: Option<String>,
    pub build: Option<String>,
    pub api_version: Option<String>,
    pub instance_uuid: Option<String>,
}

/// One vCenter and everything collected from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VCenterInventory {
    /// The server as the user named it (`host` or `host:port`): the `vcenter` column.
    pub server: String,
    /// The SDK URL that was used.
    pub url: String,
    pub about: About,
    pub status: CollectStatus,
    /// Why collection failed, when it did.
    pub error: Option<String>,
    /// RFC 3339 UTC time the collection finished.
    pub collected_at: Option<String>,
    pub datacenters: Vec<Datacenter>,
    pub clusters: Vec<Cluster>,
    pub hosts: Vec<Host>,
    pub datastores: Vec<Datastore>,
    pub storage_pods: Vec<StoragePod>,
    pub vms: Vec<Vm>,
    /// Properties vCenter refused or did not know, for the log (`path: fault (n objects)`).
    #[serde(default)]
    pub property_faults: Vec<PropertyFault>,
    /// Cross-vCenter migration events within the look-back window; `None` when events were not
    /// read (see `events_error`).
    #[serde(default)]
    pub migration_events: Option<Vec<MigrationEvent>>,
    /// Why events could not be read, when they could not.
    #[serde(default)]
    pub events_error: Option<String>,
    /// Why tags could not be read (REST interface missing or refusing), when they could not.
    #[serde(default)]
    pub tags_error: Option<String>,
    /// The audit scope set for this vCenter in an estate file, if any.
    #[serde(default)]
    pub scope: Option<TagScope>,
}

/// Which VMs to audit, by vSphere tag (`category:tag`). Tags match ignoring ASCII case, as
/// vCenter treats category and tag names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagScope {
    /// When not empty, only VMs carrying at least one of these are audited.
    pub include: Vec<String>,
    /// VMs carrying any of these are left out.
    pub exclude: Vec<String>,
}

impl TagScope {
    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// A scope from `category:tag` lists; `None` when both are empty. `include_name` and
    /// `exclude_name` name where the lists came from, for the one-line error.
    pub fn parse(
        include: &[String],
        exclude: &[String],
        include_name: &str,
        exclude_name: &str,
    ) -> Result<Option<TagScope>, String> {
        let check = |list: &[String], name: &str| -> Result<Vec<String>, String> {
            list.iter()
                .map(|t| {
                    let t = t.trim();
                    match t.split_once(':') {
                        Some((c, n)) if !c.trim().is_empty() && !n.trim().is_empty() => {
                            Ok(t.to_string())
                        }
                        _ => Err(format!(
                            "{name} {t:?} is not CATEGORY:TAG (for example dr-tier:gold)"
                        )),
                    }
                })
                .collect()
        };
        let scope = TagScope {
            include: check(include, include_name)?,
            exclude: check(exclude, exclude_name)?,
        };
        Ok((!scope.is_empty()).then_some(scope))
    }

    /// Whether a VM with these tags is in scope.
    pub fn admits<S: AsRef<str>>(&self, tags: &[S]) -> bool {
        let has = |list: &[String]| {
            list.iter()
                .any(|want| tags.iter().any(|t| t.as_ref().eq_ignore_ascii_case(want)))
        };
        (self.include.is_empty() || has(&self.include)) && !has(&self.exclude)
    }
}

/// A cross-vCenter vMotion event (`EventEx` `com.vmware.vc.vm.{Src,Dst}Vm{Migrated,MigrateFailed}Event`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrationEvent {
    /// The event's `eventTypeId`.
    pub event_type_id: String,
    /// RFC 3339 time of the event.
    pub time: String,
    /// Moref of the VM the event is about.
    pub vm_moref: String,
    /// VM name as the event recorded it.
    pub vm_name: Option<String>,
    /// `true` for the `...MigrateFailedEvent` forms.
    pub failed: bool,
    /// The event's message, for the report.
    pub message: Option<String>,
}

/// A property that came back in a `missingSet` instead of a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyFault {
    pub object_type: String,
    pub path: String,
    /// The fault type, e.g. `NoPermission` or `InvalidProperty`.
    pub fault: String,
    /// How many objects it affected.
    pub objects: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Datacenter {
    pub moref: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    pub moref: String,
    pub name: String,
    pub datacenter: Option<String>,
    pub drs_enabled: Option<bool>,
    /// `DrsBehavior`: manual, partiallyAutomated, fullyAutomated (kept as sent).
    pub drs_automation: Option<String>,
    /// `configurationEx.dasConfig.enabled`: vSphere HA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ha_enabled: Option<bool>,
    /// `summary` (`ClusterComputeResourceSummary`): the cluster's totals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<ClusterSummary>,
}

/// `ComputeResourceSummary` of a cluster; each figure `None` when not sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterSummary {
    pub num_hosts: Option<u32>,
    pub num_effective_hosts: Option<u32>,
    /// `totalCpu`, MHz.
    pub total_cpu_mhz: Option<u64>,
    pub num_cpu_cores: Option<u32>,
    pub num_cpu_threads: Option<u32>,
    /// `effectiveCpu`, MHz.
    pub effective_cpu_mhz: Option<u64>,
    /// `totalMemory`, bytes.
    pub total_memory_bytes: Option<u64>,
    /// `effectiveMemory`, MiB (vSphere's unit for it).
    pub effective_memory_mb: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Host {
    pub moref: String,
    pub name: String,
    pub datacenter: Option<String>,
    /// The cluster name, `None` for a standalone host.
    pub cluster: Option<String>,
    pub version: Option<String>,
    pub build: Option<String>,
    pub full_name: Option<String>,
    pub connection_state: Option<ConnectionState>,
    pub maintenance_mode: Option<bool>,
    /// vSphere tags as `category:tag`, sorted; empty when none or when tags were unavailable.
    #[serde(default)]
    pub tags: Vec<String>,
    /// `summary.hardware`; `None` when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware: Option<HostHardware>,
}

/// `HostHardwareSummary`; each field `None` when not sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostHardware {
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub memory_bytes: Option<u64>,
    pub cpu_model: Option<String>,
    pub cpu_mhz: Option<u32>,
    /// `numCpuPkgs`: sockets.
    pub cpu_packages: Option<u32>,
    pub cpu_cores: Option<u32>,
    pub cpu_threads: Option<u32>,
    pub nics: Option<u32>,
    pub hbas: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Datastore {
    pub moref: String,
    pub name: String,
    pub datacenter: Option<String>,
    /// `summary.type`: VMFS, NFS, NFS41, vsan, VVOL, ...
    pub kind: Option<String>,
    pub capacity_bytes: Option<u64>,
    pub free_bytes: Option<u64>,
    /// Moref of the datastore cluster (StoragePod) holding it.
    pub storage_pod: Option<String>,
    /// `summary.accessible`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessible: Option<bool>,
    /// `summary.url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `summary.uncommitted`: space the thin disks on it may still grow into, bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncommitted_bytes: Option<u64>,
}

/// A datastore cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoragePod {
    pub moref: String,
    pub name: String,
    pub datacenter: Option<String>,
    pub storage_drs: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vm {
    /// Unique per VM, but shared (one pointer): the VM's findings point at the same
    /// allocation, and the name also serves as its disks' folder name ([`DatastorePath`]).
    pub moref: Shared,
    pub name: Shared,
    pub datacenter: Option<Shared>,
    pub cluster: Option<Shared>,
    /// Host name.
    pub host: Option<Shared>,
    pub host_moref: Option<Shared>,
    /// Inventory path of the VM's folder, e.g. `/DC0/vm/Prod`.
    pub folder: Option<Shared>,
    /// Compact ([`Uuid`]: 16 bytes when canonical, no allocation).
    pub bios_uuid: Option<Uuid>,
    pub instance_uuid: Option<Uuid>,
    pub power_state: Option<PowerState>,
    pub template: Option<bool>,
    /// `config.guestId`.
    pub guest_id: Option<Shared>,
    /// `config.guestFullName`.
    pub guest_os_config: Option<Shared>,
    /// `guest.guestId`, as VMware Tools report it.
    pub guest_id_tools: Option<Shared>,
    /// `guest.guestFullName`, as VMware Tools report it.
    pub guest_os_tools: Option<Shared>,
    pub tools_status: Option<ToolsStatus>,
    pub tools_running: Option<ToolsRunning>,
    pub tools_version: Option<Shared>,
    /// `guest.toolsVersionStatus2`, kept as sent.
    pub tools_version_status: Option<Shared>,
    pub firmware: Option<Firmware>,
    pub cpus: Option<u32>,
    /// Packed ([`OptU64`]): 9 bytes beside the VM's other byte-aligned fields.
    pub memory_mb: OptU64,
    /// Names of the datastores the VM uses (`datastore`); interned lists ([`SharedList`]): VMs
    /// on the same datastores hold one list.
    pub datastores: SharedList,
    /// Morefs of the same datastores, in the same order.
    pub datastore_morefs: SharedList,
    /// `None` when the device list could not be read.
    #[serde(default, deserialize_with = "exact::opt_vec")]
    pub disks: Option<Box<[Disk]>>,
    /// Guest filesystems VMware Tools report (`guest.disk`); empty when none are reported.
    #[serde(deserialize_with = "exact::vec")]
    pub guest_disks: Box<[GuestDisk]>,
    /// vSphere tags as `category:tag`, sorted; empty when none or when tags were unavailable.
    /// An interned list ([`SharedList`]): VMs with the same tags hold one list.
    #[serde(default)]
    pub tags: SharedList,
    /// Network adapters of `config.hardware.device`, with the addresses Tools report for each
    /// (`guest.net`, matched by device key, else by MAC); `None` when the device list could not be
    /// read.
    #[serde(default, deserialize_with = "exact::opt_vec")]
    pub nics: Option<Box<[Nic]>>,
    /// `config.bootOptions.bootOrder`: the devices the firmware tries, in order; `None` when not
    /// set (the firmware's default order) or not read.
    #[serde(default, deserialize_with = "exact::opt_vec")]
    pub boot_order: Option<Box<[BootDevice]>>,
    /// `config.bootOptions.efiSecureBootEnabled`; `None` when not sent (vSphere before 6.5 or not
    /// read).
    #[serde(default)]
    pub secure_boot: Option<bool>,
    /// `config.keyId`: the key the VM's home is encrypted with (`provider/key`); `None` when
    /// not encrypted, or not read. Shared: an estate encrypts with a few keys.
    #[serde(default)]
    pub key_id: Option<Shared>,
    /// `config.managedBy`: the solution managing the VM (vCLS, vSAN file services, NSX, other
    /// EAM agents); `None` for an ordinary VM. Boxed: rare, and a million VMs pay one pointer.
    #[serde(default)]
    pub managed_by: Option<Box<ManagedBy>>,
    /// What the RVTools workbook shows beyond the audit's needs; `None` when none of it was read
    /// (snapshots from before it was collected). Boxed: a million VMs pay one pointer when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Box<VmDetails>>,
}

/// Lists read at their exact length: a reader grows a list by doubling, and a million VMs
/// would keep the spare capacity (or, shrunk afterwards, the holes it leaves) for the whole run.
/// Copied while read instead, so each VM's growing buffer is reused by the next. The model keeps
/// them as boxed slices (16 bytes, where a `Vec` is 24): they never grow after decoding.
mod exact {
    use serde::{Deserialize, Deserializer};

    fn fit<T>(v: Vec<T>) -> Box<[T]> {
        if v.len() == v.capacity() {
            return v.into_boxed_slice();
        }
        let mut exact = Vec::with_capacity(v.len());
        exact.extend(v);
        exact.into_boxed_slice()
    }

    pub fn vec<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Box<[T]>, D::Error> {
        Vec::deserialize(d).map(fit)
    }

    pub fn opt_vec<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Box<[T]>>, D::Error> {
        Ok(Option::<Vec<T>>::deserialize(d)?.map(fit))
    }
}

/// `ManagedByInfo`: the extension that manages a VM.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedBy {
    /// `extensionKey`, e.g. `com.vmware.vim.eam`.
    pub extension_key: String,
    /// `type`, the extension's own kind of VM, e.g. `cluster-agent`.
    pub kind: Option<String>,
}

impl ManagedBy {
    /// `extensionKey` or `extensionKey/type`: the `managed_by` column.
    pub fn label(&self) -> String {
        match &self.kind {
            Some(k) => format!("{}/{k}", self.extension_key),
            None => self.extension_key.clone(),
        }
    }
}

/// A virtual network adapter and what Tools report of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Nic {
    /// Device key (`guest.net` `deviceConfigId` refers to it).
    pub key: i32,
    /// e.g. `Network adapter 1`.
    pub label: Option<Shared>,
    /// The device type, e.g. `VirtualVmxnet3`.
    pub adapter: Option<Shared>,
    /// Compact ([`Mac`]: 6 bytes when `xx:xx:xx:xx:xx:xx`).
    pub mac: Option<Mac>,
    /// The port group or network name; for a distributed port group without a name in the
    /// backing, `dvportgroup:<key>`; for an opaque (NSX) network, `opaque:<id>`.
    pub network: Option<Shared>,
    /// `connectable.connected`.
    pub connected: Option<bool>,
    /// IP addresses Tools report for this adapter (IPv4 and IPv6, as sent); empty when none.
    #[serde(default, deserialize_with = "exact::vec")]
    pub ip_addresses: Box<[String]>,
}

/// One entry of `config.bootOptions.bootOrder`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BootDevice {
    /// A virtual disk, by device key.
    Disk(i32),
    /// A network adapter, by device key.
    Network(i32),
    Cdrom,
    Floppy,
    /// A type this version does not know, kept as sent.
    Unknown(Shared),
}

/// The kind of controller a disk hangs on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ControllerKind {
    Scsi,
    Nvme,
    Sata,
    Ide,
    /// Another type, kept as sent.
    Unknown(Shared),
}

impl ControllerKind {
    /// Classifies a controller's `xsi:type`.
    pub fn from_type(ty: &str) -> Self {
        match ty {
            "VirtualLsiLogicController"
            | "VirtualLsiLogicSASController"
            | "ParaVirtualSCSIController"
            | "VirtualBusLogicController"
            | "VirtualSCSIController" => ControllerKind::Scsi,
            "VirtualNVMEController" => ControllerKind::Nvme,
            "VirtualAHCIController" | "VirtualSATAController" => ControllerKind::Sata,
            "VirtualIDEController" => ControllerKind::Ide,
            other => ControllerKind::Unknown(Shared::new(other)),
        }
    }

    /// `scsi`, `nvme`, `sata`, `ide` or the type as sent.
    pub fn as_str(&self) -> &str {
        match self {
            ControllerKind::Scsi => "scsi",
            ControllerKind::Nvme => "nvme",
            ControllerKind::Sata => "sata",
            ControllerKind::Ide => "ide",
            ControllerKind::Unknown(s) => s,
        }
    }
}

/// The controller a disk hangs on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Controller {
    pub key: i32,
    pub kind: ControllerKind,
    /// `busNumber`: controllers of one kind are numbered from 0.
    pub bus: Option<i32>,
    /// SCSI `sharedBus` as sent: `noSharing`, `virtualSharing`, `physicalSharing`.
    pub shared_bus: Option<Shared>,
}

/// Most distinct controllers a thread's pool holds before it starts afresh.
const CONTROLLER_POOL_LIMIT: usize = 1 << 12;

thread_local! {
    static CONTROLLERS: ArcPool<Controller> = ArcPool::default();
}

/// Empties this thread's pools (interned strings, controllers, verdicts) and frees their
/// tables; what the model holds stays. For threads that end (a table left for the thread's exit
/// may outlive the work that filled it) and for a caller that frees one large model before it
/// builds the next (`diff`).
pub fn clear_pools() {
    crate::intern::clear_pool();
    crate::intern::clear(&CONTROLLERS);
    crate::audit::finding::clear_pool();
}

impl Controller {
    /// The pooled copy of this controller. An estate's disks hang on a handful of distinct
    /// controllers (`SCSI controller 0`, key 1000, bus 0, no sharing), so each disk holds one
    /// pointer to a shared value instead of a 40-byte copy. The pool is per thread and bounded
    /// like the string pool ([`Shared`]).
    pub fn pooled(self) -> Arc<Controller> {
        crate::intern::pooled(&CONTROLLERS, self, CONTROLLER_POOL_LIMIT)
    }
}

impl VCenterInventory {
    /// Drops the spare capacity of the VM list (each VM's lists are boxed slices, exact by
    /// construction); for models built by readers that grow lists as they go.
    pub fn shrink_to_fit(&mut self) {
        self.vms.shrink_to_fit();
    }
}

impl Vm {
    /// Sum of the disks' capacities; `None` when any is unknown.
    pub fn provisioned_bytes(&self) -> Option<u64> {
        let disks = self.disks.as_ref()?;
        // Checked: collection refuses a sum past u64 (collect::decode::Overflow); one read from
        // elsewhere (an imported sheet) is unknown, never wrapped.
        disks
            .iter()
            .try_fold(0u64, |sum, d| sum.checked_add(d.capacity_bytes()?))
    }

    /// The largest disk's capacity; `None` when disks are unknown or there are none with a size.
    pub fn largest_disk_bytes(&self) -> Option<u64> {
        self.disks
            .as_ref()?
            .iter()
            .filter_map(Disk::capacity_bytes)
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_enum_values_are_kept() {
        assert_eq!(PowerState::from_wire("poweredOn"), PowerState::PoweredOn);
        let v = PowerState::from_wire("hibernating");
        assert_eq!(v, PowerState::Unknown("hibernating".into()));
        assert_eq!(v.as_str(), "hibernating");
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(json, "\"hibernating\"");
        let back: PowerState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn tag_scope_includes_any_excludes_all_and_ignores_case() {
        let tags = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let scope = TagScope::parse(
            &tags(&["dr-tier:gold", "dr-tier:silver"]),
            &tags(&["owner:team-a"]),
            "--tag",
            "--exclude-tag",
        )
        .unwrap()
        .unwrap();
        assert!(scope.admits(&tags(&["DR-Tier:Gold"])));
        assert!(scope.admits(&tags(&["dr-tier:silver", "other:x"])));
        assert!(!scope.admits(&tags(&["dr-tier:gold", "owner:team-a"])));
        assert!(!scope.admits(&tags(&[])));
        let exclude_only = TagScope::parse(&[], &tags(&["owner:team-a"]), "a", "b")
            .unwrap()
            .unwrap();
        assert!(exclude_only.admits(&tags(&[])));
        assert!(!exclude_only.admits(&tags(&["owner:team-a"])));
        assert_eq!(TagScope::parse(&[], &[], "a", "b"), Ok(None));
        for bad in ["gold", ":gold", "dr-tier:", " : "] {
            let e = TagScope::parse(&tags(&[bad]), &[], "--tag", "--exclude-tag").unwrap_err();
            assert!(e.starts_with("--tag ") && e.contains("CATEGORY:TAG"), "{e}");
        }
        let e = TagScope::parse(&[], &tags(&["x"]), "--tag", "--exclude-tag").unwrap_err();
        assert!(e.starts_with("--exclude-tag "), "{e}");
    }

    /// A million VMs stay in memory for the whole run, so these sizes are the per-VM cost
    /// bench/RESULTS.md measured: growing one (a `String` where a `Box<str>` or `Shared` would
    /// do, a `Vec` for a list that never grows, a large value inline) is a decision to make
    /// here, not an accident.
    #[test]
    fn the_model_stays_compact() {
        use std::mem::size_of;
        assert_eq!(size_of::<Shared>(), 8);
        assert_eq!(size_of::<Option<Shared>>(), 8);
        assert_eq!(size_of::<Option<PowerState>>(), 8);
        assert_eq!(size_of::<Option<Arc<Controller>>>(), 8);
        assert_eq!(size_of::<Vm>(), 304);
        // The compact path takes 8 bytes more than a boxed one (for the 48-64 bytes of its own
        // allocation that the usual `[ds] vm/vm_1.vmdk` no longer needs); the backing's 8 bytes
        // less (a `Word` for unknown values) make up for it; capacity, unit and thin packed
        // (`disk`: 8 bytes less); mode and sharing as 4-byte words (`word`: 8 bytes less).
        assert_eq!(size_of::<Disk>(), 104);
        assert_eq!(size_of::<Nic>(), 64);
        // The two figures beside one byte of which are known (`guest_disk`), not two `Option`s.
        assert_eq!(size_of::<GuestDisk>(), 32);
        // The `.vmx` path compact like a disk's (8 bytes more), the ten figures packed
        // (`vm_details`: 72 bytes less).
        assert_eq!(size_of::<VmDetails>(), 200);
    }

    #[test]
    fn provisioned_is_unknown_when_one_disk_is() {
        let mut vm = Vm {
            disks: Some(Box::new([
                Disk {
                    figures: DiskFigures::new(Some(10), None, None),
                    ..Default::default()
                },
                Disk {
                    figures: DiskFigures::new(Some(5), None, None),
                    ..Default::default()
                },
            ])),
            ..Default::default()
        };
        assert_eq!(vm.provisioned_bytes(), Some(15));
        assert_eq!(vm.largest_disk_bytes(), Some(10));
        let d = &mut vm.disks.as_mut().unwrap()[1];
        d.figures = d.figures.with_capacity_bytes(None);
        assert_eq!(vm.provisioned_bytes(), None);
        vm.disks = None;
        assert_eq!(vm.largest_disk_bytes(), None);
    }
}

//! The estate-wide context the rules read, built once per audit.
//!
//! Rules must not scan the whole estate per object: whatever a rule needs from other objects
//! (the host of a VM, the newest ESXi build of a version, the storage pod of a datastore) is
//! indexed here in one pass, so an audit stays linear in the number of objects. Indexes are keyed
//! by the vCenter's position in [`Estate::vcenters`] and the object's moref, because morefs are
//! only unique within one vCenter. Estate-wide facts (the newest build of each ESXi version) span
//! all vCenters.
//!
//! Estate-wide evidence of cross-vCenter vMotion is indexed here too: which vCenters hold each
//! BIOS and instance UUID (over every VM of the estate, in scope or not, templates included), and
//! each vCenter's migration events by VM moref. The VM scope predicate lives here as well
//! ([`Context::vm_in_scope`]); the UUID index must not depend on it.

use foldhash::HashMap;
use std::borrow::Cow;

use super::os::GuestOs;
use super::util::{major_minor, parse_build};
use super::uuids::UuidIndex;
use crate::model::{
    CollectStatus, Datastore, Estate, Host, MigrationEvent, StoragePod, VCenterInventory, Vm,
};

/// Which of a VM's two UUIDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UuidKind {
    /// `config.instanceUuid`: vCenter's own id of the VM.
    Instance = 0,
    /// `config.uuid`: the SMBIOS UUID the guest sees.
    Bios = 1,
}

impl UuidKind {
    /// As written in messages: `instance UUID` or `BIOS UUID`.
    pub fn label(self) -> &'static str {
        match self {
            UuidKind::Instance => "instance UUID",
            UuidKind::Bios => "BIOS UUID",
        }
    }

    /// The VM's UUID of this kind, normalized (trimmed, lower case); `None` when unset, blank or
    /// all zeros (not an identity).
    pub fn of(self, vm: &Vm) -> Option<String> {
        self.of_ref(vm, &mut [0; 36]).map(Cow::into_owned)
    }

    /// [`UuidKind::of`] without an allocation when the UUID is canonical (as vCenter sends it):
    /// written into `buf`, or borrowed from the VM. The index over a million VMs makes no
    /// copies.
    pub(super) fn of_ref<'v>(self, vm: &'v Vm, buf: &'v mut [u8; 36]) -> Option<Cow<'v, str>> {
        let raw = match self {
            UuidKind::Instance => vm.instance_uuid.as_ref(),
            UuidKind::Bios => vm.bios_uuid.as_ref(),
        }?
        .as_lower_str_in(buf)
        .trim();
        let meaningful = raw.bytes().any(|b| b != b'0' && b != b'-');
        if !meaningful {
            return None;
        }
        Some(if raw.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(raw.to_ascii_lowercase())
        } else {
            Cow::Borrowed(raw)
        })
    }
}

/// Indexes over the whole estate.
#[derive(Debug)]
pub struct Context<'a> {
    pub estate: &'a Estate,
    hosts: HashMap<(usize, &'a str), usize>,
    /// Newest numeric build per ESXi `major.minor`, over every host of every vCenter.
    newest_build: HashMap<(u32, u32), u64>,
    datastores: HashMap<(usize, &'a str), &'a Datastore>,
    datastores_by_name: HashMap<(usize, &'a str), &'a Datastore>,
    pods: HashMap<(usize, &'a str), &'a StoragePod>,
    /// The UUIDs that repeat across the estate, per kind.
    uuids: UuidIndex<'a>,
    /// Per vCenter (by index): its migration events by VM moref, in collection order.
    migrations: Vec<HashMap<&'a str, Vec<&'a MigrationEvent>>>,
    /// The indexes of the vCenters that could not be collected (their VMs are missing from
    /// every estate-wide index), ascending.
    not_collected: Vec<usize>,
}

impl<'a> Context<'a> {
    /// Indexes `estate` in one pass over its hosts, datastores and storage pods.
    pub fn new(estate: &'a Estate) -> Self {
        let mut ctx = Context {
            estate,
            hosts: HashMap::default(),
            newest_build: HashMap::default(),
            datastores: HashMap::default(),
            datastores_by_name: HashMap::default(),
            pods: HashMap::default(),
            uuids: UuidIndex::new(estate),
            migrations: Vec::with_capacity(estate.vcenters.len()),
            not_collected: Vec::new(),
        };
        for (vi, vc) in estate.vcenters.iter().enumerate() {
            if vc.status == CollectStatus::Error {
                ctx.not_collected.push(vi);
            }
            for (hi, host) in vc.hosts.iter().enumerate() {
                ctx.hosts.insert((vi, host.moref.as_str()), hi);
                let version = host.version.as_deref().and_then(major_minor);
                let build = host.build.as_deref().and_then(parse_build);
                if let (Some(v), Some(b)) = (version, build) {
                    let newest = ctx.newest_build.entry(v).or_insert(b);
                    *newest = (*newest).max(b);
                }
            }
            for ds in &vc.datastores {
                ctx.datastores.insert((vi, ds.moref.as_str()), ds);
                ctx.datastores_by_name.insert((vi, ds.name.as_str()), ds);
            }
            for pod in &vc.storage_pods {
                ctx.pods.insert((vi, pod.moref.as_str()), pod);
            }
            let mut events: HashMap<&'a str, Vec<&'a MigrationEvent>> = HashMap::default();
            for e in vc.migration_events.iter().flatten() {
                events.entry(e.vm_moref.as_str()).or_default().push(e);
            }
            ctx.migrations.push(events);
        }
        ctx
    }

    /// The indexes of the vCenters holding a VM whose UUID of `kind` is `uuid` (normalized as
    /// [`UuidKind::of`] does), ascending, when more than one vCenter does; empty when at most
    /// one does (for a VM's own UUID: only the VM's vCenter).
    pub fn vcenters_sharing_uuid(&self, kind: UuidKind, uuid: &str) -> &[usize] {
        self.uuids.vcenters_sharing(kind, uuid)
    }

    /// The indexes of the vCenters that could not be collected, ascending: estate-wide evidence
    /// (the UUID indexes) cannot speak for them.
    pub fn vcenters_not_collected(&self) -> &[usize] {
        &self.not_collected
    }

    /// How many VMs of the estate (agent VMs left out) carry BIOS UUID `uuid` (normalized as
    /// [`UuidKind::of`] does) when more than one does; 1 when at most one does.
    pub fn vms_with_bios_uuid(&self, uuid: &str) -> u32 {
        self.uuids.bios_repeats(uuid)
    }

    /// The migration events of the VM with `moref` in the vCenter at `vc_index`.
    pub fn migration_events(&self, vc_index: usize, moref: &str) -> &[&'a MigrationEvent] {
        self.migrations
            .get(vc_index)
            .and_then(|m| m.get(moref))
            .map_or(&[], Vec::as_slice)
    }

    /// The index in its vCenter's `hosts` of the host with `moref`.
    pub fn host_index(&self, vc_index: usize, moref: &str) -> Option<usize> {
        self.hosts.get(&(vc_index, moref)).copied()
    }

    /// The host with `moref` in the vCenter at `vc_index`.
    pub fn host(&self, vc_index: usize, moref: &str) -> Option<&'a Host> {
        let i = self.host_index(vc_index, moref)?;
        self.estate.vcenters.get(vc_index)?.hosts.get(i)
    }

    /// The newest build any audited host of ESXi `major.minor` runs.
    pub fn newest_build(&self, version: (u32, u32)) -> Option<u64> {
        self.newest_build.get(&version).copied()
    }

    /// The datastore with `moref` in the vCenter at `vc_index`.
    pub fn datastore(&self, vc_index: usize, moref: &str) -> Option<&'a Datastore> {
        self.datastores.get(&(vc_index, moref)).copied()
    }

    /// The datastore named `name` in the vCenter at `vc_index` (names are unique per datacenter;
    /// used only when a VM's datastore morefs are missing).
    pub fn datastore_by_name(&self, vc_index: usize, name: &str) -> Option<&'a Datastore> {
        self.datastores_by_name.get(&(vc_index, name)).copied()
    }

    /// The storage pod (datastore cluster) with `moref`.
    pub fn storage_pod(&self, vc_index: usize, moref: &str) -> Option<&'a StoragePod> {
        self.pods.get(&(vc_index, moref)).copied()
    }

    /// Whether `vm` is audited: every VM, unless its vCenter has a tag scope
    /// ([`VCenterInventory::scope`]) that leaves it out. Templates are audited like VMs (a
    /// template's configuration is what its clones inherit).
    pub fn vm_in_scope(&self, vc_index: usize, vm: &Vm) -> bool {
        match self
            .estate
            .vcenters
            .get(vc_index)
            .and_then(|vc| vc.scope.as_ref())
        {
            Some(scope) => scope.admits(&vm.tags),
            None => true,
        }
    }
}

/// A vCenter as a rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct VCenterView<'a> {
    /// Position in [`Estate::vcenters`].
    pub index: usize,
    pub vc: &'a VCenterInventory,
}

/// A host as a rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct HostView<'a> {
    pub vc_index: usize,
    pub vc: &'a VCenterInventory,
    pub host: &'a Host,
}

/// A VM as a rule sees it, with its guest OS identified once for all rules.
#[derive(Debug, Clone)]
pub struct VmView<'a> {
    pub vc_index: usize,
    pub vc: &'a VCenterInventory,
    pub vm: &'a Vm,
    pub os: GuestOs,
}

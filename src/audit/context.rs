//! The estate-wide context the rules read, built once per audit.
//!
//! Rules must not scan the whole estate per object: whatever a rule needs from other objects
//! (the host of a VM, the newest ESXi build of a version, the storage pod of a datastore) is
//! indexed here in one pass, so an audit stays linear in the number of objects. Indexes are keyed
//! by the vCenter's position in [`Estate::vcenters`] and the object's moref, because morefs are
//! only unique within one vCenter. Estate-wide facts (the newest build of each ESXi version) span
//! all vCenters.
//!
//! This is also where estate-wide data for later rules goes (for example the same BIOS or instance
//! UUID seen in two vCenters), and where the VM scope predicate lives ([`Context::vm_in_scope`]).

use std::collections::HashMap;

use super::os::GuestOs;
use super::util::{major_minor, parse_build};
use crate::model::{Datastore, Estate, Host, StoragePod, VCenterInventory, Vm};

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
}

impl<'a> Context<'a> {
    /// Indexes `estate` in one pass over its hosts, datastores and storage pods.
    pub fn new(estate: &'a Estate) -> Self {
        let mut ctx = Context {
            estate,
            hosts: HashMap::new(),
            newest_build: HashMap::new(),
            datastores: HashMap::new(),
            datastores_by_name: HashMap::new(),
            pods: HashMap::new(),
        };
        for (vi, vc) in estate.vcenters.iter().enumerate() {
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
        }
        ctx
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

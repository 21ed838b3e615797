//! What the collector knows of a vCenter's inventory before it decodes the next type: the
//! containment tree (names and parents of folders, datacenters, clusters, hosts, datastores),
//! the hosts' names and clusters, and the datastores' names. The declarations of
//! [`super::props`] resolve references through it (a VM's `runtime.host` into a host name and
//! cluster, its `parent` into a datacenter and folder path).

use super::decode::Entity;
use crate::model::Shared;
use crate::soap::MoRef;
use std::collections::HashMap;

/// Filled type by type as the collection goes (entities first, then hosts, then datastores).
#[derive(Debug, Default)]
pub struct Known {
    /// Name and parent of every entity collected so far.
    pub entities: HashMap<MoRef, Entity>,
    /// Host → (name, cluster name).
    pub hosts: HashMap<MoRef, (Shared, Option<Shared>)>,
    /// Datastore → name.
    pub datastores: HashMap<MoRef, Shared>,
}

impl Known {
    /// The name of the datacenter above `obj` (which must be in the tree).
    pub fn datacenter(&self, obj: &MoRef) -> Option<String> {
        self.datacenter_from(self.entities.get(obj)?.parent.clone())
    }

    /// The name of the first datacenter at or above `start`.
    pub fn datacenter_from(&self, start: Option<MoRef>) -> Option<String> {
        let mut cur = start;
        for _ in 0..64 {
            let p = cur?;
            let e = self.entities.get(&p)?;
            if p.kind == "Datacenter" {
                return Some(e.name.clone());
            }
            cur = e.parent.clone();
        }
        None
    }

    /// The name of an entity collected so far.
    pub fn name(&self, obj: &MoRef) -> Option<String> {
        self.entities.get(obj).map(|e| e.name.clone())
    }

    /// Inventory path of an entity, govc style (`/DC0/vm/Prod`); the root folder is not named.
    pub fn path(&self, obj: &MoRef) -> Option<String> {
        let mut names = Vec::new();
        let mut cur = Some(obj.clone());
        for _ in 0..64 {
            let Some(p) = cur else { break };
            let Some(e) = self.entities.get(&p) else {
                break;
            };
            names.push(e.name.as_str());
            cur = e.parent.clone();
        }
        if names.is_empty() {
            return None;
        }
        names.reverse();
        Some(format!("/{}", names.join("/")))
    }
}

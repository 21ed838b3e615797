//! Estate-wide evidence about VM UUIDs: which UUIDs repeat, in how many VMs and vCenters.
//!
//! Only the repeats are kept. In a healthy estate almost every UUID is unique, and a map of every
//! UUID (two per VM) cost a million-VM audit ~200 MB and several seconds of hashing. Instead the
//! UUIDs are fingerprinted (64-bit hash, vCenter, VM), sorted, and only runs of equal
//! fingerprints are looked at, comparing the strings themselves, so a hash collision never makes
//! two UUIDs one. Sorting a run is O(n log n) whatever the input, so crafted UUIDs cannot make it
//! quadratic.

use foldhash::HashMap;
use std::borrow::Cow;
use std::hash::BuildHasher;

use super::context::UuidKind;
use crate::model::Estate;

/// The UUIDs that repeat across the estate (see the module documentation).
#[derive(Debug, Default)]
pub(super) struct UuidIndex<'a> {
    /// Per [`UuidKind`]: UUIDs held in more than one vCenter → those vCenters, ascending.
    multi: [HashMap<Cow<'a, str>, Vec<usize>>; 2],
    /// BIOS UUIDs carried by more than one VM (agent VMs left out) → how many.
    bios_repeats: HashMap<Cow<'a, str>, u32>,
}

/// One VM's UUID: its hash, and where the VM is (vCenter, position).
type Print = (u64, u32, u32);

impl<'a> UuidIndex<'a> {
    /// Indexes every VM of `estate`, whatever the scope: a copy out of scope is still evidence.
    pub(super) fn new(estate: &'a Estate) -> Self {
        let hasher = foldhash::fast::RandomState::default();
        Self::with_hash(estate, |u| hasher.hash_one(u))
    }

    /// [`UuidIndex::new`] with the fingerprint `hash` (tests make every UUID collide).
    fn with_hash(estate: &'a Estate, hash: impl Fn(&str) -> u64) -> Self {
        let mut index = UuidIndex::default();
        for kind in [UuidKind::Instance, UuidKind::Bios] {
            let mut prints: Vec<Print> = Vec::new();
            for (vi, vc) in estate.vcenters.iter().enumerate() {
                for (i, vm) in vc.vms.iter().enumerate() {
                    if let Some(u) = kind.of_ref(vm, &mut [0; 36]) {
                        prints.push((hash(&u), vi as u32, i as u32));
                    }
                }
            }
            prints.sort_unstable();
            for run in prints.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
                index.add_run(estate, kind, run);
            }
        }
        index
    }

    /// Records the repeats among VMs whose UUIDs hash alike.
    fn add_run(&mut self, estate: &'a Estate, kind: UuidKind, run: &[Print]) {
        let mut members: Vec<(Cow<'a, str>, usize, bool)> = run
            .iter()
            .filter_map(|&(_, vi, i)| {
                let vm = &estate.vcenters[vi as usize].vms[i as usize];
                let agent = vm.managed_by.is_some();
                kind.of(vm).map(|u| (Cow::Owned(u), vi as usize, agent))
            })
            .collect();
        // Stable: within one UUID the vCenters stay ascending, as the fingerprints were sorted.
        members.sort_by(|a, b| a.0.cmp(&b.0));
        for same in members.chunk_by(|a, b| a.0 == b.0) {
            let mut vcs: Vec<usize> = same.iter().map(|m| m.1).collect();
            vcs.dedup();
            if vcs.len() > 1 {
                self.multi[kind as usize].insert(same[0].0.clone(), vcs);
            }
            let vms = same.iter().filter(|m| !m.2).count() as u32;
            if kind == UuidKind::Bios && vms > 1 {
                self.bios_repeats.insert(same[0].0.clone(), vms);
            }
        }
    }

    /// The vCenters holding a VM whose UUID of `kind` is `uuid`, ascending, when more than one
    /// does; empty otherwise.
    pub(super) fn vcenters_sharing(&self, kind: UuidKind, uuid: &str) -> &[usize] {
        self.multi[kind as usize]
            .get(uuid)
            .map_or(&[], Vec::as_slice)
    }

    /// How many VMs (agent VMs left out) carry BIOS UUID `uuid` when more than one does; 1
    /// otherwise (one or none: no repeat).
    pub(super) fn bios_repeats(&self, uuid: &str) -> u32 {
        self.bios_repeats.get(uuid).copied().unwrap_or(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::testutil::{estate, vcenter, vm};
    use crate::model::{ManagedBy, Vm};

    fn with(name: &str, bios: &str, instance: &str) -> Vm {
        Vm {
            bios_uuid: Some(bios.into()),
            instance_uuid: Some(instance.into()),
            ..vm(name)
        }
    }

    fn sample() -> Estate {
        let agent = Vm {
            managed_by: Some(Box::new(ManagedBy {
                extension_key: "com.vmware.vim.eam".into(),
                kind: Some("cluster-agent".into()),
            })),
            ..with("vCLS-1", "b-2", "i-agent")
        };
        estate(vec![
            vcenter(
                "vc0",
                vec![with("a", "B-1", "i-1"), with("b", "b-1", "i-2"), agent],
            ),
            vcenter(
                "vc1",
                vec![with("c", "b-1", "i-3"), with("d", "b-2", "i-1")],
            ),
            vcenter(
                "vc2",
                vec![with("e", "b-3", "i-1"), with("f", "0000-00", "i-4")],
            ),
        ])
    }

    /// What the index answers for every UUID of the sample.
    fn answers(ix: &UuidIndex) -> Vec<(String, Vec<usize>, Vec<usize>, u32)> {
        ["b-1", "b-2", "b-3", "i-1", "i-2", "i-agent", "0000-00"]
            .iter()
            .map(|u| {
                (
                    u.to_string(),
                    ix.vcenters_sharing(UuidKind::Bios, u).to_vec(),
                    ix.vcenters_sharing(UuidKind::Instance, u).to_vec(),
                    ix.bios_repeats(u),
                )
            })
            .collect()
    }

    #[test]
    fn repeats_are_found_across_and_within_vcenters() {
        let e = sample();
        let ix = UuidIndex::new(&e);
        let v = |x: &[usize]| x.to_vec();
        assert_eq!(
            answers(&ix),
            vec![
                // Upper case is the same UUID; three VMs in two vCenters.
                ("b-1".into(), v(&[0, 1]), v(&[]), 3),
                // The agent VM counts for where, not for how many.
                ("b-2".into(), v(&[0, 1]), v(&[]), 1),
                ("b-3".into(), v(&[]), v(&[]), 1),
                ("i-1".into(), v(&[]), v(&[0, 1, 2]), 1),
                ("i-2".into(), v(&[]), v(&[]), 1),
                ("i-agent".into(), v(&[]), v(&[]), 1),
                // All zeros is no identity.
                ("0000-00".into(), v(&[]), v(&[]), 1),
            ]
        );
    }

    /// When every fingerprint collides, the strings still decide: the same answers.
    #[test]
    fn colliding_fingerprints_never_merge_different_uuids() {
        let e = sample();
        let real = answers(&UuidIndex::new(&e));
        assert_eq!(answers(&UuidIndex::with_hash(&e, |_| 7)), real);
        assert_eq!(answers(&UuidIndex::with_hash(&e, |u| u.len() as u64)), real);
    }
}

//! Splitting an estate into RVTools workbooks of at most N VMs (`--rvtools-max-vms`), because
//! readers such as Azure Migrate's import take fewer than 20,000 VMs per file.
//!
//! VMs are grouped by vCenter, then by cluster (standalone hosts form one group per vCenter);
//! groups are packed in order into parts, a new part starting when the next group would not
//! fit. Only a group larger than N on its own is cut, between VMs: a VM's rows are never split
//! across files. Each part carries the hosts and clusters of its groups, the datastores and
//! vSource row of its vCenters; hosts and clusters without VMs go with their vCenter's first
//! part, vCenters without VMs with the last part, vCenters that could not be collected (vHealth)
//! with the first.

use crate::model::{CollectStatus, Estate};
use std::collections::{HashMap, HashSet};

/// The cluster of a group: `None` for standalone hosts.
pub type ClusterKey = Option<String>;

/// One workbook's share of the estate.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Part {
    /// (vCenter index, VM indices) in write order.
    pub vms: Vec<(usize, Vec<usize>)>,
    /// vCenters with rows in this part, in estate order.
    pub vcenters: Vec<usize>,
    /// Per vCenter, the clusters whose hosts and cluster rows go here; absent: all of them.
    pub clusters: HashMap<usize, HashSet<ClusterKey>>,
    /// vCenters that could not be collected, for vHealth.
    pub failed: Vec<usize>,
}

impl Part {
    pub fn clusters_of(&self, vcenter: usize) -> Option<&HashSet<ClusterKey>> {
        self.clusters.get(&vcenter)
    }

    /// VMs in this part.
    pub fn vm_count(&self) -> usize {
        self.vms.iter().map(|(_, v)| v.len()).sum()
    }

    fn add(&mut self, v: usize, key: ClusterKey, vms: Vec<usize>) {
        if !self.vcenters.contains(&v) {
            self.vcenters.push(v);
        }
        self.clusters.entry(v).or_default().insert(key);
        match self.vms.last_mut() {
            Some((last, list)) if *last == v => list.extend(vms),
            _ => self.vms.push((v, vms)),
        }
    }
}

/// The parts of `estate` with at most `max` VMs each (at least one part).
pub fn plan(estate: &Estate, max: usize) -> Vec<Part> {
    let max = max.max(1);
    let ok = |v: &usize| estate.vcenters[*v].status == CollectStatus::Ok;
    let all: Vec<usize> = (0..estate.vcenters.len()).filter(ok).collect();
    let failed: Vec<usize> = (0..estate.vcenters.len()).filter(|v| !ok(v)).collect();
    let total: usize = all.iter().map(|&v| estate.vcenters[v].vms.len()).sum();
    if total <= max {
        return vec![Part {
            vms: all
                .iter()
                .map(|&v| (v, (0..estate.vcenters[v].vms.len()).collect()))
                .collect(),
            vcenters: all,
            clusters: HashMap::new(),
            failed,
        }];
    }
    let mut parts = vec![Part::default()];
    for &v in &all {
        let vc = &estate.vcenters[v];
        let mut order: Vec<ClusterKey> = Vec::new();
        let mut groups: HashMap<ClusterKey, Vec<usize>> = HashMap::new();
        for (i, vm) in vc.vms.iter().enumerate() {
            let key: ClusterKey = vm.cluster.as_deref().map(str::to_string);
            let g = groups.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                Vec::new()
            });
            g.push(i);
        }
        let first = parts.len() - 1;
        for key in order {
            let vms = groups.remove(&key).unwrap_or_default();
            for chunk in vms.chunks(max) {
                let cur = parts.last_mut().expect("at least one part");
                if cur.vm_count() > 0 && cur.vm_count() + chunk.len() > max {
                    parts.push(Part::default());
                }
                parts
                    .last_mut()
                    .expect("at least one part")
                    .add(v, key.clone(), chunk.to_vec());
            }
        }
        // Hosts and clusters without VMs go with the vCenter's first part (the last part for a
        // vCenter without VMs).
        let used: HashSet<ClusterKey> = parts[first..]
            .iter()
            .filter_map(|p| p.clusters.get(&v))
            .flatten()
            .cloned()
            .collect();
        let spare: HashSet<ClusterKey> = vc
            .hosts
            .iter()
            .map(|h| h.cluster.clone())
            .chain(vc.clusters.iter().map(|c| Some(c.name.clone())))
            .filter(|k| !used.contains(k))
            .collect();
        let home = (first..parts.len())
            .find(|&p| parts[p].vcenters.contains(&v))
            .unwrap_or(parts.len() - 1);
        let part = &mut parts[home];
        if !part.vcenters.contains(&v) {
            part.vcenters.push(v);
        }
        part.clusters.entry(v).or_default().extend(spare);
    }
    parts[0].failed = failed;
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, Host, VCenterInventory, Vm};

    fn vc(server: &str, vms: &[(&str, Option<&str>)]) -> VCenterInventory {
        VCenterInventory {
            server: server.into(),
            vms: vms
                .iter()
                .map(|(n, c)| Vm {
                    name: n.to_string().into(),
                    cluster: c.map(Into::into),
                    ..Default::default()
                })
                .collect(),
            hosts: vec![
                Host {
                    name: "h-a".into(),
                    cluster: Some("A".into()),
                    ..Default::default()
                },
                Host {
                    name: "h-empty".into(),
                    cluster: Some("Empty".into()),
                    ..Default::default()
                },
            ],
            clusters: vec![
                Cluster {
                    name: "A".into(),
                    ..Default::default()
                },
                Cluster {
                    name: "Empty".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }
    }

    fn names(e: &Estate, p: &Part) -> Vec<String> {
        p.vms
            .iter()
            .flat_map(|(v, vms)| vms.iter().map(|&i| e.vcenters[*v].vms[i].name.to_string()))
            .collect()
    }

    #[test]
    fn one_part_when_it_fits() {
        let e = Estate {
            vcenters: vec![vc("vc1", &[("a", Some("A")), ("b", None)])],
        };
        let parts = plan(&e, 2);
        assert_eq!(parts.len(), 1);
        assert_eq!(names(&e, &parts[0]), ["a", "b"]);
        assert_eq!(parts[0].clusters_of(0), None, "every host and cluster");
    }

    #[test]
    fn splits_along_vcenter_and_cluster_boundaries() {
        let e = Estate {
            vcenters: vec![
                vc(
                    "vc1",
                    &[("a1", Some("A")), ("b1", Some("B")), ("a2", Some("A"))],
                ),
                vc("vc2", &[("c1", Some("C")), ("c2", Some("C"))]),
            ],
        };
        let parts = plan(&e, 2);
        let got: Vec<Vec<String>> = parts.iter().map(|p| names(&e, p)).collect();
        assert_eq!(got, [vec!["a1", "a2"], vec!["b1"], vec!["c1", "c2"]]);
        // Cluster B's part does not get cluster A's hosts; the empty cluster goes with the first.
        assert!(
            parts[0]
                .clusters_of(0)
                .unwrap()
                .contains(&Some("Empty".into()))
        );
        assert!(!parts[1].clusters_of(0).unwrap().contains(&Some("A".into())));
        assert!(parts.iter().all(|p| p.vm_count() <= 2));
    }

    #[test]
    fn a_cluster_larger_than_the_limit_is_cut_between_vms() {
        let vms: Vec<(String, Option<&str>)> =
            (0..5).map(|i| (format!("a{i}"), Some("A"))).collect();
        let vms: Vec<(&str, Option<&str>)> = vms.iter().map(|(n, c)| (n.as_str(), *c)).collect();
        let e = Estate {
            vcenters: vec![vc("vc1", &vms)],
        };
        let parts = plan(&e, 2);
        let counts: Vec<usize> = parts.iter().map(Part::vm_count).collect();
        assert_eq!(counts, [2, 2, 1]);
        let all: Vec<String> = parts.iter().flat_map(|p| names(&e, p)).collect();
        assert_eq!(
            all,
            ["a0", "a1", "a2", "a3", "a4"],
            "every VM once, in order"
        );
    }
}

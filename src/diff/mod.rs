//! What changed between two audits of an estate (`vcaudit diff OLD NEW`).
//!
//! Both sides are reduced to the report tables ([`input::Tables`]) and compared object by
//! object:
//! - vCenters are matched by `about.instanceUuid` (by server name only when the UUID is
//!   unknown); only vCenters collected completely on both sides are compared, the others are
//!   listed in [`DiffResult::not_compared`] with the reason, so a vCenter that was down does not
//!   read as every VM vanishing.
//! - VMs are matched by their instance UUID within a vCenter (by moref when the UUID is unknown);
//!   a VM that vanished from one compared vCenter and appeared in another with the same instance
//!   UUID has moved vCenter. Hosts and datastores are matched by moref within a vCenter. Names
//!   are never used to match, so a rename is a rename.
//! - A VM's host and datastores are compared by moref (through the host and datastore tables),
//!   so renaming a host does not move its VMs.
//! - Findings are matched by vCenter, object, rule and status; a finding whose status changed
//!   (fail to unknown) is resolved and new.
//!
//! Cost is linear: every side is indexed once in hash maps; output follows the order of the
//! inputs, so it is deterministic.

pub mod input;

use input::{DatastoreIn, DiskIn, FindingIn, HostIn, Tables, VmIn};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What kind of change a row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    Appeared,
    Vanished,
    Moved,
    Renamed,
    Changed,
    Readiness,
    NewFinding,
    ResolvedFinding,
}

impl ChangeKind {
    /// The report spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Appeared => "appeared",
            ChangeKind::Vanished => "vanished",
            ChangeKind::Moved => "moved",
            ChangeKind::Renamed => "renamed",
            ChangeKind::Changed => "changed",
            ChangeKind::Readiness => "readiness",
            ChangeKind::NewFinding => "new-finding",
            ChangeKind::ResolvedFinding => "resolved-finding",
        }
    }
}

/// One change: a row of `diff.csv` (field names are the column names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// The vCenter as named in NEW (in OLD for what vanished).
    pub vcenter: String,
    /// `vcenter`, `host`, `vm` or `datastore`.
    pub object_type: &'static str,
    /// The object's name (in NEW when it still exists).
    pub object: String,
    pub moref: String,
    /// The property that changed; the rule for findings; empty for appeared/vanished.
    pub property: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Column names of `diff.csv`, in the order of [`Change`]'s fields.
pub const CHANGE_HEADER: &[&str] = &[
    "kind",
    "vcenter",
    "object_type",
    "object",
    "moref",
    "property",
    "old",
    "new",
];

/// A vCenter that was not compared, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotCompared {
    pub vcenter: String,
    pub instance_uuid: Option<String>,
    pub why: String,
}

/// Column names of the `not_compared` table.
pub const NOT_COMPARED_HEADER: &[&str] = &["vcenter", "instance_uuid", "why"];

/// The outcome of a diff.
#[derive(Debug, Clone, Default)]
pub struct DiffResult {
    /// vCenters compared.
    pub compared: usize,
    pub not_compared: Vec<NotCompared>,
    pub changes: Vec<Change>,
}

/// The order of readiness from best to worst, for regressions.
fn readiness_rank(r: &str) -> Option<u8> {
    match r {
        "ready" => Some(0),
        "conditionally-ready" => Some(1),
        "unknown" => Some(2),
        "not-ready" => Some(3),
        _ => None,
    }
}

impl DiffResult {
    /// Whether any finding is new.
    pub fn has_new_findings(&self) -> bool {
        self.changes
            .iter()
            .any(|c| c.kind == ChangeKind::NewFinding)
    }

    /// Whether any VM's readiness got worse (ready -> conditionally-ready -> unknown -> not-ready).
    pub fn has_readiness_regressions(&self) -> bool {
        self.changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Readiness)
            .any(|c| {
                let rank = |v: &Option<String>| v.as_deref().and_then(readiness_rank);
                matches!((rank(&c.old), rank(&c.new)), (Some(o), Some(n)) if n > o)
            })
    }

    /// Changes counted by kind and object type.
    pub fn counts(&self) -> BTreeMap<(ChangeKind, &'static str), usize> {
        let mut m = BTreeMap::new();
        for c in &self.changes {
            *m.entry((c.kind, c.object_type)).or_default() += 1;
        }
        m
    }

    /// The short text printed at the end of a diff.
    pub fn render_summary(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Compared {} vCenter(s); {} not compared.",
            self.compared,
            self.not_compared.len()
        );
        for n in &self.not_compared {
            let _ = writeln!(s, "  not compared: {}: {}", n.vcenter, n.why);
        }
        if self.changes.is_empty() {
            let _ = writeln!(s, "No changes.");
            return s;
        }
        let _ = writeln!(s, "Changes:");
        for ((kind, ty), n) in self.counts() {
            let _ = writeln!(s, "  {:<18} {:<10} {n:>7}", kind.as_str(), ty);
        }
        let mut transitions: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut per_rule: BTreeMap<(ChangeKind, &str), usize> = BTreeMap::new();
        for c in &self.changes {
            match c.kind {
                ChangeKind::Readiness => {
                    let key = (
                        c.old.clone().unwrap_or_default(),
                        c.new.clone().unwrap_or_default(),
                    );
                    *transitions.entry(key).or_default() += 1;
                }
                ChangeKind::NewFinding | ChangeKind::ResolvedFinding => {
                    *per_rule.entry((c.kind, c.property.as_str())).or_default() += 1;
                }
                _ => {}
            }
        }
        if !transitions.is_empty() {
            let _ = writeln!(s, "Readiness transitions:");
            for ((o, n), k) in transitions {
                let _ = writeln!(s, "  {o} -> {n}: {k}");
            }
        }
        if !per_rule.is_empty() {
            let _ = writeln!(s, "Findings per rule:");
            for ((kind, rule), k) in per_rule {
                let what = if kind == ChangeKind::NewFinding {
                    "new"
                } else {
                    "resolved"
                };
                let _ = writeln!(s, "  {rule:<24} {what:<8} {k:>7}");
            }
        }
        s
    }
}

/// One side indexed for the diff.
struct Indexed<'a> {
    /// vCenter key (instance UUID, or `server:NAME`) -> position in `t.vcenters`.
    vc_by_key: HashMap<String, usize>,
    /// vCenter server (the join column of every table) -> position.
    vc_by_server: HashMap<&'a str, usize>,
    keys: Vec<String>,
    hosts: Vec<Vec<&'a HostIn>>,
    datastores: Vec<Vec<&'a DatastoreIn>>,
    vms: Vec<Vec<&'a VmIn>>,
    /// (vCenter, VM moref) -> disks.
    disks: HashMap<(usize, &'a str), Vec<&'a DiskIn>>,
    /// (vCenter, name) -> moref, for hosts and datastores.
    host_moref: HashMap<(usize, &'a str), &'a str>,
    ds_moref: HashMap<(usize, &'a str), &'a str>,
    /// (vCenter, VM moref) -> VM key.
    vm_key: HashMap<(usize, &'a str), &'a str>,
}

fn vc_key(uuid: &Option<String>, server: &str) -> String {
    match uuid.as_deref() {
        Some(u) if !u.is_empty() => u.to_string(),
        _ => format!("server:{server}"),
    }
}

fn vm_key(vm: &VmIn) -> &str {
    match vm.instance_uuid.as_deref() {
        Some(u) if !u.is_empty() => u,
        _ => &vm.moref,
    }
}

impl<'a> Indexed<'a> {
    fn new(t: &'a Tables) -> Self {
        let n = t.vcenters.len();
        let mut ix = Indexed {
            vc_by_key: HashMap::new(),
            vc_by_server: HashMap::new(),
            keys: Vec::with_capacity(n),
            hosts: vec![Vec::new(); n],
            datastores: vec![Vec::new(); n],
            vms: vec![Vec::new(); n],
            disks: HashMap::new(),
            host_moref: HashMap::new(),
            ds_moref: HashMap::new(),
            vm_key: HashMap::new(),
        };
        for (i, vc) in t.vcenters.iter().enumerate() {
            let key = vc_key(&vc.instance_uuid, &vc.vcenter);
            ix.vc_by_key.insert(key.clone(), i);
            ix.keys.push(key);
            ix.vc_by_server.insert(&vc.vcenter, i);
        }
        for h in &t.hosts {
            if let Some(&i) = ix.vc_by_server.get(h.vcenter.as_str()) {
                ix.hosts[i].push(h);
                ix.host_moref.insert((i, &h.host), &h.moref);
            }
        }
        for d in &t.datastores {
            if let Some(&i) = ix.vc_by_server.get(d.vcenter.as_str()) {
                ix.datastores[i].push(d);
                ix.ds_moref.insert((i, &d.datastore), &d.moref);
            }
        }
        for v in &t.vms {
            if let Some(&i) = ix.vc_by_server.get(v.vcenter.as_str()) {
                ix.vms[i].push(v);
                ix.vm_key.insert((i, &v.moref), vm_key(v));
            }
        }
        for d in &t.disks {
            if let Some(&i) = ix.vc_by_server.get(d.vcenter.as_str()) {
                ix.disks.entry((i, &d.vm_moref)).or_default().push(d);
            }
        }
        ix
    }

    /// A VM's host as (moref when known, name).
    fn host_of(&self, vc: usize, vm: &VmIn) -> Option<String> {
        let name = vm.host.as_deref()?;
        Some(
            self.host_moref
                .get(&(vc, name))
                .map_or_else(|| name.to_string(), |m| (*m).to_string()),
        )
    }

    /// A VM's datastores as sorted morefs (names where unknown).
    fn datastores_of(&self, vc: usize, vm: &VmIn) -> Vec<String> {
        let mut v: Vec<String> = names(&vm.datastores)
            .map(|n| {
                self.ds_moref
                    .get(&(vc, n))
                    .map_or_else(|| n.to_string(), |m| (*m).to_string())
            })
            .collect();
        v.sort();
        v
    }
}

fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split("; ").filter(|s| !s.is_empty())
}

fn text<T: ToString>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(ToString::to_string)
}

/// Where a change is recorded: the object in NEW (or OLD when it vanished).
struct At<'r> {
    vcenter: &'r str,
    object_type: &'static str,
    object: &'r str,
    moref: &'r str,
}

impl At<'_> {
    fn change(
        &self,
        kind: ChangeKind,
        property: &str,
        old: Option<String>,
        new: Option<String>,
    ) -> Change {
        Change {
            kind,
            vcenter: self.vcenter.to_string(),
            object_type: self.object_type,
            object: self.object.to_string(),
            moref: self.moref.to_string(),
            property: property.to_string(),
            old,
            new,
        }
    }
}

/// Compares OLD with NEW.
pub fn diff(old: &Tables, new: &Tables) -> DiffResult {
    let o = Indexed::new(old);
    let n = Indexed::new(new);
    let mut result = DiffResult::default();
    // Pairs of compared vCenters (old position, new position).
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    // A vCenter that could not be collected has no instance UUID: match it by server name.
    let matched = |i: usize| -> Option<usize> {
        if let Some(&j) = n.vc_by_key.get(&o.keys[i]) {
            return Some(j);
        }
        let &j = n.vc_by_server.get(old.vcenters[i].vcenter.as_str())?;
        let unknown = |u: &Option<String>| u.as_deref().is_none_or(str::is_empty);
        (unknown(&old.vcenters[i].instance_uuid) || unknown(&new.vcenters[j].instance_uuid))
            .then_some(j)
    };
    let mut new_matched = vec![false; new.vcenters.len()];
    for (i, vc) in old.vcenters.iter().enumerate() {
        let found = matched(i);
        if let Some(j) = found {
            new_matched[j] = true;
        }
        let why = match found {
            None => Some("not in NEW".to_string()),
            Some(j) => {
                let nv = &new.vcenters[j];
                if vc.status != "ok" {
                    Some(format!(
                        "not collected in OLD: {}",
                        vc.error.as_deref().unwrap_or(&vc.status)
                    ))
                } else if nv.status != "ok" {
                    Some(format!(
                        "not collected in NEW: {}",
                        nv.error.as_deref().unwrap_or(&nv.status)
                    ))
                } else {
                    pairs.push((i, j));
                    None
                }
            }
        };
        if let Some(why) = why {
            result.not_compared.push(NotCompared {
                vcenter: vc.vcenter.clone(),
                instance_uuid: vc.instance_uuid.clone(),
                why,
            });
        }
    }
    for (j, vc) in new.vcenters.iter().enumerate() {
        if !new_matched[j] {
            result.not_compared.push(NotCompared {
                vcenter: vc.vcenter.clone(),
                instance_uuid: vc.instance_uuid.clone(),
                why: "not in OLD".into(),
            });
        }
    }
    result.compared = pairs.len();
    let changes = &mut result.changes;
    for &(i, j) in &pairs {
        diff_hosts(&o, &n, i, j, &new.vcenters[j].vcenter, changes);
        diff_datastores(&o, &n, i, j, &new.vcenters[j].vcenter, changes);
    }
    let moved = diff_vms(&o, &n, old, new, &pairs, changes);
    diff_findings(&o, &n, old, new, &pairs, &moved, changes);
    result
}

fn diff_hosts(o: &Indexed, n: &Indexed, i: usize, j: usize, server: &str, out: &mut Vec<Change>) {
    let new_by_moref: HashMap<&str, &HostIn> =
        n.hosts[j].iter().map(|h| (h.moref.as_str(), *h)).collect();
    let mut seen = HashSet::new();
    for oh in &o.hosts[i] {
        let Some(nh) = new_by_moref.get(oh.moref.as_str()) else {
            out.push(at(server, "host", &oh.host, &oh.moref).change(
                ChangeKind::Vanished,
                "",
                Some(oh.host.clone()),
                None,
            ));
            continue;
        };
        seen.insert(oh.moref.as_str());
        let a = at(server, "host", &nh.host, &nh.moref);
        let mut p = |kind, name: &str, old: Option<String>, new: Option<String>| {
            if old != new {
                out.push(a.change(kind, name, old, new));
            }
        };
        p(
            ChangeKind::Renamed,
            "name",
            Some(oh.host.clone()),
            Some(nh.host.clone()),
        );
        p(
            ChangeKind::Moved,
            "datacenter",
            oh.datacenter.clone(),
            nh.datacenter.clone(),
        );
        p(
            ChangeKind::Moved,
            "cluster",
            oh.cluster.clone(),
            nh.cluster.clone(),
        );
        p(
            ChangeKind::Changed,
            "version",
            oh.version.clone(),
            nh.version.clone(),
        );
        p(
            ChangeKind::Changed,
            "build",
            oh.build.clone(),
            nh.build.clone(),
        );
        p(
            ChangeKind::Changed,
            "connection_state",
            oh.connection_state.clone(),
            nh.connection_state.clone(),
        );
        p(
            ChangeKind::Changed,
            "maintenance_mode",
            text(&oh.maintenance_mode),
            text(&nh.maintenance_mode),
        );
    }
    for nh in &n.hosts[j] {
        if !seen.contains(nh.moref.as_str()) {
            out.push(at(server, "host", &nh.host, &nh.moref).change(
                ChangeKind::Appeared,
                "",
                None,
                Some(nh.host.clone()),
            ));
        }
    }
}

fn at<'r>(vcenter: &'r str, object_type: &'static str, object: &'r str, moref: &'r str) -> At<'r> {
    At {
        vcenter,
        object_type,
        object,
        moref,
    }
}

fn diff_datastores(
    o: &Indexed,
    n: &Indexed,
    i: usize,
    j: usize,
    server: &str,
    out: &mut Vec<Change>,
) {
    let new_by_moref: HashMap<&str, &DatastoreIn> = n.datastores[j]
        .iter()
        .map(|d| (d.moref.as_str(), *d))
        .collect();
    let mut seen = HashSet::new();
    for od in &o.datastores[i] {
        let Some(nd) = new_by_moref.get(od.moref.as_str()) else {
            out.push(at(server, "datastore", &od.datastore, &od.moref).change(
                ChangeKind::Vanished,
                "",
                Some(od.datastore.clone()),
                None,
            ));
            continue;
        };
        seen.insert(od.moref.as_str());
        let a = at(server, "datastore", &nd.datastore, &nd.moref);
        let mut p = |kind, name: &str, old: Option<String>, new: Option<String>| {
            if old != new {
                out.push(a.change(kind, name, old, new));
            }
        };
        p(
            ChangeKind::Renamed,
            "name",
            Some(od.datastore.clone()),
            Some(nd.datastore.clone()),
        );
        p(
            ChangeKind::Moved,
            "datacenter",
            od.datacenter.clone(),
            nd.datacenter.clone(),
        );
        p(
            ChangeKind::Moved,
            "datastore_cluster",
            od.datastore_cluster.clone(),
            nd.datastore_cluster.clone(),
        );
        p(
            ChangeKind::Changed,
            "type",
            od.kind.clone(),
            nd.kind.clone(),
        );
        p(
            ChangeKind::Changed,
            "capacity_gib",
            text(&od.capacity_gib),
            text(&nd.capacity_gib),
        );
    }
    for nd in &n.datastores[j] {
        if !seen.contains(nd.moref.as_str()) {
            out.push(at(server, "datastore", &nd.datastore, &nd.moref).change(
                ChangeKind::Appeared,
                "",
                None,
                Some(nd.datastore.clone()),
            ));
        }
    }
}

/// VMs that moved vCenter: (old vCenter, VM key) -> new vCenter.
type Moves = HashMap<(usize, String), usize>;

fn diff_vms(
    o: &Indexed,
    n: &Indexed,
    old: &Tables,
    new: &Tables,
    pairs: &[(usize, usize)],
    out: &mut Vec<Change>,
) -> Moves {
    let mut vanished: Vec<(usize, &VmIn)> = Vec::new();
    let mut appeared: Vec<(usize, &VmIn)> = Vec::new();
    for &(i, j) in pairs {
        let new_by_key: HashMap<&str, &VmIn> = n.vms[j].iter().map(|v| (vm_key(v), *v)).collect();
        let mut seen = HashSet::new();
        for ov in &o.vms[i] {
            match new_by_key.get(vm_key(ov)) {
                Some(nv) => {
                    seen.insert(vm_key(nv));
                    compare_vm(o, n, (i, ov), (j, nv), &new.vcenters[j].vcenter, out);
                }
                None => vanished.push((i, ov)),
            }
        }
        appeared.extend(
            n.vms[j]
                .iter()
                .filter(|v| !seen.contains(vm_key(v)))
                .map(|v| (j, *v)),
        );
    }
    // A VM key that appeared exactly once elsewhere moved vCenter.
    let mut appeared_by_key: HashMap<&str, Option<usize>> = HashMap::new();
    for (pos, (_, v)) in appeared.iter().enumerate() {
        if v.instance_uuid.is_some() {
            appeared_by_key
                .entry(vm_key(v))
                .and_modify(|p| *p = None)
                .or_insert(Some(pos));
        }
    }
    let mut moves = Moves::new();
    let mut taken = vec![false; appeared.len()];
    for (i, ov) in vanished {
        let target = appeared_by_key
            .get(vm_key(ov))
            .copied()
            .flatten()
            .filter(|p| !taken[*p]);
        let server = &old.vcenters[i].vcenter;
        match target {
            Some(pos) => {
                taken[pos] = true;
                let (j, nv) = appeared[pos];
                let ns = &new.vcenters[j].vcenter;
                out.push(at(ns, "vm", &nv.vm, &nv.moref).change(
                    ChangeKind::Moved,
                    "vcenter",
                    Some(server.clone()),
                    Some(ns.clone()),
                ));
                compare_vm(o, n, (i, ov), (j, nv), ns, out);
                moves.insert((i, vm_key(ov).to_string()), j);
            }
            None => out.push(at(server, "vm", &ov.vm, &ov.moref).change(
                ChangeKind::Vanished,
                "",
                Some(ov.vm.clone()),
                None,
            )),
        }
    }
    for (pos, (j, nv)) in appeared.iter().enumerate() {
        if !taken[pos] {
            let ns = &new.vcenters[*j].vcenter;
            out.push(at(ns, "vm", &nv.vm, &nv.moref).change(
                ChangeKind::Appeared,
                "",
                None,
                Some(nv.vm.clone()),
            ));
        }
    }
    moves
}

fn compare_vm(
    o: &Indexed,
    n: &Indexed,
    (i, ov): (usize, &VmIn),
    (j, nv): (usize, &VmIn),
    server: &str,
    out: &mut Vec<Change>,
) {
    let a = at(server, "vm", &nv.vm, &nv.moref);
    let mut p = |kind, name: &str, old: Option<String>, new: Option<String>| {
        if old != new {
            out.push(a.change(kind, name, old, new));
        }
    };
    p(
        ChangeKind::Renamed,
        "name",
        Some(ov.vm.clone()),
        Some(nv.vm.clone()),
    );
    p(
        ChangeKind::Moved,
        "datacenter",
        ov.datacenter.clone(),
        nv.datacenter.clone(),
    );
    p(
        ChangeKind::Moved,
        "cluster",
        ov.cluster.clone(),
        nv.cluster.clone(),
    );
    if o.host_of(i, ov) != n.host_of(j, nv) {
        p(ChangeKind::Moved, "host", ov.host.clone(), nv.host.clone());
    }
    if o.datastores_of(i, ov) != n.datastores_of(j, nv) {
        p(
            ChangeKind::Moved,
            "datastore",
            Some(ov.datastores.clone()),
            Some(nv.datastores.clone()),
        );
    }
    p(
        ChangeKind::Moved,
        "folder",
        ov.folder.clone(),
        nv.folder.clone(),
    );
    let props: [(&str, Option<String>, Option<String>); 15] = [
        (
            "power_state",
            ov.power_state.clone(),
            nv.power_state.clone(),
        ),
        ("template", text(&ov.template), text(&nv.template)),
        ("guest_id", ov.guest_id.clone(), nv.guest_id.clone()),
        (
            "guest_os_config",
            ov.guest_os_config.clone(),
            nv.guest_os_config.clone(),
        ),
        (
            "guest_os_tools",
            ov.guest_os_tools.clone(),
            nv.guest_os_tools.clone(),
        ),
        (
            "tools_status",
            ov.tools_status.clone(),
            nv.tools_status.clone(),
        ),
        (
            "tools_running",
            ov.tools_running.clone(),
            nv.tools_running.clone(),
        ),
        (
            "tools_version",
            ov.tools_version.clone(),
            nv.tools_version.clone(),
        ),
        (
            "tools_version_status",
            ov.tools_version_status.clone(),
            nv.tools_version_status.clone(),
        ),
        ("firmware", ov.firmware.clone(), nv.firmware.clone()),
        ("cpus", text(&ov.cpus), text(&nv.cpus)),
        ("memory_mb", text(&ov.memory_mb), text(&nv.memory_mb)),
        ("disks", text(&ov.disks), text(&nv.disks)),
        (
            "provisioned_gib",
            text(&ov.provisioned_gib),
            text(&nv.provisioned_gib),
        ),
        (
            "readiness",
            Some(ov.readiness.clone()),
            Some(nv.readiness.clone()),
        ),
    ];
    for (name, old, new) in props {
        let kind = if name == "readiness" {
            ChangeKind::Readiness
        } else {
            ChangeKind::Changed
        };
        p(kind, name, old, new);
    }
    // Disks by label: a grown, added or removed disk.
    let empty = Vec::new();
    let od = o.disks.get(&(i, ov.moref.as_str())).unwrap_or(&empty);
    let nd = n.disks.get(&(j, nv.moref.as_str())).unwrap_or(&empty);
    let label = |d: &DiskIn| d.label.clone().unwrap_or_default();
    let new_disks: HashMap<String, &DiskIn> = nd.iter().map(|d| (label(d), *d)).collect();
    let mut seen = HashSet::new();
    for d in od {
        let l = label(d);
        let after = new_disks.get(&l);
        seen.insert(l.clone());
        p(
            ChangeKind::Changed,
            &format!("disk {l} capacity_gib"),
            text(&d.capacity_gib),
            after.and_then(|x| text(&x.capacity_gib)),
        );
        if let Some(x) = after {
            p(
                ChangeKind::Moved,
                &format!("disk {l} datastore"),
                d.datastore.clone(),
                x.datastore.clone(),
            );
        }
    }
    for d in nd {
        if !seen.contains(&label(d)) {
            p(
                ChangeKind::Changed,
                &format!("disk {} capacity_gib", label(d)),
                None,
                text(&d.capacity_gib),
            );
        }
    }
}

/// A finding's identity: (vCenter key, object type, object key, rule, status, occurrence). A rule
/// may give one object several findings (one per disk): the n-th of the same kind on each side
/// match, so a second failing disk is one new finding.
type FindingKey = (String, String, String, String, String, usize);

fn finding_keys<'t>(
    ix: &Indexed,
    t: &'t Tables,
    compared: &HashSet<usize>,
    remap: impl Fn(usize, &str) -> usize,
) -> Vec<(FindingKey, &'t FindingIn)> {
    let mut seen: HashMap<FindingKey, usize> = HashMap::new();
    t.findings
        .iter()
        .filter_map(|f| {
            let &vc = ix.vc_by_server.get(f.vcenter.as_str())?;
            if !compared.contains(&vc) {
                return None;
            }
            let (vc, object) = match f.object_type.as_str() {
                "vm" => {
                    let key = ix
                        .vm_key
                        .get(&(vc, f.moref.as_str()))
                        .copied()
                        .unwrap_or(&f.moref);
                    (remap(vc, key), key.to_string())
                }
                "vcenter" => (vc, String::new()),
                _ => (vc, f.moref.clone()),
            };
            let mut key = (
                ix.keys[vc].clone(),
                f.object_type.clone(),
                object,
                f.rule.clone(),
                f.status.clone(),
                0,
            );
            let n = seen.entry(key.clone()).or_default();
            key.5 = *n;
            *n += 1;
            Some((key, f))
        })
        .collect()
}

fn diff_findings(
    o: &Indexed,
    n: &Indexed,
    old: &Tables,
    new: &Tables,
    pairs: &[(usize, usize)],
    moves: &Moves,
    out: &mut Vec<Change>,
) {
    let old_set: HashSet<usize> = pairs.iter().map(|p| p.0).collect();
    let new_set: HashSet<usize> = pairs.iter().map(|p| p.1).collect();
    // Old findings of a VM that moved vCenter are keyed by its new vCenter, so they follow it.
    let new_pos_to_old: HashMap<usize, usize> = pairs.iter().map(|&(i, j)| (j, i)).collect();
    let olds = finding_keys(o, old, &old_set, |vc, key| {
        moves
            .get(&(vc, key.to_string()))
            .and_then(|j| new_pos_to_old.get(j))
            .copied()
            .unwrap_or(vc)
    });
    let news = finding_keys(n, new, &new_set, |vc, _| vc);
    // vCenter keys are per side positions mapped to keys, the same on both sides for a pair.
    let old_keys: HashSet<&FindingKey> = olds.iter().map(|(k, _)| k).collect();
    let new_keys: HashSet<&FindingKey> = news.iter().map(|(k, _)| k).collect();
    let show = |f: &FindingIn| format!("{} {}", f.status, f.severity);
    for (k, f) in &olds {
        if !new_keys.contains(k) {
            out.push(
                at(&f.vcenter, object_type(&f.object_type), &f.object, &f.moref).change(
                    ChangeKind::ResolvedFinding,
                    &f.rule,
                    Some(show(f)),
                    None,
                ),
            );
        }
    }
    for (k, f) in &news {
        if !old_keys.contains(k) {
            out.push(
                at(&f.vcenter, object_type(&f.object_type), &f.object, &f.moref).change(
                    ChangeKind::NewFinding,
                    &f.rule,
                    None,
                    Some(show(f)),
                ),
            );
        }
    }
}

fn object_type(s: &str) -> &'static str {
    match s {
        "vcenter" => "vcenter",
        "host" => "host",
        "vm" => "vm",
        _ => "other",
    }
}

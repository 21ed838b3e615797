//! What changed between two audits of an estate (`vcaudit diff OLD NEW`).
//!
//! Both sides are projected into a compact [`input::Side`] (read one at a time, each waiting in
//! a temporary file while the other is read, so at most one estate is in memory and nothing
//! beside it) and compared object by object:
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
//! - Findings are matched by vCenter, object, rule and occurrence: one only in OLD is resolved,
//!   one only in NEW is new, and one whose status or severity changed (fail to unknown, say) is
//!   a `changed-finding`, not a resolution.
//!
//! Cost is linear: every side is indexed once in hash maps; output follows the order of the
//! inputs, so it is deterministic.

pub mod input;
pub mod record;

use crate::audit::ObjectKind;
use input::{
    DATASTORE_PROPS, DiskObj, FindingObj, HOST_PROPS, Interner, Obj, Side, Sym, VM_PROPS, Vc, VmObj,
};
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
    ChangedFinding,
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
            ChangeKind::ChangedFinding => "changed-finding",
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
    /// Whether any finding is new, or an unknown finding now fails.
    pub fn has_new_findings(&self) -> bool {
        self.changes.iter().any(|c| match c.kind {
            ChangeKind::NewFinding => true,
            ChangeKind::ChangedFinding => {
                c.new.as_deref().is_some_and(|n| n.starts_with("fail"))
                    && !c.old.as_deref().is_some_and(|o| o.starts_with("fail"))
            }
            _ => false,
        })
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
                ChangeKind::NewFinding
                | ChangeKind::ResolvedFinding
                | ChangeKind::ChangedFinding => {
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
                let what = match kind {
                    ChangeKind::NewFinding => "new",
                    ChangeKind::ResolvedFinding => "resolved",
                    _ => "changed",
                };
                let _ = writeln!(s, "  {rule:<24} {what:<8} {k:>7}");
            }
        }
        s
    }
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
        old: Option<&str>,
        new: Option<&str>,
    ) -> Change {
        Change {
            kind,
            vcenter: self.vcenter.to_string(),
            object_type: self.object_type,
            object: self.object.to_string(),
            moref: self.moref.to_string(),
            property: property.to_string(),
            old: old.map(str::to_string),
            new: new.map(str::to_string),
        }
    }
}

/// Compares OLD with NEW, two sides read with the same interner.
pub fn diff(old: &Side, new: &Side, strs: &Interner) -> DiffResult {
    let mut result = DiffResult::default();
    let pairs = pair_vcenters(old, new, strs, &mut result);
    result.compared = pairs.len();
    let mut d = Differ {
        strs,
        out: &mut result.changes,
    };
    for &(i, j) in &pairs {
        let (ov, nv) = (&old.vcenters[i], &new.vcenters[j]);
        d.objects(ov, nv, "host", |v| &v.hosts, HOST_PROPS);
        d.objects(ov, nv, "datastore", |v| &v.datastores, DATASTORE_PROPS);
    }
    let moves = d.vms(old, new, &pairs);
    d.findings(old, new, &pairs, &moves);
    result
}

/// Pairs the vCenters of both sides (by instance UUID; by server name when one side does not
/// know it); the others are not compared, with why.
fn pair_vcenters(
    old: &Side,
    new: &Side,
    strs: &Interner,
    result: &mut DiffResult,
) -> Vec<(usize, usize)> {
    let key = |vc: &Vc| {
        (
            vc.instance_uuid.is_some(),
            vc.instance_uuid.unwrap_or(vc.server),
        )
    };
    let new_by_key: HashMap<(bool, Sym), usize> = new
        .vcenters
        .iter()
        .enumerate()
        .map(|(j, vc)| (key(vc), j))
        .collect();
    let new_by_server: HashMap<Sym, usize> = new
        .vcenters
        .iter()
        .enumerate()
        .map(|(j, vc)| (vc.server, j))
        .collect();
    let not_compared = |vc: &Vc, why: String| NotCompared {
        vcenter: strs.str(vc.server).to_string(),
        instance_uuid: strs.opt_str(vc.instance_uuid).map(str::to_string),
        why,
    };
    let mut pairs = Vec::new();
    let mut new_matched = vec![false; new.vcenters.len()];
    for (i, vc) in old.vcenters.iter().enumerate() {
        // A vCenter that could not be collected has no instance UUID: match it by server name.
        let found = new_by_key.get(&key(vc)).copied().or_else(|| {
            let &j = new_by_server.get(&vc.server)?;
            (vc.instance_uuid.is_none() || new.vcenters[j].instance_uuid.is_none()).then_some(j)
        });
        let why = match found {
            None => Some("not in NEW".to_string()),
            Some(j) => {
                new_matched[j] = true;
                let nv = &new.vcenters[j];
                let why = |side: &str, v: &Vc| {
                    let status = strs.str(v.status);
                    format!(
                        "not collected in {side}: {}",
                        v.error.as_deref().unwrap_or(status)
                    )
                };
                if strs.str(vc.status) != "ok" {
                    Some(why("OLD", vc))
                } else if strs.str(nv.status) != "ok" {
                    Some(why("NEW", nv))
                } else {
                    pairs.push((i, j));
                    None
                }
            }
        };
        if let Some(why) = why {
            result.not_compared.push(not_compared(vc, why));
        }
    }
    for (j, vc) in new.vcenters.iter().enumerate() {
        if !new_matched[j] {
            result
                .not_compared
                .push(not_compared(vc, "not in OLD".into()));
        }
    }
    pairs
}

/// Names of a vCenter's hosts and datastores -> their morefs, to compare a VM's placement by
/// moref (renaming a host does not move its VMs).
struct Places<'a> {
    hosts: HashMap<Sym, Sym>,
    datastores: HashMap<&'a str, Sym>,
}

impl<'a> Places<'a> {
    fn of(vc: &Vc, strs: &'a Interner) -> Self {
        Places {
            hosts: vc.hosts.iter().map(|o| (o.name, o.moref)).collect(),
            datastores: vc
                .datastores
                .iter()
                .map(|o| (strs.str(o.name), o.moref))
                .collect(),
        }
    }

    fn host(&self, vm: &VmObj) -> Option<Sym> {
        let name = vm.host?;
        Some(self.hosts.get(&name).copied().unwrap_or(name))
    }

    /// The VM's datastores as morefs (names where unknown, as symbols or text), sorted.
    fn datastores(&self, vm: &VmObj, strs: &'a Interner) -> Vec<Result<Sym, &'a str>> {
        let mut v: Vec<Result<Sym, &str>> = strs
            .str(vm.datastores)
            .split("; ")
            .filter(|s| !s.is_empty())
            .map(|n| self.datastores.get(n).copied().ok_or(n))
            .collect();
        v.sort_unstable();
        v
    }
}

/// VMs that moved vCenter: (old vCenter, VM key) -> new vCenter.
type Moves = HashMap<(usize, Sym), usize>;

/// A finding's identity: (pair of vCenters, object type, object key, rule, occurrence). A rule
/// may give one object several findings (one per disk): the n-th of each side match.
type FindingKey = (usize, ObjectKind, Option<Sym>, Sym, usize);

/// The comparison, writing changes as it goes.
struct Differ<'s> {
    strs: &'s Interner,
    out: &'s mut Vec<Change>,
}

impl Differ<'_> {
    /// Where a change about `o` of `vc` is recorded.
    fn at(&self, vc: &Vc, object_type: &'static str, o: &Obj) -> At<'_> {
        At {
            vcenter: self.strs.str(vc.server),
            object_type,
            object: self.strs.str(o.name),
            moref: self.strs.str(o.moref),
        }
    }

    fn push(&mut self, c: Change) {
        self.out.push(c);
    }

    /// A change when `old` and `new` differ.
    fn cmp(
        &mut self,
        (vc, ty, o): (&Vc, &'static str, &Obj),
        kind: ChangeKind,
        property: &str,
        old: Option<Sym>,
        new: Option<Sym>,
    ) {
        if old != new {
            let s = self.strs;
            let c = self
                .at(vc, ty, o)
                .change(kind, property, s.opt_str(old), s.opt_str(new));
            self.push(c);
        }
    }

    /// Hosts or datastores of a pair of vCenters, matched by moref.
    fn objects(
        &mut self,
        ov: &Vc,
        nv: &Vc,
        ty: &'static str,
        list: impl Fn(&Vc) -> &Vec<Obj>,
        props: &[(&str, ChangeKind)],
    ) {
        let new_by_moref: HashMap<Sym, &Obj> = list(nv).iter().map(|o| (o.moref, o)).collect();
        let mut seen = HashSet::new();
        for o in list(ov) {
            let Some(n) = new_by_moref.get(&o.moref) else {
                self.cmp((ov, ty, o), ChangeKind::Vanished, "", Some(o.name), None);
                continue;
            };
            seen.insert(o.moref);
            let here = (nv, ty, *n);
            self.cmp(
                here,
                ChangeKind::Renamed,
                "name",
                Some(o.name),
                Some(n.name),
            );
            for (k, (name, kind)) in props.iter().enumerate() {
                self.cmp(here, *kind, name, o.props[k], n.props[k]);
            }
        }
        for n in list(nv) {
            if !seen.contains(&n.moref) {
                self.cmp((nv, ty, n), ChangeKind::Appeared, "", None, Some(n.name));
            }
        }
    }

    fn vms(&mut self, old: &Side, new: &Side, pairs: &[(usize, usize)]) -> Moves {
        let strs = self.strs;
        let places_old: HashMap<usize, Places> = pairs
            .iter()
            .map(|&(i, _)| (i, Places::of(&old.vcenters[i], strs)))
            .collect();
        let places_new: HashMap<usize, Places> = pairs
            .iter()
            .map(|&(_, j)| (j, Places::of(&new.vcenters[j], strs)))
            .collect();
        let pair_vm = |d: &mut Self, (i, ov): (usize, &VmObj), (j, nv): (usize, &VmObj)| {
            let places = (&places_old[&i], &places_new[&j]);
            d.vm((&old.vcenters[i], ov), (&new.vcenters[j], nv), places);
        };
        let mut vanished: Vec<(usize, &VmObj)> = Vec::new();
        let mut appeared: Vec<(usize, &VmObj)> = Vec::new();
        for &(i, j) in pairs {
            let nvms = &new.vcenters[j].vms;
            let new_by_key: HashMap<Sym, usize> =
                nvms.iter().enumerate().map(|(p, v)| (v.key, p)).collect();
            let mut seen = vec![false; nvms.len()];
            for ov in &old.vcenters[i].vms {
                match new_by_key.get(&ov.key) {
                    Some(&p) if !seen[p] => {
                        seen[p] = true;
                        pair_vm(self, (i, ov), (j, &nvms[p]));
                    }
                    _ => vanished.push((i, ov)),
                }
            }
            appeared.extend(
                nvms.iter()
                    .zip(&seen)
                    .filter(|(_, s)| !**s)
                    .map(|(v, _)| (j, v)),
            );
        }
        // An instance UUID that appeared exactly once elsewhere moved vCenter.
        let mut appeared_by_key: HashMap<Sym, Option<usize>> = HashMap::new();
        for (pos, (_, v)) in appeared.iter().enumerate() {
            if v.has_uuid {
                appeared_by_key
                    .entry(v.key)
                    .and_modify(|p| *p = None)
                    .or_insert(Some(pos));
            }
        }
        let mut moves = Moves::new();
        let mut taken = vec![false; appeared.len()];
        for (i, ov) in vanished {
            let target = appeared_by_key
                .get(&ov.key)
                .copied()
                .flatten()
                .filter(|p| ov.has_uuid && !taken[*p]);
            let ovc = &old.vcenters[i];
            match target {
                Some(pos) => {
                    taken[pos] = true;
                    let (j, nv) = appeared[pos];
                    let nvc = &new.vcenters[j];
                    let here = (nvc, "vm", &nv.obj);
                    let (from, to) = (Some(ovc.server), Some(nvc.server));
                    self.cmp(here, ChangeKind::Moved, "vcenter", from, to);
                    pair_vm(self, (i, ov), (j, nv));
                    moves.insert((i, ov.key), j);
                }
                None => {
                    let name = Some(ov.obj.name);
                    self.cmp((ovc, "vm", &ov.obj), ChangeKind::Vanished, "", name, None);
                }
            }
        }
        for (pos, (j, nv)) in appeared.iter().enumerate() {
            if !taken[pos] {
                let here = (&new.vcenters[*j], "vm", &nv.obj);
                self.cmp(here, ChangeKind::Appeared, "", None, Some(nv.obj.name));
            }
        }
        moves
    }

    fn vm(
        &mut self,
        (ovc, ov): (&Vc, &VmObj),
        (nvc, nv): (&Vc, &VmObj),
        (po, pn): (&Places, &Places),
    ) {
        let strs = self.strs;
        let here = (nvc, "vm", &nv.obj);
        let (o, n) = (&ov.obj, &nv.obj);
        self.cmp(
            here,
            ChangeKind::Renamed,
            "name",
            Some(o.name),
            Some(n.name),
        );
        if po.host(ov) != pn.host(nv) {
            self.cmp(here, ChangeKind::Moved, "host", ov.host, nv.host);
        }
        if po.datastores(ov, strs) != pn.datastores(nv, strs) {
            let (od, nd) = (Some(ov.datastores), Some(nv.datastores));
            self.cmp(here, ChangeKind::Moved, "datastore", od, nd);
        }
        for (k, (name, kind)) in VM_PROPS.iter().enumerate() {
            self.cmp(here, *kind, name, o.props[k], n.props[k]);
        }
        // Disks by label: a grown, added or removed disk.
        let none = Vec::new();
        let od = ovc.disks.get(&o.moref).unwrap_or(&none);
        let nd = nvc.disks.get(&n.moref).unwrap_or(&none);
        let new_disks: HashMap<Sym, &DiskObj> = nd.iter().map(|d| (d.label, d)).collect();
        let mut seen = HashSet::new();
        for d in od {
            let after = new_disks.get(&d.label);
            seen.insert(d.label);
            let label = strs.str(d.label);
            let cap = format!("disk {label} capacity_gib");
            let new_cap = after.and_then(|x| x.capacity_gib);
            self.cmp(here, ChangeKind::Changed, &cap, d.capacity_gib, new_cap);
            if let Some(x) = after {
                let prop = format!("disk {label} datastore");
                self.cmp(here, ChangeKind::Moved, &prop, d.datastore, x.datastore);
            }
        }
        for d in nd {
            if !seen.contains(&d.label) {
                let cap = format!("disk {} capacity_gib", strs.str(d.label));
                self.cmp(here, ChangeKind::Changed, &cap, None, d.capacity_gib);
            }
        }
    }

    /// The findings of the compared vCenters of one side, keyed; `place` gives the pair a
    /// finding belongs to (a VM that moved vCenter takes its old findings along).
    fn finding_keys(
        side: &Side,
        vcs: impl Iterator<Item = (usize, usize)>,
        place: impl Fn(usize, Sym, usize) -> usize,
    ) -> Vec<(FindingKey, usize, &FindingObj)> {
        let mut seen: HashMap<FindingKey, usize> = HashMap::new();
        let mut out = Vec::new();
        for (vc_pos, pair) in vcs {
            let vc = &side.vcenters[vc_pos];
            let vm_key: HashMap<Sym, Sym> = vc.vms.iter().map(|v| (v.obj.moref, v.key)).collect();
            for f in &vc.findings {
                let (pair, object) = match f.object_type {
                    ObjectKind::Vm => {
                        let key = vm_key.get(&f.moref).copied().unwrap_or(f.moref);
                        (place(vc_pos, key, pair), Some(key))
                    }
                    ObjectKind::VCenter => (pair, None),
                    ObjectKind::Host => (pair, Some(f.moref)),
                };
                let mut key = (pair, f.object_type, object, f.rule, 0);
                let n = seen.entry(key).or_default();
                key.4 = *n;
                *n += 1;
                out.push((key, vc_pos, f));
            }
        }
        out
    }

    fn findings(&mut self, old: &Side, new: &Side, pairs: &[(usize, usize)], moves: &Moves) {
        let pair_of_new: HashMap<usize, usize> = pairs
            .iter()
            .enumerate()
            .map(|(p, &(_, j))| (j, p))
            .collect();
        let olds = Self::finding_keys(
            old,
            pairs.iter().enumerate().map(|(p, &(i, _))| (i, p)),
            |i, key, p| {
                moves
                    .get(&(i, key))
                    .and_then(|j| pair_of_new.get(j))
                    .copied()
                    .unwrap_or(p)
            },
        );
        let news = Self::finding_keys(
            new,
            pairs.iter().enumerate().map(|(p, &(_, j))| (j, p)),
            |_, _, p| p,
        );
        let strs = self.strs;
        let show = |f: &FindingObj| format!("{} {}", f.status.as_str(), f.severity.as_str());
        let old_by_key: HashMap<&FindingKey, &FindingObj> =
            olds.iter().map(|(k, _, f)| (k, *f)).collect();
        let new_keys: HashSet<&FindingKey> = news.iter().map(|(k, _, _)| k).collect();
        let change = |vc: &Vc, f: &FindingObj, kind, old: Option<&str>, new: Option<&str>| {
            At {
                vcenter: strs.str(vc.server),
                object_type: f.object_type.as_str(),
                object: strs.str(f.object),
                moref: strs.str(f.moref),
            }
            .change(kind, strs.str(f.rule), old, new)
        };
        for (k, vc, f) in &olds {
            if !new_keys.contains(k) {
                let (vc, s) = (&old.vcenters[*vc], show(f));
                let kind = ChangeKind::ResolvedFinding;
                self.push(change(vc, f, kind, Some(&s), None));
            }
        }
        for (k, vc, f) in &news {
            let vc = &new.vcenters[*vc];
            match old_by_key.get(k) {
                None => {
                    let s = show(f);
                    self.push(change(vc, f, ChangeKind::NewFinding, None, Some(&s)));
                }
                Some(o) if (o.status, o.severity) != (f.status, f.severity) => {
                    let (s_old, s_new) = (show(o), show(f));
                    let kind = ChangeKind::ChangedFinding;
                    self.push(change(vc, f, kind, Some(&s_old), Some(&s_new)));
                }
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests;

//! Reading one side of a diff: a snapshot (audited here with the chosen profile) or a
//! `report.json`, both projected into the same compact [`Side`].
//!
//! - A snapshot is audited and its rows are made by the functions that make the report tables
//!   ([`crate::report::vm_rows`] and the others: the same rows `report.json` and the CSVs are
//!   written from); a `report.json` is read back into the same row types
//!   ([`crate::report::rows`], [`crate::audit::Finding`]), streaming, one row at a time. Either way
//!   the diff sees exactly what the reports show, so the two kinds of input mix freely.
//! - Each row is projected at once into a [`Record`] (only what the diff compares: names,
//!   morefs, keys, the compared properties as text, the findings' identities) and written to the
//!   side's temporary file ([`spill_side`]); the estate and its audit are dropped before the next
//!   side is read, so a diff holds at most one estate at a time, and no other side beside it.
//! - Once both sides are in their files, each is read back ([`Spilled::load`]) into a [`Side`]:
//!   per vCenter, every string a 4-byte [`Sym`] of one [`Interner`] for both sides, so a value
//!   repeated over 50k VMs (a guest OS, a cluster, `poweredOn`) and a name unchanged between OLD
//!   and NEW are stored once, and comparing two values compares two integers.

use super::ChangeKind;
use super::record::{Record, SpillWriter, Spilled, Table};
use crate::audit::{self, Finding, ObjectKind, Profile, Severity, Status};
use crate::report::rows::{DatastoreRow, DiskRow, HostRow, VCenterRow, VmRow};
use crate::report::{self};
use crate::snapshot::{self, SnapshotError};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::HashMap;
use std::io;
use std::marker::PhantomData;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

/// A string of either side, stored once: an index into the [`Interner`]. Equal strings have
/// equal symbols, so comparing two values compares two integers.
pub type Sym = NonZeroU32;

/// Why a side could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{0}")]
    Snapshot(#[from] SnapshotError),
    #[error(
        "{path} is neither a vcaudit snapshot nor a vcaudit report.json ({reason}); give a file from `vcaudit collect` or `vcaudit audit --format json`"
    )]
    Unreadable { path: String, reason: String },
    #[error(
        "could not use a temporary file in {} for the diff ({source}); check that the folder exists and has free space, or set TMPDIR to another folder",
        dir.display()
    )]
    Spill { dir: PathBuf, source: io::Error },
    #[error(
        "{path} is a report.json of schema {found}; this vcaudit reads up to {supported}: upgrade vcaudit"
    )]
    TooNew {
        path: String,
        found: u64,
        supported: u32,
    },
}

impl InputError {
    fn spill(source: io::Error) -> Self {
        InputError::Spill {
            dir: std::env::temp_dir(),
            source,
        }
    }
}

/// One copy of every string of both sides, each named by a [`Sym`]: the texts end to end in
/// one buffer, found again by their hash (a string whose hash another already has is looked up
/// by its text instead), so a string costs its bytes and about 30 more.
#[derive(Debug, Default)]
pub struct Interner<H = std::hash::RandomState> {
    text: String,
    /// Where each symbol's text ends in `text` (it starts where the previous one ends).
    ends: Vec<usize>,
    by_hash: HashMap<u64, Sym>,
    clashes: HashMap<Box<str>, Sym>,
    hasher: H,
}

impl<H: std::hash::BuildHasher> Interner<H> {
    /// The symbol of `s`, added when new.
    pub fn get(&mut self, s: &str) -> Sym {
        let h = self.hasher.hash_one(s);
        match self.by_hash.get(&h) {
            Some(&id) if self.str(id) == s => id,
            Some(_) => match self.clashes.get(s) {
                Some(&id) => id,
                None => {
                    let id = self.push(s);
                    self.clashes.insert(s.into(), id);
                    id
                }
            },
            None => {
                let id = self.push(s);
                self.by_hash.insert(h, id);
                id
            }
        }
    }

    fn push(&mut self, s: &str) -> Sym {
        self.text.push_str(s);
        self.ends.push(self.text.len());
        u32::try_from(self.ends.len())
            .ok()
            .and_then(NonZeroU32::new)
            .expect("fewer than 4 billion distinct strings")
    }

    /// The text of a symbol.
    pub fn str(&self, id: Sym) -> &str {
        let i = id.get() as usize - 1;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The text of an optional symbol.
    pub fn opt_str(&self, id: Option<Sym>) -> Option<&str> {
        id.map(|id| self.str(id))
    }

    fn opt(&mut self, s: Option<&str>) -> Option<Sym> {
        s.map(|s| self.get(s))
    }
}

/// The compared properties of hosts, in the order of [`Obj::props`], with the kind of change.
pub const HOST_PROPS: &[(&str, ChangeKind)] = &[
    ("datacenter", ChangeKind::Moved),
    ("cluster", ChangeKind::Moved),
    ("version", ChangeKind::Changed),
    ("build", ChangeKind::Changed),
    ("connection_state", ChangeKind::Changed),
    ("maintenance_mode", ChangeKind::Changed),
];

/// The compared properties of datastores.
pub const DATASTORE_PROPS: &[(&str, ChangeKind)] = &[
    ("datacenter", ChangeKind::Moved),
    ("datastore_cluster", ChangeKind::Moved),
    ("type", ChangeKind::Changed),
    ("capacity_gib", ChangeKind::Changed),
];

/// The compared properties of VMs (besides name, host, datastores and disks).
pub const VM_PROPS: &[(&str, ChangeKind)] = &[
    ("datacenter", ChangeKind::Moved),
    ("cluster", ChangeKind::Moved),
    ("folder", ChangeKind::Moved),
    ("power_state", ChangeKind::Changed),
    ("template", ChangeKind::Changed),
    ("guest_id", ChangeKind::Changed),
    ("guest_os_config", ChangeKind::Changed),
    ("guest_os_tools", ChangeKind::Changed),
    ("tools_status", ChangeKind::Changed),
    ("tools_running", ChangeKind::Changed),
    ("tools_version", ChangeKind::Changed),
    ("tools_version_status", ChangeKind::Changed),
    ("firmware", ChangeKind::Changed),
    ("cpus", ChangeKind::Changed),
    ("memory_mb", ChangeKind::Changed),
    ("disks", ChangeKind::Changed),
    ("provisioned_gib", ChangeKind::Changed),
    ("readiness", ChangeKind::Readiness),
];

/// A host, datastore or VM: its name, moref and compared properties (as report text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obj {
    pub name: Sym,
    pub moref: Sym,
    pub props: Box<[Option<Sym>]>,
}

/// A VM: what every object has, its match key, and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmObj {
    pub obj: Obj,
    /// The instance UUID, or the moref when unknown.
    pub key: Sym,
    /// Whether `key` is an instance UUID (only those can match across vCenters).
    pub has_uuid: bool,
    pub host: Option<Sym>,
    /// Datastore names as the report shows them (`; `-joined).
    pub datastores: Sym,
}

/// A virtual disk of a VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskObj {
    pub label: Sym,
    pub capacity_gib: Option<Sym>,
    pub datastore: Option<Sym>,
}

/// A finding's identity and standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingObj {
    pub object_type: ObjectKind,
    pub object: Sym,
    pub moref: Sym,
    pub rule: Sym,
    pub severity: Severity,
    pub status: Status,
}

/// One vCenter of a side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vc {
    pub server: Sym,
    pub instance_uuid: Option<Sym>,
    /// `ok` when collected completely.
    pub status: Sym,
    pub error: Option<String>,
    pub hosts: Vec<Obj>,
    pub datastores: Vec<Obj>,
    pub vms: Vec<VmObj>,
    /// VM moref -> its disks.
    pub disks: HashMap<Sym, Vec<DiskObj>>,
    pub findings: Vec<FindingObj>,
}

/// A side as read: where from, the profile its findings come from, its vCenters.
#[derive(Debug, Clone, Default)]
pub struct Side {
    pub path: PathBuf,
    pub profile: String,
    pub vcenters: Vec<Vc>,
    by_server: HashMap<Sym, usize>,
}

impl Side {
    /// The vCenter named `server`, added when first seen.
    fn vc(&mut self, strs: &mut Interner, server: &str) -> &mut Vc {
        let server = strs.get(server);
        let i = match self.by_server.get(&server) {
            Some(&i) => i,
            None => {
                self.vcenters.push(Vc {
                    server,
                    instance_uuid: None,
                    status: strs.get(""),
                    error: None,
                    hosts: Vec::new(),
                    datastores: Vec::new(),
                    vms: Vec::new(),
                    disks: HashMap::new(),
                    findings: Vec::new(),
                });
                self.by_server.insert(server, self.vcenters.len() - 1);
                self.vcenters.len() - 1
            }
        };
        &mut self.vcenters[i]
    }

    /// Gives back the spare capacity of every list, once the side is read.
    fn shrink(&mut self) {
        for vc in &mut self.vcenters {
            vc.hosts.shrink_to_fit();
            vc.datastores.shrink_to_fit();
            vc.vms.shrink_to_fit();
            vc.findings.shrink_to_fit();
            vc.disks.shrink_to_fit();
        }
    }

    /// Adds a record ([`Record`]'s field order per table).
    pub fn put(&mut self, strs: &mut Interner, rec: &Record) -> io::Result<()> {
        let props = |strs: &mut Interner, from: usize| -> Box<[Option<Sym>]> {
            (from..rec.len()).map(|i| strs.opt(rec.get(i))).collect()
        };
        match rec.table() {
            Table::VCenter => {
                let instance_uuid = strs.opt(rec.get(1));
                let status = strs.get(rec.str(2));
                let vc = self.vc(strs, rec.str(0));
                vc.instance_uuid = instance_uuid;
                vc.status = status;
                vc.error = rec.get(3).map(str::to_string);
            }
            table @ (Table::Host | Table::Datastore) => {
                let obj = Obj {
                    props: props(strs, 3),
                    name: strs.get(rec.str(1)),
                    moref: strs.get(rec.str(2)),
                };
                let vc = self.vc(strs, rec.str(0));
                match table {
                    Table::Host => vc.hosts.push(obj),
                    _ => vc.datastores.push(obj),
                }
            }
            Table::Vm => {
                let moref = strs.get(rec.str(2));
                let uuid = rec.get(3);
                let vm = VmObj {
                    key: uuid.map_or(moref, |u| strs.get(u)),
                    has_uuid: uuid.is_some(),
                    host: strs.opt(rec.get(4)),
                    datastores: strs.get(rec.str(5)),
                    obj: Obj {
                        props: props(strs, 6),
                        name: strs.get(rec.str(1)),
                        moref,
                    },
                };
                self.vc(strs, rec.str(0)).vms.push(vm);
            }
            Table::Disk => {
                let disk = DiskObj {
                    label: strs.get(rec.str(2)),
                    capacity_gib: strs.opt(rec.get(3)),
                    datastore: strs.opt(rec.get(4)),
                };
                let vm = strs.get(rec.str(1));
                let vc = self.vc(strs, rec.str(0));
                vc.disks.entry(vm).or_default().push(disk);
            }
            Table::Finding => {
                let word = |i: usize| {
                    serde::de::value::StrDeserializer::<serde::de::value::Error>::new(rec.str(i))
                };
                let bad =
                    |e: serde::de::value::Error| io::Error::new(io::ErrorKind::InvalidData, e);
                let finding = FindingObj {
                    object_type: ObjectKind::deserialize(word(1)).map_err(bad)?,
                    object: strs.get(rec.str(2)),
                    moref: strs.get(rec.str(3)),
                    rule: strs.get(rec.str(4)),
                    severity: Severity::deserialize(word(5)).map_err(bad)?,
                    status: Status::deserialize(word(6)).map_err(bad)?,
                };
                self.vc(strs, rec.str(0)).findings.push(finding);
            }
        }
        Ok(())
    }

    /// Adds a record just projected from a row: its enums are spelled by their own types, so
    /// they read back.
    fn put_projected(&mut self, strs: &mut Interner, rec: &Record) {
        self.put(strs, rec)
            .expect("a record projected from a row reads back");
    }

    /// Adds a `vcenters` row.
    pub fn add_vcenter(&mut self, strs: &mut Interner, r: VCenterRow) {
        let mut rec = Record::default();
        rec.vcenter(&r);
        self.put_projected(strs, &rec);
    }

    /// Adds a `hosts` row.
    pub fn add_host(&mut self, strs: &mut Interner, r: HostRow) {
        let mut rec = Record::default();
        rec.host(&r);
        self.put_projected(strs, &rec);
    }

    /// Adds a `datastores` row.
    pub fn add_datastore(&mut self, strs: &mut Interner, r: DatastoreRow) {
        let mut rec = Record::default();
        rec.datastore(&r);
        self.put_projected(strs, &rec);
    }

    /// Adds a `vms` row.
    pub fn add_vm(&mut self, strs: &mut Interner, r: VmRow) {
        let mut rec = Record::default();
        rec.vm(&r);
        self.put_projected(strs, &rec);
    }

    /// Adds a `disks` row.
    pub fn add_disk(&mut self, strs: &mut Interner, r: DiskRow) {
        let mut rec = Record::default();
        rec.disk(&r);
        self.put_projected(strs, &rec);
    }

    /// Adds a `findings` row.
    pub fn add_finding(&mut self, strs: &mut Interner, f: &Finding) {
        let mut rec = Record::default();
        rec.finding(f);
        self.put_projected(strs, &rec);
    }
}

/// Reads a snapshot (`.json`/`.json.zst`, audited with `profile`) or a `report.json` (or a report
/// folder holding one), sharing strings through `strs`.
pub fn read_side(path: &Path, profile: &Profile, strs: &mut Interner) -> Result<Side, InputError> {
    spill_side(path, profile)?.load(strs)
}

/// Reads a side as [`read_side`] does, into a temporary file instead of memory: a snapshot's
/// estate and audit are dropped before this returns, so the other side can be read within the
/// same memory. [`Spilled::load`] makes the [`Side`].
pub fn spill_side(path: &Path, profile: &Profile) -> Result<Spilled, InputError> {
    let dir_report = path.join(report::json::FILE_NAME);
    if path.is_dir() && dir_report.is_file() {
        return spill_report(&dir_report);
    }
    // On this thread only: the other side is read after this one is freed, and memory freed
    // in other threads' heaps would not be reused for it.
    let snap = match snapshot::read_on_this_thread(path) {
        Ok(snap) => snap,
        Err(SnapshotError::NotASnapshot { .. }) => return spill_report(path),
        Err(e) => return Err(e.into()),
    };
    let estate = snap.into_estate();
    let mut result = audit::audit(&estate, profile);
    let mut out = SpillWriter::new().map_err(InputError::spill)?;
    let mut rec = Record::default();
    // Findings first, then their messages are freed (no record needs them).
    for f in &result.findings {
        rec.finding(f);
        out.put(&rec);
    }
    result.findings = Vec::new();
    // The tables' own row functions; each row is projected, written and dropped.
    for r in report::vcenter_rows(&estate, &result) {
        rec.vcenter(&r);
        out.put(&rec);
    }
    for r in report::host_rows(&estate, &result) {
        rec.host(&r);
        out.put(&rec);
    }
    for r in report::vm_rows(&estate, &result) {
        rec.vm(&r);
        out.put(&rec);
    }
    for r in report::disk_rows(&estate) {
        rec.disk(&r);
        out.put(&rec);
    }
    for r in report::datastore_rows(&estate) {
        rec.datastore(&r);
        out.put(&rec);
    }
    drop((estate, result));
    // The pools' tables and the strings only they still hold go with the side.
    crate::model::clear_pools();
    out.finish(path.to_path_buf(), profile.name().to_string())
        .map_err(InputError::spill)
}

impl Spilled {
    /// Reads the side back from its temporary file, sharing strings through `strs`.
    pub fn load(self, strs: &mut Interner) -> Result<Side, InputError> {
        let mut side = Side {
            path: self.path.clone(),
            profile: self.profile.clone(),
            ..Side::default()
        };
        let mut records = self.records().map_err(InputError::spill)?;
        let mut rec = Record::default();
        while records.next_into(&mut rec).map_err(InputError::spill)? {
            side.put(strs, &rec).map_err(InputError::spill)?;
        }
        side.shrink();
        Ok(side)
    }
}

/// Reads a `report.json`, streaming: every row is projected and written as it is read.
fn spill_report(path: &Path) -> Result<Spilled, InputError> {
    let shown = path.display().to_string();
    let unreadable = |reason: String| InputError::Unreadable {
        path: shown.clone(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| unreadable(e.to_string()))?;
    let mut out = SpillWriter::new().map_err(InputError::spill)?;
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(file));
    let header = (&mut de)
        .deserialize_map(Doc {
            out: &mut out,
            rec: Record::default(),
        })
        .and_then(|h| de.end().map(|()| h))
        .map_err(|e| unreadable(e.to_string()))?;
    let (Some(version), Some(_)) = (header.schema_version, header.vcaudit_version) else {
        return Err(unreadable("no schema_version and vcaudit_version".into()));
    };
    if version > u64::from(report::json::SCHEMA_VERSION) {
        return Err(InputError::TooNew {
            path: shown,
            found: version,
            supported: report::json::SCHEMA_VERSION,
        });
    }
    // Every row names its vCenter: no rows, no vCenters.
    if out.records() == 0 {
        return Err(unreadable("it lists no vcenters".into()));
    }
    out.finish(path.to_path_buf(), header.profile.unwrap_or_default())
        .map_err(InputError::spill)
}

/// The header keys of a `report.json`.
#[derive(Default)]
struct Header {
    schema_version: Option<u64>,
    vcaudit_version: Option<String>,
    profile: Option<String>,
}

/// The whole `report.json` document: header keys kept, tables projected row by row.
struct Doc<'s> {
    out: &'s mut SpillWriter,
    rec: Record,
}

impl<'de> Visitor<'de> for Doc<'_> {
    type Value = Header;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a vcaudit report.json object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
        let Doc { out, mut rec } = self;
        let mut h = Header::default();
        let supported = u64::from(report::json::SCHEMA_VERSION);
        while let Some(key) = map.next_key::<String>()? {
            // Rows of a newer schema are not read: the caller says to upgrade.
            let too_new = h.schema_version.is_some_and(|v| v > supported);
            match key.as_str() {
                "schema_version" => h.schema_version = map.next_value()?,
                "vcaudit_version" => h.vcaudit_version = map.next_value()?,
                "profile" => h.profile = map.next_value()?,
                _ if too_new => drop(map.next_value::<IgnoredAny>()?),
                "vcenters" => map.next_value_seed(Rows(
                    |r: VCenterRow| {
                        rec.vcenter(&r);
                        out.put(&rec)
                    },
                    PhantomData,
                ))?,
                "hosts" => map.next_value_seed(Rows(
                    |r: HostRow| {
                        rec.host(&r);
                        out.put(&rec)
                    },
                    PhantomData,
                ))?,
                "vms" => map.next_value_seed(Rows(
                    |r: VmRow| {
                        rec.vm(&r);
                        out.put(&rec)
                    },
                    PhantomData,
                ))?,
                "disks" => map.next_value_seed(Rows(
                    |r: DiskRow| {
                        rec.disk(&r);
                        out.put(&rec)
                    },
                    PhantomData,
                ))?,
                "datastores" => map.next_value_seed(Rows(
                    |r: DatastoreRow| {
                        rec.datastore(&r);
                        out.put(&rec)
                    },
                    PhantomData,
                ))?,
                "findings" => map.next_value_seed(Rows(
                    |f: Finding| {
                        rec.finding(&f);
                        out.put(&rec)
                    },
                    PhantomData,
                ))?,
                _ => drop(map.next_value::<IgnoredAny>()?),
            }
        }
        Ok(h)
    }
}

/// A table's array, each row of type `R` handed to the closure as it is read.
struct Rows<F, R>(F, PhantomData<R>);

impl<'de, F: FnMut(R), R: Deserialize<'de>> DeserializeSeed<'de> for Rows<F, R> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(R), R: Deserialize<'de>> Visitor<'de> for Rows<F, R> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(row) = seq.next_element::<R>()? {
            (self.0)(row);
        }
        Ok(())
    }
}

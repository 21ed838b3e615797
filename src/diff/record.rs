//! One row of a side as the diff keeps it ([`Record`]), and the temporary file a side waits in
//! while the other side is read ([`SpillWriter`], [`Spilled`]).
//!
//! - A [`Record`] is a report row cut down to what the diff compares, every field as text in a
//!   fixed order per [`Table`]: the vCenter, then the name, moref and key, then the compared
//!   properties in the order of [`HOST_PROPS`], [`DATASTORE_PROPS`] and [`VM_PROPS`]. Rows are
//!   projected here once, whether they come from an audit or from a `report.json`;
//!   [`super::input::Side::put`] turns a record into the side's compact objects.
//! - A snapshot is audited with its whole estate in memory. Its records are written, zstd
//!   compressed, to an unlinked temporary file (in `TMPDIR`) and the estate is dropped; only when
//!   both sides are in their files are they read back into sides and compared. So a diff's peak
//!   is that of auditing its larger input alone, not that plus the other side, and the file
//!   vanishes with the process however it ends.
//! - The file's format is private to one run: per record a table byte, a field count byte, then
//!   each field as a little-endian `u32` (0 when absent, else its length + 1) and its UTF-8 bytes.

use super::input::{DATASTORE_PROPS, HOST_PROPS, VM_PROPS};
use crate::audit::Finding;
use crate::report::rows::{DatastoreRow, DiskRow, HostRow, VCenterRow, VmRow};
use std::fmt::{Display, Write as _};
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

/// The table a [`Record`] comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Table {
    #[default]
    VCenter,
    Host,
    Datastore,
    Vm,
    Disk,
    Finding,
}

impl Table {
    const ALL: [Table; 6] = [
        Table::VCenter,
        Table::Host,
        Table::Datastore,
        Table::Vm,
        Table::Disk,
        Table::Finding,
    ];

    /// How many fields a record of this table has.
    pub fn field_count(self) -> usize {
        match self {
            Table::VCenter => 4,
            Table::Host => 3 + HOST_PROPS.len(),
            Table::Datastore => 3 + DATASTORE_PROPS.len(),
            Table::Vm => 6 + VM_PROPS.len(),
            Table::Disk => 5,
            Table::Finding => 7,
        }
    }

    fn code(self) -> u8 {
        self as u8
    }

    fn from_code(c: u8) -> Option<Table> {
        Table::ALL.get(usize::from(c)).copied()
    }
}

/// One row, cut down to the fields the diff compares, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    table: Table,
    /// The fields' texts end to end.
    text: String,
    /// Where each field is in `text`; `None` when absent (unknown).
    fields: Vec<Option<(usize, usize)>>,
}

impl Record {
    /// The table the record comes from.
    pub fn table(&self) -> Table {
        self.table
    }

    /// How many fields it has.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether it has no fields (only before it is filled).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Field `i`, `None` when absent.
    pub fn get(&self, i: usize) -> Option<&str> {
        let (a, b) = self.fields.get(i).copied().flatten()?;
        Some(&self.text[a..b])
    }

    /// Field `i`, empty when absent.
    pub fn str(&self, i: usize) -> &str {
        self.get(i).unwrap_or_default()
    }

    fn start(&mut self, table: Table) {
        self.table = table;
        self.text.clear();
        self.fields.clear();
    }

    fn push(&mut self, s: Option<&str>) {
        let at = s.map(|s| {
            let a = self.text.len();
            self.text.push_str(s);
            (a, self.text.len())
        });
        self.fields.push(at);
    }

    /// A value as its report text.
    fn push_text<T: Display>(&mut self, v: Option<T>) {
        let at = v.map(|v| {
            let a = self.text.len();
            let _ = write!(self.text, "{v}");
            (a, self.text.len())
        });
        self.fields.push(at);
    }

    /// A `vcenters` row: server, instance UUID (absent when empty), status, error.
    pub fn vcenter(&mut self, r: &VCenterRow) {
        self.start(Table::VCenter);
        self.push(Some(&r.vcenter));
        self.push(r.instance_uuid.as_deref().filter(|u| !u.is_empty()));
        self.push(Some(&r.status));
        self.push(r.error.as_deref());
    }

    /// A `hosts` row: vCenter, name, moref, then [`HOST_PROPS`].
    pub fn host(&mut self, r: &HostRow) {
        self.start(Table::Host);
        for s in [&r.vcenter, &r.host, &r.moref] {
            self.push(Some(s));
        }
        for s in [&r.datacenter, &r.cluster, &r.version, &r.build] {
            self.push(s.as_deref());
        }
        self.push(r.connection_state.as_deref());
        self.push_text(r.maintenance_mode);
    }

    /// A `datastores` row: vCenter, name, moref, then [`DATASTORE_PROPS`].
    pub fn datastore(&mut self, r: &DatastoreRow) {
        self.start(Table::Datastore);
        for s in [&r.vcenter, &r.datastore, &r.moref] {
            self.push(Some(s));
        }
        for s in [&r.datacenter, &r.datastore_cluster, &r.kind] {
            self.push(s.as_deref());
        }
        self.push_text(r.capacity_gib);
    }

    /// A `vms` row: vCenter, name, moref, instance UUID (absent when empty), host, datastores,
    /// then [`VM_PROPS`].
    pub fn vm(&mut self, r: &VmRow) {
        self.start(Table::Vm);
        self.push(Some(&r.vcenter));
        self.push(Some(&r.vm));
        self.push(Some(&r.moref));
        self.push(r.instance_uuid.as_deref().filter(|u| !u.is_empty()));
        self.push(r.host.as_deref());
        self.push(Some(&r.datastores));
        for s in [&r.datacenter, &r.cluster, &r.folder, &r.power_state] {
            self.push(s.as_deref());
        }
        self.push_text(r.template);
        for s in [
            &r.guest_id,
            &r.guest_os_config,
            &r.guest_os_tools,
            &r.tools_status,
            &r.tools_running,
            &r.tools_version,
            &r.tools_version_status,
            &r.firmware,
        ] {
            self.push(s.as_deref());
        }
        self.push_text(r.cpus);
        self.push_text(r.memory_mb);
        self.push_text(r.disks);
        self.push_text(r.provisioned_gib);
        self.push(Some(&r.readiness));
    }

    /// A `disks` row: vCenter, VM moref, label (empty when unknown), capacity, datastore.
    pub fn disk(&mut self, r: &DiskRow) {
        self.start(Table::Disk);
        self.push(Some(&r.vcenter));
        self.push(Some(&r.vm_moref));
        self.push(Some(r.label.as_deref().unwrap_or_default()));
        self.push_text(r.capacity_gib);
        self.push(r.datastore.as_deref());
    }

    /// A finding: vCenter, object type, object, moref, rule, severity, status.
    pub fn finding(&mut self, f: &Finding) {
        self.start(Table::Finding);
        self.push(Some(&f.vcenter));
        self.push(Some(f.object_type.as_str()));
        self.push(Some(&f.object));
        self.push(Some(&f.moref));
        self.push(Some(&f.rule));
        self.push(Some(f.severity.as_str()));
        self.push(Some(f.status.as_str()));
    }
}

/// A side's records on their way into an unlinked temporary file.
pub struct SpillWriter {
    out: zstd::stream::write::Encoder<'static, BufWriter<File>>,
    /// The first write error; later records are not written.
    err: Option<io::Error>,
    records: usize,
}

impl SpillWriter {
    /// A new, empty temporary file in `TMPDIR` (unlinked at once: nothing is left behind).
    pub fn new() -> io::Result<Self> {
        let file = tempfile::tempfile()?;
        // Level 1: the records repeat a lot, so even the fastest level shrinks them several
        // times, and a temporary folder in memory (tmpfs) holds little.
        let out = zstd::stream::write::Encoder::new(BufWriter::new(file), 1)?;
        Ok(SpillWriter {
            out,
            err: None,
            records: 0,
        })
    }

    /// Writes a record (an error is kept and given back by [`SpillWriter::finish`]).
    pub fn put(&mut self, rec: &Record) {
        if self.err.is_none() {
            match self.write(rec) {
                Ok(()) => self.records += 1,
                Err(e) => self.err = Some(e),
            }
        }
    }

    fn write(&mut self, rec: &Record) -> io::Result<()> {
        let count = u8::try_from(rec.fields.len()).map_err(|_| invalid("too many fields"))?;
        self.out.write_all(&[rec.table.code(), count])?;
        for f in &rec.fields {
            let (len, bytes) = match *f {
                None => (0, &[][..]),
                Some((a, b)) => {
                    let len = u32::try_from(b - a + 1).map_err(|_| invalid("field too long"))?;
                    (len, &rec.text.as_bytes()[a..b])
                }
            };
            self.out.write_all(&len.to_le_bytes())?;
            self.out.write_all(bytes)?;
        }
        Ok(())
    }

    /// How many records were written.
    pub fn records(&self) -> usize {
        self.records
    }

    /// Closes the writing, ready to read back from the start.
    pub fn finish(self, path: PathBuf, profile: String) -> io::Result<Spilled> {
        if let Some(e) = self.err {
            return Err(e);
        }
        let mut file = self
            .out
            .finish()?
            .into_inner()
            .map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        Ok(Spilled {
            file,
            path,
            profile,
        })
    }
}

/// A side waiting in its temporary file: where it was read from, the profile of its findings.
pub struct Spilled {
    file: File,
    pub path: PathBuf,
    pub profile: String,
}

impl Spilled {
    /// Reads the records back, in the order they were written.
    pub fn records(self) -> io::Result<SpillReader> {
        Ok(SpillReader {
            input: zstd::stream::read::Decoder::new(self.file)?,
            buf: Vec::new(),
        })
    }
}

/// Reads a [`Spilled`] side's records back.
pub struct SpillReader {
    input: zstd::stream::read::Decoder<'static, io::BufReader<File>>,
    buf: Vec<u8>,
}

impl SpillReader {
    /// Fills `rec` with the next record; `false` at the end.
    pub fn next_into(&mut self, rec: &mut Record) -> io::Result<bool> {
        let mut head = [0u8; 2];
        match self.input.read_exact(&mut head[..1]) {
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
            r => r?,
        }
        self.input.read_exact(&mut head[1..])?;
        let table = Table::from_code(head[0]).ok_or_else(|| invalid("unknown table"))?;
        if usize::from(head[1]) != table.field_count() {
            return Err(invalid("wrong field count"));
        }
        rec.start(table);
        for _ in 0..head[1] {
            let mut len = [0u8; 4];
            self.input.read_exact(&mut len)?;
            let Some(len) = u32::from_le_bytes(len).checked_sub(1) else {
                rec.push(None);
                continue;
            };
            self.buf.clear();
            (&mut self.input)
                .take(u64::from(len))
                .read_to_end(&mut self.buf)?;
            if self.buf.len() != len as usize {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let s = std::str::from_utf8(&self.buf).map_err(|_| invalid("not UTF-8"))?;
            rec.push(Some(s));
        }
        Ok(true)
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the diff's temporary file is damaged: {what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{ObjectKind, Severity, Status, Verdict};
    use crate::diff::input::{Interner, Side};

    /// One side's rows, table by table.
    type Rows = (
        Vec<VCenterRow>,
        Vec<HostRow>,
        Vec<DatastoreRow>,
        Vec<VmRow<'static>>,
        Vec<DiskRow<'static>>,
        Vec<Finding>,
    );

    /// Rows of every table, with fields absent, empty, non-ASCII and long.
    fn rows() -> Rows {
        let vcenters = vec![
            VCenterRow {
                vcenter: "vc1".into(),
                instance_uuid: Some("u-1".into()),
                status: "ok".into(),
                ..Default::default()
            },
            VCenterRow {
                vcenter: "vc-down".into(),
                instance_uuid: Some(String::new()),
                status: "error".into(),
                error: Some("connection refused".into()),
                ..Default::default()
            },
        ];
        let hosts = vec![HostRow {
            vcenter: "vc1".into(),
            host: "esx-ü".into(),
            moref: "host-1".into(),
            cluster: Some(String::new()),
            maintenance_mode: Some(false),
            ..Default::default()
        }];
        let datastores = vec![DatastoreRow {
            vcenter: "vc1".into(),
            datastore: "ds1".into(),
            moref: "datastore-1".into(),
            capacity_gib: Some(crate::report::gib(3 << 30)),
            ..Default::default()
        }];
        let vms = vec![
            VmRow {
                vcenter: "vc1".into(),
                vm: "x".repeat(70_000).into(),
                moref: "vm-1".into(),
                instance_uuid: Some("i-1".into()),
                host: Some("esx-ü".into()),
                datastores: "ds1; ds2".into(),
                template: Some(true),
                cpus: Some(4),
                memory_mb: Some(8192),
                readiness: "ready".into(),
                ..Default::default()
            },
            VmRow {
                vcenter: "vc1".into(),
                vm: String::new().into(),
                moref: "vm-2".into(),
                instance_uuid: Some(String::new().into()),
                readiness: "not-ready".into(),
                ..Default::default()
            },
        ];
        let disks = vec![
            DiskRow {
                vcenter: "vc1".into(),
                vm_moref: "vm-1".into(),
                label: Some("Hard disk 1".into()),
                capacity_gib: Some(crate::report::gib(40 << 30)),
                datastore: Some("ds1".into()),
                ..Default::default()
            },
            DiskRow {
                vcenter: "vc1".into(),
                vm_moref: "vm-1".into(),
                ..Default::default()
            },
        ];
        let mut findings = Vec::new();
        for (object_type, severity, status) in [
            (ObjectKind::Vm, Severity::Error, Status::Fail),
            (ObjectKind::Host, Severity::Warning, Status::Unknown),
            (ObjectKind::VCenter, Severity::Error, Status::Pass),
        ] {
            let verdict = Verdict {
                vcenter: "vc1".into(),
                object_type,
                rule: "guest-os".into(),
                severity,
                status,
                message: "not carried".into(),
                actual: Default::default(),
                expected: Default::default(),
            };
            findings.push(Finding::new("x".into(), "vm-1".into(), verdict));
        }
        (vcenters, hosts, datastores, vms, disks, findings)
    }

    /// Every row as a record, in the order a side is written.
    fn records() -> Vec<Record> {
        let (vcenters, hosts, datastores, vms, disks, findings) = rows();
        let mut out = Vec::new();
        let mut put = |f: &dyn Fn(&mut Record)| {
            let mut rec = Record::default();
            f(&mut rec);
            assert_eq!(rec.len(), rec.table().field_count(), "{:?}", rec.table());
            out.push(rec);
        };
        findings.iter().for_each(|r| put(&|rec| rec.finding(r)));
        vcenters.iter().for_each(|r| put(&|rec| rec.vcenter(r)));
        hosts.iter().for_each(|r| put(&|rec| rec.host(r)));
        vms.iter().for_each(|r| put(&|rec| rec.vm(r)));
        disks.iter().for_each(|r| put(&|rec| rec.disk(r)));
        datastores.iter().for_each(|r| put(&|rec| rec.datastore(r)));
        out
    }

    fn spill(records: &[Record]) -> Spilled {
        let mut w = SpillWriter::new().unwrap();
        for r in records {
            w.put(r);
        }
        assert_eq!(w.records(), records.len());
        w.finish("s.json".into(), "asr".into()).unwrap()
    }

    #[test]
    fn records_read_back_from_the_temporary_file_as_written() {
        let written = records();
        // Absent and empty differ, and both survive.
        let vm2 = &written[7];
        assert_eq!((vm2.table(), vm2.str(2)), (Table::Vm, "vm-2"));
        assert_eq!((vm2.get(1), vm2.get(3), vm2.get(4)), (Some(""), None, None));
        let mut reader = spill(&written).records().unwrap();
        let mut rec = Record::default();
        let mut read = Vec::new();
        while reader.next_into(&mut rec).unwrap() {
            read.push(rec.clone());
        }
        assert_eq!(read, written);
        assert_eq!(read[6].str(1).len(), 70_000);
        assert!(
            !reader.next_into(&mut rec).unwrap(),
            "the end stays the end"
        );
    }

    #[test]
    fn a_side_read_back_from_its_file_is_the_side_built_in_memory() {
        let mut strs = Interner::default();
        let mut in_memory = Side::default();
        let (vcenters, hosts, datastores, vms, disks, findings) = rows();
        for f in &findings {
            in_memory.add_finding(&mut strs, f);
        }
        vcenters
            .into_iter()
            .for_each(|r| in_memory.add_vcenter(&mut strs, r));
        hosts
            .into_iter()
            .for_each(|r| in_memory.add_host(&mut strs, r));
        vms.into_iter().for_each(|r| in_memory.add_vm(&mut strs, r));
        disks
            .into_iter()
            .for_each(|r| in_memory.add_disk(&mut strs, r));
        datastores
            .into_iter()
            .for_each(|r| in_memory.add_datastore(&mut strs, r));

        let spilled = spill(&records()).load(&mut strs).unwrap();
        assert_eq!(spilled.vcenters, in_memory.vcenters);
        assert_eq!(
            (spilled.profile.as_str(), spilled.path.to_str()),
            ("asr", Some("s.json"))
        );
        let vc = &spilled.vcenters[0];
        assert_eq!(strs.str(vc.server), "vc1");
        assert_eq!(
            spilled.vcenters[1].error.as_deref(),
            Some("connection refused")
        );
        assert_eq!(
            spilled.vcenters[1].instance_uuid, None,
            "an empty UUID is unknown"
        );
        let kinds: Vec<_> = vc
            .findings
            .iter()
            .map(|f| (f.object_type, f.severity, f.status))
            .collect();
        assert_eq!(
            kinds,
            [
                (ObjectKind::Vm, Severity::Error, Status::Fail),
                (ObjectKind::Host, Severity::Warning, Status::Unknown),
                (ObjectKind::VCenter, Severity::Error, Status::Pass),
            ]
        );
        assert_eq!(vc.vms.len(), 2);
        assert!(vc.vms[0].has_uuid && !vc.vms[1].has_uuid);
        assert_eq!(
            vc.vms[1].key, vc.vms[1].obj.moref,
            "no UUID: matched by moref"
        );
        let disks = &vc.disks[&vc.vms[0].obj.moref];
        assert_eq!(disks.len(), 2);
        assert_eq!(strs.opt_str(disks[0].capacity_gib), Some("40"));
    }

    /// A temporary file with these bytes, zstd compressed, as a spilled side.
    fn damaged(bytes: &[u8]) -> io::Error {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&zstd::encode_all(bytes, 1).unwrap())
            .unwrap();
        file.seek(SeekFrom::Start(0)).unwrap();
        let spilled = Spilled {
            file,
            path: "s".into(),
            profile: String::new(),
        };
        let mut reader = spilled.records().unwrap();
        let mut rec = Record::default();
        loop {
            match reader.next_into(&mut rec) {
                Ok(true) => {}
                Ok(false) => panic!("{bytes:?} read to the end"),
                Err(e) => return e,
            }
        }
    }

    #[test]
    fn a_damaged_temporary_file_is_an_error_not_a_panic() {
        assert_eq!(damaged(&[9, 0]).kind(), io::ErrorKind::InvalidData);
        assert_eq!(
            damaged(&[Table::Vm.code(), 2]).kind(),
            io::ErrorKind::InvalidData
        );
        // A record cut short.
        let mut cut = vec![Table::Disk.code(), 5];
        cut.extend(11u32.to_le_bytes());
        cut.extend(b"vc1");
        assert_eq!(damaged(&cut).kind(), io::ErrorKind::UnexpectedEof);
        let mut not_utf8 = vec![Table::Disk.code(), 5];
        not_utf8.extend(2u32.to_le_bytes());
        not_utf8.push(0xff);
        assert_eq!(damaged(&not_utf8).kind(), io::ErrorKind::InvalidData);
        assert!(
            damaged(&[9, 0])
                .to_string()
                .contains("temporary file is damaged")
        );
    }
}

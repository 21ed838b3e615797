//! The rows of an RVTools workbook, made from the estate and its audit, sheet by sheet.
//!
//! RVTools' conventions: sizes in MiB as integers, booleans as the text `True`/`False`, enum
//! values as vSphere spells them, dates as dates, and unknown values as empty cells (never a
//! guess). `VM UUID` is the instance UUID, `SMBIOS UUID` the BIOS UUID, `VM ID` the moref,
//! `VI SDK Server` the vCenter as named, without a scheme.
//!
//! - `vm`: the VM sheets (vInfo, vCPU, vMemory, vDisk, vPartition, vNetwork, vTools);
//! - `infra`: vHost, vCluster, vDatastore and vSource.

mod infra;
mod vm;

use super::plan::Part;
use super::sheets::{Sheet, SheetId};
use crate::audit::AuditResult;
use crate::model::{Estate, VCenterInventory};
use infra::{cluster_row, datastore_rows, host_row, source_row, vm_counts};
use std::collections::HashMap;
use vm::vm_rows;

/// One RVTools cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// An RFC 3339 time, written as a date.
    Date(String),
}

const MIB: u64 = 1024 * 1024;

fn text<S: std::ops::Deref<Target = str>>(s: &Option<S>) -> Cell {
    s.as_ref()
        .map_or(Cell::Empty, |s| Cell::Text(String::from(&**s)))
}

/// A cell of a value held in a compact form (UUIDs, disk paths), as text.
fn shown<T: std::fmt::Display>(v: &Option<T>) -> Cell {
    v.as_ref()
        .map_or(Cell::Empty, |v| Cell::Text(v.to_string()))
}

fn tf(b: Option<bool>) -> Cell {
    b.map_or(Cell::Empty, |b| {
        Cell::Text(if b { "True" } else { "False" }.into())
    })
}

fn int<T: TryInto<i64>>(n: Option<T>) -> Cell {
    n.and_then(|n| n.try_into().ok())
        .map_or(Cell::Empty, Cell::Int)
}

fn mib(bytes: Option<u64>) -> Cell {
    int(bytes.map(|b| b / MIB))
}

/// RVTools' `HW version`: the number of `config.version` (`vmx-19` is 19).
fn hw_version(v: &Option<crate::model::Shared>) -> Cell {
    int(v
        .as_deref()
        .and_then(|v| v.strip_prefix("vmx-"))
        .and_then(|n| n.parse::<i64>().ok()))
}

/// Where rows go: one call per row, sheet by sheet in any interleaving, rows of one sheet in order.
pub trait RowSink {
    type Error;
    fn row(&mut self, sheet: SheetId, cells: &[Cell]) -> Result<(), Self::Error>;
}

/// A row under construction: cells set by header name.
pub struct Row {
    index: &'static HashMap<&'static str, usize>,
    cells: Vec<Cell>,
}

impl Row {
    fn set(&mut self, column: &str, cell: Cell) {
        match self.index.get(column) {
            Some(&i) => self.cells[i] = cell,
            None => debug_assert!(false, "no column {column}"),
        }
    }
}

/// Column positions of every sheet, by header name.
fn indexes() -> &'static Vec<HashMap<&'static str, usize>> {
    static INDEXES: std::sync::OnceLock<Vec<HashMap<&'static str, usize>>> =
        std::sync::OnceLock::new();
    INDEXES.get_or_init(|| {
        super::sheets::SHEETS
            .iter()
            .map(|s: &Sheet| s.header.iter().enumerate().map(|(i, h)| (*h, i)).collect())
            .collect()
    })
}

fn row(sheet: SheetId) -> Row {
    let index = &indexes()[sheet as usize];
    Row {
        index,
        cells: vec![Cell::Empty; sheet.sheet().header.len()],
    }
}

/// `VI SDK Server`, `VI SDK UUID` and the other columns every sheet of a vCenter shares.
fn sdk(r: &mut Row, vc: &VCenterInventory) {
    r.set("VI SDK Server", Cell::Text(vc.server.clone()));
    r.set("VI SDK UUID", text(&vc.about.instance_uuid));
}

/// Every row of one part of the estate, sheet by sheet, into `sink`.
pub fn write_part<S: RowSink>(
    sink: &mut S,
    estate: &Estate,
    audit: &AuditResult,
    part: &Part,
    created: &str,
) -> Result<(), S::Error> {
    for &(v, ref vms) in &part.vms {
        let (vc, va) = (&estate.vcenters[v], &audit.vcenters[v]);
        for &i in vms {
            vm_rows(sink, vc, &vc.vms[i], &va.vms[i])?;
        }
    }
    for &v in &part.vcenters {
        let (vc, va) = (&estate.vcenters[v], &audit.vcenters[v]);
        let clusters = part.clusters_of(v);
        let counts = vm_counts(vc);
        for (h, ha) in vc.hosts.iter().zip(&va.hosts) {
            if clusters.is_none_or(|c| c.contains(&h.cluster)) {
                host_row(sink, vc, h, &ha.tally, counts.get(h.moref.as_str()))?;
            }
        }
        for c in &vc.clusters {
            if clusters.is_none_or(|cs| cs.contains(&Some(c.name.clone()))) {
                cluster_row(sink, vc, c)?;
            }
        }
        datastore_rows(sink, vc)?;
        source_row(sink, vc)?;
    }
    for vc in &part.failed {
        let vc = &estate.vcenters[*vc];
        let mut r = row(SheetId::VHealth);
        r.set("Name", Cell::Text(vc.server.clone()));
        r.set("Message", text(&vc.error));
        r.set("Message type", Cell::Text("Error".into()));
        sdk(&mut r, vc);
        sink.row(SheetId::VHealth, &r.cells)?;
    }
    let mut r = row(SheetId::VMetaData);
    r.set("RVTools major version", Cell::Empty);
    r.set(
        "RVTools version",
        Cell::Text(format!("vcaudit {}", env!("CARGO_PKG_VERSION"))),
    );
    r.set("xlsx creation datetime", Cell::Date(created.to_string()));
    let servers: Vec<&str> = part
        .vcenters
        .iter()
        .map(|&v| estate.vcenters[v].server.as_str())
        .collect();
    r.set("Server", Cell::Text(servers.join(", ")));
    sink.row(SheetId::VMetaData, &r.cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventions() {
        assert_eq!(tf(Some(true)), Cell::Text("True".into()));
        assert_eq!(tf(None), Cell::Empty);
        assert_eq!(mib(Some(3 * MIB + 5)), Cell::Int(3));
        assert_eq!(int::<u32>(None), Cell::Empty);
    }

    #[test]
    fn hw_version_is_the_number_of_vmx_n() {
        assert_eq!(hw_version(&Some("vmx-19".into())), Cell::Int(19));
        assert_eq!(hw_version(&Some("vmx-x".into())), Cell::Empty);
        assert_eq!(hw_version(&Some("19".into())), Cell::Empty);
        assert_eq!(hw_version(&None), Cell::Empty);
    }
}

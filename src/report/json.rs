//! `report.json`: every report table in one JSON document, for tools that consume the audit.
//!
//! ```text
//! {
//!   "schema_version": 1,
//!   "vcaudit_version": "0.1.0",
//!   "profile": "asr-vmware-2017",
//!   "vcenters": [
//!     {"vcenter":"vc01","url":"https://vc01/sdk",...,"notes":null},
//!     ...
//!   ],
//!   "hosts": [...], "vms": [...], "disks": [...], "datastores": [...],
//!   "findings": [...], "summary": [...]
//! }
//! ```
//!
//! - One array per table, in the order of [`super::Report::write_tables`], which also writes the CSVs: the
//!   same tables from the same row types, so the two formats cannot drift apart.
//! - Each element is one row: an object whose keys are exactly the CSV's column names, in column
//!   order (the row type's serde field names, as for the CSV header).
//! - Values are typed: text as strings, counts and sizes as numbers, booleans as booleans, and an
//!   unknown value (an empty CSV cell) as `null`. Known but empty text stays `""`, which the CSV
//!   cannot tell from unknown.
//! - GiB columns (`*_gib`) are numbers ([`super::Gib`]), with the same digits as in the CSV
//!   (`1.5`, `2048`).
//! - `schema_version` ([`SCHEMA_VERSION`]) changes when a key is removed or renamed or a value's
//!   type changes; new columns and tables may appear within the same version, so readers should
//!   ignore keys they do not know.
//! - Written streaming, one row per line, from the same row iterators as the CSVs: memory does
//!   not grow with the estate. Staged and renamed with the other reports.

use serde::Serialize;
use std::io::Write;

/// The `report.json` schema this vcaudit writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The file name of the JSON report.
pub const FILE_NAME: &str = "report.json";

/// Writes `report.json` to `W`: [`JsonReport::begin`], one [`JsonReport::table`] per table, then
/// [`JsonReport::finish`].
pub struct JsonReport<W: Write> {
    w: W,
}

impl<W: Write> JsonReport<W> {
    /// Writes the opening brace and the header keys.
    pub fn begin(mut w: W, profile: &str) -> serde_json::Result<Self> {
        write!(
            w,
            "{{\n  \"schema_version\": {SCHEMA_VERSION},\n  \"vcaudit_version\": "
        )
        .map_err(serde_json::Error::io)?;
        serde_json::to_writer(&mut w, env!("CARGO_PKG_VERSION"))?;
        w.write_all(b",\n  \"profile\": ")
            .map_err(serde_json::Error::io)?;
        serde_json::to_writer(&mut w, profile)?;
        Ok(JsonReport { w })
    }

    /// Writes one table as an array of row objects, one row per line.
    pub fn table<R: Serialize>(
        &mut self,
        name: &str,
        rows: impl IntoIterator<Item = R>,
    ) -> serde_json::Result<()> {
        self.w.write_all(b",\n  ").map_err(serde_json::Error::io)?;
        serde_json::to_writer(&mut self.w, name)?;
        self.w.write_all(b": [").map_err(serde_json::Error::io)?;
        let mut first = true;
        for row in rows {
            let sep: &[u8] = if first { b"\n    " } else { b",\n    " };
            self.w.write_all(sep).map_err(serde_json::Error::io)?;
            serde_json::to_writer(&mut self.w, &row)?;
            first = false;
        }
        let close: &[u8] = if first { b"]" } else { b"\n  ]" };
        self.w.write_all(close).map_err(serde_json::Error::io)
    }

    /// Closes the document and flushes; returns the writer.
    pub fn finish(mut self) -> serde_json::Result<W> {
        self.w.write_all(b"\n}\n").map_err(serde_json::Error::io)?;
        self.w.flush().map_err(serde_json::Error::io)?;
        Ok(self.w)
    }
}

impl<W: Write> super::TableSink for JsonReport<W> {
    type Error = serde_json::Error;

    fn table<R: Serialize>(
        &mut self,
        spec: &'static super::TableSpec,
        rows: impl Iterator<Item = R>,
    ) -> serde_json::Result<()> {
        JsonReport::table(self, spec.name, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Finding, ObjectKind, Severity, Status, SummaryRow, Verdict};
    use crate::report::columns::{FINDINGS, SUMMARY};
    use crate::report::header_of;
    use crate::report::rows::*;
    use serde_json::Value;

    /// One table of one row written as a whole document, and that row's line.
    fn one<R: Serialize>(row: R) -> (Value, String) {
        let mut report = JsonReport::begin(Vec::new(), "p").unwrap();
        report.table("t", [row]).unwrap();
        let text = String::from_utf8(report.finish().unwrap()).unwrap();
        let doc: Value = serde_json::from_str(&text).expect("valid JSON");
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with('{') && l.contains(':'))
            .unwrap()
            .trim()
            .to_string();
        (doc, line)
    }

    /// The keys of a row object in the order written.
    fn keys(line: &str, doc: &Value) -> Vec<String> {
        let obj = doc["t"][0].as_object().expect("row object");
        let mut keys: Vec<(usize, String)> = obj
            .keys()
            .map(|k| {
                (
                    line.find(&format!("\"{k}\":")).expect("key in line"),
                    k.clone(),
                )
            })
            .collect();
        keys.sort();
        keys.into_iter().map(|(_, k)| k).collect()
    }

    fn assert_keys_are_columns<R: Serialize + Default>() {
        let (doc, line) = one(R::default());
        assert_eq!(keys(&line, &doc), header_of::<R>().unwrap(), "{line}");
    }

    #[test]
    fn row_keys_are_the_csv_columns_in_order() {
        assert_keys_are_columns::<VCenterRow>();
        assert_keys_are_columns::<HostRow>();
        assert_keys_are_columns::<VmRow>();
        assert_keys_are_columns::<DiskRow>();
        assert_keys_are_columns::<DatastoreRow>();
        let verdict = Verdict {
            vcenter: "vc1".into(),
            object_type: ObjectKind::Vm,
            rule: "disk-size".into(),
            severity: Severity::Error,
            status: Status::Fail,
            message: "too big".into(),
            actual: "2048".into(),
            expected: "<= 1023".into(),
        };
        let finding = Finding::new("web-01".into(), "vm-1".into(), verdict);
        let (doc, line) = one(&finding);
        assert_eq!(keys(&line, &doc), FINDINGS.header().collect::<Vec<_>>());
        assert_eq!(doc["t"][0]["object_type"], "vm");
        assert_eq!(doc["t"][0]["severity"], "error");
        assert_eq!(doc["t"][0]["status"], "fail");
        assert_eq!(doc["t"][0]["actual"], "2048", "text stays text");
        let summary = SummaryRow {
            rule: "manual-port",
            object_type: ObjectKind::Vm,
            severity: None,
            status: "manual",
            checked: 3,
            passed: None,
            failed: None,
            unknown: None,
            applies_to: "all VMs",
            description: "d",
            source: "s".into(),
        };
        let (doc, line) = one(&summary);
        assert_eq!(keys(&line, &doc), SUMMARY.header().collect::<Vec<_>>());
        assert_eq!(doc["t"][0]["severity"], Value::Null);
        assert_eq!(doc["t"][0]["checked"], 3);
    }

    #[test]
    fn values_are_typed() {
        let (doc, _) = one(VmRow {
            vm: "web-01".into(),
            template: Some(false),
            cpus: Some(4),
            memory_mb: None,
            provisioned_gib: Some(crate::report::gib(3 * 1024 * 1024 * 1024 / 2)),
            largest_disk_gib: Some(crate::report::gib(2048 * 1024 * 1024 * 1024)),
            readiness: "ready".into(),
            ..Default::default()
        });
        let row = &doc["t"][0];
        assert_eq!(row["vm"], "web-01");
        assert_eq!(row["template"], false);
        assert_eq!(row["cpus"], 4);
        assert_eq!(row["memory_mb"], Value::Null);
        assert_eq!(row["provisioned_gib"].as_f64(), Some(1.5));
        assert_eq!(row["largest_disk_gib"].as_u64(), Some(2048));
        assert_eq!(row["datastores"], "", "known but empty text");
    }

    #[test]
    fn document_has_its_header_and_every_table() {
        let mut report = JsonReport::begin(Vec::new(), "my \"profile\".toml").unwrap();
        report.table("empty", Vec::<HostRow>::new()).unwrap();
        report
            .table("hosts", [HostRow::default(), HostRow::default()])
            .unwrap();
        let text = String::from_utf8(report.finish().unwrap()).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["schema_version"], SCHEMA_VERSION);
        assert_eq!(doc["vcaudit_version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(doc["profile"], "my \"profile\".toml");
        assert_eq!(doc["empty"], serde_json::json!([]));
        assert_eq!(doc["hosts"].as_array().unwrap().len(), 2);
        assert_eq!(text.lines().count(), 10, "one row per line:\n{text}");
    }
}

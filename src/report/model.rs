//! The one report model: a [`Report`] is built once per run from the estate and its audit, and
//! every format renders it (CSV, `report.json`, XLSX, the RVTools workbook, the terminal summary).
//!
//! - [`Report::run`]: who, when and how ([`RunInfo`]: vcaudit version, profile, time, vCenters);
//!   [`Report::counts`], [`Report::readiness`], [`Report::findings`]: the headline numbers.
//! - The tables: [`super::columns::TABLES`] describes each (name, title, columns with type, unit
//!   and meaning); [`Report::write_tables`] streams each table's rows into a [`TableSink`], in
//!   order. Rows are the serde structs of [`super::rows`], made on demand from the estate, so a
//!   100k-VM estate is never held twice in memory; typed formats read a row's cells with
//!   [`super::value::cells`].
//! - `Report` implements `Serialize` (streaming, rows as objects keyed by column name) for
//!   formats that embed the whole model, such as the HTML report:
//!   `{"run":{...},"counts":{...},"readiness":{...},"findings":{...},
//!   "tables":[{"name":..,"title":..,"description":..,"columns":[..],"rows":[{..},..]},..]}`.

use super::columns::{self, TableSpec};
use crate::audit::{AuditCounts, AuditResult, ReadinessCounts, Status};
use crate::model::{CollectStatus, Estate};
use serde::Serialize;

/// Where the report tables go. [`Report::write_tables`] sends every table to a sink, so each
/// format holds the same tables made from the same rows.
pub trait TableSink {
    type Error;
    /// One table: its description and its rows (serde structs whose fields are the columns).
    fn table<R: Serialize>(
        &mut self,
        spec: &'static TableSpec,
        rows: impl Iterator<Item = R>,
    ) -> Result<(), Self::Error>;
}

/// The run a report describes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    pub vcaudit_version: &'static str,
    /// The profile's name.
    pub profile: String,
    /// When the report was made (RFC 3339, UTC).
    pub generated_at: String,
    pub vcenters: Vec<VCenterRun>,
}

/// One vCenter of the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VCenterRun {
    /// As named on the command line or in the estate file.
    pub vcenter: String,
    /// `about.fullName`-style name and version, when collected.
    pub name: Option<String>,
    pub version: Option<String>,
    pub build: Option<String>,
    /// `ok` or `error`.
    pub status: &'static str,
    /// Why it could not be collected.
    pub error: Option<String>,
    pub collected_at: Option<String>,
}

/// Findings by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FindingCounts {
    pub total: usize,
    pub failed: usize,
    pub unknown: usize,
}

/// The report of one run; see the module documentation.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    pub run: RunInfo,
    pub counts: AuditCounts,
    pub readiness: ReadinessCounts,
    pub findings: FindingCounts,
    estate: &'a Estate,
    result: &'a AuditResult,
}

impl<'a> Report<'a> {
    /// The report of `estate` and its audit, made at `generated_at` (RFC 3339).
    pub fn new(estate: &'a Estate, result: &'a AuditResult, generated_at: String) -> Self {
        let vcenters = estate
            .vcenters
            .iter()
            .map(|vc| VCenterRun {
                vcenter: vc.server.clone(),
                name: vc.about.name.clone(),
                version: vc.about.version.clone(),
                build: vc.about.build.clone(),
                status: vc.status.as_str(),
                error: vc.error.clone(),
                collected_at: vc.collected_at.clone(),
            })
            .collect();
        let failed = result
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .count();
        Report {
            run: RunInfo {
                vcaudit_version: env!("CARGO_PKG_VERSION"),
                profile: result.profile.clone(),
                generated_at,
                vcenters,
            },
            counts: result.counts,
            readiness: result.readiness_counts(),
            findings: FindingCounts {
                total: result.findings.len(),
                failed,
                unknown: result.findings.len() - failed,
            },
            estate,
            result,
        }
    }

    /// The estate the report is about.
    pub fn estate(&self) -> &'a Estate {
        self.estate
    }

    /// The audit the report shows.
    pub fn result(&self) -> &'a AuditResult {
        self.result
    }

    /// Every table, in report order.
    pub fn tables() -> &'static [&'static TableSpec] {
        &columns::TABLES
    }

    /// The vCenters that could not be collected, with why.
    pub fn failed_vcenters(&self) -> impl Iterator<Item = &VCenterRun> {
        self.run
            .vcenters
            .iter()
            .filter(|v| v.status == CollectStatus::Error.as_str())
    }

    /// Every table, in the order of [`columns::TABLES`], into `sink`.
    pub fn write_tables<S: TableSink>(&self, sink: &mut S) -> Result<(), S::Error> {
        let (estate, result) = (self.estate, self.result);
        sink.table(&columns::VCENTERS, super::vcenter_rows(estate, result))?;
        sink.table(&columns::HOSTS, super::host_rows(estate, result))?;
        sink.table(&columns::VMS, super::vm_rows(estate, result))?;
        sink.table(&columns::DISKS, super::disk_rows(estate))?;
        sink.table(&columns::DATASTORES, super::datastore_rows(estate))?;
        sink.table(&columns::FINDINGS, result.findings.iter())?;
        sink.table(&columns::SUMMARY, result.summary_rows().into_iter())?;
        Ok(())
    }
}

impl Serialize for Report<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(5))?;
        map.serialize_entry("run", &self.run)?;
        map.serialize_entry("counts", &self.counts)?;
        map.serialize_entry("readiness", &self.readiness)?;
        map.serialize_entry("findings", &self.findings)?;
        map.serialize_entry("tables", &Tables(self))?;
        map.end()
    }
}

/// The tables of a report as a JSON array, streamed.
struct Tables<'r, 'a>(&'r Report<'a>);

impl Serialize for Tables<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        struct Sink<Q>(Q);
        impl<Q: SerializeSeq> TableSink for Sink<Q> {
            type Error = Q::Error;
            fn table<R: Serialize>(
                &mut self,
                spec: &'static TableSpec,
                rows: impl Iterator<Item = R>,
            ) -> Result<(), Q::Error> {
                self.0.serialize_element(&Table {
                    spec,
                    rows: std::cell::RefCell::new(Some(rows)),
                })
            }
        }
        let mut sink = Sink(s.serialize_seq(Some(columns::TABLES.len()))?);
        self.0.write_tables(&mut sink)?;
        sink.0.end()
    }
}

/// One table with its rows, serialized once.
struct Table<I> {
    spec: &'static TableSpec,
    rows: std::cell::RefCell<Option<I>>,
}

impl<R: Serialize, I: Iterator<Item = R>> Serialize for Table<I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap, SerializeSeq};
        struct Rows<I>(std::cell::RefCell<Option<I>>);
        impl<R: Serialize, I: Iterator<Item = R>> Serialize for Rows<I> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let rows = self.0.borrow_mut().take();
                let rows = rows.ok_or_else(|| S::Error::custom("table rows serialized twice"))?;
                let mut seq = s.serialize_seq(None)?;
                for row in rows {
                    seq.serialize_element(&row)?;
                }
                seq.end()
            }
        }
        let mut map = s.serialize_map(Some(5))?;
        map.serialize_entry("name", self.spec.name)?;
        map.serialize_entry("title", self.spec.title)?;
        map.serialize_entry("description", self.spec.description)?;
        map.serialize_entry("columns", self.spec.columns)?;
        map.serialize_entry("rows", &Rows(std::cell::RefCell::new(self.rows.take())))?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::testutil::*;
    use crate::audit::{Profile, audit};
    use crate::model::Vm;

    fn sample() -> Estate {
        let bad = Vm {
            name: "bad_name".into(),
            ..vm("b")
        };
        estate(vec![vcenter("vc1", vec![vm("a"), bad])])
    }

    /// Checks every table's rows against its description: the serde field names are the
    /// column names, in order, and each cell's type fits the column's type.
    struct Check(Vec<&'static str>);

    impl TableSink for Check {
        type Error = String;
        fn table<R: Serialize>(
            &mut self,
            spec: &'static TableSpec,
            rows: impl Iterator<Item = R>,
        ) -> Result<(), String> {
            use super::super::value::{Value, cells};
            use columns::ColumnType;
            self.0.push(spec.name);
            let mut n = 0;
            for row in rows {
                let mut w = csv::Writer::from_writer(Vec::new());
                w.serialize(&row).unwrap();
                let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
                let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
                let want: Vec<&str> = spec.header().collect();
                assert_eq!(header, want, "{}", spec.name);
                for (cell, col) in cells(&row).unwrap().iter().zip(spec.columns) {
                    let fits = matches!(
                        (cell, col.kind),
                        (Value::Null, _)
                            | (Value::Text(_), ColumnType::Text | ColumnType::Timestamp)
                            | (Value::Int(_), ColumnType::Integer | ColumnType::Number)
                            | (Value::Number(_), ColumnType::Number)
                            | (Value::Bool(_), ColumnType::Boolean)
                    );
                    assert!(fits, "{}.{}: {cell:?}", spec.name, col.name);
                }
                n += 1;
            }
            assert!(n > 0, "the sample has rows in {}", spec.name);
            Ok(())
        }
    }

    #[test]
    fn every_table_matches_its_description() {
        let e = sample();
        let r = audit(&e, &Profile::default());
        let report = Report::new(&e, &r, "2026-01-01T00:00:00Z".into());
        let mut check = Check(Vec::new());
        report.write_tables(&mut check).unwrap();
        let names: Vec<&str> = Report::tables().iter().map(|t| t.name).collect();
        assert_eq!(check.0, names, "written in the order of TABLES");
    }

    #[test]
    fn headline_numbers_and_run_metadata() {
        let e = sample();
        let r = audit(&e, &Profile::default());
        let report = Report::new(&e, &r, "2026-01-01T00:00:00Z".into());
        assert_eq!(report.run.vcaudit_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(report.run.profile, "asr-vmware-2017");
        assert_eq!(report.run.vcenters[0].vcenter, "vc1");
        assert_eq!(report.counts.vms_in_scope, 2);
        assert_eq!((report.readiness.ready, report.readiness.not_ready), (1, 1));
        assert_eq!(report.findings.total, r.findings.len());
        assert_eq!(report.failed_vcenters().count(), 0);
    }

    #[test]
    fn serializes_as_one_document_with_typed_columns() {
        let e = sample();
        let r = audit(&e, &Profile::default());
        let report = Report::new(&e, &r, "2026-01-01T00:00:00Z".into());
        let doc = serde_json::to_value(&report).unwrap();
        assert_eq!(doc["run"]["generated_at"], "2026-01-01T00:00:00Z");
        assert_eq!(doc["readiness"]["not_ready"], 1);
        let tables = doc["tables"].as_array().unwrap();
        assert_eq!(tables.len(), Report::tables().len());
        let vms = &tables[2];
        assert_eq!(vms["name"], "vms");
        assert_eq!(vms["rows"].as_array().unwrap().len(), 2);
        assert_eq!(vms["rows"][1]["vm"], "bad_name");
        assert_eq!(vms["rows"][1]["readiness"], "not-ready");
        let mem = vms["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "memory_mb")
            .unwrap();
        assert_eq!(
            (&mem["type"], &mem["unit"]),
            (&"integer".into(), &"MiB".into())
        );
    }
}

//! Writing the reports. One [`Report`] ([`model`]) is built per run from the estate and its
//! audit; every format renders it: CSV tables (UTF-8, RFC 4180, a header row, one file per table),
//! `report.json` (the same tables in one document, see [`json`]), `report.html` (one
//! self-contained page for people, see [`html`]) and the terminal summary ([`summary`]), as
//! `--format` asks.
//!
//! Numbers are unformatted (GiB with up to two decimals), booleans `true`/`false`, and an unknown
//! value is an empty cell. [`columns::TABLES`] is the one list of tables and columns, and
//! [`Report::write_tables`] the one walk over them: every format is written through it, from the
//! same row iterators. Every text cell of a spreadsheet format (CSV, XLSX, RVTools) is
//! formula-safe ([`cell`]); `report.json` keeps raw values. Every file is staged and moved into
//! place only once all of them are complete ([`stage`]), so a failed run never leaves a truncated
//! report and never replaces a previous run's reports with partial ones.

pub mod cell;
pub mod columns;
pub mod html;
pub mod json;
pub mod model;
pub mod rows;
pub mod rvtools;
pub mod sheet;
pub mod stage;
pub mod summary;
pub mod value;
pub mod xlsx;

use crate::model::{DatastorePath, Estate, Uuid, VCenterInventory};
use cell::SafeText;
pub use columns::{Column, ColumnType, TableSpec};
pub use model::{Report, RunInfo, TableSink, VCenterRun};
use rows::*;
pub use stage::{OutputLock, Stage};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A report format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// One CSV file per table.
    Csv,
    /// `report.json`: every table in one JSON document.
    Json,
    /// `vcaudit.xlsx`: a Summary sheet and one sheet per table, typed and formatted.
    Xlsx,
    /// `vcaudit-rvtools.xlsx`: an RVTools-compatible workbook (split by `--rvtools-max-vms`).
    Rvtools,
    /// `RVTools_tab<sheet>.csv`: the RVTools sheets as CSV files.
    RvtoolsCsv,
    /// `report.html`: one self-contained page with charts and the VM table.
    Html,
}

/// Settings of the formats that have any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Most VMs per RVTools workbook.
    pub rvtools_max_vms: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rvtools_max_vms: rvtools::DEFAULT_MAX_VMS,
        }
    }
}

impl Format {
    /// Parses one `--format` value, naming the allowed ones when it is not one of them.
    pub fn parse(s: &str) -> Result<Format, String> {
        use clap::ValueEnum;
        Format::from_str(s.trim(), true).map_err(|_| {
            let names: Vec<String> = Format::value_variants()
                .iter()
                .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_string()))
                .collect();
            format!(
                "unknown report format; use {} or several, comma-separated (e.g. csv,json)",
                names.join(", ")
            )
        })
    }
}

/// Writes the report in each of `formats` into `dir`, staged and renamed together; returns the
/// final paths.
pub fn write_reports(
    out: &OutputLock,
    report: &Report,
    formats: &[Format],
) -> Result<Vec<PathBuf>, ReportError> {
    write_reports_with(out, report, formats, &Options::default())
}

/// [`write_reports`] with the formats' settings.
pub fn write_reports_with(
    out: &OutputLock,
    report: &Report,
    formats: &[Format],
    options: &Options,
) -> Result<Vec<PathBuf>, ReportError> {
    let dir = out.dir();
    let staged = Stage::new(out)?;
    let stage = &staged;
    let mut jobs: Vec<Job> = Vec::new();
    if formats.contains(&Format::Csv) {
        jobs.push((
            "csv",
            Box::new(|| report.write_tables(&mut CsvTables(stage))),
        ));
    }
    if formats.contains(&Format::Json) {
        jobs.push((
            "json",
            Box::new(|| {
                stage.write_with(json::FILE_NAME, |w| {
                    let mut json = json::JsonReport::begin(w, &report.run.profile)?;
                    report.write_tables(&mut json)?;
                    json.finish().map(drop)
                })
            }),
        ));
    }
    if formats.contains(&Format::Html) {
        jobs.push((
            "html",
            Box::new(|| stage.write_with(html::FILE_NAME, |w| html::write(w, report))),
        ));
    }
    if formats.contains(&Format::Xlsx) {
        jobs.push((
            "xlsx",
            Box::new(|| stage.write_with(xlsx::FILE_NAME, |w| xlsx::write(report, dir, w))),
        ));
    }
    if formats.contains(&Format::Rvtools) {
        jobs.push((
            "rvtools",
            Box::new(|| {
                let parts = rvtools::plan::plan(report.estate(), options.rvtools_max_vms);
                for (part, name) in parts.iter().zip(rvtools::file_names(parts.len())) {
                    stage.write_with(&name, |w| rvtools::write_xlsx(report, part, dir, w))?;
                }
                Ok(())
            }),
        ));
    }
    if formats.contains(&Format::RvtoolsCsv) {
        jobs.push(("rvtools_csv", Box::new(|| rvtools_csv(stage, report, dir))));
    }
    run_side_by_side(jobs)?;
    // Every report reaches the disk (fsync) before it replaces an older one.
    let started = std::time::Instant::now();
    let written = staged.commit(is_report_file);
    crate::phase::done("sync", started);
    written
}

/// One report format's writing, named for its phase line.
type Job<'a> = (
    &'static str,
    Box<dyn FnOnce() -> Result<(), ReportError> + Send + 'a>,
);

/// Runs the formats' writers on as many threads as there are cores (each reads the same report
/// and writes its own staged files), stopping at the first error.
fn run_side_by_side(jobs: Vec<Job>) -> Result<(), ReportError> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len());
    let queue = std::sync::Mutex::new(jobs.into_iter());
    let failed = std::sync::atomic::AtomicBool::new(false);
    let worker = || -> Result<(), ReportError> {
        while !failed.load(std::sync::atomic::Ordering::Relaxed) {
            let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
            let Some((name, job)) = next else { break };
            let started = std::time::Instant::now();
            if let Err(e) = job() {
                failed.store(true, std::sync::atomic::Ordering::Relaxed);
                return Err(e);
            }
            crate::phase::done(name, started);
        }
        Ok(())
    };
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers).map(|_| s.spawn(worker)).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<Result<Vec<()>, ReportError>>()
    })
    .map(drop)
}

/// The RVTools CSV folder's files, one per sheet.
fn rvtools_csv(stage: &Stage, report: &Report, dir: &Path) -> Result<(), ReportError> {
    let all = rvtools::plan::plan(report.estate(), usize::MAX);
    let mut files = Vec::new();
    for s in rvtools::sheets::SHEETS {
        files.push(std::io::BufWriter::new(
            stage.file(&rvtools::csv_name(s.name))?.0,
        ));
    }
    let fail = |e: csv::Error| out_err(dir, e);
    let mut sink = rvtools::CsvSink::new(files).map_err(fail)?;
    let created = &report.run.generated_at;
    rvtools::rows::write_part(
        &mut sink,
        report.estate(),
        report.result(),
        &all[0],
        created,
    )
    .map_err(fail)?;
    sink.finish().map_err(fail)
}

/// The CSV sink: one staged file per table.
struct CsvTables<'a, 'b>(&'a Stage<'b>);

impl TableSink for CsvTables<'_, '_> {
    type Error = ReportError;

    fn table<R: serde::Serialize>(
        &mut self,
        spec: &'static TableSpec,
        rows: impl Iterator<Item = R>,
    ) -> Result<(), ReportError> {
        stage_csv(self.0, &format!("{}.csv", spec.name), spec.header(), rows)
    }
}

/// Why the reports could not be written; names the path.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write reports to {path}: {reason} (choose another --out folder)")]
    Output { path: String, reason: String },
    #[error(
        "another vcaudit run is writing reports to {path}; wait for it to finish or choose another --out folder"
    )]
    Busy { path: String },
}

pub(crate) fn out_err(path: &Path, e: impl std::fmt::Display) -> ReportError {
    ReportError::Output {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A size in GiB, rounded to two decimals: a number in every format, written with no trailing
/// zeros (`2048`, `1.5`, `0.01`) in the CSV and in JSON alike.
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd, serde::Deserialize)]
#[serde(transparent)]
pub struct Gib(f64);

/// Bytes as [`Gib`].
pub fn gib(bytes: u64) -> Gib {
    Gib((bytes as f64 / GIB * 100.0).round() / 100.0)
}

impl std::fmt::Display for Gib {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = format!("{:.2}", self.0);
        f.write_str(s.trim_end_matches('0').trim_end_matches('.'))
    }
}

impl serde::Serialize for Gib {
    /// Whole numbers as integers (`2048`, not `2048.0`); others as the shortest decimal that
    /// reads back as the same value, which for a value rounded to two decimals is those decimals.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9.0e15 {
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

/// Checks, before any collection, that `dir` can hold the reports: creates it when missing,
/// proves it writable and locks it against a second run (see [`stage`]).
pub fn prepare_output(dir: &Path) -> Result<OutputLock, ReportError> {
    OutputLock::acquire(dir)
}

/// Writes one CSV table, its header then its rows, into a staged file; every text cell is
/// formula-safe ([`cell`]).
pub fn stage_csv<'h, R: serde::Serialize>(
    stage: &Stage,
    name: &str,
    header: impl IntoIterator<Item = &'h str>,
    rows: impl IntoIterator<Item = R>,
) -> Result<(), ReportError> {
    stage.write_with(name, |w| {
        let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(w);
        w.write_record(header)?;
        for row in rows {
            w.serialize(SafeText(&row))?;
        }
        w.flush()?;
        Ok::<_, csv::Error>(())
    })
}

/// Whether `name` is a file some report format writes into `--out`, asked for this time or
/// not: what the commit removes when this run did not write it.
fn is_report_file(name: &str) -> bool {
    let table_csv = columns::TABLES
        .iter()
        .any(|t| name.strip_suffix(".csv") == Some(t.name));
    let rvtools_part = name
        .strip_prefix("vcaudit-rvtools-")
        .and_then(|n| n.strip_suffix(".xlsx"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let rvtools_csv = rvtools::sheets::SHEETS
        .iter()
        .any(|s| name == rvtools::csv_name(s.name));
    table_csv
        || rvtools_part
        || rvtools_csv
        || [
            json::FILE_NAME,
            xlsx::FILE_NAME,
            rvtools::FILE_NAME,
            html::FILE_NAME,
        ]
        .contains(&name)
}

/// Column names of a row type, as the csv crate derives them from its serde field names.
pub fn header_of<R: serde::Serialize + Default>() -> Result<Vec<String>, csv::Error> {
    let mut probe = csv::Writer::from_writer(Vec::new());
    probe.serialize(R::default())?;
    let bytes = probe
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    Ok(reader.headers()?.iter().map(str::to_string).collect())
}

/// Every VM-count per host, keyed by (vcenter, host moref).
fn vms_per_host(vc: &VCenterInventory) -> HashMap<&str, usize> {
    let mut m = HashMap::new();
    for vm in &vc.vms {
        if let Some(h) = vm.host_moref.as_deref() {
            *m.entry(h).or_default() += 1;
        }
    }
    m
}

pub fn vcenter_rows<'a>(
    estate: &'a Estate,
    audit: &'a crate::audit::AuditResult,
) -> impl Iterator<Item = VCenterRow> + 'a {
    estate.vcenters.iter().zip(&audit.vcenters).map(|(vc, va)| {
        let ok = vc.status == crate::model::CollectStatus::Ok;
        let count = |n: usize| ok.then_some(n);
        VCenterRow {
            vcenter: vc.server.clone(),
            url: vc.url.clone(),
            name: vc.about.name.clone(),
            version: vc.about.version.clone(),
            build: vc.about.build.clone(),
            api_version: vc.about.api_version.clone(),
            instance_uuid: vc.about.instance_uuid.clone(),
            status: vc.status.as_str().into(),
            error: vc.error.clone(),
            datacenters: count(vc.datacenters.len()),
            clusters: count(vc.clusters.len()),
            hosts: count(vc.hosts.len()),
            vms: count(vc.vms.len()),
            collected_at: vc.collected_at.clone(),
            findings: va.vcenter.findings(),
            notes: notes(vc),
        }
    })
}

/// What could not be read besides the inventory: events, tags, refused properties.
fn notes(vc: &VCenterInventory) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(vc.events_error.clone());
    parts.extend(vc.tags_error.clone());
    for f in &vc.property_faults {
        parts.push(format!(
            "{} {} of {} objects: {}",
            f.object_type, f.path, f.objects, f.fault
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The `tags` cell: `category:tag` names joined with `; ` (they are kept sorted), or unknown
/// when the vCenter's tags could not be read.
fn tags_cell<S: std::borrow::Borrow<str>>(vc: &VCenterInventory, tags: &[S]) -> Option<String> {
    vc.tags_error.is_none().then(|| tags.join("; "))
}

pub fn host_rows<'a>(
    estate: &'a Estate,
    audit: &'a crate::audit::AuditResult,
) -> impl Iterator<Item = HostRow> + 'a {
    estate
        .vcenters
        .iter()
        .zip(&audit.vcenters)
        .flat_map(|(vc, va)| {
            let counts = vms_per_host(vc);
            vc.hosts.iter().zip(&va.hosts).map(move |(h, ha)| HostRow {
                vcenter: vc.server.clone(),
                datacenter: h.datacenter.clone(),
                cluster: h.cluster.clone(),
                host: h.name.clone(),
                moref: h.moref.clone(),
                version: h.version.clone(),
                build: h.build.clone(),
                full_name: h.full_name.clone(),
                connection_state: h.connection_state.as_ref().map(|s| s.to_string()),
                maintenance_mode: h.maintenance_mode,
                tags: tags_cell(vc, &h.tags),
                vms: counts.get(h.moref.as_str()).copied().unwrap_or(0),
                findings: ha.findings(),
            })
        })
}

pub fn vm_rows<'a>(
    estate: &'a Estate,
    audit: &'a crate::audit::AuditResult,
) -> impl Iterator<Item = VmRow<'a>> + 'a {
    estate
        .vcenters
        .iter()
        .zip(&audit.vcenters)
        .flat_map(|(vc, va)| {
            vc.vms.iter().zip(&va.vms).map(move |(vm, a)| VmRow {
                vcenter: Cow::Borrowed(&vc.server),
                datacenter: vm.datacenter.as_deref().map(Cow::Borrowed),
                cluster: vm.cluster.as_deref().map(Cow::Borrowed),
                host: vm.host.as_deref().map(Cow::Borrowed),
                folder: vm.folder.as_deref().map(Cow::Borrowed),
                vm: Cow::Borrowed(&vm.name),
                moref: Cow::Borrowed(&vm.moref),
                bios_uuid: vm.bios_uuid.as_ref().map(Uuid::to_cow),
                instance_uuid: vm.instance_uuid.as_ref().map(Uuid::to_cow),
                power_state: vm.power_state.as_ref().map(|s| Cow::Borrowed(s.as_str())),
                template: vm.template,
                guest_id: vm.guest_id.as_deref().map(Cow::Borrowed),
                guest_os_config: vm.guest_os_config.as_deref().map(Cow::Borrowed),
                guest_os_tools: vm.guest_os_tools.as_deref().map(Cow::Borrowed),
                tools_status: vm.tools_status.as_ref().map(|s| Cow::Borrowed(s.as_str())),
                tools_running: vm.tools_running.as_ref().map(|s| Cow::Borrowed(s.as_str())),
                tools_version: vm.tools_version.as_deref().map(Cow::Borrowed),
                tools_version_status: vm.tools_version_status.as_deref().map(Cow::Borrowed),
                firmware: vm.firmware.as_ref().map(|s| Cow::Borrowed(s.as_str())),
                cpus: vm.cpus,
                memory_mb: vm.memory_mb.get(),
                disks: vm.disks.as_ref().map(|d| d.len()),
                provisioned_gib: vm.provisioned_bytes().map(gib),
                largest_disk_gib: vm.largest_disk_bytes().map(gib),
                datastores: vm.datastores.join("; "),
                tags: tags_cell(vc, &vm.tags),
                managed_by: vm.managed_by.as_ref().map(|m| m.label()),
                readiness: a.readiness_str().into(),
                findings: a.findings as usize,
            })
        })
}

pub fn disk_rows(estate: &Estate) -> impl Iterator<Item = DiskRow<'_>> + '_ {
    estate.vcenters.iter().flat_map(|vc| {
        vc.vms.iter().flat_map(move |vm| {
            vm.disks.iter().flatten().map(move |d| DiskRow {
                vcenter: Cow::Borrowed(&vc.server),
                vm: Cow::Borrowed(&vm.name),
                vm_moref: Cow::Borrowed(&vm.moref),
                label: d.label.as_deref().map(Cow::Borrowed),
                capacity_bytes: d.capacity_bytes(),
                capacity_gib: d.capacity_bytes().map(gib),
                datastore: d.datastore.as_deref().map(Cow::Borrowed),
                file: d.file.as_ref().map(DatastorePath::to_cow),
                thin: d.thin(),
                disk_mode: d.disk_mode.as_deref().map(Cow::Borrowed),
                backing: d.backing.as_ref().map(|s| Cow::Borrowed(s.as_str())),
                controller: d.controller.as_deref().map(Cow::Borrowed),
                unit: d.unit(),
            })
        })
    })
}

pub fn datastore_rows(estate: &Estate) -> impl Iterator<Item = DatastoreRow> + '_ {
    estate.vcenters.iter().flat_map(|vc| {
        let pods: HashMap<&str, &crate::model::StoragePod> = vc
            .storage_pods
            .iter()
            .map(|p| (p.moref.as_str(), p))
            .collect();
        vc.datastores.iter().map(move |ds| {
            let pod = ds.storage_pod.as_deref().and_then(|m| pods.get(m));
            DatastoreRow {
                vcenter: vc.server.clone(),
                datacenter: ds.datacenter.clone(),
                datastore: ds.name.clone(),
                moref: ds.moref.clone(),
                kind: ds.kind.clone(),
                capacity_gib: ds.capacity_bytes.map(gib),
                free_gib: ds.free_bytes.map(gib),
                datastore_cluster: pod.map(|p| p.name.clone()),
                storage_drs: pod.and_then(|p| p.storage_drs),
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gib_has_at_most_two_decimals() {
        const G: u64 = 1024 * 1024 * 1024;
        for (bytes, text) in [
            (2048 * G, "2048"),
            (G + G / 2, "1.5"),
            (1024 * 1024, "0"),
            (11 * G / 1000, "0.01"),
            (1023 * G, "1023"),
            (1000 * G, "1000"),
            (1023 * 1024 * 1024, "1"),
            (1234 * G + 37 * G / 100, "1234.37"),
            (G / 10, "0.1"),
        ] {
            assert_eq!(gib(bytes).to_string(), text);
            // The CSV cell and the JSON number read the same.
            let mut w = csv::Writer::from_writer(Vec::new());
            w.serialize([gib(bytes)]).unwrap();
            let cell = String::from_utf8(w.into_inner().unwrap()).unwrap();
            assert_eq!(cell.trim_end(), text);
            assert_eq!(serde_json::to_string(&gib(bytes)).unwrap(), text);
        }
    }
}

//! Writing the reports: CSV tables (UTF-8, RFC 4180, a header row, one file per table) and/or
//! `report.json` (the same tables in one document, see [`json`]), as `--format` asks.
//!
//! Numbers are unformatted (GiB with up to two decimals), booleans `true`/`false`, and an unknown
//! value is an empty cell. [`write_tables`] is the one list of tables: every format is written
//! through it, from the same row iterators. Every file is written to a temporary file in the
//! output folder and renamed only once all of them are complete, so a failed run never leaves a
//! truncated report and never replaces a previous run's reports with partial ones.

pub mod json;
pub mod rows;

use crate::model::{Estate, VCenterInventory};
use rows::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A report format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// One CSV file per table.
    Csv,
    /// `report.json`: every table in one JSON document.
    Json,
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

/// Where the report tables go: the CSV files or `report.json`. [`write_tables`] sends every
/// table to a sink, so each format holds the same tables made from the same rows.
pub trait TableSink {
    type Error;
    /// A table whose row type gives the column names (through a default row when empty).
    fn table<R: serde::Serialize + Default>(
        &mut self,
        name: &str,
        rows: impl IntoIterator<Item = R>,
    ) -> Result<(), Self::Error>;
    /// A table whose column names are given, for row types without a `Default`.
    fn table_with_header<R: serde::Serialize>(
        &mut self,
        name: &str,
        header: &[&str],
        rows: impl IntoIterator<Item = R>,
    ) -> Result<(), Self::Error>;
}

/// Every report table, in order, into `sink`; `name` is the CSV file name without `.csv` and the
/// key of the table in `report.json`.
pub fn write_tables<S: TableSink>(
    sink: &mut S,
    estate: &Estate,
    result: &crate::audit::AuditResult,
) -> Result<(), S::Error> {
    sink.table("vcenters", vcenter_rows(estate, result))?;
    sink.table("hosts", host_rows(estate, result))?;
    sink.table("vms", vm_rows(estate, result))?;
    sink.table("disks", disk_rows(estate))?;
    sink.table("datastores", datastore_rows(estate))?;
    sink.table_with_header("findings", FINDINGS_HEADER, &result.findings)?;
    sink.table_with_header("summary", SUMMARY_HEADER, result.summary_rows())?;
    Ok(())
}

/// Writes every report of the estate and its audit in each of `formats` into `dir`, staged and
/// renamed together; returns the final paths. `profile` is the profile's name, for `report.json`.
pub fn write_reports(
    dir: &Path,
    estate: &Estate,
    result: &crate::audit::AuditResult,
    profile: &str,
    formats: &[Format],
) -> Result<Vec<PathBuf>, ReportError> {
    let mut staged = Staged::new(dir)?;
    if formats.contains(&Format::Csv) {
        let started = std::time::Instant::now();
        write_tables(&mut CsvTables(&mut staged), estate, result)?;
        crate::phase::done("csv", started);
    }
    if formats.contains(&Format::Json) {
        let started = std::time::Instant::now();
        staged.write_with(json::FILE_NAME, |w| {
            let mut report = json::JsonReport::begin(w, profile)?;
            write_tables(&mut report, estate, result)?;
            report.finish().map(drop)
        })?;
        crate::phase::done("json", started);
    }
    // Every report reaches the disk (fsync) before it replaces an older one.
    let started = std::time::Instant::now();
    let written = staged.commit();
    crate::phase::done("sync", started);
    written
}

/// The CSV sink: one staged file per table.
struct CsvTables<'a>(&'a mut Staged);

impl TableSink for CsvTables<'_> {
    type Error = ReportError;

    fn table<R: serde::Serialize + Default>(
        &mut self,
        name: &str,
        rows: impl IntoIterator<Item = R>,
    ) -> Result<(), ReportError> {
        self.0.csv(&format!("{name}.csv"), rows)
    }

    fn table_with_header<R: serde::Serialize>(
        &mut self,
        name: &str,
        header: &[&str],
        rows: impl IntoIterator<Item = R>,
    ) -> Result<(), ReportError> {
        self.0.csv_with_header(&format!("{name}.csv"), header, rows)
    }
}

/// Why the reports could not be written; names the path.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write reports to {path}: {reason} (choose another --out folder)")]
    Output { path: String, reason: String },
}

fn out_err(path: &Path, e: impl std::fmt::Display) -> ReportError {
    ReportError::Output {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A size in GiB, rounded to two decimals: a number in every format, written with no trailing
/// zeros (`2048`, `1.5`, `0.01`) in the CSV and in JSON alike.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
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

/// Checks, before any collection, that `dir` can hold the reports: creates it when missing and
/// writes and removes a probe file.
pub fn prepare_output(dir: &Path) -> Result<(), ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| out_err(dir, e))?;
    let probe = tempfile::Builder::new()
        .prefix(".vcaudit-probe-")
        .tempfile_in(dir)
        .map_err(|e| out_err(dir, e))?;
    drop(probe);
    Ok(())
}

/// Staged report files, renamed into place by [`Staged::commit`].
pub struct Staged {
    dir: PathBuf,
    files: Vec<(tempfile::NamedTempFile, PathBuf)>,
}

impl Staged {
    pub fn new(dir: &Path) -> Result<Staged, ReportError> {
        std::fs::create_dir_all(dir).map_err(|e| out_err(dir, e))?;
        Ok(Staged {
            dir: dir.to_path_buf(),
            files: Vec::new(),
        })
    }

    /// A temporary file in the output folder that will become `path`.
    fn temp(&self, path: &Path) -> Result<tempfile::NamedTempFile, ReportError> {
        tempfile::Builder::new()
            .prefix(".vcaudit-")
            .suffix(".tmp")
            .tempfile_in(&self.dir)
            .map_err(|e| out_err(path, e))
    }

    /// Writes one CSV table from its rows into a temporary file.
    pub fn csv<R: serde::Serialize + Default>(
        &mut self,
        name: &str,
        rows: impl IntoIterator<Item = R>,
    ) -> Result<(), ReportError> {
        let path = self.dir.join(name);
        let tmp = self.temp(&path)?;
        let mut w = csv::WriterBuilder::new()
            .has_headers(true)
            .from_writer(std::io::BufWriter::new(tmp.as_file()));
        let mut wrote_any = false;
        for row in rows {
            w.serialize(row).map_err(|e| out_err(&path, e))?;
            wrote_any = true;
        }
        if !wrote_any {
            write_header_only::<R>(&mut w).map_err(|e| out_err(&path, e))?;
        }
        w.flush().map_err(|e| out_err(&path, e))?;
        drop(w);
        self.files.push((tmp, path));
        Ok(())
    }

    /// Writes a CSV table whose header is given, for row types without a `Default`.
    pub fn csv_with_header<R: serde::Serialize>(
        &mut self,
        name: &str,
        header: &[&str],
        rows: impl IntoIterator<Item = R>,
    ) -> Result<(), ReportError> {
        let path = self.dir.join(name);
        let tmp = self.temp(&path)?;
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(std::io::BufWriter::new(tmp.as_file()));
        w.write_record(header).map_err(|e| out_err(&path, e))?;
        for row in rows {
            w.serialize(row).map_err(|e| out_err(&path, e))?;
        }
        w.flush().map_err(|e| out_err(&path, e))?;
        drop(w);
        self.files.push((tmp, path));
        Ok(())
    }

    /// Writes a report through `write`, given a buffered writer on a temporary file that the
    /// report streams into.
    pub fn write_with<E: std::fmt::Display>(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> Result<(), E>,
    ) -> Result<(), ReportError> {
        use std::io::Write;
        let path = self.dir.join(name);
        let tmp = self.temp(&path)?;
        let mut w = std::io::BufWriter::new(tmp.as_file());
        write(&mut w).map_err(|e| out_err(&path, e))?;
        w.flush().map_err(|e| out_err(&path, e))?;
        drop(w);
        self.files.push((tmp, path));
        Ok(())
    }

    /// Renames every staged file into place; returns the final paths.
    pub fn commit(self) -> Result<Vec<PathBuf>, ReportError> {
        let mut done = Vec::new();
        for (tmp, path) in self.files {
            tmp.as_file().sync_all().map_err(|e| out_err(&path, e))?;
            // tempfile creates 0600; reports are ordinary files for spreadsheets and colleagues.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
                    .map_err(|e| out_err(&path, e))?;
            }
            tmp.persist(&path).map_err(|e| out_err(&path, e.error))?;
            done.push(path);
        }
        Ok(done)
    }
}

/// The csv crate writes the header with the first row; an empty table still gets its header,
/// taken from a default row of the same type so it can never differ from the real one.
fn write_header_only<R: serde::Serialize + Default>(
    w: &mut csv::Writer<std::io::BufWriter<&std::fs::File>>,
) -> Result<(), csv::Error> {
    w.write_record(header_of::<R>()?.iter())
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

/// Column names of `findings.csv`, in the order of [`crate::audit::Finding`]'s fields.
pub const FINDINGS_HEADER: &[&str] = &[
    "vcenter",
    "object_type",
    "object",
    "moref",
    "rule",
    "severity",
    "status",
    "message",
    "actual",
    "expected",
];

/// Column names of `summary.csv`, in the order of [`crate::audit::SummaryRow`]'s fields.
pub const SUMMARY_HEADER: &[&str] = &[
    "rule",
    "object_type",
    "severity",
    "status",
    "checked",
    "passed",
    "failed",
    "unknown",
    "applies_to",
    "description",
    "source",
];

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
            status: vc.status.as_str(),
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
fn tags_cell(vc: &VCenterInventory, tags: &[String]) -> Option<String> {
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
) -> impl Iterator<Item = VmRow> + 'a {
    estate
        .vcenters
        .iter()
        .zip(&audit.vcenters)
        .flat_map(|(vc, va)| {
            vc.vms.iter().zip(&va.vms).map(move |(vm, a)| VmRow {
                vcenter: vc.server.clone(),
                datacenter: vm.datacenter.clone(),
                cluster: vm.cluster.clone(),
                host: vm.host.clone(),
                folder: vm.folder.clone(),
                vm: vm.name.clone(),
                moref: vm.moref.clone(),
                bios_uuid: vm.bios_uuid.clone(),
                instance_uuid: vm.instance_uuid.clone(),
                power_state: vm.power_state.as_ref().map(|s| s.to_string()),
                template: vm.template,
                guest_id: vm.guest_id.clone(),
                guest_os_config: vm.guest_os_config.clone(),
                guest_os_tools: vm.guest_os_tools.clone(),
                tools_status: vm.tools_status.as_ref().map(|s| s.to_string()),
                tools_running: vm.tools_running.as_ref().map(|s| s.to_string()),
                tools_version: vm.tools_version.clone(),
                tools_version_status: vm.tools_version_status.clone(),
                firmware: vm.firmware.as_ref().map(|s| s.to_string()),
                cpus: vm.cpus,
                memory_mb: vm.memory_mb,
                disks: vm.disks.as_ref().map(Vec::len),
                provisioned_gib: vm.provisioned_bytes().map(gib),
                largest_disk_gib: vm.largest_disk_bytes().map(gib),
                datastores: vm.datastores.join("; "),
                tags: tags_cell(vc, &vm.tags),
                readiness: a.readiness_str(),
                findings: a.findings,
            })
        })
}

pub fn disk_rows(estate: &Estate) -> impl Iterator<Item = DiskRow> + '_ {
    estate.vcenters.iter().flat_map(|vc| {
        vc.vms.iter().flat_map(move |vm| {
            vm.disks.iter().flatten().map(move |d| DiskRow {
                vcenter: vc.server.clone(),
                vm: vm.name.clone(),
                vm_moref: vm.moref.clone(),
                label: d.label.clone(),
                capacity_bytes: d.capacity_bytes,
                capacity_gib: d.capacity_bytes.map(gib),
                datastore: d.datastore.clone(),
                file: d.file.clone(),
                thin: d.thin,
                disk_mode: d.disk_mode.clone(),
                backing: d.backing.as_ref().map(|b| b.to_string()),
                controller: d.controller.clone(),
                unit: d.unit,
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

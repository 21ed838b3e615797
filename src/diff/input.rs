//! Reading one side of a diff: a snapshot (audited here with the chosen profile) or a
//! `report.json`, both reduced to the same [`Tables`].
//!
//! A snapshot is audited and its report tables are produced through
//! [`crate::report::write_tables`], the same code that writes `report.json`; a `report.json` is
//! read back into the same row types. Either way the diff sees exactly what the reports show, so
//! the two kinds of input can be mixed freely.

use crate::audit::{self, Profile};
use crate::report::{self, TableSink};
use crate::snapshot::{self, SnapshotError};
use serde::Deserialize;
use std::path::{Path, PathBuf};

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
        "{path} is a report.json of schema {found}; this vcaudit reads up to {supported}: upgrade vcaudit"
    )]
    TooNew {
        path: String,
        found: u64,
        supported: u32,
    },
}

/// A `vcenters` row, as far as the diff needs it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VcIn {
    pub vcenter: String,
    pub instance_uuid: Option<String>,
    pub status: String,
    pub error: Option<String>,
}

/// A `hosts` row.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HostIn {
    pub vcenter: String,
    pub datacenter: Option<String>,
    pub cluster: Option<String>,
    pub host: String,
    pub moref: String,
    pub version: Option<String>,
    pub build: Option<String>,
    pub connection_state: Option<String>,
    pub maintenance_mode: Option<bool>,
}

/// A `vms` row.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VmIn {
    pub vcenter: String,
    pub datacenter: Option<String>,
    pub cluster: Option<String>,
    pub host: Option<String>,
    pub folder: Option<String>,
    pub vm: String,
    pub moref: String,
    pub instance_uuid: Option<String>,
    pub power_state: Option<String>,
    pub template: Option<bool>,
    pub guest_id: Option<String>,
    pub guest_os_config: Option<String>,
    pub guest_os_tools: Option<String>,
    pub tools_status: Option<String>,
    pub tools_running: Option<String>,
    pub tools_version: Option<String>,
    pub tools_version_status: Option<String>,
    pub firmware: Option<String>,
    pub cpus: Option<u32>,
    pub memory_mb: Option<u64>,
    pub disks: Option<usize>,
    pub provisioned_gib: Option<f64>,
    #[serde(default)]
    pub datastores: String,
    pub readiness: String,
}

/// A `disks` row.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DiskIn {
    pub vcenter: String,
    pub vm_moref: String,
    pub label: Option<String>,
    pub capacity_gib: Option<f64>,
    pub datastore: Option<String>,
}

/// A `datastores` row.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DatastoreIn {
    pub vcenter: String,
    pub datacenter: Option<String>,
    pub datastore: String,
    pub moref: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub capacity_gib: Option<f64>,
    pub datastore_cluster: Option<String>,
}

/// A `findings` row.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FindingIn {
    pub vcenter: String,
    pub object_type: String,
    pub object: String,
    pub moref: String,
    pub rule: String,
    pub severity: String,
    pub status: String,
}

/// One side of a diff: the report tables the diff reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Tables {
    #[serde(default)]
    pub vcenters: Vec<VcIn>,
    #[serde(default)]
    pub hosts: Vec<HostIn>,
    #[serde(default)]
    pub vms: Vec<VmIn>,
    #[serde(default)]
    pub disks: Vec<DiskIn>,
    #[serde(default)]
    pub datastores: Vec<DatastoreIn>,
    #[serde(default)]
    pub findings: Vec<FindingIn>,
}

/// A side as read: its tables and the profile its findings come from.
#[derive(Debug, Clone)]
pub struct Side {
    pub path: PathBuf,
    pub profile: String,
    pub tables: Tables,
}

#[derive(Deserialize)]
struct ReportDoc {
    schema_version: Option<u64>,
    vcaudit_version: Option<String>,
    profile: Option<String>,
    #[serde(flatten)]
    tables: Tables,
}

/// Reads a snapshot (`.json`/`.json.zst`, audited with `profile`) or a `report.json` (or a report
/// folder holding one).
pub fn read_side(path: &Path, profile: &Profile) -> Result<Side, InputError> {
    let dir_report = path.join(report::json::FILE_NAME);
    if path.is_dir() && dir_report.is_file() {
        return read_report(&dir_report);
    }
    match snapshot::read(path) {
        Ok(snap) => {
            let estate = snap.into_estate();
            let result = audit::audit(&estate, profile);
            let mut sink = Collect(Tables::default());
            let model = report::Report::new(&estate, &result, String::new());
            model
                .write_tables(&mut sink)
                .map_err(|e| InputError::Unreadable {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
            Ok(Side {
                path: path.to_path_buf(),
                profile: profile.name().to_string(),
                tables: sink.0,
            })
        }
        Err(SnapshotError::NotASnapshot { .. }) => read_report(path),
        Err(e) => Err(e.into()),
    }
}

fn read_report(path: &Path) -> Result<Side, InputError> {
    let shown = path.display().to_string();
    let unreadable = |reason: String| InputError::Unreadable {
        path: shown.clone(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| unreadable(e.to_string()))?;
    let doc: ReportDoc = serde_json::from_reader(std::io::BufReader::new(file))
        .map_err(|e| unreadable(e.to_string()))?;
    let (Some(version), Some(_)) = (doc.schema_version, doc.vcaudit_version) else {
        return Err(unreadable("no schema_version and vcaudit_version".into()));
    };
    if version > u64::from(report::json::SCHEMA_VERSION) {
        return Err(InputError::TooNew {
            path: shown,
            found: version,
            supported: report::json::SCHEMA_VERSION,
        });
    }
    if doc.tables.vcenters.is_empty() {
        return Err(unreadable("it lists no vcenters".into()));
    }
    Ok(Side {
        path: path.to_path_buf(),
        profile: doc.profile.unwrap_or_default(),
        tables: doc.tables,
    })
}

/// Collects the report tables a snapshot's audit produces into [`Tables`].
struct Collect(Tables);

fn push<R: serde::Serialize, T: serde::de::DeserializeOwned>(
    into: &mut Vec<T>,
    rows: impl IntoIterator<Item = R>,
) -> serde_json::Result<()> {
    for row in rows {
        into.push(serde_json::from_value(serde_json::to_value(&row)?)?);
    }
    Ok(())
}

impl TableSink for Collect {
    type Error = serde_json::Error;

    fn table<R: serde::Serialize>(
        &mut self,
        spec: &'static report::columns::TableSpec,
        rows: impl Iterator<Item = R>,
    ) -> serde_json::Result<()> {
        let t = &mut self.0;
        match spec.name {
            "vcenters" => push(&mut t.vcenters, rows),
            "hosts" => push(&mut t.hosts, rows),
            "vms" => push(&mut t.vms, rows),
            "disks" => push(&mut t.disks, rows),
            "datastores" => push(&mut t.datastores, rows),
            "findings" => push(&mut t.findings, rows),
            _ => Ok(()),
        }
    }
}

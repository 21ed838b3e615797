//! Flat report rows: one struct per CSV table, one field per column, in column order.
//!
//! These are separate from the domain model on purpose: the model says what is true of the
//! estate, a row says how one spreadsheet line shows it. Field names are the column names.
//!
//! The same structs read `report.json` back (`vcaudit diff`): every row deserializes from the
//! object the report wrote, so what is written and what is read cannot drift apart. Keys a
//! reader does not know are ignored and a missing column reads as unknown, so a report of an
//! older or newer vcaudit of the same schema still reads.

use super::Gib;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A text cell that is usually one of a few fixed spellings (`ok`, `ready`), owned when read.
pub type Word = Cow<'static, str>;

/// A text cell of a table with one row per VM or disk: borrowed from the estate when a report
/// is written (no per-row copies), owned when `report.json` is read back.
pub type Text<'a> = Cow<'a, str>;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VCenterRow {
    pub vcenter: String,
    pub url: String,
    pub name: Option<String>,
    pub version: Option<String>,
    pub build: Option<String>,
    pub api_version: Option<String>,
    pub instance_uuid: Option<String>,
    pub status: Word,
    pub error: Option<String>,
    pub datacenters: Option<usize>,
    pub clusters: Option<usize>,
    pub hosts: Option<usize>,
    pub vms: Option<usize>,
    pub collected_at: Option<String>,
    pub findings: usize,
    /// What could not be read besides the inventory (events, tags, refused properties).
    pub notes: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HostRow {
    pub vcenter: String,
    pub datacenter: Option<String>,
    pub cluster: Option<String>,
    pub host: String,
    pub moref: String,
    pub version: Option<String>,
    pub build: Option<String>,
    pub full_name: Option<String>,
    pub connection_state: Option<String>,
    pub maintenance_mode: Option<bool>,
    /// vSphere tags, `category:tag` sorted and joined with `; `; unknown when tags were
    /// unavailable.
    pub tags: Option<String>,
    pub vms: usize,
    pub findings: usize,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VmRow<'a> {
    pub vcenter: Text<'a>,
    pub datacenter: Option<Text<'a>>,
    pub cluster: Option<Text<'a>>,
    pub host: Option<Text<'a>>,
    pub folder: Option<Text<'a>>,
    pub vm: Text<'a>,
    pub moref: Text<'a>,
    pub bios_uuid: Option<Text<'a>>,
    pub instance_uuid: Option<Text<'a>>,
    pub power_state: Option<Text<'a>>,
    pub template: Option<bool>,
    pub guest_id: Option<Text<'a>>,
    pub guest_os_config: Option<Text<'a>>,
    pub guest_os_tools: Option<Text<'a>>,
    pub tools_status: Option<Text<'a>>,
    pub tools_running: Option<Text<'a>>,
    pub tools_version: Option<Text<'a>>,
    pub tools_version_status: Option<Text<'a>>,
    pub firmware: Option<Text<'a>>,
    pub cpus: Option<u32>,
    pub memory_mb: Option<u64>,
    pub disks: Option<usize>,
    pub provisioned_gib: Option<Gib>,
    pub largest_disk_gib: Option<Gib>,
    pub datastores: String,
    /// vSphere tags, `category:tag` sorted and joined with `; `; unknown when tags were
    /// unavailable.
    pub tags: Option<String>,
    /// The solution managing the VM (`config.managedBy`: `extensionKey/type`); empty for an
    /// ordinary VM. Managed (agent) VMs are `out-of-scope`.
    pub managed_by: Option<String>,
    pub readiness: Word,
    pub findings: usize,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DiskRow<'a> {
    pub vcenter: Text<'a>,
    pub vm: Text<'a>,
    pub vm_moref: Text<'a>,
    pub label: Option<Text<'a>>,
    pub capacity_bytes: Option<u64>,
    pub capacity_gib: Option<Gib>,
    pub datastore: Option<Text<'a>>,
    pub file: Option<Text<'a>>,
    pub thin: Option<bool>,
    pub disk_mode: Option<Text<'a>>,
    pub backing: Option<Text<'a>>,
    pub controller: Option<Text<'a>>,
    pub unit: Option<i32>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DatastoreRow {
    pub vcenter: String,
    pub datacenter: Option<String>,
    pub datastore: String,
    pub moref: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub capacity_gib: Option<Gib>,
    pub free_gib: Option<Gib>,
    pub datastore_cluster: Option<String>,
    pub storage_drs: Option<bool>,
}

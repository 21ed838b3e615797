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
pub struct VmRow {
    pub vcenter: String,
    pub datacenter: Option<String>,
    pub cluster: Option<String>,
    pub host: Option<String>,
    pub folder: Option<String>,
    pub vm: String,
    pub moref: String,
    pub bios_uuid: Option<String>,
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
pub struct DiskRow {
    pub vcenter: String,
    pub vm: String,
    pub vm_moref: String,
    pub label: Option<String>,
    pub capacity_bytes: Option<u64>,
    pub capacity_gib: Option<Gib>,
    pub datastore: Option<String>,
    pub file: Option<String>,
    pub thin: Option<bool>,
    pub disk_mode: Option<String>,
    pub backing: Option<String>,
    pub controller: Option<String>,
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

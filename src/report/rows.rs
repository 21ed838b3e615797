//! Flat report rows: one struct per CSV table, one field per column, in column order.
//!
//! These are separate from the domain model on purpose: the model says what is true of the
//! estate, a row says how one spreadsheet line shows it. Field names are the column names.

use super::Gib;
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct VCenterRow {
    pub vcenter: String,
    pub url: String,
    pub name: Option<String>,
    pub version: Option<String>,
    pub build: Option<String>,
    pub api_version: Option<String>,
    pub instance_uuid: Option<String>,
    pub status: &'static str,
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

#[derive(Debug, Default, Serialize)]
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

#[derive(Debug, Default, Serialize)]
pub struct VmRow<'a> {
    pub vcenter: &'a str,
    pub datacenter: Option<&'a str>,
    pub cluster: Option<&'a str>,
    pub host: Option<&'a str>,
    pub folder: Option<&'a str>,
    pub vm: &'a str,
    pub moref: &'a str,
    pub bios_uuid: Option<&'a str>,
    pub instance_uuid: Option<&'a str>,
    pub power_state: Option<&'a str>,
    pub template: Option<bool>,
    pub guest_id: Option<&'a str>,
    pub guest_os_config: Option<&'a str>,
    pub guest_os_tools: Option<&'a str>,
    pub tools_status: Option<&'a str>,
    pub tools_running: Option<&'a str>,
    pub tools_version: Option<&'a str>,
    pub tools_version_status: Option<&'a str>,
    pub firmware: Option<&'a str>,
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
    pub readiness: &'static str,
    pub findings: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct DiskRow<'a> {
    pub vcenter: &'a str,
    pub vm: &'a str,
    pub vm_moref: &'a str,
    pub label: Option<&'a str>,
    pub capacity_bytes: Option<u64>,
    pub capacity_gib: Option<Gib>,
    pub datastore: Option<&'a str>,
    pub file: Option<&'a str>,
    pub thin: Option<bool>,
    pub disk_mode: Option<&'a str>,
    pub backing: Option<&'a str>,
    pub controller: Option<&'a str>,
    pub unit: Option<i32>,
}

#[derive(Debug, Default, Serialize)]
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

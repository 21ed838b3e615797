//! The report tables and their columns: name, type, unit and meaning, in column order.
//!
//! [`TABLES`] is the one list of tables, in report order. A column's name is the CSV header and
//! the JSON key, and equals the serde name of its field in the row type of [`super::rows`] (a
//! test keeps them equal). Types and units let typed formats (XLSX, HTML) format a cell without
//! knowing the table: a `Number` in `GiB` gets two decimals, an `Integer` in `MiB` none.

use serde::Serialize;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Text,
    /// A whole number (a count, a size in `unit`).
    Integer,
    /// A decimal number in `unit`.
    Number,
    Boolean,
    /// An RFC 3339 time (`2026-01-02T03:04:05Z`).
    Timestamp,
}

/// One column of a report table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// `GiB`, `MiB`, `bytes`; `None` for counts and non-numbers.
    pub unit: Option<&'static str>,
    pub description: &'static str,
}

/// One report table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableSpec {
    /// The CSV file name without `.csv` and the key in `report.json`.
    pub name: &'static str,
    /// The human title (the XLSX sheet name).
    pub title: &'static str,
    pub description: &'static str,
    pub columns: &'static [Column],
}

impl TableSpec {
    /// The column names: the CSV header.
    pub fn header(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.columns.iter().map(|c| c.name)
    }

    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

const fn c(name: &'static str, kind: ColumnType, description: &'static str) -> Column {
    Column {
        name,
        kind,
        unit: None,
        description,
    }
}

const fn u(
    name: &'static str,
    kind: ColumnType,
    unit: &'static str,
    description: &'static str,
) -> Column {
    Column {
        name,
        kind,
        unit: Some(unit),
        description,
    }
}

use ColumnType::{Boolean as B, Integer as I, Number as N, Text as T, Timestamp as TS};

pub const VCENTERS: TableSpec = TableSpec {
    name: "vcenters",
    title: "vCenters",
    description: "One row per vCenter of the run, collected or not.",
    columns: &[
        c(
            "vcenter",
            T,
            "The vCenter as named on the command line or in the estate file",
        ),
        c("url", T, "The SDK URL vcaudit connected to"),
        c("name", T, "about.name"),
        c("version", T, "about.version"),
        c("build", T, "about.build"),
        c("api_version", T, "about.apiVersion"),
        c("instance_uuid", T, "about.instanceUuid"),
        c(
            "status",
            T,
            "ok, or error when the vCenter could not be collected",
        ),
        c("error", T, "Why the vCenter could not be collected"),
        c("datacenters", I, "Datacenters collected"),
        c("clusters", I, "Clusters collected"),
        c("hosts", I, "Hosts collected"),
        c("vms", I, "VMs collected"),
        c("collected_at", TS, "When the collection finished"),
        c(
            "findings",
            I,
            "Failing or unknown checks about the vCenter itself",
        ),
        c(
            "notes",
            T,
            "What could not be read besides the inventory (events, tags, refused properties)",
        ),
    ],
};

pub const HOSTS: TableSpec = TableSpec {
    name: "hosts",
    title: "Hosts",
    description: "One row per ESXi host.",
    columns: &[
        c("vcenter", T, "The vCenter"),
        c("datacenter", T, "Datacenter"),
        c("cluster", T, "Cluster; empty for a standalone host"),
        c("host", T, "Host name"),
        c("moref", T, "Managed object id (host-12)"),
        c("version", T, "ESXi version"),
        c("build", T, "ESXi build"),
        c("full_name", T, "Product full name"),
        c(
            "connection_state",
            T,
            "connected, disconnected, notResponding",
        ),
        c("maintenance_mode", B, "In maintenance mode"),
        c(
            "tags",
            T,
            "vSphere tags, category:tag joined with ; (empty when tags were unavailable)",
        ),
        c("vms", I, "VMs on the host"),
        c("findings", I, "Failing or unknown checks about the host"),
    ],
};

pub const VMS: TableSpec = TableSpec {
    name: "vms",
    title: "VMs",
    description: "One row per VM and template, with its readiness.",
    columns: &[
        c("vcenter", T, "The vCenter"),
        c("datacenter", T, "Datacenter"),
        c("cluster", T, "Cluster of the VM's host"),
        c("host", T, "Host the VM runs on"),
        c("folder", T, "VM folder path"),
        c("vm", T, "VM name"),
        c("moref", T, "Managed object id (vm-42)"),
        c("bios_uuid", T, "config.uuid (SMBIOS UUID)"),
        c(
            "instance_uuid",
            T,
            "config.instanceUuid (vCenter instance UUID)",
        ),
        c("power_state", T, "poweredOn, poweredOff, suspended"),
        c("template", B, "Is a template"),
        c("guest_id", T, "Configured guest OS id"),
        c(
            "guest_os_config",
            T,
            "Guest OS according to the configuration",
        ),
        c("guest_os_tools", T, "Guest OS according to VMware Tools"),
        c("tools_status", T, "guest.toolsStatus"),
        c("tools_running", T, "guest.toolsRunningStatus"),
        c("tools_version", T, "guest.toolsVersion"),
        c("tools_version_status", T, "guest.toolsVersionStatus2"),
        c("firmware", T, "bios or efi"),
        c("cpus", I, "Virtual CPUs"),
        u("memory_mb", I, "MiB", "Configured memory"),
        c("disks", I, "Virtual disks"),
        u(
            "provisioned_gib",
            N,
            "GiB",
            "Sum of the virtual disks' capacities",
        ),
        u(
            "largest_disk_gib",
            N,
            "GiB",
            "Capacity of the largest virtual disk",
        ),
        c("datastores", T, "Datastores of the VM, joined with ;"),
        c(
            "tags",
            T,
            "vSphere tags, category:tag joined with ; (empty when tags were unavailable)",
        ),
        c(
            "managed_by",
            T,
            "Extension managing the VM (config.managedBy), e.g. vCLS or EAM agents: such VMs are out of scope",
        ),
        c(
            "readiness",
            T,
            "ready, conditionally-ready, unknown, not-ready or out-of-scope",
        ),
        c(
            "findings",
            I,
            "Failing or unknown checks about the VM itself",
        ),
    ],
};

pub const DISKS: TableSpec = TableSpec {
    name: "disks",
    title: "Disks",
    description: "One row per virtual disk.",
    columns: &[
        c("vcenter", T, "The vCenter"),
        c("vm", T, "VM name"),
        c("vm_moref", T, "VM managed object id"),
        c("label", T, "Device label (Hard disk 1)"),
        u("capacity_bytes", I, "bytes", "Capacity"),
        u("capacity_gib", N, "GiB", "Capacity"),
        c("datastore", T, "Datastore of the disk file"),
        c("file", T, "Disk file path ([ds01] vm/vm.vmdk)"),
        c("thin", B, "Thin provisioned"),
        c("disk_mode", T, "persistent, independent_persistent, ..."),
        c("backing", T, "Backing kind (flat, rdm-physical, ...)"),
        c("controller", T, "Controller label"),
        c("unit", I, "Unit number on the controller"),
    ],
};

pub const DATASTORES: TableSpec = TableSpec {
    name: "datastores",
    title: "Datastores",
    description: "One row per datastore.",
    columns: &[
        c("vcenter", T, "The vCenter"),
        c("datacenter", T, "Datacenter"),
        c("datastore", T, "Datastore name"),
        c("moref", T, "Managed object id"),
        c("type", T, "VMFS, NFS, vsan, vvol, ..."),
        u("capacity_gib", N, "GiB", "Capacity"),
        u("free_gib", N, "GiB", "Free space"),
        c("datastore_cluster", T, "Datastore cluster (storage pod)"),
        c(
            "storage_drs",
            B,
            "Storage DRS enabled on its datastore cluster",
        ),
    ],
};

pub const FINDINGS: TableSpec = TableSpec {
    name: "findings",
    title: "Findings",
    description: "One row per failing or unknown check.",
    columns: &[
        c("vcenter", T, "The vCenter"),
        c("object_type", T, "vcenter, host or vm"),
        c(
            "object",
            T,
            "Object name (for a vCenter: as named by the user)",
        ),
        c(
            "moref",
            T,
            "Managed object id (for a vCenter: its instance UUID)",
        ),
        c("rule", T, "Rule id"),
        c("severity", T, "error or warning"),
        c("status", T, "fail or unknown"),
        c("message", T, "What is wrong"),
        c("actual", T, "The value found"),
        c("expected", T, "The value the rule expects"),
    ],
};

pub const SUMMARY: TableSpec = TableSpec {
    name: "summary",
    title: "Summary",
    description: "One row per rule, then one per manual check.",
    columns: &[
        c("rule", T, "Rule or manual check id"),
        c("object_type", T, "vcenter, host or vm"),
        c("severity", T, "error or warning; empty for manual checks"),
        c("status", T, "checked, disabled or manual"),
        c(
            "checked",
            I,
            "Objects checked (manual: VMs the check applies to)",
        ),
        c("passed", I, "Objects that passed"),
        c("failed", I, "Objects that failed"),
        c("unknown", I, "Objects the collected data could not decide"),
        c("applies_to", T, "Manual checks: which VMs"),
        c(
            "description",
            T,
            "The rule's title or the manual check's text",
        ),
        c("source", T, "Where the requirement comes from"),
    ],
};

/// Every report table, in report order.
pub const TABLES: [&TableSpec; 7] = [
    &VCENTERS,
    &HOSTS,
    &VMS,
    &DISKS,
    &DATASTORES,
    &FINDINGS,
    &SUMMARY,
];

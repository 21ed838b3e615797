//! The property paths vcaudit reads, per managed object type. This is the whole of what it asks
//! vCenter for; `wsdl/vim25-subset.xsd` describes each path and a test keeps the two in step.

/// `(managed object type, property paths)` in the order they are collected.
pub const QUERIES: &[(&str, &[&str])] = &[
    ("Folder", FOLDER),
    ("Datacenter", DATACENTER),
    ("ComputeResource", COMPUTE_RESOURCE),
    ("ClusterComputeResource", CLUSTER),
    ("HostSystem", HOST),
    ("StoragePod", STORAGE_POD),
    ("Datastore", DATASTORE),
    ("VirtualMachine", VIRTUAL_MACHINE),
];

pub const FOLDER: &[&str] = &["name", "parent"];
pub const DATACENTER: &[&str] = &["name", "parent"];
/// Standalone hosts and clusters alike (a cluster is a `ComputeResource`).
pub const COMPUTE_RESOURCE: &[&str] = &["name", "parent"];
pub const CLUSTER: &[&str] = &["name", "parent", "configurationEx", "summary"];
pub const HOST: &[&str] = &[
    "name",
    "parent",
    "summary.config.product",
    "runtime.connectionState",
    "runtime.inMaintenanceMode",
    "summary.hardware",
];
pub const STORAGE_POD: &[&str] = &[
    "name",
    "parent",
    "podStorageDrsEntry.storageDrsConfig.podConfig.enabled",
];
pub const DATASTORE: &[&str] = &[
    "name",
    "parent",
    "summary.type",
    "summary.capacity",
    "summary.freeSpace",
    "summary.accessible",
    "summary.url",
    "summary.uncommitted",
];
pub const VIRTUAL_MACHINE: &[&str] = &[
    "name",
    "parent",
    "runtime.host",
    "runtime.powerState",
    "config.uuid",
    "config.instanceUuid",
    "config.template",
    "config.guestId",
    "config.guestFullName",
    "config.firmware",
    "config.hardware.numCPU",
    "config.hardware.memoryMB",
    "config.hardware.device",
    "config.bootOptions",
    "config.keyId",
    "config.managedBy",
    "guest.guestId",
    "guest.guestFullName",
    "guest.toolsStatus",
    "guest.toolsRunningStatus",
    "guest.toolsVersion",
    "guest.toolsVersionStatus2",
    "guest.disk",
    "guest.net",
    "datastore",
    // The RVTools columns (`VmDetails`).
    "runtime.connectionState",
    "config.files.vmPathName",
    "config.annotation",
    "config.version",
    "config.changeTrackingEnabled",
    "config.hardware.numCoresPerSocket",
    "config.cpuAllocation",
    "config.memoryAllocation",
    "guest.hostName",
    "guest.ipAddress",
    "guest.guestState",
    "guestHeartbeatStatus",
    "summary.quickStats.guestMemoryUsage",
    "summary.quickStats.hostMemoryUsage",
    "summary.storage",
];

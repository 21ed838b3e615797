//! The declarations of a `VirtualMachine`'s properties (see [`super`] for what a declaration is
//! and how to add one), and the VM decoders that need more than a line.

use super::super::decode::{self, Overflow};
use super::super::devices;
use super::super::known::Known;
use super::{Prop, Table, Value};
use crate::model::{Firmware, PowerState, Shared, ToolsRunning, ToolsStatus, Vm, VmDetails};
use crate::soap::types::{ObjectContent, parse_num};

pub static VIRTUAL_MACHINE: Table<Vm> = Table {
    kind: "VirtualMachine",
    props: VM_PROPS,
};

const VM_PROPS: &[Prop<Vm>] = &[
    Prop::set("name", "xsd:string", "name", |v, _, vm| {
        vm.name = decode::name(v.raw()).into()
    }),
    Prop::set(
        "parent",
        "vim25:ManagedObjectReference",
        "datacenter, folder",
        |v, k, vm| {
            let parent = v.moref();
            vm.folder = parent.as_ref().and_then(|p| k.path(p)).map(Shared::from);
            vm.datacenter = k.datacenter_from(parent).map(Shared::from);
        },
    ),
    Prop::set(
        "runtime.host",
        "vim25:ManagedObjectReference",
        "host, cluster, host_moref",
        runtime_host,
    ),
    Prop::set(
        "runtime.powerState",
        "xsd:string",
        "power_state",
        |v, _, vm| vm.power_state = v.trimmed().map(PowerState::from_wire),
    ),
    Prop::set("config.uuid", "xsd:string", "bios_uuid", |v, _, vm| {
        vm.bios_uuid = v.text().map(Into::into)
    }),
    Prop::set(
        "config.instanceUuid",
        "xsd:string",
        "instance_uuid",
        |v, _, vm| vm.instance_uuid = v.text().map(Into::into),
    ),
    Prop::set("config.template", "xsd:boolean", "template", |v, _, vm| {
        vm.template = v.bool()
    }),
    Prop::set("config.guestId", "xsd:string", "guest_id", |v, _, vm| {
        vm.guest_id = v.shared()
    }),
    Prop::set(
        "config.guestFullName",
        "xsd:string",
        "guest_os_config",
        |v, _, vm| vm.guest_os_config = v.shared(),
    ),
    Prop::set("config.firmware", "xsd:string", "firmware", |v, _, vm| {
        vm.firmware = v.trimmed().map(Firmware::from_wire)
    }),
    Prop::set("config.hardware.numCPU", "xsd:int", "cpus", |v, _, vm| {
        vm.cpus = v.num()
    }),
    Prop::set(
        "config.hardware.memoryMB",
        "xsd:int",
        "memory_mb",
        |v, _, vm| vm.memory_mb = v.num().into(),
    ),
    Prop::try_set(
        "config.hardware.device",
        "vim25:ArrayOfVirtualDevice",
        "disks, nics",
        hardware_devices,
    ),
    Prop::set(
        "config.bootOptions",
        "vim25:VirtualMachineBootOptions",
        "boot_order, secure_boot",
        |v, _, vm| {
            let (order, secure) = devices::boot_options(v.node());
            (vm.boot_order, vm.secure_boot) = (order.map(Into::into), secure);
        },
    ),
    Prop::set("config.keyId", "vim25:CryptoKeyId", "key_id", |v, _, vm| {
        vm.key_id = v.node().and_then(devices::crypto_key).map(Into::into)
    }),
    Prop::set(
        "config.managedBy",
        "vim25:ManagedByInfo",
        "managed_by",
        |v, _, vm| vm.managed_by = devices::managed_by(v.node()).map(Box::new),
    ),
    Prop::set(
        "guest.guestId",
        "xsd:string",
        "guest_id_tools",
        |v, _, vm| vm.guest_id_tools = v.shared(),
    ),
    Prop::set(
        "guest.guestFullName",
        "xsd:string",
        "guest_os_tools",
        |v, _, vm| vm.guest_os_tools = v.shared(),
    ),
    Prop::set(
        "guest.toolsStatus",
        "xsd:string",
        "tools_status",
        |v, _, vm| vm.tools_status = v.trimmed().map(ToolsStatus::from_wire),
    ),
    Prop::set(
        "guest.toolsRunningStatus",
        "xsd:string",
        "tools_running",
        |v, _, vm| vm.tools_running = v.trimmed().map(ToolsRunning::from_wire),
    ),
    Prop::set(
        "guest.toolsVersion",
        "xsd:string",
        "tools_version",
        |v, _, vm| vm.tools_version = v.shared(),
    ),
    Prop::set(
        "guest.toolsVersionStatus2",
        "xsd:string",
        "tools_version_status",
        |v, _, vm| vm.tools_version_status = v.shared(),
    ),
    Prop::set(
        "guest.disk",
        "vim25:ArrayOfGuestDiskInfo",
        "guest_disks",
        |v, _, vm| vm.guest_disks = decode::guest_disks(v.nodes()).into(),
    ),
    // Read by the decoder of `config.hardware.device`, which matches each adapter with what
    // Tools report of it.
    Prop::set(
        "guest.net",
        "vim25:ArrayOfGuestNicInfo",
        "nics",
        |_, _, _| {},
    ),
    Prop::set(
        "datastore",
        "vim25:ArrayOfManagedObjectReference",
        "datastores, datastore_morefs",
        datastores,
    ),
    // The RVTools columns (`VmDetails`).
    Prop::set(
        "runtime.connectionState",
        "xsd:string",
        "details.connection_state",
        |v, _, vm| details(vm).connection_state = v.shared(),
    ),
    Prop::set(
        "config.files.vmPathName",
        "xsd:string",
        "details.vmx_path",
        |v, _, vm| details(vm).vmx_path = v.text().map(Into::into),
    ),
    Prop::set(
        "config.annotation",
        "xsd:string",
        "details.annotation",
        |v, _, vm| details(vm).annotation = v.raw().filter(|s| !s.is_empty()).map(Into::into),
    ),
    Prop::set(
        "config.version",
        "xsd:string",
        "details.hw_version",
        |v, _, vm| details(vm).hw_version = v.shared(),
    ),
    Prop::set(
        "config.changeTrackingEnabled",
        "xsd:boolean",
        "details.cbt",
        |v, _, vm| details(vm).cbt = v.bool(),
    ),
    Prop::set(
        "config.hardware.numCoresPerSocket",
        "xsd:int",
        "details.cores_per_socket",
        |v, _, vm| details(vm).set_cores_per_socket(v.num()),
    ),
    Prop::set(
        "config.cpuAllocation",
        "vim25:ResourceAllocationInfo",
        "details.cpu_reservation, details.cpu_limit",
        |v, _, vm| {
            let d = details(vm);
            let (reservation, limit) = decode::allocation(v.node());
            d.set_cpu_reservation(reservation);
            d.set_cpu_limit(limit);
        },
    ),
    Prop::set(
        "config.memoryAllocation",
        "vim25:ResourceAllocationInfo",
        "details.memory_reservation, details.memory_limit",
        |v, _, vm| {
            let d = details(vm);
            let (reservation, limit) = decode::allocation(v.node());
            d.set_memory_reservation(reservation);
            d.set_memory_limit(limit);
        },
    ),
    Prop::set(
        "guest.hostName",
        "xsd:string",
        "details.dns_name",
        |v, _, vm| details(vm).dns_name = v.text().map(Into::into),
    ),
    Prop::set(
        "guest.ipAddress",
        "xsd:string",
        "details.primary_ip",
        |v, _, vm| details(vm).primary_ip = v.text().map(Into::into),
    ),
    Prop::set(
        "guest.guestState",
        "xsd:string",
        "details.guest_state",
        |v, _, vm| details(vm).guest_state = v.shared(),
    ),
    Prop::set(
        "guestHeartbeatStatus",
        "xsd:string",
        "details.heartbeat",
        |v, _, vm| details(vm).heartbeat = v.shared(),
    ),
    Prop::set(
        "summary.quickStats.guestMemoryUsage",
        "xsd:int",
        "details.memory_active_mb",
        |v, _, vm| details(vm).set_memory_active_mb(v.num()),
    ),
    Prop::set(
        "summary.quickStats.hostMemoryUsage",
        "xsd:int",
        "details.memory_consumed_mb",
        |v, _, vm| details(vm).set_memory_consumed_mb(v.num()),
    ),
    Prop::set(
        "summary.storage",
        "vim25:VirtualMachineStorageSummary",
        "details.storage_committed, details.storage_uncommitted, details.storage_unshared",
        storage,
    ),
];

/// A VM from its object: `None` for an object without a reference; an overflow comes with the
/// VM named.
pub fn vm(oc: &ObjectContent, known: &Known) -> Result<Option<Vm>, (String, Overflow)> {
    let Some(obj) = oc.obj.as_ref() else {
        return Ok(None);
    };
    let mut vm = VIRTUAL_MACHINE.decoded(
        oc,
        known,
        Vm {
            moref: obj.value.as_str().into(),
            ..Vm::default()
        },
    )?;
    // Details stay `None` when none of them was sent (snapshots tell "not collected" apart).
    if vm.details.as_deref() == Some(&VmDetails::default()) {
        vm.details = None;
    }
    Ok(Some(vm))
}

/// The RVTools details, created on first write ([`vm`] drops them when they stayed empty).
fn details(vm: &mut Vm) -> &mut VmDetails {
    vm.details.get_or_insert_with(Default::default)
}

fn runtime_host(v: Value<'_>, k: &Known, vm: &mut Vm) {
    let host = v.moref();
    (vm.host, vm.cluster) = match host.as_ref().and_then(|h| k.hosts.get(h)) {
        Some((name, cluster)) => (Some(name.clone()), cluster.clone()),
        None => (None, None),
    };
    vm.host_moref = host.map(|h| Shared::from(h.value));
}

fn datastores(v: Value<'_>, k: &Known, vm: &mut Vm) {
    let refs = decode::moref_list(v.nodes());
    vm.datastores = refs
        .iter()
        .map(|d| {
            k.datastores
                .get(d)
                .cloned()
                .unwrap_or_else(|| Shared::from(&d.value))
        })
        .collect();
    // Not `into_iter`: collecting in place would keep the larger `MoRef` buffer.
    vm.datastore_morefs = refs.iter().map(|d| Shared::from(&d.value)).collect();
}

/// Disks and adapters; the adapters take what Tools report of them from `guest.net`.
fn hardware_devices(v: Value<'_>, k: &Known, vm: &mut Vm) -> Result<(), Overflow> {
    vm.disks = decode::disks(v.nodes(), &k.datastores)?.map(Into::into);
    vm.nics = devices::nics(v.nodes(), v.object().get_all("guest.net")).map(Into::into);
    Ok(())
}

fn storage(v: Value<'_>, _: &Known, vm: &mut Vm) {
    let s = v.node();
    let stored = |name: &str| s.and_then(|s| parse_num(s.text_at(&[name])));
    let d = details(vm);
    d.set_storage_committed(stored("committed"));
    d.set_storage_uncommitted(stored("uncommitted"));
    d.set_storage_unshared(stored("unshared"));
}

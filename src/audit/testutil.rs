//! Test helpers: estates that pass every rule, and runners for a single rule.

use super::context::{Context, HostView, VCenterView, VmView};
use super::os::GuestOs;
use super::profile::Profile;
use super::rules::Rule;
use super::{Outcome, Status};
use crate::model::*;

pub use super::util::GIB;

/// A VM that passes every rule of the default profile.
pub fn vm(name: &str) -> Vm {
    Vm {
        moref: format!("vm-{name}").into(),
        name: name.into(),
        host: Some("esx1".into()),
        host_moref: Some("host-1".into()),
        power_state: Some(PowerState::PoweredOn),
        template: Some(false),
        guest_id: Some("windows8Server64Guest".into()),
        guest_os_config: Some("Microsoft Windows Server 2012 (64-bit)".into()),
        guest_os_tools: Some("Microsoft Windows Server 2012 R2 (64-bit)".into()),
        tools_status: Some(ToolsStatus::Ok),
        tools_running: Some(ToolsRunning::Running),
        firmware: Some(Firmware::Bios),
        datastores: vec!["ds1".into()].into(),
        datastore_morefs: vec!["datastore-1".into()].into(),
        disks: Some(vec![disk("Hard disk 1", 40 * GIB)].into()),
        guest_disks: vec![GuestDisk::new(
            "C:\\".into(),
            Some(40 * GIB),
            Some(10 * GIB),
        )]
        .into(),
        ..Default::default()
    }
}

pub fn disk(label: &str, bytes: u64) -> Disk {
    Disk {
        label: Some(label.into()),
        figures: DiskFigures::new(Some(bytes), None, None),
        ..Default::default()
    }
}

pub fn host(moref: &str, version: &str, build: &str) -> Host {
    Host {
        moref: moref.to_string(),
        name: format!("esx-{moref}"),
        version: Some(version.to_string()),
        build: Some(build.to_string()),
        ..Default::default()
    }
}

/// A vCenter 6.0 with one passing host (`host-1`), one plain datastore, `vms`, and migration
/// events read (none).
pub fn vcenter(server: &str, vms: Vec<Vm>) -> VCenterInventory {
    VCenterInventory {
        server: server.to_string(),
        about: About {
            version: Some("6.0.0".into()),
            instance_uuid: Some(format!("uuid-{server}")),
            ..Default::default()
        },
        hosts: vec![host("host-1", "6.0.0", "3620759")],
        datastores: vec![Datastore {
            moref: "datastore-1".into(),
            name: "ds1".into(),
            ..Default::default()
        }],
        vms,
        migration_events: Some(Vec::new()),
        ..Default::default()
    }
}

pub fn estate(vcenters: Vec<VCenterInventory>) -> Estate {
    Estate { vcenters }
}

/// The rule's parameters in the default profile.
pub fn default_params<R: Rule>(rule: &R) -> R::Params {
    params_with(rule, "")
}

/// The rule's parameters in the default profile, with the keys of `toml` (a rule table body)
/// replaced.
pub fn params_with<R: Rule>(rule: &R, toml: &str) -> R::Params {
    profile_params_with(super::profile::DEFAULT_PROFILE, rule, toml)
}

/// The rule's parameters in today's profile (`asr-vmware-2026`).
pub fn current_params<R: Rule>(rule: &R) -> R::Params {
    profile_params_with(super::profile::CURRENT_PROFILE, rule, "")
}

/// The rule's parameters in built-in profile `profile`, with the keys of `toml` replaced.
pub fn profile_params_with<R: Rule>(profile: &str, rule: &R, toml: &str) -> R::Params {
    let id = rule.meta().id;
    let p = Profile::builtin(profile).unwrap();
    let mut table = p
        .rule(id)
        .unwrap_or_else(|| panic!("{profile} does not hold {id}"))
        .table
        .clone();
    let extra: toml::Table = toml.parse().unwrap();
    table.extend(extra);
    toml::Value::Table(table).try_into().unwrap()
}

/// Runs a VM rule on the VM at `vm_index` of the first vCenter of `estate`.
pub fn run_vm_in<R: Rule>(
    rule: &R,
    params: &R::Params,
    estate: &Estate,
    vm_index: usize,
) -> Vec<Outcome> {
    let ctx = Context::new(estate);
    let vc = &estate.vcenters[0];
    let vm = &vc.vms[vm_index];
    let view = VmView {
        vc_index: 0,
        vc,
        vm,
        os: GuestOs::of(vm),
    };
    let mut out = Vec::new();
    rule.check_vm(params, &ctx, &view, &mut out);
    assert!(!out.is_empty(), "a rule must report at least one outcome");
    out
}

/// Runs a VM rule on `vm` alone in a passing vCenter.
pub fn run_vm<R: Rule>(rule: &R, params: &R::Params, vm: Vm) -> Vec<Outcome> {
    run_vm_in(rule, params, &estate(vec![vcenter("vc1", vec![vm])]), 0)
}

/// Runs a host rule on the host at `host_index` of the vCenter at `vc_index`.
pub fn run_host<R: Rule>(
    rule: &R,
    params: &R::Params,
    estate: &Estate,
    vc_index: usize,
    host_index: usize,
) -> Vec<Outcome> {
    let ctx = Context::new(estate);
    let vc = &estate.vcenters[vc_index];
    let view = HostView {
        vc_index,
        vc,
        host: &vc.hosts[host_index],
    };
    let mut out = Vec::new();
    rule.check_host(params, &ctx, &view, &mut out);
    assert!(!out.is_empty(), "a rule must report at least one outcome");
    out
}

/// Runs a vCenter rule on `vc` alone.
pub fn run_vcenter<R: Rule>(rule: &R, params: &R::Params, vc: VCenterInventory) -> Vec<Outcome> {
    let estate = estate(vec![vc]);
    let ctx = Context::new(&estate);
    let view = VCenterView {
        index: 0,
        vc: &estate.vcenters[0],
    };
    let mut out = Vec::new();
    rule.check_vcenter(params, &ctx, &view, &mut out);
    assert!(!out.is_empty(), "a rule must report at least one outcome");
    out
}

pub fn statuses(out: &[Outcome]) -> Vec<Status> {
    out.iter().map(|o| o.status).collect()
}

/// The single outcome of `out`.
pub fn only(out: Vec<Outcome>) -> Outcome {
    assert_eq!(out.len(), 1, "{out:?}");
    out.into_iter().next().unwrap()
}

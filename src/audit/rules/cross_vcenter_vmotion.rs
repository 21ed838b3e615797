//! `cross-vcenter-vmotion`: nothing shows the VM was moved between vCenters by cross-vCenter
//! vMotion.
//!
//! Site Recovery tracks a protected VM through the vCenter that manages it; a VM that moves to
//! another vCenter leaves its replication behind. The audit looks for evidence, in this order:
//!
//! - the same instance UUID, or the same BIOS UUID, in more than one audited vCenter (every copy
//!   fails, and the message names the other vCenters and which UUID). Duplicates within one
//!   vCenter do not count: clones can share a BIOS UUID. The index covers every VM of the estate,
//!   in scope or not, templates included, and is built once in the [`Context`];
//! - the vCenter's cross-vCenter migration events about the VM (matched by its moref within that
//!   vCenter): a `...SrcVmMigratedEvent` or `...DstVmMigratedEvent` fails, naming the event and its
//!   time; only `...MigrateFailedEvent`s are `unknown` (verify the VM was not moved).
//!
//! Without UUID evidence, a VM is `unknown`, and the message says why, when it has a UUID and
//! another vCenter of the estate could not be collected (its VMs, which may share this VM's UUIDs, are missing from
//! the index: a peer that was down must not read as evidence of no copy), or when its own
//! vCenter's events could not be read (`events_error`) or were not read at all
//! (`--events-days 0`). Otherwise the VM passes.
//!
//! Source: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "VMware vCenter or vSphere host", row **vCenter**:
//! "**Limitation**: Site Recovery does not support cross vCenter vMotion."

use serde::Deserialize;

use super::{Rule, RuleMeta, Source, VSPHERE_SUBSECTION};
use crate::audit::context::{Context, UuidKind, VmView};
use crate::audit::util::join;
use crate::audit::{ObjectKind, Outcome, Severity};
use crate::model::MigrationEvent;

pub struct CrossVcenterVmotion;

/// No parameters beyond `enabled` and `severity`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

static META: RuleMeta = RuleMeta {
    id: "cross-vcenter-vmotion",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "The VM shows no sign of cross-vCenter vMotion (UUIDs in one vCenter only, no migration events)",
    sources: &[Source::vmware(VSPHERE_SUBSECTION, "vCenter")],
};

const EXPECTED: &str = "no cross-vCenter vMotion";

impl Rule for CrossVcenterVmotion {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, _p: &Params, ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let mut messages: Vec<String> = Vec::new();
        let mut actual: Vec<String> = Vec::new();

        // The same UUID in other audited vCenters.
        for kind in [UuidKind::Instance, UuidKind::Bios] {
            let Some(uuid) = kind.of(v.vm) else { continue };
            let others: Vec<&str> = ctx
                .vcenters_sharing_uuid(kind, &uuid)
                .iter()
                .filter(|&&i| i != v.vc_index)
                .filter_map(|&i| ctx.estate.vcenters.get(i).map(|vc| vc.server.as_str()))
                .collect();
            if !others.is_empty() {
                let which = if others.len() == 1 {
                    "vCenter"
                } else {
                    "vCenters"
                };
                messages.push(format!(
                    "{} {uuid} is also in {which} {}",
                    kind.label(),
                    join(&others)
                ));
                actual.push(format!("{} in {} vCenters", kind.label(), others.len() + 1));
            }
        }

        // Migration events of this vCenter about this VM.
        let events = ctx.migration_events(v.vc_index, &v.vm.moref);
        let newest = |failed: bool| -> Option<(&MigrationEvent, usize)> {
            let matching = events.iter().filter(|e| e.failed == failed);
            let n = matching.clone().count();
            matching.max_by(|a, b| a.time.cmp(&b.time)).map(|e| (*e, n))
        };
        if let Some((e, n)) = newest(false) {
            let more = if n > 1 {
                format!(" and {} earlier", n - 1)
            } else {
                String::new()
            };
            messages.push(format!(
                "moved by cross-vCenter vMotion at {} ({}{more})",
                whole_seconds(&e.time),
                e.event_type_id
            ));
            actual.push(e.event_type_id.clone());
        }

        if !messages.is_empty() {
            out.push(Outcome::fail(
                messages.join("; "),
                actual.join("; "),
                EXPECTED,
            ));
            return;
        }
        if let Some((e, _)) = newest(true) {
            out.push(Outcome::unknown(
                format!(
                    "a cross-vCenter vMotion of this VM failed at {} ({}); verify it was not moved",
                    whole_seconds(&e.time),
                    e.event_type_id
                ),
                e.event_type_id.clone(),
                EXPECTED,
            ));
            return;
        }
        // Without evidence, a VM passes only when every source of evidence was read.
        let mut unread: Vec<String> = Vec::new();
        let has_uuid = [UuidKind::Instance, UuidKind::Bios]
            .iter()
            .any(|k| k.of(v.vm).is_some());
        let down: Vec<&str> = ctx
            .vcenters_not_collected()
            .iter()
            .filter(|&&i| has_uuid && i != v.vc_index)
            .filter_map(|&i| ctx.estate.vcenters.get(i).map(|vc| vc.server.as_str()))
            .collect();
        if !down.is_empty() {
            let (which, was) = if down.len() == 1 {
                ("vCenter", "was")
            } else {
                ("vCenters", "were")
            };
            unread.push(format!(
                "{which} {} {was} not collected, so its VMs' UUIDs could not be compared",
                join(&down)
            ));
        }
        if v.vc.migration_events.is_none() {
            unread.push(match &v.vc.events_error {
                Some(reason) => reason.clone(),
                None => "vCenter events were not read (--events-days 0)".to_string(),
            });
        }
        if !unread.is_empty() {
            out.push(Outcome::unknown(
                format!(
                    "{}; verify the VM was never moved by cross-vCenter vMotion",
                    unread.join("; ")
                ),
                "",
                EXPECTED,
            ));
            return;
        }
        out.push(Outcome::pass());
    }
}

/// An RFC 3339 time without its fraction of a second, for messages: `2026-01-02T10:00:00.123Z`
/// becomes `2026-01-02T10:00:00Z`. Anything else is shown as is.
fn whole_seconds(time: &str) -> String {
    if let Some(dot) = time.find('.') {
        let rest = &time[dot + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            return format!("{}{}", &time[..dot], &rest[digits..]);
        }
    }
    time.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::context::VmView;
    use crate::audit::os::GuestOs;
    use crate::audit::testutil::*;
    use crate::model::{Estate, VCenterInventory, Vm};

    /// A vCenter whose events were read and hold `events`.
    fn vc_with(server: &str, vms: Vec<Vm>, events: Vec<MigrationEvent>) -> VCenterInventory {
        VCenterInventory {
            migration_events: Some(events),
            ..vcenter(server, vms)
        }
    }

    fn with_uuids(name: &str, instance: &str, bios: &str) -> Vm {
        Vm {
            instance_uuid: Some(instance.into()),
            bios_uuid: Some(bios.into()),
            ..vm(name)
        }
    }

    fn event(id: &str, vm: &str, time: &str) -> MigrationEvent {
        MigrationEvent {
            event_type_id: id.into(),
            time: time.into(),
            vm_moref: vm.into(),
            failed: id.ends_with("MigrateFailedEvent"),
            ..Default::default()
        }
    }

    /// The outcomes of the VM at `vm` of the vCenter at `vc`.
    fn run_at(e: &Estate, vc: usize, vm: usize) -> Vec<Outcome> {
        let ctx = Context::new(e);
        let inv = &e.vcenters[vc];
        let view = VmView {
            vc_index: vc,
            vc: inv,
            vm: &inv.vms[vm],
            os: GuestOs::of(&inv.vms[vm]),
        };
        let mut out = Vec::new();
        CrossVcenterVmotion.check_vm(&default_params(&CrossVcenterVmotion), &ctx, &view, &mut out);
        out
    }

    #[test]
    fn the_same_uuid_in_two_vcenters_fails_every_copy() {
        let e = estate(vec![
            vc_with("vc1", vec![with_uuids("a", "i-1", "b-1")], vec![]),
            vc_with(
                "vc2",
                vec![vm("x"), with_uuids("a-copy", "I-1", "b-other")],
                vec![],
            ),
            vc_with("vc3", vec![with_uuids("b", "i-3", "b-1")], vec![]),
        ]);
        let o = only(run_at(&e, 0, 0));
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.message,
            "instance UUID i-1 is also in vCenter vc2; BIOS UUID b-1 is also in vCenter vc3"
        );
        let o = only(run_at(&e, 1, 1));
        assert_eq!(
            (o.status, o.message.as_str()),
            (Status::Fail, "instance UUID i-1 is also in vCenter vc1")
        );
        let o = only(run_at(&e, 2, 0));
        assert_eq!(o.message, "BIOS UUID b-1 is also in vCenter vc1");
        assert_eq!(statuses(&run_at(&e, 1, 0)), [Status::Pass]);
    }

    #[test]
    fn three_copies_name_both_other_vcenters_and_templates_count() {
        let tmpl = Vm {
            template: Some(true),
            ..with_uuids("t", "i-9", "b-9")
        };
        let e = estate(vec![
            vc_with("vc1", vec![tmpl.clone()], vec![]),
            vc_with("vc2", vec![tmpl.clone()], vec![]),
            vc_with("vc3", vec![tmpl], vec![]),
        ]);
        let o = only(run_at(&e, 1, 0));
        assert_eq!(
            o.message,
            "instance UUID i-9 is also in vCenters vc1, vc3; BIOS UUID b-9 is also in vCenters vc1, vc3"
        );
    }

    #[test]
    fn duplicates_within_one_vcenter_are_ignored() {
        let e = estate(vec![
            vc_with(
                "vc1",
                vec![
                    with_uuids("a", "i-1", "b-1"),
                    with_uuids("clone", "i-2", "b-1"),
                ],
                vec![],
            ),
            vc_with("vc2", vec![with_uuids("c", "i-3", "b-3")], vec![]),
        ]);
        assert_eq!(statuses(&run_at(&e, 0, 0)), [Status::Pass]);
        assert_eq!(statuses(&run_at(&e, 0, 1)), [Status::Pass]);
    }

    #[test]
    fn blank_and_zero_uuids_are_not_evidence() {
        let zero = "00000000-0000-0000-0000-000000000000";
        let e = estate(vec![
            vc_with("vc1", vec![with_uuids("a", zero, " ")], vec![]),
            vc_with("vc2", vec![with_uuids("b", zero, " ")], vec![]),
        ]);
        assert_eq!(statuses(&run_at(&e, 0, 0)), [Status::Pass]);
    }

    #[test]
    fn a_migrated_event_fails_and_names_the_event_and_time() {
        let e = estate(vec![vc_with(
            "vc1",
            vec![vm("a"), vm("b")],
            vec![
                event(
                    "com.vmware.vc.vm.DstVmMigratedEvent",
                    "vm-a",
                    "2026-01-02T10:00:00Z",
                ),
                event(
                    "com.vmware.vc.vm.SrcVmMigratedEvent",
                    "vm-a",
                    "2026-01-05T10:00:00Z",
                ),
                event(
                    "com.vmware.vc.vm.SrcVmMigrateFailedEvent",
                    "vm-a",
                    "2026-01-06T10:00:00Z",
                ),
            ],
        )]);
        let o = only(run_at(&e, 0, 0));
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.message,
            "moved by cross-vCenter vMotion at 2026-01-05T10:00:00Z (com.vmware.vc.vm.SrcVmMigratedEvent and 1 earlier)"
        );
        assert_eq!(o.actual, "com.vmware.vc.vm.SrcVmMigratedEvent");
        // Events are matched by moref: the other VM passes.
        assert_eq!(statuses(&run_at(&e, 0, 1)), [Status::Pass]);
    }

    #[test]
    fn events_match_by_moref_within_their_own_vcenter() {
        let e = estate(vec![
            vc_with(
                "vc1",
                vec![vm("a")],
                vec![event(
                    "com.vmware.vc.vm.DstVmMigratedEvent",
                    "vm-z",
                    "2026-01-02T10:00:00Z",
                )],
            ),
            vc_with(
                "vc2",
                vec![vm("z")],
                vec![event(
                    "com.vmware.vc.vm.DstVmMigratedEvent",
                    "vm-a",
                    "2026-01-02T10:00:00Z",
                )],
            ),
        ]);
        assert_eq!(statuses(&run_at(&e, 0, 0)), [Status::Pass]);
        assert_eq!(statuses(&run_at(&e, 1, 0)), [Status::Pass]);
    }

    #[test]
    fn messages_show_whole_seconds() {
        assert_eq!(
            whole_seconds("2026-11-25T02:07:29.621171463Z"),
            "2026-11-25T02:07:29Z"
        );
        assert_eq!(
            whole_seconds("2026-11-25T02:07:29.5+01:00"),
            "2026-11-25T02:07:29+01:00"
        );
        assert_eq!(
            whole_seconds("2026-11-25T02:07:29Z"),
            "2026-11-25T02:07:29Z"
        );
        assert_eq!(whole_seconds("soon."), "soon.");
    }

    #[test]
    fn only_failed_migrations_are_unknown() {
        let e = estate(vec![vc_with(
            "vc1",
            vec![vm("a")],
            vec![event(
                "com.vmware.vc.vm.DstVmMigrateFailedEvent",
                "vm-a",
                "2026-01-02T10:00:00Z",
            )],
        )]);
        let o = only(run_at(&e, 0, 0));
        assert_eq!(o.status, Status::Unknown);
        assert_eq!(
            o.message,
            "a cross-vCenter vMotion of this VM failed at 2026-01-02T10:00:00Z (com.vmware.vc.vm.DstVmMigrateFailedEvent); verify it was not moved"
        );
    }

    #[test]
    fn events_unavailable_is_unknown_unless_uuids_decide() {
        let refused = VCenterInventory {
            migration_events: None,
            events_error: Some("events unavailable: NoPermission".into()),
            ..vcenter("vc1", vec![vm("a"), with_uuids("s", "i-1", "b-1")])
        };
        let not_read = VCenterInventory {
            migration_events: None,
            ..vcenter("vc2", vec![vm("b"), with_uuids("s", "i-1", "b-1")])
        };
        let e = estate(vec![refused, not_read]);
        let o = only(run_at(&e, 0, 0));
        assert_eq!(o.status, Status::Unknown);
        assert_eq!(
            o.message,
            "events unavailable: NoPermission; verify the VM was never moved by cross-vCenter vMotion"
        );
        let o = only(run_at(&e, 1, 0));
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.message.starts_with("vCenter events were not read"),
            "{}",
            o.message
        );
        // UUID evidence decides even without events.
        assert_eq!(statuses(&run_at(&e, 0, 1)), [Status::Fail]);
        assert_eq!(statuses(&run_at(&e, 1, 1)), [Status::Fail]);
    }

    #[test]
    fn a_vcenter_not_collected_makes_no_evidence_unknown_not_pass() {
        use crate::model::CollectStatus;
        let down = |server: &str| VCenterInventory {
            status: CollectStatus::Error,
            error: Some("connection refused".into()),
            ..VCenterInventory {
                server: server.into(),
                ..Default::default()
            }
        };
        // vc1's VM shared its instance UUID with a VM of vc2; vc2 (and vc3) were down this run.
        let e = estate(vec![
            vc_with("vc1", vec![with_uuids("a", "i-1", "b-1")], vec![]),
            down("vc2"),
            down("vc3"),
        ]);
        let o = only(run_at(&e, 0, 0));
        assert_eq!(o.status, Status::Unknown);
        assert_eq!(
            o.message,
            "vCenters vc2, vc3 were not collected, so its VMs' UUIDs could not be compared; verify the VM was never moved by cross-vCenter vMotion"
        );
        // With events not read either, both reasons are given.
        let mut e = estate(vec![
            vc_with("vc1", vec![with_uuids("a", "i-1", "b-1")], vec![]),
            down("vc2"),
        ]);
        e.vcenters[0].migration_events = None;
        let o = only(run_at(&e, 0, 0));
        assert_eq!(o.status, Status::Unknown);
        assert_eq!(
            o.message,
            "vCenter vc2 was not collected, so its VMs' UUIDs could not be compared; vCenter events were not read (--events-days 0); verify the VM was never moved by cross-vCenter vMotion"
        );
        // A VM with no UUID has nothing a peer could share.
        let e = estate(vec![vc_with("vc1", vec![vm("a")], vec![]), down("vc2")]);
        assert_eq!(statuses(&run_at(&e, 0, 0)), [Status::Pass]);
        // Evidence found among the vCenters collected still fails.
        let e = estate(vec![
            vc_with("vc1", vec![with_uuids("a", "i-1", "b-1")], vec![]),
            vc_with("vc4", vec![with_uuids("a", "i-1", "b-9")], vec![]),
            down("vc2"),
        ]);
        assert_eq!(statuses(&run_at(&e, 0, 0)), [Status::Fail]);
    }

    #[test]
    fn no_evidence_passes() {
        let e = estate(vec![
            vc_with("vc1", vec![with_uuids("a", "i-1", "b-1")], vec![]),
            vc_with("vc2", vec![with_uuids("b", "i-2", "b-2")], vec![]),
        ]);
        assert_eq!(statuses(&run_at(&e, 0, 0)), [Status::Pass]);
        assert_eq!(statuses(&run_at(&e, 1, 0)), [Status::Pass]);
    }
}

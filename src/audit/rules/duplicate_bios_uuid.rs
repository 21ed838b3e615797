//! `duplicate-bios-uuid`: no other VM of the audited estate has the same BIOS UUID.
//!
//! Site Recovery identifies a machine by its BIOS ID (`config.uuid`, the SMBIOS UUID the guest
//! sees); two machines with the same one cannot both be protected. The check counts the VMs of
//! every audited vCenter carrying each BIOS UUID (in scope or not, templates included: a copy is
//! still a copy; agent VMs left out) and fails every VM whose UUID another VM shares. `unknown`
//! when the VM's BIOS UUID is not reported. An all-zero UUID is no identity and is not compared.
//!
//! Audit together the vCenters whose VMs may be protected by one Site Recovery deployment.
//!
//! Source: today's support matrix, "Machine": "Not supported: ... two machines with the same BIOS
//! ID".

use serde::Deserialize;

use super::{Rule, RuleMeta, Source};
use crate::audit::context::{Context, UuidKind, VmView};
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct DuplicateBiosUuid;

/// No parameters beyond `enabled` and `severity`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

static META: RuleMeta = RuleMeta {
    id: "duplicate-bios-uuid",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "No other audited VM has the same BIOS UUID",
    sources: &[Source::matrix(
        "Machine",
        "two machines with the same BIOS ID",
    )],
};

impl Rule for DuplicateBiosUuid {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, _p: &Params, ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let Some(uuid) = UuidKind::Bios.of(v.vm) else {
            return out.push(Outcome::unknown(
                "BIOS UUID not reported; verify no other machine has the same BIOS ID",
                "",
                "unique BIOS UUID",
            ));
        };
        let n = ctx.vms_with_bios_uuid(&uuid);
        if n <= 1 {
            return out.push(Outcome::pass());
        }
        // Repeats within one vCenter are in the VM's own.
        let vcs: Vec<&str> = match ctx.vcenters_sharing_uuid(UuidKind::Bios, &uuid) {
            [] => std::slice::from_ref(&v.vc_index),
            shared => shared,
        }
        .iter()
        .filter_map(|i| ctx.estate.vcenters.get(*i).map(|vc| vc.server.as_str()))
        .collect();
        out.push(Outcome::fail(
            format!(
                "BIOS UUID {uuid} is carried by {n} VMs of the audited estate (in {}); machines with the same BIOS ID cannot both be protected",
                vcs.join(", ")
            ),
            uuid.clone(),
            "unique BIOS UUID",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;
    use crate::model::{ManagedBy, Vm};

    fn with_bios(name: &str, uuid: &str) -> Vm {
        Vm {
            bios_uuid: Some(uuid.into()),
            ..vm(name)
        }
    }

    #[test]
    fn the_same_bios_uuid_twice_fails_both_anywhere_in_the_estate() {
        let p = current_params(&DuplicateBiosUuid);
        let e = estate(vec![
            vcenter(
                "vc1",
                vec![with_bios("a", "4211-AA"), with_bios("b", "4211-bb")],
            ),
            vcenter("vc2", vec![with_bios("c", "4211-aa")]),
        ]);
        let o = only(run_vm_in(&DuplicateBiosUuid, &p, &e, 0));
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.contains("2 VMs") && o.message.contains("vc1, vc2"),
            "{}",
            o.message
        );
        assert_eq!(
            only(run_vm_in(&DuplicateBiosUuid, &p, &e, 1)).status,
            Status::Pass
        );
        // Within one vCenter too.
        let e = estate(vec![vcenter(
            "vc1",
            vec![with_bios("a", "x1"), with_bios("b", "x1")],
        )]);
        assert_eq!(
            only(run_vm_in(&DuplicateBiosUuid, &p, &e, 1)).status,
            Status::Fail
        );
    }

    #[test]
    fn agents_zero_and_missing_uuids() {
        let p = current_params(&DuplicateBiosUuid);
        let agent = Vm {
            managed_by: Some(Box::new(ManagedBy {
                extension_key: "com.vmware.vim.eam".into(),
                kind: None,
            })),
            ..with_bios("vcls", "x1")
        };
        let e = estate(vec![vcenter("vc1", vec![with_bios("a", "x1"), agent])]);
        assert_eq!(
            only(run_vm_in(&DuplicateBiosUuid, &p, &e, 0)).status,
            Status::Pass
        );
        let zero = "00000000-0000-0000-0000-000000000000";
        let e = estate(vec![vcenter(
            "vc1",
            vec![with_bios("a", zero), with_bios("b", zero)],
        )]);
        assert_eq!(
            only(run_vm_in(&DuplicateBiosUuid, &p, &e, 0)).status,
            Status::Unknown
        );
    }
}

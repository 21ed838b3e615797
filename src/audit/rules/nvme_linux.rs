//! `nvme-linux`: a Linux VM has no disk on an NVMe controller.
//!
//! Site Recovery does not support NVMe disks on Linux. The check applies to VMs whose identified
//! guest OS may be Linux: a disk hanging on a `VirtualNVMEController` fails a Linux VM, and is
//! `unknown` when the OS kind is not known. Windows and other systems pass. `unknown` when the
//! device list was not read, or a disk's controller was not.
//!
//! Source: today's support matrix, "Machine": "Not supported: ... NVMe disks on Linux".

use serde::Deserialize;

use super::{Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::os::OsKind;
use crate::audit::os_disk::label;
use crate::audit::{ObjectKind, Outcome, Severity};
use crate::model::ControllerKind;

pub struct NvmeLinux;

/// No parameters beyond `enabled` and `severity`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

static META: RuleMeta = RuleMeta {
    id: "nvme-linux",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "A Linux VM has no disk on an NVMe controller",
    sources: &[Source::matrix("Machine", "NVMe disks on Linux")],
};

impl Rule for NvmeLinux {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, _p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let kind = v.os.identity.kind;
        if matches!(kind, OsKind::Windows | OsKind::Other) {
            return out.push(Outcome::pass());
        }
        let expected = "no NVMe disk";
        let Some(disks) = &v.vm.disks else {
            return out.push(Outcome::unknown(
                "disks could not be read; verify no disk is on an NVMe controller",
                "",
                expected,
            ));
        };
        let nvme: Vec<String> = disks
            .iter()
            .filter(|d| d.controller_info.as_ref().map(|c| &c.kind) == Some(&ControllerKind::Nvme))
            .map(label)
            .collect();
        let unread = disks.iter().any(|d| d.controller_info.is_none());
        out.push(if nvme.is_empty() && unread {
            Outcome::unknown(
                "disk controllers were not read; verify no disk is on an NVMe controller",
                "",
                expected,
            )
        } else if nvme.is_empty() {
            Outcome::pass()
        } else if kind == OsKind::Linux {
            Outcome::fail(
                format!("{} on an NVMe controller; NVMe disks are not supported on Linux", nvme.join(", ")),
                "nvme",
                expected,
            )
        } else {
            Outcome::unknown(
                format!("{} on an NVMe controller and the guest OS is not known; NVMe disks are not supported on Linux", nvme.join(", ")),
                "nvme",
                expected,
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::os_disk::tests::on;
    use crate::audit::testutil::*;
    use crate::model::Vm;

    fn run(guest: &str, kind: ControllerKind) -> Outcome {
        let v = Vm {
            guest_id: Some(guest.into()),
            guest_os_config: None,
            guest_os_tools: None,
            disks: Some(vec![on(2000, kind, 0, 0, GIB)].into()),
            ..vm("a")
        };
        only(run_vm(&NvmeLinux, &current_params(&NvmeLinux), v))
    }

    #[test]
    fn nvme_fails_linux_only() {
        assert_eq!(
            run("rhel8_64Guest", ControllerKind::Nvme).status,
            Status::Fail
        );
        assert_eq!(
            run("rhel8_64Guest", ControllerKind::Scsi).status,
            Status::Pass
        );
        assert_eq!(
            run("windows2019srv_64Guest", ControllerKind::Nvme).status,
            Status::Pass
        );
        assert_eq!(
            run("otherGuest", ControllerKind::Nvme).status,
            Status::Unknown
        );
    }
}

//! `boot-firmware`: the VM boots with BIOS, not EFI.
//!
//! Azure VMs created by failover boot with BIOS (generation 1); a VM that boots with EFI would not
//! start after failover. The check reads `config.firmware`: `bios` passes, `efi` fails, anything
//! else or nothing reported is `unknown`.
//!
//! Source: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "Replicated machine prerequisites", row **On-premises (VMware
//! VMs)**: "VMs should conform with Azure prerequisites for creating Azure VMs."

use serde::Deserialize;

use super::{MACHINE_SUBSECTION, Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::{ObjectKind, Outcome, Severity};
use crate::model::Firmware;

pub struct BootFirmware;

/// No parameters beyond `enabled` and `severity`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

static META: RuleMeta = RuleMeta {
    id: "boot-firmware",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "VM boots with BIOS (Azure VMs created by failover boot with BIOS)",
    source: Source::vmware(MACHINE_SUBSECTION, "On-premises (VMware VMs)"),
};

impl Rule for BootFirmware {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, _p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        out.push(match &v.vm.firmware {
            Some(Firmware::Bios) => Outcome::pass(),
            Some(Firmware::Efi) => Outcome::fail(
                "firmware is EFI; Azure VMs created by failover boot with BIOS",
                "efi",
                "bios",
            ),
            Some(Firmware::Unknown(other)) => Outcome::unknown(
                format!("firmware \"{other}\" is not known; verify the VM boots with BIOS"),
                other.as_str(),
                "bios",
            ),
            None => Outcome::unknown(
                "firmware not reported; verify the VM boots with BIOS",
                "",
                "bios",
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;
    use crate::model::Vm;

    fn run(firmware: Option<Firmware>) -> Outcome {
        only(run_vm(
            &BootFirmware,
            &default_params(&BootFirmware),
            Vm {
                firmware,
                ..vm("a")
            },
        ))
    }

    #[test]
    fn bios_passes_efi_fails() {
        assert_eq!(run(Some(Firmware::Bios)).status, Status::Pass);
        let o = run(Some(Firmware::Efi));
        assert_eq!(o.status, Status::Fail);
        assert_eq!((o.actual.as_str(), o.expected.as_str()), ("efi", "bios"));
    }

    #[test]
    fn unknown_firmware_is_unknown() {
        assert_eq!(run(None).status, Status::Unknown);
        assert_eq!(
            run(Some(Firmware::Unknown("uefi2".into()))).status,
            Status::Unknown
        );
    }
}

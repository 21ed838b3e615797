//! `boot-firmware`: the VM boots with firmware Azure can start after failover.
//!
//! Two parameter sets. The seed (`allow_efi = false`): Azure VMs created by failover booted with
//! BIOS (generation 1), so `bios` passes and `efi` fails. Today's matrix (`allow_efi = true`):
//! BIOS, or UEFI (generation 2) with Secure Boot disabled; UEFI is not supported for the Windows
//! Server releases in `efi_unsupported_windows` (2008 and 2008 R2).
//!
//! The check reads `config.firmware` and, for EFI, `config.bootOptions.efiSecureBootEnabled`
//! (absent means disabled: vCenter sends it from 6.5 on and leaves it out when false on some
//! builds) and the identified guest OS. Anything not reported is `unknown`. A Windows Server
//! release the data cannot pin down (`windows7Server64Guest` is 2008 R2; `winLonghorn*` is 2008) is
//! decided from the guest id; a vague Windows id is `unknown`.
//!
//! Sources: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "Replicated machine prerequisites", row **On-premises (VMware
//! VMs)**: "VMs should conform with Azure prerequisites for creating Azure VMs." Today's support
//! matrix, "Machine": "Boot: BIOS, or UEFI with Secure Boot disabled. UEFI is not supported for
//! Windows Server 2008 SP2 and 2008 R2 SP1."

use serde::Deserialize;

use super::{MACHINE_SUBSECTION, Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::os::Family;
use crate::audit::{ObjectKind, Outcome, Severity};
use crate::model::Firmware;

pub struct BootFirmware;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Whether EFI firmware may be used at all.
    pub allow_efi: bool,
    /// Whether EFI may run with Secure Boot enabled.
    #[serde(default)]
    pub allow_secure_boot: bool,
    /// Windows Server releases that may not boot with EFI (`2008`, `2008 R2`).
    #[serde(default)]
    pub efi_unsupported_windows: Vec<String>,
}

static META: RuleMeta = RuleMeta {
    id: "boot-firmware",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "VM boots with firmware Azure supports (BIOS; or UEFI where allowed)",
    sources: &[
        Source::vmware(MACHINE_SUBSECTION, "On-premises (VMware VMs)"),
        Source::matrix("Machine", "Boot: BIOS, or UEFI with Secure Boot disabled"),
    ],
};

impl Rule for BootFirmware {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let expected = if p.allow_efi {
            "bios, or efi without Secure Boot"
        } else {
            "bios"
        };
        match &v.vm.firmware {
            Some(Firmware::Bios) => out.push(Outcome::pass()),
            Some(Firmware::Efi) if !p.allow_efi => out.push(Outcome::fail(
                "firmware is EFI; Azure VMs created by failover boot with BIOS",
                "efi",
                expected,
            )),
            Some(Firmware::Efi) => efi(p, v, expected, out),
            Some(Firmware::Unknown(other)) => out.push(Outcome::unknown(
                format!("firmware \"{other}\" is not known; verify the VM boots with {expected}"),
                other.as_str(),
                expected,
            )),
            None => out.push(Outcome::unknown(
                format!("firmware not reported; verify the VM boots with {expected}"),
                "",
                expected,
            )),
        }
    }
}

/// EFI where the profile allows it: Secure Boot and the Windows releases that may not use it.
fn efi(p: &Params, v: &VmView<'_>, expected: &str, out: &mut Vec<Outcome>) {
    let before = out.len();
    if !p.allow_secure_boot && v.vm.secure_boot == Some(true) {
        out.push(Outcome::fail(
            "UEFI Secure Boot is enabled; Site Recovery supports UEFI only with Secure Boot disabled",
            "efi, Secure Boot enabled",
            expected,
        ));
    }
    let id = &v.os.identity;
    if id.family == Some(Family::WindowsServer) && !p.efi_unsupported_windows.is_empty() {
        let listed = |m: &String| p.efi_unsupported_windows.iter().any(|w| w == m);
        match &id.majors {
            Some(majors) if majors.iter().all(listed) => out.push(Outcome::fail(
                format!(
                    "UEFI is not supported for {}; it must boot with BIOS",
                    id.label()
                ),
                "efi",
                "bios",
            )),
            Some(majors) if majors.iter().any(listed) => out.push(Outcome::unknown(
                format!(
                    "UEFI is not supported for Windows Server {}; verify the release ({})",
                    p.efi_unsupported_windows.join(", "),
                    id.label()
                ),
                "efi",
                "bios",
            )),
            Some(_) => {}
            None => out.push(Outcome::unknown(
                format!(
                    "Windows Server release not known; UEFI is not supported for {}",
                    p.efi_unsupported_windows.join(", ")
                ),
                "efi",
                "bios",
            )),
        }
    }
    if out.len() == before {
        out.push(Outcome::pass());
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

    fn current(vm: Vm) -> Vec<Outcome> {
        run_vm(&BootFirmware, &current_params(&BootFirmware), vm)
    }

    fn efi_vm(secure_boot: Option<bool>, guest_id: &str, tools: Option<&str>) -> Vm {
        Vm {
            firmware: Some(Firmware::Efi),
            secure_boot,
            guest_id: Some(guest_id.into()),
            guest_os_config: None,
            guest_os_tools: tools.map(Into::into),
            ..vm("a")
        }
    }

    #[test]
    fn today_uefi_passes_without_secure_boot() {
        let o = only(current(efi_vm(Some(false), "windows2019srv_64Guest", None)));
        assert_eq!(o.status, Status::Pass);
        let o = only(current(efi_vm(None, "rhel8_64Guest", None)));
        assert_eq!(o.status, Status::Pass, "absent means disabled");
        let o = only(current(efi_vm(Some(true), "rhel8_64Guest", None)));
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.contains("Secure Boot is enabled"),
            "{}",
            o.message
        );
    }

    #[test]
    fn today_uefi_is_not_for_windows_2008() {
        let o = only(current(efi_vm(Some(false), "windows7Server64Guest", None)));
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.expected, "bios");
        let out = current(efi_vm(Some(true), "winLonghorn64Guest", None));
        assert_eq!(statuses(&out), [Status::Fail, Status::Fail]);
        // 2012 or 2012 R2: not affected.
        let o = only(current(efi_vm(Some(false), "windows8Server64Guest", None)));
        assert_eq!(o.status, Status::Pass);
        // A Windows Server whose release is unknown.
        let o = only(current(efi_vm(
            Some(false),
            "otherGuest64",
            Some("Microsoft Windows Server (64-bit)"),
        )));
        assert_eq!(o.status, Status::Unknown);
    }
}

//! `os-disk-size`: the OS disk is at most 2,048 GiB (BIOS) or 4,095 GiB (UEFI).
//!
//! Azure limits the OS disk by VM generation: generation 1 (BIOS) boots from at most 2 TB,
//! generation 2 (UEFI) from at most 4 TB. The OS disk is identified as [`crate::audit::os_disk`]
//! says (boot order, else unit 0 of the first controller of the boot bus) and only it is checked;
//! data disks have their own rules. A disk of exactly the limit passes. Unknown when the OS disk
//! cannot be identified and some disk exceeds the limit, when its size is not reported, or when
//! the firmware is not known and the disk is over the BIOS limit. A VM without disks passes.
//!
//! Source: today's support matrix, "Machine": "OS disk: exactly one; up to 2,048 GB for BIOS
//! (Generation 1) machines, up to 4,095 GB for UEFI (Generation 2) machines." GB are applied as
//! GiB, as Azure sizes disks.

use serde::Deserialize;

use super::{Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::os_disk::{OsDisk, label};
use crate::audit::util::{GIB, fmt_gib};
use crate::audit::{ObjectKind, Outcome, Severity};
use crate::model::Firmware;

pub struct OsDiskSize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Largest OS disk of a BIOS VM, in GiB.
    pub max_gib_bios: u64,
    /// Largest OS disk of a UEFI VM, in GiB.
    pub max_gib_uefi: u64,
}

static META: RuleMeta = RuleMeta {
    id: "os-disk-size",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "The OS disk is at most 2,048 GiB (BIOS) or 4,095 GiB (UEFI)",
    sources: &[Source::matrix(
        "Machine",
        "OS disk: exactly one; up to 2,048 GB for BIOS (Generation 1) machines, up to 4,095 GB for UEFI",
    )],
};

impl Rule for OsDiskSize {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let (limit_gib, firmware) = match &v.vm.firmware {
            Some(Firmware::Bios) => (p.max_gib_bios, "BIOS"),
            Some(Firmware::Efi) => (p.max_gib_uefi, "UEFI"),
            _ => (p.max_gib_bios, "unknown firmware"),
        };
        let expected = format!("<= {limit_gib} GiB ({firmware})");
        let limit = limit_gib.saturating_mul(GIB);
        let disk = match OsDisk::of(v.vm) {
            OsDisk::Known(d) => d,
            OsDisk::NoDisks => return out.push(Outcome::pass()),
            OsDisk::Unknown(why) => {
                let all = v.vm.disks.iter().flatten();
                let over = all
                    .clone()
                    .any(|d| d.capacity_bytes().is_none_or(|b| b > limit));
                return out.push(if over || v.vm.disks.is_none() {
                    Outcome::unknown(
                        format!(
                            "OS disk not identified ({why}); verify it is at most {limit_gib} GiB"
                        ),
                        "",
                        expected,
                    )
                } else {
                    Outcome::pass()
                });
            }
        };
        let Some(bytes) = disk.capacity_bytes() else {
            return out.push(Outcome::unknown(
                format!(
                    "OS disk \"{}\" size not known; verify it is at most {limit_gib} GiB",
                    label(disk)
                ),
                "",
                expected,
            ));
        };
        if bytes <= limit {
            out.push(Outcome::pass());
        } else if v.vm.firmware.is_none() || matches!(v.vm.firmware, Some(Firmware::Unknown(_))) {
            let ok_uefi = bytes <= p.max_gib_uefi.saturating_mul(GIB);
            out.push(if ok_uefi {
                Outcome::unknown(
                    format!(
                        "OS disk \"{}\" is {}: over the BIOS limit of {} GiB, within the UEFI limit; the firmware is not known",
                        label(disk),
                        fmt_gib(bytes),
                        p.max_gib_bios
                    ),
                    fmt_gib(bytes),
                    expected,
                )
            } else {
                over_limit(disk, bytes, p.max_gib_uefi, "UEFI", expected)
            });
        } else {
            out.push(over_limit(disk, bytes, limit_gib, firmware, expected));
        }
    }
}

fn over_limit(
    disk: &crate::model::Disk,
    bytes: u64,
    limit_gib: u64,
    firmware: &str,
    expected: String,
) -> Outcome {
    Outcome::fail(
        format!(
            "OS disk \"{}\" is {}; the limit with {firmware} is {limit_gib} GiB",
            label(disk),
            fmt_gib(bytes)
        ),
        fmt_gib(bytes),
        expected,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::os_disk::tests::on;
    use crate::audit::testutil::*;
    use crate::model::{ControllerKind, Vm};

    fn run(firmware: Option<Firmware>, os_gib: u64) -> Outcome {
        let v = Vm {
            firmware,
            disks: Some(
                vec![
                    on(2000, ControllerKind::Scsi, 0, 0, os_gib * GIB),
                    on(2001, ControllerKind::Scsi, 0, 1, 30_000 * GIB),
                ]
                .into(),
            ),
            ..vm("a")
        };
        only(run_vm(&OsDiskSize, &current_params(&OsDiskSize), v))
    }

    #[test]
    fn limits_follow_the_firmware() {
        assert_eq!(run(Some(Firmware::Bios), 2048).status, Status::Pass);
        let o = run(Some(Firmware::Bios), 3072);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.message,
            "OS disk \"Hard disk 2000\" is 3072 GiB; the limit with BIOS is 2048 GiB"
        );
        assert_eq!(run(Some(Firmware::Efi), 3072).status, Status::Pass);
        assert_eq!(run(Some(Firmware::Efi), 4095).status, Status::Pass);
        assert_eq!(run(Some(Firmware::Efi), 4096).status, Status::Fail);
        assert_eq!(run(None, 3072).status, Status::Unknown);
        assert_eq!(run(None, 5000).status, Status::Fail);
    }

    #[test]
    fn an_unidentified_os_disk_is_unknown_only_when_it_matters() {
        let mixed = |big: u64| Vm {
            disks: Some(
                vec![
                    on(2000, ControllerKind::Scsi, 0, 0, 100 * GIB),
                    on(2001, ControllerKind::Nvme, 0, 0, big * GIB),
                ]
                .into(),
            ),
            ..vm("a")
        };
        let p = current_params(&OsDiskSize);
        assert_eq!(
            only(run_vm(&OsDiskSize, &p, mixed(10))).status,
            Status::Pass
        );
        assert_eq!(
            only(run_vm(&OsDiskSize, &p, mixed(3000))).status,
            Status::Unknown
        );
    }
}

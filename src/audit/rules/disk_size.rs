//! `disk-size`: no virtual disk is larger than 1,023 GiB.
//!
//! Azure disks of the time held at most 1,023 GiB, so a larger source disk cannot be replicated.
//! The check gives one outcome per disk larger than `max_gib` GiB (a disk of exactly `max_gib`
//! passes) and one `unknown` per disk whose capacity is not reported; when the device list could
//! not be read at all, one `unknown`. The seed writes "1,023 GB"; Azure sizes disks in GiB, so the
//! limit is applied in GiB (2^30 bytes).
//!
//! Source: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "Replicated machine prerequisites", row **On-premises (VMware
//! VMs)**: "Individual disk capacity on protected machines shouldn't be more than 1,023 GB."

use serde::Deserialize;

use super::{MACHINE_SUBSECTION, Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::util::{GIB, fmt_gib};
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct DiskSize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Largest allowed disk, in GiB.
    pub max_gib: u64,
}

static META: RuleMeta = RuleMeta {
    id: "disk-size",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "Every virtual disk is at most 1,023 GiB",
    sources: &[Source::vmware(
        MACHINE_SUBSECTION,
        "On-premises (VMware VMs)",
    )],
};

impl Rule for DiskSize {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let expected = || format!("<= {} GiB", p.max_gib);
        let Some(disks) = &v.vm.disks else {
            out.push(Outcome::unknown(
                format!(
                    "disks could not be read; verify none is larger than {} GiB",
                    p.max_gib
                ),
                "",
                expected(),
            ));
            return;
        };
        let limit = p.max_gib.saturating_mul(GIB);
        for d in disks {
            let label = || crate::audit::os_disk::label(d);
            match d.capacity_bytes() {
                Some(bytes) if bytes > limit => out.push(Outcome::fail(
                    format!(
                        "disk \"{}\" is {}; the limit is {} GiB",
                        label(),
                        fmt_gib(bytes),
                        p.max_gib
                    ),
                    fmt_gib(bytes),
                    expected(),
                )),
                Some(_) => {}
                None => out.push(Outcome::unknown(
                    format!(
                        "disk \"{}\" size not known; verify it is at most {} GiB",
                        label(),
                        p.max_gib
                    ),
                    "",
                    expected(),
                )),
            }
        }
        if out.is_empty() {
            out.push(Outcome::pass());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;
    use crate::model::{Disk, Vm};

    fn run_disks(disks: Option<Vec<Disk>>) -> Vec<Outcome> {
        let v = Vm {
            disks: disks.map(Into::into),
            ..vm("a")
        };
        run_vm(&DiskSize, &default_params(&DiskSize), v)
    }

    #[test]
    fn exactly_the_limit_passes_one_byte_more_fails() {
        let out = run_disks(Some(vec![disk("Hard disk 1", 1023 * GIB)]));
        assert_eq!(statuses(&out), [Status::Pass]);
        let out = run_disks(Some(vec![disk("Hard disk 1", 1023 * GIB + 1)]));
        assert_eq!(statuses(&out), [Status::Fail]);
        let out = run_disks(Some(vec![disk("Hard disk 1", 1024 * GIB)]));
        assert_eq!(
            out[0].message,
            "disk \"Hard disk 1\" is 1024 GiB; the limit is 1023 GiB"
        );
    }

    #[test]
    fn one_finding_per_oversize_disk() {
        let out = run_disks(Some(vec![
            disk("Hard disk 1", 40 * GIB),
            disk("Hard disk 2", 2048 * GIB),
            disk("Hard disk 3", 4096 * GIB),
        ]));
        assert_eq!(statuses(&out), [Status::Fail, Status::Fail]);
        assert_eq!(
            out[0].message,
            "disk \"Hard disk 2\" is 2048 GiB; the limit is 1023 GiB"
        );
        assert_eq!(
            (out[0].actual.as_str(), out[0].expected.as_str()),
            ("2048 GiB", "<= 1023 GiB")
        );
        assert!(out[1].message.contains("Hard disk 3"));
    }

    #[test]
    fn unknown_sizes_and_unreadable_disks_are_unknown() {
        let unsized_disk = Disk {
            key: 2001,
            ..Default::default()
        };
        let out = run_disks(Some(vec![disk("Hard disk 1", 40 * GIB), unsized_disk]));
        assert_eq!(statuses(&out), [Status::Unknown]);
        assert!(
            out[0]
                .message
                .starts_with("disk \"disk 2001\" size not known"),
            "{}",
            out[0].message
        );
        assert_eq!(statuses(&run_disks(None)), [Status::Unknown]);
        assert_eq!(statuses(&run_disks(Some(vec![]))), [Status::Pass]);
    }

    #[test]
    fn the_profile_sets_the_limit() {
        let p = params_with(&DiskSize, "max_gib = 4095");
        let v = Vm {
            disks: Some(vec![disk("Hard disk 1", 2048 * GIB)].into()),
            ..vm("a")
        };
        assert_eq!(statuses(&run_vm(&DiskSize, &p, v)), [Status::Pass]);
    }
}

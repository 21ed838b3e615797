//! `data-disk-size`: every data disk is larger than 1,024 MiB and at most 32,767 GiB.
//!
//! Site Recovery replicates data disks to managed disks of more than 1 GB and up to 32 TB (with
//! Mobility agent 9.41 or later). Every disk but the OS disk ([`crate::audit::os_disk`]) is a data
//! disk; one outcome per disk outside the limits, and one `unknown` per disk whose size is not
//! reported. When the OS disk cannot be identified, a disk outside the data limits that could be
//! the OS disk (within the OS disk limits) is `unknown`; one over every limit fails.
//!
//! Source: today's support matrix, "Machine": "Data disks: each larger than 1,024 MB and up to
//! 32,767 GB (managed disks, Mobility agent 9.41 or later)". MB and GB are applied as MiB and
//! GiB.

use serde::Deserialize;

use super::{Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::os_disk::{OsDisk, label};
use crate::audit::util::{GIB, fmt_gib};
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct DataDiskSize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// A data disk must be larger than this, in MiB.
    pub min_mib: u64,
    /// Largest data disk, in GiB.
    pub max_gib: u64,
}

const MIB: u64 = 1 << 20;
/// The largest OS disk any firmware allows (UEFI, 4,095 GiB), for disks that may be the OS disk.
const OS_DISK_MAX: u64 = 4095 * GIB;

static META: RuleMeta = RuleMeta {
    id: "data-disk-size",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "Every data disk is larger than 1,024 MiB and at most 32,767 GiB",
    sources: &[Source::matrix(
        "Machine",
        "Data disks: each larger than 1,024 MB and up to 32,767 GB",
    )],
};

impl Rule for DataDiskSize {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let expected = || format!("> {} MiB and <= {} GiB", p.min_mib, p.max_gib);
        let Some(disks) = &v.vm.disks else {
            return out.push(Outcome::unknown(
                "disks could not be read; verify the data disks' sizes",
                "",
                expected(),
            ));
        };
        let os = OsDisk::of(v.vm);
        let before = out.len();
        let (min, max) = (p.min_mib.saturating_mul(MIB), p.max_gib.saturating_mul(GIB));
        for d in disks.iter().filter(|d| Some(d.key) != os.key()) {
            let Some(bytes) = d.capacity_bytes() else {
                out.push(Outcome::unknown(
                    format!(
                        "disk \"{}\" size not known; verify {}",
                        label(d),
                        expected()
                    ),
                    "",
                    expected(),
                ));
                continue;
            };
            if bytes > min && bytes <= max {
                continue;
            }
            let problem = if bytes <= min {
                format!(
                    "disk \"{}\" is {}; a data disk must be larger than {} MiB",
                    label(d),
                    fmt_size(bytes),
                    p.min_mib
                )
            } else {
                format!(
                    "disk \"{}\" is {}; the limit for a data disk is {} GiB",
                    label(d),
                    fmt_gib(bytes),
                    p.max_gib
                )
            };
            let may_be_os = matches!(os, OsDisk::Unknown(_)) && bytes <= OS_DISK_MAX;
            out.push(if may_be_os {
                Outcome::unknown(
                    format!("{problem}, unless it is the OS disk, which could not be identified"),
                    fmt_size(bytes),
                    expected(),
                )
            } else {
                Outcome::fail(problem, fmt_size(bytes), expected())
            });
        }
        if out.len() == before {
            out.push(Outcome::pass());
        }
    }
}

/// Sizes below 1 GiB in MiB, others as [`fmt_gib`].
fn fmt_size(bytes: u64) -> String {
    if bytes < GIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        fmt_gib(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::os_disk::tests::on;
    use crate::audit::testutil::*;
    use crate::model::{ControllerKind, Vm};

    fn run(data: &[u64]) -> Vec<Outcome> {
        let mut disks = vec![on(2000, ControllerKind::Scsi, 0, 0, 40_000 * GIB)];
        for (i, b) in data.iter().enumerate() {
            disks.push(on(
                2001 + i as i32,
                ControllerKind::Scsi,
                0,
                1 + i as i32,
                *b,
            ));
        }
        let v = Vm {
            disks: Some(disks.into()),
            ..vm("a")
        };
        run_vm(&DataDiskSize, &current_params(&DataDiskSize), v)
    }

    #[test]
    fn limits_apply_to_data_disks_only() {
        // The OS disk (unit 0) is over the data limit: not this rule's business.
        assert_eq!(statuses(&run(&[100 * GIB])), [Status::Pass]);
        assert_eq!(
            statuses(&run(&[1024 * MIB + 1, 32_767 * GIB])),
            [Status::Pass]
        );
        let out = run(&[512 * MIB, 1024 * MIB, 33 * 1024 * GIB]);
        assert_eq!(statuses(&out), [Status::Fail; 3]);
        assert_eq!(
            out[0].message,
            "disk \"Hard disk 2001\" is 512 MiB; a data disk must be larger than 1024 MiB"
        );
        assert_eq!(
            out[2].message,
            "disk \"Hard disk 2003\" is 33792 GiB; the limit for a data disk is 32767 GiB"
        );
    }

    #[test]
    fn an_unidentified_os_disk_makes_small_or_large_disks_unknown() {
        let v = Vm {
            disks: Some(
                vec![
                    on(2000, ControllerKind::Scsi, 0, 0, 100 * GIB),
                    on(2001, ControllerKind::Nvme, 0, 0, 512 * MIB),
                    on(2002, ControllerKind::Nvme, 0, 1, 40_000 * GIB),
                ]
                .into(),
            ),
            ..vm("a")
        };
        let out = run_vm(&DataDiskSize, &current_params(&DataDiskSize), v);
        assert_eq!(statuses(&out), [Status::Unknown, Status::Fail]);
    }
}

//! `disk-count`: a VM has at most 16 virtual disks.
//!
//! An Azure VM can attach a limited number of data disks, depending on its size; 16 disks fit the
//! larger standard sizes of the time, so a VM with more is a risk for failover (a warning, not an
//! error: the target size decides). Counts every virtual disk, RDMs included; `unknown` when the
//! device list could not be read.
//!
//! Source: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "Replicated machine prerequisites", row **On-premises (VMware
//! VMs)**: "VMs should conform with Azure prerequisites for creating Azure VMs."

use serde::Deserialize;

use super::{MACHINE_SUBSECTION, Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct DiskCount;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Most virtual disks allowed.
    pub max_disks: usize,
}

static META: RuleMeta = RuleMeta {
    id: "disk-count",
    object: ObjectKind::Vm,
    default_severity: Severity::Warning,
    title: "VM has at most 16 virtual disks",
    sources: &[Source::vmware(
        MACHINE_SUBSECTION,
        "On-premises (VMware VMs)",
    )],
};

impl Rule for DiskCount {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let expected = || format!("<= {}", p.max_disks);
        match &v.vm.disks {
            None => out.push(Outcome::unknown(
                format!(
                    "disks could not be read; verify the VM has at most {} disks",
                    p.max_disks
                ),
                "",
                expected(),
            )),
            Some(disks) if disks.len() > p.max_disks => out.push(Outcome::fail(
                format!(
                    "VM has {} virtual disks; the limit is {}",
                    disks.len(),
                    p.max_disks
                ),
                disks.len().to_string(),
                expected(),
            )),
            Some(_) => out.push(Outcome::pass()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;
    use crate::model::Vm;

    fn run(n: Option<usize>) -> Outcome {
        let disks = n.map(|n| {
            (0..n)
                .map(|i| disk(&format!("Hard disk {i}"), GIB))
                .collect()
        });
        only(run_vm(
            &DiskCount,
            &default_params(&DiskCount),
            Vm { disks, ..vm("a") },
        ))
    }

    #[test]
    fn sixteen_pass_seventeen_fail() {
        assert_eq!(run(Some(16)).status, Status::Pass);
        let o = run(Some(17));
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.message, "VM has 17 virtual disks; the limit is 16");
        assert_eq!((o.actual.as_str(), o.expected.as_str()), ("17", "<= 16"));
        assert_eq!(run(Some(0)).status, Status::Pass);
    }

    #[test]
    fn unreadable_disks_are_unknown() {
        assert_eq!(run(None).status, Status::Unknown);
    }
}

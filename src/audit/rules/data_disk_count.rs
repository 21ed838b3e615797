//! `data-disk-count`: a VM has at most 64 data disks.
//!
//! Today's matrix allows up to 64 data disks besides the OS disk. Every virtual disk but one is a
//! data disk, whichever the OS disk is, so the count needs no OS disk identification: a VM with
//! `n` disks has `n - 1` data disks. RDMs count. `unknown` when the device list was not read.
//!
//! Source: today's support matrix, "Machine": "at most 64 data disks".

use serde::Deserialize;

use super::{Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct DataDiskCount;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Most data disks allowed.
    pub max_disks: usize,
}

static META: RuleMeta = RuleMeta {
    id: "data-disk-count",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "VM has at most 64 data disks",
    sources: &[Source::matrix("Machine", "at most 64 data disks")],
};

impl Rule for DataDiskCount {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let expected = || format!("<= {}", p.max_disks);
        let Some(disks) = &v.vm.disks else {
            return out.push(Outcome::unknown(
                format!(
                    "disks could not be read; verify the VM has at most {} data disks",
                    p.max_disks
                ),
                "",
                expected(),
            ));
        };
        let data = disks.len().saturating_sub(1);
        out.push(if data > p.max_disks {
            Outcome::fail(
                format!(
                    "VM has {data} data disks (and an OS disk); the limit is {}",
                    p.max_disks
                ),
                data.to_string(),
                expected(),
            )
        } else {
            Outcome::pass()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;
    use crate::model::Vm;

    fn run(n: usize) -> Outcome {
        let v = Vm {
            disks: Some((0..n).map(|i| disk(&format!("d{i}"), GIB)).collect()),
            ..vm("a")
        };
        only(run_vm(&DataDiskCount, &current_params(&DataDiskCount), v))
    }

    #[test]
    fn sixty_four_data_disks_pass_sixty_five_fail() {
        assert_eq!(run(65).status, Status::Pass);
        let o = run(66);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.actual, "65");
        assert_eq!(run(0).status, Status::Pass);
        let unread = Vm {
            disks: None,
            ..vm("a")
        };
        let p = current_params(&DataDiskCount);
        assert_eq!(
            only(run_vm(&DataDiskCount, &p, unread)).status,
            Status::Unknown
        );
    }
}

//! `azure-vm-limits`: the VM fits the largest Azure VM: 128 vCPUs, 3,892 GiB memory, 32 NICs.
//!
//! After failover the VM runs as an Azure VM; Azure Migrate's assessment marks a machine larger
//! than any Azure size "Not ready". One outcome per limit exceeded; `unknown` per value not
//! reported (vCPUs, memory, or the adapters when the device list was not read).
//!
//! Source: today's support matrix file, "Azure VM limits as Azure Migrate assesses them": "At most
//! 128 cores (vCPUs), 3,892 GB of memory, 32 NICs" (azure-docs
//! `articles/migrate/concepts-assessment-calculation.md`). GB applied as GiB.

use serde::Deserialize;

use super::{Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct AzureVmLimits;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub max_vcpus: u32,
    pub max_memory_gib: u64,
    pub max_nics: usize,
}

static META: RuleMeta = RuleMeta {
    id: "azure-vm-limits",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "VM fits an Azure VM: at most 128 vCPUs, 3,892 GiB memory, 32 NICs",
    sources: &[Source::matrix(
        "Azure VM limits as Azure Migrate assesses them",
        "At most 128 cores (vCPUs), 3,892 GB of memory, 32 NICs",
    )],
};

impl Rule for AzureVmLimits {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let before = out.len();
        let vm = v.vm;
        let mut limit = |what: &str, have: Option<u64>, max: u64, unit: &str| {
            let expected = format!("<= {max}{unit}");
            match have {
                None => out.push(Outcome::unknown(
                    format!("{what} not reported; verify at most {max}{unit}"),
                    "",
                    expected,
                )),
                Some(n) if n > max => out.push(Outcome::fail(
                    format!("{n}{unit} {what}; the largest Azure VM has {max}{unit}"),
                    format!("{n}{unit}"),
                    expected,
                )),
                Some(_) => {}
            }
        };
        limit("vCPUs", vm.cpus.map(u64::from), u64::from(p.max_vcpus), "");
        // Memory in whole GiB, rounded up, so a VM just over the limit fails.
        let mem_gib = vm.memory_mb.get().map(|mb| mb.div_ceil(1024));
        limit("memory", mem_gib, p.max_memory_gib, " GiB");
        let nics = vm.nics.as_ref().map(|n| n.len() as u64);
        limit("network adapters", nics, p.max_nics as u64, "");
        if out.len() == before {
            out.push(Outcome::pass());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;
    use crate::model::{Nic, Vm};

    fn run(cpus: u32, memory_mb: u64, nics: usize) -> Vec<Outcome> {
        let v = Vm {
            cpus: Some(cpus),
            memory_mb: Some(memory_mb).into(),
            nics: Some(vec![Nic::default(); nics].into()),
            ..vm("a")
        };
        run_vm(&AzureVmLimits, &current_params(&AzureVmLimits), v)
    }

    #[test]
    fn each_limit_is_its_own_outcome() {
        assert_eq!(statuses(&run(128, 3892 * 1024, 32)), [Status::Pass]);
        let out = run(130, 3892 * 1024 + 1, 33);
        assert_eq!(statuses(&out), [Status::Fail; 3]);
        assert_eq!(out[0].message, "130 vCPUs; the largest Azure VM has 128");
        let unknown = Vm {
            cpus: None,
            nics: None,
            memory_mb: Some(1024).into(),
            ..vm("a")
        };
        let out = run_vm(&AzureVmLimits, &current_params(&AzureVmLimits), unknown);
        assert_eq!(statuses(&out), [Status::Unknown, Status::Unknown]);
    }
}

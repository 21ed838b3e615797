//! The rules' verdicts on a run of VMs, reached side by side on every core.
//!
//! Judging a VM (its guest OS, then every enabled VM rule) reads only the estate and the
//! [`Context`], so a run of VMs is split between threads; the verdicts come back in the VMs'
//! order and are recorded by the caller, one VM after the other, exactly as a single thread
//! would have.

use super::context::{Context, VmView};
use super::os::GuestOs;
use super::profile::RuleSettings;
use super::rules::DynRule;
use super::{ObjectKind, Outcome, Severity};
use crate::model::{VCenterInventory, Vm};

/// The enabled rules: index in the profile, rule, settings.
pub(super) type Enabled<'p> = [(usize, &'p dyn DynRule, &'p RuleSettings)];

/// VMs judged per round of threads: small enough that the verdicts waiting to be recorded
/// take little memory, large enough that starting threads costs nothing.
pub(super) const CHUNK: usize = 4096;

/// What became of one VM.
#[derive(Debug, PartialEq)]
pub(super) enum Verdict {
    /// An agent VM (vCLS, vSAN file services, NSX, ...): the solution owns it.
    Agent,
    /// Outside the audit's scope.
    OutOfScope,
    /// Judged: its guest OS, and each enabled VM rule's index, severity and outcomes, in the
    /// profile's order (outcomes empty when the rule had nothing to say).
    Judged {
        os: GuestOs,
        outcomes: Vec<(usize, Severity, Vec<Outcome>)>,
    },
}

/// The verdicts on `vms` (of the vCenter at `vc_index`), in order.
pub(super) fn vms(
    ctx: &Context<'_>,
    enabled: &Enabled<'_>,
    vc_index: usize,
    vc: &VCenterInventory,
    vms: &[Vm],
) -> Vec<Verdict> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    vms_on(workers, ctx, enabled, vc_index, vc, vms)
}

/// [`vms`] on `workers` threads.
fn vms_on(
    workers: usize,
    ctx: &Context<'_>,
    enabled: &Enabled<'_>,
    vc_index: usize,
    vc: &VCenterInventory,
    vms: &[Vm],
) -> Vec<Verdict> {
    let one = |vm: &Vm| judge(ctx, enabled, vc_index, vc, vm);
    if workers < 2 || vms.len() < 2 * 64 {
        return vms.iter().map(one).collect();
    }
    let per = vms.len().div_ceil(workers);
    std::thread::scope(|s| {
        let others: Vec<_> = vms
            .chunks(per)
            .skip(1)
            .map(|part| s.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        let mut all: Vec<Verdict> = Vec::with_capacity(vms.len());
        all.extend(vms[..per].iter().map(one));
        for h in others {
            all.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        all
    })
}

fn judge(
    ctx: &Context<'_>,
    enabled: &Enabled<'_>,
    vc_index: usize,
    vc: &VCenterInventory,
    vm: &Vm,
) -> Verdict {
    if vm.managed_by.is_some() {
        return Verdict::Agent;
    }
    if !ctx.vm_in_scope(vc_index, vm) {
        return Verdict::OutOfScope;
    }
    let view = VmView {
        vc_index,
        vc,
        vm,
        os: GuestOs::of(vm),
    };
    let outcomes = enabled
        .iter()
        .filter(|(_, rule, _)| rule.meta().object == ObjectKind::Vm)
        .map(|&(i, rule, settings)| {
            let mut out = Vec::new();
            rule.run_vm(&settings.params, ctx, &view, &mut out);
            (i, settings.severity, out)
        })
        .collect();
    Verdict::Judged {
        os: view.os,
        outcomes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Profile;
    use crate::audit::testutil::{disk, estate, vcenter, vm};
    use crate::model::{Firmware, ManagedBy};

    /// Every core gives the verdicts one thread gives, in the same order, whatever the split.
    #[test]
    fn side_by_side_verdicts_equal_one_threads() {
        let guests = [
            "windows8Server64Guest",
            "rhel7_64Guest",
            "otherGuest",
            "darwin64Guest",
        ];
        let vms: Vec<Vm> = (0..1000)
            .map(|i| {
                let mut v = vm(&format!(
                    "vm{i}{}",
                    if i % 7 == 0 { " bad_name!" } else { "" }
                ));
                v.guest_id = Some(guests[i % guests.len()].into());
                v.firmware = Some(if i % 3 == 0 {
                    Firmware::Efi
                } else {
                    Firmware::Bios
                });
                v.disks = Some(vec![disk("Hard disk 1", (i as u64 % 5) << 40)]);
                v.bios_uuid = Some(format!("4211-{}", i % 400));
                if i % 50 == 0 {
                    v.managed_by = Some(Box::new(ManagedBy {
                        extension_key: "com.vmware.vim.eam".into(),
                        kind: None,
                    }));
                }
                v
            })
            .collect();
        let e = estate(vec![vcenter("vc1", vms)]);
        let ctx = Context::new(&e);
        for name in Profile::builtin_names() {
            let profile = Profile::builtin(name).unwrap();
            let enabled: Vec<_> = profile
                .rules()
                .enumerate()
                .filter(|(_, (_, s))| s.enabled)
                .map(|(i, (r, s))| (i, r, s))
                .collect();
            let vc = &e.vcenters[0];
            let alone = vms_on(1, &ctx, &enabled, 0, vc, &vc.vms);
            assert_eq!(alone.len(), 1000);
            let failing = alone
                .iter()
                .filter(|v| matches!(v, Verdict::Judged { outcomes, .. } if outcomes.iter().any(|o| !o.2.is_empty())))
                .count();
            assert!(
                failing > 100,
                "{name}: the sample must give the rules something to say"
            );
            for workers in [2, 3, 8] {
                assert_eq!(
                    vms_on(workers, &ctx, &enabled, 0, vc, &vc.vms),
                    alone,
                    "{name} on {workers}"
                );
            }
        }
    }
}

//! `storage-drs`: none of the VM's datastores is in a datastore cluster with Storage DRS enabled.
//!
//! Site Recovery does not support Storage DRS or Storage vMotion on the master target VM after a
//! reprotect (failback), and Storage DRS moving a protected VM's disks is a risk for replication, so
//! this is a warning. The check follows each of the VM's datastores (by moref, indexed once in the
//! [`Context`]) to its storage pod: Storage DRS enabled fails (naming datastore and cluster), not
//! reported is `unknown`, a datastore outside any cluster passes. A datastore missing from the
//! collected inventory is `unknown`.
//!
//! Source: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "VMware vCenter or vSphere host", row **vCenter**: "Storage DRS and
//! Storage vMotion is also not supported on Master target virtual machine post a reprotect
//! operation."

use serde::Deserialize;

use super::{Rule, RuleMeta, Source, VSPHERE_SUBSECTION};
use crate::audit::context::{Context, VmView};
use crate::audit::{ObjectKind, Outcome, Severity};
use crate::model::Datastore;

pub struct StorageDrs;

/// No parameters beyond `enabled` and `severity`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

static META: RuleMeta = RuleMeta {
    id: "storage-drs",
    object: ObjectKind::Vm,
    default_severity: Severity::Warning,
    title: "No datastore of the VM is in a datastore cluster with Storage DRS enabled",
    sources: &[Source::vmware(VSPHERE_SUBSECTION, "vCenter")],
};

const EXPECTED: &str = "no Storage DRS";

impl Rule for StorageDrs {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, _p: &Params, ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let vm = v.vm;
        // Morefs when collected, else names.
        if vm.datastore_morefs.is_empty() {
            for name in &vm.datastores {
                check_datastore(
                    ctx,
                    v.vc_index,
                    name,
                    ctx.datastore_by_name(v.vc_index, name),
                    out,
                );
            }
        } else {
            for (i, moref) in vm.datastore_morefs.iter().enumerate() {
                let name = vm.datastores.get(i).map_or(moref.as_str(), |n| n.as_str());
                check_datastore(ctx, v.vc_index, name, ctx.datastore(v.vc_index, moref), out);
            }
        }
        if out.is_empty() {
            out.push(Outcome::pass());
        }
    }
}

/// Pushes a failing or unknown outcome for one datastore of the VM; nothing when it is fine.
fn check_datastore(
    ctx: &Context<'_>,
    vc_index: usize,
    name: &str,
    ds: Option<&Datastore>,
    out: &mut Vec<Outcome>,
) {
    let Some(ds) = ds else {
        out.push(Outcome::unknown(
            format!(
                "datastore \"{name}\" not in the collected inventory; verify it is not in a Storage DRS cluster"
            ),
            "",
            EXPECTED,
        ));
        return;
    };
    let Some(pod_moref) = &ds.storage_pod else {
        return;
    };
    let pod = ctx.storage_pod(vc_index, pod_moref);
    let pod_name = pod.map_or(pod_moref.as_str(), |p| p.name.as_str());
    match pod.and_then(|p| p.storage_drs) {
        Some(true) => out.push(Outcome::fail(
            format!(
                "datastore \"{}\" is in datastore cluster \"{pod_name}\" with Storage DRS enabled",
                ds.name
            ),
            format!("{pod_name}: Storage DRS on"),
            EXPECTED,
        )),
        Some(false) => {}
        None => out.push(Outcome::unknown(
            format!(
                "Storage DRS state of datastore cluster \"{pod_name}\" not reported; verify it is disabled"
            ),
            "",
            EXPECTED,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;
    use crate::model::{StoragePod, Vm};

    fn estate_with(pod_sdrs: Option<bool>, vm: Vm) -> crate::model::Estate {
        let mut vc = vcenter("vc1", vec![vm]);
        vc.datastores.push(Datastore {
            moref: "datastore-2".into(),
            name: "ds2".into(),
            storage_pod: Some("group-p1".into()),
            ..Default::default()
        });
        vc.storage_pods.push(StoragePod {
            moref: "group-p1".into(),
            name: "pod1".into(),
            storage_drs: pod_sdrs,
            ..Default::default()
        });
        estate(vec![vc])
    }

    fn on_both() -> Vm {
        Vm {
            datastores: vec!["ds1".into(), "ds2".into()].into(),
            datastore_morefs: vec!["datastore-1".into(), "datastore-2".into()].into(),
            ..vm("a")
        }
    }

    fn run(e: &crate::model::Estate) -> Vec<Outcome> {
        run_vm_in(&StorageDrs, &default_params(&StorageDrs), e, 0)
    }

    #[test]
    fn datastore_in_sdrs_cluster_fails() {
        let out = run(&estate_with(Some(true), on_both()));
        assert_eq!(statuses(&out), [Status::Fail]);
        assert_eq!(
            out[0].message,
            "datastore \"ds2\" is in datastore cluster \"pod1\" with Storage DRS enabled"
        );
    }

    #[test]
    fn sdrs_off_or_no_cluster_passes() {
        assert_eq!(
            statuses(&run(&estate_with(Some(false), on_both()))),
            [Status::Pass]
        );
        assert_eq!(
            statuses(&run(&estate_with(Some(true), vm("a")))),
            [Status::Pass]
        );
    }

    #[test]
    fn unknown_sdrs_or_missing_datastore_is_unknown() {
        assert_eq!(
            statuses(&run(&estate_with(None, on_both()))),
            [Status::Unknown]
        );
        let v = Vm {
            datastores: vec!["gone".into()].into(),
            datastore_morefs: vec!["datastore-9".into()].into(),
            ..vm("a")
        };
        let out = run(&estate_with(Some(true), v));
        assert_eq!(statuses(&out), [Status::Unknown]);
        assert!(
            out[0]
                .message
                .starts_with("datastore \"gone\" not in the collected inventory")
        );
    }

    #[test]
    fn names_are_used_when_morefs_are_missing() {
        let v = Vm {
            datastores: vec!["ds2".into()].into(),
            datastore_morefs: vec![].into(),
            ..vm("a")
        };
        assert_eq!(statuses(&run(&estate_with(Some(true), v))), [Status::Fail]);
    }
}

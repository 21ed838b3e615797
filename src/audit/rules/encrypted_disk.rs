//! `encrypted-disk`: neither the VM nor any of its disks is encrypted.
//!
//! Site Recovery cannot replicate VMs encrypted by vSphere VM encryption. The VM's home is
//! encrypted when `config.keyId` is set; a disk when its backing's `keyId` is set. One outcome for
//! the VM and one per encrypted disk; `unknown` when the device list was not read. (BitLocker
//! inside the guest is a manual check.)
//!
//! Source: today's support matrix, "Machine": "Not supported: ... encrypted disks and encrypted
//! VMs".

use serde::Deserialize;

use super::{Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::os_disk::label;
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct EncryptedDisk;

/// No parameters beyond `enabled` and `severity`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

static META: RuleMeta = RuleMeta {
    id: "encrypted-disk",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "Neither the VM nor its disks are encrypted (vSphere VM encryption)",
    sources: &[Source::matrix(
        "Machine",
        "encrypted disks and encrypted VMs",
    )],
};

impl Rule for EncryptedDisk {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, _p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let before = out.len();
        if let Some(key) = &v.vm.key_id {
            out.push(Outcome::fail(
                format!("the VM is encrypted (key {key}); encrypted VMs are not supported"),
                format!("key {key}"),
                "not encrypted",
            ));
        }
        match &v.vm.disks {
            None => out.push(Outcome::unknown(
                "disks could not be read; verify none is encrypted",
                "",
                "not encrypted",
            )),
            Some(disks) => {
                for d in disks {
                    if let Some(key) = &d.key_id {
                        out.push(Outcome::fail(
                            format!("disk \"{}\" is encrypted (key {key}); encrypted disks are not supported", label(d)),
                            format!("key {key}"),
                            "not encrypted",
                        ));
                    }
                }
            }
        }
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
    use crate::model::Vm;

    #[test]
    fn a_vm_key_or_a_disk_key_fails() {
        let p = current_params(&EncryptedDisk);
        assert_eq!(
            only(run_vm(&EncryptedDisk, &p, vm("a"))).status,
            Status::Pass
        );
        let mut d = disk("Hard disk 2", GIB);
        d.key_id = Some("kms/k1".into());
        let v = Vm {
            key_id: Some("kms/k0".into()),
            disks: Some(vec![disk("Hard disk 1", GIB), d].into()),
            ..vm("a")
        };
        let out = run_vm(&EncryptedDisk, &p, v);
        assert_eq!(statuses(&out), [Status::Fail, Status::Fail]);
        assert!(
            out[1]
                .message
                .starts_with("disk \"Hard disk 2\" is encrypted (key kms/k1)")
        );
    }
}

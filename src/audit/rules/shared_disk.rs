//! `shared-disk`: no disk is shared with another VM.
//!
//! Site Recovery cannot replicate shared disks. A disk is shared when its backing allows
//! multi-writer sharing (`sharing = sharingMultiWriter`) or it hangs on a SCSI controller with bus
//! sharing (`sharedBus` `virtualSharing` or `physicalSharing`, as guest clusters use). One outcome
//! per shared disk; `unknown` when the device list was not read. An absent `sharing` (vSphere
//! before 6.0) means not shared.
//!
//! Source: today's support matrix, "Machine": "Not supported: shared disks (multi-writer, or SCSI
//! bus sharing)".

use serde::Deserialize;

use super::{Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::os_disk::label;
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct SharedDisk;

/// No parameters beyond `enabled` and `severity`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

static META: RuleMeta = RuleMeta {
    id: "shared-disk",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "No disk is shared (multi-writer or SCSI bus sharing)",
    sources: &[Source::matrix(
        "Machine",
        "shared disks (multi-writer, or SCSI bus sharing)",
    )],
};

impl Rule for SharedDisk {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, _p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let expected = "not shared";
        let Some(disks) = &v.vm.disks else {
            return out.push(Outcome::unknown(
                "disks could not be read; verify none is shared",
                "",
                expected,
            ));
        };
        let before = out.len();
        for d in disks {
            let bus = d
                .controller_info
                .as_ref()
                .and_then(|c| c.shared_bus.as_deref());
            let how = if d.sharing.as_deref() == Some("sharingMultiWriter") {
                Some("multi-writer sharing".to_string())
            } else {
                match bus {
                    Some(b @ ("virtualSharing" | "physicalSharing")) => {
                        Some(format!("its controller shares the SCSI bus ({b})"))
                    }
                    _ => None,
                }
            };
            if let Some(how) = how {
                out.push(Outcome::fail(
                    format!(
                        "disk \"{}\" is shared: {how}; shared disks are not supported",
                        label(d)
                    ),
                    how,
                    expected,
                ));
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
    use crate::audit::os_disk::tests::on;
    use crate::audit::testutil::*;
    use crate::model::{ControllerKind, Vm};

    #[test]
    fn multi_writer_and_bus_sharing_fail() {
        let mut mw = on(2001, ControllerKind::Scsi, 1, 0, GIB);
        mw.sharing = Some("sharingMultiWriter".into());
        let mut bus = on(2002, ControllerKind::Scsi, 2, 0, GIB);
        std::sync::Arc::make_mut(bus.controller_info.as_mut().unwrap()).shared_bus =
            Some("physicalSharing".into());
        let mut none = on(2000, ControllerKind::Scsi, 0, 0, GIB);
        none.sharing = Some("sharingNone".into());
        std::sync::Arc::make_mut(none.controller_info.as_mut().unwrap()).shared_bus =
            Some("noSharing".into());
        let v = Vm {
            disks: Some(vec![none.clone(), mw, bus].into()),
            ..vm("a")
        };
        let out = run_vm(&SharedDisk, &current_params(&SharedDisk), v);
        assert_eq!(statuses(&out), [Status::Fail, Status::Fail]);
        assert!(
            out[1].message.contains("physicalSharing"),
            "{}",
            out[1].message
        );
        let v = Vm {
            disks: Some(vec![none].into()),
            ..vm("a")
        };
        assert_eq!(
            only(run_vm(&SharedDisk, &current_params(&SharedDisk), v)).status,
            Status::Pass
        );
    }
}

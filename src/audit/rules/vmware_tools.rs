//! `vmware-tools`: VMware Tools are installed and, on a running VM, running.
//!
//! Site Recovery pushes its Mobility service into the guest and quiesces it through VMware Tools.
//! The check reads `guest.toolsRunningStatus`, `guest.toolsStatus` and `guest.toolsVersionStatus2`:
//!
//! - Tools not installed (`toolsNotInstalled` or `guestToolsNotInstalled`): fail;
//! - powered on, Tools running: pass; powered on, Tools not running: fail;
//! - powered off or suspended with Tools installed: unknown (whether they run once the VM starts
//!   cannot be seen); with nothing reported at all: unknown.
//!
//! An old Tools version still passes: the requirement asks for installed and running.
//!
//! Source: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "Replicated machine prerequisites", row **On-premises (VMware
//! VMs)**: "Replicated VMs should have VMware tools installed and running."

use serde::Deserialize;

use super::{MACHINE_SUBSECTION, Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::{ObjectKind, Outcome, Severity};
use crate::model::{PowerState, ToolsRunning, ToolsStatus};

pub struct VmwareTools;

/// No parameters beyond `enabled` and `severity`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

static META: RuleMeta = RuleMeta {
    id: "vmware-tools",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "VMware Tools are installed and running",
    sources: &[Source::vmware(
        MACHINE_SUBSECTION,
        "On-premises (VMware VMs)",
    )],
};

const EXPECTED: &str = "installed and running";

impl Rule for VmwareTools {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, _p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let vm = v.vm;
        let not_installed = vm.tools_status == Some(ToolsStatus::NotInstalled)
            || vm.tools_version_status.as_deref() == Some("guestToolsNotInstalled");
        if not_installed {
            out.push(Outcome::fail(
                "VMware Tools are not installed",
                "not installed",
                EXPECTED,
            ));
            return;
        }
        let running = match (&vm.tools_running, &vm.tools_status) {
            (Some(ToolsRunning::Running | ToolsRunning::ExecutingScripts), _) => Some(true),
            (Some(ToolsRunning::NotRunning), _) => Some(false),
            (_, Some(ToolsStatus::Ok | ToolsStatus::Old)) => Some(true),
            (_, Some(ToolsStatus::NotRunning)) => Some(false),
            _ => None,
        };
        let installed = running.is_some();
        match (&vm.power_state, running) {
            (_, Some(true)) => out.push(Outcome::pass()),
            (Some(PowerState::PoweredOn), Some(false)) => {
                out.push(Outcome::fail(
                    "VMware Tools are not running",
                    "not running",
                    EXPECTED,
                ));
            }
            (Some(PowerState::PoweredOff | PowerState::Suspended), _) if installed => {
                let state = vm
                    .power_state
                    .as_ref()
                    .map(|s| s.as_str())
                    .unwrap_or_default();
                out.push(Outcome::unknown(
                    format!(
                        "VM is {state} with VMware Tools installed; verify Tools run when it starts"
                    ),
                    "installed, not running",
                    EXPECTED,
                ));
            }
            (_, Some(false)) => out.push(Outcome::unknown(
                "power state not known and VMware Tools not running; verify Tools run when the VM is on",
                "installed, not running",
                EXPECTED,
            )),
            _ => out.push(Outcome::unknown(
                "VMware Tools status not known; verify Tools are installed and running",
                "",
                EXPECTED,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;
    use crate::model::Vm;

    fn run(
        power: Option<PowerState>,
        status: Option<ToolsStatus>,
        running: Option<ToolsRunning>,
    ) -> Outcome {
        let v = Vm {
            power_state: power,
            tools_status: status,
            tools_running: running,
            ..vm("a")
        };
        only(run_vm(&VmwareTools, &default_params(&VmwareTools), v))
    }

    #[test]
    fn running_tools_pass() {
        let on = Some(PowerState::PoweredOn);
        assert_eq!(
            run(
                on.clone(),
                Some(ToolsStatus::Ok),
                Some(ToolsRunning::Running)
            )
            .status,
            Status::Pass
        );
        assert_eq!(
            run(on.clone(), Some(ToolsStatus::Old), None).status,
            Status::Pass
        );
        assert_eq!(
            run(on, None, Some(ToolsRunning::ExecutingScripts)).status,
            Status::Pass
        );
    }

    #[test]
    fn not_installed_fails_in_any_power_state() {
        for power in [
            Some(PowerState::PoweredOn),
            Some(PowerState::PoweredOff),
            None,
        ] {
            let o = run(
                power,
                Some(ToolsStatus::NotInstalled),
                Some(ToolsRunning::NotRunning),
            );
            assert_eq!(o.status, Status::Fail);
            assert_eq!(o.message, "VMware Tools are not installed");
        }
        let v = Vm {
            tools_status: None,
            tools_running: None,
            tools_version_status: Some("guestToolsNotInstalled".into()),
            ..vm("a")
        };
        assert_eq!(
            only(run_vm(&VmwareTools, &default_params(&VmwareTools), v)).status,
            Status::Fail
        );
    }

    #[test]
    fn powered_on_and_not_running_fails() {
        let o = run(
            Some(PowerState::PoweredOn),
            Some(ToolsStatus::NotRunning),
            Some(ToolsRunning::NotRunning),
        );
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.message, "VMware Tools are not running");
        let o = run(
            Some(PowerState::PoweredOn),
            Some(ToolsStatus::NotRunning),
            None,
        );
        assert_eq!(o.status, Status::Fail);
    }

    #[test]
    fn powered_off_with_tools_installed_is_unknown() {
        let o = run(
            Some(PowerState::PoweredOff),
            Some(ToolsStatus::NotRunning),
            Some(ToolsRunning::NotRunning),
        );
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.message
                .starts_with("VM is poweredOff with VMware Tools installed"),
            "{}",
            o.message
        );
        let o = run(
            Some(PowerState::Suspended),
            Some(ToolsStatus::NotRunning),
            None,
        );
        assert_eq!(o.status, Status::Unknown);
    }

    #[test]
    fn nothing_reported_is_unknown() {
        assert_eq!(
            run(Some(PowerState::PoweredOn), None, None).status,
            Status::Unknown
        );
        assert_eq!(run(None, None, None).status, Status::Unknown);
        let o = run(None, Some(ToolsStatus::NotRunning), None);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.message.starts_with("power state not known"),
            "{}",
            o.message
        );
    }
}

//! `vm-name`: the VM name is a valid Azure machine name.
//!
//! Site Recovery names the Azure VM after the source machine by default; the name must be 1 to 63
//! characters of letters, digits and hyphens, starting and ending with a letter or a digit. Letters
//! means ASCII letters (Azure names are ASCII). vSphere escapes `/`, `\` and `%` in names as `%2f`,
//! `%5c` and `%25`, which fail as `%`. The Azure name can be changed after replication is enabled,
//! but the default must be valid.
//!
//! Source: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "Replicated machine prerequisites", row **On-premises (VMware
//! VMs)**: "Machine names should contain between 1 and 63 characters (letters, numbers, and
//! hyphens). The name must start with a letter or number and end with a letter or number."
//! Today's support matrix, "Machine": "Name: 1 to 63 characters, letters, numbers and hyphens,
//! starting and ending with a letter or number." The name judged is the one the admin typed:
//! vCenter's `%2f`, `%5c`, `%25` escapes are undone when collecting.

use serde::Deserialize;

use super::{MACHINE_SUBSECTION, Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct VmName;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Longest allowed name, in characters.
    pub max_length: usize,
}

static META: RuleMeta = RuleMeta {
    id: "vm-name",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "VM name is 1-63 letters, digits and hyphens, starting and ending with a letter or digit",
    sources: &[
        Source::vmware(MACHINE_SUBSECTION, "On-premises (VMware VMs)"),
        Source::matrix(
            "Machine",
            "Name: 1 to 63 characters, letters, numbers and hyphens, starting and ending with a letter or number.",
        ),
    ],
};

impl Rule for VmName {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let name: &str = &v.vm.name;
        let expected = || {
            format!(
                "1-{} letters, digits, hyphens; no hyphen at either end",
                p.max_length
            )
        };
        let len = name.chars().count();
        let problem = if name.is_empty() {
            Some("name is empty".to_string())
        } else if len > p.max_length {
            Some(format!(
                "name \"{name}\" is {len} characters; the limit is {}",
                p.max_length
            ))
        } else if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            Some(format!(
                "name \"{name}\" has characters other than letters, digits and hyphens"
            ))
        } else if name.starts_with('-') {
            Some(format!("name \"{name}\" starts with a hyphen"))
        } else if name.ends_with('-') {
            Some(format!("name \"{name}\" ends with a hyphen"))
        } else {
            None
        };
        out.push(match problem {
            Some(message) => Outcome::fail(message, name, expected()),
            None => Outcome::pass(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;

    fn run(name: &str) -> Outcome {
        only(run_vm(&VmName, &default_params(&VmName), vm(name)))
    }

    #[test]
    fn valid_names_pass() {
        for name in ["a", "web-01", "A1", "9", &"x".repeat(63)] {
            assert_eq!(run(name).status, Status::Pass, "{name}");
        }
    }

    #[test]
    fn sixty_four_characters_fail() {
        let o = run(&"x".repeat(64));
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.ends_with("is 64 characters; the limit is 63"),
            "{}",
            o.message
        );
    }

    #[test]
    fn bad_characters_fail() {
        let o = run("bad_name");
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.message,
            "name \"bad_name\" has characters other than letters, digits and hyphens"
        );
        assert_eq!(o.actual, "bad_name");
        for name in ["with space", "dot.ted", "caf\u{e9}", "a%2fb"] {
            assert_eq!(run(name).status, Status::Fail, "{name}");
        }
    }

    #[test]
    fn hyphen_at_either_end_fails() {
        assert_eq!(run("-web").message, "name \"-web\" starts with a hyphen");
        assert_eq!(run("web-").message, "name \"web-\" ends with a hyphen");
        assert_eq!(run("-").status, Status::Fail);
    }

    #[test]
    fn empty_name_fails() {
        assert_eq!(run("").message, "name is empty");
    }

    #[test]
    fn the_profile_sets_the_length() {
        let p = params_with(&VmName, "max_length = 15");
        assert_eq!(
            only(run_vm(&VmName, &p, vm(&"x".repeat(16)))).status,
            Status::Fail
        );
        assert_eq!(
            only(run_vm(&VmName, &p, vm(&"x".repeat(15)))).status,
            Status::Pass
        );
    }
}

//! `esxi-version`: each ESXi host runs a supported version (5.1, 5.5 or 6.0).
//!
//! Site Recovery installs its Mobility service in the VMs and reads their disks' changes through
//! the hypervisor; only ESXi 5.1, 5.5 and 6.0 were supported. The check compares `major.minor` of
//! the host's `config.product.version` (e.g. `6.0.0`) with the profile's `versions`. An unknown
//! version is `unknown`, to verify by hand. Builds ("with the latest updates") are `esxi-build`.
//!
//! Source: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "VMware vCenter or vSphere host", row **vSphere**: "Hypervisors
//! should be running vSphere version 6.0, 5.5, or 5.1 with the latest updates."
//! Today's support matrix, "Platform": "ESXi hosts: the same versions." as vCenter: 6.5, 6.7, 7.0,
//! 8.0 (the `asr-vmware-2026` parameter set).

use serde::Deserialize;

use super::{ParamError, Rule, RuleMeta, Source, VSPHERE_SUBSECTION, validate_versions};
use crate::audit::context::{Context, HostView};
use crate::audit::util::{fmt_major_minor, join, major_minor};
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct EsxiVersion;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Allowed `major.minor` versions.
    pub versions: Vec<String>,
}

static META: RuleMeta = RuleMeta {
    id: "esxi-version",
    object: ObjectKind::Host,
    default_severity: Severity::Error,
    title: "ESXi host runs a supported version",
    sources: &[
        Source::vmware(VSPHERE_SUBSECTION, "vSphere"),
        Source::matrix("Platform", "ESXi hosts: the same versions."),
    ],
};

impl Rule for EsxiVersion {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn validate(&self, p: &Params) -> Result<(), ParamError> {
        validate_versions("versions", &p.versions)
    }

    fn check_host(&self, p: &Params, _ctx: &Context<'_>, h: &HostView<'_>, out: &mut Vec<Outcome>) {
        let expected = join(&p.versions);
        let version = h.host.version.as_deref();
        let Some(mm) = version.and_then(major_minor) else {
            let what = version.map_or("not known".to_string(), |v| {
                format!("\"{v}\" cannot be read")
            });
            out.push(Outcome::unknown(
                format!("ESXi version {what}; verify it is one of {expected}"),
                version.unwrap_or_default(),
                expected,
            ));
            return;
        };
        if p.versions.iter().any(|v| major_minor(v) == Some(mm)) {
            out.push(Outcome::pass());
        } else {
            out.push(Outcome::fail(
                format!(
                    "ESXi {} is not one of {expected}",
                    version.unwrap_or_default()
                ),
                fmt_major_minor(mm),
                expected,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;

    fn run(version: Option<&str>) -> Outcome {
        let mut vc = vcenter("vc1", vec![]);
        vc.hosts[0].version = version.map(str::to_string);
        let p = default_params(&EsxiVersion);
        only(run_host(&EsxiVersion, &p, &estate(vec![vc]), 0, 0))
    }

    #[test]
    fn supported_versions_pass() {
        for v in ["5.1.0", "5.5.0", "6.0.0"] {
            assert_eq!(run(Some(v)).status, Status::Pass, "{v}");
        }
    }

    #[test]
    fn other_versions_fail() {
        let o = run(Some("6.5.0"));
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.message, "ESXi 6.5.0 is not one of 5.1, 5.5, 6.0");
        assert_eq!(o.actual, "6.5");
        assert_eq!(run(Some("5.0.0")).status, Status::Fail);
    }

    #[test]
    fn unknown_version_is_unknown() {
        let o = run(None);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.message.starts_with("ESXi version not known; verify"),
            "{}",
            o.message
        );
        assert_eq!(run(Some("x")).status, Status::Unknown);
    }
}

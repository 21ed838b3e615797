//! `vcenter-version`: vCenter runs a supported version (5.5 or 6.0).
//!
//! Site Recovery discovers and replicates VMware VMs through vCenter; it was tested against vCenter
//! 5.5 and 6.0 only, and an unsupported vCenter can break discovery. The check compares
//! `major.minor` of `ServiceContent.about.version` (e.g. `6.0.0`) with the profile's `versions`.
//! An unknown or unparsable version is `unknown`, to verify by hand. "With the latest updates" is
//! not checked for vCenter (there is only one vCenter per version to compare with).
//!
//! Source: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "VMware vCenter or vSphere host", row **vCenter**: "It should be
//! running vCenter version 6.0 or 5.5, with the latest updates." Today's support matrix,
//! "Platform": "vCenter Server: 8.0 (and its updates), 7.0, 6.7, 6.5." (the `asr-vmware-2026`
//! parameter set).

use serde::Deserialize;

use super::{ParamError, Rule, RuleMeta, Source, VSPHERE_SUBSECTION, validate_versions};
use crate::audit::context::{Context, VCenterView};
use crate::audit::util::{fmt_major_minor, join, major_minor};
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct VcenterVersion;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Allowed `major.minor` versions.
    pub versions: Vec<String>,
}

static META: RuleMeta = RuleMeta {
    id: "vcenter-version",
    object: ObjectKind::VCenter,
    default_severity: Severity::Error,
    title: "vCenter runs a supported version",
    sources: &[
        Source::vmware(VSPHERE_SUBSECTION, "vCenter"),
        Source::matrix(
            "Platform",
            "vCenter Server: 8.0 (and its updates), 7.0, 6.7, 6.5.",
        ),
    ],
};

impl Rule for VcenterVersion {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn validate(&self, p: &Params) -> Result<(), ParamError> {
        validate_versions("versions", &p.versions)
    }

    fn check_vcenter(
        &self,
        p: &Params,
        _ctx: &Context<'_>,
        vc: &VCenterView<'_>,
        out: &mut Vec<Outcome>,
    ) {
        let expected = join(&p.versions);
        let Some(version) = vc.vc.about.version.as_deref() else {
            out.push(Outcome::unknown(
                format!("vCenter version not known; verify it is one of {expected}"),
                "",
                expected,
            ));
            return;
        };
        let Some(mm) = major_minor(version) else {
            out.push(Outcome::unknown(
                format!(
                    "vCenter version \"{version}\" cannot be read; verify it is one of {expected}"
                ),
                version,
                expected,
            ));
            return;
        };
        let mm_text = fmt_major_minor(mm);
        if p.versions.iter().any(|v| major_minor(v) == Some(mm)) {
            out.push(Outcome::pass());
        } else {
            out.push(Outcome::fail(
                format!("vCenter {version} is not one of {expected}"),
                mm_text,
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

    fn with_version(v: Option<&str>) -> crate::model::VCenterInventory {
        let mut vc = vcenter("vc1", vec![]);
        vc.about.version = v.map(str::to_string);
        vc
    }

    #[test]
    fn supported_versions_pass() {
        let p = default_params(&VcenterVersion);
        for v in ["5.5.0", "6.0.0", "6.0"] {
            let o = only(run_vcenter(&VcenterVersion, &p, with_version(Some(v))));
            assert_eq!(o.status, Status::Pass, "{v}");
        }
    }

    #[test]
    fn other_versions_fail_with_the_value_and_the_list() {
        let p = default_params(&VcenterVersion);
        let o = only(run_vcenter(
            &VcenterVersion,
            &p,
            with_version(Some("6.5.0")),
        ));
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.message, "vCenter 6.5.0 is not one of 5.5, 6.0");
        assert_eq!(
            (o.actual.as_str(), o.expected.as_str()),
            ("6.5", "5.5, 6.0")
        );
        let o = only(run_vcenter(
            &VcenterVersion,
            &p,
            with_version(Some("5.1.0")),
        ));
        assert_eq!(o.status, Status::Fail);
    }

    #[test]
    fn unknown_or_unreadable_version_is_unknown() {
        let p = default_params(&VcenterVersion);
        let o = only(run_vcenter(&VcenterVersion, &p, with_version(None)));
        assert_eq!(o.status, Status::Unknown);
        assert!(o.message.contains("verify"), "{}", o.message);
        let o = only(run_vcenter(
            &VcenterVersion,
            &p,
            with_version(Some("seven")),
        ));
        assert_eq!(o.status, Status::Unknown);
    }

    #[test]
    fn the_profile_decides_the_versions() {
        let p = params_with(&VcenterVersion, "versions = [\"6.5\"]");
        let o = only(run_vcenter(
            &VcenterVersion,
            &p,
            with_version(Some("6.5.0")),
        ));
        assert_eq!(o.status, Status::Pass);
    }
}

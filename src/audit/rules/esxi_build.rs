//! `esxi-build`: each ESXi host runs the newest build of its version seen in the estate.
//!
//! The requirement asks for ESXi "with the latest updates". The audit has no catalogue of VMware
//! patches, so it uses the best evidence it has: if another audited host (in any vCenter) of the
//! same ESXi `major.minor` runs a newer build, this host is missing updates. The newest build of
//! each version is indexed once in the [`Context`]. Builds are compared numerically. A host whose
//! version or build is unknown or unreadable is `unknown`. A host that runs the newest build seen
//! passes, even if VMware has released newer ones: that is a limit of the evidence, not a guess.
//!
//! Source: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "VMware vCenter or vSphere host", row **vSphere**: "Hypervisors
//! should be running vSphere version 6.0, 5.5, or 5.1 with the latest updates."

use serde::Deserialize;

use super::{Rule, RuleMeta, Source, VSPHERE_SUBSECTION};
use crate::audit::context::{Context, HostView};
use crate::audit::util::{fmt_major_minor, major_minor, parse_build};
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct EsxiBuild;

/// No parameters beyond `enabled` and `severity`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

static META: RuleMeta = RuleMeta {
    id: "esxi-build",
    object: ObjectKind::Host,
    default_severity: Severity::Warning,
    title: "ESXi host runs the newest build of its version among audited hosts",
    sources: &[Source::vmware(VSPHERE_SUBSECTION, "vSphere")],
};

impl Rule for EsxiBuild {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_host(&self, _p: &Params, ctx: &Context<'_>, h: &HostView<'_>, out: &mut Vec<Outcome>) {
        let version = h.host.version.as_deref().and_then(major_minor);
        let build_text = h.host.build.as_deref().unwrap_or_default();
        let build = h.host.build.as_deref().and_then(parse_build);
        let (Some(version), Some(build)) = (version, build) else {
            out.push(Outcome::unknown(
                "ESXi version or build not known; verify the host has the latest updates",
                build_text,
                "latest build",
            ));
            return;
        };
        let newest = ctx.newest_build(version).unwrap_or(build);
        if build >= newest {
            out.push(Outcome::pass());
        } else {
            let v = fmt_major_minor(version);
            out.push(Outcome::fail(
                format!("ESXi build {build} is older than {newest} on other {v} hosts"),
                build.to_string(),
                format!(">= {newest}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;

    #[test]
    fn older_build_of_the_same_version_fails_across_vcenters() {
        let mut a = vcenter("vc1", vec![]);
        a.hosts = vec![
            host("host-1", "6.0.0", "3029758"),
            host("host-2", "5.5.0", "9999999"),
        ];
        let mut b = vcenter("vc2", vec![]);
        b.hosts = vec![host("host-1", "6.0.0", "3620759")];
        let e = estate(vec![a, b]);
        let p = default_params(&EsxiBuild);
        let o = only(run_host(&EsxiBuild, &p, &e, 0, 0));
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.message,
            "ESXi build 3029758 is older than 3620759 on other 6.0 hosts"
        );
        assert_eq!(o.expected, ">= 3620759");
        // The newest of its version passes; a newer build of another version does not count.
        assert_eq!(
            only(run_host(&EsxiBuild, &p, &e, 1, 0)).status,
            Status::Pass
        );
        assert_eq!(
            only(run_host(&EsxiBuild, &p, &e, 0, 1)).status,
            Status::Pass
        );
    }

    #[test]
    fn builds_compare_numerically() {
        let mut vc = vcenter("vc1", vec![]);
        vc.hosts = vec![
            host("host-1", "6.0.0", "999999"),
            host("host-2", "6.0.0", "1000000"),
        ];
        let e = estate(vec![vc]);
        let p = default_params(&EsxiBuild);
        assert_eq!(
            only(run_host(&EsxiBuild, &p, &e, 0, 0)).status,
            Status::Fail
        );
        assert_eq!(
            only(run_host(&EsxiBuild, &p, &e, 0, 1)).status,
            Status::Pass
        );
    }

    #[test]
    fn equal_builds_pass_and_unknown_build_is_unknown() {
        let mut vc = vcenter("vc1", vec![]);
        vc.hosts = vec![
            host("host-1", "6.0.0", "3620759"),
            host("host-2", "6.0.0", "3620759"),
        ];
        vc.hosts.push(Host {
            build: None,
            ..host("host-3", "6.0.0", "")
        });
        vc.hosts.push(host("host-4", "6.0.0", "not-a-number"));
        let e = estate(vec![vc]);
        let p = default_params(&EsxiBuild);
        assert_eq!(
            only(run_host(&EsxiBuild, &p, &e, 0, 0)).status,
            Status::Pass
        );
        assert_eq!(
            only(run_host(&EsxiBuild, &p, &e, 0, 1)).status,
            Status::Pass
        );
        assert_eq!(
            only(run_host(&EsxiBuild, &p, &e, 0, 2)).status,
            Status::Unknown
        );
        assert_eq!(
            only(run_host(&EsxiBuild, &p, &e, 0, 3)).status,
            Status::Unknown
        );
    }

    use crate::model::Host;
}

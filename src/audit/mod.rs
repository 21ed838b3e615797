//! The audit engine: runs the rules of a [`Profile`] over an [`Estate`].
//!
//! The design follows linters such as ruff and clippy:
//!
//! - every rule lives in its own file under [`rules`], with its metadata (id, object kind, default
//!   severity, title, source section of the requirement), its parameters and its tests;
//!   [`rules::RULES`] is the one list of rules;
//! - a [`Profile`] (TOML, see [`profile`]) enables rules, sets their severity and parameters;
//! - [`audit`] builds an estate-wide [`Context`] once (indexes of hosts, datastores, storage pods,
//!   the newest ESXi build per version, each VM's guest OS), then runs every enabled rule on every
//!   object of its kind, so the cost is linear in the number of objects;
//! - every check gives one or more [`Outcome`]s: `pass`, `fail`, or `unknown` when the collected data
//!   cannot decide (never a guess); failing and unknown outcomes become [`Finding`]s;
//! - requirements the vSphere API cannot see are [`manual`] checks, listed with the number of VMs
//!   they apply to, never dropped.
//!
//! Counting: a rule's summary counts objects, not outcomes (a VM with two oversize disks counts
//! once as failed). An object's status for a rule is `fail` if any outcome fails, else `unknown`
//! if any is unknown, else `pass`.
//!
//! Report contract (see [`result`]):
//!
//! - `findings.csv` is [`AuditResult::findings`] serialized as is. For a vCenter, `object` is the
//!   server as the user named it and `moref` is `about.instanceUuid` (empty when unknown).
//! - `vms.csv`: [`VmAudit::readiness_str`] and [`VmAudit::findings`] (the VM's own findings, so the
//!   column matches its rows in `findings.csv`; [`VmAudit::inherited_findings`] counts those of its
//!   host and vCenter, which do count toward its readiness). `hosts.csv` and `vcenters.csv`:
//!   [`ObjectAudit::findings`]. The result vectors are parallel to the estate's.
//! - `summary.csv` is [`AuditResult::summary_rows`] serialized: `rule, object_type, severity,
//!   status, checked, passed, failed, unknown, applies_to, description, source`.
//!
//! A vCenter that could not be collected (`status = error`) is not audited: it gets no findings
//! and is not counted; `vcenters.csv` carries its error.
//!
//! Scope: [`Context::vm_in_scope`] decides which VMs are audited: all of them, unless the vCenter
//! has a tag scope (`--tag`, `--exclude-tag`, or the estate file's `tag`, `exclude_tag`). VMs left
//! out by tag get no findings and the readiness `out-of-scope`, count toward no rule and no
//! manual check, and are counted in [`AuditCounts::vms_out_of_scope`]. Hosts and vCenters are
//! always audited.
//!
//! Agent VMs: a VM managed by a solution (`config.managedBy`: vSphere Cluster Services, vSAN file
//! services, NSX and other EAM agents) is not a workload to replicate. In every profile it is
//! `out-of-scope` like a VM left out by tag, and counted in [`AuditCounts::vms_agents`].

pub mod context;
pub mod finding;
pub mod manual;
pub mod os;
pub mod os_disk;
pub mod profile;
pub mod result;
pub mod rules;
mod util;
mod uuids;

#[cfg(test)]
pub(crate) mod testutil;

pub use context::{Context, HostView, VCenterView, VmView};
pub use finding::{Finding, Verdict};
pub use profile::{Profile, ProfileError};
pub use result::{
    AuditCounts, AuditResult, FailOn, ManualStats, ObjectAudit, Readiness, ReadinessCounts,
    RuleStats, SummaryRow, Tally, VCenterAudit, VmAudit,
};

use crate::model::{CollectStatus, Estate, Shared};
use serde::{Deserialize, Serialize};

/// The kind of object a rule applies to: the `object_type` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKind {
    #[serde(rename = "vcenter")]
    VCenter,
    Host,
    Vm,
}

impl ObjectKind {
    /// The report spelling: `vcenter`, `host` or `vm`.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::VCenter => "vcenter",
            ObjectKind::Host => "host",
            ObjectKind::Vm => "vm",
        }
    }
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a failed check is: `error` blocks replication, `warning` is a risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    /// The report spelling: `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    /// Parses the profile spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    /// Honours width and alignment, so the summary's columns line up.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// The result of one check. Ordered from best to worst, so `max` gives an object's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Unknown,
    Fail,
}

impl Status {
    /// The report spelling: `pass`, `fail` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one check found. A pass carries no text (passes are not reported); a failure names the
/// value and the limit; an unknown names what to verify by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub message: String,
    /// The value found, e.g. `2048 GiB`; empty when unknown.
    pub actual: String,
    /// What the rule wants, e.g. `<= 1023 GiB`.
    pub expected: String,
}

impl Outcome {
    /// A passing check.
    pub fn pass() -> Self {
        Outcome {
            status: Status::Pass,
            message: String::new(),
            actual: String::new(),
            expected: String::new(),
        }
    }

    /// A failing check.
    pub fn fail(
        message: impl Into<String>,
        actual: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Outcome {
            status: Status::Fail,
            message: message.into(),
            actual: actual.into(),
            expected: expected.into(),
        }
    }

    /// A check the data cannot decide; `message` says what to verify by hand.
    pub fn unknown(
        message: impl Into<String>,
        actual: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Outcome {
            status: Status::Unknown,
            message: message.into(),
            actual: actual.into(),
            expected: expected.into(),
        }
    }
}

/// Audits `estate` with `profile`: runs every enabled rule on every object of its kind.
pub fn audit(estate: &Estate, profile: &Profile) -> AuditResult {
    let ctx = Context::new(estate);
    // Indexed like `AuditResult::rules`: the rules the profile holds.
    let enabled: Vec<(usize, &dyn rules::DynRule, &profile::RuleSettings)> = profile
        .rules()
        .enumerate()
        .filter(|(_, (_, settings))| settings.enabled)
        .map(|(i, (rule, settings))| (i, rule, settings))
        .collect();

    let mut result = AuditResult::new(profile);
    let mut out: Vec<Outcome> = Vec::with_capacity(4);

    for (vc_index, vc) in estate.vcenters.iter().enumerate() {
        let mut vc_audit = VCenterAudit {
            server: vc.server.clone(),
            ..Default::default()
        };
        if vc.status == CollectStatus::Error {
            // Nothing was collected: vcenters.csv reports the error; no rule can say anything.
            result.vcenters.push(vc_audit);
            continue;
        }
        result.counts.vcenters += 1;

        // The vCenter itself.
        let view = VCenterView {
            index: vc_index,
            vc,
        };
        let server = Shared::new(&vc.server);
        let moref = Shared::new(vc.about.instance_uuid.as_deref().unwrap_or_default());
        let mut tally = Tally::default();
        for &(i, rule, settings) in &enabled {
            if rule.meta().object != ObjectKind::VCenter {
                continue;
            }
            out.clear();
            rule.run_vcenter(&settings.params, &ctx, &view, &mut out);
            let subject = Subject {
                vcenter: &server,
                kind: ObjectKind::VCenter,
                name: &server,
                moref: &moref,
            };
            result.record(i, settings.severity, &subject, &mut out, &mut tally);
        }
        vc_audit.vcenter = ObjectAudit::from(tally);

        // Hosts.
        vc_audit.hosts.reserve(vc.hosts.len());
        for host in &vc.hosts {
            result.counts.hosts += 1;
            let view = HostView { vc_index, vc, host };
            let (name, moref) = (Shared::new(&host.name), Shared::new(&host.moref));
            let mut tally = Tally::default();
            for &(i, rule, settings) in &enabled {
                if rule.meta().object != ObjectKind::Host {
                    continue;
                }
                out.clear();
                rule.run_host(&settings.params, &ctx, &view, &mut out);
                let subject = Subject {
                    vcenter: &server,
                    kind: ObjectKind::Host,
                    name: &name,
                    moref: &moref,
                };
                result.record(i, settings.severity, &subject, &mut out, &mut tally);
            }
            vc_audit.hosts.push(ObjectAudit::from(tally));
        }

        // VMs.
        vc_audit.vms.reserve(vc.vms.len());
        for vm in &vc.vms {
            if vm.managed_by.is_some() {
                // An agent VM (vCLS, vSAN file services, NSX, ...): the solution owns it.
                result.counts.vms_agents += 1;
                vc_audit.vms.push(VmAudit::out_of_scope());
                continue;
            }
            if !ctx.vm_in_scope(vc_index, vm) {
                result.counts.vms_out_of_scope += 1;
                vc_audit.vms.push(VmAudit::out_of_scope());
                continue;
            }
            result.counts.vms_in_scope += 1;
            let view = VmView {
                vc_index,
                vc,
                vm,
                os: os::GuestOs::of(vm),
            };
            let mut tally = Tally::default();
            for &(i, rule, settings) in &enabled {
                if rule.meta().object != ObjectKind::Vm {
                    continue;
                }
                out.clear();
                rule.run_vm(&settings.params, &ctx, &view, &mut out);
                let subject = Subject {
                    vcenter: &server,
                    kind: ObjectKind::Vm,
                    name: &vm.name,
                    moref: &vm.moref,
                };
                result.record(i, settings.severity, &subject, &mut out, &mut tally);
            }
            let host = vm
                .host_moref
                .as_deref()
                .and_then(|m| ctx.host_index(vc_index, m))
                .map(|h| vc_audit.hosts[h].tally)
                .unwrap_or_default();
            result.manual_count(&view.os);
            vc_audit
                .vms
                .push(VmAudit::new(tally, host, vc_audit.vcenter.tally));
        }

        result.vcenters.push(vc_audit);
    }
    result
}

/// The vCenter and ESXi versions of `estate` newer than every version `profile` knows, e.g.
/// `vCenter 8.0, ESXi 7.0`; `None` when there are none, or when the profile follows today's
/// support matrix already. For the one-line advice at the end of a run.
pub fn newer_than_profile(estate: &Estate, profile: &Profile) -> Option<String> {
    if profile.document() != rules::Document::Prerequisites2017 {
        return None;
    }
    let newest = |versions: Option<&Vec<String>>| {
        versions?.iter().filter_map(|v| util::major_minor(v)).max()
    };
    let vc_max = newest(
        profile
            .params(&rules::vcenter_version::VcenterVersion)
            .map(|p| &p.versions),
    );
    let host_max = newest(
        profile
            .params(&rules::esxi_version::EsxiVersion)
            .map(|p| &p.versions),
    );
    let ok = |c: &&crate::model::VCenterInventory| c.status == CollectStatus::Ok;
    let beyond = |found: &mut dyn Iterator<Item = Option<&String>>, max: Option<(u32, u32)>| {
        let max = max?;
        found
            .filter_map(|v| util::major_minor(v?))
            .filter(|v| *v > max)
            .max()
    };
    let vc = beyond(
        &mut estate
            .vcenters
            .iter()
            .filter(ok)
            .map(|c| c.about.version.as_ref()),
        vc_max,
    );
    let host = beyond(
        &mut estate
            .vcenters
            .iter()
            .filter(ok)
            .flat_map(|c| &c.hosts)
            .map(|h| h.version.as_ref()),
        host_max,
    );
    let parts: Vec<String> = [("vCenter", vc), ("ESXi", host)]
        .into_iter()
        .filter_map(|(what, v)| Some(format!("{what} {}", util::fmt_major_minor(v?))))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The object a set of outcomes is about, for building findings.
/// Shared values, so that an object's findings point at the strings the model holds (a VM's
/// name and moref) instead of copies.
pub(crate) struct Subject<'a> {
    pub vcenter: &'a Shared,
    pub kind: ObjectKind,
    pub name: &'a Shared,
    pub moref: &'a Shared,
}

#[cfg(test)]
mod tests;

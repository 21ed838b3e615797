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
//! Scope: [`Context::vm_in_scope`] decides which VMs are audited. Today every VM is; the tag filter
//! of a later issue plugs in there. Out-of-scope VMs get no findings and no readiness, and are
//! counted in [`AuditCounts::vms_out_of_scope`].

pub mod context;
pub mod manual;
pub mod os;
pub mod profile;
pub mod result;
pub mod rules;
mod util;

#[cfg(test)]
pub(crate) mod testutil;

pub use context::{Context, HostView, VCenterView, VmView};
pub use profile::{Profile, ProfileError};
pub use result::{
    AuditCounts, AuditResult, FailOn, Finding, ManualStats, ObjectAudit, Readiness,
    ReadinessCounts, RuleStats, SummaryRow, Tally, VCenterAudit, VmAudit, render_summary,
};

use crate::model::Estate;
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
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
    let enabled: Vec<(usize, &dyn rules::DynRule, &profile::RuleSettings)> = rules::RULES
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| {
            let settings = profile.settings(i);
            settings.enabled.then_some((i, *rule, settings))
        })
        .collect();

    let mut result = AuditResult::new(profile);
    let mut out: Vec<Outcome> = Vec::with_capacity(4);

    for (vc_index, vc) in estate.vcenters.iter().enumerate() {
        let mut vc_audit = VCenterAudit {
            server: vc.server.clone(),
            ..Default::default()
        };
        result.counts.vcenters += 1;

        // The vCenter itself.
        let view = VCenterView {
            index: vc_index,
            vc,
        };
        let moref = vc.about.instance_uuid.clone().unwrap_or_default();
        let mut tally = Tally::default();
        for &(i, rule, settings) in &enabled {
            if rule.meta().object != ObjectKind::VCenter {
                continue;
            }
            out.clear();
            rule.run_vcenter(&settings.params, &ctx, &view, &mut out);
            let subject = Subject {
                vcenter: &vc.server,
                kind: ObjectKind::VCenter,
                name: &vc.server,
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
            let mut tally = Tally::default();
            for &(i, rule, settings) in &enabled {
                if rule.meta().object != ObjectKind::Host {
                    continue;
                }
                out.clear();
                rule.run_host(&settings.params, &ctx, &view, &mut out);
                let subject = Subject {
                    vcenter: &vc.server,
                    kind: ObjectKind::Host,
                    name: &host.name,
                    moref: &host.moref,
                };
                result.record(i, settings.severity, &subject, &mut out, &mut tally);
            }
            vc_audit.hosts.push(ObjectAudit::from(tally));
        }

        // VMs.
        vc_audit.vms.reserve(vc.vms.len());
        for vm in &vc.vms {
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
                    vcenter: &vc.server,
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

/// The object a set of outcomes is about, for building findings.
pub(crate) struct Subject<'a> {
    pub vcenter: &'a str,
    pub kind: ObjectKind,
    pub name: &'a str,
    pub moref: &'a str,
}

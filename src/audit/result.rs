//! What an audit produces, shaped for the report writers.
//!
//! - [`AuditResult::findings`]: one [`Finding`] per failing or unknown outcome; it serializes with
//!   exactly the `findings.csv` columns.
//! - [`AuditResult::vcenters`]: per vCenter, [`ObjectAudit`]s for the vCenter and each host and a
//!   [`VmAudit`] for each VM, in the same order as the estate (`vcenters[i].hosts[j]` is
//!   `estate.vcenters[i].hosts[j]`), for the `findings` and `readiness` columns of the inventory CSVs.
//! - [`AuditResult::summary_rows`]: the rows of `summary.csv` ([`SummaryRow`]).
//! - [`AuditResult::exceeds`]: the exit-code predicate for `--fail-on`.
//!
//! Readiness of a VM combines its own outcomes with those of its host and its vCenter: `not-ready`
//! when any `error` check failed; else `unknown` when any check is unknown; else
//! `conditionally-ready` when a `warning` check failed; else `ready`.

use serde::Serialize;

use super::finding::{Finding, Verdict};
use super::manual::{self, ManualCheck};
use super::os::GuestOs;
use super::profile::Profile;
use super::rules::Source;
use super::{ObjectKind, Outcome, Severity, Status, Subject};

/// What an object's checks add up to, for readiness.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub error_failed: bool,
    pub warning_failed: bool,
    pub unknown: bool,
    /// Number of findings (failing or unknown outcomes).
    pub findings: usize,
}

impl Tally {
    fn add(&mut self, severity: Severity, status: Status) {
        match (status, severity) {
            (Status::Pass, _) => return,
            (Status::Fail, Severity::Error) => self.error_failed = true,
            (Status::Fail, Severity::Warning) => self.warning_failed = true,
            (Status::Unknown, _) => self.unknown = true,
        }
        self.findings += 1;
    }

    /// Both tallies together.
    pub fn merge(self, other: Tally) -> Tally {
        Tally {
            error_failed: self.error_failed || other.error_failed,
            warning_failed: self.warning_failed || other.warning_failed,
            unknown: self.unknown || other.unknown,
            findings: self.findings + other.findings,
        }
    }

    pub fn readiness(&self) -> Readiness {
        if self.error_failed {
            Readiness::NotReady
        } else if self.unknown {
            Readiness::Unknown
        } else if self.warning_failed {
            Readiness::ConditionallyReady
        } else {
            Readiness::Ready
        }
    }
}

/// Whether a VM can be replicated, as far as the audit can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Readiness {
    Ready,
    ConditionallyReady,
    Unknown,
    NotReady,
}

impl Readiness {
    /// The report spelling: `ready`, `conditionally-ready`, `unknown`, `not-ready`.
    pub fn as_str(self) -> &'static str {
        match self {
            Readiness::Ready => "ready",
            Readiness::ConditionallyReady => "conditionally-ready",
            Readiness::Unknown => "unknown",
            Readiness::NotReady => "not-ready",
        }
    }
}

impl std::fmt::Display for Readiness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The audit of a vCenter or host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ObjectAudit {
    pub tally: Tally,
}

impl ObjectAudit {
    /// The `findings` column: rows of `findings.csv` about this object.
    pub fn findings(&self) -> usize {
        self.tally.findings
    }
}

impl From<Tally> for ObjectAudit {
    fn from(tally: Tally) -> Self {
        ObjectAudit { tally }
    }
}

/// A count of findings as a VM's audit keeps it (saturating; never reached in practice).
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The audit of a VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VmAudit {
    /// `None` when the VM was out of scope (not audited).
    pub readiness: Option<Readiness>,
    /// The VM's own findings (rows of `findings.csv` about it): the `findings` column. `u32`
    /// (a VM fails at most every rule once per outcome): one of these per VM, 12 bytes.
    pub findings: u32,
    /// Findings of its host and vCenter, which also count toward its readiness.
    pub inherited_findings: u32,
}

impl VmAudit {
    pub(crate) fn new(own: Tally, host: Tally, vcenter: Tally) -> Self {
        let all = own.merge(host).merge(vcenter);
        VmAudit {
            readiness: Some(all.readiness()),
            findings: count(own.findings),
            inherited_findings: count(host.findings + vcenter.findings),
        }
    }

    pub(crate) fn out_of_scope() -> Self {
        VmAudit {
            readiness: None,
            findings: 0,
            inherited_findings: 0,
        }
    }

    /// The `readiness` column: the readiness, or `out-of-scope`.
    pub fn readiness_str(&self) -> &'static str {
        self.readiness.map_or("out-of-scope", Readiness::as_str)
    }
}

/// The audit of one vCenter and its objects, parallel to the estate's vectors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VCenterAudit {
    pub server: String,
    pub vcenter: ObjectAudit,
    /// Parallel to `VCenterInventory::hosts`.
    pub hosts: Vec<ObjectAudit>,
    /// Parallel to `VCenterInventory::vms`.
    pub vms: Vec<VmAudit>,
}

/// How many objects were audited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AuditCounts {
    pub vcenters: usize,
    pub hosts: usize,
    pub vms_in_scope: usize,
    /// VMs left out by tag.
    pub vms_out_of_scope: usize,
    /// Agent VMs (managed by a solution) left out.
    pub vms_agents: usize,
}

/// Per-rule counts of objects (not outcomes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleStats {
    pub rule: &'static str,
    pub object_type: ObjectKind,
    /// The severity the profile gives the rule.
    pub severity: Severity,
    pub enabled: bool,
    pub checked: usize,
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
    pub title: &'static str,
    pub source: Source,
}

/// A manual check and the number of in-scope VMs it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualStats {
    pub check: &'static ManualCheck,
    pub vms: usize,
}

/// A row of `summary.csv`. Rule rows have `status` `checked` (or `disabled`, with zero counts)
/// and the four counts; manual-check rows have `object_type` `vm`, an empty `severity`, `status`
/// `manual`, `checked` = the number of VMs the check applies to, empty `passed`/`failed`/`unknown`,
/// and `applies_to`. Serialize with the csv crate; `None` becomes an empty field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryRow {
    pub rule: &'static str,
    pub object_type: ObjectKind,
    pub severity: Option<Severity>,
    pub status: &'static str,
    pub checked: usize,
    pub passed: Option<usize>,
    pub failed: Option<usize>,
    pub unknown: Option<usize>,
    /// Manual checks: `all VMs`, `Windows VMs`, ...; empty for rules.
    pub applies_to: &'static str,
    /// The rule's title or the manual check's text.
    pub description: &'static str,
    pub source: String,
}

/// The exit-code threshold: which failed checks make the run exit 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any failed check, `warning` or `error`.
    Warning,
    /// A failed `error` check (the default).
    #[default]
    Error,
    /// Never: always exit 0 once the audit ran.
    Never,
}

/// Everything one audit found.
#[derive(Debug, Clone)]
pub struct AuditResult {
    /// The profile's name.
    pub profile: String,
    pub counts: AuditCounts,
    /// Failing and unknown outcomes, by vCenter, then vCenter/hosts/VMs in estate order.
    pub findings: Vec<Finding>,
    /// One entry per rule the profile holds, in `RULES` order, disabled rules included (with
    /// zero counts).
    pub rules: Vec<RuleStats>,
    pub manual: Vec<ManualStats>,
    /// Parallel to `Estate::vcenters`.
    pub vcenters: Vec<VCenterAudit>,
}

impl AuditResult {
    pub(crate) fn new(profile: &Profile) -> Self {
        AuditResult {
            profile: profile.name().to_string(),
            counts: AuditCounts::default(),
            findings: Vec::new(),
            rules: profile
                .rules()
                .map(|(rule, settings)| {
                    let meta = rule.meta();
                    RuleStats {
                        rule: meta.id,
                        object_type: meta.object,
                        severity: settings.severity,
                        enabled: settings.enabled,
                        checked: 0,
                        passed: 0,
                        failed: 0,
                        unknown: 0,
                        title: meta.title,
                        source: meta.source(profile.document()),
                    }
                })
                .collect(),
            manual: manual::of_document(profile.document())
                .map(|check| ManualStats { check, vms: 0 })
                .collect(),
            vcenters: Vec::new(),
        }
    }

    /// Counts the object and turns its non-passing outcomes into findings. Drains `out`.
    pub(crate) fn record(
        &mut self,
        rule_index: usize,
        severity: Severity,
        subject: &Subject<'_>,
        out: &mut Vec<Outcome>,
        tally: &mut Tally,
    ) {
        let Some(status) = out.iter().map(|o| o.status).max() else {
            return;
        };
        let stats = &mut self.rules[rule_index];
        stats.checked += 1;
        match status {
            Status::Pass => stats.passed += 1,
            Status::Fail => stats.failed += 1,
            Status::Unknown => stats.unknown += 1,
        }
        let rule = stats.rule;
        for o in out.drain(..).filter(|o| o.status != Status::Pass) {
            tally.add(severity, o.status);
            let verdict = Verdict {
                vcenter: subject.vcenter.clone(),
                object_type: subject.kind,
                rule: rule.into(),
                severity,
                status: o.status,
                message: o.message.into(),
                actual: o.actual.into(),
                expected: o.expected.into(),
            };
            let finding = Finding::new(subject.name.clone(), subject.moref.clone(), verdict);
            self.findings.push(finding);
        }
    }

    /// Counts the manual checks that apply to an in-scope VM with this guest OS.
    pub(crate) fn manual_count(&mut self, os: &GuestOs) {
        for m in &mut self.manual {
            if m.check.applies_to.matches(&os.identity) {
                m.vms += 1;
            }
        }
    }

    /// Whether the run should exit 1: a failed check at or above the `--fail-on` threshold.
    /// Unknown outcomes never count.
    pub fn exceeds(&self, fail_on: FailOn) -> bool {
        let threshold = match fail_on {
            FailOn::Never => return false,
            FailOn::Warning => Severity::Warning,
            FailOn::Error => Severity::Error,
        };
        self.findings
            .iter()
            .any(|f| f.status == Status::Fail && f.severity >= threshold)
    }

    /// How many in-scope VMs have each readiness.
    pub fn readiness_counts(&self) -> ReadinessCounts {
        let mut c = ReadinessCounts::default();
        for vm in self.vcenters.iter().flat_map(|v| &v.vms) {
            match vm.readiness {
                Some(Readiness::Ready) => c.ready += 1,
                Some(Readiness::ConditionallyReady) => c.conditionally_ready += 1,
                Some(Readiness::Unknown) => c.unknown += 1,
                Some(Readiness::NotReady) => c.not_ready += 1,
                None => {}
            }
        }
        c
    }

    /// The rows of `summary.csv`: one per rule, then one per manual check.
    pub fn summary_rows(&self) -> Vec<SummaryRow> {
        let rules = self.rules.iter().map(|r| SummaryRow {
            rule: r.rule,
            object_type: r.object_type,
            severity: Some(r.severity),
            status: if r.enabled { "checked" } else { "disabled" },
            checked: r.checked,
            passed: Some(r.passed),
            failed: Some(r.failed),
            unknown: Some(r.unknown),
            applies_to: "",
            description: r.title,
            source: r.source.to_string(),
        });
        let manual = self.manual.iter().map(|m| SummaryRow {
            rule: m.check.id,
            object_type: ObjectKind::Vm,
            severity: None,
            status: "manual",
            checked: m.vms,
            passed: None,
            failed: None,
            unknown: None,
            applies_to: m.check.applies_to.as_str(),
            description: m.check.text,
            source: m.check.source.to_string(),
        });
        rules.chain(manual).collect()
    }
}

/// VMs per readiness.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReadinessCounts {
    pub ready: usize,
    pub conditionally_ready: usize,
    pub unknown: usize,
    pub not_ready: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::testutil::*;
    use crate::audit::{Profile, audit};
    use crate::model::Vm;

    /// A million-VM estate has millions of findings: their size is pinned like the model's
    /// (`model::tests::the_model_stays_compact`).
    #[test]
    fn a_finding_stays_compact() {
        // The object's name and moref and one pooled verdict (`audit::finding`).
        assert_eq!(std::mem::size_of::<Finding>(), 24);
        assert_eq!(std::mem::size_of::<VmAudit>(), 12);
    }

    fn csv_of<T: Serialize>(rows: &[T]) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in rows {
            w.serialize(r).unwrap();
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn findings_serialize_as_the_findings_csv() {
        let bad = Vm {
            name: "bad_name".into(),
            ..vm("a")
        };
        let r = audit(
            &estate(vec![vcenter("vc1", vec![bad])]),
            &Profile::default(),
        );
        let text = csv_of(&r.findings);
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("vcenter,object_type,object,moref,rule,severity,status,message,actual,expected")
        );
        assert_eq!(
            lines.next(),
            Some(
                "vc1,vm,bad_name,vm-a,vm-name,error,fail,\"name \"\"bad_name\"\" has characters other than letters, digits and hyphens\",bad_name,\"1-63 letters, digits, hyphens; no hyphen at either end\""
            )
        );
    }

    #[test]
    fn summary_rows_serialize_under_one_header() {
        let r = audit(
            &estate(vec![vcenter("vc1", vec![vm("a")])]),
            &Profile::default(),
        );
        let text = csv_of(&r.summary_rows());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "rule,object_type,severity,status,checked,passed,failed,unknown,applies_to,description,source"
        );
        assert!(
            lines[1].starts_with("vcenter-version,vcenter,error,checked,1,1,0,0,,"),
            "{}",
            lines[1]
        );
        let manual = lines
            .iter()
            .find(|l| l.starts_with("manual-port-20004"))
            .unwrap();
        assert!(
            manual.starts_with("manual-port-20004,vm,,manual,1,,,,all VMs,"),
            "{manual}"
        );
    }

    #[test]
    fn fail_on_parses_from_the_command_line() {
        use clap::ValueEnum;
        assert_eq!(FailOn::from_str("warning", false), Ok(FailOn::Warning));
        assert_eq!(FailOn::from_str("error", false), Ok(FailOn::Error));
        assert_eq!(FailOn::from_str("never", false), Ok(FailOn::Never));
        assert!(FailOn::from_str("sometimes", false).is_err());
    }

    #[test]
    fn out_of_scope_vms_have_no_readiness() {
        let v = VmAudit::out_of_scope();
        assert_eq!((v.readiness, v.readiness_str()), (None, "out-of-scope"));
        let t = Tally {
            unknown: true,
            findings: 1,
            ..Default::default()
        };
        let w = Tally {
            warning_failed: true,
            findings: 2,
            ..Default::default()
        };
        let v = VmAudit::new(Tally::default(), t, w);
        assert_eq!(
            (v.readiness, v.findings, v.inherited_findings),
            (Some(Readiness::Unknown), 0, 3)
        );
    }
}

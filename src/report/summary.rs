//! The short summary printed at the end of a run, rendered from the [`Report`]: objects audited,
//! VM readiness, findings, the rules with the most failing or unknown objects, and the number of
//! manual checks to verify by hand.

use super::Report;
use crate::audit::{ObjectKind, RuleStats};

/// Number of rules [`render`] lists.
const TOP_RULES: usize = 5;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The short summary printed at the end of a run: objects audited, readiness counts, the rules
/// with the most failing or unknown objects, and the number of manual checks.
pub fn render(report: &Report) -> String {
    let result = report.result();
    let c = &report.counts;
    let mut s = format!(
        "Audited {}, {}, {}",
        plural(c.vcenters, "vCenter", "vCenters"),
        plural(c.hosts, "host", "hosts"),
        plural(c.vms_in_scope, "VM", "VMs"),
    );
    let mut left_out = Vec::new();
    if c.vms_out_of_scope > 0 {
        left_out.push(format!("{} left out by tag", c.vms_out_of_scope));
    }
    if c.vms_agents > 0 {
        let agents = if c.vms_agents == 1 {
            "an agent VM"
        } else {
            "agent VMs"
        };
        left_out.push(format!("{} left out as {agents}", c.vms_agents));
    }
    if !left_out.is_empty() {
        s.push_str(&format!(" in scope ({})", left_out.join(", ")));
    }
    s.push_str(&format!(" with profile {}.\n", report.run.profile));
    let r = &report.readiness;
    s.push_str(&format!(
        "VM readiness: {} ready, {} conditionally ready, {} unknown, {} not ready.\n",
        r.ready, r.conditionally_ready, r.unknown, r.not_ready
    ));
    let f = &report.findings;
    s.push_str(&format!(
        "Findings: {} ({} failed, {} unknown).\n",
        f.total, f.failed, f.unknown
    ));

    let mut top: Vec<&RuleStats> = result
        .rules
        .iter()
        .filter(|r| r.failed + r.unknown > 0)
        .collect();
    top.sort_by(|a, b| {
        (b.severity, b.failed, b.unknown)
            .cmp(&(a.severity, a.failed, a.unknown))
            .then(a.rule.cmp(b.rule))
    });
    if !top.is_empty() {
        s.push_str("Top rules:\n");
        let width = top.iter().map(|r| r.rule.len()).max().unwrap_or(0);
        for r in top.iter().take(TOP_RULES) {
            let objects = match r.object_type {
                ObjectKind::VCenter => plural(r.checked, "vCenter", "vCenters"),
                ObjectKind::Host => plural(r.checked, "host", "hosts"),
                ObjectKind::Vm => plural(r.checked, "VM", "VMs"),
            };
            s.push_str(&format!(
                "  {:<width$}  {:<7}  {} failed, {} unknown of {objects}\n",
                r.rule, r.severity, r.failed, r.unknown
            ));
        }
    }
    let manual = result.manual.iter().filter(|m| m.vms > 0).count();
    s.push_str(&format!(
        "{} to verify by hand (see summary.csv).\n",
        plural(manual, "manual check", "manual checks")
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::testutil::*;
    use crate::audit::{Profile, audit};
    use crate::model::Vm;

    fn summary(e: &crate::model::Estate) -> String {
        let r = audit(e, &Profile::default());
        render(&Report::new(e, &r, "2026-01-01T00:00:00Z".into()))
    }

    #[test]
    fn reports_counts_and_top_rules() {
        let vms = vec![
            vm("ok"),
            Vm {
                name: "bad_name".into(),
                ..vm("x")
            },
            Vm {
                name: "bad_name2".into(),
                firmware: None,
                ..vm("y")
            },
        ];
        let s = summary(&estate(vec![vcenter("vc1", vms)]));
        assert!(
            s.starts_with("Audited 1 vCenter, 1 host, 3 VMs with profile asr-vmware-2017.\n"),
            "{s}"
        );
        assert!(
            s.contains("VM readiness: 1 ready, 0 conditionally ready, 0 unknown, 2 not ready.\n"),
            "{s}"
        );
        assert!(s.contains("Findings: 3 (2 failed, 1 unknown).\n"), "{s}");
        let top = s.lines().position(|l| l == "Top rules:").unwrap();
        let lines: Vec<&str> = s.lines().collect();
        assert!(lines[top + 1].trim_start().starts_with("vm-name"), "{s}");
        assert!(
            lines[top + 1].ends_with("2 failed, 0 unknown of 3 VMs"),
            "{s}"
        );
        assert!(
            lines[top + 2].trim_start().starts_with("boot-firmware"),
            "{s}"
        );
        assert!(
            s.ends_with("3 manual checks to verify by hand (see summary.csv).\n"),
            "{s}"
        );
    }

    #[test]
    fn names_vms_left_out_by_tag() {
        let mut gold = vm("gold");
        gold.tags = vec!["dr-tier:gold".into()].into();
        let mut vc = vcenter("vc1", vec![gold, vm("other")]);
        vc.scope = Some(crate::model::TagScope {
            include: vec!["dr-tier:gold".into()],
            exclude: vec![],
        });
        let s = summary(&estate(vec![vc]));
        assert!(s.contains("1 VM in scope (1 left out by tag)"), "{s}");
    }
}

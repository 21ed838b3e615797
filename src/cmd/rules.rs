//! `vcaudit rules`: list the rules of a profile and the manual checks.
//!
//! For every rule: id, object kind, severity, enabled, then its title, its parameters (as TOML) and
//! the seed section it comes from. Then the manual checks with whom they apply to. Plain aligned
//! text for people; the profile file itself is the machine-readable form.

use std::io::Write;

use crate::audit::manual::MANUAL_CHECKS;
use crate::audit::profile::{DEFAULT_PROFILE, Profile, ProfileError};

/// Arguments of `vcaudit rules`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RulesArgs {
    /// Profile: a built-in name (asr-vmware-2017) or a TOML file [default: asr-vmware-2017].
    #[arg(long)]
    pub profile: Option<String>,
}

/// Why `vcaudit rules` failed.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error("cannot write the rule list: {0}")]
    Io(#[from] std::io::Error),
}

/// Prints the rules of the chosen profile and the manual checks to `out`.
pub fn run(args: &RulesArgs, out: &mut dyn Write) -> Result<(), RulesError> {
    let profile = Profile::load(args.profile.as_deref().unwrap_or(DEFAULT_PROFILE))?;
    out.write_all(render(&profile).as_bytes())?;
    Ok(())
}

/// The listing as text.
pub fn render(profile: &Profile) -> String {
    let mut s = format!("Profile {}", profile.name());
    if let Some(d) = profile.description() {
        s.push_str(&format!(": {d}"));
    }
    s.push_str("\n\nRules\n");

    let id_w = profile
        .rules()
        .map(|(r, _)| r.meta().id.len())
        .max()
        .unwrap_or(0)
        .max("RULE".len());
    s.push_str(&format!(
        "{:<id_w$}  {:<7}  {:<8}  ENABLED\n",
        "RULE", "OBJECT", "SEVERITY"
    ));
    for (rule, settings) in profile.rules() {
        let meta = rule.meta();
        s.push_str(&format!(
            "{:<id_w$}  {:<7}  {:<8}  {}\n",
            meta.id,
            meta.object.as_str(),
            settings.severity.as_str(),
            if settings.enabled { "yes" } else { "no" }
        ));
        s.push_str(&format!("    {}\n", meta.title));
        for (key, value) in &settings.table {
            s.push_str(&format!("    {key} = {value}\n"));
        }
        s.push_str(&format!("    source: {}\n", meta.source));
    }

    s.push_str("\nManual checks (the vSphere API cannot see these; verify them by hand)\n");
    let id_w = MANUAL_CHECKS
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(0)
        .max("CHECK".len());
    s.push_str(&format!("{:<id_w$}  APPLIES TO\n", "CHECK"));
    for c in MANUAL_CHECKS {
        s.push_str(&format!("{:<id_w$}  {}\n", c.id, c.applies_to.as_str()));
        s.push_str(&format!("    {}\n", c.text));
        s.push_str(&format!("    source: {}\n", c.source));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::rules::RULES;

    /// A rule's line: the id padded to the longest id, then object, severity, enabled.
    fn row(id: &str, object: &str, severity: &str, enabled: &str) -> String {
        let w = RULES.iter().map(|r| r.meta().id.len()).max().unwrap();
        format!("{id:<w$}  {object:<7}  {severity:<8}  {enabled}\n")
    }

    #[test]
    fn lists_every_rule_and_manual_check() {
        let mut out = Vec::new();
        run(&RulesArgs::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("Profile asr-vmware-2017: "), "{text}");
        for rule in RULES {
            let id = rule.meta().id;
            assert!(text.lines().any(|l| l.starts_with(id)), "missing {id}");
        }
        for c in MANUAL_CHECKS {
            assert!(
                text.contains(c.id) && text.contains(c.text),
                "missing {}",
                c.id
            );
        }
        assert!(text.contains("    max_gib = 1023\n"), "{text}");
        assert!(
            text.contains("    versions = [\"5.5\", \"6.0\"]\n"),
            "{text}"
        );
        assert!(
            text.contains(&row("disk-size", "vm", "error", "yes")),
            "{text}"
        );
        assert!(
            text.contains(&row("cross-vcenter-vmotion", "vm", "error", "yes")),
            "{text}"
        );
        assert!(text.contains("row On-premises (VMware VMs)"), "{text}");
    }

    #[test]
    fn shows_a_disabled_rule_and_reports_a_bad_profile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "[rules.esxi-build]\nenabled = false\n").unwrap();
        let mut out = Vec::new();
        let args = RulesArgs {
            profile: Some(path.to_str().unwrap().to_string()),
        };
        run(&args, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(&row("esxi-build", "host", "warning", "no")),
            "{text}"
        );

        std::fs::write(&path, "[rules.esxi-build]\nenable = false\n").unwrap();
        let err = run(&args, &mut Vec::new()).unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown key rules.esxi-build.enable"),
            "{err}"
        );
    }
}

//! `vcaudit rules`: list the rules of a profile and the manual checks, or compare two profiles.
//!
//! For every rule: id, object kind, severity, enabled, then its title, its parameters (as TOML) and
//! the document section it comes from. Then the manual checks with whom they apply to. Plain
//! aligned text for people; the profile file itself is the machine-readable form.
//!
//! `--compare OTHER`: the rules of both profiles side by side: `added` (only in OTHER), `removed`
//! (only in the first), `changed` (enabled, severity or a parameter differs, each difference on
//! its own line as `key: old -> new`) or `same`; then the manual checks added and removed.

use std::io::Write;

use crate::audit::manual;
use crate::audit::profile::{DEFAULT_PROFILE, Profile, ProfileError, RuleSettings};
use crate::audit::rules::RULES;

/// Arguments of `vcaudit rules`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RulesArgs {
    /// Profile: a built-in name (asr-vmware-2017) or a TOML file [default: asr-vmware-2017].
    #[arg(long)]
    pub profile: Option<String>,
    /// Compare with this profile (built-in name or TOML file): added, removed, changed rules.
    #[arg(long, value_name = "NAME|PATH")]
    pub compare: Option<String>,
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
    let text = match &args.compare {
        Some(other) => compare(&profile, &Profile::load(other)?),
        None => render(&profile),
    };
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// `key = value` of a rule's settings, `enabled` and `severity` first.
fn settings_lines(s: &RuleSettings) -> Vec<(String, String)> {
    let mut v = vec![
        ("enabled".to_string(), s.enabled.to_string()),
        (
            "severity".to_string(),
            format!("\"{}\"", s.severity.as_str()),
        ),
    ];
    v.extend(s.table.iter().map(|(k, val)| (k.clone(), val.to_string())));
    v
}

/// Profile `a` against profile `b`, rule by rule in the one list's order.
pub fn compare(a: &Profile, b: &Profile) -> String {
    let mut s = format!("Profile {} compared with {}\n\n", a.name(), b.name());
    let ids: Vec<&str> = RULES
        .iter()
        .map(|r| r.meta().id)
        .filter(|id| a.rule(id).is_some() || b.rule(id).is_some())
        .collect();
    let w = ids.iter().map(|i| i.len()).max().unwrap_or(0);
    for id in ids {
        match (a.rule(id), b.rule(id)) {
            (Some(_), None) => s.push_str(&format!("removed  {id:<w$}  only in {}\n", a.name())),
            (None, Some(sb)) => {
                s.push_str(&format!("added    {id:<w$}  only in {}\n", b.name()));
                for (k, v) in settings_lines(sb) {
                    s.push_str(&format!("    {k} = {v}\n"));
                }
            }
            (Some(sa), Some(sb)) => {
                let (la, lb) = (settings_lines(sa), settings_lines(sb));
                let mut diffs = Vec::new();
                for (k, va) in &la {
                    match lb.iter().find(|(kb, _)| kb == k) {
                        Some((_, vb)) if vb == va => {}
                        Some((_, vb)) => diffs.push(format!("    {k}: {va} -> {vb}")),
                        None => diffs.push(format!("    {k}: {va} -> (not set)")),
                    }
                }
                for (k, vb) in &lb {
                    if !la.iter().any(|(ka, _)| ka == k) {
                        diffs.push(format!("    {k}: (not set) -> {vb}"));
                    }
                }
                let word = if diffs.is_empty() {
                    "same   "
                } else {
                    "changed"
                };
                s.push_str(&format!("{word}  {id}\n"));
                for d in diffs {
                    s.push_str(&d);
                    s.push('\n');
                }
            }
            (None, None) => {}
        }
    }
    let ids = |p: &Profile| -> Vec<&'static str> {
        manual::of_document(p.document()).map(|c| c.id).collect()
    };
    let (ma, mb) = (ids(a), ids(b));
    s.push_str("\nManual checks\n");
    for id in &ma {
        if !mb.contains(id) {
            s.push_str(&format!("removed  {id}\n"));
        }
    }
    for id in &mb {
        if !ma.contains(id) {
            s.push_str(&format!("added    {id}\n"));
        }
    }
    for id in ma.iter().filter(|id| mb.contains(id)) {
        s.push_str(&format!("same     {id}\n"));
    }
    s
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
        s.push_str(&format!(
            "    source: {}\n",
            meta.source(profile.document())
        ));
    }

    s.push_str("\nManual checks (the vSphere API cannot see these; verify them by hand)\n");
    let id_w = manual::of_document(profile.document())
        .map(|c| c.id.len())
        .max()
        .unwrap_or(0)
        .max("CHECK".len());
    s.push_str(&format!("{:<id_w$}  APPLIES TO\n", "CHECK"));
    for c in manual::of_document(profile.document()) {
        s.push_str(&format!("{:<id_w$}  {}\n", c.id, c.applies_to.as_str()));
        s.push_str(&format!("    {}\n", c.text));
        s.push_str(&format!("    source: {}\n", c.source));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::manual::MANUAL_CHECKS;
    use crate::audit::rules::Document;

    /// A rule's line: the id padded to the longest id, then object, severity, enabled.
    fn row(id: &str, object: &str, severity: &str, enabled: &str) -> String {
        let p = Profile::default();
        let w = p.rules().map(|(r, _)| r.meta().id.len()).max().unwrap();
        format!("{id:<w$}  {object:<7}  {severity:<8}  {enabled}\n")
    }

    #[test]
    fn lists_every_rule_and_manual_check() {
        let mut out = Vec::new();
        run(&RulesArgs::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("Profile asr-vmware-2017: "), "{text}");
        for (rule, _) in Profile::default().rules() {
            let id = rule.meta().id;
            assert!(text.lines().any(|l| l.starts_with(id)), "missing {id}");
        }
        assert!(
            !text.contains("os-disk-size"),
            "a rule of the other profile"
        );
        for c in MANUAL_CHECKS
            .iter()
            .filter(|c| c.source.document == Document::Prerequisites2017)
        {
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
            compare: None,
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

    #[test]
    fn lists_todays_profile_with_its_citations() {
        let mut out = Vec::new();
        let args = RulesArgs {
            profile: Some("asr-vmware-2026".into()),
            compare: None,
        };
        run(&args, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\nos-disk-size "), "{text}");
        assert!(!text.contains("\ndisk-size "), "{text}");
        assert!(text.contains("    max_gib_uefi = 4095\n"), "{text}");
        assert!(
            text.contains("source: asr-current-matrix.md (2026-04-06) > Machine > \"Boot: BIOS"),
            "{text}"
        );
        assert!(text.contains("manual-nic-teaming") && !text.contains("manual-port-20004"));
    }

    #[test]
    fn compares_two_profiles() {
        let a = Profile::builtin("asr-vmware-2017").unwrap();
        let b = Profile::builtin("asr-vmware-2026").unwrap();
        let text = compare(&a, &b);
        assert!(text.starts_with("Profile asr-vmware-2017 compared with asr-vmware-2026\n"));
        let line = |l: &str| text.lines().any(|x| x.trim_end() == l);
        assert!(
            line("removed  disk-size              only in asr-vmware-2017"),
            "{text}"
        );
        assert!(
            line("added    os-disk-size           only in asr-vmware-2026"),
            "{text}"
        );
        assert!(line("changed  vcenter-version"), "{text}");
        assert!(
            line("    versions: [\"5.5\", \"6.0\"] -> [\"6.5\", \"6.7\", \"7.0\", \"8.0\"]"),
            "{text}"
        );
        assert!(line("    allow_efi: false -> true"), "{text}");
        assert!(line("same     vm-name"), "{text}");
        assert!(line("added    manual-bitlocker") && line("removed  manual-port-20004"));
        // A file laid over a built-in profile: only its change shows.
        let c = Profile::from_toml(
            "c.toml",
            "extends = \"asr-vmware-2026\"\n[rules.guest-ipv6]\nenabled = false\n",
        )
        .unwrap();
        let text = compare(&b, &c);
        assert_eq!(
            text.lines().filter(|l| l.starts_with("changed")).count(),
            1,
            "{text}"
        );
        assert!(
            text.contains("changed  guest-ipv6\n    enabled: true -> false\n"),
            "{text}"
        );
    }
}

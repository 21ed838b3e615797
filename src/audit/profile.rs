//! Profiles: which rules run, at which severity, with which parameters.
//!
//! A profile is TOML:
//!
//! ```toml
//! description = "..."            # optional
//! extends = "asr-vmware-2017"    # optional, files only: the built-in profile to lay this one over
//!
//! [rules.disk-size]              # one table per rule id
//! enabled = true                 # every rule: run it or not
//! severity = "error"             # every rule: "error" or "warning"
//! max_gib = 1023                 # the rule's own parameters
//! ```
//!
//! The built-in profiles are compiled into the binary ([`BUILTIN`]); `asr-vmware-2017` is the
//! default and lists every key of every rule. A profile file is laid over a built-in profile
//! (`extends`, default `asr-vmware-2017`), so it only needs the keys it changes; arrays replace, they
//! do not append. Anything unknown (a top-level key, a rule id, a rule key) or a value of the wrong
//! type is rejected with a one-line [`ProfileError`] naming the file and the key.
//!
//! Parameters are typed by each rule (see [`super::rules::Rule::Params`]); this module only knows
//! the keys every rule shares (`enabled`, `severity`).

use std::fmt;
use std::path::Path;

use super::Severity;
use super::rules::{AnyParams, Document, DynRule, ParamsError, RULES};

/// The default profile.
pub const DEFAULT_PROFILE: &str = "asr-vmware-2017";

/// Today's support matrix.
pub const CURRENT_PROFILE: &str = "asr-vmware-2026";

/// The built-in profiles: name and TOML text.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        DEFAULT_PROFILE,
        include_str!("../../profiles/asr-vmware-2017.toml"),
    ),
    (
        CURRENT_PROFILE,
        include_str!("../../profiles/asr-vmware-2026.toml"),
    ),
];

const TOP_LEVEL_KEYS: &[&str] = &["description", "document", "extends", "rules"];
const ENABLED: &str = "enabled";
const SEVERITY: &str = "severity";

/// Why a profile could not be loaded. Displays as one line naming the file (or profile name) and
/// the key; never the file's content beyond the offending key and value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("profile {name}: not a built-in profile ({builtins}) and no such file")]
    UnknownProfile { name: String, builtins: String },
    #[error("profile {file}: cannot read: {reason}")]
    Read { file: String, reason: String },
    #[error("profile {file}: invalid TOML at line {line}, column {column}: {reason}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("profile {file}, line {line}: unknown key {key} (expected one of {expected})")]
    UnknownKey {
        file: String,
        line: usize,
        key: String,
        expected: String,
    },
    #[error("profile {file}: missing key {key}")]
    MissingKey { file: String, key: String },
    #[error("profile {file}: bad value for {key}: {reason}")]
    BadValue {
        file: String,
        key: String,
        reason: String,
    },
}

/// One rule's settings in a profile.
#[derive(Clone)]
pub struct RuleSettings {
    pub enabled: bool,
    pub severity: Severity,
    /// The parsed parameters, typed by the rule.
    pub(crate) params: AnyParams,
    /// The parameters as TOML (without `enabled` and `severity`), for display.
    pub table: toml::Table,
}

impl fmt::Debug for RuleSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleSettings")
            .field("enabled", &self.enabled)
            .field("severity", &self.severity)
            .field("params", &self.table)
            .finish()
    }
}

/// A loaded profile: settings for every rule in [`RULES`], in the same order.
#[derive(Debug, Clone)]
pub struct Profile {
    name: String,
    description: Option<String>,
    /// The document the profile follows: which citations and manual checks it shows.
    document: Document,
    /// Parallel to [`RULES`]; `None` for a rule the profile does not hold.
    rules: Vec<Option<RuleSettings>>,
}

impl Default for Profile {
    /// The default built-in profile.
    fn default() -> Self {
        Profile::builtin(DEFAULT_PROFILE).expect("the default profile is valid (tested)")
    }
}

impl Profile {
    /// Loads a built-in profile by name, or else a TOML file by path.
    pub fn load(name_or_path: &str) -> Result<Self, ProfileError> {
        if builtin_text(name_or_path).is_some() {
            return Self::builtin(name_or_path);
        }
        match std::fs::read_to_string(Path::new(name_or_path)) {
            Ok(text) => Self::from_toml(name_or_path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(ProfileError::UnknownProfile {
                    name: name_or_path.to_string(),
                    builtins: Self::builtin_names().join(", "),
                })
            }
            Err(e) => Err(ProfileError::Read {
                file: name_or_path.to_string(),
                reason: e.to_string(),
            }),
        }
    }

    /// A built-in profile.
    pub fn builtin(name: &str) -> Result<Self, ProfileError> {
        let text = builtin_text(name).ok_or_else(|| ProfileError::UnknownProfile {
            name: name.to_string(),
            builtins: Self::builtin_names().join(", "),
        })?;
        Self::parse(name, text, true)
    }

    /// Names of the built-in profiles.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(name, _)| *name).collect()
    }

    /// Parses profile text as a user file named `origin` (laid over its `extends` profile).
    pub fn from_toml(origin: &str, text: &str) -> Result<Self, ProfileError> {
        Self::parse(origin, text, false)
    }

    /// The built-in name or the file path it was loaded from.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The document the profile follows.
    pub fn document(&self) -> Document {
        self.document
    }

    /// Settings of the rule with `id`; `None` when the profile does not hold it.
    pub fn rule(&self, id: &str) -> Option<&RuleSettings> {
        let i = RULES.iter().position(|r| r.meta().id == id)?;
        self.rules[i].as_ref()
    }

    /// Every rule the profile holds with its settings, in [`RULES`] order.
    pub fn rules(&self) -> impl Iterator<Item = (&'static dyn DynRule, &RuleSettings)> {
        RULES
            .iter()
            .copied()
            .zip(self.rules.iter())
            .filter_map(|(r, s)| Some((r, s.as_ref()?)))
    }

    /// The typed parameters of rule `R` in this profile, when it holds the rule.
    pub fn params<R: super::rules::Rule>(&self, rule: &R) -> Option<&R::Params> {
        let id = super::rules::Rule::meta(rule).id;
        self.rule(id)?.params.downcast_ref::<R::Params>()
    }

    /// `root`: the text is a built-in profile, complete and laid over nothing; the rules it has
    /// no table for are not part of it.
    fn parse(origin: &str, text: &str, root: bool) -> Result<Self, ProfileError> {
        let err_key = |key: String, expected: &[&str]| ProfileError::UnknownKey {
            file: origin.to_string(),
            line: key_line(text, &key),
            key,
            expected: expected.join(", "),
        };
        let bad = |key: String, reason: String| ProfileError::BadValue {
            file: origin.to_string(),
            key,
            reason: one_line(&reason),
        };

        let mut doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let (line, column) = e
                .span()
                .map(|s| line_column(text, s.start))
                .unwrap_or((1, 1));
            ProfileError::Syntax {
                file: origin.to_string(),
                line,
                column,
                reason: one_line(e.message()),
            }
        })?;
        if let Some(key) = doc.keys().find(|k| !TOP_LEVEL_KEYS.contains(&k.as_str())) {
            return Err(err_key(key.clone(), TOP_LEVEL_KEYS));
        }
        let description = match doc.remove("description") {
            None => None,
            Some(toml::Value::String(s)) => Some(s),
            Some(v) => return Err(bad("description".into(), type_reason(&v, "a string"))),
        };
        let document = match doc.remove("document") {
            None => None,
            Some(toml::Value::String(s)) if Document::from_key(&s).is_some() => {
                Document::from_key(&s)
            }
            Some(v) => {
                let keys: Vec<&str> = Document::ALL.iter().map(|d| d.key()).collect();
                let reason = format!("{v} is not one of {}", keys.join(", "));
                return Err(bad("document".into(), reason));
            }
        };
        let base = match doc.remove("extends") {
            None if root => None,
            None => Some(Self::builtin(DEFAULT_PROFILE)?),
            Some(toml::Value::String(name)) if builtin_text(&name).is_some() && !root => {
                Some(Self::builtin(&name)?)
            }
            Some(v) => {
                let reason = format!(
                    "{v} is not a built-in profile (expected one of {})",
                    Self::builtin_names().join(", ")
                );
                return Err(bad("extends".into(), reason));
            }
        };
        let mut tables = match doc.remove("rules") {
            None => toml::Table::new(),
            Some(toml::Value::Table(t)) => t,
            Some(v) => return Err(bad("rules".into(), type_reason(&v, "a table"))),
        };
        let ids: Vec<&str> = RULES.iter().map(|r| r.meta().id).collect();
        if let Some(key) = tables.keys().find(|k| !ids.contains(&k.as_str())) {
            return Err(err_key(format!("rules.{key}"), &ids));
        }

        let mut rules = Vec::with_capacity(RULES.len());
        for (i, rule) in RULES.iter().enumerate() {
            let id = rule.meta().id;
            let given = tables.contains_key(id);
            let user = match tables.remove(id) {
                None => toml::Table::new(),
                Some(toml::Value::Table(t)) => t,
                Some(v) => return Err(bad(format!("rules.{id}"), type_reason(&v, "a table"))),
            };
            let base_settings = base.as_ref().and_then(|b| b.rules[i].as_ref());
            if !given && base_settings.is_none() {
                // Neither this profile nor its base holds the rule.
                rules.push(None);
                continue;
            }
            if let Some(b) = base_settings {
                let mut expected: Vec<&str> = vec![ENABLED, SEVERITY];
                expected.extend(b.table.keys().map(String::as_str));
                if let Some(key) = user.keys().find(|k| !expected.contains(&k.as_str())) {
                    return Err(err_key(format!("rules.{id}.{key}"), &expected));
                }
            }

            let mut params = base_settings.map(|b| b.table.clone()).unwrap_or_default();
            // A file may add a rule its base does not hold: it runs at its default severity
            // unless the table says otherwise, and must give every parameter.
            let added = !root && base_settings.is_none();
            let mut enabled = base_settings.map(|b| b.enabled).or(added.then_some(true));
            let mut severity = base_settings
                .map(|b| b.severity)
                .or(added.then_some(rule.meta().default_severity));
            for (key, value) in &user {
                match key.as_str() {
                    ENABLED => match value {
                        toml::Value::Boolean(b) => enabled = Some(*b),
                        v => {
                            return Err(bad(
                                format!("rules.{id}.{ENABLED}"),
                                type_reason(v, "true or false"),
                            ));
                        }
                    },
                    SEVERITY => match value.as_str().and_then(Severity::parse) {
                        Some(s) => severity = Some(s),
                        None => {
                            return Err(bad(
                                format!("rules.{id}.{SEVERITY}"),
                                format!("{value} is not one of \"error\", \"warning\""),
                            ));
                        }
                    },
                    _ => {
                        params.insert(key.clone(), value.clone());
                    }
                }
            }
            let missing = |key: &str| ProfileError::MissingKey {
                file: origin.to_string(),
                key: format!("rules.{id}.{key}"),
            };
            let enabled = enabled.ok_or_else(|| missing(ENABLED))?;
            let severity = severity.ok_or_else(|| missing(SEVERITY))?;
            let parsed = match rule.parse_params(params.clone()) {
                Ok(p) => p,
                Err(e) => {
                    let (key, reason) = match e {
                        ParamsError::Invalid(pe) => (format!("rules.{id}.{}", pe.key), pe.reason),
                        ParamsError::Serde(e) => {
                            let key = base_settings
                                .and_then(|b| culprit(*rule, &b.table, &user))
                                .map(|k| format!("rules.{id}.{k}"))
                                .unwrap_or_else(|| format!("rules.{id}"));
                            (key, e.message().to_string())
                        }
                    };
                    return Err(bad(key, reason));
                }
            };
            rules.push(Some(RuleSettings {
                enabled,
                severity,
                params: parsed,
                table: params,
            }));
        }
        let document = match (document, &base) {
            (Some(d), _) => d,
            (None, Some(b)) => b.document,
            (None, None) => {
                return Err(ProfileError::MissingKey {
                    file: origin.to_string(),
                    key: "document".into(),
                });
            }
        };
        Ok(Profile {
            name: origin.to_string(),
            description: description.or_else(|| base.and_then(|b| b.description)),
            document,
            rules,
        })
    }
}

fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The user key whose value alone makes the (valid) base parameters fail to parse.
fn culprit(rule: &dyn DynRule, base: &toml::Table, user: &toml::Table) -> Option<String> {
    user.iter()
        .filter(|(k, _)| k.as_str() != ENABLED && k.as_str() != SEVERITY)
        .find(|(key, value)| {
            let mut t = base.clone();
            t.insert((*key).clone(), (*value).clone());
            rule.parse_params(t).is_err()
        })
        .map(|(k, _)| k.clone())
}

fn type_reason(v: &toml::Value, expected: &str) -> String {
    format!("expected {expected}, found {}", v.type_str())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The line where the dotted `key` (`rules.disk-size.max_gib`) is written; 1 when it cannot be
/// found (the text already parsed, so this is only for the message).
fn key_line(text: &str, key: &str) -> usize {
    let Ok(doc) = toml_edit::ImDocument::parse(text) else {
        return 1;
    };
    let mut item = doc.as_item();
    let mut span = None;
    let parts: Vec<&str> = split_dotted(key);
    for part in parts {
        let Some(table) = item.as_table_like() else {
            break;
        };
        let Some((k, v)) = table.get_key_value(part) else {
            break;
        };
        span = k.span().or(span);
        item = v;
    }
    span.map_or(1, |s| line_column(text, s.start).0)
}

/// A dotted key as our messages write it: rule ids hold `-` but never `.`.
fn split_dotted(key: &str) -> Vec<&str> {
    key.split('.').collect()
}

/// 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::rules::disk_size;

    #[test]
    fn every_builtin_loads_and_covers_every_rule() {
        let mut held = std::collections::HashSet::new();
        for name in Profile::builtin_names() {
            let p = Profile::load(name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(p.name(), name);
            for (rule, _) in p.rules() {
                held.insert(rule.meta().id);
                assert!(
                    rule.meta()
                        .sources
                        .iter()
                        .any(|s| s.document == p.document()),
                    "{name}: {} cites nothing of {}",
                    rule.meta().id,
                    p.document().key()
                );
            }
        }
        for rule in RULES {
            assert!(
                held.contains(rule.meta().id),
                "{} is in no built-in profile",
                rule.meta().id
            );
        }
        let p = Profile::default();
        assert!(p.rules().all(|(_, s)| s.enabled));
        for (rule, settings) in p.rules() {
            assert_eq!(
                settings.severity,
                rule.meta().default_severity,
                "{}",
                rule.meta().id
            );
        }
        let ds = p.rule("disk-size").unwrap();
        assert_eq!(
            ds.params
                .downcast_ref::<disk_size::Params>()
                .unwrap()
                .max_gib,
            1023
        );
    }

    #[test]
    fn a_file_only_needs_the_keys_it_changes() {
        let p = Profile::from_toml(
            "my.toml",
            "[rules.disk-size]\nmax_gib = 2048\n[rules.esxi-build]\nenabled = false\nseverity = \"error\"\n",
        )
        .unwrap();
        assert_eq!(p.name(), "my.toml");
        let ds = p.rule("disk-size").unwrap();
        assert_eq!(
            ds.params
                .downcast_ref::<disk_size::Params>()
                .unwrap()
                .max_gib,
            2048
        );
        assert_eq!(ds.severity, Severity::Error);
        let b = p.rule("esxi-build").unwrap();
        assert!(!b.enabled);
        assert_eq!(b.severity, Severity::Error);
        assert!(p.rule("vm-name").unwrap().enabled);
        assert!(p.description().is_some(), "inherited from the base");
    }

    #[test]
    fn unknown_rule_key_is_named() {
        let e = Profile::from_toml("my.toml", "[rules.disk-size]\nmax_gb = 2048\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "profile my.toml, line 2: unknown key rules.disk-size.max_gb (expected one of enabled, severity, max_gib)"
        );
    }

    #[test]
    fn unknown_rule_and_top_level_keys_are_named() {
        let e = Profile::from_toml("p.toml", "[rules.disk-sise]\nmax_gib = 1\n").unwrap_err();
        let s = e.to_string();
        assert!(
            s.starts_with("profile p.toml, line 1: unknown key rules.disk-sise (expected one of "),
            "{s}"
        );
        assert!(s.contains("disk-size") && !s.contains('\n'), "{s}");
        let e = Profile::from_toml("p.toml", "colour = \"red\"\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "profile p.toml, line 1: unknown key colour (expected one of description, document, extends, rules)"
        );
    }

    #[test]
    fn bad_values_are_named() {
        let cases = [
            (
                "[rules.disk-size]\nmax_gib = \"big\"\n",
                "rules.disk-size.max_gib",
            ),
            (
                "[rules.disk-size]\nmax_gib = -1\n",
                "rules.disk-size.max_gib",
            ),
            (
                "[rules.disk-size]\nenabled = \"yes\"\n",
                "rules.disk-size.enabled",
            ),
            (
                "[rules.disk-size]\nseverity = \"fatal\"\n",
                "rules.disk-size.severity",
            ),
            (
                "[rules.vcenter-version]\nversions = [\"6\"]\n",
                "rules.vcenter-version.versions",
            ),
            (
                "[rules.guest-os]\nrhel = [\"7.x\"]\n",
                "rules.guest-os.rhel",
            ),
            ("extends = \"nope\"\n", "extends"),
            ("rules = 3\n", "rules"),
        ];
        for (text, key) in cases {
            let e = Profile::from_toml("bad.toml", text).unwrap_err();
            let s = e.to_string();
            assert!(
                matches!(e, ProfileError::BadValue { key: ref k, .. } if k == key),
                "{text}: {s}"
            );
            assert!(
                s.starts_with(&format!("profile bad.toml: bad value for {key}: ")),
                "{s}"
            );
            assert!(!s.contains('\n'), "{s}");
        }
    }

    #[test]
    fn syntax_errors_are_one_line_with_position() {
        let e = Profile::from_toml("s.toml", "[rules.disk-size]\nmax_gib = = 3\n").unwrap_err();
        let s = e.to_string();
        assert!(
            s.starts_with("profile s.toml: invalid TOML at line 2, column"),
            "{s}"
        );
        assert!(!s.contains('\n'), "{s}");
    }

    #[test]
    fn unknown_name_and_missing_file() {
        let e = Profile::load("no-such-profile").unwrap_err();
        assert_eq!(
            e.to_string(),
            "profile no-such-profile: not a built-in profile (asr-vmware-2017, asr-vmware-2026) and no such file"
        );
    }

    #[test]
    fn loads_a_file_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(
            &path,
            "description = \"mine\"\n[rules.vm-name]\nmax_length = 15\n",
        )
        .unwrap();
        let p = Profile::load(path.to_str().unwrap()).unwrap();
        assert_eq!(p.description(), Some("mine"));
        assert_eq!(
            p.rule("vm-name").unwrap().table["max_length"].as_integer(),
            Some(15)
        );
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        for (text, key, line) in [
            ("extends = \"asr-vmware-2017\"\nbogus = 1\n", "bogus", 2),
            (
                "[rules.disk-size]\nmax_gib = 100\n\ntypo_key = 3\n",
                "rules.disk-size.typo_key",
                4,
            ),
            ("[rules]\nno-such-rule = {}\n", "rules.no-such-rule", 2),
        ] {
            let e = Profile::parse("p.toml", text, false).unwrap_err();
            assert!(
                matches!(&e, ProfileError::UnknownKey { key: k, line: l, .. } if k == key && *l == line),
                "{text}: {e}"
            );
            assert!(e.to_string().contains(&format!("line {line}")), "{e}");
        }
    }

    #[test]
    fn a_file_extends_todays_profile_disables_and_adds_rules() {
        let p = Profile::from_toml(
            "mine.toml",
            "extends = \"asr-vmware-2026\"\n[rules.guest-ipv6]\nenabled = false\n\
             [rules.data-disk-count]\nmax_disks = 32\n[rules.storage-drs]\n",
        )
        .unwrap();
        assert_eq!(p.document(), Document::SupportMatrix2026);
        assert!(!p.rule("guest-ipv6").unwrap().enabled);
        assert_eq!(
            p.rule("data-disk-count").unwrap().table["max_disks"].as_integer(),
            Some(32)
        );
        assert!(p.rule("disk-size").is_none(), "not in the base");
        let sdrs = p.rule("storage-drs").expect("added from the one list");
        assert!(sdrs.enabled && sdrs.severity == Severity::Warning);
        // An added rule must give its parameters.
        let e = Profile::from_toml(
            "mine.toml",
            "extends = \"asr-vmware-2026\"\n[rules.disk-size]\n",
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("profile mine.toml: bad value for rules.disk-size: "),
            "{e}"
        );
        let e = Profile::from_toml(
            "mine.toml",
            "extends = \"asr-vmware-2026\"\n[rules.os-disk-size]\nmax_gib = 1\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "profile mine.toml, line 3: unknown key rules.os-disk-size.max_gib (expected one of enabled, severity, max_gib_bios, max_gib_uefi)"
        );
        let e = Profile::from_toml("mine.toml", "document = \"2030\"\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("profile mine.toml: bad value for document: "),
            "{e}"
        );
    }

    #[test]
    fn line_columns() {
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("ab", 0), (1, 1));
    }
}

//! `guest-os`: the guest runs one of the supported 64-bit operating systems.
//!
//! The Mobility service Site Recovery installs in each VM exists only for some systems. The check
//! identifies the guest OS ([`crate::audit::os`]: configured `config.guestId`, refined by what
//! VMware Tools report) and compares it with the profile's supported releases per family:
//!
//! - a listed release: pass (`windows8Server64Guest` alone passes: it means Windows Server 2012 or
//!   2012 R2, and both are supported);
//! - a supported family whose minor release or service pack the data cannot show (`rhel7_64Guest`
//!   without a Tools report; Windows Server 2008 R2, whose SP level Tools do not report): unknown,
//!   naming the releases to verify;
//! - an `other*` guest id, or nothing reported: unknown;
//! - a 32-bit system, an unlisted release or any other system: fail.
//!
//! When the configured OS and the Tools report contradict each other, the Tools report (what really
//! runs) decides and the message says so.
//!
//! Release syntax in the profile: `major.minor` (`7.2`), a Windows release (`2012 R2`), optionally
//! followed by a service pack (`11 SP3`); `SPn+` means that service pack or later.
//!
//! Source: seed section "Disaster recovery of VMware virtual machines or physical Windows or Linux
//! servers to Azure", subsection "Replicated machine prerequisites", rows **Windows machines**
//! ("Windows Server 2012 R2, Windows Server 2012, or Windows Server 2008 R2 with at least SP1") and
//! **Linux machines** ("Red Hat Enterprise Linux 6.7, 6.8, 7.1, or 7.2; Centos 6.5, 6.6, 6.7, 6.8,
//! 7.0, 7.1, or 7.2; Oracle Enterprise Linux 6.4 or 6.5 ...; SUSE Linux Enterprise Server 11 SP3,
//! SUSE Linux Enterprise Server 11 SP4"). Today's support matrix, "Guest operating systems
//! (64-bit)": Windows Server 2008 R2 SP1 to 2025, Windows 7 SP1/8/8.1/10, RHEL 5.2-10.1, CentOS
//! 5.2-8.7, Oracle Linux 6.4-9.6, SLES 11 SP3 to 15 SP7, Ubuntu 14.04-24.04 LTS, Debian 7-12,
//! Rocky Linux 9.0-10.1.
//!
//! Two parameter sets: the seed lists five families; today's profile adds `windows_client`,
//! `ubuntu`, `debian` and `rocky` (a family a profile leaves out is "not a supported system").
//! A release may be a range of minor releases of one major: `7.0-7.9`.

use serde::Deserialize;

use super::{MACHINE_SUBSECTION, ParamError, Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::os::{Arch, Family, OsIdentity, OsKind};
use crate::audit::util::join;
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct GuestOsRule;

/// Supported releases per family, as written in the profile.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    windows_server: Vec<String>,
    rhel: Vec<String>,
    centos: Vec<String>,
    oracle_linux: Vec<String>,
    sles: Vec<String>,
    #[serde(default)]
    windows_client: Option<Vec<String>>,
    #[serde(default)]
    ubuntu: Option<Vec<String>>,
    #[serde(default)]
    debian: Option<Vec<String>>,
    #[serde(default)]
    rocky: Option<Vec<String>>,
}

/// Supported releases per family; an empty list supports no release of the family. The lists are
/// parsed once, when the profile is loaded.
#[derive(Debug, Deserialize)]
#[serde(from = "RawParams")]
pub struct Params {
    pub windows_server: Vec<String>,
    pub rhel: Vec<String>,
    pub centos: Vec<String>,
    pub oracle_linux: Vec<String>,
    pub sles: Vec<String>,
    /// Families a profile may leave out: then the family is "not a supported system", as any OS
    /// outside the lists.
    pub windows_client: Option<Vec<String>>,
    pub ubuntu: Option<Vec<String>>,
    pub debian: Option<Vec<String>>,
    pub rocky: Option<Vec<String>>,
    /// Parsed lists and their texts, indexed like [`Family::ALL`].
    specs: Vec<Vec<ReleaseSpec>>,
    family_texts: Vec<String>,
    all_text: String,
}

impl From<RawParams> for Params {
    fn from(r: RawParams) -> Self {
        let mut p = Params {
            windows_server: r.windows_server,
            rhel: r.rhel,
            centos: r.centos,
            oracle_linux: r.oracle_linux,
            sles: r.sles,
            windows_client: r.windows_client,
            ubuntu: r.ubuntu,
            debian: r.debian,
            rocky: r.rocky,
            specs: Vec::new(),
            family_texts: Vec::new(),
            all_text: String::new(),
        };
        // Unparsable entries are left out here and rejected by `validate`.
        p.specs = Family::ALL
            .iter()
            .map(|f| {
                p.list(*f)
                    .1
                    .iter()
                    .filter_map(|s| ReleaseSpec::parse(s))
                    .collect()
            })
            .collect();
        p.family_texts = Family::ALL
            .iter()
            .zip(&p.specs)
            .map(|(f, specs)| {
                if !p.configured(*f) {
                    return String::new();
                }
                if specs.is_empty() {
                    format!("no {} release", f.name())
                } else {
                    format!("{} {}", f.name(), join(specs.iter().map(ReleaseSpec::text)))
                }
            })
            .collect();
        let parts: Vec<&str> = p
            .specs
            .iter()
            .zip(&p.family_texts)
            .filter(|(specs, text)| !specs.is_empty() && !text.is_empty())
            .map(|(_, text)| text.as_str())
            .collect();
        p.all_text = format!("{} (64-bit)", parts.join("; "));
        p
    }
}

fn opt(list: &Option<Vec<String>>) -> &[String] {
    list.as_deref().unwrap_or(&[])
}

fn family_index(family: Family) -> usize {
    Family::ALL.iter().position(|f| *f == family).unwrap_or(0)
}

impl Params {
    fn list(&self, family: Family) -> (&'static str, &[String]) {
        match family {
            Family::WindowsServer => ("windows_server", &self.windows_server),
            Family::Rhel => ("rhel", &self.rhel),
            Family::CentOs => ("centos", &self.centos),
            Family::OracleLinux => ("oracle_linux", &self.oracle_linux),
            Family::Sles => ("sles", &self.sles),
            Family::WindowsClient => ("windows_client", opt(&self.windows_client)),
            Family::Ubuntu => ("ubuntu", opt(&self.ubuntu)),
            Family::Debian => ("debian", opt(&self.debian)),
            Family::Rocky => ("rocky", opt(&self.rocky)),
        }
    }

    /// Whether the profile lists the family at all.
    fn configured(&self, family: Family) -> bool {
        match family {
            Family::WindowsClient => self.windows_client.is_some(),
            Family::Ubuntu => self.ubuntu.is_some(),
            Family::Debian => self.debian.is_some(),
            Family::Rocky => self.rocky.is_some(),
            _ => true,
        }
    }

    /// How to name the OS: a family the profile does not list is named as reported.
    fn label(&self, os: &OsIdentity) -> String {
        match os.family {
            Some(f) if !self.configured(f) && !os.raw.is_empty() => os.raw.clone(),
            _ => os.label(),
        }
    }

    fn specs(&self, family: Family) -> &[ReleaseSpec] {
        &self.specs[family_index(family)]
    }

    /// `Red Hat Enterprise Linux 6.7, 6.8, 7.1, 7.2` for one family.
    fn family_text(&self, family: Family) -> &str {
        &self.family_texts[family_index(family)]
    }

    /// Every supported release, for the `expected` column of vague outcomes.
    fn all_text(&self) -> String {
        self.all_text.clone()
    }
}

/// One supported release from the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ReleaseSpec {
    /// `7`, `2012 R2`, `11`.
    major: String,
    minor: Option<String>,
    /// The last minor release of a range (`5.2-5.11`).
    minor_to: Option<String>,
    sp: Option<u32>,
    sp_or_later: bool,
}

impl ReleaseSpec {
    fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (head, sp, sp_or_later) = match s.to_ascii_uppercase().rfind(" SP") {
            Some(i) => {
                let tail = &s[i + 3..];
                let (num, plus) = match tail.strip_suffix('+') {
                    Some(n) => (n, true),
                    None => (tail, false),
                };
                (s[..i].trim(), Some(num.parse::<u32>().ok()?), plus)
            }
            None => (s, None, false),
        };
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if let Some((from, to)) = head.split_once('-') {
            // `5.2-5.11`: minor releases of one major, both ends included.
            let (ma, mi) = from.trim().split_once('.')?;
            let (ma2, mi2) = to.trim().split_once('.')?;
            let ok = digits(ma) && digits(mi) && ma == ma2 && digits(mi2);
            let (lo, hi) = (mi.parse::<u64>().ok()?, mi2.parse::<u64>().ok()?);
            if !ok || lo > hi || sp.is_some() {
                return None;
            }
            return Some(ReleaseSpec {
                major: ma.to_string(),
                minor: Some(mi.to_string()),
                minor_to: Some(mi2.to_string()),
                sp,
                sp_or_later,
            });
        }
        let (major, minor) = match head.split_once('.') {
            Some((ma, mi)) if digits(ma) && digits(mi) => (ma.to_string(), Some(mi.to_string())),
            Some(_) => return None,
            None => {
                let mut tokens = head.split_whitespace();
                let first = tokens.next().filter(|t| digits(t))?;
                let rest: Vec<&str> = tokens.collect();
                match rest.as_slice() {
                    [] => (first.to_string(), None),
                    [r2] if r2.eq_ignore_ascii_case("R2") => (format!("{first} R2"), None),
                    _ => return None,
                }
            }
        };
        Some(ReleaseSpec {
            major,
            minor,
            minor_to: None,
            sp,
            sp_or_later,
        })
    }

    /// `7.2`, `11 SP3`, `2008 R2 SP1 or later`.
    fn text(&self) -> String {
        let mut s = self.major.clone();
        if let Some(m) = &self.minor {
            s.push('.');
            s.push_str(m);
        }
        if let Some(to) = &self.minor_to {
            s.push_str(&format!("-{}.{to}", self.major));
        }
        if let Some(sp) = self.sp {
            s.push_str(&format!(" SP{sp}"));
            if self.sp_or_later {
                s.push_str(" or later");
            }
        }
        s
    }
}

/// How well one candidate release fits one supported release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fit {
    No,
    /// Fits if the unreported minor release matches.
    MaybeMinor,
    /// Fits if the unreported service pack matches.
    MaybeSp,
    Yes,
}

fn fit(os: &OsIdentity, major: Option<&str>, spec: &ReleaseSpec) -> Fit {
    let Some(major) = major else {
        // The major release is not known at all.
        return Fit::MaybeMinor;
    };
    if !major.eq_ignore_ascii_case(&spec.major) {
        return Fit::No;
    }
    let num = |s: &str| s.parse::<u64>().ok();
    let mut result = Fit::Yes;
    if let Some(want) = &spec.minor {
        let fits = |have: &str| match &spec.minor_to {
            Some(to) => num(have) >= num(want) && num(have) <= num(to),
            None => num(have) == num(want),
        };
        match &os.minor {
            Some(have) if fits(have) => {}
            Some(_) => return Fit::No,
            None => result = Fit::MaybeMinor,
        }
    }
    if let Some(want) = spec.sp {
        match os.sp {
            Some(have) if have == want || (spec.sp_or_later && have > want) => {}
            Some(_) => return Fit::No,
            None if result == Fit::Yes => result = Fit::MaybeSp,
            None => {}
        }
    }
    result
}

static META: RuleMeta = RuleMeta {
    id: "guest-os",
    object: ObjectKind::Vm,
    default_severity: Severity::Error,
    title: "Guest OS is a supported 64-bit Windows Server or Linux release",
    sources: &[
        Source::vmware(MACHINE_SUBSECTION, "Windows machines; Linux machines"),
        Source::matrix(
            "Guest operating systems (64-bit)",
            "Windows Server 2025, 2022, 2019, 2016, 2012 R2, 2012, 2008 R2 SP1 or later",
        ),
    ],
};

impl Rule for GuestOsRule {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn validate(&self, p: &Params) -> Result<(), ParamError> {
        for family in Family::ALL {
            let (key, list) = p.list(family);
            if let Some(bad) = list.iter().find(|s| ReleaseSpec::parse(s).is_none()) {
                return Err(ParamError::new(
                    key,
                    format!(
                        "\"{bad}\" is not a release such as \"7.2\", \"2012 R2\" or \"11 SP3\""
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_vm(&self, p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let mut outcome = evaluate(p, &v.os.identity);
        if let Some(d) = &v.os.disagreement
            && !outcome.message.is_empty()
        {
            outcome.message.push_str("; ");
            outcome.message.push_str(d);
        }
        out.push(outcome);
    }
}

fn evaluate(p: &Params, os: &OsIdentity) -> Outcome {
    if !os.specific || os.kind == OsKind::Unknown {
        let what = if os.raw.is_empty() {
            "guest OS not reported".to_string()
        } else {
            format!("guest OS \"{}\" does not name a system", os.raw)
        };
        return Outcome::unknown(
            format!("{what}; verify it is a supported 64-bit system"),
            os.raw.clone(),
            p.all_text(),
        );
    }
    if os.arch == Arch::X86 {
        let label = p.label(os);
        return Outcome::fail(
            format!("{label} is 32-bit; only 64-bit systems are supported"),
            label,
            p.all_text(),
        );
    }
    let Some(family) = os.family.filter(|f| p.configured(*f)) else {
        let label = p.label(os);
        return Outcome::fail(
            format!("{label} is not a supported system"),
            label,
            p.all_text(),
        );
    };
    let specs = p.specs(family);
    let none = [None];
    let majors = os.majors.as_ref().filter(|m| !m.is_empty());
    let candidates = || -> Box<dyn Iterator<Item = Option<&str>> + '_> {
        match majors {
            Some(majors) => Box::new(majors.iter().map(|m| Some(m.as_str()))),
            None => Box::new(none.iter().copied()),
        }
    };
    let all_yes = candidates().all(|c| specs.iter().any(|s| fit(os, c, s) == Fit::Yes));
    let expected = || format!("{} (64-bit)", p.family_text(family));
    if all_yes {
        if os.arch == Arch::Unknown {
            let label = os.label();
            return Outcome::unknown(
                format!("{label}: word size not reported; verify it is 64-bit"),
                label,
                expected(),
            );
        }
        return Outcome::pass();
    }
    let mut possible: Vec<&ReleaseSpec> = Vec::new();
    let mut only_sp_missing = true;
    for cand in candidates() {
        for spec in specs {
            let f = fit(os, cand, spec);
            if f != Fit::No && !possible.contains(&spec) {
                possible.push(spec);
            }
            only_sp_missing &= f != Fit::MaybeMinor;
        }
    }
    let label = os.label();
    if possible.is_empty() {
        return Outcome::fail(
            format!("{label} is not one of {}", p.family_text(family)),
            label,
            expected(),
        );
    }
    let what = if majors.is_none() {
        "release not reported"
    } else if only_sp_missing {
        "service pack not reported"
    } else {
        "release not fully reported"
    };
    let list = join(possible.iter().map(|s| s.text()));
    Outcome::unknown(
        format!(
            "{label}: {what}; verify it is one of {} {list}",
            family.name()
        ),
        label,
        expected(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;
    use crate::model::Vm;

    fn run_with(p: &Params, guest_id: Option<&str>, tools: Option<&str>) -> Outcome {
        let v = Vm {
            guest_id: guest_id.map(Into::into),
            guest_os_config: None,
            guest_os_tools: tools.map(Into::into),
            guest_id_tools: None,
            ..vm("a")
        };
        only(run_vm(&GuestOsRule, p, v))
    }

    fn run(guest_id: Option<&str>, tools: Option<&str>) -> Outcome {
        run_with(&default_params(&GuestOsRule), guest_id, tools)
    }

    #[test]
    fn windows_2012_guest_id_alone_passes() {
        assert_eq!(
            run(Some("windows8Server64Guest"), None).status,
            Status::Pass
        );
        let t = Some("Microsoft Windows Server 2012 R2 (64-bit)");
        assert_eq!(run(Some("windows8Server64Guest"), t).status, Status::Pass);
    }

    #[test]
    fn windows_2008_r2_needs_the_service_pack_verified() {
        let o = run(
            Some("windows7Server64Guest"),
            Some("Microsoft Windows Server 2008 R2 (64-bit)"),
        );
        assert_eq!(o.status, Status::Unknown);
        assert_eq!(
            o.message,
            "Windows Server 2008 R2 (64-bit): service pack not reported; verify it is one of Windows Server 2008 R2 SP1 or later"
        );
        let sp1 = run(
            Some("windows7Server64Guest"),
            Some("Microsoft Windows Server 2008 R2, Service Pack 1 (64-bit)"),
        );
        assert_eq!(sp1.status, Status::Pass);
    }

    #[test]
    fn linux_with_minor_from_tools() {
        let ok = [
            ("rhel7_64Guest", "Red Hat Enterprise Linux 7.2 (64-bit)"),
            ("rhel6_64Guest", "Red Hat Enterprise Linux 6.7 (64-bit)"),
            ("centos64Guest", "CentOS 6.5 (64-bit)"),
            ("centos7_64Guest", "CentOS 7.0 (64-bit)"),
            ("oracleLinux64Guest", "Oracle Linux 6.4 (64-bit)"),
            (
                "sles11_64Guest",
                "SUSE Linux Enterprise Server 11 SP4 (64-bit)",
            ),
        ];
        for (id, tools) in ok {
            assert_eq!(run(Some(id), Some(tools)).status, Status::Pass, "{tools}");
        }
        let o = run(
            Some("rhel6_64Guest"),
            Some("Red Hat Enterprise Linux 6.5 (64-bit)"),
        );
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.message,
            "Red Hat Enterprise Linux 6.5 (64-bit) is not one of Red Hat Enterprise Linux 6.7, 6.8, 7.1, 7.2"
        );
        assert_eq!(
            run(Some("centos64Guest"), Some("CentOS 6.4 (64-bit)")).status,
            Status::Fail
        );
        assert_eq!(
            run(
                Some("sles11_64Guest"),
                Some("SUSE Linux Enterprise 11 SP2 (64-bit)")
            )
            .status,
            Status::Fail
        );
    }

    #[test]
    fn supported_family_without_minor_is_unknown_naming_the_releases() {
        let o = run(Some("rhel7_64Guest"), None);
        assert_eq!(o.status, Status::Unknown);
        assert_eq!(
            o.message,
            "Red Hat Enterprise Linux 7 (64-bit): release not fully reported; verify it is one of Red Hat Enterprise Linux 7.1, 7.2"
        );
        let o = run(
            Some("sles11_64Guest"),
            Some("SUSE Linux Enterprise 11 (64-bit)"),
        );
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.message.contains("service pack not reported")
                && o.message.ends_with("11 SP3, 11 SP4"),
            "{}",
            o.message
        );
        // CentOS 4/5/6: only 6.x can be supported.
        let o = run(Some("centos64Guest"), None);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.message
                .ends_with("verify it is one of CentOS 6.5, 6.6, 6.7, 6.8"),
            "{}",
            o.message
        );
    }

    #[test]
    fn unsupported_majors_and_systems_fail() {
        assert_eq!(run(Some("rhel5_64Guest"), None).status, Status::Fail);
        assert_eq!(
            run(Some("windows9Server64Guest"), None).status,
            Status::Fail
        );
        assert_eq!(run(Some("oracleLinux7_64Guest"), None).status, Status::Fail);
        let o = run(Some("ubuntu64Guest"), None);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.message, "ubuntu64Guest is not a supported system");
        assert_eq!(run(Some("windows7_64Guest"), None).status, Status::Fail);
    }

    #[test]
    fn thirty_two_bit_fails() {
        let o = run(Some("rhel6Guest"), None);
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.message,
            "Red Hat Enterprise Linux 6 (32-bit) is 32-bit; only 64-bit systems are supported"
        );
        assert_eq!(run(Some("winLonghornGuest"), None).status, Status::Fail);
        assert_eq!(
            run(Some("centos7_64Guest"), Some("CentOS 7.2 (32-bit)")).status,
            Status::Fail
        );
    }

    #[test]
    fn other_or_missing_is_unknown() {
        let o = run(Some("otherLinux64Guest"), None);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.message
                .starts_with("guest OS \"otherLinux64Guest\" does not name a system"),
            "{}",
            o.message
        );
        assert_eq!(
            run(Some("otherGuest64"), Some("Other 3.x Linux (64-bit)")).status,
            Status::Unknown
        );
        let o = run(None, None);
        assert_eq!(o.status, Status::Unknown);
        assert!(
            o.message.starts_with("guest OS not reported"),
            "{}",
            o.message
        );
        // Tools identify what an other* guest id does not.
        let t = Some("Red Hat Enterprise Linux 7.1 (64-bit)");
        assert_eq!(run(Some("otherLinux64Guest"), t).status, Status::Pass);
    }

    #[test]
    fn disagreement_is_in_the_message() {
        let o = run(
            Some("rhel6_64Guest"),
            Some("Red Hat Enterprise Linux 7.5 (64-bit)"),
        );
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message.ends_with("; configured as \"rhel6_64Guest\" but VMware Tools report \"Red Hat Enterprise Linux 7.5 (64-bit)\""),
            "{}",
            o.message
        );
        let o = run(Some("windows8Server64Guest"), Some("Ubuntu Linux (64-bit)"));
        assert_eq!(o.status, Status::Fail);
        assert!(o.message.contains("configured as"), "{}", o.message);
    }

    #[test]
    fn the_profile_sets_the_releases() {
        let p = params_with(
            &GuestOsRule,
            "rhel = [\"7.1\", \"7.2\", \"7.3\"]\nwindows_server = []",
        );
        let t = Some("Red Hat Enterprise Linux 7.3 (64-bit)");
        assert_eq!(run_with(&p, Some("rhel7_64Guest"), t).status, Status::Pass);
        let o = run_with(&p, Some("windows8Server64Guest"), None);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.message
                .ends_with("is not one of no Windows Server release"),
            "{}",
            o.message
        );
    }

    #[test]
    fn release_specs() {
        let s = ReleaseSpec::parse("2008 R2 SP1+").unwrap();
        assert_eq!(
            (s.major.as_str(), s.sp, s.sp_or_later),
            ("2008 R2", Some(1), true)
        );
        assert_eq!(s.text(), "2008 R2 SP1 or later");
        let s = ReleaseSpec::parse("11 SP3").unwrap();
        assert_eq!((s.major.as_str(), s.minor, s.sp), ("11", None, Some(3)));
        let s = ReleaseSpec::parse("7.2").unwrap();
        assert_eq!((s.major.as_str(), s.minor.as_deref()), ("7", Some("2")));
        for bad in ["7.x", "", "R2", "2012 R3", "11 SPx", "seven"] {
            assert_eq!(ReleaseSpec::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn todays_matrix_lists_ranges_and_more_families() {
        let p = current_params(&GuestOsRule);
        let run = |id: &str, tools: Option<&str>| {
            let os = crate::audit::os::GuestOs::from_parts(Some(id), None, tools, None);
            evaluate(&p, &os.identity).status
        };
        assert_eq!(
            run(
                "rhel7_64Guest",
                Some("Red Hat Enterprise Linux 7.9 (64-bit)")
            ),
            Status::Pass
        );
        assert_eq!(
            run(
                "rhel5_64Guest",
                Some("Red Hat Enterprise Linux 5.1 (64-bit)")
            ),
            Status::Fail
        );
        assert_eq!(
            run("rhel9_64Guest", None),
            Status::Unknown,
            "minor not reported"
        );
        assert_eq!(
            run("ubuntu64Guest", Some("Ubuntu 22.04.3 LTS (64-bit)")),
            Status::Pass
        );
        assert_eq!(run("ubuntu64Guest", None), Status::Unknown);
        assert_eq!(
            run("ubuntu64Guest", Some("Ubuntu 23.10 (64-bit)")),
            Status::Fail
        );
        assert_eq!(run("debian11_64Guest", None), Status::Pass);
        assert_eq!(run("windows9_64Guest", None), Status::Pass);
        assert_eq!(
            run("windows7_64Guest", None),
            Status::Unknown,
            "SP1 not reported"
        );
        assert_eq!(run("windows2022srvNext_64Guest", None), Status::Pass);
        assert_eq!(run("vmwarePhoton64Guest", None), Status::Fail);
        assert_eq!(run("windows9Guest", None), Status::Fail, "32-bit");
        // The seed does not list Ubuntu: named as reported, as before.
        let seed = default_params(&GuestOsRule);
        let os = crate::audit::os::GuestOs::from_parts(
            Some("ubuntu64Guest"),
            Some("Ubuntu Linux (64-bit)"),
            None,
            None,
        );
        let o = evaluate(&seed, &os.identity);
        assert_eq!(
            (o.status, o.message.as_str()),
            (
                Status::Fail,
                "Ubuntu Linux (64-bit) is not a supported system"
            )
        );
        assert!(ReleaseSpec::parse("7.9-7.0").is_none() && ReleaseSpec::parse("7.0-8.1").is_none());
    }
}

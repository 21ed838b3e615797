//! Identifying a VM's guest operating system from what vSphere reports.
//!
//! Two sources: the configured guest id (`config.guestId`, chosen by whoever created the VM, e.g.
//! `rhel7_64Guest`) and what VMware Tools report from inside the running guest (`guest.guestFullName`
//! such as `Red Hat Enterprise Linux 7.2 (64-bit)`, or failing that `guest.guestId`). The guest id
//! names a family and usually a major release; the Tools name may add the minor release or service
//! pack. When both are present, the Tools report refines the configured id (it describes what really
//! runs); when they contradict each other the Tools report wins and the contradiction is kept in
//! [`GuestOs::disagreement`] so that rules can say so.
//!
//! Nothing here guesses: an `other*` guest id, an unrecognized Tools name, or a guest id that covers
//! several releases (`centos64Guest` is "CentOS 4/5/6") stays vague, and rules turn vagueness into
//! `unknown`. The families listed in [`Family`] are the ones the ASR requirements name; every other
//! OS is identified only by kind (Windows, Linux, other).

/// Windows, Linux, something else, or not known at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OsKind {
    Windows,
    Linux,
    Other,
    Unknown,
}

/// The OS families the ASR requirements list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    WindowsServer,
    Rhel,
    CentOs,
    OracleLinux,
    Sles,
    /// Windows desktop releases (7, 8, 8.1, 10, 11).
    WindowsClient,
    Ubuntu,
    Debian,
    Rocky,
}

impl Family {
    pub const ALL: [Family; 9] = [
        Family::WindowsServer,
        Family::Rhel,
        Family::CentOs,
        Family::OracleLinux,
        Family::Sles,
        Family::WindowsClient,
        Family::Ubuntu,
        Family::Debian,
        Family::Rocky,
    ];

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Family::WindowsServer => "Windows Server",
            Family::Rhel => "Red Hat Enterprise Linux",
            Family::CentOs => "CentOS",
            Family::OracleLinux => "Oracle Linux",
            Family::Sles => "SUSE Linux Enterprise Server",
            Family::WindowsClient => "Windows",
            Family::Ubuntu => "Ubuntu",
            Family::Debian => "Debian",
            Family::Rocky => "Rocky Linux",
        }
    }

    pub fn kind(self) -> OsKind {
        match self {
            Family::WindowsServer | Family::WindowsClient => OsKind::Windows,
            _ => OsKind::Linux,
        }
    }
}

/// Word size of the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    X64,
    X86,
    Unknown,
}

/// What is known about a guest OS. Vague fields are `None`, never defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsIdentity {
    pub kind: OsKind,
    /// Set for the families the requirements list.
    pub family: Option<Family>,
    /// False when the source does not name an OS (`other*` guest ids, nothing reported).
    pub specific: bool,
    pub arch: Arch,
    /// The major releases it may be (`["2012", "2012 R2"]`, `["7"]`); `None` when any.
    pub majors: Option<Vec<String>>,
    /// Minor release (`2` of RHEL 7.2), when reported.
    pub minor: Option<String>,
    /// Service pack, when reported.
    pub sp: Option<u32>,
    /// The name as reported (guest full name or guest id), for OSes outside [`Family`].
    pub raw: String,
}

impl OsIdentity {
    /// Nothing is known.
    pub fn unknown() -> Self {
        OsIdentity {
            kind: OsKind::Unknown,
            family: None,
            specific: false,
            arch: Arch::Unknown,
            majors: None,
            minor: None,
            sp: None,
            raw: String::new(),
        }
    }

    fn family(family: Family, arch: Arch, majors: Option<Vec<String>>, raw: &str) -> Self {
        OsIdentity {
            kind: family.kind(),
            family: Some(family),
            specific: true,
            arch,
            majors,
            minor: None,
            sp: None,
            raw: raw.to_string(),
        }
    }

    /// A short description, e.g. `Red Hat Enterprise Linux 7.2 (64-bit)` or
    /// `Windows Server 2012/2012 R2 (64-bit)`.
    pub fn label(&self) -> String {
        let Some(family) = self.family else {
            return if self.raw.is_empty() {
                "unknown OS".to_string()
            } else {
                self.raw.clone()
            };
        };
        let mut s = family.name().to_string();
        if let Some(majors) = &self.majors {
            s.push(' ');
            s.push_str(&majors.join("/"));
            if let Some(minor) = &self.minor {
                s.push('.');
                s.push_str(minor);
            }
        }
        if let Some(sp) = self.sp {
            s.push_str(&format!(" SP{sp}"));
        }
        match self.arch {
            Arch::X64 => s.push_str(" (64-bit)"),
            Arch::X86 => s.push_str(" (32-bit)"),
            Arch::Unknown => {}
        }
        s
    }

    /// Whether the OS may be Windows (true when the kind is unknown).
    pub fn may_be_windows(&self) -> bool {
        matches!(self.kind, OsKind::Windows | OsKind::Unknown)
    }

    /// Whether the OS may be Linux (true when the kind is unknown).
    pub fn may_be_linux(&self) -> bool {
        matches!(self.kind, OsKind::Linux | OsKind::Unknown)
    }

    /// Whether the OS may be `family` with major release `major` (any major when `None`). True
    /// when the data cannot rule it out: unknown OS, `other` Linux, or a family whose release
    /// candidates include `major`.
    pub fn may_be(&self, family: Family, major: Option<&str>) -> bool {
        match self.kind {
            OsKind::Unknown => return true,
            k if k != family.kind() => return false,
            _ => {}
        }
        match self.family {
            None => !self.specific,
            Some(f) if f != family => false,
            Some(_) => match (major, &self.majors) {
                (Some(m), Some(majors)) => majors.iter().any(|x| x == m),
                _ => true,
            },
        }
    }
}

/// A VM's guest OS as far as the data shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestOs {
    /// The best knowledge: the Tools report refining the configured guest id.
    pub identity: OsIdentity,
    /// Set when the configured OS and the Tools-reported OS contradict each other, e.g.
    /// `configured as "rhel7_64Guest" but VMware Tools report "CentOS 7 (64-bit)"`.
    pub disagreement: Option<String>,
}

impl GuestOs {
    /// Identifies the guest OS of `vm`.
    pub fn of(vm: &crate::model::Vm) -> Self {
        Self::from_parts(
            vm.guest_id.as_deref(),
            vm.guest_os_config.as_deref(),
            vm.guest_os_tools.as_deref(),
            vm.guest_id_tools.as_deref(),
        )
    }

    /// Identifies a guest OS from the configured guest id and full name and the Tools-reported
    /// full name and guest id.
    pub fn from_parts(
        guest_id: Option<&str>,
        config_name: Option<&str>,
        tools_name: Option<&str>,
        tools_guest_id: Option<&str>,
    ) -> Self {
        fn non_empty(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        let config = non_empty(guest_id).map(|id| from_guest_id(id, non_empty(config_name)));
        let tools = non_empty(tools_name)
            .and_then(from_tools_name)
            .map(|t| (t, non_empty(tools_name).unwrap_or_default()))
            .or_else(|| {
                let id = non_empty(tools_guest_id)?;
                Some((from_guest_id(id, None), id))
            })
            .filter(|(t, _)| t.specific);

        let (config, tools) = match (config, tools) {
            (None, None) => return GuestOs::plain(OsIdentity::unknown()),
            (Some(c), None) => return GuestOs::plain(c),
            (None, Some((t, _))) => return GuestOs::plain(t),
            (Some(c), Some(t)) => (c, t),
        };
        let (t, tools_desc) = tools;
        let config_desc = non_empty(config_name)
            .or(non_empty(guest_id))
            .unwrap_or_default();
        let disagreement = || {
            Some(format!(
                "configured as \"{config_desc}\" but VMware Tools report \"{tools_desc}\""
            ))
        };

        if !config.specific {
            // An `other*` guest id: the Tools report says more, unless it contradicts the kind.
            let contradicts = config.kind != OsKind::Unknown && config.kind != t.kind;
            return GuestOs {
                identity: t,
                disagreement: if contradicts { disagreement() } else { None },
            };
        }
        if config.family != t.family || config.kind != t.kind {
            return GuestOs {
                identity: t,
                disagreement: disagreement(),
            };
        }
        if config.family.is_none() {
            // Two names for an OS outside the list; nothing to refine or compare.
            return GuestOs::plain(t);
        }
        let mut contradicts = false;
        let majors = match (config.majors, t.majors.clone()) {
            (Some(a), Some(b)) => {
                let both: Vec<String> = a.into_iter().filter(|m| b.contains(m)).collect();
                if both.is_empty() {
                    contradicts = true;
                    Some(b)
                } else {
                    Some(both)
                }
            }
            (a, None) => a,
            (None, b) => b,
        };
        let arch = match (config.arch, t.arch) {
            (c, Arch::Unknown) => c,
            (Arch::Unknown, t) => t,
            (c, t) => {
                contradicts |= c != t;
                t
            }
        };
        GuestOs {
            identity: OsIdentity { majors, arch, ..t },
            disagreement: if contradicts { disagreement() } else { None },
        }
    }

    fn plain(identity: OsIdentity) -> Self {
        GuestOs {
            identity,
            disagreement: None,
        }
    }
}

/// `items` as the owned list an [`OsIdentity`] keeps.
fn strings(items: &[&str]) -> Option<Vec<String>> {
    Some(items.iter().map(|s| s.to_string()).collect())
}

mod guest_id;
mod tools;

pub use guest_id::from_guest_id;
pub use tools::from_tools_name;

#[cfg(test)]
mod tests;

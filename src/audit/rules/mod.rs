//! The rules: the [`Rule`] trait and [`RULES`], the one list of every rule.
//!
//! Each rule is a unit struct in its own file (`<rule_id_with_underscores>.rs`) that opens with a
//! doc block (what it checks, why, where the requirement comes from) and keeps its tests beside it.
//! A rule declares its [`RuleMeta`] (stable id, object kind, default severity, one-line title,
//! [`Source`] of the requirement) and its parameter type, which is deserialized from the rule's
//! table in the profile (`[rules.<id>]`, minus the common `enabled` and `severity` keys).
//!
//! Adding a rule: write `<id>.rs` implementing [`Rule`], add it to [`RULES`] below, and give it a
//! `[rules.<id>]` table in the built-in profiles (a test fails until you do).

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::context::{Context, HostView, VCenterView, VmView};
use super::{ObjectKind, Outcome, Severity};

pub mod azure_vm_limits;
pub mod boot_firmware;
pub mod cross_vcenter_vmotion;
pub mod data_disk_count;
pub mod data_disk_size;
pub mod disk_count;
pub mod disk_size;
pub mod duplicate_bios_uuid;
pub mod encrypted_disk;
pub mod esxi_build;
pub mod esxi_version;
pub mod guest_ipv6;
pub mod guest_os;
pub mod install_space;
pub mod nvme_linux;
pub mod os_disk_size;
pub mod shared_disk;
pub mod storage_drs;
pub mod vcenter_version;
pub mod vm_name;
pub mod vmware_tools;

/// Every rule, in report order.
pub static RULES: &[&dyn DynRule] = &[
    &vcenter_version::VcenterVersion,
    &esxi_version::EsxiVersion,
    &esxi_build::EsxiBuild,
    &vmware_tools::VmwareTools,
    &disk_size::DiskSize,
    &disk_count::DiskCount,
    &vm_name::VmName,
    &guest_os::GuestOsRule,
    &install_space::InstallSpace,
    &boot_firmware::BootFirmware,
    &storage_drs::StorageDrs,
    &cross_vcenter_vmotion::CrossVcenterVmotion,
    &os_disk_size::OsDiskSize,
    &data_disk_size::DataDiskSize,
    &data_disk_count::DataDiskCount,
    &shared_disk::SharedDisk,
    &encrypted_disk::EncryptedDisk,
    &nvme_linux::NvmeLinux,
    &duplicate_bios_uuid::DuplicateBiosUuid,
    &guest_ipv6::GuestIpv6,
    &azure_vm_limits::AzureVmLimits,
];

/// The rule with `id`.
pub fn find(id: &str) -> Option<&'static dyn DynRule> {
    RULES.iter().copied().find(|r| r.meta().id == id)
}

/// A document requirements come from; each profile follows one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Document {
    /// The seed: "Prerequisites for replication to Azure by using Azure Site Recovery" (2017).
    Prerequisites2017,
    /// Today's "Support matrix for disaster recovery of VMware VMs and physical servers to Azure"
    /// (modernized experience).
    SupportMatrix2026,
}

impl Document {
    pub const ALL: [Document; 2] = [Document::Prerequisites2017, Document::SupportMatrix2026];

    /// The profile spelling (`document = "..."`).
    pub fn key(self) -> &'static str {
        match self {
            Document::Prerequisites2017 => "asr-prerequisites-2017",
            Document::SupportMatrix2026 => "asr-support-matrix-2026",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.key() == key)
    }

    /// The document's title and where it is published.
    pub fn title(self) -> &'static str {
        match self {
            Document::Prerequisites2017 => {
                "Microsoft Docs, \"Prerequisites for replication to Azure by using Azure Site \
                 Recovery\" (the seed, asr-prerequisites-vmware-hyperv-to-azure.md)"
            }
            Document::SupportMatrix2026 => {
                "Microsoft Learn, \"Support matrix for disaster recovery of VMware VMs and \
                 physical servers to Azure\" (articles/site-recovery/vmware-physical-azure-support-matrix.md)"
            }
        }
    }

    /// The date of the version the profile is pinned to.
    pub fn date(self) -> &'static str {
        match self {
            Document::Prerequisites2017 => "2017-03-27",
            Document::SupportMatrix2026 => "2026-04-06",
        }
    }
}

/// The seed document the requirements come from.
pub const SEED_FILE: &str = "asr-prerequisites-vmware-hyperv-to-azure.md";
/// The facts of today's support matrix, with their sources.
pub const MATRIX_FILE: &str = "asr-current-matrix.md";
/// Its section on VMware VMs and physical servers.
pub const VMWARE_SECTION: &str =
    "disaster-recovery-of-vmware-virtual-machines-or-physical-windows-or-linux-servers-to-azure";
/// Subsection of [`VMWARE_SECTION`] on vCenter and ESXi.
pub const VSPHERE_SUBSECTION: &str = "VMware vCenter or vSphere host";
/// Subsection of [`VMWARE_SECTION`] on the replicated machines.
pub const MACHINE_SUBSECTION: &str = "Replicated machine prerequisites";

/// Where a requirement is written: seed file, section anchor, subsection, table row; or, for the
/// support matrix, its section and the words of the requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    pub document: Document,
    pub file: &'static str,
    pub anchor: &'static str,
    pub subsection: &'static str,
    pub row: &'static str,
}

impl Source {
    /// A row of the VMware section of the seed.
    pub const fn vmware(subsection: &'static str, row: &'static str) -> Self {
        Source {
            document: Document::Prerequisites2017,
            file: SEED_FILE,
            anchor: VMWARE_SECTION,
            subsection,
            row,
        }
    }

    /// A line of today's support matrix: its section and words found in it.
    pub const fn matrix(section: &'static str, words: &'static str) -> Self {
        Source {
            document: Document::SupportMatrix2026,
            file: MATRIX_FILE,
            anchor: "",
            subsection: section,
            row: words,
        }
    }
}

impl fmt::Display for Source {
    /// `file#anchor > subsection > row <row>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.document {
            Document::Prerequisites2017 => write!(
                f,
                "{}#{} > {} > row {}",
                self.file, self.anchor, self.subsection, self.row
            ),
            Document::SupportMatrix2026 => write!(
                f,
                "{} ({}) > {} > \"{}\"",
                self.file,
                self.document.date(),
                self.subsection,
                self.row
            ),
        }
    }
}

/// What a rule is, independent of any profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable id, e.g. `disk-size`; also the profile table name.
    pub id: &'static str,
    pub object: ObjectKind,
    pub default_severity: Severity,
    /// One line saying what passes.
    pub title: &'static str,
    /// Where the requirement is written, one per document whose profiles hold the rule.
    pub sources: &'static [Source],
}

impl RuleMeta {
    /// The source in `document`, else the first one.
    pub fn source(&self, document: Document) -> Source {
        self.sources
            .iter()
            .find(|s| s.document == document)
            .or(self.sources.first())
            .copied()
            .expect("every rule cites a source (tested)")
    }
}

/// A rule. Implement the `check_*` method of the rule's object kind; it pushes at least one
/// [`Outcome`] (pushing none means "not applicable" and the object is not counted).
pub trait Rule: Send + Sync + 'static {
    /// The rule's parameters, from its profile table (`#[serde(deny_unknown_fields)]`).
    type Params: DeserializeOwned + fmt::Debug + Send + Sync + 'static;

    fn meta(&self) -> &'static RuleMeta;

    /// Checks parameter values serde cannot (e.g. version syntax); the error names the key.
    fn validate(&self, _params: &Self::Params) -> Result<(), ParamError> {
        Ok(())
    }

    fn check_vcenter(
        &self,
        _params: &Self::Params,
        _ctx: &Context<'_>,
        _vc: &VCenterView<'_>,
        _out: &mut Vec<Outcome>,
    ) {
    }

    fn check_host(
        &self,
        _params: &Self::Params,
        _ctx: &Context<'_>,
        _host: &HostView<'_>,
        _out: &mut Vec<Outcome>,
    ) {
    }

    fn check_vm(
        &self,
        _params: &Self::Params,
        _ctx: &Context<'_>,
        _vm: &VmView<'_>,
        _out: &mut Vec<Outcome>,
    ) {
    }
}

/// Parsed parameters of some rule.
pub type AnyParams = Arc<dyn Any + Send + Sync>;

/// A bad parameter value found by [`Rule::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// The key inside the rule's table, e.g. `versions`.
    pub key: String,
    pub reason: String,
}

impl ParamError {
    pub fn new(key: impl Into<String>, reason: impl Into<String>) -> Self {
        ParamError {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

/// Why a rule's parameter table was rejected.
#[derive(Debug)]
pub enum ParamsError {
    /// serde rejected the table (unknown key, missing key, wrong type).
    Serde(toml::de::Error),
    /// [`Rule::validate`] rejected a value.
    Invalid(ParamError),
}

/// The object-safe face of a [`Rule`], with its parameters type-erased; what [`RULES`] holds.
pub trait DynRule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Deserializes and validates the rule's parameters.
    fn parse_params(&self, table: toml::Table) -> Result<AnyParams, ParamsError>;
    fn run_vcenter(
        &self,
        p: &AnyParams,
        ctx: &Context<'_>,
        vc: &VCenterView<'_>,
        out: &mut Vec<Outcome>,
    );
    fn run_host(
        &self,
        p: &AnyParams,
        ctx: &Context<'_>,
        host: &HostView<'_>,
        out: &mut Vec<Outcome>,
    );
    fn run_vm(&self, p: &AnyParams, ctx: &Context<'_>, vm: &VmView<'_>, out: &mut Vec<Outcome>);
}

impl<R: Rule> DynRule for R {
    fn meta(&self) -> &'static RuleMeta {
        Rule::meta(self)
    }

    fn parse_params(&self, table: toml::Table) -> Result<AnyParams, ParamsError> {
        let params: R::Params = toml::Value::Table(table)
            .try_into()
            .map_err(ParamsError::Serde)?;
        self.validate(&params).map_err(ParamsError::Invalid)?;
        Ok(Arc::new(params))
    }

    fn run_vcenter(
        &self,
        p: &AnyParams,
        ctx: &Context<'_>,
        vc: &VCenterView<'_>,
        out: &mut Vec<Outcome>,
    ) {
        self.check_vcenter(params::<R>(p), ctx, vc, out);
    }

    fn run_host(
        &self,
        p: &AnyParams,
        ctx: &Context<'_>,
        host: &HostView<'_>,
        out: &mut Vec<Outcome>,
    ) {
        self.check_host(params::<R>(p), ctx, host, out);
    }

    fn run_vm(&self, p: &AnyParams, ctx: &Context<'_>, vm: &VmView<'_>, out: &mut Vec<Outcome>) {
        self.check_vm(params::<R>(p), ctx, vm, out);
    }
}

/// The typed parameters of rule `R`. The profile stores each rule's parameters as parsed by that
/// same rule, so the downcast cannot fail.
fn params<R: Rule>(p: &AnyParams) -> &R::Params {
    p.downcast_ref::<R::Params>()
        .expect("profile holds parameters of another rule")
}

/// Validates a list of `major.minor` versions.
pub(crate) fn validate_versions(key: &str, versions: &[String]) -> Result<(), ParamError> {
    for v in versions {
        let ok = super::util::major_minor(v).is_some() && v.trim().split('.').count() == 2;
        if !ok {
            return Err(ParamError::new(
                key,
                format!("\"{v}\" is not a major.minor version such as \"6.0\""),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_match_their_files() {
        let mut seen = std::collections::HashSet::new();
        for rule in RULES {
            let meta = rule.meta();
            assert!(seen.insert(meta.id), "duplicate id {}", meta.id);
            assert!(
                meta.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{} is not kebab-case",
                meta.id
            );
            let file = format!(
                "{}/src/audit/rules/{}.rs",
                env!("CARGO_MANIFEST_DIR"),
                meta.id.replace('-', "_")
            );
            let text = std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("{file} missing"));
            assert!(
                text.starts_with(&format!("//! `{}`: ", meta.id)),
                "{file} must open with its doc block"
            );
            assert_eq!(find(meta.id).map(|r| r.meta().id), Some(meta.id));
        }
        assert!(find("no-such-rule").is_none());
    }

    /// Every citation names text found in its document (when the documents are at hand).
    pub(crate) fn assert_cited(s: &Source) {
        if s.document == Document::SupportMatrix2026 {
            assert_eq!(s.file, MATRIX_FILE);
            if let Ok(m) = std::fs::read_to_string("/work/shared/asr-current-matrix.md") {
                // Lines are wrapped: compare with the whitespace collapsed.
                let m = m.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(
                    m.contains(&format!("## {}", s.subsection)),
                    "{}",
                    s.subsection
                );
                for words in s.row.split(" ... ") {
                    assert!(m.contains(words), "{words}");
                }
            }
            return;
        }
        let seed = std::fs::read_to_string(
            "/work/shared/seeds/asr-prerequisites-vmware-hyperv-to-azure.md",
        );
        {
            assert_eq!((s.file, s.anchor), (SEED_FILE, VMWARE_SECTION));
            if let Ok(seed) = &seed {
                assert!(seed.contains(&format!("<a name=\"{}\">", s.anchor)));
                assert!(seed.contains(s.subsection), "{}", s.subsection);
                for row in s.row.split("; ") {
                    let name = row.split(" (").next().unwrap_or(row);
                    assert!(seed.contains(&format!("**{name}**")), "{row}");
                }
            }
        }
    }

    #[test]
    fn every_rule_cites_its_documents() {
        for rule in RULES {
            let meta = rule.meta();
            assert!(!meta.sources.is_empty(), "{}", meta.id);
            for s in meta.sources {
                assert_cited(s);
            }
        }
    }
}

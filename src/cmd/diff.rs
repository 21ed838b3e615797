//! `vcaudit diff OLD NEW`: what changed between two audits (snapshots or `report.json` files in
//! any mix); exit 1 when `--fail-on` says so.

use crate::audit::{self, Profile};
use crate::diff::{self, CHANGE_HEADER, DiffResult, input};
use crate::error::{Error, Outcome};
use crate::report::{self, json::JsonReport};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What makes `vcaudit diff` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFailOn {
    /// A finding in NEW that OLD did not have.
    NewFindings,
    /// A VM whose readiness got worse.
    ReadinessRegressions,
    /// Any change at all.
    AnyChange,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier audit: a snapshot (`.json`, `.json.zst`), a `report.json` or a report folder.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,

    /// The later audit, in any of the same forms.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    /// Folder for `diff.csv` and `diff.json`; created if missing. Without it only the summary
    /// is printed.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Rules profile snapshots are audited with (a report.json keeps its own findings).
    #[arg(long, value_name = "NAME|PATH", default_value = audit::profile::DEFAULT_PROFILE)]
    pub profile: String,

    /// Exit 1 when this happened.
    #[arg(long, value_enum)]
    pub fail_on: Option<DiffFailOn>,
}

/// The `diff.json` file name.
pub const JSON_FILE: &str = "diff.json";
/// The `diff.csv` file name.
pub const CSV_FILE: &str = "diff.csv";

pub fn run(args: &DiffArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let profile = Profile::load(&args.profile).map_err(|e| Error::Usage(e.to_string()))?;
    // Locked (and proved writable) before the inputs are read, held until the files are in.
    let lock = args
        .out
        .as_deref()
        .map(report::prepare_output)
        .transpose()?;
    // One side at a time: OLD's estate is projected and dropped before NEW is read.
    let mut strings = input::Interner::default();
    let mut read = |p: &Path| {
        input::read_side(p, &profile, &mut strings).map_err(|e| Error::Usage(e.to_string()))
    };
    let old = read(&args.old)?;
    let new = read(&args.new)?;
    let result = diff::diff(&old, &new, &strings);
    drop((old.vcenters, new.vcenters, strings));
    if let Some(lock) = &lock {
        write(lock, &result, &old.profile, &new.profile)?;
    }
    if old.profile != new.profile {
        let _ = writeln!(
            out,
            "Note: OLD's findings come from profile {:?}, NEW's from {:?}; findings may differ for that alone.",
            old.profile, new.profile
        );
    }
    let _ = write!(out, "{}", result.render_summary());
    if let Some(dir) = &args.out {
        let _ = writeln!(out, "Diff in {}", dir.display());
    }
    let failed = match args.fail_on {
        None => false,
        Some(DiffFailOn::NewFindings) => result.has_new_findings(),
        Some(DiffFailOn::ReadinessRegressions) => result.has_readiness_regressions(),
        Some(DiffFailOn::AnyChange) => !result.changes.is_empty(),
    };
    Ok(if failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Writes `diff.csv` and `diff.json`, staged and renamed together like the reports.
fn write(
    lock: &report::OutputLock,
    r: &DiffResult,
    old_profile: &str,
    new_profile: &str,
) -> Result<(), Error> {
    let staged = report::Stage::new(lock)?;
    report::stage_csv(&staged, CSV_FILE, CHANGE_HEADER.iter().copied(), &r.changes)?;
    staged.write_with(JSON_FILE, |w| {
        let profile = if old_profile == new_profile {
            old_profile.to_string()
        } else {
            format!("{old_profile} -> {new_profile}")
        };
        let mut doc = JsonReport::begin(w, &profile)?;
        doc.table("not_compared", &r.not_compared)?;
        doc.table("changes", &r.changes)?;
        doc.finish().map(drop)
    })?;
    staged.commit(|name| name == CSV_FILE || name == JSON_FILE)?;
    Ok(())
}

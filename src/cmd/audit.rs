//! `vcaudit audit`: collect vCenters (or read a snapshot), check every object against the
//! prerequisites, write the reports and exit 0 (clean), 1 (failing checks) or 2 (error).

use super::credentials::ConnectArgs;
use crate::audit::{self, FailOn, Profile};
use crate::collect::estate::collect_estate_with;
use crate::error::{Error, Outcome};
use crate::report::{self, Format};
use crate::snapshot::{self, Snapshot};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Audit this snapshot (from `vcaudit collect`) instead of live vCenters; no network.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["server", "estate"])]
    pub snapshot: Option<PathBuf>,

    /// Also save what was collected as a snapshot (`.json` or `.json.zst`).
    #[arg(long, value_name = "FILE", conflicts_with = "snapshot")]
    pub save_snapshot: Option<PathBuf>,

    /// Folder for the reports; created if missing.
    #[arg(long, value_name = "DIR", default_value = "vcaudit-report")]
    pub out: PathBuf,

    /// Report formats, comma-separated: csv, json, xlsx, rvtools, rvtools-csv, html.
    #[arg(
        long,
        value_name = "FORMAT",
        value_delimiter = ',',
        default_value = "csv",
        value_parser = Format::parse
    )]
    pub format: Vec<Format>,

    /// Most VMs per RVTools workbook (`--format rvtools`); more are split into
    /// `vcaudit-rvtools-1.xlsx`, `-2`, ... along vCenter and cluster boundaries.
    #[arg(long, value_name = "N", default_value_t = report::rvtools::DEFAULT_MAX_VMS as u64, value_parser = clap::value_parser!(u64).range(1..))]
    pub rvtools_max_vms: u64,

    /// Rules profile: a built-in name or a TOML file.
    #[arg(long, value_name = "NAME|PATH", default_value = audit::profile::DEFAULT_PROFILE)]
    pub profile: String,

    /// Which failed checks make the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// How many vCenters to collect at the same time.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,

    /// Show the progress display (set from `--quiet`/`-v`, not a flag of its own).
    #[arg(skip)]
    pub progress: bool,
}

/// Runs the audit; `out` receives the terminal summary.
pub async fn run(args: &AuditArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let profile = Profile::load(&args.profile).map_err(|e| Error::Usage(e.to_string()))?;
    let (estate, failures, lock) = match &args.snapshot {
        Some(path) => {
            let snap = snapshot::read(path).map_err(|e| Error::Usage(e.to_string()))?;
            let mut estate = snap.into_estate();
            let scope = args.connect.tag_scope().map_err(Error::Usage)?;
            scope_snapshot(&mut estate, scope, args.connect.require_tags)?;
            let lock = report::prepare_output(&args.out)?;
            (estate, Vec::new(), lock)
        }
        None => {
            let targets = args.connect.targets().map_err(Error::Usage)?;
            let lock = report::prepare_output(&args.out)?;
            if let Some(path) = &args.save_snapshot {
                snapshot::check_writable(path).map_err(|e| Error::Usage(e.to_string()))?;
            }
            let collected = collect_estate_with(
                &targets,
                args.jobs as usize,
                &*super::progress::observer(args.progress),
            )
            .await;
            if collected.interrupted {
                return Err(Error::Usage("interrupted; no reports written".into()));
            }
            let mut failures = collected.failures;
            if targets.len() == 1
                && let Some((_, e)) = failures.pop()
            {
                return Err(Error::VCenter(e));
            }
            if failures.len() == targets.len() {
                let all: Vec<String> = failures.iter().map(|(_, e)| e.to_string()).collect();
                return Err(Error::Incomplete(format!(
                    "no vCenter could be collected: {}",
                    all.join("; ")
                )));
            }
            // Saved without a copy of the estate: it moves into the snapshot and back.
            let estate = match &args.save_snapshot {
                Some(path) => {
                    let snap = Snapshot::new(collected.estate, crate::collect::now_rfc3339());
                    snapshot::write(path, &snap).map_err(|e| Error::Usage(e.to_string()))?;
                    snap.into_estate()
                }
                None => collected.estate,
            };
            (estate, failures, lock)
        }
    };
    let result = audit::audit(&estate, &profile);
    let report = report::Report::new(&estate, &result, crate::collect::now_rfc3339());
    let options = report::Options {
        rvtools_max_vms: usize::try_from(args.rvtools_max_vms).unwrap_or(usize::MAX),
    };
    report::write_reports_with(&lock, &report, &args.format, &options)?;
    let _ = write!(out, "{}", report::summary::render(&report));
    let _ = writeln!(out, "Reports in {}", args.out.display());
    if !failures.is_empty() {
        let all: Vec<String> = failures.iter().map(|(_, e)| e.to_string()).collect();
        return Err(Error::Incomplete(format!(
            "{} of {} vCenters could not be collected (see vcenters.csv): {}",
            failures.len(),
            estate.vcenters.len(),
            all.join("; ")
        )));
    }
    Ok(if result.exceeds(args.fail_on) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Gives the command line's tag scope to every vCenter of a snapshot that has none of its own,
/// and refuses a vCenter whose tags were not collected when it is scoped (the scope would
/// silently audit every VM or none) or when `--require-tags` asks for them.
fn scope_snapshot(
    estate: &mut crate::model::Estate,
    scope: Option<crate::model::TagScope>,
    require_tags: bool,
) -> Result<(), Error> {
    for vc in &mut estate.vcenters {
        if vc.scope.is_none() {
            vc.scope = scope.clone();
        }
        let Some(why) = &vc.tags_error else { continue };
        if vc.scope.is_some() {
            return Err(Error::Usage(format!(
                "cannot scope {} by tag: the snapshot has no tags for it ({why}); audit it without --tag/--exclude-tag or collect again",
                vc.server
            )));
        }
        if require_tags {
            return Err(Error::Usage(format!(
                "--require-tags: the snapshot has no tags for {} ({why}); collect again or drop --require-tags",
                vc.server
            )));
        }
    }
    Ok(())
}

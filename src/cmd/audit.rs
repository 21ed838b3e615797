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
    /// Repeat to audit several snapshots as one estate (e.g. vCenters collected in shards on
    /// several machines): cross-vCenter rules see every vCenter of every snapshot.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["server", "estate"])]
    pub snapshot: Vec<PathBuf>,

    /// Audit an RVTools export (`.xlsx`) instead of live vCenters; repeat for several (each
    /// workbook's vCenters are audited together). No network.
    #[arg(long, value_name = "FILE.xlsx", conflicts_with_all = ["server", "estate", "snapshot"])]
    pub rvtools: Vec<PathBuf>,

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
    let started = std::time::Instant::now();
    let (estate, failures, lock) = match args.snapshot.as_slice() {
        [] if !args.rvtools.is_empty() => {
            let mut estate = crate::rvtools::read_estate(&args.rvtools)
                .map_err(|e| Error::Usage(e.to_string()))?;
            crate::phase::done("read", started);
            let scope = args.connect.tag_scope().map_err(Error::Usage)?;
            scope_snapshot(&mut estate, scope, args.connect.require_tags)?;
            let lock = report::prepare_output(&args.out)?;
            if let Some(path) = &args.save_snapshot {
                let snap = Snapshot::new(estate, crate::collect::now_rfc3339());
                snapshot::write(path, &snap).map_err(|e| Error::Usage(e.to_string()))?;
                (snap.into_estate(), Vec::new(), lock)
            } else {
                (estate, Vec::new(), lock)
            }
        }
        [_, ..] => {
            let mut estate = read_snapshots(&args.snapshot)?;
            crate::phase::done("read", started);
            let scope = args.connect.tag_scope().map_err(Error::Usage)?;
            scope_snapshot(&mut estate, scope, args.connect.require_tags)?;
            let lock = report::prepare_output(&args.out)?;
            (estate, Vec::new(), lock)
        }
        [] => {
            let targets = args.connect.targets().map_err(Error::Usage)?;
            let lock = report::prepare_output(&args.out)?;
            if let Some(path) = &args.save_snapshot {
                snapshot::check_writable(path).map_err(|e| Error::Usage(e.to_string()))?;
            }
            let collected = collect_estate_with(
                &targets,
                args.jobs as usize,
                super::progress::observer(args.progress),
            )
            .await;
            crate::phase::done("collect", started);
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
                let all: Vec<String> = failures
                    .iter()
                    .map(|(_, e)| super::advice::vcenter_error(e))
                    .collect();
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
    let started = std::time::Instant::now();
    let result = audit::audit(&estate, &profile);
    crate::phase::done("audit", started);
    let report = report::Report::new(&estate, &result, crate::collect::now_rfc3339());
    let options = report::Options {
        rvtools_max_vms: usize::try_from(args.rvtools_max_vms).unwrap_or(usize::MAX),
    };
    report::write_reports_with(&lock, &report, &args.format, &options)?;
    let _ = write!(out, "{}", report::summary::render(&report));
    let _ = writeln!(out, "Reports in {}", args.out.display());
    if let Some(newer) = audit::newer_than_profile(&estate, &profile) {
        let _ = writeln!(
            out,
            "{newer} {} newer than profile {} knows: audit again with --profile {} for today's support matrix.",
            if newer.contains(", ") { "are" } else { "is" },
            profile.name(),
            audit::profile::CURRENT_PROFILE
        );
    }
    let outcome = if !failures.is_empty() {
        let all: Vec<String> = failures
            .iter()
            .map(|(_, e)| super::advice::vcenter_error(e))
            .collect();
        Err(Error::Incomplete(format!(
            "{} of {} vCenters could not be collected (see vcenters.csv): {}",
            failures.len(),
            estate.vcenters.len(),
            all.join("; ")
        )))
    } else if result.exceeds(args.fail_on) {
        Ok(Outcome::Findings)
    } else {
        Ok(Outcome::Clean)
    };
    // Freeing a large model one allocation at a time takes seconds (a million VMs: tens of
    // millions of allocations) that nobody needs to wait for: a thread frees it while the
    // command returns, and the process's exit cuts it short.
    drop(report);
    std::thread::spawn(move || drop((estate, result)));
    outcome
}

/// Reads every snapshot into one estate, in the order given. A vCenter (by its `--server` name)
/// found in two snapshots is refused: auditing it twice would report every VM twice and flag
/// each as a copy of itself. Two names with the same vCenter instance UUID only get a warning:
/// cloned vCenters share it, but it can also be one vCenter collected under two names.
fn read_snapshots(paths: &[PathBuf]) -> Result<crate::model::Estate, Error> {
    use std::collections::HashMap;
    let mut estate = crate::model::Estate::default();
    let mut servers: HashMap<String, &std::path::Path> = HashMap::new();
    let mut uuids: HashMap<String, String> = HashMap::new();
    for path in paths {
        let snap =
            snapshot::read(path).map_err(|e| Error::Usage(super::advice::snapshot_error(&e)))?;
        for vc in snap.into_estate().vcenters {
            if let Some(first) = servers.insert(vc.server.clone(), path) {
                return Err(Error::Usage(format!(
                    "{} and {} both hold vCenter {}; give each vCenter in one snapshot only",
                    first.display(),
                    path.display(),
                    vc.server
                )));
            }
            if let Some(uuid) = &vc.about.instance_uuid
                && let Some(other) = uuids.insert(uuid.clone(), vc.server.clone())
            {
                log::warn!(
                    "{other} and {} have the same vCenter instance UUID {uuid}: one vCenter under two names, or a clone?",
                    vc.server
                );
            }
            estate.vcenters.push(vc);
        }
    }
    Ok(estate)
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

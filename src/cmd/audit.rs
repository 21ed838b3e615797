//! `vcaudit audit`: collect one or more vCenters, check them and write the reports.

use super::credentials::ConnectArgs;
use crate::collect::collect_vcenter;
use crate::error::{Error, Outcome};
use crate::model::{CollectStatus, Estate, VCenterInventory};
use crate::report::{self, Staged};
use clap::Args;
use futures_util::StreamExt;
use std::io::Write;
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Folder for the reports; created if missing.
    #[arg(long, value_name = "DIR", default_value = "vcaudit-report")]
    pub out: PathBuf,

    /// How many vCenters to collect at the same time.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
}

/// Runs the audit; `out` receives the terminal summary.
pub async fn run(args: &AuditArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let targets = args.connect.targets().map_err(Error::Usage)?;
    report::prepare_output(&args.out)?;
    let cancel = CancellationToken::new();
    let watcher = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("vcaudit: interrupted; logging out");
                cancel.cancel();
            }
        })
    };
    let results: Vec<_> = futures_util::stream::iter(targets.iter())
        .map(|t| {
            let cancel = cancel.clone();
            async move { (t, collect_vcenter(t, &cancel).await) }
        })
        .buffered(args.jobs as usize)
        .collect()
        .await;
    watcher.abort();

    if cancel.is_cancelled() {
        return Err(Error::Usage("interrupted; no reports written".into()));
    }
    let mut estate = Estate::default();
    let mut errors = Vec::new();
    for (t, result) in results {
        match result {
            Ok(inv) => estate.vcenters.push(inv),
            // With one vCenter, its error is the whole story: no reports.
            Err(e) if targets.len() == 1 => return Err(Error::VCenter(e)),
            Err(e) => {
                errors.push(e.to_string());
                estate.vcenters.push(VCenterInventory {
                    server: t.label.clone(),
                    url: t.url.to_string(),
                    status: CollectStatus::Error,
                    error: Some(e.to_string()),
                    ..Default::default()
                });
            }
        }
    }
    if estate
        .vcenters
        .iter()
        .all(|v| v.status == CollectStatus::Error)
    {
        return Err(Error::Incomplete(format!(
            "no vCenter could be collected: {}",
            errors.join("; ")
        )));
    }
    let written = write_reports(&args.out, &estate)?;
    print_summary(out, &estate, &written);
    if !errors.is_empty() {
        return Err(Error::Incomplete(format!(
            "{} of {} vCenters could not be collected (see vcenters.csv): {}",
            errors.len(),
            estate.vcenters.len(),
            errors.join("; ")
        )));
    }
    Ok(Outcome::Clean)
}

/// Writes every report table for the estate.
pub fn write_reports(dir: &std::path::Path, estate: &Estate) -> Result<Vec<PathBuf>, Error> {
    let mut staged = Staged::new(dir)?;
    staged.csv("vcenters.csv", report::vcenter_rows(estate))?;
    staged.csv("hosts.csv", report::host_rows(estate))?;
    staged.csv("vms.csv", report::vm_rows(estate))?;
    staged.csv("disks.csv", report::disk_rows(estate))?;
    staged.csv("datastores.csv", report::datastore_rows(estate))?;
    Ok(staged.commit()?)
}

fn print_summary(out: &mut dyn Write, estate: &Estate, written: &[PathBuf]) {
    let ok: Vec<_> = estate
        .vcenters
        .iter()
        .filter(|v| v.status == CollectStatus::Ok)
        .collect();
    let hosts: usize = ok.iter().map(|v| v.hosts.len()).sum();
    let vms: usize = ok.iter().map(|v| v.vms.len()).sum();
    let _ = writeln!(
        out,
        "Audited {} vCenter(s): {hosts} hosts, {vms} VMs.",
        ok.len()
    );
    if let Some(dir) = written.first().and_then(|p| p.parent()) {
        let _ = writeln!(out, "Reports in {}", dir.display());
    }
}

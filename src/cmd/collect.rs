//! `vcaudit collect`: collect vCenters into a snapshot file, to audit later with
//! `vcaudit audit --snapshot FILE`.

use super::credentials::ConnectArgs;
use crate::collect::estate::collect_estate_with;
use crate::error::{Error, Outcome};
use crate::snapshot::{self, Snapshot};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Snapshot file to write (`.json`, or zstd-compressed `.json.zst`).
    #[arg(long, value_name = "FILE")]
    pub snapshot: PathBuf,

    /// Convert an RVTools export (`.xlsx`) into the snapshot instead of collecting; repeat for
    /// several. No network.
    #[arg(long, value_name = "FILE.xlsx", conflicts_with_all = ["server", "estate"])]
    pub rvtools: Vec<PathBuf>,

    /// How many vCenters to collect at the same time.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,

    /// Show the progress display (set from `--quiet`/`-v`, not a flag of its own).
    #[arg(skip)]
    pub progress: bool,
}

pub async fn run(args: &CollectArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    if !args.rvtools.is_empty() {
        let estate =
            crate::rvtools::read_estate(&args.rvtools).map_err(|e| Error::Usage(e.to_string()))?;
        let vms: usize = estate.vcenters.iter().map(|v| v.vms.len()).sum();
        let n = estate.vcenters.len();
        let snap = Snapshot::new(estate, crate::collect::now_rfc3339());
        snapshot::write(&args.snapshot, &snap).map_err(|e| Error::Usage(e.to_string()))?;
        let _ = writeln!(
            out,
            "Converted {n} vCenter(s), {vms} VMs from RVTools into {}",
            args.snapshot.display()
        );
        return Ok(Outcome::Clean);
    }
    let targets = args.connect.targets().map_err(Error::Usage)?;
    snapshot::check_writable(&args.snapshot).map_err(|e| Error::Usage(e.to_string()))?;
    let collected = collect_estate_with(
        &targets,
        args.jobs as usize,
        super::progress::observer(args.progress),
    )
    .await;
    if collected.interrupted {
        return Err(Error::Usage("interrupted; no snapshot written".into()));
    }
    if collected.failures.len() == targets.len() {
        let all: Vec<String> = collected
            .failures
            .iter()
            .map(|(_, e)| super::advice::vcenter_error(e))
            .collect();
        return Err(Error::Incomplete(all.join("; ")));
    }
    let vms: usize = collected.estate.vcenters.iter().map(|v| v.vms.len()).sum();
    let snap = Snapshot::new(collected.estate, crate::collect::now_rfc3339());
    snapshot::write(&args.snapshot, &snap).map_err(|e| Error::Usage(e.to_string()))?;
    let _ = writeln!(
        out,
        "Collected {} vCenter(s), {vms} VMs into {}",
        targets.len(),
        args.snapshot.display()
    );
    if !collected.failures.is_empty() {
        let all: Vec<String> = collected
            .failures
            .iter()
            .map(|(_, e)| super::advice::vcenter_error(e))
            .collect();
        return Err(Error::Incomplete(all.join("; ")));
    }
    Ok(Outcome::Clean)
}

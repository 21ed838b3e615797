//! The command line: global options, subcommands, and mapping results to exit codes.

use crate::cmd;
use crate::error::{ERROR_EXIT, Error, Outcome};
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "vcaudit",
    version,
    about = "Audit a VMware vSphere estate for Azure Site Recovery replication prerequisites"
)]
pub struct Cli {
    /// More detail on stderr (-v info, -vv debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Collect vCenters, check every object against the prerequisites, write the reports.
    Audit(cmd::audit::AuditArgs),
    /// Collect vCenters into a snapshot file, to audit later or elsewhere.
    Collect(cmd::collect::CollectArgs),
    /// Print every rule of a profile with its parameters and source, or compare two profiles.
    Rules(cmd::rules::RulesArgs),
    /// List the built-in profiles with the document each follows and its date.
    Profiles(cmd::profiles::ProfilesArgs),
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Info,
        _ => log::LevelFilter::Debug,
    };
    let _ = env_logger::Builder::new()
        .filter_level(log::LevelFilter::Warn)
        .filter_module("vcaudit", level)
        .format_timestamp(None)
        .format_target(false)
        .try_init();
}

async fn dispatch(cli: Cli) -> Result<Outcome, Error> {
    let mut stdout = std::io::stdout();
    match cli.command {
        Command::Audit(args) => cmd::audit::run(&args, &mut stdout).await,
        Command::Collect(args) => cmd::collect::run(&args, &mut stdout).await,
        Command::Rules(args) => cmd::rules::run(&args, &mut stdout)
            .map(|_| Outcome::Clean)
            .map_err(|e| Error::Usage(e.to_string())),
        Command::Profiles(args) => cmd::profiles::run(&args, &mut stdout)
            .map(|_| Outcome::Clean)
            .map_err(|e| Error::Usage(e.to_string())),
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> u8 {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("vcaudit: cannot start: {e}");
            return ERROR_EXIT;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(outcome) => outcome.exit_code(),
        Err(e) => {
            eprintln!("vcaudit: {e}");
            ERROR_EXIT
        }
    }
}

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

    /// Print nothing but errors: no progress, no summary (the reports are still written).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

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
    /// Print a shell completion script (bash, zsh, fish, powershell).
    Completions(cmd::completions::CompletionsArgs),
    /// Print the man page, or write one page per subcommand with --dir.
    Man(cmd::man::ManArgs),
    /// Compare two audits (snapshots or report.json): what appeared, vanished, moved, changed.
    Diff(cmd::diff::DiffArgs),
    /// Copy a snapshot with every name, UUID and address replaced by a keyed pseudonym.
    Anonymise(cmd::anonymise::AnonymiseArgs),
    /// List the built-in profiles with the document each follows and its date.
    Profiles(cmd::profiles::ProfilesArgs),
}

fn init_logging(verbose: u8, quiet: bool) {
    let level = match verbose {
        0 if quiet => log::LevelFilter::Error,
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Info,
        _ => log::LevelFilter::Debug,
    };
    let _ = env_logger::Builder::new()
        .filter_level(level.min(log::LevelFilter::Warn))
        .filter_module("vcaudit", level)
        .format_timestamp(None)
        .format_target(false)
        .try_init();
}

async fn dispatch(cli: Cli) -> Result<Outcome, Error> {
    // --quiet: the summary goes nowhere; errors still reach stderr through `main`.
    let mut stdout: Box<dyn std::io::Write> = if cli.quiet {
        Box::new(std::io::sink())
    } else {
        Box::new(std::io::stdout())
    };
    let stdout = &mut *stdout;
    let usage = |e: std::io::Error| Error::Usage(e.to_string());
    let progress = !cli.quiet && cli.verbose == 0;
    match cli.command {
        Command::Audit(mut args) => {
            args.progress = progress;
            cmd::audit::run(&args, stdout).await
        }
        Command::Collect(mut args) => {
            args.progress = progress;
            cmd::collect::run(&args, stdout).await
        }
        Command::Diff(args) => cmd::diff::run(&args, stdout),
        Command::Anonymise(args) => cmd::anonymise::run(&args, stdout),
        // Asked-for output: printed even with --quiet.
        Command::Rules(args) => cmd::rules::run(&args, &mut std::io::stdout())
            .map(|_| Outcome::Clean)
            .map_err(|e| Error::Usage(e.to_string())),
        Command::Completions(args) => cmd::completions::run(&args, &mut std::io::stdout())
            .map(|_| Outcome::Clean)
            .map_err(usage),
        Command::Man(args) => cmd::man::run(&args, &mut std::io::stdout())
            .map(|_| Outcome::Clean)
            .map_err(usage),
        Command::Profiles(args) => cmd::profiles::run(&args, &mut std::io::stdout())
            .map(|_| Outcome::Clean)
            .map_err(|e| Error::Usage(e.to_string())),
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> u8 {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet);
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

//! The errors a command can end with. Each `Display` is one line that names what was wrong and
//! what to do; every one of them exits with code 2.

use crate::collect::VCenterError;
use crate::report::ReportError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: options, files, environment.
    #[error("{0}")]
    Usage(String),
    /// The only vCenter (or every vCenter) could not be collected.
    #[error("{}", crate::cmd::advice::vcenter_error(.0))]
    VCenter(#[from] VCenterError),
    /// Reports could not be written.
    #[error("{0}")]
    Report(#[from] ReportError),
    /// Reports were written but some vCenters are missing from them.
    #[error("the audit is incomplete: {0}")]
    Incomplete(String),
}

/// How a command that completed ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Completed; nothing at or above the failure threshold. Exit 0.
    Clean,
    /// Completed with failing checks at or above the threshold. Exit 1.
    Findings,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
        }
    }
}

/// Exit code of any error.
pub const ERROR_EXIT: u8 = 2;

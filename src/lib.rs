//! vcaudit: audit a VMware vSphere estate for Azure Site Recovery replication prerequisites.
//!
//! The library does all the work; `main.rs` only parses arguments and maps errors to exit codes.

pub mod audit;
pub mod cmd {
    //! Subcommands.
    pub mod rules;
}
pub mod model;

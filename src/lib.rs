//! vcaudit: audit a VMware vSphere estate for Azure Site Recovery replication prerequisites.
//!
//! The library does all the work; `main.rs` only parses arguments and maps errors to exit codes.
//! - [`soap`]: the vim25 SOAP client, in layers;
//! - [`tls`]: certificate verification modes;
//! - [`model`]: the inventory domain model; [`intern`]: its shared strings;
//! - [`audit`]: the rules, profiles and readiness;
//! - [`report`]: the CSV and JSON reports; [`snapshot`]: collect once, audit anywhere;
//! - [`rest`]: the vAPI REST client for tags.

pub mod anonymise;
pub mod audit;
pub mod bounded;
pub mod cli;
pub mod cmd;
pub mod collect;
pub mod compact;
pub mod diff;
pub mod disk;
pub mod error;
pub mod estate_file;
pub mod guest_disk;
pub mod intern;
pub mod model;
pub mod packed;
pub mod phase;
pub mod report;
pub mod rest;
pub mod retry;
pub mod rvtools;
pub mod snapshot;
pub mod soap;
pub mod target;
pub mod tls;
pub mod vm_details;
pub mod word;

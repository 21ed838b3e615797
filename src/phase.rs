//! Phase timings for `-v`: one `phase NAME: SECONDS s` line on stderr per phase (collect, read,
//! audit, one per report format, and sync: the reports' fsync), which `bench/run.sh` reads to give each phase's
//! share of the run.

use std::time::Instant;

/// Logs that the phase `name`, begun at `started`, is done.
pub fn done(name: &str, started: Instant) {
    log::info!("phase {name}: {:.3} s", started.elapsed().as_secs_f64());
}

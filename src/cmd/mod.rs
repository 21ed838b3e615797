//! One module per subcommand, each with its own arguments struct and `run()` (as xsv/qsv do).

pub mod advice;
pub mod anonymise;
pub mod audit;
pub mod collect;
pub mod completions;
pub mod credentials;
pub mod diff;
pub mod man;
pub mod profiles;
pub mod progress;
pub mod rules;

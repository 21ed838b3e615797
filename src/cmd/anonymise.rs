//! `vcaudit anonymise IN OUT`: a copy of a snapshot with every identifying string replaced by a
//! keyed pseudonym, to share the estate's shape without its names.

use crate::anonymise::{self, Key, Pseudonymiser};
use crate::error::{Error, Outcome};
use crate::snapshot;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct AnonymiseArgs {
    /// The snapshot to anonymise (`.json` or `.json.zst`).
    #[arg(value_name = "IN")]
    pub input: PathBuf,

    /// The anonymised snapshot to write (`.json` or `.json.zst`).
    #[arg(value_name = "OUT")]
    pub output: PathBuf,

    /// The key: read when the file exists; otherwise a fresh random key is written there (mode
    /// 0600). Keep it to give later snapshots the same pseudonyms.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,

    /// Also write the reverse mapping (pseudonym,original CSV), mode 0600, for the owner alone.
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
}

pub fn run(args: &AnonymiseArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let usage = |e: &dyn std::fmt::Display| Error::Usage(e.to_string());
    if args.input == args.output {
        return Err(Error::Usage(
            "OUT is the same file as IN; give another name, the original is kept".into(),
        ));
    }
    let mut snap =
        snapshot::read(&args.input).map_err(|e| Error::Usage(super::advice::snapshot_error(&e)))?;
    let (key, new_key) = match &args.key_file {
        Some(path) if path.exists() => (Key::read(path).map_err(|e| usage(&e))?, None),
        Some(path) => (Key::random().map_err(|e| usage(&e))?, Some(path)),
        None => (Key::random().map_err(|e| usage(&e))?, None),
    };
    let mut p = Pseudonymiser::new(&key);
    anonymise::estate::anonymise(&mut snap, &mut p);
    // The key before the output: an output whose key was lost cannot be matched later.
    if let Some(path) = new_key {
        key.write_new(path).map_err(|e| usage(&e))?;
    }
    if let Some(path) = &args.map {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut rows = vec![("pseudonym", "original")];
        rows.extend(p.reverse_map());
        for r in rows {
            w.write_record([r.0, r.1]).map_err(|e| usage(&e))?;
        }
        let bytes = w.into_inner().map_err(|e| usage(&e))?;
        anonymise::write_private(path, &bytes).map_err(|e| usage(&e))?;
    }
    snapshot::write(&args.output, &snap).map_err(|e| usage(&e))?;
    let _ = writeln!(
        out,
        "Anonymised {} vCenter(s), {} names into {}",
        snap.vcenters.len(),
        p.reverse_map().len(),
        args.output.display()
    );
    match (&args.key_file, new_key) {
        (None, _) => {
            let _ = writeln!(
                out,
                "No --key-file: the key was not kept, so another run gives other pseudonyms."
            );
        }
        (Some(path), Some(_)) => {
            let _ = writeln!(
                out,
                "New key written to {} (keep it private)",
                path.display()
            );
        }
        _ => {}
    }
    Ok(Outcome::Clean)
}

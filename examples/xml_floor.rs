//! The parse floor of the benchmark (bench/run.sh): the least CPU any XML client spends on a
//! collection's answers, beside the transfer floor (curl receiving them).
//!
//!     cargo run --release --example xml_floor -- ANSWERS_DIR
//!
//! ANSWERS_DIR holds the SOAP answers of one collection, as `bench/floor.py ... KEEP_DIR` saved
//! them. Each is read into memory (not timed apart: it is a few ms per GB) and tokenized with
//! quick-xml, the crate vcaudit parses with, borrowing every event from the buffer: no tree, no
//! allocation, no namespace resolution, nothing decoded. Whatever a client does on top of this
//! (resolving `xsi:type`, decoding values, building its model) is its own cost; bench/run.sh
//! prints the process's CPU time per VM as the `parse` row.

use quick_xml::Reader;
use quick_xml::events::Event;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: xml_floor ANSWERS_DIR");
        return ExitCode::from(2);
    };
    let mut files: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            eprintln!("xml_floor: cannot read {}: {e}", dir.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    files.sort();
    let (mut bytes, mut events, mut objects) = (0usize, 0usize, 0usize);
    for path in &files {
        let body = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("xml_floor: cannot read {}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        bytes += body.len();
        let mut reader = Reader::from_reader(body.as_slice());
        loop {
            match reader.read_event() {
                Ok(Event::Eof) => break,
                Ok(Event::Start(e)) => {
                    events += 1;
                    objects += usize::from(e.local_name().as_ref() == b"objects");
                }
                Ok(_) => events += 1,
                Err(e) => {
                    eprintln!("xml_floor: {} is not XML: {e}", path.display());
                    return ExitCode::from(1);
                }
            }
        }
    }
    println!(
        "{} answers, {bytes} bytes, {events} XML events, {objects} objects",
        files.len()
    );
    ExitCode::SUCCESS
}

//! `--server` and `--thumbprint` values as the user types them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vcaudit::tls::Thumbprint;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = vcaudit::target::parse_server(text);
    let _ = text.parse::<Thumbprint>();
});

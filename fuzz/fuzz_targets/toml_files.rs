//! The estate file and profile loaders on any text: the first byte chooses which.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vcaudit::audit::profile::Profile;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if mode % 2 == 0 {
        let _ = vcaudit::estate_file::parse(text, "estate.toml");
    } else {
        let _ = Profile::from_toml("profile.toml", text);
    }
});

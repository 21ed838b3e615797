//! The vAPI REST answers through `decode` (both the `/rest` `{"value": ...}` and the `/api`
//! spellings) into every type the tag reader asks for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vcaudit::rest::session::{Flavor, decode};
use vcaudit::rest::tagging::{CategoryModel, TagModel, TagToObjects};

fuzz_target!(|data: &[u8]| {
    for flavor in [Flavor::Rest, Flavor::Api] {
        let _ = decode::<Vec<String>>(flavor, "/x", data);
        let _ = decode::<CategoryModel>(flavor, "/x", data);
        let _ = decode::<TagModel>(flavor, "/x", data);
        let _ = decode::<Vec<TagToObjects>>(flavor, "/x", data);
        let _ = decode::<Option<TagModel>>(flavor, "/x", data);
    }
});

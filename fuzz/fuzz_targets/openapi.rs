//! Fuzzes the OpenAPI importer (JSON or YAML, by the first byte): it must
//! never panic, and every route it returns is a concrete path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata::model::openapi::{parse, protected_routes};

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    if let Ok(doc) = parse(&text, first % 2 == 1) {
        if let Ok(routes) = protected_routes(&doc) {
            assert!(routes.iter().all(|r| r.path.starts_with('/')));
        }
    }
});

//! Fuzzes the architecture-file loader (YAML syntax, types, validation):
//! it must never panic, and every refusal points into the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(errors) = strata::model::load_str(&text, Path::new("fuzz/architecture.yaml")) {
        assert!(!errors.0.is_empty());
        let lines = text.lines().count() as u64 + 1;
        for e in &errors.0 {
            assert!(!e.message.is_empty());
            assert!(e.line >= 1 && e.line <= lines, "{e}");
        }
    }
});

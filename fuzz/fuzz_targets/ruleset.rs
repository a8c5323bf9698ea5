//! Fuzzes the rule-file loader (YAML, then CEL compilation): it must never
//! panic, and every refusal points into the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use strata::audit::rules::Ruleset;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let lines = text.lines().count() as u64 + 1;
    if let Err(e) = Ruleset::from_sources([(PathBuf::from("fuzz.yaml"), text)]) {
        assert!(!e.message.is_empty());
        assert!(e.line >= 1 && e.line <= lines, "{e}");
    }
});

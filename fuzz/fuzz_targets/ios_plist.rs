//! Fuzzes the iOS Info.plist importer (XML, binary and ASCII plists): it
//! must never panic, and every refusal names a key path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata::model::pin_import::{PinImportError, parse_ios_plist};

fuzz_target!(|data: &[u8]| {
    match parse_ios_plist(data, "Info.plist") {
        Ok(sets) => assert!(sets.iter().all(|s| !s.pins.is_empty() && s.expiration.is_none())),
        Err(e) => assert!(matches!(&e, PinImportError::Plist { key_path, .. } if !key_path.is_empty()), "{e}"),
    }
});

//! Fuzzes the Android network-security-config importer: it must never
//! panic, and every refusal is an XML error with a position in the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata::model::pin_import::{PinImportError, parse_android_nsc};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = parse_android_nsc(&text, "fuzz.xml") {
        assert!(matches!(e, PinImportError::Xml { line, column, .. } if line >= 1 && column >= 1), "{e}");
    }
});

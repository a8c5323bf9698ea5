//! Fuzzes the legacy-TLS probe's parser of a server's first flight, which
//! reads bytes straight from untrusted servers: it must never panic, and only
//! empty input means "closed".
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata::probe::legacy::{HelloAnswer, parse_server_answer};

fuzz_target!(|data: &[u8]| {
    let answer = parse_server_answer(data);
    assert_eq!(data.is_empty(), answer == HelloAnswer::Closed);
});

//! Stable-toolchain fuzz harnesses: every parser of untrusted input runs on
//! a few thousand generated inputs in a plain `cargo test`, with a fixed
//! seed so that a failure replays exactly.
//!
//! Inputs are structure-aware mutations of real files (the samples, the
//! test fixtures, the built-in rules, hand-built TLS records): bit flips,
//! truncation, deletion, duplicated and swapped lines, splices from other
//! seeds, format tokens, deep nesting and repetition. Each harness asserts
//! that no input panics, that a refusal is a clear, typed error (with a
//! position where the format has one, and a bounded message), and that
//! what is accepted is well formed. Each input runs on a worker thread that
//! the test watches: an input that runs for [`HANG`] fails the test as a
//! hang (this detects hangs; it measures no speed).
//!
//! A failing input is written under `CARGO_TARGET_TMPDIR/fuzz-stable/` and
//! its index and excerpt are printed. An input that aborts the whole
//! process (a stack overflow cannot be caught) is found by running with
//! `STRATA_FUZZ_TRACE=1`: each input is written to `NAME-current.bin`
//! there before it runs. `cargo fuzz` (nightly, in `fuzz/`)
//! runs the same targets without bounds.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Longest a single input may run before it counts as a hang.
const HANG: Duration = Duration::from_secs(60);
/// Largest generated input.
const MAX_INPUT: usize = 256 * 1024;

/// One generated input: bytes, and the seed file it came from.
struct Input {
    bytes: Vec<u8>,
    seed: usize,
}

/// What a harness saw on one input.
enum Verdict {
    /// Parsed and well formed.
    Accepted,
    /// Refused with a clear error.
    Refused,
}

/// Totals of one harness run.
#[derive(Debug, Default)]
struct Stats {
    inputs: usize,
    accepted: usize,
    refused: usize,
    slowest: Duration,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> Vec<u8> {
    match std::fs::read(root().join(rel)) {
        Ok(b) => b,
        Err(e) => panic!("{rel}: {e}"),
    }
}

/// A short, escaped excerpt of an input for a failure message.
fn excerpt(bytes: &[u8]) -> String {
    let head: String = String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
        .escape_debug()
        .collect();
    format!(
        "{} bytes: \"{head}\"{}",
        bytes.len(),
        if bytes.len() > 300 { "..." } else { "" }
    )
}

/// Mutates seeds. `tokens` are fragments of the format worth inserting;
/// `nest` are (open, close) pairs for deep nesting.
struct Mutator {
    rng: fastrand::Rng,
    seeds: Vec<Vec<u8>>,
    tokens: &'static [&'static [u8]],
    nest: &'static [(&'static [u8], &'static [u8])],
}

impl Mutator {
    fn new(
        seed: u64,
        seeds: Vec<Vec<u8>>,
        tokens: &'static [&'static [u8]],
        nest: &'static [(&'static [u8], &'static [u8])],
    ) -> Self {
        assert!(!seeds.is_empty());
        Mutator {
            rng: fastrand::Rng::with_seed(seed),
            seeds,
            tokens,
            nest,
        }
    }

    /// A position in `b`, often at a line start so that line-oriented
    /// formats keep their shape.
    fn pos(&mut self, b: &[u8]) -> usize {
        if b.is_empty() {
            return 0;
        }
        let p = self.rng.usize(..=b.len());
        if self.rng.bool() {
            // Back to the start of the line.
            b[..p].iter().rposition(|c| *c == b'\n').map_or(0, |i| i + 1)
        } else {
            p
        }
    }

    /// A range `[a, b)` of `bytes`, often whole lines.
    fn range(&mut self, bytes: &[u8]) -> (usize, usize) {
        let a = self.pos(bytes);
        let max = (bytes.len() - a).min(512);
        let mut b = a + self.rng.usize(..=max);
        if self.rng.bool()
            && let Some(nl) = bytes[b..].iter().position(|c| *c == b'\n')
        {
            b += nl + 1;
        }
        (a, b.min(bytes.len()))
    }

    fn next(&mut self) -> Input {
        let seed = self.rng.usize(..self.seeds.len());
        let mut b = self.seeds[seed].clone();
        // A few seeds go through untouched: the baseline must hold.
        if self.rng.u8(..50) == 0 {
            return Input { bytes: b, seed };
        }
        for _ in 0..self.rng.usize(1..=4) {
            match self.rng.u8(..11) {
                0 if !b.is_empty() => {
                    let i = self.rng.usize(..b.len());
                    b[i] ^= 1 << self.rng.u8(..8);
                }
                1 if !b.is_empty() => {
                    let i = self.rng.usize(..b.len());
                    b[i] = self
                        .rng
                        .choice([0u8, 0xff, 0x7f, 0x80, b'\n', b'"', b'<', b':', b' ', b'\t'])
                        .unwrap_or(0);
                }
                2 => {
                    let p = self.pos(&b);
                    b.truncate(p);
                }
                3 => {
                    let (x, y) = self.range(&b);
                    b.drain(x..y);
                }
                4 => {
                    // Duplicate a section (often whole lines) in place.
                    let (x, y) = self.range(&b);
                    let copy = b[x..y].to_vec();
                    b.splice(y..y, copy);
                }
                5 => {
                    // Splice in a piece of another seed.
                    let other = self.seeds[self.rng.usize(..self.seeds.len())].clone();
                    let (x, y) = self.range(&other);
                    let p = self.pos(&b);
                    b.splice(p..p, other[x..y].iter().copied());
                }
                6 if !self.tokens.is_empty() => {
                    let t = self.tokens[self.rng.usize(..self.tokens.len())];
                    let p = self.pos(&b);
                    b.splice(p..p, t.iter().copied());
                }
                7 if !self.nest.is_empty() => {
                    let (open, close) = self.nest[self.rng.usize(..self.nest.len())];
                    let depth = self.rng.choice([10usize, 100, 200, 1000, 5000]).unwrap_or(10);
                    let p = self.pos(&b);
                    let mut deep = open.repeat(depth);
                    if self.rng.bool() {
                        deep.extend(close.repeat(depth));
                    }
                    b.splice(p..p, deep);
                }
                8 => {
                    // Repeat a short piece many times.
                    let (x, y) = self.range(&b);
                    let piece = b[x..y.min(x + 64)].to_vec();
                    let times = self.rng.usize(2..=2000);
                    let p = self.pos(&b);
                    b.splice(p..p, piece.repeat(times));
                }
                9 => {
                    // Swap two lines.
                    let starts: Vec<usize> = std::iter::once(0)
                        .chain(b.iter().enumerate().filter(|(_, c)| **c == b'\n').map(|(i, _)| i + 1))
                        .filter(|i| *i < b.len())
                        .collect();
                    if starts.len() >= 2 {
                        let mut lines: Vec<Vec<u8>> = Vec::new();
                        for (k, s) in starts.iter().enumerate() {
                            let e = starts.get(k + 1).copied().unwrap_or(b.len());
                            lines.push(b[*s..e].to_vec());
                        }
                        let i = self.rng.usize(..lines.len());
                        let j = self.rng.usize(..lines.len());
                        lines.swap(i, j);
                        b = b[..starts[0]].iter().copied().chain(lines.concat()).collect();
                    }
                }
                _ => {
                    // Replace a number by an extreme one.
                    if let Some(i) = b.iter().position(|c| c.is_ascii_digit()).map(|first| {
                        let digits: Vec<usize> = b
                            .iter()
                            .enumerate()
                            .filter(|(_, c)| c.is_ascii_digit())
                            .map(|(i, _)| i)
                            .collect();
                        digits.get(self.rng.usize(..digits.len())).copied().unwrap_or(first)
                    }) {
                        let n: &[u8] = self
                            .rng
                            .choice([
                                &b"0"[..],
                                b"-1",
                                b"4294967296",
                                b"18446744073709551616",
                                b"99999999999999999999999",
                                b"1e308",
                                b"0x7fffffff",
                            ])
                            .unwrap_or(b"0");
                        b.splice(i..i + 1, n.iter().copied());
                    }
                }
            }
            b.truncate(MAX_INPUT);
        }
        Input { bytes: b, seed }
    }
}

/// Runs `check` on `count` inputs from `gen` on a watched worker thread;
/// fails on any panic, violation or hang, after reporting them all.
fn run(
    name: &'static str,
    count: usize,
    mut inputs: Mutator,
    check: impl Fn(&Input) -> Result<Verdict, String> + Send + 'static,
) -> Stats {
    enum Msg {
        Start(usize, Vec<u8>),
        Done(Stats, Vec<(usize, Vec<u8>, String)>),
    }
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let mut stats = Stats::default();
        let mut failures = Vec::new();
        for i in 0..count {
            let input = inputs.next();
            if tx.send(Msg::Start(i, input.bytes.clone())).is_err() {
                return;
            }
            if std::env::var_os("STRATA_FUZZ_TRACE").is_some() {
                // An input that aborts the process (a stack overflow) is
                // left here, since nothing after it runs.
                let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-stable");
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(dir.join(format!("{name}-current.bin")), &input.bytes);
            }
            let t = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| check(&input)));
            stats.slowest = stats.slowest.max(t.elapsed());
            stats.inputs += 1;
            match outcome {
                Ok(Ok(Verdict::Accepted)) => stats.accepted += 1,
                Ok(Ok(Verdict::Refused)) => stats.refused += 1,
                Ok(Err(why)) => failures.push((i, input.bytes, why)),
                Err(panic) => {
                    let what = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    failures.push((i, input.bytes, format!("panicked: {what}")));
                }
            }
        }
        let _ = tx.send(Msg::Done(stats, failures));
    });
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-stable");
    let save = |i: usize, bytes: &[u8]| -> PathBuf {
        let _ = std::fs::create_dir_all(&dir);
        let p = dir.join(format!("{name}-{i}.bin"));
        let _ = std::fs::write(&p, bytes);
        p
    };
    let mut current: Option<(usize, Vec<u8>)> = None;
    loop {
        match rx.recv_timeout(HANG) {
            Ok(Msg::Start(i, bytes)) => current = Some((i, bytes)),
            Ok(Msg::Done(stats, failures)) => {
                let _ = worker.join();
                eprintln!(
                    "{name}: {} inputs, {} accepted, {} refused, slowest {:?}",
                    stats.inputs, stats.accepted, stats.refused, stats.slowest
                );
                if !failures.is_empty() {
                    let report: Vec<String> = failures
                        .iter()
                        .take(8)
                        .map(|(i, bytes, why)| {
                            format!("#{i} ({}): {why}\n  {}", save(*i, bytes).display(), excerpt(bytes))
                        })
                        .collect();
                    panic!(
                        "{name}: {} of {count} inputs failed:\n{}",
                        failures.len(),
                        report.join("\n")
                    );
                }
                assert_eq!(stats.inputs, count);
                // The generator must exercise both sides, or it tests nothing.
                assert!(
                    stats.accepted * 50 >= count,
                    "{name}: only {} of {count} inputs accepted",
                    stats.accepted
                );
                assert!(
                    stats.refused * 50 >= count,
                    "{name}: only {} of {count} inputs refused",
                    stats.refused
                );
                return stats;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let (i, bytes) = current.unwrap_or_default();
                panic!(
                    "{name}: input #{i} still running after {HANG:?} ({}): {}",
                    save(i, &bytes).display(),
                    excerpt(&bytes)
                );
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let (i, bytes) = current.unwrap_or_default();
                panic!("{name}: the worker died on input #{i} ({})", save(i, &bytes).display());
            }
        }
    }
}

/// A refusal's message: present, one screenful at most, and free of raw
/// control characters (input is quoted escaped, if at all).
fn clear_message(msg: &str) -> Result<(), String> {
    if msg.trim().is_empty() {
        return Err("empty error message".into());
    }
    if msg.chars().count() > 2000 {
        return Err(format!("error message of {} characters", msg.chars().count()));
    }
    if let Some(c) = msg.chars().find(|c| c.is_control() && *c != '\n') {
        return Err(format!(
            "raw control character {c:?} in error message: {}",
            msg.escape_debug()
        ));
    }
    Ok(())
}

/// Lines in a text (a position may point one past the last).
fn lines(text: &str) -> u64 {
    text.lines().count() as u64 + 1
}

/// The pin checks shared by both importers.
fn well_formed_pins(sets: &[strata::model::pin_import::ImportedPinSet]) -> Result<(), String> {
    use base64::Engine as _;
    for s in sets {
        if s.domain.is_empty() || s.domain != s.domain.to_lowercase() {
            return Err(format!("bad domain {:?}", s.domain));
        }
        if s.pins.is_empty() {
            return Err(format!("{}: empty pin set", s.domain));
        }
        for (i, p) in s.pins.iter().enumerate() {
            let raw = base64::engine::general_purpose::STANDARD.decode(&p.spki_sha256);
            if p.spki_sha256.len() != 44 || raw.map(|r| r.len()) != Ok(32) {
                return Err(format!(
                    "{}: pin {:?} is not 32 bytes of canonical base64",
                    s.domain, p.spki_sha256
                ));
            }
            if s.pins[..i].contains(p) {
                return Err(format!("{}: duplicate pin", s.domain));
            }
        }
    }
    Ok(())
}

const YAML_TOKENS: &[&[u8]] = &[
    b": ",
    b"- ",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"!!binary ",
    b"!!str ",
    b"~",
    b"null",
    b"\t",
    b"{",
    b"}",
    b"[",
    b"]",
    b"'",
    b"\"",
    b"#",
    b"|\n",
    b">\n",
    b"---\n",
    b"...\n",
    b"%YAML 1.2\n",
    b"? ",
    b"\\u0000",
    b"\xef\xbb\xbf",
    b"id: x\n",
    b"  - { id: x, kind: service }\n",
    b"controls: [tls, jwt]\n",
    b"exposure: public\n",
    b"sensitivity: restricted\n",
    b"url: \"https://[::1]:0/\"\n",
    b"url: \"https://\xe2\x98\x83.example/\"\n",
    b"openapi: nope.yaml\n",
    b"pin_imports: [{ android: missing.xml }]\n",
    b"\xff\xfe",
];
const YAML_NEST: &[(&[u8], &[u8])] = &[(b"[", b"]"), (b"{a: ", b"}"), (b"- ", b""), (b"  ", b"")];

/// A model to audit with any ruleset: one of the samples.
fn sample_model() -> strata::model::Model {
    match strata::model::load(&root().join("sample-projects/acme-pay/architecture.yaml")) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn model_loader() {
    let samples = ["acme-pay", "gateway-lab", "identity-lab", "lab-tour"];
    let paths: Vec<PathBuf> = samples
        .iter()
        .map(|s| root().join("sample-projects").join(s).join("architecture.yaml"))
        .collect();
    let seeds: Vec<Vec<u8>> = samples
        .iter()
        .map(|s| read(&format!("sample-projects/{s}/architecture.yaml")))
        .collect();
    let rules = match strata::audit::rules::Ruleset::builtin() {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let inputs = Mutator::new(0x5eed_0001, seeds, YAML_TOKENS, YAML_NEST);
    let counter = std::sync::atomic::AtomicUsize::new(0);
    run("model", 1500, inputs, move |input| {
        let text = String::from_utf8_lossy(&input.bytes);
        match strata::model::load_str(&text, &paths[input.seed]) {
            Ok(model) => {
                // What validation accepts, the audit must digest: every
                // fourth accepted model goes through the offline audit.
                if counter
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                    .is_multiple_of(4)
                {
                    let out = strata::pipeline::audit_with(&model, &rules, strata::evidence::Evidence::default());
                    strata::report::html::render(&out.report);
                    strata::report::json::render(&out.report).map_err(|e| format!("JSON report: {e}"))?;
                }
                Ok(Verdict::Accepted)
            }
            Err(errors) => {
                if errors.0.is_empty() {
                    return Err("refused with no error".into());
                }
                for e in &errors.0 {
                    clear_message(&e.message)?;
                    if e.line == 0 || e.line > lines(&text) {
                        return Err(format!("error without a position in the text (line {}): {e}", e.line));
                    }
                }
                Ok(Verdict::Refused)
            }
        }
    });
}

const XML_TOKENS: &[&[u8]] = &[
    b"<domain-config>",
    b"</domain-config>",
    b"<domain-config cleartextTrafficPermitted=\"false\">",
    b"<domain includeSubdomains=\"true\">x.example</domain>",
    b"<domain>",
    b"</domain>",
    b"<pin-set>",
    b"</pin-set>",
    b"<pin-set expiration=\"2030-01-01\">",
    b"<pin-set expiration=\"2030-02-30\">",
    b"<pin digest=\"SHA-256\">",
    b"<pin digest=\"sha-256\">",
    b"</pin>",
    b"7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=",
    b"AAAA",
    b"<!DOCTYPE x [<!ENTITY a \"b\">]>",
    b"&a;",
    b"&lt;",
    b"&#0;",
    b"&#x110000;",
    b"<![CDATA[",
    b"]]>",
    b"<?xml version=\"1.0\"?>",
    b"<!-- -->",
    b"\xef\xbb\xbf",
    b"<base-config>",
    b"<debug-overrides>",
    b"<trust-anchors>",
    b"</trust-anchors>",
    b"<certificates src=\"user\" overridePins=\"true\"/>",
    b"<certificates src=\"@raw/ca\" overridePins=\"maybe\"/>",
    b"<certificates/>",
    b" cleartextTrafficPermitted=\"TRUE\"",
    b"xmlns:a=\"urn:x\"",
    b"\"",
    b"=",
    b">",
    b"</",
    b"\x03\x00\x08\x00",
];
const XML_NEST: &[(&[u8], &[u8])] = &[
    (b"<domain-config><domain>d.example</domain>", b"</domain-config>"),
    (b"<domain-config>", b"</domain-config>"),
    (b"<a>", b"</a>"),
];

#[test]
fn android_network_security_config() {
    let seeds = vec![
        read("tests/fixtures/pins/network_security_config.xml"),
        read("sample-projects/acme-pay/android/network_security_config.xml"),
        read("tests/fixtures/pins/network_security_config.bad-base64.xml"),
        read("tests/fixtures/pins/network_security_config.bad-digest.xml"),
        read("tests/fixtures/pins/network_security_config.bad-expiration.xml"),
        read("tests/fixtures/pins/network_security_config.bad-length.xml"),
        read("tests/fixtures/pins/network_security_config.malformed.xml"),
        read("tests/fixtures/pins/network_security_config.full.xml"),
    ];
    let inputs = Mutator::new(0x5eed_0002, seeds, XML_TOKENS, XML_NEST);
    run("android-nsc", 4000, inputs, |input| {
        use strata::model::app_config::android::parse_nsc;
        use strata::model::pin_import::{PinImportError, parse_android_nsc};
        let text = String::from_utf8_lossy(&input.bytes);
        // The whole-config reader runs on what the pin importer accepted;
        // it may still refuse (a bad boolean), with a position in the text.
        let whole = |sets: &[strata::model::pin_import::ImportedPinSet]| match parse_nsc(&text, "fuzz.xml", sets) {
            Ok(cfg) => {
                if cfg.domains.iter().any(|d| d.domain.is_empty() || d.origin.is_empty()) {
                    return Err(format!("a domain without a name or origin: {cfg:?}"));
                }
                Ok(Verdict::Accepted)
            }
            Err(PinImportError::Xml {
                line, column, message, ..
            }) => {
                clear_message(&message)?;
                if line == 0 || column == 0 || u64::from(line) > lines(&text) {
                    return Err(format!("config position {line}:{column} outside the text"));
                }
                Ok(Verdict::Refused)
            }
            Err(other) => Err(format!("config: not an XML error: {other}")),
        };
        match parse_android_nsc(&text, "fuzz.xml") {
            Ok(sets) => {
                well_formed_pins(&sets)?;
                whole(&sets)
            }
            Err(e) => {
                clear_message(&e.to_string())?;
                match &e {
                    PinImportError::Xml { line, column, .. } => {
                        if *line == 0 || *column == 0 || u64::from(*line) > lines(&text) {
                            return Err(format!("position {line}:{column} outside the text: {e}"));
                        }
                    }
                    other => return Err(format!("not an XML error: {other}")),
                }
                Ok(Verdict::Refused)
            }
        }
    });
}

const PLIST_TOKENS: &[&[u8]] = &[
    b"<dict>",
    b"</dict>",
    b"<array>",
    b"</array>",
    b"<key>NSAppTransportSecurity</key>",
    b"<key>NSPinnedDomains</key>",
    b"<key>NSIncludesSubdomains</key><true/>",
    b"<key>NSPinnedLeafIdentities</key>",
    b"<key>NSPinnedCAIdentities</key>",
    b"<key>SPKI-SHA256-BASE64</key>",
    b"<key>NSExceptionDomains</key>",
    b"<key>NSExceptionMinimumTLSVersion</key>",
    b"<key>NSAllowsArbitraryLoads</key>",
    b"<key>TSKConfiguration</key>",
    b"<key>TSKPinnedDomains</key>",
    b"<key>TSKPublicKeyHashes</key>",
    b"<key>TSKEnforcePinning</key><false/>",
    b"<key>TSKExpirationDate</key><string>2030-13-40</string>",
    b"<string>7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=</string>",
    b"<string></string>",
    b"<data>AAAA</data>",
    b"<integer>-1</integer>",
    b"<real>1e999</real>",
    b"<date>2030-01-01T00:00:00Z</date>",
    b"<true/>",
    b"bplist00",
    b"\x00\x00\x00\x00\x00\x00\x00\x08",
    b"\xff\xff\xff\xff\xff\xff\xff\xff",
    b"{",
    b"}",
    b"(",
    b")",
    b" = ",
    b";",
    b"\"",
    b"<!DOCTYPE plist>",
    b"&amp;",
    b"<![CDATA[x]]>",
];
const PLIST_NEST: &[(&[u8], &[u8])] = &[
    (b"<array>", b"</array>"),
    (b"<dict><key>k</key>", b"</dict>"),
    (b"(", b")"),
    (b"{a=", b";}"),
];

#[test]
fn ios_info_plist() {
    // An ASCII (OpenStep) plist seed too: the third format the importer reads.
    let ascii = br#"{ NSAppTransportSecurity = { NSPinnedDomains = { "api.example.com" = { NSIncludesSubdomains = 1; NSPinnedCAIdentities = ( { "SPKI-SHA256-BASE64" = "7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y="; } ); }; }; }; }"#;
    let seeds = vec![
        read("tests/fixtures/pins/Info.plist"),
        read("tests/fixtures/pins/Info-binary.plist"),
        read("tests/fixtures/pins/Info.bad-base64.plist"),
        read("tests/fixtures/pins/Info.bad-type.plist"),
        read("sample-projects/acme-pay/ios/Info.plist"),
        read("tests/fixtures/pins/Info.trustkit.plist"),
        ascii.to_vec(),
    ];
    let inputs = Mutator::new(0x5eed_0003, seeds, PLIST_TOKENS, PLIST_NEST);
    run("ios-plist", 4000, inputs, |input| {
        use strata::model::pin_import::{PinImportError, parse_ios_plist};
        match parse_ios_plist(&input.bytes, "Info.plist") {
            Ok(sets) => {
                if sets.iter().any(|s| s.expiration.is_some()) {
                    return Err("an iOS pin set with an expiration".into());
                }
                well_formed_pins(&sets)?;
                // ATS and TrustKit on the same bytes: accepted, or refused
                // with a key path.
                match strata::model::app_config::ios::parse_plist(&input.bytes, "Info.plist") {
                    Ok((_, trustkit)) => well_formed_pins(&trustkit).map(|_| Verdict::Accepted),
                    Err(PinImportError::Plist { key_path, message, .. }) if !key_path.is_empty() => {
                        clear_message(&message)?;
                        Ok(Verdict::Refused)
                    }
                    Err(other) => Err(format!("ATS: not a plist error with a key path: {other}")),
                }
            }
            Err(e) => {
                clear_message(&e.to_string())?;
                match &e {
                    PinImportError::Plist { key_path, .. } if !key_path.is_empty() => Ok(Verdict::Refused),
                    other => Err(format!("not a plist error with a key path: {other}")),
                }
            }
        }
    });
}

/// A TLS record.
fn record(content_type: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type];
    out.extend(version.to_be_bytes());
    out.extend((body.len() as u16).to_be_bytes());
    out.extend(body);
    out
}

/// A handshake message.
fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend(&(body.len() as u32).to_be_bytes()[1..]);
    out.extend(body);
    out
}

/// A ServerHello body with the given extensions (none: no extension block).
fn server_hello(version: u16, suite: u16, extensions: Option<&[(u16, &[u8])]>) -> Vec<u8> {
    let mut b = version.to_be_bytes().to_vec();
    b.extend([0x42; 32]);
    b.push(32);
    b.extend([0x17; 32]);
    b.extend(suite.to_be_bytes());
    b.push(0);
    if let Some(exts) = extensions {
        let mut e = Vec::new();
        for (kind, data) in exts {
            e.extend(kind.to_be_bytes());
            e.extend((data.len() as u16).to_be_bytes());
            e.extend(*data);
        }
        b.extend((e.len() as u16).to_be_bytes());
        b.extend(e);
    }
    b
}

const TLS_TOKENS: &[&[u8]] = &[
    b"\x16\x03\x03",
    b"\x16\x03\x01\x00\x00",
    b"\x15\x03\x03\x00\x02\x02\x28",
    b"\x15\x03\x03\x00\x02\x01\x00",
    b"\x17\x03\x03",
    b"\x14\x03\x03\x00\x01\x01",
    b"\x02\x00\x00",
    b"\x0b\xff\xff\xff",
    b"\xff\x01\x00\x01\x00",
    b"\x00\x2b\x00\x02\x03\x04",
    b"\xff\xff",
    b"\x00\x00",
    b"HTTP/1.1 400 Bad Request\r\n\r\n",
    b"\x80\x2e\x04\x00\x01\x00\x02",
];

#[test]
fn server_hello_parser() {
    use strata::probe::legacy::{HelloAnswer, parse_server_answer};
    let tls12 = server_hello(0x0303, 0xC02F, Some(&[(0xFF01, &[0]), (0x000B, &[1, 0])]));
    let tls13 = server_hello(0x0303, 0x1301, Some(&[(0x002B, &[3, 4])]));
    let ssl3 = server_hello(0x0300, 0x002F, None);
    let hello12 = handshake(2, &tls12);
    let certificate = handshake(11, &[0, 0, 6, 0, 0, 3, 1, 2, 3]);
    let mut flight = hello12.clone();
    flight.extend(&certificate);
    let (first, second) = hello12.split_at(20);
    let seeds = vec![
        record(0x16, 0x0303, &hello12),
        record(0x16, 0x0303, &handshake(2, &tls13)),
        record(0x16, 0x0300, &handshake(2, &ssl3)),
        record(0x16, 0x0303, &flight),
        [record(0x16, 0x0303, first), record(0x16, 0x0303, second)].concat(),
        record(0x15, 0x0303, &[2, 70]),
        record(0x15, 0x0301, &[1, 0]),
        [record(0x15, 0x0303, &[1, 90]), record(0x16, 0x0303, &hello12)].concat(),
        b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec(),
    ];
    let inputs = Mutator::new(0x5eed_0004, seeds, TLS_TOKENS, &[]);
    run("server-hello", 6000, inputs, |input| {
        let answer = parse_server_answer(&input.bytes);
        if input.bytes.is_empty() != (answer == HelloAnswer::Closed) {
            return Err(format!("{answer:?} for {} bytes", input.bytes.len()));
        }
        match answer {
            HelloAnswer::Garbage { detail } => {
                clear_message(&detail)?;
                if detail.len() > 200 {
                    return Err(format!("a {}-byte reason", detail.len()));
                }
                Ok(Verdict::Refused)
            }
            HelloAnswer::Alert { level, .. } if !(1..=2).contains(&level) => Err(format!("alert level {level}")),
            HelloAnswer::Closed => Ok(Verdict::Refused),
            _ => Ok(Verdict::Accepted),
        }
    });
}

#[test]
fn raw_chain_parser() {
    use strata::probe::raw_chain::{Flight, MAX_FLIGHT, parse_flight};
    let tls12 = server_hello(0x0303, 0xC02F, Some(&[(0xFF01, &[0])]));
    let hello12 = handshake(2, &tls12);
    let two_certs = handshake(11, &[0, 0, 12, 0, 0, 3, 1, 2, 3, 0, 0, 3, 4, 5, 6]);
    let mut flight = hello12.clone();
    flight.extend(&two_certs);
    let (first, second) = flight.split_at(30);
    let seeds = vec![
        record(0x16, 0x0303, &flight),
        [record(0x16, 0x0303, first), record(0x16, 0x0303, second)].concat(),
        [record(0x16, 0x0303, &hello12), record(0x16, 0x0303, &two_certs)].concat(),
        record(0x15, 0x0303, &[2, 40]),
        b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec(),
    ];
    let inputs = Mutator::new(0x5eed_0007, seeds, TLS_TOKENS, &[]);
    run("raw-chain", 4000, inputs, |input| match parse_flight(&input.bytes) {
        Flight::Chain(chain) => {
            let total: usize = chain.certificates.iter().map(Vec::len).sum();
            if chain.certificates.is_empty() || chain.certificates.iter().any(Vec::is_empty) || total > MAX_FLIGHT {
                return Err(format!("malformed chain accepted: {chain:?}"));
            }
            Ok(Verdict::Accepted)
        }
        Flight::NeedMore => Ok(Verdict::Refused),
        Flight::Refused(why) => {
            clear_message(&why)?;
            Ok(Verdict::Refused)
        }
    });
}

#[test]
fn enumeration_flight_parser() {
    use strata::probe::enumerate::{FlightAnswer, FlightProgress, KeyExchange, MAX_FLIGHT, parse_flight};
    let hello = handshake(2, &server_hello(0x0303, 0x009E, Some(&[(0xFF01, &[0])])));
    let mut dhe = Vec::new();
    for part in [&[0xC0u8; 64][..], &[2][..], &[7; 16][..]] {
        dhe.extend((part.len() as u16).to_be_bytes());
        dhe.extend(part);
    }
    dhe.extend([0x08, 0x04, 0, 2, 1, 1]);
    let ecdhe = [3, 0x00, 0x17, 2, 4, 4, 0x04, 0x03, 0, 0];
    let mut flight = hello.clone();
    flight.extend(handshake(11, &[0, 0, 0]));
    flight.extend(handshake(12, &dhe));
    flight.extend(handshake(14, &[]));
    let ecdhe_hello = handshake(2, &server_hello(0x0303, 0xC02F, Some(&[])));
    let mut ecdhe_flight = ecdhe_hello.clone();
    ecdhe_flight.extend(handshake(12, &ecdhe));
    let hrr_random: [u8; 32] = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2,
        0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ];
    let mut hrr = server_hello(0x0303, 0x1301, Some(&[(0x002B, &[3, 4]), (0x0033, &[0, 0x1d])]));
    hrr[2..34].copy_from_slice(&hrr_random);
    let (first, second) = flight.split_at(40);
    let seeds = vec![
        record(0x16, 0x0303, &flight),
        [record(0x16, 0x0303, first), record(0x16, 0x0303, second)].concat(),
        record(0x16, 0x0303, &ecdhe_flight),
        record(0x16, 0x0303, &handshake(2, &hrr)),
        record(0x15, 0x0303, &[2, 40]),
        b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec(),
    ];
    let inputs = Mutator::new(0x5eed_0011, seeds, TLS_TOKENS, &[]);
    run("enumeration-flight", 5000, inputs, |input| {
        let mut hello = false;
        for want in [false, true] {
            let answer = match parse_flight(&input.bytes, want) {
                FlightProgress::Done(a) | FlightProgress::NeedMore(a) => a,
            };
            match answer {
                FlightAnswer::Garbage(why) => clear_message(&why)?,
                FlightAnswer::Alert { level, .. } if !(1..=2).contains(&level) => {
                    return Err(format!("alert level {level}"));
                }
                FlightAnswer::Hello(h) => {
                    hello = true;
                    if let Some(KeyExchange::Dhe { p, .. }) = &h.key_exchange
                        && (p.len() > MAX_FLIGHT || p.len() > input.bytes.len())
                    {
                        return Err(format!("a {}-byte prime from {} bytes", p.len(), input.bytes.len()));
                    }
                }
                _ => {}
            }
        }
        Ok(if hello { Verdict::Accepted } else { Verdict::Refused })
    });
}

#[test]
fn ssl2_server_hello_parser() {
    use strata::probe::enumerate::parse_ssl2_answer;
    let mut sh = vec![
        4, 0, 1, 0, 2, 0, 3, 0, 6, 0, 16, 9, 9, 9, 0x01, 0x00, 0x80, 0x07, 0x00, 0xC0,
    ];
    sh.extend([0; 16]);
    let mut good = ((sh.len() as u16) | 0x8000).to_be_bytes().to_vec();
    good.extend(&sh);
    let seeds = vec![good, vec![0x80, 0x03, 0x00, 0x00, 0x01], record(0x15, 0x0303, &[2, 40])];
    let inputs = Mutator::new(0x5eed_0012, seeds, TLS_TOKENS, &[]);
    run("ssl2-server-hello", 4000, inputs, |input| {
        match parse_ssl2_answer(&input.bytes) {
            Some(ciphers) if ciphers.len() * 3 > input.bytes.len() => Err(format!("{} ciphers", ciphers.len())),
            Some(_) => Ok(Verdict::Accepted),
            None => Ok(Verdict::Refused),
        }
    });
}

const RULE_TOKENS: &[&[u8]] = &[
    b"check: true\n",
    b"check: 'tls.version == \"TLSv1_3\"'\n",
    b"when: 1 / 0 == 1\n",
    b"check: size(graph.unauthenticated_paths) == 0\n",
    b"needs: [tls]\n",
    b"needs: [nope]\n",
    b"proof: live\n",
    b"severity: critical\n",
    b"layer: transport\n",
    b"applies_to: system\n",
    b" && ",
    b" || ",
    b" ? ",
    b" : ",
    b"(",
    b")",
    b"[",
    b"]",
    b"\"",
    b"'",
    b"\\",
    b".",
    b"!",
    b"has(",
    b"size(",
    b"int(",
    b"string(",
    b"duration(\"1s\")",
    b"timestamp(\"x\")",
    b"matches(\"(\")",
    b"\"a\".matches(\"[\")",
    b"9223372036854775807 + 1",
    b"-9223372036854775808 / -1",
    b"1 % 0",
    b"[1,2][5]",
    b"{\"a\": 1}.b",
    b"now",
    b"b\"\\xff\"",
    b"r\"x\"",
    b"'''",
    b"0x",
    b"1u",
    b"1.0e999",
    b"\\u{d800}",
];
const RULE_NEST: &[(&[u8], &[u8])] = &[(b"(", b")"), (b"[", b"]"), (b"!", b""), (b"-", b""), (b"size(", b")")];

#[test]
fn ruleset_loader() {
    let names = [
        "architecture",
        "declared",
        "gateway",
        "identity",
        "legacy",
        "pinning",
        "transport",
    ];
    let seeds: Vec<Vec<u8>> = names.iter().map(|n| read(&format!("rulesets/{n}.yaml"))).collect();
    let model = sample_model();
    let inputs = Mutator::new(0x5eed_0005, seeds, RULE_TOKENS, RULE_NEST);
    let counter = std::sync::atomic::AtomicUsize::new(0);
    run("ruleset", 1500, inputs, move |input| {
        let text = String::from_utf8_lossy(&input.bytes).into_owned();
        let file = PathBuf::from(format!("rulesets/{}.yaml", names[input.seed]));
        match strata::audit::rules::Ruleset::from_sources([(file, text.clone())]) {
            Ok(rules) => {
                // Compiled rules must also run: every fourth accepted set
                // audits a sample.
                if counter
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                    .is_multiple_of(4)
                {
                    let out = strata::pipeline::audit_with(&model, &rules, strata::evidence::Evidence::default());
                    if out.audit.findings.is_empty() && !rules.rules.is_empty() {
                        return Err("rules ran on nothing".into());
                    }
                }
                Ok(Verdict::Accepted)
            }
            Err(e) => {
                clear_message(&e.message)?;
                if e.line == 0 || e.line > lines(&text) {
                    return Err(format!("error without a position in the text (line {}): {e}", e.line));
                }
                Ok(Verdict::Refused)
            }
        }
    });
}

const OPENAPI_TOKENS: &[&[u8]] = &[
    b"security: []\n",
    b"security: [{}]\n",
    b"security:\n  - bearer: []\n",
    b"openapi: 3.0.0\n",
    b"swagger: \"2.0\"\n",
    b"servers:\n  - url: https://api.example.com/v1\n",
    b"servers: [{ url: '' }]\n",
    b"servers: [{ url: '{x}' }]\n",
    b"  /a/{id}/{b:\n",
    b"    get: {}\n",
    b"    post:\n      security: [{ k: [] }]\n",
    b"operationId: x\n",
    b"200:",
    b"~",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"'",
    b": ",
    b"- ",
    b"\t",
    b"\\u0000",
    b",",
];
const OPENAPI_NEST: &[(&[u8], &[u8])] = &[(b"[", b"]"), (b"{\"a\":", b"}"), (b"{a: ", b"}"), (b"- ", b"")];

#[test]
fn openapi_importer() {
    use strata::model::openapi::{parse, protected_routes};
    let yaml_seeds = [
        read("sample-projects/acme-pay/openapi.yaml"),
        read("sample-projects/gateway-lab/openapi.yaml"),
    ];
    let mut seeds = yaml_seeds.to_vec();
    // The same documents as JSON (even seeds YAML, odd JSON).
    for y in &yaml_seeds {
        let doc = match parse(&String::from_utf8_lossy(y), false) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        seeds.push(serde_json::to_vec_pretty(&doc).unwrap_or_default());
    }
    let inputs = Mutator::new(0x5eed_0006, seeds, OPENAPI_TOKENS, OPENAPI_NEST);
    run("openapi", 4000, inputs, |input| {
        let text = String::from_utf8_lossy(&input.bytes);
        let json = input.seed >= 2;
        let refused = |e: String| clear_message(&e).map(|_| Verdict::Refused);
        let doc = match parse(&text, json) {
            Ok(d) => d,
            Err(e) => return refused(e),
        };
        match protected_routes(&doc) {
            Ok(routes) => {
                for r in &routes {
                    if !r.path.starts_with('/') || r.method.is_empty() || r.method != r.method.to_uppercase() {
                        return Err(format!("malformed route {:?}", r.label()));
                    }
                    if r.path.contains('{') && r.path.contains('}') {
                        return Err(format!("template left in {:?}", r.path));
                    }
                }
                Ok(Verdict::Accepted)
            }
            Err(e) => refused(e),
        }
    });
}

#[test]
fn the_mutator_is_deterministic_and_varied() {
    let seeds = vec![b"a: 1\nb: [2, 3]\n".to_vec()];
    let take = |seed| {
        let mut m = Mutator::new(seed, seeds.clone(), YAML_TOKENS, YAML_NEST);
        (0..200).map(|_| m.next().bytes).collect::<Vec<_>>()
    };
    assert_eq!(take(7), take(7));
    let distinct: std::collections::BTreeSet<Vec<u8>> = take(7).into_iter().collect();
    assert!(distinct.len() > 150, "{} distinct inputs of 200", distinct.len());
}

/// Entries of the app-build fixtures (tests/fixtures/apps/, made by aapt).
fn app_entries(entry: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for apk in ["insecure.apk", "hardened.apk", "no-nsc.apk", "sample-android.apk"] {
        let path = root().join("tests/fixtures/apps").join(apk);
        let mut zip = match strata::appbuild::zipsafe::SafeZip::open(&path) {
            Ok(z) => z,
            Err(e) => panic!("{e}"),
        };
        if zip.contains(entry) {
            match zip.read(entry, 1 << 20) {
                Ok(b) => out.push(b),
                Err(e) => panic!("{e}"),
            }
        }
    }
    out
}

/// Chunk headers and fields of Android's resource formats worth inserting.
const RES_TOKENS: &[&[u8]] = &[
    b"\x03\x00\x08\x00",
    b"\x01\x00\x1c\x00",
    b"\x80\x01\x08\x00",
    b"\x00\x01\x10\x00\x18\x00\x00\x00",
    b"\x02\x01\x10\x00",
    b"\x03\x01\x10\x00\x18\x00\x00\x00",
    b"\x04\x01\x10\x00",
    b"\x02\x00\x0c\x00",
    b"\x00\x02\x20\x01",
    b"\x01\x02\x54\x00",
    b"\x02\x02\x10\x00",
    b"\xff\xff\xff\xff",
    b"\x00\x00\x00\x00",
    b"\xff\xff\xff\x7f",
    b"\x08\x00\x00\x12",
    b"\x08\x00\x00\x01",
    b"\x08\x00\x00\x03",
    b"\x00\x01\x00\x00",
    b"\xff\x7f",
    b"\x80\x80",
];
/// A start element (string 0, no attributes) and its end, for nesting.
const AXML_NEST: &[(&[u8], &[u8])] = &[(
    b"\x02\x01\x10\x00\x24\x00\x00\x00\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\x14\x00\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00",
    b"\x03\x01\x10\x00\x18\x00\x00\x00\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00",
)];

/// Half the inputs get their outer chunk's size set to their length, so
/// that insertions and deletions reach the inner chunks instead of all
/// failing the outer size check.
fn fix_outer_size(input: &Input) -> Vec<u8> {
    let mut b = input.bytes.clone();
    if b.len() >= 8 && input.bytes.iter().map(|x| usize::from(*x)).sum::<usize>() % 2 == 0 {
        let n = u32::try_from(b.len()).unwrap_or(u32::MAX);
        b[4..8].copy_from_slice(&n.to_le_bytes());
    }
    b
}

#[test]
fn android_binary_xml() {
    let mut seeds = app_entries("AndroidManifest.xml");
    seeds.extend(app_entries("res/xml/network_security_config.xml"));
    assert!(seeds.len() >= 7);
    let inputs = Mutator::new(0x5eed_0007, seeds, RES_TOKENS, AXML_NEST);
    run("android-binary-xml", 6000, inputs, |input| {
        use strata::appbuild::axml::{NoResources, parse};
        let bytes = fix_outer_size(input);
        let doc = match parse(&bytes) {
            Ok(d) => d,
            Err(e) => return clear_message(&e.to_string()).map(|_| Verdict::Refused),
        };
        if doc.elements.is_empty() {
            return Err("a document without elements".into());
        }
        for (i, e) in doc.elements.iter().enumerate() {
            if e.parent.is_some_and(|p| p >= i) || (i > 0 && e.parent.is_none()) {
                return Err(format!("element {i} has parent {:?}", e.parent));
            }
        }
        let xml = match doc.to_xml(&NoResources) {
            Ok(x) => x,
            Err(e) => return clear_message(&e.to_string()).map(|_| Verdict::Refused),
        };
        // The rendering is well-formed XML with the same elements.
        let parsed = roxmltree::Document::parse(&xml).map_err(|e| format!("rendering is not XML: {e}\n{xml}"))?;
        let count = parsed.descendants().filter(|n| n.is_element()).count();
        if count != doc.elements.len() {
            return Err(format!("{count} elements rendered of {}", doc.elements.len()));
        }
        // And the NSC importer takes it without panicking.
        let _ = strata::model::pin_import::parse_android_nsc(&xml, "fuzz.apk!/res/xml/n.xml");
        Ok(Verdict::Accepted)
    });
}

#[test]
fn resource_table() {
    let seeds = app_entries("resources.arsc");
    assert!(seeds.len() >= 4);
    let inputs = Mutator::new(0x5eed_0008, seeds, RES_TOKENS, &[]);
    run("resource-table", 4000, inputs, |input| {
        use strata::appbuild::axml::ResolveReference as _;
        let bytes = fix_outer_size(input);
        let table = match strata::appbuild::arsc::parse(&bytes) {
            Ok(t) => t,
            Err(e) => return clear_message(&e.to_string()).map(|_| Verdict::Refused),
        };
        let mut ids = table.ids();
        ids.truncate(10_000);
        ids.extend([0x7f02_0000, 0x7f03_0000, 0x7f04_0000, 0x0101_0000, 0x7fff_ffff, 0]);
        let mut refused = false;
        for id in ids {
            match table.resolve(id) {
                Ok(Some(r)) if r.id != id => return Err(format!("0x{id:08x} resolved as 0x{:08x}", r.id)),
                Ok(_) => {
                    let _ = table.reference_name(id);
                }
                Err(e) => {
                    clear_message(&e.to_string())?;
                    refused = true;
                }
            }
        }
        Ok(if refused { Verdict::Refused } else { Verdict::Accepted })
    });
}

#[test]
fn apk_archive() {
    let seeds: Vec<Vec<u8>> = ["insecure.apk", "hardened.apk", "no-nsc.apk", "sample-android.apk"]
        .iter()
        .map(|a| read(&format!("tests/fixtures/apps/{a}")))
        .collect();
    const ZIP_TOKENS: &[&[u8]] = &[
        b"PK\x03\x04",
        b"PK\x01\x02",
        b"PK\x05\x06",
        b"PK\x06\x06",
        b"PK\x06\x07",
        b"APK Sig Block 42",
        b"AndroidManifest.xml",
        b"../",
        b"\\",
        b"\x00",
        b"\xff\xff\xff\xff",
        b"\x08\x00",
        b"\x0c\x00",
        b"\x01\x00",
    ];
    let inputs = Mutator::new(0x5eed_0009, seeds, ZIP_TOKENS, &[]);
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let path = dir.path().join("fuzz.apk");
    run("apk-archive", 3000, inputs, move |input| {
        std::fs::write(&path, &input.bytes).map_err(|e| format!("cannot write the input: {e}"))?;
        match strata::appbuild::read_apk(&path) {
            Ok(apk) => {
                if let Some(nsc) = &apk.network_security_config {
                    if !nsc.entry.starts_with("res/") && !nsc.entry.is_empty() {
                        return Err(format!("NSC entry {:?}", nsc.entry));
                    }
                    let _ = strata::model::pin_import::parse_android_nsc(&nsc.xml, &apk.origin(&nsc.entry));
                }
                for c in &apk.signing {
                    if c.sha256.len() != 64 || !c.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return Err(format!("digest {:?}", c.sha256));
                    }
                }
                Ok(Verdict::Accepted)
            }
            Err(e) => {
                let msg = e.to_string();
                clear_message(&msg)?;
                if !msg.contains("fuzz.apk") {
                    return Err(format!("the error does not name the archive: {msg}"));
                }
                Ok(Verdict::Refused)
            }
        }
    });
}

#[test]
fn ipa_info_plist() {
    // The bundle-id walk of strata::appbuild::ipa over the iOS seeds and
    // the IPA fixtures' binary plists.
    let mut seeds = vec![
        read("tests/fixtures/pins/Info.plist"),
        read("tests/fixtures/pins/Info-binary.plist"),
        read("sample-projects/acme-pay/ios/Info.plist"),
    ];
    for ipa in ["insecure.ipa", "hardened.ipa", "nested.ipa"] {
        match strata::appbuild::read_ipa(&root().join("tests/fixtures/apps").join(ipa)) {
            Ok(i) => seeds.push(i.info_plist),
            Err(e) => panic!("{e}"),
        }
    }
    let inputs = Mutator::new(0x5eed_000a, seeds, PLIST_TOKENS, PLIST_NEST);
    run(
        "ipa-info-plist",
        3000,
        inputs,
        |input| match strata::appbuild::ipa::bundle_identifier(&input.bytes) {
            Ok(Some(id)) if id.len() > input.bytes.len() => Err(format!("a bundle id longer than its plist: {id:?}")),
            Ok(_) => Ok(Verdict::Accepted),
            Err(e) => clear_message(&e).map(|_| Verdict::Refused),
        },
    );
}

#[test]
fn tls_vulns_record_and_flight_parsers() {
    use strata::probe::vulns::{FlightProgress, MAX_RECORD, RecordSplit, parse_flight, split_record};
    let hello = handshake(
        2,
        &server_hello(0x0303, 0x002F, Some(&[(0xFF01, &[0]), (0x000F, &[1])])),
    );
    let certificate = handshake(11, &[0, 0, 6, 0, 0, 3, 1, 2, 3]);
    let done = handshake(14, &[]);
    let flight = [hello.clone(), certificate.clone(), done.clone()].concat();
    let seeds = vec![
        flight.clone(),
        [hello.clone(), done.clone()].concat(),
        record(0x16, 0x0303, &flight),
        record(0x18, 0x0303, &[2, 0x40, 0x00, 1, 2, 3]),
        [
            record(0x16, 0x0303, &hello),
            record(0x16, 0x0303, &handshake(4, &[0, 0, 0, 1, 0, 0])),
            record(0x14, 0x0303, &[1]),
        ]
        .concat(),
        record(0x15, 0x0303, &[2, 20]),
        b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec(),
    ];
    let inputs = Mutator::new(0x5eed_0011, seeds, TLS_TOKENS, &[]);
    run("tls-vulns", 5000, inputs, |input| {
        // The record splitter: a complete record is within its bounds.
        let record_verdict = match split_record(&input.bytes) {
            RecordSplit::Complete(r, used) => {
                if used != r.body.len() + 5 || used > input.bytes.len() || r.body.len() > MAX_RECORD {
                    return Err(format!("record of {} bytes said to use {used}", r.body.len()));
                }
                if !(20..=24).contains(&r.content_type) || r.version >> 8 != 3 {
                    return Err(format!(
                        "record type {} version {:#06x} accepted",
                        r.content_type, r.version
                    ));
                }
                Verdict::Accepted
            }
            RecordSplit::NeedMore => Verdict::Refused,
            RecordSplit::Bad(why) => {
                clear_message(&why)?;
                Verdict::Refused
            }
        };
        // The flight parser (on the raw bytes as handshake bytes) and the
        // TLS 1.2 ticket finder (on the raw bytes as records).
        let _ = strata::probe::vulns::resumption::tls12_ticket_in(&input.bytes);
        match parse_flight(&input.bytes) {
            FlightProgress::Done(f) => {
                if f.version > 0x0303 || f.messages.first() != Some(&2) || f.messages.last() != Some(&14) {
                    return Err(format!("malformed flight accepted: {f:?}"));
                }
                if f.certificates.iter().any(Vec::is_empty) {
                    return Err("an empty certificate accepted".into());
                }
                Ok(Verdict::Accepted)
            }
            FlightProgress::NeedMore => Ok(record_verdict),
            FlightProgress::Refused(why) => {
                clear_message(&why)?;
                Ok(Verdict::Refused)
            }
        }
    });
}

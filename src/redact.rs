//! Redaction: no secret value, nor any long piece of one, leaves an audit.
//!
//! One [`Redactor`] per audit (shared as `Arc<Redactor>` through the probe
//! context) learns every secret the audit handles: the values read through
//! [`crate::model::secret::read`] and the forged tokens the probes derive
//! from them. Whatever a server answers (headers, certificate subjects,
//! error text) passes through [`Redactor::scrub_str`] or
//! [`Redactor::scrub_json`] before it is stored, reported or printed.
//!
//! What is redacted, for a registered value `s`:
//!
//! * when `s` is at least [`WINDOW`] (12) bytes long: every occurrence of
//!   ANY 12-byte substring of `s`, so a server that echoes a truncated,
//!   wrapped or concatenated token is caught too. Overlapping and adjacent
//!   hits merge into one `<redacted>`;
//! * when `s` is 4 to 11 bytes long: its exact occurrences only (a shorter
//!   window would match ordinary words);
//! * when `s` is shorter than [`MIN_SHORT`] (4) bytes: nothing. Such a
//!   value cannot be told apart from ordinary text; it is no secret worth
//!   the name.
//!
//! Besides the value itself, the forms a server might echo are registered
//! too: its base64 and base64url encodings (at each of the three byte
//! alignments, so the base64 of any text that *contains* the secret, such
//! as `Basic` credentials, is caught), and its form/percent-encoded forms
//! when they differ. A PEM value (a private key, a client chain with its
//! key) registers the base64 body of each non-certificate block and each
//! of its lines, not the `-----BEGIN …-----` armour, which is public text.
//! `CERTIFICATE` blocks are public by design (clients send them in the
//! clear, servers serve the same CAs) and are not registered. The dot-separated
//! segments of a JWT need no entry of their own: each of their 12-byte
//! pieces is a piece of the token.
//!
//! Scrubbing costs one hash-set lookup per byte of text (a set of 12-byte
//! windows), plus one substring search per short secret.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::RwLock;

/// Length, in bytes, of the pieces of a secret that are redacted wherever
/// they appear.
pub const WINDOW: usize = 12;

/// Shortest secret redacted at all (as exact occurrences).
pub const MIN_SHORT: usize = 4;

/// What replaces a secret.
pub const REDACTED: &str = "<redacted>";

#[derive(Default)]
struct Inner {
    /// Every 12-byte window of every registered form of length >= 12.
    windows: HashSet<[u8; WINDOW]>,
    /// Registered forms of 4..12 bytes, redacted as exact occurrences.
    short: Vec<String>,
}

/// The secrets of one audit, and the scrubbing of everything it outputs.
/// Thread-safe: probes register while others scrub.
#[derive(Default)]
pub struct Redactor {
    inner: RwLock<Inner>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the values, nor their number's worth of hints.
        f.write_str("Redactor(<secrets>)")
    }
}

/// A value that could not be scrubbed (it does not survive the round trip
/// through JSON once its strings are redacted).
#[derive(Debug, thiserror::Error)]
#[error("cannot scrub secrets out of this value: {0}")]
pub struct ScrubError(#[from] serde_json::Error);

/// The forms of `secret` a server might echo: see the module docs.
fn forms(secret: &str) -> Vec<String> {
    let mut out = Vec::new();
    if secret.contains("-----BEGIN ") {
        let mut body = String::new();
        // Certificates are public by design (a client sends its chain in
        // the clear, servers serve the same CAs): redacting them would
        // scrub the server's own chain out of the evidence. Only the other
        // blocks (private keys) are secret.
        let mut public_block = false;
        for line in secret.lines() {
            let line = line.trim();
            if line.starts_with("-----") {
                if !body.is_empty() {
                    out.push(std::mem::take(&mut body));
                }
                if line.starts_with("-----BEGIN ") {
                    public_block = line.contains("CERTIFICATE-----") && !line.contains("REQUEST");
                }
                continue;
            }
            if public_block {
                continue;
            }
            // Header lines of old-style PEM (`Proc-Type: …`) are public.
            if line.contains(':') {
                continue;
            }
            if !line.is_empty() {
                out.push(line.to_string());
                body.push_str(line);
            }
        }
        if !body.is_empty() {
            out.push(body);
        }
        return out;
    }
    out.push(secret.to_string());
    let bytes = secret.as_bytes();
    // base64 of the secret alone, and the middle of the base64 of any text
    // containing it (each of the three alignments).
    for engine in [&STANDARD, &URL_SAFE] {
        for shift in 0..3usize {
            let mut input = vec![0u8; shift];
            input.extend_from_slice(bytes);
            let encoded = engine.encode(&input);
            // Characters that encode only the secret's bytes: skip the
            // first group when it mixes in the prefix, and the last group
            // when it is partial (it depends on what follows).
            let start = if shift == 0 { 0 } else { 4 };
            let end = input.len() / 3 * 4;
            if end > start {
                out.push(encoded[start..end].to_string());
            }
        }
    }
    out.push(STANDARD.encode(bytes));
    out.push(STANDARD_NO_PAD.encode(bytes));
    out.push(URL_SAFE_NO_PAD.encode(bytes));
    // Form and percent-encoding (upper- and lower-case hex).
    let encoded: String = url::form_urlencoded::byte_serialize(bytes).collect();
    let spaces = encoded.replace('+', "%20");
    for e in [encoded, spaces] {
        let lower = lower_hex(&e);
        out.push(e);
        out.push(lower);
    }
    out.sort();
    out.dedup();
    out
}

/// `%2F` → `%2f`.
fn lower_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut hex_left = 0;
    for c in s.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
        } else {
            if c == '%' {
                hex_left = 2;
            }
            out.push(c);
        }
    }
    out
}

impl Redactor {
    /// An empty redactor.
    pub fn new() -> Self {
        Self::default()
    }

    /// Learns a secret and the forms of it a server might echo. Surrounding
    /// whitespace is ignored; values shorter than [`MIN_SHORT`] bytes are
    /// not registered.
    pub fn register(&self, secret: &str) {
        let secret = secret.trim();
        if secret.len() < MIN_SHORT {
            return;
        }
        let forms = forms(secret);
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        for f in forms {
            let b = f.as_bytes();
            if b.len() >= WINDOW {
                for w in b.windows(WINDOW) {
                    let mut key = [0u8; WINDOW];
                    key.copy_from_slice(w);
                    inner.windows.insert(key);
                }
            } else if b.len() >= MIN_SHORT && !REDACTED.contains(f.as_str()) && !inner.short.contains(&f) {
                inner.short.push(f);
            }
        }
    }

    /// Whether nothing has been registered.
    pub fn is_empty(&self) -> bool {
        self.inner
            .read()
            .map(|i| i.windows.is_empty() && i.short.is_empty())
            .unwrap_or(false)
    }

    /// `text` with every piece of a registered secret replaced by
    /// `<redacted>`; borrowed when there is nothing to replace.
    pub fn scrub_str<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let Ok(inner) = self.inner.read() else {
            // A poisoned lock: say nothing rather than risk a secret.
            return Cow::Owned(REDACTED.to_string());
        };
        let bytes = text.as_bytes();
        let mut hits: Vec<(usize, usize)> = Vec::new();
        if !inner.windows.is_empty() && bytes.len() >= WINDOW {
            let mut key = [0u8; WINDOW];
            for (i, w) in bytes.windows(WINDOW).enumerate() {
                key.copy_from_slice(w);
                if inner.windows.contains(&key) {
                    match hits.last_mut() {
                        Some(last) if i <= last.1 => last.1 = i + WINDOW,
                        _ => hits.push((i, i + WINDOW)),
                    }
                }
            }
        }
        for s in &inner.short {
            hits.extend(text.match_indices(s.as_str()).map(|(i, m)| (i, i + m.len())));
        }
        if hits.is_empty() {
            return Cow::Borrowed(text);
        }
        hits.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        let mut i = 0;
        while i < hits.len() {
            let (mut start, mut end) = hits[i];
            i += 1;
            while i < hits.len() && hits[i].0 <= end {
                end = end.max(hits[i].1);
                i += 1;
            }
            // Windows are bytes: widen to whole characters.
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let start = start.max(at);
            out.push_str(&text[at..start]);
            out.push_str(REDACTED);
            at = end.max(at);
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// [`Redactor::scrub_str`] for an owned string.
    pub fn scrub_string(&self, text: String) -> String {
        match self.scrub_str(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(s) => s,
        }
    }

    /// Scrubs every string of `value` in place, object keys included. Keys
    /// that become equal keep all their values (`<redacted>`, `<redacted>#2`...).
    pub fn scrub_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(s) => {
                if let Cow::Owned(clean) = self.scrub_str(s) {
                    *s = clean;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.scrub_json(v)),
            Value::Object(map) => {
                let dirty = map.keys().any(|k| matches!(self.scrub_str(k), Cow::Owned(_)));
                if dirty {
                    let old = std::mem::take(map);
                    for (k, mut v) in old {
                        self.scrub_json(&mut v);
                        let base = self.scrub_string(k);
                        let mut key = base.clone();
                        let mut n = 1;
                        while map.contains_key(&key) {
                            n += 1;
                            key = format!("{base}#{n}");
                        }
                        map.insert(key, v);
                    }
                } else {
                    map.values_mut().for_each(|v| self.scrub_json(v));
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// Scrubs any serialisable value by a round trip through JSON. Fails
    /// only when the scrubbed JSON no longer fits `T` (a secret equal to an
    /// enum tag, say): the caller then keeps nothing of the value.
    pub fn scrub_serde<T: Serialize + DeserializeOwned>(&self, value: T) -> Result<T, ScrubError> {
        if self.is_empty() {
            return Ok(value);
        }
        let mut json = serde_json::to_value(&value)?;
        self.scrub_json(&mut json);
        Ok(serde_json::from_value(json)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TOKEN: &str = "Zk3q8Lw2Rt9pXv4Mn7Bc1Yd6"; // 24 characters

    fn redactor(secrets: &[&str]) -> Redactor {
        let r = Redactor::new();
        for s in secrets {
            r.register(s);
        }
        r
    }

    /// Independent oracle: no 12-byte piece of `secret` in `text`.
    fn clean(text: &str, secret: &str) -> bool {
        secret
            .as_bytes()
            .windows(WINDOW)
            .all(|w| !text.as_bytes().windows(WINDOW).any(|t| t == w))
    }

    #[test]
    fn whole_partial_and_repeated_occurrences_become_one_marker_each() {
        let r = redactor(&[TOKEN]);
        assert_eq!(r.scrub_str(&format!("a {TOKEN} b")), "a <redacted> b");
        assert_eq!(r.scrub_str(&format!("{TOKEN}{TOKEN}")), "<redacted>");
        // A 12-character piece in the middle of other text.
        assert_eq!(r.scrub_str(&format!("x={}!", &TOKEN[5..17])), "x=<redacted>!");
        // 11 characters are below the window.
        let eleven = &TOKEN[0..11];
        assert_eq!(r.scrub_str(eleven), eleven);
        assert!(matches!(r.scrub_str("nothing here at all, friend"), Cow::Borrowed(_)));
        let text = format!("retry-after: {}, {}; {TOKEN}", &TOKEN[..13], &TOKEN[10..]);
        let out = r.scrub_str(&text);
        assert!(clean(&out, TOKEN), "{out}");
    }

    #[test]
    fn encoded_forms_are_caught() {
        let secret = "s3cr3t/with+slashes=and more";
        let r = redactor(&[secret]);
        for text in [
            STANDARD.encode(secret),
            URL_SAFE_NO_PAD.encode(secret),
            STANDARD.encode(format!("Bearer {secret}")),
            STANDARD.encode(format!("user:{secret}")),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
            lower_hex(&url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>()),
        ] {
            let out = r.scrub_str(&text);
            assert!(out.contains(REDACTED), "{text} -> {out}");
            // What is left is the encoding of the surrounding text, plus at
            // most the groups that mix it with the secret.
            let left: String = out.replace(REDACTED, " ");
            assert!(left.split(' ').all(|p| p.len() <= WINDOW), "{text} -> {out}");
        }
    }

    #[test]
    fn short_secrets_are_exact_and_tiny_ones_ignored() {
        let r = redactor(&["hunter2", "abc"]);
        assert_eq!(r.scrub_str("pw=hunter2;"), "pw=<redacted>;");
        assert_eq!(r.scrub_str("abc"), "abc");
        assert!(redactor(&["abc", "  "]).is_empty());
    }

    #[test]
    fn certificates_are_public_even_in_a_secret_file() {
        // A client chain file holds the lab's issuing CA, which the server
        // serves too: found when the acme-pay pins stopped matching.
        let cert =
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVCb2R5TGluZQ\n-----END CERTIFICATE-----\n";
        let key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";
        let r = redactor(&[&format!("{cert}{key}")]);
        assert_eq!(r.scrub_str(cert), cert);
        assert!(!r.scrub_str(key).contains("MIGHAgEAMBMG"));
    }

    #[test]
    fn pem_bodies_are_redacted_not_their_armour() {
        let pem = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\nAAAABBBBCCCCDDDDEEEEFFFFGGGGHHHH\n-----END PRIVATE KEY-----\n";
        let r = redactor(&[pem]);
        assert_eq!(
            r.scrub_str("-----BEGIN PRIVATE KEY-----"),
            "-----BEGIN PRIVATE KEY-----"
        );
        let out = r.scrub_str(pem);
        assert!(
            out.contains("-----BEGIN PRIVATE KEY-----\n<redacted>\n<redacted>\n"),
            "{out}"
        );
        let joined = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAAAABBBBCCCCDDDDEEEEFFFFGGGGHHHH";
        assert_eq!(r.scrub_str(joined), REDACTED);
    }

    #[test]
    fn json_strings_and_keys_are_scrubbed_and_colliding_keys_kept() {
        let r = redactor(&[TOKEN]);
        let mut v = json!({
            "headers": {"ratelimit": format!("r={TOKEN}"), "n": 3},
            TOKEN: 1,
            format!("{TOKEN}x"): 2,
            "list": [TOKEN, null, true],
        });
        r.scrub_json(&mut v);
        let text = v.to_string();
        assert!(clean(&text, TOKEN), "{text}");
        assert_eq!(v["headers"]["ratelimit"], "r=<redacted>");
        assert_eq!(v["headers"]["n"], 3);
        assert_eq!(v["list"][0], REDACTED);
        let obj = v.as_object().expect("object");
        assert_eq!(obj.len(), 4, "{text}");
        assert!(
            obj.contains_key("<redacted>") && obj.contains_key("<redacted>x"),
            "{text}"
        );
    }

    #[test]
    fn typed_values_round_trip_and_multibyte_text_stays_valid() {
        let secret = "ключ-секрет-значение";
        let r = redactor(&[secret]);
        let out: Vec<String> = r
            .scrub_serde(vec![format!("é{secret}é"), "plain".to_string()])
            .expect("scrub");
        assert_eq!(out, ["é<redacted>é", "plain"]);
        // Windows that start or end inside a character widen to whole
        // characters: the output stays valid UTF-8 and keeps no piece.
        let text = format!("[{}]", &secret[2..17]);
        assert_eq!(r.scrub_str(&text), "[<redacted>]");
        let text = format!("ж{}ж", &secret[4..19]);
        assert_eq!(r.scrub_str(&text), "ж<redacted>ж");
    }

    #[test]
    fn concurrent_registration_and_scrubbing() {
        let r = std::sync::Arc::new(Redactor::new());
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let r = r.clone();
                std::thread::spawn(move || {
                    let s = format!("{TOKEN}-{i}");
                    r.register(&s);
                    r.scrub_string(s)
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().expect("thread"), REDACTED);
        }
    }
}

//! Probe failures in plain words. A probe's failure reason may carry a
//! library's wording (rustls enum names such as `InvalidContentType` or
//! `UnknownIssuer`, raw UNIX timestamps, OS error text); [`explain`] maps
//! the common ones to one sentence a reader can act on and keeps the raw
//! text as the `detail`. The raw text also stays in the evidence.

use crate::evidence::ProbeFailure;

/// A failure, explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plain {
    /// One sentence in plain words.
    pub sentence: String,
    /// The library's raw text, when the sentence is not that text.
    pub detail: Option<String>,
}

/// Longest run of digits read as a timestamp (guards the parse).
const MAX_DIGITS: usize = 12;

/// The UNIX timestamp written right after one of `markers` in `raw`.
fn timestamp_after(raw: &str, markers: &[&str]) -> Option<i64> {
    markers.iter().find_map(|m| {
        let at = raw.find(m)? + m.len();
        let digits: String = raw[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .take(MAX_DIGITS)
            .collect();
        digits.parse().ok()
    })
}

/// A UNIX time as a date and time of day, UTC (`2026-12-03 19:08 UTC`).
pub fn date(unix: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| format!("UNIX time {unix}"))
}

fn sentence(f: &ProbeFailure) -> Option<String> {
    let raw = f.reason.as_str();
    let lower = raw.to_ascii_lowercase();
    let has = |s: &str| raw.contains(s);
    if has("InvalidContentType") {
        return Some("the server answered with something that is not TLS".into());
    }
    if has("BadSignature") {
        return Some("a certificate in the server's chain carries a signature that does not verify".into());
    }
    if has("UnknownIssuer") {
        return Some("the server's certificate is not issued by an authority this endpoint trusts".into());
    }
    if has("NotValidYet") || lower.contains("not valid yet") {
        let when = timestamp_after(raw, &["not valid before ", "not_before: UnixTime("]);
        return Some(match when {
            Some(t) => format!(
                "the server's certificate is not valid yet: it is valid from {}",
                date(t)
            ),
            None => "the server's certificate is not valid yet".into(),
        });
    }
    if has("Expired") || lower.contains("certificate expired") {
        let when = timestamp_after(raw, &["not valid after ", "not_after: UnixTime("]);
        return Some(match when {
            Some(t) => format!("the server's certificate expired on {}", date(t)),
            None => "the server's certificate has expired".into(),
        });
    }
    // The operating system's wording (`Connection refused (os error 111)`);
    // a probe's own sentence ("nothing listens on …") is already plain.
    let os = has("os error") || has("tcp connect error") || has("error trying to connect");
    if has("Connection refused") || (os && lower.contains("connection refused")) {
        return Some(
            "nothing accepted the connection: no server listens at this address and port (connection refused)".into(),
        );
    }
    if has("Connection reset") || (os && lower.contains("reset")) {
        return Some("the server cut the connection (connection reset)".into());
    }
    if has("TimedOut") || has("deadline has elapsed") || (os && lower.contains("timed out")) {
        return Some("the server did not answer in time (timed out)".into());
    }
    None
}

/// Why a chain did not verify, in plain words, from the verifier's stable
/// code (`unknown-issuer`, `expired`…) and its own message (`detail`, which
/// stays in the evidence as `tls.trust_detail`). `""` when `code` is empty
/// (the chain verified).
pub fn trust_reason(code: &str, detail: &str) -> String {
    let from_detail = || sentence(&ProbeFailure::new("verify", detail));
    match code {
        "" => String::new(),
        "expired" | "not-yet-valid" | "unknown-issuer" | "bad-signature" => {
            from_detail().unwrap_or_else(|| match code {
                "expired" => "the server's certificate has expired".into(),
                "not-yet-valid" => "the server's certificate is not valid yet".into(),
                "unknown-issuer" => {
                    "the server's certificate is not issued by an authority this endpoint trusts".into()
                }
                _ => "a certificate in the server's chain carries a signature that does not verify".into(),
            })
        }
        "not-valid-for-name" => "the server's certificate is not valid for this endpoint's name".into(),
        "unsupported-signature-algorithm" => {
            "a certificate in the server's chain is signed with an algorithm Strata does not accept".into()
        }
        "invalid-purpose" => "the server's certificate is not meant for TLS servers (key usage)".into(),
        "bad-encoding" => "a certificate in the server's chain is malformed".into(),
        "revoked" => "the server's certificate is revoked".into(),
        _ => from_detail().unwrap_or_else(|| detail.to_string()),
    }
}

/// `f`'s reason in plain words, with the raw text as the detail when the
/// two differ. A reason already in plain words is kept as it is.
pub fn explain(f: &ProbeFailure) -> Plain {
    match sentence(f) {
        Some(s) if s != f.reason => Plain {
            sentence: s,
            detail: Some(f.reason.clone()),
        },
        _ => Plain {
            sentence: f.reason.clone(),
            detail: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(stage: &str, reason: &str) -> Plain {
        explain(&ProbeFailure::new(stage, reason))
    }

    #[test]
    fn library_wording_becomes_a_sentence_and_the_raw_text_is_kept() {
        let p = plain("handshake", "received corrupt message of type InvalidContentType");
        assert_eq!(p.sentence, "the server answered with something that is not TLS");
        assert_eq!(
            p.detail.as_deref(),
            Some("received corrupt message of type InvalidContentType")
        );
        assert!(
            plain("handshake", "invalid peer certificate: BadSignature")
                .sentence
                .contains("does not verify")
        );
        assert!(
            plain("handshake", "invalid peer certificate: UnknownIssuer")
                .sentence
                .contains("not issued by")
        );
        let p = plain("connect", "tcp connect error: Connection refused (os error 111)");
        assert!(p.sentence.contains("connection refused"), "{}", p.sentence);
        assert!(
            plain("connect", "Connection reset by peer (os error 104)")
                .sentence
                .contains("connection reset")
        );
        assert!(
            plain("timeout", "deadline has elapsed")
                .sentence
                .contains("did not answer in time")
        );
        assert!(
            plain("connect", "Connection timed out (os error 110)")
                .sentence
                .contains("did not answer in time")
        );
        // A probe's own plain sentence is kept, with its address.
        let p = plain("connect", "nothing listens on 127.0.0.1:447 (connection refused)");
        assert_eq!(p.sentence, "nothing listens on 127.0.0.1:447 (connection refused)");
        assert_eq!(p.detail, None);
    }

    #[test]
    fn raw_unix_timestamps_become_dates() {
        // 1700000000 is 2023-11-14 22:13:20 UTC; 1600000000 is 2020-09-13 12:26:40 UTC.
        let p = plain(
            "handshake",
            "certificate expired: verification time 1700000000 (UNIX), but certificate is not valid after 1600000000 (100000000 seconds ago)",
        );
        assert_eq!(p.sentence, "the server's certificate expired on 2020-09-13 12:26 UTC");
        let p = plain(
            "handshake",
            "invalid peer certificate: NotValidYetContext { time: UnixTime(1600000000), not_before: UnixTime(1700000000) }",
        );
        assert_eq!(
            p.sentence,
            "the server's certificate is not valid yet: it is valid from 2023-11-14 22:13 UTC"
        );
        assert!(!p.sentence.contains("NotValidYet"));
    }

    #[test]
    fn chain_verification_codes_read_as_sentences() {
        assert_eq!(trust_reason("", ""), "");
        let r = trust_reason("unknown-issuer", "invalid peer certificate: UnknownIssuer");
        assert_eq!(
            r,
            "the server's certificate is not issued by an authority this endpoint trusts"
        );
        let r = trust_reason(
            "expired",
            "invalid peer certificate: certificate expired: verification time 1700000000 (UNIX), but certificate is not valid after 1600000000 (100000000 seconds ago)",
        );
        assert_eq!(r, "the server's certificate expired on 2020-09-13 12:26 UTC");
        assert_eq!(
            trust_reason("not-yet-valid", "x"),
            "the server's certificate is not valid yet"
        );
        assert!(trust_reason("not-valid-for-name", "NotValidForNameContext { .. }").contains("name"));
    }

    #[test]
    fn plain_reasons_are_kept_without_a_detail() {
        let p = plain("http", "challenge /c: HTTP 500");
        assert_eq!(p.sentence, "challenge /c: HTTP 500");
        assert_eq!(p.detail, None);
    }
}

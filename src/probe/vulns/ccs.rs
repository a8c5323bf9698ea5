//! CCS injection (CVE-2014-0224), the way sslyze's `openssl_ccs_injection`
//! plugin and testssl.sh's `run_ccs_injection` test it.
//!
//! After the server's first flight has reached ServerHelloDone, and before
//! any key exchange, a ChangeCipherSpec record is sent, then a 2-byte
//! application-data record. A patched server refuses the early CCS: an
//! alert (unexpected_message, or handshake_failure), or it closes the
//! connection. A vulnerable OpenSSL (before 0.9.8za / 1.0.0m / 1.0.1h)
//! accepts it (or goes on without an alert) and switches to keys derived from an empty master secret; it
//! then fails to decrypt the application-data record and answers
//! bad_record_mac (20) or decryption_failed (21), which is the flaw (both
//! tools agree on it). Any other alert, or a close, is "not vulnerable",
//! with the alert recorded. Silence is not a verdict: a server that neither
//! refuses nor answers is "inconclusive" (testssl.sh counts it as not
//! vulnerable; this check does not pass on silence). No complete first
//! flight, or garbage, is an error. At most two connections.

use super::{
    CT_ALERT, CT_APPLICATION_DATA, CT_CHANGE_CIPHER_SPEC, LegacyFlight, Next, Verdict, VulnError, Wire, legacy_flight,
    record,
};
use crate::probe::deadline::limit;
use crate::probe::legacy::{self, LegacyVersion};
use serde::Serialize;
use std::net::SocketAddr;
use std::time::Duration;

/// Longest wait for the answer to the early CCS.
const ANSWER_WAIT: Duration = Duration::from_secs(3);

/// What the CCS-injection check saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CcsInjection {
    /// The verdict.
    pub verdict: Verdict,
    /// The version of the handshake used.
    pub version: String,
    /// What came back after the early CCS (bounded summary).
    pub answer: String,
    /// Connections made.
    pub connections: u32,
}

/// The early ChangeCipherSpec record and the application-data record
/// that follows it.
pub fn payload(version: u16) -> Vec<u8> {
    let mut out = record(CT_CHANGE_CIPHER_SPEC, version, &[1]);
    out.extend(record(CT_APPLICATION_DATA, version, &[0, 0]));
    out
}

/// Runs the check against `addr`; each stage takes at most `io`, cut to the
/// probe's deadline.
pub async fn check(addr: SocketAddr, server_name: Option<&str>, io: Duration) -> Result<CcsInjection, VulnError> {
    let hello = |version| {
        Some(legacy::client_hello(
            version,
            &legacy::version_suites(version),
            server_name,
            false,
        ))
    };
    let (mut wire, flight, connections) = match legacy_flight(addr, io, hello).await? {
        LegacyFlight::Flight {
            wire,
            flight,
            connections,
        } => (wire, flight, connections),
        LegacyFlight::NoLegacyVersion(why) => {
            // The early-CCS flaw is in TLS 1.2 and lower handshakes only.
            return Ok(CcsInjection {
                verdict: Verdict::NotApplicable,
                version: "none".into(),
                answer: format!(
                    "the server refuses TLS 1.2 and 1.0, where the flaw exists ({})",
                    why.join("; ")
                ),
                connections: why.len() as u32,
            });
        }
    };
    let label = LegacyVersion::from_wire(flight.version).map_or("?", |v| v.label());
    if let Err(e) = wire.send(&payload(flight.version), limit(io)).await {
        // Refused at once (reset while sending): a refusal.
        return Ok(CcsInjection {
            verdict: Verdict::NotVulnerable,
            version: label.into(),
            answer: format!("the connection failed while the CCS was sent: {e}"),
            connections,
        });
    }
    let wait = limit(ANSWER_WAIT);
    if wait.is_zero() {
        return Err(VulnError::NoTime("the CCS's answer could not be awaited".into()));
    }
    let (verdict, answer) = judge(&mut wire, wait).await?;
    Ok(CcsInjection {
        verdict,
        version: label.into(),
        answer,
        connections,
    })
}

/// Reads the answer to the early CCS.
async fn judge(wire: &mut Wire, wait: Duration) -> Result<(Verdict, String), VulnError> {
    let next = wire.next(wait).await;
    match &next {
        Next::Record(r) if r.content_type == CT_ALERT => {
            let verdict = match r.body.as_slice() {
                [_, 20 | 21, ..] => Verdict::Vulnerable,
                [_, _, ..] => Verdict::NotVulnerable,
                _ => return Err(VulnError::Answer("a malformed alert".into())),
            };
            let answer = match verdict {
                Verdict::Vulnerable => format!(
                    "{}: the server accepted the early CCS and tried to decrypt the next record",
                    next.summary()
                ),
                _ => format!("refused: {}", next.summary()),
            };
            Ok((verdict, answer))
        }
        // Nothing may follow ServerHelloDone before the client's Finished:
        // a server that answers the CCS with anything but an alert went on
        // with it.
        Next::Record(_) => Ok((
            Verdict::Vulnerable,
            format!("{}: the server answered the early CCS without an alert", next.summary()),
        )),
        Next::Closed(_) => Ok((Verdict::NotVulnerable, format!("refused: {}", next.summary()))),
        Next::Silent(_) => Ok((
            Verdict::Inconclusive,
            format!("{}: neither refused nor answered", next.summary()),
        )),
        Next::Garbage(why) => Err(VulnError::Answer(why.clone())),
    }
}

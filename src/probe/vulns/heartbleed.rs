//! Heartbleed (CVE-2014-0160), in the safe form testssl.sh uses.
//!
//! A TLS ≤ 1.2 ClientHello offers the heartbeat extension (RFC 6520,
//! `peer_allowed_to_send`); once the server's first flight has reached
//! ServerHelloDone, one heartbeat request is sent whose `payload_length`
//! claims 16 384 bytes while the record carries none (3 bytes: type and
//! length). RFC 6520 §4 says such a message must be discarded silently. A
//! vulnerable OpenSSL (1.0.1–1.0.1f) answers with a heartbeat response of
//! the claimed length, copied from its memory: any heartbeat response
//! longer than what was sent is the flaw. Only the response's length is
//! kept, never its bytes (they are the server's memory).
//!
//! Silence (the RFC's behaviour), an alert or a closed connection after a
//! complete first flight is "not vulnerable", and the evidence says which.
//! No complete first flight, or garbage after it, is an error: nothing was
//! tested. At most two connections (TLS 1.2, then TLS 1.0), each bounded.

use super::{
    CT_ALERT, CT_HEARTBEAT, LegacyFlight, Next, Verdict, VulnError, Wire, legacy_flight, record, with_extension,
};
use crate::probe::deadline::limit;
use crate::probe::legacy::{self, LegacyVersion};
use serde::Serialize;
use std::net::SocketAddr;
use std::time::Duration;

/// The heartbeat extension's type (RFC 6520).
pub const EXT_HEARTBEAT: u16 = 0x000F;
/// `payload_length` claimed by the request.
pub const CLAIMED_PAYLOAD: u16 = 0x4000;
/// Longest wait for an answer to the heartbeat.
const ANSWER_WAIT: Duration = Duration::from_secs(3);
/// Most records read after the heartbeat.
const MAX_ANSWER_RECORDS: usize = 8;

/// What the Heartbleed check saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heartbleed {
    /// The verdict.
    pub verdict: Verdict,
    /// The server's ServerHello carried the heartbeat extension.
    pub heartbeat_negotiated: bool,
    /// The version of the handshake used ("TLS 1.2").
    pub version: String,
    /// What came back after the heartbeat request (bounded summary).
    pub answer: String,
    /// Bytes of the heartbeat response (the claimed payload was 16 384, the
    /// payload sent 0); `null` when none came.
    pub response_bytes: Option<usize>,
    /// Connections made.
    pub connections: u32,
}

/// The heartbeat request record: type 1 (request), `payload_length` 16 384,
/// no payload and no padding.
pub fn request(version: u16) -> Vec<u8> {
    let [hi, lo] = CLAIMED_PAYLOAD.to_be_bytes();
    record(CT_HEARTBEAT, version, &[1, hi, lo])
}

/// Runs the check against `addr`; each stage takes at most `io`, cut to the
/// probe's deadline.
pub async fn check(addr: SocketAddr, server_name: Option<&str>, io: Duration) -> Result<Heartbleed, VulnError> {
    let hello = |version| {
        let hello = legacy::client_hello(version, &legacy::version_suites(version), server_name, false);
        with_extension(&hello, EXT_HEARTBEAT, &[1])
    };
    let (mut wire, flight, connections) = match legacy_flight(addr, io, hello).await? {
        LegacyFlight::Flight {
            wire,
            flight,
            connections,
        } => (wire, flight, connections),
        LegacyFlight::NoLegacyVersion(why) => {
            // Heartbeats exist only up to TLS 1.2: a server that refuses
            // those versions (a TLS 1.3-only server) cannot leak through them.
            return Ok(Heartbleed {
                verdict: Verdict::NotApplicable,
                heartbeat_negotiated: false,
                version: "none".into(),
                answer: format!(
                    "the server refuses TLS 1.2 and 1.0, where heartbeats exist ({})",
                    why.join("; ")
                ),
                response_bytes: None,
                connections: why.len() as u32,
            });
        }
    };
    let label = LegacyVersion::from_wire(flight.version).map_or("?", |v| v.label());
    let negotiated = flight.extensions.contains(&EXT_HEARTBEAT);
    wire.send(&request(flight.version), limit(io)).await?;
    let wait = limit(ANSWER_WAIT);
    if wait.is_zero() {
        return Err(VulnError::NoTime("the heartbeat's answer could not be awaited".into()));
    }
    let (verdict, answer, response_bytes) = judge(&mut wire, wait).await?;
    Ok(Heartbleed {
        verdict,
        heartbeat_negotiated: negotiated,
        version: label.to_string(),
        answer,
        response_bytes,
        connections,
    })
}

/// Reads the answer to the heartbeat.
async fn judge(wire: &mut Wire, wait: Duration) -> Result<(Verdict, String, Option<usize>), VulnError> {
    let sent = 3usize;
    for _ in 0..MAX_ANSWER_RECORDS {
        let next = wire.next(wait).await;
        match &next {
            Next::Record(r) if r.content_type == CT_HEARTBEAT && r.body.len() > sent => {
                return Ok((
                    Verdict::Vulnerable,
                    format!(
                        "heartbeat response of {} bytes to a request of {sent} bytes: the server copied memory",
                        r.body.len()
                    ),
                    Some(r.body.len()),
                ));
            }
            Next::Record(r) if r.content_type == CT_HEARTBEAT => {
                return Ok((
                    Verdict::NotVulnerable,
                    format!("heartbeat response of {} bytes, no more than was sent", r.body.len()),
                    Some(r.body.len()),
                ));
            }
            Next::Record(r) if r.content_type == CT_ALERT => {
                return Ok((Verdict::NotVulnerable, format!("refused: {}", next.summary()), None));
            }
            // Other records (a late handshake message): keep reading.
            Next::Record(_) => {}
            Next::Closed(_) => return Ok((Verdict::NotVulnerable, next.summary(), None)),
            Next::Silent(_) => {
                return Ok((
                    Verdict::NotVulnerable,
                    format!("{}: the request was discarded silently (RFC 6520 §4)", next.summary()),
                    None,
                ));
            }
            Next::Garbage(why) => return Err(VulnError::Answer(why.clone())),
        }
    }
    Err(VulnError::Answer(format!(
        "{MAX_ANSWER_RECORDS} records after the heartbeat, none an answer to it"
    )))
}

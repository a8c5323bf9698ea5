//! TLS vulnerability checks that need a hand-driven handshake: Heartbleed
//! ([`heartbleed`]), CCS injection ([`ccs`]) and ROBOT ([`robot`]), plus the
//! rustls-driven session checks ([`resumption`]: resumption and 0-RTT) and
//! the client-initiated renegotiation check ([`renegotiation`], which
//! completes a minimal TLS 1.2 handshake of its own).
//!
//! The raw checks share this module's machinery: a [`Wire`] (one TCP
//! connection with a deadline and a byte budget) reads the server's answer
//! record by record with the pure parser [`split_record`], and
//! [`server_flight`] sends a hand-built ClientHello
//! ([`super::legacy::client_hello`]) and reads the server's first flight up
//! to ServerHelloDone. Every byte from the server is hostile: records are
//! bounded by [`MAX_RECORD`], a connection reads at most [`MAX_WIRE_READ`]
//! bytes, every wait is bounded by the probe's deadline
//! ([`super::deadline::limit`]), and nothing is indexed unchecked.
//!
//! A check's verdict comes only from what was observed: a server that does
//! not finish its first flight, or answers garbage, makes the check fail
//! with the reason (the rule is then `error`), never pass.

pub mod ccs;
pub mod heartbleed;
pub mod renegotiation;
pub mod resumption;
pub mod robot;

use super::legacy::{self, HelloAnswer, LegacyVersion};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Content type of a ChangeCipherSpec record.
pub const CT_CHANGE_CIPHER_SPEC: u8 = 20;
/// Content type of an alert record.
pub const CT_ALERT: u8 = 21;
/// Content type of a handshake record.
pub const CT_HANDSHAKE: u8 = 22;
/// Content type of an application-data record.
pub const CT_APPLICATION_DATA: u8 = 23;
/// Content type of a heartbeat record (RFC 6520).
pub const CT_HEARTBEAT: u8 = 24;
/// Largest record body accepted: 2^14 plus the 2048 bytes of expansion RFC
/// 5246 §6.2.3 allows a protected record.
pub const MAX_RECORD: usize = (1 << 14) + 2048;
/// Most bytes read on one connection.
pub const MAX_WIRE_READ: usize = 96 * 1024;
/// Most records read while waiting for the first flight's end.
const MAX_FLIGHT_RECORDS: usize = 64;

/// Why a raw check could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VulnError {
    /// No TCP connection.
    #[error("cannot connect to {addr}: {reason}")]
    Connect {
        /// Where.
        addr: SocketAddr,
        /// Why.
        reason: String,
    },
    /// The server did not complete its first flight (up to
    /// ServerHelloDone), so the check could not be made.
    #[error("no complete server flight: {0}")]
    Flight(String),
    /// An I/O failure while sending.
    #[error("{0}")]
    Io(String),
    /// The server's answer to the check's message was not TLS: why.
    #[error("unreadable answer: {0}")]
    Answer(String),
    /// The probe's time ran out before the check was complete.
    #[error("no time left: {0}")]
    NoTime(String),
}

/// One TLS record as read from the wire (body bounded by [`MAX_RECORD`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Content type (20–24).
    pub content_type: u8,
    /// Record-layer version.
    pub version: u16,
    /// The record body.
    pub body: Vec<u8>,
}

/// What [`split_record`] found at the start of a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordSplit {
    /// A complete record and how many bytes it took.
    Complete(Record, usize),
    /// More bytes are needed.
    NeedMore,
    /// Not a TLS record: why.
    Bad(String),
}

/// Splits the first TLS record off `bytes`. Pure, bounded, never panics: a
/// content type outside 20–24, a version major other than 3 or a length
/// over [`MAX_RECORD`] is [`RecordSplit::Bad`].
pub fn split_record(bytes: &[u8]) -> RecordSplit {
    let Some(&[ct, major, minor, hi, lo]) = bytes.get(..5) else {
        if let Some(&ct) = bytes.first()
            && !(CT_CHANGE_CIPHER_SPEC..=CT_HEARTBEAT).contains(&ct)
        {
            return RecordSplit::Bad(format!("not a TLS record (first byte 0x{ct:02x})"));
        }
        return RecordSplit::NeedMore;
    };
    if !(CT_CHANGE_CIPHER_SPEC..=CT_HEARTBEAT).contains(&ct) {
        return RecordSplit::Bad(format!("not a TLS record (first byte 0x{ct:02x})"));
    }
    if major != 3 {
        return RecordSplit::Bad(format!("record version {major}.{minor}"));
    }
    let len = usize::from(u16::from_be_bytes([hi, lo]));
    if len > MAX_RECORD {
        return RecordSplit::Bad(format!("record length {len} exceeds {MAX_RECORD}"));
    }
    match bytes.get(5..5 + len) {
        Some(body) => RecordSplit::Complete(
            Record {
                content_type: ct,
                version: u16::from_be_bytes([major, minor]),
                body: body.to_vec(),
            },
            5 + len,
        ),
        None => RecordSplit::NeedMore,
    }
}

/// The name of a TLS alert description (RFC 8446 §6), for evidence.
pub fn alert_name(description: u8) -> &'static str {
    match description {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        40 => "handshake_failure",
        42 => "bad_certificate",
        47 => "illegal_parameter",
        50 => "decode_error",
        51 => "decrypt_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        110 => "unsupported_extension",
        112 => "unrecognized_name",
        116 => "certificate_required",
        _ => "unknown",
    }
}

/// What came next on a [`Wire`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// A record.
    Record(Record),
    /// The server closed the connection (EOF) or reset it.
    Closed(String),
    /// Nothing (more) within the wait.
    Silent(Duration),
    /// Bytes that are not a TLS record, or the read budget ran out.
    Garbage(String),
}

impl Next {
    /// A short, bounded summary for evidence (never the record's bytes).
    pub fn summary(&self) -> String {
        match self {
            Next::Record(r) if r.content_type == CT_ALERT => match r.body.as_slice() {
                [level, description, ..] => format!(
                    "alert {} {description} ({})",
                    if *level == 2 { "fatal" } else { "warning" },
                    alert_name(*description)
                ),
                _ => "malformed alert".into(),
            },
            Next::Record(r) => format!("record of type {} ({} bytes)", r.content_type, r.body.len()),
            Next::Closed(how) => format!("connection {how}"),
            Next::Silent(wait) => format!("no answer within {wait:?}"),
            Next::Garbage(why) => format!("garbage: {why}"),
        }
    }
}

/// One raw TCP connection to a server, read record by record.
pub struct Wire {
    stream: TcpStream,
    buf: Vec<u8>,
    read_total: usize,
}

impl Wire {
    /// Connects within `timeout`.
    pub async fn connect(addr: SocketAddr, timeout: Duration) -> Result<Wire, VulnError> {
        let stream = match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
            Err(_) => {
                return Err(VulnError::Connect {
                    addr,
                    reason: format!("timed out after {timeout:?}"),
                });
            }
            Ok(Err(e)) => {
                return Err(VulnError::Connect {
                    addr,
                    reason: e.to_string(),
                });
            }
            Ok(Ok(s)) => s,
        };
        let _ = stream.set_nodelay(true);
        Ok(Wire {
            stream,
            buf: Vec::with_capacity(8192),
            read_total: 0,
        })
    }

    /// Sends `bytes` within `timeout`.
    pub async fn send(&mut self, bytes: &[u8], timeout: Duration) -> Result<(), VulnError> {
        match tokio::time::timeout(timeout, self.stream.write_all(bytes)).await {
            Err(_) => Err(VulnError::Io(format!("sending timed out after {timeout:?}"))),
            Ok(Err(e)) => Err(VulnError::Io(format!("sending: {e}"))),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// The next record, waiting at most `wait` in all.
    pub async fn next(&mut self, wait: Duration) -> Next {
        let deadline = Instant::now() + wait;
        let mut chunk = [0u8; 8192];
        loop {
            match split_record(&self.buf) {
                RecordSplit::Complete(record, used) => {
                    self.buf.drain(..used.min(self.buf.len()));
                    return Next::Record(record);
                }
                RecordSplit::Bad(why) => return Next::Garbage(why),
                RecordSplit::NeedMore => {}
            }
            if self.read_total >= MAX_WIRE_READ {
                return Next::Garbage(format!("more than {MAX_WIRE_READ} bytes without the expected answer"));
            }
            let room = (MAX_WIRE_READ - self.read_total).min(chunk.len());
            let slot = chunk.get_mut(..room).unwrap_or_default();
            match tokio::time::timeout_at(deadline, self.stream.read(slot)).await {
                Err(_) if self.buf.is_empty() => return Next::Silent(wait),
                Err(_) => return Next::Garbage(format!("a record cut short after {} bytes", self.buf.len())),
                Ok(Ok(0)) if self.buf.is_empty() => return Next::Closed("closed".into()),
                Ok(Ok(0)) => return Next::Garbage(format!("closed inside a record ({} bytes)", self.buf.len())),
                Ok(Ok(n)) => {
                    self.read_total += n;
                    self.buf.extend_from_slice(slot.get(..n).unwrap_or_default());
                }
                Ok(Err(e)) => return Next::Closed(format!("reset ({e})")),
            }
        }
    }
}

/// The server's first flight, read up to ServerHelloDone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFlight {
    /// The negotiated version (wire value).
    pub version: u16,
    /// The chosen cipher suite.
    pub cipher_suite: u16,
    /// The extension types of the ServerHello, in order.
    pub extensions: Vec<u16>,
    /// The certificates of the Certificate message (DER, leaf first); empty
    /// when the suite has none.
    pub certificates: Vec<Vec<u8>>,
    /// The handshake message types of the flight, in order.
    pub messages: Vec<u8>,
    /// The ServerKeyExchange body, if the flight had one.
    pub server_key_exchange: Option<Vec<u8>>,
    /// The flight's handshake bytes, ServerHello to ServerHelloDone (for a
    /// handshake transcript; empty from [`parse_flight`]).
    pub transcript: Vec<u8>,
}

/// Where parsing a flight's handshake bytes stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlightProgress {
    /// ServerHelloDone was reached.
    Done(ServerFlight),
    /// More handshake bytes are needed.
    NeedMore,
    /// The flight is not a TLS ≤ 1.2 server flight: why.
    Refused(String),
}

/// Most handshake bytes of one flight.
const MAX_FLIGHT_BYTES: usize = 64 * 1024;

/// Parses the concatenated handshake bytes of a server's first flight:
/// ServerHello first, then messages up to ServerHelloDone (type 14). Pure,
/// bounded, never panics.
pub fn parse_flight(handshake: &[u8]) -> FlightProgress {
    let mut off = 0usize;
    let mut messages = Vec::new();
    let mut hello: Option<(u16, u16, Vec<u16>)> = None;
    let mut certificates = Vec::new();
    let mut server_key_exchange = None;
    while let Some(&[kind, a, b, c]) = handshake.get(off..off.saturating_add(4)) {
        let len = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
        if len > MAX_FLIGHT_BYTES {
            return FlightProgress::Refused(format!("handshake message of {len} bytes"));
        }
        let Some(body) = handshake.get(off + 4..off + 4 + len) else {
            return FlightProgress::NeedMore;
        };
        if messages.len() >= MAX_FLIGHT_RECORDS {
            return FlightProgress::Refused("too many handshake messages".into());
        }
        messages.push(kind);
        match (kind, &hello) {
            (2, None) => match server_hello(body) {
                Ok(h) if h.0 <= 0x0303 => hello = Some(h),
                Ok(h) => return FlightProgress::Refused(format!("the server negotiated version 0x{:04x}", h.0)),
                Err(why) => return FlightProgress::Refused(why),
            },
            (_, None) => {
                return FlightProgress::Refused(format!("handshake message {kind} before the ServerHello"));
            }
            (2, Some(_)) => return FlightProgress::Refused("a second ServerHello".into()),
            (11, Some(_)) => {
                // Reuse the raw-chain parser for the Certificate message.
                let hs = [
                    minimal_server_hello(),
                    handshake.get(off..off + 4 + len).unwrap_or_default().to_vec(),
                ]
                .concat();
                let wrapped: Vec<u8> = hs
                    .chunks(1 << 14)
                    .flat_map(|c| record(CT_HANDSHAKE, 0x0303, c))
                    .collect();
                match super::raw_chain::parse_flight(&wrapped) {
                    super::raw_chain::Flight::Chain(chain) => certificates = chain.certificates,
                    super::raw_chain::Flight::Refused(why) => return FlightProgress::Refused(why),
                    super::raw_chain::Flight::NeedMore => {
                        return FlightProgress::Refused("Certificate message too large".into());
                    }
                }
            }
            (12, Some(_)) => server_key_exchange = Some(body.to_vec()),
            (14, Some((version, cipher_suite, extensions))) => {
                return FlightProgress::Done(ServerFlight {
                    version: *version,
                    cipher_suite: *cipher_suite,
                    extensions: extensions.clone(),
                    certificates,
                    messages,
                    server_key_exchange,
                    transcript: Vec::new(),
                });
            }
            _ => {}
        }
        off += 4 + len;
    }
    FlightProgress::NeedMore
}

/// A ServerHello handshake message with no extensions, to let the
/// raw-chain parser read a Certificate message on its own.
fn minimal_server_hello() -> Vec<u8> {
    let mut m = vec![2, 0, 0, 38, 3, 3];
    m.extend_from_slice(&[0x11; 32]);
    m.extend_from_slice(&[0, 0x00, 0x2F, 0]);
    m
}

/// Version, suite and extension types of a ServerHello body.
fn server_hello(body: &[u8]) -> Result<(u16, u16, Vec<u16>), String> {
    // The legacy parser judges the ServerHello itself.
    let mut rec = vec![CT_HANDSHAKE, 3, 3];
    rec.extend_from_slice(&u16::try_from(body.len() + 4).unwrap_or(u16::MAX).to_be_bytes());
    rec.push(2);
    let len = u32::try_from(body.len()).unwrap_or(0).to_be_bytes();
    rec.extend_from_slice(len.get(1..).unwrap_or_default());
    rec.extend_from_slice(body);
    let (version, cipher_suite) = match legacy::parse_server_answer(&rec) {
        HelloAnswer::Accepted {
            version, cipher_suite, ..
        } => (version, cipher_suite),
        HelloAnswer::Garbage { detail } => return Err(detail),
        other => return Err(format!("unexpected answer {other:?}")),
    };
    // Then the extension types, bounds-checked (the legacy parser has
    // already checked the block is well formed).
    let mut extensions = Vec::new();
    let sid_len = usize::from(body.get(34).copied().unwrap_or(0));
    let mut pos = 35 + sid_len + 3;
    if let Some(&[hi, lo]) = body.get(pos..pos + 2) {
        let end = pos + 2 + usize::from(u16::from_be_bytes([hi, lo]));
        pos += 2;
        while let Some(&[t0, t1, l0, l1]) = body.get(pos..pos + 4) {
            if pos >= end {
                break;
            }
            extensions.push(u16::from_be_bytes([t0, t1]));
            pos += 4 + usize::from(u16::from_be_bytes([l0, l1]));
        }
    }
    Ok((version, cipher_suite, extensions))
}

/// Adds one extension to a ClientHello record built by
/// [`legacy::client_hello`] (TLS ≥ 1.0, so it has an extensions block),
/// fixing the three lengths. `None` when the record is not such a hello.
pub fn with_extension(hello: &[u8], kind: u16, data: &[u8]) -> Option<Vec<u8>> {
    let body = hello.get(9..)?;
    let sid = usize::from(*body.get(34)?);
    let suites_at = 35 + sid;
    let suites = usize::from(u16::from_be_bytes([*body.get(suites_at)?, *body.get(suites_at + 1)?]));
    let comp_at = suites_at + 2 + suites;
    let comp = usize::from(*body.get(comp_at)?);
    let ext_at = comp_at + 1 + comp;
    let ext_len = usize::from(u16::from_be_bytes([*body.get(ext_at)?, *body.get(ext_at + 1)?]));
    if ext_at + 2 + ext_len != body.len() {
        return None;
    }
    let mut out_body = body.get(..ext_at)?.to_vec();
    let new_ext_len = u16::try_from(ext_len + 4 + data.len()).ok()?;
    out_body.extend_from_slice(&new_ext_len.to_be_bytes());
    out_body.extend_from_slice(body.get(ext_at + 2..)?);
    out_body.extend_from_slice(&kind.to_be_bytes());
    out_body.extend_from_slice(&u16::try_from(data.len()).ok()?.to_be_bytes());
    out_body.extend_from_slice(data);
    let hs_len = u32::try_from(out_body.len()).ok()?.to_be_bytes();
    let rec_len = u16::try_from(out_body.len() + 4).ok()?;
    let mut out = Vec::with_capacity(out_body.len() + 9);
    out.extend_from_slice(hello.get(..3)?);
    out.extend_from_slice(&rec_len.to_be_bytes());
    out.push(1);
    out.extend_from_slice(hs_len.get(1..)?);
    out.extend_from_slice(&out_body);
    Some(out)
}

/// Sends `hello` on `wire` and reads the first flight up to ServerHelloDone
/// (at most [`MAX_FLIGHT_RECORDS`] records, each within `wait`).
pub async fn server_flight(wire: &mut Wire, hello: &[u8], wait: Duration) -> Result<ServerFlight, VulnError> {
    wire.send(hello, wait).await?;
    let mut handshake = Vec::new();
    for _ in 0..MAX_FLIGHT_RECORDS {
        let next = wire.next(wait).await;
        match next {
            Next::Record(r) if r.content_type == CT_HANDSHAKE => {
                handshake.extend_from_slice(&r.body);
                match parse_flight(&handshake) {
                    FlightProgress::Done(mut f) => {
                        f.transcript = handshake;
                        return Ok(f);
                    }
                    FlightProgress::Refused(why) => return Err(VulnError::Flight(why)),
                    FlightProgress::NeedMore if handshake.len() > MAX_FLIGHT_BYTES => {
                        return Err(VulnError::Flight(format!(
                            "more than {MAX_FLIGHT_BYTES} handshake bytes"
                        )));
                    }
                    FlightProgress::NeedMore => {}
                }
            }
            // A warning alert (unrecognized_name) may precede the hello.
            Next::Record(r) if r.content_type == CT_ALERT && r.body.first() == Some(&1) => {}
            other => return Err(VulnError::Flight(other.summary())),
        }
    }
    Err(VulnError::Flight(format!(
        "no ServerHelloDone in {MAX_FLIGHT_RECORDS} records"
    )))
}

/// A TLS ≤ 1.2 record of `content_type` at `version`.
pub fn record(content_type: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type];
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&u16::try_from(body.len()).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// The versions a raw check tries, best first: TLS 1.2, then 1.0 (for
/// servers that refuse 1.2, as old vulnerable ones may).
pub const TRY_VERSIONS: [LegacyVersion; 2] = [LegacyVersion::Tls1_2, LegacyVersion::Tls1_0];

/// What [`legacy_flight`] got.
pub enum LegacyFlight {
    /// A complete first flight, on this connection; `connections` made.
    Flight {
        /// The connection, after ServerHelloDone.
        wire: Wire,
        /// The flight.
        flight: ServerFlight,
        /// Connections made so far (one per version tried).
        connections: u32,
    },
    /// Every version in [`TRY_VERSIONS`] was refused with protocol_version:
    /// the server speaks TLS but none of the versions a TLS ≤ 1.2 flaw
    /// lives in. The reasons, one per version.
    NoLegacyVersion(Vec<String>),
}

/// Opens a connection and reads the server's first flight, trying each
/// version of [`TRY_VERSIONS`] in turn with the hello `hello` builds for it.
/// A version whose flight does not complete is noted and the next tried;
/// when none completes the reasons are the error (or, when every one was a
/// protocol_version refusal, [`LegacyFlight::NoLegacyVersion`]).
pub async fn legacy_flight(
    addr: SocketAddr,
    io: Duration,
    hello: impl Fn(LegacyVersion) -> Option<Vec<u8>>,
) -> Result<LegacyFlight, VulnError> {
    let mut why = Vec::new();
    for (connections, version) in (1u32..).zip(TRY_VERSIONS) {
        let hello = hello(version).ok_or_else(|| VulnError::Io("cannot build the ClientHello".into()))?;
        let mut wire = Wire::connect(addr, crate::probe::deadline::limit(io)).await?;
        match server_flight(&mut wire, &hello, crate::probe::deadline::limit(io)).await {
            Ok(flight) => {
                return Ok(LegacyFlight::Flight {
                    wire,
                    flight,
                    connections,
                });
            }
            Err(VulnError::Flight(e)) => why.push(format!("{}: {e}", version.label())),
            Err(e) => return Err(e),
        }
    }
    if refuses_legacy_versions(&why) {
        return Ok(LegacyFlight::NoLegacyVersion(why));
    }
    Err(VulnError::Flight(why.join("; ")))
}

/// Whether every attempt (one reason per version in [`TRY_VERSIONS`]) was
/// refused with a protocol_version alert: the server speaks TLS, but none
/// of the versions a TLS ≤ 1.2 flaw lives in.
pub fn refuses_legacy_versions(why: &[String]) -> bool {
    why.len() == TRY_VERSIONS.len() && why.iter().all(|w| w.contains("(protocol_version)"))
}

/// The verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The server showed the flaw.
    Vulnerable,
    /// The server behaved as a patched one does.
    NotVulnerable,
    /// The precondition is absent (e.g. no RSA key exchange for ROBOT).
    NotApplicable,
    /// The answers do not decide (inconsistent answers, no time).
    Inconclusive,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hs(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![kind, 0, (body.len() >> 8) as u8, body.len() as u8];
        m.extend_from_slice(body);
        m
    }

    fn hello_body(extensions: &[(u16, &[u8])]) -> Vec<u8> {
        let mut b = vec![3, 3];
        b.extend_from_slice(&[7; 32]);
        b.push(0);
        b.extend_from_slice(&[0x00, 0x2F, 0]);
        let mut ext = Vec::new();
        for (k, d) in extensions {
            ext.extend_from_slice(&k.to_be_bytes());
            ext.extend_from_slice(&(d.len() as u16).to_be_bytes());
            ext.extend_from_slice(d);
        }
        b.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        b.extend_from_slice(&ext);
        b
    }

    #[test]
    fn records_split_and_hostile_ones_are_refused() {
        let r = record(CT_ALERT, 0x0303, &[2, 10]);
        assert!(matches!(split_record(&r), RecordSplit::Complete(ref rec, 7) if rec.body == [2, 10]));
        for cut in 0..r.len() {
            assert_eq!(split_record(&r[..cut]), RecordSplit::NeedMore, "{cut}");
        }
        assert!(matches!(split_record(b"HTTP/1.1 400"), RecordSplit::Bad(_)));
        assert!(matches!(split_record(&[22, 3, 3, 0xFF, 0xFF]), RecordSplit::Bad(_)));
        assert!(matches!(split_record(&[22, 2, 0, 0, 1, 0]), RecordSplit::Bad(_)));
    }

    #[test]
    fn a_flight_is_read_to_server_hello_done_with_its_extensions_and_certificates() {
        let mut flight = hs(2, &hello_body(&[(0xFF01, &[0]), (0x000F, &[1])]));
        flight.extend(hs(11, &[0, 0, 7, 0, 0, 4, 1, 2, 3, 4]));
        flight.extend(hs(14, &[]));
        let FlightProgress::Done(f) = parse_flight(&flight) else {
            panic!("{:?}", parse_flight(&flight));
        };
        assert_eq!((f.version, f.cipher_suite), (0x0303, 0x002F));
        assert_eq!(f.extensions, vec![0xFF01, 0x000F]);
        assert_eq!(f.certificates, vec![vec![1, 2, 3, 4]]);
        assert_eq!(f.messages, vec![2, 11, 14]);
        for cut in 0..flight.len() {
            assert!(
                !matches!(parse_flight(&flight[..cut]), FlightProgress::Done(_)),
                "{cut}"
            );
        }
        assert!(matches!(parse_flight(&hs(14, &[])), FlightProgress::Refused(_)));
    }

    #[test]
    fn an_extension_is_added_to_a_legacy_hello() {
        let hello = legacy::client_hello(LegacyVersion::Tls1_2, &[0x002F], Some("a.test"), false);
        let more = with_extension(&hello, 0x000F, &[1]).expect("hello");
        assert_eq!(more.len(), hello.len() + 5);
        assert!(more.ends_with(&[0x00, 0x0F, 0x00, 0x01, 0x01]));
        let rec_len = usize::from(u16::from_be_bytes([more[3], more[4]]));
        assert_eq!(rec_len + 5, more.len());
        assert_eq!(with_extension(b"short", 1, &[]), None);
    }
}

//! Cipher-suite enumeration by elimination, with the server's preference
//! order, TLS 1.3 suites, named groups, DHE parameters, TLS 1.2 signature
//! schemes and SSL 2.0, from hand-built hellos on plain TCP connections.
//!
//! **Elimination.** For each of SSL 3.0, TLS 1.0, 1.1 and 1.2, one hello
//! offers every suite of the registry ([`super::tls_suites`]) valid at that
//! version; the server picks one, which is removed from the next hello,
//! until the server refuses (an alert) or picks nothing more: a version
//! with *n* accepted suites costs *n* + 1 hellos, against one hello per
//! suite (352 per version) for a scanner that tests them one by one.
//! A version the server refuses costs one hello.
//!
//! **Long hellos.** The full list is 352 suites (a 900-byte hello). A
//! server that answers it with something other than a ServerHello or an
//! alert (a reset, silence, garbage) may be choking on the length, as some
//! old stacks do: the version is then enumerated again in chunks of
//! [`CHUNK`] suites, each chunk by elimination, and the union is kept
//! (`chunked` in the result). The chunks cost at most 3 hellos more than
//! their accepted suites.
//!
//! **Preference.** With two or more suites accepted at a version, one hello
//! offers them in reverse order: if the server picks the suite it picked
//! first, it enforces its own order, which is then the elimination order
//! (in chunked mode the order is derived again by elimination over the
//! accepted suites); if it picks the first offered, it follows the client.
//!
//! **Groups.** TLS 1.3: a hello per group with that group alone in
//! `supported_groups` and no key share; a server that supports it answers
//! with a HelloRetryRequest naming it. TLS 1.2 (when an ECDHE suite is
//! accepted): a hello per curve with that curve alone, offering only the
//! accepted ECDHE suites; the ServerKeyExchange names the curve used.
//! **DHE**: one hello per accepted DHE suite (at most 32; servers may size
//! the group by the suite); each ServerKeyExchange's prime is measured and
//! the smallest is kept, named when it is a well-known one. **Signature
//! schemes** (TLS 1.2, a signed key exchange accepted): one hello per
//! scheme, alone in `signature_algorithms`; the ServerKeyExchange says which
//! one signed. **SSL 2.0**: one SSLv2 CLIENT-HELLO with the seven SSLv2
//! cipher kinds.
//!
//! Bounds: at most [`Limits::max_hellos`] hellos, one connection at a time,
//! each bounded by the I/O timeout and the probe's deadline
//! ([`super::deadline::limit`]); reads stop at 64 KiB; three hellos in a
//! row without an answer in time end the run. A run stopped by
//! either bound says so (`complete: false`, with the reason) and keeps what
//! it saw. Every byte from the server is hostile input:
//! [`parse_flight`] and [`parse_ssl2_answer`] are pure, bounded and never
//! panic. The same server gives the same result on every run: the hellos
//! are the same except for their random values.

use super::legacy::{self, HelloAnswer, HelloOptions, LegacyVersion};
use super::tls_suites::{self, Kx};
use serde::Serialize;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Suites per hello when a server refuses the long list.
pub const CHUNK: usize = 128;
/// Most bytes read from one answer.
pub const MAX_FLIGHT: usize = 64 * 1024;

/// Bounds of one enumeration.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most hellos (connections) in total.
    pub max_hellos: usize,
    /// Limit of one connection (connect, send, read), further shortened to
    /// the probe's deadline.
    pub io_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_hellos: 600,
            io_timeout: Duration::from_secs(8),
        }
    }
}

/// Whose order decides the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preference {
    /// The server picks by its own order.
    Server,
    /// The server picks the client's first acceptable suite.
    Client,
    /// Fewer than two suites, or the test was not conclusive.
    Unknown,
}

/// What one version showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionSuites {
    /// The version.
    pub version: LegacyVersion,
    /// Accepted suite ids: in the server's order when it enforces one,
    /// else in the order the elimination found them.
    pub suites: Vec<u16>,
    /// Whose order decides.
    pub preference: Preference,
    /// The long list was refused and chunks of [`CHUNK`] suites were used.
    pub chunked: bool,
}

/// A finite-field DH key exchange seen in a ServerKeyExchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DheParams {
    /// The suite that carried it.
    pub suite: u16,
    /// Bits of the prime p.
    pub bits: u32,
    /// The prime's name when it is a well-known one.
    pub prime: Option<&'static str>,
}

/// What an SSL 2.0 CLIENT-HELLO got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ssl2 {
    /// A SERVER-HELLO came back: the server speaks SSL 2.0.
    pub accepted: bool,
    /// The SSLv2 cipher kinds it listed (3-byte codes).
    pub ciphers: Vec<u32>,
}

/// The result of [`enumerate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enumeration {
    /// The versions with at least one accepted suite, oldest first.
    pub versions: Vec<VersionSuites>,
    /// Accepted TLS 1.3 suites (empty: TLS 1.3 refused or not tested).
    pub tls13_suites: Vec<u16>,
    /// Whose order decides among TLS 1.3 suites.
    pub tls13_preference: Preference,
    /// Groups a TLS 1.3 hello named alone got a HelloRetryRequest (or a
    /// ServerHello) for; `None`: not tested (no TLS 1.3).
    pub tls13_groups: Option<Vec<u16>>,
    /// Curves a TLS 1.2 ECDHE ServerKeyExchange used when offered alone;
    /// `None`: not tested (no ECDHE suite accepted).
    pub ecdhe_groups: Option<Vec<u16>>,
    /// The smallest DHE parameters over the accepted DHE suites, when one
    /// was accepted and its ServerKeyExchange read.
    pub dhe: Option<DheParams>,
    /// TLS 1.2 signature schemes the ServerKeyExchange was signed with when
    /// offered alone; `None`: not tested (no signed key exchange at TLS 1.2).
    pub signature_schemes: Option<Vec<u16>>,
    /// The SSL 2.0 test; `None` when not run (out of budget).
    pub ssl2: Option<Ssl2>,
    /// Hellos sent (connections made).
    pub hellos: usize,
    /// Distinct suite ids offered over all hellos (TLS 1.3 ones included).
    pub suites_tested: usize,
    /// At least one hello got a TLS answer (a ServerHello or an alert).
    pub tls_spoken: bool,
    /// Every stage ran to its end.
    pub complete: bool,
    /// Why not, when `complete` is false; also notes on odd answers.
    pub notes: Vec<String>,
}

// ---------------------------------------------------------------------------
// Parsing a server's first flight
// ---------------------------------------------------------------------------

/// The key exchange of a ServerKeyExchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyExchange {
    /// Finite-field DH: the prime (big-endian) and the signature scheme
    /// (TLS 1.2, signed suites).
    Dhe {
        /// The prime p.
        p: Vec<u8>,
        /// The scheme that signed it (TLS 1.2 only).
        signature: Option<u16>,
    },
    /// ECDHE on a named curve.
    Ecdhe {
        /// The curve.
        group: u16,
        /// The scheme that signed it (TLS 1.2 only).
        signature: Option<u16>,
    },
}

/// The part of a server's first flight the enumeration reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFlight {
    /// The negotiated version (`supported_versions` when sent).
    pub version: u16,
    /// The chosen suite.
    pub cipher_suite: u16,
    /// A TLS 1.3 HelloRetryRequest.
    pub hello_retry: bool,
    /// The group of a TLS 1.3 `key_share` (selected_group in a
    /// HelloRetryRequest).
    pub key_share: Option<u16>,
    /// The ServerKeyExchange, when asked for and present.
    pub key_exchange: Option<KeyExchange>,
}

/// What a server answered, as far as the enumeration cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlightAnswer {
    /// A ServerHello (or HelloRetryRequest).
    Hello(ServerFlight),
    /// An alert.
    Alert {
        /// 1 warning, 2 fatal.
        level: u8,
        /// Its description.
        description: u8,
    },
    /// Closed before any byte.
    Closed,
    /// Not TLS, malformed or cut short.
    Garbage(String),
}

/// Where parsing stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlightProgress {
    /// The answer is known.
    Done(FlightAnswer),
    /// More bytes could change it; the answer if none come.
    NeedMore(FlightAnswer),
}

/// A bounds-checked cursor.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.0.split_at_checked(n)?;
        self.0 = tail;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }
    fn u16(&mut self) -> Option<u16> {
        let b = self.take(2)?;
        Some(u16::from_be_bytes([*b.first()?, *b.get(1)?]))
    }
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }
}

/// The handshake bytes of the leading handshake records (at most
/// [`MAX_FLIGHT`]); whether the last record was complete.
fn handshake_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while let Some(header) = bytes.get(pos..pos.saturating_add(5)) {
        let (ct, len) = match header {
            &[ct, _, _, hi, lo] => (ct, usize::from(u16::from_be_bytes([hi, lo]))),
            _ => break,
        };
        if ct != 22 || out.len() >= MAX_FLIGHT {
            break;
        }
        let body_start = pos.saturating_add(5);
        let available = bytes.get(body_start..).unwrap_or_default();
        let body = available.get(..len).unwrap_or(available);
        out.extend_from_slice(body);
        if body.len() < len {
            break;
        }
        pos = body_start.saturating_add(len);
    }
    out.truncate(MAX_FLIGHT);
    out
}

/// The fields of a ServerHello body the enumeration needs.
fn server_hello_fields(body: &[u8]) -> Option<ServerFlight> {
    let mut r = Cursor(body);
    let legacy_version = r.u16()?;
    let random = r.take(32)?;
    r.vec8()?; // session id
    let cipher_suite = r.u16()?;
    r.u8()?; // compression
    let mut flight = ServerFlight {
        version: legacy_version,
        cipher_suite,
        hello_retry: random == HRR_RANDOM,
        key_share: None,
        key_exchange: None,
    };
    if r.0.is_empty() {
        return Some(flight);
    }
    let mut exts = Cursor(r.vec16()?);
    while !exts.0.is_empty() {
        let kind = exts.u16()?;
        let data = exts.vec16()?;
        match (kind, data) {
            (0x002B, &[hi, lo]) => flight.version = u16::from_be_bytes([hi, lo]),
            (0x0033, &[hi, lo, ..]) => flight.key_share = Some(u16::from_be_bytes([hi, lo])),
            _ => {}
        }
    }
    Some(flight)
}

/// ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3).
const HRR_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11,
    0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// Parses a ServerKeyExchange body for `suite` at `version`.
fn key_exchange(body: &[u8], suite: u16, version: u16) -> Option<KeyExchange> {
    let info = tls_suites::suite(suite)?;
    let mut r = Cursor(body);
    let signed = !info.anonymous() && version >= 0x0303;
    match info.kx {
        Kx::Dhe | Kx::DheExport => {
            let p = r.vec16()?.to_vec();
            r.vec16()?; // g
            r.vec16()?; // Ys
            let signature = if signed { Some(r.u16()?) } else { None };
            Some(KeyExchange::Dhe { p, signature })
        }
        Kx::Ecdhe => {
            if r.u8()? != 3 {
                return None; // not a named curve
            }
            let group = r.u16()?;
            r.vec8()?; // the point
            let signature = if signed { Some(r.u16()?) } else { None };
            Some(KeyExchange::Ecdhe { group, signature })
        }
        _ => None,
    }
}

/// Parses a first flight read so far. With `want_key_exchange`, a TLS ≤ 1.2
/// ServerHello of an ephemeral suite is complete only with its
/// ServerKeyExchange (or the ServerHelloDone). Pure, bounded, never panics.
pub fn parse_flight(bytes: &[u8], want_key_exchange: bool) -> FlightProgress {
    // The first answer is judged by the legacy parser (alerts, SSLv2,
    // plain text, records cut short, HelloRetryRequest).
    match legacy::parse_server_answer(bytes) {
        HelloAnswer::Closed => return FlightProgress::NeedMore(FlightAnswer::Closed),
        HelloAnswer::Alert { level, description } => {
            let answer = FlightAnswer::Alert { level, description };
            return if level == 2 {
                FlightProgress::Done(answer)
            } else {
                FlightProgress::NeedMore(answer)
            };
        }
        HelloAnswer::Garbage { detail } if detail != legacy::HRR_DETAIL => {
            let answer = FlightAnswer::Garbage(detail.clone());
            return if detail.starts_with("truncated") {
                FlightProgress::NeedMore(answer)
            } else {
                FlightProgress::Done(answer)
            };
        }
        _ => {}
    }
    let handshake = handshake_bytes(bytes);
    let mut msgs = Cursor(&handshake);
    let mut hello: Option<ServerFlight> = None;
    while let Some(&[kind, a, b, c]) = msgs.0.get(..4) {
        let len = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
        let Some(body) = msgs.0.get(4..4usize.saturating_add(len)) else {
            break;
        };
        msgs.0 = msgs.0.get(4 + len..).unwrap_or_default();
        match (kind, hello.as_mut()) {
            (0, _) if len == 0 => continue,
            (2, None) => {
                let Some(found) = server_hello_fields(body) else {
                    return FlightProgress::Done(FlightAnswer::Garbage("malformed ServerHello".into()));
                };
                let ephemeral = tls_suites::suite(found.cipher_suite).is_some_and(|s| s.dhe() || s.ecdhe());
                let done = found.hello_retry || found.version >= 0x0304 || !want_key_exchange || !ephemeral;
                hello = Some(found);
                if done {
                    break;
                }
            }
            (12, Some(h)) => {
                h.key_exchange = key_exchange(body, h.cipher_suite, h.version);
                return FlightProgress::Done(FlightAnswer::Hello(h.clone()));
            }
            (14, Some(h)) => return FlightProgress::Done(FlightAnswer::Hello(h.clone())),
            (_, Some(_)) => {} // Certificate, CertificateStatus, CertificateRequest
            (_, None) => {
                return FlightProgress::Done(FlightAnswer::Garbage(format!(
                    "handshake message {kind} before the ServerHello"
                )));
            }
        }
    }
    match hello {
        None => FlightProgress::NeedMore(FlightAnswer::Garbage("truncated: no complete ServerHello".into())),
        Some(h) => {
            let ephemeral = tls_suites::suite(h.cipher_suite).is_some_and(|s| s.dhe() || s.ecdhe());
            if h.hello_retry || h.version >= 0x0304 || !want_key_exchange || !ephemeral {
                FlightProgress::Done(FlightAnswer::Hello(h))
            } else {
                FlightProgress::NeedMore(FlightAnswer::Hello(h))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// SSL 2.0
// ---------------------------------------------------------------------------

/// The seven SSLv2 cipher kinds (RC4, RC4-EXPORT, RC2, RC2-EXPORT, IDEA,
/// DES, 3DES).
pub const SSL2_CIPHERS: [u32; 7] = [0x010080, 0x020080, 0x030080, 0x040080, 0x050080, 0x060040, 0x0700C0];

/// An SSL 2.0 CLIENT-HELLO (version 2) offering [`SSL2_CIPHERS`].
pub fn ssl2_client_hello() -> Vec<u8> {
    let mut body = vec![1, 0x00, 0x02]; // CLIENT-HELLO, version 2
    let specs = SSL2_CIPHERS.len() * 3;
    body.extend_from_slice(&u16::try_from(specs).unwrap_or(0).to_be_bytes());
    body.extend_from_slice(&[0, 0]); // session id length
    body.extend_from_slice(&[0, 16]); // challenge length
    for c in SSL2_CIPHERS {
        body.extend_from_slice(&c.to_be_bytes()[1..]);
    }
    body.extend_from_slice(&[0x5A; 16]);
    let len = u16::try_from(body.len()).unwrap_or(0) | 0x8000;
    let mut out = len.to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}

/// Parses the answer to [`ssl2_client_hello`]: `Some` with the listed
/// cipher kinds for a SERVER-HELLO, `None` for anything else (a TLS alert,
/// an SSLv2 ERROR, garbage). Pure and bounded.
pub fn parse_ssl2_answer(bytes: &[u8]) -> Option<Vec<u32>> {
    let (&b0, &b1) = (bytes.first()?, bytes.get(1)?);
    if b0 & 0x80 == 0 {
        return None;
    }
    let len = usize::from(u16::from_be_bytes([b0 & 0x7F, b1]));
    let body = bytes.get(2..2 + len)?;
    let mut r = Cursor(body);
    if r.u8()? != 4 {
        return None; // not SERVER-HELLO
    }
    r.u8()?; // session id hit
    r.u8()?; // certificate type
    let version = r.u16()?;
    if version != 0x0002 {
        return None;
    }
    let cert_len = usize::from(r.u16()?);
    let specs_len = usize::from(r.u16()?);
    r.u16()?; // connection id length
    r.take(cert_len)?;
    let specs = r.take(specs_len)?;
    Some(
        specs
            .chunks_exact(3)
            .map(|c| u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]))
            .collect(),
    )
}

/// Whether `bytes` hold a whole first answer to an SSLv2 hello: a whole
/// SSLv2 record, or the start of anything else (a TLS alert, plain text).
fn ssl2_answer_complete(bytes: &[u8]) -> bool {
    match bytes {
        [b0, b1, rest @ ..] if b0 & 0x80 != 0 => rest.len() >= usize::from(u16::from_be_bytes([b0 & 0x7F, *b1])),
        [_, _, ..] => true,
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// Network
// ---------------------------------------------------------------------------

/// Why a connection gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The TCP connection could not be made.
    #[error("cannot connect to {addr}: {reason}")]
    Connect {
        /// Where.
        addr: SocketAddr,
        /// Why.
        reason: String,
    },
    /// Nothing arrived in time, or the read failed.
    #[error("{0}")]
    Io(String),
}

/// Sends `hello` on a fresh connection and reads until `done` says the
/// answer is complete (or [`MAX_FLIGHT`] bytes, EOF or the timeout);
/// returns the bytes read.
async fn exchange_raw(
    addr: SocketAddr,
    hello: &[u8],
    timeout: Duration,
    done: impl Fn(&[u8]) -> bool,
) -> Result<Vec<u8>, ExchangeError> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut stream = match tokio::time::timeout_at(deadline, TcpStream::connect(addr)).await {
        Err(_) => {
            return Err(ExchangeError::Connect {
                addr,
                reason: format!("timed out after {timeout:?}"),
            });
        }
        Ok(Err(e)) => {
            return Err(ExchangeError::Connect {
                addr,
                reason: e.to_string(),
            });
        }
        Ok(Ok(s)) => s,
    };
    let _ = stream.set_nodelay(true);
    match tokio::time::timeout_at(deadline, stream.write_all(hello)).await {
        Err(_) => {
            return Err(ExchangeError::Io(format!(
                "sending the hello timed out after {timeout:?}"
            )));
        }
        Ok(Err(_)) => return Ok(Vec::new()),
        Ok(Ok(())) => {}
    }
    let mut answer = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    while answer.len() < MAX_FLIGHT {
        let room = (MAX_FLIGHT - answer.len()).min(chunk.len());
        let slot = chunk.get_mut(..room).unwrap_or_default();
        match tokio::time::timeout_at(deadline, stream.read(slot)).await {
            Err(_) if answer.is_empty() => return Err(ExchangeError::Io(format!("no answer within {timeout:?}"))),
            Err(_) | Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                answer.extend_from_slice(slot.get(..n).unwrap_or_default());
                if done(&answer) {
                    break;
                }
            }
        }
    }
    Ok(answer)
}

/// One hello and its parsed answer.
pub async fn exchange(
    addr: SocketAddr,
    hello: &[u8],
    timeout: Duration,
    want_key_exchange: bool,
) -> Result<FlightAnswer, ExchangeError> {
    let bytes = exchange_raw(addr, hello, timeout, |b| {
        matches!(parse_flight(b, want_key_exchange), FlightProgress::Done(_))
    })
    .await?;
    Ok(match parse_flight(&bytes, want_key_exchange) {
        FlightProgress::Done(a) | FlightProgress::NeedMore(a) => a,
    })
}

// ---------------------------------------------------------------------------
// The enumeration
// ---------------------------------------------------------------------------

/// Why the enumeration stopped early.
#[derive(Debug)]
enum Stop {
    /// Out of hellos or time: keep what was seen.
    Budget(String),
    /// The server cannot be reached at all.
    Connect(String),
}

/// Shared state of one run.
struct Run<'a> {
    addr: SocketAddr,
    sni: Option<&'a str>,
    limits: Limits,
    hellos: usize,
    offered: std::collections::BTreeSet<u16>,
    tls_spoken: bool,
    notes: Vec<String>,
    /// Why a stage ended on something other than a clean refusal (a
    /// timeout, a close, an unexpected pick): the run is then incomplete,
    /// so no rule passes on a list that may be short.
    cut_short: Vec<String>,
    /// Hellos in a row that got no answer in time.
    silent: usize,
}

/// After this many hellos in a row without any answer in time, the server
/// is taken to have stopped answering and the run ends (rather than wait
/// out every remaining hello).
const MAX_SILENT: usize = 3;

/// Most DHE suites whose parameters are read one by one.
const MAX_DHE_SUITES: usize = 32;

/// Least time a hello is started with.
const MIN_HELLO_TIME: Duration = Duration::from_millis(200);

impl Run<'_> {
    /// Sends one hello, within the budget.
    async fn send(&mut self, hello: &[u8], offered: &[u16], want_kx: bool) -> Result<FlightAnswer, Stop> {
        if self.hellos >= self.limits.max_hellos {
            return Err(Stop::Budget(format!(
                "stopped at the limit of {} hellos",
                self.limits.max_hellos
            )));
        }
        let timeout = super::deadline::limit(self.limits.io_timeout);
        if timeout < MIN_HELLO_TIME {
            return Err(Stop::Budget(format!(
                "stopped by the probe's deadline after {} hellos",
                self.hellos
            )));
        }
        if self.silent >= MAX_SILENT {
            return Err(Stop::Budget(format!(
                "stopped after {MAX_SILENT} hellos in a row got no answer in time"
            )));
        }
        self.hellos += 1;
        self.offered.extend(offered.iter().copied());
        match exchange(self.addr, hello, timeout, want_kx).await {
            Ok(answer) => {
                self.silent = 0;
                if matches!(answer, FlightAnswer::Hello(_) | FlightAnswer::Alert { .. }) {
                    self.tls_spoken = true;
                }
                Ok(answer)
            }
            Err(e @ ExchangeError::Connect { .. }) => Err(Stop::Connect(e.to_string())),
            Err(ExchangeError::Io(e)) => {
                self.silent += 1;
                Ok(FlightAnswer::Garbage(format!("no answer: {e}")))
            }
        }
    }

    fn hello(&self, version: LegacyVersion, suites: &[u16], options: &HelloOptions<'_>) -> Vec<u8> {
        legacy::client_hello_with(version, suites, self.sni, options)
    }

    /// Elimination over `candidates` at `version`: the suites picked, in
    /// the order picked; `Err(first non-TLS answer)` when the very first
    /// hello got neither a ServerHello nor an alert.
    async fn eliminate(
        &mut self,
        version: LegacyVersion,
        candidates: &[u16],
    ) -> Result<Result<Vec<u16>, String>, Stop> {
        let mut remaining: Vec<u16> = candidates.to_vec();
        let mut picked = Vec::new();
        while !remaining.is_empty() {
            let hello = self.hello(version, &remaining, &HelloOptions::default());
            let answer = self.send(&hello, &remaining, false).await?;
            match answer {
                FlightAnswer::Hello(h) if h.version == version.wire() && remaining.contains(&h.cipher_suite) => {
                    remaining.retain(|id| *id != h.cipher_suite);
                    picked.push(h.cipher_suite);
                }
                FlightAnswer::Hello(h) if h.version == version.wire() => {
                    self.cut_short.push(format!(
                        "{}: the server picked 0x{:04X}, which was not offered",
                        version.label(),
                        h.cipher_suite
                    ));
                    break;
                }
                FlightAnswer::Hello(_) | FlightAnswer::Alert { .. } => break,
                FlightAnswer::Closed if picked.is_empty() => return Ok(Err("closed".into())),
                FlightAnswer::Garbage(why) if picked.is_empty() => return Ok(Err(why)),
                FlightAnswer::Closed => {
                    self.cut_short
                        .push(format!("{}: the server closed mid-enumeration", version.label()));
                    break;
                }
                FlightAnswer::Garbage(why) => {
                    self.cut_short
                        .push(format!("{}: enumeration stopped: {why}", version.label()));
                    break;
                }
            }
        }
        Ok(Ok(picked))
    }

    /// Which suite the server picks from `offered` at `version`.
    async fn pick(&mut self, version: LegacyVersion, offered: &[u16]) -> Result<Option<u16>, Stop> {
        let hello = self.hello(version, offered, &HelloOptions::default());
        Ok(match self.send(&hello, offered, false).await? {
            FlightAnswer::Hello(h) if h.version == version.wire() && offered.contains(&h.cipher_suite) => {
                Some(h.cipher_suite)
            }
            _ => None,
        })
    }

    /// Enumerates one version.
    async fn version(&mut self, version: LegacyVersion) -> Result<Option<VersionSuites>, Stop> {
        let all: Vec<u16> = tls_suites::SUITES
            .iter()
            .filter(|s| s.valid_at(version.wire()))
            .map(|s| s.id)
            .collect();
        let (mut suites, chunked) = match self.eliminate(version, &all).await? {
            Ok(picked) => (picked, false),
            // Plain text or another protocol: the length is not the issue.
            Err(why) if why.starts_with("not TLS") || why.contains("SSL 2.0") => (Vec::new(), false),
            Err(why) => {
                let mut union = Vec::new();
                for chunk in all.chunks(CHUNK) {
                    match self.eliminate(version, chunk).await? {
                        Ok(picked) => union.extend(picked),
                        // A short hello fares no better: stop here.
                        Err(e) => {
                            self.cut_short.push(format!(
                                "{}: a chunk of suites got no TLS answer ({e})",
                                version.label()
                            ));
                            break;
                        }
                    }
                }
                if !union.is_empty() {
                    self.notes.push(format!(
                        "{}: the full list of {} suites got no TLS answer ({why}); enumerated in chunks of {CHUNK}",
                        version.label(),
                        all.len()
                    ));
                }
                (union, true)
            }
        };
        if suites.is_empty() {
            return Ok(None);
        }
        let mut preference = Preference::Unknown;
        if suites.len() >= 2 {
            let reversed: Vec<u16> = suites.iter().rev().copied().collect();
            let picked = self.pick(version, &reversed).await?;
            preference = match picked {
                Some(id) if Some(&id) == suites.first() => Preference::Server,
                Some(id) if Some(&id) == reversed.first() => Preference::Client,
                _ => Preference::Unknown,
            };
            if chunked && preference == Preference::Server {
                // The chunks' orders are not one order: derive it again.
                if let Ok(order) = self.eliminate(version, &suites).await?
                    && order.len() == suites.len()
                {
                    suites = order;
                }
            }
        }
        Ok(Some(VersionSuites {
            version,
            suites,
            preference,
            chunked,
        }))
    }

    /// The TLS 1.3 suites by elimination, and the preference.
    async fn tls13(&mut self) -> Result<(Vec<u16>, Preference), Stop> {
        let all_groups: Vec<u16> = tls_suites::GROUPS.iter().map(|g| g.id).collect();
        let mut remaining: Vec<u16> = tls_suites::TLS13_SUITES.iter().map(|(id, _)| *id).collect();
        let mut picked = Vec::new();
        while !remaining.is_empty() {
            let hello = legacy::tls13_client_hello_with(self.sni, &remaining, &all_groups, Some(0x001D));
            match self.send(&hello, &remaining, false).await? {
                FlightAnswer::Hello(h)
                    if (h.version == 0x0304 || h.hello_retry) && remaining.contains(&h.cipher_suite) =>
                {
                    remaining.retain(|id| *id != h.cipher_suite);
                    picked.push(h.cipher_suite);
                }
                FlightAnswer::Closed | FlightAnswer::Garbage(_) if !picked.is_empty() => {
                    self.cut_short
                        .push("TLS 1.3: enumeration stopped on a close or no answer".into());
                    break;
                }
                _ => break,
            }
        }
        let mut preference = Preference::Unknown;
        if picked.len() >= 2 {
            let reversed: Vec<u16> = picked.iter().rev().copied().collect();
            let hello = legacy::tls13_client_hello_with(self.sni, &reversed, &all_groups, Some(0x001D));
            if let FlightAnswer::Hello(h) = self.send(&hello, &reversed, false).await? {
                preference = if Some(&h.cipher_suite) == picked.first() {
                    Preference::Server
                } else if Some(&h.cipher_suite) == reversed.first() {
                    Preference::Client
                } else {
                    Preference::Unknown
                };
            }
        }
        Ok((picked, preference))
    }

    /// TLS 1.3 groups, one per hello, no key share: a HelloRetryRequest
    /// naming the group (or a ServerHello with it) means supported.
    async fn tls13_groups(&mut self, suites: &[u16]) -> Result<Vec<u16>, Stop> {
        let mut found = Vec::new();
        for g in tls_suites::GROUPS {
            let hello = legacy::tls13_client_hello_with(self.sni, suites, &[g.id], None);
            if let FlightAnswer::Hello(h) = self.send(&hello, suites, false).await?
                && (h.hello_retry || h.version == 0x0304)
                && h.key_share == Some(g.id)
            {
                found.push(g.id);
            }
        }
        Ok(found)
    }

    /// TLS 1.2 (or `version`) ECDHE curves, one per hello.
    async fn ecdhe_groups(&mut self, version: LegacyVersion, suites: &[u16]) -> Result<Vec<u16>, Stop> {
        let mut found = Vec::new();
        for g in tls_suites::GROUPS.iter().filter(|g| !g.ffdhe) {
            let options = HelloOptions {
                groups: Some(&[g.id]),
                ..HelloOptions::default()
            };
            let hello = self.hello(version, suites, &options);
            if let FlightAnswer::Hello(h) = self.send(&hello, suites, true).await?
                && let Some(KeyExchange::Ecdhe { group, .. }) = h.key_exchange
            {
                if group != g.id {
                    self.notes.push(format!(
                        "offered only {} for ECDHE, the server used 0x{group:04X}",
                        g.name
                    ));
                }
                if !found.contains(&group) {
                    found.push(group);
                }
            }
        }
        Ok(found)
    }

    /// The DHE parameters of the server's pick among `suites`.
    async fn dhe(&mut self, version: LegacyVersion, suites: &[u16]) -> Result<Option<DheParams>, Stop> {
        let hello = self.hello(version, suites, &HelloOptions::default());
        Ok(match self.send(&hello, suites, true).await? {
            FlightAnswer::Hello(ServerFlight {
                cipher_suite,
                key_exchange: Some(KeyExchange::Dhe { p, .. }),
                ..
            }) => Some(DheParams {
                suite: cipher_suite,
                bits: tls_suites::bit_length(&p),
                prime: tls_suites::known_prime(&p),
            }),
            _ => None,
        })
    }

    /// TLS 1.2 signature schemes, one per hello.
    async fn signature_schemes(&mut self, suites: &[u16]) -> Result<Vec<u16>, Stop> {
        let mut found = Vec::new();
        for (id, _) in tls_suites::SIGNATURE_SCHEMES {
            let options = HelloOptions {
                signature_algorithms: Some(&[*id]),
                ..HelloOptions::default()
            };
            let hello = self.hello(LegacyVersion::Tls1_2, suites, &options);
            if let FlightAnswer::Hello(h) = self.send(&hello, suites, true).await? {
                let signature = match h.key_exchange {
                    Some(KeyExchange::Dhe { signature, .. } | KeyExchange::Ecdhe { signature, .. }) => signature,
                    None => None,
                };
                if let Some(sig) = signature
                    && !found.contains(&sig)
                {
                    found.push(sig);
                }
            }
        }
        Ok(found)
    }

    /// The SSL 2.0 test.
    async fn ssl2(&mut self) -> Result<Option<Ssl2>, Stop> {
        if self.hellos >= self.limits.max_hellos {
            return Err(Stop::Budget("no hello left for SSL 2.0".into()));
        }
        let timeout = super::deadline::limit(self.limits.io_timeout);
        if timeout < MIN_HELLO_TIME {
            return Err(Stop::Budget("no time left for SSL 2.0".into()));
        }
        self.hellos += 1;
        let hello = ssl2_client_hello();
        let bytes = match exchange_raw(self.addr, &hello, timeout, ssl2_answer_complete).await {
            Ok(bytes) => bytes,
            Err(e @ ExchangeError::Connect { .. }) => return Err(Stop::Connect(e.to_string())),
            Err(ExchangeError::Io(e)) => {
                // Silence proves nothing about SSL 2.0.
                self.cut_short.push(format!("SSL 2.0: no answer in time ({e})"));
                return Ok(None);
            }
        };
        let ciphers = parse_ssl2_answer(&bytes);
        Ok(Some(Ssl2 {
            accepted: ciphers.is_some(),
            ciphers: ciphers.unwrap_or_default(),
        }))
    }
}

/// Enumerates the server at `addr` (SNI `server_name` when a DNS name),
/// one connection at a time, within `limits` and the probe's deadline.
/// Fails only when the server cannot be connected to at all.
pub async fn enumerate(addr: SocketAddr, server_name: Option<&str>, limits: Limits) -> Result<Enumeration, String> {
    let mut run = Run {
        addr,
        sni: server_name,
        limits,
        hellos: 0,
        offered: Default::default(),
        tls_spoken: false,
        notes: Vec::new(),
        silent: 0,
        cut_short: Vec::new(),
    };
    let mut out = Enumeration {
        versions: Vec::new(),
        tls13_suites: Vec::new(),
        tls13_preference: Preference::Unknown,
        tls13_groups: None,
        ecdhe_groups: None,
        dhe: None,
        signature_schemes: None,
        ssl2: None,
        hellos: 0,
        suites_tested: 0,
        tls_spoken: false,
        complete: true,
        notes: Vec::new(),
    };
    let outcome = stages(&mut run, &mut out).await;
    out.versions.sort_by_key(|v| v.version);
    out.hellos = run.hellos;
    out.suites_tested = run.offered.len();
    out.tls_spoken = run.tls_spoken || out.ssl2.as_ref().is_some_and(|s| s.accepted);
    out.notes = run.notes;
    if !run.cut_short.is_empty() {
        out.complete = false;
        out.notes.extend(run.cut_short);
    }
    match outcome {
        Ok(()) => Ok(out),
        Err(Stop::Budget(why)) => {
            out.complete = false;
            out.notes.push(why);
            Ok(out)
        }
        Err(Stop::Connect(why)) if out.hellos <= 1 => Err(why),
        Err(Stop::Connect(why)) => {
            out.complete = false;
            out.notes
                .push(format!("the server stopped accepting connections: {why}"));
            Ok(out)
        }
    }
}

/// The stages, most telling first, so that a run cut short keeps them.
async fn stages(run: &mut Run<'_>, out: &mut Enumeration) -> Result<(), Stop> {
    for version in LegacyVersion::ALL.into_iter().rev() {
        if let Some(found) = run.version(version).await? {
            out.versions.push(found);
        }
        if version == LegacyVersion::Tls1_2 {
            let (suites, preference) = run.tls13().await?;
            out.tls13_suites = suites;
            out.tls13_preference = preference;
        }
    }
    out.ssl2 = run.ssl2().await?;
    // The key exchange of the highest accepted version ≤ 1.2.
    let top = out.versions.iter().max_by_key(|v| v.version).cloned();
    if let Some(top) = &top {
        let dhe: Vec<u16> = top
            .suites
            .iter()
            .copied()
            .filter(|id| tls_suites::suite(*id).is_some_and(|s| s.dhe()))
            .collect();
        // One hello per DHE suite (at most MAX_DHE_SUITES): servers size
        // their group by the suite (OpenSSL's automatic DH gives 1024-bit
        // groups to anonymous suites with 128-bit ciphers); the smallest
        // prime seen is kept.
        for id in dhe.iter().take(MAX_DHE_SUITES) {
            if let Some(seen) = run.dhe(top.version, &[*id]).await?
                && out.dhe.as_ref().is_none_or(|d| seen.bits < d.bits)
            {
                out.dhe = Some(seen);
            }
        }
    }
    // DHE accepted (at any version) with no group read: the DH size (Logjam)
    // was not observed, so the run cannot vouch for it.
    let dhe_accepted = out
        .versions
        .iter()
        .flat_map(|v| v.suites.iter())
        .any(|id| tls_suites::suite(*id).is_some_and(|s| s.dhe()));
    if dhe_accepted && out.dhe.is_none() {
        run.cut_short
            .push("DHE suites are accepted but no DHE parameters could be read".into());
    }
    if let Some(top) = &top {
        let ecdhe: Vec<u16> = top
            .suites
            .iter()
            .copied()
            .filter(|id| tls_suites::suite(*id).is_some_and(|s| s.kx == Kx::Ecdhe))
            .collect();
        if !ecdhe.is_empty() {
            out.ecdhe_groups = Some(run.ecdhe_groups(top.version, &ecdhe).await?);
        }
        if top.version == LegacyVersion::Tls1_2 {
            let signed: Vec<u16> = top
                .suites
                .iter()
                .copied()
                .filter(|id| tls_suites::suite(*id).is_some_and(|s| (s.dhe() || s.ecdhe()) && !s.anonymous()))
                .collect();
            if !signed.is_empty() {
                out.signature_schemes = Some(run.signature_schemes(&signed).await?);
            }
        }
    }
    if !out.tls13_suites.is_empty() {
        let suites = out.tls13_suites.clone();
        out.tls13_groups = Some(run.tls13_groups(&suites).await?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(ct: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![ct, 3, 3];
        out.extend_from_slice(&u16::try_from(body.len()).expect("len").to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![kind];
        out.extend_from_slice(&u32::try_from(body.len()).expect("len").to_be_bytes()[1..]);
        out.extend_from_slice(body);
        out
    }

    fn server_hello(random: [u8; 32], suite: u16, exts: &[(u16, &[u8])]) -> Vec<u8> {
        let mut b = vec![3, 3];
        b.extend_from_slice(&random);
        b.push(0);
        b.extend_from_slice(&suite.to_be_bytes());
        b.push(0);
        let mut e = Vec::new();
        for (kind, data) in exts {
            e.extend_from_slice(&kind.to_be_bytes());
            e.extend_from_slice(&u16::try_from(data.len()).expect("len").to_be_bytes());
            e.extend_from_slice(data);
        }
        b.extend_from_slice(&u16::try_from(e.len()).expect("len").to_be_bytes());
        b.extend_from_slice(&e);
        message(2, &b)
    }

    fn dhe_ske(p: &[u8], sig: u16) -> Vec<u8> {
        let mut b = Vec::new();
        for v in [p, &[2][..], &[7; 8][..]] {
            b.extend_from_slice(&u16::try_from(v.len()).expect("len").to_be_bytes());
            b.extend_from_slice(v);
        }
        b.extend_from_slice(&sig.to_be_bytes());
        b.extend_from_slice(&[0, 2, 1, 1]);
        message(12, &b)
    }

    #[test]
    fn a_dhe_flight_yields_its_prime_and_signature_and_every_prefix_needs_more() {
        let mut flight = server_hello([1; 32], 0x009E, &[(0xFF01, &[0])]);
        flight.extend(message(11, &[0, 0, 0]));
        flight.extend(dhe_ske(&[0xC0; 128], 0x0804));
        flight.extend(message(14, &[]));
        let bytes = record(22, &flight);
        let FlightProgress::Done(FlightAnswer::Hello(h)) = parse_flight(&bytes, true) else {
            panic!("{:?}", parse_flight(&bytes, true));
        };
        assert_eq!(h.cipher_suite, 0x009E);
        assert_eq!(
            h.key_exchange,
            Some(KeyExchange::Dhe {
                p: vec![0xC0; 128],
                signature: Some(0x0804)
            })
        );
        // Without asking for the key exchange the ServerHello is enough.
        let hello_only = record(22, &server_hello([1; 32], 0x009E, &[]));
        assert!(matches!(
            parse_flight(&hello_only, false),
            FlightProgress::Done(FlightAnswer::Hello(_))
        ));
        assert!(matches!(
            parse_flight(&hello_only, true),
            FlightProgress::NeedMore(FlightAnswer::Hello(_))
        ));
        for cut in 0..bytes.len() - 4 {
            assert!(
                !matches!(
                    parse_flight(&bytes[..cut], true),
                    FlightProgress::Done(FlightAnswer::Hello(_))
                ),
                "done at {cut}"
            );
        }
    }

    #[test]
    fn an_ecdhe_flight_and_a_hello_retry_request_are_read() {
        let mut ske = vec![3, 0x00, 0x17, 2, 4, 4];
        ske.extend_from_slice(&0x0403u16.to_be_bytes());
        ske.extend_from_slice(&[0, 0]);
        let mut flight = server_hello([1; 32], 0xC02F, &[]);
        flight.extend(message(12, &ske));
        let FlightProgress::Done(FlightAnswer::Hello(h)) = parse_flight(&record(22, &flight), true) else {
            panic!("not done");
        };
        assert_eq!(
            h.key_exchange,
            Some(KeyExchange::Ecdhe {
                group: 0x0017,
                signature: Some(0x0403)
            })
        );
        let hrr = server_hello(HRR_RANDOM, 0x1302, &[(0x002B, &[3, 4]), (0x0033, &[0, 0x18])]);
        let FlightProgress::Done(FlightAnswer::Hello(h)) = parse_flight(&record(22, &hrr), false) else {
            panic!("not done");
        };
        assert!(h.hello_retry);
        assert_eq!((h.version, h.cipher_suite, h.key_share), (0x0304, 0x1302, Some(0x0018)));
    }

    #[test]
    fn alerts_and_garbage_are_answers() {
        assert_eq!(
            parse_flight(&record(21, &[2, 40]), true),
            FlightProgress::Done(FlightAnswer::Alert {
                level: 2,
                description: 40
            })
        );
        assert!(matches!(
            parse_flight(b"HTTP/1.1 400", true),
            FlightProgress::Done(FlightAnswer::Garbage(_))
        ));
        assert!(matches!(
            parse_flight(&[], true),
            FlightProgress::NeedMore(FlightAnswer::Closed)
        ));
    }

    #[test]
    fn ssl2_hello_and_server_hello() {
        let hello = ssl2_client_hello();
        assert_eq!(hello.len(), 2 + 9 + 21 + 16);
        assert_eq!(hello[0] & 0x80, 0x80);
        let mut sh = vec![4, 0, 1, 0, 2, 0, 3, 0, 6, 0, 16];
        sh.extend_from_slice(&[9, 9, 9]);
        sh.extend_from_slice(&[0x01, 0x00, 0x80, 0x07, 0x00, 0xC0]);
        sh.extend_from_slice(&[0; 16]);
        let mut bytes = (u16::try_from(sh.len()).expect("len") | 0x8000).to_be_bytes().to_vec();
        bytes.extend_from_slice(&sh);
        assert_eq!(parse_ssl2_answer(&bytes), Some(vec![0x010080, 0x0700C0]));
        assert_eq!(parse_ssl2_answer(&bytes[..bytes.len() - 17]), None);
        assert_eq!(parse_ssl2_answer(&record(21, &[2, 40])), None);
        assert_eq!(parse_ssl2_answer(&[]), None);
    }
}

//! Why an exchange with a server failed, in words a user understands.
//!
//! A [`Tap`] wraps a stream and records what the server actually sent: how
//! many bytes, the first ones, when the last one came, and (for HTTP) the
//! shape of its lines. It also stops reading past a byte cap, so a read is
//! bounded by what was actually read, whatever a header claims. The
//! `explain` functions turn a library error or a timeout, plus that record,
//! into one sentence ("the server accepted the connection but sent nothing
//! within 8s", "the server sent a TLS alert: handshake_failure") instead of
//! library debug output. Each misbehaviour maps to one class, so the same
//! server gets the same reason on every run (`docs/hostile-lab.md`).

use super::ProbeContext;
use super::verify::ObserveOnlyVerifier;
use crate::evidence::ProbeFailure;
use crate::model::EndpointTarget;
use rustls::pki_types::ServerName;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Bytes of the start of the stream kept for diagnosis.
const PREFIX: usize = 64;
/// Bytes of the start of each line kept to recognise status lines.
const LINE_HEAD: usize = 12;
/// Header lines accepted in one response head (hyper's default, set
/// explicitly by every HTTP client of the probes).
pub const MAX_HEADERS: usize = 100;
/// A line at least this long in a response head is "a header line too long".
const LONG_LINE: u64 = 8 * 1024;
/// rustls refuses handshake messages longer than this (a certificate chain
/// is one message).
pub const MAX_HANDSHAKE_MESSAGE: usize = 0xffff;

/// What a [`Tap`] saw the server send.
#[derive(Debug, Clone)]
pub struct Seen {
    /// When the tap was put on the stream.
    pub started: Instant,
    /// Bytes read from the server.
    pub bytes: u64,
    /// The first bytes read (at most 64).
    pub prefix: Vec<u8>,
    /// When the first byte arrived.
    pub first_at: Option<Instant>,
    /// When the last byte arrived.
    pub last_at: Option<Instant>,
    /// The server closed its side (a read returned 0 bytes).
    pub eof: bool,
    /// Reading stopped at this cap.
    pub capped: Option<u64>,
    /// Longest line seen (bytes between two `\n`, the current one included).
    pub max_line: u64,
    /// Lines since the last empty line: the header lines of the current head.
    pub head_lines: u64,
    /// Lines that looked like an interim `HTTP/1.x 1xx` status line.
    pub interim: u64,
    /// The status of the first interim line.
    pub first_interim: Option<u16>,
    line_len: u64,
    line_head: Vec<u8>,
}

impl Seen {
    fn new() -> Seen {
        Seen {
            started: Instant::now(),
            bytes: 0,
            prefix: Vec::new(),
            first_at: None,
            last_at: None,
            eof: false,
            capped: None,
            max_line: 0,
            head_lines: 0,
            interim: 0,
            first_interim: None,
            line_len: 0,
            line_head: Vec::with_capacity(LINE_HEAD),
        }
    }

    fn observe(&mut self, data: &[u8]) {
        if data.is_empty() {
            self.eof = true;
            return;
        }
        self.bytes = self.bytes.saturating_add(data.len() as u64);
        let now = Instant::now();
        self.first_at.get_or_insert(now);
        self.last_at = Some(now);
        let room = PREFIX.saturating_sub(self.prefix.len());
        self.prefix
            .extend_from_slice(data.get(..room.min(data.len())).unwrap_or_default());
        for &b in data {
            if b == b'\n' {
                let blank = self.line_len == 0 || (self.line_len == 1 && self.line_head.first() == Some(&b'\r'));
                if blank {
                    self.head_lines = 0;
                } else {
                    self.head_lines += 1;
                    if let Some(code) = interim_status(&self.line_head) {
                        self.interim += 1;
                        self.first_interim.get_or_insert(code);
                    }
                }
                self.line_len = 0;
                self.line_head.clear();
            } else {
                self.line_len += 1;
                if self.line_head.len() < LINE_HEAD {
                    self.line_head.push(b);
                }
                self.max_line = self.max_line.max(self.line_len);
            }
        }
    }

    /// How long since the last byte (or since the start, when none came).
    fn silent_for(&self) -> Duration {
        self.last_at.unwrap_or(self.started).elapsed()
    }

    /// How long the bytes kept coming: from the first to the last.
    fn spread(&self) -> Duration {
        match (self.first_at, self.last_at) {
            (Some(first), Some(last)) => last.saturating_duration_since(first),
            _ => Duration::ZERO,
        }
    }

    /// Whether the server was still sending, slowly, when `limit` ran out
    /// (bytes kept arriving over a quarter of it or more), as opposed to one
    /// burst and then silence. Robust to a loaded machine: a late byte only
    /// makes the spread longer.
    fn trickled(&self, limit: Duration) -> bool {
        self.spread() >= limit / 4
    }
}

/// `Some(code)` when a line starts `HTTP/1.x 1yz`.
fn interim_status(head: &[u8]) -> Option<u16> {
    let digits = head.get(9..12)?;
    if !head.starts_with(b"HTTP/1.") || digits.first() != Some(&b'1') {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The shared record of a [`Tap`], readable after the stream was moved
/// into a TLS or HTTP library (or dropped on a timeout).
#[derive(Debug, Clone)]
pub struct TapRecord(Arc<Mutex<Seen>>);

impl TapRecord {
    /// A copy of what was seen so far.
    pub fn seen(&self) -> Seen {
        match self.0.lock() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// A stream wrapper that records what is read and stops reading past a cap
/// (the error then says so; one read may overshoot by its buffer size).
#[derive(Debug)]
pub struct Tap<S> {
    inner: S,
    record: Arc<Mutex<Seen>>,
    cap: u64,
}

/// Why a [`Tap`] stopped reading.
#[derive(Debug, thiserror::Error)]
#[error("read limit of {0} bytes reached")]
pub struct ReadCapReached(pub u64);

impl<S> Tap<S> {
    /// Wraps `inner`; reads fail once more than `cap` bytes were read.
    pub fn new(inner: S, cap: u64) -> (Tap<S>, TapRecord) {
        let record = Arc::new(Mutex::new(Seen::new()));
        (
            Tap {
                inner,
                record: record.clone(),
                cap,
            },
            TapRecord(record),
        )
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tap<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let cap = this.cap;
        let over = this.record.lock().map(|s| s.bytes >= cap).unwrap_or(false);
        if over {
            if let Ok(mut s) = this.record.lock() {
                s.capped = Some(cap);
            }
            return Poll::Ready(Err(io::Error::other(ReadCapReached(cap))));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &polled
            && let Ok(mut s) = this.record.lock()
        {
            s.observe(buf.filled().get(before..).unwrap_or_default());
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tap<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// A duration as people write it: `8s`, `2.5s`, `350ms`.
fn secs(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else if d.subsec_millis() < 50 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// `HandshakeFailure` → `handshake_failure` (the RFC's spelling).
fn snake(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `SelectedUnofferedApplicationProtocol` → `selected unoffered application protocol`.
fn words(debug: &str) -> String {
    snake(debug).replace('_', " ")
}

/// The RFC name of a TLS alert.
pub fn alert_name(alert: rustls::AlertDescription) -> String {
    match alert {
        rustls::AlertDescription::Unknown(code) => format!("unknown alert {code}"),
        other => snake(&format!("{other:?}")),
    }
}

/// Whether bytes can be the start of a TLS record.
fn looks_like_tls(prefix: &[u8]) -> bool {
    match prefix {
        [] => true,
        [ct] => (20..=24).contains(ct),
        [ct, major, ..] => (20..=24).contains(ct) && *major == 3,
    }
}

/// A short, printable description of what the server sent instead of TLS.
fn describe_bytes(prefix: &[u8]) -> String {
    if prefix.starts_with(b"HTTP/") {
        let line: String = prefix
            .iter()
            .take_while(|b| **b != b'\r' && **b != b'\n')
            .map(|b| char::from(*b))
            .collect();
        return format!("plain HTTP ({line:?})");
    }
    let head = prefix.get(..24).unwrap_or(prefix);
    if head
        .iter()
        .all(|b| b.is_ascii_graphic() || matches!(b, b' ' | b'\r' | b'\n' | b'\t'))
    {
        let text: String = head.iter().map(|b| char::from(*b)).collect();
        format!("plain text ({text:?})")
    } else {
        let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("bytes {}", hex.join(" "))
    }
}

/// `(a ServerHello)` when the bytes start with a handshake record holding one.
fn first_message(prefix: &[u8]) -> &'static str {
    match (prefix.first(), prefix.get(5)) {
        (Some(22), Some(2)) => ", starting with a ServerHello",
        (Some(21), _) => ", a TLS alert",
        _ => "",
    }
}

/// Start of the reason of a handshake timeout with nothing from the server.
const HANDSHAKE_NOTHING: &str = "the server accepted the connection but sent nothing within";
/// Start of the reason of a handshake timeout while bytes still trickled in.
const HANDSHAKE_TRICKLE: &str = "the server's TLS handshake was still arriving slowly after";
/// Start of the reason of a handshake timeout after a burst and silence.
const HANDSHAKE_SILENT: &str = "the server fell silent during the TLS handshake";

/// The reason for a TLS handshake that did not finish within `limit`.
pub fn handshake_timeout(seen: &Seen, limit: Duration) -> String {
    if seen.bytes == 0 {
        return format!("{HANDSHAKE_NOTHING} {}", secs(limit));
    }
    if seen.trickled(limit) {
        format!(
            "{HANDSHAKE_TRICKLE} {}: {} bytes over {} (a trickle), the handshake did not finish",
            secs(limit),
            seen.bytes,
            secs(seen.spread())
        )
    } else {
        format!(
            "{HANDSHAKE_SILENT}: it sent {} bytes{}, then nothing for {}; the handshake did not finish within {}",
            seen.bytes,
            first_message(&seen.prefix),
            secs(seen.silent_for()),
            secs(limit)
        )
    }
}

/// Whether a failure is a TLS handshake that did not finish in time (any of
/// the [`handshake_timeout`] classes).
pub fn is_handshake_timeout(f: &ProbeFailure) -> bool {
    f.stage == "handshake"
        && [HANDSHAKE_NOTHING, HANDSHAKE_TRICKLE, HANDSHAKE_SILENT]
            .iter()
            .any(|p| f.reason.starts_with(p))
}

/// The innermost rustls error inside an I/O error, if any.
fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur: Option<&'a (dyn std::error::Error + 'static)> = Some(e);
    let mut depth = 0;
    while let Some(err) = cur {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(io) = err.downcast_ref::<io::Error>()
            && let Some(tls) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>())
        {
            return Some(tls);
        }
        depth += 1;
        if depth > 8 {
            break;
        }
        cur = err.source();
    }
    None
}

/// The innermost I/O error in a chain, if any.
fn io_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a io::Error> {
    let mut cur: Option<&'a (dyn std::error::Error + 'static)> = Some(e);
    let mut found = None;
    let mut depth = 0;
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<io::Error>() {
            found = Some(io);
        }
        depth += 1;
        if depth > 8 {
            break;
        }
        cur = err.source();
    }
    found
}

/// The innermost message of an error chain.
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    let mut depth = 0;
    while let Some(next) = cur.source() {
        depth += 1;
        if depth > 8 {
            break;
        }
        cur = next;
    }
    cur.to_string()
}

fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe
    )
}

/// A rustls error, explained. `None` for errors better told from the bytes.
fn explain_rustls(e: &rustls::Error) -> String {
    use rustls::{Error, InvalidMessage, PeerMisbehaved};
    match e {
        Error::AlertReceived(alert) => format!("the server sent a TLS alert: {}", alert_name(*alert)),
        Error::InvalidMessage(
            InvalidMessage::HandshakePayloadTooLarge | InvalidMessage::CertificatePayloadTooLarge,
        ) => chain_too_large(),
        Error::InvalidMessage(InvalidMessage::MessageTooLarge) | Error::PeerSentOversizedRecord => {
            "the server sent a TLS record longer than the protocol allows (16 KiB of plaintext)".into()
        }
        Error::InvalidMessage(InvalidMessage::InvalidContentType) => {
            "the server sent something that is not a TLS record".into()
        }
        Error::InvalidMessage(m) => format!("the server sent a malformed TLS message ({})", words(&format!("{m:?}"))),
        Error::InappropriateMessage { .. } | Error::InappropriateHandshakeMessage { .. } => {
            format!("the server broke the TLS handshake order: {e}")
        }
        Error::PeerMisbehaved(PeerMisbehaved::SelectedUnofferedApplicationProtocol) => {
            "the server chose an application protocol (ALPN) that Strata did not offer".into()
        }
        Error::PeerMisbehaved(m) => format!("the server broke the TLS protocol ({})", words(&format!("{m:?}"))),
        Error::PeerIncompatible(m) => format!(
            "the server's TLS is incompatible with Strata's ({})",
            words(&format!("{m:?}"))
        ),
        Error::InvalidCertificate(c) => format!("the server's certificate was refused: {c}"),
        Error::NoCertificatesPresented => "the server presented no certificate".into(),
        Error::DecryptError => "the server's TLS records could not be decrypted (corrupt or forged)".into(),
        other => format!("TLS failed: {other}"),
    }
}

fn chain_too_large() -> String {
    format!(
        "the server sent a TLS handshake message over {MAX_HANDSHAKE_MESSAGE} bytes, the most rustls accepts: certificate chain larger than {MAX_HANDSHAKE_MESSAGE} bytes (or another oversized handshake message)"
    )
}

/// A handshake failure explained, and whether it was the server refusing
/// every offered application protocol (the caller may then find out which
/// one it wants).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeError {
    /// The stage: `handshake`, or `connect` for a reset before the server
    /// sent anything (the same class as a reset while connecting, see
    /// [`connect_error`]).
    pub stage: &'static str,
    /// One sentence.
    pub reason: String,
    /// The server sent `no_application_protocol`.
    pub no_common_alpn: bool,
}

/// Explains an error of a TLS client handshake, given what the server sent.
pub fn handshake_error(e: &io::Error, seen: &Seen) -> HandshakeError {
    let tls = rustls_error(e);
    let no_common_alpn = matches!(
        tls,
        Some(rustls::Error::AlertReceived(
            rustls::AlertDescription::NoApplicationProtocol
        ))
    );
    let message_too_large = e.kind() == io::ErrorKind::Other && e.to_string().contains("message buffer full");
    let mut stage = "handshake";
    let reason = if !looks_like_tls(&seen.prefix) {
        format!(
            "the server answered with something that is not TLS: {}",
            describe_bytes(&seen.prefix)
        )
    } else if message_too_large {
        chain_too_large()
    } else if let Some(tls) = tls {
        explain_rustls(tls)
    } else if e.kind() == io::ErrorKind::UnexpectedEof {
        if seen.bytes == 0 {
            "the server closed the connection (TCP FIN) without answering the ClientHello".into()
        } else {
            format!(
                "the server closed the connection (TCP FIN) after {} bytes{}, before the TLS handshake finished",
                seen.bytes,
                first_message(&seen.prefix)
            )
        }
    } else if is_reset(e) {
        if seen.bytes == 0 {
            stage = "connect";
            RESET_AT_ONCE.into()
        } else {
            format!(
                "the server reset the connection (TCP RST) after {} bytes of the TLS handshake",
                seen.bytes
            )
        }
    } else {
        format!("the connection failed during the TLS handshake: {e}")
    };
    HandshakeError {
        stage,
        reason,
        no_common_alpn,
    }
}

/// A reset before the server sent anything: whether it reaches the client
/// while connecting or during the first write is a matter of timing.
const RESET_AT_ONCE: &str =
    "the server reset the connection (TCP RST) right after accepting it, before sending anything";

/// Explains a failed TCP connect to `addr`.
pub fn connect_error(addr: &std::net::SocketAddr, e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => format!("nothing listens on {addr} (connection refused)"),
        k if is_reset(e) && k != io::ErrorKind::BrokenPipe => RESET_AT_ONCE.to_string(),
        _ => format!("cannot connect to {addr}: {e}"),
    }
}

/// The reason when the server refused every offered application protocol
/// and (`h2_only`) then accepted `h2` alone.
pub fn no_common_alpn(offered: &[&[u8]], h2_only: bool) -> String {
    let offered: Vec<String> = offered
        .iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    if h2_only {
        format!(
            "the server offered only h2 (HTTP/2); Strata speaks HTTP/1.1 here (it refused {} with the TLS alert no_application_protocol)",
            offered.join(", ")
        )
    } else {
        format!(
            "the server sent a TLS alert: no_application_protocol (it speaks none of the protocols Strata offered: {})",
            offered.join(", ")
        )
    }
}

/// A handshake that did not finish within `limit`, as a probe failure.
pub fn handshake_timeout_failure(record: &TapRecord, limit: Duration) -> ProbeFailure {
    ProbeFailure::new("handshake", handshake_timeout(&record.seen(), limit))
}

/// A failed handshake as a probe failure. When the server refused every
/// protocol in `alpn` (`no_application_protocol`), one more handshake
/// offering `h2` alone finds out whether it speaks only HTTP/2.
pub async fn handshake_failure(
    e: &io::Error,
    record: &TapRecord,
    target: &EndpointTarget,
    cx: &ProbeContext,
    alpn: &[&[u8]],
) -> ProbeFailure {
    let explained = handshake_error(e, &record.seen());
    let stage = explained.stage;
    let reason = if explained.no_common_alpn && !alpn.is_empty() && !alpn.contains(&&b"h2"[..]) {
        no_common_alpn(alpn, offers_only_h2(target, cx).await)
    } else {
        explained.reason
    };
    ProbeFailure::new(stage, reason)
}

/// Whether a handshake offering only `h2` succeeds with `h2` (bounded by the
/// context's timeouts; the chain is not judged here).
async fn offers_only_h2(target: &EndpointTarget, cx: &ProbeContext) -> bool {
    let Ok(server_name) = ServerName::try_from(target.server_name.clone()) else {
        return false;
    };
    let Ok(builder) =
        rustls::ClientConfig::builder_with_provider(cx.provider.clone()).with_safe_default_protocol_versions()
    else {
        return false;
    };
    let mut config = builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ObserveOnlyVerifier::new(cx.provider.clone())))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let Ok(tcp) = super::tls::connect(target, cx).await else {
        return false;
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    match tokio::time::timeout(cx.io_timeout, connector.connect(server_name, tcp)).await {
        Ok(Ok(tls)) => tls.get_ref().1.alpn_protocol() == Some(b"h2"),
        _ => false,
    }
}

/// Name of an interim status.
fn interim_name(code: u16) -> String {
    match code {
        100 => "100 Continue".into(),
        102 => "102 Processing".into(),
        103 => "103 Early Hints".into(),
        other => other.to_string(),
    }
}

fn interim_summary(seen: &Seen) -> String {
    format!(
        "{} interim {} answer{}",
        seen.interim,
        interim_name(seen.first_interim.unwrap_or(100)),
        if seen.interim == 1 { "" } else { "s" }
    )
}

/// The reason for an HTTP exchange with no complete response head within
/// `limit`. `over_tls`: the TLS handshake had completed.
pub fn http_timeout(seen: &Seen, limit: Duration, over_tls: bool) -> String {
    if seen.bytes == 0 {
        let before = if over_tls {
            "completed the TLS handshake"
        } else {
            "accepted the connection"
        };
        return format!("the server {before} but sent no HTTP answer within {}", secs(limit));
    }
    if seen.interim > 0 {
        return format!(
            "the server sent {} and no final answer within {}",
            interim_summary(seen),
            secs(limit)
        );
    }
    if seen.trickled(limit) {
        format!(
            "the server's HTTP answer was still arriving slowly after {}: {} bytes over {} (a trickle), no complete response head",
            secs(limit),
            seen.bytes,
            secs(seen.spread())
        )
    } else {
        format!(
            "the server sent {} bytes of an HTTP answer, then nothing for {}: no complete response head within {}",
            seen.bytes,
            secs(seen.silent_for()),
            secs(limit)
        )
    }
}

/// Explains a failed HTTP/1.1 response head (hyper's error), given what the
/// server sent (`None` when the stream could not be tapped) and the head
/// limit in bytes.
pub fn http_error(e: &hyper::Error, seen: Option<&Seen>, max_head: usize) -> String {
    if let Some(s) = seen
        && let Some(cap) = s.capped
    {
        let what = if s.interim > 0 {
            format!(" ({})", interim_summary(s))
        } else {
            String::new()
        };
        return format!(
            "the server sent more than {cap} bytes without a complete response head{what} and no final answer; Strata stopped reading"
        );
    }
    if e.is_parse_too_large() {
        return match seen {
            Some(s) if s.head_lines as usize > MAX_HEADERS => format!(
                "too many headers: the response head has more than {MAX_HEADERS} header lines, the most Strata reads"
            ),
            Some(s) if s.max_line >= LONG_LINE => format!(
                "header line too long: one line of the response head ran past {} KiB, and the whole head is limited to {} KiB",
                s.max_line / 1024,
                max_head / 1024
            ),
            Some(_) => format!("the response head is larger than {} KiB", max_head / 1024),
            None => format!(
                "the response head is too large (too many headers, over {MAX_HEADERS}, or a header line too long)"
            ),
        };
    }
    if e.is_parse_version_h2() {
        return "the server answered with HTTP/2 framing; Strata speaks HTTP/1.1 here".into();
    }
    if e.is_parse() {
        let prefix = seen.map(|s| s.prefix.as_slice()).unwrap_or_default();
        if matches!(prefix, [21 | 22, 3, ..]) {
            return "the server answered with TLS, not plain HTTP".into();
        }
        let what = if prefix.is_empty() {
            String::new()
        } else {
            format!(": it sent {}", describe_bytes(prefix))
        };
        return format!("the server's answer is not valid HTTP/1.1 ({e}){what}");
    }
    if let Some(tls) = rustls_error(e) {
        return explain_rustls(tls);
    }
    if let Some(io) = io_error(e) {
        if is_reset(io) {
            return "the server reset the connection (TCP RST) before a complete HTTP answer".into();
        }
        if io.to_string().contains("close_notify") {
            return "the server closed TCP without closing TLS (no close_notify) before a complete HTTP answer".into();
        }
    }
    if e.is_incomplete_message() || e.is_closed() {
        return match seen {
            Some(s) if s.bytes > 0 => format!(
                "the server closed the connection after {} bytes, before the response head was complete",
                s.bytes
            ),
            _ => "the server closed the connection without an HTTP answer".into(),
        };
    }
    format!("no valid HTTP answer: {}", innermost(e))
}

/// A note for a response whose status and headers were read but whose body
/// then broke off (the answer is kept; this says what went wrong after).
pub fn body_note(e: &(dyn std::error::Error + 'static)) -> String {
    let cause = innermost(e);
    if cause.contains("close_notify") {
        return "the body ended without a TLS close_notify: the server closed TCP without closing TLS, so the body may be cut short".into();
    }
    if cause.to_ascii_lowercase().contains("chunk") {
        return format!("the chunked body is malformed ({cause}); its start was kept");
    }
    if let Some(io) = io_error(e) {
        if is_reset(io) {
            return "the connection was reset (TCP RST) during the body".into();
        }
        if io.get_ref().is_some_and(|i| i.is::<ReadCapReached>()) {
            return format!("the body was cut: {cause}");
        }
    }
    format!("the body broke off: {cause}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(data: &[&[u8]]) -> Seen {
        let mut s = Seen::new();
        for d in data {
            s.observe(d);
        }
        s
    }

    #[test]
    fn lines_and_interim_answers_are_counted_across_reads() {
        let s = seen(&[b"HTTP/1.1 100 Cont", b"inue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n"]);
        assert_eq!((s.interim, s.first_interim, s.head_lines), (2, Some(100), 0));
        let s = seen(&[b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n"]);
        assert_eq!((s.interim, s.head_lines, s.max_line), (0, 3, 16), "the CR counts");
        let s = seen(&[b"HTTP/1.1 200 OK\r\nX: ", &[b'a'; 9000]]);
        assert!(s.max_line >= LONG_LINE);
        assert_eq!(s.prefix.len(), PREFIX);
    }

    #[test]
    fn names_are_the_rfc_spelling() {
        assert_eq!(
            alert_name(rustls::AlertDescription::HandshakeFailure),
            "handshake_failure"
        );
        assert_eq!(
            alert_name(rustls::AlertDescription::NoApplicationProtocol),
            "no_application_protocol"
        );
        assert_eq!(alert_name(rustls::AlertDescription::Unknown(200)), "unknown alert 200");
        assert_eq!(secs(Duration::from_secs(8)), "8s");
        assert_eq!(secs(Duration::from_millis(2500)), "2.5s");
        assert_eq!(secs(Duration::from_millis(300)), "300ms");
    }

    #[test]
    fn handshake_errors_say_what_the_server_did() {
        let eof = io::Error::new(io::ErrorKind::UnexpectedEof, "tls handshake eof");
        assert!(
            handshake_error(&eof, &seen(&[]))
                .reason
                .contains("(TCP FIN) without answering")
        );
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        let h = handshake_error(&reset, &seen(&[]));
        assert_eq!((h.stage, h.reason.as_str()), ("connect", RESET_AT_ONCE));
        let corrupt = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
        );
        let r = handshake_error(&corrupt, &seen(&[b"HTTP/1.1 400 Bad Request\r\n"])).reason;
        assert!(r.contains("not TLS: plain HTTP (\"HTTP/1.1 400 Bad Request\")"), "{r}");
        let r = handshake_error(&corrupt, &seen(&[&[0, 0xff, 1, 2]])).reason;
        assert!(r.contains("not TLS: bytes 00 ff 01 02"), "{r}");
        let alert = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::AlertReceived(rustls::AlertDescription::NoApplicationProtocol),
        );
        let h = handshake_error(&alert, &seen(&[&[21, 3, 3, 0, 2, 2, 120]]));
        assert!(h.no_common_alpn);
        assert_eq!(h.reason, "the server sent a TLS alert: no_application_protocol");
        let big = io::Error::other("message buffer full");
        assert!(
            handshake_error(&big, &seen(&[&[22, 3, 3]]))
                .reason
                .contains("certificate chain larger than 65535 bytes")
        );
    }

    #[test]
    fn timeouts_tell_silence_from_a_trickle() {
        let limit = Duration::from_secs(2);
        assert_eq!(
            handshake_timeout(&seen(&[]), limit),
            "the server accepted the connection but sent nothing within 2s"
        );
        let r = handshake_timeout(&seen(&[&[22, 3, 3, 0, 80, 2, 0]]), limit);
        assert!(r.contains("starting with a ServerHello, then nothing for"), "{r}");
        let mut slow = seen(&[&[22], &[3]]);
        slow.first_at = Instant::now().checked_sub(Duration::from_secs(1));
        let trickle = handshake_timeout(&slow, limit);
        assert!(trickle.contains("slowly"));
        for reason in [r, trickle, handshake_timeout(&seen(&[]), limit)] {
            assert!(
                is_handshake_timeout(&ProbeFailure::new("handshake", reason.clone())),
                "{reason}"
            );
            assert!(!is_handshake_timeout(&ProbeFailure::new("http", reason)));
        }
        assert!(!is_handshake_timeout(&ProbeFailure::new(
            "handshake",
            "the server sent a TLS alert: handshake_failure"
        )));
        assert!(http_timeout(&seen(&[]), limit, true).contains("completed the TLS handshake but sent no HTTP answer"));
        let r = http_timeout(&seen(&[b"HTTP/1.1 100 Continue\r\n\r\n"]), limit, true);
        assert!(
            r.contains("sent 1 interim 100 Continue answer and no final answer"),
            "{r}"
        );
        assert!(http_timeout(&seen(&[b"HT"]), limit, true).contains("then nothing"));
        slow.first_at = Instant::now().checked_sub(Duration::from_secs(1));
        assert!(http_timeout(&slow, limit, true).contains("slowly"));
    }
}

//! Session resumption and TLS 1.3 early data (0-RTT), seen through a real
//! rustls client.
//!
//! Each question is a pair of connections sharing one `ClientConfig` (and
//! so one session store); the second connection's
//! [`handshake_kind`](rustls::CommonState::handshake_kind) says whether the
//! server resumed:
//!
//! 1. **TLS 1.3** (tickets, RFC 8446 §4.6.1), with `enable_early_data`:
//!    the first connection waits (bounded) for the server's
//!    NewSessionTicket; when the ticket allows early data
//!    (`max_early_data_size` > 0) the second sends a `HEAD` request as
//!    early data, and [`is_early_data_accepted`](rustls::ClientConnection::is_early_data_accepted)
//!    tells whether the server took it (RFC 8446 §2.3: replayable).
//! 2. **TLS 1.2 session ids** (`Tls12Resumption::SessionIdOnly`, no ticket
//!    offered, RFC 5246 §7.4.1.2).
//! 3. **TLS 1.2 tickets** (`SessionIdOrTickets`, RFC 5077): whether the
//!    server sent a NewSessionTicket (read from the plaintext records
//!    before its ChangeCipherSpec), and whether the pair resumed.
//!
//! At most six connections, each bounded by the I/O limit cut to the
//! probe's deadline. A version the server does not speak leaves its facts
//! `null`; a failed connection is recorded in `notes` and leaves the facts
//! it would have given `null` (never `false`).

use crate::probe::deadline::limit;
use crate::probe::verify::ObserveOnlyVerifier;
use rustls::client::{ClientSessionMemoryCache, ClientSessionStore, Resumption, Tls12Resumption};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, HandshakeKind, NamedGroup};
use serde::Serialize;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Longest wait for a TLS 1.3 ticket after the handshake.
const TICKET_WAIT: Duration = Duration::from_secs(2);
/// Most bytes read on one connection.
const MAX_READ: usize = 256 * 1024;
/// Most raw bytes kept to look for a TLS 1.2 NewSessionTicket.
const MAX_KEPT: usize = 64 * 1024;

/// A session store that counts what the server issued.
#[derive(Debug)]
struct CountingStore {
    inner: ClientSessionMemoryCache,
    tls13_tickets: AtomicUsize,
    max_early_data: AtomicU32,
    tls12_sessions: AtomicUsize,
}

impl CountingStore {
    fn new() -> Arc<CountingStore> {
        Arc::new(CountingStore {
            inner: ClientSessionMemoryCache::new(8),
            tls13_tickets: AtomicUsize::new(0),
            max_early_data: AtomicU32::new(0),
            tls12_sessions: AtomicUsize::new(0),
        })
    }
}

impl ClientSessionStore for CountingStore {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.inner.set_kx_hint(server_name, group)
    }
    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.inner.kx_hint(server_name)
    }
    fn set_tls12_session(&self, server_name: ServerName<'static>, value: rustls::client::Tls12ClientSessionValue) {
        self.tls12_sessions.fetch_add(1, Ordering::Relaxed);
        self.inner.set_tls12_session(server_name, value)
    }
    fn tls12_session(&self, server_name: &ServerName<'_>) -> Option<rustls::client::Tls12ClientSessionValue> {
        self.inner.tls12_session(server_name)
    }
    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        self.inner.remove_tls12_session(server_name)
    }
    fn insert_tls13_ticket(&self, server_name: ServerName<'static>, value: rustls::client::Tls13ClientSessionValue) {
        self.tls13_tickets.fetch_add(1, Ordering::Relaxed);
        self.max_early_data
            .fetch_max(value.max_early_data_size(), Ordering::Relaxed);
        self.inner.insert_tls13_ticket(server_name, value)
    }
    fn take_tls13_ticket(&self, server_name: &ServerName<'static>) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.inner.take_tls13_ticket(server_name)
    }
}

/// What one connection showed.
#[derive(Debug, Default)]
struct Seen {
    resumed: bool,
    early_data_sent: bool,
    early_data_accepted: bool,
    /// A TLS 1.2 NewSessionTicket (handshake type 4) came in the clear.
    tls12_ticket: bool,
}

/// What the resumption probe saw (see the module doc).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResumptionFacts {
    /// A TLS 1.3 handshake succeeded.
    pub tls13: bool,
    /// The server issued TLS 1.3 tickets (`null`: no TLS 1.3).
    pub tls13_tickets_issued: Option<bool>,
    /// The second TLS 1.3 connection resumed with a ticket.
    pub tls13_resumed: Option<bool>,
    /// Largest `max_early_data_size` of the tickets (0: no 0-RTT offered).
    pub early_data_max: Option<i64>,
    /// Early data (a HEAD request) was sent on the resumed connection.
    pub early_data_offered: Option<bool>,
    /// The server accepted that early data (0-RTT).
    pub early_data_accepted: Option<bool>,
    /// A TLS 1.2 handshake succeeded.
    pub tls12: bool,
    /// A TLS 1.2 session-id resumption (no ticket offered) succeeded.
    pub tls12_session_id_resumed: Option<bool>,
    /// The server sent a TLS 1.2 NewSessionTicket.
    pub tls12_ticket_issued: Option<bool>,
    /// The TLS 1.2 pair offering tickets resumed, with a ticket issued.
    pub tls12_ticket_resumed: Option<bool>,
    /// Connections made.
    pub connections: i64,
    /// One line per connection pair: what happened.
    pub notes: Vec<String>,
}

fn config(
    provider: &Arc<CryptoProvider>,
    version: &'static rustls::SupportedProtocolVersion,
    store: Arc<CountingStore>,
    tls12: Tls12Resumption,
) -> Result<Arc<ClientConfig>, String> {
    let mut config = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[version])
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ObserveOnlyVerifier::new(provider.clone())))
        .with_no_client_auth();
    config.resumption = Resumption::store(store).tls12_resumption(tls12);
    config.enable_early_data = version.version == rustls::ProtocolVersion::TLSv1_3;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Whether the plaintext records in `raw` (before the first
/// ChangeCipherSpec) carry a NewSessionTicket. Pure and bounded.
pub fn tls12_ticket_in(raw: &[u8]) -> bool {
    let mut pos = 0usize;
    let mut handshake = Vec::new();
    while let super::RecordSplit::Complete(rec, used) = super::split_record(raw.get(pos..).unwrap_or_default()) {
        pos += used;
        match rec.content_type {
            super::CT_HANDSHAKE => handshake.extend_from_slice(&rec.body),
            _ => break,
        }
    }
    let mut off = 0usize;
    while let Some(&[kind, a, b, c]) = handshake.get(off..off.saturating_add(4)) {
        if kind == 4 {
            return true;
        }
        off = off.saturating_add(4 + (usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c)));
    }
    false
}

/// One connection with `config`; `early` is sent as early data when the
/// session allows it; `ticket` makes it wait (bounded) for a ticket in
/// `store` after the handshake.
async fn connect(
    addr: SocketAddr,
    config: Arc<ClientConfig>,
    name: &ServerName<'static>,
    early: Option<&[u8]>,
    ticket: Option<&CountingStore>,
    io: Duration,
) -> Result<Seen, String> {
    let mut conn = ClientConnection::new(config, name.clone()).map_err(|e| format!("rustls: {e}"))?;
    let mut seen = Seen::default();
    if let (Some(data), Some(mut writer)) = (early, conn.early_data()) {
        seen.early_data_sent = writer.write_all(data).is_ok();
    }
    let within = limit(io);
    let deadline = Instant::now() + within;
    let mut tcp = tokio::time::timeout_at(deadline, TcpStream::connect(addr))
        .await
        .map_err(|_| format!("connecting timed out after {within:?}"))?
        .map_err(|e| format!("cannot connect: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let before = ticket.map(|s| s.tls13_tickets.load(Ordering::Relaxed));
    let mut ticket_deadline = None;
    let mut raw = Vec::new();
    let mut read = 0usize;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while conn.wants_write() {
            let mut out = Vec::new();
            conn.write_tls(&mut out).map_err(|e| format!("rustls: {e}"))?;
            tokio::time::timeout_at(deadline, tcp.write_all(&out))
                .await
                .map_err(|_| "sending timed out".to_string())?
                .map_err(|e| format!("sending: {e}"))?;
        }
        if !conn.is_handshaking() {
            seen.resumed = conn.handshake_kind() == Some(HandshakeKind::Resumed);
            seen.early_data_accepted = conn.is_early_data_accepted();
            match (ticket, before) {
                (Some(store), Some(n)) if store.tls13_tickets.load(Ordering::Relaxed) == n => {
                    // Wait a little for the post-handshake ticket.
                    let at = *ticket_deadline.get_or_insert_with(|| Instant::now() + TICKET_WAIT.min(limit(io)));
                    if Instant::now() >= at {
                        break;
                    }
                }
                _ => break,
            }
        }
        if read >= MAX_READ {
            return Err(format!("more than {MAX_READ} bytes without the end of the handshake"));
        }
        let until = ticket_deadline.unwrap_or(deadline).min(deadline);
        let n = match tokio::time::timeout_at(until, tcp.read(&mut buf)).await {
            Err(_) if !conn.is_handshaking() => break,
            Err(_) => return Err(format!("the handshake did not complete within {within:?}")),
            Ok(Ok(0)) if !conn.is_handshaking() => break,
            Ok(Ok(0)) => return Err("the server closed the connection during the handshake".into()),
            Ok(Ok(n)) => n,
            Ok(Err(e)) if !conn.is_handshaking() => {
                let _ = e;
                break;
            }
            Ok(Err(e)) => return Err(format!("reading: {e}")),
        };
        read += n;
        let chunk = buf.get(..n).unwrap_or_default();
        if raw.len() < MAX_KEPT {
            raw.extend_from_slice(chunk.get(..(MAX_KEPT - raw.len()).min(n)).unwrap_or_default());
        }
        let mut slice = chunk;
        while !slice.is_empty() {
            conn.read_tls(&mut slice).map_err(|e| format!("rustls: {e}"))?;
            conn.process_new_packets()
                .map_err(|e| format!("handshake failed: {e}"))?;
        }
    }
    seen.tls12_ticket = conn.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_2) && tls12_ticket_in(&raw);
    conn.send_close_notify();
    let mut out = Vec::new();
    let _ = conn.write_tls(&mut out);
    let _ = tokio::time::timeout(Duration::from_millis(200), tcp.write_all(&out)).await;
    Ok(seen)
}

/// Runs the pairs against `addr` (server name `name`); `early` is the
/// early data to send (a HEAD request).
pub async fn check(
    addr: SocketAddr,
    name: &str,
    provider: &Arc<CryptoProvider>,
    early: &[u8],
    io: Duration,
) -> Result<ResumptionFacts, String> {
    let name = ServerName::try_from(name.to_string()).map_err(|e| format!("invalid server name {name}: {e}"))?;
    let mut facts = ResumptionFacts::default();

    // 1. TLS 1.3 tickets and early data.
    let store = CountingStore::new();
    let c13 = config(
        provider,
        &rustls::version::TLS13,
        store.clone(),
        Tls12Resumption::Disabled,
    )?;
    facts.connections += 1;
    match connect(addr, c13.clone(), &name, None, Some(&store), io).await {
        Err(e) => facts.notes.push(format!("TLS 1.3: {e}")),
        Ok(_) => {
            facts.tls13 = true;
            let issued = store.tls13_tickets.load(Ordering::Relaxed) > 0;
            facts.tls13_tickets_issued = Some(issued);
            let max = store.max_early_data.load(Ordering::Relaxed);
            facts.early_data_max = Some(i64::from(max));
            if !issued {
                facts.notes.push("TLS 1.3: no ticket within the wait".into());
                facts.tls13_resumed = Some(false);
            } else {
                facts.connections += 1;
                match connect(addr, c13, &name, (max > 0).then_some(early), None, io).await {
                    Err(e) => facts.notes.push(format!("TLS 1.3 resumption: {e}")),
                    Ok(seen) => {
                        facts.tls13_resumed = Some(seen.resumed);
                        if max > 0 {
                            facts.early_data_offered = Some(seen.early_data_sent);
                            facts.early_data_accepted = Some(seen.early_data_sent && seen.early_data_accepted);
                        }
                        facts.notes.push(format!(
                            "TLS 1.3: ticket issued (max_early_data_size {max}); second connection {}{}",
                            if seen.resumed {
                                "resumed"
                            } else {
                                "did a full handshake"
                            },
                            if seen.early_data_sent {
                                if seen.early_data_accepted {
                                    ", early data accepted"
                                } else {
                                    ", early data refused"
                                }
                            } else {
                                ""
                            }
                        ));
                    }
                }
            }
            if max == 0 {
                // No ticket allowed early data: 0-RTT is not offered.
                facts.early_data_offered = Some(false);
                facts.early_data_accepted = Some(false);
            }
        }
    }

    // 2. and 3. TLS 1.2 session ids, then tickets.
    for (mode, label) in [
        (Tls12Resumption::SessionIdOnly, "session id"),
        (Tls12Resumption::SessionIdOrTickets, "tickets"),
    ] {
        let store = CountingStore::new();
        let c12 = config(provider, &rustls::version::TLS12, store.clone(), mode)?;
        facts.connections += 1;
        let first = match connect(addr, c12.clone(), &name, None, None, io).await {
            Err(e) => {
                facts.notes.push(format!("TLS 1.2 ({label}): {e}"));
                continue;
            }
            Ok(seen) => seen,
        };
        facts.tls12 = true;
        if mode == Tls12Resumption::SessionIdOrTickets {
            facts.tls12_ticket_issued = Some(first.tls12_ticket);
        }
        let stored = store.tls12_sessions.load(Ordering::Relaxed) > 0;
        let resumed = if stored {
            facts.connections += 1;
            match connect(addr, c12, &name, None, None, io).await {
                Err(e) => {
                    facts.notes.push(format!("TLS 1.2 ({label}) resumption: {e}"));
                    continue;
                }
                Ok(seen) => seen.resumed,
            }
        } else {
            false
        };
        facts.notes.push(format!(
            "TLS 1.2 ({label}): {}",
            match (stored, resumed) {
                (false, _) => "the server gave no session id or ticket to resume",
                (true, true) => "second connection resumed",
                (true, false) => "second connection did a full handshake",
            }
        ));
        match mode {
            Tls12Resumption::SessionIdOnly => facts.tls12_session_id_resumed = Some(resumed),
            _ => facts.tls12_ticket_resumed = Some(resumed && first.tls12_ticket),
        }
    }
    if !facts.tls12 && !facts.tls13 {
        return Err(format!(
            "no TLS 1.2 or 1.3 handshake succeeded: {}",
            facts.notes.join("; ")
        ));
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tls12_ticket_is_found_before_the_ccs_only() {
        let rec = |ct: u8, body: &[u8]| super::super::record(ct, 0x0303, body);
        let nst = [4u8, 0, 0, 2, 9, 9];
        let hello_done = [14u8, 0, 0, 0];
        let mut raw = rec(22, &hello_done);
        raw.extend(rec(22, &nst));
        raw.extend(rec(20, &[1]));
        assert!(tls12_ticket_in(&raw));
        let mut late = rec(22, &hello_done);
        late.extend(rec(20, &[1]));
        late.extend(rec(22, &nst));
        assert!(!tls12_ticket_in(&late));
        assert!(!tls12_ticket_in(b"garbage"));
        assert!(!tls12_ticket_in(&[22, 3, 3, 0xFF]));
    }
}

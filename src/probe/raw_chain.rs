//! The certificate chain from a raw TLS ≤ 1.2 handshake, for the servers
//! rustls cannot finish a handshake with.
//!
//! rustls (with ring) refuses handshake signatures by RSA keys under 2048
//! bits or with SHA-1, and does not speak TLS 1.0/1.1 at all. Such servers
//! are exactly the ones whose chain must be judged, so when the real
//! handshake fails the TLS probe sends a hand-built ClientHello
//! ([`super::legacy::client_hello`], TLS 1.2 first, then 1.1 and 1.0) and
//! reads the server's first flight in the clear: ServerHello, then the
//! Certificate message (RFC 5246 §7.4.2), whose certificates are returned
//! as DER. Nothing is sent beyond the hello; the handshake is abandoned.
//!
//! Every byte is hostile input: the parser ([`parse_flight`]) is pure,
//! bounded by [`MAX_FLIGHT`] and never panics.

use super::legacy::{self, HelloAnswer, LegacyVersion};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Most bytes of a first flight read (certificate chains larger than this
/// are refused by every TLS stack's message limit too).
pub const MAX_FLIGHT: usize = 64 * 1024;
/// Most certificates taken from one Certificate message.
const MAX_CERTIFICATES: usize = 16;

/// What a raw handshake showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawChain {
    /// The version the ServerHello negotiated (wire value).
    pub version: u16,
    /// The cipher suite it picked.
    pub cipher_suite: u16,
    /// The certificates as sent, leaf first (DER).
    pub certificates: Vec<Vec<u8>>,
}

/// Where parsing a first flight stands.
#[derive(Debug, PartialEq, Eq)]
pub enum Flight {
    /// The chain is complete.
    Chain(RawChain),
    /// More bytes are needed.
    NeedMore,
    /// The server answered otherwise (an alert, garbage, TLS 1.3): why.
    Refused(String),
}

/// A readable name of a TLS version's wire value.
pub fn version_name(wire: u16) -> String {
    match wire {
        0x0300 => "SSLv3".into(),
        0x0301 => "TLSv1_0".into(),
        0x0302 => "TLSv1_1".into(),
        0x0303 => "TLSv1_2".into(),
        0x0304 => "TLSv1_3".into(),
        other => format!("0x{other:04x}"),
    }
}

/// Parses the bytes of a first flight read so far. Pure and bounded.
pub fn parse_flight(bytes: &[u8]) -> Flight {
    // The ServerHello (or alert) is judged by the legacy parser.
    let (version, cipher_suite) = match legacy::parse_server_answer(bytes) {
        HelloAnswer::Accepted {
            version, cipher_suite, ..
        } if version <= 0x0303 => (version, cipher_suite),
        HelloAnswer::Accepted { version, .. } => {
            return Flight::Refused(format!("the server negotiated {}", version_name(version)));
        }
        HelloAnswer::Alert { description, .. } => return Flight::Refused(format!("TLS alert {description}")),
        HelloAnswer::Closed => return Flight::NeedMore,
        HelloAnswer::Garbage { detail } if detail.starts_with("truncated") => return Flight::NeedMore,
        HelloAnswer::Garbage { detail } => return Flight::Refused(detail),
    };
    // Gather the handshake bytes of the plaintext records.
    let mut handshake = Vec::new();
    let mut pos = 0usize;
    while let Some(header) = bytes.get(pos..pos.saturating_add(5)) {
        let (ct, len) = (header[0], usize::from(u16::from_be_bytes([header[3], header[4]])));
        let Some(body) = bytes.get(pos + 5..pos + 5 + len) else {
            break;
        };
        if ct != 22 {
            return Flight::Refused(format!("record of type {ct} before the Certificate message"));
        }
        handshake.extend_from_slice(body);
        pos += 5 + len;
    }
    // Walk the handshake messages: ServerHello (2), then Certificate (11).
    let mut off = 0usize;
    loop {
        let Some([kind, a, b, c]) = handshake.get(off..off + 4).and_then(|h| <[u8; 4]>::try_from(h).ok()) else {
            return Flight::NeedMore;
        };
        let len = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
        if len > MAX_FLIGHT {
            return Flight::Refused(format!("handshake message of {len} bytes"));
        }
        let Some(body) = handshake.get(off + 4..off + 4 + len) else {
            return Flight::NeedMore;
        };
        match kind {
            2 => off += 4 + len,
            11 => {
                return match certificate_list(body) {
                    Ok(certificates) => Flight::Chain(RawChain {
                        version,
                        cipher_suite,
                        certificates,
                    }),
                    Err(why) => Flight::Refused(why),
                };
            }
            other => return Flight::Refused(format!("handshake message {other} instead of a Certificate")),
        }
    }
}

/// The certificates of a TLS ≤ 1.2 Certificate message body.
fn certificate_list(body: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let u24 = |b: &[u8]| usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]);
    let total = body.get(..3).map(u24).ok_or("Certificate message cut short")?;
    let mut list = body.get(3..).ok_or("Certificate message cut short")?;
    if total != list.len() {
        return Err(format!(
            "certificate_list length {total} but {} bytes follow",
            list.len()
        ));
    }
    let mut out = Vec::new();
    while !list.is_empty() {
        if out.len() == MAX_CERTIFICATES {
            return Err(format!("more than {MAX_CERTIFICATES} certificates"));
        }
        let len = list.get(..3).map(u24).ok_or("certificate length cut short")?;
        let der = list.get(3..3 + len).ok_or("certificate cut short")?;
        if der.is_empty() {
            return Err("an empty certificate".into());
        }
        out.push(der.to_vec());
        list = list.get(3 + len..).unwrap_or_default();
    }
    if out.is_empty() {
        return Err("the server sent no certificate".into());
    }
    Ok(out)
}

/// One raw hello at `version`; the chain or why not.
async fn at_version(
    addr: SocketAddr,
    server_name: Option<&str>,
    version: LegacyVersion,
    timeout: Duration,
) -> Result<RawChain, String> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut stream = tokio::time::timeout_at(deadline, TcpStream::connect(addr))
        .await
        .map_err(|_| format!("connecting to {addr} timed out"))?
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let hello = legacy::client_hello(version, &legacy::version_suites(version), server_name, false);
    tokio::time::timeout_at(deadline, stream.write_all(&hello))
        .await
        .map_err(|_| "sending the hello timed out".to_string())?
        .map_err(|e| format!("sending the hello: {e}"))?;
    let mut flight = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    loop {
        let room = (MAX_FLIGHT - flight.len()).min(chunk.len());
        if room == 0 {
            return Err(format!("no complete chain in the first {MAX_FLIGHT} bytes"));
        }
        let slot = chunk.get_mut(..room).unwrap_or_default();
        let n = match tokio::time::timeout_at(deadline, stream.read(slot)).await {
            Err(_) => return Err(format!("the chain did not arrive within {timeout:?}")),
            Ok(Err(e)) => return Err(format!("reading the answer: {e}")),
            Ok(Ok(n)) => n,
        };
        if n == 0 {
            return Err("the server closed the connection before its chain was complete".into());
        }
        flight.extend_from_slice(slot.get(..n).unwrap_or_default());
        match parse_flight(&flight) {
            Flight::Chain(chain) => return Ok(chain),
            Flight::Refused(why) => return Err(why),
            Flight::NeedMore => {}
        }
    }
}

/// The chain the server sends to a raw TLS 1.2 hello, else 1.1, else 1.0
/// (at most three connections, each bounded by `timeout`).
pub async fn fetch(addr: SocketAddr, server_name: Option<&str>, timeout: Duration) -> Result<RawChain, String> {
    let mut why = Vec::new();
    for version in [LegacyVersion::Tls1_2, LegacyVersion::Tls1_1, LegacyVersion::Tls1_0] {
        match at_version(addr, server_name, version, timeout).await {
            Ok(chain) => return Ok(chain),
            Err(e) => why.push(format!("{}: {e}", version.label())),
        }
    }
    Err(why.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(ct: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![ct, 3, 3];
        out.extend_from_slice(&(body.len() as u16).to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let len = body.len();
        let mut out = vec![kind, (len >> 16) as u8, (len >> 8) as u8, len as u8];
        out.extend_from_slice(body);
        out
    }

    fn server_hello() -> Vec<u8> {
        let mut b = vec![3, 3];
        b.extend_from_slice(&[7; 32]);
        b.push(0);
        b.extend_from_slice(&[0xC0, 0x2F, 0]);
        message(2, &b)
    }

    fn certificate(certs: &[&[u8]]) -> Vec<u8> {
        let mut list = Vec::new();
        for c in certs {
            let len = c.len();
            list.extend_from_slice(&[(len >> 16) as u8, (len >> 8) as u8, len as u8]);
            list.extend_from_slice(c);
        }
        let len = list.len();
        let mut body = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8];
        body.extend_from_slice(&list);
        message(11, &body)
    }

    #[test]
    fn a_chain_split_over_records_is_read_whole_and_every_prefix_needs_more() {
        let mut hs = server_hello();
        hs.extend_from_slice(&certificate(&[b"leaf-der", b"ca-der"]));
        let (first, second) = hs.split_at(50);
        let mut bytes = record(22, first);
        bytes.extend_from_slice(&record(22, second));
        let want = Flight::Chain(RawChain {
            version: 0x0303,
            cipher_suite: 0xC02F,
            certificates: vec![b"leaf-der".to_vec(), b"ca-der".to_vec()],
        });
        assert_eq!(parse_flight(&bytes), want);
        for cut in 0..bytes.len() {
            let got = parse_flight(&bytes[..cut]);
            assert!(matches!(got, Flight::NeedMore | Flight::Refused(_)), "{cut}: {got:?}");
            assert_ne!(got, want);
        }
    }

    #[test]
    fn hostile_flights_are_refused_with_a_reason() {
        let alert = record(21, &[2, 40]);
        assert!(matches!(parse_flight(&alert), Flight::Refused(r) if r.contains("alert 40")));
        assert!(
            matches!(parse_flight(b"HTTP/1.1 400 Bad Request\r\n\r\n"), Flight::Refused(r) if r.contains("not TLS"))
        );
        let mut hs = server_hello();
        hs.extend_from_slice(&certificate(&[]));
        assert!(matches!(parse_flight(&record(22, &hs)), Flight::Refused(r) if r.contains("no certificate")));
        let mut hs = server_hello();
        hs.extend_from_slice(&message(14, &[]));
        assert!(matches!(parse_flight(&record(22, &hs)), Flight::Refused(r) if r.contains("instead of a Certificate")));
        // A certificate length pointing past the message.
        let mut hs = server_hello();
        hs.extend_from_slice(&message(11, &[0, 0, 5, 0, 0, 9, 1, 2]));
        assert!(matches!(parse_flight(&record(22, &hs)), Flight::Refused(_)));
    }
}

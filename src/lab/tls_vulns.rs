//! **Synthetic** vulnerable TLS responders, for the vulnerable paths of the
//! checks in [`crate::probe::vulns`].
//!
//! No vulnerable real server can be run here (Debian's OpenSSL is patched
//! and built without heartbeats), so each responder imitates, on loopback,
//! only the few bytes a vulnerable server sends back: it answers any
//! ClientHello with a fixed plaintext flight (ServerHello for
//! `TLS_RSA_WITH_AES_128_CBC_SHA`, a Certificate, ServerHelloDone) and then
//! misbehaves in one way ([`Flaw`]). None of them is a TLS implementation:
//! they never derive a key. They prove that the checks recognise a
//! vulnerable answer, not that any real server gives it.
//!
//! The ROBOT responder decrypts the ClientKeyExchange with a fixed
//! **test-only** RSA-1024 key (`fixtures/robot-oracle-key.hex`, its
//! certificate `fixtures/robot-oracle-cert.pem`; both exist only for this
//! lab) and answers each padding error with a different alert, as the
//! vulnerable stacks of the ROBOT paper did.
//!
//! Bounded: each responder accepts at most [`MAX_CONNECTIONS`]
//! connections, each lives at most [`LIFETIME`], reads are capped, and
//! dropping the [`Responder`] stops it.

use crate::probe::vulns::{CT_ALERT, CT_HANDSHAKE, CT_HEARTBEAT, RecordSplit, record, split_record};
use num_bigint::BigUint;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Most connections one responder accepts.
pub const MAX_CONNECTIONS: usize = 32;
/// Longest life of one connection.
pub const LIFETIME: Duration = Duration::from_secs(10);
/// Most bytes read from one connection.
const MAX_READ: usize = 64 * 1024;

/// The test-only certificate of the synthetic responders (RSA-1024).
pub const CERT_PEM: &str = include_str!("fixtures/robot-oracle-cert.pem");
/// The test-only key: modulus and private exponent, hex, one per line.
const KEY_HEX: &str = include_str!("fixtures/robot-oracle-key.hex");

/// The one flaw a responder shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    /// Negotiates the heartbeat extension and answers a heartbeat request
    /// with a response of the claimed length, padded with synthetic bytes
    /// (`LEAK` repeated): what Heartbleed looks like on the wire.
    Heartbleed,
    /// Accepts an early ChangeCipherSpec without an alert and answers the
    /// next record with bad_record_mac, as CVE-2014-0224 servers did.
    CcsInjection,
    /// Answers each PKCS#1 v1.5 padding error of the ClientKeyExchange
    /// with a different alert: a strong Bleichenbacher oracle (ROBOT).
    RobotOracle,
}

/// A running responder; stopped when dropped.
pub struct Responder {
    /// Where it listens.
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a responder with `flaw` on a free loopback port.
pub async fn start(flaw: Flaw) -> std::io::Result<Responder> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let mut served = tokio::task::JoinSet::new();
        for _ in 0..MAX_CONNECTIONS {
            let Ok((stream, _)) = listener.accept().await else {
                break;
            };
            served.spawn(async move {
                let _ = tokio::time::timeout(LIFETIME, serve(stream, flaw)).await;
            });
        }
        while served.join_next().await.is_some() {}
    });
    Ok(Responder { addr, task })
}

/// The certificate's DER.
fn cert_der() -> Vec<u8> {
    pem::parse(CERT_PEM).map(|p| p.into_contents()).unwrap_or_default()
}

/// Reads one record (bounded); `None` on EOF, garbage or the cap.
async fn read_record(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<(u8, Vec<u8>)> {
    let mut chunk = [0u8; 4096];
    loop {
        match split_record(buf) {
            RecordSplit::Complete(r, used) => {
                buf.drain(..used.min(buf.len()));
                return Some((r.content_type, r.body));
            }
            RecordSplit::Bad(_) => return None,
            RecordSplit::NeedMore => {}
        }
        if buf.len() > MAX_READ {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(chunk.get(..n)?);
    }
}

fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(body.len()).unwrap_or(0).to_be_bytes();
    let mut m = vec![kind];
    m.extend_from_slice(len.get(1..).unwrap_or_default());
    m.extend_from_slice(body);
    m
}

/// ServerHello (TLS 1.2 or the client's lower version, AES128-SHA,
/// renegotiation_info, and heartbeat when `heartbeat`), Certificate,
/// ServerHelloDone.
fn flight(version: u16, heartbeat: bool) -> Vec<u8> {
    let mut hello = version.to_be_bytes().to_vec();
    hello.extend_from_slice(&[0x5A; 32]);
    hello.push(0);
    hello.extend_from_slice(&[0x00, 0x2F, 0]);
    let mut ext = vec![0xFF, 0x01, 0, 1, 0];
    if heartbeat {
        ext.extend_from_slice(&[0x00, 0x0F, 0, 1, 1]);
    }
    hello.extend_from_slice(&u16::try_from(ext.len()).unwrap_or(0).to_be_bytes());
    hello.extend_from_slice(&ext);
    let der = cert_der();
    let mut list = Vec::new();
    let len = u32::try_from(der.len()).unwrap_or(0).to_be_bytes();
    list.extend_from_slice(len.get(1..).unwrap_or_default());
    list.extend_from_slice(&der);
    let mut certs = Vec::new();
    let len = u32::try_from(list.len()).unwrap_or(0).to_be_bytes();
    certs.extend_from_slice(len.get(1..).unwrap_or_default());
    certs.extend_from_slice(&list);
    let mut hs = handshake(2, &hello);
    hs.extend(handshake(11, &certs));
    hs.extend(handshake(14, &[]));
    record(CT_HANDSHAKE, version, &hs)
}

fn alert(version: u16, description: u8) -> Vec<u8> {
    record(CT_ALERT, version, &[2, description])
}

async fn serve(mut stream: TcpStream, flaw: Flaw) {
    let mut buf = Vec::new();
    let Some((CT_HANDSHAKE, hello)) = read_record(&mut stream, &mut buf).await else {
        return;
    };
    // client_version of the ClientHello, at most TLS 1.2.
    let version = match hello.get(4..6) {
        Some(&[3, minor]) => u16::from_be_bytes([3, minor.min(3)]),
        _ => 0x0303,
    };
    if stream
        .write_all(&flight(version, flaw == Flaw::Heartbleed))
        .await
        .is_err()
    {
        return;
    }
    for _ in 0..8 {
        let Some((ct, body)) = read_record(&mut stream, &mut buf).await else {
            return;
        };
        let answer = match (flaw, ct) {
            (Flaw::Heartbleed, CT_HEARTBEAT) => {
                let claimed = match body.as_slice() {
                    [1, hi, lo, ..] => usize::from(u16::from_be_bytes([*hi, *lo])),
                    _ => return,
                };
                let mut response = vec![2];
                response.extend_from_slice(&u16::try_from(claimed).unwrap_or(0).to_be_bytes());
                response.extend(b"LEAK".iter().copied().cycle().take(claimed + 16));
                record(CT_HEARTBEAT, version, &response)
            }
            (Flaw::CcsInjection, 20) => continue,
            (Flaw::CcsInjection, _) => alert(version, 20),
            (Flaw::RobotOracle, CT_HANDSHAKE) if body.first() == Some(&16) => {
                let Some(cipher) = body.get(6..) else { return };
                match robot_alert(cipher) {
                    // A valid padding: wait for the Finished, then fail its MAC.
                    None => continue,
                    Some(description) => alert(version, description),
                }
            }
            (Flaw::RobotOracle, 20) => continue,
            (Flaw::RobotOracle, _) => alert(version, 20),
            _ => alert(version, 10),
        };
        let _ = stream.write_all(&answer).await;
        if answer.first() == Some(&CT_ALERT) {
            return;
        }
    }
}

/// The alert the synthetic oracle sends for a ClientKeyExchange
/// ciphertext: `None` when the padding is valid, else one description per
/// error (51 wrong first bytes, 40 no separator, 47 wrong length, 70 wrong
/// version).
fn robot_alert(cipher: &[u8]) -> Option<u8> {
    let mut lines = KEY_HEX.lines();
    let parse = |s: Option<&str>| s.and_then(|h| BigUint::parse_bytes(h.trim().as_bytes(), 16));
    let (Some(n), Some(d)) = (parse(lines.next()), parse(lines.next())) else {
        return Some(80);
    };
    let k = usize::try_from(n.bits().div_ceil(8)).unwrap_or(0);
    let m = BigUint::from_bytes_be(cipher).modpow(&d, &n).to_bytes_be();
    let mut plain = vec![0u8; k.saturating_sub(m.len())];
    plain.extend_from_slice(&m);
    if plain.get(..2) != Some(&[0, 2]) {
        return Some(51);
    }
    let Some(zero) = plain.iter().skip(2).position(|b| *b == 0) else {
        return Some(40);
    };
    let pms = plain.get(2 + zero + 1..).unwrap_or_default();
    if pms.len() != 48 {
        return Some(47);
    }
    if pms.get(..2) != Some(&[3, 3]) && pms.get(..2) != Some(&[3, 1]) {
        return Some(70);
    }
    None
}

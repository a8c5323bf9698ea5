//! Client-initiated renegotiation (a denial-of-service lever: each
//! renegotiation costs the server a full handshake's public-key work while
//! the client pays little; testssl.sh's `run_renego`, sslyze's
//! `session_renegotiation`, CVE-2011-1473).
//!
//! A second ClientHello must travel inside the encrypted channel of a
//! completed TLS 1.2 handshake, which rustls never sends. So this module
//! completes one TLS 1.2 handshake itself, as small as it can be: only
//! `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256` and
//! `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`, X25519 or P-256 (ring), the
//! RFC 5246 PRF with HMAC-SHA256, the extended master secret when the
//! server echoes it (RFC 7627), and AES-128-GCM records (RFC 5288). The
//! server's certificate and signature are **not** verified (nothing
//! secret is sent; the check only watches the server's behaviour), but its
//! Finished must decrypt, which proves the keys agree.
//!
//! Then a ClientHello carrying `renegotiation_info` with the client's
//! verify_data (RFC 5746 §3.5) is sent encrypted. A ServerHello back means
//! the server accepted the renegotiation (the connection is then dropped);
//! a no_renegotiation alert (100), any other alert or a close means it
//! refused; silence is inconclusive. One connection, bounded.
//!
//! A CertificateRequest is answered with an empty Certificate; a server
//! that requires a client certificate then refuses, and the check is
//! `tested: false` with that reason. A server with neither suite, or no
//! TLS 1.2, makes the check
//! `tested: false` with the reason (the rule is then unverified, never a
//! pass). Secure renegotiation *support* (RFC 5746) is
//! `legacy.secure_renegotiation`.

use super::{
    CT_ALERT, CT_APPLICATION_DATA, CT_CHANGE_CIPHER_SPEC, CT_HANDSHAKE, Next, VulnError, Wire, record, server_flight,
};
use crate::probe::deadline::limit;
use crate::probe::legacy::{self, LegacyVersion};
use ring::{aead, agreement, digest, hmac, rand};
use serde::Serialize;
use std::net::SocketAddr;
use std::time::Duration;

/// The suites offered: ECDHE with AES-128-GCM and SHA-256.
pub const SUITES: [u16; 2] = [0xC02F, 0xC02B];
/// Longest wait for the answer to the renegotiation hello.
const ANSWER_WAIT: Duration = Duration::from_secs(3);

/// The evidence of the renegotiation check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renegotiation {
    /// Whether a renegotiation was attempted on a completed handshake.
    pub tested: bool,
    /// The server accepted a client-initiated renegotiation (`null`: not
    /// tested, or no decisive answer).
    pub client_initiated_accepted: Option<bool>,
    /// What happened (the server's answer, or why not tested).
    pub reason: String,
    /// The server speaks TLS 1.2 or lower, where renegotiation exists;
    /// false when it refused TLS 1.2 with protocol_version (TLS 1.3 has no
    /// renegotiation).
    pub tls12: bool,
}

fn untested(reason: impl Into<String>) -> Renegotiation {
    Renegotiation {
        tls12: true,
        tested: false,
        client_initiated_accepted: None,
        reason: reason.into(),
    }
}

/// The TLS 1.2 PRF with HMAC-SHA256 (RFC 5246 §5).
pub fn prf(secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let seed = [label, seed].concat();
    let mut a = hmac::sign(&key, &seed).as_ref().to_vec();
    let mut out = Vec::with_capacity(len + 32);
    while out.len() < len {
        out.extend_from_slice(hmac::sign(&key, &[a.as_slice(), &seed].concat()).as_ref());
        a = hmac::sign(&key, &a).as_ref().to_vec();
    }
    out.truncate(len);
    out
}

fn sha256(data: &[u8]) -> Vec<u8> {
    digest::digest(&digest::SHA256, data).as_ref().to_vec()
}

fn handshake_msg(kind: u8, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(body.len()).unwrap_or(0).to_be_bytes();
    let mut m = vec![kind];
    m.extend_from_slice(len.get(1..).unwrap_or_default());
    m.extend_from_slice(body);
    m
}

/// One direction's record protection (AES-128-GCM, RFC 5288).
struct Protection {
    key: aead::LessSafeKey,
    salt: [u8; 4],
    seq: u64,
}

impl Protection {
    fn new(key: &[u8], salt: &[u8]) -> Result<Protection, String> {
        let unbound = aead::UnboundKey::new(&aead::AES_128_GCM, key).map_err(|_| "bad key length".to_string())?;
        let salt: [u8; 4] = salt.try_into().map_err(|_| "bad IV length".to_string())?;
        Ok(Protection {
            key: aead::LessSafeKey::new(unbound),
            salt,
            seq: 0,
        })
    }

    fn nonce(&self, explicit: [u8; 8]) -> aead::Nonce {
        let mut n = [0u8; 12];
        n[..4].copy_from_slice(&self.salt);
        n[4..].copy_from_slice(&explicit);
        aead::Nonce::assume_unique_for_key(n)
    }

    fn aad(&self, ct: u8, len: usize) -> aead::Aad<[u8; 13]> {
        let mut a = [0u8; 13];
        a[..8].copy_from_slice(&self.seq.to_be_bytes());
        a[8] = ct;
        a[9..11].copy_from_slice(&[3, 3]);
        a[11..].copy_from_slice(&u16::try_from(len).unwrap_or(0).to_be_bytes());
        aead::Aad::from(a)
    }

    fn seal(&mut self, ct: u8, plaintext: &[u8]) -> Result<Vec<u8>, String> {
        let explicit = self.seq.to_be_bytes();
        let mut buf = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(self.nonce(explicit), self.aad(ct, plaintext.len()), &mut buf)
            .map_err(|_| "encryption failed".to_string())?;
        self.seq += 1;
        Ok(record(ct, 0x0303, &[explicit.as_slice(), &buf].concat()))
    }

    fn open(&mut self, ct: u8, body: &[u8]) -> Result<Vec<u8>, String> {
        let (Some(explicit), Some(sealed)) = (body.get(..8), body.get(8..)) else {
            return Err("a protected record shorter than its nonce".into());
        };
        let len = sealed
            .len()
            .checked_sub(16)
            .ok_or("a protected record shorter than its tag")?;
        let explicit: [u8; 8] = explicit.try_into().map_err(|_| "nonce".to_string())?;
        let mut buf = sealed.to_vec();
        let plain = self
            .key
            .open_in_place(self.nonce(explicit), self.aad(ct, len), &mut buf)
            .map_err(|_| "a record that does not decrypt with the negotiated keys".to_string())?;
        self.seq += 1;
        Ok(plain.to_vec())
    }
}

/// Replaces (or adds) extension `kind` of a [`legacy::client_hello`] record.
fn set_extension(hello: &[u8], kind: u16, data: &[u8]) -> Option<Vec<u8>> {
    let body = hello.get(9..)?;
    let sid = usize::from(*body.get(34)?);
    let suites_at = 35 + sid;
    let suites = usize::from(u16::from_be_bytes([*body.get(suites_at)?, *body.get(suites_at + 1)?]));
    let comp_at = suites_at + 2 + suites;
    let ext_at = comp_at + 1 + usize::from(*body.get(comp_at)?);
    let mut exts = body.get(ext_at + 2..)?;
    let mut kept = Vec::new();
    while let Some(&[a, b, c, d]) = exts.get(..4) {
        let len = usize::from(u16::from_be_bytes([c, d]));
        let whole = exts.get(..4 + len)?;
        if u16::from_be_bytes([a, b]) != kind {
            kept.extend_from_slice(whole);
        }
        exts = exts.get(4 + len..)?;
    }
    kept.extend_from_slice(&kind.to_be_bytes());
    kept.extend_from_slice(&u16::try_from(data.len()).ok()?.to_be_bytes());
    kept.extend_from_slice(data);
    let mut new_body = body.get(..ext_at)?.to_vec();
    new_body.extend_from_slice(&u16::try_from(kept.len()).ok()?.to_be_bytes());
    new_body.extend_from_slice(&kept);
    Some(record(CT_HANDSHAKE, 0x0301, &handshake_msg(1, &new_body)))
}

/// Runs the check against `addr`; each stage takes at most `io`, cut to the
/// probe's deadline.
pub async fn check(addr: SocketAddr, server_name: Option<&str>, io: Duration) -> Result<Renegotiation, VulnError> {
    let hello = legacy::client_hello(LegacyVersion::Tls1_2, &SUITES, server_name, false);
    let mut wire = Wire::connect(addr, limit(io)).await?;
    let flight = match server_flight(&mut wire, &hello, limit(io)).await {
        Ok(f) => f,
        Err(VulnError::Flight(why)) if why.contains("(protocol_version)") => {
            return Ok(Renegotiation {
                tls12: false,
                ..untested(format!(
                    "the server refuses TLS 1.2 ({why}): renegotiation exists only up to TLS 1.2"
                ))
            });
        }
        Err(VulnError::Flight(why)) if why.starts_with("alert") => {
            return Ok(untested(format!(
                "the server refused a TLS 1.2 hello offering only ECDHE with AES-128-GCM ({why}), the one handshake this check can complete"
            )));
        }
        Err(e) => return Err(e),
    };
    if flight.version != 0x0303 || !SUITES.contains(&flight.cipher_suite) {
        return Ok(untested(format!(
            "the server chose version 0x{:04x} suite 0x{:04X}, not one this check can complete",
            flight.version, flight.cipher_suite
        )));
    }
    let fail = |why: String| VulnError::Answer(why);
    // ServerKeyExchange: named curve, point (the signature is not checked).
    let ske = flight
        .server_key_exchange
        .as_deref()
        .ok_or_else(|| VulnError::Flight("no ServerKeyExchange in an ECDHE flight".into()))?;
    let (curve, point) = match ske {
        [3, hi, lo, len, rest @ ..] => (
            u16::from_be_bytes([*hi, *lo]),
            rest.get(..usize::from(*len))
                .ok_or_else(|| fail("ServerKeyExchange cut short".into()))?,
        ),
        _ => return Err(fail("ServerKeyExchange is not a named-curve ECDHE one".into())),
    };
    let alg = match curve {
        0x001D => &agreement::X25519,
        0x0017 => &agreement::ECDH_P256,
        other => {
            return Ok(untested(format!(
                "the server chose curve 0x{other:04x}; this check speaks X25519 and P-256"
            )));
        }
    };
    let rng = rand::SystemRandom::new();
    let private =
        agreement::EphemeralPrivateKey::generate(alg, &rng).map_err(|_| fail("key generation failed".into()))?;
    let public = private
        .compute_public_key()
        .map_err(|_| fail("key generation failed".into()))?;
    let pms = agreement::agree_ephemeral(private, &agreement::UnparsedPublicKey::new(alg, point), |s| s.to_vec())
        .map_err(|_| fail("the server's ECDHE point is invalid".into()))?;
    let mut cke_body = vec![u8::try_from(public.as_ref().len()).unwrap_or(0)];
    cke_body.extend_from_slice(public.as_ref());
    let cke = handshake_msg(16, &cke_body);
    // A CertificateRequest is answered with an empty Certificate (RFC 5246
    // §7.4.6): a server that requires one then refuses the handshake.
    let asked_for_certificate = flight.messages.contains(&13);
    let certificate = if asked_for_certificate {
        handshake_msg(11, &[0, 0, 0])
    } else {
        Vec::new()
    };

    let client_random = hello.get(11..43).ok_or_else(|| fail("hello".into()))?;
    let server_random = flight
        .transcript
        .get(6..38)
        .ok_or_else(|| fail("ServerHello cut short".into()))?;
    let mut transcript = hello.get(5..).unwrap_or_default().to_vec();
    transcript.extend_from_slice(&flight.transcript);
    transcript.extend_from_slice(&certificate);
    transcript.extend_from_slice(&cke);
    let master = if flight.extensions.contains(&0x0017) {
        prf(&pms, b"extended master secret", &sha256(&transcript), 48)
    } else {
        prf(&pms, b"master secret", &[client_random, server_random].concat(), 48)
    };
    let block = prf(&master, b"key expansion", &[server_random, client_random].concat(), 40);
    let (Some(ck), Some(sk), Some(civ), Some(siv)) =
        (block.get(..16), block.get(16..32), block.get(32..36), block.get(36..40))
    else {
        return Err(fail("key block".into()));
    };
    let mut client = Protection::new(ck, civ).map_err(fail)?;
    let mut server = Protection::new(sk, siv).map_err(fail)?;
    let verify_data = prf(&master, b"client finished", &sha256(&transcript), 12);
    let finished = handshake_msg(20, &verify_data);
    let mut out = record(CT_HANDSHAKE, 0x0303, &[certificate.as_slice(), &cke].concat());
    out.extend(record(CT_CHANGE_CIPHER_SPEC, 0x0303, &[1]));
    out.extend(client.seal(CT_HANDSHAKE, &finished).map_err(fail)?);
    wire.send(&out, limit(io)).await?;

    // The server's (NewSessionTicket,) ChangeCipherSpec and Finished.
    let mut changed = false;
    for _ in 0..8 {
        match wire.next(limit(io)).await {
            Next::Record(r) if r.content_type == CT_CHANGE_CIPHER_SPEC => changed = true,
            Next::Record(r) if r.content_type == CT_HANDSHAKE && !changed => {}
            Next::Record(r) if r.content_type == CT_HANDSHAKE => {
                let plain = server.open(CT_HANDSHAKE, &r.body).map_err(fail)?;
                if plain.first() != Some(&20) {
                    return Err(fail("the server's first protected message is not Finished".into()));
                }
                return renegotiate(&mut wire, &mut client, &mut server, &verify_data, server_name, io).await;
            }
            Next::Record(r) if asked_for_certificate && r.content_type == CT_ALERT => {
                return Ok(untested(format!(
                    "the server requires a client certificate: it refused the handshake without one ({})",
                    Next::Record(r).summary()
                )));
            }
            other => {
                return Err(VulnError::Flight(format!(
                    "the handshake did not complete: {}",
                    other.summary()
                )));
            }
        }
    }
    Err(VulnError::Flight("no Finished from the server".into()))
}

/// Sends the renegotiation hello on the completed handshake and reads the
/// server's answer.
async fn renegotiate(
    wire: &mut Wire,
    client: &mut Protection,
    server: &mut Protection,
    verify_data: &[u8],
    server_name: Option<&str>,
    io: Duration,
) -> Result<Renegotiation, VulnError> {
    let fail = |why: String| VulnError::Answer(why);
    let hello = legacy::client_hello(LegacyVersion::Tls1_2, &SUITES, server_name, false);
    let mut info = vec![u8::try_from(verify_data.len()).unwrap_or(12)];
    info.extend_from_slice(verify_data);
    let hello = set_extension(&hello, 0xFF01, &info).ok_or_else(|| fail("cannot build the hello".into()))?;
    let message = hello.get(5..).unwrap_or_default();
    wire.send(&client.seal(CT_HANDSHAKE, message).map_err(fail)?, limit(io))
        .await?;
    let wait = limit(ANSWER_WAIT);
    if wait.is_zero() {
        return Err(VulnError::NoTime(
            "the renegotiation's answer could not be awaited".into(),
        ));
    }
    let tested = |accepted: Option<bool>, reason: String| Renegotiation {
        tls12: true,
        tested: true,
        client_initiated_accepted: accepted,
        reason,
    };
    for _ in 0..4 {
        let next = wire.next(wait).await;
        match &next {
            Next::Record(r) if r.content_type == CT_HANDSHAKE => {
                let plain = server.open(CT_HANDSHAKE, &r.body).map_err(fail)?;
                return Ok(match plain.first() {
                    Some(2) => tested(
                        Some(true),
                        "the server answered the client's renegotiation hello with a ServerHello".into(),
                    ),
                    other => tested(None, format!("the server answered with handshake message {other:?}")),
                });
            }
            Next::Record(r) if r.content_type == CT_ALERT => {
                let plain = server.open(CT_ALERT, &r.body).map_err(fail)?;
                let (level, description) = match plain.as_slice() {
                    [l, d, ..] => (*l, *d),
                    _ => return Err(fail("a malformed alert".into())),
                };
                return Ok(tested(
                    Some(false),
                    format!(
                        "refused: alert {} {description} ({})",
                        if level == 2 { "fatal" } else { "warning" },
                        super::alert_name(description)
                    ),
                ));
            }
            // Application data (an HTTP answer to nothing) is skipped.
            Next::Record(r) if r.content_type == CT_APPLICATION_DATA => {
                let _ = server.open(CT_APPLICATION_DATA, &r.body);
            }
            Next::Record(r) => return Err(fail(format!("a record of type {}", r.content_type))),
            Next::Closed(_) => return Ok(tested(Some(false), format!("refused: {}", next.summary()))),
            Next::Silent(_) => {
                return Ok(tested(
                    None,
                    format!("{}: neither refused nor answered", next.summary()),
                ));
            }
            Next::Garbage(why) => return Err(VulnError::Answer(why.clone())),
        }
    }
    Ok(tested(None, "no answer to the renegotiation hello".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prf_matches_a_published_tls12_vector() {
        // The widely used P_SHA256 test vector (IETF TLS WG, 2009).
        let secret = [
            0x9b, 0xbe, 0x43, 0x6b, 0xa9, 0x40, 0xf0, 0x17, 0xb1, 0x76, 0x52, 0x84, 0x9a, 0x71, 0xdb, 0x35,
        ];
        let seed = [
            0xa0, 0xba, 0x9f, 0x93, 0x6c, 0xda, 0x31, 0x18, 0x27, 0xa6, 0xf7, 0x96, 0xff, 0xd5, 0x19, 0x8c,
        ];
        let out = prf(&secret, b"test label", &seed, 100);
        assert_eq!(
            &out[..16],
            &[
                0xe3, 0xf2, 0x29, 0xba, 0x72, 0x7b, 0xe1, 0x7b, 0x8d, 0x12, 0x26, 0x20, 0x55, 0x7c, 0xd4, 0x53
            ]
        );
        assert_eq!(out.len(), 100);
    }

    #[test]
    fn renegotiation_info_is_replaced_not_duplicated() {
        let hello = legacy::client_hello(LegacyVersion::Tls1_2, &SUITES, Some("a.test"), false);
        let info = [12u8; 13];
        let new = set_extension(&hello, 0xFF01, &info).expect("hello");
        assert_eq!(new.len(), hello.len() + 12);
        assert_eq!(new.windows(2).filter(|w| w == &[0xFF, 0x01]).count(), 1);
        let rec_len = usize::from(u16::from_be_bytes([new[3], new[4]]));
        assert_eq!(rec_len + 5, new.len());
    }

    #[test]
    fn records_seal_and_open() {
        let mut a = Protection::new(&[7; 16], &[1, 2, 3, 4]).expect("key");
        let mut b = Protection::new(&[7; 16], &[1, 2, 3, 4]).expect("key");
        let sealed = a.seal(CT_HANDSHAKE, b"hello").expect("seal");
        assert_eq!(b.open(CT_HANDSHAKE, &sealed[5..]).expect("open"), b"hello");
        assert!(b.open(CT_HANDSHAKE, &sealed[5..]).is_err(), "sequence numbers advance");
    }
}

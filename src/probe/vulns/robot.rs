//! ROBOT (Return Of Bleichenbacher's Oracle Threat, CVE-2017-13099 and
//! vendor CVEs): does the server's answer to an RSA key exchange depend on
//! whether the PKCS#1 v1.5 padding of the pre-master secret was valid?
//!
//! Only servers that accept a `TLS_RSA_WITH_*` suite can be an oracle;
//! others are "not applicable" (one connection). Against the rest this
//! check does what sslyze's `robot` plugin does (after Böck, Somorovsky and
//! Young, "Return Of Bleichenbacher's Oracle Threat", USENIX Security 2018):
//! it reads the server's RSA key from its certificate (x509-parser),
//! encrypts five pre-master secrets with it (`m^e mod n`, num-bigint) —
//! one well formed, then wrong first two bytes (`41 17`), the `00`
//! separator in the wrong place, no `00` separator, and a wrong client
//! version — and sends each as a ClientKeyExchange on its own connection,
//! followed by a ChangeCipherSpec and a garbage Finished. The server's
//! first answer (an alert, a close, silence) is recorded per variant.
//!
//! Identical answers: no oracle in that round; a second round then sends
//! the ClientKeyExchange alone (some oracles only show there). Different
//! answers are an oracle: "strong" when the three malformed-padding
//! variants do not all get the same answer, "weak" otherwise (sslyze's
//! rule); the round is repeated once to confirm, and answers that change
//! between repetitions are "inconclusive". At most 10 connections, each
//! bounded; no key is ever recovered.

use super::{CT_ALERT, CT_CHANGE_CIPHER_SPEC, CT_HANDSHAKE, Next, Verdict, VulnError, Wire, record, server_flight};
use crate::probe::deadline::limit;
use crate::probe::legacy::{self, LegacyVersion, SuiteClass};
use num_bigint::BigUint;
use serde::Serialize;
use std::net::SocketAddr;
use std::time::Duration;

/// Most connections a check makes.
pub const MAX_CONNECTIONS: u32 = 10;
/// Longest wait for the answer to one variant.
const ANSWER_WAIT: Duration = Duration::from_secs(2);

/// The five pre-master-secret encodings (ROBOT paper §3; sslyze's
/// `RobotPmsPaddingPayloadEnum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// `00 02 <pad> 00 <version> <46 bytes>`: correct.
    Valid,
    /// `41 17 <pad> 00 <version> <46 bytes>`.
    WrongFirstBytes,
    /// `00 02 <pad> 11 <46 bytes> 00 11`: the separator too late.
    WrongPosition00,
    /// `00 02 <pad> 11 11 11 <46 bytes>`: no separator.
    No00,
    /// `00 02 <pad> 00 02 02 <46 bytes>`: wrong client version.
    WrongVersion,
}

impl Variant {
    /// All five, in sending order.
    pub const ALL: [Variant; 5] = [
        Variant::Valid,
        Variant::WrongFirstBytes,
        Variant::WrongPosition00,
        Variant::No00,
        Variant::WrongVersion,
    ];
}

/// sslyze's fixed 46 pre-master-secret bytes after the version.
const PMS: [u8; 46] = [
    0xaa, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0x11,
    0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
];

/// The plaintext of `variant` for a modulus of `k` bytes (k ≥ 64), at
/// `version`: exactly `k` bytes.
pub fn plaintext(variant: Variant, k: usize, version: u16) -> Vec<u8> {
    let pad: Vec<u8> = [0xab, 0xcd]
        .iter()
        .copied()
        .cycle()
        .take(k.saturating_sub(51))
        .collect();
    let [vh, vl] = version.to_be_bytes();
    let sep_version = [0x00, vh, vl];
    let parts: Vec<&[u8]> = match variant {
        Variant::Valid => vec![&[0x00, 0x02], &pad, &sep_version, &PMS],
        Variant::WrongFirstBytes => vec![&[0x41, 0x17], &pad, &sep_version, &PMS],
        Variant::WrongPosition00 => vec![&[0x00, 0x02], &pad, &[0x11], &PMS, &[0x00, 0x11]],
        Variant::No00 => vec![&[0x00, 0x02], &pad, &[0x11, 0x11, 0x11], &PMS],
        Variant::WrongVersion => vec![&[0x00, 0x02], &pad, &[0x00, 0x02, 0x02], &PMS],
    };
    parts.concat()
}

/// An RSA public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaKey {
    n: BigUint,
    e: BigUint,
    /// The modulus length in bytes.
    pub k: usize,
}

impl RsaKey {
    /// The key from big-endian modulus and exponent bytes.
    pub fn new(modulus: &[u8], exponent: &[u8]) -> Result<RsaKey, String> {
        let n = BigUint::from_bytes_be(modulus);
        let e = BigUint::from_bytes_be(exponent);
        let k = usize::try_from(n.bits().div_ceil(8)).unwrap_or(0);
        if !(64..=2048).contains(&k) {
            return Err(format!("an RSA modulus of {k} bytes"));
        }
        if e < BigUint::from(3u8) || e.bits() > 64 {
            return Err("an RSA public exponent out of range".into());
        }
        Ok(RsaKey { n, e, k })
    }

    /// The RSA public key of a DER certificate.
    pub fn from_certificate(der: &[u8]) -> Result<RsaKey, String> {
        use x509_parser::prelude::*;
        let (_, cert) = parse_x509_certificate(der).map_err(|e| format!("unreadable certificate: {e}"))?;
        match cert.tbs_certificate.subject_pki.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => RsaKey::new(rsa.modulus, rsa.exponent),
            Ok(_) => Err("the certificate's key is not RSA".into()),
            Err(e) => Err(format!("unreadable public key: {e}")),
        }
    }

    /// `m^e mod n` of `plaintext`, as `k` big-endian bytes.
    pub fn encrypt(&self, plaintext: &[u8]) -> Vec<u8> {
        let m = BigUint::from_bytes_be(plaintext) % &self.n;
        let c = m.modpow(&self.e, &self.n).to_bytes_be();
        let mut out = vec![0u8; self.k.saturating_sub(c.len())];
        out.extend_from_slice(&c);
        out
    }
}

/// The TLS_RSA_* suites offered (static RSA key transport).
pub fn rsa_suites() -> Vec<u16> {
    SuiteClass::NoForwardSecrecy
        .suites()
        .into_iter()
        .filter(|id| legacy::suite_name(*id).is_some_and(|n| n.starts_with("TLS_RSA_WITH_")))
        .collect()
}

/// One variant's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The variant sent.
    pub variant: Variant,
    /// The server's first answer, normalised (`alert fatal 20
    /// (bad_record_mac)`, `closed`, `reset`, `no answer`).
    pub answer: String,
}

/// What the ROBOT check saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Robot {
    /// The verdict.
    pub verdict: Verdict,
    /// `"strong"` or `"weak"` for an oracle, else `null`.
    pub oracle: Option<String>,
    /// Why not applicable or inconclusive, or what differed.
    pub reason: String,
    /// The version used (`null` when no RSA suite was accepted).
    pub version: Option<String>,
    /// The RSA suite the server picked (IANA name), if any.
    pub suite: Option<String>,
    /// Round 1 (ClientKeyExchange, ChangeCipherSpec, Finished).
    pub with_finished: Vec<Answer>,
    /// Round 2 (ClientKeyExchange alone), when round 1 showed no oracle.
    pub without_finished: Vec<Answer>,
    /// Connections made.
    pub connections: u32,
}

/// The normalised form of a first answer, for comparison.
fn normalise(next: &Next) -> Result<String, VulnError> {
    Ok(match next {
        Next::Record(r) if r.content_type == CT_ALERT => next.summary(),
        Next::Record(r) => format!("record of type {}", r.content_type),
        Next::Closed(how) if how.starts_with("reset") => "reset".into(),
        Next::Closed(_) => "closed".into(),
        Next::Silent(_) => "no answer".into(),
        Next::Garbage(why) => return Err(VulnError::Answer(why.clone())),
    })
}

/// Where the check stands between connections.
struct Run {
    addr: SocketAddr,
    hello: Vec<u8>,
    io: Duration,
    suite: u16,
    version: u16,
    key: Option<RsaKey>,
    connections: u32,
    /// The connection that found the RSA suite, used for the first variant.
    pending: Option<(Wire, super::ServerFlight)>,
}

impl Run {
    /// One connection: hello, flight (the same suite), then `variant`.
    async fn send(&mut self, variant: Variant, finish: bool) -> Result<Answer, VulnError> {
        let (mut wire, flight) = match self.pending.take() {
            Some(open) => open,
            None => {
                let mut wire = Wire::connect(self.addr, limit(self.io)).await?;
                self.connections += 1;
                let flight = server_flight(&mut wire, &self.hello, limit(self.io)).await?;
                (wire, flight)
            }
        };
        if flight.cipher_suite != self.suite || flight.version != self.version {
            return Err(VulnError::Flight(format!(
                "the server changed its choice between connections (0x{:04X} at 0x{:04x})",
                flight.cipher_suite, flight.version
            )));
        }
        let key = match &self.key {
            Some(k) => k.clone(),
            None => {
                let leaf = flight
                    .certificates
                    .first()
                    .ok_or_else(|| VulnError::Flight("no certificate in the flight".into()))?;
                let key = RsaKey::from_certificate(leaf).map_err(VulnError::Flight)?;
                self.key = Some(key.clone());
                key
            }
        };
        let encrypted = key.encrypt(&plaintext(variant, key.k, self.version));
        let mut body = Vec::with_capacity(encrypted.len() + 6);
        body.push(16); // client_key_exchange
        let len = u32::try_from(encrypted.len() + 2).unwrap_or(0).to_be_bytes();
        body.extend_from_slice(len.get(1..).unwrap_or_default());
        body.extend_from_slice(&u16::try_from(encrypted.len()).unwrap_or(0).to_be_bytes());
        body.extend_from_slice(&encrypted);
        let mut out = record(CT_HANDSHAKE, self.version, &body);
        if finish {
            out.extend(record(CT_CHANGE_CIPHER_SPEC, self.version, &[1]));
            let garbage: Vec<u8> = (0u8..80).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
            out.extend(record(CT_HANDSHAKE, self.version, &garbage));
        }
        wire.send(&out, limit(self.io)).await?;
        let wait = limit(ANSWER_WAIT);
        if wait.is_zero() {
            return Err(VulnError::NoTime(
                "a ROBOT variant's answer could not be awaited".into(),
            ));
        }
        Ok(Answer {
            variant,
            answer: normalise(&wire.next(wait).await)?,
        })
    }

    /// One round of the five variants.
    async fn round(&mut self, finish: bool) -> Result<Vec<Answer>, VulnError> {
        let mut out = Vec::with_capacity(5);
        for variant in Variant::ALL {
            out.push(self.send(variant, finish).await?);
        }
        Ok(out)
    }
}

/// The oracle a round shows: `None` when every answer is the same.
pub fn oracle(answers: &[Answer]) -> Option<&'static str> {
    let first = answers.first()?;
    if answers.iter().all(|a| a.answer == first.answer) {
        return None;
    }
    let of = |v: Variant| answers.iter().find(|a| a.variant == v).map(|a| a.answer.as_str());
    let malformed = [Variant::WrongFirstBytes, Variant::WrongPosition00, Variant::No00].map(of);
    Some(if malformed.iter().all(|a| *a == malformed[0]) {
        "weak"
    } else {
        "strong"
    })
}

/// Runs the check against `addr`; each stage takes at most `io`, cut to the
/// probe's deadline.
pub async fn check(addr: SocketAddr, server_name: Option<&str>, io: Duration) -> Result<Robot, VulnError> {
    let suites = rsa_suites();
    let mut refusals = Vec::new();
    let mut connections = 0;
    let mut found = None;
    for version in super::TRY_VERSIONS {
        let offered: Vec<u16> = legacy::version_suites(version)
            .into_iter()
            .filter(|s| suites.contains(s))
            .collect();
        let hello = legacy::client_hello(version, &offered, server_name, false);
        let mut wire = Wire::connect(addr, limit(io)).await?;
        connections += 1;
        match server_flight(&mut wire, &hello, limit(io)).await {
            Ok(f) if offered.contains(&f.cipher_suite) => {
                found = Some((hello, f, wire));
                break;
            }
            Ok(f) => {
                return Err(VulnError::Flight(format!(
                    "the server picked 0x{:04X}, which was not offered",
                    f.cipher_suite
                )));
            }
            Err(VulnError::Flight(why)) if why.starts_with("alert") => {
                refusals.push(format!("{}: {why}", version.label()));
            }
            Err(e) => return Err(e),
        }
    }
    let Some((hello, flight, wire)) = found else {
        return Ok(Robot {
            verdict: Verdict::NotApplicable,
            oracle: None,
            reason: format!("no TLS_RSA_* suite accepted ({})", refusals.join("; ")),
            version: None,
            suite: None,
            with_finished: Vec::new(),
            without_finished: Vec::new(),
            connections,
        });
    };
    let mut run = Run {
        addr,
        hello,
        io,
        suite: flight.cipher_suite,
        version: flight.version,
        key: None,
        connections,
        pending: None,
    };
    run.pending = Some((wire, flight.clone()));
    let version = LegacyVersion::from_wire(flight.version).map(|v| v.label().to_string());
    let suite = legacy::suite_name(flight.cipher_suite).map(str::to_string);
    let with_finished = run.round(true).await?;
    let (answers, without_finished) = match oracle(&with_finished) {
        Some(_) => (with_finished.clone(), Vec::new()),
        None if run.connections + 5 <= MAX_CONNECTIONS => {
            let second = run.round(false).await?;
            (second.clone(), second)
        }
        None => (with_finished.clone(), Vec::new()),
    };
    let (verdict, found, reason) = match oracle(&answers) {
        None => (
            Verdict::NotVulnerable,
            None,
            "every variant got the same answer: no oracle".to_string(),
        ),
        Some(kind) => {
            let finish = without_finished.is_empty();
            if run.connections + 5 <= MAX_CONNECTIONS {
                let again = run.round(finish).await?;
                if again != answers {
                    (
                        Verdict::Inconclusive,
                        None,
                        "the answers changed when the round was repeated".to_string(),
                    )
                } else {
                    (
                        Verdict::Vulnerable,
                        Some(kind.to_string()),
                        "the answers depend on the padding (confirmed by a second round)".to_string(),
                    )
                }
            } else {
                (
                    Verdict::Vulnerable,
                    Some(kind.to_string()),
                    "the answers depend on the padding (one round; no connection left to repeat it)".to_string(),
                )
            }
        }
    };
    Ok(Robot {
        verdict,
        oracle: found,
        reason,
        version,
        suite,
        with_finished,
        without_finished,
        connections: run.connections,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_fills_the_modulus_and_differs_where_it_should() {
        for variant in Variant::ALL {
            let p = plaintext(variant, 256, 0x0303);
            assert_eq!(p.len(), 256, "{variant:?}");
        }
        let valid = plaintext(Variant::Valid, 128, 0x0303);
        assert_eq!(&valid[..2], &[0, 2]);
        assert_eq!(&valid[128 - 49..128 - 46], &[0, 3, 3]);
        assert!(valid[2..128 - 49].iter().all(|b| *b != 0));
        assert_eq!(&plaintext(Variant::WrongFirstBytes, 128, 0x0303)[..2], &[0x41, 0x17]);
    }

    #[test]
    fn rsa_encryption_is_textbook_modexp() {
        // n = 61 * 53 = 3233, e = 17: 65^17 mod 3233 = 2790 (the classic
        // example), padded to the modulus length.
        let mut modulus = vec![0u8; 62];
        modulus.extend_from_slice(&3233u16.to_be_bytes());
        modulus[0] = 0x80; // make k = 64 bytes; check the arithmetic on a real size
        let key = RsaKey::new(&modulus, &[17]).expect("key");
        assert_eq!(key.k, 64);
        let c = key.encrypt(&[65]);
        assert_eq!(c.len(), 64);
        let n = BigUint::from_bytes_be(&modulus);
        assert_eq!(
            BigUint::from_bytes_be(&c),
            BigUint::from(65u8).modpow(&BigUint::from(17u8), &n)
        );
        assert!(RsaKey::new(&[0xFF; 8], &[1, 0, 1]).is_err(), "a toy modulus is refused");
    }

    #[test]
    fn oracles_are_told_apart() {
        let round = |answers: [&str; 5]| -> Vec<Answer> {
            Variant::ALL
                .iter()
                .zip(answers)
                .map(|(v, a)| Answer {
                    variant: *v,
                    answer: a.into(),
                })
                .collect()
        };
        assert_eq!(oracle(&round(["a"; 5])), None);
        assert_eq!(oracle(&round(["a", "b", "b", "b", "a"])), Some("weak"));
        assert_eq!(oracle(&round(["a", "b", "c", "b", "a"])), Some("strong"));
        assert!(rsa_suites().contains(&0x002F) && !rsa_suites().contains(&0xC02F));
    }
}

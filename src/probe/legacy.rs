//! Legacy-protocol probe: finds out whether a server still accepts SSL 3.0,
//! TLS 1.0, TLS 1.1 or weak TLS ≤ 1.2 cipher suites.
//!
//! rustls refuses to speak any of these, so a rustls handshake can never show
//! that a server would. This module does what dedicated scanners (sslyze,
//! testssl.sh) do instead: it writes hand-built ClientHello records on a plain
//! TCP connection and reads only the server's first answer — a ServerHello or
//! an Alert. No handshake is ever completed, no key is ever exchanged; the
//! connection is dropped as soon as the ServerHello (or alert) is complete.
//!
//! Everything the server sends is treated as hostile: [`parse_server_answer`]
//! checks every length, never indexes out of bounds, does not recurse and is
//! bounded by its input (and [`probe_hello`] reads at most 16 KiB). A
//! ServerHello split across several handshake records, several handshake
//! messages sharing one record, a warning alert before the ServerHello, a
//! final record cut short by the 16 KiB limit, SSLv2 answers and plain-text
//! (e.g. HTTP) answers are all handled.
//!
//! A [`scan`] makes at most 10 connections, one after the other:
//!
//! 1. one hello per [`LegacyVersion`] (TLS 1.2, 1.1, 1.0, SSL 3.0) offering
//!    every widely deployed suite valid in that version (AEAD, CBC, static
//!    RSA, RC4, 3DES — never NULL/EXPORT/anonymous ones);
//! 2. one hello per [`SuiteClass`] offering only that class's suites, at TLS
//!    1.2, or at the highest accepted version when TLS 1.2 is not accepted;
//! 3. one downgraded hello carrying `TLS_FALLBACK_SCSV` (RFC 7507).
//!
//! Limits: SSL 2.0 is not probed here (an SSLv2 answer is reported as
//! [`HelloAnswer::Garbage`]); a server is judged only on what it chooses from
//! the offered lists, so a suite outside those lists is never seen; SSL 3.0
//! hellos carry no extensions (so no SNI, like real SSL 3.0 clients). The
//! full enumeration of every suite, TLS 1.3 suites, groups and SSL 2.0 is
//! [`super::enumerate`]'s; the suite attributes (and so the weak classes
//! here) come from the registry in [`super::tls_suites`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::tls_suites::{self, Cipher, Suite};

/// Protocol versions probed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegacyVersion {
    /// SSL 3.0 (wire 0x0300), RFC 6101; prohibited by RFC 7568.
    Ssl3,
    /// TLS 1.0 (wire 0x0301), RFC 2246; deprecated by RFC 8996.
    Tls1_0,
    /// TLS 1.1 (wire 0x0302), RFC 4346; deprecated by RFC 8996.
    Tls1_1,
    /// TLS 1.2 (wire 0x0303), RFC 5246.
    Tls1_2,
}

impl LegacyVersion {
    /// Every probed version, oldest first.
    pub const ALL: [LegacyVersion; 4] = [
        LegacyVersion::Ssl3,
        LegacyVersion::Tls1_0,
        LegacyVersion::Tls1_1,
        LegacyVersion::Tls1_2,
    ];

    /// The version's number on the wire (`ProtocolVersion`).
    pub fn wire(self) -> u16 {
        match self {
            LegacyVersion::Ssl3 => 0x0300,
            LegacyVersion::Tls1_0 => 0x0301,
            LegacyVersion::Tls1_1 => 0x0302,
            LegacyVersion::Tls1_2 => 0x0303,
        }
    }

    /// The version with wire number `wire`, if it is one of the probed ones.
    pub fn from_wire(wire: u16) -> Option<LegacyVersion> {
        LegacyVersion::ALL.into_iter().find(|v| v.wire() == wire)
    }

    /// A short human name ("TLS 1.0").
    pub fn label(self) -> &'static str {
        match self {
            LegacyVersion::Ssl3 => "SSL 3.0",
            LegacyVersion::Tls1_0 => "TLS 1.0",
            LegacyVersion::Tls1_1 => "TLS 1.1",
            LegacyVersion::Tls1_2 => "TLS 1.2",
        }
    }
}

/// Classes of weak TLS ≤1.2 cipher suites.
///
/// The classes 1–4 never contain a NULL, EXPORT or anonymous suite (those
/// are all in [`SuiteClass::NullOrExportOrAnon`]); apart from that a suite may
/// be in two classes (`TLS_RSA_WITH_AES_128_CBC_SHA` is both static-RSA and
/// CBC). [`SuiteClass::suites`] lists each class's IANA ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuiteClass {
    /// No forward secrecy: static RSA key transport (`TLS_RSA_WITH_*`) and
    /// static ECDH (`TLS_ECDH_{RSA,ECDSA}_WITH_*`).
    NoForwardSecrecy,
    /// CBC-mode block ciphers with HMAC (AES, Camellia, SEED), the target of
    /// BEAST/Lucky13/POODLE-TLS style padding-oracle attacks. DES and 3DES are
    /// CBC too but are counted in [`SuiteClass::TripleDes`] only.
    Cbc,
    /// The RC4 stream cipher (RFC 7465 prohibits it).
    Rc4,
    /// 64-bit-block DES family: 3DES-EDE (Sweet32) and single DES.
    TripleDes,
    /// No encryption (NULL), 40/56-bit EXPORT suites, or no authentication
    /// (anonymous DH/ECDH).
    NullOrExportOrAnon,
}

impl SuiteClass {
    /// Every class, in probing order.
    pub const ALL: [SuiteClass; 5] = [
        SuiteClass::NoForwardSecrecy,
        SuiteClass::Cbc,
        SuiteClass::Rc4,
        SuiteClass::TripleDes,
        SuiteClass::NullOrExportOrAnon,
    ];

    /// The IANA ids of the suites in this class, in offering order.
    pub fn suites(self) -> Vec<u16> {
        offered().filter(|s| class_member(s, self)).map(|s| s.id).collect()
    }
}

/// The IANA registry name of a suite this module knows, e.g.
/// `TLS_RSA_WITH_AES_128_CBC_SHA` for 0x002F.
///
/// Every suite of the registry ([`super::tls_suites`]) is known, TLS 1.3
/// ones included.
pub fn suite_name(id: u16) -> Option<&'static str> {
    tls_suites::name(id)
}

/// What the server answered to one ClientHello.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum HelloAnswer {
    /// A well-formed ServerHello.
    Accepted {
        /// The negotiated version (`server_version`, or the
        /// `supported_versions` extension when a server sends one).
        version: u16,
        /// The chosen cipher suite.
        cipher_suite: u16,
        /// The ServerHello carried a valid initial `renegotiation_info`
        /// extension (RFC 5746).
        secure_renegotiation: bool,
        /// The ServerHello carried `extended_master_secret` (RFC 7627).
        #[serde(default)]
        extended_master_secret: bool,
        /// The compression method chosen (0 = null, 1 = DEFLATE).
        #[serde(default)]
        compression: u8,
    },
    /// An alert record (the first fatal one, or a final warning one).
    Alert {
        /// 1 = warning, 2 = fatal.
        level: u8,
        /// The alert description (40 handshake_failure, 70 protocol_version,
        /// 86 inappropriate_fallback, ...).
        description: u8,
    },
    /// EOF or reset before any byte of answer.
    Closed,
    /// Not TLS, or malformed; `detail` is a short reason. In a [`scan`]
    /// transcript it also records a probe that got no answer in time.
    Garbage {
        /// Why the answer was rejected.
        detail: String,
    },
}

/// The result of a [`scan`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyScan {
    /// Versions the server accepted (negotiated exactly that version).
    pub accepted_versions: Vec<LegacyVersion>,
    /// For TLS 1.2 (or the highest accepted ≤1.2 version): weak suite classes the server accepted, each with the suite id it picked.
    pub weak_suites: Vec<(SuiteClass, u16)>,
    /// Server refuses a downgraded hello carrying TLS_FALLBACK_SCSV (RFC 7507) with inappropriate_fallback(86); None when not testable (server supports only one version).
    ///
    /// When only one ≤1.2 version is accepted, a hello at that version with
    /// the SCSV is still sent: an inappropriate_fallback answer proves a
    /// higher (TLS 1.3) version and yields `Some(true)`; anything else `None`.
    pub fallback_scsv: Option<bool>,
    /// Server sent the renegotiation_info extension (RFC 5746) in its TLS ≤1.2 ServerHello.
    ///
    /// Taken from the answer to the highest accepted version; `None` when no
    /// version was accepted.
    pub secure_renegotiation: Option<bool>,
    /// The ServerHello at the highest accepted version carried
    /// `extended_master_secret` (RFC 7627); `None` when no version was
    /// accepted.
    #[serde(default)]
    pub extended_master_secret: Option<bool>,
    /// Offered DEFLATE and null at the highest accepted version, the server
    /// chose DEFLATE (CRIME); `None` when no version was accepted or the
    /// hello was not answered with a ServerHello.
    #[serde(default)]
    pub compression_accepted: Option<bool>,
    /// The server answered the TLS 1.3 ClientHello with a TLS 1.3
    /// ServerHello (or HelloRetryRequest).
    pub tls13_accepted: bool,
    /// At least one hello got a TLS answer (a ServerHello or an alert).
    /// When `false` and some answer was not TLS, nothing here says anything
    /// about the server's TLS: the port does not speak it.
    pub tls_spoken: bool,
    /// Raw answers, for evidence: (label, answer).
    pub transcript: Vec<(String, HelloAnswer)>,
}

// ---------------------------------------------------------------------------
// Cipher-suite table
// ---------------------------------------------------------------------------

/// Whether a suite is NULL-encrypting, EXPORT grade or anonymous.
fn null_export_anon(s: &Suite) -> bool {
    s.cipher == Cipher::Null || s.export || s.anonymous()
}

/// Class membership, from the suite registry's attributes.
fn class_member(s: &Suite, class: SuiteClass) -> bool {
    let nea = null_export_anon(s);
    let des = matches!(s.cipher, Cipher::Des | Cipher::TripleDes);
    match class {
        SuiteClass::NullOrExportOrAnon => nea,
        SuiteClass::NoForwardSecrecy => !nea && !s.forward_secret(),
        SuiteClass::Cbc => !nea && s.cipher.cbc() && !des,
        SuiteClass::Rc4 => !nea && s.cipher == Cipher::Rc4,
        SuiteClass::TripleDes => !nea && des,
    }
}

fn valid_in(s: &Suite, version: LegacyVersion) -> bool {
    s.valid_at(version.wire())
}

/// The ids this module offers, in offering order (modern first, so that a
/// version probe is answered with the server's best choice among them):
/// forward-secret AEAD, forward-secret CBC, static RSA, static ECDH, RC4,
/// 3DES/DES, NULL, EXPORT, anonymous. Their attributes come from the suite
/// registry ([`super::tls_suites`]); the full enumeration
/// ([`super::enumerate`]) offers the whole registry instead.
const OFFERED: &[u16] = &[
    0xC02B, 0xC02C, 0xC02F, 0xC030, 0xCCA9, 0xCCA8, 0x009E, 0x009F, 0xCCAA, 0xC023, 0xC024, 0xC027, 0xC028, 0xC009,
    0xC00A, 0xC013, 0xC014, 0x0067, 0x006B, 0x0033, 0x0039, 0x0045, 0x0088, 0x0032, 0x0038, 0x009C, 0x009D, 0xC09C,
    0xC09D, 0x003C, 0x003D, 0x002F, 0x0035, 0x0041, 0x0084, 0x0096, 0xC02D, 0xC031, 0xC004, 0xC005, 0xC00E, 0xC00F,
    0xC011, 0xC007, 0x0005, 0x0004, 0xC00C, 0xC002, 0xC012, 0xC008, 0x0016, 0x0013, 0x000A, 0xC00D, 0xC003, 0x0015,
    0x0012, 0x0009, 0x0002, 0x0001, 0x003B, 0xC010, 0xC006, 0xC015, 0x0003, 0x0006, 0x0008, 0x0014, 0x0011, 0x0017,
    0x0019, 0xC018, 0xC019, 0xC016, 0xC017, 0x00A6, 0x00A7, 0x006C, 0x006D, 0x0034, 0x003A, 0x0046, 0x0089, 0x0018,
    0x001B, 0x001A,
];

/// The registry entries of [`OFFERED`], in its order.
fn offered() -> impl Iterator<Item = &'static Suite> {
    OFFERED.iter().filter_map(|id| tls_suites::suite(*id))
}

/// `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` (RFC 5746), sent in SSL 3.0 hellos,
/// which cannot carry the extension.
const SCSV_RENEGOTIATION: u16 = 0x00FF;
/// `TLS_FALLBACK_SCSV` (RFC 7507).
const SCSV_FALLBACK: u16 = 0x5600;
/// inappropriate_fallback alert (RFC 7507).
const ALERT_INAPPROPRIATE_FALLBACK: u8 = 86;

/// The suites of a version probe: every suite valid in `version` except the
/// NULL/EXPORT/anonymous ones, as a real (if very permissive) client offers.
pub fn version_suites(version: LegacyVersion) -> Vec<u16> {
    offered()
        .filter(|s| !null_export_anon(s) && valid_in(s, version))
        .map(|s| s.id)
        .collect()
}

/// The suites of a class probe at `version`.
fn class_suites(class: SuiteClass, version: LegacyVersion) -> Vec<u16> {
    offered()
        .filter(|s| class_member(s, class) && valid_in(s, version))
        .map(|s| s.id)
        .collect()
}

// ---------------------------------------------------------------------------
// ClientHello
// ---------------------------------------------------------------------------

/// At most this many suites are written (keeps the record under 2^14 bytes).
const MAX_HELLO_SUITES: usize = 4096;

/// Named groups offered (supported_groups): x25519, secp256r1, secp384r1,
/// secp521r1.
const GROUPS: [u16; 4] = [0x001D, 0x0017, 0x0018, 0x0019];

/// Signature algorithms offered in TLS 1.2 hellos: ECDSA, RSA-PSS, Ed25519,
/// RSA PKCS#1 v1.5 (SHA-2, then SHA-1) and DSA, so that no server is turned
/// away for lack of a signature scheme.
const SIGNATURE_ALGORITHMS: [u16; 14] = [
    0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0401, 0x0501, 0x0601, 0x0201, 0x0203, 0x0402, 0x0202,
];

fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_be_bytes());
}

/// Writes a length that the caller has bounded below 2^16.
fn put_len16(out: &mut Vec<u8>, len: usize) {
    put_u16(out, u16::try_from(len).unwrap_or(u16::MAX));
}

fn put_len24(out: &mut Vec<u8>, len: usize) {
    let len = u32::try_from(len).unwrap_or(0x00FF_FFFF).min(0x00FF_FFFF);
    out.extend_from_slice(&len.to_be_bytes()[1..]);
}

fn put_extension(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    put_u16(out, kind);
    put_len16(out, data.len());
    out.extend_from_slice(data);
}

/// `name` as an SNI host name: a DNS name (not an IP literal), without a
/// trailing dot, of letters, digits, `-` and `_` in non-empty labels.
fn sni_name(name: &str) -> Option<&str> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 || name.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let labels_ok = name.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    labels_ok.then_some(name)
}

/// 32 unpredictable-enough bytes for ClientHello.random, from the standard
/// library's randomly keyed hasher (the value only has to differ between
/// hellos; no handshake is ever completed with it).
fn client_random() -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};
    let state = std::collections::hash_map::RandomState::new();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut random = [0u8; 32];
    for (i, chunk) in random.chunks_mut(8).enumerate() {
        let mut hasher = state.build_hasher();
        hasher.write_u128(nanos);
        hasher.write_usize(i);
        chunk.copy_from_slice(&hasher.finish().to_be_bytes());
    }
    random
}

/// Builds a ClientHello record: record version, hello version, suites, with SNI (if a DNS name) and — for ≥TLS1.0 — supported_groups, ec_point_formats, signature_algorithms (for 1.2), renegotiation_info.
///
/// The record layer says 0x0300 for SSL 3.0 and 0x0301 otherwise, as
/// browsers and OpenSSL do. SSL 3.0 hellos carry no extensions (hence no
/// SNI) and signal RFC 5746 with `TLS_EMPTY_RENEGOTIATION_INFO_SCSV`
/// instead. With `fallback_scsv` the suite list ends with
/// `TLS_FALLBACK_SCSV`. A hello whose length falls in 256..512 bytes gets a
/// padding extension (RFC 7685) to 512, like OpenSSL, to get past servers
/// that hang on such lengths. At most 4096 suites are written.
pub fn client_hello(version: LegacyVersion, suites: &[u16], server_name: Option<&str>, fallback_scsv: bool) -> Vec<u8> {
    build_hello(version, suites, server_name, fallback_scsv, &[0])
}

/// Like [`client_hello`], offering DEFLATE compression (method 1) before
/// null: a server that picks it is open to CRIME (RFC 7457 §2.6).
pub fn compression_hello(version: LegacyVersion, suites: &[u16], server_name: Option<&str>) -> Vec<u8> {
    build_hello(version, suites, server_name, false, &[1, 0])
}

/// What a ClientHello built by [`client_hello_with`] offers beyond its
/// version and suites.
#[derive(Debug, Clone, Copy, Default)]
pub struct HelloOptions<'a> {
    /// End the suite list with `TLS_FALLBACK_SCSV`.
    pub fallback_scsv: bool,
    /// Offer DEFLATE before null compression.
    pub deflate: bool,
    /// The `supported_groups` offered (default: x25519, secp256r1,
    /// secp384r1, secp521r1).
    pub groups: Option<&'a [u16]>,
    /// The TLS 1.2 `signature_algorithms` offered (default: a broad list
    /// of ECDSA, RSA-PSS, Ed25519, RSA PKCS#1 and DSA schemes).
    pub signature_algorithms: Option<&'a [u16]>,
}

/// Like [`client_hello`], with the groups, signature algorithms,
/// fallback signal and compression of `options`.
pub fn client_hello_with(
    version: LegacyVersion,
    suites: &[u16],
    server_name: Option<&str>,
    options: &HelloOptions<'_>,
) -> Vec<u8> {
    let compression: &[u8] = if options.deflate { &[1, 0] } else { &[0] };
    build_hello_with(version, suites, server_name, options, compression)
}

fn build_hello(
    version: LegacyVersion,
    suites: &[u16],
    server_name: Option<&str>,
    fallback_scsv: bool,
    compression: &[u8],
) -> Vec<u8> {
    let options = HelloOptions {
        fallback_scsv,
        ..HelloOptions::default()
    };
    build_hello_with(version, suites, server_name, &options, compression)
}

fn build_hello_with(
    version: LegacyVersion,
    suites: &[u16],
    server_name: Option<&str>,
    options: &HelloOptions<'_>,
    compression: &[u8],
) -> Vec<u8> {
    let fallback_scsv = options.fallback_scsv;
    let mut list: Vec<u16> = suites.iter().copied().take(MAX_HELLO_SUITES).collect();
    if version == LegacyVersion::Ssl3 && !list.contains(&SCSV_RENEGOTIATION) {
        list.push(SCSV_RENEGOTIATION);
    }
    if fallback_scsv && !list.contains(&SCSV_FALLBACK) {
        list.push(SCSV_FALLBACK);
    }

    let mut body = Vec::with_capacity(512);
    put_u16(&mut body, version.wire());
    body.extend_from_slice(&client_random());
    body.push(0); // empty session id
    put_len16(&mut body, list.len() * 2);
    for id in &list {
        put_u16(&mut body, *id);
    }
    body.push(compression.len() as u8);
    body.extend_from_slice(compression);

    if version >= LegacyVersion::Tls1_0 {
        let mut ext = Vec::with_capacity(256);
        put_sni_and_groups(&mut ext, server_name, options.groups.unwrap_or(&GROUPS));
        put_extension(&mut ext, 0x000B, &[1, 0]); // uncompressed points
        if version >= LegacyVersion::Tls1_2 {
            put_signature_algorithms(&mut ext, options.signature_algorithms.unwrap_or(&SIGNATURE_ALGORITHMS));
        }
        put_extension(&mut ext, 0xFF01, &[0]); // renegotiation_info, initial
        put_extension(&mut ext, 0x0017, &[]); // extended_master_secret (RFC 7627)
        // Handshake header (4) + body + extensions length (2) + extensions.
        let hello_len = 4 + body.len() + 2 + ext.len();
        if (256..512).contains(&hello_len) {
            let pad = (512 - hello_len).saturating_sub(4);
            put_extension(&mut ext, 0x0015, &vec![0; pad]);
        }
        put_len16(&mut body, ext.len());
        body.extend_from_slice(&ext);
    }

    let mut handshake = Vec::with_capacity(body.len() + 4);
    handshake.push(1); // client_hello
    put_len24(&mut handshake, body.len());
    handshake.extend_from_slice(&body);

    let mut record = Vec::with_capacity(handshake.len() + 5);
    record.push(CT_HANDSHAKE);
    put_u16(
        &mut record,
        if version == LegacyVersion::Ssl3 { 0x0300 } else { 0x0301 },
    );
    put_len16(&mut record, handshake.len());
    record.extend_from_slice(&handshake);
    record
}

/// Appends `server_name` (when `server_name` is a DNS name) and
/// `supported_groups`.
fn put_sni_and_groups(ext: &mut Vec<u8>, server_name: Option<&str>, groups_offered: &[u16]) {
    if let Some(name) = server_name.and_then(sni_name) {
        let mut data = Vec::with_capacity(name.len() + 5);
        put_len16(&mut data, name.len() + 3);
        data.push(0); // host_name
        put_len16(&mut data, name.len());
        data.extend_from_slice(name.as_bytes());
        put_extension(ext, 0x0000, &data);
    }
    let groups_offered = groups_offered.get(..groups_offered.len().min(256)).unwrap_or_default();
    let mut groups = Vec::with_capacity(groups_offered.len() * 2 + 2);
    put_len16(&mut groups, groups_offered.len() * 2);
    for group in groups_offered {
        put_u16(&mut groups, *group);
    }
    put_extension(ext, 0x000A, &groups);
}

/// Appends `signature_algorithms` (at most 256 of `offered`).
fn put_signature_algorithms(ext: &mut Vec<u8>, offered: &[u16]) {
    let offered = offered.get(..offered.len().min(256)).unwrap_or_default();
    let mut algs = Vec::with_capacity(offered.len() * 2 + 2);
    put_len16(&mut algs, offered.len() * 2);
    for alg in offered {
        put_u16(&mut algs, *alg);
    }
    put_extension(ext, 0x000D, &algs);
}

/// The TLS 1.3 cipher suites offered by [`tls13_client_hello`].
pub const TLS13_SUITES: [u16; 5] = [0x1301, 0x1302, 0x1303, 0x1304, 0x1305];

/// A TLS 1.3 ClientHello (RFC 8446 §4.1.2): `legacy_version` 1.2, a 32-byte
/// session id, the five TLS 1.3 suites, and `supported_versions` offering
/// only TLS 1.3, with an X25519 key share (any 32 bytes are a valid X25519
/// public value; the handshake is never completed). A server with TLS 1.3
/// answers with a ServerHello (or a HelloRetryRequest, which is one too)
/// whose `supported_versions` says 0x0304.
pub fn tls13_client_hello(server_name: Option<&str>) -> Vec<u8> {
    tls13_client_hello_with(server_name, &TLS13_SUITES, &GROUPS, Some(0x001D))
}

/// A TLS 1.3 ClientHello offering `suites` (at most 256) and `groups` in
/// `supported_groups`, with a key share for `key_share` when it is x25519
/// (0x001D: 32 bytes) or x448 (0x001E: 56 bytes), whose public values may
/// be any bytes, and an empty key share list otherwise: a server that
/// supports one of `groups` then answers with a HelloRetryRequest naming it.
pub fn tls13_client_hello_with(
    server_name: Option<&str>,
    suites: &[u16],
    groups: &[u16],
    key_share: Option<u16>,
) -> Vec<u8> {
    let suites = suites.get(..suites.len().min(256)).unwrap_or_default();
    let mut body = Vec::with_capacity(512);
    put_u16(&mut body, 0x0303);
    body.extend_from_slice(&client_random());
    body.push(32);
    body.extend_from_slice(&client_random());
    put_len16(&mut body, suites.len() * 2);
    for id in suites {
        put_u16(&mut body, *id);
    }
    body.extend_from_slice(&[1, 0]);
    let mut ext = Vec::with_capacity(256);
    put_sni_and_groups(&mut ext, server_name, groups);
    put_signature_algorithms(&mut ext, &SIGNATURE_ALGORITHMS);
    put_extension(&mut ext, 0x002B, &[2, 0x03, 0x04]); // supported_versions: TLS 1.3
    let key_len = match key_share {
        Some(0x001D) => 32,
        Some(0x001E) => 56,
        _ => 0,
    };
    let mut share = Vec::with_capacity(key_len + 8);
    if let Some(group) = key_share.filter(|_| key_len > 0) {
        put_len16(&mut share, key_len + 4);
        put_u16(&mut share, group);
        put_len16(&mut share, key_len);
        while share.len() < key_len + 6 {
            share.extend_from_slice(&client_random());
        }
        share.truncate(key_len + 6);
    } else {
        put_len16(&mut share, 0);
    }
    put_extension(&mut ext, 0x0033, &share); // key_share
    put_extension(&mut ext, 0x002D, &[1, 1]); // psk_key_exchange_modes: psk_dhe_ke
    put_len16(&mut body, ext.len());
    body.extend_from_slice(&ext);

    let mut handshake = Vec::with_capacity(body.len() + 4);
    handshake.push(1);
    put_len24(&mut handshake, body.len());
    handshake.extend_from_slice(&body);
    let mut record = Vec::with_capacity(handshake.len() + 5);
    record.push(CT_HANDSHAKE);
    put_u16(&mut record, 0x0301);
    put_len16(&mut record, handshake.len());
    record.extend_from_slice(&handshake);
    record
}

// ---------------------------------------------------------------------------
// Parsing the server's answer
// ---------------------------------------------------------------------------

const CT_CHANGE_CIPHER_SPEC: u8 = 20;
const CT_ALERT: u8 = 21;
const CT_HANDSHAKE: u8 = 22;
const CT_APPLICATION_DATA: u8 = 23;
const CT_HEARTBEAT: u8 = 24;
/// Largest plaintext record (RFC 5246 §6.2.1); the first flight is plaintext.
const MAX_RECORD_LEN: usize = 1 << 14;
/// A ServerHello cannot exceed this (its extensions block has a 16-bit length).
const MAX_SERVER_HELLO_LEN: usize = 2 + 32 + 1 + 32 + 2 + 1 + 2 + 0xFFFF;
/// ServerHello.random of a TLS 1.3 HelloRetryRequest (RFC 8446 §4.1.3).
const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11,
    0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// The detail of the answer recorded for a TLS 1.3 HelloRetryRequest: not
/// an acceptance of a TLS ≤ 1.2 hello, but proof that the server speaks
/// TLS 1.3 (it wants another key share).
pub const HRR_DETAIL: &str = "TLS 1.3 HelloRetryRequest";

/// Where parsing a (possibly incomplete) first flight stands.
#[derive(Debug, PartialEq, Eq)]
enum Progress {
    /// The answer is known; more bytes cannot change it.
    Done(HelloAnswer),
    /// More bytes are needed. `pending` is the answer if none come (a
    /// trailing warning alert); otherwise the input is truncated (`why`).
    NeedMore {
        pending: Option<HelloAnswer>,
        why: &'static str,
    },
}

fn garbage(detail: impl Into<String>) -> Progress {
    Progress::Done(HelloAnswer::Garbage { detail: detail.into() })
}

/// Parses a server's first flight from raw bytes. Pure, never panics, bounded.
///
/// Empty input is [`HelloAnswer::Closed`]; input that ends before the
/// ServerHello (or an alert) is complete is [`HelloAnswer::Garbage`]
/// ("truncated ..."), except that a warning alert followed by nothing is
/// reported as that alert. Bytes after a complete ServerHello (Certificate
/// and so on, possibly cut short) are ignored. Work is linear in the input.
pub fn parse_server_answer(bytes: &[u8]) -> HelloAnswer {
    if bytes.is_empty() {
        return HelloAnswer::Closed;
    }
    match parse_progress(bytes) {
        Progress::Done(answer) => answer,
        Progress::NeedMore {
            pending: Some(answer), ..
        } => answer,
        Progress::NeedMore { pending: None, why } => HelloAnswer::Garbage {
            detail: format!("truncated: {why}"),
        },
    }
}

/// A short, printable description of data that is not a TLS record.
fn describe_non_tls(bytes: &[u8]) -> String {
    let head = bytes.get(..16).unwrap_or(bytes);
    if head
        .iter()
        .all(|b| b.is_ascii_graphic() || *b == b' ' || *b == b'\r' || *b == b'\n')
    {
        let text: String = head.iter().map(|b| char::from(*b)).collect();
        format!("not TLS: plain text {:?}", text)
    } else {
        let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("not TLS: starts with {}", hex.join(" "))
    }
}

/// Checks the part of a record header that is present. `first` is true for
/// the first record of the answer, where non-TLS answers are recognised.
fn check_header_prefix(rest: &[u8], first: bool) -> Option<Progress> {
    let &ct = rest.first()?;
    if !(CT_CHANGE_CIPHER_SPEC..=CT_HEARTBEAT).contains(&ct) {
        if !first {
            return Some(garbage(format!("invalid record content type {ct}")));
        }
        if ct & 0x80 != 0 {
            // SSL 2.0 record: 2-byte header with the high bit set, then the
            // message type (4 = SERVER-HELLO, 0 = ERROR).
            return match rest.get(2) {
                None => Some(Progress::NeedMore {
                    pending: None,
                    why: "short SSL 2.0-like header",
                }),
                Some(4) => Some(garbage("SSL 2.0 SERVER-HELLO (server speaks SSLv2)")),
                Some(0) => Some(garbage("SSL 2.0 ERROR message")),
                Some(_) => Some(garbage(describe_non_tls(rest))),
            };
        }
        return Some(garbage(describe_non_tls(rest)));
    }
    if let Some(&major) = rest.get(1)
        && major != 3
    {
        return Some(if first {
            garbage(describe_non_tls(rest))
        } else {
            garbage(format!("invalid record version major {major}"))
        });
    }
    if let Some(&minor) = rest.get(2)
        && minor > 3
    {
        return Some(garbage(format!("invalid record version 3.{minor}")));
    }
    None
}

/// Parses as much of the answer as is present.
fn parse_progress(bytes: &[u8]) -> Progress {
    let mut pos = 0usize;
    let mut handshake: Vec<u8> = Vec::new();
    let mut handshake_off = 0usize;
    let mut pending: Option<HelloAnswer> = None;
    loop {
        let rest = bytes.get(pos..).unwrap_or(&[]);
        if rest.is_empty() {
            return Progress::NeedMore {
                pending,
                why: "no complete ServerHello",
            };
        }
        if let Some(verdict) = check_header_prefix(rest, pos == 0) {
            return verdict;
        }
        let Some(&[ct, _, _, len_hi, len_lo]) = rest.get(..5) else {
            return Progress::NeedMore {
                pending: None,
                why: "record header cut short",
            };
        };
        let len = usize::from(u16::from_be_bytes([len_hi, len_lo]));
        if len > MAX_RECORD_LEN {
            return garbage(format!("record length {len} exceeds 16384"));
        }
        if len == 0 {
            return garbage(format!("empty record of type {ct}"));
        }
        let available = rest.get(5..).unwrap_or(&[]);
        let complete = available.len() >= len;
        let body = available.get(..len).unwrap_or(available);
        pending = None;
        match ct {
            CT_ALERT => match body {
                [2, description, ..] => {
                    return Progress::Done(HelloAnswer::Alert {
                        level: 2,
                        description: *description,
                    });
                }
                [1, description, ..] => {
                    // A warning (e.g. unrecognized_name) may precede the
                    // ServerHello; it is the answer only if nothing follows.
                    if !complete {
                        return Progress::NeedMore {
                            pending: None,
                            why: "alert record cut short",
                        };
                    }
                    pending = Some(HelloAnswer::Alert {
                        level: 1,
                        description: *description,
                    });
                }
                [level, _, ..] => return garbage(format!("alert with invalid level {level}")),
                _ if complete => return garbage("alert record shorter than 2 bytes"),
                _ => {
                    return Progress::NeedMore {
                        pending: None,
                        why: "alert record cut short",
                    };
                }
            },
            CT_HANDSHAKE => {
                handshake.extend_from_slice(body);
                if let Some(answer) = scan_handshake(&handshake, &mut handshake_off) {
                    return Progress::Done(answer);
                }
                if !complete {
                    return Progress::NeedMore {
                        pending: None,
                        why: "ServerHello cut short",
                    };
                }
            }
            CT_CHANGE_CIPHER_SPEC => return garbage("ChangeCipherSpec record before ServerHello"),
            CT_APPLICATION_DATA => return garbage("application-data record before ServerHello"),
            _ => return garbage(format!("record of type {ct} before ServerHello")),
        }
        pos = pos.saturating_add(5).saturating_add(len);
    }
}

/// Looks for the ServerHello in the handshake bytes gathered so far,
/// skipping empty HelloRequests. `None` means more bytes are needed.
fn scan_handshake(handshake: &[u8], off: &mut usize) -> Option<HelloAnswer> {
    loop {
        let msg = handshake.get(*off..)?;
        let &[kind, a, b, c] = msg.get(..4)? else {
            return None;
        };
        let len = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
        match kind {
            0 if len == 0 => *off = off.saturating_add(4),
            2 if len > MAX_SERVER_HELLO_LEN => {
                return Some(HelloAnswer::Garbage {
                    detail: format!("ServerHello length {len} is impossible"),
                });
            }
            2 => return msg.get(4..4 + len).map(parse_server_hello),
            _ => {
                return Some(HelloAnswer::Garbage {
                    detail: format!("expected ServerHello, got handshake message type {kind}"),
                });
            }
        }
    }
}

/// A bounds-checked cursor over untrusted bytes.
struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.data.split_at_checked(n)?;
        self.data = tail;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    fn u16(&mut self) -> Option<u16> {
        match self.take(2)? {
            &[hi, lo] => Some(u16::from_be_bytes([hi, lo])),
            _ => None,
        }
    }
}

/// Parses a complete ServerHello body.
fn parse_server_hello(body: &[u8]) -> HelloAnswer {
    let bad = |detail: &str| HelloAnswer::Garbage {
        detail: format!("malformed ServerHello: {detail}"),
    };
    let mut r = Reader { data: body };
    let Some(version) = r.u16() else {
        return bad("no version");
    };
    if version >> 8 != 3 {
        return bad(&format!("version 0x{version:04x}"));
    }
    let Some(random) = r.take(32) else {
        return bad("random cut short");
    };
    if random == HELLO_RETRY_REQUEST_RANDOM {
        return HelloAnswer::Garbage {
            detail: HRR_DETAIL.into(),
        };
    }
    let Some(session_len) = r.u8() else {
        return bad("no session id");
    };
    if session_len > 32 {
        return bad(&format!("session id length {session_len}"));
    }
    if r.take(usize::from(session_len)).is_none() {
        return bad("session id cut short");
    }
    let Some(cipher_suite) = r.u16() else {
        return bad("no cipher suite");
    };
    let Some(compression) = r.u8() else {
        return bad("no compression method");
    };
    let mut negotiated = version;
    let mut secure_renegotiation = false;
    let mut extended_master_secret = false;
    if !r.data.is_empty() {
        let Some(ext_len) = r.u16() else {
            return bad("extensions length cut short");
        };
        if usize::from(ext_len) != r.data.len() {
            return bad(&format!(
                "extensions length {ext_len} but {} bytes follow",
                r.data.len()
            ));
        }
        let mut seen = BTreeSet::new();
        while !r.data.is_empty() {
            let (Some(kind), Some(len)) = (r.u16(), r.u16()) else {
                return bad("extension header cut short");
            };
            let Some(data) = r.take(usize::from(len)) else {
                return bad(&format!("extension {kind} cut short"));
            };
            if !seen.insert(kind) {
                return bad(&format!("duplicate extension {kind}"));
            }
            match (kind, data) {
                // renegotiation_info with an empty renegotiated_connection.
                (0xFF01, [0]) => secure_renegotiation = true,
                (0x0017, []) => extended_master_secret = true,
                (0x002B, &[hi, lo]) => negotiated = u16::from_be_bytes([hi, lo]),
                (0x002B, _) => return bad("supported_versions is not 2 bytes"),
                _ => {}
            }
        }
    }
    HelloAnswer::Accepted {
        version: negotiated,
        cipher_suite,
        secure_renegotiation,
        extended_master_secret,
        compression,
    }
}

// ---------------------------------------------------------------------------
// Network
// ---------------------------------------------------------------------------

/// Most bytes read from one server.
const MAX_READ: usize = 16 * 1024;

#[derive(Debug, thiserror::Error)]
enum ProbeError {
    #[error("cannot connect to {addr}: {reason}")]
    Connect { addr: SocketAddr, reason: String },
    #[error("{0}")]
    Io(String),
}

fn is_closed(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
    )
}

/// Sends one hello over a fresh TCP connection to `addr` and reads the answer, with `timeout` for connect+read; reads at most 16 KiB.
///
/// `timeout` bounds the whole exchange (connect, write and reads). The
/// connection is dropped as soon as the answer is known. Errors: the
/// connection cannot be made, or nothing at all arrives in time; an answer
/// cut short by the deadline is parsed as it stands.
pub async fn probe_hello(addr: SocketAddr, hello: &[u8], timeout: Duration) -> Result<HelloAnswer, String> {
    exchange(addr, hello, timeout).await.map_err(|e| e.to_string())
}

async fn exchange(addr: SocketAddr, hello: &[u8], timeout: Duration) -> Result<HelloAnswer, ProbeError> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut stream = match tokio::time::timeout_at(deadline, TcpStream::connect(addr)).await {
        Err(_) => {
            return Err(ProbeError::Connect {
                addr,
                reason: format!("timed out after {timeout:?}"),
            });
        }
        Ok(Err(e)) => {
            return Err(ProbeError::Connect {
                addr,
                reason: e.to_string(),
            });
        }
        Ok(Ok(stream)) => stream,
    };
    let _ = stream.set_nodelay(true);
    match tokio::time::timeout_at(deadline, stream.write_all(hello)).await {
        Err(_) => return Err(ProbeError::Io(format!("sending the hello timed out after {timeout:?}"))),
        Ok(Err(e)) if is_closed(&e) => return Ok(HelloAnswer::Closed),
        Ok(Err(e)) => return Err(ProbeError::Io(format!("sending the hello: {e}"))),
        Ok(Ok(())) => {}
    }
    let mut answer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    while answer.len() < MAX_READ {
        let room = (MAX_READ - answer.len()).min(chunk.len());
        let slot = chunk.get_mut(..room).unwrap_or_default();
        match tokio::time::timeout_at(deadline, stream.read(slot)).await {
            Err(_) if answer.is_empty() => {
                return Err(ProbeError::Io(format!("no answer within {timeout:?}")));
            }
            Err(_) => break,
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => {
                answer.extend_from_slice(slot.get(..n).unwrap_or_default());
                if let Progress::Done(found) = parse_progress(&answer) {
                    return Ok(found);
                }
            }
            Ok(Err(e)) if is_closed(&e) => break,
            Ok(Err(e)) => return Err(ProbeError::Io(format!("reading the answer: {e}"))),
        }
    }
    Ok(parse_server_answer(&answer))
}

/// The suite the server picked if it accepted exactly `version` and picked
/// one of the `offered` suites.
fn accepted_suite(answer: &HelloAnswer, version: LegacyVersion, offered: &[u16]) -> Option<u16> {
    match answer {
        HelloAnswer::Accepted {
            version: v,
            cipher_suite,
            ..
        } if *v == version.wire() && offered.contains(cipher_suite) => Some(*cipher_suite),
        _ => None,
    }
}

fn class_label(class: SuiteClass) -> &'static str {
    match class {
        SuiteClass::NoForwardSecrecy => "no-forward-secrecy",
        SuiteClass::Cbc => "cbc",
        SuiteClass::Rc4 => "rc4",
        SuiteClass::TripleDes => "triple-des",
        SuiteClass::NullOrExportOrAnon => "null-or-export-or-anon",
    }
}

/// One hello of a scan: sends it and records the answer in the transcript.
/// A connection failure aborts the scan; a probe with no answer in time is
/// recorded as Garbage ("no answer: ...").
async fn step(
    addr: SocketAddr,
    hello: &[u8],
    timeout: Duration,
    label: String,
    transcript: &mut Vec<(String, HelloAnswer)>,
) -> Result<HelloAnswer, String> {
    let answer = match exchange(addr, hello, timeout).await {
        Ok(answer) => answer,
        Err(e @ ProbeError::Connect { .. }) => return Err(format!("{label}: {e}")),
        Err(ProbeError::Io(e)) => HelloAnswer::Garbage {
            detail: format!("no answer: {e}"),
        },
    };
    transcript.push((label, answer.clone()));
    Ok(answer)
}

/// Runs the whole scan (bounded: at most ~16 connections), sequentially.
///
/// Makes at most 12 connections (5 version probes, TLS 1.3 included, 5
/// class probes, 1 compression probe, 1 fallback probe), each bounded by `timeout`. `server_name` is sent as SNI
/// when it is a DNS name. Fails only when a connection cannot be made.
pub async fn scan(addr: SocketAddr, server_name: Option<&str>, timeout: Duration) -> Result<LegacyScan, String> {
    let mut transcript = Vec::new();
    let mut accepted_versions = Vec::new();
    let mut secure_renegotiation = None;
    let mut extended_master_secret = None;

    // 1. Versions, newest first.
    for version in LegacyVersion::ALL.into_iter().rev() {
        let offered = version_suites(version);
        let hello = client_hello(version, &offered, server_name, false);
        let answer = step(
            addr,
            &hello,
            timeout,
            format!("version {}", version.label()),
            &mut transcript,
        )
        .await?;
        if accepted_suite(&answer, version, &offered).is_some() {
            if secure_renegotiation.is_none()
                && let HelloAnswer::Accepted {
                    secure_renegotiation: reneg,
                    extended_master_secret: ems,
                    ..
                } = answer
            {
                secure_renegotiation = Some(reneg);
                extended_master_secret = Some(ems);
            }
            accepted_versions.push(version);
        }
    }
    accepted_versions.sort();

    // 1b. TLS 1.3, with a hello of its own.
    let hello = tls13_client_hello(server_name);
    let answer = step(addr, &hello, timeout, "version TLS 1.3".into(), &mut transcript).await?;
    // A HelloRetryRequest (the server wants another group than X25519) is
    // TLS 1.3 speaking too.
    let tls13_accepted = match &answer {
        HelloAnswer::Accepted {
            version: 0x0304,
            cipher_suite,
            ..
        } => TLS13_SUITES.contains(cipher_suite),
        HelloAnswer::Garbage { detail } => detail == HRR_DETAIL,
        _ => false,
    };

    // 2. Weak suite classes at the highest accepted version.
    let mut weak_suites = Vec::new();
    if let Some(&top) = accepted_versions.last() {
        for class in SuiteClass::ALL {
            let offered = class_suites(class, top);
            if offered.is_empty() {
                continue;
            }
            let hello = client_hello(top, &offered, server_name, false);
            let label = format!("class {} at {}", class_label(class), top.label());
            let answer = step(addr, &hello, timeout, label, &mut transcript).await?;
            if let Some(id) = accepted_suite(&answer, top, &offered) {
                weak_suites.push((class, id));
            }
        }
    }

    // 2b. Compression at the highest accepted version.
    let mut compression_accepted = None;
    if let Some(&top) = accepted_versions.last() {
        let offered = version_suites(top);
        let hello = compression_hello(top, &offered, server_name);
        let label = format!("compression at {}", top.label());
        let answer = step(addr, &hello, timeout, label, &mut transcript).await?;
        if let HelloAnswer::Accepted { compression, .. } = answer {
            compression_accepted = Some(compression != 0);
        }
    }

    // 3. TLS_FALLBACK_SCSV on the highest version below the highest accepted
    //    one (or on the only accepted one, which proves only a refusal).
    let fallback_version = match accepted_versions.as_slice() {
        [] => None,
        [only] => Some(*only),
        [.., below, _] => Some(*below),
    };
    let mut fallback_scsv = None;
    if let Some(version) = fallback_version {
        let offered = version_suites(version);
        let hello = client_hello(version, &offered, server_name, true);
        let label = format!("fallback-scsv at {}", version.label());
        let answer = step(addr, &hello, timeout, label, &mut transcript).await?;
        fallback_scsv = match answer {
            HelloAnswer::Alert {
                description: ALERT_INAPPROPRIATE_FALLBACK,
                ..
            } => Some(true),
            // Accepting the downgrade is a failure only when a higher
            // version is known to exist.
            _ if accepted_versions.len() < 2 => None,
            HelloAnswer::Accepted { .. } => Some(false),
            _ => None,
        };
    }

    let tls_spoken = tls13_accepted
        || transcript
            .iter()
            .any(|(_, a)| matches!(a, HelloAnswer::Accepted { .. } | HelloAnswer::Alert { .. }));
    Ok(LegacyScan {
        accepted_versions,
        weak_suites,
        fallback_scsv,
        secure_renegotiation,
        extended_master_secret,
        compression_accepted,
        tls13_accepted,
        tls_spoken,
        transcript,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // -- hand-made server answers -------------------------------------------

    fn record(ct: u8, version: u16, body: &[u8]) -> Vec<u8> {
        let mut out = vec![ct];
        put_u16(&mut out, version);
        put_len16(&mut out, body.len());
        out.extend_from_slice(body);
        out
    }

    fn handshake_msg(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![kind];
        put_len24(&mut out, body.len());
        out.extend_from_slice(body);
        out
    }

    /// A ServerHello body; `extensions` None means no extensions block.
    fn server_hello_body(version: u16, suite: u16, extensions: Option<&[(u16, &[u8])]>) -> Vec<u8> {
        let mut body = Vec::new();
        put_u16(&mut body, version);
        body.extend_from_slice(&[0x42; 32]);
        body.push(32);
        body.extend_from_slice(&[0x17; 32]);
        put_u16(&mut body, suite);
        body.push(0);
        if let Some(extensions) = extensions {
            let mut ext = Vec::new();
            for (kind, data) in extensions {
                put_extension(&mut ext, *kind, data);
            }
            put_len16(&mut body, ext.len());
            body.extend_from_slice(&ext);
        }
        body
    }

    #[test]
    fn compression_and_extended_master_secret_are_read_from_the_server_hello() {
        let mut body = server_hello_body(0x0303, 0xC02F, Some(&[(0x0017, &[])]));
        // The compression method byte follows the suite: make it DEFLATE.
        let at = 2 + 32 + 1 + 32 + 2;
        body[at] = 1;
        let answer = parse_server_answer(&record(22, 0x0303, &handshake_msg(2, &body)));
        assert!(
            matches!(
                answer,
                HelloAnswer::Accepted {
                    compression: 1,
                    extended_master_secret: true,
                    ..
                }
            ),
            "{answer:?}"
        );
        // An extended_master_secret extension with data is not the extension.
        let body = server_hello_body(0x0303, 0xC02F, Some(&[(0x0017, &[1])]));
        let answer = parse_server_answer(&record(22, 0x0303, &handshake_msg(2, &body)));
        assert!(
            matches!(
                answer,
                HelloAnswer::Accepted {
                    extended_master_secret: false,
                    ..
                }
            ),
            "{answer:?}"
        );
        // The compression hello offers DEFLATE first, then null.
        let hello = compression_hello(LegacyVersion::Tls1_2, &[0xC02F], None);
        let plain = client_hello(LegacyVersion::Tls1_2, &[0xC02F], None, false);
        assert_eq!(hello.len(), plain.len() + 1);
    }

    fn tls12_hello_with_reneg() -> Vec<u8> {
        let body = server_hello_body(0x0303, 0xC02F, Some(&[(0xFF01, &[0]), (0x000B, &[1, 0])]));
        record(CT_HANDSHAKE, 0x0303, &handshake_msg(2, &body))
    }

    fn accepted(version: u16, cipher_suite: u16, secure_renegotiation: bool) -> HelloAnswer {
        HelloAnswer::Accepted {
            version,
            cipher_suite,
            secure_renegotiation,
            extended_master_secret: false,
            compression: 0,
        }
    }

    fn is_garbage(answer: &HelloAnswer, needle: &str) -> bool {
        matches!(answer, HelloAnswer::Garbage { detail } if detail.contains(needle))
    }

    #[test]
    fn accepted_tls12_hello_with_renegotiation_info() {
        assert_eq!(
            parse_server_answer(&tls12_hello_with_reneg()),
            accepted(0x0303, 0xC02F, true)
        );
    }

    #[test]
    fn hello_without_extensions_or_with_bad_reneg_has_no_secure_renegotiation() {
        let plain = server_hello_body(0x0300, 0x002F, None);
        let plain = record(CT_HANDSHAKE, 0x0300, &handshake_msg(2, &plain));
        assert_eq!(parse_server_answer(&plain), accepted(0x0300, 0x002F, false));
        let bad = server_hello_body(0x0301, 0x002F, Some(&[(0xFF01, &[1, 9])]));
        let bad = record(CT_HANDSHAKE, 0x0301, &handshake_msg(2, &bad));
        assert_eq!(parse_server_answer(&bad), accepted(0x0301, 0x002F, false));
    }

    #[test]
    fn supported_versions_extension_overrides_the_legacy_version() {
        let body = server_hello_body(0x0303, 0x1301, Some(&[(0x002B, &[3, 4])]));
        let bytes = record(CT_HANDSHAKE, 0x0303, &handshake_msg(2, &body));
        assert_eq!(parse_server_answer(&bytes), accepted(0x0304, 0x1301, false));
    }

    #[test]
    fn server_hello_followed_by_more_messages_and_a_cut_certificate() {
        let body = server_hello_body(0x0303, 0x009C, Some(&[(0xFF01, &[0])]));
        let mut flight = handshake_msg(2, &body);
        flight.extend_from_slice(&handshake_msg(11, &[0; 3000]));
        let mut bytes = record(CT_HANDSHAKE, 0x0303, &flight);
        bytes.truncate(bytes.len() - 1000); // read limit hit inside the record
        assert_eq!(parse_server_answer(&bytes), accepted(0x0303, 0x009C, true));
    }

    #[test]
    fn server_hello_split_across_records() {
        let msg = handshake_msg(2, &server_hello_body(0x0302, 0x0035, Some(&[(0xFF01, &[0])])));
        let mut bytes = Vec::new();
        for piece in msg.chunks(7) {
            bytes.extend_from_slice(&record(CT_HANDSHAKE, 0x0302, piece));
        }
        assert_eq!(parse_server_answer(&bytes), accepted(0x0302, 0x0035, true));
        // Every proper prefix is incomplete, never a wrong answer.
        for cut in 1..bytes.len() {
            let answer = parse_server_answer(&bytes[..cut]);
            assert!(is_garbage(&answer, "truncated"), "cut {cut}: {answer:?}");
        }
    }

    #[test]
    fn hello_requests_and_warning_alerts_before_the_server_hello_are_skipped() {
        let mut flight = handshake_msg(0, &[]);
        flight.extend_from_slice(&handshake_msg(2, &server_hello_body(0x0303, 0xC030, None)));
        let mut bytes = record(CT_ALERT, 0x0303, &[1, 112]); // unrecognized_name warning
        bytes.extend_from_slice(&record(CT_HANDSHAKE, 0x0303, &flight));
        assert_eq!(parse_server_answer(&bytes), accepted(0x0303, 0xC030, false));
        // A warning alert with nothing after it is the answer.
        let warning = record(CT_ALERT, 0x0303, &[1, 0]);
        assert_eq!(
            parse_server_answer(&warning),
            HelloAnswer::Alert {
                level: 1,
                description: 0
            }
        );
    }

    #[test]
    fn alert_records() {
        let bytes = record(CT_ALERT, 0x0301, &[2, 40]);
        assert_eq!(
            parse_server_answer(&bytes),
            HelloAnswer::Alert {
                level: 2,
                description: 40
            }
        );
        let fallback = record(CT_ALERT, 0x0302, &[2, 86]);
        assert_eq!(
            parse_server_answer(&fallback),
            HelloAnswer::Alert {
                level: 2,
                description: 86
            }
        );
        assert!(is_garbage(
            &parse_server_answer(&record(CT_ALERT, 0x0301, &[7, 40])),
            "level"
        ));
        assert!(is_garbage(
            &parse_server_answer(&record(CT_ALERT, 0x0301, &[2])),
            "shorter"
        ));
        assert!(is_garbage(&parse_server_answer(&[21, 3, 1, 0, 2, 2]), "truncated"));
    }

    #[test]
    fn truncated_records() {
        let full = tls12_hello_with_reneg();
        for cut in 1..full.len() {
            let answer = parse_server_answer(&full[..cut]);
            assert!(is_garbage(&answer, "truncated"), "cut {cut}: {answer:?}");
        }
    }

    #[test]
    fn wrong_content_types_and_versions() {
        let ccs = record(CT_CHANGE_CIPHER_SPEC, 0x0303, &[1]);
        assert!(is_garbage(&parse_server_answer(&ccs), "ChangeCipherSpec"));
        let app = record(CT_APPLICATION_DATA, 0x0303, &[1, 2, 3]);
        assert!(is_garbage(&parse_server_answer(&app), "application-data"));
        let heartbeat = record(CT_HEARTBEAT, 0x0303, &[1, 2, 3]);
        assert!(is_garbage(&parse_server_answer(&heartbeat), "type 24"));
        let unknown = record(99, 0x0303, &[1, 2, 3]);
        assert!(is_garbage(&parse_server_answer(&unknown), "not TLS"));
        let version = record(CT_HANDSHAKE, 0x0203, &[1, 2, 3]);
        assert!(is_garbage(&parse_server_answer(&version), "not TLS"));
        let minor = record(CT_HANDSHAKE, 0x0309, &[1, 2, 3]);
        assert!(is_garbage(&parse_server_answer(&minor), "3.9"));
        let mut second_bad = record(CT_ALERT, 0x0303, &[1, 112]);
        second_bad.extend_from_slice(&record(77, 0x0303, &[0]));
        assert!(is_garbage(&parse_server_answer(&second_bad), "content type 77"));
        let certificate_first = record(CT_HANDSHAKE, 0x0303, &handshake_msg(11, &[0; 3]));
        assert!(is_garbage(&parse_server_answer(&certificate_first), "type 11"));
    }

    #[test]
    fn oversized_and_empty_lengths() {
        let mut huge = vec![CT_HANDSHAKE, 3, 3, 0x40, 0x01];
        huge.extend_from_slice(&[0; 64]);
        assert!(is_garbage(&parse_server_answer(&huge), "exceeds"));
        assert!(is_garbage(
            &parse_server_answer(&[CT_HANDSHAKE, 3, 3, 0, 0]),
            "empty record"
        ));
        // ServerHello claiming 16 MiB.
        let bytes = record(CT_HANDSHAKE, 0x0303, &[2, 0xFF, 0xFF, 0xFF, 3, 3]);
        assert!(is_garbage(&parse_server_answer(&bytes), "impossible"));
        // Extension block longer than the message.
        let mut body = server_hello_body(0x0303, 0x002F, None);
        body.extend_from_slice(&[0x01, 0x00, 0xFF, 0x01, 0x00, 0x01, 0x00]);
        let bytes = record(CT_HANDSHAKE, 0x0303, &handshake_msg(2, &body));
        assert!(is_garbage(&parse_server_answer(&bytes), "extensions length"));
        // Session id over 32 bytes.
        let mut body = server_hello_body(0x0303, 0x002F, None);
        body[34] = 33;
        let bytes = record(CT_HANDSHAKE, 0x0303, &handshake_msg(2, &body));
        assert!(is_garbage(&parse_server_answer(&bytes), "session id"));
        // Duplicate extension.
        let body = server_hello_body(0x0303, 0x002F, Some(&[(0xFF01, &[0]), (0xFF01, &[0])]));
        let bytes = record(CT_HANDSHAKE, 0x0303, &handshake_msg(2, &body));
        assert!(is_garbage(&parse_server_answer(&bytes), "duplicate"));
        // HelloRetryRequest.
        let mut body = server_hello_body(0x0303, 0x1301, None);
        body[2..34].copy_from_slice(&HELLO_RETRY_REQUEST_RANDOM);
        let bytes = record(CT_HANDSHAKE, 0x0303, &handshake_msg(2, &body));
        assert!(is_garbage(&parse_server_answer(&bytes), "HelloRetryRequest"));
    }

    #[test]
    fn empty_input_is_closed_and_non_tls_is_garbage() {
        assert_eq!(parse_server_answer(&[]), HelloAnswer::Closed);
        let http = b"HTTP/1.1 400 Bad Request\r\n\r\n";
        let answer = parse_server_answer(http);
        assert!(is_garbage(&answer, "plain text \"HTTP/1.1 400 Bad"), "{answer:?}");
        let sslv2 = [0x80, 0x2E, 0x04, 0x00, 0x01, 0x00, 0x02];
        assert!(is_garbage(&parse_server_answer(&sslv2), "SSL 2.0 SERVER-HELLO"));
        assert!(is_garbage(&parse_server_answer(&[0x80]), "truncated"));
        assert!(is_garbage(&parse_server_answer(&[0x00, 0xFF, 0x10]), "00 ff 10"));
    }

    use crate::testutil::Rng;

    fn seeds() -> Vec<Vec<u8>> {
        let mut split = Vec::new();
        let msg = handshake_msg(2, &server_hello_body(0x0301, 0x002F, Some(&[(0xFF01, &[0])])));
        for piece in msg.chunks(5) {
            split.extend_from_slice(&record(CT_HANDSHAKE, 0x0301, piece));
        }
        let mut with_cert = tls12_hello_with_reneg();
        with_cert.extend_from_slice(&record(CT_HANDSHAKE, 0x0303, &handshake_msg(11, &[0x30; 200])));
        let mut warned = record(CT_ALERT, 0x0303, &[1, 112]);
        warned.extend_from_slice(&tls12_hello_with_reneg());
        vec![
            tls12_hello_with_reneg(),
            split,
            with_cert,
            warned,
            record(CT_ALERT, 0x0303, &[2, 70]),
            vec![0x80, 0x2E, 0x04, 0x00, 0x01, 0x00, 0x02],
            b"HTTP/1.1 400 Bad Request\r\n".to_vec(),
        ]
    }

    #[test]
    fn fuzz_parse_server_answer_never_panics_and_streams_consistently() {
        let seeds = seeds();
        let mut rng = Rng(0x5EED_1E6A_C7A1_5CA1);
        for round in 0..5_000 {
            let mut input = if round % 10 == 0 {
                // Pure noise, often starting like a TLS record.
                let len = rng.below(300);
                let mut noise: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
                if let Some(first) = noise.first_mut()
                    && rng.below(2) == 0
                {
                    *first = CT_HANDSHAKE;
                }
                noise
            } else {
                seeds[rng.below(seeds.len())].clone()
            };
            for _ in 0..=rng.below(4) {
                let len = input.len();
                match rng.below(6) {
                    0 if len > 0 => {
                        let i = rng.below(len);
                        input[i] ^= 1 << rng.below(8);
                    }
                    1 if len > 0 => {
                        let i = rng.below(len);
                        input[i] = rng.byte();
                    }
                    2 => input.truncate(rng.below(len + 1)),
                    3 => {
                        let i = rng.below(len + 1);
                        input.insert(i, rng.byte());
                    }
                    4 if len > 1 => {
                        // Stretch a 16-bit length-like field.
                        let i = rng.below(len - 1);
                        input[i] = 0xFF;
                        input[i + 1] = rng.byte();
                    }
                    _ => {
                        let extra = input.get(..rng.below(len + 1)).unwrap_or_default().to_vec();
                        input.extend_from_slice(&extra);
                    }
                }
            }
            let answer = parse_server_answer(&input);
            assert_eq!(input.is_empty(), answer == HelloAnswer::Closed, "{input:02x?}");
            if let HelloAnswer::Garbage { detail } = &answer {
                assert!(detail.len() < 200, "{detail}");
            }
            // The streaming reader stops at the first prefix that is Done;
            // that must be the answer the whole input gives.
            let cut = rng.below(input.len() + 1);
            // (A non-TLS preview may show fewer bytes; the verdict is the same.)
            match parse_progress(&input[..cut]) {
                Progress::Done(HelloAnswer::Garbage { .. }) => {
                    assert!(is_garbage(&answer, ""), "prefix {cut} of {input:02x?}");
                }
                Progress::Done(early) => assert_eq!(early, answer, "prefix {cut} of {input:02x?}"),
                Progress::NeedMore { .. } => {}
            }
        }
    }

    // -- ClientHello -----------------------------------------------------------

    /// Parsed fields of one of our own hellos.
    #[derive(Debug)]
    struct Hello {
        record_version: u16,
        version: u16,
        suites: Vec<u16>,
        extensions: Vec<(u16, Vec<u8>)>,
        handshake_len: usize,
    }

    fn parse_hello(bytes: &[u8]) -> Hello {
        let mut r = Reader { data: bytes };
        assert_eq!(r.u8(), Some(CT_HANDSHAKE));
        let record_version = r.u16().expect("record version");
        let record_len = usize::from(r.u16().expect("record len"));
        assert_eq!(record_len, r.data.len());
        let handshake_len = r.data.len();
        assert_eq!(r.u8(), Some(1));
        let len = r.take(3).expect("len");
        assert_eq!(usize::from(len[1]) << 8 | usize::from(len[2]), r.data.len());
        let version = r.u16().expect("version");
        r.take(32).expect("random");
        assert_eq!(r.u8(), Some(0));
        let suite_len = usize::from(r.u16().expect("suites len"));
        let suites = r
            .take(suite_len)
            .expect("suites")
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(r.take(2), Some(&[1u8, 0][..]));
        let mut extensions = Vec::new();
        if !r.data.is_empty() {
            let ext_len = usize::from(r.u16().expect("ext len"));
            assert_eq!(ext_len, r.data.len());
            while !r.data.is_empty() {
                let kind = r.u16().expect("kind");
                let len = usize::from(r.u16().expect("len"));
                extensions.push((kind, r.take(len).expect("data").to_vec()));
            }
        }
        Hello {
            record_version,
            version,
            suites,
            extensions,
            handshake_len,
        }
    }

    fn has_ext(hello: &Hello, kind: u16) -> bool {
        hello.extensions.iter().any(|(k, _)| *k == kind)
    }

    #[test]
    fn tls12_hello_layout() {
        let suites = version_suites(LegacyVersion::Tls1_2);
        let hello = parse_hello(&client_hello(
            LegacyVersion::Tls1_2,
            &suites,
            Some("api.example.com."),
            false,
        ));
        assert_eq!((hello.record_version, hello.version), (0x0301, 0x0303));
        assert_eq!(hello.suites, suites);
        let sni = &hello.extensions.iter().find(|(k, _)| *k == 0).expect("sni").1;
        assert_eq!(&sni[5..], b"api.example.com");
        for kind in [0x000A, 0x000B, 0x000D, 0xFF01] {
            assert!(has_ext(&hello, kind), "extension {kind:#06x} missing");
        }
        assert!(!(256..512).contains(&hello.handshake_len), "{}", hello.handshake_len);
    }

    #[test]
    fn older_hellos_and_scsvs() {
        let tls10 = parse_hello(&client_hello(LegacyVersion::Tls1_0, &[0x002F], Some("10.0.0.1"), true));
        assert_eq!((tls10.record_version, tls10.version), (0x0301, 0x0301));
        assert_eq!(tls10.suites, vec![0x002F, SCSV_FALLBACK]);
        assert!(!has_ext(&tls10, 0x0000), "no SNI for an IP address");
        assert!(!has_ext(&tls10, 0x000D), "no signature_algorithms before TLS 1.2");
        assert!(has_ext(&tls10, 0xFF01));
        let ssl3 = parse_hello(&client_hello(LegacyVersion::Ssl3, &[0x000A], Some("a.test"), false));
        assert_eq!((ssl3.record_version, ssl3.version), (0x0300, 0x0300));
        assert_eq!(ssl3.suites, vec![0x000A, SCSV_RENEGOTIATION]);
        assert!(ssl3.extensions.is_empty());
        // Padding keeps every hello we send out of 256..512.
        for version in LegacyVersion::ALL {
            for class in SuiteClass::ALL {
                for fallback in [false, true] {
                    let bytes = client_hello(version, &class_suites(class, version), Some("a.test"), fallback);
                    let hello = parse_hello(&bytes);
                    if version != LegacyVersion::Ssl3 {
                        assert!(!(256..512).contains(&hello.handshake_len));
                    }
                }
            }
        }
        // Absurd inputs stay well-formed and bounded.
        let many = vec![0x002F; 100_000];
        let long_name = "a".repeat(300);
        let hello = parse_hello(&client_hello(LegacyVersion::Tls1_2, &many, Some(&long_name), true));
        assert!(hello.suites.len() <= MAX_HELLO_SUITES + 1);
        assert!(hello.handshake_len <= MAX_RECORD_LEN);
        assert!(!has_ext(&hello, 0x0000));
    }

    #[test]
    fn suite_table_is_consistent() {
        let mut ids = BTreeSet::new();
        assert_eq!(offered().count(), OFFERED.len(), "every offered id is in the registry");
        for s in offered() {
            assert!(ids.insert(s.id), "duplicate {:#06x}", s.id);
            assert!(s.name.starts_with("TLS_"), "{}", s.name);
            let tls12 = s.name.contains("GCM")
                || s.name.contains("CCM")
                || s.name.contains("CHACHA")
                || s.name.ends_with("SHA256")
                || s.name.ends_with("SHA384");
            assert_eq!(tls12, s.tls12_only, "{}", s.name);
            let nea = s.name.contains("NULL") || s.name.contains("EXPORT") || s.name.contains("anon");
            assert_eq!(nea, null_export_anon(s), "{}", s.name);
        }
        for class in SuiteClass::ALL {
            assert!(!class.suites().is_empty(), "{class:?}");
            assert!(!class_suites(class, LegacyVersion::Ssl3).is_empty(), "{class:?}");
        }
        assert_eq!(suite_name(0x002F), Some("TLS_RSA_WITH_AES_128_CBC_SHA"));
        assert!(
            SuiteClass::Rc4
                .suites()
                .iter()
                .all(|id| suite_name(*id).expect("named").contains("RC4"))
        );
        assert!(
            SuiteClass::NoForwardSecrecy
                .suites()
                .iter()
                .all(|id| !suite_name(*id).expect("named").contains("DHE"))
        );
        assert!(version_suites(LegacyVersion::Tls1_0).iter().all(|id| *id != 0xC02F));
    }

    #[test]
    fn serde_shapes() {
        let scan = LegacyScan {
            accepted_versions: vec![LegacyVersion::Tls1_0],
            weak_suites: vec![(SuiteClass::TripleDes, 0x000A)],
            fallback_scsv: Some(true),
            secure_renegotiation: None,
            extended_master_secret: None,
            compression_accepted: None,
            tls13_accepted: false,
            tls_spoken: true,
            transcript: vec![("x".into(), accepted(0x0301, 0x000A, true))],
        };
        let json = serde_json::to_value(&scan).expect("json");
        assert_eq!(json["accepted_versions"][0], "tls1-0");
        assert_eq!(json["weak_suites"][0][0], "triple-des");
        assert_eq!(json["transcript"][0][1]["answer"], "accepted");
        let back: LegacyScan = serde_json::from_value(json).expect("back");
        assert_eq!(back, scan);
    }

    // -- network, against in-process loopback servers ------------------------

    /// A loopback server that answers every connection with `reply`
    /// (`None`: holds the connection open without answering), for at most
    /// `connections` connections.
    async fn canned_server(reply: Option<Vec<u8>>, connections: usize) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            for _ in 0..connections {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let reply = reply.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    let _ = tokio::time::timeout(Duration::from_secs(2), socket.read(&mut buf)).await;
                    match reply {
                        Some(reply) => {
                            let _ = socket.write_all(&reply).await;
                        }
                        None => tokio::time::sleep(Duration::from_secs(3)).await,
                    }
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn probe_hello_against_canned_servers() {
        let hello = client_hello(LegacyVersion::Tls1_2, &[0xC02F], None, false);
        let t = Duration::from_secs(3);
        let http = canned_server(Some(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()), 1).await;
        let answer = probe_hello(http, &hello, t).await.expect("http");
        assert!(is_garbage(&answer, "plain text"), "{answer:?}");
        let closing = canned_server(Some(Vec::new()), 1).await;
        assert_eq!(probe_hello(closing, &hello, t).await, Ok(HelloAnswer::Closed));
        let tls = canned_server(Some(tls12_hello_with_reneg()), 1).await;
        assert_eq!(probe_hello(tls, &hello, t).await, Ok(accepted(0x0303, 0xC02F, true)));
        let silent = canned_server(None, 1).await;
        let started = std::time::Instant::now();
        let err = probe_hello(silent, &hello, Duration::from_millis(300))
            .await
            .expect_err("silent");
        assert!(err.contains("no answer"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn an_endless_first_flight_is_read_only_up_to_the_cap() {
        // 1 MiB of empty HelloRequests: valid records that never become a
        // ServerHello. The read stops at MAX_READ, long before the timeout.
        let endless = record(CT_HANDSHAKE, 0x0303, &[0, 0, 0, 0]).repeat((1 << 20) / 9);
        let server = canned_server(Some(endless), 1).await;
        let hello = client_hello(LegacyVersion::Tls1_2, &[0xC02F], None, false);
        let started = std::time::Instant::now();
        let answer = probe_hello(server, &hello, Duration::from_secs(20))
            .await
            .expect("answer");
        assert!(is_garbage(&answer, "truncated"), "{answer:?}");
        assert!(started.elapsed() < Duration::from_secs(10), "read until the timeout");
    }

    #[tokio::test]
    async fn scan_of_a_non_tls_server_and_of_a_closed_port() {
        let http = canned_server(Some(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()), 16).await;
        let scan = scan(http, Some("a.test"), Duration::from_secs(3)).await.expect("scan");
        assert!(scan.accepted_versions.is_empty());
        assert!(scan.weak_suites.is_empty());
        assert_eq!((scan.fallback_scsv, scan.secure_renegotiation), (None, None));
        assert_eq!(scan.transcript.len(), 5);
        assert!(!scan.tls_spoken && !scan.tls13_accepted, "{scan:#?}");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr");
        let err = super::scan(port, None, Duration::from_secs(2))
            .await
            .expect_err("closed port");
        assert!(err.contains("cannot connect"), "{err}");
    }

    // -- against a real legacy server: Debian's `openssl s_server` -----------

    mod openssl {
        use super::super::*;
        use std::path::{Path, PathBuf};
        use std::process::{Child, Command, Stdio};
        use std::sync::atomic::{AtomicUsize, Ordering};

        /// The openssl binary; these tests must not pass silently without it.
        fn openssl() -> PathBuf {
            let known = Path::new("/usr/bin/openssl");
            if known.is_file() {
                return known.to_path_buf();
            }
            std::env::var_os("PATH")
                .into_iter()
                .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
                .map(|dir| dir.join("openssl"))
                .find(|candidate| candidate.is_file())
                .unwrap_or_else(|| {
                    panic!(
                        "the `openssl` command is required for the legacy-TLS integration tests \
                         (Debian: apt-get install openssl); it was found neither at /usr/bin/openssl nor on PATH"
                    )
                })
        }

        /// Whether this openssl build still has any suite matching `spec`
        /// (Debian's OpenSSL 3 has dropped RC4 and 3DES, for example).
        fn has_ciphers(spec: &str) -> bool {
            Command::new(openssl())
                .args(["ciphers", &format!("{spec}:@SECLEVEL=0")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        }

        /// A running `openssl s_server`, killed (and its temp dir removed)
        /// on drop, whatever happens in the test.
        pub(super) struct Server {
            child: Option<Child>,
            dir: PathBuf,
            pub(super) addr: SocketAddr,
        }

        impl Drop for Server {
            fn drop(&mut self) {
                if let Some(child) = self.child.as_mut() {
                    let _ = child.kill();
                    let _ = child.wait();
                }
                let _ = std::fs::remove_dir_all(&self.dir);
            }
        }

        impl Server {
            /// Starts `openssl s_server -www` on a free loopback port with a
            /// fresh RSA-2048 certificate for `legacy.test` and `args`.
            pub(super) fn start(args: &[&str]) -> Server {
                static COUNTER: AtomicUsize = AtomicUsize::new(0);
                let dir = std::env::temp_dir().join(format!(
                    "strata-legacy-{}-{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed)
                ));
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).expect("temp dir");
                let mut server = Server {
                    child: None,
                    dir: dir.clone(),
                    addr: SocketAddr::from(([127, 0, 0, 1], 0)),
                };
                let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
                crate::lab::openssl::self_signed_rsa(&cert, &key, "legacy.test", 2).unwrap_or_else(|e| panic!("{e}"));
                let mut full: Vec<std::ffi::OsString> =
                    vec!["-www".into(), "-cert".into(), cert.into(), "-key".into(), key.into()];
                full.extend(args.iter().map(std::ffi::OsString::from));
                let log_path = dir.join("s_server.log");
                let started = crate::lab::openssl::start_s_server(&openssl(), &full, &mut || {
                    let log = std::fs::File::create(&log_path).expect("log");
                    (
                        Stdio::null(),
                        Stdio::from(log.try_clone().expect("log")),
                        Stdio::from(log),
                    )
                });
                match started {
                    Ok((child, addr)) => {
                        server.child = Some(child);
                        server.addr = addr;
                        server
                    }
                    Err(e) => {
                        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                        panic!("{e}; its output:\n{log}");
                    }
                }
            }
        }

        /// The legacy server of cases (a) and (c): OpenSSL's defaults (TLS
        /// 1.0–1.3) at security level 0, every suite the build has, NULL too.
        const LEGACY: &[&str] = &["-cipher", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"];

        const TIMEOUT: Duration = Duration::from_secs(5);

        fn alert(description: u8) -> HelloAnswer {
            HelloAnswer::Alert { level: 2, description }
        }

        #[tokio::test]
        async fn legacy_openssl_server_is_caught() {
            let server = Server::start(LEGACY);
            let scan = scan(server.addr, Some("legacy.test"), TIMEOUT).await.expect("scan");
            let report = format!("{scan:#?}");
            // Debian builds OpenSSL 3 without SSL 3.0 (s_server has no
            // -ssl3 switch), so the server cannot accept it.
            assert_eq!(
                scan.accepted_versions,
                vec![LegacyVersion::Tls1_0, LegacyVersion::Tls1_1, LegacyVersion::Tls1_2],
                "{report}"
            );
            let ssl3 = &scan
                .transcript
                .iter()
                .find(|(l, _)| l == "version SSL 3.0")
                .expect("ssl3")
                .1;
            assert!(!matches!(ssl3, HelloAnswer::Accepted { .. }), "{report}");
            assert_eq!(scan.secure_renegotiation, Some(true), "{report}");
            assert_eq!(scan.fallback_scsv, Some(true), "{report}");

            let classes: Vec<SuiteClass> = scan.weak_suites.iter().map(|(c, _)| *c).collect();
            for (class, id) in &scan.weak_suites {
                assert!(class.suites().contains(id), "{class:?} picked {id:#06x}: {report}");
            }
            // Present in every OpenSSL 3 build at security level 0:
            // AES128-SHA & co (static RSA), CBC suites, NULL-SHA / ADH.
            for class in [
                SuiteClass::NoForwardSecrecy,
                SuiteClass::Cbc,
                SuiteClass::NullOrExportOrAnon,
            ] {
                assert!(classes.contains(&class), "{class:?} not flagged: {report}");
            }
            // RC4 and 3DES: expected exactly when this openssl build has
            // them (Debian's OpenSSL 3.0 has neither; `openssl ciphers`
            // answers "no cipher match"), so the absence is checked too.
            assert_eq!(classes.contains(&SuiteClass::Rc4), has_ciphers("RC4"), "{report}");
            assert_eq!(
                classes.contains(&SuiteClass::TripleDes),
                has_ciphers("3DES"),
                "{report}"
            );
            assert!(scan.transcript.len() <= 16, "{report}");

            // The brief's example suite, directly: AES128-SHA (static RSA,
            // CBC) at TLS 1.0, and nothing else offered.
            let hello = client_hello(LegacyVersion::Tls1_0, &[0x002F], Some("legacy.test"), false);
            let answer = probe_hello(server.addr, &hello, TIMEOUT).await.expect("probe");
            assert!(
                matches!(
                    answer,
                    HelloAnswer::Accepted {
                        version: 0x0301,
                        cipher_suite: 0x002F,
                        secure_renegotiation: true,
                        compression: 0,
                        ..
                    }
                ),
                "{answer:?}"
            );
        }

        #[tokio::test]
        async fn a_tls10_only_openssl_server_has_no_modern_protocol() {
            // The case: a real s_server that speaks TLS 1.0 alone.
            let mut args = LEGACY.to_vec();
            args.extend(["-no_tls1_1", "-no_tls1_2", "-no_tls1_3"]);
            let server = Server::start(&args);
            let scan = scan(server.addr, Some("legacy.test"), TIMEOUT).await.expect("scan");
            let report = format!("{scan:#?}");
            assert_eq!(scan.accepted_versions, vec![LegacyVersion::Tls1_0], "{report}");
            assert!(!scan.tls13_accepted && scan.tls_spoken, "{report}");
            let answer = scan
                .transcript
                .iter()
                .find(|(l, _)| l == "version TLS 1.3")
                .map(|(_, a)| a);
            assert!(matches!(answer, Some(HelloAnswer::Alert { .. })), "{report}");
        }

        #[tokio::test]
        async fn modern_openssl_server_is_clean() {
            let ciphers = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305";
            let server = Server::start(&["-no_ssl3", "-no_tls1", "-no_tls1_1", "-cipher", ciphers]);
            let scan = scan(server.addr, Some("legacy.test"), TIMEOUT).await.expect("scan");
            let report = format!("{scan:#?}");
            assert_eq!(scan.accepted_versions, vec![LegacyVersion::Tls1_2], "{report}");
            // OpenSSL 3 has TLS 1.3 on by default: the 1.3 hello finds it.
            assert!(scan.tls13_accepted && scan.tls_spoken, "{report}");
            // It sends extended_master_secret, and never compresses (Debian
            // builds OpenSSL without zlib; compression is off by default).
            assert_eq!(scan.extended_master_secret, Some(true), "{report}");
            assert_eq!(scan.compression_accepted, Some(false), "{report}");
            assert!(scan.weak_suites.is_empty(), "{report}");
            assert_eq!(scan.secure_renegotiation, Some(true), "{report}");
            // Only TLS 1.2 is accepted among the probed versions, but the
            // server also has TLS 1.3, so a TLS 1.2 hello with the SCSV is
            // refused with inappropriate_fallback.
            assert_eq!(scan.fallback_scsv, Some(true), "{report}");
            let answer = |label: &str| scan.transcript.iter().find(|(l, _)| l == label).map(|(_, a)| a.clone());
            assert_eq!(answer("version TLS 1.1"), Some(alert(70)), "{report}");
            assert_eq!(answer("version TLS 1.0"), Some(alert(70)), "{report}");
            assert_eq!(answer("class cbc at TLS 1.2"), Some(alert(40)), "{report}");
        }

        #[tokio::test]
        async fn openssl_enforces_fallback_scsv_against_its_real_maximum() {
            // TLS 1.0–1.2 only: 1.2 is the maximum, so a 1.2 hello with the
            // SCSV is no downgrade, a 1.1 one is.
            let mut args = LEGACY.to_vec();
            args.push("-no_tls1_3");
            let server = Server::start(&args);
            let probe = |version: LegacyVersion, fallback: bool| {
                let hello = client_hello(version, &version_suites(version), Some("legacy.test"), fallback);
                async move { probe_hello(server.addr, &hello, TIMEOUT).await.expect("probe") }
            };
            assert!(matches!(
                probe(LegacyVersion::Tls1_1, false).await,
                HelloAnswer::Accepted {
                    version: 0x0302,
                    secure_renegotiation: true,
                    ..
                }
            ));
            assert_eq!(
                probe(LegacyVersion::Tls1_1, true).await,
                alert(ALERT_INAPPROPRIATE_FALLBACK)
            );
            assert_eq!(
                probe(LegacyVersion::Tls1_0, true).await,
                alert(ALERT_INAPPROPRIATE_FALLBACK)
            );
            assert!(matches!(
                probe(LegacyVersion::Tls1_2, true).await,
                HelloAnswer::Accepted { version: 0x0303, .. }
            ));
            let scan = scan(server.addr, None, TIMEOUT).await.expect("scan");
            assert_eq!(scan.fallback_scsv, Some(true), "{scan:#?}");
        }
    }
}

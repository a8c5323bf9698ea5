//! The cipher-suite registry: every SSL 3.0–TLS 1.2 suite that sslyze or
//! testssl.sh test for (352 of the IANA "TLS Cipher Suites" registry and the
//! few private ids testssl.sh still probes: GOST, FIPS, the pre-RFC
//! ChaCha20 drafts 0xCC13–0xCC15, CECPQ1), the five TLS 1.3 suites, the
//! named groups and signature schemes the enumeration offers, and the
//! well-known finite-field DH primes.
//!
//! Each suite carries its key exchange, authentication, bulk cipher (and
//! key bits), MAC, EXPORT grade and whether it exists only from TLS 1.2 on;
//! forward secrecy, CBC mode and 64-bit blocks are derived from those. The
//! legacy probe's weak-suite classes ([`super::legacy::SuiteClass`]) are
//! derived from these attributes too, so one table decides everywhere.
//!
//! Names are the IANA names (testssl.sh's and OpenSSL's names where the
//! IANA registry has none); [`Suite::openssl`] is OpenSSL's name, empty
//! when OpenSSL never had one.

use serde::Serialize;

/// Key exchange of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kx {
    /// RSA key transport (no forward secrecy).
    Rsa,
    /// RSA key transport with a 512/1024-bit EXPORT key (FREAK).
    RsaExport,
    /// Ephemeral finite-field Diffie-Hellman.
    Dhe,
    /// Ephemeral DH limited to 512/1024 bits (EXPORT, Logjam).
    DheExport,
    /// Ephemeral elliptic-curve Diffie-Hellman.
    Ecdhe,
    /// Static DH (the certificate holds the DH key).
    Dh,
    /// Static ECDH (the certificate holds the EC key).
    Ecdh,
    /// Pre-shared key only.
    Psk,
    /// PSK with ephemeral DH.
    DhePsk,
    /// PSK with RSA key transport.
    RsaPsk,
    /// PSK with ephemeral ECDH.
    EcdhePsk,
    /// Secure Remote Password.
    Srp,
    /// Kerberos 5.
    Krb5,
    /// GOST R 34.10 key transport.
    Gost,
    /// Google's experimental post-quantum CECPQ1 (ephemeral).
    Cecpq1,
    /// No key exchange (`TLS_NULL_WITH_NULL_NULL`).
    Null,
}

impl Kx {
    /// Whether the key exchange is ephemeral: a later theft of the server's
    /// long-term key does not decrypt recorded traffic.
    pub fn forward_secret(self) -> bool {
        matches!(
            self,
            Kx::Dhe | Kx::DheExport | Kx::Ecdhe | Kx::DhePsk | Kx::EcdhePsk | Kx::Cecpq1
        )
    }
}

/// How the server authenticates itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    /// RSA certificate.
    Rsa,
    /// DSA certificate.
    Dss,
    /// ECDSA certificate.
    Ecdsa,
    /// Static-DH certificate.
    Dh,
    /// Static-ECDH certificate.
    Ecdh,
    /// Pre-shared key.
    Psk,
    /// SRP verifier.
    Srp,
    /// Kerberos ticket.
    Krb5,
    /// GOST certificate.
    Gost,
    /// None at all (anonymous DH/ECDH, NULL): anyone in the middle can
    /// pose as the server.
    Anon,
}

/// Bulk cipher of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cipher {
    /// No encryption.
    Null,
    /// AES in CBC mode.
    Aes,
    /// AES-GCM.
    AesGcm,
    /// AES-CCM.
    AesCcm,
    /// AES-CCM with an 8-byte tag.
    AesCcm8,
    /// ARIA in CBC mode.
    Aria,
    /// ARIA-GCM.
    AriaGcm,
    /// Camellia in CBC mode.
    Camellia,
    /// Camellia-GCM.
    CamelliaGcm,
    /// ChaCha20-Poly1305.
    ChaCha20,
    /// Single DES (56 bits, or 40 in EXPORT suites), CBC.
    Des,
    /// Triple DES (EDE), CBC.
    TripleDes,
    /// The RC4 stream cipher.
    Rc4,
    /// RC2 in CBC mode.
    Rc2,
    /// IDEA in CBC mode.
    Idea,
    /// SEED in CBC mode.
    Seed,
    /// GOST 28147-89.
    Gost,
    /// SM4-GCM.
    Sm4Gcm,
    /// SM4-CCM.
    Sm4Ccm,
}

impl Cipher {
    /// A block cipher in CBC mode (MAC-then-encrypt: padding oracles,
    /// BEAST at TLS 1.0, POODLE at SSL 3.0).
    pub fn cbc(self) -> bool {
        matches!(
            self,
            Cipher::Aes
                | Cipher::Aria
                | Cipher::Camellia
                | Cipher::Des
                | Cipher::TripleDes
                | Cipher::Rc2
                | Cipher::Idea
                | Cipher::Seed
        )
    }

    /// A 64-bit block cipher (SWEET32 birthday attacks): DES, 3DES, RC2,
    /// IDEA. (GOST 28147-89 has 64-bit blocks too, but runs in counter
    /// mode with key meshing.)
    pub fn block64(self) -> bool {
        matches!(self, Cipher::Des | Cipher::TripleDes | Cipher::Rc2 | Cipher::Idea)
    }

    /// An AEAD mode (GCM, CCM, ChaCha20-Poly1305).
    pub fn aead(self) -> bool {
        matches!(
            self,
            Cipher::AesGcm
                | Cipher::AesCcm
                | Cipher::AesCcm8
                | Cipher::AriaGcm
                | Cipher::CamelliaGcm
                | Cipher::ChaCha20
                | Cipher::Sm4Gcm
                | Cipher::Sm4Ccm
        )
    }
}

/// Record MAC (or AEAD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mac {
    /// No MAC.
    Null,
    /// HMAC-MD5.
    Md5,
    /// HMAC-SHA1.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA384.
    Sha384,
    /// The cipher is an AEAD.
    Aead,
    /// GOST MACs (IMIT, R 34.11, Streebog).
    Gost,
}

/// One TLS ≤ 1.2 cipher suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    /// Its id on the wire.
    pub id: u16,
    /// IANA name (`TLS_RSA_WITH_AES_128_CBC_SHA`).
    pub name: &'static str,
    /// OpenSSL's name (`AES128-SHA`); empty when it has none.
    pub openssl: &'static str,
    /// Key exchange.
    pub kx: Kx,
    /// Server authentication.
    pub auth: Auth,
    /// Bulk cipher.
    pub cipher: Cipher,
    /// Effective key bits of the cipher (40 for EXPORT RC4, 168 for 3DES).
    pub bits: u16,
    /// MAC.
    pub mac: Mac,
    /// An EXPORT-grade suite (40/56-bit cipher or 512/1024-bit key exchange).
    pub export: bool,
    /// Defined only from TLS 1.2 on (AEAD, SHA-256/384 MACs).
    pub tls12_only: bool,
}

impl Suite {
    /// Forward secret (ephemeral key exchange).
    pub fn forward_secret(&self) -> bool {
        self.kx.forward_secret()
    }

    /// No server authentication.
    pub fn anonymous(&self) -> bool {
        self.auth == Auth::Anon
    }

    /// Valid in a hello of `version` (wire value, 0x0300..=0x0303).
    pub fn valid_at(&self, version: u16) -> bool {
        !self.tls12_only || version >= 0x0303
    }

    /// Uses the server's EC (ECDHE or ECDHE-PSK) key exchange, so the
    /// `supported_groups` extension decides its curve.
    pub fn ecdhe(&self) -> bool {
        matches!(self.kx, Kx::Ecdhe | Kx::EcdhePsk)
    }

    /// Ephemeral finite-field DH with server authentication by certificate
    /// (the ServerKeyExchange carries p, g, Ys and a signature).
    pub fn dhe(&self) -> bool {
        matches!(self.kx, Kx::Dhe | Kx::DheExport)
    }
}

/// The suite with id `id`.
pub fn suite(id: u16) -> Option<&'static Suite> {
    SUITES.iter().find(|s| s.id == id)
}

/// The name of a TLS ≤ 1.2 or TLS 1.3 suite id (IANA), if known.
pub fn name(id: u16) -> Option<&'static str> {
    suite(id)
        .map(|s| s.name)
        .or_else(|| TLS13_SUITES.iter().find(|(i, _)| *i == id).map(|(_, n)| *n))
}

/// The TLS 1.3 suites (RFC 8446 §B.4), in offering order.
pub const TLS13_SUITES: [(u16, &str); 5] = [
    (0x1301, "TLS_AES_128_GCM_SHA256"),
    (0x1302, "TLS_AES_256_GCM_SHA384"),
    (0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
    (0x1304, "TLS_AES_128_CCM_SHA256"),
    (0x1305, "TLS_AES_128_CCM_8_SHA256"),
];

/// A named group (supported_groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    /// Its id on the wire.
    pub id: u16,
    /// IANA name (`x25519`, `secp256r1`, `ffdhe2048`).
    pub name: &'static str,
    /// Security in bits of a generic attack (curve order / 2, or the DH
    /// group's strength per NIST SP 800-57).
    pub strength: u16,
    /// A finite-field (RFC 7919) group rather than an elliptic curve.
    pub ffdhe: bool,
}

const fn group(id: u16, name: &'static str, strength: u16, ffdhe: bool) -> Group {
    Group {
        id,
        name,
        strength,
        ffdhe,
    }
}

/// The groups the enumeration tests one at a time: the modern curves, the
/// RFC 7919 groups, and the weak or obsolete curves still found on servers
/// (secp160/192/224 and brainpool).
pub const GROUPS: &[Group] = &[
    group(0x001D, "x25519", 128, false),
    group(0x001E, "x448", 224, false),
    group(0x0017, "secp256r1", 128, false),
    group(0x0018, "secp384r1", 192, false),
    group(0x0019, "secp521r1", 256, false),
    group(0x0100, "ffdhe2048", 112, true),
    group(0x0101, "ffdhe3072", 128, true),
    group(0x0102, "ffdhe4096", 150, true),
    group(0x0103, "ffdhe6144", 175, true),
    group(0x0104, "ffdhe8192", 192, true),
    group(0x001A, "brainpoolP256r1", 128, false),
    group(0x001B, "brainpoolP384r1", 192, false),
    group(0x001C, "brainpoolP512r1", 256, false),
    group(0x0015, "secp224r1", 112, false),
    group(0x0016, "secp256k1", 128, false),
    group(0x0013, "secp192r1", 96, false),
    group(0x0012, "secp192k1", 96, false),
    group(0x0010, "secp160r1", 80, false),
    group(0x0011, "secp160r2", 80, false),
    group(0x000F, "secp160k1", 80, false),
];

/// The group with id `id`.
pub fn group_by_id(id: u16) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.id == id)
}

/// Whether a group is weak: under 128-bit strength (NIST SP 800-57 and the
/// Mozilla profiles accept none of them); ffdhe2048 (112) is the exception
/// RFC 7919 and NIST SP 800-52r2 still allow.
pub fn weak_group(id: u16) -> bool {
    group_by_id(id).is_some_and(|g| g.strength < 112 || (!g.ffdhe && g.strength < 128))
}

/// A TLS 1.2 signature scheme offered one at a time.
pub const SIGNATURE_SCHEMES: &[(u16, &str)] = &[
    (0x0401, "rsa_pkcs1_sha256"),
    (0x0501, "rsa_pkcs1_sha384"),
    (0x0601, "rsa_pkcs1_sha512"),
    (0x0804, "rsa_pss_rsae_sha256"),
    (0x0805, "rsa_pss_rsae_sha384"),
    (0x0806, "rsa_pss_rsae_sha512"),
    (0x0403, "ecdsa_secp256r1_sha256"),
    (0x0503, "ecdsa_secp384r1_sha384"),
    (0x0603, "ecdsa_secp521r1_sha512"),
    (0x0807, "ed25519"),
    (0x0201, "rsa_pkcs1_sha1"),
    (0x0203, "ecdsa_sha1"),
];

/// The name of a signature scheme.
pub fn signature_scheme_name(id: u16) -> Option<&'static str> {
    SIGNATURE_SCHEMES.iter().find(|(i, _)| *i == id).map(|(_, n)| *n)
}

/// Well-known finite-field DH primes, by the SHA-256 of the prime's
/// big-endian bytes (leading zeros stripped): name, bits.
pub const KNOWN_PRIMES: &[(&str, &str, u16)] = &[
    (
        "3f35a3f5f6c4376a744acad409bb22f8d897f949d2311d885adaa890981b67a0",
        "RFC 2409 Oakley group 2 (the 1024-bit prime most Logjam-vulnerable servers share)",
        1024,
    ),
    (
        "64fcc83ec403930bf18393dbc883ccaa1fbb08ac876f77f7aa99748ca945019b",
        "RFC 3526 group 5 (1536-bit MODP)",
        1536,
    ),
    (
        "d66436f79bbd6b2e38c0ffbd079be904d2641415e2e67140e09448be9a60890e",
        "RFC 3526 group 14 (2048-bit MODP)",
        2048,
    ),
    (
        "48cf8b092fbce4359d9871abf74f98e25b6163379eaa15cd9087e800c6d1c55c",
        "RFC 3526 group 15 (3072-bit MODP)",
        3072,
    ),
    (
        "4ee95187682bcb230ad26a95205f6920e84708f6251b3894329b09ec23919e33",
        "RFC 3526 group 16 (4096-bit MODP)",
        4096,
    ),
    (
        "d1bfe6d0925ce7e4da262b62861514a7755e35831e429f343e7b864848657efd",
        "RFC 3526 group 17 (6144-bit MODP)",
        6144,
    ),
    (
        "39ab4feab950a3128fb71accb9fc3965d857012e081998a85996e3ea8b3c3bcf",
        "RFC 3526 group 18 (8192-bit MODP)",
        8192,
    ),
    (
        "9cd3b7f336872f46c09428d1bbc19877a4d440512cda8d1c1cf0cd6e33698966",
        "ffdhe2048 (RFC 7919)",
        2048,
    ),
    (
        "0eaf67db3a839156d5013494a5318a772b5697d270d721f37f092efc69ea5a17",
        "ffdhe3072 (RFC 7919)",
        3072,
    ),
    (
        "4648414224ac881b3d0dc59b466f96d06a558278776807797ecf1f66ff397b3e",
        "ffdhe4096 (RFC 7919)",
        4096,
    ),
    (
        "227ac9066b3ddd9e193670cda2388fa884f65ba0cf98b742d1fe77a6687c79c7",
        "ffdhe6144 (RFC 7919)",
        6144,
    ),
    (
        "770b14efaf6f049929c523113b3fa99a8d11dab1b18af3609590122075d19833",
        "ffdhe8192 (RFC 7919)",
        8192,
    ),
];

/// The name of a well-known DH prime (`p`, big-endian, leading zeros
/// allowed).
pub fn known_prime(p: &[u8]) -> Option<&'static str> {
    let start = p.iter().position(|b| *b != 0).unwrap_or(p.len());
    let digest = ring::digest::digest(&ring::digest::SHA256, p.get(start..).unwrap_or_default());
    let hex = super::signing::hex(digest.as_ref());
    KNOWN_PRIMES.iter().find(|(h, _, _)| *h == hex).map(|(_, n, _)| *n)
}

/// The bits of a big-endian unsigned integer.
pub fn bit_length(n: &[u8]) -> u32 {
    let Some(start) = n.iter().position(|b| *b != 0) else {
        return 0;
    };
    let rest = u32::try_from(n.len() - start - 1).unwrap_or(u32::MAX / 16);
    let top = n.get(start).copied().unwrap_or(0);
    rest.saturating_mul(8).saturating_add(8 - top.leading_zeros())
}

use Auth as A;
use Cipher as C;
use Kx as K;
use Mac as M;

#[allow(clippy::too_many_arguments)]
const fn s(
    id: u16,
    name: &'static str,
    openssl: &'static str,
    kx: Kx,
    auth: Auth,
    cipher: Cipher,
    bits: u16,
    mac: Mac,
    export: bool,
    tls12_only: bool,
) -> Suite {
    Suite {
        id,
        name,
        openssl,
        kx,
        auth,
        cipher,
        bits,
        mac,
        export,
        tls12_only,
    }
}

/// Every SSL 3.0–TLS 1.2 suite tested, in offering order (testssl.sh's
/// order: strongest first). Generated once from the registry; attributes
/// from OpenSSL's and testssl.sh's descriptions.
#[rustfmt::skip]
pub const SUITES: &[Suite] = &[
    s(0xCC14, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_OLD", "ECDHE-ECDSA-CHACHA20-POLY1305-OLD", K::Ecdhe, A::Ecdsa, C::ChaCha20, 256, M::Aead, false, true),
    s(0xCC13, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD", "ECDHE-RSA-CHACHA20-POLY1305-OLD", K::Ecdhe, A::Rsa, C::ChaCha20, 256, M::Aead, false, true),
    s(0xCC15, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD", "DHE-RSA-CHACHA20-POLY1305-OLD", K::Dhe, A::Rsa, C::ChaCha20, 256, M::Aead, false, true),
    s(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", K::Ecdhe, A::Rsa, C::AesGcm, 256, M::Aead, false, true),
    s(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", K::Ecdhe, A::Ecdsa, C::AesGcm, 256, M::Aead, false, true),
    s(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", K::Ecdhe, A::Rsa, C::Aes, 256, M::Sha384, false, true),
    s(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", K::Ecdhe, A::Ecdsa, C::Aes, 256, M::Sha384, false, true),
    s(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", K::Ecdhe, A::Rsa, C::Aes, 256, M::Sha1, false, false),
    s(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", K::Ecdhe, A::Ecdsa, C::Aes, 256, M::Sha1, false, false),
    s(0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA", "SRP-DSS-AES-256-CBC-SHA", K::Srp, A::Dss, C::Aes, 256, M::Sha1, false, false),
    s(0xC021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA", "SRP-RSA-AES-256-CBC-SHA", K::Srp, A::Rsa, C::Aes, 256, M::Sha1, false, false),
    s(0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA", "SRP-AES-256-CBC-SHA", K::Srp, A::Srp, C::Aes, 256, M::Sha1, false, false),
    s(0x00B7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384", "RSA-PSK-AES256-CBC-SHA384", K::RsaPsk, A::Rsa, C::Aes, 256, M::Sha384, false, false),
    s(0x00B3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384", "DHE-PSK-AES256-CBC-SHA384", K::DhePsk, A::Psk, C::Aes, 256, M::Sha384, false, false),
    s(0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA", "DHE-PSK-AES256-CBC-SHA", K::DhePsk, A::Psk, C::Aes, 256, M::Sha1, false, false),
    s(0xC09B, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-PSK-CAMELLIA256-SHA384", K::EcdhePsk, A::Psk, C::Camellia, 256, M::Sha384, false, false),
    s(0xC099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384", "RSA-PSK-CAMELLIA256-SHA384", K::RsaPsk, A::Rsa, C::Camellia, 256, M::Sha384, false, false),
    s(0xC097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "DHE-PSK-CAMELLIA256-SHA384", K::DhePsk, A::Psk, C::Camellia, 256, M::Sha384, false, false),
    s(0x00AF, "TLS_PSK_WITH_AES_256_CBC_SHA384", "PSK-AES256-CBC-SHA384", K::Psk, A::Psk, C::Aes, 256, M::Sha384, false, false),
    s(0xC095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384", "PSK-CAMELLIA256-SHA384", K::Psk, A::Psk, C::Camellia, 256, M::Sha384, false, false),
    s(0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384", "DH-DSS-AES256-GCM-SHA384", K::Dh, A::Dh, C::AesGcm, 256, M::Aead, false, true),
    s(0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", "DHE-DSS-AES256-GCM-SHA384", K::Dhe, A::Dss, C::AesGcm, 256, M::Aead, false, true),
    s(0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384", "DH-RSA-AES256-GCM-SHA384", K::Dh, A::Dh, C::AesGcm, 256, M::Aead, false, true),
    s(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384", K::Dhe, A::Rsa, C::AesGcm, 256, M::Aead, false, true),
    s(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", K::Ecdhe, A::Ecdsa, C::ChaCha20, 256, M::Aead, false, true),
    s(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", K::Ecdhe, A::Rsa, C::ChaCha20, 256, M::Aead, false, true),
    s(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305", K::Dhe, A::Rsa, C::ChaCha20, 256, M::Aead, false, true),
    s(0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", "ECDHE-ECDSA-AES256-CCM8", K::Ecdhe, A::Ecdsa, C::AesCcm8, 256, M::Aead, false, true),
    s(0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "ECDHE-ECDSA-AES256-CCM", K::Ecdhe, A::Ecdsa, C::AesCcm, 256, M::Aead, false, true),
    s(0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", "DHE-RSA-AES256-CCM8", K::Dhe, A::Rsa, C::AesCcm8, 256, M::Aead, false, true),
    s(0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", "DHE-RSA-AES256-CCM", K::Dhe, A::Rsa, C::AesCcm, 256, M::Aead, false, true),
    s(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE-RSA-AES256-SHA256", K::Dhe, A::Rsa, C::Aes, 256, M::Sha256, false, true),
    s(0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "DHE-DSS-AES256-SHA256", K::Dhe, A::Dss, C::Aes, 256, M::Sha256, false, true),
    s(0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256", "DH-RSA-AES256-SHA256", K::Dh, A::Dh, C::Aes, 256, M::Sha256, false, true),
    s(0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256", "DH-DSS-AES256-SHA256", K::Dh, A::Dh, C::Aes, 256, M::Sha256, false, true),
    s(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", K::Dhe, A::Rsa, C::Aes, 256, M::Sha1, false, false),
    s(0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "DHE-DSS-AES256-SHA", K::Dhe, A::Dss, C::Aes, 256, M::Sha1, false, false),
    s(0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA", "DH-RSA-AES256-SHA", K::Dh, A::Dh, C::Aes, 256, M::Sha1, false, false),
    s(0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA", "DH-DSS-AES256-SHA", K::Dh, A::Dh, C::Aes, 256, M::Sha1, false, false),
    s(0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-RSA-CAMELLIA256-SHA384", K::Ecdhe, A::Rsa, C::Camellia, 256, M::Sha384, false, true),
    s(0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-ECDSA-CAMELLIA256-SHA384", K::Ecdhe, A::Ecdsa, C::Camellia, 256, M::Sha384, false, true),
    s(0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", "DHE-RSA-CAMELLIA256-SHA256", K::Dhe, A::Rsa, C::Camellia, 256, M::Sha256, false, true),
    s(0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", "DHE-DSS-CAMELLIA256-SHA256", K::Dhe, A::Dss, C::Camellia, 256, M::Sha256, false, true),
    s(0x00C2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256", "DH-RSA-CAMELLIA256-SHA256", K::Dh, A::Dh, C::Camellia, 256, M::Sha256, false, true),
    s(0x00C1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256", "DH-DSS-CAMELLIA256-SHA256", K::Dh, A::Dh, C::Camellia, 256, M::Sha256, false, true),
    s(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", "DHE-RSA-CAMELLIA256-SHA", K::Dhe, A::Rsa, C::Camellia, 256, M::Sha1, false, false),
    s(0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", "DHE-DSS-CAMELLIA256-SHA", K::Dhe, A::Dss, C::Camellia, 256, M::Sha1, false, false),
    s(0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA", "DH-RSA-CAMELLIA256-SHA", K::Dh, A::Dh, C::Camellia, 256, M::Sha1, false, false),
    s(0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA", "DH-DSS-CAMELLIA256-SHA", K::Dh, A::Dh, C::Camellia, 256, M::Sha1, false, false),
    s(0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", "AECDH-AES256-SHA", K::Ecdhe, A::Anon, C::Aes, 256, M::Sha1, false, false),
    s(0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", "ADH-AES256-GCM-SHA384", K::Dhe, A::Anon, C::AesGcm, 256, M::Aead, false, true),
    s(0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", "ADH-AES256-SHA256", K::Dhe, A::Anon, C::Aes, 256, M::Sha256, false, true),
    s(0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA", "ADH-AES256-SHA", K::Dhe, A::Anon, C::Aes, 256, M::Sha1, false, false),
    s(0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", "ADH-CAMELLIA256-SHA256", K::Dhe, A::Anon, C::Camellia, 256, M::Sha256, false, true),
    s(0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", "ADH-CAMELLIA256-SHA", K::Dhe, A::Anon, C::Camellia, 256, M::Sha1, false, false),
    s(0x00AD, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384", "RSA-PSK-AES256-GCM-SHA384", K::RsaPsk, A::Rsa, C::AesGcm, 256, M::Aead, false, true),
    s(0x00AB, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384", "DHE-PSK-AES256-GCM-SHA384", K::DhePsk, A::Psk, C::AesGcm, 256, M::Aead, false, true),
    s(0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256", "RSA-PSK-CHACHA20-POLY1305", K::RsaPsk, A::Rsa, C::ChaCha20, 256, M::Aead, false, true),
    s(0xCCAD, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "DHE-PSK-CHACHA20-POLY1305", K::DhePsk, A::Psk, C::ChaCha20, 256, M::Aead, false, true),
    s(0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-PSK-CHACHA20-POLY1305", K::EcdhePsk, A::Psk, C::ChaCha20, 256, M::Aead, false, true),
    s(0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8", "DHE-PSK-AES256-CCM8", K::DhePsk, A::Psk, C::AesCcm8, 256, M::Aead, false, true),
    s(0xC0A7, "TLS_DHE_PSK_WITH_AES_256_CCM", "DHE-PSK-AES256-CCM", K::DhePsk, A::Psk, C::AesCcm, 256, M::Aead, false, true),
    s(0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", "ECDH-RSA-AES256-GCM-SHA384", K::Ecdh, A::Ecdh, C::AesGcm, 256, M::Aead, false, true),
    s(0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", "ECDH-ECDSA-AES256-GCM-SHA384", K::Ecdh, A::Ecdh, C::AesGcm, 256, M::Aead, false, true),
    s(0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", "ECDH-RSA-AES256-SHA384", K::Ecdh, A::Ecdh, C::Aes, 256, M::Sha384, false, true),
    s(0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", "ECDH-ECDSA-AES256-SHA384", K::Ecdh, A::Ecdh, C::Aes, 256, M::Sha384, false, true),
    s(0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", "ECDH-RSA-AES256-SHA", K::Ecdh, A::Ecdh, C::Aes, 256, M::Sha1, false, false),
    s(0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", "ECDH-ECDSA-AES256-SHA", K::Ecdh, A::Ecdh, C::Aes, 256, M::Sha1, false, false),
    s(0xC079, "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDH-RSA-CAMELLIA256-SHA384", K::Ecdh, A::Ecdh, C::Camellia, 256, M::Sha384, false, true),
    s(0xC075, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDH-ECDSA-CAMELLIA256-SHA384", K::Ecdh, A::Ecdh, C::Camellia, 256, M::Sha384, false, true),
    s(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", K::Rsa, A::Rsa, C::AesGcm, 256, M::Aead, false, true),
    s(0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", "AES256-CCM8", K::Rsa, A::Rsa, C::AesCcm8, 256, M::Aead, false, true),
    s(0xC09D, "TLS_RSA_WITH_AES_256_CCM", "AES256-CCM", K::Rsa, A::Rsa, C::AesCcm, 256, M::Aead, false, true),
    s(0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384", "PSK-AES256-GCM-SHA384", K::Psk, A::Psk, C::AesGcm, 256, M::Aead, false, true),
    s(0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", "PSK-CHACHA20-POLY1305", K::Psk, A::Psk, C::ChaCha20, 256, M::Aead, false, true),
    s(0xC0A9, "TLS_PSK_WITH_AES_256_CCM_8", "PSK-AES256-CCM8", K::Psk, A::Psk, C::AesCcm8, 256, M::Aead, false, true),
    s(0xC0A5, "TLS_PSK_WITH_AES_256_CCM", "PSK-AES256-CCM", K::Psk, A::Psk, C::AesCcm, 256, M::Aead, false, true),
    s(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256", K::Rsa, A::Rsa, C::Aes, 256, M::Sha256, false, true),
    s(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", K::Rsa, A::Rsa, C::Aes, 256, M::Sha1, false, false),
    s(0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", "CAMELLIA256-SHA256", K::Rsa, A::Rsa, C::Camellia, 256, M::Sha256, false, true),
    s(0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384", "ECDHE-PSK-AES256-CBC-SHA384", K::EcdhePsk, A::Psk, C::Aes, 256, M::Sha384, false, false),
    s(0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", "ECDHE-PSK-AES256-CBC-SHA", K::EcdhePsk, A::Psk, C::Aes, 256, M::Sha1, false, false),
    s(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", "CAMELLIA256-SHA", K::Rsa, A::Rsa, C::Camellia, 256, M::Sha1, false, false),
    s(0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA", "RSA-PSK-AES256-CBC-SHA", K::RsaPsk, A::Rsa, C::Aes, 256, M::Sha1, false, false),
    s(0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA", "PSK-AES256-CBC-SHA", K::Psk, A::Psk, C::Aes, 256, M::Sha1, false, false),
    s(0xC03D, "TLS_RSA_WITH_ARIA_256_CBC_SHA384", "ARIA256-CBC-SHA384", K::Rsa, A::Rsa, C::Aria, 256, M::Sha384, false, true),
    s(0xC03F, "TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384", "", K::Dh, A::Dh, C::Aria, 256, M::Sha384, false, true),
    s(0xC041, "TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384", "", K::Dh, A::Dh, C::Aria, 256, M::Sha384, false, true),
    s(0xC043, "TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384", "DHE-DSS-ARIA256-CBC-SHA384", K::Dhe, A::Dss, C::Aria, 256, M::Sha384, false, true),
    s(0xC045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384", "DHE-RSA-ARIA256-CBC-SHA384", K::Dhe, A::Rsa, C::Aria, 256, M::Sha384, false, true),
    s(0xC047, "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384", "DH-anon-ARIA256-CBC-SHA384", K::Dhe, A::Anon, C::Aria, 256, M::Sha384, false, true),
    s(0xC049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384", "ECDHE-ECDSA-ARIA256-CBC-SHA384", K::Ecdhe, A::Ecdsa, C::Aria, 256, M::Sha384, false, true),
    s(0xC04B, "TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384", "", K::Ecdh, A::Ecdh, C::Aria, 256, M::Sha384, false, true),
    s(0xC04D, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384", "ECDHE-RSA-ARIA256-CBC-SHA384", K::Ecdhe, A::Rsa, C::Aria, 256, M::Sha384, false, true),
    s(0xC04F, "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384", "", K::Ecdh, A::Ecdh, C::Aria, 256, M::Sha384, false, true),
    s(0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", "ARIA256-GCM-SHA384", K::Rsa, A::Rsa, C::AriaGcm, 256, M::Aead, false, true),
    s(0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", "DHE-RSA-ARIA256-GCM-SHA384", K::Dhe, A::Rsa, C::AriaGcm, 256, M::Aead, false, true),
    s(0xC055, "TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384", "DH-RSA-ARIA256-GCM-SHA384", K::Dh, A::Dh, C::AriaGcm, 256, M::Aead, false, true),
    s(0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", "DHE-DSS-ARIA256-GCM-SHA384", K::Dhe, A::Dss, C::AriaGcm, 256, M::Aead, false, true),
    s(0xC059, "TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384", "DH-DSS-ARIA256-GCM-SHA384", K::Dh, A::Dh, C::AriaGcm, 256, M::Aead, false, true),
    s(0xC05B, "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384", "ADH-ARIA256-GCM-SHA384", K::Dhe, A::Anon, C::AriaGcm, 256, M::Aead, false, true),
    s(0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ECDSA-ARIA256-GCM-SHA384", K::Ecdhe, A::Ecdsa, C::AriaGcm, 256, M::Aead, false, true),
    s(0xC05F, "TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384", "ECDH-ECDSA-ARIA256-GCM-SHA384", K::Ecdh, A::Ecdh, C::AriaGcm, 256, M::Aead, false, true),
    s(0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ARIA256-GCM-SHA384", K::Ecdhe, A::Rsa, C::AriaGcm, 256, M::Aead, false, true),
    s(0xC063, "TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384", "ECDH-ARIA256-GCM-SHA384", K::Ecdh, A::Ecdh, C::AriaGcm, 256, M::Aead, false, true),
    s(0xC065, "TLS_PSK_WITH_ARIA_256_CBC_SHA384", "", K::Psk, A::Psk, C::Aria, 256, M::Sha384, false, false),
    s(0xC067, "TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384", "", K::DhePsk, A::Psk, C::Aria, 256, M::Sha384, false, false),
    s(0xC069, "TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384", "", K::RsaPsk, A::Rsa, C::Aria, 256, M::Sha384, false, false),
    s(0xC06B, "TLS_PSK_WITH_ARIA_256_GCM_SHA384", "PSK-ARIA256-GCM-SHA384", K::Psk, A::Psk, C::AriaGcm, 256, M::Aead, false, true),
    s(0xC06D, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384", "DHE-PSK-ARIA256-GCM-SHA384", K::DhePsk, A::Psk, C::AriaGcm, 256, M::Aead, false, true),
    s(0xC06F, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384", "RSA-PSK-ARIA256-GCM-SHA384", K::RsaPsk, A::Rsa, C::AriaGcm, 256, M::Aead, false, true),
    s(0xC071, "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384", "", K::EcdhePsk, A::Psk, C::Aria, 256, M::Sha384, false, false),
    s(0xC07B, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384", "", K::Rsa, A::Rsa, C::CamelliaGcm, 256, M::Aead, false, true),
    s(0xC07D, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", "", K::Dhe, A::Rsa, C::CamelliaGcm, 256, M::Aead, false, true),
    s(0xC07F, "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384", "", K::Dh, A::Dh, C::CamelliaGcm, 256, M::Aead, false, true),
    s(0xC081, "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384", "", K::Dhe, A::Dss, C::CamelliaGcm, 256, M::Aead, false, true),
    s(0xC083, "TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384", "", K::Dh, A::Dh, C::CamelliaGcm, 256, M::Aead, false, true),
    s(0xC085, "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384", "", K::Dhe, A::Anon, C::CamelliaGcm, 256, M::Aead, false, true),
    s(0xC087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", "", K::Ecdhe, A::Ecdsa, C::CamelliaGcm, 256, M::Aead, false, true),
    s(0xC089, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", "", K::Ecdh, A::Ecdh, C::CamelliaGcm, 256, M::Aead, false, true),
    s(0xC08B, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", "", K::Ecdhe, A::Rsa, C::CamelliaGcm, 256, M::Aead, false, true),
    s(0xC08D, "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384", "", K::Ecdh, A::Ecdh, C::CamelliaGcm, 256, M::Aead, false, true),
    s(0xC08F, "TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384", "", K::Psk, A::Psk, C::CamelliaGcm, 256, M::Aead, false, true),
    s(0xC091, "TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384", "", K::DhePsk, A::Psk, C::CamelliaGcm, 256, M::Aead, false, true),
    s(0xC093, "TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384", "", K::RsaPsk, A::Rsa, C::CamelliaGcm, 256, M::Aead, false, true),
    s(0x0080, "TLS_GOSTR341094_WITH_28147_CNT_IMIT", "GOST94-GOST89-GOST89", K::Gost, A::Gost, C::Gost, 256, M::Gost, false, false),
    s(0x0081, "TLS_GOSTR341001_WITH_28147_CNT_IMIT", "GOST2001-GOST89-GOST89", K::Gost, A::Gost, C::Gost, 256, M::Gost, false, false),
    s(0xFF00, "TLS_GOSTR341094_RSA_WITH_28147_CNT_MD5", "GOST-MD5", K::Rsa, A::Rsa, C::Gost, 256, M::Md5, false, false),
    s(0xFF01, "TLS_RSA_WITH_28147_CNT_GOST94", "GOST-GOST94", K::Rsa, A::Rsa, C::Gost, 256, M::Gost, false, false),
    s(0xFF02, "GOST-GOST89MAC", "GOST-GOST89MAC", K::Rsa, A::Rsa, C::Gost, 256, M::Gost, false, false),
    s(0xFF03, "GOST-GOST89STREAM", "GOST-GOST89STREAM", K::Rsa, A::Rsa, C::Gost, 256, M::Gost, false, false),
    s(0xFF85, "GOST2012256-GOST89-GOST89", "GOST2012256-GOST89-GOST89", K::Gost, A::Gost, C::Gost, 256, M::Gost, false, false),
    s(0x16B7, "TLS_CECPQ1_RSA_WITH_CHACHA20_POLY1305_SHA256", "", K::Cecpq1, A::Rsa, C::ChaCha20, 256, M::Aead, false, true),
    s(0x16B8, "TLS_CECPQ1_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "", K::Cecpq1, A::Ecdsa, C::ChaCha20, 256, M::Aead, false, true),
    s(0x16B9, "TLS_CECPQ1_RSA_WITH_AES_256_GCM_SHA384", "", K::Cecpq1, A::Rsa, C::AesGcm, 256, M::Aead, false, true),
    s(0x16BA, "TLS_CECPQ1_ECDSA_WITH_AES_256_GCM_SHA384", "", K::Cecpq1, A::Ecdsa, C::AesGcm, 256, M::Aead, false, true),
    s(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", K::Ecdhe, A::Rsa, C::AesGcm, 128, M::Aead, false, true),
    s(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", K::Ecdhe, A::Ecdsa, C::AesGcm, 128, M::Aead, false, true),
    s(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", K::Ecdhe, A::Rsa, C::Aes, 128, M::Sha256, false, true),
    s(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", K::Ecdhe, A::Ecdsa, C::Aes, 128, M::Sha256, false, true),
    s(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", K::Ecdhe, A::Rsa, C::Aes, 128, M::Sha1, false, false),
    s(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", K::Ecdhe, A::Ecdsa, C::Aes, 128, M::Sha1, false, false),
    s(0xC01F, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA", "SRP-DSS-AES-128-CBC-SHA", K::Srp, A::Dss, C::Aes, 128, M::Sha1, false, false),
    s(0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", "SRP-RSA-AES-128-CBC-SHA", K::Srp, A::Rsa, C::Aes, 128, M::Sha1, false, false),
    s(0xC01D, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA", "SRP-AES-128-CBC-SHA", K::Srp, A::Srp, C::Aes, 128, M::Sha1, false, false),
    s(0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256", "DH-DSS-AES128-GCM-SHA256", K::Dh, A::Dh, C::AesGcm, 128, M::Aead, false, true),
    s(0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "DHE-DSS-AES128-GCM-SHA256", K::Dhe, A::Dss, C::AesGcm, 128, M::Aead, false, true),
    s(0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256", "DH-RSA-AES128-GCM-SHA256", K::Dh, A::Dh, C::AesGcm, 128, M::Aead, false, true),
    s(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", K::Dhe, A::Rsa, C::AesGcm, 128, M::Aead, false, true),
    s(0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA-AES128-CCM8", K::Ecdhe, A::Ecdsa, C::AesCcm8, 128, M::Aead, false, true),
    s(0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "ECDHE-ECDSA-AES128-CCM", K::Ecdhe, A::Ecdsa, C::AesCcm, 128, M::Aead, false, true),
    s(0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", "DHE-RSA-AES128-CCM8", K::Dhe, A::Rsa, C::AesCcm8, 128, M::Aead, false, true),
    s(0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", "DHE-RSA-AES128-CCM", K::Dhe, A::Rsa, C::AesCcm, 128, M::Aead, false, true),
    s(0x00AC, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256", "RSA-PSK-AES128-GCM-SHA256", K::RsaPsk, A::Rsa, C::AesGcm, 128, M::Aead, false, true),
    s(0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", "DHE-PSK-AES128-GCM-SHA256", K::DhePsk, A::Psk, C::AesGcm, 128, M::Aead, false, true),
    s(0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8", "DHE-PSK-AES128-CCM8", K::DhePsk, A::Psk, C::AesCcm8, 128, M::Aead, false, true),
    s(0xC0A6, "TLS_DHE_PSK_WITH_AES_128_CCM", "DHE-PSK-AES128-CCM", K::DhePsk, A::Psk, C::AesCcm, 128, M::Aead, false, true),
    s(0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", "AES128-CCM8", K::Rsa, A::Rsa, C::AesCcm8, 128, M::Aead, false, true),
    s(0xC09C, "TLS_RSA_WITH_AES_128_CCM", "AES128-CCM", K::Rsa, A::Rsa, C::AesCcm, 128, M::Aead, false, true),
    s(0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", "PSK-AES128-GCM-SHA256", K::Psk, A::Psk, C::AesGcm, 128, M::Aead, false, true),
    s(0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8", "PSK-AES128-CCM8", K::Psk, A::Psk, C::AesCcm8, 128, M::Aead, false, true),
    s(0xC0A4, "TLS_PSK_WITH_AES_128_CCM", "PSK-AES128-CCM", K::Psk, A::Psk, C::AesCcm, 128, M::Aead, false, true),
    s(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE-RSA-AES128-SHA256", K::Dhe, A::Rsa, C::Aes, 128, M::Sha256, false, true),
    s(0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", "DHE-DSS-AES128-SHA256", K::Dhe, A::Dss, C::Aes, 128, M::Sha256, false, true),
    s(0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256", "DH-RSA-AES128-SHA256", K::Dh, A::Dh, C::Aes, 128, M::Sha256, false, true),
    s(0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256", "DH-DSS-AES128-SHA256", K::Dh, A::Dh, C::Aes, 128, M::Sha256, false, true),
    s(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA", K::Dhe, A::Rsa, C::Aes, 128, M::Sha1, false, false),
    s(0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "DHE-DSS-AES128-SHA", K::Dhe, A::Dss, C::Aes, 128, M::Sha1, false, false),
    s(0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", "DH-RSA-AES128-SHA", K::Dh, A::Dh, C::Aes, 128, M::Sha1, false, false),
    s(0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", "DH-DSS-AES128-SHA", K::Dh, A::Dh, C::Aes, 128, M::Sha1, false, false),
    s(0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-RSA-CAMELLIA128-SHA256", K::Ecdhe, A::Rsa, C::Camellia, 128, M::Sha256, false, true),
    s(0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-ECDSA-CAMELLIA128-SHA256", K::Ecdhe, A::Ecdsa, C::Camellia, 128, M::Sha256, false, true),
    s(0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "DHE-RSA-CAMELLIA128-SHA256", K::Dhe, A::Rsa, C::Camellia, 128, M::Sha256, false, true),
    s(0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", "DHE-DSS-CAMELLIA128-SHA256", K::Dhe, A::Dss, C::Camellia, 128, M::Sha256, false, true),
    s(0x00BC, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256", "DH-RSA-CAMELLIA128-SHA256", K::Dh, A::Dh, C::Camellia, 128, M::Sha256, false, true),
    s(0x00BB, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256", "DH-DSS-CAMELLIA128-SHA256", K::Dh, A::Dh, C::Camellia, 128, M::Sha256, false, true),
    s(0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", "DHE-RSA-SEED-SHA", K::Dhe, A::Rsa, C::Seed, 128, M::Sha1, false, false),
    s(0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", "DHE-DSS-SEED-SHA", K::Dhe, A::Dss, C::Seed, 128, M::Sha1, false, false),
    s(0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA", "DH-RSA-SEED-SHA", K::Dh, A::Dh, C::Seed, 128, M::Sha1, false, false),
    s(0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA", "DH-DSS-SEED-SHA", K::Dh, A::Dh, C::Seed, 128, M::Sha1, false, false),
    s(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", "DHE-RSA-CAMELLIA128-SHA", K::Dhe, A::Rsa, C::Camellia, 128, M::Sha1, false, false),
    s(0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", "DHE-DSS-CAMELLIA128-SHA", K::Dhe, A::Dss, C::Camellia, 128, M::Sha1, false, false),
    s(0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA", "DH-RSA-CAMELLIA128-SHA", K::Dh, A::Dh, C::Camellia, 128, M::Sha1, false, false),
    s(0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA", "DH-DSS-CAMELLIA128-SHA", K::Dh, A::Dh, C::Camellia, 128, M::Sha1, false, false),
    s(0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "AECDH-AES128-SHA", K::Ecdhe, A::Anon, C::Aes, 128, M::Sha1, false, false),
    s(0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", "ADH-AES128-GCM-SHA256", K::Dhe, A::Anon, C::AesGcm, 128, M::Aead, false, true),
    s(0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", "ADH-AES128-SHA256", K::Dhe, A::Anon, C::Aes, 128, M::Sha256, false, true),
    s(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "ADH-AES128-SHA", K::Dhe, A::Anon, C::Aes, 128, M::Sha1, false, false),
    s(0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", "ADH-CAMELLIA128-SHA256", K::Dhe, A::Anon, C::Camellia, 128, M::Sha256, false, true),
    s(0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA", "ADH-SEED-SHA", K::Dhe, A::Anon, C::Seed, 128, M::Sha1, false, false),
    s(0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", "ADH-CAMELLIA128-SHA", K::Dhe, A::Anon, C::Camellia, 128, M::Sha1, false, false),
    s(0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "ECDH-RSA-AES128-GCM-SHA256", K::Ecdh, A::Ecdh, C::AesGcm, 128, M::Aead, false, true),
    s(0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "ECDH-ECDSA-AES128-GCM-SHA256", K::Ecdh, A::Ecdh, C::AesGcm, 128, M::Aead, false, true),
    s(0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", "ECDH-RSA-AES128-SHA256", K::Ecdh, A::Ecdh, C::Aes, 128, M::Sha256, false, true),
    s(0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", "ECDH-ECDSA-AES128-SHA256", K::Ecdh, A::Ecdh, C::Aes, 128, M::Sha256, false, true),
    s(0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "ECDH-RSA-AES128-SHA", K::Ecdh, A::Ecdh, C::Aes, 128, M::Sha1, false, false),
    s(0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "ECDH-ECDSA-AES128-SHA", K::Ecdh, A::Ecdh, C::Aes, 128, M::Sha1, false, false),
    s(0xC078, "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDH-RSA-CAMELLIA128-SHA256", K::Ecdh, A::Ecdh, C::Camellia, 128, M::Sha256, false, true),
    s(0xC074, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDH-ECDSA-CAMELLIA128-SHA256", K::Ecdh, A::Ecdh, C::Camellia, 128, M::Sha256, false, true),
    s(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", K::Rsa, A::Rsa, C::AesGcm, 128, M::Aead, false, true),
    s(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", K::Rsa, A::Rsa, C::Aes, 128, M::Sha256, false, true),
    s(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", K::Rsa, A::Rsa, C::Aes, 128, M::Sha1, false, false),
    s(0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", "CAMELLIA128-SHA256", K::Rsa, A::Rsa, C::Camellia, 128, M::Sha256, false, true),
    s(0xC037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256", "ECDHE-PSK-AES128-CBC-SHA256", K::EcdhePsk, A::Psk, C::Aes, 128, M::Sha256, false, false),
    s(0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", "ECDHE-PSK-AES128-CBC-SHA", K::EcdhePsk, A::Psk, C::Aes, 128, M::Sha1, false, false),
    s(0x00B6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256", "RSA-PSK-AES128-CBC-SHA256", K::RsaPsk, A::Rsa, C::Aes, 128, M::Sha256, false, false),
    s(0x00B2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256", "DHE-PSK-AES128-CBC-SHA256", K::DhePsk, A::Psk, C::Aes, 128, M::Sha256, false, false),
    s(0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA", "DHE-PSK-AES128-CBC-SHA", K::DhePsk, A::Psk, C::Aes, 128, M::Sha1, false, false),
    s(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "SEED-SHA", K::Rsa, A::Rsa, C::Seed, 128, M::Sha1, false, false),
    s(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "CAMELLIA128-SHA", K::Rsa, A::Rsa, C::Camellia, 128, M::Sha1, false, false),
    s(0xC09A, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-PSK-CAMELLIA128-SHA256", K::EcdhePsk, A::Psk, C::Camellia, 128, M::Sha256, false, false),
    s(0xC098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256", "RSA-PSK-CAMELLIA128-SHA256", K::RsaPsk, A::Rsa, C::Camellia, 128, M::Sha256, false, false),
    s(0xC096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "DHE-PSK-CAMELLIA128-SHA256", K::DhePsk, A::Psk, C::Camellia, 128, M::Sha256, false, false),
    s(0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256", "PSK-AES128-CBC-SHA256", K::Psk, A::Psk, C::Aes, 128, M::Sha256, false, false),
    s(0xC094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256", "PSK-CAMELLIA128-SHA256", K::Psk, A::Psk, C::Camellia, 128, M::Sha256, false, false),
    s(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "IDEA-CBC-SHA", K::Rsa, A::Rsa, C::Idea, 128, M::Sha1, false, false),
    s(0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA", "RSA-PSK-AES128-CBC-SHA", K::RsaPsk, A::Rsa, C::Aes, 128, M::Sha1, false, false),
    s(0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA", "PSK-AES128-CBC-SHA", K::Psk, A::Psk, C::Aes, 128, M::Sha1, false, false),
    s(0x0021, "TLS_KRB5_WITH_IDEA_CBC_SHA", "KRB5-IDEA-CBC-SHA", K::Krb5, A::Krb5, C::Idea, 128, M::Sha1, false, false),
    s(0x0025, "TLS_KRB5_WITH_IDEA_CBC_MD5", "KRB5-IDEA-CBC-MD5", K::Krb5, A::Krb5, C::Idea, 128, M::Md5, false, false),
    s(0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", "ARIA128-CBC-SHA256", K::Rsa, A::Rsa, C::Aria, 128, M::Sha256, false, true),
    s(0xC03E, "TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256", "", K::Dh, A::Dh, C::Aria, 128, M::Sha256, false, true),
    s(0xC040, "TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256", "", K::Dh, A::Dh, C::Aria, 128, M::Sha256, false, true),
    s(0xC042, "TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256", "DHE-DSS-ARIA128-CBC-SHA256", K::Dhe, A::Dss, C::Aria, 128, M::Sha256, false, true),
    s(0xC044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256", "DHE-RSA-ARIA128-CBC-SHA256", K::Dhe, A::Rsa, C::Aria, 128, M::Sha256, false, true),
    s(0xC046, "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256", "DH-anon-ARIA128-CBC-SHA256", K::Dhe, A::Anon, C::Aria, 128, M::Sha256, false, true),
    s(0xC048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256", "ECDHE-ECDSA-ARIA128-CBC-SHA256", K::Ecdhe, A::Ecdsa, C::Aria, 128, M::Sha256, false, true),
    s(0xC04A, "TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256", "", K::Ecdh, A::Ecdh, C::Aria, 128, M::Sha256, false, true),
    s(0xC04C, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256", "ECDHE-RSA-ARIA128-CBC-SHA256", K::Ecdhe, A::Rsa, C::Aria, 128, M::Sha256, false, true),
    s(0xC04E, "TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256", "", K::Ecdh, A::Ecdh, C::Aria, 128, M::Sha256, false, true),
    s(0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", "ARIA128-GCM-SHA256", K::Rsa, A::Rsa, C::AriaGcm, 128, M::Aead, false, true),
    s(0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", "DHE-RSA-ARIA128-GCM-SHA256", K::Dhe, A::Rsa, C::AriaGcm, 128, M::Aead, false, true),
    s(0xC054, "TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256", "DH-RSA-ARIA128-GCM-SHA256", K::Dh, A::Dh, C::AriaGcm, 128, M::Aead, false, true),
    s(0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", "DHE-DSS-ARIA128-GCM-SHA256", K::Dhe, A::Dss, C::AriaGcm, 128, M::Aead, false, true),
    s(0xC058, "TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256", "DH-DSS-ARIA128-GCM-SHA256", K::Dh, A::Dh, C::AriaGcm, 128, M::Aead, false, true),
    s(0xC05A, "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256", "ADH-ARIA128-GCM-SHA256", K::Dhe, A::Anon, C::AriaGcm, 128, M::Aead, false, true),
    s(0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ECDSA-ARIA128-GCM-SHA256", K::Ecdhe, A::Ecdsa, C::AriaGcm, 128, M::Aead, false, true),
    s(0xC05E, "TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDH-ECDSA-ARIA128-GCM-SHA256", K::Ecdh, A::Ecdh, C::AriaGcm, 128, M::Aead, false, true),
    s(0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ARIA128-GCM-SHA256", K::Ecdhe, A::Rsa, C::AriaGcm, 128, M::Aead, false, true),
    s(0xC062, "TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256", "ECDH-ARIA128-GCM-SHA256", K::Ecdh, A::Ecdh, C::AriaGcm, 128, M::Aead, false, true),
    s(0xC064, "TLS_PSK_WITH_ARIA_128_CBC_SHA256", "", K::Psk, A::Psk, C::Aria, 128, M::Sha256, false, false),
    s(0xC066, "TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256", "", K::DhePsk, A::Psk, C::Aria, 128, M::Sha256, false, false),
    s(0xC068, "TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256", "", K::RsaPsk, A::Rsa, C::Aria, 128, M::Sha256, false, false),
    s(0xC06A, "TLS_PSK_WITH_ARIA_128_GCM_SHA256", "PSK-ARIA128-GCM-SHA256", K::Psk, A::Psk, C::AriaGcm, 128, M::Aead, false, true),
    s(0xC06C, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256", "DHE-PSK-ARIA128-GCM-SHA256", K::DhePsk, A::Psk, C::AriaGcm, 128, M::Aead, false, true),
    s(0xC06E, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256", "RSA-PSK-ARIA128-GCM-SHA256", K::RsaPsk, A::Rsa, C::AriaGcm, 128, M::Aead, false, true),
    s(0xC070, "TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256", "", K::EcdhePsk, A::Psk, C::Aria, 128, M::Sha256, false, false),
    s(0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", "", K::Rsa, A::Rsa, C::CamelliaGcm, 128, M::Aead, false, true),
    s(0xC07C, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", "", K::Dhe, A::Rsa, C::CamelliaGcm, 128, M::Aead, false, true),
    s(0xC07E, "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256", "", K::Dh, A::Dh, C::CamelliaGcm, 128, M::Aead, false, true),
    s(0xC080, "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256", "", K::Dhe, A::Dss, C::CamelliaGcm, 128, M::Aead, false, true),
    s(0xC082, "TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256", "", K::Dh, A::Dh, C::CamelliaGcm, 128, M::Aead, false, true),
    s(0xC084, "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256", "", K::Dhe, A::Anon, C::CamelliaGcm, 128, M::Aead, false, true),
    s(0xC086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", "", K::Ecdhe, A::Ecdsa, C::CamelliaGcm, 128, M::Aead, false, true),
    s(0xC088, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", "", K::Ecdh, A::Ecdh, C::CamelliaGcm, 128, M::Aead, false, true),
    s(0xC08A, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", "", K::Ecdhe, A::Rsa, C::CamelliaGcm, 128, M::Aead, false, true),
    s(0xC08C, "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256", "", K::Ecdh, A::Ecdh, C::CamelliaGcm, 128, M::Aead, false, true),
    s(0xC08E, "TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256", "", K::Psk, A::Psk, C::CamelliaGcm, 128, M::Aead, false, true),
    s(0xC090, "TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256", "", K::DhePsk, A::Psk, C::CamelliaGcm, 128, M::Aead, false, true),
    s(0xC092, "TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256", "", K::RsaPsk, A::Rsa, C::CamelliaGcm, 128, M::Aead, false, true),
    s(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA", K::Ecdhe, A::Rsa, C::Rc4, 128, M::Sha1, false, false),
    s(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA-RC4-SHA", K::Ecdhe, A::Ecdsa, C::Rc4, 128, M::Sha1, false, false),
    s(0x0066, "TLS_DHE_DSS_WITH_RC4_128_SHA", "DHE-DSS-RC4-SHA", K::Dhe, A::Dss, C::Rc4, 128, M::Sha1, false, false),
    s(0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA", "AECDH-RC4-SHA", K::Ecdhe, A::Anon, C::Rc4, 128, M::Sha1, false, false),
    s(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ADH-RC4-MD5", K::Dhe, A::Anon, C::Rc4, 128, M::Md5, false, false),
    s(0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA", "ECDH-RSA-RC4-SHA", K::Ecdh, A::Ecdh, C::Rc4, 128, M::Sha1, false, false),
    s(0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", "ECDH-ECDSA-RC4-SHA", K::Ecdh, A::Ecdh, C::Rc4, 128, M::Sha1, false, false),
    s(0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", K::Rsa, A::Rsa, C::Rc4, 128, M::Sha1, false, false),
    s(0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5", K::Rsa, A::Rsa, C::Rc4, 128, M::Md5, false, false),
    s(0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA", "RSA-PSK-RC4-SHA", K::RsaPsk, A::Rsa, C::Rc4, 128, M::Sha1, false, false),
    s(0x008A, "TLS_PSK_WITH_RC4_128_SHA", "PSK-RC4-SHA", K::Psk, A::Psk, C::Rc4, 128, M::Sha1, false, false),
    s(0x0020, "TLS_KRB5_WITH_RC4_128_SHA", "KRB5-RC4-SHA", K::Krb5, A::Krb5, C::Rc4, 128, M::Sha1, false, false),
    s(0x0024, "TLS_KRB5_WITH_RC4_128_MD5", "KRB5-RC4-MD5", K::Krb5, A::Krb5, C::Rc4, 128, M::Md5, false, false),
    s(0xC033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA", "ECDHE-PSK-RC4-SHA", K::EcdhePsk, A::Psk, C::Rc4, 128, M::Sha1, false, false),
    s(0x008E, "TLS_DHE_PSK_WITH_RC4_128_SHA", "DHE-PSK-RC4-SHA", K::DhePsk, A::Psk, C::Rc4, 128, M::Sha1, false, false),
    s(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA", K::Ecdhe, A::Rsa, C::TripleDes, 168, M::Sha1, false, false),
    s(0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-ECDSA-DES-CBC3-SHA", K::Ecdhe, A::Ecdsa, C::TripleDes, 168, M::Sha1, false, false),
    s(0xC01C, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA", "SRP-DSS-3DES-EDE-CBC-SHA", K::Srp, A::Dss, C::TripleDes, 168, M::Sha1, false, false),
    s(0xC01B, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA", "SRP-RSA-3DES-EDE-CBC-SHA", K::Srp, A::Rsa, C::TripleDes, 168, M::Sha1, false, false),
    s(0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA", "SRP-3DES-EDE-CBC-SHA", K::Srp, A::Srp, C::TripleDes, 168, M::Sha1, false, false),
    s(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "EDH-RSA-DES-CBC3-SHA", K::Dhe, A::Rsa, C::TripleDes, 168, M::Sha1, false, false),
    s(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "EDH-DSS-DES-CBC3-SHA", K::Dhe, A::Dss, C::TripleDes, 168, M::Sha1, false, false),
    s(0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", "DH-RSA-DES-CBC3-SHA", K::Dh, A::Dh, C::TripleDes, 168, M::Sha1, false, false),
    s(0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", "DH-DSS-DES-CBC3-SHA", K::Dh, A::Dh, C::TripleDes, 168, M::Sha1, false, false),
    s(0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", "AECDH-DES-CBC3-SHA", K::Ecdhe, A::Anon, C::TripleDes, 168, M::Sha1, false, false),
    s(0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", "ADH-DES-CBC3-SHA", K::Dhe, A::Anon, C::TripleDes, 168, M::Sha1, false, false),
    s(0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", "ECDH-RSA-DES-CBC3-SHA", K::Ecdh, A::Ecdh, C::TripleDes, 168, M::Sha1, false, false),
    s(0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDH-ECDSA-DES-CBC3-SHA", K::Ecdh, A::Ecdh, C::TripleDes, 168, M::Sha1, false, false),
    s(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", K::Rsa, A::Rsa, C::TripleDes, 168, M::Sha1, false, false),
    s(0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA", "RSA-PSK-3DES-EDE-CBC-SHA", K::RsaPsk, A::Rsa, C::TripleDes, 168, M::Sha1, false, false),
    s(0x008B, "TLS_PSK_WITH_3DES_EDE_CBC_SHA", "PSK-3DES-EDE-CBC-SHA", K::Psk, A::Psk, C::TripleDes, 168, M::Sha1, false, false),
    s(0x001F, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA", "KRB5-DES-CBC3-SHA", K::Krb5, A::Krb5, C::TripleDes, 168, M::Sha1, false, false),
    s(0x0023, "TLS_KRB5_WITH_3DES_EDE_CBC_MD5", "KRB5-DES-CBC3-MD5", K::Krb5, A::Krb5, C::TripleDes, 168, M::Md5, false, false),
    s(0xC034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA", "ECDHE-PSK-3DES-EDE-CBC-SHA", K::EcdhePsk, A::Psk, C::TripleDes, 168, M::Sha1, false, false),
    s(0x008F, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA", "DHE-PSK-3DES-EDE-CBC-SHA", K::DhePsk, A::Psk, C::TripleDes, 168, M::Sha1, false, false),
    s(0xFEFF, "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA", "", K::Rsa, A::Rsa, C::TripleDes, 168, M::Sha1, false, false),
    s(0xFFE0, "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA", "", K::Rsa, A::Rsa, C::TripleDes, 168, M::Sha1, false, false),
    s(0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", "EXP1024-DHE-DSS-DES-CBC-SHA", K::DheExport, A::Dss, C::Des, 56, M::Sha1, true, false),
    s(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", "EDH-RSA-DES-CBC-SHA", K::Dhe, A::Rsa, C::Des, 56, M::Sha1, false, false),
    s(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", "EDH-DSS-DES-CBC-SHA", K::Dhe, A::Dss, C::Des, 56, M::Sha1, false, false),
    s(0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA", "DH-RSA-DES-CBC-SHA", K::Dh, A::Dh, C::Des, 56, M::Sha1, false, false),
    s(0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA", "DH-DSS-DES-CBC-SHA", K::Dh, A::Dh, C::Des, 56, M::Sha1, false, false),
    s(0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA", "ADH-DES-CBC-SHA", K::Dhe, A::Anon, C::Des, 56, M::Sha1, false, false),
    s(0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", "EXP1024-DES-CBC-SHA", K::RsaExport, A::Rsa, C::Des, 56, M::Sha1, true, false),
    s(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA", K::Rsa, A::Rsa, C::Des, 56, M::Sha1, false, false),
    s(0x0061, "TLS_RSA_EXPORT1024_WITH_RC2_56_MD5", "EXP1024-RC2-CBC-MD5", K::RsaExport, A::Rsa, C::Rc2, 56, M::Md5, true, false),
    s(0x001E, "TLS_KRB5_WITH_DES_CBC_SHA", "KRB5-DES-CBC-SHA", K::Krb5, A::Krb5, C::Des, 56, M::Sha1, false, false),
    s(0x0022, "TLS_KRB5_WITH_DES_CBC_MD5", "KRB5-DES-CBC-MD5", K::Krb5, A::Krb5, C::Des, 56, M::Md5, false, false),
    s(0xFEFE, "SSL_RSA_FIPS_WITH_DES_CBC_SHA", "", K::Rsa, A::Rsa, C::Des, 56, M::Sha1, false, false),
    s(0xFFE1, "SSL_RSA_FIPS_WITH_DES_CBC_SHA", "", K::Rsa, A::Rsa, C::Des, 56, M::Sha1, false, false),
    s(0x0065, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA", "EXP1024-DHE-DSS-RC4-SHA", K::DheExport, A::Dss, C::Rc4, 56, M::Sha1, true, false),
    s(0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", "EXP1024-RC4-SHA", K::RsaExport, A::Rsa, C::Rc4, 56, M::Sha1, true, false),
    s(0x0060, "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5", "EXP1024-RC4-MD5", K::RsaExport, A::Rsa, C::Rc4, 56, M::Md5, true, false),
    s(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-RSA-DES-CBC-SHA", K::DheExport, A::Rsa, C::Des, 40, M::Sha1, true, false),
    s(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-DSS-DES-CBC-SHA", K::DheExport, A::Dss, C::Des, 40, M::Sha1, true, false),
    s(0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", "EXP-ADH-DES-CBC-SHA", K::DheExport, A::Anon, C::Des, 40, M::Sha1, true, false),
    s(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DES-CBC-SHA", K::RsaExport, A::Rsa, C::Des, 40, M::Sha1, true, false),
    s(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", "EXP-RC2-CBC-MD5", K::RsaExport, A::Rsa, C::Rc2, 40, M::Md5, true, false),
    s(0x0027, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA", "EXP-KRB5-RC2-CBC-SHA", K::Krb5, A::Krb5, C::Rc2, 40, M::Sha1, true, false),
    s(0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA", "EXP-KRB5-DES-CBC-SHA", K::Krb5, A::Krb5, C::Des, 40, M::Sha1, true, false),
    s(0x002A, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5", "EXP-KRB5-RC2-CBC-MD5", K::Krb5, A::Krb5, C::Rc2, 40, M::Md5, true, false),
    s(0x0029, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5", "EXP-KRB5-DES-CBC-MD5", K::Krb5, A::Krb5, C::Des, 40, M::Md5, true, false),
    s(0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-DH-DSS-DES-CBC-SHA", K::Dh, A::Dh, C::Des, 40, M::Sha1, true, false),
    s(0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DH-RSA-DES-CBC-SHA", K::Dh, A::Dh, C::Des, 40, M::Sha1, true, false),
    s(0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", "EXP-ADH-RC4-MD5", K::DheExport, A::Anon, C::Rc4, 40, M::Md5, true, false),
    s(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5", K::RsaExport, A::Rsa, C::Rc4, 40, M::Md5, true, false),
    s(0x0028, "TLS_KRB5_EXPORT_WITH_RC4_40_SHA", "EXP-KRB5-RC4-SHA", K::Krb5, A::Krb5, C::Rc4, 40, M::Sha1, true, false),
    s(0x002B, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5", "EXP-KRB5-RC4-MD5", K::Krb5, A::Krb5, C::Rc4, 40, M::Md5, true, false),
    s(0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", "ECDHE-RSA-NULL-SHA", K::Ecdhe, A::Rsa, C::Null, 0, M::Sha1, false, false),
    s(0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", "ECDHE-ECDSA-NULL-SHA", K::Ecdhe, A::Ecdsa, C::Null, 0, M::Sha1, false, false),
    s(0xC015, "TLS_ECDH_anon_WITH_NULL_SHA", "AECDH-NULL-SHA", K::Ecdhe, A::Anon, C::Null, 0, M::Sha1, false, false),
    s(0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA", "ECDH-RSA-NULL-SHA", K::Ecdh, A::Ecdh, C::Null, 0, M::Sha1, false, false),
    s(0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA", "ECDH-ECDSA-NULL-SHA", K::Ecdh, A::Ecdh, C::Null, 0, M::Sha1, false, false),
    s(0xC03B, "TLS_ECDHE_PSK_WITH_NULL_SHA384", "ECDHE-PSK-NULL-SHA384", K::EcdhePsk, A::Psk, C::Null, 0, M::Sha384, false, false),
    s(0xC03A, "TLS_ECDHE_PSK_WITH_NULL_SHA256", "ECDHE-PSK-NULL-SHA256", K::EcdhePsk, A::Psk, C::Null, 0, M::Sha256, false, false),
    s(0xC039, "TLS_ECDHE_PSK_WITH_NULL_SHA", "ECDHE-PSK-NULL-SHA", K::EcdhePsk, A::Psk, C::Null, 0, M::Sha1, false, false),
    s(0x00B9, "TLS_RSA_PSK_WITH_NULL_SHA384", "RSA-PSK-NULL-SHA384", K::RsaPsk, A::Rsa, C::Null, 0, M::Sha384, false, false),
    s(0x00B8, "TLS_RSA_PSK_WITH_NULL_SHA256", "RSA-PSK-NULL-SHA256", K::RsaPsk, A::Rsa, C::Null, 0, M::Sha256, false, false),
    s(0x00B5, "TLS_DHE_PSK_WITH_NULL_SHA384", "DHE-PSK-NULL-SHA384", K::DhePsk, A::Psk, C::Null, 0, M::Sha384, false, false),
    s(0x00B4, "TLS_DHE_PSK_WITH_NULL_SHA256", "DHE-PSK-NULL-SHA256", K::DhePsk, A::Psk, C::Null, 0, M::Sha256, false, false),
    s(0x002E, "TLS_RSA_PSK_WITH_NULL_SHA", "RSA-PSK-NULL-SHA", K::RsaPsk, A::Rsa, C::Null, 0, M::Sha1, false, false),
    s(0x002D, "TLS_DHE_PSK_WITH_NULL_SHA", "DHE-PSK-NULL-SHA", K::DhePsk, A::Psk, C::Null, 0, M::Sha1, false, false),
    s(0x00B1, "TLS_PSK_WITH_NULL_SHA384", "PSK-NULL-SHA384", K::Psk, A::Psk, C::Null, 0, M::Sha384, false, false),
    s(0x00B0, "TLS_PSK_WITH_NULL_SHA256", "PSK-NULL-SHA256", K::Psk, A::Psk, C::Null, 0, M::Sha256, false, false),
    s(0x002C, "TLS_PSK_WITH_NULL_SHA", "PSK-NULL-SHA", K::Psk, A::Psk, C::Null, 0, M::Sha1, false, false),
    s(0x003B, "TLS_RSA_WITH_NULL_SHA256", "NULL-SHA256", K::Rsa, A::Rsa, C::Null, 0, M::Sha256, false, true),
    s(0x0002, "TLS_RSA_WITH_NULL_SHA", "NULL-SHA", K::Rsa, A::Rsa, C::Null, 0, M::Sha1, false, false),
    s(0x0001, "TLS_RSA_WITH_NULL_MD5", "NULL-MD5", K::Rsa, A::Rsa, C::Null, 0, M::Md5, false, false),
    s(0x0000, "TLS_NULL_WITH_NULL_NULL", "NULL", K::Null, A::Anon, C::Null, 0, M::Null, false, false),
    s(0x0082, "TLS_GOSTR341094_WITH_NULL_GOSTR3411", "GOST94-NULL-GOST94", K::Gost, A::Gost, C::Null, 0, M::Gost, false, false),
    s(0x0083, "TLS_GOSTR341001_WITH_NULL_GOSTR3411", "GOST2001-NULL-GOST94", K::Gost, A::Gost, C::Null, 0, M::Gost, false, false),
    s(0xFF87, "GOST2012256-NULL-STREEBOG256", "GOST2012256-NULL-STREEBOG256", K::Gost, A::Gost, C::Null, 0, M::Gost, false, false),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_table_has_every_suite_once_with_consistent_attributes() {
        let ids: BTreeSet<u16> = SUITES.iter().map(|s| s.id).collect();
        assert_eq!(ids.len(), SUITES.len(), "duplicate ids");
        assert_eq!(SUITES.len(), 352);
        for s in SUITES {
            assert!(!s.name.is_empty());
            assert!(!(0x1301..=0x1305).contains(&s.id), "{}", s.name);
            // AEAD suites exist only from TLS 1.2 on.
            if s.cipher.aead() {
                assert!(s.tls12_only, "{}", s.name);
                assert_eq!(s.mac, Mac::Aead, "{}", s.name);
            }
            if s.name.contains("_anon_") {
                assert!(s.anonymous(), "{}", s.name);
            }
            if s.name.contains("EXPORT") {
                assert!(s.export, "{}", s.name);
            }
            if s.name.starts_with("TLS_ECDHE_") || s.name.starts_with("TLS_DHE_") {
                assert!(s.forward_secret(), "{}", s.name);
            }
            if s.name.starts_with("TLS_RSA_WITH") || s.name.starts_with("TLS_ECDH_RSA") {
                assert!(!s.forward_secret(), "{}", s.name);
            }
        }
        let aes = suite(0x002F).expect("AES128-SHA");
        assert_eq!(
            (aes.kx, aes.auth, aes.cipher, aes.bits, aes.mac, aes.openssl),
            (Kx::Rsa, Auth::Rsa, Cipher::Aes, 128, Mac::Sha1, "AES128-SHA")
        );
        assert!(aes.cipher.cbc() && !aes.cipher.block64() && !aes.tls12_only);
        let des3 = suite(0x000A).expect("3DES");
        assert!(des3.cipher.block64() && des3.cipher.cbc());
        let freak = suite(0x0003).expect("EXP-RC4-MD5");
        assert!(freak.export && freak.kx == Kx::RsaExport);
        assert_eq!(name(0x1301), Some("TLS_AES_128_GCM_SHA256"));
        assert_eq!(name(0xC02F), Some("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        assert_eq!(name(0xFFFF), None);
    }

    #[test]
    fn primes_are_named_and_measured() {
        let oakley2 = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF";
        let bytes: Vec<u8> = (0..oakley2.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&oakley2[i..i + 2], 16).expect("hex"))
            .collect();
        let mut padded = vec![0u8];
        padded.extend_from_slice(&bytes);
        assert!(known_prime(&padded).is_some_and(|n| n.contains("Oakley group 2")));
        assert_eq!(bit_length(&padded), 1024);
        assert_eq!(bit_length(&[0, 0, 1]), 1);
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(known_prime(&[1, 2, 3]), None);
        assert!(weak_group(0x0013) && weak_group(0x0015) && !weak_group(0x001D) && !weak_group(0x0100));
    }
}

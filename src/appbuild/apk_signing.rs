//! The certificates an APK is signed with: v1 (JAR signing, a PKCS#7
//! `SignedData` in `META-INF/*.RSA`, `*.DSA` or `*.EC`) and v2/v3/v3.1
//! (the APK Signing Block between the entries and the central directory).
//!
//! This reports who the APK *claims* to be signed by: each signer's
//! certificate, its SHA-256 (the digest `apksigner verify --print-certs`
//! and `keytool -printcert -jarfile` show) and subject. It does not verify
//! a signature or a digest of the content; an APK whose signature does
//! not verify still lists its certificates.
//!
//! Bounds: each v1 block is read up to [`MAX_V1_BLOCK_BYTES`], the signing
//! block up to [`MAX_SIGNING_BLOCK_BYTES`]; every length prefix is checked
//! against its container; at most [`MAX_CERTS`] certificates are reported.

use super::zipsafe::SafeZip;
use super::{AppBuildError, origin};
use x509_parser::asn1_rs::{Any, Class, FromDer};

/// Largest v1 signature block file read.
pub const MAX_V1_BLOCK_BYTES: u64 = 1 << 20;
/// Largest APK Signing Block read.
pub const MAX_SIGNING_BLOCK_BYTES: u64 = 16 << 20;
/// Most certificates reported per APK.
pub const MAX_CERTS: usize = 64;

const SIGNING_BLOCK_MAGIC: &[u8; 16] = b"APK Sig Block 42";
const V2_ID: u32 = 0x7109_871a;
const V3_ID: u32 = 0xf053_68c0;
const V31_ID: u32 = 0x1b93_ad61;
/// `1.2.840.113549.1.7.2`, PKCS#7 signedData, DER-encoded.
const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/// Which signature scheme carried a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SigningScheme {
    /// v1: JAR signing (`META-INF/*.RSA|DSA|EC`).
    V1,
    /// v2: APK Signature Scheme v2 (Android 7.0+).
    V2,
    /// v3: APK Signature Scheme v3 (Android 9+; key rotation).
    V3,
    /// v3.1: APK Signature Scheme v3.1 (Android 13+).
    V31,
}

impl std::fmt::Display for SigningScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SigningScheme::V1 => "v1",
            SigningScheme::V2 => "v2",
            SigningScheme::V3 => "v3",
            SigningScheme::V31 => "v3.1",
        })
    }
}

/// One signing certificate, as one scheme carries it (the same
/// certificate in v1 and v2 is listed twice, once per scheme).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SigningCert {
    /// The scheme.
    pub scheme: SigningScheme,
    /// SHA-256 of the certificate's DER, lower-case hex.
    pub sha256: String,
    /// Subject distinguished name (`CN=..., O=...`).
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// v1: the signature block entry (`META-INF/CERT.RSA`); v2/v3: none.
    pub entry: Option<String>,
}

/// Every signing certificate of the APK, v1 first, then v2, v3, v3.1.
/// An unsigned APK gives an empty list.
pub fn signing_certs(zip: &mut SafeZip) -> Result<Vec<SigningCert>, AppBuildError> {
    let mut out = Vec::new();
    let blocks = zip.find(|n| {
        let Some(file) = n.strip_prefix("META-INF/") else {
            return false;
        };
        let upper = file.to_ascii_uppercase();
        !file.contains('/') && (upper.ends_with(".RSA") || upper.ends_with(".DSA") || upper.ends_with(".EC"))
    })?;
    for entry in blocks {
        let bytes = zip.read(&entry, MAX_V1_BLOCK_BYTES)?;
        let certs = pkcs7_signer_certs(&bytes).map_err(|reason| AppBuildError::Signing {
            origin: origin(zip.path(), &entry),
            reason,
        })?;
        for der in certs {
            push(&mut out, SigningScheme::V1, der, Some(&entry), zip)?;
        }
    }
    let block_origin = format!("{} (APK Signing Block)", zip.path().display());
    let signing_err = |reason: String| AppBuildError::Signing {
        origin: block_origin.clone(),
        reason,
    };
    if let Some(block) = signing_block(zip)? {
        for (id, value) in block_pairs(&block).map_err(signing_err)? {
            let scheme = match id {
                V2_ID => SigningScheme::V2,
                V3_ID => SigningScheme::V3,
                V31_ID => SigningScheme::V31,
                _ => continue,
            };
            for der in scheme_certs(value).map_err(|r| signing_err(format!("{scheme}: {r}")))? {
                push(&mut out, scheme, der, None, zip)?;
            }
        }
    }
    Ok(out)
}

fn push(
    out: &mut Vec<SigningCert>,
    scheme: SigningScheme,
    der: &[u8],
    entry: Option<&str>,
    zip: &SafeZip,
) -> Result<(), AppBuildError> {
    let where_ = || match entry {
        Some(e) => origin(zip.path(), e),
        None => format!("{} (APK Signing Block, {scheme})", zip.path().display()),
    };
    if out.len() >= MAX_CERTS {
        return Err(AppBuildError::Signing {
            origin: where_(),
            reason: format!("more than {MAX_CERTS} signing certificates"),
        });
    }
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| AppBuildError::Signing {
        origin: where_(),
        reason: format!("a signing certificate does not parse: {e}"),
    })?;
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    let sha256 = crate::probe::signing::hex(digest.as_ref());
    out.push(SigningCert {
        scheme,
        sha256,
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        entry: entry.map(str::to_string),
    });
    Ok(())
}

/// One DER element: `(class, constructed, tag number, content, rest)`.
fn tlv(b: &[u8]) -> Result<(Any<'_>, &[u8]), String> {
    let (rest, any) = Any::from_der(b).map_err(|e| format!("not DER: {e}"))?;
    Ok((any, rest))
}

fn expect_seq<'a>(b: &'a [u8], what: &str) -> Result<(&'a [u8], &'a [u8]), String> {
    let (any, rest) = tlv(b)?;
    if any.header.class() != Class::Universal || any.header.tag().0 != 16 {
        return Err(format!("{what} is not a SEQUENCE"));
    }
    Ok((any.data, rest))
}

/// The certificates of a PKCS#7 `SignedData` that its signer infos name
/// (by issuer and serial number); all of its certificates when no signer
/// info names one of them.
fn pkcs7_signer_certs(b: &[u8]) -> Result<Vec<&[u8]>, String> {
    // ContentInfo ::= SEQUENCE { contentType OID, [0] EXPLICIT content }
    let (content_info, _) = expect_seq(b, "the ContentInfo")?;
    let (oid, rest) = tlv(content_info)?;
    if oid.header.tag().0 != 6 || oid.data != OID_SIGNED_DATA {
        return Err("not a PKCS#7 signedData".into());
    }
    let (explicit, _) = tlv(rest)?;
    if explicit.header.class() != Class::ContextSpecific || explicit.header.tag().0 != 0 {
        return Err("signedData content is not [0] EXPLICIT".into());
    }
    // SignedData ::= SEQUENCE { version, digestAlgorithms SET,
    //   encapContentInfo, [0] IMPLICIT certificates OPTIONAL,
    //   [1] IMPLICIT crls OPTIONAL, signerInfos SET }
    let (signed, _) = expect_seq(explicit.data, "SignedData")?;
    let (_version, rest) = tlv(signed)?;
    let (_digest_algs, rest) = tlv(rest)?;
    let (_encap, mut rest) = tlv(rest)?;
    let mut certs: Vec<&[u8]> = Vec::new();
    let mut signer_infos: Option<&[u8]> = None;
    while !rest.is_empty() {
        let (any, next) = tlv(rest)?;
        match (any.header.class(), any.header.tag().0) {
            (Class::ContextSpecific, 0) => {
                let mut set = any.data;
                while !set.is_empty() {
                    let (_, after) = tlv(set)?;
                    certs.push(&set[..set.len() - after.len()]);
                    if certs.len() > MAX_CERTS {
                        return Err(format!("more than {MAX_CERTS} certificates"));
                    }
                    set = after;
                }
            }
            (Class::ContextSpecific, 1) => {}
            (Class::Universal, 17) => signer_infos = Some(any.data),
            _ => return Err("unexpected element in SignedData".into()),
        }
        rest = next;
    }
    if certs.is_empty() {
        return Err("the signature block has no certificate".into());
    }
    // Each SignerInfo ::= SEQUENCE { version, sid, ... } with sid an
    // IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serial INTEGER }.
    let mut wanted: Vec<(&[u8], &[u8])> = Vec::new();
    let mut infos = signer_infos.unwrap_or_default();
    while !infos.is_empty() {
        let (info, after) = expect_seq(infos, "a SignerInfo")?;
        let (_v, sid) = tlv(info)?;
        if let Ok((ias, _)) = expect_seq(sid, "the signer id") {
            let (issuer, serial) = tlv(ias)?;
            let (serial, _) = tlv(serial)?;
            wanted.push((issuer.data, serial.data));
        }
        infos = after;
    }
    let named: Vec<&[u8]> = certs
        .iter()
        .copied()
        .filter(|der| {
            x509_parser::parse_x509_certificate(der).is_ok_and(|(_, c)| {
                wanted.iter().any(|(issuer, serial)| {
                    c.tbs_certificate.raw_serial() == *serial && issuer_content(c.issuer().as_raw()) == Some(*issuer)
                })
            })
        })
        .collect();
    Ok(if named.is_empty() { certs } else { named })
}

/// The content octets of a DER Name (without its SEQUENCE header).
fn issuer_content(raw: &[u8]) -> Option<&[u8]> {
    expect_seq(raw, "a Name").ok().map(|(c, _)| c)
}

/// The APK Signing Block's id-value pairs region, if the APK has one.
fn signing_block(zip: &mut SafeZip) -> Result<Option<Vec<u8>>, AppBuildError> {
    let cd = zip.central_directory_offset();
    if cd < 32 {
        return Ok(None);
    }
    let footer = zip.read_raw(cd - 24, 24)?;
    if &footer[8..24] != SIGNING_BLOCK_MAGIC {
        return Ok(None);
    }
    let block_origin = format!("{} (APK Signing Block)", zip.path().display());
    let err = |reason: String| AppBuildError::Signing {
        origin: block_origin.clone(),
        reason,
    };
    let mut size8 = [0u8; 8];
    size8.copy_from_slice(&footer[..8]);
    let size = u64::from_le_bytes(size8);
    // The block is `size` bytes after its leading 8-byte size field.
    if !(24..=MAX_SIGNING_BLOCK_BYTES).contains(&size) || size + 8 > cd {
        return Err(err(format!("declares a size of {size} bytes, which does not fit")));
    }
    let start = cd - size - 8;
    let block = zip.read_raw(start, (size + 8) as usize)?;
    let mut lead = [0u8; 8];
    lead.copy_from_slice(&block[..8]);
    if u64::from_le_bytes(lead) != size {
        return Err(err("its two size fields differ".into()));
    }
    // Pairs lie between the leading size and the footer.
    Ok(Some(block[8..block.len() - 24].to_vec()))
}

/// `(id, value)` pairs: each `u64 length, u32 id, value[length - 4]`.
fn block_pairs(mut b: &[u8]) -> Result<Vec<(u32, &[u8])>, String> {
    let mut out = Vec::new();
    while !b.is_empty() {
        if b.len() < 12 {
            return Err("an id-value pair is cut short".into());
        }
        let mut l8 = [0u8; 8];
        l8.copy_from_slice(&b[..8]);
        let len = u64::from_le_bytes(l8);
        if len < 4 || len > (b.len() - 8) as u64 {
            return Err(format!("an id-value pair of {len} bytes does not fit"));
        }
        let len = len as usize;
        let id = u32::from_le_bytes([b[8], b[9], b[10], b[11]]);
        out.push((id, &b[12..8 + len]));
        b = &b[8 + len..];
    }
    Ok(out)
}

/// Splits a `u32`-length-prefixed field off `b`.
fn prefixed(b: &[u8]) -> Result<(&[u8], &[u8]), String> {
    if b.len() < 4 {
        return Err("a length prefix is cut short".into());
    }
    let len = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
    if len > b.len() - 4 {
        return Err(format!("a field of {len} bytes runs past its container"));
    }
    Ok((&b[4..4 + len], &b[4 + len..]))
}

/// The certificates of a v2/v3/v3.1 scheme value: a sequence of signers,
/// each `signed data` first, whose second field is the certificates.
fn scheme_certs(value: &[u8]) -> Result<Vec<&[u8]>, String> {
    let (mut signers, _) = prefixed(value)?;
    let mut out = Vec::new();
    while !signers.is_empty() {
        let (signer, rest) = prefixed(signers)?;
        let (signed_data, _) = prefixed(signer)?;
        let (_digests, after) = prefixed(signed_data)?;
        let (mut certs, _) = prefixed(after)?;
        while !certs.is_empty() {
            let (cert, more) = prefixed(certs)?;
            out.push(cert);
            if out.len() > MAX_CERTS {
                return Err(format!("more than {MAX_CERTS} certificates"));
            }
            certs = more;
        }
        signers = rest;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_prefixes_are_checked() {
        assert!(prefixed(&[]).is_err());
        assert!(prefixed(&[5, 0, 0, 0, 1]).is_err());
        assert_eq!(prefixed(&[1, 0, 0, 0, 9, 8]), Ok((&[9u8][..], &[8u8][..])));
        assert!(block_pairs(&[3, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]).is_err());
        assert!(scheme_certs(&[0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(pkcs7_signer_certs(&[0x30, 0x80]).is_err());
        assert!(pkcs7_signer_certs(b"").is_err());
    }
}

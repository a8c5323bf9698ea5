//! Secrets by reference: read when a probe needs them, never stored in the
//! model, never printed. [`Secret`]'s `Debug` and `Display` are redacted.
//!
//! [`read`] is the one reader of secret values, and it registers every
//! value it reads with the audit's [`Redactor`], so that nothing a server
//! echoes of it reaches the evidence or a report.

use super::schema::{Endpoint, SecretRef};
use crate::fsread::{self, ReadError};
use crate::redact::Redactor;
use std::path::{Path, PathBuf};

/// Largest secret read from a file (a token or a PEM key is far smaller).
pub const MAX_SECRET_BYTES: u64 = 64 * 1024;

/// What a secret file is called in errors.
const WHAT: &str = "secret file";

/// A secret value. Only [`Secret::expose`] reveals it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A secret a probe fetched at run time (a fresh test token). The
    /// caller registers it with the audit's redactor first.
    pub fn fetched(value: &str) -> Secret {
        Secret(value.to_string())
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Why a secret could not be read. Names the reference, never the value.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The environment variable is not set (or not Unicode).
    #[error("secret {0} is not set")]
    NotSet(String),
    /// The value is empty or only whitespace.
    #[error("secret {0} is empty")]
    Empty(String),
    /// The file could not be read.
    #[error("secret {reference}: {}", source.kind)]
    File {
        /// The reference, as `file:PATH`.
        reference: String,
        /// What went wrong.
        #[source]
        source: ReadError,
    },
}

impl From<SecretError> for String {
    fn from(e: SecretError) -> String {
        e.to_string()
    }
}

/// The absolute path of a `{file: …}` reference, relative to `base`.
pub fn file_path(p: &Path, base: &Path) -> PathBuf {
    if p.is_absolute() { p.to_path_buf() } else { base.join(p) }
}

/// Reads a secret: an environment variable, or a regular file of at most
/// [`MAX_SECRET_BYTES`] relative to `base`, trimmed. The value is
/// registered with `redactor` before it is returned.
pub fn read(r: &SecretRef, base: &Path, redactor: &Redactor) -> Result<Secret, SecretError> {
    let value = match r {
        SecretRef::Env(name) => std::env::var(name).map_err(|_| SecretError::NotSet(r.to_string()))?,
        SecretRef::File(p) => {
            fsread::read_text(&file_path(p, base), MAX_SECRET_BYTES, WHAT).map_err(|source| SecretError::File {
                reference: r.to_string(),
                source,
            })?
        }
    };
    let value = value.trim();
    if value.is_empty() {
        return Err(SecretError::Empty(r.to_string()));
    }
    redactor.register(value);
    Ok(Secret(value.to_string()))
}

/// Every secret reference of an endpoint, with its field path below the
/// endpoint (`auth.token`, `mtls.client_key`...).
pub fn endpoint_secrets(e: &Endpoint) -> Vec<(&'static str, &SecretRef)> {
    let mut out = Vec::new();
    if let Some(t) = e.auth.as_ref().and_then(|a| a.token.as_ref()) {
        out.push(("auth.token", t));
    }
    if let Some(m) = &e.mtls {
        for (name, r) in [
            ("mtls.client_cert", &m.client_cert),
            ("mtls.client_key", &m.client_key),
            ("mtls.expired_client_cert", &m.expired_client_cert),
            ("mtls.expired_client_key", &m.expired_client_key),
        ] {
            if let Some(r) = r {
                out.push((name, r));
            }
        }
    }
    if let Some(t) = e.enrollment.as_ref().and_then(|p| p.attestation_token.as_ref()) {
        out.push(("enrollment.attestation_token", t));
    }
    if let Some(s) = &e.signing {
        out.push(("signing.key", &s.key));
    }
    out
}

/// Reads every secret the model declares into `redactor`, ignoring those
/// that cannot be read (the probe that needs one reports why). Done before
/// any probe runs, so that a server that already knows a secret (the one
/// that issued a token, say) cannot get it recorded before a probe reads it.
pub fn register_all(model: &super::Model, redactor: &Redactor) {
    for t in &model.endpoints {
        let Some(e) = model.endpoint(&t.id) else { continue };
        for (_, r) in endpoint_secrets(e) {
            let _ = read(r, &t.base_dir, redactor);
        }
    }
}

/// Checks, without reading it, that a `{file: …}` reference that exists is
/// a regular file within [`MAX_SECRET_BYTES`]. A file that does not exist
/// yet is fine here (it is read, and reported, at probe time).
pub fn check_file(r: &SecretRef, base: &Path) -> Result<(), SecretError> {
    let SecretRef::File(p) = r else {
        return Ok(());
    };
    let path = file_path(p, base);
    match fsread::check_regular(&path, MAX_SECRET_BYTES, WHAT) {
        Err(source) if !matches!(source.kind, fsread::ReadErrorKind::NotFound) => Err(SecretError::File {
            reference: r.to_string(),
            source,
        }),
        _ => Ok(()),
    }
}

/// The error for a secret written into the architecture file. It names
/// the field (through the error's path), never the value.
pub const LITERAL_SECRET: &str = "a secret must be a reference ({env: NAME} or {file: PATH}), not a literal value";

/// Accepts `{env: NAME}` or `{file: PATH}` only. Every other input is
/// refused with a message that repeats nothing of it: a value written where
/// a reference belongs is most likely the secret itself.
impl<'de> serde::Deserialize<'de> for SecretRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RefVisitor)
    }
}

struct RefVisitor;

macro_rules! refuse_literal {
    ($($name:ident: $ty:ty),* $(,)?) => {
        $(fn $name<E: serde::de::Error>(self, _v: $ty) -> Result<SecretRef, E> {
            Err(E::custom(LITERAL_SECRET))
        })*
    };
}

impl<'de> serde::de::Visitor<'de> for RefVisitor {
    type Value = SecretRef;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a secret reference, {env: NAME} or {file: PATH}")
    }

    refuse_literal!(
        visit_bool: bool,
        visit_i64: i64,
        visit_u64: u64,
        visit_i128: i128,
        visit_u128: u128,
        visit_f64: f64,
        visit_char: char,
        visit_str: &str,
        visit_bytes: &[u8],
    );

    fn visit_unit<E: serde::de::Error>(self) -> Result<SecretRef, E> {
        Err(E::custom(LITERAL_SECRET))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<SecretRef, E> {
        Err(E::custom(LITERAL_SECRET))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _seq: A) -> Result<SecretRef, A::Error> {
        Err(serde::de::Error::custom(LITERAL_SECRET))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, _data: A) -> Result<SecretRef, A::Error> {
        Err(serde::de::Error::custom(LITERAL_SECRET))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<SecretRef, A::Error> {
        use serde::de::Error;
        // The key is not repeated either: `{eyJhbGci…: x}` is a secret too.
        let Some(key) = map.next_key::<String>()? else {
            return Err(A::Error::custom(
                "an empty secret reference: use {env: NAME} or {file: PATH}",
            ));
        };
        let r = match key.as_str() {
            "env" => SecretRef::Env(map.next_value::<String>()?),
            "file" => SecretRef::File(map.next_value::<PathBuf>()?),
            _ => {
                return Err(A::Error::custom(
                    "unknown key in a secret reference: use {env: NAME} or {file: PATH}",
                ));
            }
        };
        if map.next_key::<serde::de::IgnoredAny>()?.is_some() {
            return Err(A::Error::custom(
                "a secret reference has one key, env or file: {env: NAME} or {file: PATH}",
            ));
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_registered_and_errors_name_only_the_reference() {
        let dir = tempfile::tempdir().expect("tempdir");
        let _ = std::fs::write(dir.path().join("tok"), "s3cr3t-value-of-some-length\n");
        let redactor = Redactor::new();
        let s = read(&SecretRef::File("tok".into()), dir.path(), &redactor).expect("read");
        assert_eq!(s.expose(), "s3cr3t-value-of-some-length");
        assert_eq!(format!("{s:?} {s}"), "Secret(<redacted>) <redacted>");
        assert_eq!(
            redactor.scrub_str("echo: s3cr3t-value-of-some-length"),
            "echo: <redacted>"
        );
        let e = read(&SecretRef::File("missing".into()), dir.path(), &redactor).expect_err("missing");
        assert_eq!(e.to_string(), "secret file:missing: does not exist");
        let e = read(
            &SecretRef::Env("STRATA_SURELY_UNSET_VARIABLE".into()),
            dir.path(),
            &redactor,
        )
        .expect_err("unset");
        assert_eq!(e.to_string(), "secret env:STRATA_SURELY_UNSET_VARIABLE is not set");
        let _ = std::fs::write(dir.path().join("blank"), " \n");
        let e = read(&SecretRef::File("blank".into()), dir.path(), &redactor).expect_err("blank");
        assert_eq!(e.to_string(), "secret file:blank is empty");
    }

    #[test]
    fn unreadable_kinds_of_file_are_refused_at_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let redactor = Redactor::new();
        let e = read(&SecretRef::File(dir.path().to_path_buf()), dir.path(), &redactor).expect_err("dir");
        assert!(e.to_string().ends_with(": is a directory, not a regular file"), "{e}");
        assert!(check_file(&SecretRef::File(".".into()), dir.path()).is_err());
        assert!(check_file(&SecretRef::File("not-yet".into()), dir.path()).is_ok());
        #[cfg(unix)]
        {
            let e = read(&SecretRef::File("/dev/zero".into()), dir.path(), &redactor).expect_err("zero");
            assert_eq!(
                e.to_string(),
                "secret file:/dev/zero: is a character device (such as /dev/zero), not a regular file"
            );
        }
        assert!(redactor.is_empty());
    }
}

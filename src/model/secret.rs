//! Secrets by reference: read when a probe needs them, never stored in the
//! model, never printed. [`Secret`]'s `Debug` and `Display` are redacted.

use super::schema::SecretRef;
use std::path::Path;

/// Largest secret read from a file (a token or a PEM key is far smaller).
const MAX_SECRET_BYTES: u64 = 64 * 1024;

/// A secret value. Only [`Secret::expose`] reveals it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
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

/// Reads a secret: an environment variable, or a file relative to `base`.
/// Errors name the reference, never the value.
pub fn read(r: &SecretRef, base: &Path) -> Result<Secret, String> {
    match r {
        SecretRef::Env(name) => match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => Ok(Secret(v.trim().to_string())),
            Ok(_) => Err(format!("secret {r} is empty")),
            Err(_) => Err(format!("secret {r} is not set")),
        },
        SecretRef::File(p) => {
            let path = if p.is_absolute() { p.clone() } else { base.join(p) };
            let meta = std::fs::metadata(&path).map_err(|e| format!("secret {r}: {e}"))?;
            if meta.len() > MAX_SECRET_BYTES {
                return Err(format!("secret {r} is larger than {MAX_SECRET_BYTES} bytes"));
            }
            let text = std::fs::read_to_string(&path).map_err(|e| format!("secret {r}: {e}"))?;
            if text.trim().is_empty() {
                return Err(format!("secret {r} is empty"));
            }
            Ok(Secret(text.trim().to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_and_errors_name_only_the_reference() {
        let dir = std::env::temp_dir().join(format!("strata-secret-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join("tok"), "s3cr3t-value\n");
        let s = read(&SecretRef::File("tok".into()), &dir).expect("read");
        assert_eq!(s.expose(), "s3cr3t-value");
        assert_eq!(format!("{s:?} {s}"), "Secret(<redacted>) <redacted>");
        let e = read(&SecretRef::File("missing".into()), &dir).expect_err("missing");
        assert!(e.starts_with("secret file:missing"), "{e}");
        let e = read(&SecretRef::Env("STRATA_SURELY_UNSET_VARIABLE".into()), &dir).expect_err("unset");
        assert_eq!(e, "secret env:STRATA_SURELY_UNSET_VARIABLE is not set");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

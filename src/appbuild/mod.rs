//! Reading built apps: an Android APK and an iOS IPA, as hostile input.
//!
//! An app build is a zip archive whose every byte may be crafted: the
//! archive itself ([`zipsafe`]: bounded, regular files only, zip bombs,
//! traversal names and ambiguous duplicates refused), Android's compiled
//! binary XML ([`axml`]) and resource table ([`arsc`]), the v1 JAR and
//! v2/v3 block signatures ([`apk_signing`]), and the iOS `Info.plist`
//! ([`ipa`]). [`apk`] puts the Android pieces together into an
//! [`ApkBuild`]; [`ipa`] finds an IPA's app bundle and its `Info.plist`.
//! [`inspect`] prints what was found for `strata inspect`.
//!
//! Nothing here judges the app: the decoded network security config and
//! `Info.plist` are handed to the analysis (`model::pin_import` and the
//! rules) as text or bytes with an origin such as
//! `app.apk!/res/xml/network_security_config.xml`.
//!
//! Every decoder checks each offset and length against the bytes it has,
//! caps what it allocates, never recurses on the input's nesting, and
//! reports a refusal as a typed [`AppBuildError`] naming the archive and
//! the entry.

pub mod apk;
pub mod apk_signing;
pub mod arsc;
pub mod axml;
pub mod inspect;
pub mod ipa;
pub mod zipsafe;

pub use apk::{ApkBuild, ApkNsc, ApkResourceFile, read_apk};
pub use apk_signing::{SigningCert, SigningScheme};
pub use ipa::{IpaBuild, read_ipa};

use std::path::Path;

/// Why an app build could not be read. Every variant names the archive;
/// entry-level problems name the entry as `archive!/entry`.
#[derive(Debug, thiserror::Error)]
pub enum AppBuildError {
    /// The archive file itself could not be opened (not a regular file,
    /// too large, missing, ...).
    #[error(transparent)]
    File(#[from] crate::fsread::ReadError),
    /// The zip structure, or one of its entries, was refused.
    #[error(transparent)]
    Zip(#[from] zipsafe::ZipError),
    /// A compiled binary XML entry could not be decoded.
    #[error("{origin}: {source}")]
    Axml {
        /// `archive!/entry`.
        origin: String,
        /// What was wrong.
        source: axml::AxmlError,
    },
    /// `resources.arsc` could not be decoded.
    #[error("{origin}: {source}")]
    Arsc {
        /// `archive!/resources.arsc`.
        origin: String,
        /// What was wrong.
        source: arsc::ArscError,
    },
    /// A signature block or certificate could not be decoded.
    #[error("{origin}: {reason}")]
    Signing {
        /// `archive!/META-INF/CERT.RSA` or `archive (APK Signing Block)`.
        origin: String,
        /// What was wrong.
        reason: String,
    },
    /// The archive decodes but is not a well-formed app build (no
    /// `AndroidManifest.xml`, no app bundle, two app bundles, a
    /// `networkSecurityConfig` that points nowhere, ...).
    #[error("{origin}: {reason}")]
    Invalid {
        /// The archive, or `archive!/entry`.
        origin: String,
        /// What was wrong.
        reason: String,
    },
}

/// `app.apk!/res/xml/network_security_config.xml`: the archive's path as
/// given, `!/`, and the entry. The entry is escaped so that a crafted name
/// cannot put control characters into a report or a terminal.
pub fn origin(archive: &Path, entry: &str) -> String {
    format!("{}!/{}", archive.display(), entry.escape_debug())
}

/// Which kind of app build a file is, by its content (a zip with
/// `AndroidManifest.xml`, or with `Payload/`), else by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum AppKind {
    /// An Android APK.
    Apk,
    /// An iOS IPA.
    Ipa,
}

/// Detects whether `path` is an APK or an IPA: opens it as a zip (bounded,
/// as [`zipsafe::SafeZip::open`]) and looks for `AndroidManifest.xml` or a
/// `Payload/` folder; when the archive has neither, the extension decides.
pub fn detect(path: &Path) -> Result<AppKind, AppBuildError> {
    let zip = zipsafe::SafeZip::open(path)?;
    if zip.contains("AndroidManifest.xml") {
        return Ok(AppKind::Apk);
    }
    if zip.names().any(|n| n.starts_with("Payload/")) {
        return Ok(AppKind::Ipa);
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "apk" => Ok(AppKind::Apk),
        "ipa" => Ok(AppKind::Ipa),
        _ => Err(AppBuildError::Invalid {
            origin: path.display().to_string(),
            reason: "is neither an APK (no AndroidManifest.xml) nor an IPA (no Payload/ folder)".into(),
        }),
    }
}

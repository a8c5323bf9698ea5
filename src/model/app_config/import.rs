//! One `pin_imports` entry read into pins and an [`AppConfig`]: the
//! source-tree files (`android_nsc`, `ios_plist`) and the built apps
//! (`apk`, `ipa`) all end in the same two readers, so a built app is
//! judged exactly like its sources.

use std::path::Path;

use serde::Serialize;

use super::{AppConfig, BuildIdentity, android, ios};
use crate::model::pin_import::{self, ImportedPinSet, PinImportError};

/// Which kind of file a `pin_imports` entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportKind {
    /// `res/xml/network_security_config.xml` from the source tree.
    AndroidNsc,
    /// `Info.plist` from the source tree.
    IosPlist,
    /// A built Android app.
    Apk,
    /// A built iOS app.
    Ipa,
}

impl ImportKind {
    /// The YAML key (`android_nsc`, `ios_plist`, `apk`, `ipa`).
    pub fn key(self) -> &'static str {
        match self {
            ImportKind::AndroidNsc => "android_nsc",
            ImportKind::IosPlist => "ios_plist",
            ImportKind::Apk => "apk",
            ImportKind::Ipa => "ipa",
        }
    }
}

/// What one imported file declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedConfig {
    /// The pin sets it enforces (Android `<pin-set>`, iOS
    /// `NSPinnedDomains`, enforced TrustKit domains).
    pub pin_sets: Vec<ImportedPinSet>,
    /// Everything else it says about network security.
    pub config: AppConfig,
    /// The build's identity (APK and IPA only).
    pub build: Option<BuildIdentity>,
}

/// Why an entry could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum AppImportError {
    /// The configuration file (or the one inside the build) is unreadable
    /// or malformed.
    #[error(transparent)]
    Config(#[from] PinImportError),
    /// The built app could not be opened or decoded.
    #[error(transparent)]
    Build(#[from] crate::appbuild::AppBuildError),
}

/// Reads one `pin_imports` entry. `path` is resolved; origins use
/// `path.display()`.
pub fn import(kind: ImportKind, path: &Path) -> Result<ImportedConfig, AppImportError> {
    let origin = path.display().to_string();
    match kind {
        ImportKind::AndroidNsc => {
            let bytes = pin_import::read_limited(path, &origin)?;
            let text = pin_import::xml_text(&bytes, &origin)?;
            let (pin_sets, nsc) = android_nsc(text, &origin)?;
            Ok(ImportedConfig {
                pin_sets,
                config: AppConfig::Android(android::AndroidConfig {
                    nsc: Some(nsc),
                    ..android::AndroidConfig::default()
                }),
                build: None,
            })
        }
        ImportKind::IosPlist => {
            let bytes = pin_import::read_limited(path, &origin)?;
            let (pin_sets, cfg) = ios_plist(&bytes, &origin)?;
            Ok(ImportedConfig {
                pin_sets,
                config: AppConfig::Ios(cfg),
                build: None,
            })
        }
        ImportKind::Apk => super::built::apk(path, &origin),
        ImportKind::Ipa => super::built::ipa(path, &origin),
    }
}

/// The readers of a source-tree network security config, shared with the
/// built-app adapter.
pub(super) fn android_nsc(
    text: &str,
    origin: &str,
) -> Result<(Vec<ImportedPinSet>, android::NscConfig), PinImportError> {
    let sets = pin_import::parse_android_nsc(text, origin)?;
    let cfg = android::parse_nsc(text, origin, &sets)?;
    Ok((sets, cfg))
}

pub(super) fn ios_plist(bytes: &[u8], origin: &str) -> Result<(Vec<ImportedPinSet>, ios::IosConfig), PinImportError> {
    let mut sets = pin_import::parse_ios_plist(bytes, origin)?;
    let (cfg, trustkit) = ios::parse_plist(bytes, origin)?;
    // A domain pinned both by ATS and by TrustKit keeps both sets: each is
    // compared with the live chain on its own.
    sets.extend(trustkit);
    Ok((sets, cfg))
}

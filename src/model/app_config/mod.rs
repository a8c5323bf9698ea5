//! What a mobile app's own build declares about its network security, as
//! typed data: Android's network security config and manifest flags, iOS
//! App Transport Security and TrustKit.
//!
//! The pins themselves are imported by [`pin_import`](super::pin_import)
//! and compared with the live chain like inline pins; this module keeps
//! everything else the configuration says (cleartext, trust anchors,
//! `overridePins`, `debug-overrides`, ATS exceptions, TrustKit
//! enforcement) so that [`audit::app_facts`](crate::audit::app_facts) can
//! turn it into facts and rules can judge it. [`android`] and [`ios`] read
//! the two platforms' files; [`import`] reads one `pin_imports` entry
//! (source file, APK or IPA) into pins plus an [`AppConfig`].
//!
//! Values keep the difference between "declared" and "left to the
//! platform default" (`Option`), because the defaults depend on the
//! target SDK; the facts apply the platform's documented defaults.

pub mod android;
mod built;
pub mod import;
pub mod ios;

use serde::Serialize;

pub use android::{AndroidConfig, DomainConfig, NscConfig, TrustAnchor};
pub use import::{ImportKind, ImportedConfig, import};
pub use ios::{AtsException, IosConfig, PinnedDomain, TrustKitDomain};

/// The network-security configuration of one imported app file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "platform", rename_all = "kebab-case")]
pub enum AppConfig {
    /// An Android network security config, with the manifest when the
    /// source was a built APK.
    Android(AndroidConfig),
    /// An iOS `Info.plist`.
    Ios(IosConfig),
}

/// What identifies the build the configuration came from (APK or IPA
/// only; a source-tree file has none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BuildIdentity {
    /// Android package name or iOS bundle identifier.
    pub id: Option<String>,
    /// Version name (Android `versionName`, iOS `CFBundleShortVersionString`).
    pub version: Option<String>,
    /// SHA-256 (lower-case hex) of each signing certificate (Android).
    pub signing_sha256: Vec<String>,
}

/// Whether `host` is `domain` or, with `include_subdomains`, one of its
/// subdomains (ASCII case-insensitive).
pub fn host_matches(domain: &str, include_subdomains: bool, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let domain = domain.to_ascii_lowercase();
    host == domain
        || (include_subdomains
            && host.len() > domain.len()
            && host.ends_with(&domain)
            && host.as_bytes().get(host.len() - domain.len() - 1) == Some(&b'.'))
}

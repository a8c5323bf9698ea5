//! iOS: App Transport Security (`NSAppTransportSecurity`) and an embedded
//! TrustKit configuration (`TSKConfiguration`) of an `Info.plist`.
//!
//! Defaults are Apple's: arbitrary loads off, exceptions require forward
//! secrecy and TLS 1.2, certificate transparency not required; TrustKit
//! enforces pins unless `TSKEnforcePinning` is false. A value of the wrong
//! type is an error naming its key path, as in the pin importer.
//!
//! TrustKit's pins become [`ImportedPinSet`]s (scope any, with
//! `TSKExpirationDate`) when they are enforced; `NSPinnedDomains` pins are
//! the pin importer's.

use serde::Serialize;

use crate::model::pin_import::{
    self, ImportedPin, ImportedPinSet, Padding, PinImportError, PinScope, check_domain, decode_spki, excerpt,
    plist_error, type_error,
};

/// Cap on domains read from one dictionary (exceptions, pins, TrustKit).
const MAX_DOMAINS: usize = 10_000;

/// One `NSExceptionDomains` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AtsException {
    /// The domain (lower case).
    pub domain: String,
    /// `NSIncludesSubdomains`.
    pub include_subdomains: bool,
    /// `NSExceptionAllowsInsecureHTTPLoads` (or the third-party variant).
    pub insecure_http: bool,
    /// `NSExceptionMinimumTLSVersion`, as written (`TLSv1.0` ...).
    pub min_tls: Option<String>,
    /// `NSExceptionRequiresForwardSecrecy` (default true).
    pub forward_secrecy: bool,
    /// `NSRequiresCertificateTransparency` (default false).
    pub requires_ct: bool,
    /// Key path in the plist.
    pub origin: String,
}

impl AtsException {
    /// Whether the minimum TLS version is below 1.2.
    pub fn weak_tls(&self) -> bool {
        matches!(self.min_tls.as_deref(), Some("TLSv1.0" | "TLSv1.1"))
    }
}

/// One `NSPinnedDomains` entry: how many identities of each kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinnedDomain {
    /// The domain (lower case).
    pub domain: String,
    /// `NSIncludesSubdomains`.
    pub include_subdomains: bool,
    /// `NSPinnedLeafIdentities` count.
    pub leaf: usize,
    /// `NSPinnedCAIdentities` count.
    pub ca: usize,
}

/// One `TSKPinnedDomains` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustKitDomain {
    /// The domain (lower case).
    pub domain: String,
    /// `TSKIncludeSubdomains`.
    pub include_subdomains: bool,
    /// Number of `TSKPublicKeyHashes`.
    pub pins: usize,
    /// `TSKEnforcePinning` (default true): false only reports failures.
    pub enforce: bool,
    /// `TSKExpirationDate`, as written.
    pub expiration: Option<String>,
}

/// The ATS and TrustKit configuration of an `Info.plist`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IosConfig {
    /// Whether the plist has an `NSAppTransportSecurity` dictionary.
    pub has_ats: bool,
    /// `NSAllowsArbitraryLoads`.
    pub arbitrary_loads: bool,
    /// `NSAllowsArbitraryLoadsInWebContent`.
    pub arbitrary_loads_web: bool,
    /// `NSAllowsArbitraryLoadsForMedia`.
    pub arbitrary_loads_media: bool,
    /// `NSAllowsLocalNetworking`.
    pub local_networking: bool,
    /// `NSExceptionDomains`, sorted by domain.
    pub exceptions: Vec<AtsException>,
    /// `NSPinnedDomains`, sorted by domain.
    pub pinned: Vec<PinnedDomain>,
    /// `TSKConfiguration.TSKPinnedDomains`, sorted by domain.
    pub trustkit: Vec<TrustKitDomain>,
    /// `CFBundleIdentifier`.
    pub bundle_id: Option<String>,
}

/// Reads ATS and TrustKit from a plist (XML, binary or ASCII), with the
/// pin importer's bounds. Returns the configuration and the enforced
/// TrustKit pin sets.
pub fn parse_plist(bytes: &[u8], origin: &str) -> Result<(IosConfig, Vec<ImportedPinSet>), PinImportError> {
    let root = pin_import::plist_root(bytes, origin)?;
    let mut cfg = IosConfig {
        bundle_id: root
            .get("CFBundleIdentifier")
            .and_then(plist::Value::as_string)
            .map(str::to_owned),
        ..IosConfig::default()
    };
    if let Some(ats) = root.get("NSAppTransportSecurity") {
        let path = "NSAppTransportSecurity";
        let ats = ats
            .as_dictionary()
            .ok_or_else(|| type_error(origin, path, "a dictionary", ats))?;
        cfg.has_ats = true;
        let flag = |key: &str| get_bool(ats, key, &format!("{path}.{key}"), origin);
        cfg.arbitrary_loads = flag("NSAllowsArbitraryLoads")?.unwrap_or(false);
        cfg.arbitrary_loads_web = flag("NSAllowsArbitraryLoadsInWebContent")?.unwrap_or(false);
        cfg.arbitrary_loads_media = flag("NSAllowsArbitraryLoadsForMedia")?.unwrap_or(false);
        cfg.local_networking = flag("NSAllowsLocalNetworking")?.unwrap_or(false);
        cfg.exceptions = exceptions(ats, origin)?;
        cfg.pinned = pinned(ats, origin)?;
    }
    let mut sets = Vec::new();
    if let Some(tsk) = root.get("TSKConfiguration") {
        let (domains, enforced) = trustkit(tsk, origin)?;
        cfg.trustkit = domains;
        sets = enforced;
    }
    Ok((cfg, sets))
}

fn get_bool(dict: &plist::Dictionary, key: &str, path: &str, origin: &str) -> Result<Option<bool>, PinImportError> {
    match dict.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_boolean()
            .map(Some)
            .ok_or_else(|| type_error(origin, path, "a boolean", v)),
    }
}

/// The entries of a domain-keyed dictionary, checked and sorted.
fn domain_entries<'d>(
    dict: &'d plist::Dictionary,
    path: &str,
    origin: &str,
) -> Result<Vec<(String, String, &'d plist::Dictionary)>, PinImportError> {
    if dict.len() > MAX_DOMAINS {
        return Err(plist_error(origin, path, format!("more than {MAX_DOMAINS} domains")));
    }
    let mut out = Vec::new();
    for (key, value) in dict {
        let key_path = format!("{path}[{}]", excerpt(key));
        let domain = key.to_lowercase();
        check_domain(&domain).map_err(|m| plist_error(origin, &key_path, m))?;
        let entry = value
            .as_dictionary()
            .ok_or_else(|| type_error(origin, &key_path, "a dictionary", value))?;
        out.push((domain, key_path, entry));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The dictionary under `key` of `parent` (at key path `path`), if any.
fn sub_dict<'d>(
    parent: &'d plist::Dictionary,
    key: &str,
    path: &str,
    origin: &str,
) -> Result<Option<&'d plist::Dictionary>, PinImportError> {
    match parent.get(key) {
        None => Ok(None),
        Some(value) => value
            .as_dictionary()
            .map(Some)
            .ok_or_else(|| type_error(origin, path, "a dictionary", value)),
    }
}

fn exceptions(ats: &plist::Dictionary, origin: &str) -> Result<Vec<AtsException>, PinImportError> {
    let path = "NSAppTransportSecurity.NSExceptionDomains";
    let Some(dict) = sub_dict(ats, "NSExceptionDomains", path, origin)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (domain, key_path, entry) in domain_entries(dict, path, origin)? {
        let flag = |key: &str| get_bool(entry, key, &format!("{key_path}.{key}"), origin);
        let string = |key: &str| -> Result<Option<String>, PinImportError> {
            match entry.get(key) {
                None => Ok(None),
                Some(v) => v
                    .as_string()
                    .map(|s| Some(s.to_owned()))
                    .ok_or_else(|| type_error(origin, &format!("{key_path}.{key}"), "a string", v)),
            }
        };
        let insecure = flag("NSExceptionAllowsInsecureHTTPLoads")?.unwrap_or(false)
            || flag("NSThirdPartyExceptionAllowsInsecureHTTPLoads")?.unwrap_or(false);
        let min_tls = match string("NSExceptionMinimumTLSVersion")? {
            Some(v) => Some(v),
            None => string("NSThirdPartyExceptionMinimumTLSVersion")?,
        };
        let fs = flag("NSExceptionRequiresForwardSecrecy")?.unwrap_or(true)
            && flag("NSThirdPartyExceptionRequiresForwardSecrecy")?.unwrap_or(true);
        out.push(AtsException {
            domain,
            include_subdomains: flag("NSIncludesSubdomains")?.unwrap_or(false),
            insecure_http: insecure,
            min_tls: min_tls.map(|v| excerpt_plain(&v)),
            forward_secrecy: fs,
            requires_ct: flag("NSRequiresCertificateTransparency")?.unwrap_or(false),
            origin: format!("{origin}: {key_path}"),
        });
    }
    Ok(out)
}

fn pinned(ats: &plist::Dictionary, origin: &str) -> Result<Vec<PinnedDomain>, PinImportError> {
    let path = "NSAppTransportSecurity.NSPinnedDomains";
    let Some(dict) = sub_dict(ats, "NSPinnedDomains", path, origin)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (domain, key_path, entry) in domain_entries(dict, path, origin)? {
        let count = |key: &str| entry.get(key).and_then(plist::Value::as_array).map_or(0, Vec::len);
        out.push(PinnedDomain {
            domain,
            include_subdomains: get_bool(entry, "NSIncludesSubdomains", &key_path, origin)?.unwrap_or(false),
            leaf: count("NSPinnedLeafIdentities"),
            ca: count("NSPinnedCAIdentities"),
        });
    }
    Ok(out)
}

fn trustkit(tsk: &plist::Value, origin: &str) -> Result<(Vec<TrustKitDomain>, Vec<ImportedPinSet>), PinImportError> {
    let path = "TSKConfiguration";
    let tsk = tsk
        .as_dictionary()
        .ok_or_else(|| type_error(origin, path, "a dictionary", tsk))?;
    let path = "TSKConfiguration.TSKPinnedDomains";
    let Some(dict) = sub_dict(tsk, "TSKPinnedDomains", path, origin)? else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut domains = Vec::new();
    let mut sets = Vec::new();
    for (domain, key_path, entry) in domain_entries(dict, path, origin)? {
        let include = get_bool(
            entry,
            "TSKIncludeSubdomains",
            &format!("{key_path}.TSKIncludeSubdomains"),
            origin,
        )?
        .unwrap_or(false);
        let enforce = get_bool(
            entry,
            "TSKEnforcePinning",
            &format!("{key_path}.TSKEnforcePinning"),
            origin,
        )?
        .unwrap_or(true);
        let hashes_path = format!("{key_path}.TSKPublicKeyHashes");
        let mut pins: Vec<ImportedPin> = Vec::new();
        if let Some(list) = entry.get("TSKPublicKeyHashes") {
            let list = list
                .as_array()
                .ok_or_else(|| type_error(origin, &hashes_path, "an array", list))?;
            for (i, h) in list.iter().enumerate() {
                let item = format!("{hashes_path}[{i}]");
                let text = h.as_string().ok_or_else(|| type_error(origin, &item, "a string", h))?;
                let spki_sha256 = decode_spki(text, Padding::Required).map_err(|m| plist_error(origin, &item, m))?;
                if !pins.iter().any(|p| p.spki_sha256 == spki_sha256) {
                    pins.push(ImportedPin {
                        spki_sha256,
                        scope: PinScope::Any,
                    });
                }
            }
        }
        let expiration_raw = match entry.get("TSKExpirationDate") {
            None => None,
            Some(v) => Some(
                v.as_string()
                    .ok_or_else(|| type_error(origin, &format!("{key_path}.TSKExpirationDate"), "a string", v))?
                    .to_owned(),
            ),
        };
        let expiration = match &expiration_raw {
            None => None,
            Some(raw) => Some(pin_import::parse_expiration(raw).ok_or_else(|| {
                plist_error(
                    origin,
                    &format!("{key_path}.TSKExpirationDate"),
                    format!("not a date as YYYY-MM-DD: {}", excerpt(raw)),
                )
            })?),
        };
        domains.push(TrustKitDomain {
            domain: domain.clone(),
            include_subdomains: include,
            pins: pins.len(),
            enforce,
            expiration: expiration_raw.map(|r| excerpt_plain(&r)),
        });
        if enforce && !pins.is_empty() {
            sets.push(ImportedPinSet {
                domain,
                include_subdomains: include,
                pins,
                expiration,
                origin: format!("{origin}: {key_path}"),
            });
        }
    }
    Ok((domains, sets))
}

/// A short, control-free copy of an untrusted string kept in the facts.
fn excerpt_plain(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plist(xml_body: &str) -> Vec<u8> {
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>{xml_body}</dict></plist>"#)
            .into_bytes()
    }

    #[test]
    fn ats_exceptions_and_trustkit() -> Result<(), PinImportError> {
        let bytes = plist(
            r#"<key>CFBundleIdentifier</key><string>com.acme.pay</string>
            <key>NSAppTransportSecurity</key><dict>
              <key>NSAllowsArbitraryLoads</key><true/>
              <key>NSExceptionDomains</key><dict>
                <key>Legacy.Example.com</key><dict>
                  <key>NSExceptionAllowsInsecureHTTPLoads</key><true/>
                  <key>NSExceptionMinimumTLSVersion</key><string>TLSv1.0</string>
                  <key>NSExceptionRequiresForwardSecrecy</key><false/>
                </dict>
              </dict>
            </dict>
            <key>TSKConfiguration</key><dict><key>TSKPinnedDomains</key><dict>
              <key>api.example.com</key><dict>
                <key>TSKPublicKeyHashes</key><array>
                  <string>KM0CcwEFZmk3dD/Nw17F3Fe2l42huf/Pp3jxxm5Znpc=</string>
                  <string>u6VL/6U5u9fVhTUNm1gfnYywjaGNlgNDIBfVGV7f22I=</string>
                </array>
                <key>TSKEnforcePinning</key><false/>
              </dict>
              <key>pay.example.com</key><dict>
                <key>TSKPublicKeyHashes</key><array><string>KM0CcwEFZmk3dD/Nw17F3Fe2l42huf/Pp3jxxm5Znpc=</string></array>
                <key>TSKExpirationDate</key><string>2027-01-31</string>
              </dict>
            </dict></dict>"#,
        );
        let (cfg, sets) = parse_plist(&bytes, "Info.plist")?;
        assert_eq!(cfg.bundle_id.as_deref(), Some("com.acme.pay"));
        assert!(cfg.arbitrary_loads && !cfg.arbitrary_loads_web);
        let e = &cfg.exceptions[0];
        assert_eq!(e.domain, "legacy.example.com");
        assert!(e.insecure_http && e.weak_tls() && !e.forward_secrecy && !e.requires_ct);
        assert_eq!(cfg.trustkit.len(), 2);
        assert!(!cfg.trustkit[0].enforce);
        // Only the enforced TrustKit domain pins anything.
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].domain, "pay.example.com");
        assert!(sets[0].expiration.is_some());
        Ok(())
    }

    #[test]
    fn wrong_types_name_the_key_path() {
        let bytes = plist(
            "<key>NSAppTransportSecurity</key><dict><key>NSAllowsArbitraryLoads</key><string>YES</string></dict>",
        );
        match parse_plist(&bytes, "Info.plist") {
            Err(PinImportError::Plist { key_path, .. }) => {
                assert_eq!(key_path, "NSAppTransportSecurity.NSAllowsArbitraryLoads")
            }
            other => panic!("expected a plist error, got {other:?}"),
        }
    }
}

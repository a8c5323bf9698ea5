//! Android: the whole `network_security_config.xml` (not only its pins)
//! and the manifest flags that change what it means.
//!
//! Inheritance follows the platform documentation: a `<domain-config>`
//! without `cleartextTrafficPermitted` or `<trust-anchors>` takes them from
//! the enclosing `<domain-config>`, and the outermost from `<base-config>`;
//! `<base-config>` values left out take the platform defaults, which depend
//! on the target SDK (see [`AndroidConfig::base_cleartext`] and
//! [`AndroidConfig::base_anchors`]). `<debug-overrides>` anchors apply only
//! when the build is debuggable.
//!
//! The document is parsed with the pin importer's bounds
//! ([`nsc_document`](crate::model::pin_import)); nesting is walked with an
//! explicit stack.

use serde::Serialize;

use crate::model::pin_import::{self, ImportedPinSet, PinImportError};

/// Cap on `<domain-config>` elements walked (nesting is input-controlled).
const MAX_DOMAIN_CONFIGS: usize = 100_000;

/// One `<certificates>` trust anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustAnchor {
    /// `system`, `user`, or a resource such as `@raw/extra_ca`.
    pub src: String,
    /// `overridePins="true"`: certificates from this source are trusted
    /// even when they match no pin.
    pub override_pins: bool,
}

impl TrustAnchor {
    fn new(src: &str, override_pins: bool) -> Self {
        Self {
            src: src.to_owned(),
            override_pins,
        }
    }
}

/// One `<domain>` with the configuration that applies to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainConfig {
    /// The host name (lower case).
    pub domain: String,
    /// `includeSubdomains`.
    pub include_subdomains: bool,
    /// `cleartextTrafficPermitted` of the nearest enclosing
    /// `<domain-config>` that declares it; `None` means inherited from the
    /// base configuration.
    pub cleartext: Option<bool>,
    /// `<trust-anchors>` of the nearest enclosing `<domain-config>` that
    /// has them; `None` means the base configuration's.
    pub anchors: Option<Vec<TrustAnchor>>,
    /// Pins in the effective `<pin-set>` (0: none).
    pub pins: usize,
    /// Where the `<domain>` is (`file:line:column`).
    pub origin: String,
}

/// A parsed network security config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NscConfig {
    /// `<base-config cleartextTrafficPermitted>`, when declared.
    pub base_cleartext: Option<bool>,
    /// `<base-config><trust-anchors>`, when declared.
    pub base_anchors: Option<Vec<TrustAnchor>>,
    /// Every `<domain>`, in document order.
    pub domains: Vec<DomainConfig>,
    /// `<debug-overrides>` trust anchors, when the element is present.
    pub debug_overrides: Option<Vec<TrustAnchor>>,
}

/// An Android app's network-security configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AndroidConfig {
    /// `targetSdkVersion` (unknown for a source-tree file).
    pub target_sdk: Option<u32>,
    /// `android:debuggable` on `<application>` (absent: not debuggable).
    pub debuggable: Option<bool>,
    /// `android:allowBackup` (absent: backups allowed).
    pub allow_backup: Option<bool>,
    /// `android:usesCleartextTraffic` (ignored when a network security
    /// config is set).
    pub uses_cleartext_traffic: Option<bool>,
    /// Whether the manifest was read (a built APK) or only the XML file.
    pub manifest_read: bool,
    /// The network security config, when the app has one.
    pub nsc: Option<NscConfig>,
}

impl AndroidConfig {
    /// Whether the build is debuggable (`<debug-overrides>` then apply).
    pub fn is_debuggable(&self) -> bool {
        self.debuggable == Some(true)
    }

    /// Whether cleartext is permitted by default (for hosts no
    /// `<domain-config>` names); `None` when it depends on a target SDK
    /// that is unknown. Android: the base-config attribute, else (without
    /// a config file) `usesCleartextTraffic`, else true below API 28.
    pub fn base_cleartext(&self) -> Option<bool> {
        if let Some(v) = self.nsc.as_ref().and_then(|n| n.base_cleartext) {
            return Some(v);
        }
        if self.nsc.is_none()
            && let Some(v) = self.uses_cleartext_traffic
        {
            return Some(v);
        }
        self.target_sdk.map(|sdk| sdk < 28)
    }

    /// The base trust anchors: declared, else system (and user CAs below
    /// API 24). With an unknown target SDK the API 24+ default (system
    /// only) is assumed: a network security config has no effect before
    /// Android 7, and [`Self::target_sdk`] says it was not known.
    pub fn base_anchors(&self) -> Vec<TrustAnchor> {
        if let Some(a) = self.nsc.as_ref().and_then(|n| n.base_anchors.clone()) {
            return a;
        }
        let mut out = vec![TrustAnchor::new("system", false)];
        if self.target_sdk.is_some_and(|sdk| sdk < 24) {
            out.push(TrustAnchor::new("user", false));
        }
        out
    }
}

/// Reads the configuration part of a network security config. Pins are
/// the pin importer's: `pinned` is what `pin_import::parse_android_nsc`
/// returned for the same text (which also validated domains and nesting);
/// it gives each domain's effective pin count.
pub fn parse_nsc(xml: &str, origin: &str, pinned: &[ImportedPinSet]) -> Result<NscConfig, PinImportError> {
    let doc = pin_import::nsc_document(xml, origin)?;
    let root = doc.root_element();
    let mut cfg = NscConfig::default();
    let element = |n: &roxmltree::Node<'_, '_>, name: &str| n.is_element() && n.tag_name().name() == name;

    for child in root.children().filter(roxmltree::Node::is_element) {
        match child.tag_name().name() {
            "base-config" => {
                cfg.base_cleartext = bool_attr(&doc, child, "cleartextTrafficPermitted", origin)?;
                cfg.base_anchors = anchors(&doc, child, origin)?;
            }
            "debug-overrides" => {
                cfg.debug_overrides = Some(anchors(&doc, child, origin)?.unwrap_or_default());
            }
            _ => {}
        }
    }

    // (config, inherited cleartext, inherited anchors)
    type Frame<'a, 'i> = (roxmltree::Node<'a, 'i>, Option<bool>, Option<Vec<TrustAnchor>>);
    let mut stack: Vec<Frame<'_, '_>> = root
        .children()
        .filter(|n| element(n, "domain-config"))
        .map(|n| (n, None, None))
        .rev()
        .collect();
    let mut walked = 0usize;
    let mut found: Vec<(usize, DomainConfig)> = Vec::new();
    while let Some((config, inherited_clear, inherited_anchors)) = stack.pop() {
        walked += 1;
        if walked > MAX_DOMAIN_CONFIGS {
            return Err(error_at(&doc, config, origin, "too many <domain-config> elements"));
        }
        let cleartext = bool_attr(&doc, config, "cleartextTrafficPermitted", origin)?.or(inherited_clear);
        let own_anchors = config
            .children()
            .find(|n| element(n, "trust-anchors"))
            .map(|_| anchors(&doc, config, origin))
            .transpose()?
            .flatten();
        let effective_anchors = own_anchors.or(inherited_anchors);
        let pins = config
            .children()
            .find(|n| element(n, "pin-set"))
            .map(|ps| ps.children().filter(|n| element(n, "pin")).count());
        for d in config.children().filter(|n| element(n, "domain")) {
            let name: String = d.children().filter_map(|t| t.text().filter(|_| t.is_text())).collect();
            let pos = doc.text_pos_at(d.range().start);
            found.push((
                d.range().start,
                DomainConfig {
                    domain: name.trim().to_lowercase(),
                    include_subdomains: bool_attr(&doc, d, "includeSubdomains", origin)?.unwrap_or(false),
                    cleartext,
                    anchors: effective_anchors.clone(),
                    pins: pins.unwrap_or(0),
                    origin: format!("{origin}:{}:{}", pos.row, pos.col),
                },
            ));
        }
        let nested: Vec<_> = config.children().filter(|n| element(n, "domain-config")).collect();
        stack.extend(
            nested
                .into_iter()
                .rev()
                .map(|n| (n, cleartext, effective_anchors.clone())),
        );
    }
    found.sort_by_key(|(at, _)| *at);
    cfg.domains = found.into_iter().map(|(_, d)| d).collect();
    // A nested config without a pin-set inherits its parent's pins: take
    // the counts the pin importer computed, which follow that rule.
    for d in &mut cfg.domains {
        if let Some(p) = pinned.iter().find(|p| p.domain == d.domain) {
            d.pins = p.pins.len();
        }
    }
    Ok(cfg)
}

/// The `<certificates>` of an element's `<trust-anchors>`, if it has one.
fn anchors(
    doc: &roxmltree::Document<'_>,
    node: roxmltree::Node<'_, '_>,
    origin: &str,
) -> Result<Option<Vec<TrustAnchor>>, PinImportError> {
    let Some(ta) = node
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == "trust-anchors")
    else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for c in ta
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "certificates")
    {
        let Some(src) = c.attribute("src") else {
            return Err(error_at(doc, c, origin, "<certificates> has no src attribute"));
        };
        let override_pins = bool_attr(doc, c, "overridePins", origin)?.unwrap_or(false);
        out.push(TrustAnchor::new(src.trim(), override_pins));
    }
    Ok(Some(out))
}

/// A `true`/`false` attribute (Android compares case-insensitively).
fn bool_attr(
    doc: &roxmltree::Document<'_>,
    node: roxmltree::Node<'_, '_>,
    name: &str,
    origin: &str,
) -> Result<Option<bool>, PinImportError> {
    match node.attribute(name).map(str::trim) {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(v) => Err(error_at(
            doc,
            node,
            origin,
            format!("{name} must be \"true\" or \"false\", found {}", pin_import::excerpt(v)),
        )),
    }
}

fn error_at(
    doc: &roxmltree::Document<'_>,
    node: roxmltree::Node<'_, '_>,
    origin: &str,
    message: impl Into<String>,
) -> PinImportError {
    let pos = doc.text_pos_at(node.range().start);
    pin_import::xml_error(origin, pos.row, pos.col, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSECURE: &str = r#"<network-security-config>
  <base-config cleartextTrafficPermitted="true">
    <trust-anchors><certificates src="system"/><certificates src="user"/></trust-anchors>
  </base-config>
  <domain-config cleartextTrafficPermitted="false">
    <domain includeSubdomains="true">example.com</domain>
    <trust-anchors><certificates src="@raw/extra_ca" overridePins="true"/></trust-anchors>
    <pin-set><pin digest="SHA-256">KM0CcwEFZmk3dD/Nw17F3Fe2l42huf/Pp3jxxm5Znpc=</pin></pin-set>
    <domain-config cleartextTrafficPermitted="true">
      <domain>legacy.example.com</domain>
    </domain-config>
  </domain-config>
  <debug-overrides><trust-anchors><certificates src="user"/></trust-anchors></debug-overrides>
</network-security-config>"#;

    #[test]
    fn inheritance_follows_android() -> Result<(), PinImportError> {
        let pins = pin_import::parse_android_nsc(INSECURE, "nsc.xml")?;
        let cfg = parse_nsc(INSECURE, "nsc.xml", &pins)?;
        assert_eq!(cfg.base_cleartext, Some(true));
        assert_eq!(cfg.base_anchors.as_ref().map(Vec::len), Some(2));
        assert_eq!(cfg.domains.len(), 2);
        let (outer, inner) = (&cfg.domains[0], &cfg.domains[1]);
        assert_eq!(
            (outer.domain.as_str(), outer.include_subdomains, outer.cleartext),
            ("example.com", true, Some(false))
        );
        assert_eq!(outer.origin, "nsc.xml:6:5");
        assert_eq!(inner.cleartext, Some(true));
        // The nested config inherits the outer anchors and pins.
        assert_eq!(inner.anchors, outer.anchors);
        assert_eq!(inner.pins, 1);
        assert!(
            inner
                .anchors
                .as_ref()
                .is_some_and(|a| a[0].override_pins && a[0].src == "@raw/extra_ca")
        );
        assert_eq!(cfg.debug_overrides, Some(vec![TrustAnchor::new("user", false)]));
        Ok(())
    }

    #[test]
    fn defaults_depend_on_the_target_sdk() {
        let mut app = AndroidConfig {
            nsc: Some(NscConfig::default()),
            ..AndroidConfig::default()
        };
        assert_eq!(app.base_cleartext(), None);
        app.target_sdk = Some(27);
        assert_eq!(app.base_cleartext(), Some(true));
        assert_eq!(app.base_anchors().len(), 1);
        app.target_sdk = Some(23);
        assert!(app.base_anchors().iter().any(|a| a.src == "user"));
        app.target_sdk = Some(34);
        assert_eq!(app.base_cleartext(), Some(false));
        // Without a config file the manifest flag decides.
        app.nsc = None;
        app.uses_cleartext_traffic = Some(true);
        assert_eq!(app.base_cleartext(), Some(true));
    }

    #[test]
    fn a_bad_boolean_is_an_error_with_its_position() {
        let xml =
            "<network-security-config>\n<base-config cleartextTrafficPermitted=\"yes\"/>\n</network-security-config>";
        match parse_nsc(xml, "f.xml", &[]) {
            Err(PinImportError::Xml { line, column, .. }) => assert_eq!((line, column), (2, 1)),
            other => panic!("expected an XML error, got {other:?}"),
        }
    }
}

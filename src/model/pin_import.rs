//! Import certificate-pin sets from a mobile app's own configuration files.
//!
//! Two sources are understood:
//!
//! * **Android** `res/xml/network_security_config.xml` (the plain-text XML
//!   form, as in the source tree or as decoded by apktool): every `<domain>`
//!   inside a `<domain-config>` becomes one [`ImportedPinSet`]. A nested
//!   `<domain-config>` without a `<pin-set>` of its own inherits its parent's
//!   pin-set, exactly as Android does. `<base-config>` and `<debug-overrides>`
//!   cannot carry pins and are ignored. Pins are [`PinScope::Any`].
//! * **iOS** `Info.plist` (XML, binary or ASCII plist):
//!   `NSAppTransportSecurity` → `NSPinnedDomains` → domain → leaf and CA
//!   identities. Leaf identities are [`PinScope::Leaf`], CA identities
//!   [`PinScope::Ca`]. iOS pins have no expiration.
//!
//! Validation follows the platforms: Android accepts only
//! `digest="SHA-256"` (compared case-insensitively, as Android does) and
//! tolerates missing `=` padding; iOS requires padded standard base64. Every
//! pin must decode to exactly 32 bytes and is re-encoded canonically (44
//! characters of padded standard base64). Android rejects a file that names
//! the same domain twice, has two `<pin-set>`s in one `<domain-config>` or a
//! `<domain-config>` without `<domain>`; so does this importer.
//!
//! Domains whose effective pin-set has no pins (no `<pin-set>`, an empty
//! one, or an iOS entry without identities) do not pin anything and produce
//! no [`ImportedPinSet`]. Duplicate pins inside one set are dropped (Android
//! keeps pins in a set too).
//!
//! Output order is deterministic: document order of the `<domain>` elements
//! for Android, sorted by domain for iOS.
//!
//! The input is treated as hostile: files over [`MAX_INPUT_BYTES`] are
//! refused, Android XML with a DTD is refused, XML node counts are capped,
//! nesting is walked without recursion, inherited pins are capped, plist
//! nesting depth, value count and expanded size are bounded (binary plists
//! can share objects, which would otherwise allow an exponential "billion
//! laughs" expansion, and the plist crate builds and drops values
//! recursively), and no input makes the importer panic. Error messages quote
//! at most a short, escaped excerpt of the offending input.

use std::collections::HashSet;
use std::io::{self, Cursor};
use std::path::Path;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use time::{Date, Month};

/// Largest configuration file, in bytes, that the importer accepts (4 MiB).
pub const MAX_INPUT_BYTES: u64 = 4 * 1024 * 1024;

/// Cap on XML nodes, bounding memory for pathological documents.
const MAX_XML_NODES: u32 = 1_000_000;
/// Cap on pins across all imported sets: inheritance copies a parent's
/// pin-set into every nested domain, which must not multiply without bound.
const MAX_TOTAL_PINS: usize = 100_000;
/// Cap on plist nesting (real `Info.plist` files nest about 5 deep; the
/// plist crate builds and drops values recursively).
const MAX_PLIST_DEPTH: usize = 128;
/// Cap on `(` and `{` in an ASCII plist, whose depth is not measured.
const MAX_ASCII_CONTAINERS: usize = 1024;
/// Cap on binary-plist objects and on values after expanding shared objects.
const MAX_PLIST_VALUES: usize = 1_000_000;
/// Cap on string and data bytes after expanding shared binary-plist objects.
const MAX_PLIST_PAYLOAD: usize = 64 * 1024 * 1024;
/// Length of a SHA-256 digest.
const SHA256_LEN: usize = 32;
/// Longest excerpt of offending input quoted in an error message.
const EXCERPT_CHARS: usize = 60;
/// Key path used for plist errors that concern the whole document.
const PLIST_ROOT: &str = "(root)";

/// Android's decoder does not insist on `=` padding.
const BASE64_PADDING_OPTIONAL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// Where a pin may match in the chain, when the source file says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PinScope {
    /// Any certificate in the chain (Android `<pin>`).
    Any,
    /// Only the leaf certificate (iOS `NSPinnedLeafIdentities`).
    Leaf,
    /// Only a CA certificate of the chain (iOS `NSPinnedCAIdentities`).
    Ca,
}

/// One pin: the SHA-256 hash of a certificate's SubjectPublicKeyInfo.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportedPin {
    /// SHA-256 of the DER SubjectPublicKeyInfo, as canonical padded standard
    /// base64 (always 44 characters).
    pub spki_sha256: String,
    /// Where in the chain the pin may match.
    pub scope: PinScope,
}

/// The pins an app enforces for one domain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportedPinSet {
    /// Host name, lower-cased.
    pub domain: String,
    /// Whether the pins also apply to every subdomain of [`Self::domain`].
    pub include_subdomains: bool,
    /// The pins, in file order, never empty, without duplicates.
    pub pins: Vec<ImportedPin>,
    /// Android `<pin-set expiration>`: after this date the app stops
    /// enforcing the pins. Always `None` for iOS. Serialized as `YYYY-MM-DD`.
    #[serde(with = "iso_date::option")]
    pub expiration: Option<Date>,
    /// Where the set was declared: `path:line:column` of the `<domain>`
    /// element for Android, `path: NSPinnedDomains["domain"]` for iOS.
    pub origin: String,
}

/// Why a configuration file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum PinImportError {
    /// The file could not be read, or is larger than [`MAX_INPUT_BYTES`]
    /// (then `source.kind()` is [`io::ErrorKind::FileTooLarge`]).
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file (or origin label) concerned.
        path: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// An Android XML file is malformed or violates the
    /// network-security-config rules; the position is 1-based.
    #[error("{path}:{line}:{column}: {message}")]
    Xml {
        /// The file (or origin label) concerned.
        path: String,
        /// 1-based line of the offending element (or syntax error).
        line: u32,
        /// 1-based column, in characters, of the offending element.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// An iOS plist is malformed or has an unexpected shape.
    #[error("{path}: {key_path}: {message}")]
    Plist {
        /// The file (or origin label) concerned.
        path: String,
        /// Key path of the offending value, e.g.
        /// `NSAppTransportSecurity.NSPinnedDomains["api.example.com"].NSPinnedLeafIdentities[1]`
        /// (array indices are 0-based); `(root)` for the whole document.
        key_path: String,
        /// What is wrong.
        message: String,
    },
}

/// Parses the text of an Android `network_security_config.xml`.
///
/// `origin` labels the input in errors and in [`ImportedPinSet::origin`].
/// Returns one set per `<domain>` that ends up pinned, in document order.
pub fn parse_android_nsc(xml: &str, origin: &str) -> Result<Vec<ImportedPinSet>, PinImportError> {
    let doc = nsc_document(xml, origin)?;
    NscParser { doc: &doc, origin }.run()
}

/// Parses the text of a network-security-config into an XML tree with the
/// importer's bounds (size, no DTD, node count); errors carry line:column.
/// Shared with the whole-config reader ([`super::app_config`]).
pub(crate) fn nsc_document<'x>(xml: &'x str, origin: &str) -> Result<roxmltree::Document<'x>, PinImportError> {
    check_size(xml.len(), origin)?;
    // Editors do not count a byte-order mark as a column.
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_XML_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(xml, options).map_err(|err| {
        let pos = err.pos();
        let message = err.to_string();
        let message = message
            .strip_suffix(&format!(" at {pos}"))
            .map_or_else(|| message.clone(), str::to_owned);
        xml_error(origin, pos.row, pos.col, message)
    })
}

/// Parses a plist (XML, binary or ASCII) with the importer's bounds (size,
/// depth, value count, expanded size) into its root dictionary. Shared
/// with the whole-config reader ([`super::app_config`]).
pub(crate) fn plist_root(bytes: &[u8], origin: &str) -> Result<plist::Dictionary, PinImportError> {
    check_size(bytes.len(), origin)?;
    prescan_plist(bytes, origin)?;
    let root = plist::Value::from_reader(Cursor::new(bytes))
        .map_err(|err| plist_error(origin, PLIST_ROOT, format!("not a valid plist: {err}")))?;
    match root {
        plist::Value::Dictionary(d) => Ok(d),
        other => Err(type_error(origin, PLIST_ROOT, "a dictionary", &other)),
    }
}

/// Reads and parses an Android `network_security_config.xml` file.
///
/// The origin is the path as displayed. Compiled (binary AXML) resources
/// taken straight from an APK are recognised and refused with a hint.
pub fn import_android_nsc(path: &Path) -> Result<Vec<ImportedPinSet>, PinImportError> {
    let origin = path.display().to_string();
    let bytes = read_limited(path, &origin)?;
    let text = xml_text(&bytes, &origin)?;
    parse_android_nsc(text, &origin)
}

/// Parses an iOS `Info.plist` (XML, binary or ASCII format).
///
/// `origin` labels the input in errors and in [`ImportedPinSet::origin`].
/// A plist without `NSPinnedDomains` yields an empty list. Sets are sorted
/// by domain.
pub fn parse_ios_plist(bytes: &[u8], origin: &str) -> Result<Vec<ImportedPinSet>, PinImportError> {
    let root = plist_root(bytes, origin)?;
    let Some(ats) = root.get("NSAppTransportSecurity") else {
        return Ok(Vec::new());
    };
    let ats_path = "NSAppTransportSecurity";
    let ats = ats
        .as_dictionary()
        .ok_or_else(|| type_error(origin, ats_path, "a dictionary", ats))?;
    let Some(pinned) = ats.get("NSPinnedDomains") else {
        return Ok(Vec::new());
    };
    let pinned_path = "NSAppTransportSecurity.NSPinnedDomains";
    let pinned = pinned
        .as_dictionary()
        .ok_or_else(|| type_error(origin, pinned_path, "a dictionary", pinned))?;

    let mut seen_domains = HashSet::new();
    let mut sets = Vec::new();
    for (key, entry) in pinned {
        // The key is untrusted and unbounded: quote a short excerpt.
        let key_path = format!("{pinned_path}[{}]", excerpt(key));
        let domain = key.to_lowercase();
        check_domain(&domain).map_err(|message| plist_error(origin, &key_path, message))?;
        if !seen_domains.insert(domain.clone()) {
            return Err(plist_error(
                origin,
                &key_path,
                "domain is listed more than once (keys differ only in letter case)",
            ));
        }
        let entry = entry
            .as_dictionary()
            .ok_or_else(|| type_error(origin, &key_path, "a dictionary", entry))?;
        let include_subdomains = match entry.get("NSIncludesSubdomains") {
            None => false,
            Some(value) => value.as_boolean().ok_or_else(|| {
                let path = format!("{key_path}.NSIncludesSubdomains");
                type_error(origin, &path, "a boolean", value)
            })?,
        };

        let mut pins = Vec::new();
        let mut seen_pins = HashSet::new();
        let lists = [
            ("NSPinnedLeafIdentities", PinScope::Leaf),
            ("NSPinnedCAIdentities", PinScope::Ca),
        ];
        for (list_key, scope) in lists {
            let Some(list) = entry.get(list_key) else {
                continue;
            };
            let list_path = format!("{key_path}.{list_key}");
            let list = list
                .as_array()
                .ok_or_else(|| type_error(origin, &list_path, "an array", list))?;
            for (index, identity) in list.iter().enumerate() {
                let identity_path = format!("{list_path}[{index}]");
                let identity = identity
                    .as_dictionary()
                    .ok_or_else(|| type_error(origin, &identity_path, "a dictionary", identity))?;
                let Some(spki) = identity.get("SPKI-SHA256-BASE64") else {
                    return Err(plist_error(
                        origin,
                        &identity_path,
                        "missing the SPKI-SHA256-BASE64 key",
                    ));
                };
                let Some(spki) = spki.as_string() else {
                    let message = format!("SPKI-SHA256-BASE64 must be a string, found {}", value_kind(spki));
                    return Err(plist_error(origin, &identity_path, message));
                };
                let spki_sha256 = decode_spki(spki, Padding::Required)
                    .map_err(|message| plist_error(origin, &identity_path, message))?;
                if seen_pins.insert((spki_sha256.clone(), scope)) {
                    pins.push(ImportedPin { spki_sha256, scope });
                }
            }
        }
        if pins.is_empty() {
            continue;
        }
        sets.push(ImportedPinSet {
            domain,
            include_subdomains,
            pins,
            expiration: None,
            origin: format!("{origin}: NSPinnedDomains[{key:?}]"),
        });
    }
    sets.sort_by(|a, b| a.domain.cmp(&b.domain));
    Ok(sets)
}

/// Reads and parses an iOS `Info.plist` file (XML, binary or ASCII format).
///
/// The origin is the path as displayed.
pub fn import_ios_plist(path: &Path) -> Result<Vec<ImportedPinSet>, PinImportError> {
    let origin = path.display().to_string();
    let bytes = read_limited(path, &origin)?;
    parse_ios_plist(&bytes, &origin)
}

/// Walks a parsed network-security-config document.
struct NscParser<'a, 'input> {
    doc: &'a roxmltree::Document<'input>,
    origin: &'a str,
}

/// A `<pin-set>` after validation.
struct ParsedPinSet {
    pins: Vec<ImportedPin>,
    expiration: Option<Date>,
}

/// A `<domain>` with the index of its effective pin-set, if any.
struct DomainEntry<'a, 'input> {
    node: roxmltree::Node<'a, 'input>,
    name: String,
    include_subdomains: bool,
    pin_set: Option<usize>,
}

impl<'a, 'input> NscParser<'a, 'input> {
    fn run(&self) -> Result<Vec<ImportedPinSet>, PinImportError> {
        let root = self.doc.root_element();
        if root.tag_name().name() != "network-security-config" {
            let message = format!(
                "root element is <{}>, expected <network-security-config>",
                excerpt_raw(root.tag_name().name())
            );
            return Err(self.error_at(root, message));
        }

        // Explicit stack: nesting depth is attacker-controlled.
        let mut stack: Vec<(roxmltree::Node<'a, 'input>, Option<usize>)> = root
            .children()
            .filter(|node| is_element(node, "domain-config"))
            .map(|node| (node, None))
            .rev()
            .collect();
        let mut pin_sets: Vec<ParsedPinSet> = Vec::new();
        let mut entries: Vec<DomainEntry<'a, 'input>> = Vec::new();

        while let Some((config, inherited)) = stack.pop() {
            let mut own_pin_set = None;
            let mut domains = Vec::new();
            let mut nested = Vec::new();
            for child in config.children().filter(roxmltree::Node::is_element) {
                match child.tag_name().name() {
                    "domain" => domains.push(self.parse_domain(child)?),
                    "pin-set" => {
                        if own_pin_set.is_some() {
                            return Err(self.error_at(
                                child,
                                "more than one <pin-set> in a <domain-config> (Android rejects this)",
                            ));
                        }
                        own_pin_set = Some(pin_sets.len());
                        pin_sets.push(self.parse_pin_set(child)?);
                    }
                    "domain-config" => nested.push(child),
                    _ => {}
                }
            }
            if domains.is_empty() {
                return Err(self.error_at(config, "<domain-config> has no <domain> element (Android rejects this)"));
            }
            let effective = own_pin_set.or(inherited);
            entries.extend(domains.into_iter().map(|(node, name, include_subdomains)| DomainEntry {
                node,
                name,
                include_subdomains,
                pin_set: effective,
            }));
            stack.extend(nested.into_iter().rev().map(|node| (node, effective)));
        }

        entries.sort_by_key(|entry| entry.node.range().start);
        let mut seen = HashSet::new();
        for entry in &entries {
            if !seen.insert(entry.name.as_str()) {
                let message = format!(
                    "domain {} is already specified earlier (Android rejects this)",
                    excerpt(&entry.name)
                );
                return Err(self.error_at(entry.node, message));
            }
        }

        let mut cursor = PosCursor::new(self.doc.input_text());
        let mut total_pins = 0usize;
        let mut sets = Vec::new();
        for entry in entries {
            let Some(pin_set) = entry.pin_set.and_then(|index| pin_sets.get(index)) else {
                continue;
            };
            if pin_set.pins.is_empty() {
                continue;
            }
            total_pins = total_pins.saturating_add(pin_set.pins.len());
            if total_pins > MAX_TOTAL_PINS {
                let message = format!("more than {MAX_TOTAL_PINS} pins in total; refusing to expand further");
                return Err(self.error_at(entry.node, message));
            }
            let (line, column) = cursor.advance_to(entry.node.range().start);
            sets.push(ImportedPinSet {
                domain: entry.name,
                include_subdomains: entry.include_subdomains,
                pins: pin_set.pins.clone(),
                expiration: pin_set.expiration,
                origin: format!("{}:{line}:{column}", self.origin),
            });
        }
        Ok(sets)
    }

    /// Validates a `<domain>`: returns it with its lower-cased name and
    /// `includeSubdomains`.
    fn parse_domain(
        &self,
        node: roxmltree::Node<'a, 'input>,
    ) -> Result<(roxmltree::Node<'a, 'input>, String, bool), PinImportError> {
        let include_subdomains = match node.attribute("includeSubdomains") {
            None => false,
            Some(raw) => match raw.trim() {
                value if value.eq_ignore_ascii_case("true") => true,
                value if value.eq_ignore_ascii_case("false") => false,
                _ => {
                    let message = format!(
                        "includeSubdomains must be \"true\" or \"false\", found {}",
                        excerpt(raw)
                    );
                    return Err(self.error_at(node, message));
                }
            },
        };
        let name = self.element_text(node)?.trim().to_lowercase();
        check_domain(&name).map_err(|message| self.error_at(node, message))?;
        Ok((node, name, include_subdomains))
    }

    fn parse_pin_set(&self, node: roxmltree::Node<'a, 'input>) -> Result<ParsedPinSet, PinImportError> {
        let expiration = match node.attribute("expiration") {
            None => None,
            Some(raw) => Some(parse_expiration(raw).ok_or_else(|| {
                let message = format!(
                    "invalid pin-set expiration date {}: expected a real date as YYYY-MM-DD",
                    excerpt(raw)
                );
                self.error_at(node, message)
            })?),
        };
        let mut pins = Vec::new();
        let mut seen = HashSet::new();
        // Android skips unknown children of <pin-set>.
        for pin in node.children().filter(|child| is_element(child, "pin")) {
            match pin.attribute("digest") {
                None => {
                    return Err(self.error_at(
                        pin,
                        "<pin> has no digest attribute; Android requires digest=\"SHA-256\"",
                    ));
                }
                Some(digest) if !digest.eq_ignore_ascii_case("SHA-256") => {
                    let message = format!(
                        "unsupported pin digest {}: Android only accepts SHA-256",
                        excerpt(digest)
                    );
                    return Err(self.error_at(pin, message));
                }
                Some(_) => {}
            }
            let text = self.element_text(pin)?;
            let spki_sha256 =
                decode_spki(text.trim(), Padding::Optional).map_err(|message| self.error_at(pin, message))?;
            if seen.insert(spki_sha256.clone()) {
                pins.push(ImportedPin {
                    spki_sha256,
                    scope: PinScope::Any,
                });
            }
        }
        Ok(ParsedPinSet { pins, expiration })
    }

    /// The text content of a text-only element (comments are skipped, as
    /// aapt2 strips them when compiling resources).
    fn element_text(&self, node: roxmltree::Node<'a, 'input>) -> Result<String, PinImportError> {
        let mut text = String::new();
        for child in node.children() {
            if child.is_element() {
                let message = format!(
                    "<{}> must contain only text, found <{}>",
                    node.tag_name().name(),
                    excerpt_raw(child.tag_name().name())
                );
                return Err(self.error_at(child, message));
            }
            if let Some(part) = child.text().filter(|_| child.is_text()) {
                text.push_str(part);
            }
        }
        Ok(text)
    }

    fn error_at(&self, node: roxmltree::Node<'a, 'input>, message: impl Into<String>) -> PinImportError {
        let pos = self.doc.text_pos_at(node.range().start);
        xml_error(self.origin, pos.row, pos.col, message)
    }
}

/// Converts byte offsets, visited in increasing order, to 1-based
/// line:column the way roxmltree counts them (columns in characters), in
/// linear total time.
struct PosCursor<'t> {
    text: &'t str,
    offset: usize,
    line: u32,
    column: u32,
}

impl<'t> PosCursor<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
            column: 1,
        }
    }

    fn advance_to(&mut self, target: usize) -> (u32, u32) {
        if target < self.offset {
            *self = Self::new(self.text);
        }
        let rest = self.text.get(self.offset..).unwrap_or_default();
        let mut consumed = rest.len();
        for (index, ch) in rest.char_indices() {
            if self.offset.saturating_add(index) >= target {
                consumed = index;
                break;
            }
            if ch == '\n' {
                self.line = self.line.saturating_add(1);
                self.column = 1;
            } else {
                self.column = self.column.saturating_add(1);
            }
        }
        self.offset = self.offset.saturating_add(consumed);
        (self.line, self.column)
    }
}

pub(crate) fn is_element(node: &roxmltree::Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name
}

/// Whether the padding of base64 pins is enforced.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Padding {
    /// Android: `android.util.Base64` accepts unpadded input.
    Optional,
    /// iOS: `NSData(base64Encoded:)` rejects unpadded input.
    Required,
}

/// Decodes a pin and returns it as canonical padded base64, or a message.
pub(crate) fn decode_spki(text: &str, padding: Padding) -> Result<String, String> {
    if text.is_empty() {
        return Err("pin value is empty".to_owned());
    }
    let decoded = match padding {
        Padding::Optional => BASE64_PADDING_OPTIONAL.decode(text),
        Padding::Required => STANDARD.decode(text),
    };
    let bytes = match decoded {
        Ok(bytes) => bytes,
        Err(err) => {
            let shown = excerpt(text);
            return Err(if text.contains(['-', '_']) {
                format!("pin {shown} is not standard base64: '-' and '_' belong to the URL-safe alphabet")
            } else if padding == Padding::Required && BASE64_PADDING_OPTIONAL.decode(text).is_ok() {
                format!("pin {shown} lacks '=' padding, which iOS requires")
            } else if text.chars().count() != 44 {
                format!(
                    "pin {shown} is not valid base64 ({err}); a base64 SHA-256 pin has 44 characters, this has {}",
                    text.chars().count()
                )
            } else {
                format!("pin {shown} is not valid base64 ({err})")
            });
        }
    };
    if bytes.len() != SHA256_LEN {
        let hint = match bytes.len() {
            20 => " (that is the size of a SHA-1 hash)",
            48 => " (that is the size of a SHA-384 hash)",
            64 => " (that is the size of a SHA-512 hash)",
            _ => "",
        };
        return Err(format!(
            "pin {} decodes to {} bytes, but a SHA-256 pin is {SHA256_LEN} bytes{hint}",
            excerpt(text),
            bytes.len()
        ));
    }
    Ok(STANDARD.encode(bytes))
}

/// Parses `YYYY-MM-DD` (month and day may have one digit, as Android's
/// non-lenient `SimpleDateFormat("yyyy-MM-dd")` accepts) into a real date.
pub(crate) fn parse_expiration(raw: &str) -> Option<Date> {
    let mut parts = raw.trim().split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some()
        || year.len() != 4
        || !(1..=2).contains(&month.len())
        || !(1..=2).contains(&day.len())
        || !all_digits(year)
        || !all_digits(month)
        || !all_digits(day)
    {
        return None;
    }
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

/// Checks a lower-cased domain name; returns a message when it is unusable.
pub(crate) fn check_domain(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("domain name is empty".to_owned());
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "domain name {} contains whitespace or control characters",
            excerpt(name)
        ));
    }
    if name.contains('/') {
        return Err(format!(
            "domain name {} looks like a URL; expected a bare host name",
            excerpt(name)
        ));
    }
    Ok(())
}

/// Refuses plists that `plist::Value` cannot be trusted with: the value
/// tree is built and dropped recursively, so deep nesting overflows the stack
/// (an abort, not a panic), and binary plists may share objects, so a small
/// file can expand exponentially ("billion laughs").
fn prescan_plist(bytes: &[u8], origin: &str) -> Result<(), PinImportError> {
    let result = if bytes.starts_with(b"bplist00") {
        scan_binary_plist(bytes)
    } else {
        let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
            scan_xml_plist(bytes)
        } else {
            scan_ascii_plist(bytes)
        }
    };
    result.map_err(|message| plist_error(origin, PLIST_ROOT, message))
}

/// XML plists: parse once with roxmltree and measure the element depth.
fn scan_xml_plist(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|err| format!("XML plist is not valid UTF-8 (byte {})", err.valid_up_to()))?;
    let options = roxmltree::ParsingOptions {
        // Info.plist files carry Apple's <!DOCTYPE plist ...>; roxmltree
        // bounds entity expansion itself.
        allow_dtd: true,
        nodes_limit: MAX_XML_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|err| format!("not a valid XML plist: {err}"))?;
    let mut stack = vec![(doc.root(), 0usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_PLIST_DEPTH {
            return Err(format!("plist nests deeper than {MAX_PLIST_DEPTH} levels"));
        }
        stack.extend(node.children().map(|child| (child, depth.saturating_add(1))));
    }
    Ok(())
}

/// ASCII (OpenStep) plists: every `(` or `{` may open a container, so their
/// count bounds the nesting depth.
fn scan_ascii_plist(bytes: &[u8]) -> Result<(), String> {
    let opens = bytes.iter().filter(|&&b| b == b'(' || b == b'{').count();
    if opens > MAX_ASCII_CONTAINERS {
        return Err(format!(
            "ASCII plist has more than {MAX_ASCII_CONTAINERS} '(' or '{{'; refusing it"
        ));
    }
    Ok(())
}

/// Per-object results of [`scan_binary_plist`].
#[derive(Clone, Copy, Default)]
struct ObjectScan {
    state: VisitState,
    values: u64,
    payload: u64,
    depth: usize,
}

#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum VisitState {
    #[default]
    New,
    Open,
    Done,
}

/// Shape of one binary-plist object.
struct ObjectShape {
    container: bool,
    payload: u64,
    refs_at: usize,
    ref_count: usize,
}

/// Binary plists: mirror the reader's object layout and compute, over the
/// object graph, how large and deep the value tree would become.
fn scan_binary_plist(bytes: &[u8]) -> Result<(), String> {
    const MALFORMED: &str = "not a valid binary plist (bad trailer or object table)";
    let malformed = || MALFORMED.to_owned();
    let trailer_start = bytes
        .len()
        .checked_sub(32)
        .filter(|&start| start >= 8)
        .ok_or_else(malformed)?;
    let field = |at: usize, size: usize| be_uint(bytes, trailer_start.saturating_add(at), size);
    let offset_size = usize::try_from(field(6, 1).ok_or_else(malformed)?).map_err(|_| malformed())?;
    let ref_size = usize::try_from(field(7, 1).ok_or_else(malformed)?).map_err(|_| malformed())?;
    if ![1, 2, 3, 4, 8].contains(&offset_size) || ![1, 2, 3, 4, 8].contains(&ref_size) {
        return Err(malformed());
    }
    let to_usize = |value: Option<u64>| value.and_then(|v| usize::try_from(v).ok());
    let object_count = to_usize(field(8, 8)).ok_or_else(malformed)?;
    let root = to_usize(field(16, 8)).ok_or_else(malformed)?;
    let table_at = to_usize(field(24, 8)).ok_or_else(malformed)?;
    if object_count > MAX_PLIST_VALUES {
        return Err(format!("binary plist declares more than {MAX_PLIST_VALUES} objects"));
    }
    let table_end = object_count
        .checked_mul(offset_size)
        .and_then(|len| len.checked_add(table_at))
        .ok_or_else(malformed)?;
    if table_end > trailer_start || root >= object_count {
        return Err(malformed());
    }

    let shape = |index: usize| -> Option<ObjectShape> {
        let entry = table_at.checked_add(index.checked_mul(offset_size)?)?;
        let at = usize::try_from(be_uint(bytes, entry, offset_size)?).ok()?;
        if at >= trailer_start {
            return None;
        }
        let token = *bytes.get(at)?;
        let (kind, low) = (token >> 4, token & 0x0f);
        // Same variable-length encoding as the reader: the low nibble, or
        // 0xf and then an integer object whose size is 2^(marker & 3).
        let (len, after) = if low == 0x0f {
            let size = 1usize << (*bytes.get(at.checked_add(1)?)? & 0x03);
            let len_at = at.checked_add(2)?;
            (be_uint(bytes, len_at, size)?, len_at.checked_add(size)?)
        } else {
            (u64::from(low), at.checked_add(1)?)
        };
        let ref_count = match kind {
            0xa => usize::try_from(len).ok()?,
            0xd => usize::try_from(len).ok()?.checked_mul(2)?,
            // Data, ASCII string, UTF-16 string (at most 3 UTF-8 bytes per unit).
            0x4..=0x6 => {
                let payload = if kind == 0x6 { len.saturating_mul(3) } else { len };
                return Some(ObjectShape {
                    container: false,
                    payload,
                    refs_at: 0,
                    ref_count: 0,
                });
            }
            _ => {
                return Some(ObjectShape {
                    container: false,
                    payload: 0,
                    refs_at: 0,
                    ref_count: 0,
                });
            }
        };
        let refs_end = ref_count.checked_mul(ref_size)?.checked_add(after)?;
        (refs_end <= trailer_start).then_some(ObjectShape {
            container: true,
            payload: 0,
            refs_at: after,
            ref_count,
        })
    };
    let child = |shape: &ObjectShape, n: usize| -> Option<usize> {
        let at = shape.refs_at.checked_add(n.checked_mul(ref_size)?)?;
        usize::try_from(be_uint(bytes, at, ref_size)?)
            .ok()
            .filter(|&index| index < object_count)
    };

    let mut scans = vec![ObjectScan::default(); object_count];
    let mut stack = vec![(root, false)];
    while let Some((index, exiting)) = stack.pop() {
        let shape = shape(index).ok_or_else(malformed)?;
        let state = scans.get(index).map(|scan| scan.state).ok_or_else(malformed)?;
        if !exiting {
            match state {
                VisitState::Done => continue,
                VisitState::Open => {
                    return Err("binary plist contains a recursive object".to_owned());
                }
                VisitState::New => {}
            }
            if let Some(scan) = scans.get_mut(index) {
                scan.state = VisitState::Open;
            }
            stack.push((index, true));
            for n in 0..shape.ref_count {
                let sub = child(&shape, n).ok_or_else(malformed)?;
                if scans.get(sub).is_some_and(|scan| scan.state != VisitState::Done) {
                    stack.push((sub, false));
                }
            }
            continue;
        }
        let mut values = 1u64;
        let mut payload = shape.payload;
        let mut depth = 0usize;
        for n in 0..shape.ref_count {
            let sub = child(&shape, n)
                .and_then(|c| scans.get(c))
                .copied()
                .ok_or_else(malformed)?;
            values = values.saturating_add(sub.values);
            payload = payload.saturating_add(sub.payload);
            depth = depth.max(sub.depth);
        }
        if shape.container {
            depth = depth.saturating_add(1);
        }
        if depth > MAX_PLIST_DEPTH {
            return Err(format!("plist nests deeper than {MAX_PLIST_DEPTH} levels"));
        }
        if values > MAX_PLIST_VALUES as u64 || payload > MAX_PLIST_PAYLOAD as u64 {
            return Err("binary plist expands to too many values or bytes (shared objects); refusing it".to_owned());
        }
        if let Some(scan) = scans.get_mut(index) {
            *scan = ObjectScan {
                state: VisitState::Done,
                values,
                payload,
                depth,
            };
        }
    }
    Ok(())
}

/// Reads a big-endian unsigned integer of `size` (1..=8) bytes at `at`.
fn be_uint(bytes: &[u8], at: usize, size: usize) -> Option<u64> {
    let slice = bytes.get(at..at.checked_add(size)?)?;
    if slice.len() > 8 {
        return None;
    }
    Some(slice.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

pub(crate) fn value_kind(value: &plist::Value) -> &'static str {
    match value {
        plist::Value::Array(_) => "an array",
        plist::Value::Dictionary(_) => "a dictionary",
        plist::Value::Boolean(_) => "a boolean",
        plist::Value::Data(_) => "data",
        plist::Value::Date(_) => "a date",
        plist::Value::Real(_) => "a real number",
        plist::Value::Integer(_) => "an integer",
        plist::Value::String(_) => "a string",
        plist::Value::Uid(_) => "a UID",
        _ => "an unknown value type",
    }
}

pub(crate) fn type_error(origin: &str, key_path: &str, expected: &str, found: &plist::Value) -> PinImportError {
    let message = format!("expected {expected}, found {}", value_kind(found));
    plist_error(origin, key_path, message)
}

pub(crate) fn plist_error(origin: &str, key_path: &str, message: impl Into<String>) -> PinImportError {
    PinImportError::Plist {
        path: origin.to_owned(),
        key_path: key_path.to_owned(),
        message: escape_controls(&message.into()),
    }
}

pub(crate) fn xml_error(origin: &str, line: u32, column: u32, message: impl Into<String>) -> PinImportError {
    PinImportError::Xml {
        path: origin.to_owned(),
        line,
        column,
        message: escape_controls(&message.into()),
    }
}

/// Escapes control characters: the XML and plist parsers quote the
/// offending character raw (`expected '>' not '\0'`), and a message must
/// never carry raw input to a terminal.
fn escape_controls(message: &str) -> String {
    if !message.chars().any(char::is_control) {
        return message.to_owned();
    }
    message
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn too_large(origin: &str, detail: String) -> PinImportError {
    PinImportError::Io {
        path: origin.to_owned(),
        source: io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("{detail}, over the {MAX_INPUT_BYTES}-byte (4 MiB) limit for app configuration files"),
        ),
    }
}

fn check_size(len: usize, origin: &str) -> Result<(), PinImportError> {
    let len = u64::try_from(len).unwrap_or(u64::MAX);
    if len > MAX_INPUT_BYTES {
        return Err(too_large(origin, format!("input is {len} bytes")));
    }
    Ok(())
}

/// Reads at most [`MAX_INPUT_BYTES`] from a regular file (see
/// [`crate::fsread`]: FIFOs, devices and directories are refused unread).
pub(crate) fn read_limited(path: &Path, origin: &str) -> Result<Vec<u8>, PinImportError> {
    use crate::fsread::ReadErrorKind;
    let bytes =
        crate::fsread::read_bounded(path, MAX_INPUT_BYTES, "app configuration file").map_err(|e| match e.kind {
            ReadErrorKind::TooLarge { .. } => too_large(origin, "the file is larger".into()),
            ReadErrorKind::Io(source) => PinImportError::Io {
                path: origin.to_owned(),
                source,
            },
            kind => {
                let io_kind = match kind {
                    ReadErrorKind::NotFound => io::ErrorKind::NotFound,
                    ReadErrorKind::PermissionDenied => io::ErrorKind::PermissionDenied,
                    ReadErrorKind::Directory => io::ErrorKind::IsADirectory,
                    _ => io::ErrorKind::InvalidInput,
                };
                PinImportError::Io {
                    path: origin.to_owned(),
                    source: io::Error::new(io_kind, kind.to_string()),
                }
            }
        })?;
    check_size(bytes.len(), origin)?;
    Ok(bytes)
}

/// Checks that an Android resource file is UTF-8 text.
pub(crate) fn xml_text<'b>(bytes: &'b [u8], origin: &str) -> Result<&'b str, PinImportError> {
    if bytes.starts_with(&[0x03, 0x00, 0x08, 0x00]) {
        return Err(xml_error(
            origin,
            1,
            1,
            "this is compiled Android binary XML (as stored in an APK); decode it first, e.g. with apktool",
        ));
    }
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(xml_error(origin, 1, 1, "file is UTF-16; convert it to UTF-8"));
    }
    std::str::from_utf8(bytes).map_err(|err| {
        let valid = bytes
            .get(..err.valid_up_to())
            .and_then(|prefix| std::str::from_utf8(prefix).ok())
            .unwrap_or_default();
        let valid = valid.strip_prefix('\u{feff}').unwrap_or(valid);
        let (line, column) = PosCursor::new(valid).advance_to(valid.len());
        xml_error(origin, line, column, "file is not valid UTF-8")
    })
}

/// Debug-quotes at most [`EXCERPT_CHARS`] characters of untrusted text.
pub(crate) fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        format!("{head:?}…")
    } else {
        format!("{head:?}")
    }
}

/// Like [`excerpt`], without quotes (for element names).
pub(crate) fn excerpt_raw(text: &str) -> String {
    let quoted = excerpt(text);
    quoted.trim_matches('"').to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn a_huge_domain_key_is_quoted_as_a_short_excerpt() {
        // Found by tests/fuzz_stable.rs: the whole key went into the path.
        let key = format!("api.{}example.com", "a".repeat(5000));
        let plist = format!(
            "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict><key>NSAppTransportSecurity</key><dict><key>NSPinnedDomains</key><dict><key>{key}</key><string>x</string></dict></dict></dict></plist>"
        );
        let err = parse_ios_plist(plist.as_bytes(), "Info.plist").unwrap_err().to_string();
        assert!(err.len() < 300, "{} characters: {err}", err.len());
        assert!(err.contains("NSPinnedDomains[\"api.aaaa"), "{err}");
    }

    #[test]
    fn parser_errors_never_quote_raw_control_characters() {
        // Found by tests/fuzz_stable.rs: roxmltree and the plist crate
        // quote the offending character as is.
        let err = parse_android_nsc("<network-security-config\0>", "f.xml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("\\0") && !err.contains('\0'), "{err}");
        let plist = b"<?xml version=\"1.0\"?><plist version=\"1.0\"><dict\x7f></dict></plist>";
        let err = parse_ios_plist(plist, "Info.plist").unwrap_err().to_string();
        assert!(!err.chars().any(char::is_control), "{err}");
        assert!(err.contains("\\u{7f}"), "{err}");
    }

    macro_rules! fixture {
        ($name:literal) => {
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pins/", $name)
        };
    }

    const NSC: &str = fixture!("network_security_config.xml");
    const INFO_PLIST: &str = fixture!("Info.plist");
    const INFO_BINARY: &str = fixture!("Info-binary.plist");

    const API_PRIMARY: &str = "GhqURzgmGHYRLBLI1VC2IhleUatCV35aGr20CV5jDGA=";
    const API_BACKUP: &str = "2+EOHLSslykWOU7tWsdmk2fj0hYD8IcQjCrAV8EBmUY=";
    const PSP_PRIMARY: &str = "na4qtT/wOHcDSVDfYHeFidKmSnXqkMriIXeoH/Q+poU=";
    const PSP_BACKUP: &str = "zcOuU6gbI0jznFz5dS0SscrTNAJcnJg8TqYRLwE1v98=";
    const IOS_LEAF: [&str; 2] = [
        "A8vZkpCO9aRIz7uut3xJ3DiPByS6jpaA12tqgsbON2E=",
        "vz/JHUNm3qtf71w4713M7I1HcFyv6J6QgHmXwkJQTJU=",
    ];
    const IOS_CA: [&str; 2] = [
        "THfQPylF/r4Cz+1G21X3aDZXV0KK4HUXC5cTCsHeydU=",
        "j+5RvHmfyRKx99AB1j/ivh68m+gqsnsn2tYYTKhnYs0=",
    ];

    fn pins(values: &[&str], scope: PinScope) -> Vec<ImportedPin> {
        values
            .iter()
            .map(|value| ImportedPin {
                spki_sha256: (*value).to_owned(),
                scope,
            })
            .collect()
    }

    fn set(
        domain: &str,
        include_subdomains: bool,
        pins: Vec<ImportedPin>,
        expiration: Option<Date>,
        origin: String,
    ) -> ImportedPinSet {
        ImportedPinSet {
            domain: domain.to_owned(),
            include_subdomains,
            pins,
            expiration,
            origin,
        }
    }

    /// Unwraps an `Xml` error into (line, column, message).
    fn xml_err(result: Result<Vec<ImportedPinSet>, PinImportError>) -> (u32, u32, String) {
        match result {
            Err(PinImportError::Xml {
                line, column, message, ..
            }) => (line, column, message),
            other => panic!("expected an Xml error, got {other:?}"),
        }
    }

    /// Unwraps a `Plist` error into (key path, message).
    fn plist_err(result: Result<Vec<ImportedPinSet>, PinImportError>) -> (String, String) {
        match result {
            Err(PinImportError::Plist { key_path, message, .. }) => (key_path, message),
            other => panic!("expected a Plist error, got {other:?}"),
        }
    }

    /// A 32-byte pin derived from `seed`, canonical base64.
    fn pin_for(seed: u16) -> String {
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = (seed.to_be_bytes()[i % 2]).wrapping_add(i as u8);
        }
        STANDARD.encode(bytes)
    }

    fn nsc(body: &str) -> String {
        format!("<network-security-config>{body}</network-security-config>")
    }

    // ---------- Android fixtures ----------

    #[test]
    fn android_fixture_every_field() {
        let sets = import_android_nsc(Path::new(NSC)).unwrap();
        let expiry = Some(time::macros::date!(2026 - 06 - 30));
        let api = pins(&[API_PRIMARY, API_BACKUP], PinScope::Any);
        let psp = pins(&[PSP_PRIMARY, PSP_BACKUP], PinScope::Any);
        let at = |line: u32, column: u32| format!("{NSC}:{line}:{column}");
        let expected = vec![
            set("api.acme-shop.example", true, api.clone(), expiry, at(22, 9)),
            // Lower-cased; includeSubdomains="false" spelled out.
            set("auth.acme-shop.example", false, api.clone(), expiry, at(23, 9)),
            // Nested, no pin-set: inherits the parent's pins and expiration.
            set("cdn.acme-shop.example", true, api, expiry, at(40, 13)),
            // Nested with its own pin-set: replaces the parent's, no expiration.
            set("payments.acme-shop.example", true, psp.clone(), None, at(45, 13)),
            // Two levels down, inherits from the nearest ancestor with a pin-set;
            // includeSubdomains defaults to false.
            set("acs.payments.acme-shop.example", false, psp, None, at(53, 17)),
        ];
        // telemetry.acme-shop.example has no pins and is left out.
        assert_eq!(sets, expected);
        for set in &sets {
            for pin in &set.pins {
                assert_eq!(pin.spki_sha256.len(), 44);
            }
        }
    }

    #[test]
    fn android_parse_uses_given_origin() {
        let text = std::fs::read_to_string(NSC).unwrap();
        let sets = parse_android_nsc(&text, "app/res/xml/network_security_config.xml").unwrap();
        assert_eq!(sets.len(), 5);
        assert_eq!(sets[0].origin, "app/res/xml/network_security_config.xml:22:9");
    }

    #[test]
    fn android_bad_digest_fixture() {
        let (line, column, message) = xml_err(import_android_nsc(Path::new(fixture!(
            "network_security_config.bad-digest.xml"
        ))));
        assert_eq!((line, column), (9, 13));
        assert!(message.contains("\"SHA-1\""), "{message}");
        assert!(message.contains("only accepts SHA-256"), "{message}");
    }

    #[test]
    fn android_bad_base64_fixture() {
        let (line, column, message) = xml_err(import_android_nsc(Path::new(fixture!(
            "network_security_config.bad-base64.xml"
        ))));
        assert_eq!((line, column), (8, 5));
        assert!(message.contains("URL-safe"), "{message}");
    }

    #[test]
    fn android_bad_length_fixture() {
        let (line, column, message) = xml_err(import_android_nsc(Path::new(fixture!(
            "network_security_config.bad-length.xml"
        ))));
        assert_eq!((line, column), (6, 18));
        assert!(message.contains("decodes to 20 bytes"), "{message}");
        assert!(message.contains("SHA-1"), "{message}");
    }

    #[test]
    fn android_bad_expiration_fixture() {
        let (line, column, message) = xml_err(import_android_nsc(Path::new(fixture!(
            "network_security_config.bad-expiration.xml"
        ))));
        assert_eq!((line, column), (6, 11));
        assert!(message.contains("\"2026-06-31\""), "{message}");
    }

    #[test]
    fn android_malformed_fixture_reports_roxmltree_position() {
        let path = fixture!("network_security_config.malformed.xml");
        let err = import_android_nsc(Path::new(path)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{path}:8:9: expected 'pin-set' tag, not 'pinset'")
        );
        let (line, column, _) = xml_err(Err(err));
        assert_eq!((line, column), (8, 9));
    }

    // ---------- Android rules ----------

    #[test]
    fn android_document_order_and_inheritance_override() {
        let xml = nsc(&format!(
            r#"<domain-config>
  <domain-config><domain>b.example</domain></domain-config>
  <domain>a.example</domain>
  <pin-set expiration="2030-1-2"><pin digest="SHA-256">{p1}</pin></pin-set>
  <domain-config>
    <domain>c.example</domain>
    <pin-set><pin digest="sha-256">{p2}</pin></pin-set>
    <domain-config><domain>d.example</domain></domain-config>
  </domain-config>
</domain-config>"#,
            p1 = pin_for(1),
            p2 = pin_for(2)
        ));
        let sets = parse_android_nsc(&xml, "x.xml").unwrap();
        let names: Vec<_> = sets.iter().map(|s| s.domain.as_str()).collect();
        assert_eq!(names, ["b.example", "a.example", "c.example", "d.example"]);
        // The pin-set comes after the nested config in the file but still applies.
        assert_eq!(sets[0].pins, pins(&[&pin_for(1)], PinScope::Any));
        assert_eq!(sets[0].expiration, Some(time::macros::date!(2030 - 01 - 02)));
        assert_eq!(sets[2].pins, pins(&[&pin_for(2)], PinScope::Any));
        assert_eq!(sets[3].pins, sets[2].pins);
        assert_eq!(sets[3].expiration, None);
        assert_eq!(sets[0].origin, "x.xml:2:18");
        assert_eq!(sets[1].origin, "x.xml:3:3");
    }

    #[test]
    fn android_ignores_base_config_debug_overrides_and_unpinned() {
        let p = pin_for(7);
        let xml = nsc(&format!(
            r#"<base-config><pin-set><pin digest="SHA-256">{p}</pin></pin-set></base-config>
<debug-overrides><trust-anchors><certificates src="user"/></trust-anchors>
  <pin-set><pin digest="SHA-256">{p}</pin></pin-set></debug-overrides>
<domain-config><domain>empty.example</domain><pin-set/></domain-config>
<domain-config><domain>none.example</domain></domain-config>
<unknown-element><domain-config><domain>x</domain></domain-config></unknown-element>"#
        ));
        assert_eq!(parse_android_nsc(&xml, "x").unwrap(), Vec::new());
        assert_eq!(parse_android_nsc(&nsc(""), "x").unwrap(), Vec::new());
    }

    #[test]
    fn android_pin_normalisation() {
        let p = pin_for(3);
        let unpadded = p.trim_end_matches('=');
        let xml = nsc(&format!(
            r#"<domain-config><domain includeSubdomains=" TRUE ">
    Mixed.Example  </domain>
<pin-set>
  <pin digest="SHA-256">

      {unpadded}
  </pin>
  <!-- duplicate of the first, Android keeps pins in a set -->
  <pin digest="SHA-256">{p}</pin>
  <note>ignored, as Android skips unknown children</note>
</pin-set></domain-config>"#
        ));
        let sets = parse_android_nsc(&xml, "x").unwrap();
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].domain, "mixed.example");
        assert!(sets[0].include_subdomains);
        assert_eq!(sets[0].pins, pins(&[&p], PinScope::Any));
    }

    #[test]
    fn android_structural_errors() {
        let p = pin_for(4);
        let cases: &[(String, (u32, u32), &str)] = &[
            (
                nsc(
                    "<domain-config><domain>a</domain></domain-config>\n<domain-config><domain>A</domain></domain-config>",
                ),
                (2, 16),
                "already specified",
            ),
            (
                nsc("<domain-config><domain>a</domain><pin-set/>\n  <pin-set/></domain-config>"),
                (2, 3),
                "more than one <pin-set>",
            ),
            (
                nsc("\n<domain-config><pin-set/></domain-config>"),
                (2, 1),
                "no <domain>",
            ),
            (
                nsc("<domain-config><domain>  </domain></domain-config>"),
                (1, 41),
                "domain name is empty",
            ),
            (
                nsc("<domain-config><domain>a<b/></domain></domain-config>"),
                (1, 50),
                "only text",
            ),
            (
                nsc("<domain-config><domain>https://a.example/</domain></domain-config>"),
                (1, 41),
                "looks like a URL",
            ),
            (
                nsc(r#"<domain-config><domain includeSubdomains="yes">a</domain></domain-config>"#),
                (1, 41),
                "includeSubdomains",
            ),
            (
                nsc(&format!(
                    "<domain-config><domain>a</domain><pin-set>\n<pin>{p}</pin></pin-set></domain-config>"
                )),
                (2, 1),
                "no digest attribute",
            ),
            (
                nsc(
                    r#"<domain-config><domain>a</domain><pin-set><pin digest="SHA-256"> </pin></pin-set></domain-config>"#,
                ),
                (1, 68),
                "empty",
            ),
            (
                nsc(
                    r#"<domain-config><domain>a</domain><pin-set><pin digest="SHA-256">AAAA@AAA</pin></pin-set></domain-config>"#,
                ),
                (1, 68),
                "not valid base64",
            ),
            (
                nsc(r#"<domain-config><domain>a</domain><pin-set expiration="30/06/2026"/></domain-config>"#),
                (1, 59),
                "expiration",
            ),
            (
                "<manifest><domain-config/></manifest>".to_owned(),
                (1, 1),
                "expected <network-security-config>",
            ),
            (
                "<!DOCTYPE x [<!ENTITY a 'b'>]><network-security-config/>".to_owned(),
                (1, 1),
                "DTD",
            ),
            ("".to_owned(), (1, 1), "does not have a root node"),
        ];
        for (xml, position, needle) in cases {
            let (line, column, message) = xml_err(parse_android_nsc(xml, "x"));
            assert_eq!((line, column), *position, "{xml}\n{message}");
            assert!(message.contains(needle), "{xml}\n{message}");
        }
    }

    #[test]
    fn android_positions_ignore_bom_and_count_characters() {
        let bad_pin = "<pin digest=\"MD5\">x</pin></pin-set></domain-config></network-security-config>";
        // The byte-order mark is not a column.
        let xml = format!("\u{feff}<network-security-config><domain-config><domain>x</domain><pin-set>{bad_pin}");
        let (line, column, _) = xml_err(parse_android_nsc(&xml, "x"));
        assert_eq!((line, column), (1, 68));
        // Columns count characters, not bytes; CRLF ends a line.
        let xml =
            format!("<network-security-config><!-- é€😀 -->\r\n<domain-config><domain>é€😀</domain><pin-set>{bad_pin}");
        let (line, column, _) = xml_err(parse_android_nsc(&xml, "x"));
        assert_eq!((line, column), (2, 45));
    }

    #[test]
    fn pos_cursor_matches_roxmltree() {
        let texts = [
            std::fs::read_to_string(NSC).unwrap(),
            "<a>\r\n  <b>é€😀</b>\r\n<c/>😀<d>\n\n</d><e/></a>".to_owned(),
        ];
        for text in &texts {
            let doc = roxmltree::Document::parse(text).unwrap();
            let mut starts: Vec<usize> = doc.descendants().map(|n| n.range().start).collect();
            starts.sort_unstable();
            let mut cursor = PosCursor::new(doc.input_text());
            for start in starts {
                let pos = doc.text_pos_at(start);
                assert_eq!(cursor.advance_to(start), (pos.row, pos.col), "offset {start}");
            }
            // Going backwards restarts from the top.
            assert_eq!(cursor.advance_to(0), (1, 1));
        }
    }

    #[test]
    fn android_expiration_formats() {
        assert_eq!(
            parse_expiration("2026-06-30"),
            Some(time::macros::date!(2026 - 06 - 30))
        );
        assert_eq!(
            parse_expiration(" 2026-6-3 "),
            Some(time::macros::date!(2026 - 06 - 03))
        );
        assert_eq!(
            parse_expiration("2024-02-29"),
            Some(time::macros::date!(2024 - 02 - 29))
        );
        for bad in [
            "2025-02-29",
            "2026-13-01",
            "2026-00-10",
            "26-06-30",
            "2026-06-30T00:00",
            "2026/06/30",
            "+2026-06-30",
            "2026-006-30",
            "",
            "--",
            "2026-06-30-",
        ] {
            assert_eq!(parse_expiration(bad), None, "{bad}");
        }
    }

    #[test]
    fn android_deep_nesting_is_iterative() {
        let depth = 20_000;
        let mut xml = String::from("<network-security-config><domain-config><domain>root.example</domain>");
        xml.push_str(&format!(
            "<pin-set><pin digest=\"SHA-256\">{}</pin></pin-set>",
            pin_for(9)
        ));
        for i in 0..depth {
            xml.push_str(&format!("<domain-config><domain>d{i}.example</domain>"));
        }
        xml.push_str(&"</domain-config>".repeat(depth + 1));
        xml.push_str("</network-security-config>");
        let sets = parse_android_nsc(&xml, "deep").unwrap();
        assert_eq!(sets.len(), depth + 1);
        assert_eq!(sets[depth].domain, format!("d{}.example", depth - 1));
        assert_eq!(sets[depth].pins, sets[0].pins);
    }

    #[test]
    fn android_inherited_pin_explosion_is_refused() {
        let pin_set: String = (0..200)
            .map(|i| format!("<pin digest=\"SHA-256\">{}</pin>", pin_for(i)))
            .collect();
        let mut xml = format!("<network-security-config><domain-config><domain>a</domain><pin-set>{pin_set}</pin-set>");
        for i in 0..600 {
            xml.push_str(&format!("<domain-config><domain>d{i}</domain></domain-config>"));
        }
        xml.push_str("</domain-config></network-security-config>");
        let (_, _, message) = xml_err(parse_android_nsc(&xml, "bomb"));
        assert!(message.contains("pins in total"), "{message}");
    }

    // ---------- iOS fixtures ----------

    fn expected_ios(origin: &str) -> Vec<ImportedPinSet> {
        vec![
            set(
                "api.acme-shop.example",
                false,
                pins(&IOS_LEAF, PinScope::Leaf),
                None,
                format!("{origin}: NSPinnedDomains[\"api.acme-shop.example\"]"),
            ),
            set(
                "cdn.acme-shop.example",
                true,
                pins(&IOS_CA, PinScope::Ca),
                None,
                format!("{origin}: NSPinnedDomains[\"cdn.acme-shop.example\"]"),
            ),
        ]
    }

    #[test]
    fn ios_xml_fixture_every_field() {
        // The file lists cdn before api: output is sorted by domain.
        assert_eq!(
            import_ios_plist(Path::new(INFO_PLIST)).unwrap(),
            expected_ios(INFO_PLIST)
        );
    }

    #[test]
    fn ios_binary_fixture_matches_xml() {
        let bytes = std::fs::read(INFO_BINARY).unwrap();
        assert!(bytes.starts_with(b"bplist00"));
        assert_eq!(
            import_ios_plist(Path::new(INFO_BINARY)).unwrap(),
            expected_ios(INFO_BINARY)
        );
        assert_eq!(
            parse_ios_plist(&bytes, "Info.plist").unwrap(),
            expected_ios("Info.plist")
        );
    }

    #[test]
    fn ios_bad_base64_fixture() {
        let (key_path, message) = plist_err(import_ios_plist(Path::new(fixture!("Info.bad-base64.plist"))));
        assert_eq!(
            key_path,
            "NSAppTransportSecurity.NSPinnedDomains[\"api.acme-shop.example\"].NSPinnedLeafIdentities[1]"
        );
        assert!(message.contains("not valid base64"), "{message}");
        assert!(message.contains("this has 42"), "{message}");
    }

    #[test]
    fn ios_bad_type_fixture() {
        let path = fixture!("Info.bad-type.plist");
        let err = import_ios_plist(Path::new(path)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{path}: NSAppTransportSecurity.NSPinnedDomains: expected a dictionary, found an array")
        );
        plist_err(Err(err));
    }

    // ---------- iOS rules ----------

    fn info_plist(ats: &str) -> Vec<u8> {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict><key>CFBundleIdentifier</key><string>x</string>{ats}</dict></plist>"#
        )
        .into_bytes()
    }

    fn pinned(domains: &str) -> Vec<u8> {
        info_plist(&format!(
            "<key>NSAppTransportSecurity</key><dict><key>NSPinnedDomains</key><dict>{domains}</dict></dict>"
        ))
    }

    fn identity(spki: &str) -> String {
        format!("<dict><key>SPKI-SHA256-BASE64</key><string>{spki}</string></dict>")
    }

    #[test]
    fn ios_without_pins_is_empty() {
        for plist in [
            info_plist(""),
            info_plist("<key>NSAppTransportSecurity</key><dict><key>NSAllowsArbitraryLoads</key><true/></dict>"),
            pinned(""),
            pinned("<key>a.example</key><dict><key>NSIncludesSubdomains</key><true/></dict>"),
            pinned("<key>a.example</key><dict><key>NSPinnedCAIdentities</key><array/></dict>"),
        ] {
            assert_eq!(parse_ios_plist(&plist, "Info.plist").unwrap(), Vec::new());
        }
    }

    #[test]
    fn ios_mixed_scopes_lowercase_and_dedup() {
        let (a, b) = (pin_for(10), pin_for(11));
        let plist = pinned(&format!(
            "<key>Z.Example</key><dict><key>NSPinnedLeafIdentities</key><array>{}{}</array>\
             <key>NSPinnedCAIdentities</key><array>{}{}</array></dict>",
            identity(&a),
            identity(&a),
            identity(&a),
            identity(&b)
        ));
        let sets = parse_ios_plist(&plist, "Info.plist").unwrap();
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].domain, "z.example");
        assert!(!sets[0].include_subdomains);
        assert_eq!(sets[0].origin, "Info.plist: NSPinnedDomains[\"Z.Example\"]");
        let mut expected = pins(&[&a], PinScope::Leaf);
        expected.extend(pins(&[&a, &b], PinScope::Ca));
        assert_eq!(sets[0].pins, expected);
    }

    #[test]
    fn ios_type_and_value_errors_name_the_key_path() {
        let p = pin_for(12);
        let d = "NSAppTransportSecurity.NSPinnedDomains[\"a.example\"]";
        let cases: Vec<(Vec<u8>, String, &str)> = vec![
            (
                info_plist("<key>NSAppTransportSecurity</key><string>no</string>"),
                "NSAppTransportSecurity".to_owned(),
                "expected a dictionary, found a string",
            ),
            (
                pinned("<key>a.example</key><array/>"),
                d.to_owned(),
                "expected a dictionary, found an array",
            ),
            (
                pinned("<key>a.example</key><dict><key>NSIncludesSubdomains</key><string>YES</string></dict>"),
                format!("{d}.NSIncludesSubdomains"),
                "expected a boolean, found a string",
            ),
            (
                pinned("<key>a.example</key><dict><key>NSPinnedLeafIdentities</key><dict/></dict>"),
                format!("{d}.NSPinnedLeafIdentities"),
                "expected an array, found a dictionary",
            ),
            (
                pinned(
                    "<key>a.example</key><dict><key>NSPinnedCAIdentities</key><array><string>x</string></array></dict>",
                ),
                format!("{d}.NSPinnedCAIdentities[0]"),
                "expected a dictionary, found a string",
            ),
            (
                pinned("<key>a.example</key><dict><key>NSPinnedCAIdentities</key><array><dict/></array></dict>"),
                format!("{d}.NSPinnedCAIdentities[0]"),
                "missing the SPKI-SHA256-BASE64 key",
            ),
            (
                pinned(&format!(
                    "<key>a.example</key><dict><key>NSPinnedCAIdentities</key><array>\
                     <dict><key>SPKI-SHA256-BASE64</key><data>{p}</data></dict></array></dict>"
                )),
                format!("{d}.NSPinnedCAIdentities[0]"),
                "must be a string, found data",
            ),
            (
                pinned(&format!(
                    "<key>a.example</key><dict><key>NSPinnedLeafIdentities</key><array>{}</array></dict>",
                    identity(p.trim_end_matches('='))
                )),
                format!("{d}.NSPinnedLeafIdentities[0]"),
                "lacks '=' padding",
            ),
            (
                pinned(&format!(
                    "<key>a.example</key><dict><key>NSPinnedLeafIdentities</key><array>{}</array></dict>",
                    identity(&format!(" {p}"))
                )),
                format!("{d}.NSPinnedLeafIdentities[0]"),
                "not valid base64",
            ),
            (
                pinned(&format!(
                    "<key>a.example</key><dict><key>NSPinnedLeafIdentities</key><array>{}</array></dict>",
                    identity(&STANDARD.encode([0u8; 48]))
                )),
                format!("{d}.NSPinnedLeafIdentities[0]"),
                "SHA-384",
            ),
            (
                pinned(&format!(
                    "<key>a.example</key><dict/><key>A.example</key><dict><key>NSPinnedLeafIdentities</key><array>{}</array></dict>",
                    identity(&p)
                )),
                "NSAppTransportSecurity.NSPinnedDomains[\"A.example\"]".to_owned(),
                "more than once",
            ),
            (
                pinned("<key></key><dict/>"),
                "NSAppTransportSecurity.NSPinnedDomains[\"\"]".to_owned(),
                "empty",
            ),
            (
                b"<plist version=\"1.0\"><array/></plist>".to_vec(),
                "(root)".to_owned(),
                "expected a dictionary, found an array",
            ),
            (
                b"<plist><dict><key>a</key></plist>".to_vec(),
                "(root)".to_owned(),
                "not a valid XML plist",
            ),
            (Vec::new(), "(root)".to_owned(), ""),
        ];
        for (plist, key_path, needle) in cases {
            let (got_path, message) = plist_err(parse_ios_plist(&plist, "Info.plist"));
            assert_eq!(got_path, key_path, "{}", String::from_utf8_lossy(&plist));
            assert!(message.contains(needle), "{message}");
        }
    }

    #[test]
    fn ios_ascii_plist_is_read() {
        let p = pin_for(13);
        let text = format!(
            "{{ NSAppTransportSecurity = {{ NSPinnedDomains = {{ \"a.example\" = {{ \
             NSPinnedLeafIdentities = ( {{ \"SPKI-SHA256-BASE64\" = \"{p}\"; }} ); }}; }}; }}; }}"
        );
        let sets = parse_ios_plist(text.as_bytes(), "Info.plist").unwrap();
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].pins, pins(&[&p], PinScope::Leaf));
    }

    // ---------- hostile input ----------

    /// Lays out a binary plist from encoded objects (2-byte refs, 4-byte offsets).
    fn binary_plist(objects: &[Vec<u8>], root: u64) -> Vec<u8> {
        let mut out = b"bplist00".to_vec();
        let mut offsets = Vec::new();
        for object in objects {
            offsets.push(u32::try_from(out.len()).unwrap());
            out.extend_from_slice(object);
        }
        let table = out.len() as u64;
        for offset in offsets {
            out.extend_from_slice(&offset.to_be_bytes());
        }
        out.extend_from_slice(&[0, 0, 0, 0, 0, 0, 4, 2]);
        out.extend_from_slice(&(objects.len() as u64).to_be_bytes());
        out.extend_from_slice(&root.to_be_bytes());
        out.extend_from_slice(&table.to_be_bytes());
        out
    }

    fn binary_array(refs: &[u16]) -> Vec<u8> {
        let mut out = if refs.len() < 15 {
            vec![0xa0 | refs.len() as u8]
        } else {
            let mut head = vec![0xaf, 0x11];
            head.extend_from_slice(&u16::try_from(refs.len()).unwrap().to_be_bytes());
            head
        };
        for r in refs {
            out.extend_from_slice(&r.to_be_bytes());
        }
        out
    }

    #[test]
    fn binary_plist_helper_produces_valid_plists() {
        let bytes = binary_plist(&[binary_array(&[1; 20]), vec![0x09]], 0);
        let (key_path, message) = plist_err(parse_ios_plist(&bytes, "x"));
        assert_eq!(key_path, "(root)");
        assert!(message.contains("expected a dictionary, found an array"), "{message}");
    }

    #[test]
    fn binary_plist_shared_object_bomb_is_refused() {
        // 2^40 values once expanded, in well under a kilobyte.
        let mut objects: Vec<Vec<u8>> = (1..=40u16).map(|next| binary_array(&[next, next])).collect();
        objects.push(vec![0x09]);
        let (_, message) = plist_err(parse_ios_plist(&binary_plist(&objects, 0), "x"));
        assert!(message.contains("expands to too many"), "{message}");
    }

    #[test]
    fn binary_plist_deep_and_recursive_are_refused() {
        let mut objects: Vec<Vec<u8>> = (1..=5_000u16).map(|next| binary_array(&[next])).collect();
        objects.push(vec![0x09]);
        let (_, message) = plist_err(parse_ios_plist(&binary_plist(&objects, 0), "x"));
        assert!(message.contains("deeper than"), "{message}");

        let cycle = binary_plist(&[binary_array(&[1]), binary_array(&[0])], 0);
        let (_, message) = plist_err(parse_ios_plist(&cycle, "x"));
        assert!(message.contains("recursive"), "{message}");
    }

    #[test]
    fn text_plist_deep_nesting_is_refused() {
        let depth = 100_000;
        let xml = format!(
            "<plist version=\"1.0\">{}{}</plist>",
            "<array>".repeat(depth),
            "</array>".repeat(depth)
        );
        let (_, message) = plist_err(parse_ios_plist(xml.as_bytes(), "x"));
        assert!(message.contains("deeper than"), "{message}");

        let ascii = format!("{}{}", "(".repeat(depth), ")".repeat(depth));
        let (_, message) = plist_err(parse_ios_plist(ascii.as_bytes(), "x"));
        assert!(message.contains("refusing"), "{message}");
    }

    #[test]
    fn oversized_input_is_refused() {
        let big = " ".repeat(MAX_INPUT_BYTES as usize + 1);
        for result in [
            parse_android_nsc(&big, "big.xml"),
            parse_ios_plist(big.as_bytes(), "big.plist"),
        ] {
            match result {
                Err(PinImportError::Io { source, .. }) => {
                    assert_eq!(source.kind(), io::ErrorKind::FileTooLarge);
                }
                other => panic!("expected a size error, got {other:?}"),
            }
        }
        let path = temp_file("big.xml", big.as_bytes());
        let err = import_android_nsc(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(err.to_string().contains("4 MiB"), "{err}");
        assert!(matches!(err, PinImportError::Io { .. }));
    }

    fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
        let path = std::env::temp_dir().join(format!("strata-pin-import-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        path
    }

    #[test]
    fn import_reports_io_and_encoding_problems() {
        let missing = Path::new(fixture!("does-not-exist.xml"));
        match import_android_nsc(missing) {
            Err(PinImportError::Io { path, source }) => {
                assert_eq!(path, missing.display().to_string());
                assert_eq!(source.kind(), io::ErrorKind::NotFound);
            }
            other => panic!("expected an Io error, got {other:?}"),
        }
        assert!(matches!(import_ios_plist(missing), Err(PinImportError::Io { .. })));

        type Case<'a> = (&'a str, &'a [u8], (u32, u32), &'a str);
        let cases: [Case<'_>; 3] = [
            ("axml.xml", &[0x03, 0x00, 0x08, 0x00, 0x10, 0x02], (1, 1), "apktool"),
            ("utf16.xml", &[0xff, 0xfe, b'<', 0], (1, 1), "UTF-16"),
            ("latin1.xml", b"<a>\n  caf\xe9</a>", (2, 6), "UTF-8"),
        ];
        for (name, bytes, position, needle) in cases {
            let path = temp_file(name, bytes);
            let result = import_android_nsc(&path);
            std::fs::remove_file(&path).unwrap();
            let (line, column, message) = xml_err(result);
            assert_eq!((line, column), position, "{name}");
            assert!(message.contains(needle), "{message}");
        }
    }

    #[test]
    fn error_display_formats() {
        let xml = xml_error("a.xml", 3, 7, "boom");
        assert_eq!(xml.to_string(), "a.xml:3:7: boom");
        let plist = plist_error("Info.plist", "A.B[0]", "bad");
        assert_eq!(plist.to_string(), "Info.plist: A.B[0]: bad");
        let io = PinImportError::Io {
            path: "x".to_owned(),
            source: io::Error::new(io::ErrorKind::NotFound, "gone"),
        };
        assert_eq!(io.to_string(), "x: cannot read: gone");
        assert!(std::error::Error::source(&io).is_some());
    }

    use crate::testutil::Rng;

    #[test]
    fn garbage_truncation_and_mutation_never_panic() {
        let names = [
            NSC,
            INFO_PLIST,
            INFO_BINARY,
            fixture!("network_security_config.bad-digest.xml"),
            fixture!("network_security_config.bad-base64.xml"),
            fixture!("network_security_config.malformed.xml"),
            fixture!("Info.bad-base64.plist"),
        ];
        let fixtures: Vec<Vec<u8>> = names.iter().map(|name| std::fs::read(name).unwrap()).collect();
        let run = |bytes: &[u8]| {
            let _ = parse_ios_plist(bytes, "fuzz");
            let _ = parse_android_nsc(&String::from_utf8_lossy(bytes), "fuzz");
        };
        let mut rng = Rng(0x5eed_cafe_f00d_d00d);
        for _ in 0..200 {
            // Pure garbage, sometimes dressed as a binary plist.
            let mut garbage: Vec<u8> = (0..rng.below(512)).map(|_| rng.next() as u8).collect();
            run(&garbage);
            garbage.splice(0..0, b"bplist00".iter().copied());
            run(&garbage);

            let source = &fixtures[rng.below(fixtures.len())];
            // Truncated.
            run(&source[..rng.below(source.len() + 1)]);
            // A few bytes changed, biased to ASCII structure characters.
            let mut mutated = source.clone();
            for _ in 0..=rng.below(8) {
                let at = rng.below(mutated.len());
                mutated[at] = match rng.below(3) {
                    0 => rng.next() as u8,
                    1 => {
                        let specials = b"<>/=\"'(){};-_0\x0f\xff";
                        specials[rng.below(specials.len())]
                    }
                    _ => mutated[rng.below(mutated.len())],
                };
            }
            run(&mutated);
            // The binary trailer and object table are the riskiest part.
            let mut binary = fixtures[2].clone();
            let len = binary.len();
            let at = len - 1 - rng.below(64.min(len));
            binary[at] = rng.next() as u8;
            run(&binary);
        }
    }
}

//! Decoder for Android's compiled binary XML (AXML): `AndroidManifest.xml`
//! and `res/xml/*.xml` inside an APK.
//!
//! The format is a tree of `ResChunk_header` chunks: an `RES_XML_TYPE`
//! (0x0003) file holding a string pool (0x0001, UTF-8 or UTF-16 strings),
//! a resource map (0x0180: the attribute resource id of each leading
//! string) and a flat sequence of nodes: start/end namespace
//! (0x0100/0x0101), start/end element (0x0102/0x0103) and CDATA (0x0104),
//! each with the line number of the source file it was compiled from.
//!
//! [`parse`] gives an [`AxmlDocument`]: the elements in document order in
//! one flat list (no recursion when it is built, walked, rendered or
//! dropped, however deep the input nests), each with its attributes' raw
//! strings and typed values. [`AxmlDocument::to_xml`] renders it as XML
//! text in which each start tag stands on the source line the AXML
//! records, so that line numbers reported by a text parser of the
//! rendering (such as `model::pin_import::parse_android_nsc`) point at the
//! developer's source file.
//!
//! Every offset and length is checked against the chunk that holds it,
//! the string pool's counts against its chunk size before anything is
//! allocated, the nodes capped by [`MAX_NODES`], the strings copied into
//! the tree by [`MAX_DECODED_BYTES`] and the rendering by
//! [`MAX_TEXT_BYTES`]. Nothing panics on any input.

use std::collections::HashMap;
use std::fmt::Write as _;

/// Most nodes (elements and text) decoded.
pub const MAX_NODES: usize = 1_000_000;
/// Most bytes of strings copied into one document's tree (a crafted file
/// can reference one long string from many attributes).
pub const MAX_DECODED_BYTES: usize = 64 << 20;
/// Largest XML rendering.
pub const MAX_TEXT_BYTES: usize = 16 << 20;
/// Most blank lines the rendering inserts to reach recorded line numbers
/// (and the largest single gap it fills): beyond them, lines are not
/// matched.
const MAX_PAD_LINES: u64 = 1_000_000;
const MAX_PAD_GAP: u64 = 100_000;

/// The Android attribute namespace.
pub const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";
/// The namespace bound to `xml:` (never declared).
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of `xmlns` declarations (nothing may be bound to it).
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

const RES_STRING_POOL_TYPE: u16 = 0x0001;
const RES_XML_TYPE: u16 = 0x0003;
const RES_XML_START_NAMESPACE_TYPE: u16 = 0x0100;
const RES_XML_END_NAMESPACE_TYPE: u16 = 0x0101;
const RES_XML_START_ELEMENT_TYPE: u16 = 0x0102;
const RES_XML_END_ELEMENT_TYPE: u16 = 0x0103;
const RES_XML_CDATA_TYPE: u16 = 0x0104;
const RES_XML_RESOURCE_MAP_TYPE: u16 = 0x0180;
/// "No string" in a string reference.
const NO_INDEX: u32 = 0xffff_ffff;

/// Android framework attributes by resource id: the name an attribute is
/// known by when its name string is empty or obfuscated (the platform
/// itself looks attributes up by id). Checked against
/// `aapt dump resources framework-res.apk`.
pub const KNOWN_ANDROID_ATTRS: &[(u32, &str)] = &[
    (0x0101_0000, "theme"),
    (0x0101_0001, "label"),
    (0x0101_0002, "icon"),
    (0x0101_0003, "name"),
    (0x0101_0006, "permission"),
    (0x0101_000b, "sharedUserId"),
    (0x0101_000e, "enabled"),
    (0x0101_000f, "debuggable"),
    (0x0101_0010, "exported"),
    (0x0101_0011, "process"),
    (0x0101_0024, "value"),
    (0x0101_0025, "resource"),
    (0x0101_0026, "mimeType"),
    (0x0101_0027, "scheme"),
    (0x0101_0028, "host"),
    (0x0101_0029, "port"),
    (0x0101_002a, "path"),
    (0x0101_0119, "src"),
    (0x0101_020c, "minSdkVersion"),
    (0x0101_021b, "versionCode"),
    (0x0101_021c, "versionName"),
    (0x0101_0270, "targetSdkVersion"),
    (0x0101_0271, "maxSdkVersion"),
    (0x0101_0272, "testOnly"),
    (0x0101_0280, "allowBackup"),
    (0x0101_028e, "required"),
    (0x0101_02b7, "installLocation"),
    (0x0101_04ea, "extractNativeLibs"),
    (0x0101_04eb, "fullBackupContent"),
    (0x0101_04ec, "usesCleartextTraffic"),
    (0x0101_0527, "networkSecurityConfig"),
    (0x0101_052c, "roundIcon"),
    (0x0101_0572, "compileSdkVersion"),
    (0x0101_0573, "compileSdkVersionCodename"),
    (0x0101_059a, "hasFragileUserData"),
    (0x0101_0603, "requestLegacyExternalStorage"),
];

/// The name of a framework attribute id, if known.
pub fn known_android_attr(id: u32) -> Option<&'static str> {
    KNOWN_ANDROID_ATTRS.iter().find(|(i, _)| *i == id).map(|(_, n)| *n)
}

/// Why binary XML (or a string pool) could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AxmlError {
    /// Not binary XML at all (wrong chunk type, too short).
    #[error("is not Android binary XML: {0}")]
    NotAxml(String),
    /// A length, offset or index that does not fit.
    #[error("is malformed binary XML at byte {offset}: {reason}")]
    Malformed {
        /// Byte offset in the input of the chunk or field concerned.
        offset: usize,
        /// What was wrong.
        reason: String,
    },
    /// More than [`MAX_NODES`] nodes, [`MAX_DECODED_BYTES`] of strings or
    /// [`MAX_TEXT_BYTES`] of rendering.
    #[error("is too large to decode: {0}")]
    TooLarge(String),
}

fn malformed(offset: usize, reason: impl Into<String>) -> AxmlError {
    AxmlError::Malformed {
        offset,
        reason: reason.into(),
    }
}

pub(crate) fn u8_at(b: &[u8], at: usize) -> Option<u8> {
    b.get(at).copied()
}

pub(crate) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

/// A `ResChunk_header`: type, header size, total size, checked to lie
/// inside `within` (an absolute end offset) at `at`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chunk {
    pub(crate) kind: u16,
    pub(crate) header_size: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

pub(crate) fn chunk_at(b: &[u8], at: usize, within: usize) -> Result<Chunk, AxmlError> {
    let (Some(kind), Some(header_size), Some(size)) = (u16_at(b, at), u16_at(b, at + 2), u32_at(b, at + 4)) else {
        return Err(malformed(at, "a chunk header runs past the end"));
    };
    let header_size = usize::from(header_size);
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    if header_size < 8 || size < header_size {
        return Err(malformed(
            at,
            format!("chunk 0x{kind:04x} has header size {header_size} and size {size}"),
        ));
    }
    let end = at
        .checked_add(size)
        .filter(|e| *e <= within.min(b.len()))
        .ok_or_else(|| {
            malformed(
                at,
                format!("chunk 0x{kind:04x} of {size} bytes runs past its container"),
            )
        })?;
    Ok(Chunk {
        kind,
        header_size,
        start: at,
        end,
    })
}

/// A `ResStringPool` chunk, read in place: strings are decoded when asked
/// for, each bounded by the chunk.
#[derive(Debug, Clone, Copy)]
pub struct StringPool<'a> {
    /// The whole chunk.
    chunk: &'a [u8],
    /// Offset of the chunk in the input (for errors).
    base: usize,
    count: u32,
    utf8: bool,
    offsets_at: usize,
    strings_start: usize,
    strings_end: usize,
}

impl<'a> StringPool<'a> {
    /// An empty pool (a document without one has no strings).
    pub const EMPTY: StringPool<'a> = StringPool {
        chunk: &[],
        base: 0,
        count: 0,
        utf8: true,
        offsets_at: 0,
        strings_start: 0,
        strings_end: 0,
    };

    /// Reads the pool header of the chunk `b[c.start..c.end]`.
    pub(crate) fn parse(b: &'a [u8], c: Chunk) -> Result<StringPool<'a>, AxmlError> {
        let chunk = &b[c.start..c.end];
        let at = c.start;
        if c.kind != RES_STRING_POOL_TYPE || c.header_size < 28 {
            return Err(malformed(at, "not a string pool header"));
        }
        let field = |o| u32_at(chunk, o).ok_or_else(|| malformed(at, "string pool header cut short"));
        let count = field(8)?;
        let style_count = field(12)?;
        let flags = field(16)?;
        let strings_start = field(20)? as usize;
        let styles_start = field(24)? as usize;
        let size = chunk.len();
        // Counts checked against the chunk before any use: 4 bytes each.
        let index_bytes = (u64::from(count) + u64::from(style_count)) * 4;
        if c.header_size as u64 + index_bytes > size as u64 {
            return Err(malformed(
                at,
                format!(
                    "string pool declares {count} strings and {style_count} styles, more than its {size} bytes hold"
                ),
            ));
        }
        let strings_end = if style_count > 0 && styles_start > strings_start {
            styles_start.min(size)
        } else {
            size
        };
        if count > 0 && (strings_start < c.header_size + index_bytes as usize || strings_start > size) {
            return Err(malformed(
                at,
                format!("string pool data starts at {strings_start}, outside the pool"),
            ));
        }
        Ok(StringPool {
            chunk,
            base: at,
            count,
            utf8: flags & 0x100 != 0,
            offsets_at: c.header_size,
            strings_start,
            strings_end,
        })
    }

    /// Number of strings.
    pub fn len(&self) -> u32 {
        self.count
    }

    /// Whether the pool has no strings.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// String `index`; `Ok(None)` for the "no string" index 0xffffffff.
    pub fn get(&self, index: u32) -> Result<Option<String>, AxmlError> {
        self.get_limited(index, usize::MAX)
    }

    /// String `index` if its encoding takes at most `max_bytes` bytes
    /// (else `Ok(None)`, without decoding it).
    pub fn get_limited(&self, index: u32, max_bytes: usize) -> Result<Option<String>, AxmlError> {
        let Some((start, end)) = self.byte_range(index)? else {
            return Ok(None);
        };
        if end - start > max_bytes {
            return Ok(None);
        }
        let bytes = &self.chunk[start..end];
        Ok(Some(if self.utf8 {
            String::from_utf8_lossy(bytes).into_owned()
        } else {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|u| u16::from_le_bytes([u[0], u[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }))
    }

    /// Where string `index`'s encoded characters lie in the chunk.
    fn byte_range(&self, index: u32) -> Result<Option<(usize, usize)>, AxmlError> {
        if index == NO_INDEX {
            return Ok(None);
        }
        if index >= self.count {
            return Err(malformed(
                self.base,
                format!("string index {index} is outside the pool of {} strings", self.count),
            ));
        }
        let bad = |r: &str| malformed(self.base, format!("string {index}: {r}"));
        let off = u32_at(self.chunk, self.offsets_at + index as usize * 4).ok_or_else(|| bad("no offset"))?;
        let pos = self
            .strings_start
            .checked_add(off as usize)
            .filter(|p| *p < self.strings_end)
            .ok_or_else(|| bad("offset outside the string data"))?;
        let data = &self.chunk[..self.strings_end];
        let (p, len) = if self.utf8 {
            // Length in UTF-16 units, then in bytes; each 1 or 2 bytes.
            let (_, p) = utf8_len(data, pos).ok_or_else(|| bad("cut short"))?;
            utf8_len(data, p)
                .map(|(n, p)| (p, Some(n)))
                .ok_or_else(|| bad("cut short"))?
        } else {
            let (n, p) = utf16_len(data, pos).ok_or_else(|| bad("cut short"))?;
            (p, n.checked_mul(2))
        };
        let end = len
            .and_then(|l| p.checked_add(l))
            .filter(|e| *e <= data.len())
            .ok_or_else(|| bad("runs past the string data"))?;
        Ok(Some((p, end)))
    }
}

fn utf8_len(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let first = usize::from(u8_at(b, at)?);
    if first & 0x80 != 0 {
        let second = usize::from(u8_at(b, at + 1)?);
        Some((((first & 0x7f) << 8) | second, at + 2))
    } else {
        Some((first, at + 1))
    }
}

fn utf16_len(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let first = usize::from(u16_at(b, at)?);
    if first & 0x8000 != 0 {
        let second = usize::from(u16_at(b, at + 2)?);
        Some((((first & 0x7fff) << 16) | second, at + 4))
    } else {
        Some((first, at + 2))
    }
}

/// A typed attribute value (`Res_value`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// `TYPE_NULL` (0x00): no value (or "empty").
    Null,
    /// `TYPE_REFERENCE` (0x01): a resource id (`@type/name`); 0 is `@null`.
    Reference(u32),
    /// `TYPE_ATTRIBUTE` (0x02): a theme attribute (`?type/name`).
    Attribute(u32),
    /// `TYPE_STRING` (0x03).
    String(String),
    /// `TYPE_FLOAT` (0x04).
    Float(f32),
    /// `TYPE_INT_DEC` (0x10).
    Dec(i32),
    /// `TYPE_INT_HEX` (0x11).
    Hex(u32),
    /// `TYPE_INT_BOOLEAN` (0x12): 0 is false, anything else true.
    Bool(bool),
    /// Any other type (dimension, fraction, colour, ...), undecoded.
    Other {
        /// The `dataType` byte.
        data_type: u8,
        /// The raw 32-bit data.
        data: u32,
    },
}

/// One attribute of an element.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Attribute {
    /// Namespace URI (`ANDROID_NS` for `android:` attributes).
    pub namespace: Option<String>,
    /// Local name: the name string, or the framework name of its resource
    /// id when that id is known ([`known_android_attr`]), so that an
    /// obfuscated or empty name string still reads as `debuggable`.
    pub name: String,
    /// Resource id of the attribute, from the resource map.
    pub resource_id: Option<u32>,
    /// The raw string as written in the source, when the compiler kept it.
    pub raw: Option<String>,
    /// The typed value.
    pub value: Value,
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum Child {
    /// An element, by index into [`AxmlDocument::elements`].
    Element(usize),
    /// Text (CDATA) content.
    Text(String),
}

/// A namespace declaration.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Namespace {
    /// The prefix as recorded (may be empty or obfuscated).
    pub prefix: String,
    /// The URI.
    pub uri: String,
}

/// One element.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Element {
    /// Namespace URI of the element itself (usually none).
    pub namespace: Option<String>,
    /// Local name.
    pub name: String,
    /// Source line of the start tag, as recorded.
    pub line: u32,
    /// Source line of the end tag, as recorded.
    pub end_line: u32,
    /// Attributes in file order.
    pub attributes: Vec<Attribute>,
    /// Children in document order.
    pub children: Vec<Child>,
    /// The parent element's index (`None` for the root).
    pub parent: Option<usize>,
}

impl Element {
    /// The first attribute `name` in namespace `ns` (`None`: no namespace).
    /// Android itself takes the first of duplicate attributes.
    pub fn attr(&self, ns: Option<&str>, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.name == name && a.namespace.as_deref() == ns)
    }

    /// The `android:` attribute `name`: by its framework resource id when
    /// the attribute carries one, else by namespace and name.
    pub fn android_attr(&self, name: &str) -> Option<&Attribute> {
        let id = KNOWN_ANDROID_ATTRS.iter().find(|(_, n)| *n == name).map(|(i, _)| *i);
        self.attributes
            .iter()
            .find(|a| id.is_some() && a.resource_id == id)
            .or_else(|| self.attr(Some(ANDROID_NS), name))
    }

    /// Text content (the concatenated text children).
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|c| match c {
                Child::Text(t) => Some(t.as_str()),
                Child::Element(_) => None,
            })
            .collect()
    }
}

/// A decoded binary XML document: its elements in document order, the
/// root first.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AxmlDocument {
    /// Every element; `elements[0]` is the root.
    pub elements: Vec<Element>,
    /// Every namespace declared, in order.
    pub namespaces: Vec<Namespace>,
}

/// Names references for the rendering: `Some("xml/network_security_config")`
/// for a resource id (without the `@`), when known.
pub trait ResolveReference {
    /// The `type/name` of resource `id`, if known.
    fn reference_name(&self, id: u32) -> Option<String>;
}

/// No resource table: every reference renders as `@0x7f0a0001`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoResources;

impl ResolveReference for NoResources {
    fn reference_name(&self, _id: u32) -> Option<String> {
        None
    }
}

/// Most distinct references one rendering resolves; beyond, they render
/// as `@0x…` (each lookup may scan a type's configurations).
const MAX_REFERENCE_LOOKUPS: usize = 100_000;

/// A [`ResolveReference`] that asks each id once.
struct CachedRefs<'r> {
    inner: &'r dyn ResolveReference,
    cache: std::cell::RefCell<HashMap<u32, Option<String>>>,
}

impl ResolveReference for CachedRefs<'_> {
    fn reference_name(&self, id: u32) -> Option<String> {
        let mut cache = self.cache.borrow_mut();
        if let Some(hit) = cache.get(&id) {
            return hit.clone();
        }
        if cache.len() >= MAX_REFERENCE_LOOKUPS {
            return None;
        }
        let name = self.inner.reference_name(id);
        cache.insert(id, name.clone());
        name
    }
}

/// Counts what a decode copies into its tree.
struct Budget {
    bytes: usize,
    nodes: usize,
}

impl Budget {
    fn take(&mut self, s: Option<String>) -> Result<Option<String>, AxmlError> {
        if let Some(s) = &s {
            self.bytes = self.bytes.saturating_add(s.len());
            if self.bytes > MAX_DECODED_BYTES {
                return Err(AxmlError::TooLarge(format!(
                    "more than {MAX_DECODED_BYTES} bytes of strings"
                )));
            }
        }
        Ok(s)
    }

    fn node(&mut self) -> Result<(), AxmlError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(AxmlError::TooLarge(format!("more than {MAX_NODES} nodes")));
        }
        Ok(())
    }
}

/// Decodes binary XML. See the module documentation for the bounds.
pub fn parse(b: &[u8]) -> Result<AxmlDocument, AxmlError> {
    if b.len() < 8 {
        return Err(AxmlError::NotAxml(format!(
            "{} bytes, shorter than a chunk header",
            b.len()
        )));
    }
    if u16_at(b, 0) != Some(RES_XML_TYPE) {
        let kind = u16_at(b, 0).unwrap_or(0);
        return Err(AxmlError::NotAxml(format!(
            "starts with chunk type 0x{kind:04x}, not RES_XML_TYPE (0x0003)"
        )));
    }
    let file = chunk_at(b, 0, b.len())?;
    let mut pool = StringPool::EMPTY;
    let mut have_pool = false;
    let mut resource_map: &[u8] = &[];
    let mut budget = Budget { bytes: 0, nodes: 0 };
    let mut doc = AxmlDocument {
        elements: Vec::new(),
        namespaces: Vec::new(),
    };
    // Open elements (indices) and namespaces in scope (prefix, uri).
    let mut open: Vec<usize> = Vec::new();
    let mut root_closed = false;
    let mut at = file.header_size;
    while at < file.end {
        if file.end - at < 8 {
            return Err(malformed(at, "bytes after the last chunk"));
        }
        let c = chunk_at(b, at, file.end)?;
        let body = &b[..c.end];
        match c.kind {
            RES_STRING_POOL_TYPE => {
                if have_pool {
                    return Err(malformed(at, "a second string pool"));
                }
                pool = StringPool::parse(b, c)?;
                have_pool = true;
            }
            RES_XML_RESOURCE_MAP_TYPE => {
                resource_map = &b[c.start + c.header_size..c.end];
            }
            RES_XML_START_NAMESPACE_TYPE..=RES_XML_CDATA_TYPE => {
                if c.header_size < 16 {
                    return Err(malformed(at, "a node header shorter than 16 bytes"));
                }
                if !have_pool {
                    return Err(malformed(at, "a node before the string pool"));
                }
                let line = u32_at(body, at + 8).unwrap_or(0);
                let ext = c.start + c.header_size;
                let field = |o: usize| u32_at(body, ext + o).ok_or_else(|| malformed(at, "node cut short"));
                let string = |i: u32| pool.get(i).map_err(|e| relocate(e, at));
                match c.kind {
                    RES_XML_START_NAMESPACE_TYPE => {
                        let prefix = budget.take(string(field(0)?)?)?.unwrap_or_default();
                        let uri = budget.take(string(field(4)?)?)?.unwrap_or_default();
                        doc.namespaces.push(Namespace { prefix, uri });
                    }
                    RES_XML_END_NAMESPACE_TYPE => {}
                    RES_XML_START_ELEMENT_TYPE => {
                        if root_closed {
                            return Err(malformed(at, "a second root element"));
                        }
                        budget.node()?;
                        let ns = budget.take(string(field(0)?)?)?;
                        let name = budget.take(string(field(4)?)?)?.unwrap_or_default();
                        let (Some(attr_start), Some(attr_size), Some(attr_count)) =
                            (u16_at(body, ext + 8), u16_at(body, ext + 10), u16_at(body, ext + 12))
                        else {
                            return Err(malformed(at, "element header cut short"));
                        };
                        let (attr_start, attr_size, attr_count) =
                            (usize::from(attr_start), usize::from(attr_size), usize::from(attr_count));
                        if attr_count > 0 && attr_size < 20 {
                            return Err(malformed(at, format!("attribute size {attr_size}, under 20")));
                        }
                        let attrs_end = ext + attr_start + attr_count * attr_size;
                        if attrs_end > c.end {
                            return Err(malformed(
                                at,
                                format!("{attr_count} attributes of {attr_size} bytes run past the element"),
                            ));
                        }
                        let mut attributes = Vec::with_capacity(attr_count);
                        for k in 0..attr_count {
                            let a = ext + attr_start + k * attr_size;
                            attributes.push(
                                attribute(body, a, &pool, resource_map, &mut budget).map_err(|e| relocate(e, a))?,
                            );
                        }
                        let index = doc.elements.len();
                        let parent = open.last().copied();
                        if let Some(p) = parent {
                            doc.elements[p].children.push(Child::Element(index));
                        }
                        doc.elements.push(Element {
                            namespace: ns.filter(|s| !s.is_empty()),
                            name,
                            line,
                            end_line: line,
                            attributes,
                            children: Vec::new(),
                            parent,
                        });
                        open.push(index);
                    }
                    RES_XML_END_ELEMENT_TYPE => {
                        let Some(index) = open.pop() else {
                            return Err(malformed(at, "an end tag without a start tag"));
                        };
                        doc.elements[index].end_line = line;
                        if open.is_empty() {
                            root_closed = true;
                        }
                    }
                    _ => {
                        // CDATA: text of the open element (none: ignored,
                        // as whitespace outside the root).
                        let text = string(field(0)?)?.unwrap_or_default();
                        if let Some(&p) = open.last() {
                            budget.node()?;
                            let text = budget.take(Some(text))?.unwrap_or_default();
                            doc.elements[p].children.push(Child::Text(text));
                        }
                    }
                }
            }
            // Other chunks (RES_XML_FIRST_CHUNK_TYPE and friends, vendor
            // additions) are skipped whole.
            _ => {}
        }
        at = c.end;
    }
    if !open.is_empty() {
        return Err(malformed(file.end, format!("{} elements are not closed", open.len())));
    }
    if doc.elements.is_empty() {
        return Err(malformed(file.end, "no element"));
    }
    Ok(doc)
}

/// Errors from the string pool carry the pool's offset; an error about a
/// node is reported at the node that referenced the string.
fn relocate(e: AxmlError, at: usize) -> AxmlError {
    match e {
        AxmlError::Malformed { reason, .. } => AxmlError::Malformed { offset: at, reason },
        other => other,
    }
}

/// One `ResXMLTree_attribute` at `a` (bounds already checked).
fn attribute(
    b: &[u8],
    a: usize,
    pool: &StringPool<'_>,
    resource_map: &[u8],
    budget: &mut Budget,
) -> Result<Attribute, AxmlError> {
    let cut = || malformed(a, "attribute cut short");
    let ns_idx = u32_at(b, a).ok_or_else(cut)?;
    let name_idx = u32_at(b, a + 4).ok_or_else(cut)?;
    let raw_idx = u32_at(b, a + 8).ok_or_else(cut)?;
    let data_type = u8_at(b, a + 15).ok_or_else(cut)?;
    let data = u32_at(b, a + 16).ok_or_else(cut)?;
    let resource_id = usize::try_from(name_idx)
        .ok()
        .and_then(|i| i.checked_mul(4))
        .and_then(|o| u32_at(resource_map, o))
        .filter(|id| *id != 0);
    let namespace = budget.take(pool.get(ns_idx)?)?.filter(|s| !s.is_empty());
    // The name string is decoded only when the id does not name it.
    let name = match resource_id.and_then(known_android_attr) {
        Some(known) => known.to_string(),
        None => match budget.take(pool.get(name_idx)?)?.unwrap_or_default() {
            s if !s.is_empty() => s,
            _ => match resource_id {
                Some(id) => format!("attr_{id:08x}"),
                None => "unnamed".to_string(),
            },
        },
    };
    let raw = budget.take(pool.get(raw_idx)?)?;
    let value = match data_type {
        0x00 => Value::Null,
        0x01 => Value::Reference(data),
        0x02 => Value::Attribute(data),
        0x03 => Value::String(budget.take(pool.get(data)?)?.unwrap_or_default()),
        0x04 => Value::Float(f32::from_bits(data)),
        0x10 => Value::Dec(data as i32),
        0x11 => Value::Hex(data),
        0x12 => Value::Bool(data != 0),
        other => Value::Other { data_type: other, data },
    };
    Ok(Attribute {
        namespace,
        name,
        resource_id,
        raw,
        value,
    })
}

fn is_name_start(c: char) -> bool {
    matches!(c, 'A'..='Z' | '_' | 'a'..='z' | '\u{c0}'..='\u{d6}' | '\u{d8}'..='\u{f6}'
        | '\u{f8}'..='\u{2ff}' | '\u{370}'..='\u{37d}' | '\u{37f}'..='\u{1fff}'
        | '\u{200c}'..='\u{200d}' | '\u{2070}'..='\u{218f}' | '\u{2c00}'..='\u{2fef}'
        | '\u{3001}'..='\u{d7ff}' | '\u{f900}'..='\u{fdcf}' | '\u{fdf0}'..='\u{fffd}'
        | '\u{10000}'..='\u{effff}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || matches!(c, '-' | '.' | '0'..='9' | '\u{b7}' | '\u{300}'..='\u{36f}' | '\u{203f}'..='\u{2040}')
}

/// Whether `s` is an XML name without a colon (the XML 1.0 `NCName`
/// production), and not `xmlns`.
fn is_xml_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char) && s != "xmlns"
}

/// A name made usable: characters XML names cannot hold as `_`.
fn xml_name(s: &str) -> String {
    if is_xml_name(s) {
        return s.to_string();
    }
    let mut out: String = s.chars().map(|c| if is_name_char(c) { c } else { '_' }).collect();
    if !out.starts_with(is_name_start) || out == "xmlns" {
        out.insert(0, '_');
    }
    out
}

/// Escapes text for XML content or a double-quoted attribute. Newlines
/// and carriage returns are written as character references so that the
/// rendering's lines stay where the recorded line numbers put them;
/// characters XML 1.0 cannot hold become U+FFFD.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

impl Value {
    /// The value as the source would spell it: `true`/`false`, decimal,
    /// `0x…` hex, `@type/name` (or `@0x7f0a0001` when `refs` does not
    /// know the id), the string itself. `raw` is used for types not
    /// decoded here.
    pub fn render(&self, raw: Option<&str>, refs: &dyn ResolveReference) -> String {
        match self {
            Value::Null => raw.unwrap_or_default().to_string(),
            Value::Reference(0) => "@null".to_string(),
            Value::Reference(id) => match refs.reference_name(*id) {
                Some(n) => format!("@{n}"),
                None => format!("@0x{id:08x}"),
            },
            Value::Attribute(id) => match refs.reference_name(*id) {
                Some(n) => format!("?{n}"),
                None => format!("?0x{id:08x}"),
            },
            Value::String(s) => s.clone(),
            Value::Float(f) => f.to_string(),
            Value::Dec(i) => i.to_string(),
            Value::Hex(h) => format!("0x{h:x}"),
            Value::Bool(v) => v.to_string(),
            Value::Other { data, .. } => raw.map_or_else(|| format!("0x{data:08x}"), str::to_string),
        }
    }
}

/// The rendering, with its line count and bounds.
struct Writer {
    out: String,
    line: u64,
    padded: u64,
}

impl Writer {
    fn push(&mut self, s: &str) -> Result<(), AxmlError> {
        if self.out.len() + s.len() > MAX_TEXT_BYTES {
            return Err(AxmlError::TooLarge(format!("a rendering over {MAX_TEXT_BYTES} bytes")));
        }
        self.out.push_str(s);
        Ok(())
    }

    /// Starts a new line, padding to `line` when it is ahead.
    fn pad_to_line(&mut self, line: u32, depth: usize) -> Result<(), AxmlError> {
        let line = u64::from(line);
        if line > self.line && line - self.line <= MAX_PAD_GAP && self.padded + (line - self.line) <= MAX_PAD_LINES {
            let gap = line - self.line;
            self.padded += gap;
            self.line = line;
            let pad = "\n".repeat(gap as usize);
            self.push(&pad)?;
            let indent = " ".repeat(depth.min(16) * 4);
            self.push(&indent)?;
        }
        Ok(())
    }
}

impl AxmlDocument {
    /// The root element.
    pub fn root(&self) -> &Element {
        // parse() never returns a document without elements; an empty
        // one built by hand renders as nothing.
        static EMPTY: Element = Element {
            namespace: None,
            name: String::new(),
            line: 0,
            end_line: 0,
            attributes: Vec::new(),
            children: Vec::new(),
            parent: None,
        };
        self.elements.first().unwrap_or(&EMPTY)
    }

    /// The child elements of element `index`, with their indices.
    pub fn child_elements(&self, index: usize) -> impl Iterator<Item = (usize, &Element)> {
        self.elements
            .get(index)
            .map(|e| e.children.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|c| match c {
                Child::Element(i) => self.elements.get(*i).map(|e| (*i, e)),
                Child::Text(_) => None,
            })
    }

    /// Every element named `name` (any namespace), in document order.
    pub fn find_all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Element> + 's {
        self.elements.iter().filter(move |e| e.name == name)
    }

    /// Renders the document as XML text; see the module documentation.
    /// `android:` attributes keep that prefix; other namespaces keep their
    /// recorded prefix when it is usable, else get `ns0`, `ns1`, ...; all
    /// are declared on the root. Of two attributes with the same name,
    /// the first is rendered (the one Android reads).
    pub fn to_xml(&self, refs: &dyn ResolveReference) -> Result<String, AxmlError> {
        let refs = &CachedRefs {
            inner: refs,
            cache: std::cell::RefCell::new(HashMap::new()),
        };
        // Prefixes, by URI.
        let mut prefixes: HashMap<&str, String> = HashMap::new();
        prefixes.insert(ANDROID_NS, "android".to_string());
        // Sets, not lists: a crafted file can carry one namespace per attribute.
        let mut used: std::collections::HashSet<String> = std::collections::HashSet::from(["android".to_string()]);
        let mut next_generated = 0usize;
        let mut decls: Vec<(String, &str)> = Vec::new();
        let mut uris: Vec<&str> = Vec::new();
        for e in &self.elements {
            uris.extend(e.namespace.as_deref());
            uris.extend(e.attributes.iter().filter_map(|a| a.namespace.as_deref()));
        }
        let recorded: HashMap<&str, &str> = self
            .namespaces
            .iter()
            .map(|n| (n.uri.as_str(), n.prefix.as_str()))
            .collect();
        for uri in uris {
            if prefixes.contains_key(uri) {
                continue;
            }
            if uri == XML_NS {
                prefixes.insert(uri, "xml".to_string());
                continue;
            }
            if uri == XMLNS_NS {
                // Nothing may be bound to it: such names render unprefixed.
                continue;
            }
            let prefix = match recorded.get(uri) {
                Some(p) if is_xml_name(p) && !p.to_ascii_lowercase().starts_with("xml") && !used.contains(*p) => {
                    p.to_string()
                }
                _ => {
                    while used.contains(&format!("ns{next_generated}")) {
                        next_generated += 1;
                    }
                    format!("ns{next_generated}")
                }
            };
            used.insert(prefix.clone());
            prefixes.insert(uri, prefix.clone());
            decls.push((prefix, uri));
        }
        let android_used = self.elements.iter().any(|e| {
            e.namespace.as_deref() == Some(ANDROID_NS)
                || e.attributes.iter().any(|a| a.namespace.as_deref() == Some(ANDROID_NS))
        }) || self.namespaces.iter().any(|n| n.uri == ANDROID_NS);
        if android_used {
            decls.insert(0, ("android".to_string(), ANDROID_NS));
        }
        let qname = |ns: Option<&str>, name: &str| -> String {
            let local = xml_name(name);
            match ns.and_then(|u| prefixes.get(u)) {
                Some(p) => format!("{p}:{local}"),
                None => local,
            }
        };

        let mut w = Writer {
            out: String::new(),
            line: 1,
            padded: 0,
        };
        if self.elements.is_empty() {
            return Ok(w.out);
        }
        if self.root().line > 1 {
            w.push("<?xml version=\"1.0\" encoding=\"utf-8\"?>")?;
        }
        // Iterative walk: (element, next child position).
        let mut stack: Vec<(usize, usize)> = vec![(0, 0)];
        let mut started = vec![false; self.elements.len()];
        while let Some(&(index, pos)) = stack.last() {
            let depth = stack.len() - 1;
            let Some(e) = self.elements.get(index) else {
                stack.pop();
                continue;
            };
            if !started[index] {
                started[index] = true;
                w.pad_to_line(e.line, depth)?;
                let mut tag = String::new();
                tag.push('<');
                tag.push_str(&qname(e.namespace.as_deref(), &e.name));
                if index == 0 {
                    for (p, uri) in &decls {
                        tag.push_str(&format!(" xmlns:{p}=\""));
                        escape_into(&mut tag, uri);
                        tag.push('"');
                    }
                }
                let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
                for a in &e.attributes {
                    let n = qname(a.namespace.as_deref(), &a.name);
                    if !seen.insert(n.clone()) {
                        continue;
                    }
                    let _ = write!(tag, " {n}=\"");
                    escape_into(&mut tag, &a.value.render(a.raw.as_deref(), refs));
                    tag.push('"');
                    if tag.len() + w.out.len() > MAX_TEXT_BYTES {
                        return Err(AxmlError::TooLarge(format!("a rendering over {MAX_TEXT_BYTES} bytes")));
                    }
                }
                if e.children.is_empty() {
                    tag.push_str(" />");
                    w.push(&tag)?;
                    stack.pop();
                    continue;
                }
                tag.push('>');
                w.push(&tag)?;
            }
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            match e.children.get(pos) {
                Some(Child::Text(t)) => {
                    let mut s = String::new();
                    escape_into(&mut s, t);
                    w.push(&s)?;
                }
                Some(Child::Element(c)) => {
                    let c = *c;
                    // A child index is always later in document order; a
                    // hand-built cycle is not followed.
                    if c > index && !started.get(c).copied().unwrap_or(true) {
                        stack.push((c, 0));
                    }
                }
                None => {
                    let has_elements = e.children.iter().any(|c| matches!(c, Child::Element(_)));
                    let has_text = e.children.iter().any(|c| matches!(c, Child::Text(_)));
                    if has_elements && !has_text {
                        w.pad_to_line(e.end_line, depth)?;
                    }
                    let close = format!("</{}>", qname(e.namespace.as_deref(), &e.name));
                    w.push(&close)?;
                    stack.pop();
                }
            }
        }
        w.push("\n")?;
        Ok(w.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-built document: pool, resource map, namespace, two elements.
    pub(crate) fn tiny(utf8: bool) -> Vec<u8> {
        let strings = [
            "android",
            ANDROID_NS,
            "manifest",
            "debuggable",
            "x\"<&\n",
            "pin",
            "AAAA",
        ];
        let mut pool_data = Vec::new();
        let mut offsets = Vec::new();
        for s in strings {
            offsets.push(pool_data.len() as u32);
            if utf8 {
                let n = s.len() as u8;
                pool_data.extend([n, n]);
                pool_data.extend(s.as_bytes());
                pool_data.push(0);
            } else {
                let units: Vec<u16> = s.encode_utf16().collect();
                pool_data.extend((units.len() as u16).to_le_bytes());
                for u in units {
                    pool_data.extend(u.to_le_bytes());
                }
                pool_data.extend([0, 0]);
            }
        }
        while pool_data.len() % 4 != 0 {
            pool_data.push(0);
        }
        let mut pool = Vec::new();
        let header = 28u32;
        let strings_start = header + 4 * strings.len() as u32;
        let size = strings_start + pool_data.len() as u32;
        pool.extend(1u16.to_le_bytes());
        pool.extend(28u16.to_le_bytes());
        pool.extend(size.to_le_bytes());
        pool.extend((strings.len() as u32).to_le_bytes());
        pool.extend(0u32.to_le_bytes());
        pool.extend((if utf8 { 0x100u32 } else { 0 }).to_le_bytes());
        pool.extend(strings_start.to_le_bytes());
        pool.extend(0u32.to_le_bytes());
        for o in offsets {
            pool.extend(o.to_le_bytes());
        }
        pool.extend(pool_data);
        let mut body = pool;
        // Resource map: strings 0..4 → ids; string 3 is debuggable.
        body.extend(0x0180u16.to_le_bytes());
        body.extend(8u16.to_le_bytes());
        body.extend(24u32.to_le_bytes());
        body.extend([0u32, 0, 0, 0x0101_000f].iter().flat_map(|v| v.to_le_bytes()));
        let node = |kind: u16, line: u32, ext: &[u8]| -> Vec<u8> {
            let mut v = Vec::new();
            v.extend(kind.to_le_bytes());
            v.extend(16u16.to_le_bytes());
            v.extend((16 + ext.len() as u32).to_le_bytes());
            v.extend(line.to_le_bytes());
            v.extend(NO_INDEX.to_le_bytes());
            v.extend(ext);
            v
        };
        let w = |vals: &[u32]| -> Vec<u8> { vals.iter().flat_map(|v| v.to_le_bytes()).collect() };
        body.extend(node(0x0100, 2, &w(&[0, 1])));
        let mut el = w(&[NO_INDEX, 2]);
        el.extend(20u16.to_le_bytes()); // attributeStart
        el.extend(20u16.to_le_bytes()); // attributeSize
        el.extend(2u16.to_le_bytes()); // attributeCount
        el.extend([0u8; 6]);
        // android:debuggable=true (boolean), then a string attribute whose
        // name string is obfuscated ("x\"<&\n") and value is "pin".
        el.extend(w(&[1, 3, NO_INDEX]));
        el.extend([8, 0, 0, 0x12]);
        el.extend(w(&[0xffff_ffff]));
        el.extend(w(&[NO_INDEX, 5, 5]));
        el.extend([8, 0, 0, 0x03]);
        el.extend(w(&[4]));
        body.extend(node(0x0102, 3, &el));
        let mut child = w(&[NO_INDEX, 5]);
        child.extend(20u16.to_le_bytes());
        child.extend(20u16.to_le_bytes());
        child.extend(0u16.to_le_bytes());
        child.extend([0u8; 6]);
        body.extend(node(0x0102, 6, &child));
        let mut cdata = w(&[6]);
        cdata.extend([8, 0, 0, 0x03]);
        cdata.extend(w(&[6]));
        body.extend(node(0x0104, 6, &cdata));
        body.extend(node(0x0103, 6, &w(&[NO_INDEX, 5])));
        body.extend(node(0x0103, 8, &w(&[NO_INDEX, 2])));
        body.extend(node(0x0101, 8, &w(&[0, 1])));
        let mut out = Vec::new();
        out.extend(3u16.to_le_bytes());
        out.extend(8u16.to_le_bytes());
        out.extend((8 + body.len() as u32).to_le_bytes());
        out.extend(body);
        out
    }

    #[test]
    fn a_hand_built_document_decodes_in_both_encodings() {
        for utf8 in [true, false] {
            let doc = parse(&tiny(utf8)).expect("decodes");
            let root = doc.root();
            assert_eq!(root.name, "manifest");
            assert_eq!(root.line, 3);
            let dbg = root.android_attr("debuggable").expect("debuggable");
            assert_eq!(dbg.value, Value::Bool(true));
            assert_eq!(dbg.resource_id, Some(0x0101_000f));
            assert_eq!(root.attributes[1].name, "pin");
            assert_eq!(root.attributes[1].value, Value::String("x\"<&\n".into()));
            let xml = doc.to_xml(&NoResources).expect("renders");
            let lines: Vec<&str> = xml.lines().collect();
            assert!(lines[2].starts_with("<manifest xmlns:android="), "{xml}");
            assert!(lines[2].contains("android:debuggable=\"true\""), "{xml}");
            assert!(lines[2].contains("pin=\"x&quot;&lt;&amp;&#10;\""), "{xml}");
            assert_eq!(lines[5].trim(), "<pin>AAAA</pin>", "{xml}");
            assert_eq!(lines[7].trim(), "</manifest>", "{xml}");
            let parsed = roxmltree::Document::parse(&xml).expect("well formed");
            assert_eq!(parsed.root_element().tag_name().name(), "manifest");
        }
    }

    #[test]
    fn every_truncation_and_byte_flip_is_refused_or_decoded_without_panic() {
        let good = tiny(true);
        for n in 0..good.len() {
            let _ = parse(&good[..n]);
            let mut flipped = good.clone();
            flipped[n] ^= 0xff;
            if let Ok(doc) = parse(&flipped) {
                let _ = doc.to_xml(&NoResources);
            }
        }
    }

    /// A UTF-8 document: a root `<a>` with `count` children `<a>`, each
    /// with one attribute that takes string 1 (`long`) as raw value and
    /// as string value.
    fn amplifier(long: usize, count: u32) -> Vec<u8> {
        let strings: [Vec<u8>; 2] = [b"a".to_vec(), vec![b'x'; long]];
        let mut data = Vec::new();
        let mut offsets = Vec::new();
        for s in &strings {
            offsets.push(data.len() as u32);
            let n = s.len();
            let len = if n < 0x80 {
                vec![n as u8]
            } else {
                vec![0x80 | (n >> 8) as u8, n as u8]
            };
            data.extend(&len);
            data.extend(&len);
            data.extend(s);
            data.push(0);
        }
        while data.len() % 4 != 0 {
            data.push(0);
        }
        let start = 28 + 4 * strings.len() as u32;
        let mut body = Vec::new();
        for v in [0x001c_0001u32, start + data.len() as u32, 2, 0, 0x100, start, 0] {
            body.extend(v.to_le_bytes());
        }
        offsets.iter().for_each(|o| body.extend(o.to_le_bytes()));
        body.extend(data);
        let start_tag = |attrs: u16| {
            let mut el = Vec::new();
            for v in [0x0010_0102u32, 36 + 20 * u32::from(attrs), 1, NO_INDEX, NO_INDEX, 0] {
                el.extend(v.to_le_bytes());
            }
            el.extend([20, 0, 20, 0]);
            el.extend(attrs.to_le_bytes());
            el.extend([0u8; 6]);
            for _ in 0..attrs {
                for v in [NO_INDEX, 0, 1, 0x0300_0008, 1] {
                    el.extend(v.to_le_bytes());
                }
            }
            el
        };
        let mut end = Vec::new();
        for v in [0x0010_0103u32, 24, 1, NO_INDEX, NO_INDEX, 0] {
            end.extend(v.to_le_bytes());
        }
        body.extend(start_tag(0));
        for _ in 0..count {
            body.extend(start_tag(1));
            body.extend(&end);
        }
        body.extend(&end);
        let mut out = Vec::new();
        out.extend(0x0008_0003u32.to_le_bytes());
        out.extend((8 + body.len() as u32).to_le_bytes());
        out.extend(body);
        out
    }

    #[test]
    fn one_string_referenced_many_times_hits_the_bounds() {
        // Small: decodes, and the attribute name is the same string "a".
        let doc = parse(&amplifier(10, 3)).expect("small decodes");
        assert_eq!(doc.elements.len(), 4);
        assert_eq!(doc.elements[1].attributes[0].value, Value::String("x".repeat(10)));
        assert!(doc.to_xml(&NoResources).is_ok());
        // 80,000 copies of a 30 KB string would be 2.4 GB: refused, fast.
        let t = std::time::Instant::now();
        let big = amplifier(30_000, 40_000);
        assert!(big.len() < 4 << 20);
        assert!(matches!(parse(&big), Err(AxmlError::TooLarge(_))));
        // Under the tree budget but over the rendering's.
        let doc = parse(&amplifier(30_000, 1_000)).expect("60 MB of strings decode");
        assert!(matches!(doc.to_xml(&NoResources), Err(AxmlError::TooLarge(_))));
        assert!(t.elapsed() < std::time::Duration::from_secs(20), "{:?}", t.elapsed());
    }

    #[test]
    fn names_are_made_usable() {
        assert_eq!(xml_name("pin-set"), "pin-set");
        assert_eq!(xml_name("a b<"), "a_b_");
        assert_eq!(xml_name("1x"), "_1x");
        assert_eq!(xml_name(""), "_");
        assert_eq!(xml_name("xmlns"), "_xmlns");
    }
}

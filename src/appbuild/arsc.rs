//! Reader for an APK's compiled resource table, `resources.arsc`: enough
//! to resolve a resource id `0xPPTTEEEE` (package, type, entry) to its
//! type name, entry name and value.
//!
//! The table is a `RES_TABLE_TYPE` (0x0002) chunk holding the global
//! value string pool (0x0001) and package chunks (0x0200); each package
//! has its type-name and key-name pools, type specs (0x0202) and one type
//! chunk (0x0201) per configuration with an entry offset table: 32-bit
//! offsets, 16-bit ones (`FLAG_OFFSET16`) or sorted `(index, offset)`
//! pairs (`FLAG_SPARSE`); all three are read. An entry is a simple value
//! (a `Res_value`, or the compact form of `FLAG_COMPACT`) or a complex
//! map ("bag": styles, arrays, plurals), which is reported as
//! [`ResValue::Complex`] and not decoded.
//!
//! [`ResourceTable::resolve`] takes the default configuration's entry and
//! falls back to the first configuration that has one. [`parse`] checks
//! every chunk, pool and offset table against its container; entries are
//! read, each bounded, when resolved.

use super::axml::{AxmlError, Chunk, ResolveReference, StringPool, Value, chunk_at, u8_at, u16_at, u32_at};

const RES_STRING_POOL_TYPE: u16 = 0x0001;
const RES_TABLE_TYPE: u16 = 0x0002;
const RES_TABLE_PACKAGE_TYPE: u16 = 0x0200;
const RES_TABLE_TYPE_TYPE: u16 = 0x0201;
const FLAG_SPARSE: u8 = 0x01;
const FLAG_OFFSET16: u8 = 0x02;
const ENTRY_FLAG_COMPLEX: u16 = 0x0001;
const ENTRY_FLAG_COMPACT: u16 = 0x0008;
/// Most packages in one table (a package id is one byte).
const MAX_PACKAGES: usize = 256;
/// Most configurations (type chunks) of one type: a lookup may scan them
/// all. Real apps have a few hundred at most (one per locale, density...).
pub const MAX_CONFIGS_PER_TYPE: usize = 4096;
/// Longest type or entry name a reference renders with (bytes).
const MAX_NAME_BYTES: usize = 1024;

/// Why `resources.arsc` could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArscError {
    /// Not a resource table (wrong chunk type, too short).
    #[error("is not a resource table: {0}")]
    NotArsc(String),
    /// A length, offset or index that does not fit.
    #[error("is a malformed resource table at byte {offset}: {reason}")]
    Malformed {
        /// Byte offset of the chunk or field concerned.
        offset: usize,
        /// What was wrong.
        reason: String,
    },
}

impl From<AxmlError> for ArscError {
    fn from(e: AxmlError) -> Self {
        match e {
            AxmlError::Malformed { offset, reason } => ArscError::Malformed { offset, reason },
            AxmlError::NotAxml(r) | AxmlError::TooLarge(r) => ArscError::Malformed { offset: 0, reason: r },
        }
    }
}

fn malformed(offset: usize, reason: impl Into<String>) -> ArscError {
    ArscError::Malformed {
        offset,
        reason: reason.into(),
    }
}

/// A resource's value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum ResValue {
    /// A simple value; strings are resolved from the global pool (for a
    /// file resource, its path in the APK: `res/xml/x.xml`).
    Simple(Value),
    /// A complex (map) entry: not decoded.
    Complex,
}

/// A resolved resource.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Resource {
    /// The id resolved.
    pub id: u32,
    /// Its package's name (`com.example.app`).
    pub package: String,
    /// Type name (`xml`, `raw`, `string`).
    pub type_name: String,
    /// Entry name (`network_security_config`).
    pub entry_name: String,
    /// The value.
    pub value: ResValue,
    /// Whether it came from the default configuration (else from the
    /// first other configuration that defines it).
    pub default_config: bool,
}

#[derive(Debug, Clone)]
struct TypeChunk {
    type_id: u8,
    flags: u8,
    entry_count: usize,
    offsets_at: usize,
    entries_start: usize,
    end: usize,
    default: bool,
}

#[derive(Debug, Clone)]
struct Package<'a> {
    id: u32,
    name: String,
    type_strings: StringPool<'a>,
    key_strings: StringPool<'a>,
    type_id_offset: u32,
    types: Vec<TypeChunk>,
}

/// A parsed resource table, borrowing the bytes of `resources.arsc`.
#[derive(Debug, Clone)]
pub struct ResourceTable<'a> {
    data: &'a [u8],
    strings: StringPool<'a>,
    packages: Vec<Package<'a>>,
}

/// Parses `resources.arsc`. See the module documentation.
pub fn parse(b: &[u8]) -> Result<ResourceTable<'_>, ArscError> {
    if b.len() < 12 {
        return Err(ArscError::NotArsc(format!(
            "{} bytes, shorter than its header",
            b.len()
        )));
    }
    if u16_at(b, 0) != Some(RES_TABLE_TYPE) {
        let kind = u16_at(b, 0).unwrap_or(0);
        return Err(ArscError::NotArsc(format!(
            "starts with chunk type 0x{kind:04x}, not RES_TABLE_TYPE (0x0002)"
        )));
    }
    let table = chunk_at(b, 0, b.len())?;
    if table.header_size < 12 {
        return Err(malformed(0, "table header shorter than 12 bytes"));
    }
    let mut strings = None;
    let mut packages = Vec::new();
    let mut at = table.header_size;
    while at < table.end {
        if table.end - at < 8 {
            return Err(malformed(at, "bytes after the last chunk"));
        }
        let c = chunk_at(b, at, table.end)?;
        match c.kind {
            RES_STRING_POOL_TYPE if strings.is_none() => strings = Some(StringPool::parse(b, c)?),
            RES_STRING_POOL_TYPE => return Err(malformed(at, "a second global string pool")),
            RES_TABLE_PACKAGE_TYPE => {
                if packages.len() >= MAX_PACKAGES {
                    return Err(malformed(at, format!("more than {MAX_PACKAGES} packages")));
                }
                packages.push(package(b, c)?);
            }
            _ => {}
        }
        at = c.end;
    }
    Ok(ResourceTable {
        data: b,
        strings: strings.unwrap_or(StringPool::EMPTY),
        packages,
    })
}

fn package(b: &[u8], c: Chunk) -> Result<Package<'_>, ArscError> {
    let at = c.start;
    if c.header_size < 284 {
        return Err(malformed(
            at,
            format!("package header of {} bytes, under 284", c.header_size),
        ));
    }
    let field = |o: usize| u32_at(b, at + o).ok_or_else(|| malformed(at, "package header cut short"));
    let id = field(8)?;
    let name_units: Vec<u16> = (0..128)
        .filter_map(|k| u16_at(b, at + 12 + 2 * k))
        .take_while(|u| *u != 0)
        .collect();
    let name = String::from_utf16_lossy(&name_units);
    let type_strings_at = field(268)? as usize;
    let key_strings_at = field(276)? as usize;
    let type_id_offset = if c.header_size >= 288 { field(284)? } else { 0 };
    let pool_at = |off: usize, what: &str| -> Result<StringPool<'_>, ArscError> {
        if off < c.header_size || at + off >= c.end {
            return Err(malformed(
                at,
                format!("the {what} pool offset {off} is outside the package"),
            ));
        }
        let pc = chunk_at(b, at + off, c.end)?;
        Ok(StringPool::parse(b, pc)?)
    };
    let type_strings = pool_at(type_strings_at, "type name")?;
    let key_strings = pool_at(key_strings_at, "key name")?;
    let mut types = Vec::new();
    let mut configs: std::collections::HashMap<u8, usize> = std::collections::HashMap::new();
    let mut p = at + c.header_size;
    while p < c.end {
        if c.end - p < 8 {
            return Err(malformed(p, "bytes after the package's last chunk"));
        }
        let t = chunk_at(b, p, c.end)?;
        if t.kind == RES_TABLE_TYPE_TYPE {
            let chunk = type_chunk(b, t)?;
            let n = configs.entry(chunk.type_id).or_insert(0usize);
            *n += 1;
            if *n > MAX_CONFIGS_PER_TYPE {
                return Err(malformed(
                    p,
                    format!(
                        "type {} has more than {MAX_CONFIGS_PER_TYPE} configurations",
                        chunk.type_id
                    ),
                ));
            }
            types.push(chunk);
        }
        p = t.end;
    }
    Ok(Package {
        id,
        name,
        type_strings,
        key_strings,
        type_id_offset,
        types,
    })
}

fn type_chunk(b: &[u8], t: Chunk) -> Result<TypeChunk, ArscError> {
    let at = t.start;
    if t.header_size < 24 {
        return Err(malformed(
            at,
            format!("type header of {} bytes, under 24", t.header_size),
        ));
    }
    let cut = || malformed(at, "type header cut short");
    let type_id = u8_at(b, at + 8).ok_or_else(cut)?;
    let flags = u8_at(b, at + 9).ok_or_else(cut)?;
    let entry_count = u32_at(b, at + 12).ok_or_else(cut)? as usize;
    let entries_start = u32_at(b, at + 16).ok_or_else(cut)? as usize;
    let config_size = u32_at(b, at + 20).ok_or_else(cut)? as usize;
    if type_id == 0 {
        return Err(malformed(at, "type id 0"));
    }
    if config_size < 4 || 20 + config_size > t.header_size {
        return Err(malformed(
            at,
            format!("configuration of {config_size} bytes does not fit its header"),
        ));
    }
    let default = b[at + 24..at + 20 + config_size].iter().all(|x| *x == 0);
    let width = if flags & FLAG_OFFSET16 != 0 && flags & FLAG_SPARSE == 0 {
        2
    } else {
        4
    };
    let offsets_at = at + t.header_size;
    let size = t.end - at;
    if (entry_count as u64) * width > (t.end - offsets_at) as u64 {
        return Err(malformed(
            at,
            format!("{entry_count} entry offsets do not fit the type chunk"),
        ));
    }
    if entries_start > size || (entry_count > 0 && entries_start < t.header_size + entry_count * width as usize) {
        return Err(malformed(
            at,
            format!("entries start at {entries_start}, outside the type chunk"),
        ));
    }
    Ok(TypeChunk {
        type_id,
        flags,
        entry_count,
        offsets_at,
        entries_start: at + entries_start,
        end: t.end,
        default,
    })
}

impl<'a> ResourceTable<'a> {
    /// Resolves resource `id`: `Ok(None)` when the table has no such
    /// package, type or entry; an error when the entry is there but
    /// malformed.
    pub fn resolve(&self, id: u32) -> Result<Option<Resource>, ArscError> {
        let pkg_id = id >> 24;
        let type_id = ((id >> 16) & 0xff) as u8;
        let entry = (id & 0xffff) as usize;
        let Some(pkg) = self.packages.iter().find(|p| p.id == pkg_id) else {
            return Ok(None);
        };
        if type_id == 0 {
            return Ok(None);
        }
        let type_index = u32::from(type_id) - 1;
        let Some(type_index) = type_index.checked_sub(pkg.type_id_offset) else {
            return Ok(None);
        };
        if type_index >= pkg.type_strings.len() {
            return Ok(None);
        }
        let type_name = pkg.type_strings.get(type_index)?.unwrap_or_default();
        // The default configuration first, then the others in file order.
        let candidates = pkg
            .types
            .iter()
            .filter(|t| t.type_id == type_id && t.default)
            .chain(pkg.types.iter().filter(|t| t.type_id == type_id && !t.default));
        for t in candidates {
            let Some(offset) = self.entry_offset(t, entry)? else {
                continue;
            };
            let (key, value) = self.entry(t, offset)?;
            let entry_name = pkg.key_strings.get(key)?.unwrap_or_default();
            return Ok(Some(Resource {
                id,
                package: pkg.name.clone(),
                type_name,
                entry_name,
                value,
                default_config: t.default,
            }));
        }
        Ok(None)
    }

    /// `(type name, entry name)` of resource `id`, each at most
    /// `MAX_NAME_BYTES` (longer names are not decoded: `None`).
    pub fn resolve_name(&self, id: u32) -> Option<(String, String)> {
        let pkg = self.packages.iter().find(|p| p.id == id >> 24)?;
        let type_id = ((id >> 16) & 0xff) as u8;
        let type_index = u32::from(type_id).checked_sub(1)?.checked_sub(pkg.type_id_offset)?;
        let type_name = pkg.type_strings.get_limited(type_index, MAX_NAME_BYTES).ok()??;
        let entry = (id & 0xffff) as usize;
        let candidates = pkg
            .types
            .iter()
            .filter(|t| t.type_id == type_id && t.default)
            .chain(pkg.types.iter().filter(|t| t.type_id == type_id && !t.default));
        for t in candidates {
            let Ok(Some(offset)) = self.entry_offset(t, entry) else {
                continue;
            };
            let key = self.entry_key(t, offset).ok()?;
            let entry_name = pkg.key_strings.get_limited(key, MAX_NAME_BYTES).ok()??;
            return Some((type_name, entry_name));
        }
        None
    }

    /// The key (entry name) index of the entry at `offset`.
    fn entry_key(&self, t: &TypeChunk, offset: usize) -> Result<u32, ArscError> {
        let b = &self.data[..t.end];
        let at = t
            .entries_start
            .checked_add(offset)
            .filter(|a| *a < t.end)
            .ok_or_else(|| malformed(t.offsets_at, "entry offset outside the type chunk"))?;
        let cut = || malformed(at, "entry cut short");
        let size = u16_at(b, at).ok_or_else(cut)?;
        let flags = u16_at(b, at + 2).ok_or_else(cut)?;
        if flags & ENTRY_FLAG_COMPACT != 0 {
            return Ok(u32::from(size));
        }
        u32_at(b, at + 4).ok_or_else(cut)
    }

    /// Every resource id the table defines (in any configuration), in
    /// file order, duplicates removed. For tests and fuzzing.
    pub fn ids(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for p in &self.packages {
            for t in &p.types {
                for e in 0..t.entry_count.min(0x1_0000) {
                    let present = if t.flags & FLAG_SPARSE != 0 {
                        u16_at(self.data, t.offsets_at + e * 4).map(usize::from)
                    } else {
                        self.entry_offset(t, e).ok().flatten().map(|_| e)
                    };
                    if let Some(idx) = present {
                        out.push((p.id << 24) | (u32::from(t.type_id) << 16) | idx as u32);
                    }
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|id| seen.insert(*id));
        out
    }

    /// The offset (from the entries' start) of entry `e` in `t`, if present.
    fn entry_offset(&self, t: &TypeChunk, e: usize) -> Result<Option<usize>, ArscError> {
        let b = self.data;
        let bad = || malformed(t.offsets_at, "entry offset table cut short");
        if t.flags & FLAG_SPARSE != 0 {
            // (index, offset / 4) pairs, sorted by index: a binary search
            // (an unsorted table may then miss an entry, never loop).
            let (mut lo, mut hi) = (0usize, t.entry_count);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                let idx = usize::from(u16_at(b, t.offsets_at + mid * 4).ok_or_else(bad)?);
                match idx.cmp(&e) {
                    std::cmp::Ordering::Equal => {
                        let off = u16_at(b, t.offsets_at + mid * 4 + 2).ok_or_else(bad)?;
                        return Ok(Some(usize::from(off) * 4));
                    }
                    std::cmp::Ordering::Less => lo = mid + 1,
                    std::cmp::Ordering::Greater => hi = mid,
                }
            }
            return Ok(None);
        }
        if e >= t.entry_count {
            return Ok(None);
        }
        if t.flags & FLAG_OFFSET16 != 0 {
            let off = u16_at(b, t.offsets_at + e * 2).ok_or_else(bad)?;
            return Ok((off != 0xffff).then_some(usize::from(off) * 4));
        }
        let off = u32_at(b, t.offsets_at + e * 4).ok_or_else(bad)?;
        Ok((off != 0xffff_ffff).then_some(off as usize))
    }

    /// The entry at `offset`: its key index and value.
    fn entry(&self, t: &TypeChunk, offset: usize) -> Result<(u32, ResValue), ArscError> {
        let b = &self.data[..t.end];
        let at = t.entries_start.checked_add(offset).filter(|a| *a < t.end);
        let Some(at) = at else {
            return Err(malformed(
                t.offsets_at,
                format!("entry offset {offset} is outside the type chunk"),
            ));
        };
        let cut = || malformed(at, "entry cut short");
        let size = u16_at(b, at).ok_or_else(cut)?;
        let flags = u16_at(b, at + 2).ok_or_else(cut)?;
        if flags & ENTRY_FLAG_COMPACT != 0 {
            // Compact: key index in the size field, type in the flags'
            // high byte, data inline.
            let data = u32_at(b, at + 4).ok_or_else(cut)?;
            let value = self.value((flags >> 8) as u8, data)?;
            return Ok((u32::from(size), ResValue::Simple(value)));
        }
        let key = u32_at(b, at + 4).ok_or_else(cut)?;
        if usize::from(size) < 8 {
            return Err(malformed(at, format!("entry header of {size} bytes, under 8")));
        }
        if flags & ENTRY_FLAG_COMPLEX != 0 {
            return Ok((key, ResValue::Complex));
        }
        let v = at + usize::from(size);
        let data_type = u8_at(b, v + 3).ok_or_else(cut)?;
        let data = u32_at(b, v + 4).ok_or_else(cut)?;
        Ok((key, ResValue::Simple(self.value(data_type, data)?)))
    }

    fn value(&self, data_type: u8, data: u32) -> Result<Value, ArscError> {
        Ok(match data_type {
            0x00 => Value::Null,
            0x01 => Value::Reference(data),
            0x02 => Value::Attribute(data),
            0x03 => Value::String(self.strings.get(data)?.unwrap_or_default()),
            0x04 => Value::Float(f32::from_bits(data)),
            0x10 => Value::Dec(data as i32),
            0x11 => Value::Hex(data),
            0x12 => Value::Bool(data != 0),
            other => Value::Other { data_type: other, data },
        })
    }

    /// The package names, in file order.
    pub fn package_names(&self) -> Vec<String> {
        self.packages.iter().map(|p| p.name.clone()).collect()
    }
}

impl ResolveReference for ResourceTable<'_> {
    /// `type/name`, or `package:type/name` for a package other than the
    /// app's own (id 0x7f).
    fn reference_name(&self, id: u32) -> Option<String> {
        let (type_name, entry_name) = self.resolve_name(id)?;
        if type_name.is_empty() || entry_name.is_empty() {
            return None;
        }
        let package = self.packages.iter().find(|p| p.id == id >> 24).map(|p| p.name.as_str());
        Some(match package {
            Some(p) if id >> 24 != 0x7f && !p.is_empty() => format!("{p}:{type_name}/{entry_name}"),
            _ => format!("{type_name}/{entry_name}"),
        })
    }
}

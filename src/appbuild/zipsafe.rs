//! A bounded zip reader for hostile archives (APKs and IPAs).
//!
//! [`SafeZip::open`] checks, before the `zip` crate sees a byte, that the
//! path is a regular file of at most [`MAX_ARCHIVE_BYTES`], that it starts
//! like a zip, and — from its own scan of the end record and the central
//! directory — that the directory is where the end record says, of at most
//! [`MAX_CENTRAL_DIRECTORY_BYTES`] and [`MAX_ENTRIES`] entries. Only the
//! central directory is read at open; an entry is read only when asked for
//! ([`SafeZip::read`]), and never beyond the caller's limit: the limit holds
//! by the bytes actually decompressed, whatever the headers declare.
//!
//! Refused, each with a typed [`ZipError`] naming the archive and entry:
//! - a ratio of decompressed to compressed size above [`MAX_RATIO`] once
//!   past [`RATIO_FREE_BYTES`] (a zip bomb);
//! - an entry, asked for by name or found by a pattern
//!   ([`SafeZip::find`]), whose name has a `..` component, is absolute,
//!   has a backslash or a NUL byte: such a name is what an unpacking tool
//!   may write elsewhere, and what another reader may see as a different
//!   name;
//! - an entry whose name appears more than once in the central directory
//!   (which copy a reader takes is ambiguous: the installer and an
//!   auditor may see different files), or whose local header names a
//!   different file than the central directory does;
//! - encryption, and any compression method but stored and deflated.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Largest archive opened (1 GiB).
pub const MAX_ARCHIVE_BYTES: u64 = 1 << 30;
/// Most central-directory entries accepted.
pub const MAX_ENTRIES: u64 = 200_000;
/// Largest central directory read (its names and headers), in bytes.
pub const MAX_CENTRAL_DIRECTORY_BYTES: u64 = 64 << 20;
/// Highest decompressed-to-compressed ratio accepted past
/// [`RATIO_FREE_BYTES`].
pub const MAX_RATIO: u64 = 200;
/// Decompressed bytes an entry may reach before [`MAX_RATIO`] applies
/// (tiny, highly compressible files are common).
pub const RATIO_FREE_BYTES: u64 = 1 << 20;

/// `PK\x03\x04`: a local file header.
const LOCAL_SIG: u32 = 0x0403_4b50;
/// `PK\x01\x02`: a central directory header.
const CENTRAL_SIG: u32 = 0x0201_4b50;
/// `PK\x05\x06`: the end of central directory record.
const EOCD_SIG: u32 = 0x0605_4b50;
/// `PK\x06\x07`: the ZIP64 end of central directory locator.
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
/// `PK\x06\x06`: the ZIP64 end of central directory record.
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
/// End record (22 bytes) plus the longest comment.
const EOCD_SEARCH: u64 = 22 + 0xffff;

/// Why an archive or one of its entries was refused. Displays as
/// `<path>: <reason>` or `<path>!/<entry>: <reason>`.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {kind}", path.display(), entry_suffix(entry.as_deref()))]
pub struct ZipError {
    /// The archive, as given.
    pub path: PathBuf,
    /// The entry concerned, if the problem is an entry's.
    pub entry: Option<String>,
    /// What was wrong.
    pub kind: ZipErrorKind,
}

fn entry_suffix(entry: Option<&str>) -> String {
    entry.map(|e| format!("!/{}", e.escape_debug())).unwrap_or_default()
}

/// The reason of a [`ZipError`].
#[derive(Debug, thiserror::Error)]
pub enum ZipErrorKind {
    /// The file does not start with a zip header (wrong magic).
    #[error("is not a zip archive (it does not start with a zip file header)")]
    NotZip,
    /// No end of central directory record: cut short, or not a zip.
    #[error("is truncated or not a zip archive: no end of central directory record at its end")]
    NoEndRecord,
    /// Larger than [`MAX_ARCHIVE_BYTES`] (it grew after the check).
    #[error("is larger than the limit of {limit} bytes")]
    ArchiveTooLarge {
        /// The limit.
        limit: u64,
    },
    /// The zip structure is inconsistent.
    #[error("is a malformed zip archive: {0}")]
    Malformed(String),
    /// More entries than [`MAX_ENTRIES`].
    #[error("has {count} entries, more than the limit of {limit}")]
    TooManyEntries {
        /// Entries the end record declares.
        count: u64,
        /// The limit.
        limit: u64,
    },
    /// A central directory above [`MAX_CENTRAL_DIRECTORY_BYTES`].
    #[error("has a central directory of {size} bytes, more than the limit of {limit}")]
    DirectoryTooLarge {
        /// Its declared size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A `..` component, an absolute path, a backslash or a NUL byte.
    #[error("has an unsafe name (a `..` component, an absolute path, a backslash or a NUL byte)")]
    UnsafeName,
    /// The name appears more than once.
    #[error("appears {count} times in the central directory: which copy a reader takes is ambiguous")]
    Duplicate {
        /// How many times.
        count: usize,
    },
    /// The local header names another file than the central directory.
    #[error("has a local file header that names another file than the central directory")]
    HeaderMismatch,
    /// Not in the archive.
    #[error("is not in the archive")]
    Missing,
    /// Decompresses (or declares it would) to more than the caller's limit.
    #[error("decompresses to more than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// Decompresses to more than [`MAX_RATIO`] times its compressed size.
    #[error("decompresses to more than {ratio} times its compressed size of {compressed} bytes (a zip bomb?)")]
    Bomb {
        /// The entry's compressed size.
        compressed: u64,
        /// The ratio refused.
        ratio: u64,
    },
    /// A compression method other than stored (0) and deflated (8).
    #[error("uses compression method {0}; only stored (0) and deflated (8) are read")]
    UnsupportedCompression(u16),
    /// Encrypted.
    #[error("is encrypted")]
    Encrypted,
    /// The compressed data or its checksum is bad.
    #[error("cannot be decompressed: {0}")]
    Corrupt(String),
    /// An I/O error while reading the archive.
    #[error("cannot be read: {0}")]
    Io(std::io::Error),
}

/// One central directory entry, from Strata's own scan.
#[derive(Debug, Clone)]
struct CdEntry {
    /// The name as recorded.
    raw: Vec<u8>,
    /// The name as text (invalid UTF-8 replaced), for display and patterns.
    name: String,
    /// General purpose flags (bit 0: encrypted).
    flags: u16,
    /// Compression method.
    method: u16,
    /// Offset of the local header (`None`: in a ZIP64 extra field).
    local_offset: Option<u64>,
}

/// An open, bounded zip archive. See the module documentation.
pub struct SafeZip {
    path: PathBuf,
    len: u64,
    cd_offset: u64,
    entries: Vec<CdEntry>,
    /// Raw name → indices into `entries`.
    by_name: HashMap<Vec<u8>, Vec<usize>>,
    /// Normalized name → how many entries have it.
    normalized_counts: HashMap<String, usize>,
    archive: zip::ZipArchive<File>,
    /// A second handle on the same file, for the local headers and the
    /// signing block. (It shares the file position with the zip reader;
    /// every read through either seeks first.)
    raw: File,
}

impl std::fmt::Debug for SafeZip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafeZip")
            .field("path", &self.path)
            .field("entries", &self.entries.len())
            .finish_non_exhaustive()
    }
}

/// Whether a name is safe to read: no `..` component, not absolute (`/x`,
/// `C:x`), no backslash, no NUL byte.
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains('\0')
        && !name.split('/').any(|c| c == "..")
        && !(name.len() >= 2 && name.as_bytes()[1] == b':' && name.as_bytes()[0].is_ascii_alphabetic())
}

/// A name as an unpacking tool might resolve it: backslashes as slashes,
/// cut at a NUL byte, no leading slashes or drive, no empty or `.`
/// components, `..` applied. What a pattern is matched against, so that a
/// crafted spelling of a name is caught rather than missed.
fn normalized(name: &str) -> String {
    let name = name.split('\0').next().unwrap_or_default().replace('\\', "/");
    let name = match name.as_bytes() {
        [d, b':', ..] if d.is_ascii_alphabetic() => &name[2..],
        _ => &name[..],
    };
    let mut parts: Vec<&str> = Vec::new();
    for c in name.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let mut out = parts.join("/");
    if name.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    out
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

#[cfg(unix)]
fn open_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // As crate::fsread: a FIFO swapped in after the check must not block.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_file(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// Reads exactly `len` bytes at `offset`.
fn read_at(file: &mut File, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(offset))?;
    let mut buf = vec![0u8; len];
    file.read_exact(&mut buf)?;
    Ok(buf)
}

impl SafeZip {
    /// Opens the zip archive at `path` (symlinks followed) and reads its
    /// central directory, with the checks of the module documentation.
    pub fn open(path: &Path) -> Result<SafeZip, crate::appbuild::AppBuildError> {
        crate::fsread::check_regular(path, MAX_ARCHIVE_BYTES, "app archive")?;
        Ok(Self::open_checked(path)?)
    }

    fn open_checked(path: &Path) -> Result<SafeZip, ZipError> {
        let err = |kind| ZipError {
            path: path.to_path_buf(),
            entry: None,
            kind,
        };
        let io = |e: std::io::Error| err(ZipErrorKind::Io(e));
        let mut file = open_file(path).map_err(io)?;
        // Again on the handle: the path may have been swapped since.
        let meta = file.metadata().map_err(io)?;
        if !meta.is_file() {
            return Err(err(ZipErrorKind::Io(std::io::Error::other("not a regular file"))));
        }
        let len = meta.len();
        if len > MAX_ARCHIVE_BYTES {
            return Err(err(ZipErrorKind::ArchiveTooLarge {
                limit: MAX_ARCHIVE_BYTES,
            }));
        }
        if len < 22 {
            return Err(err(if len < 4 {
                ZipErrorKind::NotZip
            } else {
                ZipErrorKind::NoEndRecord
            }));
        }
        let magic = read_at(&mut file, 0, 4).map_err(io)?;
        if u32_at(&magic, 0) != Some(LOCAL_SIG) && u32_at(&magic, 0) != Some(EOCD_SIG) {
            return Err(err(ZipErrorKind::NotZip));
        }

        // The end record: the last signature in the tail whose comment
        // length reaches exactly to the end of the file.
        let tail_len = len.min(EOCD_SEARCH);
        let tail_start = len - tail_len;
        let tail = read_at(&mut file, tail_start, tail_len as usize).map_err(io)?;
        let eocd = (0..=tail.len() - 22)
            .rev()
            .find(|&i| {
                u32_at(&tail, i) == Some(EOCD_SIG)
                    && u16_at(&tail, i + 20).is_some_and(|c| i + 22 + usize::from(c) == tail.len())
            })
            .ok_or_else(|| err(ZipErrorKind::NoEndRecord))?;
        let eocd_pos = tail_start + eocd as u64;
        let malformed = |m: &str| err(ZipErrorKind::Malformed(m.to_string()));
        let disk = u16_at(&tail, eocd + 4).unwrap_or(0);
        let cd_disk = u16_at(&tail, eocd + 6).unwrap_or(0);
        let mut count = u64::from(u16_at(&tail, eocd + 10).unwrap_or(0));
        let mut cd_size = u64::from(u32_at(&tail, eocd + 12).unwrap_or(0));
        let mut cd_offset = u64::from(u32_at(&tail, eocd + 16).unwrap_or(0));
        let mut cd_end = eocd_pos;
        if disk != 0 || cd_disk != 0 {
            return Err(malformed("a multi-disk (spanned) archive"));
        }
        // ZIP64: the locator sits right before the end record.
        if (count == 0xffff || cd_size == 0xffff_ffff || cd_offset == 0xffff_ffff) && eocd_pos >= 20 {
            let loc = read_at(&mut file, eocd_pos - 20, 20).map_err(io)?;
            if u32_at(&loc, 0) == Some(ZIP64_LOCATOR_SIG) {
                let rec_pos = u64_at(&loc, 8).unwrap_or(u64::MAX);
                if rec_pos.checked_add(56).is_none_or(|e| e > eocd_pos - 20) {
                    return Err(malformed("the ZIP64 end record is outside the archive"));
                }
                let rec = read_at(&mut file, rec_pos, 56).map_err(io)?;
                if u32_at(&rec, 0) != Some(ZIP64_EOCD_SIG) {
                    return Err(malformed("no ZIP64 end record where the locator points"));
                }
                count = u64_at(&rec, 32).unwrap_or(u64::MAX);
                cd_size = u64_at(&rec, 40).unwrap_or(u64::MAX);
                cd_offset = u64_at(&rec, 48).unwrap_or(u64::MAX);
                cd_end = rec_pos;
            }
        }
        if count > MAX_ENTRIES {
            return Err(err(ZipErrorKind::TooManyEntries {
                count,
                limit: MAX_ENTRIES,
            }));
        }
        if cd_size > MAX_CENTRAL_DIRECTORY_BYTES {
            return Err(err(ZipErrorKind::DirectoryTooLarge {
                size: cd_size,
                limit: MAX_CENTRAL_DIRECTORY_BYTES,
            }));
        }
        // The directory must end where the end record begins, and start
        // where the end record says: no prepended data, no gap, no overlap.
        if cd_offset.checked_add(cd_size) != Some(cd_end) {
            return Err(malformed(
                "the central directory is not where the end record says (truncated, or data prepended or inserted)",
            ));
        }
        if count.saturating_mul(46) > cd_size {
            return Err(malformed("the central directory is too small for its entry count"));
        }
        let cd = read_at(&mut file, cd_offset, cd_size as usize).map_err(io)?;
        let entries = scan_directory(&cd, count).map_err(|m| malformed(&m))?;
        let mut by_name: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        let mut normalized_counts: HashMap<String, usize> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            by_name.entry(e.raw.clone()).or_default().push(i);
            *normalized_counts.entry(normalized(&e.name)).or_default() += 1;
        }
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let raw = file.try_clone().map_err(io)?;
        let archive = zip::ZipArchive::new(file).map_err(|e| malformed(&e.to_string()))?;
        if archive.len() != by_name.len() {
            return Err(malformed("the zip reader and Strata's scan disagree on the entries"));
        }
        Ok(SafeZip {
            path: path.to_path_buf(),
            len,
            cd_offset,
            entries,
            by_name,
            normalized_counts,
            archive,
            raw,
        })
    }

    /// The archive's path, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The archive's size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the archive has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where the central directory starts (the APK Signing Block ends
    /// there).
    pub fn central_directory_offset(&self) -> u64 {
        self.cd_offset
    }

    /// Every entry name, in central-directory order (duplicates and unsafe
    /// names included; invalid UTF-8 replaced).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    /// Whether an entry of exactly this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name.as_bytes())
    }

    fn entry_err(&self, entry: &str, kind: ZipErrorKind) -> ZipError {
        ZipError {
            path: self.path.clone(),
            entry: Some(entry.to_string()),
            kind,
        }
    }

    /// The names whose normalized form satisfies `matches`, in directory
    /// order, each checked: an unsafe name (see [`is_safe_name`]) or a
    /// name present twice (also after normalization) is an error, not a
    /// silent skip.
    pub fn find(&self, matches: impl Fn(&str) -> bool) -> Result<Vec<String>, ZipError> {
        let mut out = Vec::new();
        for e in &self.entries {
            let norm = normalized(&e.name);
            if !matches(&norm) {
                continue;
            }
            if !is_safe_name(&e.name) || e.name.contains('\u{fffd}') {
                return Err(self.entry_err(&e.name, ZipErrorKind::UnsafeName));
            }
            let count = self.normalized_counts.get(&norm).copied().unwrap_or(0);
            if count > 1 {
                return Err(self.entry_err(&e.name, ZipErrorKind::Duplicate { count }));
            }
            out.push(e.name.clone());
        }
        Ok(out)
    }

    /// Reads the entry `name`, decompressed, refusing more than `limit`
    /// bytes (by what is decompressed) and a zip bomb's ratio. The name
    /// must be safe and unique (also after normalization).
    pub fn read(&mut self, name: &str, limit: u64) -> Result<Vec<u8>, ZipError> {
        if !is_safe_name(name) {
            return Err(self.entry_err(name, ZipErrorKind::UnsafeName));
        }
        let idx = match self.by_name.get(name.as_bytes()).map(Vec::as_slice) {
            None | Some([]) => return Err(self.entry_err(name, ZipErrorKind::Missing)),
            Some([one]) => *one,
            Some(many) => {
                let count = many.len();
                return Err(self.entry_err(name, ZipErrorKind::Duplicate { count }));
            }
        };
        let aliases = self.normalized_counts.get(&normalized(name)).copied().unwrap_or(0);
        if aliases > 1 {
            return Err(self.entry_err(name, ZipErrorKind::Duplicate { count: aliases }));
        }
        let entry = self.entries[idx].clone();
        if entry.flags & 1 != 0 {
            return Err(self.entry_err(name, ZipErrorKind::Encrypted));
        }
        if entry.method != 0 && entry.method != 8 {
            return Err(self.entry_err(name, ZipErrorKind::UnsupportedCompression(entry.method)));
        }
        self.check_local_header(&entry)?;
        let path = self.path.clone();
        let err = |kind| ZipError {
            path: path.clone(),
            entry: Some(name.to_string()),
            kind,
        };
        let zidx = self
            .archive
            .index_for_name_raw(&entry.raw)
            .ok_or_else(|| err(ZipErrorKind::Missing))?;
        let mut file = self.archive.by_index(zidx).map_err(|e| err(zip_kind(e)))?;
        if file.encrypted() {
            return Err(err(ZipErrorKind::Encrypted));
        }
        let compressed = file.compressed_size();
        let declared = file.size();
        if declared > limit {
            return Err(err(ZipErrorKind::TooLarge { limit }));
        }
        let bomb = |n: u64| n > RATIO_FREE_BYTES && n > compressed.saturating_mul(MAX_RATIO);
        if bomb(declared) {
            return Err(err(ZipErrorKind::Bomb {
                compressed,
                ratio: MAX_RATIO,
            }));
        }
        let mut out = Vec::with_capacity(usize::try_from(declared.min(1 << 20)).unwrap_or(0));
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(err(ZipErrorKind::Corrupt(e.to_string()))),
            };
            let total = out.len() as u64 + n as u64;
            if total > limit {
                return Err(err(ZipErrorKind::TooLarge { limit }));
            }
            if bomb(total) {
                return Err(err(ZipErrorKind::Bomb {
                    compressed,
                    ratio: MAX_RATIO,
                }));
            }
            out.extend_from_slice(&buf[..n]);
        }
        if out.len() as u64 != declared {
            return Err(err(ZipErrorKind::Corrupt(format!(
                "{} bytes decompressed where the directory declares {declared}",
                out.len()
            ))));
        }
        Ok(out)
    }

    /// The local header must name the same file as the central directory
    /// (a reader that walks local headers would otherwise see another
    /// file).
    fn check_local_header(&mut self, entry: &CdEntry) -> Result<(), ZipError> {
        let Some(offset) = entry.local_offset else {
            return Ok(());
        };
        let name_len = entry.raw.len();
        if offset
            .checked_add(30 + name_len as u64)
            .is_none_or(|e| e > self.cd_offset)
        {
            return Err(self.entry_err(
                &entry.name,
                ZipErrorKind::Malformed("the local header is outside the entries' area".into()),
            ));
        }
        let head = match read_at(&mut self.raw, offset, 30 + name_len) {
            Ok(h) => h,
            Err(e) => return Err(self.entry_err(&entry.name, ZipErrorKind::Io(e))),
        };
        if u32_at(&head, 0) != Some(LOCAL_SIG)
            || usize::from(u16_at(&head, 26).unwrap_or(0)) != name_len
            || head.get(30..) != Some(&entry.raw[..])
        {
            return Err(self.entry_err(&entry.name, ZipErrorKind::HeaderMismatch));
        }
        Ok(())
    }

    /// Reads `len` raw bytes at `offset` of the archive file (for the APK
    /// Signing Block, which lies outside any entry). `len` is capped by
    /// the caller.
    pub fn read_raw(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, ZipError> {
        let err = |kind| ZipError {
            path: self.path.clone(),
            entry: None,
            kind,
        };
        if offset.checked_add(len as u64).is_none_or(|e| e > self.len) {
            return Err(err(ZipErrorKind::Malformed("a range outside the archive".into())));
        }
        read_at(&mut self.raw, offset, len).map_err(|e| err(ZipErrorKind::Io(e)))
    }
}

fn zip_kind(e: zip::result::ZipError) -> ZipErrorKind {
    match e {
        zip::result::ZipError::Io(e) => ZipErrorKind::Io(e),
        zip::result::ZipError::UnsupportedArchive(m) => ZipErrorKind::Malformed(format!("unsupported: {m}")),
        other => ZipErrorKind::Malformed(other.to_string()),
    }
}

/// Walks the central directory: `count` headers, each inside `cd`.
fn scan_directory(cd: &[u8], count: u64) -> Result<Vec<CdEntry>, String> {
    let mut entries = Vec::with_capacity(usize::try_from(count).unwrap_or(0).min(1 << 16));
    let mut at = 0usize;
    for i in 0..count {
        let bad = |what: &str| format!("central directory entry {i}: {what}");
        if u32_at(cd, at) != Some(CENTRAL_SIG) {
            return Err(bad("no central directory header signature"));
        }
        let field = |off: usize| u16_at(cd, at + off).ok_or_else(|| bad("truncated header"));
        let flags = field(8)?;
        let method = field(10)?;
        let name_len = usize::from(field(28)?);
        let extra_len = usize::from(field(30)?);
        let comment_len = usize::from(field(32)?);
        let local = u32_at(cd, at + 42).ok_or_else(|| bad("truncated header"))?;
        let name_start = at + 46;
        let next = name_start + name_len + extra_len + comment_len;
        if next > cd.len() {
            return Err(bad("runs past the end of the central directory"));
        }
        let raw = cd[name_start..name_start + name_len].to_vec();
        let name = String::from_utf8_lossy(&raw).into_owned();
        entries.push(CdEntry {
            raw,
            name,
            flags,
            method,
            local_offset: (local != 0xffff_ffff).then_some(u64::from(local)),
        });
        at = next;
    }
    if at != cd.len() {
        return Err("the central directory has bytes after its last entry".into());
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_judged_and_normalized() {
        for bad in ["../x", "a/../../x", "/etc/passwd", "a\\b", "a\0b", "C:x", ""] {
            assert!(!is_safe_name(bad), "{bad:?}");
        }
        for good in ["AndroidManifest.xml", "res/xml/a.xml", "a..b/c", "Payload/A.app/"] {
            assert!(is_safe_name(good), "{good:?}");
        }
        assert_eq!(normalized("Payload\\A.app\\Info.plist"), "Payload/A.app/Info.plist");
        assert_eq!(
            normalized("/Payload/./x/../A.app/Info.plist"),
            "Payload/A.app/Info.plist"
        );
        assert_eq!(normalized("a\0b"), "a");
        assert_eq!(normalized("dir/"), "dir/");
    }

    #[test]
    fn the_directory_scan_checks_every_length() {
        assert!(scan_directory(&[], 0).is_ok());
        assert!(scan_directory(&[], 1).is_err());
        let mut h = vec![0u8; 46];
        h[..4].copy_from_slice(&CENTRAL_SIG.to_le_bytes());
        h[28] = 5; // a 5-byte name that is not there
        assert!(scan_directory(&h, 1).is_err());
        h.extend_from_slice(b"a.txt");
        let e = scan_directory(&h, 1).expect("one entry");
        assert_eq!(e[0].name, "a.txt");
        h.push(0);
        assert!(scan_directory(&h, 1).is_err(), "trailing bytes");
    }
}

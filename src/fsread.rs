//! The one way Strata reads a file named by its user: bounded, and only
//! regular files.
//!
//! Every path that comes from the user (the architecture file, `{file: …}`
//! secrets, `trust.ca_file`, `openapi`, pin imports, rule files, `--replay`
//! evidence) is read through [`read_bounded`] or [`read_text`]. They refuse
//! anything that is not a regular file with a precise reason (a directory,
//! a FIFO, a character device such as `/dev/zero`, a socket, a symlink loop)
//! and never read more than the caller's limit, whatever the file's
//! metadata says: the cap holds by what was actually read.
//!
//! On Unix the file is opened with `O_NONBLOCK`, so that a FIFO swapped in
//! after the first check does not block the open, and the type is checked
//! again on the opened handle (`fstat`) before a byte is read.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest `trust.ca_file` read (the whole Mozilla bundle is about
/// 250 KiB). Here because both validation and the probes check it.
pub const MAX_CA_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Largest `--replay` evidence file read (a thousand endpoints' evidence
/// is a few tens of MiB).
pub const MAX_EVIDENCE_BYTES: u64 = 256 * 1024 * 1024;

/// Why a file could not be read. Displays as `<what> <path> <reason>`, e.g.
/// `CA file /etc/ca.pem is a directory, not a regular file`.
#[derive(Debug, thiserror::Error)]
#[error("{what} {} {kind}", path.display())]
pub struct ReadError {
    /// What the file is for (`architecture file`, `CA file`, ...).
    pub what: &'static str,
    /// The path as given.
    pub path: PathBuf,
    /// The reason.
    pub kind: ReadErrorKind,
}

/// The reason of a [`ReadError`], worded to follow the file's name.
#[derive(Debug, thiserror::Error)]
pub enum ReadErrorKind {
    /// Nothing at that path.
    #[error("does not exist")]
    NotFound,
    /// No permission to read it.
    #[error("cannot be read: permission denied")]
    PermissionDenied,
    /// A directory.
    #[error("is a directory, not a regular file")]
    Directory,
    /// A FIFO (named pipe): reading it could block forever.
    #[error("is a FIFO (named pipe), not a regular file")]
    Fifo,
    /// A character device: `/dev/zero` and `/dev/urandom` never end.
    #[error("is a character device (such as /dev/zero), not a regular file")]
    CharDevice,
    /// A block device.
    #[error("is a block device, not a regular file")]
    BlockDevice,
    /// A Unix socket.
    #[error("is a socket, not a regular file")]
    Socket,
    /// Some other kind of file.
    #[error("is not a regular file")]
    NotRegular,
    /// Symbolic links that point at each other.
    #[error("cannot be opened: too many levels of symbolic links (a symlink loop?)")]
    SymlinkLoop,
    /// Larger than the caller's limit.
    #[error("is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// Not UTF-8 text (from [`read_text`]).
    #[error("is not UTF-8 text: {0}")]
    NotUtf8(std::str::Utf8Error),
    /// Any other I/O error.
    #[error("cannot be read: {0}")]
    Io(std::io::Error),
}

fn classify_io(e: std::io::Error) -> ReadErrorKind {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return ReadErrorKind::SymlinkLoop;
    }
    match e.kind() {
        std::io::ErrorKind::NotFound => ReadErrorKind::NotFound,
        std::io::ErrorKind::PermissionDenied => ReadErrorKind::PermissionDenied,
        std::io::ErrorKind::IsADirectory => ReadErrorKind::Directory,
        _ => ReadErrorKind::Io(e),
    }
}

/// `Ok` for a regular file, else what it is.
fn file_type(meta: &Metadata) -> Result<(), ReadErrorKind> {
    let t = meta.file_type();
    if t.is_file() {
        return Ok(());
    }
    if t.is_dir() {
        return Err(ReadErrorKind::Directory);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Err(ReadErrorKind::Fifo);
        }
        if t.is_char_device() {
            return Err(ReadErrorKind::CharDevice);
        }
        if t.is_block_device() {
            return Err(ReadErrorKind::BlockDevice);
        }
        if t.is_socket() {
            return Err(ReadErrorKind::Socket);
        }
    }
    Err(ReadErrorKind::NotRegular)
}

/// Checks, without reading it, that `path` (symlinks followed) is a regular
/// file of at most `max_bytes` bytes. For validation: the file is read
/// later, through [`read_bounded`], which checks again.
pub fn check_regular(path: &Path, max_bytes: u64, what: &'static str) -> Result<(), ReadError> {
    let err = |kind| ReadError {
        what,
        path: path.to_path_buf(),
        kind,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(classify_io(e)))?;
    file_type(&meta).map_err(err)?;
    if meta.len() > max_bytes {
        return Err(err(ReadErrorKind::TooLarge { limit: max_bytes }));
    }
    Ok(())
}

#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Non-blocking: opening a FIFO for reading would otherwise wait for a
    // writer. Regular files ignore the flag.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// Reads the regular file at `path` (symlinks followed), at most
/// `max_bytes` bytes; `what` names the file's role in errors.
pub fn read_bounded(path: &Path, max_bytes: u64, what: &'static str) -> Result<Vec<u8>, ReadError> {
    let err = |kind| ReadError {
        what,
        path: path.to_path_buf(),
        kind,
    };
    // First by path, so that nothing odd is even opened...
    check_regular(path, max_bytes, what)?;
    let file = open(path).map_err(|e| err(classify_io(e)))?;
    // ...then by handle: the path may have been swapped since.
    let meta = file.metadata().map_err(|e| err(classify_io(e)))?;
    file_type(&meta).map_err(err)?;
    if meta.len() > max_bytes {
        return Err(err(ReadErrorKind::TooLarge { limit: max_bytes }));
    }
    // The cap holds by what is read, not by what the metadata said.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).min(1 << 20));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| err(classify_io(e)))?;
    if bytes.len() as u64 > max_bytes {
        return Err(err(ReadErrorKind::TooLarge { limit: max_bytes }));
    }
    Ok(bytes)
}

/// [`read_bounded`], as UTF-8 text.
pub fn read_text(path: &Path, max_bytes: u64, what: &'static str) -> Result<String, ReadError> {
    let bytes = read_bounded(path, max_bytes, what)?;
    String::from_utf8(bytes).map_err(|e| ReadError {
        what,
        path: path.to_path_buf(),
        kind: ReadErrorKind::NotUtf8(e.utf8_error()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(path: &Path, max: u64) -> ReadErrorKind {
        match read_bounded(path, max, "test file") {
            Ok(b) => panic!("{} read {} bytes", path.display(), b.len()),
            Err(e) => e.kind,
        }
    }

    #[test]
    fn regular_files_are_read_up_to_the_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("f");
        std::fs::write(&f, b"12345").expect("write");
        assert_eq!(read_bounded(&f, 5, "test file").expect("read"), b"12345");
        assert!(matches!(kind(&f, 4), ReadErrorKind::TooLarge { limit: 4 }));
        let e = read_bounded(&f, 4, "test file").expect_err("too large");
        assert_eq!(
            e.to_string(),
            format!("test file {} is larger than the limit of 4 bytes", f.display())
        );
        std::fs::write(&f, [0xff, 0xfe]).expect("write");
        assert!(matches!(
            read_text(&f, 10, "t").map_err(|e| e.kind),
            Err(ReadErrorKind::NotUtf8(_))
        ));
    }

    #[test]
    fn anything_but_a_regular_file_is_refused_with_its_kind() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(kind(dir.path(), 100), ReadErrorKind::Directory));
        assert!(matches!(
            kind(&dir.path().join("missing"), 100),
            ReadErrorKind::NotFound
        ));
        #[cfg(unix)]
        {
            assert!(matches!(kind(Path::new("/dev/zero"), 100), ReadErrorKind::CharDevice));
            let lp = dir.path().join("loop");
            std::os::unix::fs::symlink(&lp, &lp).expect("symlink");
            assert!(matches!(kind(&lp, 100), ReadErrorKind::SymlinkLoop));
            let fifo = dir.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                assert!(matches!(kind(&fifo, 100), ReadErrorKind::Fifo));
            }
            let sock = dir.path().join("sock");
            let _listener = std::os::unix::net::UnixListener::bind(&sock).expect("bind");
            assert!(matches!(kind(&sock, 100), ReadErrorKind::Socket));
            // A link to /dev/zero is judged by its target.
            let z = dir.path().join("zero.yaml");
            std::os::unix::fs::symlink("/dev/zero", &z).expect("symlink");
            assert!(matches!(kind(&z, 100), ReadErrorKind::CharDevice));
            assert!(check_regular(&z, 100, "t").is_err());
        }
    }
}

//! Every file vpclint reads from its input goes through here.
//!
//! The input is untrusted (a pull request from a fork): a `.tf` file, a module directory
//! or a `var_files` entry may be a symbolic link to `/etc/passwd`, a named pipe that
//! blocks a reader forever, or a device. A [`Confinement`] is built once per run, before
//! anything is evaluated, from the paths the user gave: a file is read only when its
//! canonical path (all links resolved) lies inside one of those roots, and only when it
//! is a regular file. The set never grows during evaluation, so what `file()` may read
//! does not depend on the order in which modules are evaluated.

use crate::diag::{Problem, PARSE_IO};
use crate::source::{display_path, Location, SourceFile};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a file was not read. No variant holds any of the file's content.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    /// The canonical path lies outside the allowed roots.
    #[error("resolves to a path outside the linted directories (a symbolic link?); vpclint does not read it")]
    Outside,
    /// A FIFO, device, socket or directory where a file is expected (or the reverse).
    #[error("is a {0}, not a regular file; vpclint does not open it")]
    NotRegular(&'static str),
    /// Expected a directory.
    #[error("is not a directory")]
    NotDirectory,
    /// Symbolic links that point at each other.
    #[error("is a loop of symbolic links")]
    Loop,
    /// Nothing there (or a dangling link).
    #[error("does not exist")]
    NotFound,
    /// Text that is not UTF-8: the position of the first bad byte.
    #[error("is not valid UTF-8 (line {line}, column {column})")]
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// Its 1-based line.
        line: usize,
        /// Its 1-based column (in characters).
        column: usize,
        /// The file with the invalid bytes replaced, to point at the position.
        file: Arc<SourceFile>,
    },
    /// Any other I/O error.
    #[error("cannot be read: {0}")]
    Io(std::io::Error),
}

impl FsError {
    fn from_io(e: std::io::Error) -> FsError {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return FsError::Loop;
        }
        match e.kind() {
            std::io::ErrorKind::NotFound => FsError::NotFound,
            _ => FsError::Io(e),
        }
    }

    /// The problem to report for `path`: at the first invalid byte for bad UTF-8, else
    /// at `at` (the reference to the file: a `var_files` line, a `file()` call) when
    /// given, else on the path.
    pub fn problem(&self, path: &Path, at: Option<Location>) -> Problem {
        let message = format!("{}: {self}", display_path(path));
        match (self, at) {
            (FsError::NotUtf8 { file, offset, .. }, _) => Problem::at(
                PARSE_IO,
                "file is not valid UTF-8 (the first invalid byte is here)",
                Location::new(file, *offset..*offset),
            ),
            (_, Some(at)) => Problem::at(PARSE_IO, message, at),
            (_, None) => Problem::path(PARSE_IO, self.to_string(), display_path(path)),
        }
    }
}

/// The name of a file type that is not a regular file.
fn kind_name(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "named pipe";
        }
        if ft.is_socket() {
            return "socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "device";
        }
    }
    if ft.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

/// The set of directories and files vpclint may read, fixed before evaluation.
#[derive(Clone, Debug, Default)]
pub struct Confinement {
    /// Canonical directories: everything below them may be read.
    roots: Vec<PathBuf>,
    /// Canonical files given on the command line (`--var-file`), trusted one by one.
    files: Vec<PathBuf>,
}

impl Confinement {
    /// The allowed set for linting `paths`: each directory given (for a file, the
    /// directory holding it, so that a link given as a file is still checked) and its
    /// git repository (modules read shared files from it).
    pub fn for_paths(paths: &[PathBuf]) -> Confinement {
        let mut c = Confinement::default();
        for p in paths {
            let dir = if p.is_dir() {
                p.as_path()
            } else {
                match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                }
            };
            let Ok(dir) = std::fs::canonicalize(dir) else {
                continue;
            };
            let widest = repository_root(&dir).unwrap_or(dir);
            c.allow_canonical_dir(widest);
        }
        c
    }

    /// Adds a directory (a trusted command-line argument such as `--tf-root`).
    pub fn allow_dir(&mut self, dir: &Path) {
        if let Ok(d) = std::fs::canonicalize(dir) {
            self.allow_canonical_dir(d);
        }
    }

    fn allow_canonical_dir(&mut self, dir: PathBuf) {
        if !self.roots.iter().any(|r| dir.starts_with(r)) {
            self.roots.retain(|r| !r.starts_with(&dir));
            self.roots.push(dir);
            self.roots.sort();
        }
    }

    /// Adds one file (a trusted command-line argument such as `--var-file`).
    pub fn allow_file(&mut self, file: &Path) {
        if let Ok(f) = std::fs::canonicalize(file) {
            if !self.files.contains(&f) {
                self.files.push(f);
            }
        }
    }

    /// The allowed directories, canonical and sorted.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// True when the canonical path lies inside the allowed set.
    fn contains(&self, canonical: &Path) -> bool {
        self.roots.iter().any(|r| canonical.starts_with(r))
            || self.files.iter().any(|f| f == canonical)
    }

    /// The canonical path of `path` when it lies inside the allowed set.
    pub fn resolve(&self, path: &Path) -> Result<PathBuf, FsError> {
        let canonical = std::fs::canonicalize(path).map_err(FsError::from_io)?;
        if self.contains(&canonical) {
            Ok(canonical)
        } else {
            Err(FsError::Outside)
        }
    }

    /// Checks that `path` is a directory inside the allowed set; returns its canonical path.
    pub fn dir(&self, path: &Path) -> Result<PathBuf, FsError> {
        let canonical = self.resolve(path)?;
        let meta = std::fs::metadata(&canonical).map_err(FsError::from_io)?;
        if meta.is_dir() {
            Ok(canonical)
        } else {
            Err(FsError::NotDirectory)
        }
    }

    /// True when `path` is a regular file inside the allowed set, false when nothing is
    /// there; an error for anything else (outside, a pipe, a link loop).
    pub fn file_exists(&self, path: &Path) -> Result<bool, FsError> {
        match self.resolve(path) {
            Ok(canonical) => {
                let meta = std::fs::metadata(&canonical).map_err(FsError::from_io)?;
                if meta.is_file() {
                    Ok(true)
                } else {
                    Err(FsError::NotRegular(kind_name(meta.file_type())))
                }
            }
            Err(FsError::NotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The bytes of a regular file inside the allowed set.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>, FsError> {
        read_regular(&self.resolve(path)?)
    }

    /// The text of a regular UTF-8 file inside the allowed set; `display` is the path
    /// a [`FsError::NotUtf8`] shows.
    pub fn read_text(&self, path: &Path) -> Result<String, FsError> {
        utf8(path, self.read(path)?)
    }

    /// A regular UTF-8 file inside the allowed set, as a [`SourceFile`] under `path`.
    pub fn read_source(&self, path: &Path) -> Result<Arc<SourceFile>, FsError> {
        Ok(SourceFile::new(path.to_path_buf(), self.read_text(path)?))
    }
}

/// Decodes UTF-8, locating the first invalid byte.
pub fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String, FsError> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let file = SourceFile::new(
            path.to_path_buf(),
            String::from_utf8_lossy(e.as_bytes()).into_owned(),
        );
        // The bytes before the first invalid one are valid: the offset is the same in
        // the lossy text.
        let (line, column) = file.line_col(offset);
        FsError::NotUtf8 {
            offset,
            line,
            column,
            file,
        }
    })
}

/// The bytes of a regular file, refusing pipes, devices and sockets without opening
/// them in a way that blocks. For paths the user named (`--config`, `--baseline`),
/// which are not confined.
pub fn read_regular(path: &Path) -> Result<Vec<u8>, FsError> {
    let meta = std::fs::metadata(path).map_err(FsError::from_io)?;
    if !meta.is_file() {
        return Err(FsError::NotRegular(kind_name(meta.file_type())));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // A file swapped for a pipe after the check above must not block the open.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let mut f = options.open(path).map_err(FsError::from_io)?;
    let meta = f.metadata().map_err(FsError::from_io)?;
    if !meta.is_file() {
        return Err(FsError::NotRegular(kind_name(meta.file_type())));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    f.read_to_end(&mut bytes).map_err(FsError::from_io)?;
    Ok(bytes)
}

/// The nearest enclosing directory of a canonical path holding `.git`, if any.
pub fn repository_root(canonical: &Path) -> Option<PathBuf> {
    canonical
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("vpclint-fs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("root")).expect("mkdir");
        std::fs::create_dir_all(d.join("outside")).expect("mkdir");
        d
    }

    #[test]
    fn links_inside_are_read_and_links_outside_refused() {
        let d = scratch("links");
        std::fs::write(d.join("outside/secret"), "SECRET").expect("write");
        std::fs::write(d.join("root/a.txt"), "inside").expect("write");
        std::os::unix::fs::symlink(d.join("root/a.txt"), d.join("root/in")).expect("link");
        std::os::unix::fs::symlink(d.join("outside/secret"), d.join("root/out")).expect("link");
        let c = Confinement {
            roots: vec![std::fs::canonicalize(d.join("root")).expect("canon")],
            files: vec![],
        };
        assert_eq!(c.read_text(&d.join("root/in")).expect("inside"), "inside");
        assert!(matches!(
            c.read_text(&d.join("root/out")),
            Err(FsError::Outside)
        ));
        assert!(matches!(
            c.read_text(&d.join("root/../outside/secret")),
            Err(FsError::Outside)
        ));
        std::os::unix::fs::symlink("loop", d.join("root/loop")).expect("link");
        assert!(matches!(
            c.read_text(&d.join("root/loop")),
            Err(FsError::Loop)
        ));
        assert!(matches!(c.file_exists(&d.join("root/none")), Ok(false)));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn invalid_utf8_is_located_at_the_first_bad_byte() {
        let e = utf8(Path::new("x.tf"), b"ok\nab\xffc".to_vec()).expect_err("invalid");
        match e {
            FsError::NotUtf8 {
                offset,
                line,
                column,
                ..
            } => assert_eq!((offset, line, column), (5, 2, 3)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_named_pipe_is_refused_without_blocking() {
        let d = scratch("fifo");
        let fifo = d.join("root/pipe.tf");
        let c_path = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).expect("cstr");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let c = Confinement::for_paths(&[d.join("root")]);
        assert!(matches!(
            c.read(&fifo),
            Err(FsError::NotRegular("named pipe"))
        ));
        assert!(matches!(
            c.file_exists(&fifo),
            Err(FsError::NotRegular("named pipe"))
        ));
        let _ = std::fs::remove_dir_all(&d);
    }
}

//! Output files that appear only once complete.
//!
//! An [`AtomicOutput`] resolves its path first ([`super::target::resolve`]): a regular file
//! (or a symbolic link to one, followed to its final target) is written to a temporary file in
//! the resolved target's folder and renamed over it on [`AtomicOutput::commit`], so the link
//! stays a link and an interrupted run leaves the old file untouched. An existing file keeps its
//! permission bits; a new one gets `0644` less the umask. Anything else (a FIFO, a device such
//! as `/dev/stdout`, or `-` for standard output) is opened and written in place. Temporary
//! files are registered in [`super::pending`] so that a signal handler can remove them.

use std::fs::File;
use std::io::{self, BufWriter, Read, Stdout, Write};
use std::path::{Path, PathBuf};

use super::pending::PendingFile;
use super::target::{folder_of, resolve, OutputTarget};

/// Permission bits of a new output file (before the umask).
const NEW_FILE_MODE: u32 = 0o644;

/// Where written bytes go.
enum Destination {
    /// A temporary file (renamed into place on commit) or a file opened in place.
    File(File),
    /// Standard output.
    Stdout(Stdout),
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Destination::File(f) => f.write(buf),
            Destination::Stdout(s) => s.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Destination::File(f) => f.write_all(buf),
            Destination::Stdout(s) => s.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Destination::File(f) => f.flush(),
            Destination::Stdout(s) => s.flush(),
        }
    }
}

/// How the output becomes final.
enum Finish {
    /// Rename the temporary file over `target`, giving it `mode`.
    Rename {
        temp: PendingFile,
        target: PathBuf,
        mode: u32,
    },
    /// Written in place; `staging` holds what a path-based writer wrote, copied on commit.
    InPlace {
        staging: Option<PendingFile>,
        path: PathBuf,
    },
}

/// A buffered writer whose output appears at `path` only on [`AtomicOutput::commit`] (see the
/// module docs for FIFOs, devices and `-`). Dropped without commit, it deletes its temporary
/// file and leaves `path` untouched.
pub struct AtomicOutput {
    path: PathBuf,
    writer: BufWriter<Destination>,
    finish: Finish,
}

impl AtomicOutput {
    /// Opens an output at `path`: a temporary file beside the resolved target, or the FIFO,
    /// device or standard output (`-`) itself. A folder, or a file in a missing folder, is an
    /// error naming the path.
    pub fn create(path: impl AsRef<Path>) -> io::Result<Self> {
        Self::open(path.as_ref(), None)
    }

    /// As [`AtomicOutput::create`], for writers that open the file themselves and pick the
    /// format from the extension: [`AtomicOutput::temp_path`] is a temporary file whose name
    /// ends in `suffix` (for an output written in place, a staging file in the system's
    /// temporary folder, copied to the output on commit).
    pub fn create_with_suffix(path: impl AsRef<Path>, suffix: &str) -> io::Result<Self> {
        Self::open(path.as_ref(), Some(suffix))
    }

    fn open(path: &Path, suffix: Option<&str>) -> io::Result<Self> {
        let (dest, finish) = match resolve(path)? {
            OutputTarget::Replace { path: target, mode } => {
                let dir = folder_of(&target);
                let (file, temp) =
                    PendingFile::create(dir, suffix.unwrap_or(""), mode.unwrap_or(NEW_FILE_MODE))
                        .map_err(|e| {
                        io::Error::new(
                            e.kind(),
                            format!("cannot create a file in {}: {e}", dir.display()),
                        )
                    })?;
                let mode = match mode {
                    Some(m) => m,
                    None => created_mode(&file)?,
                };
                (
                    Destination::File(file),
                    Finish::Rename { temp, target, mode },
                )
            }
            target => {
                let (dest, path) = match target {
                    OutputTarget::InPlace { path, .. } => {
                        // Appending: a descriptor alias redirected to a file keeps what is
                        // already there, as the shell's `>>` would.
                        let file = std::fs::OpenOptions::new()
                            .append(true)
                            .open(&path)
                            .map_err(|e| {
                                io::Error::new(e.kind(), format!("{}: {e}", path.display()))
                            })?;
                        (Destination::File(file), path)
                    }
                    _ => (
                        Destination::Stdout(io::stdout()),
                        PathBuf::from("/dev/stdout"),
                    ),
                };
                let staging = match suffix {
                    Some(s) => Some(PendingFile::create(&std::env::temp_dir(), s, 0o600)?.1),
                    None => None,
                };
                (dest, Finish::InPlace { staging, path })
            }
        };
        Ok(AtomicOutput {
            path: path.to_path_buf(),
            writer: BufWriter::with_capacity(1 << 16, dest),
            finish,
        })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file a writer that opens files itself should write (see
    /// [`AtomicOutput::create_with_suffix`]); what it writes there becomes the output on
    /// [`AtomicOutput::commit`] (write nothing through `self` then). For an output written in
    /// place and created without a suffix, the FIFO or device itself (`/dev/stdout` for `-`).
    pub fn temp_path(&self) -> &Path {
        match &self.finish {
            Finish::Rename { temp, .. } => temp.path(),
            Finish::InPlace {
                staging: Some(s), ..
            } => s.path(),
            Finish::InPlace { path, .. } => path,
        }
    }

    /// Flushes and puts the output in place: renames the temporary file over the target
    /// (with the target's permissions), or for an output written in place copies what a
    /// path-based writer staged.
    pub fn commit(self) -> io::Result<()> {
        let mut dest = self.writer.into_inner().map_err(|e| e.into_error())?;
        match self.finish {
            Finish::Rename { temp, target, mode } => {
                drop(dest);
                // Set by path, since a writer using `temp_path` may have replaced the file.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(mode))?;
                }
                #[cfg(not(unix))]
                let _ = mode;
                temp.persist(&target)
            }
            Finish::InPlace { staging, .. } => {
                if let Some(staging) = staging {
                    let mut staged = Vec::new();
                    File::open(staging.path())?.read_to_end(&mut staged)?;
                    dest.write_all(&staged)?;
                }
                dest.flush()
            }
        }
    }
}

/// The permission bits a newly created file received (the requested mode less the umask).
fn created_mode(file: &File) -> io::Result<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Ok(file.metadata()?.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        Ok(NEW_FILE_MODE)
    }
}

impl Write for AtomicOutput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn file_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        let mut w = AtomicOutput::create(&target).unwrap();
        w.write_all(b"hello").unwrap();
        assert!(!target.exists());
        w.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"hello");

        let other = dir.path().join("other.txt");
        let mut w = AtomicOutput::create(&other).unwrap();
        w.write_all(b"partial").unwrap();
        drop(w);
        assert!(!other.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn links_are_followed_and_permissions_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        std::fs::write(&real, b"old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join("l.01");
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        let mut w = AtomicOutput::create(&link).unwrap();
        w.write_all(b"new").unwrap();
        w.commit().unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert_eq!(mode(&real), 0o600);

        // A dangling link: its target is created.
        let dangling = dir.path().join("d.01");
        std::os::unix::fs::symlink("made.txt", &dangling).unwrap();
        let mut w = AtomicOutput::create(&dangling).unwrap();
        w.write_all(b"made").unwrap();
        w.commit().unwrap();
        assert_eq!(std::fs::read(dir.path().join("made.txt")).unwrap(), b"made");
        assert_eq!(mode(&dir.path().join("made.txt")) & !0o022, 0o644 & !0o022);
    }

    #[test]
    fn special_files_are_written_in_place() {
        let mut w = AtomicOutput::create(Path::new("/dev/null")).unwrap();
        w.write_all(b"gone").unwrap();
        w.commit().unwrap();
        assert!(!std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_file());
        // A staged path-based write to a device: copied on commit, staging file removed.
        let w = AtomicOutput::create_with_suffix(Path::new("/dev/null"), ".png").unwrap();
        let staging = w.temp_path().to_path_buf();
        assert!(staging.starts_with(std::env::temp_dir()));
        std::fs::write(&staging, b"image").unwrap();
        w.commit().unwrap();
        assert!(!staging.exists());
        let dir = tempfile::tempdir().unwrap();
        let err = AtomicOutput::create(dir.path()).err().unwrap().to_string();
        assert!(err.contains("is a folder"), "{err}");
    }
}

//! Output files that appear only once complete: written to a temporary file in the target's
//! folder and renamed over the target on success.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// A buffered writer to a temporary file that becomes `path` on [`AtomicOutput::commit`].
/// Dropped without commit, it deletes the temporary file and leaves `path` untouched.
pub struct AtomicOutput {
    path: PathBuf,
    writer: BufWriter<NamedTempFile>,
}

impl AtomicOutput {
    /// Creates the temporary file next to `path` (same folder, so the rename is atomic).
    pub fn create(path: &Path) -> io::Result<Self> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let tmp = NamedTempFile::new_in(dir).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot create a file in {}: {e}", dir.display()),
            )
        })?;
        // Temporary files are created private (0600); give the output the usual 0644.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        Ok(AtomicOutput {
            path: path.to_path_buf(),
            writer: BufWriter::with_capacity(1 << 16, tmp),
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes and renames the temporary file to the final path.
    pub fn commit(self) -> io::Result<File> {
        let tmp = self.writer.into_inner().map_err(|e| e.into_error())?;
        tmp.persist(&self.path).map_err(|e| e.error)
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

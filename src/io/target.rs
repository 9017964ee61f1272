//! What an output path names, and the checks a command runs on all its outputs before any work.
//!
//! [`resolve`] follows symbolic links (a dangling link resolves to the path it points to) and
//! classifies the final path:
//!
//! - `-`, `/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`: standard output, written in place
//!   (through the descriptor, whatever it is redirected to: a file behind it is never
//!   replaced);
//! - another descriptor alias (`/dev/stderr`, `/dev/fd/N`), a FIFO, a character or block
//!   device (`/dev/null`, a terminal): opened for appending and written in place;
//! - a regular file, existing or not: written to a temporary file in the resolved target's
//!   folder and renamed over it, keeping an existing file's permissions;
//! - a folder, or a path whose folder does not exist: refused.
//!
//! [`check_outputs`] resolves every output of a command up front, so that a folder given as
//! `--out` fails before hours of work rather than after, and refuses two outputs that resolve to
//! the same file (one of them would silently replace the other).

use std::io;
use std::path::{Path, PathBuf};

/// Symbolic links followed before giving up (Linux's `ELOOP` limit).
const MAX_SYMLINK_HOPS: usize = 40;

/// What an output path names once symbolic links are followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputTarget {
    /// `-`: the process's standard output.
    Stdout,
    /// A FIFO, device or other special file: opened and written in place.
    InPlace {
        /// The resolved path.
        path: PathBuf,
        /// Whether it is a character device (such as `/dev/null`), which several outputs may
        /// share without losing anything.
        char_device: bool,
    },
    /// A regular file (or none yet): written beside `path` and renamed over it.
    Replace {
        /// The resolved path: the final target of any symbolic links.
        path: PathBuf,
        /// Permission bits of the existing file (`None` when there is no file yet).
        mode: Option<u32>,
    },
}

impl OutputTarget {
    /// The identity used to tell whether two outputs collide: the canonical path of the file
    /// written (its folder canonicalised, since the file may not exist yet), or `None` for
    /// standard output.
    fn key(&self) -> io::Result<Option<PathBuf>> {
        match self {
            OutputTarget::Stdout => Ok(None),
            // A descriptor alias (`/dev/fd/3`) may name a pipe, which has no canonical path.
            OutputTarget::InPlace { path, .. } => {
                Ok(Some(path.canonicalize().unwrap_or_else(|_| path.clone())))
            }
            OutputTarget::Replace { path, .. } => {
                let name = path
                    .file_name()
                    .ok_or_else(|| invalid(path, "names no file"))?;
                Ok(Some(folder_of(path).canonicalize()?.join(name)))
            }
        }
    }
}

/// The folder a file at `path` lives in (`.` for a bare file name).
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn invalid(path: &Path, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{}: {what}", path.display()),
    )
}

/// Resolves an output path (see the module docs). Errors name the path and say why it cannot
/// be written: a folder, a missing folder, a loop of symbolic links.
pub fn resolve(path: impl AsRef<Path>) -> io::Result<OutputTarget> {
    let path = path.as_ref();
    if path.as_os_str() == "-" {
        return Ok(OutputTarget::Stdout);
    }
    if path.as_os_str().is_empty() {
        return Err(invalid(path, "an empty output path"));
    }
    if path.as_os_str().to_string_lossy().ends_with('/') {
        return Err(invalid(
            path,
            "names a folder (ends with '/'); an output must be a file",
        ));
    }
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINK_HOPS {
        if let Some(fd) = descriptor_alias(&current) {
            return Ok(if fd == "1" {
                OutputTarget::Stdout
            } else {
                OutputTarget::InPlace {
                    path: current,
                    char_device: false,
                }
            });
        }
        let meta = match std::fs::symlink_metadata(&current) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let folder = folder_of(&current);
                if !folder.is_dir() {
                    return Err(io::Error::new(
                        io::ErrorKind::NotFound,
                        format!(
                            "{}: the folder {} does not exist",
                            path.display(),
                            folder.display()
                        ),
                    ));
                }
                return Ok(OutputTarget::Replace {
                    path: current,
                    mode: None,
                });
            }
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("{}: {e}", current.display()),
                ))
            }
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let link = std::fs::read_link(&current)?;
            current = if link.is_absolute() {
                link
            } else {
                folder_of(&current).join(link)
            };
            continue;
        }
        if kind.is_dir() {
            return Err(invalid(
                path,
                &if current == path {
                    "is a folder; an output must be a file".to_string()
                } else {
                    format!(
                        "links to the folder {}; an output must be a file",
                        current.display()
                    )
                },
            ));
        }
        if kind.is_file() {
            return Ok(OutputTarget::Replace {
                path: current,
                mode: Some(permission_bits(&meta)),
            });
        }
        return Ok(OutputTarget::InPlace {
            char_device: is_char_device(&meta),
            path: current,
        });
    }
    Err(invalid(
        path,
        &format!("more than {MAX_SYMLINK_HOPS} symbolic links (a loop?)"),
    ))
}

/// The descriptor number a path stands for, if it is an alias of an open descriptor of this
/// process (`/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`). Following such a
/// link would reach whatever the descriptor is redirected to, which must not be replaced.
fn descriptor_alias(path: &Path) -> Option<&str> {
    let s = path.to_str()?;
    match s {
        "/dev/stdout" => return Some("1"),
        "/dev/stderr" => return Some("2"),
        _ => {}
    }
    ["/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/"]
        .iter()
        .find_map(|prefix| s.strip_prefix(prefix))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(unix)]
fn permission_bits(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn permission_bits(_meta: &std::fs::Metadata) -> u32 {
    0o644
}

#[cfg(unix)]
fn is_char_device(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_char_device()
}

#[cfg(not(unix))]
fn is_char_device(_meta: &std::fs::Metadata) -> bool {
    false
}

/// Why the outputs of a command cannot be written as given.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// One output cannot be written (a folder, a missing folder, a loop of links).
    #[error("{flag}: {error}")]
    Unwritable {
        /// The option that names it (e.g. `--out`).
        flag: String,
        /// Why (the message names the path).
        error: io::Error,
    },
    /// Two outputs resolve to the same file (one would replace the other) or both to standard
    /// output (their contents would be mixed).
    #[error("{first} and {second} both write to {target}; give them different files")]
    SameTarget {
        /// The first option.
        first: String,
        /// The second option.
        second: String,
        /// The shared target (`standard output` for `-`).
        target: String,
    },
}

/// Checks the outputs of one command before it does any work: each `(option, path)` with a path
/// must resolve to something writable ([`resolve`]), and no two may resolve to the same file or
/// both to standard output (a shared character device such as `/dev/null` is allowed: nothing
/// is lost). `None` paths (outputs not asked for) are skipped.
pub fn check_outputs(outputs: &[(&str, Option<&Path>)]) -> Result<(), OutputError> {
    let mut seen: Vec<(&str, Option<PathBuf>)> = Vec::new();
    for &(flag, path) in outputs {
        let Some(path) = path else { continue };
        let unwritable = |error| OutputError::Unwritable {
            flag: flag.to_string(),
            error,
        };
        let target = resolve(path).map_err(unwritable)?;
        if matches!(
            target,
            OutputTarget::InPlace {
                char_device: true,
                ..
            }
        ) {
            continue;
        }
        let key = target.key().map_err(unwritable)?;
        if let Some((first, _)) = seen.iter().find(|(_, k)| *k == key) {
            return Err(OutputError::SameTarget {
                first: first.to_string(),
                second: flag.to_string(),
                target: key.map_or("standard output".to_string(), |k| k.display().to_string()),
            });
        }
        seen.push((flag, key));
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn resolves_links_files_and_specials() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        std::fs::write(&real, b"x").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        match resolve(&link).unwrap() {
            OutputTarget::Replace { path, mode } => {
                assert_eq!(path, dir.path().join("real.txt"));
                assert!(mode.is_some());
            }
            other => panic!("{other:?}"),
        }
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink("new.txt", &dangling).unwrap();
        assert_eq!(
            resolve(&dangling).unwrap(),
            OutputTarget::Replace {
                path: dir.path().join("new.txt"),
                mode: None
            }
        );
        assert_eq!(resolve(Path::new("-")).unwrap(), OutputTarget::Stdout);
        assert!(matches!(
            resolve(Path::new("/dev/null")).unwrap(),
            OutputTarget::InPlace {
                char_device: true,
                ..
            }
        ));
        let err = resolve(dir.path()).unwrap_err().to_string();
        assert!(err.contains("is a folder"), "{err}");
        let err = resolve(dir.path().join("no/such/file")).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", &b).unwrap();
        assert!(resolve(&a).unwrap_err().to_string().contains("loop"));
    }

    #[test]
    fn two_outputs_on_one_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = dir.path().join("s.01");
        let link = dir.path().join("l.01");
        std::os::unix::fs::symlink("s.01", &link).unwrap();
        let dotted = dir.path().join(".").join("s.01");
        for other in [&s, &link, &dotted] {
            let err = check_outputs(&[("--out", Some(&s)), ("--obs_out", Some(other))])
                .unwrap_err()
                .to_string();
            assert!(err.contains("--out") && err.contains("--obs_out"), "{err}");
        }
        let err = check_outputs(&[
            ("--out", Some(Path::new("-"))),
            ("--x", Some(Path::new("-"))),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("standard output"), "{err}");
        let null = Path::new("/dev/null");
        check_outputs(&[
            ("--out", Some(null)),
            ("--obs_out", Some(null)),
            ("--z", None),
        ])
        .unwrap();
        check_outputs(&[
            ("--out", Some(&s)),
            ("--obs_out", Some(&dir.path().join("t"))),
        ])
        .unwrap();
        let err = check_outputs(&[("--plot", Some(dir.path()))]).unwrap_err();
        assert!(err.to_string().starts_with("--plot: "), "{err}");
    }
}

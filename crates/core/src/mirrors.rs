//! Folders that are local copies of remote ones. Core knows nothing of object stores: the layer
//! that makes copies registers how their files are named to the user (by URL, not by where the
//! cache keeps them) and how an image listed but not fetched yet is fetched. Without one
//! registered (the core's own tests, a local-only tool), every file is what it is on disk.

use std::path::Path;
use std::sync::OnceLock;

/// What the copying layer tells core about the files of its copies.
pub trait Mirrors: Send + Sync {
    /// The URL `path` stands for, when it is inside a copy; `None` for any other file.
    fn url_of(&self, path: &Path) -> Option<String>;
    /// Makes sure the bytes of `path` (inside a copy) are on disk; `Err` says why they cannot be.
    fn fetch(&self, path: &Path) -> Result<(), String>;
}

static MIRRORS: OnceLock<&'static dyn Mirrors> = OnceLock::new();

/// Registers the copying layer (once per process; later calls keep the first).
pub fn register(mirrors: &'static dyn Mirrors) {
    let _ = MIRRORS.set(mirrors);
}

/// How to name `path` to a user: a file of a copy by its URL
/// (`s3://runs/lab/normal/math_1/evaluation_results.csv`), anything else as it is.
pub fn shown_path(path: &Path) -> String {
    MIRRORS
        .get()
        .and_then(|mirrors| mirrors.url_of(path))
        .unwrap_or_else(|| path.display().to_string())
}

/// True when `path` is a remote image not fetched yet (loading treats it as present without
/// opening it): inside a copy, not written yet.
pub fn is_pending(path: &Path) -> bool {
    MIRRORS
        .get()
        .is_some_and(|mirrors| mirrors.url_of(path).is_some())
        && std::fs::symlink_metadata(path).is_err()
}

/// Makes sure the bytes of `path` are here before it is read: a no-op for local files and
/// fetched objects; a remote image not fetched yet is downloaded now (blocking).
pub fn materialize(path: &Path) -> Result<(), String> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Ok(());
    }
    match MIRRORS.get() {
        Some(mirrors) if mirrors.url_of(path).is_some() => mirrors.fetch(path),
        _ => Ok(()),
    }
}

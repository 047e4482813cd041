//! The cache of remote runs: where copies live, the index of what each holds, the size budget
//! and eviction.
//!
//! Layout: `<cache>/remote/<scheme>/<bucket>/<prefix…>/<key…>`; the index
//! (`<cache>/remote/index.sqlite`) keeps per object its version (ETag, or size and last-modified
//! time), size, whether its bytes are here and when it was last used, and per copy when it was
//! last listed. Keys are data: each part must be a plain name (no `..`, no separators).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::url::RemoteUrl;

/// The cache's size budget unless `UNISANDBOX_CACHE_BUDGET_MB` says otherwise.
pub const DEFAULT_BUDGET_BYTES: u64 = 2 << 30;

/// The cache folder for remote runs.
pub fn cache_root() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("UNISANDBOX_CACHE_DIR") {
        return Some(PathBuf::from(dir).join("remote"));
    }
    directories::ProjectDirs::from("", "", "unisandbox-inspector")
        .map(|dirs| dirs.cache_dir().join("remote"))
}

/// The budget the window's setting asks for (0: none set).
static BUDGET_SETTING: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Sets the cache's size budget from the window's setting (`UNISANDBOX_CACHE_BUDGET_MB`, when
/// set, still wins: it is how a command line says it).
pub fn set_budget(bytes: u64) {
    BUDGET_SETTING.store(bytes, std::sync::atomic::Ordering::Relaxed);
}

/// The cache's size budget: `UNISANDBOX_CACHE_BUDGET_MB`, else the setting, else 2 GB.
pub fn budget() -> u64 {
    let setting = BUDGET_SETTING.load(std::sync::atomic::Ordering::Relaxed);
    std::env::var("UNISANDBOX_CACHE_BUDGET_MB")
        .ok()
        .and_then(|mb| mb.trim().parse::<u64>().ok())
        .map(|mb| mb << 20)
        .unwrap_or(if setting > 0 {
            setting
        } else {
            DEFAULT_BUDGET_BYTES
        })
}

/// Where the cache is and how many bytes of fetched objects it holds (`None` before the first
/// remote run was opened), as last committed: an index write still running is not waited for
/// (`settle` first for it).
pub fn cache_usage() -> Option<(PathBuf, u64)> {
    let root = cache_root()?;
    let index = root.join("index.sqlite");
    if !index.is_file() {
        return None;
    }
    let conn =
        rusqlite::Connection::open_with_flags(&index, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ok()?;
    let bytes: i64 = conn
        .query_row(
            "SELECT COALESCE(SUM(size), 0) FROM object WHERE fetched = 1",
            [],
            |row| row.get(0),
        )
        .ok()?;
    Some((root, bytes.max(0) as u64))
}

pub(super) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

pub(super) fn open_index(path: &Path) -> Result<rusqlite::Connection, String> {
    let conn = rusqlite::Connection::open(path)
        .map_err(|e| format!("cannot open the cache index {}: {e}", path.display()))?;
    let _ = conn.busy_timeout(Duration::from_secs(5));
    // A cache: losing the last commit to a power cut only means fetching again, so one sync per
    // checkpoint instead of per commit (WAL also lets the poller, the decoders and a CLI run in
    // another shell read while one writes).
    let _ = conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS object (
             root TEXT NOT NULL, key TEXT NOT NULL, etag TEXT NOT NULL, size INTEGER NOT NULL,
             fetched INTEGER NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (root, key));
         CREATE TABLE IF NOT EXISTS listing (root TEXT PRIMARY KEY, listed_at INTEGER NOT NULL);",
    )
    .map_err(|e| format!("cannot set up the cache index {}: {e}", path.display()))?;
    Ok(conn)
}

/// The local path of a key below the prefix, or `None` when a part is not a plain name.
pub(super) fn local_path(local_root: &Path, relative: &str) -> Option<PathBuf> {
    let mut path = local_root.to_path_buf();
    for part in relative.split('/') {
        if !unisandbox_core::load::confine::is_plain_name(part) || part == "." || part == ".." {
            return None;
        }
        path.push(part);
    }
    Some(path)
}

/// Where the cached copy of `url` lives under `cache`.
pub(super) fn local_root_of(cache: &Path, url: &RemoteUrl) -> PathBuf {
    let mut root = cache.join(&url.scheme).join(&url.bucket);
    for part in url.prefix.split('/').filter(|p| !p.is_empty()) {
        root.push(part);
    }
    root
}

/// Keeps the cache within its budget: the least recently used fetched objects of other runs go
/// first (their rows stay, marked not here, so they are fetched again when needed).
pub(super) fn evict(index: &rusqlite::Connection, cache: &Path, current: &str) {
    let budget = budget();
    let Ok(total): Result<i64, _> = index.query_row(
        "SELECT COALESCE(SUM(size), 0) FROM object WHERE fetched = 1",
        [],
        |row| row.get(0),
    ) else {
        return;
    };
    let mut over = total.max(0) as u64;
    if over <= budget {
        return;
    }
    let victims: Vec<(String, String, i64)> = index
        .prepare(
            // A run opened (listed) recently counts as used even where no image was shown.
            "SELECT o.root, o.key, o.size FROM object o LEFT JOIN listing l ON l.root = o.root
             WHERE o.fetched = 1 AND o.root != ?1
             ORDER BY MAX(o.used, COALESCE(l.listed_at, 0)) ASC",
        )
        .and_then(|mut s| {
            s.query_map([current], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .map(|rows| rows.filter_map(Result::ok).collect())
        })
        .unwrap_or_default();
    for (root, key, size) in victims {
        if over <= budget {
            break;
        }
        if let Some(Ok(url)) = RemoteUrl::parse(&root)
            && let Some(file) = local_path(&local_root_of(cache, &url), &key)
        {
            // An image stays listed in its folder's manifest and is fetched when shown again;
            // a text file is fetched by the next open of its run.
            let _ = std::fs::remove_file(file);
        }
        let _ = index.execute(
            "UPDATE object SET fetched = 0 WHERE root = ?1 AND key = ?2",
            rusqlite::params![root, key],
        );
        over = over.saturating_sub(size.max(0) as u64);
    }
}

/// Index writes still running: a listing's rows are written while its copy loads.
static PENDING_WRITES: Mutex<Vec<JoinHandle<Result<(), String>>>> = Mutex::new(Vec::new());

/// Runs an update of the index on a thread of its own (`settle` waits for it).
pub(super) fn write_in_background(write: impl FnOnce() -> Result<(), String> + Send + 'static) {
    let handle = std::thread::Builder::new()
        .name("cache-index".into())
        .spawn(write);
    match handle {
        Ok(handle) => PENDING_WRITES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(handle),
        Err(_) => log_problem("cannot start the cache index writer".into()),
    }
}

/// What went wrong in index writes, until someone reports it (`take_problems`).
static PROBLEMS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn log_problem(problem: String) {
    PROBLEMS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(problem);
}

/// Waits for the index writes still running. Everything that reads the index calls this first;
/// so does `main` before the process exits (a write cut short, or failed, only means those
/// objects are fetched again: see `take_problems`).
pub fn settle() {
    // Joined under the lock: a second caller meanwhile waits for the same writes instead of
    // finding none pending and reading an index still being written. (The writers never take
    // this lock.)
    let mut pending = PENDING_WRITES.lock().unwrap_or_else(|e| e.into_inner());
    for handle in pending.drain(..) {
        match handle.join() {
            Ok(Ok(())) => {}
            Ok(Err(problem)) => log_problem(problem),
            Err(_) => log_problem("the cache index writer panicked".into()),
        }
    }
}

/// What went wrong in the index writes since the last call.
pub fn take_problems() -> Vec<String> {
    std::mem::take(&mut *PROBLEMS.lock().unwrap_or_else(|e| e.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Whoever asks while a write is in flight waits for it, even when another caller is already
    /// waiting (a listing right after a decode's `materialize` must see the rows); a failed
    /// write is reported once.
    #[test]
    fn every_caller_of_settle_waits_for_the_writes_in_flight() {
        let written = Arc::new(AtomicBool::new(false));
        let flag = written.clone();
        write_in_background(move || {
            std::thread::sleep(Duration::from_millis(300));
            flag.store(true, Ordering::SeqCst);
            Err("the index is read-only".into())
        });
        let first = std::thread::spawn(settle);
        std::thread::sleep(Duration::from_millis(50));
        settle();
        assert!(
            written.load(Ordering::SeqCst),
            "the second caller waited too"
        );
        first.join().unwrap();
        assert_eq!(take_problems(), ["the index is read-only"]);
        assert!(take_problems().is_empty(), "reported once");
    }
}

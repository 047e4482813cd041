//! Reading a cached copy: naming its files by URL, its images listed in a manifest per folder
//! and fetched when read (`materialize`), opening it without asking the store (`cached_copy`),
//! and the offline banner.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use object_store::ObjectStore;

use super::cache::{cache_root, local_root_of, now_millis, open_index, settle};
use super::store::{RUNTIME, fetch_to, open_store};
use crate::url::RemoteUrl;
use unisandbox_core::load::listing::MANIFEST;

/// A mirrored remote run folder, ready to open as a local one.
#[derive(Debug)]
pub struct Mirror {
    pub url: RemoteUrl,
    /// The local copy's root: open this.
    pub local_root: PathBuf,
    /// Set when the store could not be reached: the copy is from this listing.
    pub offline_since: Option<SystemTime>,
    pub objects: usize,
    /// Text files fetched now (the others were unchanged in the cache).
    pub fetched: usize,
    /// Local files this listing wrote, reset or deleted (for live reload; empty offline).
    pub changed: Vec<PathBuf>,
    pub diagnostics: Vec<unisandbox_core::diagnostics::Diagnostic>,
}

/// A cached copy opened in this process: where it is, what it copies, and its index.
struct Copy {
    root: PathBuf,
    url: RemoteUrl,
    index: PathBuf,
}

/// Every copy opened in this process. An image its manifest lists but not yet on disk is
/// fetched by `materialize` (no per-image registry: a 100k-image run costs nothing here).
static COPIES: std::sync::RwLock<Vec<Copy>> = std::sync::RwLock::new(Vec::new());

/// The last store opened per URL, for `materialize`.
static STORES: LazyLock<Mutex<HashMap<String, Arc<dyn ObjectStore>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

pub(super) fn remember_copy(
    root: &Path,
    url: &RemoteUrl,
    index: &Path,
    store: Option<Arc<dyn ObjectStore>>,
) {
    unisandbox_core::mirrors::register(&CopiesOpened);
    if let Ok(mut copies) = COPIES.write()
        && !copies.iter().any(|copy| copy.root == root)
    {
        copies.push(Copy {
            root: root.to_path_buf(),
            url: url.clone(),
            index: index.to_path_buf(),
        });
    }
    if let (Some(store), Ok(mut stores)) = (store, STORES.lock()) {
        stores.insert(url.url(), store);
    }
}

/// The copy `path` is in: (URL, key below the prefix, index file).
fn copy_of(path: &Path) -> Option<(RemoteUrl, String, PathBuf)> {
    let copies = COPIES.read().ok()?;
    copies.iter().find_map(|copy| {
        let rest = path.strip_prefix(&copy.root).ok()?;
        let parts: Vec<&str> = rest
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect::<Option<_>>()?;
        Some((copy.url.clone(), parts.join("/"), copy.index.clone()))
    })
}

/// The copies opened in this process, as core sees them: their files named by URL, their
/// images fetched when read.
struct CopiesOpened;

impl unisandbox_core::mirrors::Mirrors for CopiesOpened {
    fn url_of(&self, path: &Path) -> Option<String> {
        let (url, relative, _) = copy_of(path)?;
        Some(if relative.is_empty() {
            url.url()
        } else {
            format!("{}/{relative}", url.url())
        })
    }

    fn fetch(&self, path: &Path) -> Result<(), String> {
        fetch_image(path)
    }
}

/// Writes each folder's manifest when its list changed (atomically: a reader never sees half);
/// folders whose images all went lose theirs.
pub(super) fn write_manifests(
    images_by_folder: HashMap<PathBuf, Vec<String>>,
    emptied: HashSet<PathBuf>,
) {
    use rayon::prelude::*;
    let folders: Vec<(PathBuf, Vec<String>)> = images_by_folder.into_iter().collect();
    folders.into_par_iter().for_each(|(folder, mut names)| {
        names.sort_unstable();
        let mut text = names.join("\n");
        text.push('\n');
        let manifest = folder.join(MANIFEST);
        if std::fs::read_to_string(&manifest).is_ok_and(|old| old == text) {
            return;
        }
        let _ = std::fs::create_dir_all(&folder);
        let partial = folder.join(".remote-images.partial");
        if std::fs::write(&partial, &text).is_ok() {
            let _ = std::fs::rename(&partial, &manifest);
        }
    });
    for folder in emptied {
        let _ = std::fs::remove_file(folder.join(MANIFEST));
    }
}

/// The cached copy of `url` as the last listing left it, without asking the store: `None` when
/// there is none, or when a text file of it is not here (evicted; a listing must fetch it).
/// The window opens this at once and lists the store in the background (`refresh_mirror`).
pub fn cached_copy(url: &RemoteUrl, cache: Option<&Path>) -> Option<Mirror> {
    let cache = match cache {
        Some(dir) => dir.to_path_buf(),
        None => cache_root()?,
    };
    settle();
    let index_path = cache.join("index.sqlite");
    if !index_path.is_file() {
        return None;
    }
    let index = open_index(&index_path).ok()?;
    let local_root = local_root_of(&cache, url);
    // (The store's client is built when an image is first fetched: not on this path.)
    let (mirror, _, complete) =
        copy_from_index(url, &index, &index_path, &url.url(), local_root, None)?;
    complete.then_some(mirror)
}

/// The copy the index describes: (mirror, when it was listed, every text file here). Its
/// images not fetched yet are registered for `materialize`.
pub(super) fn copy_from_index(
    url: &RemoteUrl,
    index: &rusqlite::Connection,
    index_path: &Path,
    root_id: &str,
    local_root: PathBuf,
    store: Option<Arc<dyn ObjectStore>>,
) -> Option<(Mirror, SystemTime, bool)> {
    let listed_at: i64 = index
        .query_row(
            "SELECT listed_at FROM listing WHERE root = ?1",
            [root_id],
            |row| row.get(0),
        )
        .ok()?;
    // Complete when every text file is here (an evicted one must be fetched by a listing).
    let (objects, missing_text): (i64, i64) = index
        .query_row(
            "SELECT COUNT(*), COALESCE(SUM(fetched = 0 AND (key LIKE '%.csv' OR key LIKE '%.log'
                 OR key LIKE '%.jsonl' OR key LIKE '%.json' OR key LIKE '%.txt')), 0)
             FROM object WHERE root = ?1",
            [root_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .ok()?;
    let complete = missing_text == 0;
    remember_copy(&local_root, url, index_path, store);
    let since = UNIX_EPOCH + Duration::from_millis(listed_at.max(0) as u64);
    let mirror = Mirror {
        url: url.clone(),
        local_root,
        offline_since: None,
        objects: objects.max(0) as usize,
        fetched: 0,
        changed: Vec::new(),
        diagnostics: Vec::new(),
    };
    Some((mirror, since, complete))
}

/// "3 minutes ago", "2 days ago": how old a cached copy is.
pub fn describe_age(since: SystemTime) -> String {
    let seconds = SystemTime::now()
        .duration_since(since)
        .map_or(0, |d| d.as_secs());
    match seconds {
        s if s < 120 => format!("{s} seconds ago"),
        s if s < 7200 => format!("{} minutes ago", s / 60),
        s if s < 172_800 => format!("{} hours ago", s / 3600),
        s => format!("{} days ago", s / 86_400),
    }
}

/// "offline: showing the cached copy of s3://… from 2026-11-26 07:40 UTC (3 minutes ago)".
pub fn offline_banner(url: &RemoteUrl, since: SystemTime) -> String {
    let unix = since.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!(
        "offline: showing the cached copy of {} from {} ({})",
        url.url(),
        unisandbox_core::text::format_utc(unix),
        describe_age(since)
    )
}

/// Downloads an image of a copy not fetched yet (blocking; a no-op when it is here). `Err`
/// says why it could not be (offline, removed from the store, refused).
fn fetch_image(path: &Path) -> Result<(), String> {
    let Some((url, relative, index)) = copy_of(path) else {
        return Ok(());
    };
    if std::fs::symlink_metadata(path).is_ok() {
        return Ok(());
    }
    let known = STORES.lock().ok().and_then(|s| s.get(&url.url()).cloned());
    let store = match known {
        Some(store) => store,
        None => open_store(&url)?,
    };
    let key = if url.prefix.is_empty() {
        relative.clone()
    } else {
        format!("{}/{relative}", url.prefix)
    };
    let location = object_store::path::Path::from(key.as_str());
    let fetched = if tokio::runtime::Handle::try_current().is_ok() {
        // Called from inside a runtime: fetch on the remote runtime and wait for it.
        let path = path.to_path_buf();
        std::thread::scope(|scope| {
            scope
                .spawn(move || RUNTIME.block_on(fetch_to(&*store, &location, &path)))
                .join()
                .unwrap_or_else(|_| Err("the download panicked".into()))
        })
    } else {
        RUNTIME.block_on(fetch_to(&*store, &location, path))
    };
    fetched.map_err(|message| format!("{}/{relative}: {message}", url.url()))?;
    // The listing's rows first (right after an open they may still be being written).
    settle();
    if let Ok(index) = open_index(&index) {
        let _ = index.execute(
            "UPDATE object SET fetched = 1, used = ?3 WHERE root = ?1 AND key = ?2",
            rusqlite::params![url.url(), relative, now_millis()],
        );
    }
    Ok(())
}

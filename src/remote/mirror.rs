//! Mirroring a remote prefix into the local cache, and fetching its images when read.
//!
//! Layout: `<cache>/remote/<scheme>/<bucket>/<prefix…>/<key…>`; the index
//! (`<cache>/remote/index.sqlite`) keeps per object its ETag, size, last-modified time, whether
//! its bytes are here and when it was last used (for LRU eviction within the budget). A listing
//! compares ETags: an unchanged object is not requested again. Keys are data: each part must be
//! a plain name (no `..`, no separators) or the object is skipped with a diagnostic.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::StreamExt as _;
use object_store::{ObjectStore, ObjectStoreExt as _};

use super::RemoteUrl;
use super::store::{open_store, short, what_to_check};
use crate::diagnostics::Diagnostic;
use crate::load::image_check::is_image_file;

/// Fetched at once when a run is opened; everything else (images) when read.
fn is_text_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".csv", ".log", ".jsonl", ".json", ".txt"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// How many objects are fetched at once.
const PARALLEL: usize = 16;
/// The cache's size budget unless `UNISANDBOX_CACHE_BUDGET_MB` says otherwise.
pub const DEFAULT_BUDGET_BYTES: u64 = 2 << 30;

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
    pub diagnostics: Vec<Diagnostic>,
}

/// A cached copy opened in this process: where it is, what it copies, and its index.
struct Copy {
    root: PathBuf,
    url: RemoteUrl,
    index: PathBuf,
}

/// Every copy opened in this process. An empty image file in one is a placeholder: its bytes
/// are fetched by `materialize` (no per-image registry: a 100k-image run costs nothing here).
static COPIES: std::sync::RwLock<Vec<Copy>> = std::sync::RwLock::new(Vec::new());

/// The last store opened per URL, for `materialize`.
static STORES: LazyLock<Mutex<HashMap<String, Arc<dyn ObjectStore>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn remember_copy(root: &Path, url: &RemoteUrl, index: &Path, store: Option<Arc<dyn ObjectStore>>) {
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

/// How to name `path` to a user: a file of a cached copy by its URL
/// (`s3://runs/lab/normal/math_1/evaluation_results.csv`), anything else as it is.
pub fn shown_path(path: &Path) -> String {
    match copy_of(path) {
        Some((url, relative, _)) if relative.is_empty() => url.url(),
        Some((url, relative, _)) => format!("{}/{relative}", url.url()),
        None => path.display().to_string(),
    }
}

/// One runtime for all remote requests (the loader and the CLI are synchronous).
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("remote")
        .enable_all()
        .build()
        .expect("a tokio runtime for remote requests")
});

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
/// remote run was opened).
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

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn open_index(path: &Path) -> Result<rusqlite::Connection, String> {
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
fn local_path(local_root: &Path, relative: &str) -> Option<PathBuf> {
    let mut path = local_root.to_path_buf();
    for part in relative.split('/') {
        if !crate::load::confine::is_plain_name(part) || part == "." || part == ".." {
            return None;
        }
        path.push(part);
    }
    Some(path)
}

/// A version of an object: its ETag, or its size and last-modified time.
fn version_of(meta: &object_store::ObjectMeta) -> String {
    meta.e_tag
        .clone()
        .unwrap_or_else(|| format!("{}@{}", meta.size, meta.last_modified.timestamp_millis()))
}

/// Mirrors `url` into the cache (`cache` overrides the user cache folder), reporting
/// (done, total) fetches as they finish.
pub fn mirror_url(
    url: &RemoteUrl,
    cache: Option<&Path>,
    on_progress: impl FnMut(usize, usize),
) -> Result<Mirror, String> {
    sync(url, cache, on_progress)
}

/// Lists `url` again and brings the cached copy up to date (live reload of a remote run): the
/// objects that changed are fetched (text) or reset to placeholders (images), the ones no longer
/// listed are deleted; `Mirror::changed` says which local files that touched.
pub fn refresh_mirror(url: &RemoteUrl, cache: Option<&Path>) -> Result<Mirror, String> {
    sync(url, cache, |_, _| {})
}

fn sync(
    url: &RemoteUrl,
    cache: Option<&Path>,
    mut on_progress: impl FnMut(usize, usize),
) -> Result<Mirror, String> {
    let cache = match cache {
        Some(dir) => dir.to_path_buf(),
        None => cache_root().ok_or("no user cache folder on this system")?,
    };
    let local_root = local_root_of(&cache, url);
    std::fs::create_dir_all(&local_root)
        .map_err(|e| format!("cannot create {}: {e}", local_root.display()))?;
    let index_path = cache.join("index.sqlite");
    let index = open_index(&index_path)?;
    let root_id = url.url();
    let store = open_store(url)?;
    let prefix = object_store::path::Path::from(url.prefix.as_str());
    // What the cache had at the last listing: key → (version, bytes here).
    let mut known: HashMap<String, (String, bool)> = {
        let mut statement = index
            .prepare("SELECT key, etag, fetched FROM object WHERE root = ?1")
            .map_err(|e| e.to_string())?;
        statement
            .query_map([&root_id], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    (row.get(1)?, row.get::<_, i64>(2)? != 0),
                ))
            })
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .collect()
    };
    let mut diagnostics = Vec::new();
    let strip = if url.prefix.is_empty() {
        String::new()
    } else {
        format!("{}/", url.prefix)
    };
    // What each listed object is, and what to fetch now. Only rows that change are written.
    let mut rows: Vec<(String, String, u64, bool)> = Vec::new();
    // Every listed image by folder: the manifests the loader lists them from.
    let mut images_by_folder: HashMap<PathBuf, Vec<String>> = HashMap::new();
    let mut changed: Vec<PathBuf> = Vec::new();
    let mut objects = 0;
    // Each listed object as it comes: a text file to fetch, or `None` (the rest is noted here).
    let mut classify =
        |meta: object_store::ObjectMeta| -> Option<(object_store::ObjectMeta, String, PathBuf)> {
            let key = meta.location.to_string();
            let Some(relative) = key
                .strip_prefix(&strip)
                .or((strip.is_empty()).then_some(&key))
            else {
                return None;
            };
            let Some(path) = local_path(&local_root, relative) else {
                diagnostics.push(Diagnostic::warning(
                    Path::new(&url.url()),
                    None,
                    format!("object {key:?} skipped: its name has parts that are not plain names"),
                ));
                return None;
            };
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (text, image) = (is_text_file(&name), is_image_file(&name));
            if !text && !image {
                return None;
            }
            objects += 1;
            if image && let Some(folder) = path.parent() {
                images_by_folder
                    .entry(folder.to_path_buf())
                    .or_default()
                    .push(name);
            }
            let version = version_of(&meta);
            let before = known.remove(relative);
            let same = before.as_ref().is_some_and(|(etag, _)| *etag == version);
            let here = same && before.as_ref().is_some_and(|(_, here)| *here);
            if here && path.is_file() {
                return None;
            }
            if text {
                return Some((meta, relative.to_string(), path));
            }
            // An image: listed in its folder's manifest, fetched when shown. Unchanged and not
            // fetched yet: nothing to do.
            if same && !here {
                return None;
            }
            // New, changed, or its fetched copy gone: old bytes go, the next read fetches it.
            if before.is_some() {
                let _ = std::fs::remove_file(&path);
            }
            changed.push(path);
            rows.push((relative.to_string(), version, meta.size, false));
            None
        };
    // Listing and fetching overlap: a changed text file is fetched (16 at a time, on the
    // runtime) while the next pages of the listing arrive.
    let listed: Result<(usize, Vec<Fetched>), object_store::Error> = RUNTIME.block_on(async {
        let permits = Arc::new(tokio::sync::Semaphore::new(PARALLEL));
        let mut fetches = futures::stream::FuturesUnordered::new();
        let mut listing =
            list_fanned_out(store.clone(), (!url.prefix.is_empty()).then_some(prefix));
        let mut listed = 0;
        while let Some(meta) = listing.next().await {
            let meta = match meta {
                Ok(meta) => meta,
                Err(err) => {
                    for fetch in fetches.iter() {
                        tokio::task::JoinHandle::abort(fetch);
                    }
                    return Err(err);
                }
            };
            listed += 1;
            if let Some((meta, relative, path)) = classify(meta) {
                let (store, permits) = (store.clone(), permits.clone());
                fetches.push(tokio::spawn(async move {
                    let _permit = permits.acquire_owned().await;
                    let version = version_of(&meta);
                    let fetched = fetch_to(&*store, &meta.location, &path).await;
                    (relative, path, version, meta.size, fetched)
                }));
            }
        }
        let total = fetches.len();
        on_progress(0, total);
        let mut results = Vec::with_capacity(total);
        while let Some(result) = fetches.next().await {
            results.push(result.unwrap_or_else(|err| {
                (
                    String::new(),
                    PathBuf::new(),
                    String::new(),
                    0,
                    Err(err.to_string()),
                )
            }));
            on_progress(results.len(), total);
        }
        Ok((listed, results))
    });
    let results = match listed {
        Ok((0, _)) => {
            return Err(format!(
                "{}: nothing under this prefix (is the prefix right? {})",
                url.url(),
                what_to_check(url)
            ));
        }
        Ok((_, results)) => results,
        Err(err) => {
            let message = format!(
                "{}: cannot list: {} ({})",
                url.url(),
                short(&err),
                what_to_check(url)
            );
            return offline(url, &index, &index_path, &root_id, local_root, message);
        }
    };
    let mut fetched = 0;
    for (relative, path, version, size, result) in results {
        match result {
            Ok(()) => {
                fetched += 1;
                changed.push(path);
                rows.push((relative, version, size, true));
            }
            Err(message) => diagnostics.push(Diagnostic::error(
                Path::new(&format!("{}/{relative}", url.url())),
                None,
                format!("not fetched: {message}"),
            )),
        }
    }
    // What is left in `known` is no longer listed: its files go, and its rows.
    let removed: Vec<String> = known.into_keys().collect();
    let mut emptied: HashSet<PathBuf> = HashSet::new();
    for relative in &removed {
        if let Some(path) = local_path(&local_root, relative) {
            let _ = std::fs::remove_file(&path);
            if let Some(folder) = path.parent()
                && !images_by_folder.contains_key(folder)
            {
                emptied.insert(folder.to_path_buf());
            }
            changed.push(path);
        }
    }
    write_manifests(images_by_folder, emptied);
    let now = now_millis();
    let write = || -> rusqlite::Result<()> {
        let tx = index.unchecked_transaction()?;
        {
            let mut upsert = tx.prepare(
                "INSERT INTO object (root, key, etag, size, fetched, used) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(root, key) DO UPDATE SET etag = excluded.etag, size = excluded.size,
                     fetched = excluded.fetched, used = excluded.used",
            )?;
            for (key, etag, size, here) in &rows {
                upsert.execute(rusqlite::params![
                    root_id,
                    key,
                    etag,
                    *size as i64,
                    *here as i64,
                    now
                ])?;
            }
            let mut delete = tx.prepare("DELETE FROM object WHERE root = ?1 AND key = ?2")?;
            for key in &removed {
                delete.execute(rusqlite::params![root_id, key])?;
            }
        }
        tx.execute(
            "INSERT INTO listing (root, listed_at) VALUES (?1, ?2)
             ON CONFLICT(root) DO UPDATE SET listed_at = excluded.listed_at",
            rusqlite::params![root_id, now],
        )?;
        tx.commit()
    };
    write().map_err(|e| {
        format!(
            "cannot update the cache index {}: {e}",
            index_path.display()
        )
    })?;
    remember_copy(&local_root, url, &index_path, Some(store));
    evict(&index, &cache, &root_id);
    Ok(Mirror {
        url: url.clone(),
        local_root,
        offline_since: None,
        objects,
        fetched,
        changed,
        diagnostics,
    })
}

/// The file in a folder of a cached copy that lists the folder's images (one name per line):
/// images are not written until shown, so the loader lists them from here (`listed_images`).
pub const MANIFEST: &str = ".remote-images";

/// Writes each folder's manifest when its list changed (atomically: a reader never sees half);
/// folders whose images all went lose theirs.
fn write_manifests(images_by_folder: HashMap<PathBuf, Vec<String>>, emptied: HashSet<PathBuf>) {
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

/// The images the manifest of `dir` lists (empty for any local folder): plain image file names
/// only, whatever the file says.
pub fn listed_images(dir: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(dir.join(MANIFEST)) else {
        return Vec::new();
    };
    text.lines()
        .filter(|name| {
            crate::load::confine::is_plain_name(name) && *name != ".." && is_image_file(name)
        })
        .map(str::to_string)
        .collect()
}

/// One text file's fetch: (key below the prefix, local path, version, size, result).
type Fetched = (String, PathBuf, String, u64, Result<(), String>);

/// How many listings run at once, and when the tree is split enough to start them.
const PARALLEL_LISTINGS: usize = 16;
/// At most this many levels of folders are looked at one by one before listing the rest whole.
const FAN_OUT_LEVELS: usize = 3;

/// Every object under `prefix`, listed as folders in parallel: S3 lists 1,000 keys per request,
/// one page after another, so a 100k-object run is ~120 sequential round trips. The top levels
/// are read with a delimiter (a checkpoint → test/ → normal/, think/ → task folders) until there
/// are enough folders; each is then listed whole, 16 at once.
fn list_fanned_out(
    store: Arc<dyn ObjectStore>,
    prefix: Option<object_store::path::Path>,
) -> futures::stream::BoxStream<'static, object_store::Result<object_store::ObjectMeta>> {
    let split = async move {
        let mut found: Vec<object_store::ObjectMeta> = Vec::new();
        let mut folders = vec![prefix];
        for _ in 0..FAN_OUT_LEVELS {
            if folders.len() >= PARALLEL_LISTINGS {
                break;
            }
            let levels: Vec<object_store::Result<object_store::ListResult>> =
                futures::stream::iter(std::mem::take(&mut folders).into_iter().map(|folder| {
                    let store = store.clone();
                    async move { store.list_with_delimiter(folder.as_ref()).await }
                }))
                .buffer_unordered(PARALLEL_LISTINGS)
                .collect()
                .await;
            let mut next = Vec::new();
            for level in levels {
                let level = level?;
                found.extend(level.objects);
                next.extend(level.common_prefixes.into_iter().map(Some));
            }
            folders = next;
            if folders.is_empty() {
                break;
            }
        }
        let whole = futures::stream::iter(folders)
            .map(move |folder| store.list(folder.as_ref()))
            .flatten_unordered(PARALLEL_LISTINGS);
        Ok::<_, object_store::Error>(futures::stream::iter(found.into_iter().map(Ok)).chain(whole))
    };
    futures::stream::once(split)
        .map(|split| match split {
            Ok(stream) => stream.boxed(),
            Err(err) => futures::stream::once(async move { Err(err) }).boxed(),
        })
        .flatten()
        .boxed()
}

/// Where the cached copy of `url` lives under `cache`.
fn local_root_of(cache: &Path, url: &RemoteUrl) -> PathBuf {
    let mut root = cache.join(&url.scheme).join(&url.bucket);
    for part in url.prefix.split('/').filter(|p| !p.is_empty()) {
        root.push(part);
    }
    root
}

/// The store cannot be reached: the cached copy, if there is one, with since when it is one.
fn offline(
    url: &RemoteUrl,
    index: &rusqlite::Connection,
    index_path: &Path,
    root_id: &str,
    local_root: PathBuf,
    message: String,
) -> Result<Mirror, String> {
    let Some((mut mirror, since, _)) =
        copy_from_index(url, index, index_path, root_id, local_root, None)
    else {
        return Err(message);
    };
    mirror.offline_since = Some(since);
    mirror.diagnostics.push(Diagnostic::warning(
        Path::new(&url.url()),
        None,
        format!("offline: showing the cached copy ({message})"),
    ));
    Ok(mirror)
}

/// The cached copy of `url` as the last listing left it, without asking the store: `None` when
/// there is none, or when a text file of it is not here (evicted; a listing must fetch it).
/// The window opens this at once and lists the store in the background (`refresh_mirror`).
pub fn cached_copy(url: &RemoteUrl, cache: Option<&Path>) -> Option<Mirror> {
    let cache = match cache {
        Some(dir) => dir.to_path_buf(),
        None => cache_root()?,
    };
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
fn copy_from_index(
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

/// Downloads one object next to `path`, then renames it into place (a reader never sees half).
async fn fetch_to(
    store: &dyn ObjectStore,
    location: &object_store::path::Path,
    path: &Path,
) -> Result<(), String> {
    let bytes = store
        .get(location)
        .await
        .map_err(|e| short(&e))?
        .bytes()
        .await
        .map_err(|e| short(&e))?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    // A name of its own per download (`x.csv` and `x.log` fetched at once must not share one).
    static DOWNLOADS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = DOWNLOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}-{n}.partial-download", std::process::id()));
    let partial = path.with_file_name(name);
    std::fs::write(&partial, &bytes).map_err(|e| e.to_string())?;
    std::fs::rename(&partial, path).map_err(|e| e.to_string())
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
        crate::report::format_utc(unix),
        describe_age(since)
    )
}

/// True when `path` is a remote image not fetched yet (loading treats it as present without
/// opening it): listed in a cached copy, not written yet.
pub fn is_pending(path: &Path) -> bool {
    copy_of(path).is_some() && std::fs::symlink_metadata(path).is_err()
}

/// Makes sure the bytes of `path` are here before it is read: a no-op for local files and
/// fetched objects; a remote image not fetched yet is downloaded now (blocking). `Err` says
/// why it could not be (offline, removed from the store, refused).
pub fn materialize(path: &Path) -> Result<(), String> {
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
    if let Ok(index) = open_index(&index) {
        let _ = index.execute(
            "UPDATE object SET fetched = 1, used = ?3 WHERE root = ?1 AND key = ?2",
            rusqlite::params![url.url(), relative, now_millis()],
        );
    }
    Ok(())
}

/// Keeps the cache within its budget: the least recently used fetched objects of other runs go
/// first (their rows stay, marked not here, so they are fetched again when needed).
fn evict(index: &rusqlite::Connection, cache: &Path, current: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;

    /// `evaluation_results.csv` and `.log` of one folder are fetched at once: each lands whole
    /// under its own name (a shared temporary name once swapped their bytes).
    #[test]
    fn files_of_one_folder_fetched_at_once_each_land_whole() {
        let store = InMemory::new();
        const NAMES: [&str; 3] = [
            "evaluation_results.csv",
            "evaluation_results.log",
            "output.jsonl",
        ];
        let names = NAMES;
        RUNTIME.block_on(async {
            for (i, name) in names.iter().enumerate() {
                let bytes = vec![b'a' + i as u8; 100_000 + i];
                store
                    .put(&object_store::path::Path::from(*name), bytes.into())
                    .await
                    .unwrap();
            }
        });
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(store);
        for _ in 0..50 {
            // In parallel, on the runtime's threads, as the mirror fetches.
            let tasks: Vec<_> = NAMES
                .iter()
                .map(|name| {
                    let (path, store) = (dir.path().join(name), store.clone());
                    RUNTIME.spawn(async move {
                        fetch_to(&*store, &object_store::path::Path::from(*name), &path).await
                    })
                })
                .collect();
            for task in tasks {
                RUNTIME.block_on(task).unwrap().unwrap();
            }
            for (i, name) in names.iter().enumerate() {
                let bytes = std::fs::read(dir.path().join(name)).unwrap();
                assert_eq!(bytes, vec![b'a' + i as u8; 100_000 + i], "{name}");
            }
            let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
            assert_eq!(leftovers, names.len(), "no partial download left behind");
        }
    }

    #[test]
    fn manifests_list_plain_image_names_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(MANIFEST),
            "1.png\n../secret.png\na/b.png\nnotes.txt\n2_A.png\n\n",
        )
        .unwrap();
        assert_eq!(listed_images(dir.path()), ["1.png", "2_A.png"]);
        assert!(listed_images(&dir.path().join("no-such-folder")).is_empty());
    }
}

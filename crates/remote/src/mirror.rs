//! Mirroring a remote prefix into the local cache: one listing (fanned out by folder) compared
//! with the index, the changed text files fetched while the listing goes on, images noted in
//! their folders' manifests, removed objects deleted; the store unreachable → the cached copy,
//! marked offline.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::StreamExt as _;
use object_store::ObjectStore;

use super::cache::{
    cache_root, evict, local_path, local_root_of, now_millis, open_index, settle, take_problems,
    write_in_background,
};
pub use super::copy::Mirror;
use super::copy::{copy_from_index, remember_copy, write_manifests};
use super::failure::{explain, what_to_check};
use super::store::{RUNTIME, fetch_to, open_store};
use crate::url::RemoteUrl;
use unisandbox_core::diagnostics::Diagnostic;
use unisandbox_core::load::image_check::is_image_file;

/// Fetched at once when a run is opened; everything else (images) when read.
fn is_text_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".csv", ".log", ".jsonl", ".json", ".txt"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// How many objects are fetched at once.
const PARALLEL: usize = 16;

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
/// text files that changed are fetched, changed images are dropped from the copy (fetched again
/// when read) and listed in their folder's manifest, the objects no longer listed are deleted; `Mirror::changed` says which local files that touched.
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
    // An earlier listing's index write must be in before this one reads what is known.
    settle();
    let mut diagnostics: Vec<Diagnostic> = take_problems()
        .into_iter()
        .map(|problem| Diagnostic::warning(&index_path, None, problem))
        .collect();
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
            let relative = key
                .strip_prefix(&strip)
                .or((strip.is_empty()).then_some(&key))?;
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
            let message = format!("{}: cannot list: {}", url.url(), explain(url, &err));
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
    let written_root = root_id.clone();
    let write = move |index: &rusqlite::Connection| -> rusqlite::Result<()> {
        let root_id = written_root;
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
    remember_copy(&local_root, url, &index_path, Some(store));
    // The copy is complete on disk: the index (what a next listing compares with) is written,
    // and the budget kept, while the caller loads it (readers of the index wait: `settle`).
    let shown_index = index_path.display().to_string();
    write_in_background(move || {
        write(&index).map_err(|e| format!("cannot update the cache index {shown_index}: {e}"))?;
        evict(&index, &cache, &root_id);
        Ok(())
    });
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

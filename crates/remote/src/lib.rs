//! Run folders in object storage (`s3://bucket/prefix`, also `gs://` and `az://`/`abfs://`
//! through the same library): a prefix is mirrored into the user cache directory and opened
//! like a folder, so discovery, confinement and the parallel loader are the local ones.
//!
//! Text files (CSV, log, JSONL, JSON, sidecar `.txt`) are fetched when their ETag (or size and
//! last-modified time) changed since the cached copy; images are listed only, in one manifest
//! per folder, and fetched when something reads them (`materialize`). With the store
//! unreachable, the cached copy opens and says since when it is a copy.
//!
//! `url`: what a remote PATH names · `store`: the client, from the environment · `failure`: why
//! a request failed, in words · `cache`: layout, index, budget and eviction · `copy`: reading a
//! cached copy (and naming its files for core, `core::mirrors`) · `mirror`: listing and
//! fetching into the cache · here: `resolve_paths`, the PATHs of one open with URLs mirrored.

pub mod cache;
pub mod copy;
pub mod failure;
pub mod mirror;
pub mod store;

pub mod url;

pub use copy::Mirror;
pub use mirror::mirror_url;
pub use url::{RemoteUrl, is_remote};

pub use unisandbox_core::mirrors::{materialize, shown_path};

/// A remote run folder as opened: where its copy is, and whether the store answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Opened {
    pub url: RemoteUrl,
    pub local_root: std::path::PathBuf,
    /// Set when the store could not be reached: the copy is from this listing.
    pub offline_since: Option<std::time::SystemTime>,
    /// Opened from the cache without asking the store: list it now (`refresh_mirror`).
    pub unlisted: bool,
}

/// The PATHs of one open with every remote URL replaced by its mirror.
#[derive(Debug, Default)]
pub struct Resolved {
    /// What to load: local folders as given, mirrors in place of their URLs (a URL that could
    /// not be opened at all is left out, and named in `problems`).
    pub local: Vec<std::path::PathBuf>,
    pub remote: Vec<Opened>,
    /// Each URL that could not be opened, as typed, with why (what to check included).
    pub problems: Vec<(std::path::PathBuf, String)>,
    /// Per-object problems of the mirrors (skipped names, failed fetches, offline).
    pub diagnostics: Vec<unisandbox_core::diagnostics::Diagnostic>,
}

/// How `resolve_paths` treats a URL with a cached copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// List the store first (the CLI: its output is the store's current state).
    Listed,
    /// Open a complete cached copy at once; the caller lists the store afterwards (the window:
    /// a re-open is as fast as a local folder, changes arrive as a live reload).
    CachedFirst,
}

/// Mirrors the remote URLs among `paths` (into `cache`, or the user cache folder), reporting
/// each URL's (done, total) fetches as they finish.
pub fn resolve_paths(
    paths: &[std::path::PathBuf],
    cache: Option<&std::path::Path>,
    freshness: Freshness,
    mut on_progress: impl FnMut(&RemoteUrl, usize, usize),
) -> Resolved {
    let mut resolved = Resolved::default();
    for path in paths {
        let parsed = path.to_str().and_then(RemoteUrl::parse);
        let url = match parsed {
            None => {
                resolved.local.push(path.clone());
                continue;
            }
            Some(Err(message)) => {
                resolved.problems.push((path.clone(), message));
                continue;
            }
            Some(Ok(url)) => url,
        };
        if freshness == Freshness::CachedFirst
            && let Some(copy) = copy::cached_copy(&url, cache)
        {
            resolved.local.push(copy.local_root.clone());
            resolved.remote.push(Opened {
                url,
                local_root: copy.local_root,
                offline_since: None,
                unlisted: true,
            });
            continue;
        }
        match mirror_url(&url, cache, |done, total| on_progress(&url, done, total)) {
            Ok(mirror) => {
                resolved.local.push(mirror.local_root.clone());
                resolved.diagnostics.extend(mirror.diagnostics);
                resolved.remote.push(Opened {
                    url,
                    local_root: mirror.local_root,
                    offline_since: mirror.offline_since,
                    unlisted: false,
                });
            }
            Err(message) => resolved.problems.push((path.clone(), message)),
        }
    }
    resolved
}

//! Run folders in object storage (`s3://bucket/prefix`, also `gs://` and `az://`/`abfs://`
//! through the same library): a prefix is mirrored into the user cache directory and opened
//! like a folder, so discovery, confinement and the parallel loader are the local ones.
//!
//! Text files (CSV, log, JSONL, JSON, sidecar `.txt`) are fetched when their ETag (or size and
//! last-modified time) changed since the cached copy; images are listed only, in one manifest
//! per folder, and fetched when something reads them (`materialize`). With the store
//! unreachable, the cached copy opens and says since when it is a copy.
//!
//! `store`: the client, from the environment · `failure`: why a request failed, in words · `mirror`: listing and fetching into the cache ·
//! `copy`: reading a cached copy · `cache`: layout, index, budget and eviction.

pub mod cache;
pub mod copy;
pub mod failure;
pub mod mirror;
pub mod store;

pub use mirror::{Mirror, mirror_url};

/// A remote run folder: scheme, bucket (or container) and the prefix under it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RemoteUrl {
    pub scheme: String,
    pub bucket: String,
    /// Without leading or trailing `/`; empty for the whole bucket.
    pub prefix: String,
}

const SCHEMES: [&str; 6] = ["s3", "s3a", "gs", "az", "abfs", "abfss"];

impl RemoteUrl {
    /// `None` when `text` is not a remote URL at all (a local path); `Some(Err)` when it is one
    /// but unusable.
    pub fn parse(text: &str) -> Option<Result<RemoteUrl, String>> {
        let (scheme, rest) = text.split_once("://")?;
        if !SCHEMES.contains(&scheme) {
            return None;
        }
        let rest = rest.trim_end_matches('/');
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        // abfs://container@account.dfs.core.windows.net/prefix: the container names the bucket.
        let bucket = bucket.split('@').next().unwrap_or(bucket);
        if bucket.is_empty() {
            return Some(Err(format!("{text}: no bucket after {scheme}://")));
        }
        let prefix = prefix.trim_matches('/');
        if prefix
            .split('/')
            .any(|part| part == ".." || part == "." || (part.is_empty() && !prefix.is_empty()))
        {
            return Some(Err(format!(
                "{text}: the prefix has empty, '.' or '..' parts"
            )));
        }
        Some(Ok(RemoteUrl {
            scheme: scheme.to_string(),
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        }))
    }

    /// The URL as typed (normalised).
    pub fn url(&self) -> String {
        if self.prefix.is_empty() {
            format!("{}://{}", self.scheme, self.bucket)
        } else {
            format!("{}://{}/{}", self.scheme, self.bucket, self.prefix)
        }
    }

    /// The name the opened folder gets (the prefix's last part, or the bucket), so runs are named
    /// as when the same tree is opened from disk.
    pub fn folder_name(&self) -> &str {
        self.prefix
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or(&self.bucket)
    }
}

/// True when a PATH argument is a remote URL (`s3://…`, `gs://…`, `az://…`, `abfs://…`).
pub fn is_remote(path: &std::path::Path) -> bool {
    path.to_str()
        .is_some_and(|text| RemoteUrl::parse(text).is_some())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_local_paths() {
        let url = RemoteUrl::parse("s3://lab-runs/inference/bagel/")
            .unwrap()
            .unwrap();
        assert_eq!(
            (url.bucket.as_str(), url.prefix.as_str(), url.folder_name()),
            ("lab-runs", "inference/bagel", "bagel")
        );
        assert_eq!(url.url(), "s3://lab-runs/inference/bagel");
        let whole = RemoteUrl::parse("gs://bucket").unwrap().unwrap();
        assert_eq!((whole.prefix.as_str(), whole.folder_name()), ("", "bucket"));
        let azure = RemoteUrl::parse("abfs://runs@acct.dfs.core.windows.net/a")
            .unwrap()
            .unwrap();
        assert_eq!(azure.bucket, "runs");
        assert!(RemoteUrl::parse("/data/runs").is_none());
        assert!(RemoteUrl::parse("http://example.com/x").is_none());
        assert!(RemoteUrl::parse("s3://").unwrap().is_err());
        assert!(RemoteUrl::parse("s3://b/a/../../etc").unwrap().is_err());
        assert!(is_remote(std::path::Path::new("s3://b/p")));
        assert!(!is_remote(std::path::Path::new("sample_runs")));
    }
}

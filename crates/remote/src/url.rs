//! What a remote PATH names: `s3://bucket/prefix` (also `s3a://`, `gs://`, `az://`, `abfs://`).

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

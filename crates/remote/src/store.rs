//! The `object_store` client for a remote URL, configured from the standard environment
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` /
//! `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL` / `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`; Google's and
//! Azure's own variables for `gs://` and `az://`), with timeouts and bounded retries so a dead
//! endpoint is an error within seconds, never a hang. Credentials are never printed.

use std::path::Path;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use object_store::{ClientOptions, ObjectStore, ObjectStoreExt as _, RetryConfig};

use super::failure::{explain, short};
use crate::url::RemoteUrl;

/// Timeouts of our own; plain http only when the environment allows it (the builders' own
/// reading of `*_ALLOW_HTTP` is replaced along with the other client options).
fn client_options() -> ClientOptions {
    let allowed =
        |name: &str| std::env::var(name).is_ok_and(|v| v.trim().eq_ignore_ascii_case("true"));
    ClientOptions::new()
        .with_connect_timeout(Duration::from_secs(5))
        .with_timeout(Duration::from_secs(60))
        .with_allow_http(
            ["AWS_ALLOW_HTTP", "AZURE_ALLOW_HTTP", "GOOGLE_ALLOW_HTTP"]
                .into_iter()
                .any(allowed),
        )
}

fn retry() -> RetryConfig {
    RetryConfig {
        max_retries: 3,
        retry_timeout: Duration::from_secs(15),
        ..RetryConfig::default()
    }
}

/// The store holding `url`'s bucket.
pub fn open_store(url: &RemoteUrl) -> Result<Arc<dyn ObjectStore>, String> {
    let built: object_store::Result<Arc<dyn ObjectStore>> = match url.scheme.as_str() {
        "s3" | "s3a" => {
            let mut builder = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(&url.bucket)
                .with_client_options(client_options())
                .with_retry(retry());
            // The AWS SDKs' names, when the library's own are not set.
            if std::env::var_os("AWS_ENDPOINT").is_none()
                && let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL")
            {
                builder = builder.with_endpoint(endpoint);
            }
            if std::env::var_os("AWS_DEFAULT_REGION").is_none()
                && let Ok(region) = std::env::var("AWS_REGION")
            {
                builder = builder.with_region(region);
            }
            builder.build().map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
        }
        "gs" => object_store::gcp::GoogleCloudStorageBuilder::from_env()
            .with_bucket_name(&url.bucket)
            .with_client_options(client_options())
            .with_retry(retry())
            .build()
            .map(|s| Arc::new(s) as Arc<dyn ObjectStore>),
        _ => object_store::azure::MicrosoftAzureBuilder::from_env()
            .with_container_name(&url.bucket)
            .with_client_options(client_options())
            .with_retry(retry())
            .build()
            .map(|s| Arc::new(s) as Arc<dyn ObjectStore>),
    };
    built.map_err(|err| {
        format!(
            "{}: cannot set up the {} client: {}",
            url.url(),
            url.scheme,
            explain(url, &err)
        )
    })
}

/// One runtime for all remote requests (the loader and the CLI are synchronous).
pub(super) static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("remote")
        .enable_all()
        .build()
        .expect("a tokio runtime for remote requests")
});

/// Downloads one object next to `path`, then renames it into place (a reader never sees half).
pub(super) async fn fetch_to(
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
}

//! An S3-compatible server (`s3s-fs`) in process on 127.0.0.1 and a random port, serving the
//! folders under `root` as buckets; for the remote tests and the remote bench.
//!
//! Listing is our own (`Listing`): `s3s-fs` walks the whole bucket through `tokio::fs` for every
//! page of 1,000 keys, quadratic in the bucket's size (minutes at 100k objects), where S3 serves
//! pages from its index. Ours walks the prefix's folder once per listing and serves the next
//! pages from that walk, paged like S3 (1,000 keys, continuation tokens). A whole-object GET is
//! served from the file without hashing it (S3 stores ETags); the rest is `s3s-fs`.

use std::path::Path;

/// A running server; dropping it (or `stop`) stops it.
pub struct Server {
    pub port: u16,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    pub fn start(root: &Path, key: &str, secret: &str) -> Server {
        Self::start_on(root, key, secret, 0)
    }

    /// On `port` (0: a free one).
    pub fn start_on(root: &Path, key: &str, secret: &str, port: u16) -> Server {
        use hyper_util::rt::{TokioExecutor, TokioIo};
        use hyper_util::server::conn::auto::Builder as ConnBuilder;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let service = {
            let fs = Listing {
                inner: s3s_fs::FileSystem::new(root).unwrap(),
                root: root.to_path_buf(),
                walks: Default::default(),
            };
            let mut builder = s3s::service::S3ServiceBuilder::new(fs);
            builder.set_auth(s3s::auth::SimpleAuth::from_single(key, secret));
            builder.build()
        };
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        runtime.spawn(async move {
            let http = ConnBuilder::new(TokioExecutor::new());
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let connection = http
                    .serve_connection(TokioIo::new(socket), service.clone())
                    .into_owned();
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
        });
        Server {
            port,
            runtime: Some(runtime),
        }
    }

    pub fn stop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

use s3s::dto::{
    GetObjectInput, GetObjectOutput, HeadBucketInput, HeadBucketOutput, HeadObjectInput,
    HeadObjectOutput, ListObjectsV2Input, ListObjectsV2Output, Object, Timestamp,
};
use s3s::{S3, S3Request, S3Response, S3Result};

/// One listing's objects, sorted by key.
type Walk = std::sync::Arc<Vec<Object>>;

struct Listing {
    inner: s3s_fs::FileSystem,
    root: std::path::PathBuf,
    /// The walk of the last listing per (bucket, prefix), for its next pages.
    walks: std::sync::Mutex<std::collections::HashMap<(String, String), Walk>>,
}

fn walk(bucket_root: &Path, prefix: &str) -> Vec<Object> {
    // Only the folder the prefix names (or its parent, for a partial name) is walked.
    let folder = match prefix.rfind('/') {
        Some(slash) => bucket_root.join(&prefix[..slash]),
        None => bucket_root.to_path_buf(),
    };
    let mut objects: Vec<Object> = walkdir::WalkDir::new(&folder)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter_map(|entry| {
            let key = entry
                .path()
                .strip_prefix(bucket_root)
                .ok()?
                .components()
                .map(|c| c.as_os_str().to_str())
                .collect::<Option<Vec<_>>>()?
                .join("/");
            if !key.starts_with(prefix) {
                return None;
            }
            let meta = entry.metadata().ok()?;
            Some(Object {
                key: Some(key),
                size: Some(meta.len() as i64),
                last_modified: meta.modified().ok().map(Timestamp::from),
                ..Default::default()
            })
        })
        .collect();
    objects.sort_by(|a, b| a.key.cmp(&b.key));
    objects
}

/// One folder's files and subfolders (a delimiter listing of `prefix/`), in one page.
async fn one_level(
    root: &Path,
    input: ListObjectsV2Input,
) -> S3Result<S3Response<ListObjectsV2Output>> {
    let bucket_root = root.join(&input.bucket);
    if !bucket_root.is_dir() {
        return Err(s3s::s3_error!(NoSuchBucket));
    }
    let prefix = input.prefix.clone().unwrap_or_default();
    let folder = bucket_root.join(prefix.trim_end_matches('/'));
    let entries = tokio::task::spawn_blocking(move || {
        let mut objects = Vec::new();
        let mut folders = Vec::new();
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                folders.push(s3s::dto::CommonPrefix {
                    prefix: Some(format!("{prefix}{name}/")),
                });
            } else {
                objects.push(Object {
                    key: Some(format!("{prefix}{name}")),
                    size: Some(meta.len() as i64),
                    last_modified: meta.modified().ok().map(Timestamp::from),
                    ..Default::default()
                });
            }
        }
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        folders.sort_by(|a, b| a.prefix.cmp(&b.prefix));
        (objects, folders)
    })
    .await
    .unwrap();
    let (objects, folders) = entries;
    let output = ListObjectsV2Output {
        key_count: Some((objects.len() + folders.len()) as i32),
        max_keys: Some(input.max_keys.unwrap_or(1000)),
        is_truncated: Some(false),
        contents: (!objects.is_empty()).then_some(objects),
        common_prefixes: (!folders.is_empty()).then_some(folders),
        name: Some(input.bucket),
        prefix: input.prefix,
        delimiter: input.delimiter,
        ..Default::default()
    };
    Ok(S3Response::new(output))
}

#[async_trait::async_trait]
impl S3 for Listing {
    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let by_folder = req.input.delimiter.as_deref() == Some("/")
            && req
                .input
                .prefix
                .as_deref()
                .is_none_or(|p| p.is_empty() || p.ends_with('/'));
        if req.input.delimiter.is_some() && !by_folder {
            return self.inner.list_objects_v2(req).await;
        }
        if by_folder {
            return one_level(&self.root, req.input).await;
        }
        let input = req.input;
        let bucket_root = self.root.join(&input.bucket);
        if !bucket_root.is_dir() {
            return Err(s3s::s3_error!(NoSuchBucket));
        }
        let prefix = input.prefix.clone().unwrap_or_default();
        let id = (input.bucket.clone(), prefix.clone());
        let cached = input
            .continuation_token
            .as_ref()
            .and_then(|_| self.walks.lock().unwrap().get(&id).cloned());
        let objects: Walk = match cached {
            Some(objects) => objects,
            None => {
                let (root, prefix) = (bucket_root.clone(), prefix.clone());
                let objects = tokio::task::spawn_blocking(move || walk(&root, &prefix))
                    .await
                    .unwrap();
                let objects = std::sync::Arc::new(objects);
                self.walks.lock().unwrap().insert(id, objects.clone());
                objects
            }
        };
        let after = input
            .continuation_token
            .clone()
            .or(input.start_after.clone());
        let start = match &after {
            Some(after) => objects.partition_point(|o| o.key.as_deref() <= Some(after.as_str())),
            None => 0,
        };
        let max_keys = input.max_keys.unwrap_or(1000).clamp(1, 1000) as usize;
        let page: Vec<Object> = objects[start..].iter().take(max_keys).cloned().collect();
        let truncated = start + page.len() < objects.len();
        let output = ListObjectsV2Output {
            key_count: Some(page.len() as i32),
            max_keys: Some(max_keys as i32),
            is_truncated: Some(truncated),
            next_continuation_token: truncated
                .then(|| page.last().and_then(|o| o.key.clone()))
                .flatten(),
            continuation_token: input.continuation_token,
            contents: (!page.is_empty()).then_some(page),
            name: Some(input.bucket),
            prefix: input.prefix,
            ..Default::default()
        };
        Ok(S3Response::new(output))
    }

    /// A whole object is served from its file as it is: S3 keeps each object's ETag, where
    /// `s3s-fs` (for files it did not write itself) reads the whole file again to hash it on
    /// every GET — server CPU that a real store does not spend, on the same 2 cores as the
    /// client in the bench. Ranges and conditional GETs go to `s3s-fs`.
    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let input = &req.input;
        let plain = input.range.is_none()
            && input.part_number.is_none()
            && input.if_match.is_none()
            && input.if_none_match.is_none()
            && input.if_modified_since.is_none()
            && input.if_unmodified_since.is_none();
        let plain_key = input
            .key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
        if !plain || !plain_key {
            return self.inner.get_object(req).await;
        }
        let path = self.root.join(&input.bucket).join(&input.key);
        let read = tokio::task::spawn_blocking(move || {
            let meta = std::fs::metadata(&path)?;
            if !meta.is_file() {
                return Err(std::io::ErrorKind::NotFound.into());
            }
            Ok::<_, std::io::Error>((std::fs::read(&path)?, meta.modified().ok()))
        })
        .await
        .unwrap();
        let (bytes, modified) = match read {
            Ok(read) => read,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(s3s::s3_error!(NoSuchKey));
            }
            Err(err) => return Err(s3s::s3_error!(err, InternalError)),
        };
        let output = GetObjectOutput {
            content_length: Some(bytes.len() as i64),
            last_modified: modified.map(Timestamp::from),
            body: Some(s3s::dto::StreamingBlob::from(s3s::Body::from(bytes))),
            ..Default::default()
        };
        Ok(S3Response::new(output))
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.inner.head_object(req).await
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.inner.head_bucket(req).await
    }
}

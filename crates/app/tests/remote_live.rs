//! Remote runs through the library: a listing that finds changes (live reload), and the store
//! going away in the middle of a fetch. One S3-compatible server (`s3s-fs`, in process) per test;
//! `object_store` reads its endpoint from the environment, so the tests take turns.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use unisandbox_remote::{RemoteUrl, cache, copy, materialize, mirror, mirror_url};

use unisandbox_testkit::s3_server;

#[allow(dead_code)] // (other tests use the rest)
mod common;
use s3_server::Server;

static ENVIRONMENT: Mutex<()> = Mutex::new(());

fn point_at(server: &Server) {
    // SAFETY: the tests hold ENVIRONMENT while they set and use these; nothing else reads them.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKLIVE");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "SKLIVESECRET");
        std::env::set_var("AWS_REGION", "us-east-1");
        std::env::set_var(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", server.port),
        );
        std::env::set_var("AWS_ALLOW_HTTP", "true");
    }
}

/// A server for the buckets under `store`, and the environment pointing at it.
fn serve(store: &Path) -> Server {
    let server = Server::start(store, "AKLIVE", "SKLIVESECRET");
    point_at(&server);
    server
}

fn load(root: &Path) -> unisandbox_core::model::Dataset {
    unisandbox_core::load::load_dataset_with_benchmark(&[root.to_path_buf()], None)
}

/// The generated sample runs as bucket `runs`, prefix `lab`, with a cache folder beside them;
/// the environment is this test's while it holds the returned guard.
struct Bucket {
    _turn: std::sync::MutexGuard<'static, ()>,
    dir: tempfile::TempDir,
    /// The server's root (its folders are the buckets).
    store: PathBuf,
    /// The tree as files: `store/runs/lab`.
    tree: PathBuf,
    cache: PathBuf,
}

fn bucket() -> Bucket {
    let turn = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let tree = store.join("runs/lab");
    unisandbox_demo::write_demo(&tree, 7).unwrap();
    let cache = dir.path().join("cache");
    Bucket {
        _turn: turn,
        dir,
        store,
        tree,
        cache,
    }
}

fn url() -> RemoteUrl {
    RemoteUrl::parse("s3://runs/lab").unwrap().unwrap()
}

#[test]
fn a_new_listing_reports_exactly_the_files_that_changed() {
    let Bucket {
        tree, store, cache, ..
    } = &bucket();
    let _server = serve(store);
    let opened = mirror_url(&url(), Some(cache), |_, _| {}).unwrap();
    let copy = opened.local_root.clone();
    // The same items under the same keys (checkpoint, setting, task, id) as the tree on disk:
    // annotations made on either are the other's too.
    let keys = |dataset: &unisandbox_core::model::Dataset| {
        let mut keys: Vec<_> = dataset.items.iter().map(|i| dataset.key_of(i)).collect();
        keys.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        keys
    };
    assert_eq!(keys(&load(&copy)), keys(&load(tree)));

    // Nothing changed in the store: nothing to reload.
    let again = mirror::refresh_mirror(&url(), Some(cache)).unwrap();
    assert_eq!(again.changed, Vec::<PathBuf>::new());
    assert_eq!(again.fetched, 0);

    // A result row appended, a log deleted, an image redrawn.
    let folder = "bagel-base/test/normal/math_1";
    let csv = tree.join(folder).join("evaluation_results.csv");
    let mut text = std::fs::read_to_string(&csv).unwrap();
    let last_line = text.lines().last().unwrap().to_string();
    let new_row = last_line.replacen(last_line.split(',').next().unwrap(), "999", 1);
    text.push_str(&new_row);
    text.push('\n');
    std::fs::write(&csv, &text).unwrap();
    let log = tree.join(folder).join("evaluation_results.log");
    std::fs::remove_file(&log).unwrap();
    let png = tree.join(folder).join("2.png");
    let redrawn = std::fs::read(tree.join(folder).join("3.png")).unwrap();
    std::fs::write(&png, &redrawn).unwrap();
    // A copy of the first open's image, fetched before the change.
    materialize(&copy.join(folder).join("2.png")).unwrap();

    let refreshed = mirror::refresh_mirror(&url(), Some(cache)).unwrap();
    let mut changed = refreshed.changed.clone();
    changed.sort();
    let mut expected = vec![
        copy.join(folder).join("evaluation_results.csv"),
        copy.join(folder).join("2.png"),
        copy.join(folder).join("evaluation_results.log"),
    ];
    expected.sort();
    assert_eq!(changed, expected);
    assert_eq!(refreshed.fetched, 1, "only the changed CSV is fetched");
    assert_eq!(
        std::fs::read_to_string(copy.join(folder).join("evaluation_results.csv")).unwrap(),
        text
    );
    // The redrawn image is fetched again when shown, with its new bytes.
    let cached_png = copy.join(folder).join("2.png");
    assert!(!cached_png.exists(), "the old bytes are gone");
    materialize(&cached_png).unwrap();
    assert_eq!(std::fs::read(&cached_png).unwrap(), redrawn);
    assert!(!copy.join(folder).join("evaluation_results.log").exists());
    assert_eq!(load(&copy).items.len(), load(tree).items.len());
}

#[test]
fn the_store_going_away_mid_fetch_keeps_what_arrived_and_says_what_did_not() {
    let Bucket {
        tree, store, cache, ..
    } = &bucket();
    let mut server = serve(store);
    let mut total_files = 0;
    let partial = mirror_url(&url(), Some(cache), |done, total| {
        total_files = total;
        if done == 10 {
            server.stop();
        }
    })
    .expect("a partial copy, not an error");
    assert!(
        total_files > 40,
        "the sample has many text files: {total_files}"
    );
    let not_fetched: Vec<_> = partial
        .diagnostics
        .iter()
        .filter(|d| d.message.starts_with("not fetched"))
        .collect();
    assert!(
        !not_fetched.is_empty() && partial.fetched + not_fetched.len() == total_files,
        "fetched {} + not fetched {} of {total_files}",
        partial.fetched,
        not_fetched.len()
    );
    assert!(
        not_fetched[0].to_string().contains("s3://runs/lab/"),
        "named by URL: {}",
        not_fetched[0]
    );
    // What arrived loads; no panic, the rest is missing.
    let some = load(&partial.local_root);
    assert!(some.items.len() < load(tree).items.len());

    // The store is back: the next open fetches only what is missing, and then everything is here.
    let _server = serve(store);
    let whole = mirror_url(&url(), Some(cache), |_, _| {}).unwrap();
    assert_eq!(whole.fetched, not_fetched.len());
    assert!(whole.diagnostics.is_empty(), "{:?}", whole.diagnostics);
    assert_eq!(load(&whole.local_root).items.len(), load(tree).items.len());
}

#[test]
fn the_window_opens_a_bucket_follows_its_changes_and_says_when_it_is_offline() {
    use egui_kittest::kittest::Queryable as _;
    use unisandbox_app::{InspectorApp, StartOptions, View};
    let Bucket {
        dir,
        tree,
        store,
        cache,
        ..
    } = &bucket();
    // The eval is still running: its last result row is not written yet.
    let csv = tree.join("bagel-base/test/normal/math_1/evaluation_results.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let cut = {
        // Where the last record starts (judge analyses span lines: not the last line).
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut starts = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            let at = reader.position().byte() as usize;
            if !reader.read_record(&mut record).unwrap() {
                break;
            }
            starts.push(at);
        }
        *starts.last().unwrap()
    };
    std::fs::write(&csv, &text[..cut]).unwrap();
    let mut server = serve(store);
    // SAFETY: as in `point_at`.
    unsafe { std::env::set_var("UNISANDBOX_CACHE_DIR", cache) };

    let mut harness = common::harness_with(StartOptions {
        paths: vec![PathBuf::from("s3://runs/lab")],
        view: View::Items,
        annotations: Some(dir.path().join("annotations.sqlite")),
        live_reload: true,
        remote_poll_every: Some(std::time::Duration::from_millis(300)),
        ..StartOptions::default()
    });
    let judged = common::judged;
    let state = &harness.state().state;
    assert_eq!(state.data.dataset.items.len(), load(tree).items.len());
    assert_eq!(state.remote.len(), 1);
    assert_eq!(state.remote[0].offline_since, None);
    assert!(state.local_roots[0].starts_with(cache));
    assert!(state.watching, "remote runs are live too");
    assert_eq!(
        state.settings.recent[0].paths,
        [PathBuf::from("s3://runs/lab")]
    );
    // The Start page's cache line counts what this open fetched (its index is written while
    // the run loads).
    common::step_until(
        &mut harness,
        std::time::Duration::from_secs(10),
        "the cache usage with this run's files",
        |app| {
            app.state
                .cache_usage
                .as_ref()
                .is_some_and(|(root, bytes)| root.starts_with(cache) && *bytes > 0)
        },
    );
    let before = judged(harness.state());

    // The eval writes its last row into the bucket: the window shows it without a reopen.
    std::fs::write(&csv, &text).unwrap();
    common::step_until(
        &mut harness,
        std::time::Duration::from_secs(30),
        "the row written into the bucket",
        |app| judged(app) == before + 1,
    );
    common::wait_until_idle(&mut harness);
    let message = &harness.state().state.last_reload.as_ref().unwrap().0;
    assert!(message.contains("+1 judged"), "{message}");

    // The store goes away: the copy stays on screen, and the window says since when it is one.
    server.stop();
    common::step_until(
        &mut harness,
        std::time::Duration::from_secs(60),
        "the offline banner",
        |app| app.state.remote[0].offline_since.is_some(),
    );
    harness.run_steps(2);
    harness.get_by_label_contains("offline: showing the cached copy of s3://runs/lab");
    assert_eq!(judged(harness.state()), before + 1);
    let was_yes = |app: &InspectorApp| {
        app.state
            .data
            .dataset
            .items
            .iter()
            .filter(|i| i.verdict == unisandbox_core::model::Verdict::Yes)
            .count()
    };
    let yes_cached = was_yes(harness.state());
    drop(harness);

    // Opened again while the store is still down, and a verdict changed there meanwhile: the
    // cached copy opens without the store, says it is offline, and when the store is back the
    // change arrives by itself.
    let rejudged = text.replacen(",YES,1,", ",NO,0,", 1);
    assert_ne!(rejudged, text);
    std::fs::write(&csv, &rejudged).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // SAFETY: as in `point_at`.
    unsafe { std::env::set_var("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}")) };
    let options = StartOptions {
        paths: vec![PathBuf::from("s3://runs/lab")],
        view: View::Items,
        annotations: Some(dir.path().join("annotations.sqlite")),
        live_reload: true,
        remote_poll_every: Some(std::time::Duration::from_millis(300)),
        ..StartOptions::default()
    };
    let mut harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| InspectorApp::new(&cc.egui_ctx, options));
    common::step_until(
        &mut harness,
        std::time::Duration::from_secs(60),
        "the cached copy, offline",
        |app| {
            app.state.progress.finished
                && app
                    .state
                    .remote
                    .first()
                    .is_some_and(|r| r.offline_since.is_some())
        },
    );
    assert_eq!(was_yes(harness.state()), yes_cached, "the copy as cached");
    assert_eq!(
        harness.state().state.data.dataset.items.len(),
        load(tree).items.len()
    );
    harness.run_steps(2);
    harness.get_by_label_contains("offline: showing the cached copy of s3://runs/lab");

    let server = Server::start_on(store, "AKLIVE", "SKLIVESECRET", port);
    common::step_until(
        &mut harness,
        std::time::Duration::from_secs(60),
        "the verdict changed in the store",
        |app| was_yes(app) + 1 == yes_cached,
    );
    common::step_until(
        &mut harness,
        std::time::Duration::from_secs(10),
        "the banner gone",
        |app| app.state.remote[0].offline_since.is_none(),
    );
    drop(harness);

    // A URL that cannot be opened at all (no such bucket, nothing cached): one message, saying
    // what happened and what to check, not also "nothing found".
    let mut harness = common::harness_with(StartOptions {
        paths: vec![PathBuf::from("s3://no-such-bucket/lab")],
        view: View::Start,
        annotations: Some(dir.path().join("annotations.sqlite")),
        ..StartOptions::default()
    });
    harness.run_steps(2);
    harness.get_by_label_contains("s3://no-such-bucket/lab: cannot list: no such bucket");
    assert!(
        harness
            .query_by_label_contains("No UniSandbox results")
            .is_none(),
        "said once"
    );
    drop(server);
    unsafe { std::env::remove_var("UNISANDBOX_CACHE_DIR") };
}

/// Bytes of the files in a copy, and how many (the manifests not counted).
fn stored(root: &Path) -> (u64, usize) {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() != ".remote-images")
        .fold((0, 0), |(bytes, files), e| {
            (bytes + e.metadata().unwrap().len(), files + 1)
        })
}

#[test]
fn the_cache_keeps_within_its_budget_dropping_the_least_recently_opened_run_first() {
    let Bucket {
        tree, store, cache, ..
    } = &bucket();
    let _server = serve(store);
    let base = RemoteUrl::parse("s3://runs/lab/bagel-base")
        .unwrap()
        .unwrap();
    let stars = RemoteUrl::parse("s3://runs/lab/bagel-stars")
        .unwrap()
        .unwrap();
    let first = mirror_url(&base, Some(cache), |_, _| {}).unwrap();
    let (base_bytes, base_files) = stored(&first.local_root);
    assert_eq!(base_files, first.fetched);
    assert!(copy::cached_copy(&base, Some(cache)).is_some());

    // A budget that holds the second run and half of the first.
    let stars_bytes: u64 = walkdir::WalkDir::new(tree.join("bagel-stars"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            [".csv", ".log", ".jsonl", ".json", ".txt"]
                .iter()
                .any(|ext| name.ends_with(ext))
        })
        .map(|e| e.metadata().unwrap().len())
        .sum();
    cache::set_budget(stars_bytes + base_bytes / 2);
    let second = mirror_url(&stars, Some(cache), |_, _| {}).unwrap();
    // The index is written, and the budget kept, while the copy loads.
    cache::settle();
    let (after, _) = stored(&first.local_root);
    let (stars_now, _) = stored(&second.local_root);
    assert!(
        after < base_bytes,
        "the older run lost files: {after} of {base_bytes}"
    );
    assert!(after + stars_now <= stars_bytes + base_bytes / 2);
    assert_eq!(
        stored(&second.local_root).1,
        second.fetched,
        "the run just opened stays whole"
    );
    // An evicted run is not opened from the cache as it is: it is listed and fetched again.
    assert!(copy::cached_copy(&base, Some(cache)).is_none());
    cache::set_budget(u64::MAX);
    let again = mirror_url(&base, Some(cache), |_, _| {}).unwrap();
    assert_eq!(stored(&again.local_root), (base_bytes, base_files));
    assert!(
        again.fetched > 0 && again.fetched < base_files,
        "only what was evicted: {}",
        again.fetched
    );
    assert_eq!(
        load(&again.local_root).items.len(),
        load(&tree.join("bagel-base")).items.len()
    );
    cache::set_budget(0);
}

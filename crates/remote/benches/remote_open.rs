//! Opening runs from an S3-compatible store (`s3s-fs` in process on 127.0.0.1) against opening
//! the same tree from disk: the first open (list + fetch the text files into an empty cache),
//! a cached re-open (list only, nothing changed) and the local load, each followed by the same
//! load of the folders. Prints medians and the ratios to local.
//!
//!   cargo bench --bench remote_open                 # the sample runs and one full checkpoint
//!   cargo bench --bench remote_open -- checkpoint   # one checkpoint: 42 task folders, 1,900 images
//!   cargo bench --bench remote_open -- 100000       # a 100k-item tree

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

// The allocator the app itself runs with (src/main.rs), for the local and the remote open alike.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

use unisandbox_testkit::s3_server;

fn load(root: &Path) -> usize {
    let mut dataset = unisandbox_core::model::Dataset::default();
    unisandbox_core::load::load_paths(&[root.to_path_buf()], None, |event| {
        unisandbox_core::load::apply_event(&mut dataset, event)
    });
    dataset.items.len()
}

/// What to serve.
enum Tree {
    Sample,
    Checkpoint,
    Items(usize),
}

fn run(what: Tree) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let tree = store.join("runs/lab");
    let label = match what {
        Tree::Items(n) => {
            unisandbox_demo::scale::write_scale(&tree, 7, 10, n).unwrap();
            format!("{n}-item tree")
        }
        Tree::Sample => {
            unisandbox_demo::write_demo(&tree, 7).unwrap();
            "sample runs".to_string()
        }
        Tree::Checkpoint => {
            unisandbox_demo::write_full_checkpoint(&tree, 7, "ckpt").unwrap();
            "one checkpoint".to_string()
        }
    };
    let mut server = s3_server::Server::start(&store, "AKBENCH", "SKBENCHSECRET");
    let port = server.port;
    // SAFETY: set before any other thread reads the environment.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKBENCH");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "SKBENCHSECRET");
        std::env::set_var("AWS_REGION", "us-east-1");
        std::env::set_var("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"));
        std::env::set_var("AWS_ALLOW_HTTP", "true");
    }
    let url = unisandbox_remote::RemoteUrl::parse("s3://runs/lab")
        .unwrap()
        .unwrap();
    // The listing alone, flat (one page of 1,000 keys after another), as a reference.
    let list_only = || {
        use futures::StreamExt as _;
        let store = unisandbox_remote::store::open_store(&url).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let started = Instant::now();
        let prefix = object_store::path::Path::from("lab");
        let n = runtime.block_on(store.list(Some(&prefix)).count());
        (n, started.elapsed())
    };
    let runs = 5;
    let (mut local, mut first, mut cached, mut listing, mut window) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut objects = 0;
    let mut counts = (0, 0);
    for round in 0..runs {
        let (n, took) = list_only();
        objects = n;
        listing.push(took);
        let started = Instant::now();
        counts.0 = load(&tree);
        local.push(started.elapsed());

        let cache: PathBuf = dir.path().join(format!("cache-{round}"));
        let started = Instant::now();
        let mirror = unisandbox_remote::mirror_url(&url, Some(&cache), |_, _| {}).unwrap();
        counts.1 = load(&mirror.local_root);
        first.push(started.elapsed());

        let started = Instant::now();
        let mirror = unisandbox_remote::mirror_url(&url, Some(&cache), |_, _| {}).unwrap();
        assert_eq!(mirror.fetched, 0, "nothing changed");
        load(&mirror.local_root);
        cached.push(started.elapsed());

        // The window's re-open: the cached copy at once (the store is listed afterwards).
        let started = Instant::now();
        let copy = unisandbox_remote::copy::cached_copy(&url, Some(&cache)).unwrap();
        load(&copy.local_root);
        window.push(started.elapsed());
    }
    assert_eq!(counts.0, counts.1, "the same items");
    let (local, first, cached, listing, window) = (
        median(local),
        median(first),
        median(cached),
        median(listing),
        median(window),
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label}, {} items: local {:.0} ms · s3 first open {:.0} ms ({:.1}× local) · s3 cached re-open {:.0} ms ({:.2}× local) — medians of {runs}",
        counts.0,
        ms(local),
        ms(first),
        ms(first) / ms(local),
        ms(cached),
        ms(cached) / ms(local)
    );
    println!(
        "  of which the server's listing of {objects} objects: {:.0} ms (list requests alone)",
        ms(listing)
    );
    println!(
        "  window re-open from the cache (copy at once, listed after): {:.0} ms ({:.2}× local)",
        ms(window),
        ms(window) / ms(local)
    );
    server.stop();
}

fn main() {
    let trees: Vec<Tree> = std::env::args()
        .skip(1)
        .filter_map(|a| match a.as_str() {
            "sample" => Some(Tree::Sample),
            "checkpoint" => Some(Tree::Checkpoint),
            n => n.parse().ok().map(Tree::Items),
        })
        .collect();
    if trees.is_empty() {
        run(Tree::Sample);
        run(Tree::Checkpoint);
    }
    for tree in trees {
        run(tree);
    }
}

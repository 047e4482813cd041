//! Remote runs, end to end without a network: an S3-compatible server (`s3s-fs`, in process, on
//! 127.0.0.1 and a random port) serves the generated sample runs; the binary opens
//! `s3://runs/lab` through `object_store` configured from the standard environment, into a
//! cache folder of the test's own.

mod common;

use std::path::PathBuf;
use std::process::Command;

const KEY: &str = "AKTESTUNISANDBOX";
const SECRET: &str = "SKTESTUNISANDBOXSECRET";

use s3_server::Server;
use unisandbox_testkit::s3_server;

struct Setup {
    _dir: tempfile::TempDir,
    local: PathBuf,
    cache: PathBuf,
    server: Server,
}

/// The generated sample runs as bucket `runs`, prefix `lab`; the same tree on disk.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store_root = dir.path().join("store");
    let local = store_root.join("runs/lab");
    unisandbox_demo::write_demo(&local, 7).unwrap();
    let cache = dir.path().join("cache");
    let server = Server::start(&store_root, KEY, SECRET);
    Setup {
        local,
        cache,
        server,
        _dir: dir,
    }
}

fn bin(setup: &Setup, secret: &str) -> Command {
    let mut command = common::bin();
    command
        .env("AWS_ACCESS_KEY_ID", KEY)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_REGION", "us-east-1")
        .env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", setup.server.port),
        )
        .env("AWS_ALLOW_HTTP", "true")
        .env("UNISANDBOX_CACHE_DIR", &setup.cache)
        .env_remove("AWS_ENDPOINT")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE");
    command
}

fn run(command: &mut Command) -> (bool, String, String) {
    let output = command.output().unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn summary_over_s3_equals_the_local_tree_and_works_offline_from_the_cache() {
    let mut setup = setup();
    let (ok, local, err) = run(bin(&setup, SECRET)
        .arg("summary")
        .arg(&setup.local)
        .args(["--format", "json"]));
    assert!(ok, "{err}");
    let (ok, remote, err) =
        run(bin(&setup, SECRET).args(["summary", "s3://runs/lab", "--format", "json"]));
    assert!(ok, "{err}");
    assert_eq!(remote, local);
    assert!(err.contains("fetching s3://runs/lab"), "{err}");
    // The CSVs and logs are cached; the images only listed (empty until shown).
    let cached = setup.cache.join("remote/s3/runs/lab");
    let csv = cached.join("bagel-base/test/normal/math_1/evaluation_results.csv");
    assert!(std::fs::metadata(&csv).unwrap().len() > 0);
    let png = cached.join("bagel-base/test/normal/math_1/1.png");
    assert!(!png.exists(), "fetched when shown, not before");
    let manifest = std::fs::read_to_string(png.with_file_name(".remote-images")).unwrap();
    assert!(manifest.lines().any(|name| name == "1.png"), "{manifest}");

    // Nothing changed: the second open fetches nothing.
    let (ok, again, err) =
        run(bin(&setup, SECRET).args(["summary", "s3://runs/lab", "--format", "json"]));
    assert!(ok, "{err}");
    assert_eq!(again, local);
    assert!(!err.contains("fetching"), "{err}");

    // The store goes away: the cached copy answers, and says so.
    setup.server.stop();
    let (ok, offline, err) =
        run(bin(&setup, SECRET).args(["summary", "s3://runs/lab", "--format", "json"]));
    assert!(ok, "{err}");
    assert_eq!(offline, local);
    assert!(
        err.contains("offline: showing the cached copy of s3://runs/lab"),
        "{err}"
    );
}

#[test]
fn export_fetches_and_embeds_the_images() {
    let setup = setup();
    let out = setup.cache.parent().unwrap().join("report.html");
    let (ok, _, err) = run(bin(&setup, SECRET)
        .args([
            "export",
            "s3://runs/lab",
            "--format",
            "html",
            "--run",
            "bagel-base",
            "--setting",
            "normal",
            "--out",
        ])
        .arg(&out));
    assert!(ok, "{err}");
    let html = std::fs::read_to_string(&out).unwrap();
    let local_png = std::fs::read(setup.local.join("bagel-base/test/normal/math_1/1.png")).unwrap();
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&local_png);
    assert!(html.contains(&encoded), "the remote image is embedded");
    let cached = setup
        .cache
        .join("remote/s3/runs/lab/bagel-base/test/normal/math_1/1.png");
    assert_eq!(std::fs::read(cached).unwrap(), local_png);
}

#[test]
fn a_refused_request_is_one_clear_message_naming_the_url() {
    let setup = setup();
    let (ok, out, err) = run(bin(&setup, "wrong-secret").args(["summary", "s3://runs/lab"]));
    assert!(!ok, "{out}");
    assert!(err.contains("s3://runs/lab: cannot list"), "{err}");
    assert!(err.contains("AWS_SECRET_ACCESS_KEY"), "{err}");
    assert!(
        !err.contains("wrong-secret"),
        "the secret is never printed: {err}"
    );
    assert!(err.contains("403 Forbidden"), "{err}");
    assert!(
        err.contains("the secret key does not match the access key"),
        "what went wrong, in words: {err}"
    );
    assert!(!err.contains("list-type=2"), "no request query: {err}");
    let (ok, _, err) = run(bin(&setup, SECRET).args(["summary", "s3://no-such-bucket/lab"]));
    assert!(!ok);
    assert!(err.contains("s3://no-such-bucket/lab"), "{err}");
    assert!(err.contains("no such bucket"), "{err}");
}

/// The other stores by configuration only (no network): the client is built from each one's
/// standard variables and asks the endpoint they name; a dead one is a clear message and exit 1.
#[test]
fn gs_and_az_are_configured_from_their_own_variables() {
    let setup = setup();
    let dead = "http://127.0.0.1:1";
    let key = serde_json::json!({
        "gcs_base_url": dead, "disable_oauth": true, "client_email": "",
        "private_key": "", "private_key_id": ""
    });
    let started = std::time::Instant::now();
    let (ok, _, err) = run(bin(&setup, SECRET)
        .env("GOOGLE_SERVICE_ACCOUNT_KEY", key.to_string())
        .env("GOOGLE_ALLOW_HTTP", "true")
        .args(["summary", "gs://lab-runs/bagel"]));
    assert!(!ok);
    assert!(err.contains("gs://lab-runs/bagel: cannot list"), "{err}");
    assert!(
        err.contains("127.0.0.1:1"),
        "the configured endpoint: {err}"
    );
    assert!(err.contains("GOOGLE_SERVICE_ACCOUNT"), "{err}");
    assert!(err.contains("connection refused"), "{err}");
    let (ok, _, err) = run(bin(&setup, SECRET)
        .env("AZURE_STORAGE_ACCOUNT_NAME", "labaccount")
        .env("AZURE_STORAGE_ACCOUNT_KEY", "c2VjcmV0LWtleQ==")
        .env("AZURE_STORAGE_ENDPOINT", dead)
        .env("AZURE_ALLOW_HTTP", "true")
        .args(["summary", "az://runs/bagel"]));
    assert!(!ok);
    assert!(err.contains("az://runs/bagel: cannot list"), "{err}");
    assert!(
        err.contains("127.0.0.1:1"),
        "the configured endpoint: {err}"
    );
    assert!(err.contains("AZURE_STORAGE_ACCOUNT_NAME"), "{err}");
    assert!(
        !err.contains("c2VjcmV0LWtleQ=="),
        "the key is never printed: {err}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "a dead endpoint is an error within seconds, not a hang"
    );
}

/// A corrupt image reads as corrupt in every export of a run: local, remote online (the image
/// fetched now and checked as a local one is) and remote offline (from the cache).
#[test]
fn a_corrupt_image_is_corrupt_in_local_online_and_offline_exports() {
    let mut setup = setup();
    let dir = setup.cache.parent().unwrap().to_path_buf();
    let export = |setup: &Setup, source: &std::ffi::OsStr, format: &str, out: &str| {
        let path = dir.join(out);
        let (ok, _, err) = run(bin(setup, SECRET)
            .arg("export")
            .arg(source)
            .args([
                "--format",
                format,
                "--run",
                "bagel-base",
                "--setting",
                "think",
            ])
            .args(["--task", "mapping1", "--out"])
            .arg(&path));
        assert!(ok, "{err}");
        std::fs::read_to_string(path).unwrap()
    };
    let local = setup.local.clone().into_os_string();
    let remote = std::ffi::OsString::from("s3://runs/lab");
    let statuses = |json: &str| -> Vec<(String, String)> {
        let items: serde_json::Value = serde_json::from_str(json).unwrap();
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let status = i["image_status"].as_str().unwrap().to_string();
                (i["id"].as_str().unwrap().to_string(), status)
            })
            .collect()
    };
    let local_json = statuses(&export(&setup, &local, "json", "local.json"));
    assert!(
        local_json.contains(&("3".into(), "present | corrupt".into())),
        "{local_json:?}"
    );
    let online_json = statuses(&export(&setup, &remote, "json", "online.json"));
    assert_eq!(online_json, local_json);

    let images = |html: &str| {
        (
            html.matches("<img ").count(),
            html.matches("Image corrupt (").count(),
        )
    };
    let local_html = images(&export(&setup, &local, "html", "local.html"));
    assert_eq!(local_html.1, 1, "the truncated 3_B.png");
    let online_html = images(&export(&setup, &remote, "html", "online.html"));
    setup.server.stop();
    let offline_html = images(&export(&setup, &remote, "html", "offline.html"));
    assert_eq!(online_html, local_html);
    assert_eq!(offline_html, local_html);
}

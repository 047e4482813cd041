//! An S3-compatible server on 127.0.0.1 for trying remote runs without a cloud account: the
//! folders under ROOT are buckets (the same in-process `s3s-fs` server the tests use).
//!
//!   cargo run -p unisandbox-remote --example s3_serve -- ROOT [PORT]
//!
//! then, in another shell, with the key and secret it prints:
//!
//!   AWS_ENDPOINT_URL=http://127.0.0.1:PORT AWS_ALLOW_HTTP=true AWS_REGION=us-east-1 \
//!   AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… cargo run --release -- s3://BUCKET/PREFIX

#[allow(dead_code)] // (the tests use the rest)
use unisandbox_testkit::s3_server;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(root) = args.next() else {
        eprintln!("usage: s3_serve ROOT [PORT]   (the folders under ROOT are the buckets)");
        std::process::exit(2);
    };
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let (key, secret) = ("AKLOCALTRY", "SKLOCALTRYSECRET");
    let server = s3_server::Server::start_on(std::path::Path::new(&root), key, secret, port);
    println!(
        "serving {root} on http://127.0.0.1:{}\nAWS_ACCESS_KEY_ID={key} AWS_SECRET_ACCESS_KEY={secret}",
        server.port
    );
    loop {
        std::thread::park();
    }
}

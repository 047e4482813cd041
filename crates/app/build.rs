//! The git commit the binary is built from, for `--version` and the Start page's About line:
//! `git rev-parse` in a checkout, `UNISANDBOX_GIT_COMMIT` where there is no repository (a source
//! distribution built by the release workflow), else "unknown commit".

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=UNISANDBOX_GIT_COMMIT");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(&manifest)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    // Rebuild when HEAD moves (a commit, a checkout).
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        for watched in ["HEAD", "refs", "packed-refs"] {
            println!("cargo:rerun-if-changed={dir}/{watched}");
        }
    }
    let commit = std::env::var("UNISANDBOX_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown commit".into());
    println!("cargo:rustc-env=UNISANDBOX_GIT_COMMIT={commit}");
}

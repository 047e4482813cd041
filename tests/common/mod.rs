//! Helpers of the binary's tests (each test file: `mod common;`).
#![allow(dead_code)] // each test binary uses its own subset

use std::path::PathBuf;
use std::process::Command;

/// The `unisandbox-inspector` binary this package builds.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_unisandbox-inspector"))
}

/// Runs a command that must succeed; its standard output.
pub fn run_ok(command: &mut Command) -> String {
    let output = command.output().expect("the binary runs");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// `../shared/fixtures/<name>` beside the checkout (CI and developer machines), when it is there.
pub fn shared_fixture(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(name);
    path.join("EXPECTED.json").is_file().then_some(path)
}

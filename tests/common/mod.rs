//! Helpers of the binary's tests (each test file: `mod common;`).

use std::process::Command;

/// The `unisandbox-inspector` binary this package builds.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_unisandbox-inspector"))
}

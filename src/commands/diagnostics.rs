//! `diagnostics`: every problem found while loading, as `file:line: problem`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Context;

pub fn run(ctx: &Context, paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let dataset = ctx.load(paths);
    for diagnostic in &dataset.diagnostics {
        println!("{diagnostic}");
    }
    Ok(ExitCode::SUCCESS)
}

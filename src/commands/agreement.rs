//! `agreement`: judge versus human per task folder (κ, precision, recall, corrected accuracy).

use std::path::PathBuf;
use std::process::ExitCode;

use unisandbox_core::report::ListFormat;

use super::Context;

pub fn run(ctx: &Context, paths: &[PathBuf], format: ListFormat) -> anyhow::Result<ExitCode> {
    let dataset = ctx.load(paths);
    let annotations = ctx.annotations()?;
    let rows = unisandbox_core::analysis::agreement::by_folder(&dataset, &annotations);
    print!(
        "{}",
        unisandbox_core::report::render_agreement(&rows, format)?
    );
    Ok(ExitCode::SUCCESS)
}

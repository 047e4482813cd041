//! `audit`: answer keys that contradict their own question.

use std::path::PathBuf;
use std::process::ExitCode;

use unisandbox_core::report::ListFormat;

use super::Context;

pub fn run(ctx: &Context, paths: &[PathBuf], format: ListFormat) -> anyhow::Result<ExitCode> {
    let dataset = ctx.load(paths);
    let (findings, not_checked) = unisandbox_core::analysis::audit::audit_report(&dataset);
    let (out, err) = unisandbox_core::report::render_audit(&findings, &not_checked, format)?;
    print!("{out}");
    eprint!("{err}");
    Ok(ExitCode::SUCCESS)
}

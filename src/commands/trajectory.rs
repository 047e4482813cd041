//! `trajectory`: accuracy along the steps of a training run, or what each item learned and forgot.

use std::path::PathBuf;
use std::process::ExitCode;

use unisandbox_core::analysis::trajectory::{dynamics, series_of, trajectory};
use unisandbox_core::report::{ListFormat, render_dynamics, render_trajectory};

use super::Context;

pub fn run(
    ctx: &Context,
    paths: &[PathBuf],
    base: Option<&str>,
    by_item: bool,
    format: ListFormat,
) -> anyhow::Result<ExitCode> {
    let dataset = ctx.load(paths);
    let runs = dataset.runs();
    if let Some(base) = base
        && !runs.iter().any(|run| run == base)
    {
        anyhow::bail!("--base {base}: no such run; runs: {}", runs.join(", "));
    }
    let series = series_of(&runs, base);
    if series.is_empty() {
        eprintln!(
            "no series: no two runs differ only in their last number (runs: {})",
            runs.join(", ")
        );
    }
    let text = if by_item {
        render_dynamics(&dynamics(&dataset, &series), format)?
    } else {
        render_trajectory(&trajectory(&dataset, &series), format)?
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

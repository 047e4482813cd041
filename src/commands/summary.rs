//! `summary`: the accuracy table of every evaluated task folder, counted from the CSVs alone.

use std::path::PathBuf;
use std::process::ExitCode;

use unisandbox_core::report::SummaryFormat;

use super::Context;

pub fn run(_ctx: &Context, paths: &[PathBuf], format: SummaryFormat) -> anyhow::Result<ExitCode> {
    // Counting needs only the CSVs: the numbers equal a full load's (tested in analysis::accuracy).
    let (counts, diagnostics) = unisandbox_core::load::count::count_paths(paths);
    for diagnostic in diagnostics
        .iter()
        .filter(|d| d.severity == unisandbox_core::diagnostics::Severity::Error)
    {
        eprintln!("{diagnostic}");
    }
    let rows = unisandbox_core::analysis::accuracy::accuracy_rows(counts);
    // GenEval and WISE outputs beside the runs (their rows after UniSandbox's).
    let (companion, problems) = unisandbox_core::companion::summary::summarize(paths);
    for diagnostic in &problems {
        eprintln!("{diagnostic}");
    }
    print!(
        "{}",
        unisandbox_core::report::render_summary_with(&rows, &companion, format)?
    );
    Ok(ExitCode::SUCCESS)
}

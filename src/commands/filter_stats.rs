//! `filter-stats`: one row per STARS filter output folder, checked against filter_stats.json.

use std::path::PathBuf;
use std::process::ExitCode;

use unisandbox_core::report::ListFormat;

use super::Context;

pub fn run(ctx: &Context, paths: &[PathBuf], format: ListFormat) -> anyhow::Result<ExitCode> {
    let dataset = ctx.load(paths);
    let rows = unisandbox_core::analysis::filter_stats::filter_stats(&dataset);
    for row in &rows {
        for mismatch in &row.stats_mismatch {
            eprintln!("{}: filter_stats.json states {mismatch}", row.folder);
        }
    }
    print!(
        "{}",
        unisandbox_core::report::render_filter_stats(&rows, format)?
    );
    if rows.is_empty() {
        let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "no STARS filter output (filter_results.json, filtered_data.jsonl, \
             rejected_data.jsonl) under {}",
            paths.join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

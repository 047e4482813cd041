//! `export`: the filtered items (CSV, JSON, HTML report) or the accuracy table (Markdown, LaTeX).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use unisandbox_core::export::{self, ExportFormat};

use crate::cli::FilterArgs;

use super::Context;

pub fn run(
    ctx: &Context,
    paths: &[PathBuf],
    format: ExportFormat,
    out: &Path,
    force: bool,
    filters: &FilterArgs,
) -> anyhow::Result<ExitCode> {
    if out.exists() && !force {
        anyhow::bail!(
            "{} already exists; pass --force to replace it (nothing was written)",
            out.display()
        );
    }
    let chosen = filters.to_filters();
    if let Err(problem) = chosen.query() {
        anyhow::bail!(
            "--search {:?}: {problem} (nothing was written)",
            filters.search
        );
    }
    let dataset = ctx.load(paths);
    let insights = unisandbox_core::analysis::insights::insights(&dataset);
    let annotations = ctx.annotations()?;
    let indices: Vec<usize> =
        unisandbox_core::filters::filter_items(&dataset, &chosen, &insights, &annotations)
            .into_iter()
            .filter(|&i| {
                filters
                    .task
                    .as_ref()
                    .is_none_or(|t| dataset.folder_of(&dataset.items[i]).stem == *t)
            })
            .collect();
    let rows: Vec<_> = unisandbox_core::analysis::task_type_accuracy(&dataset)
        .into_iter()
        .filter(|r| {
            filters.run.as_ref().is_none_or(|x| *x == r.run)
                && filters.setting.as_ref().is_none_or(|x| *x == r.setting)
        })
        .collect();
    let text = match format {
        ExportFormat::Csv => export::items_csv(&dataset, &indices, &insights, &annotations)?,
        ExportFormat::Json => export::items_json(&dataset, &indices, &insights, &annotations)?,
        ExportFormat::Markdown => export::accuracy_markdown(&rows),
        ExportFormat::Latex => export::accuracy_latex(&rows),
        ExportFormat::Html => {
            export::save_html_report(out, &dataset, &indices, &insights, &annotations)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            String::new()
        }
    };
    if format != ExportFormat::Html {
        std::fs::write(out, text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    }
    let what = if matches!(format, ExportFormat::Markdown | ExportFormat::Latex) {
        format!("{} accuracy rows", rows.len())
    } else {
        format!("{} items", indices.len())
    };
    println!("wrote {what} to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

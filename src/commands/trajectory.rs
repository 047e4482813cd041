//! `trajectory`: accuracy along the steps of a training run, what each item learned and forgot,
//! and the chart as SVG or PNG.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use unisandbox_core::analysis::accuracy::{accuracy_rows, by_task_type};
use unisandbox_core::analysis::trajectory::{
    Series, TrajectoryRow, dynamics, events, series_of, trajectory, trajectory_of, transfer,
};
use unisandbox_core::report::{
    TrajectoryFormat, render_dynamics, render_events, render_trajectory, render_transfer,
};

use super::Context;

/// Which table to print.
pub enum Table {
    Accuracy,
    Dynamics,
    Events,
    Transfer,
}

/// Chart files to write beside the printed table.
pub struct Figures {
    pub svg: Option<PathBuf>,
    pub png: Option<PathBuf>,
}

/// The figure's size in pixels (SVG user units): readable on a slide, a column wide in a paper.
const FIGURE_SIZE: (u32, u32) = (1200, 720);

pub fn run(
    ctx: &Context,
    paths: &[PathBuf],
    base: Option<&str>,
    table: Table,
    format: TrajectoryFormat,
    figures: Figures,
) -> anyhow::Result<ExitCode> {
    // Accuracy alone is counted from the CSVs, as `summary` counts (the same numbers as a
    // full load, tested in analysis::accuracy); item dynamics need the items.
    if matches!(table, Table::Accuracy) && ctx.benchmark.is_none() {
        let (counts, diagnostics) = unisandbox_core::load::count::count_paths(paths);
        for diagnostic in diagnostics
            .iter()
            .filter(|d| d.severity == unisandbox_core::diagnostics::Severity::Error)
        {
            eprintln!("{diagnostic}");
        }
        let rows = by_task_type(accuracy_rows(counts));
        let mut runs: Vec<String> = rows.iter().map(|r| r.run.clone()).collect();
        runs.dedup();
        let series = checked_series(&runs, base)?;
        let points = trajectory_of(&rows, &series);
        print!("{}", render_trajectory(&points, format)?);
        draw_figures(&series, points, &figures)?;
        return Ok(ExitCode::SUCCESS);
    }
    let dataset = ctx.load(paths);
    let runs = dataset.runs();
    let series = checked_series(&runs, base)?;
    let points = trajectory(&dataset, &series);
    let text = match table {
        Table::Accuracy => render_trajectory(&points, format)?,
        Table::Dynamics => render_dynamics(&dynamics(&dataset, &series), format)?,
        Table::Events => render_events(&events(&dataset, &series), format)?,
        Table::Transfer => render_transfer(&transfer(&dataset, &series), format)?,
    };
    print!("{text}");
    draw_figures(&series, points, &figures)?;
    Ok(ExitCode::SUCCESS)
}

/// The series among `runs` (with `base` at step 0), said when there is none.
fn checked_series(runs: &[String], base: Option<&str>) -> anyhow::Result<Vec<Series>> {
    if let Some(base) = base
        && !runs.iter().any(|run| run == base)
    {
        anyhow::bail!("--base {base}: no such run; runs: {}", runs.join(", "));
    }
    let series = series_of(runs, base);
    if series.is_empty() {
        eprintln!(
            "no series: no two runs differ only in their last number (runs: {})",
            runs.join(", ")
        );
    }
    Ok(series)
}

/// Writes the chart of the first series where `--svg` / `--png` ask.
fn draw_figures(
    series: &[Series],
    points: Vec<TrajectoryRow>,
    figures: &Figures,
) -> anyhow::Result<()> {
    if figures.svg.is_some() || figures.png.is_some() {
        let Some(first) = series.first() else {
            anyhow::bail!("no series to draw");
        };
        let rows: Vec<_> = points
            .into_iter()
            .filter(|r| r.series == first.name)
            .collect();
        if let Some(path) = &figures.svg {
            let svg = unisandbox_core::figure::trajectory_svg(&rows, FIGURE_SIZE)?;
            write_figure(path, svg.as_bytes())?;
        }
        if let Some(path) = &figures.png {
            let png = unisandbox_core::figure::trajectory_png(&rows, FIGURE_SIZE)?;
            write_figure(path, &png)?;
        }
    }
    Ok(())
}

fn write_figure(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

//! `trajectory`: accuracy along the steps of a training run, what each item learned and forgot,
//! and the chart as SVG or PNG.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use unisandbox_core::analysis::trajectory::{dynamics, events, series_of, trajectory, transfer};
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
    let points = trajectory(&dataset, &series);
    let text = match table {
        Table::Accuracy => render_trajectory(&points, format)?,
        Table::Dynamics => render_dynamics(&dynamics(&dataset, &series), format)?,
        Table::Events => render_events(&events(&dataset, &series), format)?,
        Table::Transfer => render_transfer(&transfer(&dataset, &series), format)?,
    };
    print!("{text}");
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
    Ok(ExitCode::SUCCESS)
}

fn write_figure(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

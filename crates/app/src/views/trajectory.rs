//! A training run as a trajectory: accuracy over steps, one line per task type × setting with its
//! 95% Wilson band, the think − normal gap, and what the items learned and forgot.

use egui::RichText;
use egui_plot::{FilledArea, Legend, Line, LineStyle, Plot, PlotPoints};

use crate::state::AppState;
use unisandbox_core::analysis::trajectory::TrajectoryRow;

/// One colour per task type (the settings differ by line style, not colour).
use crate::views::style::CATEGORICAL as TASK_COLORS;

pub fn trajectory_ui(ui: &mut egui::Ui, state: &AppState) {
    let charts = &state.ui.charts;
    ui.horizontal(|ui| {
        ui.heading("Trajectory");
        if let Some(series) = charts.series.first() {
            ui.label(
                RichText::new(format!(
                    "{} · {} checkpoints, steps {}–{}",
                    series.name,
                    series.runs.len(),
                    series.runs.first().map_or(0, |r| r.1),
                    series.runs.last().map_or(0, |r| r.1),
                ))
                .weak(),
            );
        }
    });
    if state.ui.charts_computing {
        ui.label("Counting…");
        return;
    }
    let Some(series) = charts.series.first() else {
        ui.add_space(20.0);
        ui.label(
            RichText::new(
                "No training run among the opened runs: a series is two or more checkpoints whose \
                 names differ only in their last number (ckpt-1000, ckpt-2000, or 0001000, …).",
            )
            .size(16.0),
        );
        return;
    };
    let rows: Vec<&TrajectoryRow> = charts
        .trajectory
        .iter()
        .filter(|r| r.series == series.name)
        .collect();
    ui.label(
        RichText::new(
            "Accuracy at each step, counted as the eval scripts count; bands are 95% Wilson \
             intervals; dashed lines are think, solid normal; hover a point for correct/total.",
        )
        .weak(),
    );
    let mut tasks: Vec<&str> = Vec::new();
    let mut settings: Vec<&str> = Vec::new();
    for row in &rows {
        if !tasks.contains(&row.task.as_str()) {
            tasks.push(&row.task);
        }
        if !settings.contains(&row.setting.as_str()) {
            settings.push(&row.setting);
        }
    }
    // Which lines show: view-local choices, kept in egui's memory (not the app's data).
    let shown_id = egui::Id::unique("trajectory_hidden");
    let mut hidden: Vec<String> = ui.data_mut(|d| d.get_temp(shown_id).unwrap_or_default());
    ui.horizontal_wrapped(|ui| {
        ui.label("Show:");
        for name in settings
            .iter()
            .chain(&tasks)
            .copied()
            .chain(["think − normal"])
        {
            let mut on = if name == "think − normal" {
                hidden.iter().any(|h| h == name)
            } else {
                !hidden.iter().any(|h| h == name)
            };
            if ui.checkbox(&mut on, name).changed() {
                // The gap line is off by default: listed when shown, the others when hidden.
                let listed = if name == "think − normal" { on } else { !on };
                hidden.retain(|h| h != name);
                if listed {
                    hidden.push(name.to_string());
                }
            }
        }
    });
    ui.data_mut(|d| d.insert_temp(shown_id, hidden.clone()));
    let visible = |name: &str| !hidden.iter().any(|h| h == name);
    let show_gap = hidden.iter().any(|h| h == "think − normal");
    let lookup = rows.clone();
    let plot = Plot::new("trajectory_plot")
        .height((ui.available_height() * 0.6).max(260.0))
        .legend(Legend::default())
        .include_y(0.0)
        .include_y(100.0)
        .x_axis_label("step")
        .y_axis_label("accuracy (%)")
        .label_formatter(move |hover| {
            let egui_plot::HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } = hover
            else {
                return None;
            };
            let row = lookup.iter().find(|r| {
                format!("{} · {}", r.task, r.setting) == *plot_name
                    && (r.step as f64 - position.x).abs() < 0.5
            })?;
            Some(format!(
                "{plot_name}\nstep {}: {}/{} ({})",
                row.step,
                row.correct,
                row.total,
                unisandbox_core::text::percent(row.accuracy)
            ))
        });
    plot.show(ui, |plot| {
        for (t, task) in tasks.iter().enumerate() {
            let color = TASK_COLORS[t % TASK_COLORS.len()];
            if !visible(task) {
                continue;
            }
            if show_gap {
                // think − normal at each step both were judged, in percentage points.
                let gap: Vec<[f64; 2]> = rows
                    .iter()
                    .filter(|r| r.task == *task && r.setting == "think" && r.total > 0)
                    .filter_map(|think| {
                        let normal = rows.iter().find(|r| {
                            r.task == *task
                                && r.setting == "normal"
                                && r.step == think.step
                                && r.total > 0
                        })?;
                        Some([
                            think.step as f64,
                            (think.accuracy - normal.accuracy) * 100.0,
                        ])
                    })
                    .collect();
                if !gap.is_empty() {
                    plot.add(
                        Line::new(format!("{task} · think − normal"), PlotPoints::from(gap))
                            .color(color)
                            .width(1.5)
                            .style(LineStyle::dotted_dense()),
                    );
                }
            }
            for setting in settings.iter().filter(|s| visible(s)) {
                let points: Vec<&&TrajectoryRow> = rows
                    .iter()
                    .filter(|r| r.task == *task && r.setting == *setting && r.total > 0)
                    .collect();
                if points.is_empty() {
                    continue;
                }
                let name = format!("{task} · {setting}");
                let xs: Vec<f64> = points.iter().map(|r| r.step as f64).collect();
                let low: Vec<f64> = points.iter().map(|r| r.ci_low * 100.0).collect();
                let high: Vec<f64> = points.iter().map(|r| r.ci_high * 100.0).collect();
                let line: Vec<[f64; 2]> = points
                    .iter()
                    .map(|r| [r.step as f64, r.accuracy * 100.0])
                    .collect();
                let style = if *setting == "think" {
                    LineStyle::dashed_loose()
                } else {
                    LineStyle::Solid
                };
                // The band has no name: the legend lists the lines in their own colours.
                plot.add(
                    Line::new(name.clone(), PlotPoints::from(line))
                        .color(color)
                        .width(2.0)
                        .style(style),
                );
                plot.add(
                    FilledArea::new("", &xs, &low, &high)
                        .fill_color(color.gamma_multiply(0.12))
                        .allow_hover(false),
                );
            }
        }
    });
    ui.add_space(8.0);
    dynamics_table_ui(ui, state, &series.name);
}

/// Items per learning-dynamics class, per setting and task type.
fn dynamics_table_ui(ui: &mut egui::Ui, state: &AppState, series: &str) {
    ui.label(RichText::new("What the items learned and forgot along the run").strong());
    egui::Grid::new("dynamics_grid")
        .striped(true)
        .spacing([14.0, 3.0])
        .show(ui, |ui| {
            for title in [
                "Setting",
                "Task",
                "always right",
                "never right",
                "learned",
                "forgotten",
                "unstable",
            ] {
                ui.strong(title);
            }
            ui.end_row();
            for row in state
                .ui
                .charts
                .dynamics
                .iter()
                .filter(|r| r.series == series)
            {
                ui.label(&row.setting);
                ui.label(&row.task);
                for count in [
                    row.always_right,
                    row.never_right,
                    row.learned,
                    row.forgotten,
                    row.unstable,
                ] {
                    ui.label(count.to_string());
                }
                ui.end_row();
            }
        });
}

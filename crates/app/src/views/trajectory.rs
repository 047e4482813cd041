//! A training run as a trajectory: accuracy over steps, one line per task type × setting with its
//! 95% Wilson band, the think − normal gap, and what the items learned and forgot.

use egui::RichText;
use egui_plot::{FilledArea, Legend, Line, LineStyle, Plot, PlotPoints};

use crate::command::Command;
use crate::persist::View;
use crate::state::AppState;
use unisandbox_core::analysis::trajectory::{Along, AlongSeries, Dynamics, Series, TrajectoryRow};
use unisandbox_core::filters::Filters;

/// One colour per task type (the settings differ by line style, not colour).
use crate::views::style::CATEGORICAL as TASK_COLORS;

pub fn trajectory_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    egui::ScrollArea::vertical()
        .id_salt("trajectory_scroll")
        .auto_shrink(false)
        .show(ui, |ui| trajectory_body_ui(ui, state, commands));
}

fn trajectory_body_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let charts = &state.ui.charts.trajectory;
    ui.horizontal(|ui| {
        ui.heading("Trajectory");
        if !charts.series.is_empty() {
            ui.menu_button("Export…", |ui| {
                use crate::command::{ExportKind, TrajectoryExport};
                for (label, what) in [
                    ("Points as CSV", TrajectoryExport::Csv),
                    ("Table as LaTeX (booktabs)", TrajectoryExport::Latex),
                    ("Chart as SVG (vector, for a paper)", TrajectoryExport::Svg),
                    ("Chart as PNG", TrajectoryExport::Png),
                ] {
                    if ui.button(label).clicked() {
                        commands.push(Command::Export(ExportKind::Trajectory(what)));
                    }
                }
            });
        }
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
    crate::views::series_editor::series_editor_ui(ui, state, commands);
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
    // Each line's points, grouped once (500 checkpoints: 5,000 rows).
    let mut lines: std::collections::HashMap<(&str, &str), Vec<&TrajectoryRow>> =
        std::collections::HashMap::new();
    for row in rows.iter().filter(|r| r.total > 0) {
        lines
            .entry((row.task.as_str(), row.setting.as_str()))
            .or_default()
            .push(row);
    }
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
            .chain(["think − normal", TRANSFER])
        {
            let mut on = if name == "think − normal" || name == TRANSFER {
                hidden.iter().any(|h| h == name)
            } else {
                !hidden.iter().any(|h| h == name)
            };
            if ui.checkbox(&mut on, name).changed() {
                // The gap line is off by default: listed when shown, the others when hidden.
                let listed = if name == "think − normal" || name == TRANSFER {
                    on
                } else {
                    !on
                };
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
    let show_transfer = hidden.iter().any(|h| h == TRANSFER);
    let lookup = rows.clone();
    let plot = Plot::new("trajectory_plot")
        .height((ui.available_height() * 0.6).max(260.0))
        .link_axis(steps_axis(), [true, false])
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
            if show_transfer {
                // Of the items only think got right at the first step: right in normal since.
                let points: Vec<[f64; 2]> = charts
                    .transfer
                    .iter()
                    .filter(|r| r.series == series.name && r.task == *task && r.judged > 0)
                    .map(|r| [r.step as f64, r.share * 100.0])
                    .collect();
                if !points.is_empty() {
                    plot.add(
                        Line::new(format!("{task} · {TRANSFER}"), PlotPoints::from(points))
                            .color(color)
                            .width(1.5)
                            .style(LineStyle::dotted_loose()),
                    );
                }
            }
            if show_gap {
                // think − normal at each step both were judged, in percentage points.
                let normal: std::collections::HashMap<u64, f64> = lines
                    .get(&(*task, "normal"))
                    .into_iter()
                    .flatten()
                    .map(|r| (r.step, r.accuracy))
                    .collect();
                let gap: Vec<[f64; 2]> = lines
                    .get(&(*task, "think"))
                    .into_iter()
                    .flatten()
                    .filter_map(|think| {
                        let normal = normal.get(&think.step)?;
                        Some([think.step as f64, (think.accuracy - normal) * 100.0])
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
                let Some(points) = lines.get(&(*task, *setting)) else {
                    continue;
                };
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
                        .fill_color(color.gamma_multiply(0.06))
                        .allow_hover(false),
                );
            }
        }
    });
    ui.add_space(6.0);
    events_ui(ui, state, series, &hidden, commands);
    transfer_summary_ui(ui, state, series);
    ui.add_space(8.0);
    dynamics_table_ui(ui, state, series, commands);
}

/// The accuracy and events charts share their step axis (zoom one, the other follows).
fn steps_axis() -> egui::Id {
    egui::Id::unique("trajectory_steps_axis")
}

/// The think → normal transfer toggle's name and its lines' suffix.
const TRANSFER: &str = "think → normal transfer";

/// Items per learning-dynamics class, per setting and task type; each count opens its items.
fn dynamics_table_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    series: &Series,
    commands: &mut Vec<Command>,
) {
    ui.label(RichText::new("What the items learned and forgot along the run").strong());
    ui.label(
        RichText::new(
            "Each item's judged verdicts in step order: always right, never right, learned (one \
             change, wrong → right), forgotten (one change, right → wrong), unstable (two or \
             more). Click a count to list those items.",
        )
        .weak(),
    );
    egui::ScrollArea::horizontal()
        .id_salt("dynamics_scroll")
        .show(ui, |ui| {
            egui::Grid::new("dynamics_grid")
                .striped(true)
                .spacing([14.0, 3.0])
                .show(ui, |ui| {
                    ui.strong("Setting");
                    ui.strong("Task");
                    for class in Dynamics::ALL {
                        ui.strong(class.label());
                    }
                    ui.end_row();
                    for row in state
                        .ui
                        .charts
                        .trajectory
                        .dynamics
                        .iter()
                        .filter(|r| r.series == series.name)
                    {
                        ui.label(&row.setting);
                        ui.label(&row.task);
                        for class in Dynamics::ALL {
                            let count = row.count(class);
                            if count == 0 {
                                ui.label(RichText::new("0").weak());
                                continue;
                            }
                            let what = format!(
                                "{} {} {}: {count} items",
                                row.setting,
                                row.task,
                                class.label()
                            );
                            let link = ui.link(count.to_string());
                            // Screen readers (and the tests) hear what the number counts.
                            link.widget_info(|| {
                                egui::WidgetInfo::labeled(egui::Role::Link, true, &what)
                            });
                            let link = link.on_hover_text(format!("List the {what}"));
                            if link.clicked() {
                                open_items(
                                    commands,
                                    series,
                                    Along::Class(class),
                                    Some(&row.setting),
                                    row.kind,
                                );
                            }
                        }
                        ui.end_row();
                    }
                });
        });
}

/// Lists the items of a dynamics class or event in the Items view.
fn open_items(
    commands: &mut Vec<Command>,
    series: &Series,
    what: Along,
    setting: Option<&str>,
    task: Option<unisandbox_core::taxonomy::TaskKind>,
) {
    commands.push(Command::SetFilters(Filters {
        setting: setting.map(str::to_string),
        task,
        along: Some(AlongSeries {
            series: series.clone(),
            what,
        }),
        ..Filters::default()
    }));
    commands.push(Command::SetView(View::Items));
}

/// Items learned (up) and forgotten (down) at each step, over the shown tasks and settings;
/// a click on a bar lists those items.
fn events_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    series: &Series,
    hidden: &[String],
    commands: &mut Vec<Command>,
) {
    use egui_plot::{Bar, BarChart};
    let shown = |name: &str| !hidden.iter().any(|h| h == name);
    let mut per_step: std::collections::BTreeMap<u64, (usize, u64, u64)> = Default::default();
    for row in state
        .ui
        .charts
        .trajectory
        .events
        .iter()
        .filter(|r| r.series == series.name && shown(&r.setting) && shown(&r.task))
    {
        let entry = per_step.entry(row.step).or_insert((row.position, 0, 0));
        entry.1 += row.learned;
        entry.2 += row.forgotten;
    }
    ui.label(RichText::new("Learned and forgotten at each step").strong())
        .on_hover_text(
            "Items right at a step that were wrong at their previous judged step (up), and \
             wrong that were right (down), over the task types and settings shown above. \
             Click a bar to list them.",
        );
    let width = series
        .runs
        .windows(2)
        .map(|w| w[1].1.saturating_sub(w[0].1))
        .filter(|gap| *gap > 0)
        .min()
        .unwrap_or(1) as f64
        * 0.6;
    let learned: Vec<Bar> = per_step
        .iter()
        .map(|(step, (_, up, _))| Bar::new(*step as f64, *up as f64).width(width))
        .collect();
    let forgotten: Vec<Bar> = per_step
        .iter()
        .map(|(step, (_, _, down))| Bar::new(*step as f64, -(*down as f64)).width(width))
        .collect();
    let response = Plot::new("trajectory_events")
        .height(150.0)
        .link_axis(steps_axis(), [true, false])
        .legend(Legend::default())
        .x_axis_label("step")
        .y_axis_label("items")
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.add(
                BarChart::new("learned (wrong → right)", learned)
                    .color(egui::Color32::from_rgb(0, 158, 115)),
            );
            plot.add(
                BarChart::new("forgotten (right → wrong)", forgotten)
                    .color(crate::views::style::ATTENTION),
            );
            plot.pointer_coordinate()
        });
    if response.response.clicked()
        && let Some(pointer) = response.inner
        && let Some((_, &(position, _, _))) = per_step
            .iter()
            .min_by_key(|(step, _)| (**step as f64 - pointer.x).abs() as u64)
    {
        let what = if pointer.y >= 0.0 {
            Along::LearnedAt(position)
        } else {
            Along::ForgottenAt(position)
        };
        open_items(commands, series, what, None, None);
    }
}

/// One sentence per task type: how much of what only think knew at the first step normal
/// knows at the last.
fn transfer_summary_ui(ui: &mut egui::Ui, state: &AppState, series: &Series) {
    let rows: Vec<_> = state
        .ui
        .charts
        .trajectory
        .transfer
        .iter()
        .filter(|r| r.series == series.name)
        .collect();
    let Some(last_step) = rows.iter().map(|r| r.step).max() else {
        return;
    };
    ui.add_space(4.0);
    ui.label(RichText::new("Think → normal transfer").strong())
        .on_hover_text(
            "Of the items the first checkpoint gets right only with think, the share each later \
         checkpoint gets right in normal (the dotted lines above, when shown).",
        );
    let parts: Vec<String> = rows
        .iter()
        .filter(|r| r.step == last_step)
        .map(|r| {
            format!(
                "{}: {}/{} ({})",
                r.task,
                r.right_in_normal,
                r.judged,
                unisandbox_core::text::percent(r.share)
            )
        })
        .collect();
    ui.label(format!(
        "At step {last_step}, normal gets right — {}",
        parts.join(" · ")
    ));
}

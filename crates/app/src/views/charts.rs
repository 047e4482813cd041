//! Charts view: accuracy per task type, one bar series per (run,) setting, 95% Wilson whiskers,
//! n on hover, and the same numbers in a table beneath.

use egui::RichText;
use egui_plot::{Bar, BarChart, Line, PlotPoints};

use crate::command::Command;
use crate::state::AppState;
use crate::views::category_plot::{bar_width, bar_x, category_plot};
use crate::views::companion_charts::Benchmark;
use crate::views::style::SERIES;
use unisandbox_core::analysis::AccuracyRow;
use unisandbox_core::taxonomy::TaskKind;

/// Rows grouped for drawing: x categories and named series.
struct ChartData {
    kinds: Vec<TaskKind>,
    /// (series name, rows of that series)
    series: Vec<(String, Vec<AccuracyRow>)>,
}

fn chart_data(state: &AppState, benchmark: Benchmark) -> ChartData {
    let rows: Vec<AccuracyRow> = state
        .ui
        .charts
        .rows
        .iter()
        .filter(|r| state.ui.chart_run.as_ref().is_none_or(|run| *run == r.run))
        .filter(|r| Benchmark::of(r.family) == benchmark)
        .cloned()
        .collect();
    let mut kinds: Vec<TaskKind> = rows.iter().map(|r| r.kind).collect();
    kinds.sort();
    kinds.dedup();
    let one_run = rows
        .iter()
        .all(|r| rows.first().is_some_and(|f| f.run == r.run));
    let mut series: Vec<(String, Vec<AccuracyRow>)> = Vec::new();
    for row in rows {
        let name = if one_run {
            row.setting.clone()
        } else {
            format!("{} · {}", row.run, row.setting)
        };
        match series.iter_mut().find(|(n, _)| *n == name) {
            Some((_, list)) => list.push(row),
            None => series.push((name, vec![row])),
        }
    }
    ChartData { kinds, series }
}

pub fn charts_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    // Three or more checkpoints of one training run read as a trajectory, not as bars (the
    // bars stay one click away).
    let bars_id = egui::Id::unique("charts_as_bars");
    let training_run = state
        .ui
        .charts
        .trajectory
        .series
        .first()
        .filter(|s| s.runs.len() >= 3);
    if let Some(series) = training_run {
        let mut bars = ui.data_mut(|d| d.get_temp::<bool>(bars_id).unwrap_or(false));
        ui.horizontal(|ui| {
            ui.label(format!(
                "The opened runs are a training run ({}, {} checkpoints):",
                series.name,
                series.runs.len()
            ));
            ui.selectable_value(&mut bars, false, "trajectory");
            ui.selectable_value(&mut bars, true, "bars per run");
        });
        ui.data_mut(|d| d.insert_temp(bars_id, bars));
        if !bars {
            crate::views::trajectory::trajectory_ui(ui, state, commands);
            return;
        }
    }
    let benchmark = crate::views::companion_charts::benchmark_picker_ui(
        ui,
        &crate::views::companion_charts::benchmarks_of(&state.data.dataset),
    );
    if benchmark == Benchmark::Wise {
        let height = (ui.available_height() * 0.5).max(240.0);
        egui::ScrollArea::vertical()
            .id_salt("wise_charts")
            .show(ui, |ui| {
                crate::views::companion_charts::wise_chart_ui(
                    ui,
                    &state.ui.charts.wise,
                    state.ui.chart_run.as_deref(),
                    height,
                );
            });
        return;
    }
    ui.horizontal(|ui| {
        ui.heading(if benchmark == Benchmark::Geneval {
            "GenEval: accuracy by tag"
        } else {
            "Accuracy by task type"
        });
        if state.ui.charts_computing {
            ui.weak(format!(
                "counting {} items…",
                state.data.dataset.items.len()
            ));
        }
        ui.separator();
        let label = ui.label("Run:");
        let shown = state.ui.chart_run.clone().unwrap_or_else(|| "all runs side by side".into());
        egui::ComboBox::from_id_salt("chart_run")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                if ui.selectable_label(state.ui.chart_run.is_none(), "all runs side by side").clicked() {
                    commands.push(Command::SetChartRun(None));
                }
                for run in state.data.dataset.runs() {
                    if ui.selectable_label(state.ui.chart_run.as_ref() == Some(&run), &run).clicked() {
                        commands.push(Command::SetChartRun(Some(run)));
                    }
                }
            })
            .response
            .labelled_by(label.id);
        ui.separator();
        let mut exclude = state.ui.exclude_suspect;
        let suspects = state.data.suspect_keys.len();
        if ui.checkbox(&mut exclude, format!("exclude suspect answer keys ({suspects})")).on_hover_text("Items whose answer key contradicts its own question (benchmark audit) can never be judged right.").changed() {
            commands.push(Command::SetExcludeSuspect(exclude));
        }
        let mut exclude_failures = state.ui.exclude_judge_failures;
        if ui
            .checkbox(&mut exclude_failures, "exclude judge-call failures")
            .on_hover_text(
                "Accuracy over the items the judge actually judged: images whose judge call \
                 failed (recorded by the eval as NO or ERROR) are left out, with their interval",
            )
            .changed()
        {
            commands.push(Command::SetExcludeJudgeFailures(exclude_failures));
        }
        ui.separator();
        let label = ui.label("Verdicts:");
        let mut human = state.ui.human_corrected;
        ui.selectable_value(&mut human, false, "judge")
            .labelled_by(label.id)
            .on_hover_text("The judge's verdicts, as the eval scripts count them");
        ui.selectable_value(&mut human, true, "human-corrected")
            .on_hover_text("A reviewer's YES/NO replaces the judge's where there is one (Review tab, `review import`)");
        if human != state.ui.human_corrected {
            commands.push(Command::SetHumanCorrected(human));
        }
        ui.separator();
        ui.menu_button("Export…", |ui| {
            use crate::command::ExportKind;
            use unisandbox_core::export::ExportFormat;
            if ui.button("Accuracy table as Markdown").clicked() {
                commands.push(Command::Export(ExportKind::Table(ExportFormat::Markdown)));
            }
            if ui.button("Accuracy table as LaTeX").clicked() {
                commands.push(Command::Export(ExportKind::Table(ExportFormat::Latex)));
            }
            if ui.button("Chart as PNG").clicked() {
                commands.push(Command::Export(ExportKind::ChartPng));
            }
        });
    });
    let mut caption = if benchmark == Benchmark::Geneval {
        "Counts follow summary_scores.py: every sample is an image (a prompt has 4); whiskers are 95% Wilson intervals. Hover a bar for n.".to_string()
    } else {
        "Counts follow the eval scripts: one row per image (math, knowledge), one per ID for mapping pairs; whiskers are 95% Wilson intervals. Hover a bar for n.".to_string()
    };
    if state
        .data
        .dataset
        .folders
        .iter()
        .any(|f| f.filter.is_some())
    {
        caption += " A STARS filter series (setting \"filter\") shows its acceptance rate: the share of candidates the model accepted.";
    }
    ui.label(RichText::new(caption).weak());
    let data = chart_data(state, benchmark);
    if benchmark == Benchmark::Geneval {
        crate::views::companion_charts::geneval_overall_ui(ui, &data.series);
    }
    if data.series.is_empty() {
        ui.add_space(20.0);
        ui.label(
            RichText::new("No evaluated folders loaded (no evaluation_results.csv found).")
                .size(16.0),
        );
        return;
    }
    let plot_height = (ui.available_height() * 0.58).max(260.0);
    let rect = plot_ui(ui, &data, plot_height);
    if state.ui.chart_rect != Some(rect) {
        commands.push(Command::SetChartRect(rect));
    }
    ui.add_space(8.0);
    egui::ScrollArea::vertical()
        .id_salt("chart_tables")
        .show(ui, |ui| {
            judge_notes_ui(ui, &state.ui.charts.judge_notes);
            table_ui(ui, &data);
            ui.add_space(12.0);
            agreement_ui(ui, state, commands);
            let series: Vec<(String, String, String)> = data
                .series
                .iter()
                .filter_map(|(name, rows)| {
                    rows.first()
                        .map(|r| (name.clone(), r.run.clone(), r.setting.clone()))
                })
                .collect();
            crate::views::failure_chart::failure_chart_ui(ui, state, &series, &data.kinds, 300.0);
            ui.add_space(12.0);
            failure_table_ui(ui, state, &data);
        });
}

/// Under the chart: failed judge calls, re-judged IDs and why a log disagrees, one line each.
fn judge_notes_ui(ui: &mut egui::Ui, notes: &[String]) {
    if notes.is_empty() {
        return;
    }
    ui.label(RichText::new("About the judge").strong());
    for note in notes {
        ui.add(
            egui::Label::new(RichText::new(format!("• {note}")).color(
                crate::views::style::verdict_color(unisandbox_core::model::Verdict::JudgeError),
            ))
            .wrap(),
        );
    }
    ui.add_space(8.0);
}

/// Judge versus human, per task folder with human verdicts (Review mode, `review import`).
pub fn agreement_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let rows = &state.ui.charts.agreement;
    if rows.is_empty() {
        return;
    }
    ui.heading("Judge vs human");
    ui.label(RichText::new("On the items a human reviewed: how often the judge agrees, Cohen's κ (agreement beyond chance), the judge's precision (its YES a human confirms) and recall (the human's YES it gave), and the accuracy with human verdicts replacing the judge's [95% Wilson interval].").weak());
    agreement_plot_ui(ui, rows);
    let share = unisandbox_core::text::share_or_dash;
    let percent = unisandbox_core::text::percent_or_dash;
    egui::Grid::new("agreement_grid")
        .striped(true)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for title in [
                "Run",
                "Setting",
                "Task",
                "Reviewed",
                "Judge YES · human NO",
                "Judge NO · human YES",
                "Agreement",
                "κ",
                "Precision",
                "Recall",
                "Judge accuracy",
                "Human-corrected",
                "",
            ] {
                ui.strong(title);
            }
            ui.end_row();
            for r in rows {
                ui.label(&r.run);
                ui.label(&r.setting);
                ui.label(&r.task);
                ui.label(r.reviewed.to_string());
                ui.label(r.judge_yes_human_no.to_string());
                ui.label(r.judge_no_human_yes.to_string());
                ui.label(share(r.agreement));
                ui.label(share(r.kappa));
                ui.label(share(r.judge_precision));
                ui.label(share(r.judge_recall));
                ui.label(format!(
                    "{} ({}/{})",
                    percent(r.judge_accuracy),
                    r.judge_correct,
                    r.corrected_total
                ));
                ui.label(format!(
                    "{} ({}/{}) [{}]",
                    percent(r.corrected_accuracy),
                    r.corrected_correct,
                    r.corrected_total,
                    unisandbox_core::text::interval_or_dash(
                        r.corrected_ci_low,
                        r.corrected_ci_high
                    )
                ));
                let disagreements = r.judge_yes_human_no + r.judge_no_human_yes;
                if disagreements > 0
                    && ui
                        .button(format!("list {disagreements} disagreement(s)"))
                        .on_hover_text("Open them in Items, one by one with ↑/↓")
                        .clicked()
                {
                    commands.push(Command::SetFilters(unisandbox_core::filters::Filters {
                        run: Some(r.run.clone()),
                        setting: Some(r.setting.clone()),
                        task: Some(unisandbox_core::taxonomy::TaskKind::of_stem(&r.task)),
                        disagree: true,
                        ..Default::default()
                    }));
                    commands.push(Command::SetView(crate::persist::View::Items));
                }
                ui.end_row();
            }
            if rows.len() > 1 {
                let all = unisandbox_core::analysis::agreement::overall(rows);
                ui.strong("all reviewed");
                ui.label("");
                ui.label("");
                ui.strong(all.reviewed().to_string());
                ui.strong(all.judge_yes_human_no.to_string());
                ui.strong(all.judge_no_human_yes.to_string());
                ui.strong(share(all.agreement()));
                ui.strong(share(all.kappa()));
                ui.strong(share(all.judge_precision()));
                ui.strong(share(all.judge_recall()));
                ui.end_row();
            }
        });
    ui.add_space(12.0);
}

/// Per reviewed task folder: raw agreement (Wilson interval) and Cohen's κ (its large-sample
/// interval) side by side; κ below 0 means the judge agrees with people less than chance.
fn agreement_plot_ui(
    ui: &mut egui::Ui,
    rows: &[unisandbox_core::analysis::agreement::FolderAgreement],
) {
    let labels: Vec<String> = rows
        .iter()
        .map(|r| format!("{} · {} · {}", r.task, r.run, r.setting))
        .collect();
    let whisker_color = ui.visuals().strong_text_color();
    let width = bar_width(2);
    let plot = crate::views::category_plot::labelled_plot("agreement_plot", labels, 200.0, "")
        .include_y(-0.2)
        .include_y(1.0);
    plot.show(ui, |plot_ui| {
        let series: [(&str, egui::Color32); 2] = [
            ("agreement", SERIES[0]),
            ("Cohen's κ", SERIES[3 % SERIES.len()]),
        ];
        for (s, (name, color)) in series.into_iter().enumerate() {
            let mut bars = Vec::new();
            for (k, row) in rows.iter().enumerate() {
                let table = row.table();
                let (value, interval) = if s == 0 {
                    (row.agreement, table.intervals()[0])
                } else {
                    (row.kappa, table.kappa_interval())
                };
                let Some(value) = value else { continue };
                let x = bar_x(k, s, 2);
                bars.push(
                    Bar::new(x, value)
                        .width(width * 0.9)
                        .fill(color)
                        .name(format!("{name}: {value:.2} (n = {})", row.reviewed)),
                );
                if let Some((low, high)) = interval {
                    plot_ui.line(
                        Line::new("", PlotPoints::from(vec![[x, low], [x, high]]))
                            .color(whisker_color)
                            .width(1.5)
                            .allow_hover(false),
                    );
                }
            }
            plot_ui.bar_chart(
                BarChart::new(name, bars)
                    .color(color)
                    .element_formatter(Box::new(|bar, _| bar.name.clone())),
            );
        }
    });
}

/// How the judged-wrong items failed, per task type and series (from the failure taxonomy).
fn failure_table_ui(ui: &mut egui::Ui, state: &AppState, data: &ChartData) {
    let counts = &state.ui.charts.failures;
    if counts.is_empty() {
        return;
    }
    ui.heading("Failure modes");
    ui.label(RichText::new("Items per failure class, read from the judge's captions and, in think mode, the trace's own conclusion; #tags are your annotations.").weak());
    egui::Grid::new("failure_grid")
        .striped(true)
        .spacing([18.0, 4.0])
        .show(ui, |ui| {
            ui.strong("Task type");
            ui.strong("Failure");
            for (name, _) in &data.series {
                ui.strong(name);
            }
            ui.end_row();
            for kind in &data.kinds {
                let mut labels: Vec<&String> = counts
                    .keys()
                    .filter(|(_, _, k, _)| k == kind)
                    .map(|(_, _, _, l)| l)
                    .collect();
                labels.sort();
                labels.dedup();
                for label in labels {
                    ui.label(kind.label());
                    ui.label(label);
                    for (_, rows) in &data.series {
                        let Some(row) = rows.first() else { continue };
                        let n = counts
                            .get(&(row.run.clone(), row.setting.clone(), *kind, label.clone()))
                            .copied()
                            .unwrap_or(0);
                        if n == 0 {
                            ui.label(RichText::new("·").weak())
                        } else {
                            ui.label(n.to_string())
                        };
                    }
                    ui.end_row();
                }
            }
        });
}

/// Draws the accuracy bars; returns where ("Save chart as PNG" saves that region).
fn plot_ui(ui: &mut egui::Ui, data: &ChartData, height: f32) -> egui::Rect {
    let series = data.series.len();
    let bar_width = bar_width(series);
    let plot = category_plot("accuracy_plot", &data.kinds, height, "accuracy")
        .include_y(1.0)
        .y_axis_formatter(|mark, _| format!("{:.0}%", mark.value * 100.0));
    // Whiskers in the text colour stay visible on both light and dark themes.
    let whisker_color = ui.visuals().strong_text_color();
    let response = plot.show(ui, |plot_ui| {
        for (s, (name, rows)) in data.series.iter().enumerate() {
            let color = crate::views::style::series_color(s, series);
            let mut bars = Vec::new();
            for row in rows {
                let Some(k) = data.kinds.iter().position(|k| *k == row.kind) else {
                    continue;
                };
                let x = bar_x(k, s, series);
                bars.push(
                    Bar::new(x, row.accuracy)
                        .width(bar_width * 0.9)
                        .fill(color)
                        .name(hover_text(name, row)),
                );
                let whisker = vec![[x, row.ci_low], [x, row.ci_high]];
                plot_ui.line(
                    Line::new("", PlotPoints::from(whisker))
                        .color(whisker_color)
                        .width(1.5)
                        .allow_hover(false),
                );
                for y in [row.ci_low, row.ci_high] {
                    let cap = vec![[x - bar_width * 0.2, y], [x + bar_width * 0.2, y]];
                    plot_ui.line(
                        Line::new("", PlotPoints::from(cap))
                            .color(whisker_color)
                            .width(1.5)
                            .allow_hover(false),
                    );
                }
            }
            // Many series: the legend below the chart lists them (it scrolls); the plot's own
            // would be cut off.
            let legend_name = if series > PLOT_LEGEND_UP_TO {
                String::new()
            } else {
                name.clone()
            };
            plot_ui.bar_chart(
                BarChart::new(legend_name, bars)
                    .color(color)
                    .element_formatter(Box::new(|bar, _| bar.name.clone())),
            );
        }
    });
    let rect = response.response.rect;
    if series > PLOT_LEGEND_UP_TO {
        legend_ui(ui, data);
    }
    rect
}

/// Series the plot's own legend lists; beyond, a scrolling legend under the chart does.
const PLOT_LEGEND_UP_TO: usize = 12;

/// Every series' colour and name, wrapped, in a box that scrolls when they are many.
fn legend_ui(ui: &mut egui::Ui, data: &ChartData) {
    let count = data.series.len();
    egui::ScrollArea::vertical()
        .id_salt("accuracy_legend")
        .max_height(72.0)
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                for (s, (name, _)) in data.series.iter().enumerate() {
                    let (swatch, _) =
                        ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
                    ui.painter().rect_filled(
                        swatch,
                        2.0,
                        crate::views::style::series_color(s, count),
                    );
                    ui.label(RichText::new(name).small());
                    ui.add_space(6.0);
                }
            });
        });
}

fn hover_text(series: &str, row: &AccuracyRow) -> String {
    format!(
        "{series}\n{}: {}\n(correct/n, 95% Wilson interval)",
        row.kind.label(),
        row.display()
    )
}

fn table_ui(ui: &mut egui::Ui, data: &ChartData) {
    // The task type column stays put; the series' columns scroll sideways beside it (two
    // grids with the same row height).
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 2.0;
    ui.horizontal_top(|ui| {
        egui::Grid::new("accuracy_grid_first")
            .striped(true)
            .spacing([18.0, 6.0])
            .min_row_height(row_height)
            .show(ui, |ui| {
                ui.strong("Task type");
                ui.end_row();
                for kind in &data.kinds {
                    ui.label(kind.label());
                    ui.end_row();
                }
            });
        egui::ScrollArea::horizontal()
            .id_salt("accuracy_table")
            .show(ui, |ui| {
                egui::Grid::new("accuracy_grid")
                    .striped(true)
                    .spacing([18.0, 6.0])
                    .min_row_height(row_height)
                    .show(ui, |ui| {
                        for (name, _) in &data.series {
                            ui.strong(name);
                        }
                        ui.end_row();
                        for kind in &data.kinds {
                            for (_, rows) in &data.series {
                                match rows.iter().find(|r| r.kind == *kind) {
                                    Some(r) => ui.label(r.display()),
                                    None => ui.label(RichText::new("—").weak()),
                                };
                            }
                            ui.end_row();
                        }
                    });
            });
    });
}

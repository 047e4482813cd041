//! Items view: filters and a virtualized list of items on the left, the selected item on the right.

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use crate::command::Command;
use crate::image_cache::ImageCache;
use crate::state::AppState;
use crate::views::style::verdict_color;
use unisandbox_core::filters::Filters;
use unisandbox_core::model::Verdict;
use unisandbox_core::taxonomy::{Family, TaskKind};

pub fn items_view_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let default_width = (ui.available_width() * 0.42).clamp(380.0, 720.0);
    egui::Panel::left("item_list")
        .default_size(default_width)
        .min_size(300.0)
        .show(ui, |ui| {
            filters_ui(ui, state, commands);
            ui.separator();
            item_table_ui(ui, state, commands);
        });
    egui::CentralPanel::default().show(ui, |ui| match state.ui.selected {
        Some(index) => crate::views::detail::detail_ui(ui, state, index, images, commands),
        None => crate::views::widgets::no_items_ui(ui, state.progress.finished),
    });
}

fn combo<T: Clone + PartialEq>(
    ui: &mut egui::Ui,
    label: &str,
    current: &mut Option<T>,
    options: &[(T, String)],
) -> bool {
    let shown = match current {
        Some(value) => options
            .iter()
            .find(|(v, _)| v == value)
            .map(|(_, l)| l.clone())
            .unwrap_or_default(),
        None => "all".to_string(),
    };
    let mut changed = false;
    let label_response = ui.label(label);
    egui::ComboBox::from_id_salt(label)
        .selected_text(shown)
        .show_ui(ui, |ui| {
            changed |= ui.selectable_value(current, None, "all").changed();
            for (value, text) in options {
                changed |= ui
                    .selectable_value(current, Some(value.clone()), text)
                    .changed();
            }
        })
        .response
        .labelled_by(label_response.id);
    changed
}

/// The search box's id, so Ctrl+F can focus it in whichever view shows it.
pub fn search_id() -> egui::Id {
    egui::Id::unique("item_search")
}

/// Filter controls shared by the list and the grid; changes become one `SetFilters` command.
pub fn filters_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let data = &state.data.dataset;
    let mut filters: Filters = state.ui.filters.clone();
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        let runs: Vec<(String, String)> = data.runs().into_iter().map(|r| (r.clone(), r)).collect();
        changed |= combo(ui, "Run", &mut filters.run, &runs);
        let settings: Vec<(String, String)> = data
            .settings()
            .into_iter()
            .map(|s| (s.clone(), s))
            .collect();
        changed |= combo(ui, "Setting", &mut filters.setting, &settings);
        let families: Vec<(Family, String)> = Family::ALL
            .into_iter()
            .filter(|f| data.folders.iter().any(|d| d.kind.family == *f))
            .map(|f| (f, f.name().to_string()))
            .collect();
        changed |= combo(ui, "Family", &mut filters.family, &families);
        let mut kinds: Vec<TaskKind> = data
            .folders
            .iter()
            .map(|f| f.kind)
            .filter(|k| filters.family.is_none_or(|f| f == k.family))
            .collect();
        kinds.sort();
        kinds.dedup();
        let kinds: Vec<(TaskKind, String)> = kinds.into_iter().map(|k| (k, k.label())).collect();
        changed |= combo(ui, "Task", &mut filters.task, &kinds);
        let verdicts: Vec<(Verdict, String)> = Verdict::ALL
            .into_iter()
            .map(|v| (v, v.label().to_string()))
            .collect();
        changed |= combo(ui, "Verdict", &mut filters.verdict, &verdicts);
        let failures: Vec<(String, String)> = state
            .data
            .failure_labels
            .iter()
            .map(|f| (f.clone(), f.clone()))
            .collect();
        changed |= combo(ui, "Failure", &mut filters.failure, &failures);
        let tags: Vec<(String, String)> = state
            .tag_names
            .iter()
            .map(|t| (t.clone(), t.clone()))
            .collect();
        changed |= combo(ui, "Tag", &mut filters.tag, &tags);
        changed |= ui.checkbox(&mut filters.starred, "★ only").changed();
        changed |= ui
            .checkbox(&mut filters.disagree, "judge ≠ human")
            .on_hover_text("Only items where a reviewer's verdict differs from the judge's")
            .changed();
        changed |= ui
            .checkbox(&mut filters.verdict_changed, "verdict changed between runs")
            .on_hover_text(
                "Only IDs the judge gave different verdicts in different runs of the eval \
                 (re-runs appended to the CSV without --overwrite)",
            )
            .changed();
        changed |= dynamics_filter_ui(ui, state, &mut filters);
    });
    ui.horizontal(|ui| {
        let label = ui.label("Search");
        let search = ui
            .add(
                egui::TextEdit::singleline(&mut filters.search)
                    .id(search_id())
                    .hint_text("prompts, answers, traces, judge… (Ctrl+F)")
                    .desired_width((ui.available_width() - 280.0).max(120.0)),
            )
            .labelled_by(label.id);
        changed |= search.changed();
        egui::ComboBox::from_label("in")
            .selected_text(filters.search_field.label())
            .width(72.0)
            .show_ui(ui, |ui| {
                for field in unisandbox_core::search::SearchField::ALL {
                    changed |= ui
                        .selectable_value(&mut filters.search_field, field, field.label())
                        .changed();
                }
            });
        changed |= ui
            .checkbox(&mut filters.search_regex, "regex")
            .on_hover_text("The search is a regular expression (case-insensitive)")
            .changed();
        if state.frame.focus_search {
            search.request_focus();
        }
        if filters.is_active() && ui.button("Clear").clicked() {
            filters = Filters::default();
            changed = true;
        }
        ui.menu_button("Export…", |ui| {
            use crate::command::ExportKind;
            use unisandbox_core::export::ExportFormat;
            ui.label(RichText::new(format!("The {} listed items", state.ui.filtered.len())).weak());
            if ui.button("CSV").clicked() {
                commands.push(Command::Export(ExportKind::Items(ExportFormat::Csv)));
            }
            if ui.button("JSON").clicked() {
                commands.push(Command::Export(ExportKind::Items(ExportFormat::Json)));
            }
            if ui.button("HTML report (images embedded)").clicked() {
                commands.push(Command::Export(ExportKind::Items(ExportFormat::Html)));
            }
            ui.label(
                RichText::new("Tick ★ only first for a report of the starred items.")
                    .small()
                    .weak(),
            );
        });
    });
    if let Some(problem) = &state.ui.search_error {
        ui.colored_label(ui.visuals().error_fg_color, problem);
    }
    ui.label(
        RichText::new(format!(
            "{} of {} items · {}",
            state.ui.filtered.len(),
            data.items.len(),
            if state.ui.view == crate::persist::View::Grid {
                "←↑↓→ move · Enter opens · 1–9 tag · S star"
            } else {
                "↑/↓ move · 1–9 tag · S star"
            }
        ))
        .weak(),
    );
    if changed {
        commands.push(Command::SetFilters(filters));
    }
}

/// A task folder's counts on hover: what the inspector counts (the CSV's current rows), the
/// log's own figure beside it, and why they differ.
fn folder_counts_ui(ui: &mut egui::Ui, folder: &unisandbox_core::model::TaskFolder) {
    ui.label(RichText::new(format!("{}/{}/{}", folder.run, folder.setting, folder.stem)).strong());
    let Some((total, correct)) = folder.csv_counts else {
        ui.label("Not evaluated yet: no evaluation_results.csv.");
        return;
    };
    ui.label(format!(
        "evaluation_results.csv: {correct}/{total} correct (the last row of each ID)"
    ));
    match &folder.log {
        Some(log) => {
            ui.label(format!(
                "evaluation_results.log: {}/{} correct",
                log.correct, log.total
            ));
            if let Some(why) = unisandbox_core::load::reruns::log_disagreement(
                log,
                &folder.csv_runs,
                total,
                correct,
            ) {
                ui.colored_label(crate::views::style::ATTENTION, why);
            }
        }
        None => {
            ui.label(
                RichText::new("No evaluation_results.log (the eval has not finished).").weak(),
            );
        }
    }
}

fn item_table_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let data = &state.data.dataset;
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let mut table = TableBuilder::new(ui)
        .striped(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(
            Column::initial(100.0)
                .at_least(60.0)
                .resizable(true)
                .clip(true),
        )
        .column(Column::auto().at_least(50.0))
        .column(
            Column::initial(110.0)
                .at_least(60.0)
                .resizable(true)
                .clip(true),
        )
        .column(Column::auto().at_least(30.0))
        .column(Column::auto().at_least(80.0))
        .column(
            Column::initial(130.0)
                .at_least(60.0)
                .resizable(true)
                .clip(true),
        )
        .column(Column::remainder().clip(true));
    if state.frame.scroll_to_selected
        && let Some(row) = state.selected_row()
    {
        table = table.scroll_to_row(row, Some(egui::Align::Center));
    }
    table
        .header(row_height, |mut header| {
            for title in [
                "Run", "Setting", "Task", "ID", "Verdict", "Failure", "Prompt",
            ] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, state.ui.filtered.len(), |mut row| {
                let index = state.ui.filtered[row.index()];
                let item = &data.items[index];
                let folder = data.folder_of(item);
                row.set_selected(state.ui.selected == Some(index));
                row.col(|ui| {
                    // A grouped run (`training-run/train-0002000`) is told apart by its
                    // checkpoint; the column would cut that off. The whole label on hover.
                    let shown = unisandbox_core::model::checkpoint_name(&folder.run);
                    let label = ui.label(shown);
                    if shown.len() != folder.run.len() {
                        label.on_hover_text(&folder.run);
                    }
                });
                row.col(|ui| {
                    ui.label(folder.setting.as_str());
                });
                row.col(|ui| {
                    ui.label(&folder.stem)
                        .on_hover_ui(|ui| folder_counts_ui(ui, folder));
                });
                let annotation = state.annotation_of(item);
                row.col(|ui| {
                    let starred = annotation.is_some_and(|a| a.starred);
                    ui.label(if starred {
                        format!("{} ★", item.id)
                    } else {
                        item.id.clone()
                    });
                });
                row.col(|ui| {
                    ui.horizontal(|ui| {
                        ui.label(
                            RichText::new(
                                state
                                    .data
                                    .dataset
                                    .folder_of(item)
                                    .verdict_label(item.verdict),
                            )
                            .color(verdict_color(item.verdict))
                            .strong(),
                        );
                        // A reviewer's verdict beside the judge's, marked when they differ.
                        if let Some(review) = annotation.and_then(|a| a.review.as_ref()) {
                            let differs = annotation.is_some_and(|a| {
                                unisandbox_core::filters::human_disagrees(item, a)
                            });
                            let text = format!("· human {}", review.human.name());
                            let text = if differs {
                                RichText::new(text).color(crate::views::style::ATTENTION)
                            } else {
                                RichText::new(text).weak()
                            };
                            ui.label(text);
                        }
                    });
                });
                row.col(|ui| {
                    if let Some(insight) = state.data.insights.get(index) {
                        let mut labels = insight.labels();
                        if let Some(annotation) = annotation {
                            labels.extend(annotation.tags.iter().map(|t| format!("#{t}")));
                        }
                        if state.suspect_reasons(item).is_some() {
                            let folder = state.data.dataset.folder_of(item);
                            let poisoned = folder.filter.is_some()
                                && item.verdict == unisandbox_core::model::Verdict::Yes;
                            labels.insert(
                                0,
                                if poisoned {
                                    format!(
                                        "⚠ {}",
                                        unisandbox_core::analysis::audit::ACCEPTED_SUSPECT
                                    )
                                } else {
                                    "⚠ suspect key".to_string()
                                },
                            );
                        }
                        if !labels.is_empty() {
                            ui.add(
                                egui::Label::new(RichText::new(labels.join(" · ")).weak())
                                    .truncate(),
                            );
                        }
                    }
                });
                row.col(|ui| {
                    let prompt: String = item.prompt().chars().take(140).collect();
                    ui.add(egui::Label::new(prompt).truncate());
                });
                if row.response().clicked() {
                    commands.push(Command::Select(index));
                }
            });
        });
}

/// The learning-dynamics filter, when the opened runs hold a training run: a class along the
/// first series, or what a Trajectory click chose (a step's learned or forgotten items).
fn dynamics_filter_ui(ui: &mut egui::Ui, state: &AppState, filters: &mut Filters) -> bool {
    use unisandbox_core::analysis::trajectory::{Along, AlongSeries, Dynamics};
    let Some(series) = state.ui.charts.trajectory.series.first() else {
        return false;
    };
    let mut class = filters.along.as_ref().map(|along| along.what.clone());
    let mut options: Vec<(Along, String)> = Dynamics::ALL
        .into_iter()
        .map(|c| (Along::Class(c), c.label().to_string()))
        .collect();
    if let Some(along) = &filters.along
        && !matches!(along.what, Along::Class(_))
    {
        options.push((along.what.clone(), along.describe()));
    }
    let changed = combo(ui, "Dynamics", &mut class, &options);
    if changed {
        // (The series is copied only when the choice changes: 500 checkpoints' names.)
        let series = filters
            .along
            .as_ref()
            .map_or(series, |along| &along.series)
            .clone();
        filters.along = class.map(|what| AlongSeries { series, what });
    }
    if let Some(along) = &filters.along {
        ui.label(egui::RichText::new(along.describe()).weak())
            .on_hover_text(
                "Each item of the training run once, at the step that tells its class: where it \
                 was learned or forgotten, else its last checkpoint. Press T on an item to see \
                 it at every checkpoint.",
            );
    }
    changed
}

//! Compare view: the same task and item id on two or more sides (run + setting) next to each
//! other, with the flips between the first two sides. ←/→ switch side, ↑/↓ move item.

use egui::{RichText, Vec2};
use egui_extras::{Column, TableBuilder};

use crate::command::Command;
use crate::compare::FlipFilter;
use crate::image_cache::ImageCache;
use crate::state::AppState;
use crate::views::style::verdict_color;
use crate::views::widgets::{part_image_ui, placeholder, verdict_badge};
use unisandbox_core::analysis::flips::Side;

pub fn compare_view_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    egui::Panel::top("compare_sides").show(ui, |ui| sides_ui(ui, state, commands));
    let default_width = (ui.available_width() * 0.36).clamp(340.0, 560.0);
    egui::Panel::left("compare_list")
        .default_size(default_width)
        .min_size(280.0)
        .show(ui, |ui| {
            flips_ui(ui, state, commands);
            ui.separator();
            list_ui(ui, state, commands);
        });
    egui::CentralPanel::default().show(ui, |ui| columns_ui(ui, state, images, commands));
}

fn sides_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let data = &state.data.dataset;
    // Every (run, setting) once, in the folders' order (run, then normal before think): one
    // pass, so 500 checkpoints cost microseconds, not a scan per checkbox.
    let mut seen: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
    let sides: Vec<Side> = data
        .folders
        .iter()
        .filter(|f| seen.insert((f.run.as_str(), f.setting.as_str())))
        .map(|f| Side {
            run: f.run.clone(),
            setting: f.setting.to_string(),
        })
        .collect();
    let mut checkbox = |ui: &mut egui::Ui, side: &Side| {
        let mut on = state.ui.compare.sides.contains(side);
        if ui.checkbox(&mut on, side.label()).changed() {
            let mut chosen = state.ui.compare.sides.clone();
            if on {
                chosen.push(side.clone());
            } else {
                chosen.retain(|s| s != side);
            }
            commands.push(Command::SetCompareSides(chosen));
        }
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Compare:").strong());
        if sides.len() <= MANY_SIDES {
            for side in &sides {
                checkbox(ui, side);
            }
        } else {
            // A training run of many checkpoints: the chosen sides, and the others in a list.
            for side in &state.ui.compare.sides {
                checkbox(ui, side);
            }
            ui.menu_button(format!("Choose among {} sides…", sides.len()), |ui| {
                egui::ScrollArea::vertical()
                    .max_height(420.0)
                    .show(ui, |ui| {
                        for side in &sides {
                            checkbox(ui, side);
                        }
                    });
            });
        }
        ui.label(RichText::new("· ←/→ side · ↑/↓ item").weak());
    });
}

/// More sides than this are chosen from a list instead of shown as a row of checkboxes.
const MANY_SIDES: usize = 16;

fn flips_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let compare = &state.ui.compare;
    let (Some(a), Some(b)) = (compare.sides.first(), compare.sides.get(1)) else {
        ui.label(RichText::new("Pick two or more sides to see what flips between them.").weak());
        return;
    };
    ui.label(RichText::new(format!("Flips from {} to {}", a.label(), b.label())).strong());
    ui.label(
        RichText::new(
            "fixes: wrong → right · breaks: right → wrong · click a count to list those items",
        )
        .small()
        .weak(),
    );
    egui::ScrollArea::vertical()
        .id_salt("flips_scroll")
        .max_height(220.0)
        .show(ui, |ui| {
            egui::Grid::new("flips_grid")
                .striped(true)
                .spacing([10.0, 3.0])
                .show(ui, |ui| {
                    for title in [
                        "Task",
                        "A → B",
                        "Fixes",
                        "Breaks",
                        "Judge failed",
                        "Δ [95% CI]",
                        "McNemar p",
                    ] {
                        ui.strong(title);
                    }
                    ui.end_row();
                    for f in &compare.flips {
                        ui.label(&f.task);
                        ui.label(format!("{} → {} / {}", f.a_correct, f.b_correct, f.paired));
                        for (kind, ids) in [
                            ("fixes", &f.fixes),
                            ("breaks", &f.breaks),
                            ("judge call failed on one side", &f.judge_failed),
                        ] {
                            let active = compare
                                .flip_filter
                                .as_ref()
                                .is_some_and(|x| x.task == f.task && x.kind == kind);
                            let count = RichText::new(ids.len().to_string());
                            let count = if ids.is_empty() {
                                count.weak()
                            } else {
                                count.underline()
                            };
                            if ui
                                .selectable_label(active, count)
                                .on_hover_text(format!("{kind} of {}: {}", f.task, ids.join(", ")))
                                .clicked()
                            {
                                let filter = (!active).then(|| FlipFilter {
                                    task: f.task.clone(),
                                    kind,
                                    ids: ids.clone(),
                                });
                                commands.push(Command::SetFlipFilter(filter));
                            }
                        }
                        ui.label(unisandbox_core::text::points(
                            f.difference,
                            f.ci_low,
                            f.ci_high,
                        ));
                        let p = RichText::new(unisandbox_core::text::p_value(f.p_value));
                        ui.label(if f.p_value < 0.05 {
                            p.strong()
                        } else {
                            p.weak()
                        });
                        ui.end_row();
                    }
                });
        });
    if let Some(filter) = &compare.flip_filter {
        ui.horizontal(|ui| {
            ui.label(format!(
                "Showing the {} {} of {}",
                filter.ids.len(),
                filter.kind,
                filter.task
            ));
            if ui.button("Show all").clicked() {
                commands.push(Command::SetFlipFilter(None));
            }
        });
    }
}

fn list_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let compare = &state.ui.compare;
    let keys = compare.visible_keys();
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let mut table = TableBuilder::new(ui)
        .id_salt("compare_table")
        .striped(true)
        .sense(egui::Sense::click())
        .column(Column::initial(110.0).clip(true))
        .column(Column::auto().at_least(30.0));
    for _ in &compare.sides {
        table = table.column(Column::auto().at_least(40.0));
    }
    if state.frame.scroll_to_selected {
        table = table.scroll_to_row(compare.selected, Some(egui::Align::Center));
    }
    table
        .header(row_height, |mut header| {
            header.col(|ui| {
                ui.strong("Task");
            });
            header.col(|ui| {
                ui.strong("ID");
            });
            for (i, _) in compare.sides.iter().enumerate() {
                header.col(|ui| {
                    ui.strong(side_letter(i));
                });
            }
        })
        .body(|body| {
            body.rows(row_height, keys.len(), |mut row| {
                let (stem, id) = keys[row.index()];
                row.set_selected(row.index() == compare.selected);
                row.col(|ui| {
                    ui.label(stem);
                });
                row.col(|ui| {
                    ui.label(id);
                });
                for side in &compare.sides {
                    row.col(|ui| {
                        if let Some(index) = state.data.item_index.get(
                            &state.data.dataset,
                            &side.run,
                            &side.setting,
                            stem,
                            id,
                        ) {
                            let verdict = state.data.dataset.items[index].verdict;
                            let mark = if verdict == unisandbox_core::model::Verdict::Yes {
                                "✔"
                            } else {
                                "✘"
                            };
                            ui.label(RichText::new(mark).color(verdict_color(verdict)))
                                .on_hover_text(verdict.label());
                        }
                    });
                }
                if row.response().clicked() {
                    commands.push(Command::CompareSelect(row.index()));
                }
            });
        });
}

fn side_letter(i: usize) -> String {
    ((b'A' + (i as u8).min(25)) as char).to_string()
}

fn columns_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let compare = &state.ui.compare;
    let keys = compare.visible_keys();
    let Some((stem, id)) = keys.get(compare.selected).copied() else {
        ui.centered_and_justified(|ui| {
            ui.label(
                RichText::new("No item is present on every chosen side.")
                    .weak()
                    .size(16.0),
            );
        });
        return;
    };
    let first = compare.sides.first().and_then(|s| {
        state
            .data
            .item_index
            .get(&state.data.dataset, &s.run, &s.setting, stem, id)
    });
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            ui.heading(format!("{stem} · #{id}"));
            if let Some(index) = first {
                let item = &state.data.dataset.items[index];
                if let Some(reasons) = state.suspect_reasons(item) {
                    ui.colored_label(
                        egui::Color32::from_rgb(200, 150, 0),
                        format!("Suspect answer key: {}", reasons.join("; ")),
                    );
                }
                let shared = item.one_prompt_many_images();
                for part in item
                    .parts
                    .iter()
                    .take(if shared { 1 } else { item.parts.len() })
                {
                    let label = match part.label {
                        Some(l) if !shared => format!("{l}: "),
                        _ => String::new(),
                    };
                    ui.add(
                        egui::Label::new(
                            RichText::new(format!("{label}{}", part.question)).size(15.0),
                        )
                        .wrap(),
                    );
                    ui.label(RichText::new(format!("Expected answer: {}", part.answer)).strong());
                }
            }
            ui.add_space(6.0);
            let n = compare.sides.len().max(1);
            let side_px = ((ui.available_width() - 16.0 * n as f32) / n as f32).clamp(160.0, 420.0);
            ui.columns(n, |columns| {
                for (i, (ui, side)) in columns.iter_mut().zip(&compare.sides).enumerate() {
                    let focused = i == compare.focus;
                    let frame = egui::Frame::group(ui.style()).stroke(if focused {
                        egui::Stroke::new(2.0, ui.visuals().selection.stroke.color)
                    } else {
                        ui.visuals().widgets.noninteractive.bg_stroke
                    });
                    frame.show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        side_ui(ui, state, side, i, stem, id, side_px, images, commands);
                    });
                }
            });
        });
}

#[allow(clippy::too_many_arguments)]
fn side_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    side: &Side,
    i: usize,
    stem: &str,
    id: &str,
    side_px: f32,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let Some(index) =
        state
            .data
            .item_index
            .get(&state.data.dataset, &side.run, &side.setting, stem, id)
    else {
        placeholder(
            ui,
            Vec2::new(side_px, 80.0),
            "Not on this side",
            &format!("{} has no {stem} #{id}", side.label()),
        );
        return;
    };
    let item = &state.data.dataset.items[index];
    ui.horizontal_wrapped(|ui| {
        ui.heading(format!("{} · {}", side_letter(i), side.label()));
        verdict_badge(ui, state.data.dataset.folder_of(item), item.verdict);
    });
    if let Some(labels) = state
        .data
        .insights
        .get(index)
        .map(|x| x.labels())
        .filter(|l| !l.is_empty())
    {
        ui.label(RichText::new(labels.join(" · ")).weak());
    }
    // Two images a row: a pair side by side, a GenEval prompt's four samples two by two.
    let per_part = if item.parts.len() >= 2 {
        side_px / 2.0 - 6.0
    } else {
        side_px
    };
    for row in item.parts.chunks(2) {
        ui.horizontal_top(|ui| {
            for part in row {
                ui.vertical(|ui| {
                    ui.set_max_width(per_part);
                    part_image_ui(ui, images, part, per_part, commands);
                    let caption = part
                        .caption
                        .clone()
                        .unwrap_or_else(|| "(not judged)".into());
                    let label = part.label.map(|l| format!("{l} ")).unwrap_or_default();
                    ui.add(
                        egui::Label::new(
                            RichText::new(format!("{label}judge: {caption}")).strong(),
                        )
                        .wrap(),
                    );
                });
            }
        });
    }
    for (_, part) in item.distinct_traces() {
        let Some(trace) = &part.trace else { continue };
        let id_salt = ("compare_trace", i, part.label);
        egui::CollapsingHeader::new(format!(
            "Trace{}",
            part.label.map(|l| format!(" {l}")).unwrap_or_default()
        ))
        .id_salt(id_salt)
        .show(ui, |ui| {
            ui.add(egui::Label::new(RichText::new(&trace.reasoning)).wrap());
        });
        if let Some(plan) = &trace.detailed_prompt {
            ui.add(
                egui::Label::new(RichText::new(format!("Plan: {plan}")).italics().small()).wrap(),
            );
        }
    }
}

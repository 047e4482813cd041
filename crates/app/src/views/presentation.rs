//! Presentation: one item per slide in large type — image(s), prompt, expected answer, the judge's
//! verdict and caption, a short excerpt of the reasoning trace — stepping through the filtered (or
//! starred) items by keyboard. `T` turns a slide into normal vs think of the same prompt.
//! Type scales with the window so a slide reads on a 1280×800 laptop and a 1920×1080 projector.

use egui::{Color32, RichText, Vec2};
use unisandbox_core::taxonomy::Cot;

use crate::command::Command;
use crate::image_cache::ImageCache;
use crate::state::AppState;
use crate::views::style::verdict_color;
use crate::views::widgets::part_image_ui;
use unisandbox_core::model::{Item, Part, Verdict};

/// About `max_chars` of `text` with whitespace collapsed: all of it when short, else its opening
/// and its closing words (where a trace states its conclusion) joined by " … ", cut at words.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let collapsed = words.join(" ");
    if collapsed.chars().count() <= max_chars {
        return collapsed;
    }
    let budget = max_chars / 2;
    let mut head = Vec::new();
    let mut used = 0;
    for word in &words {
        if used + word.chars().count() > budget {
            break;
        }
        used += word.chars().count() + 1;
        head.push(*word);
    }
    let mut tail = Vec::new();
    used = 0;
    for word in words[head.len()..].iter().rev() {
        if used + word.chars().count() > budget {
            break;
        }
        used += word.chars().count() + 1;
        tail.push(*word);
    }
    tail.reverse();
    format!("{} … {}", head.join(" "), tail.join(" "))
}

/// Text scale for the window: 1.0 at 800 points high, up to 1.6 on tall screens.
pub fn type_scale(height: f32) -> f32 {
    (height / 800.0).clamp(1.0, 1.6)
}

pub fn presentation_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let frame = egui::Frame::central_panel(ui.style()).inner_margin(egui::Margin::same(28));
    egui::CentralPanel::default().frame(frame).show(ui, |ui| {
        let scale = type_scale(ui.ctx().content_rect().height());
        let footer_height = 30.0 * scale;
        let body_height = ui.available_height() - footer_height;
        let selected = state
            .ui
            .selected
            .filter(|s| state.ui.filtered.contains(s))
            .or_else(|| state.ui.filtered.first().copied());
        ui.allocate_ui(Vec2::new(ui.available_width(), body_height), |ui| {
            ui.set_min_height(body_height);
            // Whatever does not fit is cut off rather than pushing the footer out of the window.
            let body = egui::Rect::from_min_size(
                ui.min_rect().min,
                Vec2::new(ui.available_width(), body_height),
            );
            ui.set_clip_rect(body.intersect(ui.clip_rect()));
            match selected {
                None => {
                    ui.centered_and_justified(|ui| {
                        ui.label(
                            RichText::new(
                                "No items to present. Filter or star items first (Esc to leave).",
                            )
                            .size(24.0 * scale)
                            .weak(),
                        );
                    });
                }
                Some(index) => {
                    let pair = state
                        .ui
                        .pair_slide
                        .then(|| state.counterpart(index))
                        .flatten();
                    match pair {
                        Some(other) => {
                            pair_slide_ui(ui, state, index, other, scale, images, commands)
                        }
                        None => item_slide_ui(ui, state, index, scale, images, commands),
                    }
                }
            }
        });
        footer_ui(ui, state, selected, scale, commands);
    });
}

fn footer_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    selected: Option<usize>,
    scale: f32,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        let position = selected
            .and_then(|s| state.ui.filtered.iter().position(|&i| i == s))
            .map(|p| format!("{} / {}", p + 1, state.ui.filtered.len()))
            .unwrap_or_default();
        ui.label(RichText::new(position).size(18.0 * scale).strong());
        ui.add_space(16.0);
        if let Some(notice) = &state.frame.notice {
            ui.colored_label(ui.visuals().warn_fg_color, notice);
        }
        let pair_hint = if state.ui.pair_slide {
            "T: one setting"
        } else {
            "T: normal vs think"
        };
        let starred_hint = if state.ui.filters.starred {
            "all listed"
        } else {
            "starred only"
        };
        ui.label(
            RichText::new(format!(
                "→ / Space next · ← previous · Home / End · {pair_hint} · S star · Shift+S {starred_hint} · Esc leave"
            ))
            .size(15.0 * scale)
            .weak(),
        );
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Leave presentation").clicked() {
                commands.push(Command::Present(false));
            }
            if ui
                .selectable_label(state.ui.pair_slide, "normal vs think")
                .clicked()
            {
                commands.push(Command::TogglePairSlide);
            }
        });
    });
}

fn big_badge(ui: &mut egui::Ui, label: &str, verdict: Verdict, scale: f32) {
    egui::Frame::new()
        .fill(verdict_color(verdict))
        .corner_radius(8.0)
        .inner_margin(egui::Margin::symmetric(12, 4))
        .show(ui, |ui| {
            ui.label(
                RichText::new(label)
                    .size(22.0 * scale)
                    .color(Color32::WHITE)
                    .strong(),
            )
        });
}

/// A reviewer's verdict beside the judge's badge, when there is one.
fn human_verdict_ui(ui: &mut egui::Ui, state: &AppState, item: &Item, scale: f32) {
    if let Some(review) = state.annotation_of(item).and_then(|a| a.review.as_ref()) {
        ui.label(
            RichText::new(format!("human: {}", review.human.name()))
                .size(20.0 * scale)
                .strong(),
        );
    }
}

fn title_ui(ui: &mut egui::Ui, state: &AppState, item: &Item, scale: f32, show_setting: bool) {
    let folder = state.data.dataset.folder_of(item);
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!("{} · #{}", folder.kind.label(), item.id))
                .size(30.0 * scale)
                .strong(),
        );
        if show_setting {
            big_badge(ui, folder.verdict_label(item.verdict), item.verdict, scale);
            human_verdict_ui(ui, state, item, scale);
        }
        let starred = state.annotation_of(item).is_some_and(|a| a.starred);
        if starred {
            ui.label(
                RichText::new("★")
                    .size(26.0 * scale)
                    .color(Color32::from_rgb(240, 190, 40)),
            );
        }
    });
    let where_from = if show_setting {
        format!("{} · {} · {}", folder.run, folder.setting, folder.stem)
    } else {
        format!("{} · {}", folder.run, folder.stem)
    };
    ui.label(RichText::new(where_from).size(17.0 * scale).weak());
    if let Some(reasons) = state.suspect_reasons(item) {
        let what =
            if folder.filter.is_some() && item.verdict == unisandbox_core::model::Verdict::Yes {
                unisandbox_core::analysis::audit::ACCEPTED_SUSPECT
            } else {
                "suspect answer key"
            };
        ui.label(
            RichText::new(format!("⚠ {what}: {}", reasons.join("; ")))
                .size(16.0 * scale)
                .color(Color32::from_rgb(200, 150, 0)),
        );
    }
    ui.add_space(8.0 * scale);
}

/// Prompt, expected answer and (per part) what the judge saw.
/// "Prompt A" over the question, in `size` points (before scaling).
fn prompt_ui(ui: &mut egui::Ui, part: &Part, size: f32, scale: f32) {
    let label = part.label.map(|l| format!(" {l}")).unwrap_or_default();
    ui.label(
        RichText::new(format!("Prompt{label}"))
            .size(15.0 * scale)
            .weak(),
    );
    ui.label(
        RichText::new(part.question.as_ref())
            .size(size * scale)
            .color(ui.visuals().strong_text_color()),
    );
}

fn facts_ui(ui: &mut egui::Ui, part: &Part, scale: f32, with_prompt: bool, filter: bool) {
    let label = part.label.map(|l| format!(" {l}")).unwrap_or_default();
    if with_prompt {
        prompt_ui(ui, part, 22.0, scale);
        ui.add_space(8.0 * scale);
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!("Expected{label}"))
                .size(18.0 * scale)
                .weak(),
        );
        ui.label(RichText::new(&part.answer).size(22.0 * scale).strong());
    });
    if let Some(caption) = &part.caption {
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(if filter {
                    format!("Model counted{label}")
                } else {
                    format!("Judge saw{label}")
                })
                .size(18.0 * scale)
                .weak(),
            );
            ui.label(
                RichText::new(caption)
                    .size(22.0 * scale)
                    .color(verdict_color(part.verdict)),
            );
        });
    }
}

/// "A  expected clock · judge saw fork" on one line, for the side-by-side slide.
fn compact_facts_ui(ui: &mut egui::Ui, part: &Part, scale: f32) {
    ui.horizontal_wrapped(|ui| {
        if let Some(label) = part.label {
            ui.label(RichText::new(label.to_string()).size(18.0 * scale).strong());
        }
        ui.label(RichText::new("expected").size(16.0 * scale).weak());
        ui.label(RichText::new(&part.answer).size(20.0 * scale).strong());
        if let Some(caption) = &part.caption {
            ui.label(RichText::new("· judge saw").size(16.0 * scale).weak());
            ui.label(
                RichText::new(caption)
                    .size(20.0 * scale)
                    .color(verdict_color(part.verdict)),
            );
        }
    });
}

fn trace_ui(ui: &mut egui::Ui, part: &Part, scale: f32, chars: usize) {
    let Some(trace) = &part.trace else {
        return;
    };
    ui.add_space(8.0 * scale);
    egui::Frame::new()
        .fill(ui.visuals().faint_bg_color)
        .corner_radius(8.0)
        .inner_margin(egui::Margin::same(12))
        .show(ui, |ui| {
            ui.label(
                RichText::new("Reasoning (excerpt)")
                    .size(15.0 * scale)
                    .weak(),
            );
            ui.label(
                RichText::new(excerpt(&trace.reasoning, chars))
                    .size(17.0 * scale)
                    .italics(),
            );
        });
}

fn images_ui(
    ui: &mut egui::Ui,
    folder: &unisandbox_core::model::TaskFolder,
    item: &Item,
    side: f32,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        let each = if item.parts.len() > 1 {
            (side - 12.0) / item.parts.len() as f32
        } else {
            side
        };
        for part in &item.parts {
            ui.vertical(|ui| {
                part_image_ui(ui, images, part, each, commands);
                if let Some(label) = part.label {
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(label.to_string()).strong().size(18.0));
                        crate::views::widgets::verdict_badge(ui, folder, part.verdict);
                    });
                }
            });
        }
    });
}

fn item_slide_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    index: usize,
    scale: f32,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let item = &state.data.dataset.items[index];
    title_ui(ui, state, item, scale, true);
    let available = ui.available_size();
    let paired_images = item.parts.len() > 1;
    let side = if paired_images {
        (available.x * 0.6).min(available.y * 2.0)
    } else {
        (available.x * 0.5).min(available.y)
    };
    ui.horizontal_top(|ui| {
        images_ui(
            ui,
            state.data.dataset.folder_of(item),
            item,
            side,
            images,
            commands,
        );
        ui.add_space(24.0);
        ui.vertical(|ui| {
            egui::ScrollArea::vertical()
                .id_salt("slide_text")
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    let folder = state.data.dataset.folder_of(item);
                    if item.one_prompt_many_images() {
                        // One prompt, several samples: the prompt and answer once, then
                        // what the judge saw in each.
                        let first = Part {
                            label: None,
                            ..item.parts[0].clone()
                        };
                        prompt_ui(ui, &first, 22.0, scale);
                        ui.add_space(8.0 * scale);
                        for part in &item.parts {
                            compact_facts_ui(ui, part, scale);
                        }
                        ui.add_space(10.0 * scale);
                    } else {
                        for part in &item.parts {
                            facts_ui(ui, part, scale, true, folder.filter.is_some());
                            ui.add_space(10.0 * scale);
                        }
                    }
                    // A rejected STARS candidate: why, from the model's own reply.
                    if folder.filter.is_some()
                        && let Some(labels) = state
                            .data
                            .insights
                            .get(index)
                            .map(|i| i.labels())
                            .filter(|l| !l.is_empty())
                    {
                        ui.horizontal_wrapped(|ui| {
                            ui.label(RichText::new("Why rejected").size(18.0 * scale).weak());
                            ui.label(
                                RichText::new(labels.join(" · "))
                                    .size(22.0 * scale)
                                    .strong(),
                            );
                        });
                    }
                    if let Some(part) = item.parts.iter().find(|p| p.trace.is_some()) {
                        trace_ui(ui, part, scale, if paired_images { 260 } else { 420 });
                    }
                });
        });
    });
}

/// Normal and think of the same prompt, side by side.
fn pair_slide_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    index: usize,
    other: usize,
    scale: f32,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let data = &state.data.dataset;
    let (mut normal, mut think) = (index, other);
    if data.folder_of(&data.items[normal]).setting.cot() != Some(Cot::Normal) {
        std::mem::swap(&mut normal, &mut think);
    }
    let first = &data.items[normal];
    title_ui(ui, state, first, scale, false);
    for part in &first.parts {
        prompt_ui(ui, part, 20.0, scale);
    }
    ui.add_space(10.0 * scale);
    let available = ui.available_size();
    let column = (available.x - 32.0) / 2.0;
    // Leave room under the images for the answer, the judge's caption and a trace excerpt.
    let text_room = (60.0 + 34.0 * first.parts.len() as f32 + 100.0) * scale;
    let room = (available.y - text_room).max(120.0);
    // A mapping pair's two images sit side by side, each half as wide (and high) as `side`.
    let side = if first.parts.len() > 1 {
        column.min(room * 2.0)
    } else {
        column.min(room)
    };
    ui.columns(2, |columns| {
        for (ui, index) in columns.iter_mut().zip([normal, think]) {
            let item = &data.items[index];
            let setting = &data.folder_of(item).setting;
            ui.horizontal(|ui| {
                ui.label(RichText::new(setting.as_str()).size(26.0 * scale).strong());
                big_badge(
                    ui,
                    data.folder_of(item).verdict_label(item.verdict),
                    item.verdict,
                    scale,
                );
                human_verdict_ui(ui, state, item, scale);
            });
            images_ui(
                ui,
                state.data.dataset.folder_of(item),
                item,
                side,
                images,
                commands,
            );
            for part in &item.parts {
                compact_facts_ui(ui, part, scale);
            }
            if let Some(part) = item.parts.iter().find(|p| p.trace.is_some()) {
                trace_ui(ui, part, scale, 180);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_keeps_the_opening_and_the_conclusion() {
        assert_eq!(excerpt("short\n\n  trace", 100), "short trace");
        let long =
            "First compute 8 / 4 which gives 2, then add one, so three cups are needed in total.";
        let cut = excerpt(long, 40);
        assert_eq!(cut, "First compute 8 / 4 … are needed in total.");
        assert!(cut.chars().count() <= 40 + 3, "{cut}");
    }

    #[test]
    fn type_grows_on_a_projector_but_not_below_laptop_size() {
        assert_eq!(type_scale(800.0), 1.0);
        assert_eq!(type_scale(600.0), 1.0);
        assert!((type_scale(1080.0) - 1.35).abs() < 1e-6);
        assert_eq!(type_scale(4000.0), 1.6);
    }
}

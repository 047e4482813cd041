//! Review mode: the items of the list (all judged ones, or a seeded sample per task stratified by
//! the judge's verdict), one at a time, image and question large, the judge's verdict beside;
//! Y / N / U give the human verdict and move on, K fixes a wrong answer key first, Z undoes.

use egui::{Color32, RichText};

use crate::command::Command;
use crate::image_cache::ImageCache;
use crate::state::AppState;
use crate::views::style::verdict_color;
use crate::views::widgets::{part_image_ui, verdict_badge};
use unisandbox_core::annotations::Human;
use unisandbox_core::review::Sample;

const KEYS: &str = "Y correct · N wrong · U unsure · K the answer key is wrong · ←/→ move · Z undo";

pub fn review_view_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    egui::Panel::top("review_bar").show(ui, |ui| review_bar_ui(ui, state, commands));
    egui::CentralPanel::default().show(ui, |ui| match state.ui.review.current() {
        None => {
            ui.centered_and_justified(|ui| {
                ui.label(
                    RichText::new(
                        "Nothing to review: the list has no judged items. Change the filters in Items, then Start over.",
                    )
                    .size(18.0)
                    .weak(),
                );
            });
        }
        Some(index) => item_ui(ui, state, index, images, commands),
    });
}

fn review_bar_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let session = &state.ui.review;
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Review the judge").strong());
        ui.label(
            RichText::new(format!(
                "· the Items list as filtered now ({} listed)",
                state.ui.filtered.len()
            ))
            .weak(),
        );
        ui.separator();
        let mut sample = session.sample;
        let all = matches!(sample, Sample::All);
        if ui.selectable_label(all, "All judged").clicked() && !all {
            commands.push(Command::SetReviewSample(Sample::All));
        }
        let (mut per_task, mut seed) = match sample {
            Sample::PerTask { per_task, seed } => (per_task, seed),
            Sample::All => (20, 1),
        };
        if ui
            .selectable_label(!all, "Sample per task")
            .on_hover_text(
                "A seeded random sample of each task folder, half the judge's YES and half its NO",
            )
            .clicked()
            && all
        {
            commands.push(Command::SetReviewSample(Sample::PerTask { per_task, seed }));
        }
        if !all {
            let n = ui.add(
                egui::DragValue::new(&mut per_task)
                    .range(1..=10_000)
                    .prefix("n = "),
            );
            let s = ui.add(egui::DragValue::new(&mut seed).prefix("seed "));
            if n.changed() || s.changed() {
                sample = Sample::PerTask { per_task, seed };
                commands.push(Command::SetReviewSample(sample));
            }
        }
        if ui
            .button("Start over")
            .on_hover_text("Review the list as it is filtered now")
            .clicked()
        {
            commands.push(Command::SetReviewSample(sample));
        }
        ui.separator();
        let label = ui.label("Reviewer");
        let mut name = state.settings.reviewer.clone();
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut name)
                    .desired_width(120.0)
                    .hint_text("your name"),
            )
            .labelled_by(label.id);
        if response.changed() {
            commands.push(Command::SetReviewer(name));
        }
    });
    let reviewed = session.reviewed;
    let total = session.queue.len();
    ui.horizontal(|ui| {
        let fraction = if total == 0 {
            0.0
        } else {
            reviewed as f32 / total as f32
        };
        ui.add(
            egui::ProgressBar::new(fraction)
                .desired_width(220.0)
                .text(format!("{reviewed} / {total} reviewed")),
        );
        ui.label(RichText::new(KEYS).weak());
    });
    ui.add_space(4.0);
}

fn item_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    index: usize,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let item = &state.data.dataset.items[index];
    let folder = state.data.dataset.folder_of(item);
    let review = state.annotation_of(item).and_then(|a| a.review.as_ref());
    let width = ui.available_width();
    let height = ui.available_height();
    let image_side = (height - 16.0).min(width * 0.5).max(160.0);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            let side = if item.parts.len() > 1 {
                image_side * 0.5
            } else {
                image_side
            };
            ui.horizontal(|ui| {
                for part in &item.parts {
                    part_image_ui(ui, images, part, side, commands);
                }
            });
        });
        ui.add_space(16.0);
        ui.vertical(|ui| {
            ui.label(
                RichText::new(format!(
                    "{} #{} · {} · {} · {} of {}",
                    folder.stem,
                    item.id,
                    folder.run,
                    folder.setting,
                    state.ui.review.position + 1,
                    state.ui.review.queue.len()
                ))
                .weak(),
            );
            ui.add_space(6.0);
            for part in &item.parts {
                if let Some(label) = part.label {
                    ui.label(RichText::new(format!("Image {label}")).strong());
                }
                ui.label(RichText::new(&*part.question).size(22.0));
                ui.horizontal(|ui| {
                    ui.label(RichText::new("Expected").size(18.0).weak());
                    ui.label(RichText::new(&part.answer).size(22.0).strong());
                });
                ui.horizontal(|ui| {
                    ui.label(RichText::new("Judge saw").size(18.0).weak());
                    let caption = part.caption.as_deref().unwrap_or("(no caption)");
                    ui.label(
                        RichText::new(caption)
                            .size(20.0)
                            .color(verdict_color(part.verdict)),
                    );
                });
                ui.add_space(8.0);
            }
            ui.horizontal(|ui| {
                ui.label(RichText::new("Judge").size(18.0).weak());
                verdict_badge(ui, folder, item.verdict);
            });
            ui.horizontal(|ui| {
                ui.label(RichText::new("Human").size(18.0).weak());
                match review {
                    Some(review) => {
                        let (text, color) = match review.human {
                            Human::Yes => {
                                ("YES", verdict_color(unisandbox_core::model::Verdict::Yes))
                            }
                            Human::No => ("NO", verdict_color(unisandbox_core::model::Verdict::No)),
                            Human::Unsure => ("unsure", Color32::GRAY),
                        };
                        ui.label(RichText::new(text).size(20.0).strong().color(color));
                        let disagree = review.human.is_yes().is_some_and(|yes| {
                            yes != (item.verdict == unisandbox_core::model::Verdict::Yes)
                        });
                        if disagree {
                            ui.label(
                                RichText::new("disagrees with the judge")
                                    .color(crate::views::style::ATTENTION),
                            );
                        }
                        ui.label(RichText::new(format!("by {}", review.reviewer)).weak());
                        if let Some(answer) = &review.corrected_answer {
                            ui.label(RichText::new(format!("key corrected to “{answer}”")).weak());
                        }
                    }
                    None => {
                        ui.label(RichText::new("not reviewed yet").weak());
                    }
                }
            });
            ui.add_space(10.0);
            answer_key_ui(ui, state, commands);
            ui.horizontal(|ui| {
                let label = ui.label(RichText::new("Reason").weak());
                let mut reason = state.ui.review.reason.clone();
                let response = ui
                    .add(
                        egui::TextEdit::singleline(&mut reason)
                            .desired_width(320.0)
                            .hint_text(
                                "optional, kept with the next verdict; Esc leaves the field",
                            ),
                    )
                    .labelled_by(label.id);
                if response.changed() {
                    commands.push(Command::SetReviewReason(reason));
                }
                if response.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    response.surrender_focus();
                }
            });
        });
    });
}

/// After K: the right answer, typed; Enter keeps it for the Y/N that follows, Esc gives up.
fn answer_key_ui(ui: &mut egui::Ui, state: &AppState, commands: &mut Vec<Command>) {
    let session = &state.ui.review;
    if let Some(typed) = &session.typing_answer {
        ui.horizontal(|ui| {
            let label = ui.label(RichText::new("Right answer").size(18.0));
            let mut text = typed.clone();
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut text)
                        .desired_width(220.0)
                        .hint_text("e.g. 3 cups, then Enter"),
                )
                .labelled_by(label.id);
            response.request_focus();
            let (enter, escape) = ui.input(|i| {
                (
                    i.key_pressed(egui::Key::Enter),
                    i.key_pressed(egui::Key::Escape),
                )
            });
            if escape {
                commands.push(Command::ReviewCorrectedAnswer(None));
            } else if enter {
                commands.push(Command::ReviewCorrectedAnswer(Some(text)));
            } else if text != *typed {
                commands.push(Command::ReviewFixKeyText(text));
            }
        });
    } else if let Some(answer) = &session.corrected_answer {
        ui.label(
            RichText::new(format!(
                "Answer key corrected to “{answer}”: now Y if the image shows it, N if not."
            ))
            .size(16.0),
        );
    }
    ui.add_space(4.0);
}

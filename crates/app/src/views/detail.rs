//! One item in full: prompt and expected answer, the image(s), the judge's verdict and caption,
//! and the reasoning trace. Mapping pairs show A and B side by side.

use egui::RichText;

use crate::command::Command;
use crate::image_cache::ImageCache;
use crate::state::AppState;
use crate::views::widgets::{image_side, part_image_ui, prompt_ui, verdict_badge};
use unisandbox_core::model::{Item, Part, TaskFolder, Trace};

pub fn detail_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    index: usize,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let data = &state.data.dataset;
    let Some(item) = data.items.get(index) else {
        return;
    };
    let folder = data.folder_of(item);
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            header_ui(
                ui,
                folder,
                item,
                state.suspect_reasons(item),
                state.data.insights.get(index),
                state.annotation_of(item).and_then(|a| a.review.as_ref()),
            );
            crate::views::widgets::checkpoints_link_ui(ui, state, &folder.run, commands);
            annotation_ui(ui, state, index, commands);
            ui.add_space(6.0);
            use unisandbox_core::taxonomy::Family;
            if folder.kind.family == Family::Geneval {
                crate::views::companion_detail::geneval_ui(ui, folder, item, images, commands);
            } else if folder.kind.family == Family::Wise {
                crate::views::companion_detail::wise_ui(ui, folder, item, images, commands);
            } else if item.parts.len() == 2 {
                pair_ui(ui, folder, item, images, commands);
            } else if let Some(part) = item.parts.first() {
                let others: Vec<&Trace> = item.other_traces(0).collect();
                single_ui(ui, folder, part, &others, images, commands);
            }
        });
}

fn header_ui(
    ui: &mut egui::Ui,
    folder: &TaskFolder,
    item: &Item,
    suspect: Option<&Vec<String>>,
    insight: Option<&unisandbox_core::analysis::insights::ItemInsight>,
    review: Option<&unisandbox_core::annotations::Review>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.heading(format!("{} · #{}", folder.stem, item.id));
        let whose = if folder.filter.is_some() {
            "The STARS filter's verdict (the model judging its own candidate)"
        } else {
            "The judge's verdict"
        };
        verdict_badge(ui, folder, item.verdict).on_hover_text(whose);
        if let Some(review) = review {
            let text = match review.human.is_yes() {
                Some(true) => "human: YES",
                Some(false) => "human: NO",
                None => "human: unsure",
            };
            let disagree = review
                .human
                .is_yes()
                .is_some_and(|yes| yes != (item.verdict == unisandbox_core::model::Verdict::Yes));
            let color = if disagree {
                crate::views::style::ATTENTION
            } else {
                ui.visuals().text_color()
            };
            let mut hover = format!("Reviewed by {}", review.reviewer);
            if let Some(answer) = &review.corrected_answer {
                hover += &format!("; answer key corrected to “{answer}”");
            }
            ui.label(RichText::new(text).strong().color(color))
                .on_hover_text(hover);
        }
        if let Some(reasons) = suspect {
            let poisoned =
                folder.filter.is_some() && item.verdict == unisandbox_core::model::Verdict::Yes;
            suspect_badge(ui, poisoned).on_hover_text(format!(
                "Benchmark audit: {}{}",
                reasons.join("; "),
                if poisoned {
                    ". The filter accepted it: training on it teaches a wrong answer."
                } else {
                    ""
                }
            ));
        }
        if let Some(history) = item.history_label() {
            let text = RichText::new(capitalized(&history)).strong();
            let text = if item.verdict_changed() {
                text.color(crate::views::style::ATTENTION)
            } else {
                text
            };
            let lines: Vec<String> = item
                .history()
                .iter()
                .map(|row| format!("line {}: {}", row.line, row.label()))
                .collect();
            ui.label(text).on_hover_text(format!(
                "This ID has {} rows in evaluation_results.csv (re-runs appended without \
                 --overwrite); the last one counts.{}\n{}",
                item.history().len(),
                if item.verdict_changed() {
                    " The judge's verdict changed between runs."
                } else {
                    ""
                },
                lines.join("\n")
            ));
        }
        ui.label(
            RichText::new(format!(
                "{} · {} · {}",
                folder.run,
                folder.setting,
                folder.kind.label()
            ))
            .weak(),
        );
    });
    if let Some(labels) = insight.map(|i| i.labels()).filter(|l| !l.is_empty()) {
        let title = if folder.filter.is_some() {
            "Why rejected"
        } else {
            "Failure"
        };
        ui.label(RichText::new(format!("{title}: {}", labels.join(" · "))).strong());
    }
    // Relative to the run, so the line reads the same on every machine; the full path on hover.
    let folder_name = format!("{}/{}/{}", folder.run, folder.setting, folder.stem);
    let location = match (&folder.filter, item.csv_line) {
        _ if folder.companion.is_some() => companion_location(folder, item),
        (Some(filter), Some(line)) => {
            format!("{}/{}, line {line}", folder.run, filter.source_file(item))
        }
        (Some(_), None) => format!("{} (from the JSONL files)", folder.run),
        (None, Some(line)) => format!("{folder_name}/evaluation_results.csv, line {line}"),
        (None, None) => format!("{folder_name} (not evaluated yet)"),
    };
    ui.label(RichText::new(location).small().weak())
        .on_hover_text(folder.path.display().to_string());
    if let Some(reasons) = suspect {
        ui.colored_label(
            egui::Color32::from_rgb(200, 150, 0),
            format!("Benchmark audit: {}", reasons.join("; ")),
        );
    }
}

/// Star, tags (keys 1–9 toggle the first nine) and a note; every change is saved at once.
fn annotation_ui(ui: &mut egui::Ui, state: &AppState, index: usize, commands: &mut Vec<Command>) {
    let Some(item) = state.data.dataset.items.get(index) else {
        return;
    };
    let annotation = state.annotation_of(item).cloned().unwrap_or_default();
    ui.horizontal_wrapped(|ui| {
        let star = if annotation.starred {
            "★ Starred"
        } else {
            "☆ Star"
        };
        if ui
            .selectable_label(annotation.starred, star)
            .on_hover_text("Star demo-worthy items (key S)")
            .clicked()
        {
            commands.push(Command::ToggleStar(index));
        }
        ui.separator();
        for (n, tag) in state.tag_names.iter().enumerate() {
            let text = if n < 9 {
                format!("{} {tag}", n + 1)
            } else {
                tag.clone()
            };
            if ui
                .selectable_label(annotation.tags.contains(tag), text)
                .clicked()
            {
                commands.push(Command::ToggleTag(index, tag.clone()));
            }
        }
        let new_tag_id = egui::Id::unique("new_tag_text");
        let mut new_tag = ui.data_mut(|d| d.get_temp::<String>(new_tag_id).unwrap_or_default());
        let label = ui.label("New tag:");
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut new_tag)
                    .desired_width(110.0)
                    .hint_text("name, Enter"),
            )
            .labelled_by(label.id);
        if response.lost_focus()
            && ui.input(|i| i.key_pressed(egui::Key::Enter))
            && !new_tag.trim().is_empty()
        {
            commands.push(Command::AddTagName(new_tag.clone()));
            new_tag.clear();
        }
        ui.data_mut(|d| d.insert_temp(new_tag_id, new_tag));
    });
    // The note is edited in a per-item draft, keyed by the item (not its index, which a reload
    // or another opened folder changes), and saved on every change.
    let key = state.data.dataset.annotation_key_of(item);
    let draft_id = egui::Id::unique(("note_draft", &key));
    let mut draft = ui
        .data_mut(|d| d.get_temp::<String>(draft_id))
        .unwrap_or_else(|| annotation.note.clone());
    let label = ui.label(RichText::new("Note").weak());
    let response = ui
        .add(
            egui::TextEdit::multiline(&mut draft)
                .desired_rows(1)
                .desired_width(f32::INFINITY)
                .hint_text("Why did this item fail? (saved as you type)"),
        )
        .labelled_by(label.id);
    if response.changed() {
        commands.push(Command::SetNote(key, draft.clone()));
    }
    ui.data_mut(|d| d.insert_temp(draft_id, draft));
}

/// "judged 2×: …" → "Judged 2×: …".
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Marks an item whose answer key contradicts its own question: no image can be judged right.
fn suspect_badge(ui: &mut egui::Ui, accepted_candidate: bool) -> egui::Response {
    let text = if accepted_candidate {
        format!(" {} ", unisandbox_core::analysis::audit::ACCEPTED_SUSPECT)
    } else {
        " suspect answer key ".to_string()
    };
    egui::Frame::new()
        .fill(egui::Color32::from_rgb(200, 150, 0))
        .corner_radius(6.0)
        .inner_margin(egui::Margin::symmetric(6, 2))
        .show(ui, |ui| {
            ui.label(RichText::new(text).color(egui::Color32::BLACK).strong())
        })
        .response
}

/// Where a GenEval / WISE item comes from: its prompt folder or image, and the judge files.
fn companion_location(folder: &TaskFolder, item: &Item) -> String {
    use unisandbox_core::model::CompanionSource;
    match folder.companion.as_ref().map(|c| &c.source) {
        Some(CompanionSource::Geneval { results }) => {
            let judged = if results.is_empty() {
                "not evaluated yet"
            } else {
                "rows in the results JSONL"
            };
            format!("{}/images/{}/ ({judged})", folder.run, item.id)
        }
        Some(CompanionSource::Wise { scores }) => {
            let judged = if scores.is_empty() {
                "not judged yet"
            } else {
                "scores in Results/"
            };
            format!("{}/images/{}.png ({judged})", folder.run, item.id)
        }
        None => String::new(),
    }
}

fn single_ui(
    ui: &mut egui::Ui,
    folder: &TaskFolder,
    part: &Part,
    other_traces: &[&Trace],
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let side = image_side(ui, 2.0).min(ui.available_height().max(320.0) * 0.8);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| part_image_ui(ui, images, part, side, commands));
        ui.vertical(|ui| {
            ui.set_max_width((ui.available_width()).max(240.0));
            prompt_ui(ui, "Prompt", &part.question, &part.answer);
            ui.add_space(8.0);
            if folder.filter.is_some() {
                filter_reply_ui(ui, part);
            } else {
                judge_ui(ui, part);
            }
        });
    });
    ui.add_space(10.0);
    if folder.filter.is_none() {
        crate::views::trace::trace_ui(ui, folder, part, other_traces);
    }
}

/// A STARS filter's reply as prose: its numbered steps with their headings, the strict
/// criteria as ✔/✘, and the final answer.
fn filter_reply_ui(ui: &mut egui::Ui, part: &Part) {
    ui.label(RichText::new("Filter's reply (the model judging its own candidate)").strong());
    let Some(reply) = part.analysis.as_ref().map(|a| a.phase2.as_str()) else {
        ui.label(
            RichText::new(
                "No reply kept: filtered_data.jsonl holds only the accepted candidates' \
                 question, answer and image.",
            )
            .weak(),
        );
        return;
    };
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        if let Some(count) = &part.caption {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("Counted:").weak());
                ui.label(RichText::new(count).size(16.0).strong());
            });
        }
        for line in reply.lines() {
            let line = line.trim();
            if line.is_empty() {
                ui.add_space(4.0);
                continue;
            }
            if let Some((name, met)) = unisandbox_core::analysis::rejection::criterion(line) {
                let (mark, color) = if met {
                    ("✔", egui::Color32::from_rgb(60, 160, 90))
                } else {
                    ("✘", egui::Color32::from_rgb(210, 70, 70))
                };
                let text = if met {
                    format!("{mark} {name}")
                } else {
                    format!("{mark} {name}: not met")
                };
                ui.label(RichText::new(text).size(15.0).color(color).strong());
                continue;
            }
            let plain = line.replace("**", "");
            if plain.to_ascii_lowercase().starts_with("final answer") {
                ui.label(RichText::new(plain).size(16.0).strong());
            } else if let Some((head, rest)) = plain.split_once(':')
                && line.contains("**")
            {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(format!("{head}:")).size(15.0).strong());
                    ui.label(RichText::new(rest.trim()).size(15.0));
                });
            } else {
                ui.add(egui::Label::new(RichText::new(plain).size(15.0)).wrap());
            }
        }
    });
}

fn pair_ui(
    ui: &mut egui::Ui,
    folder: &TaskFolder,
    item: &Item,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let (rules, asks) = split_rules(&item.parts[0].question, &item.parts[1].question);
    if !rules.is_empty() {
        ui.label(RichText::new("Rules (shared by A and B)").strong());
        ui.add(egui::Label::new(RichText::new(rules).size(15.0)).wrap());
        ui.add_space(6.0);
    }
    // Small enough that both traces start above the fold.
    let side = image_side(ui, 2.0).min(320.0);
    ui.columns(2, |columns| {
        let parts = item.parts.iter().enumerate().zip(asks);
        for (ui, ((index, part), ask)) in columns.iter_mut().zip(parts) {
            ui.horizontal(|ui| {
                ui.heading(format!("Image {}", part.label.unwrap_or('?')));
                verdict_badge(ui, folder, part.verdict);
            });
            part_image_ui(ui, images, part, side, commands);
            prompt_ui(ui, "Asks", &ask, &part.answer);
            judge_ui(ui, part);
            ui.add_space(6.0);
            let others: Vec<&Trace> = item.other_traces(index).collect();
            crate::views::trace::trace_ui(ui, folder, part, &others);
        }
    });
}

/// Splits mapping questions into the shared rules and each side's request.
fn split_rules(a: &str, b: &str) -> (String, [String; 2]) {
    let marker = "Please generate";
    match (a.find(marker), b.find(marker)) {
        (Some(i), Some(j)) if a[..i] == b[..j] => (
            a[..i].trim().to_string(),
            [a[i..].to_string(), b[j..].to_string()],
        ),
        _ => (String::new(), [a.to_string(), b.to_string()]),
    }
}

fn judge_ui(ui: &mut egui::Ui, part: &Part) {
    ui.label(RichText::new("Judge").strong());
    let Some(analysis) = &part.analysis else {
        let why = if part.verdict == unisandbox_core::model::Verdict::NotGenerated {
            "Nothing to judge: the image was never generated."
        } else {
            "Not judged yet: no evaluation_results.csv row for this image."
        };
        ui.label(RichText::new(why).weak());
        return;
    };
    if part.verdict == unisandbox_core::model::Verdict::JudgeError {
        ui.label(
            RichText::new(
                "The judge call failed: this image was never judged. The eval counts it as \
                 not correct; it is no model error (re-judge it).",
            )
            .color(crate::views::style::verdict_color(
                unisandbox_core::model::Verdict::JudgeError,
            )),
        );
    }
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Phase 1 · caption:").weak());
            let caption = part
                .caption
                .clone()
                .unwrap_or_else(|| analysis.phase1.clone());
            ui.label(RichText::new(caption).size(16.0).strong());
        });
        // Show the judge's raw reply only when the short caption above does not already say it all.
        let caption_is_whole_reply = part.caption.as_deref().is_some_and(|c| {
            [
                c.to_string(),
                format!("Caption: {c}"),
                format!("Object: {c}"),
            ]
            .contains(&analysis.phase1)
        });
        if analysis.phase1.lines().count() > 1 || !caption_is_whole_reply {
            ui.add(egui::Label::new(RichText::new(&analysis.phase1).monospace()).wrap());
        }
        ui.separator();
        ui.label(RichText::new("Phase 2 · verdict:").weak());
        if analysis.phase2.is_empty() {
            ui.label(RichText::new("(phase 2 skipped)").weak());
        } else {
            ui.add(egui::Label::new(RichText::new(&analysis.phase2).monospace()).wrap());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::split_rules;

    #[test]
    fn mapping_rules_are_shown_once() {
        let a = "Rule 1: A means cat. Rule 2: B means dog. Please generate the animal represented by the letter 'A'.";
        let b = "Rule 1: A means cat. Rule 2: B means dog. Please generate the animal represented by the letter 'B'.";
        let (rules, asks) = split_rules(a, b);
        assert_eq!(rules, "Rule 1: A means cat. Rule 2: B means dog.");
        assert!(asks[1].ends_with("'B'."));
        assert_eq!(split_rules("x", "y").0, "");
    }
}

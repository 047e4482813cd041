//! A GenEval or WISE item in full. GenEval: the prompt and its include/exclude clauses, then
//! every sample side by side with the detector's verdict, its reason in words and what it
//! detected, then the think text. WISE: the image beside the prompt, the knowledge the image
//! should show, the three judge scores with the WiScore, the judge's full evaluation, the think
//! text.

use egui::RichText;

use crate::command::Command;
use crate::image_cache::ImageCache;
use crate::views::widgets::{image_side, part_image_ui, prompt_ui, verdict_badge};
use unisandbox_core::companion::wise::Judged;
use unisandbox_core::model::{Item, TaskFolder, Verdict};

pub fn geneval_ui(
    ui: &mut egui::Ui,
    folder: &TaskFolder,
    item: &Item,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let Some(first) = item.parts.first() else {
        ui.label(
            RichText::new("No samples in this prompt folder (generation never reached it).").weak(),
        );
        return;
    };
    prompt_ui(ui, "Prompt", &first.question, &first.answer);
    let judged: Vec<&unisandbox_core::model::Part> = item
        .parts
        .iter()
        .filter(|p| p.verdict.is_judged())
        .collect();
    let right = judged.iter().filter(|p| p.verdict == Verdict::Yes).count();
    ui.label(
        RichText::new(format!(
            "{right} of {} samples right (the detector's verdict per image; the prompt counts as \
             right when any sample is)",
            judged.len()
        ))
        .weak(),
    );
    ui.add_space(6.0);
    let columns = item.parts.len().max(1);
    let side =
        ((ui.available_width() - 12.0 * columns as f32) / columns as f32).clamp(140.0, 380.0);
    egui::ScrollArea::horizontal()
        .id_salt("geneval_samples")
        .show(ui, |ui| {
            ui.horizontal_top(|ui| {
                for part in &item.parts {
                    ui.vertical(|ui| {
                        ui.set_width(side);
                        ui.horizontal(|ui| {
                            ui.strong(format!("Sample {}", part.label.unwrap_or('?')));
                            verdict_badge(ui, folder, part.verdict);
                        });
                        part_image_ui(ui, images, part, side, commands);
                        match &part.analysis {
                            Some(analysis) => {
                                ui.add(
                                    egui::Label::new(RichText::new(&analysis.phase1).size(15.0))
                                        .wrap(),
                                );
                                if !analysis.phase2.is_empty() {
                                    ui.add(
                                        egui::Label::new(
                                            RichText::new(&analysis.phase2).monospace().weak(),
                                        )
                                        .wrap(),
                                    );
                                }
                            }
                            None => {
                                ui.label(RichText::new("not evaluated (no results row)").weak());
                            }
                        }
                    });
                }
            });
        });
    ui.add_space(10.0);
    // The fork writes the same think text beside every sample: show it once, or each when
    // they differ.
    let traced: Vec<&unisandbox_core::model::Part> =
        item.parts.iter().filter(|p| p.trace.is_some()).collect();
    let same = traced.windows(2).all(|w| {
        w[0].trace.as_ref().map(|t| &t.reasoning) == w[1].trace.as_ref().map(|t| &t.reasoning)
    });
    match (traced.first(), same) {
        (Some(part), true) => crate::views::trace::trace_ui(ui, folder, part, &[]),
        (Some(_), false) => {
            for part in traced {
                ui.strong(format!("Sample {}", part.label.unwrap_or('?')));
                crate::views::trace::trace_ui(ui, folder, part, &[]);
            }
        }
        (None, _) => crate::views::trace::trace_ui(ui, folder, first, &[]),
    }
}

pub fn wise_ui(
    ui: &mut egui::Ui,
    folder: &TaskFolder,
    item: &Item,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let Some(part) = item.parts.first() else {
        return;
    };
    let side = image_side(ui, 2.0).min(ui.available_height().max(320.0) * 0.8);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| part_image_ui(ui, images, part, side, commands));
        ui.vertical(|ui| {
            ui.set_max_width(ui.available_width().max(240.0));
            prompt_ui(ui, "Prompt", &part.question, "");
            if !part.answer.is_empty() {
                ui.label(RichText::new("Expected knowledge (the prompt's explanation):").strong());
                ui.add(egui::Label::new(RichText::new(&part.answer).size(15.0)).wrap());
            }
            ui.add_space(8.0);
            ui.label(RichText::new("Judge").strong());
            let judged = item.extras.as_ref().and_then(|e| e.wise.as_ref());
            match judged {
                Some(judged) => scores_ui(ui, judged),
                None => {
                    ui.label(
                        RichText::new("Not judged: no row in Results/*_scores_results.jsonl.")
                            .weak(),
                    );
                }
            }
            if let Some(analysis) = &part.analysis
                && !analysis.phase2.is_empty()
            {
                ui.add_space(6.0);
                ui.label(RichText::new("The judge's evaluation").strong());
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.add(egui::Label::new(RichText::new(&analysis.phase2).monospace()).wrap());
                });
            }
        });
    });
    ui.add_space(10.0);
    crate::views::trace::trace_ui(ui, folder, part, &[]);
}

/// The three scores (0–2) and the WiScore, a failed metric named as what it is.
fn scores_ui(ui: &mut egui::Ui, judged: &Judged) {
    let value = |v: Option<f64>| v.map_or("999 — not judged".to_string(), |v| format!("{v}"));
    egui::Grid::new("wise_scores")
        .num_columns(2)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            match judged {
                Judged::Legacy {
                    consistency,
                    realism,
                    aesthetic_quality,
                } => {
                    for (name, v) in [
                        ("Consistency (×0.7)", consistency),
                        ("Realism (×0.2)", realism),
                        ("Aesthetic quality (×0.1)", aesthetic_quality),
                    ] {
                        ui.label(name);
                        ui.label(RichText::new(value(*v)).size(16.0).strong());
                        ui.end_row();
                    }
                }
                Judged::Verified(score) => {
                    ui.label("Score (WISE_Verified, 0/1)");
                    ui.label(RichText::new(value(*score)).size(16.0).strong());
                    ui.end_row();
                }
            }
            ui.label("WiScore");
            match judged.wiscore() {
                Some(score) => ui.label(RichText::new(format!("{score:.3}")).size(18.0).strong()),
                None => ui.label(
                    RichText::new(
                        "none: the judge failed (999), so this image is left out of the means",
                    )
                    .color(crate::views::style::verdict_color(Verdict::JudgeError)),
                ),
            };
            ui.end_row();
        });
}

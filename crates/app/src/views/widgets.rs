//! Small shared widgets: verdict badges, image frames with placeholders, the zoom overlay.

use std::path::Path;

use egui::{Color32, RichText, Sense, Stroke, Vec2};

use crate::command::Command;
use crate::image_cache::{ImageCache, ImageState};
use crate::views::style::verdict_color;
use unisandbox_core::model::{ImageStatus, Verdict};

/// A coloured pill with the verdict's name.
/// A verdict in its colour, worded as its folder says it (`accepted` for a STARS filter run).
pub fn verdict_badge(
    ui: &mut egui::Ui,
    folder: &unisandbox_core::model::TaskFolder,
    verdict: Verdict,
) -> egui::Response {
    let text = RichText::new(format!(" {} ", folder.verdict_label(verdict)))
        .color(Color32::WHITE)
        .strong();
    egui::Frame::new()
        .fill(verdict_color(verdict))
        .corner_radius(6.0)
        .inner_margin(egui::Margin::symmetric(6, 2))
        .show(ui, |ui| ui.label(text))
        .response
}

/// Fills the area with "No item matches the filters." (or "Loading…" while loading).
pub fn no_items_ui(ui: &mut egui::Ui, loading_finished: bool) {
    ui.centered_and_justified(|ui| {
        let text = if loading_finished {
            "No item matches the filters."
        } else {
            "Loading…"
        };
        ui.label(RichText::new(text).weak().size(16.0));
    });
}

/// A framed box of `size` explaining why there is nothing to show.
pub fn placeholder(ui: &mut egui::Ui, size: Vec2, title: &str, detail: &str) {
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    let visuals = ui.visuals();
    ui.painter().rect(
        rect,
        8.0,
        visuals.extreme_bg_color,
        Stroke::new(1.5, visuals.weak_text_color()),
        egui::StrokeKind::Inside,
    );
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect.shrink(16.0))
            .layout(egui::Layout::top_down(egui::Align::Center)),
    );
    child.add_space((rect.height() / 2.0 - 40.0).max(0.0));
    child.label(RichText::new(title).strong().size(16.0));
    child.add(egui::Label::new(RichText::new(detail).weak()).wrap());
}

/// Shows one generated image fitted into a `side`×`side` box; a click asks to zoom.
/// Missing, corrupt, still-decoding and undecodable images each get a placeholder saying so.
pub fn image_ui(
    ui: &mut egui::Ui,
    images: &mut ImageCache,
    path: &Path,
    status: &ImageStatus,
    side: f32,
    commands: &mut Vec<Command>,
) {
    let size = Vec2::splat(side);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match status {
        ImageStatus::Missing => {
            let folder = path
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            placeholder(
                ui,
                size,
                "Image missing",
                &format!("{name} is not in {folder} (generation failed or the file was deleted)."),
            );
        }
        ImageStatus::Corrupt(reason) => {
            placeholder(ui, size, "Corrupt image", &format!("{name}: {reason}"))
        }
        ImageStatus::Present => match images.get(ui.ctx(), path) {
            ImageState::Pending => placeholder(ui, size, "Loading…", &name),
            ImageState::Failed(message) => placeholder(
                ui,
                size,
                "Cannot decode image",
                &format!("{name}: {message}"),
            ),
            ImageState::Ready {
                texture,
                size: [w, h],
            } => {
                let scale = side / w.max(h) as f32;
                let shown = Vec2::new(w as f32 * scale, h as f32 * scale);
                let response = ui
                    .add(
                        egui::Image::new((texture.id(), shown))
                            .corner_radius(6.0)
                            .sense(Sense::click()),
                    )
                    .on_hover_text(format!("{name} · {w}×{h} · click to zoom"));
                if response.clicked() {
                    commands.push(Command::Zoom(Some(path.to_path_buf())));
                }
            }
        },
    }
}

/// A part's image, or — for a benchmark question never generated — a placeholder saying so.
pub fn part_image_ui(
    ui: &mut egui::Ui,
    images: &mut ImageCache,
    part: &unisandbox_core::model::Part,
    side: f32,
    commands: &mut Vec<Command>,
) {
    if part.verdict == Verdict::NotGenerated {
        let name = part
            .image_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        placeholder(
            ui,
            Vec2::splat(side),
            "Not generated",
            &format!("The benchmark asks for {name}, but this run never wrote it."),
        );
    } else {
        image_ui(
            ui,
            images,
            &part.image_path,
            &part.image_status,
            side,
            commands,
        );
    }
}

/// The image at the largest size the window allows; click or Esc closes.
pub fn zoom_ui(
    ctx: &egui::Context,
    path: &Path,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let modal = egui::Modal::new(egui::Id::unique("zoom")).show(ctx, |ui| {
        let available = ctx.content_rect().size() * 0.88;
        ui.label(RichText::new(path.display().to_string()).weak());
        match images.get(ctx, path) {
            ImageState::Ready {
                texture,
                size: [w, h],
            } => {
                let scale = (available.x / w as f32).min((available.y - 40.0) / h as f32);
                let response = ui.add(
                    egui::Image::new((texture.id(), Vec2::new(w as f32 * scale, h as f32 * scale)))
                        .sense(Sense::click()),
                );
                if response.clicked() {
                    commands.push(Command::Zoom(None));
                }
            }
            ImageState::Pending => {
                ui.spinner();
            }
            ImageState::Failed(message) => {
                ui.label(message);
            }
        }
        ui.label(
            RichText::new("Click the image or press Esc to close")
                .small()
                .weak(),
        );
    });
    if modal.should_close() {
        commands.push(Command::Zoom(None));
    }
}

/// When the item's run is a checkpoint of a training run: the way to see it at every checkpoint.
pub fn checkpoints_link_ui(
    ui: &mut egui::Ui,
    state: &crate::state::AppState,
    run: &str,
    commands: &mut Vec<Command>,
) {
    if state.ui.view == crate::persist::View::Strip {
        return;
    }
    let cache = &state.ui.charts.trajectory;
    let text = match cache
        .series
        .iter()
        .find(|s| s.runs.iter().any(|(r, _)| r == run))
    {
        Some(series) => format!(
            "See it at all {} checkpoints of {} (C)",
            series.runs.len(),
            series.name
        ),
        // Not counted yet (no counts view shown so far): a numbered run may be a checkpoint.
        None if !cache.is_computed()
            && unisandbox_core::analysis::trajectory::step_of(run).is_some() =>
        {
            "See it at every checkpoint of its training run (C)".to_string()
        }
        None => return,
    };
    if ui.link(text).clicked() {
        commands.push(Command::SetView(crate::persist::View::Strip));
    }
}

/// The side of an item's image when `columns` share the width.
pub fn image_side(ui: &egui::Ui, columns: f32) -> f32 {
    ((ui.available_width() - 24.0) / columns).clamp(220.0, 560.0)
}

/// A prompt (or a placeholder when there is none) and its expected answer.
pub fn prompt_ui(ui: &mut egui::Ui, title: &str, question: &str, answer: &str) {
    ui.label(RichText::new(title).strong());
    if question.is_empty() {
        ui.label(RichText::new("(no prompt: this image has no evaluation row yet)").weak());
    } else {
        ui.add(egui::Label::new(RichText::new(question).size(16.0)).wrap());
    }
    if !answer.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Expected answer:").strong());
            ui.label(
                RichText::new(answer)
                    .size(16.0)
                    .color(ui.visuals().strong_text_color()),
            );
        });
    }
}

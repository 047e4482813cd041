//! One item at every checkpoint of its training run: a strip of its images in step order, each
//! with the judge's verdict, and the current checkpoint's item in full below. Only the cells on
//! screen are laid out and only their images requested, so 500 checkpoints scroll like five.
//! ←/→ move along the steps, ↑/↓ to the next item of the list (keeping the step), Esc back.

use egui::{Align2, FontId, Rect, RichText, Sense, Stroke, Vec2};

use crate::command::Command;
use crate::image_cache::ImageCache;
use crate::state::AppState;
use crate::strip::{Strip, strip_of};

/// A cell's image side and the gap between cells, in points.
const CELL: f32 = 190.0;
const GAP: f32 = 8.0;
/// The step line above each image.
const STEP_LINE: f32 = 20.0;

pub fn strip_view_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let Some(strip) = strip_of(state) else {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(20.0);
            let why = if state.ui.selected.is_none() {
                "Select an item (Items or Grid), then press C to see it at every checkpoint."
            } else if state.ui.charts_computing {
                "Finding the training runs…"
            } else {
                "This item's run is not part of a training run: a series is two or more \
                 checkpoints whose names differ only in their last number (ckpt-1000, ckpt-2000, \
                 or 0001000, …). Select an item of a checkpoint to see it across the run."
            };
            ui.label(RichText::new(why).size(16.0));
        });
        return;
    };
    egui::Panel::top("strip")
        .resizable(false)
        .show(ui, |ui| strip_ui(ui, state, &strip, images, commands));
    let (_, current) = strip.cells[strip.current];
    egui::CentralPanel::default().show(ui, |ui| {
        crate::views::detail::detail_ui(ui, state, current, images, commands)
    });
}

fn strip_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    strip: &Strip,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let data = &state.data.dataset;
    let (_, first) = strip.cells[0];
    let item = &data.items[first];
    let folder = data.folder_of(item);
    let right = strip
        .cells
        .iter()
        .filter(|(_, index)| data.items[*index].is_correct())
        .count();
    ui.horizontal(|ui| {
        ui.heading(format!(
            "{} · {} · {}",
            folder.stem, item.id, folder.setting
        ));
        ui.label(
            RichText::new(format!(
                "{} · right at {right} of {} checkpoints",
                strip.series.name,
                strip.cells.len()
            ))
            .weak(),
        );
    });
    ui.label(
        RichText::new("←/→ steps · ↑/↓ next item of the list · click a checkpoint · Esc back")
            .weak(),
    );
    let height = STEP_LINE + CELL + 4.0;
    let scroll = egui::ScrollArea::horizontal()
        .id_salt("strip_scroll")
        .auto_shrink([false, true]);
    // Scroll the current cell into view when it changed since the last frame.
    let last_id = egui::Id::unique("strip_last_current");
    let key = (first, strip.current);
    let moved = ui.data(|d| d.get_temp::<(usize, usize)>(last_id)) != Some(key);
    ui.data_mut(|d| d.insert_temp(last_id, key));
    scroll.show_viewport(ui, |ui, viewport| {
        let pitch = CELL + GAP;
        let total = Vec2::new(strip.cells.len() as f32 * pitch, height);
        let (area, _) = ui.allocate_exact_size(total, Sense::hover());
        let origin = area.min;
        let cell_rect = |at: usize| {
            Rect::from_min_size(
                origin + Vec2::new(at as f32 * pitch, 0.0),
                Vec2::new(CELL, height),
            )
        };
        if moved {
            ui.scroll_to_rect(cell_rect(strip.current), Some(egui::Align::Center));
        }
        let first_visible = (viewport.min.x / pitch).floor().max(0.0) as usize;
        let last_visible =
            ((viewport.max.x / pitch).ceil() as usize).min(strip.cells.len().saturating_sub(1));
        for at in first_visible..=last_visible {
            let Some(&(position, index)) = strip.cells.get(at) else {
                break;
            };
            let rect = cell_rect(at);
            let response =
                ui.interact(rect, ui.scope_id().with(("strip_cell", at)), Sense::click());
            let step = strip.series.runs[position].1;
            response.widget_info(|| {
                egui::WidgetInfo::selected(
                    egui::Role::Button,
                    true,
                    at == strip.current,
                    format!("step {step}"),
                )
            });
            if response.clicked() {
                commands.push(Command::StripStep(position));
            }
            cell_ui(ui, state, rect, step, index, at == strip.current, images);
        }
    });
}

fn cell_ui(
    ui: &egui::Ui,
    state: &AppState,
    rect: Rect,
    step: u64,
    index: usize,
    current: bool,
    images: &mut ImageCache,
) {
    let data = &state.data.dataset;
    let item = &data.items[index];
    let folder = data.folder_of(item);
    let visuals = ui.visuals().clone();
    let painter = ui.painter();
    painter.text(
        rect.left_top() + Vec2::new(2.0, 2.0),
        Align2::LEFT_TOP,
        format!("step {step}"),
        FontId::proportional(14.0),
        if current {
            visuals.strong_text_color()
        } else {
            visuals.weak_text_color()
        },
    );
    let image_rect = Rect::from_min_size(rect.min + Vec2::new(0.0, STEP_LINE), Vec2::splat(CELL));
    painter.rect_filled(image_rect, 6.0, visuals.extreme_bg_color);
    let parts = &item.parts;
    let slots = crate::views::grid::image_slots(image_rect, parts.len());
    for (part, slot) in parts.iter().zip(slots) {
        crate::views::grid::thumbnail(ui, part, slot, images);
    }
    let human = state
        .annotation_of(item)
        .and_then(|a| a.review.as_ref())
        .map(|r| r.human);
    crate::views::grid::badge(ui, folder, item, human, image_rect);
    let stroke = if current {
        Stroke::new(3.0, visuals.selection.stroke.color)
    } else {
        Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color)
    };
    painter.rect_stroke(image_rect, 6.0, stroke, egui::StrokeKind::Outside);
}

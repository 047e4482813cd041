//! Grid view: a virtualized grid of thumbnails of the filtered items, with the list's filters and
//! selection. Only the rows on screen are laid out and only their thumbnails are requested, so a
//! folder of thousands of images scrolls without stalling while thumbnails decode.

use egui::{Align2, Color32, FontId, Rect, RichText, Sense, Stroke, Vec2};

use crate::command::Command;
use crate::image_cache::{ImageCache, ImageState};
use crate::persist::THUMBNAIL_RANGE;
use crate::persist::View;
use crate::state::AppState;
use crate::views::style::verdict_color;
use unisandbox_core::model::{ImageStatus, Item, Part};

const GAP: f32 = 10.0;
/// Two lines of text under each thumbnail.
const CAPTION_HEIGHT: f32 = 36.0;

/// Columns that fit `width` for thumbnails of `side`.
pub fn columns_for(width: f32, side: f32) -> usize {
    (((width + GAP) / (side + GAP)).floor() as usize).max(1)
}

pub fn grid_view_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    egui::Panel::top("grid_filters").show(ui, |ui| {
        crate::views::items::filters_ui(ui, state, commands);
        ui.horizontal(|ui| {
            let label = ui.label("Thumbnail size");
            let mut side = state.settings.grid_thumbnail;
            if ui
                .add(
                    egui::Slider::new(&mut side, THUMBNAIL_RANGE)
                        .suffix(" pt")
                        .show_value(false),
                )
                .labelled_by(label.id)
                .changed()
            {
                commands.push(Command::SetGridThumbnail(side));
            }
            ui.label(format!("{side:.0} pt"));
        });
        ui.add_space(4.0);
    });
    egui::CentralPanel::default().show(ui, |ui| grid_ui(ui, state, images, commands));
}

fn grid_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    if state.ui.filtered.is_empty() {
        crate::views::widgets::no_items_ui(ui, state.progress.finished);
        return;
    }
    // Room for the scroll bar; the columns then share out what is left over, so the grid fills
    // the width (thumbnails are at least the chosen size).
    let width = ui.available_width() - 16.0;
    let columns = columns_for(width, state.settings.grid_thumbnail);
    let side =
        ((width - (columns - 1) as f32 * GAP) / columns as f32).max(state.settings.grid_thumbnail);
    let rows = state.ui.filtered.len().div_ceil(columns);
    let row_height = side + CAPTION_HEIGHT + GAP;
    if columns != state.ui.grid_columns {
        commands.push(Command::SetGridColumns(columns));
    }

    let mut area = egui::ScrollArea::vertical()
        .auto_shrink(false)
        .id_salt("grid_scroll");
    if state.frame.scroll_to_selected
        && let Some(row) = state.selected_row()
    {
        let centred =
            (row / columns) as f32 * row_height - ui.available_height() / 2.0 + row_height / 2.0;
        area = area.vertical_scroll_offset(centred.max(0.0));
    }
    area.show_rows(ui, row_height, rows, |ui, visible| {
        for row in visible {
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = GAP;
                let first = row * columns;
                let last = (first + columns).min(state.ui.filtered.len());
                for &index in &state.ui.filtered[first..last] {
                    cell_ui(ui, state, index, side, images, commands);
                }
            });
            ui.add_space(GAP);
        }
    });
}

/// One thumbnail (a pair for mapping IDs) with its verdict badge and two caption lines.
fn cell_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    index: usize,
    side: f32,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    let item = &state.data.dataset.items[index];
    let folder = state.data.dataset.folder_of(item);
    let (rect, response) =
        ui.allocate_exact_size(Vec2::new(side, side + CAPTION_HEIGHT), Sense::click());
    let label = format!(
        "{} {} {} {}",
        folder.run, folder.setting, folder.stem, item.id
    );
    response.widget_info(|| {
        egui::WidgetInfo::selected(
            egui::Role::Button,
            true,
            state.ui.selected == Some(index),
            &label,
        )
    });
    let response = response.on_hover_ui(|ui| {
        ui.set_max_width(420.0);
        ui.label(item.prompt());
        if let Some(part) = item.parts.first() {
            ui.label(RichText::new(format!("expected: {}", part.answer)).weak());
        }
    });
    if response.clicked() {
        commands.push(Command::Select(index));
    }
    if response.double_clicked() {
        commands.push(Command::SetView(View::Items));
    }
    if !ui.is_rect_visible(rect) {
        return;
    }
    let visuals = ui.visuals().clone();
    let painter = ui.painter();
    let image_rect = Rect::from_min_size(rect.min, Vec2::splat(side));
    painter.rect_filled(image_rect, 6.0, visuals.extreme_bg_color);
    let parts = &item.parts;
    for (part, slot) in parts.iter().zip(image_slots(image_rect, parts.len())) {
        thumbnail(ui, part, slot, images);
    }
    let annotation = state.annotation_of(item);
    let human = annotation.and_then(|a| a.review.as_ref()).map(|r| r.human);
    badge(ui, folder, item, human, image_rect);
    let starred = annotation.is_some_and(|a| a.starred);
    let mut marks = String::new();
    if state.suspect_reasons(item).is_some() {
        marks.push('⚠');
    }
    if starred {
        marks.push('★');
    }
    if !marks.is_empty() {
        painter.text(
            image_rect.right_top() + Vec2::new(-6.0, 4.0),
            Align2::RIGHT_TOP,
            marks,
            FontId::proportional(18.0),
            Color32::from_rgb(240, 190, 40),
        );
    }
    let selected = state.ui.selected == Some(index);
    let stroke = if selected {
        Stroke::new(3.0, visuals.selection.stroke.color)
    } else if response.hovered() {
        Stroke::new(1.5, visuals.widgets.hovered.bg_stroke.color)
    } else {
        Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color)
    };
    painter.rect_stroke(image_rect, 6.0, stroke, egui::StrokeKind::Outside);
    let text_color = visuals.text_color();
    let font = FontId::proportional(13.0);
    let first = format!("{} · {}", folder.stem, item.id);
    // A filter candidate says why it was rejected where an eval item names its setting.
    let second = match state.data.insights.get(index).map(|i| i.labels()) {
        Some(labels) if folder.filter.is_some() && !labels.is_empty() => labels.join(" + "),
        _ => format!("{} · {}", folder.run, folder.setting),
    };
    let width = side;
    for (line, (text, color)) in [(first, text_color), (second, visuals.weak_text_color())]
        .into_iter()
        .enumerate()
    {
        let galley = painter.layout(text, font.clone(), color, width);
        let pos = rect.left_top() + Vec2::new(0.0, side + 3.0 + line as f32 * 16.0);
        // One line each: clip what does not fit under the thumbnail.
        painter
            .with_clip_rect(Rect::from_min_size(pos, Vec2::new(width, 16.0)))
            .galley(pos, galley, color);
    }
}

/// Where a cell's images go: the whole square, or a mapping pair's two side by side.
pub(crate) fn image_slots(image_rect: Rect, parts: usize) -> Vec<Rect> {
    if parts < 2 {
        return vec![image_rect];
    }
    let side = image_rect.width();
    let half = (side - 4.0) / 2.0;
    // A pair side by side, centred; three or more (a GenEval prompt's samples) two by two.
    let rows = parts.min(4).div_ceil(2);
    let top = if rows == 1 { (side - half) / 2.0 } else { 0.0 };
    (0..parts.min(4))
        .map(|i| {
            let (column, row) = (i % 2, i / 2);
            Rect::from_min_size(
                image_rect.min
                    + Vec2::new(
                        column as f32 * (half + 4.0),
                        top + row as f32 * (half + 4.0),
                    ),
                Vec2::splat(half),
            )
        })
        .collect()
}

pub(crate) fn thumbnail(ui: &egui::Ui, part: &Part, slot: Rect, images: &mut ImageCache) {
    let painter = ui.painter();
    let weak = ui.visuals().weak_text_color();
    let note = |text: &str| {
        painter.text(
            slot.center(),
            Align2::CENTER_CENTER,
            text,
            FontId::proportional(13.0),
            weak,
        )
    };
    match &part.image_status {
        ImageStatus::Missing => {
            note(
                if part.verdict == unisandbox_core::model::Verdict::NotGenerated {
                    "not generated"
                } else {
                    "image missing"
                },
            );
        }
        ImageStatus::Corrupt(_) => {
            note("corrupt image");
        }
        ImageStatus::Present => match images.thumbnail(ui.ctx(), &part.image_path) {
            ImageState::Ready {
                texture,
                size: [w, h],
            } => {
                let scale = (slot.width() / w as f32).min(slot.height() / h as f32);
                let shown = Rect::from_center_size(
                    slot.center(),
                    Vec2::new(w as f32 * scale, h as f32 * scale),
                );
                painter.image(
                    texture.id(),
                    shown,
                    Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                    Color32::WHITE,
                );
            }
            ImageState::Pending => {
                note("…");
            }
            ImageState::Failed(_) => {
                note("cannot decode");
            }
        },
    }
    if let Some(label) = part.label {
        painter.text(
            slot.left_bottom() + Vec2::new(4.0, -4.0),
            Align2::LEFT_BOTTOM,
            label.to_string(),
            FontId::proportional(12.0),
            verdict_color(part.verdict),
        );
    }
}

/// The judge's verdict on the thumbnail, and a reviewer's beside it (`· human no`).
pub(crate) fn badge(
    ui: &egui::Ui,
    folder: &unisandbox_core::model::TaskFolder,
    item: &Item,
    human: Option<unisandbox_core::annotations::Human>,
    image_rect: Rect,
) {
    let painter = ui.painter();
    let verdict = folder.verdict_label(item.verdict);
    let text = match human {
        Some(human) => format!("{verdict} · human {}", human.name()),
        None => verdict.to_string(),
    };
    let galley = painter.layout_no_wrap(text, FontId::proportional(12.0), Color32::WHITE);
    let rect = Rect::from_min_size(
        image_rect.min + Vec2::new(5.0, 5.0),
        galley.size() + Vec2::new(10.0, 4.0),
    );
    painter.rect_filled(rect, 5.0, verdict_color(item.verdict));
    painter.galley(rect.min + Vec2::new(5.0, 2.0), galley, Color32::WHITE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fill_the_width_and_never_drop_to_zero() {
        assert_eq!(columns_for(1000.0, 180.0), 5); // 5×180 + 4×10 = 940 ≤ 1000
        assert_eq!(columns_for(940.0, 180.0), 5);
        assert_eq!(columns_for(939.0, 180.0), 4);
        assert_eq!(columns_for(50.0, 180.0), 1);
    }

    #[test]
    fn one_image_fills_the_cell_a_pair_sits_side_by_side_four_samples_two_by_two() {
        let cell = Rect::from_min_size(egui::pos2(0.0, 0.0), Vec2::splat(100.0));
        assert_eq!(image_slots(cell, 1), [cell]);
        let pair = image_slots(cell, 2);
        assert_eq!(pair.len(), 2);
        assert_eq!(pair[0].min.y, pair[1].min.y);
        let four = image_slots(cell, 4);
        assert_eq!(four.len(), 4);
        assert!(four.iter().all(|slot| cell.contains_rect(*slot)));
        assert!(
            four[2].min.y > four[0].max.y,
            "the second row is below the first"
        );
        assert_eq!(image_slots(cell, 9).len(), 4, "at most four thumbnails");
    }
}

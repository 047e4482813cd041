//! Views: one file each, `*_ui` functions that read `AppState` and push `Command`s.

pub mod category_plot;
pub mod charts;
pub mod companion_charts;
pub mod companion_detail;
pub mod compare;
pub mod detail;
pub mod diagnostics;
pub mod failure_chart;
pub mod grid;
pub mod items;
pub mod presentation;
pub mod review;
pub mod series_editor;
pub mod start;
pub mod strip;
pub mod style;
pub mod top_bar;
pub mod trace;
pub mod trajectory;
pub mod widgets;

use crate::command::Command;
use crate::image_cache::ImageCache;
use crate::persist::View;
use crate::state::AppState;

/// The whole window: top bar, then the current view, then the zoom and drop overlays.
/// The presentation has the whole window to itself.
pub fn root_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    if state.ui.view != View::Presentation {
        egui::Panel::top("top_bar").show(ui, |ui| top_bar::top_bar_ui(ui, state, commands));
    }
    match state.ui.view {
        View::Start => {
            egui::CentralPanel::default().show(ui, |ui| start::start_ui(ui, state, commands));
        }
        View::Items => items::items_view_ui(ui, state, images, commands),
        View::Grid => grid::grid_view_ui(ui, state, images, commands),
        View::Presentation => presentation::presentation_ui(ui, state, images, commands),
        View::Compare => compare::compare_view_ui(ui, state, images, commands),
        View::Review => review::review_view_ui(ui, state, images, commands),
        View::Charts => {
            egui::CentralPanel::default().show(ui, |ui| charts::charts_ui(ui, state, commands));
        }
        View::Trajectory => {
            egui::CentralPanel::default()
                .show(ui, |ui| trajectory::trajectory_ui(ui, state, commands));
        }
        View::Strip => strip::strip_view_ui(ui, state, images, commands),
        View::Diagnostics => {
            egui::CentralPanel::default().show(ui, |ui| diagnostics::diagnostics_ui(ui, state));
        }
    }
    if let Some(path) = &state.ui.zoom {
        widgets::zoom_ui(ui.ctx(), path, images, commands);
    }
    if state.frame.files_hovering {
        drop_overlay(ui.ctx());
    }
}

/// Dims the window while files are dragged over it and says what dropping does.
fn drop_overlay(ctx: &egui::Context) {
    let rect = ctx.content_rect();
    egui::Area::new(egui::Id::unique("drop_overlay"))
        .order(egui::Order::Foreground)
        .fixed_pos(rect.min)
        .interactable(false)
        .show(ctx, |ui| {
            ui.painter()
                .rect_filled(rect, 0.0, egui::Color32::from_black_alpha(170));
            ui.allocate_ui_with_layout(
                rect.size(),
                egui::Layout::centered_and_justified(egui::Direction::TopDown),
                |ui| {
                    ui.label(
                        egui::RichText::new("Drop run folders to open them")
                            .size(28.0)
                            .color(egui::Color32::WHITE),
                    )
                },
            );
        });
}

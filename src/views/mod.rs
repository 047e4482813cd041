//! Views: one file each, `*_ui` functions that read `AppState` and push `Command`s.

pub mod category_plot;
pub mod charts;
pub mod compare;
pub mod detail;
pub mod diagnostics;
pub mod failure_chart;
pub mod items;
pub mod style;
pub mod top_bar;
pub mod widgets;

use crate::app::image_cache::ImageCache;
use crate::app::{AppState, Command, View};

/// The whole window: top bar, then the current view, then the zoom overlay.
pub fn root_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    images: &mut ImageCache,
    commands: &mut Vec<Command>,
) {
    egui::Panel::top("top_bar").show(ui, |ui| top_bar::top_bar_ui(ui, state, commands));
    match state.view {
        View::Items => items::items_view_ui(ui, state, images, commands),
        View::Compare => compare::compare_view_ui(ui, state, images, commands),
        View::Charts => {
            egui::CentralPanel::default().show(ui, |ui| charts::charts_ui(ui, state, commands));
        }
        View::Diagnostics => {
            egui::CentralPanel::default().show(ui, |ui| diagnostics::diagnostics_ui(ui, state));
        }
    }
    if let Some(path) = &state.zoom {
        widgets::zoom_ui(ui.ctx(), path, images, commands);
    }
}

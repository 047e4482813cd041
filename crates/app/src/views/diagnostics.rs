//! Diagnostics view: everything odd found while loading, with file and line.

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use crate::state::AppState;
use unisandbox_core::diagnostics::Severity;

pub fn diagnostics_ui(ui: &mut egui::Ui, state: &AppState) {
    let diagnostics = &state.data.dataset.diagnostics;
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    ui.horizontal(|ui| {
        ui.heading("Diagnostics");
        let plural = unisandbox_core::text::count_of;
        ui.label(format!(
            "{} · {} · {}",
            plural(count(Severity::Error), "error"),
            plural(count(Severity::Warning), "warning"),
            plural(count(Severity::Info), "note")
        ));
    });
    ui.label(RichText::new("Found while loading. The inspector never writes into run folders; fix the files and reopen.").weak());
    if diagnostics.is_empty() {
        ui.add_space(20.0);
        ui.label(RichText::new("Nothing odd found.").size(16.0));
        return;
    }
    // Sorted (errors first, then by file and line) once, when the data was loaded.
    let sorted = diagnostics;
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    TableBuilder::new(ui)
        .striped(true)
        .column(Column::auto().at_least(70.0))
        .column(Column::initial(520.0).resizable(true).clip(true))
        .column(Column::remainder())
        .header(row_height, |mut header| {
            for title in ["Severity", "File:line", "Problem"] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, sorted.len(), |mut row| {
                let d = &sorted[row.index()];
                let color = match d.severity {
                    Severity::Error => ui_error_color(),
                    Severity::Warning => egui::Color32::from_rgb(200, 120, 0),
                    Severity::Info => egui::Color32::GRAY,
                };
                row.col(|ui| {
                    ui.label(RichText::new(d.severity.label()).color(color).strong());
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(d.location()).truncate());
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(&d.message).truncate());
                });
            });
        });
}

fn ui_error_color() -> egui::Color32 {
    egui::Color32::from_rgb(200, 40, 40)
}

//! A part's reasoning trace as prose: the reasoning, the detailed prompt it ends with, where it
//! was read — and, when the trace files hold several records for the image, all of them.

use egui::{RichText, Vec2};
use unisandbox_core::model::{Part, TaskFolder, Trace};
use unisandbox_core::taxonomy::Cot;

use crate::views::widgets::placeholder;

pub fn trace_ui(ui: &mut egui::Ui, folder: &TaskFolder, part: &Part, other_traces: &[&Trace]) {
    let id = ui.make_persistent_id(("trace", part.label));
    egui::CollapsingHeader::new(RichText::new("Reasoning trace").strong()).id_salt(id).default_open(true).show(ui, |ui| {
        let Some(trace) = &part.trace else {
            let why = if part.verdict == unisandbox_core::model::Verdict::NotGenerated {
                "Not generated: there is no image and no trace for this question."
            } else if folder.setting.cot() == Some(Cot::Think) {
                "This think folder has no trace for this image: no output.jsonl record or .txt sidecar (single-GPU runs write none, and output.jsonl is rewritten on each run)."
            } else {
                "No trace: in normal mode the model generates directly, without chain-of-thought."
            };
            placeholder(ui, Vec2::new(ui.available_width(), 70.0), "No reasoning trace", why);
            return;
        };
        if other_traces.is_empty() {
            one_trace_ui(ui, trace);
            return;
        }
        let count = other_traces.len() + 1;
        ui.label(
            RichText::new(format!(
                "{count} traces for this image — which one produced it cannot be told from the files"
            ))
            .strong()
            .color(crate::views::style::ATTENTION),
        )
        .on_hover_text(
            "The trace file holds several records for this prompt (a stale record of a killed \
             run merged with a re-run's). The later record is used for analysis.",
        );
        let all = std::iter::once((trace, "used for analysis: the later record"))
            .chain(other_traces.iter().rev().map(|t| (*t, "an earlier record")));
        for (n, (trace, what)) in all.enumerate() {
            egui::CollapsingHeader::new(format!("Trace {} of {count} ({what}, {})", n + 1, trace.source.short()))
                .id_salt((id, n))
                .default_open(true)
                .show(ui, |ui| one_trace_ui(ui, trace));
        }
    });
}

/// One trace: its reasoning, the detailed prompt it ends with, and where it was read.
fn one_trace_ui(ui: &mut egui::Ui, trace: &Trace) {
    for paragraph in trace
        .reasoning
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
    {
        ui.add(egui::Label::new(RichText::new(paragraph.trim()).size(15.0)).wrap());
        ui.add_space(4.0);
    }
    ui.add_space(4.0);
    egui::Frame::new()
        .fill(ui.visuals().faint_bg_color)
        .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
        .corner_radius(6.0)
        .inner_margin(10.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new("Detailed prompt (what the image was generated from)").strong());
            match &trace.detailed_prompt {
                Some(prompt) => {
                    ui.add(egui::Label::new(RichText::new(prompt).italics().size(15.0)).wrap())
                }
                None => ui.label(
                    RichText::new(
                        "The launcher could not extract a detailed prompt from this trace.",
                    )
                    .weak(),
                ),
            };
        });
    ui.label(
        RichText::new(format!("from {}", trace.source.short()))
            .small()
            .weak(),
    )
    .on_hover_text(trace.source.to_string());
}

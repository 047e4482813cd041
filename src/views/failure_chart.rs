//! The failure breakdown charted: per task type and series, the judged-wrong items stacked by the
//! coarse class of their failure (count off, wrong object, other symbol's object, …).

use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, Legend, Plot};

use crate::analysis::failure::{Failure, class_breakdown};
use crate::app::AppState;
use crate::taxonomy::TaskKind;

const CLASS_COLORS: [Color32; 10] = [
    Color32::from_rgb(230, 159, 0),
    Color32::from_rgb(86, 180, 233),
    Color32::from_rgb(0, 158, 115),
    Color32::from_rgb(204, 121, 167),
    Color32::from_rgb(240, 228, 66),
    Color32::from_rgb(213, 94, 0),
    Color32::from_rgb(0, 114, 178),
    Color32::from_rgb(150, 110, 200),
    Color32::from_rgb(120, 120, 120),
    Color32::from_rgb(190, 190, 190),
];

/// `series`: (name, run, setting) in chart order; `kinds`: the x categories.
pub fn failure_chart_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    series: &[(String, String, String)],
    kinds: &[TaskKind],
    height: f32,
) {
    let counts = class_breakdown(&state.dataset, &state.insights);
    if counts.is_empty() || series.is_empty() {
        return;
    }
    ui.heading("Why items failed");
    ui.label(RichText::new("Judged-wrong items per task type, stacked by failure class; one bar per series in the order of the accuracy chart. Hover for counts.").weak());
    let group_width = 0.8;
    let bar_width = group_width / series.len() as f64;
    let labels: Vec<String> = kinds.iter().map(|k| k.label()).collect();
    Plot::new("failure_plot")
        .height(height)
        .legend(Legend::default())
        .include_y(0.0)
        .include_x(-0.6)
        .include_x(kinds.len() as f64 - 0.4)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .y_axis_label("items")
        .x_axis_formatter(move |mark, _| {
            let index = mark.value.round();
            if (mark.value - index).abs() < 1e-6 && index >= 0.0 {
                labels.get(index as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_grid_spacer(|input| {
            let (lo, hi) = input.bounds;
            ((lo.ceil() as i64).max(0)..=(hi.floor() as i64))
                .map(|v| egui_plot::GridMark {
                    value: v as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .show(ui, |plot_ui| {
            let mut charts: Vec<BarChart> = Vec::new();
            for (c, class) in Failure::CLASSES.iter().enumerate() {
                let color = CLASS_COLORS[c % CLASS_COLORS.len()];
                let mut bars = Vec::new();
                for (s, (name, run, setting)) in series.iter().enumerate() {
                    for (k, kind) in kinds.iter().enumerate() {
                        let n = counts
                            .get(&(run.clone(), setting.clone(), *kind, *class))
                            .copied()
                            .unwrap_or(0);
                        let x = k as f64 - group_width / 2.0 + bar_width * (s as f64 + 0.5);
                        bars.push(
                            Bar::new(x, n as f64)
                                .width(bar_width * 0.9)
                                .fill(color)
                                .name(format!("{name}\n{}: {n} × {class}", kind.label())),
                        );
                    }
                }
                if bars.iter().all(|b| b.value == 0.0) {
                    continue;
                }
                let previous: Vec<&BarChart> = charts.iter().collect();
                let chart = BarChart::new(*class, bars)
                    .color(color)
                    .element_formatter(Box::new(|bar, _| bar.name.clone()))
                    .stack_on(&previous);
                charts.push(chart);
            }
            for chart in charts {
                plot_ui.bar_chart(chart);
            }
        });
}

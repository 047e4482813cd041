//! Charts of the companion benchmarks: which benchmark the Charts tab shows (UniSandbox,
//! GenEval, WISE) when several are open, GenEval's official overall per series, and WISE's mean
//! WiScore per category with its bootstrap interval and the judge failures counted apart.

use egui::RichText;
use egui_plot::{Bar, BarChart, Line, PlotPoints};

use crate::views::category_plot::{bar_width, bar_x, labelled_plot};
use unisandbox_core::analysis::AccuracyRow;
use unisandbox_core::companion::scores::WiseScoreRow;
use unisandbox_core::model::Dataset;
use unisandbox_core::taxonomy::{Family, WiseCategory};

/// What the Charts tab shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Benchmark {
    UniSandbox,
    Geneval,
    Wise,
}

impl Benchmark {
    pub fn of(family: Family) -> Benchmark {
        match family {
            Family::Geneval => Benchmark::Geneval,
            Family::Wise => Benchmark::Wise,
            _ => Benchmark::UniSandbox,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Benchmark::UniSandbox => "UniSandbox",
            Benchmark::Geneval => "GenEval",
            Benchmark::Wise => "WISE",
        }
    }
}

/// The benchmarks among the loaded folders, UniSandbox first.
pub fn benchmarks_of(dataset: &Dataset) -> Vec<Benchmark> {
    let mut found: Vec<Benchmark> = Vec::new();
    for folder in &dataset.folders {
        let benchmark = Benchmark::of(folder.kind.family);
        if !found.contains(&benchmark) {
            found.push(benchmark);
        }
    }
    found.sort_by_key(|b| *b as u8);
    found
}

/// The benchmark picker (shown when more than one is open); returns the one to show.
pub fn benchmark_picker_ui(ui: &mut egui::Ui, available: &[Benchmark]) -> Benchmark {
    let id = egui::Id::unique("charts_benchmark");
    let mut shown = ui
        .data_mut(|d| d.get_temp::<u8>(id))
        .and_then(|b| available.iter().copied().find(|a| *a as u8 == b))
        .or_else(|| available.first().copied())
        .unwrap_or(Benchmark::UniSandbox);
    if available.len() > 1 {
        ui.horizontal(|ui| {
            ui.label("Benchmark:");
            for benchmark in available {
                ui.selectable_value(&mut shown, *benchmark, benchmark.name());
            }
        });
        ui.data_mut(|d| d.insert_temp(id, shown as u8));
    }
    shown
}

/// GenEval's overall per series, as `summary_scores.py` computes it: the plain mean of the
/// per-tag image accuracies.
pub fn geneval_overall_ui(ui: &mut egui::Ui, series: &[(String, Vec<AccuracyRow>)]) {
    ui.horizontal_wrapped(|ui| {
        ui.strong("Overall (mean of the tag accuracies, as summary_scores.py):");
        for (name, rows) in series {
            let tags: Vec<&AccuracyRow> = rows
                .iter()
                .filter(|r| r.family == Family::Geneval)
                .collect();
            if tags.is_empty() {
                continue;
            }
            let overall = tags.iter().map(|r| r.accuracy).sum::<f64>() / tags.len() as f64;
            let images: u64 = tags.iter().map(|r| r.total).sum();
            ui.label(format!("{name}: {overall:.5} ({images} images)"));
            ui.separator();
        }
    });
}

/// WISE: a bar per (run,) setting in each category — the mean WiScore of the judged images —
/// with the 95% bootstrap interval, then the table with judged images, judge failures and the
/// weighted overall.
pub fn wise_chart_ui(ui: &mut egui::Ui, rows: &[WiseScoreRow], run: Option<&str>, height: f32) {
    ui.heading("WISE: mean WiScore by category");
    ui.label(
        RichText::new(
            "WiScore per image = (0.7·consistency + 0.2·realism + 0.1·aesthetic) / 2, in [0, 1]; a \
             category's score is the mean over the images the judge judged. Judge failures (999 \
             in a score) are left out and counted — Calculate.py would average them in as 499.5. \
             Whiskers: 95% bootstrap interval of the mean.",
        )
        .weak(),
    );
    let rows: Vec<&WiseScoreRow> = rows
        .iter()
        .filter(|r| run.is_none_or(|run| r.run == run))
        .collect();
    let one_run = rows
        .iter()
        .all(|r| rows.first().is_some_and(|f| f.run == r.run));
    let name_of = |r: &WiseScoreRow| {
        if one_run {
            r.setting.clone()
        } else {
            format!("{} · {}", r.run, r.setting)
        }
    };
    let mut series: Vec<String> = Vec::new();
    for row in &rows {
        let name = name_of(row);
        if !series.contains(&name) {
            series.push(name);
        }
    }
    if series.is_empty() {
        ui.label("No WISE scores loaded (no Results/*_scores_results.jsonl).");
        return;
    }
    let categories = WiseCategory::ALL;
    let labels = categories.iter().map(|c| c.name().to_string()).collect();
    let count = series.len();
    let width = bar_width(count);
    let whisker_color = ui.visuals().strong_text_color();
    labelled_plot("wise_plot", labels, height, "mean WiScore")
        .include_y(1.0)
        .show(ui, |plot_ui| {
            for (s, name) in series.iter().enumerate() {
                let color = crate::views::style::series_color(s, count);
                let mut bars = Vec::new();
                for row in rows.iter().filter(|r| name_of(r) == *name) {
                    let (Some(category), Some(score)) = (row.category, row.score) else {
                        continue;
                    };
                    let k = categories.iter().position(|c| *c == category).unwrap_or(0);
                    let x = bar_x(k, s, count);
                    bars.push(
                        Bar::new(x, score)
                            .width(width * 0.9)
                            .fill(color)
                            .name(format!(
                                "{name}\n{}: {score:.3} over {} judged images{}",
                                category.name(),
                                row.judged - row.judge_failures,
                                failures_text(row.judge_failures)
                            )),
                    );
                    if let (Some(lo), Some(hi)) = (row.ci_low, row.ci_high) {
                        plot_ui.line(
                            Line::new("", PlotPoints::from(vec![[x, lo], [x, hi]]))
                                .color(whisker_color)
                                .width(1.5)
                                .allow_hover(false),
                        );
                    }
                }
                plot_ui.bar_chart(
                    BarChart::new(name.clone(), bars)
                        .color(color)
                        .element_formatter(Box::new(|bar, _| bar.name.clone())),
                );
            }
        });
    ui.add_space(8.0);
    egui::Grid::new("wise_table")
        .striped(true)
        .spacing([18.0, 6.0])
        .show(ui, |ui| {
            ui.strong("Category");
            for name in &series {
                ui.strong(name);
            }
            ui.end_row();
            for category in categories.iter().map(Some).chain([None]) {
                ui.label(category.map_or("Overall (weighted)", |c| c.name()));
                for name in &series {
                    let row = rows
                        .iter()
                        .find(|r| name_of(r) == *name && r.category == category.copied());
                    match row {
                        Some(row) => ui.label(cell_text(row)),
                        None => ui.label(RichText::new("—").weak()),
                    };
                }
                ui.end_row();
            }
        });
}

fn failures_text(failures: u64) -> String {
    match failures {
        0 => String::new(),
        1 => ", 1 judge failure left out".into(),
        n => format!(", {n} judge failures left out"),
    }
}

fn cell_text(row: &WiseScoreRow) -> String {
    let score = match (row.score, row.ci_low, row.ci_high) {
        (Some(score), Some(lo), Some(hi)) => format!("{score:.3} [{lo:.2}–{hi:.2}]"),
        (Some(score), ..) => format!("{score:.4}"),
        (None, ..) if row.category.is_none() => "— (a category has no score)".into(),
        (None, ..) => "—".into(),
    };
    let judged = row.judged - row.judge_failures;
    format!("{score} · n={judged}{}", failures_text(row.judge_failures))
}

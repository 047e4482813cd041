//! Grouped bar plots with task types on the x axis and one bar per series in each group: the
//! set-up shared by the accuracy chart and the failure chart.

use egui_plot::{Legend, Plot};

use unisandbox_core::taxonomy::TaskKind;

/// Fraction of a category's width taken by its group of bars.
const GROUP_WIDTH: f64 = 0.8;

/// Width of one series' bar when `series` bars share a category.
pub fn bar_width(series: usize) -> f64 {
    GROUP_WIDTH / series.max(1) as f64
}

/// x of series `s` (of `series`) in category `k`.
pub fn bar_x(k: usize, s: usize, series: usize) -> f64 {
    k as f64 - GROUP_WIDTH / 2.0 + bar_width(series) * (s as f64 + 0.5)
}

/// A fixed (no pan or zoom) plot whose x axis is labelled with the task types.
pub fn category_plot<'a>(id: &str, kinds: &[TaskKind], height: f32, y_label: &str) -> Plot<'a> {
    labelled_plot(
        id,
        kinds.iter().map(|k| k.label()).collect(),
        height,
        y_label,
    )
}

/// A fixed (no pan or zoom) plot with one category per label along the x axis.
pub fn labelled_plot<'a>(id: &str, labels: Vec<String>, height: f32, y_label: &str) -> Plot<'a> {
    Plot::new(id)
        .height(height)
        .legend(Legend::default())
        .include_y(0.0)
        .include_x(-0.6)
        .include_x(labels.len() as f64 - 0.4)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .y_axis_label(y_label)
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_centred_in_their_category() {
        assert!((bar_x(2, 0, 1) - 2.0).abs() < 1e-9);
        // Two series sit symmetrically around the category.
        assert!((bar_x(1, 0, 2) + bar_x(1, 1, 2) - 2.0).abs() < 1e-9);
        assert!((bar_width(4) - 0.2).abs() < 1e-9);
    }
}

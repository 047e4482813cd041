//! Which item the Checkpoints strip shows: the selected item at every checkpoint of its
//! training run, and the current one (no egui: the view draws it, commands move along it).

use crate::state::AppState;
use unisandbox_core::analysis::trajectory::{Series, across};

/// The series the item's run belongs to, and the item at each of its checkpoints.
pub struct Strip<'a> {
    pub series: &'a Series,
    /// (position in the series, dataset index), in step order.
    pub cells: Vec<(usize, usize)>,
    /// The index into `cells` of the current checkpoint.
    pub current: usize,
}

/// The strip of the selected item, if its run is part of a training run.
pub fn strip_of(state: &AppState) -> Option<Strip<'_>> {
    let selected = state.ui.selected?;
    let data = &state.data.dataset;
    let run = &data.folder_of(data.items.get(selected)?).run;
    let series = state
        .ui
        .charts
        .trajectory
        .series
        .iter()
        .find(|s| s.runs.iter().any(|(r, _)| r == run))?;
    let cells = across(data, &state.data.item_index, series, selected);
    let own = cells.iter().position(|(_, index)| *index == selected)?;
    let current = state
        .ui
        .strip_step
        .and_then(|step| cells.iter().position(|(position, _)| *position == step))
        .unwrap_or(own);
    Some(Strip {
        series,
        cells,
        current,
    })
}

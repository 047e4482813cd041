//! The session across restarts: what is restored at start and what is saved (eframe storage).

use std::path::PathBuf;

use super::persist::{self, Persisted};
use super::{InspectorApp, View, absolute};

impl InspectorApp {
    /// Applies the last session's state; filters and selection only when the same folders open.
    pub(super) fn restore(&mut self, ctx: &egui::Context, restore: Persisted, paths: &[PathBuf]) {
        let state = &mut self.state;
        state.settings.recent = restore.recent;
        state.settings.theme = restore.theme;
        ctx.set_theme(state.settings.theme.preference());
        state.settings.grid_thumbnail = restore.grid_thumbnail.clamp(
            *persist::THUMBNAIL_RANGE.start(),
            *persist::THUMBNAIL_RANGE.end(),
        );
        if !restore.reviewer.is_empty() {
            state.settings.reviewer = restore.reviewer;
        }
        if restore.cache_budget_mb > 0 {
            state.settings.cache_budget_mb = restore.cache_budget_mb;
            unisandbox_remote::cache::set_budget(state.settings.cache_budget_mb << 20);
        }
        state.settings.series_edits = restore.series_edits;
        let paths: Vec<PathBuf> = paths.iter().cloned().map(absolute).collect();
        if restore.last_opened == paths {
            state.ui.filters = restore.filters;
            self.select_key_on_load = restore.selected;
        }
    }

    /// What to remember for the next session.
    pub fn persisted(&self) -> Persisted {
        let state = &self.state;
        Persisted {
            recent: state.settings.recent.clone(),
            // Never start full screen in a presentation.
            view: match state.ui.view {
                View::Presentation => state.ui.view_before_presentation,
                view => view,
            },
            last_opened: state.opened.clone(),
            filters: state.ui.filters.clone(),
            selected: state
                .ui
                .selected
                .map(|i| state.data.dataset.key_of(&state.data.dataset.items[i])),
            theme: state.settings.theme,
            grid_thumbnail: state.settings.grid_thumbnail,
            reviewer: state.settings.reviewer.clone(),
            cache_budget_mb: state.settings.cache_budget_mb,
            series_edits: state.settings.series_edits.clone(),
        }
    }
}

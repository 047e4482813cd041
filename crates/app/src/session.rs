//! The session across restarts: what is restored at start and what is saved (eframe storage).

use std::path::PathBuf;

use super::persist::{self, Persisted};
use super::{InspectorApp, View, absolute};

impl InspectorApp {
    /// Applies the last session's state; filters and selection only when the same folders open.
    pub(super) fn restore(&mut self, ctx: &egui::Context, restore: Persisted, paths: &[PathBuf]) {
        let state = &mut self.state;
        state.recent = restore.recent;
        state.theme = restore.theme;
        ctx.set_theme(state.theme.preference());
        state.grid_thumbnail = restore.grid_thumbnail.clamp(
            *persist::THUMBNAIL_RANGE.start(),
            *persist::THUMBNAIL_RANGE.end(),
        );
        if !restore.reviewer.is_empty() {
            state.reviewer = restore.reviewer;
        }
        if restore.cache_budget_mb > 0 {
            state.cache_budget_mb = restore.cache_budget_mb;
            unisandbox_remote::cache::set_budget(state.cache_budget_mb << 20);
        }
        let paths: Vec<PathBuf> = paths.iter().cloned().map(absolute).collect();
        if restore.last_opened == paths {
            state.filters = restore.filters;
            self.select_key_on_load = restore.selected;
        }
    }

    /// What to remember for the next session.
    pub fn persisted(&self) -> Persisted {
        let state = &self.state;
        Persisted {
            recent: state.recent.clone(),
            // Never start full screen in a presentation.
            view: match state.view {
                View::Presentation => state.view_before_presentation,
                view => view,
            },
            last_opened: state.opened.clone(),
            filters: state.filters.clone(),
            selected: state
                .selected
                .map(|i| state.dataset.key_of(&state.dataset.items[i])),
            theme: state.theme,
            grid_thumbnail: state.grid_thumbnail,
            reviewer: state.reviewer.clone(),
            cache_budget_mb: state.cache_budget_mb,
        }
    }
}

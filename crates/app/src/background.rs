//! Work on the whole list that outgrows a frame at scale: filtering and the Charts counts. Below
//! `BACKGROUND_FROM` items it runs at once; above, on the blocking pool while the view keeps its
//! last result, and only the newest result is taken.

use std::sync::Arc;

use tokio::sync::oneshot::{Receiver, error::TryRecvError};

use super::{InspectorApp, charts_cache};
use unisandbox_core::filters::{filter_items_unless, filter_items_with};
use unisandbox_core::search::SearchField;

/// From this many items the list is filtered and the charts counted on the background pool (a
/// pass over a million items takes tens of milliseconds: longer than a frame).
pub(super) const BACKGROUND_FROM: usize = 200_000;

/// A search that reads the think traces scans them in place (hundreds of bytes an item, not
/// the shared index): from this many items it goes to the background pool too (at 1M items it
/// takes ~150 ms on 2 cores; at 20k, ~3 ms).
const TRACE_SEARCH_IN_BACKGROUND_FROM: usize = 20_000;
/// The Charts counts (with a training run's trajectory and item dynamics, ~0.5 µs an item) go
/// to the background from this many items: a frame stays under 16 ms.
const CHARTS_IN_BACKGROUND_FROM: usize = 20_000;

/// A job's result once it has arrived; a job that ended without one is forgotten.
fn finished<T>(job: &mut Option<Receiver<T>>) -> Option<T> {
    let result = match job.as_mut()?.try_recv() {
        Ok(result) => Some(result),
        Err(TryRecvError::Empty) => return None,
        Err(TryRecvError::Closed) => None,
    };
    *job = None;
    result
}

impl InspectorApp {
    /// Filters the list again: at once below `background_from` items, else on the
    /// background pool while the list keeps showing the last result; a newer pass (the next
    /// keystroke) makes older ones give up (unstarted, or midway through the search) and their
    /// results be dropped.
    pub(super) fn refilter(&mut self) {
        use std::sync::atomic::Ordering;
        let generation = self.filter_generation.fetch_add(1, Ordering::SeqCst) + 1;
        // Compiled once per change of the filters, not in every frame that shows the box.
        self.state.ui.search_error = self.state.ui.filters.query().err();
        let items = self.state.data.dataset.items.len();
        let filters = &self.state.ui.filters;
        let scans_traces = !filters.search.trim().is_empty()
            && matches!(
                filters.search_field,
                SearchField::All | SearchField::Prompt | SearchField::Trace
            );
        let in_background = items >= self.background_from
            || (scans_traces && items >= TRACE_SEARCH_IN_BACKGROUND_FROM.min(self.background_from));
        if !in_background {
            self.filter_job = None;
            let filtered = filter_items_with(
                &self.state.data.dataset,
                &self.state.ui.filters,
                &self.state.data.insights,
                &self.state.annotations,
                Some(&self.state.data.search),
            );
            self.take_filtered(filtered);
            return;
        }
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let dataset = self.state.data.dataset.clone();
        let filters = self.state.ui.filters.clone();
        let insights = self.state.data.insights.clone();
        let annotations = self.state.annotations.clone();
        let search = self.state.data.search.clone();
        let (newest, ctx) = (Arc::clone(&self.filter_generation), self.ctx.clone());
        self._runtime.spawn_blocking(move || {
            if newest.load(Ordering::SeqCst) != generation {
                return; // a newer pass was asked for before this one started
            }
            // A newer keystroke makes this pass give up midway (its answer would be dropped).
            let superseded = || newest.load(Ordering::SeqCst) != generation;
            let Some(filtered) = filter_items_unless(
                &dataset,
                &filters,
                &insights,
                &annotations,
                Some(&search),
                &superseded,
            ) else {
                return;
            };
            if sender.send(filtered).is_ok() {
                ctx.request_repaint();
            }
        });
        self.filter_job = Some(receiver);
    }

    /// The data, annotations or a toggle changed: the Charts view's counts must be redone (a
    /// computation under way is for the old state and is dropped).
    pub(super) fn charts_changed(&mut self) {
        self.charts_stale = true;
        self.charts_job = None;
        self.state.ui.charts_computing = false;
    }

    /// Counts for the Charts view: at once for small datasets, else in the background (the view
    /// says so meanwhile).
    pub(super) fn refresh_charts(&mut self) {
        let items = self.state.data.dataset.items.len();
        if items < CHARTS_IN_BACKGROUND_FROM.min(self.background_from) {
            self.state.ui.charts = charts_cache::ChartsCache::compute(self.state.charts_input());
            self.charts_stale = false;
            return;
        }
        if self.charts_job.is_some() {
            return;
        }
        // The counts read the loaded data (shared by pointer), the annotations and the toggles.
        let data = self.state.data.clone();
        let annotations = self.state.annotations.clone();
        let series_edits = self.state.series_edits().clone();
        let previous_trajectory = Some(Arc::clone(&self.state.ui.charts.trajectory));
        let (exclude_suspect, human_corrected, exclude_judge_failures) = (
            self.state.ui.exclude_suspect,
            self.state.ui.human_corrected,
            self.state.ui.exclude_judge_failures,
        );
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let ctx = self.ctx.clone();
        self._runtime.spawn_blocking(move || {
            let input = charts_cache::ChartsInput {
                data: &data,
                annotations: &annotations,
                exclude_suspect,
                human_corrected,
                exclude_judge_failures,
                series_edits: &series_edits,
                previous_trajectory,
            };
            if sender
                .send(charts_cache::ChartsCache::compute(input))
                .is_ok()
            {
                ctx.request_repaint();
            }
        });
        self.charts_job = Some(receiver);
        self.state.ui.charts_computing = true;
    }

    /// Takes what the background jobs finished: the Charts counts, the filtered list.
    pub(super) fn poll_background(&mut self) {
        if let Some(charts) = finished(&mut self.charts_job) {
            self.state.ui.charts = charts;
            self.charts_stale = false;
        }
        self.state.ui.charts_computing = self.charts_job.is_some();
        if let Some(filtered) = finished(&mut self.filter_job) {
            self.take_filtered(filtered);
        }
    }

    /// Shows a filter result, keeping the selection when it is still listed.
    fn take_filtered(&mut self, filtered: Vec<usize>) {
        self.state.ui.filtered = filtered;
        let still_visible = self
            .state
            .ui
            .selected
            .is_some_and(|s| self.state.ui.filtered.binary_search(&s).is_ok());
        if !still_visible {
            self.state.ui.selected = self.state.ui.filtered.first().copied();
        }
    }
}

//! Live reload: the opened folders are watched; settled changes start a background reload, and
//! the reloaded dataset replaces the old one with selection, filters and compare row kept.

use std::path::PathBuf;
use std::time::Instant;

use super::InspectorApp;
use super::loader;
use super::remote_poll::RemotePoller;
use super::watcher::FolderWatcher;

impl InspectorApp {
    pub(super) fn watch(&mut self, ctx: &egui::Context, paths: &[PathBuf]) {
        self.watcher = None;
        self.state.watching = false;
        if !self.live_reload {
            return;
        }
        let existing: Vec<PathBuf> = paths.iter().filter(|p| p.exists()).cloned().collect();
        let repaint = ctx.clone();
        match FolderWatcher::new(&existing, move || repaint.request_repaint()) {
            Ok(watcher) => {
                self.watcher = Some(watcher);
                self.state.watching = !existing.is_empty();
            }
            Err(err) => {
                self.state.frame.notice = Some(format!(
                    "Live reload is off: cannot watch the folders ({err}). Reopen to refresh."
                ))
            }
        }
    }

    /// The loader mirrored the remote URLs: reload from the copies, list the store again every
    /// few seconds, say which copies are offline and which URLs could not be opened.
    pub(super) fn take_resolved(&mut self, resolved: loader::Resolved) {
        self.state.local_roots = resolved.local;
        self.state.remote = resolved.remote;
        self.state.cache_usage = resolved.cache_usage;
        self.state.unopened = resolved
            .problems
            .iter()
            .map(|(path, _)| path.clone())
            .collect();
        if !resolved.problems.is_empty() {
            let messages: Vec<&str> = resolved.problems.iter().map(|(_, m)| m.as_str()).collect();
            self.state.frame.notice = Some(messages.join("\n"));
        }
        if self.live_reload && !self.state.remote.is_empty() {
            let urls = self.state.remote.iter().map(|r| r.url.clone()).collect();
            let repaint = self.ctx.clone();
            let every = self.remote_poll_every;
            // A copy opened from the cache is listed at once, not after the first interval.
            let list_now = self.state.remote.iter().any(|r| r.unlisted);
            match RemotePoller::start(urls, None, every, list_now, move || {
                repaint.request_repaint()
            }) {
                Ok(poller) => {
                    self.remote_poller = Some(poller);
                    self.state.watching = true;
                }
                Err(err) => {
                    self.state.frame.notice = Some(format!(
                        "Live reload of the remote runs is off ({err}). Reopen to refresh."
                    ))
                }
            }
        }
    }

    /// Collects file changes and starts a background reload when they have settled.
    pub(super) fn live_reload(&mut self, ctx: &egui::Context) {
        let now = Instant::now();
        if let Some(watcher) = &self.watcher {
            let changed = watcher.changed_paths();
            if !changed.is_empty() {
                self.reload_timer.changed(now);
                self.changed_paths.extend(changed);
            }
        }
        if let Some(poller) = &self.remote_poller {
            for report in poller.reports() {
                if let Some(opened) = self.state.remote.iter_mut().find(|r| r.url == report.url) {
                    opened.offline_since = report.offline_since;
                    opened.unlisted = false;
                }
                if let Some(problem) = report.problem {
                    self.state.frame.notice = Some(problem);
                }
                if !report.changed.is_empty() {
                    self.reload_timer.changed(now);
                    self.changed_paths.extend(report.changed);
                }
            }
        }
        if self.loader.is_loading() || self.loader.is_reloading() {
            return;
        }
        if self.reload_timer.is_due(now) {
            self.reload_timer.reset();
            let changed = std::mem::take(&mut self.changed_paths);
            self.images.forget(&changed);
            let plan = self.state.reload_plan(&changed);
            self.loader.start_reload(
                plan,
                self.state.previous(),
                self.state.ui.compare.sides.clone(),
                ctx,
            );
        } else if let Some(wait) = self.reload_timer.wait(now) {
            ctx.request_repaint_after(wait);
        }
    }

    /// Swaps in a reloaded dataset, keeping filters, selection and compare sides.
    pub(super) fn finish_reload(&mut self, reloaded: loader::ReloadResult) {
        let selected = self.state.ui.selected.map(|i| {
            self.state
                .data
                .dataset
                .key_of(&self.state.data.dataset.items[i])
        });
        let compare_key = self.state.ui.compare.selected_key();
        self.state.data.dataset = reloaded.dataset;
        self.state.set_derived(reloaded.derived);
        self.charts_changed();
        self.state.ui.selected = selected.and_then(|key| self.state.item_index_of(&key));
        self.refilter();
        if let Some(key) = compare_key {
            self.state.ui.compare.select_key(&key);
        }
        if let Some(message) = reloaded.summary.message() {
            self.state.last_reload =
                Some((format!("Updated from disk: {message}"), Instant::now()));
        }
        if let Some(run) = self.state.settings.recent.first_mut()
            && run.paths == self.state.opened
        {
            run.task_folders = self.state.data.dataset.folders.len();
            run.items = self.state.data.dataset.items.len();
        }
    }
}

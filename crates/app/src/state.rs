//! `AppState`: everything the views read, split by lifetime (the loaded data itself:
//! `derived`).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use unisandbox_core::analysis::trajectory::SeriesEdits;

use super::charts_cache::ChartsCache;
use super::compare;
pub use super::derived::LoadedData;
use super::derived::{Derived, Previous, ReloadPlan, Reloaded, merge_reload};
use super::loader::LoadProgress;
use super::persist::View;
use super::persist::{RecentRun, Theme};
use unisandbox_core::filters::{Annotations, Filters};
use unisandbox_core::load::changes::ReloadSummary;
use unisandbox_core::load::refresh;

/// A review of the judge in progress.
#[derive(Clone, Debug, Default)]
pub struct ReviewSession {
    /// Dataset indices of the items to review, in order.
    pub queue: Vec<usize>,
    pub position: usize,
    pub sample: unisandbox_core::review::Sample,
    /// The right answer being typed after K (`Some` while the field is open).
    pub typing_answer: Option<String>,
    /// The queue was built for the data now open (it may be empty).
    pub built: bool,
    /// A right answer typed for the item under review, used by its next Y/N.
    pub corrected_answer: Option<String>,
    /// An optional reason, stored with the next verdict.
    pub reason: String,
    /// Queued items with a human verdict (kept up to date, not counted per frame).
    pub reviewed: usize,
    /// What each verdict of this session replaced, for undo: (item, queue position, before).
    pub undo: Vec<(
        unisandbox_core::model::ItemKey,
        usize,
        Option<unisandbox_core::annotations::Review>,
    )>,
}

impl ReviewSession {
    pub fn current(&self) -> Option<usize> {
        self.queue.get(self.position).copied()
    }
}

/// The user's settings: restored at start and saved with the session (`persist`).
#[derive(Default)]
pub struct Settings {
    /// Recently opened folder sets, newest first (the start page lists them).
    pub recent: Vec<RecentRun>,
    pub theme: Theme,
    /// Thumbnail side in the grid view, in points.
    pub grid_thumbnail: f32,
    /// The name recorded with human verdicts (a setting).
    pub reviewer: String,
    /// The remote cache's size budget in MiB (a setting).
    pub cache_budget_mb: u64,
    /// How the user edited the training runs' series, per folder set (`series_key`).
    pub series_edits: std::collections::BTreeMap<String, SeriesEdits>,
}

/// The folder set's key in `Settings::series_edits`: its paths, one per line.
pub fn series_key(opened: &[PathBuf]) -> String {
    opened
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where the user is in the views: the view, its filters, selection and toggles.
#[derive(Default)]
pub struct ViewState {
    pub view: View,
    pub filters: Filters,
    /// Why the search does not compile (a bad regular expression), said under the box.
    pub search_error: Option<String>,
    /// Dataset indices of the items passing the filters.
    pub filtered: Vec<usize>,
    pub selected: Option<usize>,
    pub zoom: Option<PathBuf>,
    pub chart_run: Option<String>,
    /// Chart accuracy without the items whose answer key the audit flags.
    pub exclude_suspect: bool,
    /// Chart accuracy with human verdicts replacing the judge's where there are any.
    pub human_corrected: bool,
    /// Chart accuracy over the items the judge actually judged (failed judge calls left out).
    pub exclude_judge_failures: bool,
    pub compare: compare::CompareState,
    pub review: ReviewSession,
    /// Presentation: show the normal and think versions of the item side by side.
    pub pair_slide: bool,
    /// The view to return to when the presentation ends.
    pub view_before_presentation: View,
    /// Columns the grid laid out last frame (its arrow keys move by a row of them).
    pub grid_columns: usize,
    /// The strip's current checkpoint: a position in the selected item's series (`None`: the
    /// selected item's own). Kept while ↑/↓ move through the list, to compare items at a step.
    pub strip_step: Option<usize>,
    /// Where the accuracy chart was drawn last (for "Save chart as PNG"); `None` until Charts
    /// has been shown.
    pub chart_rect: Option<egui::Rect>,
    /// What is typed into the Start page's URL box.
    pub remote_input: String,
    /// What the Charts view draws; refreshed by the app when it is stale and Charts is shown.
    pub charts: ChartsCache,
    /// `charts` is being recounted in the background (large datasets).
    pub charts_computing: bool,
}

/// Messages and one-frame flags: set by a command or an event, read (and cleared) by a view.
#[derive(Default)]
pub struct FrameNotices {
    /// A one-line message for the user (e.g. no file dialog available).
    pub notice: Option<String>,
    /// Files are being dragged over the window.
    pub files_hovering: bool,
    /// Set for one frame to put the keyboard focus into the search box.
    pub focus_search: bool,
    /// Set when the selection moved by keyboard, so the list scrolls to it.
    pub scroll_to_selected: bool,
}

/// Everything the views read, by lifetime: the opened runs and their sources (here), the loaded
/// data, the settings, the view state and this frame's notices.
#[derive(Default)]
pub struct AppState {
    /// The PATHs as the user gave them (remote URLs as typed): recent runs remember these.
    pub opened: Vec<PathBuf>,
    /// The same as folders on disk: remote URLs replaced by their cached copies.
    pub local_roots: Vec<PathBuf>,
    /// The opened remote runs: their copies and whether the store answered at the last listing.
    pub remote: Vec<unisandbox_remote::Opened>,
    /// PATHs that could not be opened at all (a URL whose store refused, with no cached copy):
    /// the notice says why, so "nothing found" is not said of them too.
    pub unopened: Vec<PathBuf>,
    /// Where the remote cache is and how much it holds (refreshed after each open).
    pub cache_usage: Option<(PathBuf, u64)>,
    pub progress: LoadProgress,
    /// Cached annotations (the store is the source of truth and is written first).
    pub annotations: Annotations,
    /// Tags offered for tagging: defaults, then the user's own. Keys 1–9 apply the first nine.
    pub tag_names: Vec<String>,
    /// Where annotations are stored, for display; `None` when storage failed to open.
    pub annotations_file: Option<PathBuf>,
    /// Benchmark JSONL (file or folder) given with `--benchmark`, for "not generated" items.
    pub benchmark: Option<PathBuf>,
    /// The bundled sample runs, when they are on disk (looked up once at start).
    pub sample_runs: Option<PathBuf>,
    /// Live reload: what the last reload changed, and when it finished.
    pub last_reload: Option<(String, Instant)>,
    /// Live reload is watching the opened folders.
    pub watching: bool,
    pub data: LoadedData,
    pub settings: Settings,
    pub ui: ViewState,
    pub frame: FrameNotices,
}

impl AppState {
    /// What the Charts counts read, borrowed from here.
    pub fn charts_input(&self) -> crate::charts_cache::ChartsInput<'_> {
        crate::charts_cache::ChartsInput {
            data: &self.data,
            annotations: &self.annotations,
            exclude_suspect: self.ui.exclude_suspect,
            human_corrected: self.ui.human_corrected,
            exclude_judge_failures: self.ui.exclude_judge_failures,
            series_edits: self.series_edits(),
            previous_trajectory: Some(std::sync::Arc::clone(&self.ui.charts.trajectory)),
        }
    }

    /// The series edits of the opened folder set.
    pub fn series_edits(&self) -> &SeriesEdits {
        static NONE: std::sync::LazyLock<SeriesEdits> =
            std::sync::LazyLock::new(SeriesEdits::default);
        self.settings
            .series_edits
            .get(&series_key(&self.opened))
            .unwrap_or(&NONE)
    }

    pub fn annotation_of(
        &self,
        item: &unisandbox_core::model::Item,
    ) -> Option<&unisandbox_core::annotations::Annotation> {
        self.annotations
            .get(&self.data.dataset.annotation_key_of(item))
    }

    /// Why the item's answer key is suspect (benchmark audit) — unless a reviewer already fixed
    /// the key (K in review mode), which overrides the audit for that item.
    pub fn suspect_reasons(&self, item: &unisandbox_core::model::Item) -> Option<&Vec<String>> {
        self.data.suspect_reasons(item, &self.annotations)
    }

    /// Recomputes what is derived from the whole dataset here (tests, bench); the app computes
    /// it in the background and calls `set_derived`.
    pub fn derive(&mut self) {
        let derived = Derived::compute(&self.data.dataset, &self.ui.compare.sides);
        self.set_derived(derived);
    }

    /// Takes what was derived from the current dataset: audit, failure taxonomy, item index,
    /// search, and the compare lists (kept where the user is in them).
    /// What is derived now, for a reload to reuse.
    pub fn previous(&self) -> Previous {
        Previous {
            dataset: self.data.dataset.clone(),
            insights: self.data.insights.clone(),
            search: self.data.search.clone(),
        }
    }

    pub fn set_derived(&mut self, derived: Derived) {
        let Derived {
            suspect_keys,
            insights,
            item_index,
            search,
            failure_labels,
            compare,
        } = derived;
        self.data.suspect_keys = Arc::new(suspect_keys);
        self.data.insights = Arc::new(insights);
        self.data.item_index = Arc::new(item_index);
        self.data.search = Arc::new(search);
        self.data.failure_labels = failure_labels;
        if self.ui.compare.sides.is_empty() || self.ui.compare.sides == compare.sides {
            self.ui.compare.sides = compare.sides;
            self.ui.compare.keys = compare.keys;
            self.ui.compare.flips = compare.flips;
            self.ui.compare.clamp();
        } else {
            // The sides changed while this was computed: list them now.
            self.ui
                .compare
                .refresh(&self.data.dataset, &self.data.item_index);
        }
    }

    /// What to load again for these changed files: their task folders, or everything when a
    /// folder-level reload cannot express the change.
    pub fn reload_plan(&self, changed: &BTreeSet<PathBuf>) -> ReloadPlan {
        let benchmark = self.benchmark.clone();
        match refresh::affected_folders(&self.data.dataset, changed) {
            Some(folders) => ReloadPlan::Folders {
                grown: refresh::grown_csvs(&self.data.dataset, &folders, changed),
                specs: folders
                    .into_iter()
                    .map(|i| (i, refresh::spec_of(&self.data.dataset.folders[i])))
                    .collect(),
                benchmark,
            },
            None => ReloadPlan::Full {
                paths: self.local_roots.clone(),
                benchmark,
            },
        }
    }

    /// Puts a reload's result into the dataset and says what changed. The caller derives again.
    pub fn apply_reload(&mut self, reloaded: Reloaded) -> ReloadSummary {
        let (dataset, summary) = merge_reload(&self.data.dataset, reloaded);
        self.data.dataset = dataset;
        summary
    }

    /// The index of the item with this key: from the item index when it is built for this
    /// dataset, else by a scan.
    pub fn item_index_of(&self, key: &unisandbox_core::model::ItemKey) -> Option<usize> {
        if self.data.item_index.len() == self.data.dataset.items.len() {
            return self.data.item_index.find(&self.data.dataset, key);
        }
        self.data.dataset.find(key)
    }

    /// Position of the selection in the filtered list.
    pub fn selected_row(&self) -> Option<usize> {
        let selected = self.ui.selected?;
        self.ui.filtered.iter().position(|&i| i == selected)
    }

    /// The same prompt in the other CoT setting of the same run (normal ↔ think), if loaded.
    pub fn counterpart(&self, index: usize) -> Option<usize> {
        let item = &self.data.dataset.items[index];
        let folder = self.data.dataset.folder_of(item);
        let other = folder.setting.cot()?.other().name();
        self.data.item_index.get(
            &self.data.dataset,
            &folder.run,
            other,
            &folder.stem,
            &item.id,
        )
    }
}

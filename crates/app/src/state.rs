//! `AppState`: everything the views read, and what is derived from the loaded dataset.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::View;
use super::charts_cache::ChartsCache;
use super::compare;
use super::loader::{LoadProgress, ReloadPlan, Reloaded};
use super::persist::{RecentRun, Theme};
use unisandbox_core::filters::{Annotations, Filters};
use unisandbox_core::load::changes::ReloadSummary;
use unisandbox_core::load::refresh;
use unisandbox_core::model::Dataset;

/// What is computed from a whole dataset: built off the UI thread after a load or a reload,
/// swapped in with the dataset it belongs to.
#[derive(Default)]
pub struct Derived {
    pub suspect_keys: HashMap<(String, String), Vec<String>>,
    pub insights: Vec<unisandbox_core::analysis::insights::ItemInsight>,
    pub item_index: compare::ItemIndex,
    pub search: unisandbox_core::search::SearchIndex,
    /// Every failure label that occurs, sorted (the Failure filter's choices).
    pub failure_labels: Vec<String>,
    /// The Compare view's items and flips for the sides compared (the default sides when none).
    pub compare: compare::CompareState,
}

/// What was derived for the dataset before a reload: per-item results of the items the reload
/// kept (the same `Arc`s) are copied instead of computed again.
#[derive(Clone)]
pub struct Previous {
    pub dataset: Arc<Dataset>,
    pub insights: Arc<Vec<unisandbox_core::analysis::insights::ItemInsight>>,
    pub search: Arc<unisandbox_core::search::SearchIndex>,
}

impl Derived {
    /// The parts are independent: they are computed side by side on the rayon pool.
    pub fn compute(dataset: &Dataset, sides: &[unisandbox_core::analysis::flips::Side]) -> Derived {
        Derived::compute_after(None, dataset, sides)
    }

    /// `compute`, reusing what `previous` derived for the items a reload kept.
    pub fn compute_after(
        previous: Option<&Previous>,
        dataset: &Dataset,
        sides: &[unisandbox_core::analysis::flips::Side],
    ) -> Derived {
        let ((insights, suspect_keys), (item_index, search)) = rayon::join(
            || {
                rayon::join(
                    || {
                        unisandbox_core::analysis::insights::insights_reusing(
                            dataset,
                            previous.map(|p| (&*p.dataset, p.insights.as_slice())),
                        )
                    },
                    || suspect_keys(dataset),
                )
            },
            || {
                rayon::join(
                    || compare::item_index(dataset),
                    || match previous {
                        Some(p) => p.search.rebuilt(Some(&p.dataset), dataset),
                        None => unisandbox_core::search::SearchIndex::build(dataset),
                    },
                )
            },
        );
        let (failure_labels, compare) = rayon::join(
            || failure_labels(&insights),
            || {
                let mut compare = compare::CompareState {
                    sides: if sides.is_empty() {
                        compare::default_sides(dataset)
                    } else {
                        sides.to_vec()
                    },
                    ..Default::default()
                };
                compare.refresh(dataset, &item_index);
                compare
            },
        );
        Derived {
            suspect_keys,
            item_index,
            search,
            failure_labels,
            insights,
            compare,
        }
    }
}

/// Every failure label in use, sorted: from the few distinct insights, not one label list per
/// item (a million items have a few dozen distinct ones).
fn failure_labels(insights: &[unisandbox_core::analysis::insights::ItemInsight]) -> Vec<String> {
    let distinct: std::collections::HashSet<&unisandbox_core::analysis::insights::ItemInsight> =
        insights.iter().collect();
    let labels: BTreeSet<String> = distinct.into_iter().flat_map(|i| i.labels()).collect();
    labels.into_iter().collect()
}

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

/// The loaded data and what is derived from it: replaced as a whole when a load or a reload
/// finishes, shared with background jobs (charts counts, filtering, exports) by pointer.
#[derive(Clone, Default)]
pub struct LoadedData {
    /// Shared with background jobs (exports, reloads) without copying.
    pub dataset: Arc<Dataset>,
    /// Benchmark audit of the loaded items: (stem, item id) → reasons its key is suspect.
    pub suspect_keys: Arc<HashMap<(String, String), Vec<String>>>,
    /// Failure taxonomy per item (by dataset index); empty until loading finishes. Shared with
    /// export jobs without a copy.
    pub insights: Arc<Vec<unisandbox_core::analysis::insights::ItemInsight>>,
    /// (run, setting, stem, id) → item index; built when loading finishes.
    pub item_index: Arc<compare::ItemIndex>,
    /// Text search over the loaded items; built when loading finishes (shared with filter jobs).
    pub search: Arc<unisandbox_core::search::SearchIndex>,
    /// The Failure filter's choices.
    pub failure_labels: Vec<String>,
}

impl LoadedData {
    /// Why the item's answer key is suspect (benchmark audit) — unless a reviewer already fixed
    /// the key (K in review mode), which overrides the audit for that item.
    pub fn suspect_reasons(
        &self,
        item: &unisandbox_core::model::Item,
        annotations: &Annotations,
    ) -> Option<&Vec<String>> {
        let stem = &self.dataset.folder_of(item).stem;
        let reasons = self.suspect_keys.get(&(stem.clone(), item.id.clone()))?;
        let fixed = annotations
            .get(&self.dataset.annotation_key_of(item))
            .and_then(|a| a.review.as_ref())
            .is_some_and(|r| r.corrected_answer.is_some());
        (!fixed).then_some(reasons)
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
}

/// Where the user is in the views: the view, its filters, selection and toggles.
#[derive(Default)]
pub struct ViewState {
    pub view: View,
    pub filters: Filters,
    /// Dataset indices of the items passing the filters.
    pub filtered: Vec<usize>,
    pub selected: Option<usize>,
    pub zoom: Option<PathBuf>,
    pub chart_run: Option<String>,
    /// Chart accuracy without the items whose answer key the audit flags.
    pub exclude_suspect: bool,
    /// Chart accuracy with human verdicts replacing the judge's where there are any.
    pub human_corrected: bool,
    pub compare: compare::CompareState,
    pub review: ReviewSession,
    /// Presentation: show the normal and think versions of the item side by side.
    pub pair_slide: bool,
    /// The view to return to when the presentation ends.
    pub view_before_presentation: View,
    /// Columns the grid laid out last frame (its arrow keys move by a row of them).
    pub grid_columns: usize,
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

/// The dataset after a reload, and what changed. Pure, so it runs on a background thread: the
/// current dataset is shared, copied only when folders are spliced into it.
pub fn merge_reload(current: &Arc<Dataset>, reloaded: Reloaded) -> (Arc<Dataset>, ReloadSummary) {
    match reloaded {
        Reloaded::Full(dataset) => {
            let summary = ReloadSummary::between(current, &dataset);
            (Arc::new(dataset), summary)
        }
        Reloaded::Folders(folders) => {
            let summary = ReloadSummary::of_folders(current, &folders);
            let mut dataset = Dataset::clone(current);
            refresh::splice(&mut dataset, folders);
            (Arc::new(dataset), summary)
        }
    }
}

/// Audit findings keyed by item; mapping sides (`7_B`) count for their ID (`7`).
fn suspect_keys(dataset: &Dataset) -> HashMap<(String, String), Vec<String>> {
    let mut keys: HashMap<(String, String), Vec<String>> = HashMap::new();
    for finding in unisandbox_core::analysis::audit::audit(dataset) {
        let id = finding
            .id
            .trim_end_matches("_A")
            .trim_end_matches("_B")
            .to_string();
        keys.entry((finding.task, id))
            .or_default()
            .push(finding.reason);
    }
    keys
}

//! `AppState`: everything the views read, and what is derived from the loaded dataset.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Instant;

use super::View;
use super::charts_cache::ChartsCache;
use super::compare;
use super::filters::{Annotations, Filters};
use super::loader::{LoadProgress, ReloadPlan, Reloaded};
use super::persist::{RecentRun, Theme};
use crate::analysis::changes::ReloadSummary;
use crate::load::refresh;
use crate::model::Dataset;

/// Everything the views read.
#[derive(Default)]
pub struct AppState {
    pub dataset: Dataset,
    pub opened: Vec<PathBuf>,
    pub view: View,
    pub filters: Filters,
    /// Dataset indices of the items passing the filters.
    pub filtered: Vec<usize>,
    pub selected: Option<usize>,
    /// Set when the selection moved by keyboard, so the list scrolls to it.
    pub scroll_to_selected: bool,
    pub zoom: Option<PathBuf>,
    pub chart_run: Option<String>,
    /// Chart accuracy without the items whose answer key the audit flags.
    pub exclude_suspect: bool,
    pub progress: LoadProgress,
    /// A one-line message for the user (e.g. no file dialog available).
    pub notice: Option<String>,
    /// Benchmark audit of the loaded items: (stem, item id) → reasons its key is suspect.
    pub suspect_keys: HashMap<(String, String), Vec<String>>,
    /// Failure taxonomy per item (by dataset index); empty until loading finishes.
    pub insights: Vec<crate::analysis::insights::ItemInsight>,
    /// (run, setting, stem, id) → item index; built when loading finishes.
    pub item_index: compare::ItemIndex,
    pub compare: compare::CompareState,
    /// Cached annotations (the store is the source of truth and is written first).
    pub annotations: Annotations,
    /// Tags offered for tagging: defaults, then the user's own. Keys 1–9 apply the first nine.
    pub tag_names: Vec<String>,
    /// Where annotations are stored, for display; `None` when storage failed to open.
    pub annotations_file: Option<PathBuf>,
    /// Benchmark JSONL (file or folder) given with `--benchmark`, for "not generated" items.
    pub benchmark: Option<PathBuf>,
    /// Recently opened folder sets, newest first (the start page lists them).
    pub recent: Vec<RecentRun>,
    /// The bundled sample runs, when they are on disk (looked up once at start).
    pub sample_runs: Option<PathBuf>,
    pub theme: Theme,
    /// Thumbnail side in the grid view, in points.
    pub grid_thumbnail: f32,
    /// Presentation: show the normal and think versions of the item side by side.
    pub pair_slide: bool,
    /// The view to return to when the presentation ends.
    pub view_before_presentation: View,
    /// Files are being dragged over the window.
    pub files_hovering: bool,
    /// Set for one frame to put the keyboard focus into the search box.
    pub focus_search: bool,
    /// Live reload: what the last reload changed, and when it finished.
    pub last_reload: Option<(String, Instant)>,
    /// Live reload is watching the opened folders.
    pub watching: bool,
    /// What the Charts view draws; refreshed by the app when it is stale and Charts is shown.
    pub charts: ChartsCache,
}

impl AppState {
    pub fn annotation_of(
        &self,
        item: &crate::model::Item,
    ) -> Option<&crate::annotations::Annotation> {
        self.annotations
            .get(&crate::annotations::AnnotationKey::of(&self.dataset, item))
    }

    /// Why this item's answer key is suspect, if it is.
    pub fn suspect_reasons(&self, item: &crate::model::Item) -> Option<&Vec<String>> {
        let stem = &self.dataset.folder_of(item).stem;
        self.suspect_keys.get(&(stem.clone(), item.id.clone()))
    }

    /// Recomputes what is derived from the whole dataset: audit, failure taxonomy, the item
    /// index and the compare lists. Runs once a load or reload is complete.
    pub fn derive(&mut self) {
        self.suspect_keys = suspect_keys(&self.dataset);
        self.insights = crate::analysis::insights::insights(&self.dataset);
        self.item_index = compare::item_index(&self.dataset);
        if self.compare.sides.is_empty() {
            self.compare.sides = compare::default_sides(&self.dataset);
        }
        self.compare.refresh(&self.dataset, &self.item_index);
    }

    /// What to load again for these changed files: their task folders, or everything when a
    /// folder-level reload cannot express the change.
    pub fn reload_plan(&self, changed: &BTreeSet<PathBuf>) -> ReloadPlan {
        let benchmark = self.benchmark.clone();
        match refresh::affected_folders(&self.dataset, changed) {
            Some(folders) => ReloadPlan::Folders {
                specs: folders
                    .into_iter()
                    .map(|i| (i, refresh::spec_of(&self.dataset.folders[i])))
                    .collect(),
                benchmark,
            },
            None => ReloadPlan::Full {
                paths: self.opened.clone(),
                benchmark,
            },
        }
    }

    /// Puts a reload's result into the dataset and says what changed. The caller derives again.
    pub fn apply_reload(&mut self, reloaded: Reloaded) -> ReloadSummary {
        match reloaded {
            Reloaded::Full(dataset) => {
                let summary = ReloadSummary::between(&self.dataset, &dataset);
                self.dataset = dataset;
                summary
            }
            Reloaded::Folders(folders) => {
                // Compare just the reloaded folders, before and after.
                let indices: Vec<usize> = folders.iter().map(|(i, _)| *i).collect();
                let before = refresh::part_of(&self.dataset, &indices);
                let mut after = Dataset::default();
                for (_, loaded) in &folders {
                    after.push_folder(loaded.folder.clone(), loaded.items.clone());
                    after.diagnostics.extend(loaded.diagnostics.iter().cloned());
                }
                refresh::splice(&mut self.dataset, folders);
                ReloadSummary::between(&before, &after)
            }
        }
    }

    /// Position of the selection in the filtered list.
    pub fn selected_row(&self) -> Option<usize> {
        let selected = self.selected?;
        self.filtered.iter().position(|&i| i == selected)
    }

    /// The same prompt in the other CoT setting of the same run (normal ↔ think), if loaded.
    pub fn counterpart(&self, index: usize) -> Option<usize> {
        let key = self.dataset.key_of(&self.dataset.items[index]);
        let other = match key.setting.as_str() {
            "normal" => "think",
            "think" => "normal",
            _ => return None,
        };
        self.item_index
            .get(&(key.run, other.to_string(), key.stem, key.id))
            .copied()
    }
}

/// Audit findings keyed by item; mapping sides (`7_B`) count for their ID (`7`).
fn suspect_keys(dataset: &Dataset) -> HashMap<(String, String), Vec<String>> {
    let mut keys: HashMap<(String, String), Vec<String>> = HashMap::new();
    for finding in crate::analysis::audit::audit(dataset) {
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

//! What is derived from a loaded dataset (audit, failure taxonomy, item index, search, the
//! Compare lists), how a reload is planned and merged: pure, computed off the UI thread, and
//! swapped in as one `LoadedData`.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::compare;
use unisandbox_core::filters::Annotations;
use unisandbox_core::load::changes::ReloadSummary;
use unisandbox_core::load::refresh;
use unisandbox_core::model::Dataset;

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

/// What a reload loads: everything, or only some folders (by index) of the current dataset.
pub enum ReloadPlan {
    Full {
        paths: Vec<PathBuf>,
        benchmark: Option<PathBuf>,
    },
    Folders {
        specs: Vec<(usize, unisandbox_core::load::FolderSpec)>,
        /// Folders whose only change is their results CSV (rows appended, perhaps).
        grown: Vec<usize>,
        benchmark: Option<PathBuf>,
    },
}

/// The result of a reload, matching its plan.
pub enum Reloaded {
    Full(Dataset),
    Folders(Vec<(usize, unisandbox_core::load::refresh::FolderReload)>),
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

//! What the Charts view draws — accuracy rows and failure counts — computed when the data, the
//! annotations or the "exclude suspect keys" toggle change, not on every frame. With thousands of
//! items a per-frame recount would cost milliseconds on every mouse move over the plot.

use std::collections::BTreeMap;
use std::sync::Arc;

use unisandbox_core::analysis::trajectory::{self, Series, SeriesEdits};

use crate::derived::LoadedData;
use unisandbox_core::analysis::AccuracyRow;
use unisandbox_core::filters::Annotations;
use unisandbox_core::taxonomy::TaskKind;

/// (run, setting, task type, label) → items.
pub type FailureCounts<L> = BTreeMap<(String, String, TaskKind, L), u64>;

#[derive(Clone, Debug, Default)]
pub struct ChartsCache {
    /// Accuracy per (run, setting, task type), without suspect keys when the toggle is on.
    pub rows: Vec<AccuracyRow>,
    /// Failure labels and annotation tags (as `#tag`) of the judged-wrong items.
    pub failures: FailureCounts<String>,
    /// The first failure class of each judged-wrong item, for the stacked chart.
    pub classes: FailureCounts<&'static str>,
    /// Judge versus human per task folder with human verdicts.
    pub agreement: Vec<unisandbox_core::analysis::agreement::FolderAgreement>,
    /// Failed judge calls, re-judged IDs and log disagreements, one line per finding.
    pub judge_notes: Vec<String>,
    /// WISE's mean WiScore per run, setting and category (bootstrap intervals), and overall.
    pub wise: Vec<unisandbox_core::companion::scores::WiseScoreRow>,
    /// Training runs among the opened runs: computed once per loaded dataset and series edits,
    /// not again when a Charts toggle changes.
    pub trajectory: Arc<TrajectoryCache>,
}

/// The opened runs as training runs: their series, points per step, and what the items did.
#[derive(Debug, Default)]
pub struct TrajectoryCache {
    /// The dataset this was computed from (compared by address; a weak pointer keeps the
    /// address from being reused while this lives).
    source: std::sync::Weak<unisandbox_core::model::Dataset>,
    pub edits: SeriesEdits,
    /// The series as detected, before the user's edits (the editor lists their checkpoints).
    pub detected: Vec<Series>,
    /// The series as edited, in the order to show them.
    pub series: Vec<Series>,
    /// Runs that belong to no detected series (a base run is chosen among these).
    pub single_runs: Vec<String>,
    pub trajectory: Vec<trajectory::TrajectoryRow>,
    pub dynamics: Vec<trajectory::DynamicsRow>,
    pub events: Vec<trajectory::EventRow>,
    pub transfer: Vec<trajectory::TransferRow>,
}

impl TrajectoryCache {
    pub fn compute(dataset: &Arc<unisandbox_core::model::Dataset>, edits: &SeriesEdits) -> Self {
        let runs = dataset.runs();
        let detected = trajectory::series_of(&runs, None);
        let single_runs = runs
            .iter()
            .filter(|run| {
                !detected
                    .iter()
                    .any(|s| s.runs.iter().any(|(r, _)| r == *run))
            })
            .cloned()
            .collect();
        let series = trajectory::edited_series(&runs, edits);
        let data = dataset.as_ref();
        Self {
            source: Arc::downgrade(dataset),
            edits: edits.clone(),
            detected,
            single_runs,
            trajectory: trajectory::trajectory(data, &series),
            dynamics: trajectory::dynamics(data, &series),
            events: trajectory::events(data, &series),
            transfer: trajectory::transfer(data, &series),
            series,
        }
    }

    /// Whether this was computed for the data now loaded (not the empty default).
    pub fn is_computed(&self) -> bool {
        self.source.strong_count() > 0
    }

    /// Whether this was computed from `dataset` with `edits`.
    pub fn is_for(
        &self,
        dataset: &Arc<unisandbox_core::model::Dataset>,
        edits: &SeriesEdits,
    ) -> bool {
        std::ptr::eq(self.source.as_ptr(), Arc::as_ptr(dataset)) && self.edits == *edits
    }
}

/// What the Charts counts read: the loaded data, the annotations and the two toggles (a
/// background job gets its own, sharing the data by pointer).
#[derive(Clone)]
pub struct ChartsInput<'a> {
    pub data: &'a LoadedData,
    pub annotations: &'a Annotations,
    /// Without the items whose answer key the audit flags.
    pub exclude_suspect: bool,
    /// With human verdicts replacing the judge's where there are any.
    pub human_corrected: bool,
    /// Over the items the judge actually judged: without failed judge calls.
    pub exclude_judge_failures: bool,
    /// How the user edited the training runs' series for this folder set.
    pub series_edits: &'a SeriesEdits,
    /// The trajectory computed last time: kept when the data and the edits are the same.
    pub previous_trajectory: Option<Arc<TrajectoryCache>>,
}

/// Accuracy per (run, setting, task type) as the Charts view shows it (and its table export
/// writes it): without suspect keys when that toggle is on, and with a reviewer's YES/NO in place
/// of the judge's when "human-corrected" is.
pub fn shown_rows(input: &ChartsInput) -> Vec<AccuracyRow> {
    let reviews = unisandbox_core::annotations::ReviewIndex::new(input.annotations);
    let human = input.human_corrected && !reviews.is_empty();
    let dataset = &input.data.dataset;
    unisandbox_core::analysis::accuracy::task_type_accuracy_counting(
        dataset,
        |item| {
            let judged = !input.exclude_judge_failures
                || item.verdict != unisandbox_core::model::Verdict::JudgeError;
            judged
                && (!input.exclude_suspect
                    || input
                        .data
                        .suspect_reasons(item, input.annotations)
                        .is_none())
        },
        |item| {
            human
                .then(|| reviews.human_yes(dataset, item))
                .flatten()
                .unwrap_or_else(|| item.is_correct())
        },
    )
}

impl ChartsCache {
    pub fn compute(input: ChartsInput) -> Self {
        let trajectory = match &input.previous_trajectory {
            Some(previous) if previous.is_for(&input.data.dataset, input.series_edits) => {
                Arc::clone(previous)
            }
            _ => Arc::new(TrajectoryCache::compute(
                &input.data.dataset,
                input.series_edits,
            )),
        };
        let data = &input.data.dataset;
        let rows = shown_rows(&input);
        let mut failures =
            unisandbox_core::analysis::insights::breakdown(data, &input.data.insights);
        // Tags: from the (few) annotations to their items, not from every item to its annotation.
        for item in tagged_items(&input) {
            let item = &data.items[item];
            let folder = data.folder_of(item);
            let Some(annotation) = input.annotations.get(&data.annotation_key_of(item)) else {
                continue;
            };
            for tag in &annotation.tags {
                *failures
                    .entry((
                        folder.run.clone(),
                        folder.setting.to_string(),
                        folder.kind,
                        format!("#{tag}"),
                    ))
                    .or_insert(0) += 1;
            }
        }
        let classes =
            unisandbox_core::analysis::insights::class_breakdown(data, &input.data.insights);
        // Only worth a pass over the items once somebody has reviewed some.
        let agreement = if input.annotations.values().any(|a| a.review.is_some()) {
            unisandbox_core::analysis::agreement::by_folder(data, input.annotations)
        } else {
            Vec::new()
        };
        let judge_notes = unisandbox_core::analysis::judge_checks::folder_notes(data);
        let wise = unisandbox_core::companion::scores::wise_scores(data);
        Self {
            rows,
            failures,
            classes,
            agreement,
            judge_notes,
            wise,
            trajectory,
        }
    }
}

/// Indices of the loaded items that carry at least one tag.
fn tagged_items(input: &ChartsInput) -> Vec<usize> {
    let data = &input.data.dataset;
    if input.annotations.values().all(|a| a.tags.is_empty()) {
        return Vec::new();
    }
    // Annotation keys name the checkpoint folder by its own name: folders by that name.
    let mut folders: std::collections::HashMap<(&str, &str, &str), Vec<usize>> = Default::default();
    for (index, folder) in data.folders.iter().enumerate() {
        let checkpoint = folder.run.rsplit('/').next().unwrap_or(&folder.run);
        folders
            .entry((checkpoint, folder.setting.as_str(), folder.stem.as_str()))
            .or_default()
            .push(index);
    }
    let mut items: Vec<usize> = Vec::new();
    for (key, annotation) in input.annotations {
        if annotation.tags.is_empty() {
            continue;
        }
        let Some(candidates) =
            folders.get(&(key.run.as_str(), key.setting.as_str(), key.stem.as_str()))
        else {
            continue;
        };
        for &folder in candidates {
            let found = if input.data.item_index.len() == data.items.len() {
                input.data.item_index.in_folder(data, folder, &key.id)
            } else {
                data.items
                    .iter()
                    .position(|i| i.folder == folder && i.id == key.id)
            };
            items.extend(found);
        }
    }
    items.sort_unstable();
    items.dedup();
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::AppState;
    use unisandbox_core::annotations::Annotation;
    use unisandbox_core::model::Verdict;
    use unisandbox_core::model::fixtures::{folder, item, part};

    fn state() -> AppState {
        let mut state = AppState::default();
        // 1 + 1 = 3 is a wrong key: the audit flags it, and the judge could never say YES.
        let items = vec![
            item(
                "1",
                part("Generate cups equal to 1 + 1.", "3 cups", Verdict::No),
            ),
            item(
                "2",
                part("Generate cups equal to 2 + 1.", "3 cups", Verdict::Yes),
            ),
        ];
        std::sync::Arc::make_mut(&mut state.data.dataset)
            .push_folder(folder("base", "normal", "math_1"), items);
        std::sync::Arc::make_mut(&mut state.data.suspect_keys).insert(
            ("math_1".into(), "1".into()),
            vec!["1 + 1 = 2, not 3".into()],
        );
        state.data.insights =
            unisandbox_core::analysis::insights::insights(&state.data.dataset).into();
        state
    }

    #[test]
    fn excluding_suspect_keys_changes_the_rows() {
        let mut state = state();
        let all = ChartsCache::compute(state.charts_input());
        assert_eq!((all.rows[0].correct, all.rows[0].total), (1, 2));
        state.ui.exclude_suspect = true;
        let clean = ChartsCache::compute(state.charts_input());
        assert_eq!((clean.rows[0].correct, clean.rows[0].total), (1, 1));
    }

    #[test]
    fn annotation_tags_count_beside_the_failure_labels() {
        let mut state = state();
        let key = state
            .data
            .dataset
            .annotation_key_of(&state.data.dataset.items[0]);
        state.annotations.insert(
            key,
            Annotation {
                tags: ["benchmark error".to_string()].into(),
                ..Annotation::default()
            },
        );
        let cache = ChartsCache::compute(state.charts_input());
        let kind = state.data.dataset.folders[0].kind;
        assert_eq!(
            cache.failures.get(&(
                "base".into(),
                "normal".into(),
                kind,
                "#benchmark error".into()
            )),
            Some(&1)
        );
    }

    #[test]
    fn human_verdicts_correct_the_counts_and_a_fixed_key_is_no_longer_suspect() {
        use unisandbox_core::annotations::{Human, Review};
        let mut state = state();
        // Item 1's key is wrong (1 + 1 = 2): a reviewer fixes it and says the image shows 2.
        let key = state
            .data
            .dataset
            .annotation_key_of(&state.data.dataset.items[0]);
        state.annotations.insert(
            key,
            Annotation {
                review: Some(Review {
                    human: Human::Yes,
                    corrected_answer: Some("2 cups".into()),
                    reviewer: "ada".into(),
                    reason: String::new(),
                    at: 0,
                }),
                ..Annotation::default()
            },
        );
        let judge = ChartsCache::compute(state.charts_input());
        assert_eq!((judge.rows[0].correct, judge.rows[0].total), (1, 2));
        state.ui.human_corrected = true;
        let corrected = ChartsCache::compute(state.charts_input());
        assert_eq!((corrected.rows[0].correct, corrected.rows[0].total), (2, 2));
        assert!(
            state
                .suspect_reasons(&state.data.dataset.items[0])
                .is_none()
        );
        // Excluding suspect keys now keeps the fixed item.
        state.ui.exclude_suspect = true;
        let clean = ChartsCache::compute(state.charts_input());
        assert_eq!(clean.rows[0].total, 2);
        assert_eq!(corrected.agreement.len(), 1);
        assert_eq!(corrected.agreement[0].judge_no_human_yes, 1);
    }
}

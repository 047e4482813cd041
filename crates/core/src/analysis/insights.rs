//! The failure taxonomy applied to a whole dataset: each item's failures and reasoning verdict
//! (computed once after loading), and the counts per run, setting and task type that the
//! Charts view stacks and tabulates.

use super::failure::{Failure, Reasoning, classify_item, reasoning_of};
use crate::model::Verdict;

/// Everything the taxonomy says about one item, computed once after loading.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ItemInsight {
    pub failures: Vec<Failure>,
    pub reasoning: Option<Reasoning>,
    /// Judged not correct although the trace planned the expected answer.
    pub drew_wrong: bool,
}

impl ItemInsight {
    /// Labels for the list column, the filter and the chart breakdown.
    pub fn labels(&self) -> Vec<String> {
        let mut labels: Vec<String> = self.failures.iter().map(Failure::label).collect();
        labels.dedup();
        if self.drew_wrong {
            labels.push(DREW_WRONG.to_string());
        } else if self.reasoning == Some(Reasoning::Wrong) {
            labels.push(Reasoning::Wrong.label().to_string());
        }
        labels
    }
}

/// The understanding–generation gap, per item: the trace was right, the image was not.
pub const DREW_WRONG: &str = "reasoned right, drew wrong";

/// Insights for every item, in dataset order.
pub fn insights(dataset: &crate::model::Dataset) -> Vec<ItemInsight> {
    insights_reusing(dataset, None)
}

/// `insights`, copying those of items that `previous` (a dataset and its insights) already
/// had: a reload keeps the unchanged items themselves (the same `Arc`), and an item's insight
/// depends only on the item and its folder's kind.
pub fn insights_reusing(
    dataset: &crate::model::Dataset,
    previous: Option<(&crate::model::Dataset, &[ItemInsight])>,
) -> Vec<ItemInsight> {
    use rayon::prelude::*;
    let known = previous
        .filter(|(old, insights)| old.items.len() == insights.len())
        .map(|(old, insights)| (crate::model::items_by_identity(old), insights));
    dataset
        .items
        .par_iter()
        .map(|item| {
            if let Some((by_identity, insights)) = &known
                && let Some(&at) = by_identity.get(&crate::model::identity(item))
            {
                return insights[at].clone();
            }
            let folder = dataset.folder_of(item);
            if folder.filter.is_some() {
                return filter_insight(item);
            }
            let family = folder.kind.family;
            let failures = classify_item(family, item);
            let per_part: Vec<Option<Reasoning>> =
                item.parts.iter().map(|p| reasoning_of(family, p)).collect();
            let reasoning = if per_part.contains(&Some(Reasoning::Wrong)) {
                Some(Reasoning::Wrong)
            } else if !per_part.is_empty() && per_part.iter().all(|r| *r == Some(Reasoning::Right))
            {
                Some(Reasoning::Right)
            } else {
                None
            };
            // A failed judge call is no judgment: the image was not found wrong.
            let judged_wrong = item.verdict.is_judged()
                && !matches!(item.verdict, Verdict::Yes | Verdict::JudgeError);
            // A NO whose caption names the key is the judge's inconsistency, not a drawing error.
            let judge_inconsistent = failures.contains(&Failure::CaptionMatchesKey);
            ItemInsight {
                drew_wrong: reasoning == Some(Reasoning::Right)
                    && judged_wrong
                    && !judge_inconsistent,
                failures,
                reasoning,
            }
        })
        .collect()
}

/// A STARS filter candidate: why it was rejected, from the model's reply.
fn filter_insight(item: &crate::model::Item) -> ItemInsight {
    let reply = item
        .parts
        .first()
        .and_then(|p| p.analysis.as_ref())
        .map(|a| a.phase2.as_str())
        .unwrap_or("");
    ItemInsight {
        failures: crate::analysis::rejection::classify_rejection(item.verdict, reply)
            .into_iter()
            .map(Failure::Rejection)
            .collect(),
        reasoning: None,
        drew_wrong: false,
    }
}

/// Count of items per (run, setting, task type, failure label), for the chart breakdown.
pub fn breakdown(
    dataset: &crate::model::Dataset,
    insights: &[ItemInsight],
) -> std::collections::BTreeMap<(String, String, crate::taxonomy::TaskKind, String), u64> {
    count_per_folder(dataset, insights, ItemInsight::labels)
}

/// Judged-wrong items per (run, setting, task type, coarse class of their first failure): the
/// stacks of the failure chart sum to the number of wrong items.
pub fn class_breakdown(
    dataset: &crate::model::Dataset,
    insights: &[ItemInsight],
) -> std::collections::BTreeMap<(String, String, crate::taxonomy::TaskKind, &'static str), u64> {
    count_per_folder(dataset, insights, |insight| {
        insight
            .failures
            .first()
            .map(|f| f.class())
            .into_iter()
            .collect()
    })
}

/// Counts labels per folder first (names are copied once per folder and label, not per item),
/// then keys them by (run, setting, task type, label).
fn count_per_folder<L: Ord + Clone>(
    dataset: &crate::model::Dataset,
    insights: &[ItemInsight],
    labels_of: impl Fn(&ItemInsight) -> Vec<L>,
) -> std::collections::BTreeMap<(String, String, crate::taxonomy::TaskKind, L), u64> {
    let mut per_folder: Vec<std::collections::BTreeMap<L, u64>> =
        vec![std::collections::BTreeMap::new(); dataset.folders.len()];
    for (item, insight) in dataset.items.iter().zip(insights) {
        for label in labels_of(insight) {
            *per_folder[item.folder].entry(label).or_insert(0) += 1;
        }
    }
    let mut counts = std::collections::BTreeMap::new();
    for (folder, labels) in dataset.folders.iter().zip(per_folder) {
        for (label, n) in labels {
            *counts
                .entry((
                    folder.run.clone(),
                    folder.setting.to_string(),
                    folder.kind,
                    label,
                ))
                .or_insert(0) += n;
        }
    }
    counts
}

#[cfg(test)]
mod breakdown_tests {
    use super::*;

    #[test]
    fn counts_labels_per_task_type() {
        let dir = tempfile::tempdir().unwrap();
        unisandbox_demo::write_demo(dir.path(), 3).unwrap();
        let data = crate::load::load_dataset(&[dir.path().to_path_buf()]);
        let insights = insights(&data);
        let counts = breakdown(&data, &insights);
        let total_for = |setting: &str, label: &str| -> u64 {
            counts
                .iter()
                .filter(|((_, s, _, l), _)| s == setting && l == label)
                .map(|(_, n)| n)
                .sum()
        };
        // Normal mode has no traces, so no reasoning labels; think mode has both kinds.
        assert_eq!(total_for("normal", DREW_WRONG), 0);
        assert!(total_for("think", DREW_WRONG) > 0);
        assert!(total_for("think", "reasoned wrong") > 0);
        assert!(counts.keys().any(|(_, _, _, l)| l.starts_with("count ")));
        assert!(
            counts
                .keys()
                .any(|(_, _, _, l)| l == "other symbol's object")
        );
        assert!(
            counts
                .keys()
                .any(|(_, _, _, l)| l.starts_with("wrong ") && l != "wrong object")
        );
        // The class stacks add up to the judged-wrong items.
        let classes = class_breakdown(&data, &insights);
        let wrong = data
            .items
            .iter()
            .filter(|i| i.verdict.is_judged() && i.verdict != Verdict::Yes)
            .count() as u64;
        assert_eq!(classes.values().sum::<u64>(), wrong);
        // Every judged-wrong image got a class other than "unclassified" in the generated runs,
        // but for the planted re-run whose judge now says NO to a caption that matches the key
        // (the judge contradicting itself, not a model error).
        let unclassified: Vec<&str> = data
            .items
            .iter()
            .zip(&insights)
            .filter(|(_, insight)| insight.labels().iter().any(|l| l == "unclassified"))
            .map(|(item, _)| item.id.as_str())
            .collect();
        let changed: Vec<&str> = data
            .items
            .iter()
            .filter(|item| item.verdict_changed() && !item.is_correct())
            .map(|item| item.id.as_str())
            .collect();
        assert!(
            unclassified.iter().all(|id| changed.contains(id)),
            "{unclassified:?}"
        );
    }
}

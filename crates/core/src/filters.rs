//! Item filters of the Items view: pure logic, no egui.

use crate::analysis::insights::ItemInsight;
use crate::annotations::Annotation;
pub use crate::annotations::Annotations;
use crate::model::{Dataset, Item, Verdict};
use crate::taxonomy::{Family, TaskKind};

/// What the list shows. `None` = no restriction.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Filters {
    pub run: Option<String>,
    pub setting: Option<String>,
    pub family: Option<Family>,
    pub task: Option<TaskKind>,
    pub verdict: Option<Verdict>,
    /// A failure-taxonomy label ("count +1", "reasoned right, drew wrong", …).
    pub failure: Option<String>,
    /// An annotation tag.
    pub tag: Option<String>,
    /// Only starred items.
    pub starred: bool,
    /// Only items where a human's YES/NO differs from the judge's.
    #[serde(default)]
    pub disagree: bool,
    /// Case-insensitive text searched in `search_field`.
    pub search: String,
    /// Which texts the search looks at (all by default: prompts, answers, captions, traces,
    /// the judge's analysis).
    pub search_field: crate::search::SearchField,
    /// `search` is a regular expression.
    pub search_regex: bool,
    /// Only IDs the judge gave different verdicts in different runs.
    pub verdict_changed: bool,
    /// Only items of a training run with this learning dynamics (from the Trajectory view).
    pub along: Option<crate::analysis::trajectory::AlongSeries>,
}

/// True when a human's YES/NO on the item differs from the judge's verdict.
pub fn human_disagrees(item: &Item, annotation: &Annotation) -> bool {
    annotation
        .review
        .as_ref()
        .and_then(|r| r.human.is_yes())
        .is_some_and(|human_yes| human_yes != (item.verdict == Verdict::Yes))
}

impl Filters {
    /// Whether an item passes every filter but the text search (see `query`).
    pub fn matches(
        &self,
        dataset: &Dataset,
        item: &Item,
        insight: Option<&ItemInsight>,
        annotation: Option<&Annotation>,
    ) -> bool {
        let folder = dataset.folder_of(item);
        self.run.as_ref().is_none_or(|r| *r == folder.run)
            && self.setting.as_ref().is_none_or(|s| folder.setting == *s)
            && self.family.is_none_or(|f| f == folder.kind.family)
            && self.task.is_none_or(|t| t == folder.kind)
            && self.verdict.is_none_or(|v| v == item.verdict)
            && (!self.verdict_changed || item.verdict_changed())
            && self
                .failure
                .as_ref()
                .is_none_or(|f| insight.is_some_and(|i| i.labels().contains(f)))
            && self
                .tag
                .as_ref()
                .is_none_or(|t| annotation.is_some_and(|a| a.tags.contains(t)))
            && (!self.starred || annotation.is_some_and(|a| a.starred))
            && (!self.disagree || annotation.is_some_and(|a| human_disagrees(item, a)))
    }

    /// The text search, compiled: `Ok(None)` when there is none, an error in words for a
    /// regular expression that does not compile.
    pub fn query(&self) -> Result<Option<crate::search::Query>, String> {
        crate::search::Query::new(&self.search, self.search_field, self.search_regex)
    }

    pub fn is_active(&self) -> bool {
        *self != Filters::default()
    }
}

/// Indices of the items that pass, in dataset order. `insights` (by item index) may be empty
/// while loading; the failure filter then matches nothing. A search that does not compile
/// matches nothing (the search box says why).
pub fn filter_items(
    dataset: &Dataset,
    filters: &Filters,
    insights: &[ItemInsight],
    annotations: &Annotations,
) -> Vec<usize> {
    filter_items_with(dataset, filters, insights, annotations, None)
}

/// `filter_items` with a search index: when it was built for this dataset it answers the text
/// search; without it every item's text is lowercased and scanned.
pub fn filter_items_with(
    dataset: &Dataset,
    filters: &Filters,
    insights: &[ItemInsight],
    annotations: &Annotations,
    search: Option<&crate::search::SearchIndex>,
) -> Vec<usize> {
    filter_items_unless(dataset, filters, insights, annotations, search, &|| false)
        .unwrap_or_default()
}

/// `filter_items_with`, giving up (`None`) once `cancelled` says a newer pass was asked for.
pub fn filter_items_unless(
    dataset: &Dataset,
    filters: &Filters,
    insights: &[ItemInsight],
    annotations: &Annotations,
    search: Option<&crate::search::SearchIndex>,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<usize>> {
    let needs_annotation = filters.tag.is_some() || filters.starred || filters.disagree;
    let query = match filters.query() {
        Ok(query) => query,
        Err(_) => return Some(Vec::new()),
    };
    let text_hits = match (&query, search) {
        (Some(query), Some(index)) if index.covers(dataset.items.len()) => {
            Some(index.matching_unless(dataset, query, cancelled)?)
        }
        _ => None,
    };
    let along = filters.along.as_ref().map(|along| along.items(dataset));
    if cancelled() {
        return None;
    }
    let passes = dataset
        .items
        .iter()
        .enumerate()
        .filter(|(i, item)| {
            let annotation = if needs_annotation {
                annotations.get(&dataset.annotation_key_of(item))
            } else {
                None
            };
            text_hits.as_ref().is_none_or(|hits| hits[*i])
                && along.as_ref().is_none_or(|hits| hits[*i])
                && filters.matches(dataset, item, insights.get(*i), annotation)
                && (text_hits.is_some()
                    || query
                        .as_ref()
                        .is_none_or(|query| crate::search::item_matches(item, query)))
        })
        .map(|(i, _)| i)
        .collect();
    (!cancelled()).then_some(passes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures;

    fn dataset() -> Dataset {
        let mut data = Dataset::default();
        for (run, setting, stem) in [
            ("base", "normal", "math_1"),
            ("base", "think", "mapping2"),
            ("stars", "think", "Aurelius"),
        ] {
            let folder = fixtures::folder(run, setting, stem);
            let verdict = if setting == "think" {
                Verdict::Yes
            } else {
                Verdict::No
            };
            let mut part = fixtures::part(&format!("Question about {stem}"), "3 cups", verdict);
            part.caption = Some(format!("caption for {run}"));
            data.push_folder(folder, vec![fixtures::item("1", part)]);
        }
        data
    }

    #[test]
    fn each_filter_restricts() {
        let data = dataset();
        let all = Filters::default();
        assert_eq!(
            filter_items(&data, &all, &[], &Annotations::new()),
            [0, 1, 2]
        );
        let by_run = Filters {
            run: Some("base".into()),
            ..Filters::default()
        };
        assert_eq!(
            filter_items(&data, &by_run, &[], &Annotations::new()),
            [0, 1]
        );
        let by_setting = Filters {
            setting: Some("think".into()),
            ..Filters::default()
        };
        assert_eq!(
            filter_items(&data, &by_setting, &[], &Annotations::new()),
            [1, 2]
        );
        let by_family = Filters {
            family: Some(Family::Knowledge),
            ..Filters::default()
        };
        assert_eq!(
            filter_items(&data, &by_family, &[], &Annotations::new()),
            [2]
        );
        let by_task = Filters {
            task: Some(TaskKind::of_stem("math1")),
            ..Filters::default()
        };
        assert_eq!(filter_items(&data, &by_task, &[], &Annotations::new()), [0]);
        let by_verdict = Filters {
            verdict: Some(Verdict::No),
            ..Filters::default()
        };
        assert_eq!(
            filter_items(&data, &by_verdict, &[], &Annotations::new()),
            [0]
        );
    }

    #[test]
    fn failure_filter_uses_the_insights() {
        use crate::analysis::failure::Failure;
        use crate::analysis::insights::ItemInsight;
        let data = dataset();
        let insights = vec![
            ItemInsight {
                failures: vec![Failure::CountOff(1)],
                ..ItemInsight::default()
            },
            ItemInsight::default(),
            ItemInsight {
                drew_wrong: true,
                ..ItemInsight::default()
            },
        ];
        let by = |label: &str| {
            filter_items(
                &data,
                &Filters {
                    failure: Some(label.into()),
                    ..Filters::default()
                },
                &insights,
                &Annotations::new(),
            )
        };
        assert_eq!(by("count +1"), [0]);
        assert_eq!(by("reasoned right, drew wrong"), [2]);
        assert!(
            filter_items(
                &data,
                &Filters {
                    failure: Some("count +1".into()),
                    ..Filters::default()
                },
                &[],
                &Annotations::new()
            )
            .is_empty()
        );
    }

    #[test]
    fn tag_and_star_filters_use_the_annotations() {
        let data = dataset();
        let mut annotations = Annotations::new();
        let key = data.annotation_key_of(&data.items[1]);
        annotations.insert(
            key,
            Annotation {
                tags: ["wrong count".to_string()].into(),
                note: String::new(),
                starred: true,
                review: None,
            },
        );
        let tagged = Filters {
            tag: Some("wrong count".into()),
            ..Filters::default()
        };
        assert_eq!(filter_items(&data, &tagged, &[], &annotations), [1]);
        let starred = Filters {
            starred: true,
            ..Filters::default()
        };
        assert_eq!(filter_items(&data, &starred, &[], &annotations), [1]);
        assert!(filter_items(&data, &starred, &[], &Annotations::new()).is_empty());
    }

    #[test]
    fn search_covers_prompt_answer_and_caption() {
        let data = dataset();
        let search = |text: &str| {
            filter_items(
                &data,
                &Filters {
                    search: text.into(),
                    ..Filters::default()
                },
                &[],
                &Annotations::new(),
            )
        };
        assert_eq!(search("MAPPING2"), [1]);
        assert_eq!(search("3 cups"), [0, 1, 2]);
        assert_eq!(search("caption for stars"), [2]);
        assert!(search("nothing like this").is_empty());
    }
}

//! What a reload changed, so the app can say "+12 judged" instead of silently swapping data.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Diagnostic, Severity};
use crate::load::append::AppendedRows;
use crate::load::refresh::FolderReload;
use crate::load::spec::LoadedFolder;
use crate::model::{Dataset, ItemKey, Verdict};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReloadSummary {
    /// Items that have a judge verdict now and had none before (new CSV rows).
    pub newly_judged: usize,
    /// Items that were not there before (new images, traces or rows).
    pub added: usize,
    /// Items whose verdict changed between two judged states (a re-run of the eval).
    pub rejudged: usize,
    /// Items that disappeared (files deleted).
    pub removed: usize,
    /// Task folders that appeared.
    pub new_folders: usize,
    /// Error and warning diagnostics that were not there before.
    pub new_problems: usize,
}

impl ReloadSummary {
    pub fn between(old: &Dataset, new: &Dataset) -> Self {
        let verdicts = |data: &Dataset| -> HashMap<ItemKey, Verdict> {
            data.items
                .iter()
                .map(|item| (data.key_of(item), item.verdict))
                .collect()
        };
        let (before, after) = (verdicts(old), verdicts(new));
        let mut summary = ReloadSummary::default();
        for (key, verdict) in &after {
            match before.get(key) {
                None => summary.added += 1,
                Some(old) if old.is_judged() && verdict.is_judged() && old != verdict => {
                    summary.rejudged += 1
                }
                Some(_) => {}
            }
            if verdict.is_judged() && !before.get(key).is_some_and(|v| v.is_judged()) {
                summary.newly_judged += 1;
            }
        }
        summary.removed = before.keys().filter(|k| !after.contains_key(*k)).count();
        let old_folders: std::collections::HashSet<&std::path::Path> =
            old.folders.iter().map(|f| f.path.as_path()).collect();
        summary.new_folders = new
            .folders
            .iter()
            .filter(|f| !old_folders.contains(f.path.as_path()))
            .count();
        let problems = |data: &Dataset| {
            data.diagnostics
                .iter()
                .filter(|d| d.severity != Severity::Info)
                .map(|d| d.to_string())
                .collect::<std::collections::HashSet<_>>()
        };
        let known = problems(old);
        summary.new_problems = problems(new).difference(&known).count();
        summary
    }

    /// What reloading these folders changes, from borrowed data: nothing of the (possibly large)
    /// dataset is copied, unlike `between` on two datasets.
    pub fn of_folders(current: &Dataset, reloaded: &[(usize, FolderReload)]) -> Self {
        let mut summary = ReloadSummary::default();
        let indices: HashSet<usize> = reloaded.iter().map(|(index, _)| *index).collect();
        let wholes: Vec<(usize, &LoadedFolder)> = reloaded
            .iter()
            .filter_map(|(index, reload)| match reload {
                FolderReload::Whole(loaded) => Some((*index, loaded)),
                FolderReload::Appended(_) => None,
            })
            .collect();
        let whole_indices: HashSet<usize> = wholes.iter().map(|(index, _)| *index).collect();
        let before: HashMap<(usize, &str), Verdict> = current
            .items
            .iter()
            .filter(|item| whole_indices.contains(&item.folder))
            .map(|item| ((item.folder, item.id.as_str()), item.verdict))
            .collect();
        for (index, reload) in reloaded {
            if let FolderReload::Appended(appended) = reload {
                summary.add_appended(current, *index, appended);
            }
        }
        let mut after: HashSet<(usize, &str)> = HashSet::new();
        for (index, loaded) in wholes {
            for item in &loaded.items {
                let key = (index, item.id.as_str());
                after.insert(key);
                let old = before.get(&key).copied();
                match old {
                    None => summary.added += 1,
                    Some(old)
                        if old.is_judged() && item.verdict.is_judged() && old != item.verdict =>
                    {
                        summary.rejudged += 1
                    }
                    Some(_) => {}
                }
                if item.verdict.is_judged() && !old.is_some_and(|v| v.is_judged()) {
                    summary.newly_judged += 1;
                }
            }
        }
        summary.removed = before.keys().filter(|k| !after.contains(*k)).count();
        type Problem<'a> = (Severity, &'a std::path::Path, Option<u64>, &'a str);
        fn problem(d: &Diagnostic) -> Problem<'_> {
            (d.severity, &d.file, d.line, &d.message)
        }
        let folders: Vec<&crate::model::TaskFolder> =
            indices.iter().map(|&i| &current.folders[i]).collect();
        let known: HashSet<Problem> = current
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Info)
            .filter(|d| folders.iter().any(|f| f.concerns(&d.file)))
            .map(problem)
            .collect();
        let fresh: HashSet<Problem> = reloaded
            .iter()
            .flat_map(|(_, reload)| match reload {
                FolderReload::Whole(loaded) => &loaded.diagnostics,
                FolderReload::Appended(appended) => &appended.diagnostics,
            })
            .filter(|d| d.severity != Severity::Info)
            .map(problem)
            .collect();
        summary.new_problems = fresh.difference(&known).count();
        summary
    }

    /// Rows appended to folder `index`: each is newly judged; an ID without a not-yet-judged item
    /// before is new, and a not-yet-judged item whose ID no row took is gone.
    fn add_appended(&mut self, current: &Dataset, index: usize, appended: &AppendedRows) {
        let replaced: HashSet<&str> = current
            .items
            .iter()
            .filter(|item| item.folder == index)
            .enumerate()
            .filter(|(position, _)| appended.judged_now.binary_search(position).is_ok())
            .map(|(_, item)| item.id.as_str())
            .collect();
        let new_ids: HashSet<&str> = appended.items.iter().map(|i| i.id.as_str()).collect();
        self.newly_judged += appended.items.len();
        self.added += new_ids.iter().filter(|id| !replaced.contains(*id)).count();
        self.removed += replaced.iter().filter(|id| !new_ids.contains(*id)).count();
    }

    /// "+12 judged · +3 new items", or `None` when nothing visible changed.
    pub fn message(&self) -> Option<String> {
        use crate::text::count_of;
        let parts: Vec<String> = [
            (self.newly_judged, format!("+{} judged", self.newly_judged)),
            (self.added, format!("+{}", count_of(self.added, "new item"))),
            (self.rejudged, format!("{} re-judged", self.rejudged)),
            (self.removed, format!("{} removed", self.removed)),
            (
                self.new_folders,
                format!("+{}", count_of(self.new_folders, "task folder")),
            ),
            (
                self.new_problems,
                format!(
                    "{} (see Diagnostics)",
                    count_of(self.new_problems, "new problem")
                ),
            ),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(_, text)| text)
        .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Diagnostic;
    use crate::model::fixtures::{folder, item, part};

    fn dataset(items: &[(&str, Verdict)]) -> Dataset {
        let mut data = Dataset::default();
        let items = items
            .iter()
            .map(|(id, verdict)| item(id, part("Q", "1 cup", *verdict)))
            .collect();
        data.push_folder(folder("base", "normal", "math_1"), items);
        data
    }

    /// A folder before and after an eval ran on: 2 newly judged, 2 added, 1 re-judged,
    /// 1 removed, and a new bad row in its CSV.
    fn before_and_after() -> (Dataset, Dataset) {
        let old = dataset(&[
            ("1", Verdict::Yes),
            ("2", Verdict::NotJudged),
            ("3", Verdict::No),
            ("4", Verdict::No),
        ]);
        let mut new = dataset(&[
            ("1", Verdict::Yes),
            ("2", Verdict::No),
            ("3", Verdict::Yes),
            ("5", Verdict::Yes),
            ("6", Verdict::NotJudged),
        ]);
        let file = old.folders[0].path.join("evaluation_results.csv");
        new.diagnostics
            .push(Diagnostic::warning(&file, Some(3), "bad row"));
        (old, new)
    }

    #[test]
    fn counts_new_verdicts_new_items_and_removals() {
        let (old, new) = before_and_after();
        let summary = ReloadSummary::between(&old, &new);
        assert_eq!(
            summary,
            ReloadSummary {
                newly_judged: 2,
                added: 2,
                rejudged: 1,
                removed: 1,
                new_folders: 0,
                new_problems: 1,
            }
        );
        assert_eq!(
            summary.message().unwrap(),
            "+2 judged · +2 new items · 1 re-judged · 1 removed · 1 new problem (see Diagnostics)"
        );
    }

    #[test]
    fn an_unchanged_reload_says_nothing() {
        let data = dataset(&[("1", Verdict::Yes), ("2", Verdict::NotJudged)]);
        let summary = ReloadSummary::between(&data, &data.clone());
        assert_eq!(summary, ReloadSummary::default());
        assert_eq!(summary.message(), None);
    }

    #[test]
    fn a_folder_reload_counts_like_two_whole_datasets() {
        let (old, new) = before_and_after();
        let loaded = LoadedFolder {
            folder: new.folders[0].clone(),
            items: new
                .items
                .iter()
                .map(|i| crate::model::Item::clone(i))
                .collect(),
            diagnostics: new.diagnostics.clone(),
        };
        assert_eq!(
            ReloadSummary::of_folders(&old, &[(0, FolderReload::Whole(loaded))]),
            ReloadSummary::between(&old, &new)
        );
    }
}

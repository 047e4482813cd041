//! Accuracy per task folder (what each `evaluation_results.log` reports) and per task type.
//!
//! Counting follows the eval scripts: one row per math/knowledge image, one per mapping ID
//! (a pair is correct only when both images are); duplicate IDs were already reduced to the last
//! row by loading. Not-yet-judged items do not count.

pub use crate::model::FolderCount;
use serde::Serialize;

use crate::analysis::wilson::{Z95, wilson_interval};
use crate::model::Dataset;
use crate::taxonomy::{Family, TaskKind, setting_rank};

/// One accuracy figure with its 95% Wilson interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccuracyRow {
    pub run: String,
    pub setting: String,
    /// The JSONL stem for folder rows; the task-type label for aggregated rows.
    pub task: String,
    pub family: Family,
    pub level: String,
    pub total: u64,
    pub correct: u64,
    pub accuracy: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Judge-call failures, re-judged IDs and the log's figures (folder rows; summed, without
    /// the log, for task types).
    #[serde(flatten)]
    pub checks: crate::model::FolderChecks,
    #[serde(skip)]
    pub kind: TaskKind,
}

impl AccuracyRow {
    fn new(
        run: &str,
        setting: &str,
        task: String,
        kind: TaskKind,
        correct: u64,
        total: u64,
    ) -> Self {
        let (ci_low, ci_high) = wilson_interval(correct, total, Z95);
        let accuracy = if total == 0 {
            0.0
        } else {
            correct as f64 / total as f64
        };
        AccuracyRow {
            run: run.to_string(),
            setting: setting.to_string(),
            task,
            family: kind.family,
            level: kind.level.name(),
            total,
            correct,
            accuracy,
            ci_low,
            ci_high,
            checks: Default::default(),
            kind,
        }
    }

    /// The accuracy for people: "55.00% (22/40) [39.8–69.3%]" (`text::accuracy`).
    pub fn display(&self) -> String {
        crate::text::accuracy(
            self.accuracy,
            self.correct,
            self.total,
            self.ci_low,
            self.ci_high,
        )
    }

    /// The same row with figures rounded to 4 decimals, as the logs print them (xx.xx%).
    pub fn rounded(&self) -> Self {
        let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
        AccuracyRow {
            accuracy: round(self.accuracy),
            ci_low: round(self.ci_low),
            ci_high: round(self.ci_high),
            ..self.clone()
        }
    }
}

/// One row per evaluated folder, ordered by run, setting, task type, stem.
pub fn folder_accuracy(dataset: &Dataset) -> Vec<AccuracyRow> {
    folder_accuracy_where(dataset, |_| true)
}

/// Like `folder_accuracy`, counting only the items `keep` accepts (e.g. without suspect keys).
pub fn folder_accuracy_where(
    dataset: &Dataset,
    keep: impl Fn(&crate::model::Item) -> bool,
) -> Vec<AccuracyRow> {
    folder_accuracy_counting(dataset, keep, crate::model::Item::is_correct)
}

/// Like `folder_accuracy_where`, with `correct` saying which items count as right (the judge's
/// verdict, or a human's where there is one).
pub fn folder_accuracy_counting(
    dataset: &Dataset,
    keep: impl Fn(&crate::model::Item) -> bool,
    correct: impl Fn(&crate::model::Item) -> bool,
) -> Vec<AccuracyRow> {
    let mut counts =
        vec![(0u64, 0u64, crate::model::FolderChecks::default()); dataset.folders.len()];
    for item in &dataset.items {
        let family = dataset.folders[item.folder].kind.family;
        if family.counts_images() {
            // GenEval: every judged sample is an image `summary_scores.py` counts.
            if keep(item) {
                let entry = &mut counts[item.folder];
                for part in item.parts.iter().filter(|p| p.verdict.is_judged()) {
                    entry.1 += 1;
                    entry.0 += u64::from(part.verdict == crate::model::Verdict::Yes);
                }
            }
            continue;
        }
        if item.verdict.is_judged() && keep(item) {
            let entry = &mut counts[item.folder];
            entry.1 += 1;
            entry.0 += u64::from(correct(item));
            entry.2.judge_failures += item.judge_failures() as u64;
            entry.2.rejudged += u64::from(item.rejudged());
            entry.2.verdict_changed += u64::from(item.verdict_changed());
        }
    }
    let counts = dataset
        .folders
        .iter()
        .zip(counts)
        // WISE is scored by its mean WiScore (`companion::scores`), not as right/wrong.
        .filter(|(folder, _)| {
            folder.evaluated && folder.kind.family != crate::taxonomy::Family::Wise
        })
        .map(|(f, (correct, total, mut checks))| {
            checks.log_total = f.log.map(|log| log.total);
            checks.log_correct = f.log.map(|log| log.correct);
            FolderCount {
                run: f.run.clone(),
                setting: f.setting.to_string(),
                stem: f.stem.clone(),
                kind: f.kind,
                correct,
                total,
                checks,
            }
        })
        .collect();
    accuracy_rows(counts)
}

/// Folder counts as accuracy rows, ordered by run, setting, task type, stem.
pub fn accuracy_rows(counts: Vec<FolderCount>) -> Vec<AccuracyRow> {
    let mut rows: Vec<AccuracyRow> = counts
        .into_iter()
        .map(|c| AccuracyRow {
            checks: c.checks,
            ..AccuracyRow::new(&c.run, &c.setting, c.stem, c.kind, c.correct, c.total)
        })
        .collect();
    rows.sort_by(|a, b| {
        order_key(a)
            .cmp(&order_key(b))
            .then_with(|| a.task.cmp(&b.task))
    });
    rows
}

/// Folder rows summed per (run, setting, task type): Math L1 … Knowledge inverse.
pub fn task_type_accuracy(dataset: &Dataset) -> Vec<AccuracyRow> {
    task_type_accuracy_where(dataset, |_| true)
}

pub fn task_type_accuracy_where(
    dataset: &Dataset,
    keep: impl Fn(&crate::model::Item) -> bool,
) -> Vec<AccuracyRow> {
    task_type_accuracy_counting(dataset, keep, crate::model::Item::is_correct)
}

/// Per task type, with `correct` saying which items count as right.
pub fn task_type_accuracy_counting(
    dataset: &Dataset,
    keep: impl Fn(&crate::model::Item) -> bool,
    correct: impl Fn(&crate::model::Item) -> bool,
) -> Vec<AccuracyRow> {
    by_task_type(folder_accuracy_counting(dataset, keep, correct))
}

/// Folder rows summed per (run, setting, task type), in run, setting, task type order.
pub fn by_task_type(folder_rows: Vec<AccuracyRow>) -> Vec<AccuracyRow> {
    // Keyed, so thousands of checkpoints' folders sum in one pass.
    let mut sums: std::collections::HashMap<(String, String, TaskKind), AccuracyRow> =
        std::collections::HashMap::new();
    for row in folder_rows {
        let key = (row.run.clone(), row.setting.clone(), row.kind);
        let (correct, total, mut checks) = sums.get(&key).map_or((0, 0, Default::default()), |r| {
            (r.correct, r.total, r.checks.clone())
        });
        checks.add(&row.checks);
        let summed = AccuracyRow {
            checks,
            ..AccuracyRow::new(
                &row.run,
                &row.setting,
                row.kind.label(),
                row.kind,
                correct + row.correct,
                total + row.total,
            )
        };
        sums.insert(key, summed);
    }
    let mut rows: Vec<AccuracyRow> = sums.into_values().collect();
    rows.sort_by_key(order_key);
    rows
}

fn order_key(row: &AccuracyRow) -> (String, u8, String, TaskKind) {
    (
        row.run.clone(),
        setting_rank(&row.setting),
        row.setting.clone(),
        row.kind,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `summary` counts the CSVs alone (`load::count`): its numbers equal a full load's.
    #[test]
    fn counting_gives_the_full_loads_numbers_including_reruns_and_bad_rows() {
        let dir = tempfile::tempdir().unwrap();
        unisandbox_demo::write_demo(dir.path(), 7).unwrap();
        // A broken row, an unknown Result and a half-written last row on top of the planted
        // anomalies (appended re-run, missing images).
        let csv = dir
            .path()
            .join("bagel-base/test/normal/math_1/evaluation_results.csv");
        let mut text = std::fs::read_to_string(&csv).unwrap();
        text += "99,Q,A\r\n98,Q,A,/x/98.png,MAYBE,0,x\r\n97,Q,A,/x/97.png,YES,1,\"cut";
        std::fs::write(&csv, text).unwrap();

        let paths = [dir.path().to_path_buf()];
        // `summary` counts evaluations; filter outputs have `filter-stats`.
        let mut full = folder_accuracy(&crate::load::load_dataset(&paths));
        full.retain(|row| row.setting != crate::taxonomy::Setting::Filter.as_str());
        let (counts, diagnostics) = crate::load::count::count_paths(&paths);
        assert_eq!(accuracy_rows(counts), full);
        assert!(full.len() > 60, "{}", full.len());
        let lines: Vec<Option<u64>> = diagnostics
            .iter()
            .filter(|d| d.file == csv)
            .map(|d| d.line)
            .collect();
        assert_eq!(lines.len(), 3, "{diagnostics:#?}");
    }
    use crate::model::fixtures::{self, folder};
    use crate::model::{Item, Verdict};

    fn item(id: usize, verdict: Verdict) -> Item {
        fixtures::item(&id.to_string(), fixtures::part("", "", verdict))
    }

    fn items(verdicts: &[Verdict]) -> Vec<Item> {
        verdicts
            .iter()
            .enumerate()
            .map(|(i, v)| item(i, *v))
            .collect()
    }

    #[test]
    fn folder_rows_count_judged_items_only() {
        use Verdict::*;
        let mut data = Dataset::default();
        data.push_folder(
            folder("b", "think", "math_1"),
            items(&[Yes, No, JudgeError, ImageMissing, NotJudged]),
        );
        data.push_folder(folder("b", "normal", "math_1"), items(&[Yes]));
        let rows = folder_accuracy(&data);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].setting.as_str(), rows[0].correct, rows[0].total),
            ("normal", 1, 1)
        );
        assert_eq!((rows[1].correct, rows[1].total), (1, 4));
        assert_eq!(rows[1].accuracy, 0.25);
    }

    #[test]
    fn task_types_sum_stems_of_the_same_kind() {
        use Verdict::*;
        let mut data = Dataset::default();
        data.push_folder(folder("r", "normal", "Aurelius"), items(&[Yes, No, No]));
        data.push_folder(folder("r", "normal", "Nyxella"), items(&[Yes, Yes, No]));
        data.push_folder(
            folder("r", "normal", "Aurelius_Nyxella"),
            items(&[No, No, No, No]),
        );
        let rows = task_type_accuracy(&data);
        let summary: Vec<(String, u64, u64)> = rows
            .iter()
            .map(|r| (r.task.clone(), r.correct, r.total))
            .collect();
        assert_eq!(
            summary,
            [
                ("Knowledge forward".to_string(), 3, 6),
                ("Knowledge inverse".to_string(), 0, 4)
            ]
        );
    }

    #[test]
    fn excluded_items_do_not_count() {
        use Verdict::*;
        let mut data = Dataset::default();
        data.push_folder(folder("r", "think", "math_2"), items(&[Yes, No, No, No]));
        let rows = task_type_accuracy_where(&data, |item| item.id != "0");
        assert_eq!((rows[0].correct, rows[0].total), (0, 3));
    }

    #[test]
    fn one_display_with_counts_and_interval() {
        let row = AccuracyRow::new("r", "s", "t".into(), TaskKind::of_stem("math_1"), 22, 40);
        assert_eq!(row.display(), "55.00% (22/40) [39.8–69.3%]");
    }

    #[test]
    fn rounding_matches_log_precision() {
        let row = AccuracyRow::new("r", "s", "t".into(), TaskKind::of_stem("math_1"), 1, 3);
        assert_eq!(row.rounded().accuracy, 0.3333);
        let row = AccuracyRow::new("r", "s", "t".into(), TaskKind::of_stem("math_1"), 2, 3);
        assert_eq!(row.rounded().accuracy, 0.6667);
    }
}

//! What the Charts view says under the chart about the judge itself, per task folder: failed
//! judge calls, IDs judged more than once and whether the verdict changed (the judge's
//! test–retest disagreement), and why the log disagrees with the CSV.

use crate::load::reruns::{judge_failure_note, log_disagreement};
use crate::model::{Dataset, Verdict};

/// One line per finding, in folder order: "12 of 60 NO verdicts in base/normal/math_2 are
/// failed judge calls, not judgments (…)", "base/normal/mapping3: 10 IDs judged more than once
/// (2 runs), the verdict changed for 4", "base/think/mapping3: the log counts …".
pub fn folder_notes(dataset: &Dataset) -> Vec<String> {
    #[derive(Default, Clone, Copy)]
    struct Counts {
        failures: u64,
        no_verdicts: u64,
        rejudged: u64,
        changed: u64,
        total: u64,
        correct: u64,
    }
    let mut counts = vec![Counts::default(); dataset.folders.len()];
    for item in &dataset.items {
        let entry = &mut counts[item.folder];
        for part in &item.parts {
            entry.failures += u64::from(part.verdict == Verdict::JudgeError);
            entry.no_verdicts +=
                u64::from(matches!(part.verdict, Verdict::No | Verdict::JudgeError));
        }
        entry.rejudged += u64::from(item.rejudged());
        entry.changed += u64::from(item.verdict_changed());
        if item.verdict.is_judged() {
            entry.total += 1;
            entry.correct += u64::from(item.is_correct());
        }
    }
    let mut notes = Vec::new();
    for (folder, count) in dataset.folders.iter().zip(counts) {
        if folder.filter.is_some() {
            continue;
        }
        let name = format!("{}/{}/{}", folder.run, folder.setting, folder.stem);
        if count.failures > 0 {
            notes.push(judge_failure_note(&name, count.failures, count.no_verdicts));
        }
        if count.rejudged > 0 {
            notes.push(format!(
                "{name}: {} ID{} judged more than once ({} runs in the CSV), the verdict changed \
                 for {} (the judge's test–retest disagreement)",
                count.rejudged,
                if count.rejudged == 1 { "" } else { "s" },
                folder.csv_runs.len(),
                count.changed
            ));
        }
        if let Some(log) = &folder.log
            && let Some(why) = log_disagreement(log, &folder.csv_runs, count.total, count.correct)
        {
            notes.push(format!("{name}: {why}"));
        }
    }
    notes
}

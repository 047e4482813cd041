//! Judge versus human: the 2×2 table of verdicts on the items a human reviewed, raw agreement,
//! Cohen's κ, the judge's precision and recall, and the accuracy once the human verdicts replace
//! the judge's (the eval's counting otherwise unchanged).

use serde::Serialize;

use crate::analysis::wilson::{Z95, wilson_interval};
use crate::annotations::{Annotations, ReviewIndex};
use crate::model::{Dataset, Verdict};

/// Verdicts on the same items: judge (rows) × human (columns).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Table2x2 {
    pub both_yes: u64,
    pub both_no: u64,
    pub judge_yes_human_no: u64,
    pub judge_no_human_yes: u64,
}

impl Table2x2 {
    pub fn add(&mut self, judge_yes: bool, human_yes: bool) {
        match (judge_yes, human_yes) {
            (true, true) => self.both_yes += 1,
            (false, false) => self.both_no += 1,
            (true, false) => self.judge_yes_human_no += 1,
            (false, true) => self.judge_no_human_yes += 1,
        }
    }

    pub fn reviewed(&self) -> u64 {
        self.both_yes + self.both_no + self.judge_yes_human_no + self.judge_no_human_yes
    }

    /// Share of items where judge and human agree.
    pub fn agreement(&self) -> Option<f64> {
        ratio(self.both_yes + self.both_no, self.reviewed())
    }

    /// Cohen's κ: agreement beyond what the two raters' own YES rates give by chance. `None` when
    /// chance agreement is already 1 (both always said the same one thing: κ is 0/0).
    pub fn kappa(&self) -> Option<f64> {
        let n = self.reviewed() as f64;
        if n == 0.0 {
            return None;
        }
        let observed = (self.both_yes + self.both_no) as f64 / n;
        let expected = self.chance_agreement()?;
        if (1.0 - expected).abs() < f64::EPSILON {
            return None;
        }
        Some((observed - expected) / (1.0 - expected))
    }

    /// 95% interval for κ from its large-sample standard error
    /// (√(p_o(1−p_o) / (n(1−p_e)²))), clamped to [−1, 1].
    pub fn kappa_interval(&self) -> Option<(f64, f64)> {
        let kappa = self.kappa()?;
        let n = self.reviewed() as f64;
        let observed = self.agreement()?;
        let expected = self.chance_agreement()?;
        let se = (observed * (1.0 - observed) / (n * (1.0 - expected).powi(2))).sqrt();
        Some(((kappa - 1.96 * se).max(-1.0), (kappa + 1.96 * se).min(1.0)))
    }

    fn chance_agreement(&self) -> Option<f64> {
        let n = self.reviewed() as f64;
        if n == 0.0 {
            return None;
        }
        let judge_yes = (self.both_yes + self.judge_yes_human_no) as f64 / n;
        let human_yes = (self.both_yes + self.judge_no_human_yes) as f64 / n;
        Some(judge_yes * human_yes + (1.0 - judge_yes) * (1.0 - human_yes))
    }

    /// Of the judge's YES, the share a human confirmed.
    pub fn judge_precision(&self) -> Option<f64> {
        ratio(self.both_yes, self.both_yes + self.judge_yes_human_no)
    }

    /// Of the human's YES, the share the judge also gave.
    pub fn judge_recall(&self) -> Option<f64> {
        ratio(self.both_yes, self.both_yes + self.judge_no_human_yes)
    }

    /// Wilson intervals of agreement, precision and recall (`None` where the share is).
    pub fn intervals(&self) -> [Option<(f64, f64)>; 3] {
        let interval = |k: u64, n: u64| (n > 0).then(|| wilson_interval(k, n, Z95));
        [
            interval(self.both_yes + self.both_no, self.reviewed()),
            interval(self.both_yes, self.both_yes + self.judge_yes_human_no),
            interval(self.both_yes, self.both_yes + self.judge_no_human_yes),
        ]
    }
}

/// One task folder's judge-versus-human figures and its human-corrected accuracy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FolderAgreement {
    pub run: String,
    pub setting: String,
    pub task: String,
    pub reviewed: u64,
    pub both_yes: u64,
    pub both_no: u64,
    pub judge_yes_human_no: u64,
    pub judge_no_human_yes: u64,
    pub agreement: Option<f64>,
    pub kappa: Option<f64>,
    pub judge_precision: Option<f64>,
    pub judge_recall: Option<f64>,
    /// The eval's counting (one per judged item: last row per ID, a mapping ID once, a missing
    /// image wrong) with the human verdict where there is one.
    pub corrected_correct: u64,
    pub corrected_total: u64,
    pub corrected_accuracy: Option<f64>,
    pub corrected_ci_low: Option<f64>,
    pub corrected_ci_high: Option<f64>,
    /// The judge's own count on the same items, for comparison.
    pub judge_correct: u64,
    pub judge_accuracy: Option<f64>,
}

/// Per task folder with at least one human YES/NO verdict, in load order.
pub fn by_folder(dataset: &Dataset, annotations: &Annotations) -> Vec<FolderAgreement> {
    let reviews = ReviewIndex::new(annotations);
    let mut tables: Vec<(Table2x2, u64, u64, u64)> =
        vec![Default::default(); dataset.folders.len()];
    for item in &dataset.items {
        if !item.verdict.is_judged() {
            continue; // the eval counts only what it judged
        }
        let judge_yes = item.verdict == Verdict::Yes;
        let human_yes = reviews.human_yes(dataset, item);
        let (table, correct, total, judge_correct) = &mut tables[item.folder];
        if let Some(human_yes) = human_yes {
            table.add(judge_yes, human_yes);
        }
        *total += 1;
        *correct += u64::from(human_yes.unwrap_or(judge_yes));
        *judge_correct += u64::from(judge_yes);
    }
    dataset
        .folders
        .iter()
        .zip(tables)
        .filter(|(_, (table, _, _, _))| table.reviewed() > 0)
        .map(|(folder, (table, correct, total, judge_correct))| {
            let interval = (total > 0).then(|| wilson_interval(correct, total, Z95));
            FolderAgreement {
                run: folder.run.clone(),
                setting: folder.setting.to_string(),
                task: folder.stem.clone(),
                reviewed: table.reviewed(),
                both_yes: table.both_yes,
                both_no: table.both_no,
                judge_yes_human_no: table.judge_yes_human_no,
                judge_no_human_yes: table.judge_no_human_yes,
                agreement: table.agreement(),
                kappa: table.kappa(),
                judge_precision: table.judge_precision(),
                judge_recall: table.judge_recall(),
                corrected_correct: correct,
                corrected_total: total,
                corrected_accuracy: ratio(correct, total),
                corrected_ci_low: interval.map(|(low, _)| low),
                corrected_ci_high: interval.map(|(_, high)| high),
                judge_correct,
                judge_accuracy: ratio(judge_correct, total),
            }
        })
        .collect()
}

impl FolderAgreement {
    /// The folder's 2×2 table.
    pub fn table(&self) -> Table2x2 {
        Table2x2 {
            both_yes: self.both_yes,
            both_no: self.both_no,
            judge_yes_human_no: self.judge_yes_human_no,
            judge_no_human_yes: self.judge_no_human_yes,
        }
    }
}

/// All reviewed items of these folders in one table (the overall agreement).
pub fn overall(rows: &[FolderAgreement]) -> Table2x2 {
    rows.iter().fold(Table2x2::default(), |mut all, r| {
        let t = r.table();
        all.both_yes += t.both_yes;
        all.both_no += t.both_no;
        all.judge_yes_human_no += t.judge_yes_human_no;
        all.judge_no_human_yes += t.judge_no_human_yes;
        all
    })
}

fn ratio(k: u64, n: u64) -> Option<f64> {
    (n > 0).then(|| k as f64 / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(both_yes: u64, both_no: u64, yes_no: u64, no_yes: u64) -> Table2x2 {
        Table2x2 {
            both_yes,
            both_no,
            judge_yes_human_no: yes_no,
            judge_no_human_yes: no_yes,
        }
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn kappa_precision_and_recall_of_a_hand_computed_table() {
        // 20 both YES, 15 both NO, 5 judge YES / human NO, 10 judge NO / human YES; n = 50.
        // p_o = 35/50 = 0.7; judge YES 25/50, human YES 30/50; p_e = .5·.6 + .5·.4 = 0.5;
        // κ = (0.7 − 0.5) / 0.5 = 0.4.
        let t = table(20, 15, 5, 10);
        assert_eq!(t.reviewed(), 50);
        assert!(close(t.agreement(), 0.7));
        assert!(close(t.kappa(), 0.4));
        assert!(close(t.judge_precision(), 20.0 / 25.0));
        assert!(close(t.judge_recall(), 20.0 / 30.0));
        // SE = √(0.7·0.3 / (50·0.25)) = √0.0168.
        let (low, high) = t.kappa_interval().unwrap();
        let se = 0.0168f64.sqrt();
        assert!((low - (0.4 - 1.96 * se)).abs() < 1e-9 && (high - (0.4 + 1.96 * se)).abs() < 1e-9);
    }

    #[test]
    fn degenerate_tables() {
        // Perfect agreement on both answers: κ = 1.
        let all_agree = table(3, 2, 0, 0);
        assert!(close(all_agree.kappa(), 1.0));
        assert!(close(all_agree.agreement(), 1.0));
        // Everyone always said YES: chance agreement is 1, κ undefined; precision and recall 1.
        let all_yes = table(4, 0, 0, 0);
        assert_eq!(all_yes.kappa(), None);
        assert!(close(all_yes.judge_precision(), 1.0));
        // The judge always says YES, the human splits: κ = 0 (no better than chance).
        let judge_always_yes = table(3, 0, 2, 0);
        assert!(close(judge_always_yes.kappa(), 0.0));
        assert!(close(judge_always_yes.judge_precision(), 0.6));
        assert!(close(judge_always_yes.judge_recall(), 1.0));
        // n = 1.
        let one = table(0, 0, 1, 0);
        // p_e = 1·0 + 0·1 = 0 and p_o = 0: κ = 0.
        assert!(close(one.kappa(), 0.0));
        assert!(close(one.agreement(), 0.0));
        assert!(close(one.judge_precision(), 0.0));
        assert_eq!(one.judge_recall(), None, "the human said YES to nothing");
        // Nothing reviewed.
        let none = Table2x2::default();
        assert_eq!((none.agreement(), none.kappa()), (None, None));
        assert_eq!(none.intervals(), [None, None, None]);
    }
}

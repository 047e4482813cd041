//! Item-by-item comparison of two sides (run + setting): which items flip from wrong to right
//! ("fixes", e.g. CoT fixes) and right to wrong ("breaks"), the paired accuracy difference with a
//! 95% interval, and the exact McNemar test on the discordant pairs.

use std::collections::HashMap;

use serde::Serialize;

use crate::analysis::wilson::Z95;
use crate::model::Dataset;

/// One side of a comparison: a run and a CoT setting, written `RUN/SETTING` on the command line.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Side {
    pub run: String,
    pub setting: String,
}

impl Side {
    /// Parses `RUN/SETTING`; the run may itself contain `/`.
    pub fn parse(text: &str) -> Result<Side, String> {
        match text.rsplit_once('/') {
            Some((run, setting)) if !run.is_empty() && !setting.is_empty() => Ok(Side {
                run: run.into(),
                setting: setting.into(),
            }),
            _ => Err(format!(
                "{text:?} is not RUN/SETTING (e.g. bagel-base/think)"
            )),
        }
    }

    pub fn label(&self) -> String {
        format!("{}/{}", self.run, self.setting)
    }
}

/// Flips of one task between side A and side B.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskFlips {
    pub task: String,
    /// Items judged on both sides.
    pub paired: u64,
    pub a_correct: u64,
    pub b_correct: u64,
    /// Wrong on A, right on B.
    pub fixes: Vec<String>,
    /// Right on A, wrong on B.
    pub breaks: Vec<String>,
    /// Right on one side, a failed judge call on the other: no flip the judge saw, so neither
    /// a fix nor a break, and left out of the paired figures and McNemar's test.
    pub judge_failed: Vec<String>,
    /// Accuracy of B minus accuracy of A on the paired items.
    pub difference: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Exact two-sided McNemar p-value on the discordant pairs.
    pub p_value: f64,
}

/// Flips per task stem (only stems present on both sides), ordered by task type then stem.
pub fn flips(dataset: &Dataset, a: &Side, b: &Side, task: Option<&str>) -> Vec<TaskFlips> {
    // (correct, judge call failed) per judged item.
    let judged_on = |side: &Side| -> HashMap<(String, String), (bool, bool)> {
        dataset
            .items
            .iter()
            .filter(|item| item.verdict.is_judged())
            .filter_map(|item| {
                let folder = dataset.folder_of(item);
                (folder.run == side.run
                    && folder.setting == side.setting
                    && task.is_none_or(|t| t == folder.stem))
                .then(|| {
                    let failed = item.verdict == crate::model::Verdict::JudgeError;
                    (
                        (folder.stem.clone(), item.id.clone()),
                        (item.is_correct(), failed),
                    )
                })
            })
            .collect()
    };
    let (on_a, on_b) = (judged_on(a), judged_on(b));
    // Ids judged on both sides, grouped by stem in one pass.
    let mut shared: std::collections::BTreeMap<(crate::taxonomy::TaskKind, String), Vec<&String>> =
        Default::default();
    for (stem, id) in on_a.keys().filter(|key| on_b.contains_key(*key)) {
        shared
            .entry((crate::taxonomy::TaskKind::of_stem(stem), stem.clone()))
            .or_default()
            .push(id);
    }
    shared
        .into_iter()
        .map(|((_, stem), mut ids)| {
            ids.sort_by(|a, b| crate::model::compare_ids(a, b));
            let (mut fixes, mut breaks, mut judge_failed, mut a_correct, mut b_correct) =
                (Vec::new(), Vec::new(), Vec::new(), 0, 0);
            let mut n = 0u64;
            for id in &ids {
                let key = (stem.clone(), (*id).clone());
                let ((right_a, failed_a), (right_b, failed_b)) = (on_a[&key], on_b[&key]);
                if failed_a || failed_b {
                    if right_a || right_b {
                        judge_failed.push((*id).clone());
                    }
                    continue;
                }
                n += 1;
                a_correct += u64::from(right_a);
                b_correct += u64::from(right_b);
                match (right_a, right_b) {
                    (false, true) => fixes.push((*id).clone()),
                    (true, false) => breaks.push((*id).clone()),
                    _ => {}
                }
            }
            let (difference, ci_low, ci_high) =
                paired_difference(fixes.len() as u64, breaks.len() as u64, n);
            let p_value = mcnemar_exact(fixes.len() as u64, breaks.len() as u64);
            TaskFlips {
                task: stem,
                paired: n,
                a_correct,
                b_correct,
                fixes,
                breaks,
                judge_failed,
                difference,
                ci_low,
                ci_high,
                p_value,
            }
        })
        .collect()
}

/// Difference of paired proportions (fixes − breaks) / n with its Wald 95% interval for
/// matched pairs.
pub fn paired_difference(fixes: u64, breaks: u64, n: u64) -> (f64, f64, f64) {
    if n == 0 {
        return (0.0, -1.0, 1.0);
    }
    let (f, k, n) = (fixes as f64, breaks as f64, n as f64);
    let difference = (f - k) / n;
    let se = ((f + k) - (f - k).powi(2) / n).max(0.0).sqrt() / n;
    (
        difference,
        (difference - Z95 * se).max(-1.0),
        (difference + Z95 * se).min(1.0),
    )
}

/// Exact two-sided McNemar test: a binomial test of `fixes` vs `breaks` at p = ½.
pub fn mcnemar_exact(fixes: u64, breaks: u64) -> f64 {
    let m = fixes + breaks;
    if m == 0 {
        return 1.0;
    }
    let smaller = fixes.min(breaks);
    // Sum C(m, i) / 2^m for i ≤ smaller, in log space so large m does not overflow.
    let log_half_m = -(m as f64) * std::f64::consts::LN_2;
    let mut log_choose = 0.0f64;
    let mut tail = 0.0;
    for i in 0..=smaller {
        if i > 0 {
            log_choose += ((m - i + 1) as f64).ln() - (i as f64).ln();
        }
        tail += (log_choose + log_half_m).exp();
    }
    (2.0 * tail).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn mcnemar_against_hand_worked_values() {
        // 5 fixes, 0 breaks: 2 × (1/2)^5 = 0.0625.
        assert!(close(mcnemar_exact(5, 0), 0.0625));
        // 3 vs 1: 2 × (C(4,0) + C(4,1)) / 16 = 10/16.
        assert!(close(mcnemar_exact(3, 1), 0.625));
        assert!(close(mcnemar_exact(1, 3), 0.625));
        // Balanced discordance is no evidence at all.
        assert!(close(mcnemar_exact(2, 2), 1.0));
        assert!(close(mcnemar_exact(0, 0), 1.0));
        // 10 vs 0: 2 / 1024.
        assert!(close(mcnemar_exact(10, 0), 2.0 / 1024.0));
        assert!(mcnemar_exact(600, 400) < 1e-9);
    }

    #[test]
    fn paired_difference_and_interval() {
        // 6 fixes, 2 breaks of 20 pairs: +0.2, se = sqrt(8 - 16/20)/20 = sqrt(7.2)/20.
        let (d, lo, hi) = paired_difference(6, 2, 20);
        assert!(close(d, 0.2));
        let se = 7.2f64.sqrt() / 20.0;
        assert!(close(lo, 0.2 - Z95 * se) && close(hi, 0.2 + Z95 * se));
    }

    #[test]
    fn sides_parse_with_slashes_in_the_run() {
        assert_eq!(
            Side::parse("group/ckpt/think").unwrap(),
            Side {
                run: "group/ckpt".into(),
                setting: "think".into()
            }
        );
        assert!(Side::parse("think").is_err());
    }
}

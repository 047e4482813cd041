//! WISE scores of the loaded items, per run, setting and category: the mean WiScore of the
//! images the judge actually judged, a 95% bootstrap interval of that mean, and the judge
//! failures (999) counted apart — what `Calculate.py` prints, without averaging 999 in.

use rand::{Rng, SeedableRng};

use super::wise::Judged;
use crate::model::Dataset;
use crate::taxonomy::{Level, WiseCategory};

/// One category's (or, with `category: None`, the overall) WiScore of a run and setting.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WiseScoreRow {
    pub run: String,
    pub setting: String,
    /// `None`: the overall (legacy weights, or WISE_Verified's for verified scores).
    pub category: Option<WiseCategory>,
    /// Images with a score row (failures included).
    pub judged: u64,
    /// Rows with the 999 marker: left out of the mean.
    pub judge_failures: u64,
    pub score: Option<f64>,
    /// 95% percentile-bootstrap interval of the mean (category rows only).
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

impl WiseScoreRow {
    /// The category's name, or `overall`.
    pub fn task(&self) -> &'static str {
        self.category.map_or("overall", WiseCategory::name)
    }
}

/// A category's judged images, judge failures and the WiScores of the judged.
type CategoryCounts = (WiseCategory, u64, u64, Vec<f64>);

/// Resamples of the bootstrap; fixed seed, so the same items give the same interval.
const RESAMPLES: usize = 2000;
const SEED: u64 = 0x5749_5345;

/// Per (run, setting): a row per category with items, then the overall, in dataset order.
pub fn wise_scores(dataset: &Dataset) -> Vec<WiseScoreRow> {
    // Per (run, setting): each category's counts, and whether any score is a verified one.
    let mut groups: Vec<((String, String), Vec<CategoryCounts>, bool)> = Vec::new();
    for item in &dataset.items {
        let folder = dataset.folder_of(item);
        let Level::Wise(category) = folder.kind.level else {
            continue;
        };
        let Some(judged) = item.extras.as_ref().and_then(|e| e.wise.as_ref()) else {
            continue;
        };
        let key = (folder.run.clone(), folder.setting.to_string());
        let at = match groups.iter().position(|(k, _, _)| *k == key) {
            Some(at) => at,
            None => {
                groups.push((key, Vec::new(), false));
                groups.len() - 1
            }
        };
        let (_, categories, verified) = &mut groups[at];
        *verified |= matches!(judged, Judged::Verified(_));
        let at = match categories.iter().position(|(c, ..)| *c == category) {
            Some(at) => at,
            None => {
                categories.push((category, 0, 0, Vec::new()));
                categories.len() - 1
            }
        };
        let entry = &mut categories[at];
        entry.1 += 1;
        match judged.wiscore() {
            Some(score) => entry.3.push(score),
            None => entry.2 += 1,
        }
    }
    let mut rows = Vec::new();
    for ((run, setting), mut categories, verified) in groups {
        categories.sort_by_key(|(c, ..)| *c);
        let mut scores = Vec::new();
        for (category, judged, judge_failures, values) in &categories {
            let score = mean(values);
            let (ci_low, ci_high) =
                bootstrap_interval(values).map_or((None, None), |(lo, hi)| (Some(lo), Some(hi)));
            scores.push(super::wise::CategoryScore {
                category: *category,
                judged: *judged,
                judge_failures: *judge_failures,
                score,
            });
            rows.push(WiseScoreRow {
                run: run.clone(),
                setting: setting.clone(),
                category: Some(*category),
                judged: *judged,
                judge_failures: *judge_failures,
                score,
                ci_low,
                ci_high,
            });
        }
        // Every category must have a score for the weighted overall.
        let complete = WiseCategory::ALL
            .iter()
            .all(|c| scores.iter().any(|s| s.category == *c && s.score.is_some()));
        let overall = complete
            .then(|| {
                if verified {
                    super::wise::verified_overall(&scores)
                } else {
                    super::wise::legacy_overall(&scores)
                }
            })
            .flatten();
        rows.push(WiseScoreRow {
            run,
            setting,
            category: None,
            judged: scores.iter().map(|s| s.judged).sum(),
            judge_failures: scores.iter().map(|s| s.judge_failures).sum(),
            score: overall,
            ci_low: None,
            ci_high: None,
        });
    }
    rows
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The 2.5th and 97.5th percentiles of the means of resamples (with replacement); `None` for
/// fewer than two values.
pub fn bootstrap_interval(values: &[f64]) -> Option<(f64, f64)> {
    if values.len() < 2 {
        return None;
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
    let mut means: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let sum: f64 = (0..values.len())
                .map(|_| values[rng.random_range(0..values.len())])
                .sum();
            sum / values.len() as f64
        })
        .collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| means[((RESAMPLES - 1) as f64 * q).round() as usize];
    Some((at(0.025), at(0.975)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bootstrap_interval_holds_the_mean_and_narrows_with_more_values() {
        let few = [0.2, 0.4, 0.6, 0.8];
        let (lo, hi) = bootstrap_interval(&few).unwrap();
        assert!(lo < 0.5 && 0.5 < hi, "{lo} {hi}");
        assert!(lo >= 0.2 && hi <= 0.8);
        let many: Vec<f64> = few.iter().cycle().take(400).copied().collect();
        let (lo2, hi2) = bootstrap_interval(&many).unwrap();
        assert!(hi2 - lo2 < (hi - lo) / 4.0, "{lo2} {hi2}");
        // The same values, the same interval (fixed seed).
        assert_eq!(bootstrap_interval(&few), Some((lo, hi)));
        assert_eq!(bootstrap_interval(&[0.5]), None);
        // All equal: no spread.
        assert_eq!(bootstrap_interval(&[0.5, 0.5, 0.5]), Some((0.5, 0.5)));
    }
}

//! WISE judge scores (`gpt_eval.py`'s `<stem>_scores_results.jsonl`, or WISE_Verified's 0/1
//! `score`) and the WiScore of `WISE_legacy/Calculate.py` — with the judge's failure marker 999
//! counted apart instead of averaged in (Calculate.py adds such a row as 499.5).

use serde_json::Value;

/// The value `gpt_eval.py` writes into a metric when the judge call failed after its retries or
/// the metric was not found in the reply. Matched in the score fields only: prompt id 999 exists.
pub const FAILED: f64 = 999.0;

/// What the judge gave one image.
#[derive(Clone, Debug, PartialEq)]
pub enum Judged {
    /// Legacy: three metrics, each 0–2; `None` where the row holds the 999 marker.
    Legacy {
        consistency: Option<f64>,
        realism: Option<f64>,
        aesthetic_quality: Option<f64>,
    },
    /// WISE_Verified: one 0/1 score.
    Verified(Option<f64>),
}

impl Judged {
    /// Whether any metric is the failure marker (the judge did not judge this image).
    pub fn failed(&self) -> bool {
        match self {
            Judged::Legacy {
                consistency,
                realism,
                aesthetic_quality,
            } => consistency.is_none() || realism.is_none() || aesthetic_quality.is_none(),
            Judged::Verified(score) => score.is_none(),
        }
    }

    /// WiScore in [0, 1]: (0.7·consistency + 0.2·realism + 0.1·aesthetic) / 2, or the verified
    /// score; `None` for a failed judgment.
    pub fn wiscore(&self) -> Option<f64> {
        match self {
            Judged::Legacy {
                consistency,
                realism,
                aesthetic_quality,
            } => Some(
                (0.7 * (*consistency)? + 0.2 * (*realism)? + 0.1 * (*aesthetic_quality)?) / 2.0,
            ),
            Judged::Verified(score) => *score,
        }
    }
}

/// One scores row.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreRow {
    pub prompt_id: u32,
    pub subcategory: String,
    pub judged: Judged,
}

impl ScoreRow {
    /// The row's category: by the legacy id ranges, or WISE_Verified's for a verified score.
    pub fn category(&self) -> Option<Category> {
        match self.judged {
            Judged::Verified(_) => Category::of_verified_id(self.prompt_id),
            Judged::Legacy { .. } => Category::of_id(self.prompt_id),
        }
    }
}

/// Parses a scores JSONL (legacy or Verified); a bad line is reported with its 1-based number.
pub fn parse_scores(text: &str) -> (Vec<ScoreRow>, Vec<(usize, String)>) {
    super::parse_lines(text, parse_row)
}

fn parse_row(line: &str) -> Result<ScoreRow, String> {
    let value: Value =
        serde_json::from_str(line).map_err(|e| format!("not a WISE scores row: {e}"))?;
    let prompt_id = value
        .get("prompt_id")
        .and_then(Value::as_u64)
        .and_then(|id| u32::try_from(id).ok())
        .ok_or("no integer prompt_id")?;
    let subcategory = value
        .get("Subcategory")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let metric = |name: &str| -> Result<Option<f64>, String> {
        let number = value
            .get(name)
            .and_then(Value::as_f64)
            .ok_or_else(|| format!("prompt_id {prompt_id}: no number in {name}"))?;
        Ok((number != FAILED).then_some(number))
    };
    let judged = if value.get("score").is_some() && value.get("consistency").is_none() {
        Judged::Verified(metric("score")?)
    } else {
        Judged::Legacy {
            consistency: metric("consistency")?,
            realism: metric("realism")?,
            aesthetic_quality: metric("aesthetic_quality")?,
        }
    };
    Ok(ScoreRow {
        prompt_id,
        subcategory,
        judged,
    })
}

/// The six categories of `Calculate.py` (defined with the task taxonomy).
pub use crate::taxonomy::WiseCategory as Category;

/// One category's score.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CategoryScore {
    pub category: Category,
    /// Rows the judge wrote, failures included.
    pub judged: u64,
    /// Rows with the 999 marker in any metric: left out of the mean.
    pub judge_failures: u64,
    /// Mean WiScore of the rows actually judged; `None` when there are none.
    pub score: Option<f64>,
}

/// Scores per category (all six, in order) over the rows of any number of scores files.
pub fn category_scores(rows: &[ScoreRow]) -> Vec<CategoryScore> {
    Category::ALL
        .into_iter()
        .map(|category| {
            let of: Vec<&ScoreRow> = rows
                .iter()
                .filter(|r| r.category() == Some(category))
                .collect();
            let scores: Vec<f64> = of.iter().filter_map(|r| r.judged.wiscore()).collect();
            CategoryScore {
                category,
                judged: of.len() as u64,
                judge_failures: of.iter().filter(|r| r.judged.failed()).count() as u64,
                score: (!scores.is_empty())
                    .then(|| scores.iter().sum::<f64>() / scores.len() as f64),
            }
        })
        .collect()
}

/// The legacy-weighted overall of the category means; `None` while a category has no score.
pub fn legacy_overall(categories: &[CategoryScore]) -> Option<f64> {
    categories
        .iter()
        .map(|c| Some(c.category.legacy_weight() * c.score?))
        .sum()
}

/// WISE_Verified's overall (`calculate_verified.py`): 0.40·culture + 0.12·each other category.
pub fn verified_overall(categories: &[CategoryScore]) -> Option<f64> {
    categories
        .iter()
        .map(|c| Some(c.category.verified_weight() * c.score?))
        .sum()
}

/// The overall of these rows' scores: WISE_Verified's when they are verified, else the legacy one.
pub fn overall(rows: &[ScoreRow], categories: &[CategoryScore]) -> Option<f64> {
    if rows.iter().any(|r| matches!(r.judged, Judged::Verified(_))) {
        verified_overall(categories)
    } else {
        legacy_overall(categories)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: Option<f64>, want: f64) -> bool {
        got.is_some_and(|g| (g - want).abs() < 1e-12)
    }

    const LINES: &str = r#"{"prompt_id": 102, "Subcategory": "Construction", "consistency": 1.0, "realism": 0.0, "aesthetic_quality": 1.0}
{"prompt_id": 326, "Subcategory": "Celebrity", "consistency": 999, "realism": 999, "aesthetic_quality": 999}
{"prompt_id": 999, "Subcategory": "Combustion", "consistency": 2.0, "realism": 2.0, "aesthetic_quality": 2.0}
{"prompt_id": 910, "Subcategory": "Combustion", "consistency": 0.0, "realism": 1.0, "aesthetic_quality": 999}
{"prompt_id": 425, "Subcategory": "Longitudinal time", "consistency": 2.0, "realism": 1.0, "aesthetic_quality": 1.0}
"#;

    #[test]
    fn the_marker_is_matched_in_the_score_fields_not_the_prompt_id() {
        let (rows, problems) = parse_scores(LINES);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows.len(), 5);
        assert!(!rows[0].judged.failed());
        assert!(rows[1].judged.failed());
        // Prompt 999 is an ordinary, fully judged chemistry prompt.
        assert_eq!(rows[2].prompt_id, 999);
        assert!(!rows[2].judged.failed());
        assert!(close(rows[2].judged.wiscore(), 1.0));
        // One metric not parsed: the image was not judged either.
        assert!(rows[3].judged.failed());
        assert!(close(rows[0].judged.wiscore(), (0.7 + 0.1) / 2.0));
    }

    #[test]
    fn categories_leave_failures_out_of_the_mean_and_count_them() {
        let (rows, _) = parse_scores(LINES);
        let categories = category_scores(&rows);
        let culture = &categories[0];
        assert_eq!((culture.judged, culture.judge_failures), (2, 1));
        assert!(close(culture.score, 0.4));
        let chemistry = &categories[5];
        assert_eq!((chemistry.judged, chemistry.judge_failures), (2, 1));
        assert!(close(chemistry.score, 1.0));
        let time = &categories[1];
        assert!(close(time.score, (1.4 + 0.2 + 0.1) / 2.0));
        // Space, biology and physics have no rows: no overall.
        assert_eq!(categories[2].score, None);
        assert_eq!(legacy_overall(&categories), None);
    }

    #[test]
    fn the_overall_weights_the_category_means_as_calculate_py() {
        let categories: Vec<CategoryScore> = Category::ALL
            .into_iter()
            .map(|category| CategoryScore {
                category,
                judged: 1,
                judge_failures: 0,
                score: Some(0.5),
            })
            .collect();
        let overall = legacy_overall(&categories).unwrap();
        assert!(
            (overall - 0.5).abs() < 1e-9,
            "the weights sum to 1: {overall}"
        );
    }

    #[test]
    fn a_verified_row_has_one_score_and_a_bad_line_is_named() {
        let text = "{\"prompt_id\": 5, \"Subcategory\": \"Festival\", \"score\": 1}\n{\"prompt_id\": \"x\"}\n";
        let (rows, problems) = parse_scores(text);
        assert_eq!(rows[0].judged, Judged::Verified(Some(1.0)));
        assert_eq!(problems, [(2, "no integer prompt_id".to_string())]);
    }

    #[test]
    fn verified_rows_use_their_own_ranges_and_weights() {
        // 530 tells the ranges apart: Verified SPACE (521–640), legacy TIME (401–567).
        let text = [1, 530, 650, 770, 890, 401]
            .iter()
            .map(|id| format!("{{\"prompt_id\": {id}, \"Subcategory\": \"x\", \"score\": 1}}\n"))
            .collect::<String>();
        let (rows, _) = parse_scores(&text);
        assert_eq!(rows[1].category(), Some(Category::Space));
        assert_eq!(Category::of_id(530), Some(Category::Time));
        let categories = category_scores(&rows);
        assert!(
            categories.iter().all(|c| c.score == Some(1.0)),
            "{categories:?}"
        );
        // 0.40 + 5 × 0.12 = 1.0 with every category at 1.
        assert!(close(overall(&rows, &categories), 1.0));
        let mut halves = categories.clone();
        halves[0].score = Some(0.0);
        assert!(close(verified_overall(&halves), 0.6));
        assert!(close(legacy_overall(&halves), 0.6));
        halves[0].score = Some(1.0);
        halves[1].score = Some(0.0);
        assert!(close(verified_overall(&halves), 0.88));
        assert!(close(legacy_overall(&halves), 1.0 - 0.167));
    }
}

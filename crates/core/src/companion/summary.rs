//! `summary`'s rows for GenEval and WISE outputs: GenEval per tag plus its official overall;
//! WISE per category (judge failures counted apart, left out of the mean) plus the legacy overall.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::discover::discover;
use super::{geneval, wise};
use crate::diagnostics::Diagnostic;

/// One summary row of a companion benchmark (fields that do not apply are left out).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompanionRow {
    pub run: String,
    pub setting: String,
    /// `geneval` or `wise`.
    pub family: &'static str,
    /// A GenEval tag, a WISE category (CULTURE …), or `overall`.
    pub task: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correct: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judged: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judge_failures: Option<u64>,
    /// GenEval overall: the official mean of tag accuracies; WISE: mean WiScore of the judged,
    /// or the legacy-weighted overall. `null` when nothing was judged.
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompts_total: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompts_correct: Option<u64>,
}

impl CompanionRow {
    fn new(run: &str, setting: &str, family: &'static str, task: &str) -> Self {
        Self {
            run: run.to_string(),
            setting: setting.to_string(),
            family,
            task: task.to_string(),
            total: None,
            correct: None,
            accuracy: None,
            judged: None,
            judge_failures: None,
            score: None,
            prompts_total: None,
            prompts_correct: None,
        }
    }
}

/// The rows of every evaluated GenEval and judged WISE output beneath `paths`.
pub fn summarize(paths: &[PathBuf]) -> (Vec<CompanionRow>, Vec<Diagnostic>) {
    let mut rows = Vec::new();
    let mut diagnostics = Vec::new();
    for path in paths {
        let (geneval_runs, wise_runs) = discover(path);
        for run in geneval_runs {
            for results in &run.results {
                let Some(text) = read(results, &mut diagnostics) else {
                    continue;
                };
                let (parsed, problems) = geneval::parse_results(&text);
                report(results, problems, &mut diagnostics);
                rows.extend(geneval_rows(
                    &run.run,
                    &run.setting,
                    &geneval::score(&parsed),
                ));
            }
        }
        for run in wise_runs {
            if run.scores.is_empty() {
                continue;
            }
            let mut parsed = Vec::new();
            for scores in &run.scores {
                let Some(text) = read(scores, &mut diagnostics) else {
                    continue;
                };
                let (file_rows, problems) = wise::parse_scores(&text);
                report(scores, problems, &mut diagnostics);
                parsed.extend(file_rows);
            }
            rows.extend(wise_rows(&run.run, &run.setting, &parsed));
        }
    }
    (rows, diagnostics)
}

fn read(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    match std::fs::read(path) {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(err) => {
            diagnostics.push(Diagnostic::error(path, None, format!("cannot read: {err}")));
            None
        }
    }
}

fn report(path: &Path, problems: Vec<(usize, String)>, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.extend(
        problems
            .into_iter()
            .map(|(line, why)| Diagnostic::warning(path, Some(line as u64), why)),
    );
}

fn geneval_rows(run: &str, setting: &str, score: &geneval::Score) -> Vec<CompanionRow> {
    let mut rows: Vec<CompanionRow> = score
        .tags
        .iter()
        .map(|tag| CompanionRow {
            total: Some(tag.total),
            correct: Some(tag.correct),
            accuracy: Some(tag.accuracy()),
            ..CompanionRow::new(run, setting, "geneval", &tag.tag)
        })
        .collect();
    rows.push(CompanionRow {
        total: Some(score.total_images),
        correct: Some(score.correct_images),
        score: Some(score.overall),
        prompts_total: Some(score.total_prompts),
        prompts_correct: Some(score.correct_prompts),
        ..CompanionRow::new(run, setting, "geneval", "overall")
    });
    rows
}

fn wise_rows(run: &str, setting: &str, parsed: &[wise::ScoreRow]) -> Vec<CompanionRow> {
    let categories = wise::category_scores(parsed);
    let mut rows: Vec<CompanionRow> = categories
        .iter()
        .map(|c| CompanionRow {
            judged: Some(c.judged),
            judge_failures: Some(c.judge_failures),
            score: c.score,
            ..CompanionRow::new(run, setting, "wise", c.category.name())
        })
        .collect();
    rows.push(CompanionRow {
        judged: Some(categories.iter().map(|c| c.judged).sum()),
        judge_failures: Some(categories.iter().map(|c| c.judge_failures).sum()),
        score: wise::overall(parsed, &categories),
        ..CompanionRow::new(run, setting, "wise", "overall")
    });
    rows
}

/// The rows in words, a line per output (after `summary`'s table).
pub fn render_table(rows: &[CompanionRow]) -> String {
    let mut out = String::new();
    let mut at = 0;
    while at < rows.len() {
        let (run, setting, family) = (&rows[at].run, &rows[at].setting, rows[at].family);
        let end = rows[at..]
            .iter()
            .position(|r| r.run != *run || r.setting != *setting || r.family != family)
            .map_or(rows.len(), |n| at + n);
        let group = &rows[at..end];
        let overall = group.iter().find(|r| r.task == "overall");
        let parts: Vec<String> = group
            .iter()
            .filter(|r| r.task != "overall")
            .map(|r| match family {
                "geneval" => format!(
                    "{} {}/{}",
                    r.task,
                    r.correct.unwrap_or(0),
                    r.total.unwrap_or(0)
                ),
                _ => format!(
                    "{} {}{}",
                    r.task,
                    r.score.map_or("—".to_string(), |s| format!("{s:.4}")),
                    match r.judge_failures {
                        Some(n) if n > 0 =>
                            format!(" ({n} judge failure{})", if n == 1 { "" } else { "s" }),
                        _ => String::new(),
                    }
                ),
            })
            .collect();
        let head = match (family, overall) {
            ("geneval", Some(o)) => format!(
                "GenEval {run} ({setting}): overall {} · images {}/{} · prompts {}/{}",
                o.score.map_or("—".into(), |s| format!("{s:.5}")),
                o.correct.unwrap_or(0),
                o.total.unwrap_or(0),
                o.prompts_correct.unwrap_or(0),
                o.prompts_total.unwrap_or(0)
            ),
            (_, Some(o)) => format!(
                "WISE {run} ({setting}): overall {} (legacy weights, judge failures left out)",
                o.score
                    .map_or("— (a category has no judged image)".into(), |s| format!(
                        "{s:.6}"
                    ))
            ),
            _ => format!("{family} {run} ({setting})"),
        };
        out += &format!("{head}\n  {}\n", parts.join(" · "));
        at = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::companion::write_file as write;

    /// Outputs written by hand in the upstream forms: rows per tag and category, the official
    /// overall, WISE's 999 rows counted and left out, a bad line named.
    #[test]
    fn rows_for_geneval_tags_and_wise_categories_with_their_overalls() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("geneval/m/normal");
        write(&out.join("images/00009/metadata.jsonl"), "{}");
        let row = |idx: &str, tag: &str, correct: bool| {
            format!(
                r#"{{"filename":"\/x\/images\/{idx}\/samples\/00000.png","tag":"{tag}","prompt":"p","correct":{correct},"reason":"","metadata":"{{\"i\": \"{idx}\"}}","details":"{{}}"}}"#
            )
        };
        let results = [
            row("00009", "single_object", true),
            row("00009", "single_object", false),
            row("00224", "counting", false),
            "{broken".to_string(),
        ]
        .join("\n");
        write(&out.join("results.jsonl"), &results);
        let wise = dir.path().join("wise/m/think/images");
        write(&wise.join("102.png"), "png");
        write(
            &wise.join("Results/cultural_common_sense_scores_results.jsonl"),
            "{\"prompt_id\": 102, \"Subcategory\": \"C\", \"consistency\": 2.0, \"realism\": 2.0, \"aesthetic_quality\": 2.0}\n{\"prompt_id\": 326, \"Subcategory\": \"C\", \"consistency\": 999, \"realism\": 999, \"aesthetic_quality\": 999}\n",
        );
        let (rows, diagnostics) = summarize(&[dir.path().to_path_buf()]);
        let geneval: Vec<(&str, Option<u64>, Option<u64>)> = rows
            .iter()
            .filter(|r| r.family == "geneval")
            .map(|r| (r.task.as_str(), r.correct, r.total))
            .collect();
        // The broken line is not a row (the official script would fail on it; it is named).
        assert_eq!(
            geneval,
            [
                ("single_object", Some(1), Some(2)),
                ("counting", Some(0), Some(1)),
                ("overall", Some(1), Some(3)),
            ]
        );
        let overall = rows
            .iter()
            .find(|r| r.family == "geneval" && r.task == "overall")
            .unwrap();
        assert_eq!(overall.score, Some(0.25), "mean of 1/2 and 0/1");
        assert_eq!(
            (overall.prompts_total, overall.prompts_correct),
            (Some(2), Some(1))
        );
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].line, Some(4));
        let culture = rows
            .iter()
            .find(|r| r.family == "wise" && r.task == "CULTURE")
            .unwrap();
        assert_eq!(
            (culture.run.as_str(), culture.setting.as_str()),
            ("wise/m/think", "think")
        );
        assert_eq!((culture.judged, culture.judge_failures), (Some(2), Some(1)));
        assert!(culture.score.is_some_and(|s| (s - 1.0).abs() < 1e-12));
        let overall = rows
            .iter()
            .find(|r| r.family == "wise" && r.task == "overall")
            .unwrap();
        assert_eq!(overall.score, None, "five categories have no judged image");
    }
}

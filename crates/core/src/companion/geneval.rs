//! GenEval results: one JSONL row per image, as pandas `to_json(orient="records", lines=True)`
//! writes them (`\/` escapes, `true`/`false`, `metadata` and `details` as JSON strings), and the
//! scores `summary_scores.py` prints for them.

use serde::Deserialize;

/// One results row.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ResultRow {
    /// The image path as typed on the evaluator's command line: data, never opened; see
    /// `sample_of`.
    pub filename: String,
    pub tag: String,
    pub prompt: String,
    pub correct: bool,
    /// The failed clauses, newline-joined (`expected clock>=2, found 1`); empty when correct.
    #[serde(default)]
    pub reason: String,
    /// The prompt's metadata line, as a JSON string: what makes two rows the same prompt.
    pub metadata: String,
    /// Detected boxes per class, as a JSON string.
    #[serde(default)]
    pub details: String,
}

/// Parses a results JSONL; a bad line is reported with its 1-based number.
pub fn parse_results(text: &str) -> (Vec<ResultRow>, Vec<(usize, String)>) {
    super::parse_lines(text, |line| {
        serde_json::from_str::<ResultRow>(line)
            .map_err(|err| format!("not a GenEval results row: {err}"))
    })
}

/// Which sample a row is: (`<idx:05>` prompt folder, `<k:05>.png`), from the last three parts
/// of its path (`…/<idx>/samples/<k>.png`), whichever separator; `None` for another shape.
pub fn sample_of(filename: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = filename.rsplit(['/', '\\']).take(3).collect();
    match parts.as_slice() {
        [file, "samples", prompt]
            if file.ends_with(".png") && !prompt.is_empty() && *prompt != ".." =>
        {
            Some((prompt.to_string(), file.to_string()))
        }
        _ => None,
    }
}

/// A tag's image accuracy.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TagScore {
    pub tag: String,
    pub correct: u64,
    pub total: u64,
}

impl TagScore {
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }
}

/// What `summary_scores.py` prints.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Score {
    pub total_images: u64,
    pub correct_images: u64,
    /// Distinct `metadata` strings.
    pub total_prompts: u64,
    /// Prompts with at least one correct image.
    pub correct_prompts: u64,
    /// In the order tags first appear in the file (the script's order).
    pub tags: Vec<TagScore>,
    /// The unweighted mean of the tags' image accuracies.
    pub overall: f64,
}

/// The official scores of a results file's rows.
pub fn score(rows: &[ResultRow]) -> Score {
    let mut tags: Vec<TagScore> = Vec::new();
    let mut prompts: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    for row in rows {
        match tags.iter_mut().find(|t| t.tag == row.tag) {
            Some(tag) => {
                tag.total += 1;
                tag.correct += u64::from(row.correct);
            }
            None => tags.push(TagScore {
                tag: row.tag.clone(),
                correct: u64::from(row.correct),
                total: 1,
            }),
        }
        *prompts.entry(row.metadata.as_str()).or_default() |= row.correct;
    }
    let overall = if tags.is_empty() {
        0.0
    } else {
        tags.iter().map(TagScore::accuracy).sum::<f64>() / tags.len() as f64
    };
    Score {
        total_images: rows.len() as u64,
        correct_images: rows.iter().filter(|r| r.correct).count() as u64,
        total_prompts: prompts.len() as u64,
        correct_prompts: prompts.values().filter(|any| **any).count() as u64,
        tags,
        overall,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines in the exact form pandas writes (escaped slashes, a two-line reason).
    const LINES: &str = r#"{"filename":"\/abs\/out\/images\/00347\/samples\/00001.png","tag":"colors","prompt":"a photo of a yellow fork","correct":true,"reason":"","metadata":"{\"tag\": \"colors\", \"include\": [{\"class\": \"fork\", \"count\": 1, \"color\": \"yellow\"}], \"prompt\": \"a photo of a yellow fork\"}","details":"{\"fork\": [[17.29, 30.97, 32.45, 45.04, 0.53]]}"}
{"filename":"\/abs\/out\/images\/00347\/samples\/00002.png","tag":"colors","prompt":"a photo of a yellow fork","correct":false,"reason":"expected yellow fork>=1, found 0 yellow; and 1 black","metadata":"{\"tag\": \"colors\", \"include\": [{\"class\": \"fork\", \"count\": 1, \"color\": \"yellow\"}], \"prompt\": \"a photo of a yellow fork\"}","details":"{}"}
{"filename":".\/outputs_with_thinking\/images\/00224\/samples\/00001.png","tag":"counting","prompt":"a photo of two pizzas","correct":false,"reason":"expected pizza<3, found 4","metadata":"{\"tag\": \"counting\", \"include\": [{\"class\": \"pizza\", \"count\": 2}], \"exclude\": [{\"class\": \"pizza\", \"count\": 3}], \"prompt\": \"a photo of two pizzas\"}","details":"{}"}
{"filename":".\/outputs_with_thinking\/images\/00355\/samples\/00001.png","tag":"position","prompt":"a photo of a couch below a cup","correct":false,"reason":"expected couch>=1, found 0\nno target for couch to be below","metadata":"{\"tag\": \"position\", \"include\": [{\"class\": \"cup\", \"count\": 1}, {\"class\": \"couch\", \"count\": 1, \"position\": [\"below\", 0]}], \"prompt\": \"a photo of a couch below a cup\"}","details":"{}"}
"#;

    #[test]
    fn rows_parse_in_the_pandas_form_and_a_bad_line_is_named() {
        let text = format!("{LINES}not json\n");
        let (rows, problems) = parse_results(&text);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].filename, "/abs/out/images/00347/samples/00001.png");
        assert!(rows[0].correct && !rows[1].correct);
        assert_eq!(
            rows[3].reason,
            "expected couch>=1, found 0\nno target for couch to be below"
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, 5);
    }

    #[test]
    fn a_row_is_its_last_three_path_parts_never_the_path() {
        assert_eq!(
            sample_of("./outputs_with_thinking/images/00224/samples/00001.png"),
            Some(("00224".into(), "00001.png".into()))
        );
        assert_eq!(
            sample_of(r"C:\runs\images\00009\samples\00003.png"),
            Some(("00009".into(), "00003.png".into()))
        );
        assert_eq!(sample_of("/etc/passwd"), None);
        assert_eq!(sample_of("../samples/00001.png"), None);
    }

    #[test]
    fn scores_as_summary_scores_py_computes_them() {
        let (rows, _) = parse_results(LINES);
        let score = score(&rows);
        assert_eq!((score.total_images, score.correct_images), (4, 1));
        // Three prompts (distinct metadata); only the fork has a correct image.
        assert_eq!((score.total_prompts, score.correct_prompts), (3, 1));
        let tags: Vec<(&str, u64, u64)> = score
            .tags
            .iter()
            .map(|t| (t.tag.as_str(), t.correct, t.total))
            .collect();
        assert_eq!(
            tags,
            [("colors", 1, 2), ("counting", 0, 1), ("position", 0, 1)]
        );
        // The mean of 0.5, 0 and 0 — not 1 of 4 images.
        assert!((score.overall - 0.5 / 3.0).abs() < 1e-12);
    }
}

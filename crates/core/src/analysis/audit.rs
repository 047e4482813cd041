//! Benchmark audit: answer keys that contradict their own question. Such items can never be
//! right, so error analysis must see them (UniSandbox's math_2/math_3 and mapping2/3 have some).

use serde::Serialize;

use crate::analysis::arithmetic::{answer_count, evaluate_question};
use crate::model::Dataset;
use crate::model::compare_ids;
use crate::taxonomy::Family;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Finding {
    pub task: String,
    /// Item id, with `_A` / `_B` for a mapping side.
    pub id: String,
    pub expected: String,
    /// What the question itself gives (math), or the other side's answer (mapping).
    pub computed: String,
    pub reason: String,
    /// STARS filter candidates only: the filter run, whether it accepted the candidate, and
    /// `ACCEPTED_SUSPECT` when it did (the model would be trained on a wrong answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<&'static str>,
}

/// The flag of an accepted filter candidate whose key contradicts its own arithmetic.
pub const ACCEPTED_SUSPECT: &str = "accepted with a suspect key";

/// A math question the audit could not evaluate: it is not vouched for either.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotChecked {
    pub task: String,
    pub id: String,
    pub question: String,
    /// Why the arithmetic could not be read.
    pub why: String,
}

/// Every suspect answer key, once per benchmark item (runs and settings share the benchmark).
pub fn audit(dataset: &Dataset) -> Vec<Finding> {
    audit_report(dataset).0
}

/// The suspect keys and the math questions that could not be checked, once per benchmark item.
pub fn audit_report(dataset: &Dataset) -> (Vec<Finding>, Vec<NotChecked>) {
    let mut not_checked: Vec<NotChecked> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut seen: std::collections::HashSet<(Option<String>, String, String, String)> =
        Default::default();
    // Every checkpoint and setting repeats the benchmark: evaluate each question once.
    let mut evaluated: std::collections::HashSet<(&str, &str, &str, &str, &str)> =
        Default::default();
    for item in &dataset.items {
        let folder = dataset.folder_of(item);
        let mut found = Vec::new();
        match folder.kind.family {
            Family::Math => {
                for part in item.parts.iter().filter(|p| !p.question.is_empty()) {
                    // Each filter run judged its candidates itself: check them per run.
                    let run = if folder.filter.is_some() {
                        folder.run.as_str()
                    } else {
                        ""
                    };
                    let key = (
                        run,
                        folder.stem.as_str(),
                        item.id.as_str(),
                        &*part.question,
                        part.answer.as_str(),
                    );
                    if !evaluated.insert(key) {
                        continue;
                    }
                    match check_math(&folder.stem, &item.id, &part.question, &part.answer) {
                        Ok(Some(mut finding)) => {
                            if folder.filter.is_some() {
                                let accepted = item.verdict == crate::model::Verdict::Yes;
                                finding.run = Some(folder.run.clone());
                                finding.accepted = Some(accepted);
                                finding.flag = accepted.then_some(ACCEPTED_SUSPECT);
                            }
                            found.push(finding)
                        }
                        Ok(None) => {}
                        Err(why) => not_checked.push(NotChecked {
                            task: folder.stem.clone(),
                            id: item.id.clone(),
                            question: part.question.to_string(),
                            why,
                        }),
                    }
                }
            }
            Family::Mapping => {
                for part in &item.parts {
                    if part.answer.trim().eq_ignore_ascii_case("undefined") {
                        let side = part
                            .label
                            .map(|l| format!("{}_{l}", item.id))
                            .unwrap_or_else(|| item.id.clone());
                        found.push(Finding {
                            task: folder.stem.clone(),
                            id: side,
                            expected: part.answer.clone(),
                            computed: "—".into(),
                            reason: "the answer key is \"undefined\": no rule defines this symbol"
                                .into(),
                            ..Finding::default()
                        });
                    }
                }
                if let [a, b] = &item.parts[..]
                    && !a.answer.is_empty()
                    && a.answer.trim().eq_ignore_ascii_case(b.answer.trim())
                {
                    found.push(Finding {
                        task: folder.stem.clone(),
                        id: item.id.clone(),
                        expected: a.answer.clone(),
                        computed: b.answer.clone(),
                        reason: "A and B have the same answer".into(),
                        ..Finding::default()
                    });
                }
            }
            _ => {}
        }
        for finding in found {
            let key = (
                finding.run.clone(),
                finding.task.clone(),
                finding.id.clone(),
                finding.reason.clone(),
            );
            if seen.insert(key) {
                findings.push(finding);
            }
        }
    }
    findings.sort_by(|a, b| a.task.cmp(&b.task).then_with(|| compare_ids(&a.id, &b.id)));
    not_checked.sort_by(|a, b| a.task.cmp(&b.task).then_with(|| compare_ids(&a.id, &b.id)));
    not_checked.dedup_by(|a, b| a.task == b.task && a.id == b.id && a.question == b.question);
    (findings, not_checked)
}

/// A math key is suspect when the question's arithmetic gives another count, or no whole count.
pub fn audit_math(task: &str, id: &str, question: &str, answer: &str) -> Option<Finding> {
    check_math(task, id, question, answer).ok().flatten()
}

/// `audit_math`, or why the question could not be evaluated.
fn check_math(
    task: &str,
    id: &str,
    question: &str,
    answer: &str,
) -> Result<Option<Finding>, String> {
    let evaluation = evaluate_question(question)?;
    let value = evaluation.value;
    let computed = if value.fract() == 0.0 {
        format!("{value}")
    } else {
        format!("{value:.3}")
    };
    let finding = |reason: String| Finding {
        task: task.into(),
        id: id.into(),
        expected: answer.into(),
        computed: computed.clone(),
        reason,
        ..Finding::default()
    };
    if value.fract() != 0.0 {
        return Ok(Some(finding(format!(
            "{} is not a whole number",
            evaluation.expression
        ))));
    }
    Ok(match answer_count(answer) {
        Some(key) if key != value => Some(finding(format!(
            "{} = {computed}, the key says {key}",
            evaluation.expression
        ))),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_keys_checked_against_arithmetic() {
        let wrong = audit_math(
            "math_3",
            "31",
            "Produce the number of forks matching (5 % 3) + 3 - 1.",
            "3 forks",
        )
        .unwrap();
        assert_eq!(
            (wrong.computed.as_str(), wrong.expected.as_str()),
            ("4", "3 forks")
        );
        assert!(wrong.reason.contains("the key says 3"));
        assert_eq!(
            audit_math("math_3", "2", "Create as many cups as 8 / 4.", "2 cups"),
            None
        );
        let fraction =
            audit_math("math_1", "9", "Create as many cups as 7 / 2.", "3 cups").unwrap();
        assert!(fraction.reason.contains("not a whole number"));
    }

    #[test]
    fn right_keys_are_not_accused_and_unreadable_questions_are_listed() {
        use crate::model::{Verdict, fixtures};
        let questions = [
            (
                "1",
                "Generate the outcome of the square root of 16 minus 3, then add 2.",
                "3 cups",
            ),
            (
                "2",
                "Create the same quantity of shirts as √(M² + 9) where M = 1.",
                "3 shirts",
            ),
            ("3", "Draw some cats.", "2 cats"),
            ("4", "Make 2 + 2 apples, then paint them.", "4 apples"),
        ];
        let mut data = Dataset::default();
        let items = questions
            .iter()
            .map(|(id, q, a)| fixtures::item(id, fixtures::part(q, a, Verdict::No)))
            .collect();
        data.push_folder(fixtures::folder("ckpt", "normal", "math_3"), items);
        let (findings, not_checked) = audit_report(&data);
        let flagged: Vec<(&str, &str)> = findings
            .iter()
            .map(|f| (f.id.as_str(), f.reason.as_str()))
            .collect();
        assert_eq!(flagged, [("2", "√((1)^2 + 9) is not a whole number")]);
        let unchecked: Vec<(&str, &str)> = not_checked
            .iter()
            .map(|n| (n.id.as_str(), n.why.as_str()))
            .collect();
        assert_eq!(
            unchecked,
            [
                ("3", "no arithmetic found in the question"),
                ("4", "cannot read the step \"then paint them.\"")
            ]
        );
    }
}

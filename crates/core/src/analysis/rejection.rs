//! Why a STARS filter rejected a candidate, read from the model's own reply.
//!
//! The filter instruction asks the model to analyse the question, count the objects, check five
//! strict criteria (correct number, correct type, no extra objects, clear quality, complete
//! objects) and end with `Final Answer: YES|NO`. A rejection's classes are the criteria the reply
//! marks as not met; a reply without those lines is read for the same complaints in prose.

use crate::model::Verdict;

// The reply parsers are the filter output's format (loading reads them); the classes are analysis.
pub use crate::load::stars::reply::{judgment_of_reply, stated_count};

/// The strict criteria of the filter instruction, in the order a reply checks them.
pub const CRITERIA: [&str; 5] = [
    "Correct Number",
    "Correct Type",
    "No Extra Objects",
    "Clear Quality",
    "Complete Objects",
];

/// One reason a candidate was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rejection {
    WrongCount,
    WrongObjectType,
    ExtraObjects,
    Quality,
    IncompleteObject,
    /// The reply has no YES/NO verdict at all (the filter then rejects it).
    NoVerdict,
    /// Rejected with NO, but the reply names none of the criteria.
    NoReasonGiven,
}

impl Rejection {
    /// In the order the criteria are checked; the chart stacks them so.
    pub const ALL: [Rejection; 7] = [
        Rejection::WrongCount,
        Rejection::WrongObjectType,
        Rejection::ExtraObjects,
        Rejection::Quality,
        Rejection::IncompleteObject,
        Rejection::NoVerdict,
        Rejection::NoReasonGiven,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Rejection::WrongCount => "wrong count",
            Rejection::WrongObjectType => "wrong object type",
            Rejection::ExtraObjects => "extra objects",
            Rejection::Quality => "quality",
            Rejection::IncompleteObject => "incomplete object",
            Rejection::NoVerdict => "no parsable verdict",
            Rejection::NoReasonGiven => "no reason given",
        }
    }

    /// The `filter-stats` JSON field for this class's count.
    pub fn field(self) -> &'static str {
        match self {
            Rejection::WrongCount => "wrong_count",
            Rejection::WrongObjectType => "wrong_object_type",
            Rejection::ExtraObjects => "extra_objects",
            Rejection::Quality => "quality",
            Rejection::IncompleteObject => "incomplete_object",
            Rejection::NoVerdict => "no_parsable_verdict",
            Rejection::NoReasonGiven => "no_reason_given",
        }
    }

    /// The criterion a strict-criteria line names, if any.
    fn of_criterion(name: &str) -> Option<Rejection> {
        let name = name.to_lowercase();
        if name.contains("extra") {
            Some(Rejection::ExtraObjects)
        } else if name.contains("number") || name.contains("count") || name.contains("quantity") {
            Some(Rejection::WrongCount)
        } else if name.contains("type") || name.contains("object kind") {
            Some(Rejection::WrongObjectType)
        } else if name.contains("quality") || name.contains("clear") || name.contains("clarity") {
            Some(Rejection::Quality)
        } else if name.contains("complete") {
            Some(Rejection::IncompleteObject)
        } else {
            None
        }
    }
}

/// Why a candidate was rejected (empty for an accepted one), each class once, in criteria order.
pub fn classify_rejection(verdict: Verdict, reply: &str) -> Vec<Rejection> {
    match verdict {
        Verdict::Yes => return Vec::new(),
        Verdict::Unparsed => return vec![Rejection::NoVerdict],
        _ => {}
    }
    let mut classes: Vec<Rejection> = reply.lines().filter_map(criterion_not_met).collect();
    if classes.is_empty() && !has_criteria_lines(reply) {
        classes = prose_complaints(reply);
    }
    if classes.is_empty() {
        classes.push(Rejection::NoReasonGiven);
    }
    classes.sort();
    classes.dedup();
    classes
}

/// A strict-criteria line as (criterion name, met?): `* Correct Number: not met` →
/// `("Correct Number", false)`; `None` for any other line.
pub fn criterion(line: &str) -> Option<(&str, bool)> {
    let (name, status) = criterion_line(line)?;
    Rejection::of_criterion(name)?;
    Some((name, !is_not_met(status)))
}

/// `* Correct Number: not met` → `WrongCount`; a met criterion or another line → `None`.
fn criterion_not_met(line: &str) -> Option<Rejection> {
    let (name, status) = criterion_line(line)?;
    let class = Rejection::of_criterion(name)?;
    is_not_met(status).then_some(class)
}

/// A `name: status` line of the criteria list (bullets and bold marks stripped).
fn criterion_line(line: &str) -> Option<(&str, &str)> {
    let line = line
        .trim()
        .trim_start_matches(['*', '-', '•', ' ', '\t'])
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')')
        .trim();
    let (name, status) = line.split_once(':')?;
    let name = name.trim().trim_matches('*').trim();
    let status = status.trim().trim_matches('*').trim();
    // A criterion name is a few words; a long head is a sentence that happens to hold a colon.
    (name.split_whitespace().count() <= 5 && !status.is_empty()).then_some((name, status))
}

fn is_not_met(status: &str) -> bool {
    let status = status.to_lowercase();
    let words: Vec<&str> = status
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let first = words.first().copied().unwrap_or("");
    status.starts_with("not met")
        || status.starts_with("unmet")
        || status.starts_with('✗')
        || status.starts_with('❌')
        || matches!(
            first,
            "no" | "fail" | "failed" | "false" | "violated" | "unmet"
        )
}

fn has_criteria_lines(reply: &str) -> bool {
    reply
        .lines()
        .filter_map(criterion_line)
        .any(|(name, _)| Rejection::of_criterion(name).is_some())
}

/// Complaints written as prose, for replies without the criteria list.
fn prose_complaints(reply: &str) -> Vec<Rejection> {
    let lower = reply.to_lowercase();
    let any = |needles: &[&str]| needles.iter().any(|n| lower.contains(n));
    let mut classes = Vec::new();
    if any(&[
        "wrong number",
        "incorrect number",
        "wrong count",
        "too many",
        "too few",
    ]) {
        classes.push(Rejection::WrongCount);
    }
    if any(&[
        "wrong type",
        "wrong object",
        "different object",
        "instead of",
    ]) {
        classes.push(Rejection::WrongObjectType);
    }
    if any(&["extra object", "additional object", "unrelated object"]) {
        classes.push(Rejection::ExtraObjects);
    }
    if any(&[
        "blurry",
        "distorted",
        "low quality",
        "poor quality",
        "artifact",
    ]) {
        classes.push(Rejection::Quality);
    }
    if any(&["cut off", "incomplete", "partially visible", "cropped"]) {
        classes.push(Rejection::IncompleteObject);
    }
    classes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(failing: &[&str], verdict: &str) -> String {
        let criteria = CRITERIA
            .iter()
            .map(|c| {
                let status = if failing.contains(c) {
                    "not met"
                } else {
                    "met"
                };
                format!("* {c}: {status}")
            })
            .collect::<Vec<_>>()
            .join("\n");
        format!(
            "1. **Analyze the Question**: the question asks for cups. Computing the expression gives 3.\n\n\
             2. **Examine the Image and Count Objects**: I count 2 cups in the image.\n\n\
             3. **Perform a Strict Criteria Check**:\n{criteria}\n\nFinal Answer: {verdict}"
        )
    }

    #[test]
    fn each_failed_criterion_is_a_class() {
        let r = reply(&["Correct Number"], "NO");
        assert_eq!(classify_rejection(Verdict::No, &r), [Rejection::WrongCount]);
        let r = reply(&["No Extra Objects", "Clear Quality"], "NO");
        assert_eq!(
            classify_rejection(Verdict::No, &r),
            [Rejection::ExtraObjects, Rejection::Quality]
        );
        let r = reply(&["Correct Type", "Complete Objects"], "NO");
        assert_eq!(
            classify_rejection(Verdict::No, &r),
            [Rejection::WrongObjectType, Rejection::IncompleteObject]
        );
        // All met but still NO: the reply gives no reason.
        let r = reply(&[], "NO");
        assert_eq!(
            classify_rejection(Verdict::No, &r),
            [Rejection::NoReasonGiven]
        );
        assert!(classify_rejection(Verdict::Yes, &reply(&[], "YES")).is_empty());
    }

    #[test]
    fn no_verdict_and_prose_replies() {
        let vague = "The image shows several objects but I cannot determine the exact count.";
        assert_eq!(judgment_of_reply(vague), None);
        assert_eq!(
            classify_rejection(Verdict::Unparsed, vague),
            [Rejection::NoVerdict]
        );
        assert_eq!(
            classify_rejection(Verdict::No, "No. The apples are blurry and one is cut off."),
            [Rejection::Quality, Rejection::IncompleteObject]
        );
    }

    #[test]
    fn judgment_follows_the_upstream_rule() {
        assert_eq!(judgment_of_reply(&reply(&[], "YES")), Some(true));
        assert_eq!(judgment_of_reply("...\nfinal answer:   no"), Some(false));
        assert_eq!(judgment_of_reply("Yes, this is right."), Some(true));
        assert_eq!(judgment_of_reply("No."), Some(false));
        assert_eq!(judgment_of_reply("Yes and no"), None);
        // "cannot" and "not" are not the word NO.
        assert_eq!(judgment_of_reply("I cannot tell; it is not clear"), None);
    }

    #[test]
    fn the_stated_count() {
        assert_eq!(stated_count(&reply(&[], "NO")).as_deref(), Some("2 cups"));
        assert_eq!(stated_count("I see no objects"), None);
    }
}

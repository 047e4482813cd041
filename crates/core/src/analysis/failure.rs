//! Automatic failure taxonomy from the judge's own words: what went wrong with an image, and (in
//! think mode) whether the trace's own conclusion already disagreed with the answer key —
//! "reasoned wrong" versus "reasoned right, drew wrong".

use crate::model::{Item, Part, Verdict};
use crate::taxonomy::Family;

/// What went wrong with one image, read from the judge's caption and the answer key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Failure {
    /// Math: the right object, counted `predicted − expected` off.
    CountOff(i64),
    /// The wrong object (math: another object type; mapping: not the answer).
    WrongObject,
    /// Mapping: the object of the *other* symbol of the pair — the classic confusion.
    OtherSymbolObject,
    /// Knowledge: portrait slots that mismatch (ethnicity, hair, age, gender).
    PersonMismatch(Vec<&'static str>),
    WrongFruit,
    WrongFlower,
    /// The judge's phase 1 answered `Error` (several object types, distortion, text drawn in).
    JudgeSaidError,
    /// The knowledge judge answered `Reject`.
    Rejected,
    ImageMissing,
    /// The judge call itself failed.
    JudgeCallFailed,
    /// Judged NO although the judge's own caption names the expected answer: the judge
    /// contradicting itself (or a re-judged verdict), not a model error.
    CaptionMatchesKey,
    /// Judged NO, but the caption could not be classified.
    Unclassified,
    /// A STARS filter candidate, rejected for this reason (read from the model's reply).
    Rejection(crate::analysis::rejection::Rejection),
    /// GenEval: the detector did not find an object the prompt asks for.
    ObjectNotFound,
    /// GenEval: the object found, but too few or too many of it.
    DetectorCount,
    /// GenEval: the object found in another colour.
    WrongColour,
    /// GenEval: the objects found, in the wrong relation (or overlapping).
    WrongPosition,
    /// WISE: the judge found the image not fully consistent with the prompt's knowledge.
    KnowledgeNotShown,
}

impl Failure {
    /// Coarse classes for the stacked chart, in stacking order.
    pub const CLASSES: [&'static str; 23] = [
        "count off",
        "wrong object",
        "other symbol's object",
        "wrong person",
        "wrong fruit/flower",
        "judge: Error",
        "judge: Reject",
        "image missing",
        "judge call failed",
        "judge: NO, caption = key",
        "unclassified",
        "wrong count",
        "wrong object type",
        "extra objects",
        "quality",
        "incomplete object",
        "no parsable verdict",
        "no reason given",
        "object not found",
        "count wrong (detector)",
        "wrong colour",
        "wrong position",
        "knowledge not shown",
    ];

    pub fn class(&self) -> &'static str {
        match self {
            Failure::CountOff(_) => "count off",
            Failure::WrongObject => "wrong object",
            Failure::OtherSymbolObject => "other symbol's object",
            Failure::PersonMismatch(_) => "wrong person",
            Failure::WrongFruit | Failure::WrongFlower => "wrong fruit/flower",
            Failure::JudgeSaidError => "judge: Error",
            Failure::Rejected => "judge: Reject",
            Failure::ImageMissing => "image missing",
            Failure::JudgeCallFailed => "judge call failed",
            Failure::CaptionMatchesKey => "judge: NO, caption = key",
            Failure::Unclassified => "unclassified",
            Failure::Rejection(r) => r.label(),
            Failure::ObjectNotFound => "object not found",
            Failure::DetectorCount => "count wrong (detector)",
            Failure::WrongColour => "wrong colour",
            Failure::WrongPosition => "wrong position",
            Failure::KnowledgeNotShown => "knowledge not shown",
        }
    }

    pub fn label(&self) -> String {
        match self {
            Failure::CountOff(d) => format!("count {d:+}"),
            Failure::WrongObject => "wrong object".into(),
            Failure::OtherSymbolObject => "other symbol's object".into(),
            Failure::PersonMismatch(slots) => format!("wrong {}", slots.join("+")),
            Failure::WrongFruit => "wrong fruit".into(),
            Failure::WrongFlower => "wrong flower".into(),
            Failure::JudgeSaidError => "judge: Error".into(),
            Failure::Rejected => "judge: Reject".into(),
            Failure::ImageMissing => "image missing".into(),
            Failure::JudgeCallFailed => "judge call failed".into(),
            Failure::CaptionMatchesKey => "judge: NO, caption = key".into(),
            Failure::Unclassified => "unclassified".into(),
            Failure::Rejection(r) => r.label().into(),
            other => other.class().into(),
        }
    }
}

/// Whether a think trace's own conclusion (its detailed prompt) matches the answer key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reasoning {
    /// The trace planned the expected answer.
    Right,
    /// The trace planned something else.
    Wrong,
}

impl Reasoning {
    pub fn label(self) -> &'static str {
        match self {
            Reasoning::Right => "reasoned right",
            Reasoning::Wrong => "reasoned wrong",
        }
    }
}

/// The failure of a judged-NO image, or `None` for YES / not judged.
pub fn classify_part(family: Family, part: &Part, other: Option<&Part>) -> Option<Failure> {
    match part.verdict {
        Verdict::Yes | Verdict::NotJudged | Verdict::NotGenerated => return None,
        Verdict::ImageMissing => return Some(Failure::ImageMissing),
        Verdict::JudgeError => return Some(Failure::JudgeCallFailed),
        Verdict::Unparsed => {
            return Some(Failure::Rejection(
                crate::analysis::rejection::Rejection::NoVerdict,
            ));
        }
        Verdict::No => {}
    }
    let caption = part.caption.as_deref().unwrap_or("").trim();
    if caption.eq_ignore_ascii_case("error") || caption.starts_with("Model returned 'Error'") {
        return Some(Failure::JudgeSaidError);
    }
    if caption.eq_ignore_ascii_case("reject") {
        return Some(Failure::Rejected);
    }
    Some(match family {
        Family::Math => match (count_and_noun(caption), count_and_noun(&part.answer)) {
            (Some((got, got_noun)), Some((want, want_noun)))
                if same_noun(&got_noun, &want_noun) =>
            {
                if got == want {
                    Failure::CaptionMatchesKey
                } else {
                    Failure::CountOff(got.saturating_sub(want))
                }
            }
            (Some(_), Some(_)) => Failure::WrongObject,
            _ => Failure::Unclassified,
        },
        Family::Mapping => {
            let other_answer = other.map(|o| o.answer.as_str()).unwrap_or("");
            if same_noun(caption, &part.answer) {
                Failure::CaptionMatchesKey
            } else if !other_answer.is_empty() && same_noun(caption, other_answer) {
                Failure::OtherSymbolObject
            } else {
                Failure::WrongObject
            }
        }
        Family::Knowledge => knowledge_failure(caption, &part.answer),
        Family::Other => Failure::Unclassified,
        Family::Geneval => detector_failure(caption),
        Family::Wise => Failure::KnowledgeNotShown,
    })
}

/// A GenEval reason's first clause as a failure: `no target for dog to be right of`, `expected
/// dog right of target, found left of target` (position); `expected pink skateboard>=1, found 0
/// pink; and 1 orange` (colour); `found 0` (not found); other counts.
fn detector_failure(reason: &str) -> Failure {
    if reason.contains(" of target")
        || reason.starts_with("no target")
        || reason.contains("  target")
    {
        Failure::WrongPosition
    } else if reason.contains("; and ") {
        Failure::WrongColour
    } else if reason.ends_with("found 0") || reason.contains("found 0 ") {
        Failure::ObjectNotFound
    } else if reason.starts_with("expected") {
        Failure::DetectorCount
    } else {
        Failure::Unclassified
    }
}

/// The failures of an item: one per judged-NO image, the model's before failed judge calls (a
/// pair whose one image was judged wrong is a model error, whatever happened to the other).
pub fn classify_item(family: Family, item: &Item) -> Vec<Failure> {
    let mut failures: Vec<Failure> = item
        .parts
        .iter()
        .enumerate()
        .filter_map(|(i, part)| {
            let other = if item.parts.len() == 2 {
                item.parts.get(1 - i)
            } else {
                None
            };
            classify_part(family, part, other)
        })
        .collect();
    failures.sort_by_key(|failure| *failure == Failure::JudgeCallFailed);
    failures
}

/// Does the trace's detailed prompt plan the expected answer? `None` without a trace or key.
pub fn reasoning_of(family: Family, part: &Part) -> Option<Reasoning> {
    let planned = part
        .trace
        .as_ref()?
        .detailed_prompt
        .as_deref()?
        .to_lowercase();
    let answer = part.answer.to_lowercase();
    if answer.is_empty() {
        return None;
    }
    let right = match family {
        Family::Math => {
            let (want, noun) = count_and_noun(&answer)?;
            planned_count(&planned) == Some(want) && planned.contains(&singular(&noun))
        }
        Family::Mapping => planned.contains(&singular(&answer)),
        Family::Knowledge => match parse_person(&answer) {
            Some(person) => {
                let words = [person.0.map(str::to_string), person.1];
                words
                    .iter()
                    .flatten()
                    .all(|w| planned.contains(&w.to_lowercase()))
            }
            None => planned.contains(&singular(&answer)),
        },
        Family::Other | Family::Geneval | Family::Wise => return None,
    };
    Some(if right {
        Reasoning::Right
    } else {
        Reasoning::Wrong
    })
}

/// "3 cups" → (3, "cups").
fn count_and_noun(text: &str) -> Option<(i64, String)> {
    let mut words = text.split_whitespace();
    let count = words.next()?.parse().ok()?;
    let noun = words
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches('.')
        .to_lowercase();
    Some((count, noun))
}

const NUMBER_WORDS: [&str; 11] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
];

/// The count a detailed prompt plans: "exactly four spoons" → 4; "an empty tabletop, no
/// oranges" → 0; "a single cat" → 1. Explicit numbers win over the article "a".
fn planned_count(text: &str) -> Option<i64> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let explicit = words.iter().find_map(|word| {
        word.parse::<i64>().ok().or_else(|| {
            NUMBER_WORDS
                .iter()
                .position(|w| w == word)
                .map(|n| n as i64)
        })
    });
    explicit
        .or_else(|| {
            words
                .iter()
                .any(|w| *w == "empty" || *w == "no")
                .then_some(0)
        })
        .or_else(|| {
            words
                .iter()
                .any(|w| matches!(*w, "single" | "a" | "an"))
                .then_some(1)
        })
}

/// "forks" → "fork", "cherries" → "cherry", "glasses" → "glass", "fish" → "fish".
fn singular(noun: &str) -> String {
    let noun = noun.trim().trim_end_matches('.').to_lowercase();
    if let Some(stem) = noun.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["ches", "shes", "xes", "sses"]
        .iter()
        .any(|s| noun.ends_with(s))
    {
        noun[..noun.len() - 2].to_string()
    } else if noun.ends_with('s') && !noun.ends_with("ss") {
        noun[..noun.len() - 1].to_string()
    } else {
        noun
    }
}

fn same_noun(a: &str, b: &str) -> bool {
    singular(a) == singular(b)
}

/// The four portrait slots the knowledge judge reports: ethnicity, hair, age, gender.
type PersonSlots = (
    Option<&'static str>,
    Option<String>,
    Option<&'static str>,
    Option<&'static str>,
);

/// (ethnicity, hair, age, gender) of an answer like "An elderly African/Indigenous woman with
/// black hair." The age slot follows the judge's kid | mid-age | old.
fn parse_person(answer: &str) -> Option<PersonSlots> {
    let lower = answer.to_lowercase();
    if !lower.contains(" hair") {
        return None;
    }
    let ethnicity = [
        "African/Indigenous",
        "East Asian",
        "South Asian",
        "Caucasian",
        "Latino",
        "Hispanic",
        "Middle Eastern",
    ]
    .into_iter()
    .find(|e| lower.contains(&e.to_lowercase()));
    let hair = lower
        .split(" hair")
        .next()
        .and_then(|before| before.split_whitespace().last())
        .map(str::to_string);
    let age = if ["elderly", "old"].iter().any(|w| lower.contains(w)) {
        Some("old")
    } else if ["middle-aged", "mid-age", "adult"]
        .iter()
        .any(|w| lower.contains(w))
    {
        Some("mid-age")
    } else if ["kid", "child", "boy", "girl", "young"]
        .iter()
        .any(|w| lower.split(|c: char| !c.is_alphanumeric()).any(|x| x == *w))
    {
        Some("kid")
    } else {
        None
    };
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).collect();
    let gender = if words
        .iter()
        .any(|w| ["woman", "girl", "female", "lady"].contains(w))
    {
        Some("female")
    } else if words
        .iter()
        .any(|w| ["man", "boy", "male", "gentleman"].contains(w))
    {
        Some("male")
    } else {
        None
    };
    Some((ethnicity, hair, age, gender))
}

fn knowledge_failure(caption: &str, answer: &str) -> Failure {
    if let Some(fruit) = caption.strip_prefix("Fruit:") {
        return if same_noun(fruit, answer) {
            Failure::CaptionMatchesKey
        } else {
            Failure::WrongFruit
        };
    }
    if let Some(flower) = caption.strip_prefix("Flower:") {
        return if same_noun(flower, answer) {
            Failure::CaptionMatchesKey
        } else {
            Failure::WrongFlower
        };
    }
    let Some(slots) = caption.strip_prefix("Person:") else {
        return Failure::Unclassified;
    };
    let Some((ethnicity, hair, age, gender)) = parse_person(answer) else {
        return Failure::Unclassified;
    };
    let got: Vec<String> = slots.split(';').map(|s| s.trim().to_lowercase()).collect();
    let mut wrong = Vec::new();
    let expected = [
        ("ethnicity", ethnicity.map(str::to_lowercase)),
        ("hair", hair),
        ("age", age.map(str::to_string)),
        ("gender", gender.map(str::to_string)),
    ];
    for (index, (slot, want)) in expected.into_iter().enumerate() {
        if let (Some(want), Some(have)) = (want, got.get(index))
            && *have != want
        {
            wrong.push(slot);
        }
    }
    if wrong.is_empty() {
        Failure::CaptionMatchesKey
    } else {
        Failure::PersonMismatch(wrong)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Trace;

    fn part(answer: &str, caption: &str, verdict: Verdict) -> Part {
        let mut part = crate::model::fixtures::part("", answer, verdict);
        part.caption = Some(caption.into());
        part
    }

    #[test]
    fn math_captions() {
        let no = Verdict::No;
        assert_eq!(
            classify_part(Family::Math, &part("3 forks", "4 forks", no), None),
            Some(Failure::CountOff(1))
        );
        assert_eq!(
            classify_part(Family::Math, &part("3 forks", "1 fork", no), None),
            Some(Failure::CountOff(-2))
        );
        assert_eq!(
            classify_part(Family::Math, &part("2 kittens", "2 dogs", no), None),
            Some(Failure::WrongObject)
        );
        assert_eq!(
            classify_part(Family::Math, &part("2 kittens", "Error", no), None),
            Some(Failure::JudgeSaidError)
        );
        assert_eq!(
            classify_part(
                Family::Math,
                &part("2 kittens", "2 kittens", Verdict::Yes),
                None
            ),
            None
        );
        assert_eq!(
            classify_part(
                Family::Math,
                &part("2 kittens", "", Verdict::ImageMissing),
                None
            ),
            Some(Failure::ImageMissing)
        );
    }

    #[test]
    fn mapping_captions_spot_the_other_symbol() {
        let a = part("clock", "fork", Verdict::No);
        let b = part("fork", "fork", Verdict::Yes);
        assert_eq!(
            classify_part(Family::Mapping, &a, Some(&b)),
            Some(Failure::OtherSymbolObject)
        );
        let c = part("clock", "lamp", Verdict::No);
        assert_eq!(
            classify_part(Family::Mapping, &c, Some(&b)),
            Some(Failure::WrongObject)
        );
        assert_eq!(
            classify_part(
                Family::Mapping,
                &part("clock", "Error", Verdict::No),
                Some(&b)
            ),
            Some(Failure::JudgeSaidError)
        );
    }

    #[test]
    fn knowledge_captions_name_the_slots() {
        let answer = "An elderly African/Indigenous woman with black hair.";
        let wrong = part(
            answer,
            "Person: African/Indigenous; black; kid; male",
            Verdict::No,
        );
        assert_eq!(
            classify_part(Family::Knowledge, &wrong, None),
            Some(Failure::PersonMismatch(vec!["age", "gender"]))
        );
        let other = part(
            "A Caucasian kid with blond hair.",
            "Person: African/Indigenous; black; old; female",
            Verdict::No,
        );
        assert_eq!(
            classify_part(Family::Knowledge, &other, None),
            Some(Failure::PersonMismatch(vec!["ethnicity", "hair", "age"]))
        );
        assert_eq!(
            classify_part(
                Family::Knowledge,
                &part("apples", "Fruit: grape", Verdict::No),
                None
            ),
            Some(Failure::WrongFruit)
        );
        assert_eq!(
            classify_part(
                Family::Knowledge,
                &part("carnation", "Flower: rose", Verdict::No),
                None
            ),
            Some(Failure::WrongFlower)
        );
        assert_eq!(
            classify_part(
                Family::Knowledge,
                &part("carnation", "Reject", Verdict::No),
                None
            ),
            Some(Failure::Rejected)
        );
        assert_eq!(
            Failure::PersonMismatch(vec!["age", "gender"]).label(),
            "wrong age+gender"
        );
    }

    #[test]
    fn trace_conclusion_against_the_key() {
        let with_plan = |answer: &str, plan: &str| {
            let mut p = part(answer, "", Verdict::No);
            p.trace = Some(Trace {
                reasoning: String::new(),
                detailed_prompt: Some(plan.into()),
                source: Default::default(),
            });
            p
        };
        let right = with_plan(
            "3 forks",
            "A photorealistic image of exactly three forks on a table.",
        );
        assert_eq!(reasoning_of(Family::Math, &right), Some(Reasoning::Right));
        let wrong = with_plan(
            "3 forks",
            "A photorealistic image of exactly four forks on a table.",
        );
        assert_eq!(reasoning_of(Family::Math, &wrong), Some(Reasoning::Wrong));
        let empty = with_plan(
            "1 orange",
            "A clean image of an empty tabletop, no oranges.",
        );
        assert_eq!(reasoning_of(Family::Math, &empty), Some(Reasoning::Wrong));
        let mapping = with_plan("chair", "A realistic photograph of a single table.");
        assert_eq!(
            reasoning_of(Family::Mapping, &mapping),
            Some(Reasoning::Wrong)
        );
        let person = with_plan(
            "An elderly African/Indigenous woman with black hair.",
            "A portrait of an elderly African/Indigenous woman with black hair.",
        );
        assert_eq!(
            reasoning_of(Family::Knowledge, &person),
            Some(Reasoning::Right)
        );
        assert_eq!(
            reasoning_of(Family::Math, &part("3 forks", "", Verdict::No)),
            None
        );
    }
}

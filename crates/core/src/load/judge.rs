//! The judge's Analysis field: split into phase 1 (caption) and phase 2 (comparison).

use crate::model::JudgeAnalysis;

/// Splits an Analysis text as the eval scripts write it:
/// `Phase 1 - <title>:\n<reply>\n\nPhase 2 - <title>:\n<comparison>`, or one of the short forms
/// ("Image file not found", "Error: …", "Model returned 'Error', skipping Phase 2.").
pub fn parse_analysis(raw: &str) -> JudgeAnalysis {
    let text: std::borrow::Cow<str> = if raw.contains('\r') {
        raw.replace("\r\n", "\n").into()
    } else {
        raw.into()
    };
    let (phase1_part, phase2_part) = match text.find("\nPhase 2 - ") {
        Some(at) => (&text[..at], text[at + 1..].to_string()),
        None => (&text[..], String::new()),
    };
    let phase1 = strip_heading(phase1_part, "Phase 1 - ").trim().to_string();
    let phase2 = strip_heading(&phase2_part, "Phase 2 - ").trim().to_string();
    JudgeAnalysis { phase1, phase2 }
}

/// Drops a `Phase N - Title:` first line, keeping the rest.
fn strip_heading<'a>(text: &'a str, heading: &str) -> &'a str {
    let trimmed = text.trim_start();
    if trimmed.starts_with(heading) {
        match trimmed.split_once('\n') {
            Some((_, rest)) => rest,
            None => "",
        }
    } else {
        trimmed
    }
}

/// The short caption of a phase 1 reply: "Caption: 3 cups" → "3 cups", "Object: fork" → "fork";
/// other replies (`Error`, `Reject`, knowledge's `Person: …`) are kept as they are.
pub fn short_caption(phase1: &str) -> Option<String> {
    let first = phase1.lines().map(str::trim).find(|l| !l.is_empty())?;
    // A failed judge call: no caption, or the one the judge gave before its comparison failed
    // ("Error: Failed to evaluate caption match\nGenerated Caption: Caption: 4 spoons").
    if crate::load::results_csv::FAILED_CALL_TEXTS
        .iter()
        .any(|text| first.starts_with(text))
    {
        return phase1.lines().find_map(|line| {
            let given = line
                .trim()
                .strip_prefix("Generated Caption:")
                .or_else(|| line.trim().strip_prefix("Identified Object:"))?;
            short_caption(given)
        });
    }
    // Math and mapping scripts replace a phase 1 `Error` by this sentence.
    if first.starts_with("Model returned 'Error'") {
        return Some("Error".to_string());
    }
    for prefix in ["Caption:", "Object:"] {
        if let Some(rest) = first.strip_prefix(prefix) {
            return Some(rest.trim().to_string());
        }
    }
    Some(first.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_analysis_both_phases() {
        let raw = "Phase 1 - Image Captioning:\nCaption: 2 kittens\n\nPhase 2 - Caption Evaluation:\nGenerated Caption: Caption: 2 kittens\nExpected Answer: 2 kittens\n**Score: YES**";
        let a = parse_analysis(raw);
        assert_eq!(a.phase1, "Caption: 2 kittens");
        assert!(a.phase2.starts_with("Generated Caption"));
        assert!(a.phase2.ends_with("**Score: YES**"));
        assert_eq!(short_caption(&a.phase1).as_deref(), Some("2 kittens"));
    }

    #[test]
    fn a_failed_judge_call_keeps_only_the_caption_the_judge_gave() {
        assert_eq!(
            short_caption("Error: Failed to generate image caption"),
            None
        );
        assert_eq!(short_caption("Error: caption failed"), None);
        let failed = parse_analysis(
            "Error: Failed to evaluate caption match\nGenerated Caption: Caption: 4 spoons",
        );
        assert_eq!(short_caption(&failed.phase1).as_deref(), Some("4 spoons"));
        let failed = parse_analysis("Error: Failed to evaluate match\nIdentified Object: fork");
        assert_eq!(short_caption(&failed.phase1).as_deref(), Some("fork"));
    }

    #[test]
    fn skipped_phase_two() {
        let a = parse_analysis(
            "Phase 1 - Object Identification:\nModel returned 'Error', skipping Phase 2.",
        );
        assert_eq!(a.phase1, "Model returned 'Error', skipping Phase 2.");
        assert_eq!(a.phase2, "");
        assert_eq!(short_caption(&a.phase1).as_deref(), Some("Error"));
    }

    #[test]
    fn knowledge_reject_and_plain_messages() {
        let a = parse_analysis(
            "Phase 1 - Caption:\nReject\n\nPhase 2 - Evaluation:\nGenerated: Reject\nGT: carnation\nCaption=Reject => automatic NO",
        );
        assert_eq!(a.phase1, "Reject");
        assert!(a.phase2.ends_with("automatic NO"));
        let missing = parse_analysis("Image file not found");
        assert_eq!(missing.phase1, "Image file not found");
        assert_eq!(short_caption("Object: fork").as_deref(), Some("fork"));
        assert_eq!(
            short_caption("Person: Caucasian; blond; kid; male").as_deref(),
            Some("Person: Caucasian; blond; kid; male")
        );
        assert_eq!(short_caption(""), None);
    }
}

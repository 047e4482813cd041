//! The stand-in for the upstream eval scripts: one CSV row per image (or mapping ID) with the
//! judge's Result, Score and two-phase Analysis text, worded as eval_math.py, eval_mapping.py and
//! eval_knowledge.py word them.

use super::Shot;
use unisandbox_core::taxonomy::Family;

/// A judge call that failed (HTTP error, dropped connection, empty reply, no `Score:` line
/// after the retries), recorded as the eval scripts record it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailedCall {
    /// Phase 1 (captioning / identification) failed: no caption.
    Caption,
    /// Phase 2 (the comparison) failed after a caption was given.
    Comparison,
}

/// The failed call's (Result, Score, Analysis) in the scripts' exact words: eval_math.py and
/// eval_mapping.py write NO, eval_knowledge.py ERROR.
fn failed_call(family: Family, shot: &Shot, call: FailedCall) -> (String, String, String) {
    let object = shot.out.reply.trim_start_matches("Object: ");
    let (result, analysis) = match (family, call) {
        (Family::Knowledge, FailedCall::Caption) => ("ERROR", "Error: caption failed".to_string()),
        (Family::Knowledge, FailedCall::Comparison) => ("ERROR", "Error: eval failed".to_string()),
        (Family::Mapping, FailedCall::Caption) => ("NO", "Error: Failed to identify object".into()),
        (Family::Mapping, FailedCall::Comparison) => (
            "NO",
            format!("Error: Failed to evaluate match\nIdentified Object: {object}"),
        ),
        (_, FailedCall::Caption) => ("NO", "Error: Failed to generate image caption".into()),
        (_, FailedCall::Comparison) => (
            "NO",
            format!(
                "Error: Failed to evaluate caption match\nGenerated Caption: {}",
                shot.out.reply
            ),
        ),
    };
    (result.into(), "0".into(), analysis)
}

/// The judge's verdict columns for one image: (Result, Score, Analysis).
fn judged(family: Family, shot: &Shot) -> (String, String, String) {
    let out = &shot.out;
    if let Some(call) = shot.failed_call
        && !out.reply.is_empty()
    {
        return failed_call(family, shot, call);
    }
    if out.reply.is_empty() {
        return (
            "IMAGE_NOT_FOUND".into(),
            "0".into(),
            "Image file not found".into(),
        );
    }
    let verdict = if out.yes { "YES" } else { "NO" };
    let score = if out.yes { "1" } else { "0" };
    let analysis = match family {
        Family::Knowledge => {
            let ending = if out.reply == "Reject" {
                "Caption=Reject => automatic NO".to_string()
            } else {
                format!("**Score: {verdict}**")
            };
            format!(
                "Phase 1 - Caption:\n{}\n\nPhase 2 - Evaluation:\nGenerated: {}\nGT: {}\n{ending}",
                out.reply, out.reply, shot.answer
            )
        }
        _ if out.reply == "Error" => {
            let phase = if family.is_paired() {
                "Object Identification"
            } else {
                "Image Captioning"
            };
            format!("Phase 1 - {phase}:\nModel returned 'Error', skipping Phase 2.")
        }
        Family::Mapping => format!(
            "Phase 1 - Object Identification:\n{}\n\nPhase 2 - Object Evaluation:\nIdentified Object: {}\nExpected Answer: {}\n**Score: {verdict}**",
            out.reply,
            out.reply.trim_start_matches("Object: "),
            shot.answer
        ),
        _ => format!(
            "Phase 1 - Image Captioning:\n{}\n\nPhase 2 - Caption Evaluation:\nGenerated Caption: {}\nExpected Answer: {}\n**Score: {verdict}**",
            out.reply, out.reply, shot.answer
        ),
    };
    (verdict.into(), score.into(), analysis)
}

/// The six columns every judged image has — Question, Answer, Image_Path, Result, Score,
/// Analysis — and whether the judge said YES.
fn image_columns(family: Family, shot: &Shot, eval_dir: &str) -> ([String; 6], bool) {
    let (result, score, analysis) = judged(family, shot);
    let yes = result == "YES";
    let columns = [
        shot.question.clone(),
        shot.answer.clone(),
        format!("{eval_dir}/{}", shot.file),
        result,
        score,
        analysis,
    ];
    (columns, yes)
}

pub(super) fn csv_row(
    family: Family,
    id: &str,
    shots: &[Shot],
    eval_dir: &str,
) -> (Vec<String>, bool) {
    let mut row = vec![id.to_string()];
    match family {
        Family::Mapping => {
            let mut all = true;
            for shot in shots {
                let (columns, yes) = image_columns(family, shot, eval_dir);
                all &= yes;
                row.extend(columns);
            }
            row.push(if all { "True" } else { "False" }.into());
            row.push(if all { "1" } else { "0" }.into());
            (row, all)
        }
        _ => {
            let shot = &shots[0];
            let (columns, yes) = image_columns(family, shot, eval_dir);
            row.extend(columns);
            if family == Family::Knowledge {
                // Knowledge CSVs carry the judge's caption before Result (empty when no image,
                // or when the captioning call failed).
                let caption = match shot.failed_call {
                    Some(FailedCall::Caption) => String::new(),
                    _ => shot.out.reply.clone(),
                };
                row.insert(4, caption);
            }
            (row, yes)
        }
    }
}

//! The stand-in for the upstream eval scripts: one CSV row per image (or mapping ID) with the
//! judge's Result, Score and two-phase Analysis text, worded as eval_math.py, eval_mapping.py and
//! eval_knowledge.py word them.

use super::Shot;
use crate::taxonomy::Family;

/// The judge's verdict columns for one image: (Result, Score, Analysis).
fn judged(family: Family, shot: &Shot) -> (String, String, String) {
    let out = &shot.out;
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

pub(super) fn csv_row(
    family: Family,
    id: &str,
    shots: &[Shot],
    eval_dir: &str,
) -> (Vec<String>, bool) {
    let path = |shot: &Shot| format!("{eval_dir}/{}", shot.file);
    match family {
        Family::Mapping => {
            let mut row = vec![id.to_string()];
            let mut all = true;
            for shot in shots {
                let (result, score, analysis) = judged(family, shot);
                all &= result == "YES";
                row.extend([
                    shot.question.clone(),
                    shot.answer.clone(),
                    path(shot),
                    result,
                    score,
                    analysis,
                ]);
            }
            row.push(if all { "True" } else { "False" }.into());
            row.push(if all { "1" } else { "0" }.into());
            (row, all)
        }
        _ => {
            let shot = &shots[0];
            let (result, score, analysis) = judged(family, shot);
            let ok = result == "YES";
            let mut row = vec![
                id.to_string(),
                shot.question.clone(),
                shot.answer.clone(),
                path(shot),
                result,
                score,
                analysis,
            ];
            if family == Family::Knowledge {
                // Knowledge CSVs carry the judge's caption before Result (empty when no image).
                row.insert(4, shot.out.reply.clone());
            }
            (row, ok)
        }
    }
}

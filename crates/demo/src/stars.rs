//! STARS filter outputs in upstream `data_filter.py`'s exact formats: the candidates' input
//! JSONL, their images, and the filter's `filter_results.json` (indent 2), `filtered_data.jsonl`,
//! `rejected_data.jsonl` and `filter_stats.json`, for any number of candidates.
//!
//! Planted, so every path of the loader is exercised: replies with no verdict, every rejection
//! class, answer keys that contradict their arithmetic (some accepted: poisoned training data) and
//! one candidate whose image was never written.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::benchmark::{COUNTABLES, MathQuestion, count_phrase, math_questions};
use super::draw::{Scene, png_bytes, render};
use super::writers::{python_json_indent2, python_json_line};

/// Where the generating machine kept the candidates (written into the files, never opened).
pub const GENERATING_ROOT: &str = "/data/stars";
/// Upstream's default `--model-path`.
pub const MODEL_PATH: &str = "hf/BAGEL-7B-MoT/";
/// The candidate whose image is never written (when there are that many).
pub const MISSING_IMAGE: usize = 7;
/// Above this many candidates, images are hard links to a few drawn ones.
const DRAWN_LIMIT: usize = 200;

/// What the filter made of one candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Accepted,
    WrongCount,
    WrongType,
    Extra,
    Quality,
    Incomplete,
    /// Wrong count and an object cut off: two classes at once.
    CountAndIncomplete,
    NoVerdict,
    /// NO, with every criterion marked met.
    Unexplained,
}

fn outcome(rng: &mut impl Rng, index: usize) -> Outcome {
    // The first ones cover every class, so even a small output shows them all.
    const FIRST: [Outcome; 9] = [
        Outcome::WrongCount,
        Outcome::Accepted,
        Outcome::NoVerdict,
        Outcome::WrongType,
        Outcome::Accepted,
        Outcome::Extra,
        Outcome::Quality,
        Outcome::Incomplete,
        Outcome::CountAndIncomplete,
    ];
    if let Some(first) = FIRST.get(index) {
        return *first;
    }
    if index == 9 {
        return Outcome::Unexplained;
    }
    let roll: f64 = rng.random();
    match roll {
        r if r < 0.45 => Outcome::Accepted,
        r if r < 0.70 => Outcome::WrongCount,
        r if r < 0.77 => Outcome::WrongType,
        r if r < 0.83 => Outcome::Extra,
        r if r < 0.88 => Outcome::Quality,
        r if r < 0.92 => Outcome::Incomplete,
        r if r < 0.94 => Outcome::CountAndIncomplete,
        r if r < 0.985 => Outcome::NoVerdict,
        _ => Outcome::Unexplained,
    }
}

/// One candidate as `filter_results.json` holds it (upstream's key order).
#[derive(Serialize)]
#[allow(non_snake_case)]
struct ResultEntry<'a> {
    id: &'a str,
    Question: &'a str,
    Answer: &'a str,
    image: &'a str,
    model_judgment: &'a str,
    model_response: &'a str,
    accepted: bool,
}

#[derive(Serialize)]
#[allow(non_snake_case)]
struct InputLine<'a> {
    id: &'a str,
    Question: &'a str,
    Answer: &'a str,
    image: &'a str,
}

#[derive(Serialize)]
#[allow(non_snake_case)]
struct Kept<'a> {
    Question: &'a str,
    Answer: &'a str,
    id: &'a str,
    image: &'a str,
}

#[derive(Serialize)]
#[allow(non_snake_case)]
struct Rejected<'a> {
    Question: &'a str,
    Answer: &'a str,
    id: &'a str,
    image: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct Stats<'a> {
    total_samples: usize,
    accepted_samples: usize,
    rejected_samples: usize,
    acceptance_rate: f64,
    data_file: &'a str,
    model_path: &'a str,
}

/// What `write_filter_output` wrote.
#[derive(Debug)]
pub struct FilterDemo {
    /// The filter's `--out-dir`.
    pub out_dir: PathBuf,
    pub total: usize,
    pub accepted: usize,
    /// Replies with no parsable verdict.
    pub unparsed: usize,
    /// Candidate ids whose answer key contradicts the arithmetic and that were accepted.
    pub accepted_suspect: Vec<String>,
    pub missing_images: Vec<String>,
}

/// Writes `candidates` math level-3 candidates under `dir`: `candidates/math3/<k>.png`, the
/// input `math3_candidates.jsonl` and the filter's output in `filter_math3/`.
pub fn write_filter_output(dir: &Path, seed: u64, candidates: usize) -> anyhow::Result<FilterDemo> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x57a2);
    // Every 6th key is off (the real math_3 has such keys), so some get accepted.
    let wrong: Vec<String> = (1..=candidates)
        .filter(|i| i % 6 == 4)
        .map(|i| i.to_string())
        .collect();
    let wrong: Vec<&str> = wrong.iter().map(String::as_str).collect();
    let questions = math_questions(&mut rng, 3, candidates as u32, &wrong);
    let image_dir = dir.join("candidates/math3");
    let out_dir = dir.join("filter_math3");
    for folder in [&image_dir, &out_dir] {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating {}", folder.display()))?;
    }
    let drawn = Drawn::new(&image_dir, candidates > DRAWN_LIMIT);
    let mut entries = Vec::with_capacity(candidates);
    let mut report = FilterDemo {
        out_dir: out_dir.clone(),
        total: candidates,
        accepted: 0,
        unparsed: 0,
        accepted_suspect: Vec::new(),
        missing_images: Vec::new(),
    };
    for (index, question) in questions.iter().enumerate() {
        let id = format!("math3_{index:05}");
        let image = format!("{GENERATING_ROOT}/candidates/math3/{index}.png");
        let outcome = outcome(&mut rng, index);
        let (scene, reply) = candidate(question, outcome, &mut rng);
        if index == MISSING_IMAGE {
            report.missing_images.push(id.clone());
        } else {
            drawn.write(&scene, index, &mut rng)?;
        }
        let judgment = match judgment_of(outcome) {
            Some(true) => "YES".to_string(),
            Some(false) => "NO".to_string(),
            None => reply.trim().chars().take(50).collect(),
        };
        let accepted = judgment == "YES";
        report.accepted += accepted as usize;
        report.unparsed += (outcome == Outcome::NoVerdict) as usize;
        if accepted && question.key != question.truth {
            report.accepted_suspect.push(id.clone());
        }
        entries.push((
            id,
            question.question.clone(),
            question.answer(),
            image,
            judgment,
            reply,
            accepted,
        ));
    }
    let results: Vec<ResultEntry> = entries
        .iter()
        .map(|(id, q, a, image, judgment, reply, accepted)| ResultEntry {
            id,
            Question: q,
            Answer: a,
            image,
            model_judgment: judgment,
            model_response: reply,
            accepted: *accepted,
        })
        .collect();
    let mut input = String::new();
    let mut kept = String::new();
    let mut rejected = String::new();
    for entry in &results {
        input += &python_json_line(&InputLine {
            id: entry.id,
            Question: entry.Question,
            Answer: entry.Answer,
            image: entry.image,
        })?;
        if entry.accepted {
            kept += &python_json_line(&Kept {
                Question: entry.Question,
                Answer: entry.Answer,
                id: entry.id,
                image: entry.image,
            })?;
        } else {
            rejected += &python_json_line(&Rejected {
                Question: entry.Question,
                Answer: entry.Answer,
                id: entry.id,
                image: entry.image,
                reason: entry.model_response,
            })?;
        }
    }
    let data_file = format!("{GENERATING_ROOT}/math3_candidates.jsonl");
    let stats = Stats {
        total_samples: candidates,
        accepted_samples: report.accepted,
        rejected_samples: candidates - report.accepted,
        acceptance_rate: if candidates == 0 {
            0.0
        } else {
            report.accepted as f64 / candidates as f64 * 100.0
        },
        data_file: &data_file,
        model_path: MODEL_PATH,
    };
    let write = |path: PathBuf, bytes: &[u8]| {
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
    };
    write(dir.join("math3_candidates.jsonl"), input.as_bytes())?;
    write(
        out_dir.join("filter_results.json"),
        &python_json_indent2(&results)?,
    )?;
    write(out_dir.join("filtered_data.jsonl"), kept.as_bytes())?;
    write(out_dir.join("rejected_data.jsonl"), rejected.as_bytes())?;
    write(
        out_dir.join("filter_stats.json"),
        &python_json_indent2(&stats)?,
    )?;
    Ok(report)
}

/// The verdict a reply of this outcome carries (`None`: no parsable verdict).
fn judgment_of(outcome: Outcome) -> Option<bool> {
    match outcome {
        Outcome::Accepted => Some(true),
        Outcome::NoVerdict => None,
        _ => Some(false),
    }
}

/// The image the model made and its own judgment of it, in the filter instruction's shape.
fn candidate(q: &MathQuestion, outcome: Outcome, rng: &mut impl Rng) -> (Scene, String) {
    let (glyph, one, many) = q.noun;
    let key = q.key;
    let noun_for = |n: u32| if n == 1 { one } else { many };
    let other = COUNTABLES
        .iter()
        .filter(|n| n.0 != glyph)
        .collect::<Vec<_>>()
        .choose(rng)
        .map(|n| **n)
        .unwrap_or(COUNTABLES[1]);
    let off = if key <= 1 || rng.random_bool(0.5) {
        key + 1
    } else {
        key - 1
    };
    let (scene, counted, failing): (Scene, String, &[&str]) = match outcome {
        Outcome::Accepted | Outcome::Unexplained => (
            Scene::Count { glyph, count: key },
            count_phrase(key, q.noun),
            &[],
        ),
        Outcome::WrongCount => (
            Scene::Count { glyph, count: off },
            format!("{off} {}", noun_for(off)),
            &["Correct Number"],
        ),
        Outcome::WrongType => (
            Scene::Count {
                glyph: other.0,
                count: key,
            },
            count_phrase(key, other),
            &["Correct Type"],
        ),
        Outcome::Extra => (
            Scene::Jumble {
                first: glyph,
                second: other.0,
            },
            format!("{key} {} and some {}", noun_for(key), other.2),
            &["No Extra Objects"],
        ),
        Outcome::Quality => (
            Scene::Scrawled(glyph),
            format!("{key} {}, smeared and hard to make out", noun_for(key)),
            &["Clear Quality"],
        ),
        Outcome::Incomplete => (
            Scene::Count { glyph, count: key },
            format!("{key} {}, one of them cut off at the edge", noun_for(key)),
            &["Complete Objects"],
        ),
        Outcome::CountAndIncomplete => (
            Scene::Count { glyph, count: off },
            format!("{off} {}, one of them cut off at the edge", noun_for(off)),
            &["Correct Number", "Complete Objects"],
        ),
        Outcome::NoVerdict => (
            Scene::Jumble {
                first: glyph,
                second: glyph,
            },
            String::new(),
            &[],
        ),
    };
    if outcome == Outcome::NoVerdict {
        let reply = "The image shows several objects but I cannot determine the exact count with confidence.";
        return (scene, reply.to_string());
    }
    // Replies are as wordy as the model's (~1 KB): a 64k-candidate filter_results.json is then
    // about as big as a real one.
    let why = |criterion: &str, met: bool| -> String {
        match (criterion, met) {
            ("Correct Number", true) => format!(
                "the image shows exactly {key} {}, as the expression requires",
                noun_for(key)
            ),
            ("Correct Number", false) => {
                format!("the image shows {counted}, but the expression requires {key}")
            }
            ("Correct Type", true) => {
                let article = if one.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                };
                format!("every object is recognisably {article} {one}")
            }
            ("Correct Type", false) => format!("the objects are not {many}"),
            ("No Extra Objects", true) => format!("nothing besides the {many} is in the frame"),
            ("No Extra Objects", false) => {
                "other objects appear beside the requested ones".to_string()
            }
            ("Clear Quality", true) => {
                "the objects are drawn clearly and are easy to tell apart".to_string()
            }
            ("Clear Quality", false) => "the objects are smeared and scribbled over".to_string(),
            (_, true) => format!("every {one} is fully inside the frame"),
            (_, false) => "at least one object is cut off at the edge".to_string(),
        }
    };
    let criteria = unisandbox_core::analysis::rejection::CRITERIA
        .iter()
        .map(|c| {
            let met = !failing.contains(c);
            let status = if met { "met" } else { "not met" };
            format!("* {c}: {status} — {}.", why(c, met))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let verdict = if outcome == Outcome::Accepted {
        "YES"
    } else {
        "NO"
    };
    let expression = q.expr.render();
    let mut steps = Vec::new();
    q.expr.steps(&mut steps);
    let steps = steps.join("; then ");
    let reply = format!(
        "1. **Analyze the Question**: the question asks for {many}. The expression is {expression}; \
         evaluating it step by step ({steps}) gives {key}, so the image must contain exactly {key} {}.\n\n\
         2. **Examine the Image and Count Objects**: I look at each object in turn, from the left \
         of the frame to the right and along the edges, where objects are easy to miss, and count \
         each one once. I count {counted} in the image.\n\n\
         3. **Perform a Strict Criteria Check**:\n{criteria}\n\nFinal Answer: {verdict}",
        noun_for(key)
    );
    (scene, reply)
}

/// Candidate images: each drawn, or (for big outputs) hard links to a few drawn ones.
struct Drawn {
    dir: PathBuf,
    pooled: bool,
}

impl Drawn {
    fn new(dir: &Path, pooled: bool) -> Drawn {
        Drawn {
            dir: dir.to_path_buf(),
            pooled,
        }
    }

    fn write(&self, scene: &Scene, index: usize, rng: &mut impl Rng) -> anyhow::Result<()> {
        let path = self.dir.join(format!("{index}.png"));
        const POOL: usize = 24;
        if self.pooled && index >= POOL {
            let from = self.dir.join(format!("{}.png", index % POOL));
            let from = if index % POOL == MISSING_IMAGE {
                self.dir.join("0.png")
            } else {
                from
            };
            if std::fs::hard_link(&from, &path).is_err() {
                std::fs::copy(&from, &path)
                    .with_context(|| format!("copying {} to {}", from.display(), path.display()))?;
            }
            return Ok(());
        }
        std::fs::write(&path, png_bytes(&render(scene, rng)))
            .with_context(|| format!("writing {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_loads_with_its_planted_cases() {
        let dir = tempfile::tempdir().unwrap();
        let demo = write_filter_output(dir.path(), 7, 60).unwrap();
        let data = unisandbox_core::load::load_dataset(&[dir.path().to_path_buf()]);
        assert_eq!(
            data.folders.len(),
            1,
            "the image pool is not a run of its own"
        );
        let folder = &data.folders[0];
        assert_eq!(
            (
                folder.run.as_str(),
                folder.setting.as_str(),
                folder.stem.as_str()
            ),
            ("filter_math3", "filter", "math3")
        );
        assert_eq!(data.items.len(), 60);
        let accepted = data.items.iter().filter(|i| i.is_correct()).count();
        assert_eq!(accepted, demo.accepted);
        let unparsed = data
            .items
            .iter()
            .filter(|i| i.verdict == unisandbox_core::model::Verdict::Unparsed)
            .count();
        assert_eq!(unparsed, demo.unparsed);
        assert!(demo.unparsed > 0 && !demo.accepted_suspect.is_empty());
        // One planted missing image: a badge and a diagnostic naming it.
        let missing: Vec<&str> = data
            .items
            .iter()
            .filter(|i| i.parts[0].image_status == unisandbox_core::model::ImageStatus::Missing)
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(missing, ["math3_00007"]);
        assert!(
            data.diagnostics
                .iter()
                .any(|d| d.message.contains("math3_00007: image not found") && d.line.is_some())
        );
        assert_eq!(data.diagnostics.len(), 2, "{:#?}", data.diagnostics);
    }
}

//! Mutation fuzzing of every parser of text from run folders: the results CSV (full and
//! counting), `output.jsonl`, the eval log, the judge's analysis, the arithmetic evaluator and the
//! failure taxonomy, and STARS filter outputs (`filter_results.json` whole and in chunks, the
//! JSONL files, the rejection classifier). Inputs start from well-formed seeds and are mutated (bytes flipped, inserted,
//! deleted, spans duplicated or spliced between seeds, hostile tokens dropped in); a parser may
//! return diagnostics, never panic or hang. Whole folders built from mutated files go through
//! the full loader too.
//!
//! `cargo test --release --test fuzz_smoke` runs a short smoke (a few seconds per target);
//! `FUZZ_SECONDS=600 cargo test --release --test fuzz_smoke -- --nocapture` fuzzes each target
//! for ten minutes and prints the executions.

use std::path::Path;
use std::time::{Duration, Instant};

use unisandbox_core::analysis::{arithmetic, failure};
use unisandbox_core::load::{judge, log, results_csv, trace};
use unisandbox_core::model::{Part, Verdict};
use unisandbox_core::taxonomy::Family;

use unisandbox_testkit::Xorshift as Rng;

const HOSTILE: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b"\r",
    b"\n",
    b"\r\n",
    b",",
    b"\0",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xe2\x88\x9a",
    b"((((((((((",
    b"))))",
    b"^9^9^9^9",
    b"99999999999999999999999",
    b"-9223372036854775808",
    b"NaN",
    b"1e309",
    b"/ 0",
    b"% 0",
    b"../../",
    b"C:\\",
    b"{\"",
    b"}",
    b"[",
    b"null",
    b"YES",
    b"IMAGE_NOT_FOUND",
    b"Phase 2",
    b"Score:",
    b"**Score: YES**",
    b"<think>",
    b"</think>",
];

fn mutate(rng: &mut Rng, seeds: &[&[u8]]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].to_vec();
    for _ in 0..=rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => data
                .splice(at..at, HOSTILE[rng.below(HOSTILE.len())].iter().copied())
                .for_each(drop),
            2 if !data.is_empty() => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at..end);
            }
            3 if !data.is_empty() => {
                let start = rng.below(data.len());
                let end = (start + rng.below(256)).min(data.len());
                let span = data[start..end].to_vec();
                data.splice(
                    at..at,
                    span.iter()
                        .copied()
                        .cycle()
                        .take(span.len() * (1 + rng.below(20))),
                )
                .for_each(drop);
            }
            4 => {
                let other = seeds[rng.below(seeds.len())];
                let start = rng.below(other.len());
                let end = (start + rng.below(512)).min(other.len());
                data.splice(at..at, other[start..end].iter().copied())
                    .for_each(drop);
            }
            _ => data.truncate(at),
        }
    }
    data
}

fn budget() -> Duration {
    let seconds: f64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 1.5 } else { 3.0 });
    Duration::from_secs_f64(seconds)
}

/// Runs `target` on mutated inputs for the time budget; any panic fails the test with the
/// input that caused it (as a lossy string, and its length).
fn fuzz(name: &str, seeds: &[&[u8]], target: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    let budget = budget();
    let started = Instant::now();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ name.len() as u64);
    let mut runs = 0u64;
    while started.elapsed() < budget {
        let input = mutate(&mut rng, seeds);
        let outcome = std::panic::catch_unwind(|| target(&input));
        assert!(
            outcome.is_ok(),
            "{name} panicked on {} bytes: {:?}",
            input.len(),
            String::from_utf8_lossy(&input)
        );
        runs += 1;
    }
    eprintln!(
        "{name}: {runs} inputs in {:.0} s, no panic",
        started.elapsed().as_secs_f64()
    );
    assert!(runs > 100, "{name}: the fuzzer ran ({runs} inputs)");
}

const MATH_CSV: &[u8] = b"ID,Question,Answer,Image_Path,Result,Score,Analysis\r\n1,\"Make 1 + 1 cups.\",2 cups,/a/1.png,YES,1,\"Phase 1 - Image Captioning:\nCaption: 2 cups\n\nPhase 2 - Caption Evaluation:\n**Score: YES**\"\r\n2,Q,3 cups,/a/2.png,NO,0,x\r\n1,Q,1 cup,,ERROR,0,Error: timeout\r\n";
const MAPPING_CSV: &[u8] = b"ID,Question_A,Answer_A,Image_A_Path,A_Result,A_Score,A_Analysis,Question_B,Answer_B,Image_B_Path,B_Result,B_Score,B_Analysis,Both_Correct,Final_Score\r\n2,QA,spoon,/x/2_A.png,IMAGE_NOT_FOUND,0,Image file not found,QB,fork,/x/2_B.png,YES,1,ok,False,0\r\n3,QA,cup,,YES,1,ok,QB,mug,,YES,1,ok,True,1\r\n";
const KNOWLEDGE_CSV: &[u8] = b"ID,Question,Answer,Image_Path,Caption,Result,Score,Analysis\r\n31,\"Q, with comma\",A,/x/31.png,Person: a man,NO,0,\"Phase 1 - Caption:\nError\"\r\n";
const JSONL: &[u8] = br#"{"prompt_id": "2", "image_file": "2.png", "original_prompt": "q", "detailed_prompt": "Two kittens.</think>", "think_output": "<think>3 minus 1 is 2.\n\nHere's the finished detailed prompt: Two kittens.</think>"}
{"prompt_id": 31, "image_file": "31.png", "think_output": null}
not json
"#;
const LOG: &[u8] = b"Evaluation Results:\nTotal samples: 120\nCorrect: 40\nAccuracy: 33.33%\n";
const ANALYSIS: &[u8] = b"Phase 1 - Image Captioning:\nCaption: 3 cups on a table\n\nPhase 2 - Caption Evaluation:\nThe caption says 3 cups; expected 2 cups.\n**Score: NO**";
const QUESTIONS: &[u8] =
    b"Give the same quantity of forks as (2^3 / \xe2\x88\x9a4) - 1, rounded down.";

#[test]
fn results_csv_parsers_never_panic() {
    let path = Path::new("evaluation_results.csv");
    fuzz(
        "results CSV",
        &[MATH_CSV, MAPPING_CSV, KNOWLEDGE_CSV],
        |input| {
            let text = String::from_utf8_lossy(input);
            let parsed = results_csv::parse_results_csv(path, &text);
            let counted = results_csv::count_results_csv(path, text.as_bytes());
            // Counting and parsing agree on every input, broken or not.
            assert_eq!(counted.total as usize, parsed.rows.len());
        },
    );
}

#[test]
fn stars_filter_readers_never_panic() {
    use unisandbox_core::analysis::rejection;
    use unisandbox_core::load::stars::{self, Source};
    let dir = tempfile::tempdir().unwrap();
    unisandbox_demo::stars::write_filter_output(dir.path(), 3, 12).unwrap();
    let out = dir.path().join("filter_math3");
    let results = std::fs::read(out.join("filter_results.json")).unwrap();
    let rejected = std::fs::read(out.join("rejected_data.jsonl")).unwrap();
    let file = dir.path().join("mutated.json");
    fuzz("STARS filter files", &[&results, &rejected], |input| {
        let mut diagnostics = Vec::new();
        let _ = stars::parse_results_json(&file, input, &mut diagnostics);
        std::fs::write(&file, input).unwrap();
        // Small chunks: element and separator boundaries fall anywhere.
        let _ = stars::read_results_in_chunks(&file, 61, &mut diagnostics);
        for source in [Source::Filtered, Source::Rejected] {
            for ids_only in [false, true] {
                let _ = stars::parse_jsonl(&file, input, source, ids_only, &mut diagnostics);
            }
        }
        let text = String::from_utf8_lossy(input);
        let _ = rejection::judgment_of_reply(&text);
        let _ = rejection::stated_count(&text);
        for verdict in [Verdict::No, Verdict::Unparsed] {
            let _ = rejection::classify_rejection(verdict, &text);
        }
    });
}

#[test]
fn output_jsonl_parser_never_panics() {
    fuzz("output.jsonl", &[JSONL], |input| {
        let _ =
            trace::parse_output_jsonl(Path::new("output.jsonl"), &String::from_utf8_lossy(input));
    });
}

#[test]
fn log_and_judge_parsers_never_panic() {
    fuzz("log + judge analysis", &[LOG, ANALYSIS], |input| {
        let text = String::from_utf8_lossy(input);
        let _ = log::parse_log(&text);
        let analysis = judge::parse_analysis(&text);
        let _ = judge::short_caption(&analysis.phase1);
    });
}

#[test]
fn arithmetic_and_failure_taxonomy_never_panic() {
    fuzz(
        "arithmetic + taxonomy",
        &[QUESTIONS, ANALYSIS, b"3 forks"],
        |input| {
            let text = String::from_utf8_lossy(input);
            let _ = arithmetic::evaluate_question(&text);
            let _ = arithmetic::answer_count(&text);
            let mut part = Part {
                label: None,
                question: text.as_ref().into(),
                answer: text.split('\n').next().unwrap_or("").to_string(),
                image_path: Default::default(),
                image_status: unisandbox_core::model::ImageStatus::Present,
                verdict: Verdict::No,
                caption: Some(text.chars().rev().collect()),
                analysis: Some(judge::parse_analysis(&text)),
                trace: None,
            };
            for family in [Family::Math, Family::Mapping, Family::Knowledge] {
                let _ = failure::classify_part(family, &part, None);
            }
            part.caption = Some("-9223372036854775808 cups".into());
            part.answer = "9223372036854775807 cups".into();
            let _ = failure::classify_part(Family::Math, &part, None);
        },
    );
}

#[test]
fn whole_folders_of_mutated_files_load() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("ckpt/think/math_1");
    std::fs::create_dir_all(&folder).unwrap();
    let mut rng = Rng(7);
    let budget = budget();
    let started = Instant::now();
    let mut runs = 0;
    while started.elapsed() < budget {
        std::fs::write(
            folder.join("evaluation_results.csv"),
            mutate(&mut rng, &[MATH_CSV]),
        )
        .unwrap();
        std::fs::write(folder.join("output.jsonl"), mutate(&mut rng, &[JSONL])).unwrap();
        std::fs::write(
            folder.join("evaluation_results.log"),
            mutate(&mut rng, &[LOG]),
        )
        .unwrap();
        std::fs::write(
            folder.join("1.png"),
            mutate(&mut rng, &[b"\x89PNG\r\n\x1a\n"]),
        )
        .unwrap();
        let data = unisandbox_core::load::load_dataset(&[dir.path().to_path_buf()]);
        let _ = unisandbox_core::analysis::accuracy::folder_accuracy(&data);
        let _ = unisandbox_core::analysis::accuracy::task_type_accuracy(&data);
        let _ = unisandbox_core::analysis::audit::audit(&data);
        runs += 1;
    }
    eprintln!(
        "whole folders: {runs} loads in {:.0} s, no panic",
        started.elapsed().as_secs_f64()
    );
    assert!(runs > 10);
}

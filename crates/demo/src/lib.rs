//! `demo-data`: synthetic UniSandbox runs in the exact upstream formats. `sample_runs/` is its
//! output, and the tests generate their fixtures with it.
//!
//! Two checkpoints (a base model and a STARS self-trained one) × normal/think × math L1–L3,
//! mapping L1–L3, knowledge forward and inverse, with planted anomalies listed in `ANOMALIES`.

pub mod arith;
pub mod benchmark;
pub mod companion;
pub mod draw;
mod eval;
pub mod layouts;
pub mod scale;
pub mod series;
pub mod simulate;
pub mod stars;
pub mod writers;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use benchmark::{Character, KnowledgeQuestion, MappingPair, MathQuestion};
use simulate::Generated;

/// Checkpoint folder names, base first.
pub const CHECKPOINTS: [&str; 2] = ["bagel-base", "bagel-stars"];
pub const SETTINGS: [&str; 2] = ["normal", "think"];
/// Where the planted anomalies are, for the README and the tests.
pub const ANOMALIES: &[&str] = &[
    "bagel-base/test/normal/math_2/7.png deleted before evaluation (IMAGE_NOT_FOUND row)",
    "bagel-base/test/think/math_3/9.png deleted before evaluation; its output.jsonl record remains",
    "bagel-base/test/think/mapping1/3_B.png truncated (corrupt PNG, judged Error)",
    "bagel-stars/test/think/math_1 has no output.jsonl (a single-GPU run)",
    "math_2 id 4: the answer key contradicts the arithmetic (every run)",
    "mapping2 ID 5: the B answer is the literal word \"undefined\"",
    "bagel-stars/test/normal/mapping3/evaluation_results.csv holds an appended re-run (duplicate IDs; the last row wins)",
    "bagel-base/test/normal/math_1, mapping2 and Aurelius: failed judge calls (math, mapping: NO with 'Error: Failed to …'; knowledge: ERROR with 'Error: caption failed' / 'eval failed')",
    "bagel-stars/test/think/math_3: a re-run without --overwrite killed after 5 rows (2 verdicts changed); the log is still the first run's",
    "bagel-stars/test/think/mapping1: a 2-GPU think run killed midway: tmp_results_0/1.jsonl, no output.jsonl, the last IDs never generated",
    "bagel-base/test/think/math_2/output.jsonl: stale records of a killed run merged before the re-run's (duplicate prompt_ids 1-3)",
    "stars/filter_math3: candidate math3_00007's image was never written; 3 replies have no verdict; accepted candidates include keys that contradict their arithmetic",
];

const ITEMS: u32 = 20;
/// A STARS filter output beside the runs: its candidates and what the filter made of them.
pub const STARS_DIR: &str = "stars";
const STARS_CANDIDATES: usize = 48;
const EVAL_ROOT: &str = "/mnt/eval/inference_results";

/// The benchmark, identical for every run.
struct Benchmark {
    math: Vec<(String, Vec<MathQuestion>)>,
    mapping: Vec<(String, Vec<MappingPair>)>,
    knowledge: Vec<(String, Vec<KnowledgeQuestion>)>,
}

fn benchmark(seed: u64) -> Benchmark {
    benchmark_sized(seed, ITEMS, 7)
}

/// The benchmark with `items` math questions and mapping IDs per folder and `forward` knowledge
/// characters (at most 10; the five inverse pairs are always there).
fn benchmark_sized(seed: u64, items: u32, forward: usize) -> Benchmark {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let math = (1..=3)
        .map(|level| {
            let wrong: &[&str] = if level == 2 { &["4"] } else { &[] };
            (
                format!("math_{level}"),
                benchmark::math_questions(&mut rng, level, items, wrong),
            )
        })
        .collect();
    let mapping = (1..=3)
        .map(|level| {
            let undefined: &[u32] = if level == 2 { &[5] } else { &[] };
            (
                format!("mapping{level}"),
                benchmark::mapping_pairs(&mut rng, level, items, undefined),
            )
        })
        .collect();
    let people: Vec<Character> = benchmark::characters(&mut rng);
    let mut knowledge: Vec<(String, Vec<KnowledgeQuestion>)> = people
        .iter()
        .take(forward)
        .enumerate()
        .map(|(i, who)| {
            (
                who.name.to_string(),
                benchmark::forward_questions(&mut rng, i, who),
            )
        })
        .collect();
    for pair in 0..5 {
        let (a, b) = (&people[pair * 2], &people[pair * 2 + 1]);
        let first_id = 31 + pair as u32 * 4;
        knowledge.push((
            format!("{}_{}", a.name, b.name),
            benchmark::inverse_questions(&mut rng, first_id, a, b),
        ));
    }
    Benchmark {
        math,
        mapping,
        knowledge,
    }
}

/// Target accuracy per checkpoint, setting and task: the paper's headline direction.
fn target_rate(stars: bool, think: bool, stem: &str) -> f64 {
    let kind = unisandbox_core::taxonomy::TaskKind::of_stem(stem);
    let level = match kind.level {
        unisandbox_core::taxonomy::Level::Number(n) => n as f64,
        _ => 2.0,
    };
    let reasoning_think = 0.80 - 0.15 * level; // L1 .65, L2 .50, L3 .35
    match (kind.family, kind.level, stars, think) {
        (
            unisandbox_core::taxonomy::Family::Knowledge,
            unisandbox_core::taxonomy::Level::Forward,
            _,
            false,
        ) => {
            if stars {
                0.15
            } else {
                0.10
            }
        }
        (
            unisandbox_core::taxonomy::Family::Knowledge,
            unisandbox_core::taxonomy::Level::Forward,
            _,
            true,
        ) => {
            if stars {
                0.67
            } else {
                0.62
            }
        }
        (unisandbox_core::taxonomy::Family::Knowledge, _, _, think) => {
            if think {
                0.15
            } else {
                0.05
            }
        }
        (_, _, false, false) => 0.05,
        (_, _, false, true) => reasoning_think,
        (_, _, true, false) => reasoning_think - 0.05,
        (_, _, true, true) => reasoning_think + 0.08,
    }
}

/// Which items of a folder come out right: the easiest `rate × n`, with per-run jitter.
fn correct_set(difficulties: &[f64], rate: f64, rng: &mut impl Rng) -> Vec<bool> {
    // Random rounding keeps small folders (3 knowledge items) near the rate on average.
    let k = (rate * difficulties.len() as f64 + rng.random::<f64>()).floor() as usize;
    let mut order: Vec<(f64, usize)> = difficulties
        .iter()
        .enumerate()
        .map(|(i, d)| (d + rng.random::<f64>() * 0.5, i))
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut correct = vec![false; difficulties.len()];
    for &(_, i) in order.iter().take(k) {
        correct[i] = true;
    }
    correct
}

#[derive(Serialize)]
#[serde(untagged)]
enum PromptId {
    Text(String),
    Number(u32),
}

#[derive(Serialize)]
struct TmpTraceLine<'a> {
    original_index: usize,
    #[serde(flatten)]
    line: TraceLine<'a>,
}

#[derive(Serialize)]
struct TraceLine<'a> {
    prompt_id: PromptId,
    image_file: &'a str,
    original_prompt: &'a str,
    detailed_prompt: &'a str,
    think_output: &'a str,
}

/// One image to write: its file, question, answer and what came out.
struct Shot {
    file: String,
    prompt_id: PromptId,
    question: String,
    answer: String,
    out: Generated,
    /// The judge call for this image failed (planted).
    failed_call: Option<eval::FailedCall>,
}

/// Writes the synthetic runs into `out_dir` and returns the task folders written.
pub fn write_demo(out_dir: &Path, seed: u64) -> anyhow::Result<Vec<PathBuf>> {
    let bench = benchmark(seed);
    let checkpoints: Vec<String> = CHECKPOINTS.iter().map(|c| c.to_string()).collect();
    let mut written = write_runs(out_dir, seed, &checkpoints, &bench, Images::Draw, None)?;
    write_benchmark_files(&out_dir.join(BENCHMARK_DIR), &bench)?;
    let filter = stars::write_filter_output(&out_dir.join(STARS_DIR), seed, STARS_CANDIDATES)?;
    written.push(filter.out_dir);
    Ok(written)
}

/// One checkpoint (`name`) at the upstream benchmark's size: math_1–3 and mapping1–3 with 100
/// items each, 10 knowledge characters and 5 pairs — 21 task folders per setting, 42 in all,
/// 1,900 images (hard links to a few drawn PNGs) — plus the benchmark files.
pub fn write_full_checkpoint(
    out_dir: &Path,
    seed: u64,
    name: &str,
) -> anyhow::Result<Vec<PathBuf>> {
    let bench = benchmark_sized(seed, 100, 10);
    let pool = scale::ImagePool::draw(&out_dir.join(scale::POOL_DIR), &bench, seed)?;
    let written = write_runs(
        out_dir,
        seed,
        &[name.to_string()],
        &bench,
        Images::Linked(&pool),
        None,
    )?;
    write_benchmark_files(&out_dir.join(BENCHMARK_DIR), &bench)?;
    Ok(written)
}

/// How a run's images come to be: drawn one by one, or hard links to a few drawn ones.
enum Images<'a> {
    Draw,
    /// Per family (math, mapping, knowledge), a few real PNGs every image links to.
    Linked(&'a scale::ImagePool),
}

/// One task folder of the benchmark, to write for every checkpoint and setting.
enum Task<'a> {
    Math(&'a str, &'a [MathQuestion]),
    Mapping(&'a str, &'a [MappingPair]),
    Knowledge(&'a str, &'a [KnowledgeQuestion]),
}

impl Task<'_> {
    fn stem(&self) -> &str {
        match self {
            Task::Math(stem, _) | Task::Mapping(stem, _) | Task::Knowledge(stem, _) => stem,
        }
    }

    /// Items in the folder (a mapping pair is one).
    fn len(&self) -> usize {
        match self {
            Task::Math(_, q) => q.len(),
            Task::Mapping(_, p) => p.len(),
            Task::Knowledge(_, q) => q.len(),
        }
    }

    /// The item ids and the images of each, as the model under test would have made them:
    /// right as `given` says, or at the checkpoint's target rate.
    fn shots(
        &self,
        stars: bool,
        think: bool,
        mut given: Option<Vec<bool>>,
        rng: &mut ChaCha8Rng,
    ) -> (Vec<String>, Vec<Vec<Shot>>) {
        let rate = target_rate(stars, think, self.stem());
        let mut correct_set = |diffs: &[f64], rate: f64, rng: &mut ChaCha8Rng| {
            given
                .take()
                .unwrap_or_else(|| correct_set(diffs, rate, rng))
        };
        match self {
            Task::Math(_, questions) => {
                let diffs: Vec<f64> = questions.iter().map(|q| q.difficulty).collect();
                let correct = correct_set(&diffs, rate, rng);
                let shots = questions
                    .iter()
                    .zip(&correct)
                    .map(|(q, ok)| {
                        vec![Shot {
                            file: format!("{}.png", q.id),
                            prompt_id: PromptId::Text(q.id.clone()),
                            question: q.question.clone(),
                            answer: q.answer(),
                            out: simulate::math(q, *ok, think, rng),
                            failed_call: None,
                        }]
                    })
                    .collect();
                (questions.iter().map(|q| q.id.clone()).collect(), shots)
            }
            Task::Mapping(_, pairs) => {
                let diffs: Vec<f64> = pairs.iter().map(|p| p.difficulty).collect();
                let correct = correct_set(&diffs, rate, rng);
                let shots = pairs
                    .iter()
                    .zip(&correct)
                    .map(|(pair, ok)| {
                        // A wrong ID has at least one wrong image.
                        let wrong_side = if *ok {
                            None
                        } else {
                            Some(rng.random_range(0..3))
                        };
                        ["A", "B"]
                            .iter()
                            .enumerate()
                            .map(|(s, side)| {
                                let right = wrong_side.is_none_or(|w| w != s && w != 2);
                                Shot {
                                    file: format!("{}_{side}.png", pair.id),
                                    prompt_id: PromptId::Text(format!("{}_{side}", pair.id)),
                                    question: pair.sides[s].question.clone(),
                                    answer: pair.sides[s].answer.clone(),
                                    out: simulate::mapping(
                                        &pair.sides[s],
                                        pair.category,
                                        right,
                                        think,
                                        rng,
                                    ),
                                    failed_call: None,
                                }
                            })
                            .collect()
                    })
                    .collect();
                (pairs.iter().map(|p| p.id.to_string()).collect(), shots)
            }
            Task::Knowledge(_, questions) => {
                let diffs: Vec<f64> = questions.iter().map(|q| q.difficulty).collect();
                let correct = correct_set(&diffs, rate, rng);
                let shots = questions
                    .iter()
                    .zip(&correct)
                    .map(|(q, ok)| {
                        vec![Shot {
                            file: format!("{}.png", q.id),
                            prompt_id: PromptId::Number(q.id),
                            question: q.question.clone(),
                            answer: q.answer.clone(),
                            out: simulate::knowledge(q, *ok, think, rng),
                            failed_call: None,
                        }]
                    })
                    .collect();
                (questions.iter().map(|q| q.id.to_string()).collect(), shots)
            }
        }
    }
}

/// Writes every checkpoint × setting × task folder of `bench`, folders in parallel. Each folder
/// draws from its own seeded generator, so the output does not depend on the order they run in.
fn write_runs(
    out_dir: &Path,
    seed: u64,
    checkpoints: &[String],
    bench: &Benchmark,
    images: Images,
    schedule: Option<series::Schedule>,
) -> anyhow::Result<Vec<PathBuf>> {
    use rayon::prelude::*;
    let tasks: Vec<Task> = bench
        .math
        .iter()
        .map(|(stem, q)| Task::Math(stem, q))
        .chain(bench.mapping.iter().map(|(stem, p)| Task::Mapping(stem, p)))
        .chain(
            bench
                .knowledge
                .iter()
                .map(|(stem, q)| Task::Knowledge(stem, q)),
        )
        .collect();
    let mut jobs = Vec::new();
    for (ckpt_index, ckpt) in checkpoints.iter().enumerate() {
        for (setting_index, setting) in SETTINGS.iter().enumerate() {
            for task in &tasks {
                jobs.push((ckpt_index, ckpt, setting_index, *setting, task));
            }
        }
    }
    jobs.par_iter()
        .map(|&(ckpt_index, ckpt, setting_index, setting, task)| {
            let stem = task.stem();
            let folder_seed = seed
                ^ ((ckpt_index as u64 + 1) * 0x9E37_79B9)
                ^ ((setting_index as u64 + 1) * 0x85EB_CA6B)
                ^ stem_hash(stem);
            let mut rng = ChaCha8Rng::seed_from_u64(folder_seed);
            // Odd checkpoints stand for STARS self-trained models.
            let given = schedule.map(|plan| {
                series::verdicts(
                    plan.seed,
                    setting,
                    stem,
                    task.len(),
                    ckpt_index,
                    plan.checkpoints,
                )
            });
            let (ids, shots) = task.shots(ckpt_index % 2 == 1, setting == "think", given, &mut rng);
            write_folder(out_dir, ckpt, setting, stem, ids, shots, &images, &mut rng)
        })
        .collect()
}

/// Where `write_demo` puts the benchmark JSONL files, beside the checkpoints.
pub const BENCHMARK_DIR: &str = "benchmark";

/// The benchmark as the upstream JSONL files: math `id` (string), mapping one line per side with
/// `ID` and `Question_A`/`Question_B`, knowledge `ID` (integer).
fn write_benchmark_files(dir: &Path, bench: &Benchmark) -> anyhow::Result<()> {
    use serde_json::json;
    std::fs::create_dir_all(dir)?;
    let write = |stem: &str, lines: Vec<serde_json::Value>| -> anyhow::Result<()> {
        let mut text = String::new();
        for line in &lines {
            text += &writers::python_json_line(line)?;
        }
        std::fs::write(dir.join(format!("{stem}.jsonl")), text)?;
        Ok(())
    };
    for (stem, questions) in &bench.math {
        let lines = questions
            .iter()
            .map(|q| json!({"Question": q.question, "Answer": q.answer(), "id": q.id}))
            .collect();
        write(stem, lines)?;
    }
    for (stem, pairs) in &bench.mapping {
        let mut lines = Vec::new();
        for pair in pairs {
            for (side, question) in ["Question_A", "Question_B"].iter().zip(&pair.sides) {
                lines.push(
                    json!({"ID": pair.id, *side: question.question, "Answer": question.answer}),
                );
            }
        }
        write(stem, lines)?;
    }
    for (stem, questions) in &bench.knowledge {
        let lines = questions
            .iter()
            .map(|q| json!({"ID": q.id, "Question": q.question, "Answer": q.answer}))
            .collect();
        write(stem, lines)?;
    }
    Ok(())
}

fn stem_hash(stem: &str) -> u64 {
    stem.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The planted anomalies that apply to one folder.
struct Plants {
    delete_before_eval: Option<&'static str>,
    truncate: Option<&'static str>,
    no_traces: bool,
    appended_rerun: bool,
    /// Some judge calls fail (the scripts' exact texts).
    judge_failures: bool,
    /// A re-run without --overwrite is killed after a few rows: the log is the first run's.
    killed_rerun: bool,
    /// A 2-GPU think run killed midway: per-GPU tmp trace files, no output.jsonl.
    tmp_traces: bool,
    /// A killed run's stale trace records merged into the re-run's output.jsonl.
    duplicate_traces: bool,
}

fn plants(ckpt: &str, setting: &str, stem: &str) -> Plants {
    let key = format!("{ckpt}/{setting}/{stem}");
    Plants {
        delete_before_eval: match key.as_str() {
            "bagel-base/normal/math_2" => Some("7.png"),
            "bagel-base/think/math_3" => Some("9.png"),
            _ => None,
        },
        truncate: (key == "bagel-base/think/mapping1").then_some("3_B.png"),
        no_traces: key == "bagel-stars/think/math_1",
        appended_rerun: key == "bagel-stars/normal/mapping3",
        judge_failures: matches!(
            key.as_str(),
            "bagel-base/normal/math_1"
                | "bagel-base/normal/mapping2"
                | "bagel-base/normal/Aurelius"
        ),
        killed_rerun: key == "bagel-stars/think/math_3",
        tmp_traces: key == "bagel-stars/think/mapping1",
        duplicate_traces: key == "bagel-base/think/math_2",
    }
}

/// Which images' judge calls fail in a folder with planted failures: (flat image index, call).
const FAILED_CALLS: [(usize, eval::FailedCall); 3] = [
    (1, eval::FailedCall::Caption),
    (4, eval::FailedCall::Comparison),
    (7, eval::FailedCall::Caption),
];

/// A re-judged row whose verdict the judge changes: YES ↔ NO, Score and Analysis with it.
fn flip_verdict(row: &mut [String]) {
    let (result, score, analysis) = (4, 5, 6);
    let (from, to) = if row[result] == "YES" {
        ("YES", "NO")
    } else {
        ("NO", "YES")
    };
    row[result] = to.into();
    row[score] = if to == "YES" { "1" } else { "0" }.into();
    row[analysis] = row[analysis].replace(&format!("Score: {from}"), &format!("Score: {to}"));
}

/// Draws one image and writes it, applying the folder's planted deletion or truncation.
fn write_drawn_image(
    dir: &Path,
    shot: &mut Shot,
    plants: &Plants,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    let mut bytes = draw::png_bytes(&draw::render(&shot.out.scene, rng));
    if plants.delete_before_eval == Some(shot.file.as_str()) {
        shot.out.reply = String::new();
        return Ok(());
    }
    if plants.truncate == Some(shot.file.as_str()) {
        bytes.truncate(bytes.len() / 2);
        shot.out.reply = "Error".into();
        shot.out.yes = false;
    }
    std::fs::write(dir.join(&shot.file), &bytes)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_folder(
    out_dir: &Path,
    ckpt: &str,
    setting: &str,
    stem: &str,
    ids: Vec<String>,
    mut shots: Vec<Vec<Shot>>,
    images: &Images,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<PathBuf> {
    let dir = out_dir.join(ckpt).join("test").join(setting).join(stem);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let plants = plants(ckpt, setting, stem);
    let eval_dir = format!("{EVAL_ROOT}/{ckpt}/test/{setting}/{stem}");
    let family = unisandbox_core::taxonomy::TaskKind::of_stem(stem).family;

    // Images (and, in think mode, traces in benchmark order).
    let mut trace_lines = String::new();
    // A killed 2-GPU run: per-GPU files, its last prompts never generated.
    let image_count = shots.iter().map(Vec::len).sum::<usize>();
    let killed_at = plants.tmp_traces.then_some(image_count * 3 / 4);
    let mut gpu_lines = [String::new(), String::new()];
    for (index, shot) in shots.iter_mut().flatten().enumerate() {
        if plants.judge_failures
            && let Some(&(_, call)) = FAILED_CALLS.iter().find(|(at, _)| *at == index)
        {
            shot.failed_call = Some(call);
        }
        let never_saved = killed_at.is_some_and(|at| index >= at);
        if let Images::Linked(pool) = images {
            pool.link(family, index, &dir.join(&shot.file))?;
        } else if never_saved {
            shot.out.reply = String::new(); // the eval finds no image
        } else {
            write_drawn_image(&dir, shot, &plants, rng)?;
        }
        if let Some((think, detailed)) = &shot.out.trace {
            // t2i.py writes the record before saving the image: the killed prompt has one.
            if killed_at.is_some_and(|at| index > at) {
                continue;
            }
            let id = match &shot.prompt_id {
                PromptId::Text(t) => PromptId::Text(t.clone()),
                PromptId::Number(n) => PromptId::Number(*n),
            };
            let line = TraceLine {
                prompt_id: id,
                image_file: &shot.file,
                original_prompt: &shot.question,
                detailed_prompt: detailed,
                think_output: think,
            };
            if killed_at.is_some() {
                gpu_lines[index % 2] += &writers::python_json_line(&TmpTraceLine {
                    original_index: index,
                    line,
                })?;
                continue;
            }
            if plants.duplicate_traces && index < 3 {
                // The killed run's record, merged first (a re-run with --no_skip_existing).
                let stale_think = format!("(an earlier attempt, interrupted) {think}");
                let stale = TraceLine {
                    think_output: if index == 1 { &stale_think } else { think },
                    prompt_id: match &line.prompt_id {
                        PromptId::Text(t) => PromptId::Text(t.clone()),
                        PromptId::Number(n) => PromptId::Number(*n),
                    },
                    ..line
                };
                trace_lines += &writers::python_json_line(&stale)?;
            }
            trace_lines += &writers::python_json_line(&line)?;
        }
    }
    if !trace_lines.is_empty() && !plants.no_traces {
        std::fs::write(dir.join("output.jsonl"), trace_lines)?;
    }
    for (gpu, lines) in gpu_lines.iter().enumerate() {
        if !lines.is_empty() {
            std::fs::write(dir.join(format!("tmp_results_{gpu}.jsonl")), lines)?;
        }
    }

    // Evaluation: rows in completion order (8 workers finish roughly, not exactly, in order).
    let mut order: Vec<(f64, usize)> = (0..shots.len())
        .map(|i| (i as f64 + rng.random::<f64>() * 8.0, i))
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rows = Vec::new();
    let mut correct = 0;
    for &(_, i) in &order {
        let (row, ok) = eval::csv_row(family, &ids[i], &shots[i], &eval_dir);
        correct += usize::from(ok);
        rows.push(row);
    }
    if plants.appended_rerun {
        // An earlier run whose judge calls failed for some IDs, then a full re-run appended.
        let mut first_run: Vec<Vec<String>> = rows.iter().take(4).cloned().collect();
        for row in &mut first_run {
            for column in [4, 10] {
                row[column] = "ERROR".into();
            }
            for column in [5, 11, 14] {
                row[column] = "0".into();
            }
            row[6] = "Error: Connection error.".into();
            row[12] = "Error: Connection error.".into();
            row[13] = "False".into();
        }
        first_run.extend(rows);
        rows = first_run;
    }
    if plants.killed_rerun {
        // A re-run without --overwrite, killed after 5 rows; the judge now says NO to up to 2
        // images it had said YES to (YES to one it had said NO to, when none was YES). The log
        // below stays the first run's.
        let mut rerun: Vec<Vec<String>> = rows.iter().take(5).cloned().collect();
        let yes_rows: Vec<usize> = (0..rerun.len()).filter(|&i| rerun[i][4] == "YES").collect();
        let flipped = if yes_rows.is_empty() {
            vec![0]
        } else {
            yes_rows
        };
        for &i in flipped.iter().take(2) {
            flip_verdict(&mut rerun[i]);
        }
        rows.extend(rerun);
    }
    let header = unisandbox_core::load::results_csv::Schema::of_family(family).columns();
    std::fs::write(
        dir.join("evaluation_results.csv"),
        writers::dictwriter_csv(header, &rows)?,
    )?;
    let duration =
        (family == unisandbox_core::taxonomy::Family::Math).then(|| rng.random_range(30.0..90.0));
    let csv_path = format!("{eval_dir}/evaluation_results.csv");
    let log = writers::eval_log(
        shots.len(),
        correct,
        family.is_paired(),
        duration,
        &csv_path,
    );
    std::fs::write(dir.join("evaluation_results.log"), log)?;
    Ok(dir)
}

//! The other launchers' layouts, generated-but-not-evaluated: Infer.py (`math_3` → `math3/`, one
//! top-level `output.jsonl`) and gen_images_mp_json.py in think mode (`<id>.png` + `<id>.txt`).

use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{PromptId, TraceLine, benchmark, draw, simulate, writers};

/// Writes `infer-layout/` and `sidecar-layout/` under `out_dir` (10 items each, think mode), and
/// the benchmark JSONL they were generated from in `benchmark/`.
pub fn write_alternative_layouts(out_dir: &Path, seed: u64) -> anyhow::Result<()> {
    let bench = benchmark(seed);
    super::write_benchmark_files(&out_dir.join(super::BENCHMARK_DIR), &bench)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xA17E);

    // Infer.py: output_dir/math3/<id>.png and output_dir/output.jsonl in file order.
    let infer = out_dir.join("infer-layout");
    let images = infer.join("math3");
    std::fs::create_dir_all(&images)?;
    let math_3 = bench
        .math
        .iter()
        .find(|(stem, _)| stem == "math_3")
        .map(|(_, q)| q)
        .ok_or_else(|| anyhow::anyhow!("no math_3"))?;
    let mut lines = String::new();
    for (i, question) in math_3.iter().take(10).enumerate() {
        let out = simulate::math(question, i % 3 != 0, true, &mut rng);
        let file = format!("{}.png", question.id);
        std::fs::write(
            images.join(&file),
            draw::png_bytes(&draw::render(&out.scene, &mut rng)),
        )?;
        let (think, detailed) = out.trace.unwrap_or_default();
        lines += &writers::python_json_line(&TraceLine {
            prompt_id: PromptId::Text(question.id.clone()),
            image_file: &file,
            original_prompt: &question.question,
            detailed_prompt: &detailed,
            think_output: &think,
        })?;
    }
    std::fs::write(infer.join("output.jsonl"), lines)?;

    // gen_images_mp_json.py --think: <prompt_id>.png and <prompt_id>.txt (raw think text, no newline).
    let sidecar = out_dir.join("sidecar-layout").join("mapping2");
    std::fs::create_dir_all(&sidecar)?;
    let mapping2 = bench
        .mapping
        .iter()
        .find(|(stem, _)| stem == "mapping2")
        .map(|(_, p)| p)
        .ok_or_else(|| anyhow::anyhow!("no mapping2"))?;
    for (i, pair) in mapping2.iter().take(10).enumerate() {
        let out = simulate::mapping(&pair.sides[0], pair.category, i % 4 != 0, true, &mut rng);
        let stem = format!("{}_A", pair.id);
        std::fs::write(
            sidecar.join(format!("{stem}.png")),
            draw::png_bytes(&draw::render(&out.scene, &mut rng)),
        )?;
        let (think, _) = out.trace.unwrap_or_default();
        std::fs::write(sidecar.join(format!("{stem}.txt")), think)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use unisandbox_core::model::Verdict;

    #[test]
    fn both_layouts_load_with_images_prompts_and_traces() {
        let dir = tempfile::tempdir().unwrap();
        super::write_alternative_layouts(dir.path(), 9).unwrap();
        let data = unisandbox_core::load::load_dataset(&[dir.path().to_path_buf()]);
        assert!(data.diagnostics.is_empty(), "{:#?}", data.diagnostics);
        let names: Vec<String> = data
            .folders
            .iter()
            .map(|f| format!("{}/{}/{}", f.run, f.setting, f.stem))
            .collect();
        assert_eq!(
            names,
            ["infer-layout/think/math3", "sidecar-layout/think/mapping2"]
        );
        assert_eq!(data.items.len(), 20);
        for item in &data.items {
            assert_eq!(item.verdict, Verdict::NotJudged);
            let part = &item.parts[0];
            assert!(
                part.trace
                    .as_ref()
                    .is_some_and(|t| t.detailed_prompt.is_some()),
                "{}",
                item.id
            );
            assert_eq!(
                part.image_status,
                unisandbox_core::model::ImageStatus::Present
            );
        }
        let infer = data
            .items
            .iter()
            .find(|i| data.folder_of(i).stem == "math3")
            .unwrap();
        assert!(
            !infer.parts[0].question.is_empty(),
            "Infer.py records carry the prompt"
        );
        let mapping = data
            .items
            .iter()
            .find(|i| data.folder_of(i).stem == "mapping2")
            .unwrap();
        assert_eq!(mapping.parts[0].label, Some('A'));
        assert_eq!(
            data.folder_of(infer).kind,
            unisandbox_core::taxonomy::TaskKind::of_stem("math_3")
        );
    }

    /// Infer.py killed before its merge: its traces are in `tmp_<gpu>.jsonl` above the image
    /// folder, and no `output.jsonl` exists.
    #[test]
    fn a_killed_infer_run_has_its_traces_in_tmp_files() {
        let dir = tempfile::tempdir().unwrap();
        super::write_alternative_layouts(dir.path(), 9).unwrap();
        let infer = dir.path().join("infer-layout");
        let merged = std::fs::read_to_string(infer.join("output.jsonl")).unwrap();
        std::fs::remove_file(infer.join("output.jsonl")).unwrap();
        let mut gpus = [String::new(), String::new()];
        for (index, line) in merged.lines().enumerate() {
            gpus[index % 2] += &format!("{line}\n");
        }
        for (gpu, lines) in gpus.iter().enumerate() {
            std::fs::write(infer.join(format!("tmp_{gpu}.jsonl")), lines).unwrap();
        }
        let data = unisandbox_core::load::load_dataset(std::slice::from_ref(&infer));
        assert_eq!(data.items.len(), 10);
        assert!(data.items.iter().all(|i| i.has_trace()));
        let sources: Vec<String> = data
            .items
            .iter()
            .filter_map(|i| i.parts[0].trace.as_ref())
            .map(|t| t.source.short())
            .collect();
        assert!(
            sources.iter().any(|s| s.starts_with("tmp_1.jsonl:")),
            "{sources:?}"
        );
        let messages: Vec<&str> = data
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            messages,
            [
                "traces from an unfinished multi-GPU run (tmp_0.jsonl, tmp_1.jsonl; no output.jsonl \
              yet: the run is still going, or was killed)"
            ]
        );
    }

    #[test]
    fn with_the_benchmark_missing_images_are_not_generated_and_prompts_are_filled() {
        let dir = tempfile::tempdir().unwrap();
        super::write_alternative_layouts(dir.path(), 9).unwrap();
        let benchmark = dir.path().join(super::super::BENCHMARK_DIR);
        let data = unisandbox_core::load::load_dataset_with_benchmark(
            &[dir.path().to_path_buf()],
            Some(benchmark.as_path()),
        );
        assert!(data.diagnostics.is_empty(), "{:#?}", data.diagnostics);
        assert_eq!(data.folders.len(), 2, "benchmark/ is not a run folder");
        let count = |stem: &str, verdict: Verdict| {
            data.items
                .iter()
                .filter(|i| data.folder_of(i).stem == stem && i.verdict == verdict)
                .count()
        };
        // Infer.py's math3 folder matches math_3.jsonl: 10 generated, the rest never were.
        assert_eq!(count("math3", Verdict::NotJudged), 10);
        assert!(count("math3", Verdict::NotGenerated) > 0);
        let math_questions = std::fs::read_to_string(benchmark.join("math_3.jsonl"))
            .unwrap()
            .lines()
            .count();
        assert_eq!(
            count("math3", Verdict::NotJudged) + count("math3", Verdict::NotGenerated),
            math_questions
        );
        // Sidecar mapping2: the A side was generated, B was not; the prompt and answer of both
        // sides come from the benchmark.
        let pair = data
            .items
            .iter()
            .find(|i| data.folder_of(i).stem == "mapping2" && i.id == "1")
            .unwrap();
        let sides: Vec<(Option<char>, unisandbox_core::model::ImageStatus, Verdict)> = pair
            .parts
            .iter()
            .map(|p| (p.label, p.image_status.clone(), p.verdict))
            .collect();
        assert_eq!(
            sides,
            [
                (
                    Some('A'),
                    unisandbox_core::model::ImageStatus::Present,
                    Verdict::NotJudged
                ),
                (
                    Some('B'),
                    unisandbox_core::model::ImageStatus::Missing,
                    Verdict::NotGenerated
                ),
            ]
        );
        assert!(
            pair.parts
                .iter()
                .all(|p| !p.question.is_empty() && !p.answer.is_empty())
        );
        // Not-generated items never count in accuracy.
        assert!(unisandbox_core::analysis::folder_accuracy(&data).is_empty());
    }
}

//! The other launchers' layouts, generated-but-not-evaluated: Infer.py (`math_3` → `math3/`, one
//! top-level `output.jsonl`) and gen_images_mp_json.py in think mode (`<id>.png` + `<id>.txt`).

use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{PromptId, TraceLine, benchmark, draw, simulate, writers};

/// Writes `infer-layout/` and `sidecar-layout/` under `out_dir` (10 items each, think mode).
pub fn write_alternative_layouts(out_dir: &Path, seed: u64) -> anyhow::Result<()> {
    let bench = benchmark(seed);
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
    use crate::model::Verdict;

    #[test]
    fn both_layouts_load_with_images_prompts_and_traces() {
        let dir = tempfile::tempdir().unwrap();
        super::write_alternative_layouts(dir.path(), 9).unwrap();
        let data = crate::load::load_dataset(&[dir.path().to_path_buf()]);
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
            assert_eq!(part.image_status, crate::model::ImageStatus::Present);
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
            crate::taxonomy::TaskKind::of_stem("math_3")
        );
    }
}

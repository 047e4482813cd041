//! What a GenEval or WISE output says about itself on disk: prompt folders a crash left short,
//! results rows whose image is gone, think texts without their image, images never judged.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::discover::{GenevalRun, WiseRun};
use crate::diagnostics::Diagnostic;

/// Files of a folder (not sub-folders), hidden ones left out.
fn files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| !name.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

/// A GenEval output: short prompt folders, rows without image, texts without image.
pub fn geneval_checks(run: &GenevalRun) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let images = run.dir.join("images");
    // Prompt folder → its sample files.
    let mut samples: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(&images) {
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.len() == 5 && name.bytes().all(|b| b.is_ascii_digit()) {
                samples.insert(name, files(&entry.path().join("samples")));
            }
        }
    }
    let pngs = |files: &BTreeSet<String>| files.iter().filter(|f| f.ends_with(".png")).count();
    let most = samples.values().map(pngs).max().unwrap_or(0);
    for (prompt, files) in &samples {
        let have = pngs(files);
        if have < most {
            out.push(Diagnostic::warning(
                &images.join(prompt).join("samples"),
                None,
                format!(
                    "incomplete prompt folder: {have} of {most} samples (generation stopped \
                     here; a crash leaves 0–3)"
                ),
            ));
        }
        for text in files.iter().filter(|f| f.ends_with(".txt")) {
            let png = text.trim_end_matches(".txt").to_string() + ".png";
            if !files.contains(&png) {
                out.push(Diagnostic::warning(
                    &images.join(prompt).join("samples").join(text),
                    None,
                    format!("think text without its image ({png} is not there)"),
                ));
            }
        }
    }
    for results in &run.results {
        let Ok(text) = std::fs::read_to_string(results) else {
            continue;
        };
        for (index, line) in text.lines().enumerate() {
            let Ok(row) = serde_json::from_str::<super::geneval::ResultRow>(line) else {
                continue;
            };
            let Some((prompt, file)) = super::geneval::sample_of(&row.filename) else {
                continue;
            };
            if !samples.get(&prompt).is_some_and(|f| f.contains(&file)) {
                out.push(Diagnostic::warning(
                    results,
                    Some(index as u64 + 1),
                    format!(
                        "row for {prompt}/samples/{file} (correct: {}) but the image is not in \
                         the output folder (deleted after evaluation?); the official score still \
                         counts the row",
                        row.correct
                    ),
                ));
            }
        }
    }
    out
}

/// A WISE output: think texts without their image, images without a score row.
pub fn wise_checks(run: &WiseRun) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let names = files(&run.dir);
    let id_of =
        |name: &str, extension: &str| -> Option<u32> { name.strip_suffix(extension)?.parse().ok() };
    for name in &names {
        if let Some(id) = id_of(name, ".txt")
            && !names.contains(&format!("{id}.png"))
        {
            out.push(Diagnostic::warning(
                &run.dir.join(name),
                None,
                format!(
                    "think text of prompt {id} without its image (gen_images_mp_wise.py writes \
                     the text first: the image was never saved)"
                ),
            ));
        }
    }
    if run.scores.is_empty() {
        return out;
    }
    let mut scored: BTreeSet<u32> = BTreeSet::new();
    for scores in &run.scores {
        if let Ok(text) = std::fs::read_to_string(scores) {
            scored.extend(
                super::wise::parse_scores(&text)
                    .0
                    .iter()
                    .map(|r| r.prompt_id),
            );
        }
    }
    for name in &names {
        if let Some(id) = id_of(name, ".png")
            && !scored.contains(&id)
        {
            out.push(Diagnostic::warning(
                &run.dir.join(name),
                None,
                format!("image of prompt {id} has no score row in Results/ (not judged)"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every check of the outputs beneath `root` (loading runs them once per output).
    fn checks(root: &Path) -> Vec<Diagnostic> {
        let (geneval, wise) = super::super::discover::discover(root);
        geneval
            .iter()
            .flat_map(geneval_checks)
            .chain(wise.iter().flat_map(wise_checks))
            .collect()
    }

    use crate::companion::write_file as write;

    #[test]
    fn short_folders_lost_images_lone_texts_and_unjudged_images_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("geneval/think");
        for (prompt, count) in [("00009", 4), ("00056", 3)] {
            write(&out.join(format!("images/{prompt}/metadata.jsonl")), "{}");
            for k in 0..count {
                write(
                    &out.join(format!("images/{prompt}/samples/{k:05}.png")),
                    "png",
                );
                write(
                    &out.join(format!("images/{prompt}/samples/{k:05}.txt")),
                    "<think>",
                );
            }
        }
        write(&out.join("images/00009/samples/00004.txt"), "<think>");
        let row = |k: u32| {
            format!(
                r#"{{"filename":".\/o\/images\/00056\/samples\/{k:05}.png","tag":"t","prompt":"p","correct":true,"reason":"","metadata":"m","details":"{{}}"}}"#
            )
        };
        write(
            &out.join("results.jsonl"),
            &format!("{}\n{}\n", row(0), row(3)),
        );
        let wise = dir.path().join("wise/think/images");
        write(&wise.join("102.png"), "png");
        write(&wise.join("523.txt"), "<think>");
        write(&wise.join("624.png"), "png");
        write(
            &wise.join("Results/natural_science_scores_results.jsonl"),
            "{\"prompt_id\": 102, \"Subcategory\": \"C\", \"consistency\": 2.0, \"realism\": 2.0, \"aesthetic_quality\": 2.0}\n",
        );
        let found: Vec<String> = checks(dir.path())
            .iter()
            .map(|d| {
                let path = d
                    .file
                    .strip_prefix(dir.path())
                    .unwrap()
                    .display()
                    .to_string();
                format!("{path}:{} {}", d.line.unwrap_or(0), d.message)
            })
            .collect();
        let has = |needle: &str| found.iter().any(|f| f.contains(needle));
        assert!(
            has("geneval/think/images/00056/samples:0 incomplete prompt folder: 3 of 4"),
            "{found:#?}"
        );
        assert!(
            has("00009/samples/00004.txt:0 think text without its image"),
            "{found:#?}"
        );
        assert!(
            has("results.jsonl:2 row for 00056/samples/00003.png (correct: true)"),
            "{found:#?}"
        );
        assert!(
            has("523.txt:0 think text of prompt 523 without its image"),
            "{found:#?}"
        );
        assert!(
            has("624.png:0 image of prompt 624 has no score row"),
            "{found:#?}"
        );
        assert_eq!(found.len(), 5, "{found:#?}");
    }
}

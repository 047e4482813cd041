//! GenEval and WISE outputs as items: found beside UniSandbox runs, scored from the items exactly
//! as the official formulas score the files, hand-written upstream lines read as written, and no
//! path inside a results file ever read.

use std::path::{Path, PathBuf};

use unisandbox_core::analysis::failure::{Failure, classify_item};
use unisandbox_core::model::{ImageStatus, Verdict};
use unisandbox_core::taxonomy::Family;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-12,
        (None, None) => true,
        _ => false,
    }
}

#[test]
fn outputs_beside_runs_load_as_items_scored_as_the_official_formulas() {
    let dir = tempfile::tempdir().unwrap();
    unisandbox_demo::write_demo(dir.path(), 7).unwrap();
    unisandbox_demo::companion::write_companion(dir.path(), 7).unwrap();
    let paths = [dir.path().to_path_buf()];
    let data = unisandbox_core::load::load_dataset(&paths);
    let root = dir.path().canonicalize().unwrap();
    // Their sample folders are no UniSandbox task folders; UniSandbox's runs are all still there.
    for folder in &data.folders {
        let inside_companion = folder.path.starts_with(root.join("geneval"))
            || folder.path.starts_with(root.join("wise"));
        assert_eq!(
            inside_companion,
            folder.kind.family.is_companion(),
            "{}",
            folder.path.display()
        );
    }
    let unisandbox = data
        .folders
        .iter()
        .filter(|f| !f.kind.family.is_companion())
        .count();
    assert_eq!(unisandbox, 73);

    let (official, _) = unisandbox_core::companion::summary::summarize(&paths);
    // GenEval: each tag's images and correct ones, from the items, equal the files' counts.
    let rows = unisandbox_core::analysis::accuracy::folder_accuracy(&data);
    let geneval: Vec<_> = official.iter().filter(|r| r.family == "geneval").collect();
    assert_eq!(
        geneval.len(),
        2 * 7,
        "six tags and the overall, normal and think"
    );
    for want in geneval.iter().filter(|r| r.task != "overall") {
        let got = rows
            .iter()
            .find(|r| r.run == want.run && r.task == want.task)
            .unwrap_or_else(|| panic!("{} {}", want.run, want.task));
        assert_eq!(
            (Some(got.correct), Some(got.total)),
            (want.correct, want.total)
        );
    }
    for want in geneval.iter().filter(|r| r.task == "overall") {
        let tags: Vec<_> = rows
            .iter()
            .filter(|r| r.run == want.run && r.family == Family::Geneval)
            .collect();
        let overall = tags.iter().map(|r| r.accuracy).sum::<f64>() / tags.len() as f64;
        assert!(
            close(Some(overall), want.score),
            "{overall} {:?}",
            want.score
        );
        let prompts: Vec<_> = data
            .items
            .iter()
            .filter(|i| data.folder_of(i).run == want.run)
            .collect();
        assert_eq!(Some(prompts.len() as u64), want.prompts_total);
        let right = prompts.iter().filter(|i| i.verdict == Verdict::Yes).count() as u64;
        assert_eq!(Some(right), want.prompts_correct);
    }
    // WISE: per category and overall, judged and failures counted apart.
    let scores = unisandbox_core::companion::scores::wise_scores(&data);
    let wise: Vec<_> = official.iter().filter(|r| r.family == "wise").collect();
    assert_eq!(wise.len(), 2 * 7);
    for want in wise {
        let got = scores
            .iter()
            .find(|r| r.run == want.run && r.task() == want.task)
            .unwrap_or_else(|| panic!("{} {}", want.run, want.task));
        assert_eq!(Some(got.judged), want.judged, "{} {}", want.run, want.task);
        assert_eq!(Some(got.judge_failures), want.judge_failures);
        assert!(
            close(got.score, want.score),
            "{:?} {:?}",
            got.score,
            want.score
        );
    }
    let failures: u64 = scores
        .iter()
        .filter(|r| r.category.is_some())
        .map(|r| r.judge_failures)
        .sum();
    assert_eq!(failures, 2, "the two planted 999 rows");
}

/// A GenEval output written by hand in the evaluator's exact forms.
fn geneval_output(root: &Path, outside: &Path) -> PathBuf {
    let out = root.join("geneval/think");
    let meta = r#"{"tag": "colors", "include": [{"class": "skateboard", "count": 1, "color": "pink"}], "prompt": "a photo of a pink skateboard"}"#;
    write(&out.join("images/00300/metadata.jsonl"), meta);
    for k in 0..4 {
        write(&out.join(format!("images/00300/samples/{k:05}.png")), "png");
        write(
            &out.join(format!("images/00300/samples/{k:05}.txt")),
            "<think>pink, clearly.</think>a pink skateboard",
        );
    }
    let pos = r#"{"tag": "position", "include": [{"class": "tv", "count": 1}, {"class": "dog", "count": 1, "position": ["right of", 0]}], "prompt": "a photo of a dog right of a tv"}"#;
    write(&out.join("images/00440/metadata.jsonl"), pos);
    write(&out.join("images/00440/samples/00000.png"), "png");
    write(&out.join("images/00440/samples/00001.png"), "png");
    // A row whose filename points outside the opened folder, at a file that exists there.
    write(&outside.join("00440/samples/00007.png"), "secret");
    let escaped = |m: &str| m.replace('\\', "\\\\").replace('"', "\\\"");
    let row = |file: &str, tag: &str, prompt: &str, correct: bool, reason: &str, meta: &str| {
        format!(
            r#"{{"filename":"{}","tag":"{tag}","prompt":"{prompt}","correct":{correct},"reason":"{reason}","metadata":"{}","details":"{{\"skateboard\": [[1.0, 2.0, 3.0, 4.0, 0.91]]}}"}}"#,
            file.replace('/', "\\/"),
            escaped(meta)
        )
    };
    let lines = [
        row(
            "./outputs_with_thinking/images/00300/samples/00000.png",
            "colors",
            "a photo of a pink skateboard",
            true,
            "",
            meta,
        ),
        row(
            "./outputs_with_thinking/images/00300/samples/00001.png",
            "colors",
            "a photo of a pink skateboard",
            false,
            "expected pink skateboard>=1, found 0 pink; and 1 orange",
            meta,
        ),
        row(
            "./outputs_with_thinking/images/00300/samples/00002.png",
            "colors",
            "a photo of a pink skateboard",
            false,
            "expected skateboard>=1, found 0",
            meta,
        ),
        row(
            "./outputs_with_thinking/images/00300/samples/00003.png",
            "colors",
            "a photo of a pink skateboard",
            false,
            "expected skateboard<2, found 2",
            meta,
        ),
        row(
            "./outputs_with_thinking/images/00440/samples/00000.png",
            "position",
            "a photo of a dog right of a tv",
            false,
            "expected dog right of target, found left of target",
            pos,
        ),
        row(
            "./outputs_with_thinking/images/00440/samples/00001.png",
            "position",
            "a photo of a dog right of a tv",
            false,
            "no target for dog to be right of",
            pos,
        ),
        row(
            &format!("{}/00440/samples/00007.png", outside.display()),
            "position",
            "a photo of a dog right of a tv",
            true,
            "",
            pos,
        ),
    ];
    write(&out.join("results.jsonl"), &(lines.join("\n") + "\n"));
    out
}

#[test]
fn hand_written_geneval_lines_become_prompts_with_samples_and_no_outside_path_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    geneval_output(dir.path(), outside.path());
    let data = unisandbox_core::load::load_dataset(&[dir.path().to_path_buf()]);
    let stems: Vec<&str> = data.folders.iter().map(|f| f.stem.as_str()).collect();
    assert_eq!(stems, ["colors", "position"]);
    assert!(
        data.folders
            .iter()
            .all(|f| f.setting == "think" && f.run == "geneval/think")
    );

    let colors = data.items.iter().find(|i| i.id == "00300").unwrap();
    assert_eq!(colors.parts.len(), 4);
    assert_eq!(
        colors.verdict,
        Verdict::Yes,
        "a prompt is right when any sample is"
    );
    assert_eq!(colors.parts[0].answer, "pink skateboard>=1");
    assert_eq!(
        colors.parts[0].question.as_ref(),
        "a photo of a pink skateboard"
    );
    let trace = colors.parts[0]
        .trace
        .as_ref()
        .expect("the think text beside the sample");
    assert_eq!(trace.reasoning, "pink, clearly.");
    assert_eq!(trace.detailed_prompt.as_deref(), Some("a pink skateboard"));
    let failures = classify_item(Family::Geneval, colors);
    assert_eq!(
        failures,
        [
            Failure::WrongColour,
            Failure::ObjectNotFound,
            Failure::DetectorCount
        ]
    );
    assert!(
        colors.parts[1]
            .analysis
            .as_ref()
            .unwrap()
            .phase2
            .contains("skateboard: 1 detected (scores 0.91)")
    );

    let position = data.items.iter().find(|i| i.id == "00440").unwrap();
    assert_eq!(
        classify_item(Family::Geneval, position)[..2],
        [Failure::WrongPosition, Failure::WrongPosition]
    );
    // The row naming a file outside is matched by its last parts, never followed: the sample is
    // this folder's 00007.png, which does not exist.
    let third = &position.parts[2];
    assert!(
        third
            .image_path
            .starts_with(dir.path().canonicalize().unwrap())
    );
    assert_eq!(third.image_status, ImageStatus::Missing);
    assert_eq!(
        third.verdict,
        Verdict::Yes,
        "the row still counts, as summary_scores.py counts it"
    );
    let rows = unisandbox_core::analysis::accuracy::folder_accuracy(&data);
    let position_row = rows.iter().find(|r| r.task == "position").unwrap();
    assert_eq!((position_row.correct, position_row.total), (1, 3));
}

#[test]
fn a_wise_verified_output_is_scored_by_its_own_ranges_and_999_is_a_judge_failure() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("wise/qwen/images");
    for id in [5, 530, 999] {
        write(&images.join(format!("{id}.png")), "png");
    }
    write(
        &images.join("Results/spatio-temporal_reasoning_scores_results.jsonl"),
        "{\"prompt_id\": 530, \"Subcategory\": \"Different View\", \"score\": 1}\n",
    );
    write(
        &images.join("Results/cultural_common_sense_scores_results.jsonl"),
        "{\"prompt_id\": 5, \"Subcategory\": \"Festival\", \"score\": 0}\n",
    );
    // Legacy file, prompt 999 fully judged, next to a failure marker of another prompt.
    let legacy = dir.path().join("wise/gpt/images");
    write(&legacy.join("999.png"), "png");
    write(&legacy.join("326.png"), "png");
    write(
        &legacy.join("Results/natural_science_scores_results.jsonl"),
        "{\"prompt_id\": 999, \"Subcategory\": \"Combustion\", \"consistency\": 2.0, \"realism\": 1.0, \"aesthetic_quality\": 1.0}\n",
    );
    write(
        &legacy.join("Results/cultural_common_sense_scores_results.jsonl"),
        "{\"prompt_id\": 326, \"Subcategory\": \"Celebrity\", \"consistency\": 999, \"realism\": 999, \"aesthetic_quality\": 999}\n",
    );
    let data = unisandbox_core::load::load_dataset(&[dir.path().to_path_buf()]);
    let find = |run: &str, id: &str| {
        data.items
            .iter()
            .find(|i| data.folder_of(i).run == run && i.id == id)
            .unwrap_or_else(|| panic!("{run} {id}"))
    };
    let verified = find("wise/qwen", "530");
    assert_eq!(
        data.folder_of(verified).stem,
        "SPACE",
        "Verified ranges: 521–640 is SPACE"
    );
    assert_eq!(verified.verdict, Verdict::Yes);
    assert_eq!(find("wise/qwen", "5").verdict, Verdict::No);
    assert_eq!(find("wise/qwen", "999").verdict, Verdict::NotJudged);
    assert_eq!(
        find("wise/gpt", "999").verdict,
        Verdict::Yes,
        "prompt 999 is a prompt, not a marker"
    );
    assert_eq!(find("wise/gpt", "326").verdict, Verdict::JudgeError);
    let scores = unisandbox_core::companion::scores::wise_scores(&data);
    let culture = scores
        .iter()
        .find(|r| r.run == "wise/gpt" && r.task() == "CULTURE")
        .unwrap();
    assert_eq!(
        (culture.judged, culture.judge_failures, culture.score),
        (1, 1, None)
    );
    let chemistry = scores
        .iter()
        .find(|r| r.run == "wise/gpt" && r.task() == "CHEMISTRY")
        .unwrap();
    assert!(close(chemistry.score, Some((1.4 + 0.2 + 0.1) / 2.0)));
}

//! STARS filter outputs, end to end: generated in upstream's exact formats (`demo-data --stars`),
//! then opened by the loader, `filter-stats` and `audit`; the JSONL fallback when
//! `filter_results.json` is cut short or absent; disagreements and `filter_stats.json`
//! mismatches as diagnostics; candidate image paths confined to the opened folder.

mod common;

use common::bin;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use serde_json::Value;
use unisandbox_core::analysis::insights::insights;
use unisandbox_core::load::load_dataset;
use unisandbox_core::model::{Dataset, ImageStatus, Verdict};
use unisandbox_demo::stars::{FilterDemo, write_filter_output};

fn run(command: &mut Command) -> (bool, String, String) {
    let output = command.output().expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn generated(candidates: usize) -> (tempfile::TempDir, FilterDemo) {
    let dir = tempfile::tempdir().unwrap();
    let demo = write_filter_output(dir.path(), 11, candidates).unwrap();
    (dir, demo)
}

/// (id, verdict, why rejected, image found) of every candidate, in order.
fn summary_of(data: &Dataset) -> Vec<(String, Verdict, Vec<String>, bool)> {
    let insights = insights(data);
    data.items
        .iter()
        .zip(&insights)
        .map(|(item, insight)| {
            (
                item.id.clone(),
                item.verdict,
                insight.labels(),
                item.parts[0].image_status == ImageStatus::Present,
            )
        })
        .collect()
}

fn messages(data: &Dataset) -> Vec<String> {
    data.diagnostics.iter().map(|d| d.to_string()).collect()
}

#[test]
fn filter_stats_and_audit_report_the_generated_output() {
    let (dir, demo) = generated(90);
    let (ok, out, err) = run(bin()
        .arg("filter-stats")
        .arg(dir.path())
        .args(["--format", "json"]));
    assert!(ok, "{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row["folder"], "filter_math3");
    assert_eq!(row["model_path"], "hf/BAGEL-7B-MoT/");
    assert_eq!(row["total"], 90);
    assert_eq!(row["accepted"], demo.accepted);
    assert_eq!(row["rejected"], 90 - demo.accepted);
    assert_eq!(row["unparsed"], demo.unparsed);
    assert_eq!(
        row["acceptance_rate"].as_f64().unwrap(),
        demo.accepted as f64 / 90.0
    );
    assert_eq!(row["images_found"], 89);
    assert_eq!(row["images_missing"], demo.missing_images.len());
    assert_eq!(row["no_parsable_verdict"], demo.unparsed);
    for class in [
        "wrong_count",
        "wrong_object_type",
        "extra_objects",
        "quality",
        "incomplete_object",
        "no_reason_given",
    ] {
        assert!(row[class].as_u64().unwrap() > 0, "{class}: {row}");
    }
    assert_eq!(row["stats_mismatch"], Value::Array(vec![]));

    // The audit names the poisoned candidates by their own id.
    let (ok, out, _) = run(bin()
        .arg("audit")
        .arg(dir.path())
        .args(["--format", "json"]));
    assert!(ok);
    let findings: Vec<Value> = serde_json::from_str(&out).unwrap();
    let poisoned: Vec<&str> = findings
        .iter()
        .filter(|f| f["flag"] == "accepted with a suspect key")
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(!demo.accepted_suspect.is_empty());
    assert_eq!(poisoned, demo.accepted_suspect);
    for finding in &findings {
        for field in [
            "task", "id", "expected", "computed", "reason", "run", "accepted",
        ] {
            assert!(!finding[field].is_null(), "{field} in {finding}");
        }
        assert_eq!(
            finding["accepted"],
            finding["flag"] == "accepted with a suspect key"
        );
    }
    // The table says it too.
    let (_, table, _) = run(bin().arg("audit").arg(dir.path()));
    assert!(table.contains(&format!(
        "{} filter candidate(s) accepted with a suspect key",
        demo.accepted_suspect.len()
    )));
}

#[test]
fn filter_stats_json_that_disagrees_is_reported() {
    let (dir, demo) = generated(30);
    let stats = dir.path().join("filter_math3/filter_stats.json");
    let text = std::fs::read_to_string(&stats).unwrap().replace(
        &format!("\"accepted_samples\": {}", demo.accepted),
        &format!("\"accepted_samples\": {}", demo.accepted + 2),
    );
    std::fs::write(&stats, text).unwrap();
    let (ok, out, err) = run(bin().arg("filter-stats").arg(dir.path()));
    assert!(ok);
    assert!(
        out.contains("filter_stats.json differs: accepted_samples"),
        "{out}"
    );
    assert!(
        err.contains("filter_stats.json states accepted_samples"),
        "{err}"
    );
    let data = load_dataset(&[dir.path().to_path_buf()]);
    assert!(messages(&data).iter().any(|m| m.contains(&format!(
        "filter_stats.json: accepted_samples is {}, but the candidates read hold {}",
        demo.accepted + 2,
        demo.accepted
    ))));
}

#[test]
fn a_truncated_results_array_is_a_diagnostic_and_the_jsonl_files_give_the_rest() {
    let (dir, _) = generated(40);
    let whole = summary_of(&load_dataset(&[dir.path().to_path_buf()]));
    let results = dir.path().join("filter_math3/filter_results.json");
    let bytes = std::fs::read(&results).unwrap();
    // Cut in the middle of the 25th candidate, as an interrupted json.dump leaves it.
    let cut = memchr::memmem::find_iter(&bytes, b"\"model_response\"")
        .nth(24)
        .unwrap();
    std::fs::write(&results, &bytes[..cut + 30]).unwrap();
    let cut_line = bytes[..cut + 30].iter().filter(|b| **b == b'\n').count() as u64 + 1;

    let data = load_dataset(&[dir.path().to_path_buf()]);
    let truncated = data
        .diagnostics
        .iter()
        .find(|d| d.message.starts_with("truncated"))
        .expect("a diagnostic for the cut");
    assert_eq!(truncated.file, results.canonicalize().unwrap());
    assert_eq!(truncated.line, Some(cut_line));
    assert!(truncated.message.contains("24 complete candidates"));
    // Every candidate is still there, with the same verdict and rejection classes.
    assert_eq!(summary_of(&data), whole);
}

#[test]
fn without_filter_results_json_the_jsonl_files_give_the_same_items() {
    let (dir, _) = generated(40);
    let whole = summary_of(&load_dataset(&[dir.path().to_path_buf()]));
    std::fs::remove_file(dir.path().join("filter_math3/filter_results.json")).unwrap();
    let data = load_dataset(&[dir.path().to_path_buf()]);
    assert_eq!(summary_of(&data), whole);
    // The detail header can name the file and line each candidate came from.
    let folder = &data.folders[0];
    let filter = folder.filter.as_ref().unwrap();
    let rejected = data.items.iter().find(|i| !i.is_correct()).unwrap();
    assert_eq!(filter.source_file(rejected), "rejected_data.jsonl");
    assert!(rejected.csv_line.is_some());
}

#[test]
fn files_that_disagree_are_diagnostics_naming_file_and_line() {
    let (dir, _) = generated(30);
    let out = dir.path().join("filter_math3");
    let data = load_dataset(&[dir.path().to_path_buf()]);
    let accepted = data
        .items
        .iter()
        .find(|i| i.is_correct())
        .unwrap()
        .id
        .clone();
    // Move an accepted candidate into rejected_data.jsonl, as if the files came from two runs.
    let kept = std::fs::read_to_string(out.join("filtered_data.jsonl")).unwrap();
    let (moved, rest): (Vec<&str>, Vec<&str>) = kept
        .lines()
        .partition(|l| l.contains(&format!("\"{accepted}\"")));
    std::fs::write(out.join("filtered_data.jsonl"), rest.join("\n") + "\n").unwrap();
    let mut rejected = std::fs::read_to_string(out.join("rejected_data.jsonl")).unwrap();
    let line = rejected.lines().count() as u64 + 1;
    rejected += &moved[0].replace("}", ", \"reason\": \"Final Answer: NO\"}");
    rejected += "\n";
    std::fs::write(out.join("rejected_data.jsonl"), rejected).unwrap();

    let data = load_dataset(&[dir.path().to_path_buf()]);
    let messages = messages(&data);
    let rejected_path = out.canonicalize().unwrap().join("rejected_data.jsonl");
    let expected = format!(
        "{}:{line}: {accepted} is rejected here but accepted in filter_results.json",
        rejected_path.display()
    );
    assert!(
        messages.iter().any(|m| m.contains(&expected)),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains(&format!(
            "{accepted} is accepted but not in filtered_data.jsonl"
        ))),
        "{messages:#?}"
    );
    // filter_results.json still decides: the candidate stays accepted.
    let item = data.items.iter().find(|i| i.id == accepted).unwrap();
    assert_eq!(item.verdict, Verdict::Yes);
}

#[test]
fn a_reply_without_verdict_and_a_missing_image() {
    let (dir, demo) = generated(20);
    let data = load_dataset(&[dir.path().to_path_buf()]);
    let unparsed: Vec<&str> = data
        .items
        .iter()
        .filter(|i| i.verdict == Verdict::Unparsed)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(unparsed.len(), demo.unparsed);
    let folder = &data.folders[0];
    assert_eq!(
        folder.verdict_label(Verdict::Unparsed),
        "rejected: no verdict"
    );
    let missing = data
        .items
        .iter()
        .find(|i| i.parts[0].image_status == ImageStatus::Missing)
        .unwrap();
    assert_eq!(vec![missing.id.clone()], demo.missing_images);
    assert_eq!(folder.filter.as_ref().unwrap().images_missing, 1);
    let results = dir
        .path()
        .canonicalize()
        .unwrap()
        .join("filter_math3/filter_results.json");
    assert!(messages(&data).iter().any(|m| m.starts_with(&format!(
        "warning: {}:{}: {}: image not found: /data/stars/candidates/math3/7.png",
        results.display(),
        missing.csv_line.unwrap(),
        missing.id
    ))));
}

#[test]
fn the_fixture_layout_opens_as_one_run_whichever_folder_holds_it() {
    // The image folder beside the filter output is its pool, not an unevaluated run; opened
    // alone, the filter output cannot see the images (they are outside) and says so.
    let (dir, _) = generated(12);
    let data = load_dataset(&[dir.path().to_path_buf()]);
    assert_eq!(data.folders.len(), 1);
    let alone = load_dataset(&[dir.path().join("filter_math3")]);
    assert_eq!(alone.items.len(), 12);
    assert!(
        alone
            .items
            .iter()
            .all(|i| i.parts[0].image_status == ImageStatus::Missing)
    );
    assert!(messages(&alone).iter().any(|m| m.contains(
        "12 of 12 candidate images were not found under the opened folder (images are matched"
    )));
}

const SECRET: &[u8] = b"\x89PNG-not-really TOP-SECRET key material";

#[test]
fn candidate_image_paths_are_data_never_a_place_to_open() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::write(home.join(".ssh/id_rsa"), SECRET).unwrap();
    std::fs::write(home.join("secret.png"), SECRET).unwrap();
    let run = dir.path().join("run");
    let pool = run.join("candidates/math3");
    std::fs::create_dir_all(&pool).unwrap();
    std::fs::create_dir_all(run.join("filter_math3")).unwrap();
    image::RgbImage::from_pixel(4, 4, image::Rgb([9, 9, 9]))
        .save(pool.join("0.png"))
        .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(home.join("secret.png"), pool.join("1.png")).unwrap();
    let secret = home.join("secret.png").display().to_string();
    let images = [
        "/gen/candidates/math3/0.png".to_string(),
        "/gen/candidates/math3/1.png".to_string(),
        secret.clone(),
        "../../home/secret.png".into(),
        "C:\\Users\\you\\secret.png".into(),
        home.join(".ssh/id_rsa").display().to_string(),
    ];
    let entries: Vec<Value> = images
        .iter()
        .enumerate()
        .map(|(i, image)| {
            serde_json::json!({"id": format!("math3_{i:05}"), "Question": "Make 2 + 1 cups.",
                "Answer": "3 cups", "image": image, "model_judgment": "YES",
                "model_response": "Final Answer: YES", "accepted": true})
        })
        .collect();
    std::fs::write(
        run.join("filter_math3/filter_results.json"),
        serde_json::to_vec_pretty(&entries).unwrap(),
    )
    .unwrap();

    let data = load_dataset(std::slice::from_ref(&run));
    let present: Vec<(&str, PathBuf)> = data
        .items
        .iter()
        .filter(|i| i.parts[0].image_status == ImageStatus::Present)
        .map(|i| (i.id.as_str(), i.parts[0].image_path.clone()))
        .collect();
    assert_eq!(
        present,
        [("math3_00000", pool.canonicalize().unwrap().join("0.png"))]
    );
    let all: Vec<usize> = (0..data.items.len()).collect();
    let html = unisandbox_core::export::html_report(
        &data,
        &all,
        &insights(&data),
        &unisandbox_core::annotations::Annotations::new(),
        "report",
    );
    let encoded = base64::engine::general_purpose::STANDARD.encode(SECRET);
    assert!(!html.contains(&encoded), "the secret was embedded");
    assert!(!html.contains("TOP-SECRET"));
    assert!(
        html.contains("base64,"),
        "the honest candidate image is embedded"
    );
    let _ = Path::new(&secret);
}

//! Judge-call failures, re-runs without `--overwrite`, killed multi-GPU think runs and
//! duplicated trace records, end to end through the binary: on the runs our generator plants
//! them in, and on the upstream-written example beside the checkout (when it is there).

mod common;

use common::{bin, run_ok, shared_fixture};
use std::path::Path;

use serde_json::Value;

fn json(command: &mut std::process::Command) -> Vec<Value> {
    serde_json::from_str::<Value>(&run_ok(command))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn key_of(row: &Value) -> String {
    let task = row.get("task").unwrap().as_str().unwrap();
    format!(
        "{}/{}/{task}",
        row["run"].as_str().unwrap(),
        row["setting"].as_str().unwrap()
    )
}

fn export_json(paths: &[&Path], extra: &[&str]) -> Vec<Value> {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("items.json");
    run_ok(
        bin()
            .arg("export")
            .args(paths)
            .args(["--format", "json", "--out"])
            .arg(&file)
            .args(extra),
    );
    serde_json::from_str::<Value>(&std::fs::read_to_string(&file).unwrap())
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Numbers, judge failures, re-runs and the log of every folder of the upstream-written faults
/// example equal its EXPECTED.json.
#[test]
fn the_upstream_faults_example_reads_as_expected() {
    let Some(fixture) = shared_fixture("upstream-faults-example") else {
        eprintln!("shared faults fixture not present beside the checkout; nothing to compare");
        return;
    };
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture.join("EXPECTED.json")).unwrap())
            .unwrap();
    let rows = json(
        bin()
            .arg("summary")
            .arg(&fixture)
            .args(["--format", "json"]),
    );
    let items = export_json(&[&fixture], &[]);
    let mut checked = 0;
    for (folder, want) in expected.as_object().unwrap() {
        let Some(want) = want.as_object() else {
            continue;
        };
        // "ckpt-example/test/<setting>/<stem>"
        let parts: Vec<&str> = folder.split('/').collect();
        let key = format!("{}/{}/{}", parts[0], parts[2], parts[3]);
        let row = rows
            .iter()
            .find(|r| key_of(r) == key)
            .unwrap_or_else(|| panic!("no summary row for {key}"));
        assert_eq!(row["total"], want["total"], "{key}");
        assert_eq!(row["correct"], want["correct"], "{key}");
        assert_eq!(row["log_total"], want["log"]["total"], "{key}");
        assert_eq!(row["log_correct"], want["log"]["correct"], "{key}");
        let failures = want["judge_call_failures"].as_array().unwrap();
        assert_eq!(
            row["judge_failures"].as_u64().unwrap(),
            failures.len() as u64,
            "{key}"
        );
        let rerun = &want.get("rerun");
        let (rejudged, changed) = match rerun {
            Some(rerun) => (
                rerun["rerun_ids"].as_array().unwrap().len() as u64,
                rerun["verdict_changed_ids"].as_array().unwrap().len() as u64,
            ),
            None => (0, 0),
        };
        assert_eq!(row["rejudged"].as_u64(), Some(rejudged), "{key}");
        assert_eq!(row["verdict_changed"].as_u64(), Some(changed), "{key}");

        // Every failed call is labelled as one, in the exports' failure field too.
        let folder_items: Vec<&Value> = items.iter().filter(|i| key_of(i) == key).collect();
        for failure in failures {
            let id = failure["id"].as_str().unwrap();
            let item_id = id.trim_end_matches("_A").trim_end_matches("_B");
            let item = folder_items
                .iter()
                .find(|i| i["id"] == item_id)
                .unwrap_or_else(|| panic!("{key}: no item {item_id}"));
            assert!(
                item["failure"]
                    .as_str()
                    .unwrap()
                    .contains("judge call failed"),
                "{key} {id}: {}",
                item["failure"]
            );
            assert!(!item["failure"].as_str().unwrap().contains("unclassified"));
        }
        checked += 1;
    }
    assert_eq!(checked, 10);

    // The killed re-run says why its log disagrees, in words.
    let diagnostics = run_ok(bin().arg("diagnostics").arg(&fixture));
    assert!(
        diagnostics.contains(
            "the log counts 10 rows of the last completed run (from line 2); the CSV holds 4 \
             more rows appended by a later run that did not finish (from line 127; killed, or \
             still running) — counted here: the last row of each ID, 4/10 correct; the log's 5/10"
        ),
        "{diagnostics}"
    );
    assert!(diagnostics.contains(
        "traces from an unfinished multi-GPU run (tmp_results_0.jsonl, tmp_results_1.jsonl"
    ));
    assert!(
        diagnostics
            .contains("6 of 14 NO verdicts in ckpt-example/normal/math_3 are failed judge calls")
    );
    assert!(
        !diagnostics
            .lines()
            .any(|l| l.contains("think/mapping2") && l.contains("without reasoning traces")),
        "{diagnostics}"
    );

    // Traces of the killed 2-GPU run are read from its tmp files; duplicates keep both records.
    let trace_ids: Vec<String> = items
        .iter()
        .filter(|i| key_of(i) == "ckpt-example/think/mapping2")
        .filter(|i| !i["trace_source"].is_null())
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(trace_ids, ["1", "2", "3", "4", "5", "6", "7"]);
    let item = |key: &str, id: &str| {
        items
            .iter()
            .find(|i| key_of(i) == key && i["id"] == id)
            .unwrap()
            .clone()
    };
    let first = item("ckpt-example/think/mapping2", "1");
    assert_eq!(
        first["trace_source"],
        "tmp_results_0.jsonl:1 | tmp_results_1.jsonl:1"
    );
    let duplicated = item("ckpt-example/think/Valerian_Thalassia", "45");
    assert_eq!(duplicated["trace_count"], 2);
    assert_eq!(duplicated["trace_source"], "output.jsonl:5");
    let rerun = item("ckpt-example/think/mapping3", "4");
    assert_eq!(
        rerun["verdict_history"],
        serde_json::json!(["YES/YES", "judge call failed/YES"])
    );
}

/// The generator's planted faults: the re-judge list, the re-run filter, field and regex
/// search, and flips that keep failed judge calls apart.
#[test]
fn generated_faults_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(bin().arg("demo-data").arg(dir.path()));
    let root = dir.path();

    let rows = json(bin().arg("summary").arg(root).args(["--format", "json"]));
    let row = |key: &str| rows.iter().find(|r| key_of(r) == key).unwrap().clone();
    assert_eq!(row("bagel-base/normal/math_1")["judge_failures"], 3);
    assert_eq!(row("bagel-base/normal/mapping2")["judge_failures"], 3);
    assert_eq!(row("bagel-base/normal/Aurelius")["judge_failures"], 1);
    assert_eq!(row("bagel-base/normal/math_2")["judge_failures"], 0);
    assert_eq!(row("bagel-stars/think/math_3")["rejudged"], 5);
    assert_eq!(row("bagel-stars/think/math_3")["verdict_changed"], 2);
    assert_eq!(row("bagel-base/normal/math_1")["log_total"], 20);

    let rejudge = export_json(&[root], &["--failure", "judge call failed"]);
    let keys: Vec<String> = rejudge
        .iter()
        .map(|i| format!("{}#{}", key_of(i), i["id"].as_str().unwrap()))
        .collect();
    assert_eq!(keys.len(), 7, "{keys:?}");
    assert!(
        keys.iter().all(|k| k.starts_with("bagel-base/normal/")),
        "{keys:?}"
    );

    let changed = export_json(&[root], &["--verdict-changed"]);
    assert_eq!(
        changed.len(),
        2 + 4,
        "think/math_3's 2 and normal/mapping3's 4"
    );
    assert!(
        changed
            .iter()
            .all(|i| i["verdict_history"].as_array().unwrap().len() == 2)
    );

    // Search reaches the traces (a phrase only a stale trace holds) and takes a pattern.
    let stale = export_json(
        &[root],
        &["--search", "an earlier attempt", "--search-field", "trace"],
    );
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0]["trace_count"], 2);
    let in_prompts = export_json(
        &[root],
        &["--search", "an earlier attempt", "--search-field", "prompt"],
    );
    assert!(in_prompts.is_empty());
    let pattern = export_json(
        &[root],
        &[
            "--search",
            r"^Error: Failed to (generate|identify)",
            "--search-field",
            "analysis",
            "--regex",
        ],
    );
    assert_eq!(pattern.len(), 4);
    let out = tempfile::tempdir().unwrap();
    let bad = bin()
        .arg("export")
        .arg(root)
        .args([
            "--format",
            "csv",
            "--search",
            "(unclosed",
            "--regex",
            "--out",
        ])
        .arg(out.path().join("x.csv"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(message.contains("not a regular expression"), "{message}");
    assert!(!out.path().join("x.csv").exists());

    // A judge failure on one side of a flip is listed apart and McNemar leaves it out.
    let flips = json(bin().arg("flips").arg(root).args([
        "--a",
        "bagel-base/normal",
        "--b",
        "bagel-stars/normal",
        "--format",
        "json",
    ]));
    let math_1 = flips.iter().find(|f| f["task"] == "math_1").unwrap();
    let failed: Vec<&str> = math_1["judge_failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let fixes: Vec<&str> = math_1["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(failed.iter().all(|id| !fixes.contains(id)));
    let paired = math_1["paired"].as_u64().unwrap();
    assert!(paired <= 20 - failed.len() as u64);
}

//! End to end through the binary: `demo-data` writes runs in the upstream formats, and `summary`
//! must report exactly what the generator's own `evaluation_results.log` files say.

mod common;

use common::{bin, run_ok, shared_fixture};
use std::path::Path;

use serde_json::Value;
use unisandbox_core::load::log::parse_log;

/// (run/setting/stem) → (total, correct, accuracy rounded to 4 decimals) from every log below `root`.
fn logs_below(root: &Path) -> Vec<(String, u64, u64, f64)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.unwrap();
        if entry.file_name() == "evaluation_results.log" {
            let dir = entry.path().parent().unwrap();
            let parts: Vec<String> = dir
                .strip_prefix(root)
                .unwrap()
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            // <ckpt>/test/<mode>/<stem>
            let key = format!("{}/{}/{}", parts[0], parts[2], parts[3]);
            let log = parse_log(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
            out.push((
                key,
                log.total,
                log.correct,
                (log.accuracy_percent * 100.0).round() / 10_000.0,
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn summary_json(paths: &[&Path]) -> Vec<Value> {
    let text = run_ok(bin().arg("summary").args(paths).args(["--format", "json"]));
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn key_of(row: &Value) -> String {
    format!(
        "{}/{}/{}",
        row["run"].as_str().unwrap(),
        row["setting"].as_str().unwrap(),
        row["task"].as_str().unwrap()
    )
}

#[test]
fn summary_of_generated_runs_equals_their_logs() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        bin()
            .arg("demo-data")
            .arg(dir.path())
            .args(["--seed", "11"]),
    );
    let logs = logs_below(dir.path());
    assert_eq!(
        logs.len(),
        2 * 2 * (3 + 3 + 12),
        "every task folder has a log"
    );

    let rows = summary_json(&[dir.path()]);
    let mut got: Vec<(String, u64, u64, f64)> = rows
        .iter()
        .map(|r| {
            (
                key_of(r),
                r["total"].as_u64().unwrap(),
                r["correct"].as_u64().unwrap(),
                r["accuracy"].as_f64().unwrap(),
            )
        })
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    // The planted killed re-run: its log is the first run's, the CSV's current rows differ.
    let stale = "bagel-stars/think/math_3";
    let (got_stale, log_stale): (Vec<_>, Vec<_>) = (
        got.iter().filter(|r| r.0 == stale).cloned().collect(),
        logs.iter().filter(|r| r.0 == stale).cloned().collect(),
    );
    assert_ne!(got_stale, log_stale, "the killed re-run's rows are counted");
    got.retain(|r| r.0 != stale);
    let logs: Vec<_> = logs.into_iter().filter(|r| r.0 != stale).collect();
    assert_eq!(got, logs);
    let stale_row = rows.iter().find(|r| key_of(r) == stale).unwrap();
    assert_eq!(
        (
            stale_row["log_total"].as_u64(),
            stale_row["log_correct"].as_u64()
        ),
        (Some(log_stale[0].1), Some(log_stale[0].2)),
        "the log's own figures beside the CSV's"
    );
    for row in &rows {
        for field in ["family", "level", "ci_low", "ci_high"] {
            assert!(!row[field].is_null(), "{field} missing in {row}");
        }
        assert!(row["ci_low"].as_f64().unwrap() <= row["accuracy"].as_f64().unwrap());
    }
}

#[test]
fn generated_runs_show_the_headline_direction_and_planted_anomalies() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(bin().arg("demo-data").arg(dir.path()));
    let rows = summary_json(&[dir.path()]);
    let accuracy = |run: &str, setting: &str, family: &str, level: Option<&str>| {
        let (mut correct, mut total) = (0, 0);
        for r in rows.iter().filter(|r| {
            r["run"] == run
                && r["setting"] == setting
                && r["family"] == family
                && level.is_none_or(|l| r["level"] == l)
        }) {
            correct += r["correct"].as_u64().unwrap();
            total += r["total"].as_u64().unwrap();
        }
        correct as f64 / total as f64
    };
    for family in ["math", "mapping"] {
        assert!(
            accuracy("bagel-base", "normal", family, None) < 0.15,
            "{family} base normal"
        );
        assert!(
            accuracy("bagel-base", "think", family, None) > 0.35,
            "{family} base think"
        );
        assert!(
            accuracy("bagel-stars", "normal", family, None) > 0.3,
            "{family} stars normal"
        );
    }
    assert!(
        accuracy("bagel-base", "think", "knowledge", Some("forward"))
            > accuracy("bagel-base", "normal", "knowledge", Some("forward")) + 0.3
    );
    assert!(accuracy("bagel-base", "think", "knowledge", Some("inverse")) < 0.3);

    let diagnostics = run_ok(bin().arg("diagnostics").arg(dir.path()));
    for expected in [
        "math_2/7.png: image missing",
        "mapping1/3_B.png: corrupt image",
        "has no image 9.png",
        "last row wins",
        "think folder without reasoning traces",
    ] {
        assert!(
            diagnostics.contains(expected),
            "diagnostics lack {expected:?}:\n{diagnostics}"
        );
    }
}

#[test]
fn opening_inside_a_checkpoint_names_runs_as_the_spec_says() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(bin().arg("demo-data").arg(dir.path()));
    let checkpoint = dir.path().join("bagel-stars");
    let rows = summary_json(&[&checkpoint.join("test/think")]);
    assert_eq!(rows.len(), 18);
    assert!(
        rows.iter()
            .all(|r| r["run"] == "bagel-stars" && r["setting"] == "think")
    );
    let table = run_ok(
        bin()
            .arg("summary")
            .arg(&checkpoint)
            .args(["--format", "markdown"]),
    );
    assert!(table.starts_with("| run | setting | task |"));
    assert!(table.contains("| bagel-stars | normal | math_1 | Math L1 |"));
}

/// The upstream-written example, when this checkout sits next to it (CI and developer machines).
#[test]
fn summary_matches_the_shared_upstream_fixture() {
    let Some(fixture) = shared_fixture("unisandbox-example") else {
        eprintln!("shared fixture not present beside the checkout; nothing to compare");
        return;
    };
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture.join("EXPECTED.json")).unwrap())
            .unwrap();
    let rows = summary_json(&[&fixture]);
    let got: serde_json::Map<String, Value> = rows
        .iter()
        .filter(|r| r["run"] == "bagel-demo")
        .map(|r| (key_of(r), serde_json::json!({"total": r["total"], "correct": r["correct"], "accuracy": r["accuracy"]})))
        .collect();
    assert_eq!(Value::Object(got), expected);
}

#[test]
fn audit_lists_the_planted_wrong_keys() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(bin().arg("demo-data").arg(dir.path()));
    let text = run_ok(
        bin()
            .arg("audit")
            .arg(dir.path())
            .args(["--format", "json"]),
    );
    let findings: Vec<Value> = serde_json::from_str(&text).unwrap();
    let ids: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{}/{}",
                f["task"].as_str().unwrap(),
                f["id"].as_str().unwrap()
            )
        })
        .collect();
    assert!(ids.contains(&"math_2/4".to_string()), "{ids:?}");
    assert!(ids.contains(&"mapping2/5_B".to_string()), "{ids:?}");
    for f in &findings {
        for field in ["task", "id", "expected", "computed", "reason"] {
            assert!(f[field].is_string(), "{field} in {f}");
        }
    }
}

#[test]
fn audit_finds_the_wrong_math_3_keys_of_the_shared_fixture() {
    let Some(fixture) = shared_fixture("unisandbox-example") else {
        eprintln!("shared fixture not present beside the checkout; nothing to compare");
        return;
    };
    let text = run_ok(
        bin()
            .arg("audit")
            .arg(fixture.join("bagel-demo"))
            .args(["--format", "json"]),
    );
    let findings: Vec<Value> = serde_json::from_str(&text).unwrap();
    let math_3: Vec<&str> = findings
        .iter()
        .filter(|f| f["task"] == "math_3")
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    // The fixture's README names these eleven.
    assert_eq!(
        math_3,
        [
            "1", "11", "14", "19", "22", "24", "26", "30", "31", "32", "36"
        ]
    );
}

#[test]
fn flips_between_normal_and_think_on_the_shared_fixture() {
    let Some(fixture) = shared_fixture("unisandbox-example") else {
        eprintln!("shared fixture not present beside the checkout; nothing to compare");
        return;
    };
    let text = run_ok(bin().arg("flips").arg(fixture.join("bagel-demo")).args([
        "--a",
        "bagel-demo/normal",
        "--b",
        "bagel-demo/think",
        "--task",
        "math_3",
        "--format",
        "json",
    ]));
    let rows: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(rows.len(), 1);
    let ids = |field: &str| {
        rows[0][field]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // From the fixture README's YES lists: think-only YES ids are fixes, normal-only YES ids breaks.
    assert_eq!(ids("breaks"), ["21", "30", "33", "37"]);
    assert_eq!(ids("fixes").len(), 19);
    assert!(ids("fixes").contains(&"39".to_string()));
    // Exact McNemar: 2 × Σ_{i≤4} C(23, i) / 2^23.
    let p = rows[0]["p_value"].as_f64().unwrap();
    assert!((p - 2.0 * 10903.0 / 8388608.0).abs() < 1e-9, "{p}");
}

#[test]
fn flips_on_generated_runs_and_bad_sides() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(bin().arg("demo-data").arg(dir.path()));
    let text = run_ok(bin().arg("flips").arg(dir.path()).args([
        "--a",
        "bagel-base/normal",
        "--b",
        "bagel-stars/normal",
        "--format",
        "json",
    ]));
    let rows: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(rows.len(), 18, "every stem is judged on both sides");
    let math: u64 = rows
        .iter()
        .filter(|r| r["task"].as_str().unwrap().starts_with("math"))
        .map(|r| r["fixes"].as_array().unwrap().len() as u64)
        .sum();
    assert!(
        math >= 15,
        "self-training fixes many math items without CoT"
    );
    let output = bin()
        .arg("flips")
        .arg(dir.path())
        .args(["--a", "nope/normal", "--b", "bagel-base/think"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("known sides"));
}

#[test]
fn export_writes_each_format_with_filters() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(bin().arg("demo-data").arg(dir.path()));
    let out = dir.path().join("exports");
    std::fs::create_dir(&out).unwrap();
    let export = |format: &str, file: &str, extra: &[&str]| {
        let path = out.join(file);
        run_ok(
            bin()
                .arg("export")
                .arg(dir.path())
                .args(["--format", format, "--out"])
                .arg(&path)
                .args(extra),
        );
        std::fs::read_to_string(path).unwrap()
    };
    let json: Vec<Value> = serde_json::from_str(&export(
        "json",
        "items.json",
        &[
            "--run",
            "bagel-base",
            "--setting",
            "think",
            "--task",
            "math_2",
        ],
    ))
    .unwrap();
    assert_eq!(json.len(), 20);
    assert!(
        json.iter()
            .all(|r| r["run"] == "bagel-base" && r["setting"] == "think" && r["task"] == "math_2")
    );
    let csv = export(
        "csv",
        "wrong.csv",
        &["--verdict", "no", "--failure", "reasoned right, drew wrong"],
    );
    assert!(csv.lines().count() > 1);
    assert!(
        csv.lines()
            .skip(1)
            .all(|l| l.contains("reasoned right, drew wrong"))
    );
    let html = export(
        "html",
        "report.html",
        &[
            "--task",
            "mapping1",
            "--setting",
            "think",
            "--run",
            "bagel-base",
        ],
    );
    assert_eq!(html.matches("class=\"item\"").count(), 20);
    assert!(html.contains("data:image/png;base64,"));
    assert!(export("latex", "t.tex", &[]).contains("\\toprule"));
    assert!(export("markdown", "t.md", &["--run", "bagel-stars"]).contains("| Math L1 |"));
}

/// The shared fixture's Infer.py and gen_images_mp_json.py layouts: every image present, every
/// item with its trace, and the Infer.py prompts read from the top-level output.jsonl.
#[test]
fn alternative_layouts_of_the_shared_fixture_open_with_images_and_traces() {
    let Some(fixture) = shared_fixture("unisandbox-example") else {
        eprintln!("shared fixture not present beside the checkout; nothing to compare");
        return;
    };
    use unisandbox_core::model::{ImageStatus, Verdict};
    let data = unisandbox_core::load::load_dataset(&[
        fixture.join("infer-layout"),
        fixture.join("sidecar-layout"),
    ]);
    let stems: Vec<&str> = data.folders.iter().map(|f| f.stem.as_str()).collect();
    assert_eq!(stems, ["math3", "mapping2"]);
    assert_eq!(data.items.len(), 20);
    for item in &data.items {
        assert_eq!(item.verdict, Verdict::NotJudged, "{}", item.id);
        for part in &item.parts {
            assert_eq!(part.image_status, ImageStatus::Present, "{}", item.id);
            assert!(part.trace.is_some(), "{} has its trace", item.id);
        }
    }
    let infer_prompts = data
        .items
        .iter()
        .filter(|i| data.folder_of(i).stem == "math3" && !i.prompt().is_empty())
        .count();
    assert_eq!(infer_prompts, 10);
}

#[test]
fn export_never_replaces_a_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(bin().arg("demo-data").arg(dir.path().join("runs")));
    let out = dir.path().join("report.md");
    std::fs::write(&out, "my notes").unwrap();
    let refused = bin()
        .arg("export")
        .arg(dir.path().join("runs"))
        .args(["--format", "markdown", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("pass --force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "my notes");
    run_ok(
        bin()
            .arg("export")
            .arg(dir.path().join("runs"))
            .args(["--format", "markdown", "--force", "--out"])
            .arg(&out),
    );
    assert!(std::fs::read_to_string(&out).unwrap().contains("| Task |"));
}

#[test]
fn review_import_agreement_and_export_through_the_cli() {
    use unisandbox_core::model::Verdict;
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    run_ok(bin().arg("demo-data").arg(&runs));
    let db = dir.path().join("annotations.sqlite");
    // Two items the judge said YES to and two it said NO to, in one folder.
    let data = unisandbox_core::load::load_dataset(&[runs.clone()]);
    let folder = data
        .folders
        .iter()
        .position(|f| f.run == "bagel-base" && f.setting == "think" && f.stem == "math_1")
        .unwrap();
    let of = |verdict: Verdict| -> Vec<String> {
        data.items
            .iter()
            .filter(|i| i.folder == folder && i.verdict == verdict)
            .map(|i| i.id.clone())
            .take(2)
            .collect()
    };
    let (yes, no) = (of(Verdict::Yes), of(Verdict::No));
    assert_eq!(
        (yes.len(), no.len()),
        (2, 2),
        "the demo folder has both verdicts"
    );
    let judged: Vec<_> = data
        .items
        .iter()
        .filter(|i| i.folder == folder && i.verdict.is_judged())
        .collect();
    let judge_correct = judged.iter().filter(|i| i.verdict == Verdict::Yes).count() as u64;
    let row = |id: &str, human: &str| format!("bagel-base,think,math_1,{id},{human}\n");
    let labels = dir.path().join("labels.csv");
    std::fs::write(
        &labels,
        format!(
            "run,setting,task,id,human\n{}{}{}{}{}{}",
            row(&yes[0], "yes"),
            row(&yes[1], "no"),
            row(&no[0], "no"),
            row(&no[1], "yes"),
            row("9999", "yes"),
            row(&yes[0], "maybe"),
        ),
    )
    .unwrap();
    let output = bin()
        .args(["--annotations"])
        .arg(&db)
        .args(["review", "import"])
        .arg(&runs)
        .arg("--labels")
        .arg(&labels)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("stored 4 human verdict(s)"), "{stdout}");
    assert!(stdout.contains("2 row(s) skipped"), "{stdout}");
    assert!(
        stderr.contains("labels.csv:6: no item bagel-base/think/math_1 id 9999"),
        "{stderr}"
    );
    assert!(
        stderr.contains("labels.csv:7: human is \"maybe\", not yes or no"),
        "{stderr}"
    );

    let json = run_ok(
        bin()
            .arg("--annotations")
            .arg(&db)
            .arg("agreement")
            .arg(&runs)
            .args(["--format", "json"]),
    );
    let rows: Vec<Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len(), 1, "{json}");
    let r = &rows[0];
    assert_eq!(
        (r["run"].as_str(), r["setting"].as_str(), r["task"].as_str()),
        (Some("bagel-base"), Some("think"), Some("math_1"))
    );
    for (field, expected) in [
        ("reviewed", 4),
        ("both_yes", 1),
        ("both_no", 1),
        ("judge_yes_human_no", 1),
        ("judge_no_human_yes", 1),
    ] {
        assert_eq!(r[field].as_u64(), Some(expected), "{field}");
    }
    // p_o = 0.5, both say YES half the time: p_e = 0.5, κ = 0.
    assert_eq!(r["agreement"].as_f64(), Some(0.5));
    assert_eq!(r["kappa"].as_f64(), Some(0.0));
    assert_eq!(r["judge_precision"].as_f64(), Some(0.5));
    assert_eq!(r["judge_recall"].as_f64(), Some(0.5));
    // One YES overturned, one NO overturned: the count is the judge's.
    assert_eq!(r["corrected_correct"].as_u64(), Some(judge_correct));
    assert_eq!(r["corrected_total"].as_u64(), Some(judged.len() as u64));
    let accuracy = judge_correct as f64 / judged.len() as f64;
    assert!((r["corrected_accuracy"].as_f64().unwrap() - accuracy).abs() < 1e-12);
    assert!(r["corrected_ci_low"].as_f64().unwrap() < accuracy);

    let out = dir.path().join("exported.csv");
    run_ok(
        bin()
            .arg("--annotations")
            .arg(&db)
            .args(["review", "export"])
            .arg(&runs)
            .arg("--out")
            .arg(&out),
    );
    let exported = std::fs::read_to_string(&out).unwrap();
    let mut lines: Vec<&str> = exported.lines().collect();
    assert_eq!(lines.remove(0), "run,setting,task,id,human,reviewer,note");
    lines.sort();
    let mut expected = vec![
        format!("bagel-base,think,math_1,{},yes,import,", yes[0]),
        format!("bagel-base,think,math_1,{},no,import,", yes[1]),
        format!("bagel-base,think,math_1,{},no,import,", no[0]),
        format!("bagel-base,think,math_1,{},yes,import,", no[1]),
    ];
    expected.sort();
    assert_eq!(lines, expected);
}

#[test]
fn every_subcommand_fails_on_a_path_it_cannot_open() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/folder");
    let file = dir.path().join("a-file.txt");
    std::fs::write(&file, "x").unwrap();
    let out = dir.path().join("out.csv");
    let labels = dir.path().join("labels.csv");
    std::fs::write(&labels, "run,setting,task,id,human\n").unwrap();
    let commands: Vec<Vec<String>> = vec![
        vec!["summary".into()],
        vec!["diagnostics".into()],
        vec!["audit".into()],
        vec!["filter-stats".into()],
        vec!["agreement".into()],
        vec![
            "flips".into(),
            "--a".into(),
            "x/normal".into(),
            "--b".into(),
            "x/think".into(),
        ],
        vec![
            "export".into(),
            "--format".into(),
            "csv".into(),
            "--out".into(),
            out.display().to_string(),
        ],
        vec![
            "review".into(),
            "import".into(),
            "--labels".into(),
            labels.display().to_string(),
        ],
        vec![
            "review".into(),
            "export".into(),
            "--out".into(),
            out.display().to_string(),
        ],
    ];
    for bad in [&missing, &file] {
        for command in &commands {
            let output = bin()
                .args(command)
                .arg(bad)
                .arg("--annotations")
                .arg(dir.path().join("a.sqlite"))
                .output()
                .unwrap();
            assert!(
                !output.status.success(),
                "{command:?} {} succeeded",
                bad.display()
            );
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                stderr.contains(&format!("cannot open {}", bad.display())),
                "{command:?}: {stderr}"
            );
        }
    }
    assert!(!out.exists(), "nothing was written");
}

/// `--version` names the commit; without a display the window says what to do instead (exit 2,
/// no build-machine paths); `install-desktop` writes the entry and icons and takes them back.
#[test]
fn version_no_display_and_the_desktop_entry() {
    let version = common::run_ok(common::bin().arg("--version"));
    let commit = version
        .trim()
        .strip_suffix(')')
        .and_then(|v| v.rsplit_once('('))
        .map(|(_, commit)| commit.to_string())
        .unwrap_or_else(|| panic!("no commit in {version:?}"));
    assert!(
        commit == "unknown commit"
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{version:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let output = common::bin()
        .arg(dir.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert!(said.starts_with("no display:"), "{said}");
    assert!(
        said.contains("summary") && said.contains("ssh -X"),
        "{said}"
    );
    assert!(!said.contains(".rs:"), "no source locations: {said}");

    let home = dir.path().join("share");
    let wrote = common::run_ok(
        common::bin()
            .arg("install-desktop")
            .env("XDG_DATA_HOME", &home)
            .env("PATH", dir.path()),
    );
    let entry_path = home.join("applications/unisandbox-inspector.desktop");
    assert!(wrote.contains(&entry_path.display().to_string()), "{wrote}");
    let entry = std::fs::read_to_string(&entry_path).unwrap();
    // Not on the PATH: the entry names the binary by its full path.
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_unisandbox-inspector"));
    assert!(
        entry.contains(&format!(
            "Exec={} %F",
            binary.canonicalize().unwrap().display()
        )) || entry.contains(&format!("Exec={} %F", binary.display())),
        "{entry}"
    );
    assert!(
        home.join("icons/hicolor/256x256/apps/unisandbox-inspector.png")
            .is_file()
    );
    let removed = common::run_ok(
        common::bin()
            .args(["install-desktop", "--uninstall"])
            .env("XDG_DATA_HOME", &home),
    );
    assert_eq!(
        removed
            .lines()
            .filter(|l| l.starts_with("removed "))
            .count(),
        9
    );
    assert!(!entry_path.exists());
}

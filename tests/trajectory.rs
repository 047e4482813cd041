//! `trajectory` through the binary on generated checkpoints (`ckpt-00` … named like a training
//! run): the points equal `summary`'s counts per task type, and every item has one dynamics class.

mod common;

use common::{bin, run_ok};
use serde_json::Value;

fn json(args: &[&str], root: &std::path::Path) -> Vec<Value> {
    let text = run_ok(
        bin()
            .arg("trajectory")
            .arg(root)
            .args(args)
            .args(["--format", "json"]),
    );
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn trajectory_points_equal_summary_and_every_item_has_one_class() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        bin()
            .arg("demo-data")
            .arg(dir.path())
            .args(["--items", "2000", "--checkpoints", "4"]),
    );
    let points = json(&[], dir.path());
    // 4 steps × normal/think × 5 task types.
    assert_eq!(points.len(), 40);
    let steps: Vec<u64> = points.iter().map(|p| p["step"].as_u64().unwrap()).collect();
    assert!(
        steps.windows(2).all(|w| w[0] <= w[1]),
        "in step order: {steps:?}"
    );
    assert!(points.iter().all(|p| p["series"] == "ckpt-*"));

    // Each point is summary's folders of that run, setting and task type, summed.
    let summary: Vec<Value> = serde_json::from_str(&run_ok(
        bin()
            .arg("summary")
            .arg(dir.path())
            .args(["--format", "json"]),
    ))
    .unwrap();
    for point in &points {
        let (total, correct) = summary
            .iter()
            .filter(|r| r["run"] == point["run"] && r["setting"] == point["setting"])
            .filter(|r| {
                let kind = format!(
                    "{} {}",
                    r["family"].as_str().unwrap(),
                    r["level"].as_str().unwrap()
                );
                kind.eq_ignore_ascii_case(point["task"].as_str().unwrap())
            })
            .fold((0, 0), |(t, c), r| {
                (
                    t + r["total"].as_u64().unwrap(),
                    c + r["correct"].as_u64().unwrap(),
                )
            });
        assert_eq!(
            (
                point["total"].as_u64().unwrap(),
                point["correct"].as_u64().unwrap()
            ),
            (total, correct),
            "{point}"
        );
    }

    let classes = json(&["--dynamics"], dir.path());
    assert_eq!(classes.len(), 10, "normal/think × 5 task types");
    let per_step: u64 = points
        .iter()
        .filter(|p| p["step"] == 0)
        .map(|p| p["total"].as_u64().unwrap())
        .sum();
    let classified: u64 = classes
        .iter()
        .map(|row| {
            [
                "always_right",
                "never_right",
                "learned",
                "forgotten",
                "unstable",
            ]
            .iter()
            .map(|class| row[*class].as_u64().unwrap())
            .sum::<u64>()
        })
        .sum();
    assert_eq!(
        classified, per_step,
        "every item judged at each step has one class"
    );

    let wrong = bin()
        .arg("trajectory")
        .arg(dir.path())
        .args(["--base", "nope"])
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("--base nope: no such run"));
}

/// A generated training run whose items follow known plans: the CLI's classes and events equal
/// the plans' (math and mapping, whose simulated judge follows the plan exactly).
#[test]
fn dynamics_and_events_of_a_generated_series_equal_its_plans() {
    use unisandbox_demo::series::{Plan, checkpoint_name, plan};
    let dir = tempfile::tempdir().unwrap();
    let (seed, checkpoints, per_folder) = (11, 6, 20);
    run_ok(bin().arg("demo-data").arg(dir.path()).args([
        "--series",
        "--seed",
        "11",
        "--items",
        "1200",
        "--checkpoints",
        "6",
    ]));
    let classes = json(&["--dynamics"], dir.path());
    let events = json(&["--events"], dir.path());
    for (stem, task) in [("math_1", "Math L1"), ("mapping1", "Mapping L1")] {
        for setting in ["normal", "think"] {
            let plans: Vec<Plan> = (0..per_folder)
                .map(|i| plan(seed, setting, stem, i, checkpoints))
                .collect();
            let count = |wanted: fn(&Plan) -> bool| plans.iter().filter(|p| wanted(p)).count();
            let expected = [
                count(|p| matches!(p, Plan::AlwaysRight)),
                count(|p| matches!(p, Plan::NeverRight)),
                count(|p| matches!(p, Plan::LearnedAt(_))),
                count(|p| matches!(p, Plan::ForgottenAt(_))),
                count(|p| matches!(p, Plan::RightBetween(..))),
            ];
            let row = classes
                .iter()
                .find(|r| r["setting"] == setting && r["task"] == task)
                .unwrap_or_else(|| panic!("no {setting} {task} row"));
            assert_eq!(row["series"], "train-*");
            let got = [
                "always_right",
                "never_right",
                "learned",
                "forgotten",
                "unstable",
            ]
            .map(|class| row[class].as_u64().unwrap() as usize);
            assert_eq!(got, expected, "{setting} {task}");
            if setting == "think" {
                assert!(
                    expected[2] > 0 && expected[3] + expected[4] > 0,
                    "{expected:?}"
                );
            }

            // Events at each checkpoint: the plans that change there.
            for at in 1..checkpoints {
                let (learned, forgotten) = plans.iter().fold((0, 0), |(l, f), p| {
                    match (p.right_at(at - 1), p.right_at(at)) {
                        (false, true) => (l + 1, f),
                        (true, false) => (l, f + 1),
                        _ => (l, f),
                    }
                });
                let run = checkpoint_name(at);
                let row = events
                    .iter()
                    .find(|r| r["setting"] == setting && r["task"] == task && r["run"] == run);
                let got = row.map_or((0, 0), |r| {
                    (
                        r["learned"].as_u64().unwrap(),
                        r["forgotten"].as_u64().unwrap(),
                    )
                });
                assert_eq!(got, (learned, forgotten), "{setting} {task} at {run}");
            }
        }
    }

    // The same run as CSV, LaTeX and a chart in both figure formats.
    let svg = dir.path().join("trajectory.svg");
    let png = dir.path().join("trajectory.png");
    let csv = run_ok(
        bin()
            .arg("trajectory")
            .arg(dir.path())
            .args(["--format", "csv", "--svg"])
            .arg(&svg)
            .arg("--png")
            .arg(&png),
    );
    assert!(
        csv.starts_with("series,run,step,setting,task,total,correct,accuracy,ci_low,ci_high\n")
    );
    assert_eq!(csv.lines().count(), 1 + 6 * 2 * 5);
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    let image = image::open(&png).unwrap();
    assert_eq!((image.width(), image.height()), (1200, 720));
    let latex = run_ok(
        bin()
            .arg("trajectory")
            .arg(dir.path())
            .args(["--format", "latex"]),
    );
    assert!(
        latex.contains("\\begin{tabular}") && latex.contains("6000 & "),
        "{latex}"
    );
}

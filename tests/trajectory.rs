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

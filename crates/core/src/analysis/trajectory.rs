//! A training run as a trajectory: checkpoints whose names differ only in their last number
//! form a series ordered by that number (the step); accuracy per step, and what each item
//! learned and forgot along the way.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Dataset, Verdict};

/// A run name's step: its last number (zero-padded or not; a `k` right after it means
/// thousands), and the name with that number replaced by `*`, which names the series.
/// `ckpt-5k` → ("ckpt-*", 5000); `train/0005000` → ("train/*", 5000); `bagel-base` → `None`.
pub fn step_of(run: &str) -> Option<(String, u64)> {
    let bytes = run.as_bytes();
    let end = bytes.iter().rposition(u8::is_ascii_digit)? + 1;
    let start = bytes[..end]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |at| at + 1);
    let number: u64 = run[start..end].parse().ok()?;
    let thousands = matches!(bytes.get(end), Some(b'k' | b'K'))
        && !bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric);
    let (step, rest) = if thousands {
        (number.checked_mul(1000)?, end + 1)
    } else {
        (number, end)
    };
    Some((format!("{}*{}", &run[..start], &run[rest..]), step))
}

/// Checkpoints of one training run, in step order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Series {
    /// The run names with their step replaced by `*` (`ckpt-*`).
    pub name: String,
    /// (run, step), ascending by step.
    pub runs: Vec<(String, u64)>,
}

/// The series among `runs`: names equal once their last number is removed, two or more of
/// them. `base` (a run such as `bagel-base`) joins every series as its step 0.
pub fn series_of(runs: &[String], base: Option<&str>) -> Vec<Series> {
    let mut groups: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    for run in runs {
        if let Some((name, step)) = step_of(run) {
            groups.entry(name).or_default().push((run.clone(), step));
        }
    }
    groups
        .into_iter()
        .filter(|(_, members)| members.len() >= 2)
        .map(|(name, mut members)| {
            if let Some(base) = base
                && !members.iter().any(|(run, _)| run == base)
            {
                members.push((base.to_string(), 0));
            }
            members.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
            Series {
                name,
                runs: members,
            }
        })
        .collect()
}

/// One point of a trajectory: a task type's accuracy at one step, counted as `summary` counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrajectoryRow {
    pub series: String,
    pub run: String,
    pub step: u64,
    pub setting: String,
    /// The task type (Math L1 … Knowledge inverse).
    pub task: String,
    pub total: u64,
    pub correct: u64,
    pub accuracy: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Accuracy per series × step × setting × task type.
pub fn trajectory(dataset: &Dataset, series: &[Series]) -> Vec<TrajectoryRow> {
    let rows = crate::analysis::accuracy::task_type_accuracy(dataset);
    let mut out = Vec::new();
    for one in series {
        for (run, step) in &one.runs {
            out.extend(
                rows.iter()
                    .filter(|r| r.run == *run)
                    .map(|r| TrajectoryRow {
                        series: one.name.clone(),
                        run: run.clone(),
                        step: *step,
                        setting: r.setting.clone(),
                        task: r.task.clone(),
                        total: r.total,
                        correct: r.correct,
                        accuracy: r.accuracy,
                        ci_low: r.ci_low,
                        ci_high: r.ci_high,
                    }),
            );
        }
    }
    out
}

/// What an item did along a series: its judged verdicts in step order (steps where it is not
/// judged, or the judge call failed, skipped).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dynamics {
    AlwaysRight,
    NeverRight,
    /// One change, wrong → right.
    Learned,
    /// One change, right → wrong.
    Forgotten,
    /// Two or more changes.
    Unstable,
}

impl Dynamics {
    /// The class of a sequence of verdicts (right = true); `None` for an empty one.
    pub fn of(verdicts: &[bool]) -> Option<Dynamics> {
        let first = *verdicts.first()?;
        let changes = verdicts.windows(2).filter(|w| w[0] != w[1]).count();
        Some(match (changes, first) {
            (0, true) => Dynamics::AlwaysRight,
            (0, false) => Dynamics::NeverRight,
            (1, false) => Dynamics::Learned,
            (1, true) => Dynamics::Forgotten,
            _ => Dynamics::Unstable,
        })
    }
}

/// Items per dynamics class, for one series × setting × task type.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DynamicsRow {
    pub series: String,
    pub setting: String,
    pub task: String,
    pub always_right: u64,
    pub never_right: u64,
    pub learned: u64,
    pub forgotten: u64,
    pub unstable: u64,
}

/// Each item's class along each series (a mapping ID is one item: right when both images are),
/// counted per series × setting × task type.
pub fn dynamics(dataset: &Dataset, series: &[Series]) -> Vec<DynamicsRow> {
    let mut out = Vec::new();
    for one in series {
        let step_of_run: BTreeMap<&str, usize> = one
            .runs
            .iter()
            .enumerate()
            .map(|(at, (run, _))| (run.as_str(), at))
            .collect();
        // (setting, task kind, stem, id) → verdicts by step position.
        type Key<'a> = (&'a str, crate::taxonomy::TaskKind, &'a str, &'a str);
        let mut sequences: BTreeMap<Key, Vec<(usize, bool)>> = BTreeMap::new();
        for item in &dataset.items {
            let folder = dataset.folder_of(item);
            let Some(&at) = step_of_run.get(folder.run.as_str()) else {
                continue;
            };
            if !item.verdict.is_judged() || item.verdict == Verdict::JudgeError {
                continue;
            }
            let key = (
                folder.setting.as_str(),
                folder.kind,
                folder.stem.as_str(),
                item.id.as_str(),
            );
            sequences
                .entry(key)
                .or_default()
                .push((at, item.is_correct()));
        }
        let mut counts: BTreeMap<(&str, crate::taxonomy::TaskKind), DynamicsRow> = BTreeMap::new();
        for ((setting, kind, _, _), mut steps) in sequences {
            steps.sort_by_key(|(at, _)| *at);
            let verdicts: Vec<bool> = steps.iter().map(|(_, right)| *right).collect();
            let Some(class) = Dynamics::of(&verdicts) else {
                continue;
            };
            let row = counts
                .entry((setting, kind))
                .or_insert_with(|| DynamicsRow {
                    series: one.name.clone(),
                    setting: setting.to_string(),
                    task: kind.label(),
                    ..Default::default()
                });
            *match class {
                Dynamics::AlwaysRight => &mut row.always_right,
                Dynamics::NeverRight => &mut row.never_right,
                Dynamics::Learned => &mut row.learned,
                Dynamics::Forgotten => &mut row.forgotten,
                Dynamics::Unstable => &mut row.unstable,
            } += 1;
        }
        out.extend(counts.into_values());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_from_names_padded_unpadded_and_thousands() {
        assert_eq!(step_of("step500"), Some(("step*".into(), 500)));
        assert_eq!(step_of("step1000"), Some(("step*".into(), 1000)));
        assert_eq!(step_of("0005000"), Some(("*".into(), 5000)));
        assert_eq!(step_of("train/0005000"), Some(("train/*".into(), 5000)));
        assert_eq!(step_of("ckpt-5k"), Some(("ckpt-*".into(), 5000)));
        assert_eq!(step_of("ckpt-5K-ema"), Some(("ckpt-*-ema".into(), 5000)));
        // The last number counts: a version in the prefix stays part of the name.
        assert_eq!(
            step_of("bagel7b-step20"),
            Some(("bagel7b-step*".into(), 20))
        );
        // `k` starting a word is not thousands.
        assert_eq!(step_of("run5kilo"), Some(("run*kilo".into(), 5)));
        assert_eq!(step_of("bagel-base"), None);
    }

    #[test]
    fn series_in_numeric_order_side_by_side_with_a_base_run() {
        let runs: Vec<String> = [
            "a-step1000",
            "a-step500",
            "a-step2k",
            "b-0000100",
            "b-0000050",
            "lonely-7",
            "bagel-base",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let series = series_of(&runs, Some("bagel-base"));
        assert_eq!(series.len(), 2, "{series:?}");
        assert_eq!(series[0].name, "a-step*");
        let order: Vec<(&str, u64)> = series[0]
            .runs
            .iter()
            .map(|(run, step)| (run.as_str(), *step))
            .collect();
        assert_eq!(
            order,
            [
                ("bagel-base", 0),
                ("a-step500", 500),
                ("a-step1000", 1000),
                ("a-step2k", 2000)
            ]
        );
        assert_eq!(series[1].name, "b-*");
        assert_eq!(series[1].runs[1], ("b-0000050".to_string(), 50));
        assert!(
            series_of(&runs[..1], None).is_empty(),
            "one run is no series"
        );
    }

    #[test]
    fn each_dynamics_class() {
        use Dynamics::*;
        assert_eq!(Dynamics::of(&[true, true, true]), Some(AlwaysRight));
        assert_eq!(Dynamics::of(&[false]), Some(NeverRight));
        assert_eq!(Dynamics::of(&[false, false, true, true]), Some(Learned));
        assert_eq!(Dynamics::of(&[true, false]), Some(Forgotten));
        assert_eq!(Dynamics::of(&[false, true, false]), Some(Unstable));
        assert_eq!(Dynamics::of(&[]), None);
    }

    #[test]
    fn dynamics_skip_unjudged_steps_and_count_mapping_ids() {
        use crate::model::fixtures::{folder, item, part};
        let mut data = Dataset::default();
        let verdicts = [
            ("s-1", [Verdict::No, Verdict::Yes]),
            ("s-2", [Verdict::NotJudged, Verdict::JudgeError]),
            ("s-3", [Verdict::Yes, Verdict::Yes]),
        ];
        for (run, [math, mapping]) in verdicts {
            data.push_folder(
                folder(run, "normal", "math_1"),
                vec![item("1", part("q", "a", math))],
            );
            let mut pair = item("1", part("q", "a", mapping));
            pair.parts.push(part("q", "b", mapping));
            data.push_folder(folder(run, "normal", "mapping1"), vec![pair]);
        }
        let runs: Vec<String> = ["s-1", "s-2", "s-3"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let series = series_of(&runs, None);
        let rows = dynamics(&data, &series);
        let classes: Vec<(&str, u64, u64)> = rows
            .iter()
            .map(|r| (r.task.as_str(), r.learned, r.always_right))
            .collect();
        // Math: NO, (not judged), YES → learned. Mapping: YES, (judge failed), YES → always.
        assert_eq!(classes, [("Math L1", 1, 0), ("Mapping L1", 0, 1)]);
        let points = trajectory(&data, &series);
        assert_eq!(points.len(), 6);
        assert_eq!((points[0].step, points[0].task.as_str()), (1, "Math L1"));
    }
}

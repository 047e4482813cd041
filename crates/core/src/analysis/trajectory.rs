//! A training run as a trajectory: checkpoints whose names differ only in their last number
//! form a series ordered by that number (the step); accuracy per step, and what each item
//! learned and forgot along the way.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Dataset, Verdict};
use crate::taxonomy::TaskKind;

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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    /// What the series is called: the run names with their step replaced by `*` (`ckpt-*`),
    /// unless the user renamed it.
    pub name: String,
    /// The run names with their step replaced by `*`: the series' identity, kept by a rename.
    #[serde(default)]
    pub pattern: String,
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
                pattern: name.clone(),
                name,
                runs: members,
            }
        })
        .collect()
}

/// What the user changed about the detected series, remembered per folder set: checkpoints
/// left out, a single run added as every series' step 0, names, and which series comes first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeriesEdits {
    /// A run without a step (e.g. `bagel-base`) placed at step 0 of every series.
    pub base: Option<String>,
    /// Checkpoints left out of their series.
    pub excluded: Vec<String>,
    /// Series pattern (`ckpt-*`) → the name to show.
    pub names: BTreeMap<String, String>,
    /// Series patterns in the order to show them; series not listed follow in name order.
    pub order: Vec<String>,
}

impl SeriesEdits {
    /// Moves a series one place earlier (`-1`) or later (`+1`) among `shown` (patterns in the
    /// order shown now).
    pub fn move_series(&mut self, shown: &[String], pattern: &str, by: isize) {
        let mut order: Vec<String> = shown.to_vec();
        let Some(at) = order.iter().position(|p| p == pattern) else {
            return;
        };
        let to = (at as isize + by).clamp(0, order.len() as isize - 1) as usize;
        let moved = order.remove(at);
        order.insert(to, moved);
        self.order = order;
    }
}

/// The series among `runs` as the user edited them.
pub fn edited_series(runs: &[String], edits: &SeriesEdits) -> Vec<Series> {
    let kept: Vec<String> = runs
        .iter()
        .filter(|run| !edits.excluded.contains(run))
        .cloned()
        .collect();
    let base = edits
        .base
        .as_deref()
        .filter(|base| kept.iter().any(|r| r == base));
    let mut series = series_of(&kept, base);
    let rank = |pattern: &str| {
        edits
            .order
            .iter()
            .position(|p| p == pattern)
            .unwrap_or(usize::MAX)
    };
    series.sort_by_key(|one| rank(&one.pattern));
    for one in &mut series {
        if let Some(name) = edits
            .names
            .get(&one.pattern)
            .filter(|n| !n.trim().is_empty())
        {
            one.name = name.trim().to_string();
        }
    }
    series
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
    trajectory_of(
        &crate::analysis::accuracy::task_type_accuracy(dataset),
        series,
    )
}

/// Accuracy per series × step × setting × task type from task-type rows (a full load's, or
/// counted from the CSVs alone as `summary` counts).
pub fn trajectory_of(
    rows: &[crate::analysis::AccuracyRow],
    series: &[Series],
) -> Vec<TrajectoryRow> {
    // Rows by run, so each step finds its rows without a scan.
    let mut by_run: std::collections::HashMap<&str, Vec<&crate::analysis::AccuracyRow>> =
        std::collections::HashMap::new();
    for row in rows {
        by_run.entry(row.run.as_str()).or_default().push(row);
    }
    let mut out = Vec::new();
    for one in series {
        for (run, step) in &one.runs {
            out.extend(
                by_run
                    .get(run.as_str())
                    .into_iter()
                    .flatten()
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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
    pub const ALL: [Dynamics; 5] = [
        Dynamics::AlwaysRight,
        Dynamics::NeverRight,
        Dynamics::Learned,
        Dynamics::Forgotten,
        Dynamics::Unstable,
    ];

    /// In words, for table headers and filters.
    pub fn label(self) -> &'static str {
        match self {
            Dynamics::AlwaysRight => "always right",
            Dynamics::NeverRight => "never right",
            Dynamics::Learned => "learned",
            Dynamics::Forgotten => "forgotten",
            Dynamics::Unstable => "unstable",
        }
    }

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
    /// The task type itself, for opening its items (not printed).
    #[serde(skip)]
    pub kind: Option<TaskKind>,
    pub always_right: u64,
    pub never_right: u64,
    pub learned: u64,
    pub forgotten: u64,
    pub unstable: u64,
}

impl DynamicsRow {
    pub fn count(&self, class: Dynamics) -> u64 {
        match class {
            Dynamics::AlwaysRight => self.always_right,
            Dynamics::NeverRight => self.never_right,
            Dynamics::Learned => self.learned,
            Dynamics::Forgotten => self.forgotten,
            Dynamics::Unstable => self.unstable,
        }
    }

    fn count_mut(&mut self, class: Dynamics) -> &mut u64 {
        match class {
            Dynamics::AlwaysRight => &mut self.always_right,
            Dynamics::NeverRight => &mut self.never_right,
            Dynamics::Learned => &mut self.learned,
            Dynamics::Forgotten => &mut self.forgotten,
            Dynamics::Unstable => &mut self.unstable,
        }
    }
}

/// One judged verdict of an item along a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Judged {
    /// The run's position in the series.
    pub position: usize,
    pub right: bool,
    /// The item's index in the dataset.
    pub item: usize,
}

/// An item (a mapping ID is one: right when both images are) along one series: its judged
/// verdicts in step order. Steps where it is not judged, or the judge call failed, are absent.
#[derive(Clone, Debug)]
pub struct ItemSequence<'a> {
    pub setting: &'a str,
    pub kind: TaskKind,
    pub stem: &'a str,
    pub id: &'a str,
    pub steps: Vec<Judged>,
}

impl ItemSequence<'_> {
    pub fn class(&self) -> Option<Dynamics> {
        let verdicts: Vec<bool> = self.steps.iter().map(|s| s.right).collect();
        Dynamics::of(&verdicts)
    }

    /// The judged step where the item shows its class: where it was learned (first right),
    /// forgotten (first wrong), or else its last.
    pub fn telling_step(&self) -> Option<Judged> {
        let first = self.steps.first()?;
        let change = self.steps.iter().find(|s| s.right != first.right);
        match self.class()? {
            Dynamics::Learned | Dynamics::Forgotten => change.copied(),
            _ => self.steps.last().copied(),
        }
    }

    /// Changes between consecutive judged steps: (the later step, right now).
    pub fn changes(&self) -> impl Iterator<Item = Judged> + '_ {
        self.steps
            .windows(2)
            .filter(|w| w[0].right != w[1].right)
            .map(|w| w[1])
    }
}

/// Every item's sequence along `series`, ordered by setting, task type, folder and id.
pub fn sequences<'a>(dataset: &'a Dataset, series: &Series) -> Vec<ItemSequence<'a>> {
    let position_of_run: BTreeMap<&str, usize> = series
        .runs
        .iter()
        .enumerate()
        .map(|(at, (run, _))| (run.as_str(), at))
        .collect();
    // Folder positions first, so each item costs one look-up.
    let positions: Vec<Option<usize>> = dataset
        .folders
        .iter()
        .map(|f| position_of_run.get(f.run.as_str()).copied())
        .collect();
    type Key<'a> = (&'a str, TaskKind, &'a str, &'a str);
    let mut by_item: BTreeMap<Key<'a>, Vec<Judged>> = BTreeMap::new();
    for (index, item) in dataset.items.iter().enumerate() {
        let Some(position) = positions[item.folder] else {
            continue;
        };
        if !item.verdict.is_judged() || item.verdict == Verdict::JudgeError {
            continue;
        }
        let folder = &dataset.folders[item.folder];
        by_item
            .entry((
                folder.setting.as_str(),
                folder.kind,
                folder.stem.as_str(),
                item.id.as_str(),
            ))
            .or_default()
            .push(Judged {
                position,
                right: item.is_correct(),
                item: index,
            });
    }
    by_item
        .into_iter()
        .map(|((setting, kind, stem, id), mut steps)| {
            steps.sort_by_key(|s| s.position);
            ItemSequence {
                setting,
                kind,
                stem,
                id,
                steps,
            }
        })
        .collect()
}

/// Each item's class along each series, counted per series × setting × task type.
pub fn dynamics(dataset: &Dataset, series: &[Series]) -> Vec<DynamicsRow> {
    let mut out = Vec::new();
    for one in series {
        let mut counts: BTreeMap<(&str, TaskKind), DynamicsRow> = BTreeMap::new();
        for sequence in sequences(dataset, one) {
            let Some(class) = sequence.class() else {
                continue;
            };
            let row = counts
                .entry((sequence.setting, sequence.kind))
                .or_insert_with(|| DynamicsRow {
                    series: one.name.clone(),
                    setting: sequence.setting.to_string(),
                    task: sequence.kind.label(),
                    kind: Some(sequence.kind),
                    ..Default::default()
                });
            *row.count_mut(class) += 1;
        }
        out.extend(counts.into_values());
    }
    out
}

/// Items that changed between two consecutive judged steps of a series, counted at the later.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EventRow {
    pub series: String,
    pub setting: String,
    pub task: String,
    /// The task type itself, for opening its items (not printed).
    #[serde(skip)]
    pub kind: Option<TaskKind>,
    pub run: String,
    pub step: u64,
    /// The run's position in the series (not printed).
    #[serde(skip)]
    pub position: usize,
    /// Wrong at the item's previous judged step, right here.
    pub learned: u64,
    /// Right at the item's previous judged step, wrong here.
    pub forgotten: u64,
}

/// Learning and forgetting events per series × setting × task × step (steps without any
/// change are left out).
pub fn events(dataset: &Dataset, series: &[Series]) -> Vec<EventRow> {
    let mut out = Vec::new();
    for one in series {
        let mut counts: BTreeMap<(&str, TaskKind, usize), EventRow> = BTreeMap::new();
        for sequence in sequences(dataset, one) {
            for change in sequence.changes() {
                let row = counts
                    .entry((sequence.setting, sequence.kind, change.position))
                    .or_insert_with(|| {
                        let (run, step) = &one.runs[change.position];
                        EventRow {
                            series: one.name.clone(),
                            setting: sequence.setting.to_string(),
                            task: sequence.kind.label(),
                            kind: Some(sequence.kind),
                            run: run.clone(),
                            step: *step,
                            position: change.position,
                            ..Default::default()
                        }
                    });
                if change.right {
                    row.learned += 1;
                } else {
                    row.forgotten += 1;
                }
            }
        }
        out.extend(counts.into_values());
    }
    out
}

/// Think → normal transfer at one step: of the items the series' first checkpoint gets right
/// only with `think`, how many this checkpoint gets right in `normal`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TransferRow {
    pub series: String,
    pub task: String,
    pub run: String,
    pub step: u64,
    /// Items right in think and wrong in normal at the first checkpoint (judged in both).
    pub think_only: u64,
    /// Of those, right in normal at this step (judged there).
    pub right_in_normal: u64,
    /// Of those, judged in normal at this step.
    pub judged: u64,
    pub share: f64,
}

/// The transfer per series × task type × step after the first.
pub fn transfer(dataset: &Dataset, series: &[Series]) -> Vec<TransferRow> {
    let mut out = Vec::new();
    for one in series {
        let sequences = sequences(dataset, one);
        type Task<'a> = (TaskKind, &'a str, &'a str);
        let at_first = |s: &ItemSequence| {
            s.steps
                .first()
                .filter(|step| step.position == 0)
                .map(|step| step.right)
        };
        let think_right: std::collections::HashSet<Task> = sequences
            .iter()
            .filter(|s| s.setting == "think" && at_first(s) == Some(true))
            .map(|s| (s.kind, s.stem, s.id))
            .collect();
        // (task type, step position) → (judged, right)
        let mut counts: BTreeMap<(TaskKind, usize), (u64, u64)> = BTreeMap::new();
        let mut think_only: BTreeMap<TaskKind, u64> = BTreeMap::new();
        for sequence in sequences.iter().filter(|s| s.setting == "normal") {
            if at_first(sequence) != Some(false)
                || !think_right.contains(&(sequence.kind, sequence.stem, sequence.id))
            {
                continue;
            }
            *think_only.entry(sequence.kind).or_default() += 1;
            for step in sequence.steps.iter().filter(|s| s.position > 0) {
                let count = counts.entry((sequence.kind, step.position)).or_default();
                count.0 += 1;
                count.1 += u64::from(step.right);
            }
        }
        for ((kind, position), (judged, right)) in counts {
            let (run, step) = &one.runs[position];
            out.push(TransferRow {
                series: one.name.clone(),
                task: kind.label(),
                run: run.clone(),
                step: *step,
                think_only: think_only[&kind],
                right_in_normal: right,
                judged,
                share: right as f64 / judged as f64,
            });
        }
    }
    out
}

/// Which items of a series the list shows for a dynamics count or an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Along {
    /// Items of this class, each at its telling step (see `ItemSequence::telling_step`).
    Class(Dynamics),
    /// Items that became right at this position of the series.
    LearnedAt(usize),
    /// Items that became wrong at this position of the series.
    ForgottenAt(usize),
}

/// A list filter: items of a series by their dynamics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlongSeries {
    pub series: Series,
    pub what: Along,
}

impl AlongSeries {
    /// In words, for the filter's chip.
    pub fn describe(&self) -> String {
        match self.what {
            Along::Class(class) => format!(
                "{} along {} (each at the step that tells)",
                class.label(),
                self.series.name
            ),
            Along::LearnedAt(at) | Along::ForgottenAt(at) => {
                let verb = if matches!(self.what, Along::LearnedAt(_)) {
                    "learned"
                } else {
                    "forgotten"
                };
                let step = self.series.runs.get(at).map_or(0, |(_, step)| *step);
                format!("{verb} at step {step} of {}", self.series.name)
            }
        }
    }

    /// Which items (by dataset index) pass.
    pub fn items(&self, dataset: &Dataset) -> Vec<bool> {
        let mut passes = vec![false; dataset.items.len()];
        for sequence in sequences(dataset, &self.series) {
            match self.what {
                Along::Class(class) => {
                    if sequence.class() == Some(class)
                        && let Some(step) = sequence.telling_step()
                    {
                        passes[step.item] = true;
                    }
                }
                Along::LearnedAt(at) | Along::ForgottenAt(at) => {
                    let became_right = matches!(self.what, Along::LearnedAt(_));
                    for change in sequence.changes() {
                        if change.position == at && change.right == became_right {
                            passes[change.item] = true;
                        }
                    }
                }
            }
        }
        passes
    }
}

/// The same item (setting, task folder, id) in every run of `series` that has it, in step
/// order: (position, dataset index). For the strip view.
pub fn across(
    dataset: &Dataset,
    index: &crate::item_index::ItemIndex,
    series: &Series,
    item: usize,
) -> Vec<(usize, usize)> {
    let Some(one) = dataset.items.get(item) else {
        return Vec::new();
    };
    let folder = dataset.folder_of(one);
    series
        .runs
        .iter()
        .enumerate()
        .filter_map(|(position, (run, _))| {
            index
                .get(dataset, run, folder.setting.as_str(), &folder.stem, &one.id)
                .map(|found| (position, found))
        })
        .collect()
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
        // The list shows a learned item at the step it was learned.
        let learned = AlongSeries {
            series: series[0].clone(),
            what: Along::Class(Dynamics::Learned),
        };
        let shown: Vec<usize> = learned
            .items(&data)
            .iter()
            .enumerate()
            .filter_map(|(i, pass)| pass.then_some(i))
            .collect();
        assert_eq!(shown, [4], "math_1 id 1 of s-3");
        let at_3 = AlongSeries {
            series: series[0].clone(),
            what: Along::LearnedAt(2),
        };
        assert_eq!(at_3.items(&data), learned.items(&data));
        let events = events(&data, &series);
        assert_eq!(events.len(), 1);
        assert_eq!(
            (events[0].step, events[0].learned, events[0].forgotten),
            (3, 1, 0)
        );
        let points = trajectory(&data, &series);
        assert_eq!(points.len(), 6);
        assert_eq!((points[0].step, points[0].task.as_str()), (1, "Math L1"));
    }

    #[test]
    fn transfer_follows_what_think_alone_knew_at_the_first_step() {
        use crate::model::fixtures::{folder, item, part};
        let mut data = Dataset::default();
        // ids 1, 2: think right at step 1, normal wrong; normal learns id 1 at step 2.
        // id 3: right in both at step 1: not counted.
        let normal = [("s-1", [false, false, true]), ("s-2", [true, false, true])];
        for (run, rights) in normal {
            let items = rights
                .iter()
                .enumerate()
                .map(|(i, right)| {
                    let verdict = if *right { Verdict::Yes } else { Verdict::No };
                    item(&(i + 1).to_string(), part("q", "a", verdict))
                })
                .collect();
            data.push_folder(folder(run, "normal", "math_1"), items);
            let think = (1..=3)
                .map(|i| item(&i.to_string(), part("q", "a", Verdict::Yes)))
                .collect();
            data.push_folder(folder(run, "think", "math_1"), think);
        }
        let series = series_of(&["s-1".to_string(), "s-2".to_string()], None);
        let rows = transfer(&data, &series);
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(
            (
                rows[0].step,
                rows[0].think_only,
                rows[0].right_in_normal,
                rows[0].share
            ),
            (2, 2, 1, 0.5)
        );
    }

    #[test]
    fn edits_exclude_rename_reorder_and_add_a_base() {
        let runs: Vec<String> = ["a-1", "a-2", "a-3", "b-1", "b-2", "base"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut edits = SeriesEdits {
            base: Some("base".into()),
            excluded: vec!["a-2".into()],
            ..SeriesEdits::default()
        };
        edits.names.insert("b-*".into(), "second run".into());
        edits.move_series(&["a-*".into(), "b-*".into()], "b-*", -1);
        let series = edited_series(&runs, &edits);
        let shown: Vec<(&str, &str, Vec<&str>)> = series
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    s.pattern.as_str(),
                    s.runs.iter().map(|(r, _)| r.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("second run", "b-*", vec!["base", "b-1", "b-2"]),
                ("a-*", "a-*", vec!["base", "a-1", "a-3"]),
            ]
        );
        // Leaving out all but one checkpoint leaves no series.
        edits.excluded = vec!["a-1".into(), "a-2".into()];
        edits.base = None;
        assert_eq!(edited_series(&runs, &edits).len(), 1);
    }
}

//! `demo-data --series`: checkpoints of one training run (`train-0001000`, `train-0002000`, …)
//! whose items are learned and forgotten at known steps, for the trajectory tests and demos.
//!
//! Every item (per setting) follows a plan fixed by a hash of the seed, its task and its index:
//! always right, never right, learned at a checkpoint, forgotten at one, or right only between two
//! (unstable). `normal` lags `think`: many items `think` gets right from the start are learned in
//! `normal` later, which is the think → normal transfer the trajectory view measures.

use std::path::Path;

use super::scale::{self, ImagePool, ScaleReport};
use super::{Images, write_runs};

/// The run's name before its step (`train-0001000`).
pub const SERIES_PREFIX: &str = "train";
/// Runs up to this many items have every image drawn; bigger ones link to a few drawn ones.
pub const DRAWN_UP_TO: usize = 2000;
/// Steps between checkpoints (BAGEL's trainer saves every few thousand steps).
pub const STEP: u64 = 1000;

/// The name of checkpoint `index` (0-based): `train-0001000` for index 0.
pub fn checkpoint_name(index: usize) -> String {
    format!("{SERIES_PREFIX}-{:07}", step_of(index))
}

/// The training step of checkpoint `index`.
pub fn step_of(index: usize) -> u64 {
    (index as u64 + 1) * STEP
}

/// What an item does along the run; checkpoint indices are 0-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    AlwaysRight,
    NeverRight,
    /// Wrong before this checkpoint, right from it on.
    LearnedAt(usize),
    /// Right before this checkpoint, wrong from it on.
    ForgottenAt(usize),
    /// Right from the first checkpoint up to (not including) the second only: two changes.
    RightBetween(usize, usize),
}

impl Plan {
    pub fn right_at(self, checkpoint: usize) -> bool {
        match self {
            Plan::AlwaysRight => true,
            Plan::NeverRight => false,
            Plan::LearnedAt(at) => checkpoint >= at,
            Plan::ForgottenAt(at) => checkpoint < at,
            Plan::RightBetween(from, to) => (from..to).contains(&checkpoint),
        }
    }
}

/// The plan of item `index` of task folder `stem` in `setting`, over `checkpoints` checkpoints.
pub fn plan(seed: u64, setting: &str, stem: &str, index: usize, checkpoints: usize) -> Plan {
    let hash =
        mix(seed ^ super::stem_hash(stem) ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let roll = (hash % 1000) as f64 / 1000.0;
    let pick = |salt: u64, below: usize| (mix(hash ^ salt) % below.max(1) as u64) as usize;
    if checkpoints < 2 {
        return if roll < 0.5 {
            Plan::AlwaysRight
        } else {
            Plan::NeverRight
        };
    }
    // A change happens at checkpoint 1 … K-1.
    let change_at = |salt| 1 + pick(salt, checkpoints - 1);
    let think = match roll {
        r if r < 0.25 => Plan::AlwaysRight,
        r if r < 0.45 => Plan::NeverRight,
        r if r < 0.75 => Plan::LearnedAt(change_at(1)),
        r if r < 0.87 => Plan::ForgottenAt(change_at(2)),
        _ if checkpoints >= 3 => {
            let from = 1 + pick(3, checkpoints - 2);
            let to = from + 1 + pick(4, checkpoints - 1 - from);
            Plan::RightBetween(from, to)
        }
        _ => Plan::LearnedAt(1),
    };
    if setting != "normal" {
        return think;
    }
    // Normal lags think: what think knows from the start, normal learns along the run.
    let lag = (mix(hash ^ 5) % 1000) as f64 / 1000.0;
    match think {
        Plan::AlwaysRight if lag < 0.15 => Plan::AlwaysRight,
        Plan::AlwaysRight if lag < 0.75 => Plan::LearnedAt(change_at(6)),
        Plan::LearnedAt(at) if lag < 0.4 && at + 1 < checkpoints => {
            Plan::LearnedAt(at + 1 + pick(7, checkpoints - 1 - at))
        }
        Plan::RightBetween(from, to) if lag < 0.5 => Plan::RightBetween(from, to),
        Plan::ForgottenAt(at) if lag < 0.3 => Plan::ForgottenAt(at),
        _ => Plan::NeverRight,
    }
}

/// Which items of a task folder are right at a checkpoint, in benchmark order.
pub fn verdicts(
    seed: u64,
    setting: &str,
    stem: &str,
    items: usize,
    checkpoint: usize,
    checkpoints: usize,
) -> Vec<bool> {
    (0..items)
        .map(|index| plan(seed, setting, stem, index, checkpoints).right_at(checkpoint))
        .collect()
}

/// Plans for one run: the checkpoint count and the seed they are drawn from.
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    pub seed: u64,
    pub checkpoints: usize,
}

/// Writes `checkpoints` checkpoints of a training run with `items` items in all (as
/// `write_scale` counts them), every item following its `plan`.
pub fn write_series(
    out_dir: &Path,
    seed: u64,
    checkpoints: usize,
    items: usize,
) -> anyhow::Result<ScaleReport> {
    let (bench, per_setting) = scale::sized_benchmark(seed, checkpoints, items)?;
    let names: Vec<String> = (0..checkpoints).map(checkpoint_name).collect();
    let schedule = Schedule { seed, checkpoints };
    // A small run (a demo) shows what each image says; a big one links a few drawn images.
    let pool = if items > DRAWN_UP_TO {
        Some(ImagePool::draw(
            &out_dir.join(scale::POOL_DIR),
            &bench,
            seed,
        )?)
    } else {
        None
    };
    let images = pool.as_ref().map_or(Images::Draw, Images::Linked);
    let folders = write_runs(out_dir, seed, &names, &bench, images, Some(schedule))?;
    super::write_benchmark_files(&out_dir.join(super::BENCHMARK_DIR), &bench)?;
    Ok(ScaleReport {
        folders,
        items: per_setting * checkpoints * 2,
    })
}

/// SplitMix64's finaliser: a well-spread hash of a number.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_trainers_zero_padded_steps() {
        assert_eq!(checkpoint_name(0), "train-0001000");
        assert_eq!(checkpoint_name(19), "train-0020000");
    }

    #[test]
    fn plans_change_where_they_say_and_cover_every_class() {
        let plans: Vec<Plan> = (0..400).map(|i| plan(7, "think", "math_1", i, 6)).collect();
        for plan in &plans {
            let right: Vec<bool> = (0..6).map(|c| plan.right_at(c)).collect();
            let changes = right.windows(2).filter(|w| w[0] != w[1]).count();
            let expected = match plan {
                Plan::AlwaysRight | Plan::NeverRight => 0,
                Plan::LearnedAt(_) | Plan::ForgottenAt(_) => 1,
                Plan::RightBetween(..) => 2,
            };
            assert_eq!(changes, expected, "{plan:?}: {right:?}");
        }
        for wanted in [
            |p: &Plan| matches!(p, Plan::AlwaysRight),
            |p: &Plan| matches!(p, Plan::NeverRight),
            |p: &Plan| matches!(p, Plan::LearnedAt(_)),
            |p: &Plan| matches!(p, Plan::ForgottenAt(_)),
            |p: &Plan| matches!(p, Plan::RightBetween(..)),
        ] {
            assert!(plans.iter().any(wanted));
        }
        // Normal starts lower than think and catches up.
        let right = |setting: &str, c: usize| {
            (0..400)
                .filter(|&i| plan(7, setting, "math_1", i, 6).right_at(c))
                .count()
        };
        assert!(right("normal", 0) < right("think", 0));
        assert!(right("normal", 5) > right("normal", 0));
    }
}

//! What the app remembers between sessions (through eframe's storage): recent runs, the last
//! view, filters, selection, grid size and theme. Panel sizes persist with egui's own memory.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use unisandbox_core::filters::Filters;
use unisandbox_core::model::{Dataset, ItemKey};

/// The views of the window (saved with the session; `screenshot --view` names them).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum View {
    /// Recent runs, open and drop targets.
    Start,
    /// List + detail.
    #[default]
    Items,
    /// Thumbnail grid of the filtered items.
    Grid,
    Compare,
    /// Human review of the judge: one item at a time, Y / N / U / K.
    Review,
    Charts,
    /// Accuracy over the steps of a training run, and what the items learned and forgot.
    Trajectory,
    /// One item at every checkpoint of its training run, side by side.
    Strip,
    Diagnostics,
    /// Full-screen slides of the filtered items (F11).
    Presentation,
}

impl View {
    /// The views that show the Charts counts (computed when shown, off the UI thread at scale).
    pub fn shows_counts(self) -> bool {
        matches!(self, View::Charts | View::Trajectory | View::Strip)
    }
}

/// The eframe storage key.
pub const STORAGE_KEY: &str = "unisandbox-inspector-state";
/// How many recently opened folder sets the start page lists.
pub const MAX_RECENT: usize = 12;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "Follow system",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }

    pub fn preference(self) -> egui::ThemePreference {
        match self {
            Theme::System => egui::ThemePreference::System,
            Theme::Light => egui::ThemePreference::Light,
            Theme::Dark => egui::ThemePreference::Dark,
        }
    }
}

/// One set of folders opened together, with what was in it when last opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentRun {
    pub paths: Vec<PathBuf>,
    pub benchmark: Option<PathBuf>,
    pub task_folders: usize,
    pub items: usize,
    pub runs: usize,
    /// When it was last opened, seconds since the Unix epoch.
    pub opened_unix: u64,
}

impl RecentRun {
    pub fn of(paths: &[PathBuf], benchmark: Option<PathBuf>, dataset: &Dataset) -> Self {
        let opened_unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Self {
            paths: paths.to_vec(),
            benchmark,
            task_folders: dataset.folders.len(),
            items: dataset.items.len(),
            runs: dataset.runs().len(),
            opened_unix,
        }
    }

    pub fn title(&self) -> String {
        self.paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    pub recent: Vec<RecentRun>,
    pub view: View,
    /// The folders of the last session; filters and selection apply when these open again.
    pub last_opened: Vec<PathBuf>,
    pub filters: Filters,
    pub selected: Option<ItemKey>,
    pub theme: Theme,
    pub grid_thumbnail: f32,
    /// The name recorded with human verdicts.
    pub reviewer: String,
    /// The size budget of the remote runs' cache, in MiB.
    pub cache_budget_mb: u64,
    /// The training runs' series as the user edited them, per folder set.
    pub series_edits:
        std::collections::BTreeMap<String, unisandbox_core::analysis::trajectory::SeriesEdits>,
}

impl Default for Persisted {
    fn default() -> Self {
        Self {
            recent: Vec::new(),
            view: View::Items,
            last_opened: Vec::new(),
            filters: Filters::default(),
            selected: None,
            theme: Theme::System,
            grid_thumbnail: DEFAULT_THUMBNAIL,
            reviewer: String::new(),
            cache_budget_mb: DEFAULT_CACHE_BUDGET_MB,
            series_edits: Default::default(),
        }
    }
}

pub const DEFAULT_THUMBNAIL: f32 = 180.0;
pub const DEFAULT_CACHE_BUDGET_MB: u64 = unisandbox_remote::cache::DEFAULT_BUDGET_BYTES >> 20;
pub const THUMBNAIL_RANGE: std::ops::RangeInclusive<f32> = 96.0..=360.0;

/// Puts `run` first, dropping an older entry for the same folders, keeping `MAX_RECENT`.
pub fn remember(recent: &mut Vec<RecentRun>, run: RecentRun) {
    recent.retain(|r| r.paths != run.paths);
    recent.insert(0, run);
    recent.truncate(MAX_RECENT);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(path: &str, opened_unix: u64) -> RecentRun {
        RecentRun {
            paths: vec![PathBuf::from(path)],
            benchmark: None,
            task_folders: 3,
            items: 40,
            runs: 1,
            opened_unix,
        }
    }

    #[test]
    fn reopening_moves_a_run_to_the_top_without_duplicates() {
        let mut recent = Vec::new();
        remember(&mut recent, run("/a", 1));
        remember(&mut recent, run("/b", 2));
        remember(&mut recent, run("/a", 3));
        let order: Vec<(String, u64)> = recent.iter().map(|r| (r.title(), r.opened_unix)).collect();
        assert_eq!(order, [("/a".into(), 3), ("/b".into(), 2)]);
        for n in 0..20 {
            remember(&mut recent, run(&format!("/r{n}"), n));
        }
        assert_eq!(recent.len(), MAX_RECENT);
        assert_eq!(recent[0].title(), "/r19");
    }

    #[test]
    fn state_survives_a_json_round_trip_and_old_fields_default() {
        let state = Persisted {
            recent: vec![run("/runs", 5)],
            view: View::Grid,
            last_opened: vec![PathBuf::from("/runs")],
            filters: Filters {
                setting: Some("think".into()),
                verdict: Some(unisandbox_core::model::Verdict::No),
                task: Some(unisandbox_core::taxonomy::TaskKind::of_stem("math_3")),
                search: "cups".into(),
                ..Filters::default()
            },
            selected: Some(ItemKey {
                run: "base".into(),
                setting: "think".into(),
                stem: "math_3".into(),
                id: "7".into(),
            }),
            theme: Theme::Dark,
            grid_thumbnail: 240.0,
            reviewer: "ada".into(),
            cache_budget_mb: 512,
            series_edits: [(
                "/runs".to_string(),
                unisandbox_core::analysis::trajectory::SeriesEdits {
                    base: Some("bagel-base".into()),
                    ..Default::default()
                },
            )]
            .into(),
        };
        let text = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<Persisted>(&text).unwrap(), state);
        let partial: Persisted = serde_json::from_str(r#"{"view": "Charts"}"#).unwrap();
        assert_eq!(partial.view, View::Charts);
        assert_eq!(partial.grid_thumbnail, DEFAULT_THUMBNAIL);
        assert_eq!(partial.cache_budget_mb, DEFAULT_CACHE_BUDGET_MB);
    }
}

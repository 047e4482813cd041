//! Live reload: watches the opened folders with `notify` and says when a reload is due.
//!
//! A running eval appends CSV rows and writes images continuously, so events come in bursts.
//! `ReloadTimer` waits for a short quiet spell but never longer than `MAX_WAIT` after the first
//! change, so a folder that never goes quiet still refreshes about once a second.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher as _};

/// Quiet time after the last change before reloading.
pub const QUIET: Duration = Duration::from_millis(100);
/// Longest wait after the first unreloaded change.
pub const MAX_WAIT: Duration = Duration::from_millis(600);

/// When the pending changes should be reloaded. Pure: the caller passes the clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReloadTimer {
    first: Option<Instant>,
    last: Option<Instant>,
}

impl ReloadTimer {
    pub fn changed(&mut self, at: Instant) {
        self.first.get_or_insert(at);
        self.last = Some(at);
    }

    /// True once the changes went quiet for `QUIET`, or `MAX_WAIT` passed since the first.
    pub fn is_due(&self, now: Instant) -> bool {
        match (self.first, self.last) {
            (Some(first), Some(last)) => {
                now.duration_since(last) >= QUIET || now.duration_since(first) >= MAX_WAIT
            }
            _ => false,
        }
    }

    /// How long until `is_due` can turn true, for scheduling a repaint.
    pub fn wait(&self, now: Instant) -> Option<Duration> {
        let (first, last) = (self.first?, self.last?);
        let quiet = (last + QUIET).saturating_duration_since(now);
        let max = (first + MAX_WAIT).saturating_duration_since(now);
        Some(quiet.min(max))
    }

    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// Whether a file-system event can change what the inspector shows.
fn is_relevant(path: &Path, kind: &EventKind) -> bool {
    if matches!(kind, EventKind::Access(_)) {
        return false;
    }
    // Editors' and SQLite's scratch files never hold results.
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    !(name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp"))
}

/// Watches folders recursively; changes arrive on a channel the UI thread polls.
pub struct FolderWatcher {
    _watcher: notify::RecommendedWatcher,
    events: Receiver<Vec<PathBuf>>,
}

impl FolderWatcher {
    /// Starts watching; `wake` is called from the watcher thread on every relevant change.
    pub fn new(paths: &[PathBuf], wake: impl Fn() + Send + 'static) -> notify::Result<Self> {
        let (sender, events) = channel();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if let Ok(event) = event {
                    let paths: Vec<PathBuf> = event
                        .paths
                        .into_iter()
                        .filter(|p| is_relevant(p, &event.kind))
                        .collect();
                    if !paths.is_empty() && sender.send(paths).is_ok() {
                        wake();
                    }
                }
            })?;
        for path in paths {
            watcher.watch(path, RecursiveMode::Recursive)?;
        }
        Ok(Self {
            _watcher: watcher,
            events,
        })
    }

    /// The paths changed since the last call.
    pub fn changed_paths(&self) -> BTreeSet<PathBuf> {
        self.events.try_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_waits_for_quiet_but_not_forever() {
        let start = Instant::now();
        let ms = |n: u64| start + Duration::from_millis(n);
        let mut timer = ReloadTimer::default();
        assert!(!timer.is_due(ms(10_000)), "nothing changed");
        timer.changed(ms(0));
        assert!(!timer.is_due(ms(QUIET.as_millis() as u64 - 1)));
        assert!(timer.is_due(ms(QUIET.as_millis() as u64)));
        // Changes every 50 ms never go quiet; MAX_WAIT still triggers.
        let mut busy = ReloadTimer::default();
        for t in (0..2_000).step_by(50) {
            busy.changed(ms(t));
            if busy.is_due(ms(t)) {
                assert_eq!(t, MAX_WAIT.as_millis() as u64);
                busy.reset();
                assert_eq!(busy, ReloadTimer::default());
                return;
            }
        }
        panic!("a continuous stream of changes never triggered a reload");
    }

    #[test]
    fn wait_says_when_the_timer_becomes_due() {
        let start = Instant::now();
        let mut timer = ReloadTimer::default();
        assert_eq!(timer.wait(start), None);
        timer.changed(start);
        assert_eq!(timer.wait(start), Some(QUIET));
        assert_eq!(timer.wait(start + QUIET), Some(Duration::ZERO));
    }

    #[test]
    fn scratch_files_and_reads_are_ignored() {
        let modify = EventKind::Modify(notify::event::ModifyKind::Any);
        assert!(is_relevant(
            Path::new("/r/math_1/evaluation_results.csv"),
            &modify
        ));
        assert!(!is_relevant(
            Path::new("/r/math_1/.evaluation_results.csv.swp"),
            &modify
        ));
        assert!(!is_relevant(
            Path::new("/r/math_1/1.png"),
            &EventKind::Access(notify::event::AccessKind::Any)
        ));
    }

    #[test]
    fn a_file_written_into_a_watched_folder_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("ckpt/test/normal/math_1");
        std::fs::create_dir_all(&nested).unwrap();
        let watcher = FolderWatcher::new(&[dir.path().to_path_buf()], || {}).unwrap();
        std::fs::write(nested.join("1.png"), b"x").unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut seen = BTreeSet::new();
        while Instant::now() < deadline && seen.is_empty() {
            std::thread::sleep(Duration::from_millis(20));
            seen.extend(watcher.changed_paths());
        }
        assert!(seen.iter().any(|p| p.ends_with("math_1/1.png")), "{seen:?}");
    }
}

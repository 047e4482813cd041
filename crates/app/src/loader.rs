//! Background loading: runs `load::load_paths` on the tokio blocking pool, builds the dataset and
//! everything derived from it there, and hands the UI thread a finished `Arc<Dataset>` to swap in
//! (plus an early one with the first folders, so rows show at once). A reload (live reload) does
//! the same with the changed folders, so the old data stays on screen until the new is ready.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use std::sync::Arc;

use crate::derived::{Derived, Previous, ReloadPlan, Reloaded, merge_reload};
use unisandbox_core::load::changes::ReloadSummary;
use unisandbox_core::load::image_check::{CorruptImage, check_images};
use unisandbox_core::load::{LoadEvent, apply_event, load_paths};
use unisandbox_core::model::Dataset;

/// What `Loader::poll` found.
#[derive(Default)]
pub struct LoadUpdate {
    pub dataset: Option<Arc<Dataset>>,
    /// Present when the load finished.
    pub derived: Option<Derived>,
    /// Broken images found after loading, to mark in the dataset.
    pub corrupt_images: Vec<CorruptImage>,
    /// The opened PATHs as folders on disk, once remote URLs are mirrored.
    pub resolved: Option<Resolved>,
    /// The remote cache's usage again, once what this open fetched is in its index.
    pub cache_usage: Option<Option<(PathBuf, u64)>>,
}

/// Where the opened PATHs are on disk, and how their remote ones went.
#[derive(Debug, Default)]
pub struct Resolved {
    pub local: Vec<PathBuf>,
    pub remote: Vec<unisandbox_remote::Opened>,
    pub problems: Vec<(PathBuf, String)>,
    /// Where the remote cache is and how much it holds (a query of its index: not on the UI
    /// thread; as last committed — what this open fetched follows in `LoadUpdate::cache_usage`).
    pub cache_usage: Option<(PathBuf, u64)>,
}

/// Last touches before a dataset is shown: diagnostics in the order the Diagnostics view lists
/// them (errors first, then by file and line), sorted once here instead of every frame.
pub fn finish(dataset: &mut Dataset) {
    dataset.diagnostics.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.file.cmp(&b.file))
            .then(a.line.cmp(&b.line))
    });
}

/// How far loading has got, for the progress bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadProgress {
    /// Folders found by discovery (`None` until discovery ends).
    pub total: Option<usize>,
    pub done: usize,
    /// Fetching a remote run's text files first: (done, total).
    pub fetching: Option<(usize, usize)>,
    pub finished: bool,
    /// After `finished`: images are still being opened to find broken ones.
    pub checking_images: bool,
}

pub struct Loader {
    runtime: tokio::runtime::Handle,
    receiver: Option<UnboundedReceiver<LoadMessage>>,
    pub progress: LoadProgress,
    reload: Option<tokio::sync::oneshot::Receiver<ReloadResult>>,
    /// Why the last job stopped early (it panicked), until the app shows it.
    problem: Option<String>,
}

/// A finished reload: the new dataset with everything derived from it, and what changed.
pub struct ReloadResult {
    pub dataset: Arc<Dataset>,
    pub derived: Derived,
    pub summary: ReloadSummary,
}

/// What the background load sends the UI thread.
pub enum LoadMessage {
    /// Fetching a remote run's text files: (done, total).
    Fetching(usize, usize),
    /// The opened PATHs as folders on disk (remote URLs replaced by their mirrors).
    Resolved(Resolved),
    Progress {
        done: usize,
        total: usize,
    },
    /// The first folders, so rows are on screen while the rest loads (nothing derived yet).
    FirstRows(Arc<Dataset>),
    /// Everything, with what is derived from it.
    Done(Arc<Dataset>, Box<Derived>),
    /// Every image opened: the broken ones.
    ImagesChecked(Vec<CorruptImage>),
    /// The remote cache's usage after a remote open (its index is written while the run loads).
    CacheUsage(Option<(PathBuf, u64)>),
    /// The job panicked (a bug): what it said. What arrived before stays on screen.
    Stopped(String),
}

/// The UI is asked to repaint at most this often while a load reports progress.
const PROGRESS_REPAINT: Duration = Duration::from_millis(100);

impl Loader {
    pub fn new(runtime: tokio::runtime::Handle) -> Self {
        Self {
            runtime,
            receiver: None,
            progress: LoadProgress {
                finished: true,
                ..Default::default()
            },
            reload: None,
            problem: None,
        }
    }

    /// A background job's failure, once, for the notice.
    pub fn take_problem(&mut self) -> Option<String> {
        self.problem.take()
    }

    /// Starts loading `paths` (a previous load's remaining messages are dropped). The dataset is
    /// built and derived on the background pool; the UI thread only swaps in what arrives.
    /// `freshness`: whether a remote run with a complete cached copy opens from it at once
    /// (listed afterwards by the app) or is listed first.
    pub fn start(
        &mut self,
        paths: Vec<PathBuf>,
        benchmark: Option<PathBuf>,
        freshness: unisandbox_remote::Freshness,
        ctx: &egui::Context,
    ) {
        let (sender, receiver) = unbounded_channel();
        let ctx = ctx.clone();
        let ctx_for_failure = ctx.clone();
        self.reload = None;
        self.runtime.spawn_blocking(move || {
            // A bug in loading or deriving must not leave the window waiting forever: say so.
            let failed = sender.clone();
            let job = std::panic::AssertUnwindSafe(|| {
                let mut dataset = Dataset::default();
                // Remote URLs first: list, fetch what changed, then load the mirrors.
                let resolved =
                    unisandbox_remote::resolve_paths(&paths, None, freshness, |_, done, total| {
                        let _ = sender.send(LoadMessage::Fetching(done, total));
                        ctx.request_repaint_after(PROGRESS_REPAINT);
                    });
                let paths = resolved.local;
                let fetched_remote = !resolved.remote.is_empty();
                for (url, problem) in &resolved.problems {
                    // (The message starts with the URL; the diagnostic names it as its file.)
                    let text = url.to_string_lossy();
                    let message = problem
                        .strip_prefix(&*text)
                        .map_or(problem.as_str(), |rest| rest.trim_start_matches(": "));
                    dataset
                        .diagnostics
                        .push(unisandbox_core::diagnostics::Diagnostic::error(
                            url, None, message,
                        ));
                }
                dataset.diagnostics.extend(resolved.diagnostics);
                let _ = sender.send(LoadMessage::Resolved(Resolved {
                    local: paths.clone(),
                    remote: resolved.remote,
                    problems: resolved.problems,
                    cache_usage: unisandbox_remote::cache::cache_usage(),
                }));
                let (mut total, mut done) = (0, 0);
                let mut shown_first = false;
                load_paths(&paths, benchmark.as_deref(), |event| {
                    match &event {
                        LoadEvent::Discovered { folders } => total = *folders,
                        LoadEvent::Folder(_) => done += 1,
                        LoadEvent::Diagnostic(_) => {}
                    }
                    apply_event(&mut dataset, event);
                    if !shown_first && !dataset.items.is_empty() {
                        shown_first = true;
                        let _ = sender.send(LoadMessage::FirstRows(Arc::new(dataset.clone())));
                        ctx.request_repaint();
                    }
                    let _ = sender.send(LoadMessage::Progress { done, total });
                    ctx.request_repaint_after(PROGRESS_REPAINT);
                });
                finish(&mut dataset);
                let derived = Derived::compute(&dataset, &[]);
                let shown = Arc::new(dataset);
                let _ = sender.send(LoadMessage::Done(shown.clone(), Box::new(derived)));
                ctx.request_repaint();
                if fetched_remote {
                    unisandbox_remote::cache::settle();
                    let usage = unisandbox_remote::cache::cache_usage();
                    let _ = sender.send(LoadMessage::CacheUsage(usage));
                }
                // Only the broken images go back: the UI marks them in its (then only) copy.
                let corrupt = check_images(&shown);
                drop(shown);
                let _ = sender.send(LoadMessage::ImagesChecked(corrupt));
                ctx.request_repaint();
            });
            if let Err(panic) = std::panic::catch_unwind(job) {
                let _ = failed.send(LoadMessage::Stopped(unisandbox_core::panic_message(
                    &*panic,
                )));
                ctx_for_failure.request_repaint();
            }
        });
        self.receiver = Some(receiver);
        self.progress = LoadProgress::default();
    }

    /// Takes the messages that arrived: the newest dataset, if one came, and whether the load
    /// finished (its derived data then comes along).
    pub fn poll(&mut self) -> Option<LoadUpdate> {
        let receiver = self.receiver.as_mut()?;
        let mut update = LoadUpdate::default();
        let mut any = false;
        loop {
            match receiver.try_recv() {
                Ok(LoadMessage::Fetching(done, total)) => {
                    self.progress.fetching = Some((done, total))
                }
                Ok(LoadMessage::Resolved(resolved)) => {
                    self.progress.fetching = None;
                    update.resolved = Some(resolved);
                }
                Ok(LoadMessage::Progress { done, total }) => {
                    self.progress.done = done;
                    self.progress.total = Some(total);
                }
                Ok(LoadMessage::FirstRows(dataset)) => update.dataset = Some(dataset),
                Ok(LoadMessage::Done(dataset, derived)) => {
                    update.dataset = Some(dataset);
                    update.derived = Some(*derived);
                    self.progress.finished = true;
                    self.progress.checking_images = true;
                }
                Ok(LoadMessage::CacheUsage(usage)) => update.cache_usage = Some(usage),
                Ok(LoadMessage::ImagesChecked(corrupt)) => {
                    update.corrupt_images = corrupt;
                    self.progress.checking_images = false;
                    self.receiver = None;
                    any = true;
                    break;
                }
                Ok(LoadMessage::Stopped(message)) => {
                    self.problem = Some(format!(
                        "Loading stopped early because of an internal error ({message}); what was loaded is shown. Please report this."
                    ));
                    self.progress.finished = true;
                    self.progress.checking_images = false;
                    self.receiver = None;
                    any = true;
                    break;
                }
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => break,
                Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => {
                    // The job ended early without a word: show what there is.
                    self.progress.finished = true;
                    self.progress.checking_images = false;
                    self.receiver = None;
                    any = true;
                    break;
                }
            }
            any = true;
        }
        any.then_some(update)
    }

    /// Loading, or checking the loaded images.
    pub fn is_loading(&self) -> bool {
        !self.progress.finished || self.progress.checking_images
    }

    /// Loads again in the background what the plan says, merges it into (a copy of) `current`
    /// and derives; see `take_reloaded`.
    pub fn start_reload(
        &mut self,
        plan: ReloadPlan,
        previous: Previous,
        sides: Vec<unisandbox_core::analysis::flips::Side>,
        ctx: &egui::Context,
    ) {
        let current = previous.dataset.clone();
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let ctx = ctx.clone();
        self.runtime.spawn_blocking(move || {
            let reloaded = match plan {
                ReloadPlan::Full { paths, benchmark } => {
                    Reloaded::Full(unisandbox_core::load::load_dataset_with_benchmark(
                        &paths,
                        benchmark.as_deref(),
                    ))
                }
                ReloadPlan::Folders {
                    specs,
                    grown,
                    benchmark,
                } => Reloaded::Folders(unisandbox_core::load::refresh::reload_folders(
                    &current,
                    specs,
                    &grown,
                    benchmark.as_deref(),
                )),
            };
            let (dataset, summary) = merge_reload(&current, reloaded);
            drop(current);
            let mut dataset = Arc::unwrap_or_clone(dataset);
            finish(&mut dataset);
            let derived = Derived::compute_after(Some(&previous), &dataset, &sides);
            drop(previous);
            let _ = sender.send(ReloadResult {
                dataset: Arc::new(dataset),
                derived,
                summary,
            });
            ctx.request_repaint();
        });
        self.reload = Some(receiver);
    }

    pub fn is_reloading(&self) -> bool {
        self.reload.is_some()
    }

    /// The reloaded dataset once it is ready.
    pub fn take_reloaded(&mut self) -> Option<ReloadResult> {
        let receiver = self.reload.as_mut()?;
        match receiver.try_recv() {
            Ok(reloaded) => {
                self.reload = None;
                Some(reloaded)
            }
            Err(tokio::sync::oneshot::error::TryRecvError::Empty) => None,
            Err(tokio::sync::oneshot::error::TryRecvError::Closed) => {
                self.reload = None;
                self.problem = Some(
                    "Live reload failed because of an internal error; the data shown is from before the change. Please report this.".into(),
                );
                None
            }
        }
    }
}

//! Background loading: runs `load::load_paths` on the tokio blocking pool and hands the events to
//! the UI thread, which folds them into the dataset a few at a time. A reload (live reload) loads
//! a whole new dataset in the background instead, so the old one stays on screen until it is ready.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::load::{LoadEvent, apply_event, load_paths};
use crate::model::Dataset;

/// How far loading has got, for the progress bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadProgress {
    /// Folders found by discovery (`None` until discovery ends).
    pub total: Option<usize>,
    pub done: usize,
    pub finished: bool,
}

pub struct Loader {
    runtime: tokio::runtime::Handle,
    receiver: Option<UnboundedReceiver<LoadEvent>>,
    pub progress: LoadProgress,
    reload: Option<tokio::sync::oneshot::Receiver<Reloaded>>,
}

/// What a reload loads: everything, or only some folders (by index) of the current dataset.
pub enum ReloadPlan {
    Full {
        paths: Vec<PathBuf>,
        benchmark: Option<PathBuf>,
    },
    Folders {
        specs: Vec<(usize, crate::load::FolderSpec)>,
        benchmark: Option<PathBuf>,
    },
}

/// The result of a reload, matching its plan.
pub enum Reloaded {
    Full(Dataset),
    Folders(Vec<(usize, crate::load::LoadedFolder)>),
}

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
        }
    }

    /// Starts loading `paths` (a previous load's remaining events are dropped).
    pub fn start(&mut self, paths: Vec<PathBuf>, benchmark: Option<PathBuf>, ctx: &egui::Context) {
        let (sender, receiver) = unbounded_channel();
        let ctx = ctx.clone();
        self.reload = None;
        self.runtime.spawn_blocking(move || {
            load_paths(&paths, benchmark.as_deref(), |event| {
                let _ = sender.send(event);
                ctx.request_repaint();
            });
            ctx.request_repaint();
        });
        self.receiver = Some(receiver);
        self.progress = LoadProgress::default();
    }

    /// Folds pending events into `dataset` for at most `budget`; true when anything changed.
    pub fn drain_into(&mut self, dataset: &mut Dataset, budget: Duration) -> bool {
        let Some(receiver) = &mut self.receiver else {
            return false;
        };
        let start = Instant::now();
        let mut changed = false;
        loop {
            match receiver.try_recv() {
                Ok(event) => {
                    match &event {
                        LoadEvent::Discovered { folders } => self.progress.total = Some(*folders),
                        LoadEvent::Folder(_) => self.progress.done += 1,
                        LoadEvent::Diagnostic(_) => {}
                    }
                    apply_event(dataset, event);
                    changed = true;
                    if start.elapsed() > budget {
                        break;
                    }
                }
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => break,
                Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => {
                    self.progress.finished = true;
                    self.receiver = None;
                    changed = true;
                    break;
                }
            }
        }
        changed
    }

    pub fn is_loading(&self) -> bool {
        !self.progress.finished
    }

    /// Loads again in the background what the plan says; see `take_reloaded`.
    pub fn start_reload(&mut self, plan: ReloadPlan, ctx: &egui::Context) {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let ctx = ctx.clone();
        self.runtime.spawn_blocking(move || {
            let reloaded = match plan {
                ReloadPlan::Full { paths, benchmark } => Reloaded::Full(
                    crate::load::load_dataset_with_benchmark(&paths, benchmark.as_deref()),
                ),
                ReloadPlan::Folders { specs, benchmark } => Reloaded::Folders(
                    crate::load::refresh::reload_folders(specs, benchmark.as_deref()),
                ),
            };
            let _ = sender.send(reloaded);
            ctx.request_repaint();
        });
        self.reload = Some(receiver);
    }

    pub fn is_reloading(&self) -> bool {
        self.reload.is_some()
    }

    /// The reloaded dataset once it is ready.
    pub fn take_reloaded(&mut self) -> Option<Reloaded> {
        let receiver = self.reload.as_mut()?;
        match receiver.try_recv() {
            Ok(reloaded) => {
                self.reload = None;
                Some(reloaded)
            }
            Err(tokio::sync::oneshot::error::TryRecvError::Empty) => None,
            Err(tokio::sync::oneshot::error::TryRecvError::Closed) => {
                self.reload = None;
                None
            }
        }
    }
}

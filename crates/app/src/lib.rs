//! The egui application: state, commands, background work. Views draw from `AppState` and push
//! `Command`s; `InspectorApp` applies them once per frame.

mod annotate;
mod background;
pub mod charts_cache;
pub mod command;
pub mod compare;
pub mod derived;
pub mod desktop;
mod dialogs;
pub mod display;
mod export_job;
pub mod image_cache;
mod input;
mod live;
pub mod loader;
pub mod lru;
pub mod persist;
pub mod remote_poll;
mod review;
pub mod screenshot;
mod session;
pub mod state;
pub mod thumbnail_store;
pub mod watcher;

pub mod samples;
pub mod strip;
pub mod views;

use std::collections::BTreeSet;
use std::path::PathBuf;

pub use command::{Command, ExportKind};
use image_cache::{DEFAULT_BUDGET_BYTES, ImageCache};
use loader::Loader;
pub use persist::View;
use persist::{Persisted, RecentRun, Theme};
use screenshot::{ScreenshotJob, ScreenshotOutcome, ScreenshotPlan};
use watcher::{FolderWatcher, ReloadTimer};

pub use state::AppState;

/// The version and the git commit the binary was built from (`--version`, the Start page).
pub const VERSION_LINE: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("UNISANDBOX_GIT_COMMIT"),
    ")"
);

/// The window's application id: the desktop file is named after it (`<APP_ID>.desktop`), which
/// is how GNOME and other Wayland shells find the window's icon.
pub const APP_ID: &str = "unisandbox-inspector";

use unisandbox_core::annotation_writer::Write;
use unisandbox_core::model::ItemKey;

/// How the app starts.
#[derive(Clone, Debug, Default)]
pub struct StartOptions {
    pub paths: Vec<PathBuf>,
    pub view: View,
    pub screenshot: Option<(ScreenshotPlan, ScreenshotOutcome)>,
    /// Annotations database; `None` = the default in the user's data directory.
    pub annotations: Option<PathBuf>,
    /// Benchmark JSONL file or folder (`--benchmark`).
    pub benchmark: Option<PathBuf>,
    /// State remembered from the last session (eframe storage); `None` for a fresh start.
    pub restore: Option<Persisted>,
    /// Watch the opened folders and reload on change.
    pub live_reload: bool,
    /// Presentation starts on normal vs think slides.
    pub pair_slide: bool,
    /// Theme to start with (screenshots); `None` = the remembered or the system's.
    pub theme: Option<Theme>,
    /// Where grid thumbnails are kept between sessions (`None`: decoded every session).
    pub thumbnail_store: Option<PathBuf>,
    /// From how many items the list is filtered in the background (`None`: the default).
    pub background_filter_from: Option<usize>,
    /// How often remote runs are listed again (`None`: every 5 seconds).
    pub remote_poll_every: Option<std::time::Duration>,
}

pub struct InspectorApp {
    pub state: AppState,
    loader: Loader,
    images: ImageCache,
    commands: Vec<Command>,
    screenshot: Option<ScreenshotJob>,
    select_on_load: Option<String>,
    /// The annotations database; `None` when it could not be opened (the notice says why).
    writer: Option<unisandbox_core::annotation_writer::AnnotationWriter>,
    /// The writer's problem as last shown (a notice is shown when it changes).
    writer_problem: Option<String>,
    /// Messages from background exports, shown as the notice.
    export_messages: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    live_reload: bool,
    watcher: Option<FolderWatcher>,
    /// Lists the opened remote runs again every few seconds (live reload for them).
    remote_poller: Option<remote_poll::RemotePoller>,
    remote_poll_every: std::time::Duration,
    reload_timer: ReloadTimer,
    /// Files changed since the last reload started (their cached images are dropped on reload).
    changed_paths: BTreeSet<PathBuf>,
    /// Selection to restore once loading finishes (last session's, or kept across a reload).
    select_key_on_load: Option<ItemKey>,
    /// `state.ui.charts` no longer matches the data, annotations or toggles.
    charts_stale: bool,
    /// The Charts view's counts being computed in the background (large datasets).
    charts_job: Option<tokio::sync::oneshot::Receiver<charts_cache::ChartsCache>>,
    /// A filter pass running in the background (large datasets), and the pass the list wants:
    /// a result is taken only when it is the newest asked for.
    filter_job: Option<tokio::sync::oneshot::Receiver<Vec<usize>>>,
    filter_generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
    background_from: usize,
    /// To wake the UI when background work ends.
    ctx: egui::Context,
    /// Owns the background threads; dropped with the app.
    _runtime: tokio::runtime::Runtime,
}

impl InspectorApp {
    pub fn new(ctx: &egui::Context, options: StartOptions) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(4)
            .thread_name("inspector-bg")
            .build()
            .unwrap_or_else(|err| panic!("cannot start the background runtime: {err}"));
        crate::views::style::apply(ctx);
        let handle = runtime.handle().clone();
        let select_on_load = options
            .screenshot
            .as_ref()
            .and_then(|(plan, _)| plan.select.clone());
        let screenshotting = options.screenshot.is_some();
        let mut app = Self {
            state: AppState {
                benchmark: options.benchmark.clone(),
                sample_runs: crate::samples::bundled_sample_runs(),
                settings: state::Settings {
                    grid_thumbnail: persist::DEFAULT_THUMBNAIL,
                    cache_budget_mb: persist::DEFAULT_CACHE_BUDGET_MB,
                    series_edits: Default::default(),
                    ..Default::default()
                },
                ui: state::ViewState {
                    view: options.view,
                    pair_slide: options.pair_slide,
                    ..Default::default()
                },
                ..AppState::default()
            },
            loader: Loader::new(handle.clone()),
            images: ImageCache::new(handle, DEFAULT_BUDGET_BYTES).with_thumbnail_store(
                options.thumbnail_store.as_deref().and_then(|path| {
                    thumbnail_store::ThumbnailStore::open(
                        path,
                        thumbnail_store::DEFAULT_BUDGET_BYTES,
                    )
                    .ok()
                }),
            ),
            commands: Vec::new(),
            screenshot: options
                .screenshot
                .map(|(plan, outcome)| ScreenshotJob::new(plan, outcome)),
            select_on_load,
            writer: None,
            writer_problem: None,
            export_messages: Default::default(),
            live_reload: options.live_reload && !screenshotting,
            watcher: None,
            remote_poller: None,
            remote_poll_every: options.remote_poll_every.unwrap_or(remote_poll::POLL_EVERY),
            reload_timer: ReloadTimer::default(),
            changed_paths: BTreeSet::new(),
            select_key_on_load: None,
            charts_stale: true,
            charts_job: None,
            filter_job: None,
            filter_generation: Default::default(),
            background_from: options
                .background_filter_from
                .unwrap_or(background::BACKGROUND_FROM),
            ctx: ctx.clone(),
            _runtime: runtime,
        };
        app.open_annotations(options.annotations);
        if let Some(restore) = options.restore {
            app.restore(ctx, restore, &options.paths);
        }
        if let Some(theme) = options.theme {
            app.state.settings.theme = theme;
            ctx.set_theme(theme.preference());
        }
        app.open(ctx, options.paths);
        app
    }

    /// Queues a command as if a view had pushed it (scripted drivers: the frame-time benchmark).
    pub fn push_command(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// True once loading finished, the list is filtered, the shown view's counts are done and no
    /// visible image is still decoding.
    pub fn is_idle(&self) -> bool {
        !self.loader.is_loading()
            && self.filter_job.is_none()
            && self.charts_job.is_none()
            && !(self.charts_stale && self.state.ui.view.shows_counts())
            && self.images.pending() == 0
    }

    fn open(&mut self, ctx: &egui::Context, paths: Vec<PathBuf>) {
        // Absolute paths: recent runs must reopen from any working directory.
        let paths: Vec<PathBuf> = paths.into_iter().map(absolute).collect();
        self.state.data.dataset = Default::default();
        self.state.data.insights = Default::default();
        self.state.data.search = Default::default();
        self.state.data.item_index = Default::default();
        self.state.ui.compare = compare::CompareState::default();
        self.state.ui.review = Default::default();
        self.state.data.suspect_keys = Default::default();
        self.state.ui.filtered.clear();
        self.state.ui.selected = None;
        self.state.ui.zoom = None;
        self.state.opened = paths.clone();
        // Remote URLs are replaced by their mirrors when the loader has fetched them.
        self.state.local_roots = paths.clone();
        self.state.remote.clear();
        self.state.unopened.clear();
        self.remote_poller = None;
        self.state.last_reload = None;
        self.images.clear();
        self.reload_timer.reset();
        self.changed_paths.clear();
        self.watch(ctx, &paths);
        // With live reload, a cached remote run opens at once and is listed right after; a
        // screenshot lists first, so it shows the store as it is.
        let freshness = if self.live_reload {
            unisandbox_remote::Freshness::CachedFirst
        } else {
            unisandbox_remote::Freshness::Listed
        };
        self.loader
            .start(paths, self.state.benchmark.clone(), freshness, ctx);
        self.state.progress = self.loader.progress;
    }

    /// Swaps in what the background load sent: the first rows, or everything with what is
    /// derived from it.
    fn take_load(&mut self, update: loader::LoadUpdate) {
        if let Some(resolved) = update.resolved {
            self.take_resolved(resolved);
        }
        if let Some(usage) = update.cache_usage {
            self.state.cache_usage = usage;
        }
        if let Some(dataset) = update.dataset {
            self.state.data.dataset = dataset;
            self.charts_changed();
        }
        if !update.corrupt_images.is_empty() {
            // The loader has let go of its copy, so this marks the images in place (it copies
            // only while an export still holds the old data). Items and their order stay.
            let dataset = std::sync::Arc::make_mut(&mut self.state.data.dataset);
            unisandbox_core::load::image_check::apply_image_checks(dataset, update.corrupt_images);
            loader::finish(dataset);
        }
        let Some(derived) = update.derived else {
            self.refilter();
            return;
        };
        self.state.set_derived(derived);
        if let Some(key) = self.select_key_on_load.take() {
            self.state.ui.selected = self.state.item_index_of(&key);
            self.state.frame.scroll_to_selected = true;
        }
        self.refilter();
        if !self.state.data.dataset.folders.is_empty() {
            persist::remember(
                &mut self.state.settings.recent,
                RecentRun::of(
                    &self.state.opened,
                    self.state.benchmark.clone(),
                    &self.state.data.dataset,
                ),
            );
        }
    }

    /// Enters or leaves the presentation (full screen unless taking a screenshot).
    fn present(&mut self, ctx: &egui::Context, on: bool) {
        if on == (self.state.ui.view == View::Presentation) {
            return;
        }
        if on {
            // Leave the search box now, so not even the first slide key goes to it.
            ctx.memory_mut(|memory| memory.stop_text_input());
            self.state.ui.view_before_presentation = self.state.ui.view;
            self.state.ui.view = View::Presentation;
            if self.state.ui.selected.is_none() {
                self.state.ui.selected = self.state.ui.filtered.first().copied();
            }
        } else {
            self.state.ui.view = match self.state.ui.view_before_presentation {
                View::Presentation => View::Items,
                view => view,
            };
            self.state.frame.scroll_to_selected = true;
        }
        // (The early return above means `on` is a change.)
        if self.screenshot.is_none() {
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(on));
        }
    }

    fn apply(&mut self, ctx: &egui::Context, command: Command) {
        // (Loading marks the charts stale itself.)
        if matches!(
            command,
            Command::ToggleTag(..)
                | Command::SetExcludeSuspect(_)
                | Command::SetExcludeJudgeFailures(_)
                | Command::SetHumanCorrected(_)
        ) {
            self.charts_changed();
        }
        let state = &mut self.state;
        match command {
            open @ (Command::Open(_)
            | Command::OpenFolderDialog
            | Command::SetRemoteInput(_)
            | Command::SetCacheBudget(_)
            | Command::OpenRecent(_)) => self.apply_open(ctx, open),
            Command::SetView(View::Presentation) => self.present(ctx, true),
            Command::SetView(view) => {
                if state.ui.view == View::Presentation {
                    self.present(ctx, false);
                }
                if view == View::Strip && self.state.ui.view != View::Strip {
                    // The strip opens at the selected item's own checkpoint.
                    self.state.ui.strip_step = None;
                }
                self.state.ui.view = view;
                self.state.frame.scroll_to_selected = true;
                if view == View::Review && !self.state.ui.review.built {
                    let sample = self.state.ui.review.sample;
                    self.start_review(sample);
                }
            }
            Command::Present(on) => self.present(ctx, on),
            Command::TogglePairSlide => state.ui.pair_slide = !state.ui.pair_slide,
            Command::SetTheme(theme) => {
                state.settings.theme = theme;
                ctx.set_theme(theme.preference());
            }
            Command::SetGridThumbnail(side) => {
                state.settings.grid_thumbnail = side.clamp(
                    *persist::THUMBNAIL_RANGE.start(),
                    *persist::THUMBNAIL_RANGE.end(),
                )
            }
            // Not from inside an input closure: the context is locked there.
            Command::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            Command::FocusSearch => {
                if !matches!(state.ui.view, View::Items | View::Grid) {
                    if state.ui.view == View::Presentation {
                        self.present(ctx, false);
                    }
                    self.state.ui.view = View::Items;
                }
                self.state.frame.focus_search = true;
            }
            Command::SetFilters(filters) => {
                state.ui.filters = filters;
                self.refilter();
                self.state.frame.scroll_to_selected = true;
            }
            Command::Select(index) => state.ui.selected = Some(index),
            Command::MoveSelection(delta) => {
                if !state.ui.filtered.is_empty() {
                    let current = state.selected_row().map(|r| r as i64).unwrap_or(-1);
                    let row =
                        (current + delta).clamp(0, state.ui.filtered.len() as i64 - 1) as usize;
                    state.ui.selected = Some(state.ui.filtered[row]);
                    state.frame.scroll_to_selected = true;
                }
            }
            Command::Zoom(path) => state.ui.zoom = path,
            Command::SetChartRun(run) => state.ui.chart_run = run,
            Command::SetExcludeSuspect(on) => state.ui.exclude_suspect = on,
            Command::SetExcludeJudgeFailures(on) => state.ui.exclude_judge_failures = on,
            Command::SetHumanCorrected(on) => state.ui.human_corrected = on,
            Command::Export(kind) => self.export(ctx, kind),
            annotation @ (Command::ToggleTag(..)
            | Command::ToggleStarOfSelection
            | Command::ToggleTagOfSelection(_)
            | Command::ToggleStar(_)
            | Command::SetNote(..)
            | Command::AddTagName(_)) => self.apply_annotation(ctx, annotation),
            Command::SetGridColumns(columns) => state.ui.grid_columns = columns,
            Command::SetChartRect(rect) => state.ui.chart_rect = Some(rect),
            compare @ (Command::SetCompareSides(_)
            | Command::SetFlipFilter(_)
            | Command::CompareSelect(_)
            | Command::CompareMove(_)
            | Command::CompareFocus(_)) => self.apply_compare(compare),
            review @ (Command::SetReviewSample(_)
            | Command::ReviewVerdict(_)
            | Command::ReviewFixKey
            | Command::ReviewFixKeyText(_)
            | Command::ReviewCorrectedAnswer(_)
            | Command::ReviewUndo
            | Command::ReviewMove(_)
            | Command::SetReviewReason(_)
            | Command::SetReviewer(_)) => self.apply_review(review),
            Command::StripMove(by) => {
                if let Some(strip) = crate::strip::strip_of(&self.state) {
                    let at =
                        (strip.current as i64 + by).clamp(0, strip.cells.len() as i64 - 1) as usize;
                    self.state.ui.strip_step = Some(strip.cells[at].0);
                }
            }
            Command::StripStep(position) => self.state.ui.strip_step = Some(position),
            Command::SetSeriesEdits(edits) => {
                let key = crate::state::series_key(&self.state.opened);
                if edits == Default::default() {
                    self.state.settings.series_edits.remove(&key);
                } else {
                    self.state.settings.series_edits.insert(key, edits);
                }
                self.charts_changed();
            }
        }
    }

    /// Opening runs: folders, the dialog, a URL, recent runs, the remote cache's budget.
    fn apply_open(&mut self, ctx: &egui::Context, command: Command) {
        match command {
        // Other folders: the previous runs' benchmark file does not apply to them.
        Command::Open(paths) => {
            self.state.benchmark = None;
            self.open(ctx, paths)
        }
        Command::OpenFolderDialog => match dialogs::pick_folders() {
            Some(paths) => {
                self.state.benchmark = None;
                self.open(ctx, paths)
            }
            _ => {
                self.state.frame.notice = Some(
                    "No folder chosen. If no dialog appeared, this system has no file-dialog service: start the app with folders as arguments (unisandbox-inspector PATH…).".into(),
                )
            }
        },
        Command::SetRemoteInput(text) => self.state.ui.remote_input = text,
        Command::SetCacheBudget(mb) => {
            self.state.settings.cache_budget_mb = mb.max(1);
            unisandbox_remote::cache::set_budget(self.state.settings.cache_budget_mb << 20);
        }
        Command::OpenRecent(run) => match run
            .paths
            .iter()
            .find(|p| !p.exists() && !unisandbox_remote::is_remote(p))
        {
            Some(missing) => {
                self.state.frame.notice = Some(format!("{} no longer exists.", missing.display()))
            }
            None => {
                self.state.benchmark = run.benchmark.clone();
                self.open(ctx, run.paths);
            }
        },
            // `apply` sends only this concern's commands here.
            other => debug_assert!(false, "apply_open got {other:?}"),
        }
    }

    /// Tags, stars, notes and tag names: the cached copy at once, the database by the writer.
    fn apply_annotation(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::ToggleTag(item, tag) => self.annotate(item, |key, a| {
                let on = !a.tags.contains(&tag);
                if on {
                    a.tags.insert(tag.clone());
                } else {
                    a.tags.remove(&tag);
                }
                Write::Tag {
                    key: key.clone(),
                    tag,
                    on,
                }
            }),
            Command::ToggleStarOfSelection => {
                if let Some(item) = self.state.ui.selected {
                    self.apply(ctx, Command::ToggleStar(item));
                }
            }
            Command::ToggleTagOfSelection(tag) => {
                if let Some(item) = self.state.ui.selected {
                    self.apply(ctx, Command::ToggleTag(item, tag));
                }
            }
            Command::ToggleStar(item) => self.annotate(item, |key, a| {
                a.starred = !a.starred;
                Write::Starred {
                    key: key.clone(),
                    starred: a.starred,
                }
            }),
            Command::SetNote(key, note) => self.annotate_key(key, |key, a| {
                a.note = note.clone();
                Write::Note {
                    key: key.clone(),
                    note,
                }
            }),
            Command::AddTagName(name) => {
                let name = name.trim().to_string();
                if let (Some(writer), false) = (&mut self.writer, name.is_empty()) {
                    writer.send(Write::TagName(name.clone()));
                    if !self.state.tag_names.contains(&name) {
                        self.state.tag_names.push(name);
                    }
                }
            }
            // `apply` sends only this concern's commands here.
            other => debug_assert!(false, "apply_annotation got {other:?}"),
        }
    }

    /// The Compare view's sides, flip set and selection.
    fn apply_compare(&mut self, command: Command) {
        match command {
            Command::SetCompareSides(sides) => {
                self.state.ui.compare.sides = sides;
                self.state.ui.compare.flip_filter = None;
                self.state
                    .ui
                    .compare
                    .refresh(&self.state.data.dataset, &self.state.data.item_index);
            }
            Command::SetFlipFilter(filter) => {
                self.state.ui.compare.flip_filter = filter;
                self.state.ui.compare.selected = 0;
                self.state.ui.compare.clamp();
            }
            Command::CompareSelect(row) => {
                self.state.ui.compare.selected = row;
                self.state.ui.compare.clamp();
            }
            Command::CompareMove(delta) => {
                self.state.ui.compare.move_selection(delta);
                self.state.frame.scroll_to_selected = true;
            }
            Command::CompareFocus(delta) => self.state.ui.compare.move_focus(delta),
            // `apply` sends only this concern's commands here.
            other => debug_assert!(false, "apply_compare got {other:?}"),
        }
    }

    /// Selects the first filtered item whose id (or `stem/id`, or `run/setting/stem/id`) matches.
    fn select_by_name(&mut self, name: &str) {
        let data = &self.state.data.dataset;
        let found = self.state.ui.filtered.iter().copied().find(|&i| {
            let item = &data.items[i];
            let folder = data.folder_of(item);
            item.id == name
                || format!("{}/{}", folder.stem, item.id) == name
                || format!(
                    "{}/{}/{}/{}",
                    folder.run, folder.setting, folder.stem, item.id
                ) == name
        });
        match found {
            Some(index) => self.state.ui.selected = Some(index),
            None => self.state.frame.notice = Some(format!("--select {name}: no such item")),
        }
    }
}

/// The canonical path when it exists (symlinks and `..` resolved), else the path as given (a
/// remote URL stays as typed).
fn absolute(path: PathBuf) -> PathBuf {
    if unisandbox_remote::is_remote(&path) {
        return path;
    }
    std::fs::canonicalize(&path).unwrap_or(path)
}

impl eframe::App for InspectorApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.images.begin_frame(ctx);
        self.poll_background();
        if let Some(update) = self.loader.poll() {
            self.take_load(update);
        }
        self.state.progress = self.loader.progress;
        if let Some(problem) = self.loader.take_problem() {
            self.state.frame.notice = Some(problem);
        }
        if let Some(reloaded) = self.loader.take_reloaded() {
            self.finish_reload(reloaded);
            ctx.request_repaint();
        }
        if self.state.progress.finished
            && let Some(name) = self.select_on_load.take()
        {
            self.select_by_name(&name);
            self.state.frame.scroll_to_selected = true;
        }
        if let Ok(mut messages) = self.export_messages.lock()
            && let Some(last) = messages.drain(..).next_back()
        {
            self.state.frame.notice = Some(last);
        }
        self.live_reload(ctx);
        self.dropped_files(ctx);
        self.keyboard(ctx);
        self.writer_status();
        // Review mode opened before the data arrived (a restored session): queue it once loaded.
        if self.state.ui.view == View::Review
            && !self.state.ui.review.built
            && self.state.progress.finished
            && !self.state.ui.filtered.is_empty()
        {
            let sample = self.state.ui.review.sample;
            self.start_review(sample);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        if self.charts_stale && self.state.ui.view.shows_counts() {
            self.refresh_charts();
        }
        crate::views::root_ui(ui, &self.state, &mut self.images, &mut self.commands);
        self.state.frame.scroll_to_selected = false;
        self.state.frame.focus_search = false;
        for command in std::mem::take(&mut self.commands) {
            self.apply(&ctx, command);
        }
        if self.screenshot.is_some() {
            let idle = self.is_idle() && self.select_on_load.is_none();
            if let Some(job) = &mut self.screenshot {
                job.step(&ctx, idle);
            }
        }
    }

    /// The last annotations are committed before the window goes (dropping the writer would
    /// too; this makes it happen before eframe tears the window down).
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Some(writer) = &self.writer {
            writer.flush(std::time::Duration::from_secs(10));
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.screenshot.is_none() {
            eframe::set_value(storage, persist::STORAGE_KEY, &self.persisted());
        }
    }
}

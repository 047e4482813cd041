//! Everything a view can ask for. Views push commands; the app applies them once per frame.

use std::path::PathBuf;

use unisandbox_core::filters::Filters;

pub use crate::persist::View;

/// What the export buttons write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// The filtered items of the Items view.
    Items(unisandbox_core::export::ExportFormat),
    /// The accuracy table of the Charts view.
    Table(unisandbox_core::export::ExportFormat),
    /// The chart as shown, as PNG.
    ChartPng,
    /// The first training run's trajectory: its points as CSV or LaTeX, its chart as SVG or PNG
    /// (drawn by plotters, not a screenshot).
    Trajectory(TrajectoryExport),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrajectoryExport {
    Csv,
    Latex,
    Svg,
    Png,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Replace the opened folders with these and load them.
    Open(Vec<PathBuf>),
    /// Ask for a folder with the system dialog, then open it.
    OpenFolderDialog,
    /// The Start page's URL box changed.
    SetRemoteInput(String),
    /// The remote cache's size budget, in MiB.
    SetCacheBudget(u64),
    /// Open a recently opened folder set again (with its benchmark).
    OpenRecent(crate::persist::RecentRun),
    /// Enter (true) or leave the presentation.
    Present(bool),
    /// Presentation: switch between one item and its normal vs think pair.
    TogglePairSlide,
    SetTheme(crate::persist::Theme),
    /// Grid thumbnail side in points.
    SetGridThumbnail(f32),
    /// Put the keyboard focus into the search box (Ctrl+F).
    FocusSearch,
    /// Close the window the normal way, so eframe saves the session (Ctrl+Q).
    Quit,
    SetView(View),
    SetFilters(Filters),
    /// Select the item with this dataset index.
    Select(usize),
    /// Move the selection by this many rows of the filtered list.
    MoveSelection(i64),
    /// Show an image full-window, or close the zoom.
    Zoom(Option<PathBuf>),
    /// Chart one run, or all runs side by side.
    SetChartRun(Option<String>),
    /// Leave items with suspect answer keys out of the charted accuracy.
    SetExcludeSuspect(bool),
    /// Chart accuracy over the items the judge actually judged.
    SetExcludeJudgeFailures(bool),
    /// Chart accuracy with human verdicts replacing the judge's (or the judge's alone).
    SetHumanCorrected(bool),
    /// Toggle an annotation tag on the item with this dataset index.
    ToggleTag(usize, String),
    ToggleStar(usize),
    /// Keys act on the selection as it is when the command is applied (after the arrow keys
    /// typed before them), not as it was when the key was read.
    ToggleStarOfSelection,
    ToggleTagOfSelection(String),
    /// The grid's column count as last laid out, for its arrow keys.
    SetGridColumns(usize),
    /// Where the accuracy chart was drawn (for "Save chart as PNG").
    SetChartRect(egui::Rect),
    /// Replace the note of the item with this key (a key, not an index: a reload between
    /// typing and saving must not move the note to another item).
    SetNote(unisandbox_core::model::ItemKey, String),
    /// Offer a new tag from now on.
    AddTagName(String),
    /// Save an export chosen with the save dialog.
    Export(ExportKind),
    /// Compare these sides (run + setting), in this order.
    SetCompareSides(Vec<unisandbox_core::analysis::flips::Side>),
    /// List only the items of one flip set, or all.
    SetFlipFilter(Option<crate::compare::FlipFilter>),
    /// Select this row of the Compare list.
    CompareSelect(usize),
    CompareMove(i64),
    CompareFocus(i64),
    /// Review the list's judged items again, all or a sample.
    SetReviewSample(unisandbox_core::review::Sample),
    /// The human verdict on the item under review; moves on to the next.
    ReviewVerdict(unisandbox_core::annotations::Human),
    /// Start typing the right answer for the item under review (its key is wrong).
    ReviewFixKey,
    /// The right answer as typed so far.
    ReviewFixKeyText(String),
    /// The right answer typed (`None`: given up); the Y/N that follows judges against it.
    ReviewCorrectedAnswer(Option<String>),
    /// Take back the last verdict given in this session.
    ReviewUndo,
    ReviewMove(i64),
    /// The reason to store with the next verdict.
    SetReviewReason(String),
    SetReviewer(String),
    /// Move the strip's current checkpoint by this many steps.
    StripMove(i64),
    /// Make this position of the series the strip's current checkpoint.
    StripStep(usize),
    /// How the user edited the training runs' series (for the opened folder set).
    SetSeriesEdits(unisandbox_core::analysis::trajectory::SeriesEdits),
}

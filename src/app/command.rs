//! Everything a view can ask for. Views push commands; the app applies them once per frame.

use std::path::PathBuf;

use crate::app::filters::Filters;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum View {
    #[default]
    Items,
    Compare,
    Charts,
    Diagnostics,
}

/// What the export buttons write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// The filtered items of the Items view.
    Items(crate::export::ExportFormat),
    /// The accuracy table of the Charts view.
    Table(crate::export::ExportFormat),
    /// The chart as shown, as PNG.
    ChartPng,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Replace the opened folders with these and load them.
    Open(Vec<PathBuf>),
    /// Ask for a folder with the system dialog, then open it.
    OpenFolderDialog,
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
    /// Toggle an annotation tag on the item with this dataset index.
    ToggleTag(usize, String),
    ToggleStar(usize),
    /// Replace the item's note.
    SetNote(usize, String),
    /// Offer a new tag from now on.
    AddTagName(String),
    /// Save an export chosen with the save dialog.
    Export(ExportKind),
    /// Compare these sides (run + setting), in this order.
    SetCompareSides(Vec<crate::analysis::flips::Side>),
    /// List only the items of one flip set, or all.
    SetFlipFilter(Option<crate::app::compare::FlipFilter>),
    /// Select this row of the Compare list.
    CompareSelect(usize),
    CompareMove(i64),
    CompareFocus(i64),
}

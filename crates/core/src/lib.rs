//! The inspector's core: everything that is true of a run without a window or an object store.
//!
//! Modules, bottom up (a module imports only from those above it in this list):
//! `text` (how numbers read), `mirrors` (how copies of remote folders are named, registered
//! from above) and `diagnostics`;
//! `taxonomy` (task names); `model` (runs, items, verdicts); `load` (disk → model +
//! diagnostics); `analysis` (accuracy, intervals, flips, failure taxonomy, audit, agreement);
//! `search`, `item_index`, `filters`; `annotations` and its writer; `review`; `export` and
//! `report` (files and text for people).

pub mod analysis;
pub mod annotation_writer;
pub mod annotations;
pub mod companion;
pub mod diagnostics;
pub mod export;
pub mod figure;
pub mod filters;
pub mod item_index;
pub mod load;
pub mod mirrors;
pub mod model;
pub mod report;
pub mod review;
pub mod search;
pub mod taxonomy;
pub mod text;

/// What a caught panic said, for a message to the user.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

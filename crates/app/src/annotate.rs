//! Annotation commands: the cached copy the views read changes at once, and the write goes to
//! the writer thread (`annotation_writer`), which commits within a fraction of a second; a
//! database that cannot be written shows as a notice, never as a frozen window.

use std::path::PathBuf;

use super::InspectorApp;
use unisandbox_core::annotation_writer::{AnnotationWriter, Write};
use unisandbox_core::annotations::Annotation;
use unisandbox_core::model::ItemKey;

impl InspectorApp {
    pub(super) fn open_annotations(&mut self, path: Option<PathBuf>) {
        use unisandbox_core::annotations::AnnotationStore;
        let opened = path
            .map(Ok)
            .unwrap_or_else(AnnotationStore::default_path)
            .and_then(|path| AnnotationStore::open(&path))
            .and_then(|store| Ok((store.load_all()?, store.tag_names()?, store)));
        match opened {
            Ok((all, names, store)) => {
                self.state.annotations = all;
                self.state.tag_names = names;
                self.state.annotations_file = Some(store.path().to_path_buf());
                let ctx = self.ctx.clone();
                self.writer = Some(AnnotationWriter::start(store, move || {
                    ctx.request_repaint()
                }));
            }
            Err(err) => {
                self.state.tag_names = unisandbox_core::annotations::DEFAULT_TAGS
                    .iter()
                    .map(|t| t.to_string())
                    .collect();
                self.state.frame.notice = Some(format!("Annotations are off: {err}"));
            }
        }
    }

    /// Changes one item's annotation in the cache and queues the write `change` returns.
    pub(super) fn annotate(
        &mut self,
        item: usize,
        change: impl FnOnce(&ItemKey, &mut Annotation) -> Write,
    ) {
        let Some(found) = self.state.data.dataset.items.get(item) else {
            return;
        };
        let key = self.state.data.dataset.annotation_key_of(found);
        self.annotate_key(key, change);
    }

    pub(super) fn annotate_key(
        &mut self,
        key: ItemKey,
        change: impl FnOnce(&ItemKey, &mut Annotation) -> Write,
    ) {
        let Some(writer) = &mut self.writer else {
            self.state.frame.notice =
                Some("Annotations are off (the database could not be opened).".into());
            return;
        };
        let mut annotation = self
            .state
            .annotations
            .get(&key)
            .cloned()
            .unwrap_or_default();
        writer.send(change(&key, &mut annotation));
        if annotation.is_empty() {
            self.state.annotations.remove(&key);
        } else {
            self.state.annotations.insert(key, annotation);
        }
        let filters = &self.state.ui.filters;
        if filters.tag.is_some() || filters.starred || filters.disagree {
            self.refilter();
        }
    }

    /// Shows once when writes start failing (and when they land again).
    pub(super) fn writer_status(&mut self) {
        let Some(writer) = &self.writer else { return };
        let status = writer.status();
        if status.problem == self.writer_problem {
            return;
        }
        self.state.frame.notice = Some(match &status.problem {
            Some(problem) => format!(
                "Annotations not saved yet ({} change(s) waiting; retrying): {problem}",
                status.waiting
            ),
            None => "Annotations saved.".to_string(),
        });
        self.writer_problem = status.problem;
    }
}

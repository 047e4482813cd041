//! Annotation commands: every change goes to the SQLite store first, then to the cached copy the
//! views read, so a failed write never shows as saved.

use std::path::PathBuf;

use super::InspectorApp;

impl InspectorApp {
    pub(super) fn open_annotations(&mut self, path: Option<PathBuf>) {
        use crate::annotations::AnnotationStore;
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
                self.store = Some(store);
            }
            Err(err) => {
                self.state.tag_names = crate::annotations::DEFAULT_TAGS
                    .iter()
                    .map(|t| t.to_string())
                    .collect();
                self.state.notice = Some(format!("Annotations are off: {err}"));
            }
        }
    }

    /// Writes one annotation change to the store, then to the cache; a failed write changes nothing.
    pub(super) fn annotate(
        &mut self,
        item: usize,
        change: impl FnOnce(
            &crate::annotations::AnnotationStore,
            &crate::annotations::AnnotationKey,
            &mut crate::annotations::Annotation,
        ) -> Result<(), crate::annotations::AnnotationError>,
    ) {
        let Some(store) = &self.store else {
            self.state.notice =
                Some("Annotations are off (the database could not be opened).".into());
            return;
        };
        let Some(found) = self.state.dataset.items.get(item) else {
            return;
        };
        let key = crate::annotations::AnnotationKey::of(&self.state.dataset, found);
        let mut annotation = self
            .state
            .annotations
            .get(&key)
            .cloned()
            .unwrap_or_default();
        match change(store, &key, &mut annotation) {
            Ok(()) => {
                if annotation.is_empty() {
                    self.state.annotations.remove(&key);
                } else {
                    self.state.annotations.insert(key, annotation);
                }
                if self.state.filters.tag.is_some() || self.state.filters.starred {
                    self.refilter();
                }
            }
            Err(err) => self.state.notice = Some(format!("Annotation not saved: {err}")),
        }
    }
}

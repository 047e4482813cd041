//! Text search over prompts, answers and judge captions, built once per loaded dataset.
//!
//! Every checkpoint and setting asks the same benchmark questions, and judges repeat the same
//! captions, so the lowercased texts are kept once each and items point at them: a keystroke
//! scans the distinct texts (a few percent of a million items' text) and then one bit per item.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use rayon::prelude::*;

use crate::model::{Dataset, Item};

/// Separates fields inside one searchable text; nobody types it, so no match spans two fields.
const FIELD_SEPARATOR: char = '\u{1}';

#[derive(Clone, Debug, Default)]
pub struct SearchIndex {
    /// Distinct lowercased texts (a reload may leave some no item uses any more: harmless).
    texts: Vec<Arc<str>>,
    /// Where each text is in `texts` (sharing it), so a reload can add texts without building
    /// anew.
    known: FxHashMap<Arc<str>, u32>,
    /// Per item: its prompt+answer text and its caption text (indices into `texts`).
    items: Vec<[u32; 2]>,
}

impl SearchIndex {
    pub fn build(dataset: &Dataset) -> SearchIndex {
        SearchIndex::default().rebuilt(None, dataset)
    }

    /// The index of `dataset`, reusing this one (built for `previous`) for the items both hold
    /// (the same `Arc`s, kept by a reload): only new items are lowercased.
    pub fn rebuilt(&self, previous: Option<&Dataset>, dataset: &Dataset) -> SearchIndex {
        let reuse = previous
            .filter(|old| self.covers(old.items.len()))
            .map(crate::model::items_by_identity);
        let mut index = match &reuse {
            Some(_) => SearchIndex {
                texts: self.texts.clone(),
                known: self.known.clone(),
                items: Vec::new(),
            },
            None => SearchIndex::default(),
        };
        // Lowercasing is the work: on all cores, a chunk at a time (so only one chunk's texts
        // wait to be shared), then the texts are shared in one pass.
        const CHUNK: usize = 16 * 1024;
        let mut items = Vec::with_capacity(dataset.items.len());
        for chunk in dataset.items.chunks(CHUNK) {
            let found: Vec<Result<[u32; 2], (String, String)>> = chunk
                .par_iter()
                .map(|item| {
                    reuse
                        .as_ref()
                        .and_then(|by_identity| by_identity.get(&crate::model::identity(item)))
                        .map(|&at| self.items[at])
                        .ok_or_else(|| searchable(item))
                })
                .collect();
            for found in found {
                items.push(match found {
                    Ok(known) => known,
                    Err((prompts, captions)) => [index.intern(prompts), index.intern(captions)],
                });
            }
        }
        index.items = items;
        index
    }

    /// The position of `text` among the distinct texts, added if new.
    fn intern(&mut self, text: String) -> u32 {
        if let Some(&at) = self.known.get(text.as_str()) {
            return at;
        }
        let at = self.texts.len() as u32;
        let text: Arc<str> = text.into();
        self.texts.push(text.clone());
        self.known.insert(text, at);
        at
    }

    /// True when the index was built for a dataset of this many items.
    pub fn covers(&self, items: usize) -> bool {
        self.items.len() == items
    }

    /// Which items match `needle` (already lowercased and trimmed, not empty): one flag per item.
    pub fn matching(&self, dataset: &Dataset, needle: &str) -> Vec<bool> {
        let text_hits: Vec<bool> = self
            .texts
            .par_iter()
            .map(|text| text.contains(needle))
            .collect();
        dataset
            .items
            .par_iter()
            .zip(self.items.par_iter())
            .map(|(item, [prompts, captions])| {
                text_hits[*prompts as usize]
                    || text_hits[*captions as usize]
                    || id_matches(&item.id, needle)
            })
            .collect()
    }
}

/// What search looks at: an exact id, or a substring of a prompt, answer or caption.
pub fn item_matches(item: &Item, needle: &str) -> bool {
    let (prompts, captions) = searchable(item);
    id_matches(&item.id, needle) || prompts.contains(needle) || captions.contains(needle)
}

fn id_matches(id: &str, needle: &str) -> bool {
    if id.is_ascii() {
        id.eq_ignore_ascii_case(needle)
    } else {
        id.to_lowercase() == needle
    }
}

/// An item's lowercased prompt+answer text and caption text, fields apart.
fn searchable(item: &Item) -> (String, String) {
    let mut prompts = String::new();
    let mut captions = String::new();
    for part in &item.parts {
        for field in [&*part.question, part.answer.as_str()] {
            prompts.push_str(&field.to_lowercase());
            prompts.push(FIELD_SEPARATOR);
        }
        if let Some(caption) = &part.caption {
            captions.push_str(&caption.to_lowercase());
            captions.push(FIELD_SEPARATOR);
        }
    }
    (prompts, captions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Verdict;
    use crate::model::fixtures::{self, folder};

    fn dataset() -> Dataset {
        let mut data = Dataset::default();
        let mut captioned = fixtures::part("Make 3 Cups.", "3 cups", Verdict::No);
        captioned.caption = Some("Four Cups".into());
        data.push_folder(
            folder("r", "normal", "math_1"),
            vec![
                fixtures::item("1", captioned),
                fixtures::item("2", fixtures::part("Make 3 Cups.", "3 cups", Verdict::Yes)),
                fixtures::item("X7", fixtures::part("Draw a fork", "fork", Verdict::Yes)),
            ],
        );
        data
    }

    #[test]
    fn the_index_finds_what_a_scan_finds_and_shares_repeated_texts() {
        let data = dataset();
        let index = SearchIndex::build(&data);
        assert!(index.covers(3));
        // Two items share one prompt text; the captions are "four cups" and empty.
        assert_eq!(index.texts.len(), 4);
        for needle in ["cups", "four", "x7", "3 cups", "fork", "nothing", "1"] {
            let scanned: Vec<bool> = data.items.iter().map(|i| item_matches(i, needle)).collect();
            assert_eq!(index.matching(&data, needle), scanned, "{needle:?}");
        }
        assert_eq!(index.matching(&data, "four"), [true, false, false]);
        assert_eq!(index.matching(&data, "x7"), [false, false, true]);
        // A match never spans two fields: "cups." ends the prompt, "3 cups" is the answer.
        assert_eq!(index.matching(&data, "cups. 3"), [false, false, false]);
    }
}

//! Text search over prompts, answers, judge captions, reasoning traces and the judge's full
//! analysis, with a field choice and an optional regular expression.
//!
//! Every checkpoint and setting asks the same benchmark questions, and judges repeat the same
//! captions, so those lowercased texts are kept once each and items point at them: a keystroke
//! scans the distinct texts and then one bit per item. Traces and analyses are nearly all
//! distinct (hundreds of MB at a million items): they are not copied but scanned where they
//! are, case-insensitively, by the `regex` crate's literal-accelerated matcher, on all cores.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use rayon::prelude::*;

use crate::model::{Dataset, Item};

/// Separates fields inside one searchable text; nobody types it, so no match spans two fields.
const FIELD_SEPARATOR: char = '\u{1}';

/// Which texts a search looks at.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
pub enum SearchField {
    /// Everything below, and an exact id.
    #[default]
    All,
    /// The benchmark question and the trace's detailed prompt.
    Prompt,
    /// The answer key.
    Answer,
    /// The judge's short caption.
    Caption,
    /// The think trace: reasoning and detailed prompt.
    Trace,
    /// The judge's full two-phase analysis.
    Analysis,
}

impl SearchField {
    pub const ALL: [SearchField; 6] = [
        SearchField::All,
        SearchField::Prompt,
        SearchField::Answer,
        SearchField::Caption,
        SearchField::Trace,
        SearchField::Analysis,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SearchField::All => "all",
            SearchField::Prompt => "prompt",
            SearchField::Answer => "answer",
            SearchField::Caption => "caption",
            SearchField::Trace => "trace",
            SearchField::Analysis => "analysis",
        }
    }

    fn covers(self, field: SearchField) -> bool {
        self == SearchField::All || self == field
    }
}

/// A search as typed, compiled once: plain text (case-insensitive substring) or a regular
/// expression (case-insensitive), over some fields.
#[derive(Clone, Debug)]
pub struct Query {
    field: SearchField,
    /// The plain text, trimmed and lowercased (matched against the lowercased shared texts).
    needle: Option<String>,
    /// The matcher for texts as written (and, for a regular expression, for every text).
    pattern: regex::Regex,
}

impl Query {
    /// `None` for an empty search; an error in words for a pattern that does not compile.
    pub fn new(text: &str, field: SearchField, is_regex: bool) -> Result<Option<Query>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let source = if is_regex {
            text.to_string()
        } else {
            regex::escape(text)
        };
        let pattern = regex::RegexBuilder::new(&source)
            .case_insensitive(true)
            .size_limit(1 << 24)
            .build()
            .map_err(|err| match err {
                regex::Error::Syntax(message) => format!("not a regular expression: {message}"),
                other => format!("regular expression not usable: {other}"),
            })?;
        Ok(Some(Query {
            field,
            needle: (!is_regex).then(|| text.to_lowercase()),
            pattern,
        }))
    }

    /// A plain search of every field (tests, benches).
    pub fn plain(text: &str) -> Query {
        Query::new(text, SearchField::All, false)
            .ok()
            .flatten()
            .expect("a non-empty plain search compiles")
    }

    /// Whether a lowercased shared text matches.
    fn hits_lowercased(&self, text: &str) -> bool {
        match &self.needle {
            Some(needle) => text.contains(needle.as_str()),
            // Field by field, so that `^` and `$` mean a field's start and end.
            None => text
                .split(FIELD_SEPARATOR)
                .any(|field| self.pattern.is_match(field)),
        }
    }

    fn id_matches(&self, id: &str) -> bool {
        if self.field != SearchField::All {
            return false;
        }
        match &self.needle {
            Some(needle) if id.is_ascii() => id.eq_ignore_ascii_case(needle),
            Some(needle) => id.to_lowercase() == *needle,
            None => self
                .pattern
                .find(id)
                .is_some_and(|m| m.start() == 0 && m.end() == id.len()),
        }
    }

    /// Whether the item's traces (texts that are not shared: nearly every one is distinct)
    /// match.
    fn hits_unshared(&self, item: &Item) -> bool {
        let trace = self.field.covers(SearchField::Trace);
        let others = item
            .extras
            .iter()
            .flat_map(|e| e.other_traces.iter().map(|(_, t)| t));
        let mut traces = item
            .parts
            .iter()
            .filter_map(|p| p.trace.as_ref())
            .chain(others);
        traces.any(|t| {
            (trace && self.pattern.is_match(&t.reasoning))
                || t.detailed_prompt
                    .as_deref()
                    .is_some_and(|d| self.pattern.is_match(d))
        })
    }

    fn searches_unshared(&self) -> bool {
        matches!(
            self.field,
            SearchField::All | SearchField::Prompt | SearchField::Trace
        )
    }

    /// Which of an item's shared texts (question, answer, caption, analysis) the search reads.
    fn shared_fields(&self) -> [bool; 4] {
        [
            self.field.covers(SearchField::Prompt),
            self.field.covers(SearchField::Answer),
            self.field.covers(SearchField::Caption),
            self.field.covers(SearchField::Analysis),
        ]
    }
}

/// The shared texts an item points at: question, answer, caption and judge analysis texts
/// (indices into `SearchIndex::texts`). The judge's analyses are templated ("Generated Caption:
/// … Expected Answer: … Score: NO"), so they repeat as the captions do.
type ItemTexts = [u32; 4];

#[derive(Clone, Debug, Default)]
pub struct SearchIndex {
    /// Distinct lowercased texts (a reload may leave some no item uses any more: harmless).
    texts: Vec<Arc<str>>,
    /// Where each text is in `texts` (sharing it), so a reload can add texts without building
    /// anew.
    known: FxHashMap<Arc<str>, u32>,
    /// Per item: its question, answer and caption texts.
    items: Vec<ItemTexts>,
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
            let found: Vec<Result<ItemTexts, [String; 4]>> = chunk
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
                    Err([questions, answers, captions, analyses]) => [
                        index.intern(questions),
                        index.intern(answers),
                        index.intern(captions),
                        index.intern(analyses),
                    ],
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

    /// Which items match: one flag per item.
    pub fn matching(&self, dataset: &Dataset, query: &Query) -> Vec<bool> {
        self.matching_unless(dataset, query, &|| false)
            .unwrap_or_default()
    }

    /// `matching`, giving up (`None`) as soon as `cancelled` says so: a newer keystroke's
    /// query has made this one's answer useless.
    pub fn matching_unless(
        &self,
        dataset: &Dataset,
        query: &Query,
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Option<Vec<bool>> {
        let wanted = query.shared_fields();
        let text_hits: Vec<bool> = if wanted.contains(&true) {
            self.texts
                .par_iter()
                .map(|text| query.hits_lowercased(text))
                .collect()
        } else {
            Vec::new()
        };
        if cancelled() {
            return None;
        }
        // Chunks, so that a cancelled query stops within a chunk's time.
        const CHUNK: usize = 32 * 1024;
        let mut hits = Vec::with_capacity(dataset.items.len());
        for (items, texts) in dataset.items.chunks(CHUNK).zip(self.items.chunks(CHUNK)) {
            if cancelled() {
                return None;
            }
            hits.par_extend(
                items
                    .par_iter()
                    .zip(texts.par_iter())
                    .map(|(item, shared)| {
                        shared
                            .iter()
                            .zip(wanted)
                            .any(|(&text, wanted)| wanted && text_hits[text as usize])
                            || query.id_matches(&item.id)
                            || (query.searches_unshared() && query.hits_unshared(item))
                    }),
            );
        }
        Some(hits)
    }
}

/// What search looks at, without an index: the same answer `SearchIndex::matching` gives.
pub fn item_matches(item: &Item, query: &Query) -> bool {
    let wanted = query.shared_fields();
    query.id_matches(&item.id)
        || searchable(item)
            .iter()
            .zip(wanted)
            .any(|(text, wanted)| wanted && query.hits_lowercased(text))
        || (query.searches_unshared() && query.hits_unshared(item))
}

/// An item's lowercased question, answer, caption and analysis texts, parts apart.
fn searchable(item: &Item) -> [String; 4] {
    let mut texts: [String; 4] = Default::default();
    for part in &item.parts {
        let analysis = part.analysis.as_ref();
        let fields = [
            Some(&*part.question),
            Some(part.answer.as_str()),
            part.caption.as_deref(),
            analysis.map(|a| a.phase1.as_str()),
            analysis.map(|a| a.phase2.as_str()),
        ];
        let slots = [0, 1, 2, 3, 3];
        for (slot, field) in slots.into_iter().zip(fields) {
            if let Some(field) = field {
                texts[slot].push_str(&field.to_lowercase());
                texts[slot].push(FIELD_SEPARATOR);
            }
        }
    }
    texts
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
        // Two items share one prompt text and one answer; the captions are "four cups" and empty.
        assert_eq!(index.texts.len(), 6);
        for needle in ["cups", "four", "x7", "3 cups", "fork", "nothing", "1"] {
            let query = Query::plain(needle);
            let scanned: Vec<bool> = data.items.iter().map(|i| item_matches(i, &query)).collect();
            assert_eq!(index.matching(&data, &query), scanned, "{needle:?}");
        }
        assert_eq!(
            index.matching(&data, &Query::plain("four")),
            [true, false, false]
        );
        assert_eq!(
            index.matching(&data, &Query::plain("x7")),
            [false, false, true]
        );
        // A match never spans two fields: "cups." ends the prompt, "3 cups" is the answer.
        assert_eq!(
            index.matching(&data, &Query::plain("cups. 3")),
            [false, false, false]
        );
    }

    fn traced() -> Dataset {
        let mut data = dataset();
        let mut part = fixtures::part("Make 2 spoons.", "2 spoons", Verdict::No);
        part.trace = Some(crate::model::Trace {
            reasoning: "First, 7 - 5 = 2. So TWO spoons.".into(),
            detailed_prompt: Some("Two silver spoons on a plate.".into()),
            source: Default::default(),
        });
        part.analysis = Some(crate::model::JudgeAnalysis {
            phase1: "Caption: 3 spoons".into(),
            phase2: "**Score: NO**".into(),
        });
        data.push_folder(
            folder("r", "think", "math_1"),
            vec![fixtures::item("4", part)],
        );
        data
    }

    fn search(data: &Dataset, text: &str, field: SearchField, regex: bool) -> Vec<bool> {
        let query = Query::new(text, field, regex).unwrap().unwrap();
        let index = SearchIndex::build(data);
        let found = index.matching(data, &query);
        let scanned: Vec<bool> = data.items.iter().map(|i| item_matches(i, &query)).collect();
        assert_eq!(found, scanned, "{text:?} in {field:?}");
        found
    }

    #[test]
    fn fields_reach_traces_detailed_prompts_and_the_analysis() {
        let data = traced();
        use SearchField::*;
        assert_eq!(
            search(&data, "two spoons", All, false),
            [false, false, false, true]
        );
        assert_eq!(
            search(&data, "two spoons", Trace, false),
            [false, false, false, true]
        );
        assert_eq!(search(&data, "two spoons", Prompt, false), [false; 4]);
        assert_eq!(
            search(&data, "silver", Prompt, false),
            [false, false, false, true]
        );
        assert_eq!(
            search(&data, "score: no", Analysis, false),
            [false, false, false, true]
        );
        assert_eq!(search(&data, "score: no", Trace, false), [false; 4]);
        assert_eq!(
            search(&data, "cups", Answer, false),
            [true, true, false, false]
        );
        assert_eq!(
            search(&data, "four", Caption, false),
            [true, false, false, false]
        );
        assert_eq!(search(&data, "four", Prompt, false), [false; 4]);
    }

    #[test]
    fn regular_expressions_match_field_by_field_and_bad_ones_say_why() {
        let data = traced();
        use SearchField::*;
        assert_eq!(
            search(&data, r"\d - \d = 2", Trace, true),
            [false, false, false, true]
        );
        assert_eq!(
            search(&data, r"^3 cups$", Answer, true),
            [true, true, false, false]
        );
        assert_eq!(
            search(&data, r"^x\d$", All, true),
            [false, false, true, false]
        );
        assert_eq!(search(&data, r"cups\W+3", All, true), [false; 4]);
        let error = Query::new("(unclosed", All, true).unwrap_err();
        assert!(error.starts_with("not a regular expression:"), "{error}");
        assert!(Query::new("(unclosed", All, false).unwrap().is_some());
        assert!(Query::new("   ", All, true).unwrap().is_none());
    }

    #[test]
    fn a_cancelled_search_gives_up() {
        let data = traced();
        let index = SearchIndex::build(&data);
        assert_eq!(
            index.matching_unless(&data, &Query::plain("cups"), &|| true),
            None
        );
    }
}

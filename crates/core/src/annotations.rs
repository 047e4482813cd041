//! Annotations: failure-mode tags, a free note and a star per item, in SQLite.
//!
//! Stored in the user's data directory (or a file passed with `--annotations`), never in a run
//! folder. Keys use the checkpoint folder's *name*, the setting, the task stem and the item id,
//! so annotations survive moving or copying a run folder. The writer thread commits the changes
//! it has coalesced as one transaction (`apply`: all or none; WAL, busy timeout), so a crash
//! loses at most the changes not yet acknowledged, and two windows can write at once.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

use crate::model::{ItemKey, ItemKeyRef};

/// The tags offered before the user adds any; number keys 1–9 apply them in order.
pub const DEFAULT_TAGS: [&str; 8] = [
    "judge error",
    "benchmark error",
    "wrong count",
    "wrong object",
    "reasoning error",
    "drawing error",
    "text in image",
    "ambiguous",
];

/// The human verdicts of a set of annotations, found per item without building a key: what a
/// pass over every item (accuracy, agreement) uses, so a million items cost no allocation.
pub struct ReviewIndex<'a>(HashMap<ItemKeyRef<'a>, &'a Review>);

impl<'a> ReviewIndex<'a> {
    pub fn new(annotations: &'a Annotations) -> Self {
        ReviewIndex(
            annotations
                .iter()
                .filter_map(|(k, a)| a.review.as_ref().map(|review| (k.as_ref(), review)))
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(
        &self,
        dataset: &crate::model::Dataset,
        item: &crate::model::Item,
    ) -> Option<&'a Review> {
        if self.0.is_empty() {
            return None;
        }
        self.0.get(&dataset.annotation_key_ref(item)).copied()
    }

    /// The human's YES/NO on the item, when there is one.
    pub fn human_yes(
        &self,
        dataset: &crate::model::Dataset,
        item: &crate::model::Item,
    ) -> Option<bool> {
        self.get(dataset, item).and_then(|r| r.human.is_yes())
    }
}

/// Annotations by key.
pub type Annotations = HashMap<ItemKey, Annotation>;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Annotation {
    pub tags: BTreeSet<String>,
    pub note: String,
    pub starred: bool,
    /// A human's verdict on the image, beside the judge's.
    pub review: Option<Review>,
}

impl Annotation {
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.note.is_empty() && !self.starred && self.review.is_none()
    }
}

/// What a human says of the generated image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Human {
    Yes,
    No,
    /// Looked, could not decide: counts nowhere.
    Unsure,
}

impl Human {
    pub fn name(self) -> &'static str {
        match self {
            Human::Yes => "yes",
            Human::No => "no",
            Human::Unsure => "unsure",
        }
    }

    pub fn parse(text: &str) -> Option<Human> {
        match text.trim().to_ascii_lowercase().as_str() {
            "yes" => Some(Human::Yes),
            "no" => Some(Human::No),
            "unsure" => Some(Human::Unsure),
            _ => None,
        }
    }

    /// The verdict as YES/NO, when it is one.
    pub fn is_yes(self) -> Option<bool> {
        match self {
            Human::Yes => Some(true),
            Human::No => Some(false),
            Human::Unsure => None,
        }
    }
}

/// A human verdict with who gave it, when, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub human: Human,
    /// The right answer when the answer key is wrong (the verdict is then against this answer).
    pub corrected_answer: Option<String>,
    pub reviewer: String,
    pub reason: String,
    /// Milliseconds since 1970.
    pub at: i64,
}

/// Now, in milliseconds since 1970 (for `Review::at`).
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[derive(Debug, thiserror::Error)]
pub enum AnnotationError {
    #[error("annotations database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot create {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no user data directory is known on this system; pass --annotations FILE")]
    NoDataDir,
}

pub struct AnnotationStore {
    path: PathBuf,
    conn: Connection,
}

impl AnnotationStore {
    /// `~/.local/share/unisandbox-inspector/annotations.sqlite` (or the platform's equivalent).
    pub fn default_path() -> Result<PathBuf, AnnotationError> {
        let dirs = directories::ProjectDirs::from("org", "UniSandbox", "unisandbox-inspector")
            .ok_or(AnnotationError::NoDataDir)?;
        Ok(dirs.data_dir().join("annotations.sqlite"))
    }

    pub fn open(path: &Path) -> Result<Self, AnnotationError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| AnnotationError::Folder {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let sqlite = |source| AnnotationError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(sqlite)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sqlite)?;
        // Switching to WAL needs the database to itself, and SQLite answers "busy" at once
        // (without its busy handler) while another connection sets the same database up: retry.
        let mut tries = 0;
        while let Err(err) = conn.pragma_update(None, "journal_mode", "WAL") {
            let busy = err.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy);
            tries += 1;
            if !busy || tries >= 100 {
                return Err(sqlite(err));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS item_tag (
                 run TEXT NOT NULL, setting TEXT NOT NULL, task TEXT NOT NULL, item TEXT NOT NULL, tag TEXT NOT NULL,
                 PRIMARY KEY (run, setting, task, item, tag));
             CREATE TABLE IF NOT EXISTS item_note (
                 run TEXT NOT NULL, setting TEXT NOT NULL, task TEXT NOT NULL, item TEXT NOT NULL,
                 note TEXT NOT NULL DEFAULT '', starred INTEGER NOT NULL DEFAULT 0,
                 PRIMARY KEY (run, setting, task, item));
             CREATE TABLE IF NOT EXISTS tag_name (name TEXT PRIMARY KEY, added INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS human_verdict (
                 run TEXT NOT NULL, setting TEXT NOT NULL, task TEXT NOT NULL, item TEXT NOT NULL,
                 human TEXT NOT NULL, corrected_answer TEXT, reviewer TEXT NOT NULL DEFAULT '',
                 reason TEXT NOT NULL DEFAULT '', at INTEGER NOT NULL,
                 PRIMARY KEY (run, setting, task, item));",
        )
        .map_err(sqlite)?;
        Ok(Self {
            path: path.to_path_buf(),
            conn,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long a write waits for another program's lock before failing.
    pub fn set_busy_timeout(&self, timeout: std::time::Duration) -> Result<(), AnnotationError> {
        self.conn.busy_timeout(timeout).map_err(|e| self.err(e))
    }

    /// Applies these writes in order, in one transaction: all of them or none.
    pub fn apply(&mut self, writes: &[Write]) -> Result<(), AnnotationError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.err(e))?;
        let applied = writes.iter().try_for_each(|write| match write {
            Write::Tag { key, tag, on } => self.set_tag(key, tag, *on),
            Write::Note { key, note } => self.set_note(key, note),
            Write::Starred { key, starred } => self.set_starred(key, *starred),
            Write::TagName(name) => self.add_tag_name(name),
            Write::Review { key, review } => self.set_review(key, review.as_ref()),
        });
        let end = if applied.is_ok() {
            "COMMIT"
        } else {
            "ROLLBACK"
        };
        let ended = self.conn.execute_batch(end).map_err(|e| self.err(e));
        if ended.is_err() && applied.is_ok() {
            // A failed COMMIT leaves the transaction open: close it so the next try starts clean.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        applied.and(ended)
    }

    fn err(&self, source: rusqlite::Error) -> AnnotationError {
        AnnotationError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Every annotation in the store.
    pub fn load_all(&self) -> Result<HashMap<ItemKey, Annotation>, AnnotationError> {
        let mut all: HashMap<ItemKey, Annotation> = HashMap::new();
        let key = |row: &rusqlite::Row| -> rusqlite::Result<ItemKey> {
            Ok(ItemKey {
                run: row.get(0)?,
                setting: row.get(1)?,
                stem: row.get(2)?,
                id: row.get(3)?,
            })
        };
        let mut tags = self
            .conn
            .prepare("SELECT run, setting, task, item, tag FROM item_tag")
            .map_err(|e| self.err(e))?;
        let rows = tags
            .query_map([], |row| Ok((key(row)?, row.get::<_, String>(4)?)))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (k, tag) = row.map_err(|e| self.err(e))?;
            all.entry(k).or_default().tags.insert(tag);
        }
        let mut notes = self
            .conn
            .prepare("SELECT run, setting, task, item, note, starred FROM item_note")
            .map_err(|e| self.err(e))?;
        let rows = notes
            .query_map([], |row| {
                Ok((
                    key(row)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, i64>(5)? != 0,
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (k, note, starred) = row.map_err(|e| self.err(e))?;
            let entry = all.entry(k).or_default();
            entry.note = note;
            entry.starred = starred;
        }
        let mut reviews = self
            .conn
            .prepare(
                "SELECT run, setting, task, item, human, corrected_answer, reviewer, reason, at FROM human_verdict",
            )
            .map_err(|e| self.err(e))?;
        let rows = reviews
            .query_map([], |row| {
                Ok((
                    key(row)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, Option<String>>(5)?,
                    row.get::<_, String>(6)?,
                    row.get::<_, String>(7)?,
                    row.get::<_, i64>(8)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (k, human, corrected_answer, reviewer, reason, at) =
                row.map_err(|e| self.err(e))?;
            // A value another version wrote that this one does not know is left alone.
            let Some(human) = Human::parse(&human) else {
                continue;
            };
            all.entry(k).or_default().review = Some(Review {
                human,
                corrected_answer,
                reviewer,
                reason,
                at,
            });
        }
        all.retain(|_, a| !a.is_empty());
        Ok(all)
    }

    /// Stores (or, with `None`, removes) an item's human verdict.
    pub fn set_review(
        &self,
        key: &ItemKey,
        review: Option<&Review>,
    ) -> Result<(), AnnotationError> {
        let changed = match review {
            Some(r) => self.conn.execute(
                "INSERT INTO human_verdict (run, setting, task, item, human, corrected_answer, reviewer, reason, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (run, setting, task, item) DO UPDATE SET human = excluded.human,
                   corrected_answer = excluded.corrected_answer, reviewer = excluded.reviewer,
                   reason = excluded.reason, at = excluded.at",
                params![
                    key.run,
                    key.setting,
                    key.stem,
                    key.id,
                    r.human.name(),
                    r.corrected_answer,
                    r.reviewer,
                    r.reason,
                    r.at
                ],
            ),
            None => self.conn.execute(
                "DELETE FROM human_verdict WHERE run = ?1 AND setting = ?2 AND task = ?3 AND item = ?4",
                params![key.run, key.setting, key.stem, key.id],
            ),
        };
        changed.map(drop).map_err(|e| self.err(e))
    }

    pub fn set_tag(&self, key: &ItemKey, tag: &str, on: bool) -> Result<(), AnnotationError> {
        let sql = if on {
            "INSERT OR IGNORE INTO item_tag (run, setting, task, item, tag) VALUES (?1, ?2, ?3, ?4, ?5)"
        } else {
            "DELETE FROM item_tag WHERE run = ?1 AND setting = ?2 AND task = ?3 AND item = ?4 AND tag = ?5"
        };
        self.conn
            .execute(sql, params![key.run, key.setting, key.stem, key.id, tag])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn set_note(&self, key: &ItemKey, note: &str) -> Result<(), AnnotationError> {
        self.conn
            .execute(
                "INSERT INTO item_note (run, setting, task, item, note) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (run, setting, task, item) DO UPDATE SET note = excluded.note",
                params![key.run, key.setting, key.stem, key.id, note],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn set_starred(&self, key: &ItemKey, starred: bool) -> Result<(), AnnotationError> {
        self.conn
            .execute(
                "INSERT INTO item_note (run, setting, task, item, starred) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (run, setting, task, item) DO UPDATE SET starred = excluded.starred",
                params![key.run, key.setting, key.stem, key.id, starred as i64],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The default tags, then user-defined ones in the order they were added.
    pub fn tag_names(&self) -> Result<Vec<String>, AnnotationError> {
        let mut names: Vec<String> = DEFAULT_TAGS.iter().map(|t| t.to_string()).collect();
        let mut statement = self
            .conn
            .prepare("SELECT name FROM tag_name ORDER BY added, name")
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        for name in rows {
            let name = name.map_err(|e| self.err(e))?;
            if !names.contains(&name) {
                names.push(name);
            }
        }
        Ok(names)
    }

    pub fn add_tag_name(&self, name: &str) -> Result<(), AnnotationError> {
        let added = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        self.conn
            .execute(
                "INSERT OR IGNORE INTO tag_name (name, added) VALUES (?1, ?2)",
                params![name, added],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}

/// One change to the annotations database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    Tag {
        key: ItemKey,
        tag: String,
        on: bool,
    },
    Note {
        key: ItemKey,
        note: String,
    },
    Starred {
        key: ItemKey,
        starred: bool,
    },
    TagName(String),
    /// A human verdict (or its removal).
    Review {
        key: ItemKey,
        review: Option<Review>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_index_finds_items_by_checkpoint_name_like_annotation_keys() {
        use crate::model::{Dataset, Verdict, fixtures};
        let mut data = Dataset::default();
        let items = vec![
            fixtures::item("1", fixtures::part("q", "a", Verdict::No)),
            fixtures::item("2", fixtures::part("q", "a", Verdict::Yes)),
        ];
        data.push_folder(fixtures::folder("group/ckpt-b", "think", "math_1"), items);
        let review = Review {
            human: Human::Yes,
            corrected_answer: None,
            reviewer: "ada".into(),
            reason: String::new(),
            at: 0,
        };
        let mut annotations = Annotations::new();
        annotations.insert(
            data.annotation_key_of(&data.items[0]),
            Annotation {
                review: Some(review),
                ..Annotation::default()
            },
        );
        let index = ReviewIndex::new(&annotations);
        assert_eq!(index.human_yes(&data, &data.items[0]), Some(true));
        assert_eq!(index.human_yes(&data, &data.items[1]), None);
    }

    fn key(id: &str) -> ItemKey {
        ItemKey {
            run: "bagel-base".into(),
            setting: "think".into(),
            stem: "math_3".into(),
            id: id.into(),
        }
    }

    #[test]
    fn round_trip_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/annotations.sqlite");
        {
            let store = AnnotationStore::open(&path).unwrap();
            store.set_tag(&key("7"), "wrong count", true).unwrap();
            store.set_tag(&key("7"), "judge error", true).unwrap();
            store.set_tag(&key("7"), "judge error", false).unwrap();
            store
                .set_note(&key("7"), "off by one; the trace was right")
                .unwrap();
            store.set_starred(&key("8"), true).unwrap();
            store.set_starred(&key("9"), true).unwrap();
            store.set_starred(&key("9"), false).unwrap();
            store.add_tag_name("my tag").unwrap();
        }
        let store = AnnotationStore::open(&path).unwrap();
        let all = store.load_all().unwrap();
        assert_eq!(all.len(), 2, "item 9 is back to nothing");
        let seven = &all[&key("7")];
        assert_eq!(seven.tags.iter().collect::<Vec<_>>(), ["wrong count"]);
        assert_eq!(seven.note, "off by one; the trace was right");
        assert!(!seven.starred);
        assert!(all[&key("8")].starred);
        let names = store.tag_names().unwrap();
        assert_eq!(names.len(), DEFAULT_TAGS.len() + 1);
        assert_eq!(names.last().map(String::as_str), Some("my tag"));
    }

    #[test]
    fn concurrent_writers_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        AnnotationStore::open(&path).unwrap();
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let store = AnnotationStore::open(&path).unwrap();
                    for i in 0..25 {
                        store
                            .set_tag(&key(&format!("{w}-{i}")), "ambiguous", true)
                            .unwrap();
                        store
                            .set_note(&key(&format!("{w}-{i}")), &format!("writer {w}"))
                            .unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let all = AnnotationStore::open(&path).unwrap().load_all().unwrap();
        assert_eq!(all.len(), 100);
        assert!(
            all.values()
                .all(|a| a.tags.contains("ambiguous") && a.note.starts_with("writer "))
        );
    }

    #[test]
    fn keys_survive_a_moved_run_folder() {
        let dir = tempfile::tempdir().unwrap();
        unisandbox_demo::write_demo(&dir.path().join("first-home"), 2).unwrap();
        let load = |root: &Path| crate::load::load_dataset(&[root.to_path_buf()]);
        let data = load(&dir.path().join("first-home"));
        let item = data
            .items
            .iter()
            .find(|i| data.folder_of(i).stem == "math_1" && data.folder_of(i).setting == "think")
            .unwrap();
        let store = AnnotationStore::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .set_tag(&data.annotation_key_of(item), "wrong count", true)
            .unwrap();

        // Move the checkpoint into another folder and open it from there.
        std::fs::create_dir_all(dir.path().join("archive/2026")).unwrap();
        std::fs::rename(
            dir.path().join("first-home/bagel-base"),
            dir.path().join("archive/2026/bagel-base"),
        )
        .unwrap();
        let moved = load(&dir.path().join("archive"));
        let same = moved
            .items
            .iter()
            .find(|i| {
                moved.folder_of(i).stem == "math_1"
                    && moved.folder_of(i).setting == "think"
                    && i.id == item.id
            })
            .unwrap();
        assert_eq!(moved.folder_of(same).run, "2026/bagel-base");
        let all = store.load_all().unwrap();
        assert!(
            all[&moved.annotation_key_of(same)]
                .tags
                .contains("wrong count")
        );
    }
}

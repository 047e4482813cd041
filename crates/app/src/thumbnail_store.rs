//! Grid thumbnails kept on disk between visits and sessions, in SQLite in the user's cache
//! directory (never in a run folder). Keyed by the image's path, size and modification time, so
//! a changed file is decoded again; the oldest entries go when the store outgrows its budget.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use rusqlite::{Connection, OptionalExtension, params};

/// Pixels of a stored thumbnail: RGBA, row by row.
pub struct StoredThumbnail {
    pub size: [usize; 2],
    pub rgba: Vec<u8>,
}

pub struct ThumbnailStore {
    conn: Mutex<Connection>,
    budget_bytes: u64,
}

/// About a thousand 256 px thumbnails.
pub const DEFAULT_BUDGET_BYTES: u64 = 256 * 1024 * 1024;

impl ThumbnailStore {
    /// `thumbnails.sqlite` in the user's cache directory.
    pub fn default_path() -> Option<PathBuf> {
        let dirs = directories::ProjectDirs::from("org", "UniSandbox", "unisandbox-inspector")?;
        Some(dirs.cache_dir().join("thumbnails.sqlite"))
    }

    pub fn open(path: &Path, budget_bytes: u64) -> rusqlite::Result<ThumbnailStore> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path)?;
        // A cache: losing the last writes to a crash costs a decode, never data.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "OFF")?;
        conn.busy_timeout(std::time::Duration::from_millis(200))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS thumbnails (
                 key TEXT PRIMARY KEY,
                 width INTEGER NOT NULL,
                 height INTEGER NOT NULL,
                 rgba BLOB NOT NULL,
                 used INTEGER NOT NULL
             );
             CREATE INDEX IF NOT EXISTS thumbnails_used ON thumbnails(used);",
        )?;
        Ok(ThumbnailStore {
            conn: Mutex::new(conn),
            budget_bytes,
        })
    }

    /// The key of an image as it is on disk now; `None` when it cannot be looked at.
    fn key(source: &Path, max_side: u32) -> Option<String> {
        let meta = std::fs::metadata(source).ok()?;
        let modified = meta
            .modified()
            .ok()?
            .duration_since(UNIX_EPOCH)
            .ok()?
            .as_nanos();
        Some(format!(
            "{}|{}|{modified}|{max_side}",
            source.display(),
            meta.len()
        ))
    }

    pub fn get(&self, source: &Path, max_side: u32) -> Option<StoredThumbnail> {
        let key = Self::key(source, max_side)?;
        let conn = self.conn.lock().ok()?;
        let found = conn
            .query_row(
                "SELECT width, height, rgba FROM thumbnails WHERE key = ?1",
                params![key],
                |row| {
                    Ok(StoredThumbnail {
                        size: [
                            row.get::<_, i64>(0)? as usize,
                            row.get::<_, i64>(1)? as usize,
                        ],
                        rgba: row.get(2)?,
                    })
                },
            )
            .optional()
            .ok()??;
        let _ = conn.execute(
            "UPDATE thumbnails SET used = ?1 WHERE key = ?2",
            params![now(), key],
        );
        (found.rgba.len() == found.size[0] * found.size[1] * 4).then_some(found)
    }

    /// Keeps a thumbnail; failures only cost a decode next time, so they are ignored.
    pub fn put(&self, source: &Path, max_side: u32, size: [usize; 2], rgba: &[u8]) {
        let Some(key) = Self::key(source, max_side) else {
            return;
        };
        let Ok(conn) = self.conn.lock() else { return };
        let _ = conn.execute(
            "INSERT OR REPLACE INTO thumbnails (key, width, height, rgba, used)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, size[0] as i64, size[1] as i64, rgba, now()],
        );
        let total: u64 = conn
            .query_row(
                "SELECT COALESCE(SUM(LENGTH(rgba)), 0) FROM thumbnails",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .unwrap_or(0);
        if total > self.budget_bytes {
            // Down to 80% of the budget, least recently used first.
            let per_entry = (rgba.len() as u64).max(1);
            let excess = (total - self.budget_bytes * 4 / 5) / per_entry + 1;
            let _ = conn.execute(
                "DELETE FROM thumbnails WHERE key IN
                     (SELECT key FROM thumbnails ORDER BY used LIMIT ?1)",
                params![excess as i64],
            );
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_come_back_until_the_file_changes_and_the_budget_holds() {
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("1.png");
        std::fs::write(&image, b"pretend png").unwrap();
        let rgba = vec![7u8; 4 * 4 * 4];
        // Room for two 64-byte thumbnails.
        let store = ThumbnailStore::open(&dir.path().join("t.sqlite"), 150).unwrap();
        assert!(store.get(&image, 256).is_none());
        store.put(&image, 256, [4, 4], &rgba);
        let back = store.get(&image, 256).unwrap();
        assert_eq!((back.size, back.rgba), ([4, 4], rgba.clone()));
        assert!(
            store.get(&image, 128).is_none(),
            "another size is another entry"
        );

        // A rewritten file (other length) is not served from the store.
        std::fs::write(&image, b"another picture, longer").unwrap();
        assert!(store.get(&image, 256).is_none());

        // Over budget, the least recently used go first.
        let others: Vec<PathBuf> = (2..5)
            .map(|i| dir.path().join(format!("{i}.png")))
            .collect();
        for other in &others {
            std::fs::write(other, b"x").unwrap();
            store.put(other, 256, [4, 4], &rgba);
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        assert!(store.get(&others[2], 256).is_some(), "the newest stays");
        assert!(store.get(&others[0], 256).is_none(), "the oldest went");
    }
}

//! Annotation writes off the UI thread. The window changes its cached copy at once and hands the
//! write to this thread, which gathers what arrives within `COALESCE` (a typed note is one
//! write per keystroke) and commits it in one transaction. A locked or failing database never
//! blocks a frame: the writes stay queued, are retried, and `problem()` says why; dropping the
//! writer commits what is left before returning (on exit).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::annotations::AnnotationStore;

/// How long the writer waits for more writes before committing (well inside the 0.5 s promise).
pub const COALESCE: Duration = Duration::from_millis(100);
/// How soon a failed commit (e.g. a database locked by another program) is tried again.
const RETRY: Duration = Duration::from_millis(500);

pub use crate::annotations::Write;

enum Message {
    Write(u64, Write),
    /// Answered once everything sent before it is committed (or has failed once).
    Flush(mpsc::Sender<()>),
}

/// What the UI shows about the writer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriterStatus {
    /// Why the last commit failed; `None` once a commit succeeds.
    pub problem: Option<String>,
    /// Writes not yet committed.
    pub waiting: usize,
}

pub struct AnnotationWriter {
    sender: Option<mpsc::Sender<Message>>,
    thread: Option<JoinHandle<()>>,
    status: Arc<Mutex<WriterStatus>>,
    committed: Arc<AtomicU64>,
    sent: u64,
}

impl AnnotationWriter {
    /// Starts the writer thread on its own connection; `on_change` is called after each commit
    /// attempt (the window repaints to show a problem or clear it).
    pub fn start(store: AnnotationStore, on_change: impl Fn() + Send + 'static) -> Self {
        let (sender, receiver) = mpsc::channel();
        let status = Arc::new(Mutex::new(WriterStatus::default()));
        let committed = Arc::new(AtomicU64::new(0));
        let thread = {
            let status = status.clone();
            let committed = committed.clone();
            std::thread::Builder::new()
                .name("annotation-writer".into())
                .spawn(move || run(store, receiver, status, committed, on_change))
                .ok()
        };
        AnnotationWriter {
            sender: Some(sender),
            thread,
            status,
            committed,
            sent: 0,
        }
    }

    /// Queues a write; returns its sequence number (see `committed`).
    pub fn send(&mut self, write: Write) -> u64 {
        self.sent += 1;
        if let Some(sender) = &self.sender {
            // A send fails only when the thread is gone; `status` then says so.
            if sender.send(Message::Write(self.sent, write)).is_err() {
                self.set_problem("the annotation writer stopped; changes are not saved");
            }
        }
        self.sent
    }

    /// The sequence number up to which every write is committed.
    pub fn committed(&self) -> u64 {
        self.committed.load(Ordering::Acquire)
    }

    pub fn status(&self) -> WriterStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits until everything sent so far is committed or a commit failed (at most `limit`).
    pub fn flush(&self, limit: Duration) {
        let Some(sender) = &self.sender else { return };
        let (done, wait) = mpsc::channel();
        if sender.send(Message::Flush(done)).is_ok() {
            let _ = wait.recv_timeout(limit);
        }
    }

    fn set_problem(&self, problem: &str) {
        if let Ok(mut status) = self.status.lock() {
            status.problem = Some(problem.to_string());
        }
    }
}

impl Drop for AnnotationWriter {
    /// Commits what is queued, then stops the thread.
    fn drop(&mut self) {
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    mut store: AnnotationStore,
    receiver: mpsc::Receiver<Message>,
    status: Arc<Mutex<WriterStatus>>,
    committed: Arc<AtomicU64>,
    on_change: impl Fn(),
) {
    let mut pending: Vec<(u64, Write)> = Vec::new();
    let mut waiters: Vec<mpsc::Sender<()>> = Vec::new();
    let mut open = true;
    while open || !pending.is_empty() {
        // Wait for work; with writes still failing, come back to retry them.
        let first = if pending.is_empty() {
            receiver.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            receiver.recv_timeout(RETRY)
        };
        match first {
            Ok(message) => take(message, &mut pending, &mut waiters),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => open = false,
        }
        // Gather what follows closely (keystrokes of a note) into the same transaction.
        let deadline = Instant::now() + COALESCE;
        while open && waiters.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match receiver.recv_timeout(left) {
                Ok(message) => take(message, &mut pending, &mut waiters),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => open = false,
            }
        }
        let last = pending.last().map(|(sequence, _)| *sequence);
        let writes: Vec<Write> = pending.iter().map(|(_, w)| w.clone()).collect();
        let result = if writes.is_empty() {
            Ok(())
        } else {
            store.apply(&writes)
        };
        let failed = result.is_err();
        if let Ok(mut status) = status.lock() {
            match result {
                Ok(()) => {
                    if let Some(last) = last {
                        committed.store(last, Ordering::Release);
                    }
                    pending.clear();
                    status.problem = None;
                }
                Err(err) => status.problem = Some(err.to_string()),
            }
            status.waiting = pending.len();
        }
        for waiter in waiters.drain(..) {
            let _ = waiter.send(());
        }
        on_change();
        // Closing with writes that cannot be committed: one last try was made; give up rather
        // than hang the exit (the message is on stderr for the record).
        if !open && failed {
            eprintln!(
                "annotations: {} change(s) could not be saved on exit: {}",
                pending.len(),
                status
                    .lock()
                    .ok()
                    .and_then(|s| s.problem.clone())
                    .unwrap_or_default()
            );
            break;
        }
    }
}

fn take(message: Message, pending: &mut Vec<(u64, Write)>, waiters: &mut Vec<mpsc::Sender<()>>) {
    match message {
        Message::Write(sequence, write) => pending.push((sequence, write)),
        Message::Flush(done) => waiters.push(done),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> crate::model::ItemKey {
        crate::model::ItemKey {
            run: "ckpt".into(),
            setting: "think".into(),
            stem: "math_1".into(),
            id: id.into(),
        }
    }

    #[test]
    fn writes_are_committed_in_order_and_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        let mut writer = AnnotationWriter::start(AnnotationStore::open(&path).unwrap(), || {});
        for text in ["W", "Wr", "Wro", "Wrong count"] {
            writer.send(Write::Note {
                key: key("1"),
                note: text.into(),
            });
        }
        writer.send(Write::Starred {
            key: key("2"),
            starred: true,
        });
        writer.send(Write::Tag {
            key: key("2"),
            tag: "judge error".into(),
            on: true,
        });
        let last = writer.send(Write::Tag {
            key: key("2"),
            tag: "judge error".into(),
            on: false,
        });
        drop(writer);
        let all = AnnotationStore::open(&path).unwrap().load_all().unwrap();
        assert_eq!(all[&key("1")].note, "Wrong count");
        assert!(all[&key("2")].starred);
        assert!(all[&key("2")].tags.is_empty(), "the later untag wins");
        assert_eq!(last, 7);
    }

    #[test]
    fn a_locked_database_keeps_the_writes_and_reports_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        let store = AnnotationStore::open(&path).unwrap();
        store.set_busy_timeout(Duration::from_millis(50)).unwrap();
        let mut writer = AnnotationWriter::start(store, || {});
        // Another program holds the write lock.
        let other = rusqlite::Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let started = Instant::now();
        let sequence = writer.send(Write::Starred {
            key: key("9"),
            starred: true,
        });
        assert!(
            started.elapsed() < Duration::from_millis(20),
            "send never blocks"
        );
        writer.flush(Duration::from_secs(5));
        let status = writer.status();
        assert!(
            status
                .problem
                .as_deref()
                .is_some_and(|p| p.contains("locked")),
            "{status:?}"
        );
        assert_eq!(status.waiting, 1);
        assert!(writer.committed() < sequence);
        // The lock goes away: the write lands on the next try.
        other.execute_batch("COMMIT").unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while writer.committed() < sequence && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(writer.committed(), sequence);
        assert_eq!(writer.status(), WriterStatus::default());
        drop(writer);
        let all = AnnotationStore::open(&path).unwrap().load_all().unwrap();
        assert!(all[&key("9")].starred);
    }

    #[test]
    fn two_writers_on_one_database_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        let threads: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|who| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut writer =
                        AnnotationWriter::start(AnnotationStore::open(&path).unwrap(), || {});
                    for n in 0..200 {
                        writer.send(Write::Note {
                            key: key(&format!("{who}{n}")),
                            note: format!("note {who} {n}"),
                        });
                        if n % 50 == 0 {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let all = AnnotationStore::open(&path).unwrap().load_all().unwrap();
        assert_eq!(all.len(), 400);
        assert_eq!(all[&key("b199")].note, "note b 199");
    }
}

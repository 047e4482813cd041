//! Annotations survive the process being killed at any moment: a child process writes notes
//! through the app's writer thread and reports each write the writer acknowledged as committed;
//! it is SIGKILLed at random moments, 100 times, and every acknowledged write must be in the
//! database, which must pass SQLite's integrity check.

#![cfg(unix)]

use std::io::BufRead as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use unisandbox_core::annotation_writer::{AnnotationWriter, Write};
use unisandbox_core::annotations::AnnotationStore;
use unisandbox_core::model::ItemKey;

const CHILD_DB: &str = "UNISANDBOX_TEST_ANNOTATION_CHILD_DB";
const CHILD_RUN: &str = "UNISANDBOX_TEST_ANNOTATION_CHILD_RUN";

fn key(run: &str, id: u64) -> ItemKey {
    ItemKey {
        run: run.into(),
        setting: "think".into(),
        stem: "math_1".into(),
        id: id.to_string(),
    }
}

/// The child: does nothing unless started by the test below.
#[test]
fn child_writes_annotations_until_killed() {
    let (Ok(db), Ok(run)) = (std::env::var(CHILD_DB), std::env::var(CHILD_RUN)) else {
        return;
    };
    let store = AnnotationStore::open(std::path::Path::new(&db)).unwrap();
    let mut writer = AnnotationWriter::start(store, || {});
    let mut reported = 0;
    for id in 0.. {
        let sequence = writer.send(Write::Note {
            key: key(&run, id),
            note: format!("note {id}"),
        });
        writer.send(Write::Starred {
            key: key(&run, id),
            starred: true,
        });
        // Paced like fast typing; after each write, report what the writer says is committed
        // (its own bookkeeping: the point is to check it).
        std::thread::sleep(Duration::from_millis(1));
        let committed = writer.committed();
        if committed > reported {
            reported = committed;
            // Sequence numbers go note, star, note, star…: committed ≥ 2·id+2 means id is whole.
            println!("acked {}", committed / 2);
        }
        let _ = sequence;
    }
}

#[test]
fn killing_the_writer_at_random_moments_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("annotations.sqlite");
    let exe = std::env::current_exe().unwrap();
    // Random kill times, the same on every run.
    let mut random = unisandbox_testkit::Xorshift(0x9E37_79B9_7F4A_7C15);
    let mut acknowledged_total = 0;
    let started = Instant::now();
    for cycle in 0..100 {
        let run = format!("cycle-{cycle}");
        let mut child = Command::new(&exe)
            .args([
                "child_writes_annotations_until_killed",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DB, &db)
            .env(CHILD_RUN, &run)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut last = None;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(n) = line.strip_prefix("acked ") {
                    last = n.trim().parse::<u64>().ok();
                }
            }
            last
        });
        std::thread::sleep(Duration::from_millis(40 + random.next_u64() % 260));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let acknowledged = reader.join().unwrap();

        let store = AnnotationStore::open(&db).unwrap();
        let all = store.load_all().unwrap();
        if let Some(whole) = acknowledged {
            // Notes 0..whole are acknowledged with their stars (sequence 2·whole covers them).
            for id in 0..whole {
                let annotation = all
                    .get(&key(&run, id))
                    .unwrap_or_else(|| panic!("cycle {cycle}: acknowledged note {id} lost"));
                assert_eq!(annotation.note, format!("note {id}"));
                assert!(annotation.starred, "cycle {cycle}: star of {id}");
            }
            acknowledged_total += whole;
        }
        drop(store);
        let check = rusqlite::Connection::open(&db).unwrap();
        let integrity: String = check
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "cycle {cycle}");
    }
    assert!(
        acknowledged_total > 100,
        "the children got to write something ({acknowledged_total} acknowledged notes)"
    );
    eprintln!(
        "100 kill cycles, {acknowledged_total} acknowledged notes checked, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

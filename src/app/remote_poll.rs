//! Live reload of remote runs: the store is listed again every few seconds (list requests and,
//! for what changed, GETs) on a thread of its own; the local files that changed go into the same
//! reload as a watched folder's, so only the changed task folders load again.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, SystemTime};

use crate::remote::RemoteUrl;

/// How often a remote run is listed again while the window is open.
pub const POLL_EVERY: Duration = Duration::from_secs(5);

/// What one listing of a remote run found.
#[derive(Debug)]
pub struct PollReport {
    pub url: RemoteUrl,
    /// Local files of the copy that were fetched, reset or deleted.
    pub changed: Vec<PathBuf>,
    /// Set while the store cannot be reached (the copy is from then).
    pub offline_since: Option<SystemTime>,
}

/// Lists the remote runs every `every` until dropped.
pub struct RemotePoller {
    reports: Receiver<PollReport>,
    /// Dropping it ends the thread at its next wake-up.
    _stop: Sender<()>,
}

impl RemotePoller {
    /// `wake` is called when a report is waiting (a change, or the store going away or
    /// coming back); nothing wakes the window otherwise.
    pub fn start(
        urls: Vec<RemoteUrl>,
        cache: Option<PathBuf>,
        every: Duration,
        wake: impl Fn() + Send + 'static,
    ) -> std::io::Result<RemotePoller> {
        let (stop, stopped) = channel::<()>();
        let (sender, reports) = channel();
        std::thread::Builder::new()
            .name("remote-poll".into())
            .spawn(move || {
                let mut offline: Vec<bool> = vec![false; urls.len()];
                loop {
                    match stopped.recv_timeout(every) {
                        Err(RecvTimeoutError::Timeout) => {}
                        _ => return,
                    }
                    for (url, was_offline) in urls.iter().zip(offline.iter_mut()) {
                        let Ok(mirror) =
                            crate::remote::mirror::refresh_mirror(url, cache.as_deref())
                        else {
                            // No copy to show and no store: nothing to reload.
                            continue;
                        };
                        let is_offline = mirror.offline_since.is_some();
                        if mirror.changed.is_empty() && is_offline == *was_offline {
                            continue;
                        }
                        *was_offline = is_offline;
                        let report = PollReport {
                            url: url.clone(),
                            changed: mirror.changed,
                            offline_since: mirror.offline_since,
                        };
                        if sender.send(report).is_err() {
                            return;
                        }
                        wake();
                    }
                }
            })?;
        Ok(RemotePoller {
            reports,
            _stop: stop,
        })
    }

    /// The reports that arrived since the last call.
    pub fn reports(&self) -> Vec<PollReport> {
        self.reports.try_iter().collect()
    }
}

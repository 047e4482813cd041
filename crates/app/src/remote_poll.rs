//! Live reload of remote runs: the store is listed again every few seconds (list requests and,
//! for what changed, GETs) on a thread of its own; the local files that changed go into the same
//! reload as a watched folder's, so only the changed task folders load again.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, SystemTime};

use unisandbox_remote::RemoteUrl;

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
    /// The listing failed for another reason than being offline.
    pub problem: Option<String>,
}

impl PollReport {
    fn failed(url: &RemoteUrl, message: String) -> PollReport {
        PollReport {
            url: url.clone(),
            changed: Vec::new(),
            offline_since: None,
            problem: Some(message),
        }
    }
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
        list_now: bool,
        wake: impl Fn() + Send + 'static,
    ) -> std::io::Result<RemotePoller> {
        let (stop, stopped) = channel::<()>();
        let (sender, reports) = channel();
        std::thread::Builder::new()
            .name("remote-poll".into())
            .spawn(move || {
                let mut offline: Vec<bool> = vec![false; urls.len()];
                let mut failed = std::collections::HashSet::new();
                let mut wait = if list_now { Duration::ZERO } else { every };
                loop {
                    match stopped.recv_timeout(wait) {
                        Err(RecvTimeoutError::Timeout) => {}
                        _ => return,
                    }
                    let first = wait.is_zero();
                    wait = every;
                    for (url, was_offline) in urls.iter().zip(offline.iter_mut()) {
                        let mirror = match unisandbox_remote::mirror::refresh_mirror(
                            url,
                            cache.as_deref(),
                        ) {
                            Ok(mirror) => mirror,
                            Err(message) => {
                                // (The prefix emptied, the cache unwritable: said once.)
                                if failed.insert(message.clone()) {
                                    if sender.send(PollReport::failed(url, message)).is_err() {
                                        return;
                                    }
                                    wake();
                                }
                                continue;
                            }
                        };
                        let is_offline = mirror.offline_since.is_some();
                        // (The first listing of a copy opened from the cache always reports:
                        // the window says it is checking until then.)
                        if mirror.changed.is_empty() && is_offline == *was_offline && !first {
                            continue;
                        }
                        *was_offline = is_offline;
                        let report = PollReport {
                            url: url.clone(),
                            changed: mirror.changed,
                            offline_since: mirror.offline_since,
                            problem: None,
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

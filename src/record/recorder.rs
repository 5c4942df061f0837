//! [`Recorder`]: appends recorded polls and events to a file from its own thread, so the source only
//! hands them over (never waits on the disk). A write error stops recording and is reported once.
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use jiff::Timestamp;

use super::{Entry, RecordedPoll, encode};
use crate::api::wsg::{Notification, SessionEvent};

/// Entries waiting for the writer thread at most, with room for a recovery's burst of up to 100 events
/// beside polls; beyond that an entry is dropped (and said so once).
const QUEUE: usize = 256;
/// Polls among them at most: each can be megabytes, so a stalled disk holds no more than this many.
const POLLS_QUEUED: usize = 64;

/// Hands polls to the writer thread. Cheap to clone; the file is closed when every clone is dropped
/// and [`Recorder::finish`] has been called.
#[derive(Clone)]
pub struct Recorder {
    tx: SyncSender<Entry>,
    shared: Arc<Shared>,
}

struct Shared {
    path: PathBuf,
    /// The first problem, for the user.
    problem: Mutex<Option<String>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    dropped_reported: AtomicBool,
    /// Polls handed over and not yet written.
    polls_queued: AtomicUsize,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("path", &self.shared.path)
            .finish()
    }
}

impl Recorder {
    /// Opens `path` for appending (created 0600 when new) and starts the writer thread.
    pub fn create(path: &Path) -> io::Result<Recorder> {
        let file = open(path).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot open the recording file {}: {e}; pick another --record path",
                    path.display()
                ),
            )
        })?;
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let shared = Arc::new(Shared {
            path: path.to_owned(),
            problem: Mutex::new(None),
            writer: Mutex::new(None),
            dropped_reported: AtomicBool::new(false),
            polls_queued: AtomicUsize::new(0),
        });
        let for_thread = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("callboard-recorder".into())
            .spawn(move || write_all(file, &rx, &for_thread))?;
        *lock(&shared.writer) = Some(handle);
        Ok(Recorder { tx, shared })
    }

    /// Hands one poll to the writer without waiting; drops it when the writer is far behind.
    pub fn record(&self, poll: RecordedPoll) {
        let queued = &self.shared.polls_queued;
        if queued.fetch_add(1, Ordering::Relaxed) >= POLLS_QUEUED || !self.hand_over(Entry::Poll(poll)) {
            queued.fetch_sub(1, Ordering::Relaxed);
            self.say_dropped();
        }
    }

    /// Hands one telephony-session notification, as it arrived at `at`, to the writer without waiting;
    /// drops it when the writer is far behind. Only its body is kept: no token or `wsc` is in it.
    pub fn record_event(&self, at: Timestamp, event: &Notification<SessionEvent>) {
        if !self.hand_over(Entry::Event(at, Box::new(event.clone()))) {
            self.say_dropped();
        }
    }

    /// Queues `entry`; false when the queue is full (a stopped writer has reported why already).
    fn hand_over(&self, entry: Entry) -> bool {
        !matches!(self.tx.try_send(entry), Err(TrySendError::Full(_)))
    }

    fn say_dropped(&self) {
        if !self.shared.dropped_reported.swap(true, Ordering::Relaxed) {
            self.shared.report(format!(
                "the disk holding {} is too slow; some polls or events were not recorded",
                self.shared.path.display()
            ));
        }
    }

    /// Reads the first recording problem, if any; holds no sender, so it never keeps the file open.
    pub fn problems(&self) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        let shared = Arc::clone(&self.shared);
        move || lock(&shared.problem).clone()
    }

    /// Waits for everything handed over to be written, once this is the last clone, and returns the
    /// first problem.
    pub fn finish(self) -> Option<String> {
        let Recorder { tx, shared } = self;
        drop(tx);
        if let Some(handle) = lock(&shared.writer).take() {
            let _ = handle.join();
        }
        lock(&shared.problem).clone()
    }
}

impl Shared {
    /// Keeps the first problem and logs it.
    fn report(&self, problem: String) {
        tracing::error!("recording: {problem}");
        lock(&self.problem).get_or_insert(problem);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn open(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// The writer thread: one line per poll or event, flushed after each so a crash loses at most one.
fn write_all(file: File, rx: &Receiver<Entry>, shared: &Shared) {
    let mut out = BufWriter::with_capacity(256 * 1024, file);
    for entry in rx {
        let written = out
            .write_all(encode(&entry).as_bytes())
            .and_then(|()| out.flush());
        if let Entry::Poll(_) = entry {
            shared.polls_queued.fetch_sub(1, Ordering::Relaxed);
        }
        if let Err(e) = written {
            shared.report(format!(
                "writing {} failed ({e}); recording stopped, the board goes on",
                shared.path.display()
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Scope;
    use crate::api::client::RawPage;
    use jiff::Timestamp;

    fn poll() -> RecordedPoll {
        RecordedPoll {
            at: Timestamp::UNIX_EPOCH,
            scope: Scope::Account,
            pages: vec![RawPage {
                url: "http://127.0.0.1/restapi/v1.0/account/~/active-calls".into(),
                received_at: Timestamp::UNIX_EPOCH,
                rate: None,
                body: r#"{"records":[]}"#.into(),
            }],
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_write_error_is_reported_once_and_recording_stops_quietly() {
        let recorder = Recorder::create(Path::new("/dev/full")).unwrap();
        let problems = recorder.problems();
        for _ in 0..3 {
            recorder.record(poll());
        }
        let problem = recorder.finish().unwrap();
        assert_eq!(problems(), Some(problem.clone()));
        assert!(
            problem.contains("/dev/full") && problem.contains("recording stopped"),
            "{problem}"
        );
    }

    #[test]
    fn polls_are_appended_one_line_each() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.ndjson");
        for _ in 0..2 {
            let recorder = Recorder::create(&path).unwrap();
            recorder.record(poll());
            assert_eq!(recorder.finish(), None);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "only the owner may read a recording");
        }
    }
}

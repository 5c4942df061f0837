//! [`Recorder`]: appends recorded polls to a file from its own thread, so the poll loop only hands a poll
//! over (never waits on the disk). A write error stops recording and is reported once.
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use super::{RecordedPoll, encode};

/// Polls waiting for the writer thread at most; beyond that a poll is dropped (and said so once).
const QUEUE: usize = 64;

/// Hands polls to the writer thread. Cheap to clone; the file is closed when every clone is dropped
/// and [`Recorder::finish`] has been called.
#[derive(Clone)]
pub struct Recorder {
    tx: SyncSender<RecordedPoll>,
    shared: Arc<Shared>,
}

struct Shared {
    path: PathBuf,
    /// The first problem, for the user.
    problem: Mutex<Option<String>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    dropped_reported: AtomicBool,
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
        match self.tx.try_send(poll) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                if !self.shared.dropped_reported.swap(true, Ordering::Relaxed) {
                    self.shared.report(format!(
                        "the disk holding {} is too slow; some polls were not recorded",
                        self.shared.path.display()
                    ));
                }
            }
            // The writer stopped after an error it already reported.
            Err(TrySendError::Disconnected(_)) => {}
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

/// The writer thread: one line per poll, flushed after each so a crash loses at most one poll.
fn write_all(file: File, rx: &Receiver<RecordedPoll>, shared: &Shared) {
    let mut out = BufWriter::with_capacity(256 * 1024, file);
    for poll in rx {
        if let Err(e) = out.write_all(encode(&poll).as_bytes()).and_then(|()| out.flush()) {
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

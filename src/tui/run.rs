//! The event loop: terminal setup and restore, and a `select!` over keys, feed updates and a 1 s tick.
//! Draws only when something changed; never waits on the network.
use std::collections::VecDeque;
use std::io::{self, BufWriter, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream, KeyEventKind};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use crossterm::{cursor, execute};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::layout::{Position, Rect};
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior};

use super::app::App;
use super::backend::LeanBackend;
use super::effect::Effect;
use super::options::UiOptions;
use super::render;
use crate::feed::{Feed, FeedCommand, FeedState};

/// What the board draws through: its own lean backend, or ratatui's stock crossterm backend (the
/// escape hatch for a terminal that shows the lean one wrong).
trait Screen: Backend<Error = io::Error> + Write {}

impl<B: Backend<Error = io::Error> + Write> Screen for B {}

/// True while the terminal is in raw mode on the alternate screen.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// True while the terminal reports the mouse to the board (`--mouse`).
static MOUSE: AtomicBool = AtomicBool::new(false);
/// Held while a frame is drawn, so a panic in another task restores the terminal between frames, never
/// in the middle of one.
static DRAWING: Mutex<()> = Mutex::new(());
/// How long a panicking task waits for another thread's frame in progress to finish before restoring
/// anyway (a terminal that stopped reading must not hold the restore forever).
const DRAW_WAIT: Duration = Duration::from_secs(2);

thread_local! {
    /// True on the thread while it draws a frame: a panic there must not wait for its own frame.
    static DRAWING_HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs the board until `q`/Ctrl-C/SIGTERM/SIGHUP, or until the feed stops or any task panics (then an
/// error, after the terminal is restored). States come from the feed; scope changes and refreshes go to it.
pub async fn run(opts: UiOptions, feed: &mut Feed) -> io::Result<()> {
    if opts.stock_backend {
        run_on(opts, feed, CrosstermBackend::new).await
    } else {
        run_on(opts, feed, LeanBackend::new).await
    }
}

/// [`run`] on the backend `make` builds around the buffered terminal.
async fn run_on<B: Screen>(
    opts: UiOptions,
    feed: &mut Feed,
    make: impl FnOnce(BufWriter<Stdout>) -> B,
) -> io::Result<()> {
    let mut app = App::new(&opts);
    let mut terminal = enter(make, opts.mouse)?;
    // Restores the terminal however this future ends: returned, failed, or dropped by its caller.
    let _restore = Restore;
    event_loop(&mut terminal, &mut app, &opts, &mut feed.state, &feed.commands).await
}

/// Restores the terminal when dropped.
struct Restore;

/// Marks the end of this thread's frame when dropped, however the frame ends.
struct Drawn;

impl Drop for Drawn {
    fn drop(&mut self) {
        DRAWING_HERE.set(false);
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        leave();
    }
}

/// Draws a frame unless the terminal was already handed back (a task panicked); then rings the bell when
/// one is due.
fn draw<B: Screen>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    now: jiff::Timestamp,
    bell: &mut bool,
) -> io::Result<()> {
    let _frame = DRAWING.lock().unwrap_or_else(PoisonError::into_inner);
    DRAWING_HERE.set(true);
    let _drawn = Drawn;
    if !ACTIVE.load(Ordering::SeqCst) {
        return Err(io::Error::other(
            "a background task failed (its message is above); callboard stopped",
        ));
    }
    terminal.draw(|frame| render::draw(frame, app, now))?;
    if std::mem::take(bell) {
        let out = terminal.backend_mut();
        out.write_all(b"\x07")?;
        Write::flush(out)?;
    }
    Ok(())
}

/// Effects waiting for the run loop: commands for the feed, and a bell for after the next frame.
#[derive(Default)]
struct Outbox {
    commands: VecDeque<FeedCommand>,
    bell: bool,
}

/// Carries out the app's effects: commands queue for the feed, preferences are saved (a failure is shown),
/// clipboard bytes go to the terminal at once and the bell after the next frame.
fn carry_out<B: Screen>(
    effects: Vec<Effect>,
    terminal: &mut Terminal<B>,
    app: &mut App,
    outbox: &mut Outbox,
) -> io::Result<()> {
    for effect in effects {
        match effect {
            Effect::Feed(command) => outbox.commands.push_back(command),
            Effect::SavePrefs { prefs, path } => {
                if let Err(e) = prefs.save(&path) {
                    app.say(format!(
                        "could not save preferences to {}: {e}; they last for this run",
                        path.display()
                    ));
                }
            }
            Effect::Copy(bytes) => {
                let out = terminal.backend_mut();
                out.write_all(&bytes)?;
                Write::flush(out)?;
            }
            Effect::Bell => outbox.bell = true,
        }
    }
    Ok(())
}

async fn event_loop<B: Screen>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    opts: &UiOptions,
    rx: &mut watch::Receiver<Arc<FeedState>>,
    tx: &mpsc::Sender<FeedCommand>,
) -> io::Result<()> {
    let mut events = EventStream::new();
    // Ticks just after each wall-clock second, when the durations on screen change.
    let into_second = u64::try_from(opts.clock.now().subsec_nanosecond()).unwrap_or(0);
    let first = Instant::now() + Duration::from_nanos(1_000_000_000 - into_second + 5_000_000);
    let mut tick = tokio::time::interval_at(first, Duration::from_secs(1));
    let mut stop = Stop::new()?;
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut outbox = Outbox::default();
    let first = rx.borrow_and_update().clone();
    let effects = app.apply(first, opts.clock.now());
    carry_out(effects, terminal, app, &mut outbox)?;
    let mut dirty = true;
    loop {
        if dirty {
            draw(terminal, app, opts.clock.now(), &mut outbox.bell)?;
            dirty = false;
        }
        if app.should_quit() {
            return Ok(());
        }
        let effects = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    dirty = true;
                    app.key(key, opts.clock.now())
                }
                Some(Ok(Event::Mouse(mouse))) => {
                    dirty |= app.mouse(mouse);
                    Vec::new()
                }
                Some(Ok(Event::Resize(..))) => {
                    // Even back at the old size the terminal may have cut or moved what it showed:
                    // clear, and draw everything again rather than trust it.
                    let size = terminal.size()?;
                    terminal.resize(Rect::from((Position::ORIGIN, size)))?;
                    dirty = true;
                    Vec::new()
                }
                Some(Ok(_)) => Vec::new(),
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            changed = rx.changed() => {
                if changed.is_err() {
                    return Err(io::Error::other("the source of calls stopped unexpectedly; see the log file for why"));
                }
                let state = rx.borrow_and_update().clone();
                dirty = true;
                app.apply(state, opts.clock.now())
            }
            permit = tx.reserve(), if !outbox.commands.is_empty() => match permit {
                Ok(permit) => {
                    if let Some(cmd) = outbox.commands.pop_front() {
                        permit.send(cmd);
                    }
                    Vec::new()
                }
                Err(_) => return Err(io::Error::other("the source of calls stopped accepting commands")),
            },
            _ = stop.recv() => return Ok(()),
            _ = tick.tick(), if app.ticking() => {
                dirty = true;
                app.tick(opts.clock.now())
            }
        };
        carry_out(effects, terminal, app, &mut outbox)?;
    }
}

/// SIGTERM and SIGHUP, which end the board cleanly (the terminal is restored).
struct Stop {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
}

impl Stop {
    #[cfg(unix)]
    fn new() -> io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Stop {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    #[cfg(not(unix))]
    fn new() -> io::Result<Self> {
        Ok(Stop {})
    }

    /// Resolves when a stop signal arrives.
    #[cfg(unix)]
    async fn recv(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hup.recv() => {}
        }
    }

    #[cfg(not(unix))]
    async fn recv(&mut self) {
        std::future::pending::<()>().await
    }
}

/// Raw mode, alternate screen, hidden cursor, mouse capture when asked for, a 64 KiB buffer, and a panic
/// hook that undoes it all.
fn enter<B: Screen>(make: impl FnOnce(BufWriter<Stdout>) -> B, mouse: bool) -> io::Result<Terminal<B>> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut stdout = io::stdout();
    if let Err(e) = execute!(stdout, EnterAlternateScreen, cursor::Hide) {
        leave();
        return Err(e);
    }
    if mouse {
        MOUSE.store(true, Ordering::SeqCst);
        execute!(stdout, EnableMouseCapture).inspect_err(|_| leave())?;
    }
    let mut terminal =
        Terminal::new(make(BufWriter::with_capacity(64 * 1024, io::stdout()))).inspect_err(|_| leave())?;
    // Cleared by the backend, the screen is known to be blank, so blanks can be written again instead of
    // moved over. The clear is sent at once, under the drawing lock like a frame: left in the buffer, it
    // would follow a panic's restore of the main screen and wipe the panic's message.
    let cleared = {
        let _frame = DRAWING.lock().unwrap_or_else(PoisonError::into_inner);
        let backend = terminal.backend_mut();
        if ACTIVE.load(Ordering::SeqCst) {
            Backend::clear(backend).and_then(|()| Write::flush(backend))
        } else {
            Ok(())
        }
    };
    cleared.inspect_err(|_| leave())?;
    Ok(terminal)
}

/// Restores the terminal; does nothing when it is not set up.
fn leave() {
    let _frame = frame_finished();
    if ACTIVE.swap(false, Ordering::SeqCst) {
        if MOUSE.swap(false, Ordering::SeqCst) {
            let _ = execute!(io::stdout(), DisableMouseCapture);
        }
        let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
        let _ = disable_raw_mode();
    }
}

/// Waits for another thread's frame in progress; never for this thread's own (a panic while drawing).
fn frame_finished() -> Option<MutexGuard<'static, ()>> {
    if DRAWING_HERE.get() {
        return None;
    }
    let deadline = std::time::Instant::now() + DRAW_WAIT;
    loop {
        match DRAWING.try_lock() {
            Ok(guard) => return Some(guard),
            Err(std::sync::TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(std::sync::TryLockError::WouldBlock) => return None,
        }
    }
}

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        // The log keeps the reason after the screen is gone ("the source of calls stopped unexpectedly; see the log").
        tracing::error!("panic: {info}");
        previous(info);
    }));
}

//! `--hub ADDR`: the board, `once` and `tail` fed by a team hub instead of RingCentral, over its socket
//! or through NATS. Nothing here reads RingCentral credentials.
use std::io;

use jiff::{Timestamp, tz::TimeZone};

use super::Fatal;
use super::args::{BoardArgs, HubArg};
use super::tail::{self, TailOptions};
use crate::board::Board;
use crate::clock::Clock;
use crate::hub::connect::Connector;
use crate::hub::viewer::{self, HubFeed};
use crate::output::tail::TailFormat;
use crate::output::{self, Format};
use crate::tui;

/// Connects to the hub at `addr` and starts showing the scope `args` ask for (on NATS: the address's
/// view; a hub sends no directory there).
fn attach(args: &BoardArgs, addr: &HubArg) -> Result<HubFeed, Fatal> {
    match addr {
        HubArg::Socket(addr) => {
            let connector = Connector::new(addr.clone(), args.hub_ca.as_deref()).map_err(Fatal::Other)?;
            let token = crate::config::hub_token()?;
            Ok(viewer::spawn(connector, token, super::scope_arg(args)))
        }
        HubArg::Nats(addr) => Ok(HubFeed {
            feed: crate::hub::nats::viewer::spawn(addr.clone(), args.nats_creds.clone()),
            directory: tokio::sync::watch::channel(None).1,
        }),
    }
}

/// The live board on a hub.
pub async fn board(args: &BoardArgs, addr: &HubArg) -> Result<(), Fatal> {
    if !super::can_draw_board() {
        let printed = once(args, addr, Format::Table).await;
        super::say_why_no_board();
        return printed;
    }
    let stock_backend = super::backend_setting()?;
    let HubFeed { mut feed, directory } = attach(args, addr)?;
    let (prefs, prefs_path) = crate::prefs::Prefs::load_default();
    let opts = tui::UiOptions {
        mouse: args.mouse || prefs.mouse,
        prefs,
        prefs_path,
        directory: Some(directory),
        server: Some(format!("hub {addr}")),
        no_color: args.no_color,
        osc52: (!args.no_osc52).then(tui::clipboard::Clipboard::detect),
        stock_backend,
        ended_window: super::ended_window(args),
        ..Default::default()
    };
    let result = tui::run(opts, &mut feed).await.map_err(Fatal::from);
    feed.task.abort();
    let _ = feed.task.await;
    result
}

/// `once --hub`: the first complete state the hub sends, printed; a failure before it ends with the
/// exit code of its kind.
pub async fn once(args: &BoardArgs, addr: &HubArg, format: Format) -> Result<(), Fatal> {
    let HubFeed { mut feed, .. } = attach(args, addr)?;
    let result = loop {
        let state = std::sync::Arc::clone(&feed.state.borrow_and_update());
        if state.listing.seq > 0 && !state.switching {
            let now = Timestamp::now();
            let mut board = Board::new(super::board_config(args));
            board.catch_up(&state.listing, &state.deltas, now);
            break Ok(output::text(&board, now, &TimeZone::system(), format));
        }
        if let Some(error) = &state.error {
            break Err(Fatal::Source(error.clone()));
        }
        if feed.state.changed().await.is_err() {
            break Err(Fatal::Other(
                "the hub source stopped unexpectedly; see the log file".into(),
            ));
        }
    };
    feed.task.abort();
    print!("{}", result?);
    Ok(())
}

/// `tail --hub`: call state changes from the hub, as `tail` prints them from RingCentral.
pub async fn tail(args: &BoardArgs, addr: &HubArg, format: TailFormat) -> Result<(), Fatal> {
    let HubFeed { mut feed, .. } = attach(args, addr)?;
    let opts = TailOptions {
        format,
        tz: TimeZone::system(),
        board: super::board_config(args),
        scope_given: args.scope.is_some(),
    };
    let result = tail::stream_until_stopped(
        &mut feed,
        &Clock::system(),
        &mut io::BufWriter::new(io::stdout()),
        &opts,
    )
    .await;
    feed.task.abort();
    result
}

//! The push part of the detail pane: a queue call's caller → queue → agent, and every party of the
//! call's telephony sessions with its push status and hold time.
use jiff::Timestamp;
use ratatui::style::Style;
use ratatui::text::Line;

use super::fit_line;
use crate::api::model::Party;
use crate::board::privacy::mask_party;
use crate::board::{Call, CallState, PushParty, format};
use crate::feed::PartyStatus;
use crate::tui::app::App;

/// The lines for `call`, none when push has said nothing of its sessions.
pub(super) fn lines(app: &App, call: &Call, now: Timestamp, width: usize) -> Vec<Line<'static>> {
    let theme = app.theme;
    let sessions = app.board.push_sessions(call);
    let mut out = Vec::new();
    for route in sessions.iter().filter_map(|s| s.queue_route()) {
        let [caller, queue, agent] = route.map(|p| shown(app, p));
        out.push(fit_line(
            vec![
                (" queue call  ".into(), theme.dim()),
                (caller, theme.text()),
                (" → ".into(), theme.dim()),
                (queue, theme.text()),
                (" → ".into(), theme.dim()),
                (agent, theme.text()),
            ],
            width,
        ));
    }
    for party in sessions.iter().flat_map(|s| s.parties()) {
        out.push(party_line(app, party, now, width));
    }
    out
}

/// One party: status with its hold time, from → to, queue member, reason.
fn party_line(app: &App, party: &PushParty, now: Timestamp, width: usize) -> Line<'static> {
    let theme = app.theme;
    let latest = &party.latest;
    let (word, state) = status(latest.status);
    let style = state.as_ref().map_or(theme.dim(), |s| theme.state(s));
    let mut pieces: Vec<(String, Style)> = vec![("   ".into(), Style::new()), (word.into(), style)];
    if matches!(latest.status, PartyStatus::Hold | PartyStatus::Parked) {
        pieces.push((
            format!(" {}", format::clock(now.duration_since(party.since))),
            style,
        ));
    }
    pieces.push(("  ".into(), Style::new()));
    pieces.push((shown(app, latest.from.as_deref()), theme.text()));
    pieces.push(("  →  ".into(), theme.dim()));
    pieces.push((shown(app, latest.to.as_deref()), theme.text()));
    if latest.queue_call {
        pieces.push(("  (queue member)".into(), theme.dim()));
    }
    if let Some(reason) = &latest.reason {
        pieces.push((format!(" · {reason}"), theme.dim()));
    }
    fit_line(pieces, width)
}

/// A party as the pane shows it: masked in privacy mode, `—` when unknown.
fn shown(app: &App, party: Option<&Party>) -> String {
    let Some(party) = party else {
        return "—".into();
    };
    let mut party = party.clone();
    if app.privacy() {
        mask_party(&mut party);
    }
    format::party_with_device(Some(&party))
}

/// The party status's symbol and word, and the call state whose colour it takes (none once it left).
fn status(status: PartyStatus) -> (&'static str, Option<CallState>) {
    match status {
        PartyStatus::Setup => ("◌ setup", Some(CallState::Ringing)),
        PartyStatus::Proceeding => ("◌ ringing", Some(CallState::Ringing)),
        PartyStatus::Answered => ("● talk", Some(CallState::Connected)),
        PartyStatus::Hold => ("‖ hold", Some(CallState::OnHold)),
        PartyStatus::Parked => ("P park", Some(CallState::Parked)),
        PartyStatus::VoiceMail => ("✉ vm", Some(CallState::VoiceMail)),
        PartyStatus::Disconnected => ("✗ left", None),
        PartyStatus::Gone => ("→ gone", None),
        PartyStatus::Other => ("? other", None),
    }
}

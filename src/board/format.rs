//! Words and numbers as the board shows them: durations, ages, times, states and parties.
//! Results are not sanitised here; cells pass them through [`crate::text`].
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::CallState;
use crate::api::model::{CallResult, Direction, Party};
use crate::text;

/// `mm:ss`, or `h:mm:ss` from an hour on.
pub fn clock(d: SignedDuration) -> String {
    let s = d.as_secs().max(0);
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// A short age or countdown: `4s`, `2m05s`, `3h07m`.
pub fn short(d: SignedDuration) -> String {
    let s = d.as_secs().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s / 60 % 60),
    }
}

/// `HH:MM:SS` in the given time zone.
pub fn time_of_day(t: Timestamp, tz: &TimeZone) -> String {
    tz.to_datetime(t).strftime("%H:%M:%S").to_string()
}

/// `in`, `out`, or the raw value.
pub fn direction(d: Option<&Direction>) -> &str {
    match d {
        Some(Direction::Inbound) => "in",
        Some(Direction::Outbound) => "out",
        Some(Direction::Other(s)) => s,
        None => "",
    }
}

/// Symbol and word for a state, so colour is never the only signal: `◌ ring`, `● talk`, `‖ hold`,
/// `P park`, `✉ vm`, `✓ Accepted`; an ended call's result in at most nine letters (see [`result`]).
pub fn state(s: &CallState) -> String {
    match s {
        CallState::Ringing => "◌ ring".to_owned(),
        CallState::Connected => "● talk".to_owned(),
        CallState::OnHold => "‖ hold".to_owned(),
        CallState::Parked => "P park".to_owned(),
        CallState::VoiceMail => "✉ vm".to_owned(),
        CallState::Vanished => "? vanished".to_owned(),
        CallState::Ended(r) => format!("{} {}", result_symbol(r), result(r)),
    }
}

/// A result as the tables show it: RingCentral's word, shortened where it is longer than nine letters
/// so the narrow result column never cuts it (`Call connected` → `Connected`).
pub fn result(r: &CallResult) -> &str {
    match r {
        CallResult::CallConnected => "Connected",
        CallResult::SentToVoicemail => "Voicemail",
        CallResult::AnsweredElsewhere => "Elsewhere",
        CallResult::CallFailed | CallResult::CallFailure => "Failed",
        other => other.as_str(),
    }
}

fn result_symbol(r: &CallResult) -> char {
    match r {
        CallResult::Accepted | CallResult::CallConnected | CallResult::AnsweredElsewhere => '✓',
        _ => '✗',
    }
}

/// A party in one line: name, number and extension number, each only when present.
pub fn party(p: Option<&Party>) -> String {
    let Some(p) = p else { return String::new() };
    let mut parts: Vec<String> = Vec::with_capacity(3);
    parts.extend(p.name.as_deref().map(str::to_owned));
    parts.extend(p.phone_number.as_deref().map(str::to_owned));
    if let Some(ext) = &p.extension_number {
        parts.push(format!("x{ext}"));
    }
    parts.join(" ")
}

/// `from → to` in `width` cells from each side's whole text and short label: the whole texts when they
/// fit, else the labels, each cut to its share of the room so both stay in view.
pub fn route(from: [String; 2], to: [String; 2], width: usize) -> String {
    const ARROW: &str = " → ";
    let room = width.saturating_sub(text::width(ARROW));
    let [a, b] = [&from, &to].map(|[full, _]| text::clean(full));
    let [a, b] = if text::width(&a) + text::width(&b) <= room {
        [a, b]
    } else {
        [&from, &to].map(|[_, short]| text::clean(short))
    };
    let (wa, wb) = (text::width(&a), text::width(&b));
    let half = room / 2;
    let (ra, rb) = match () {
        _ if wa + wb <= room => (wa, wb),
        _ if wa <= half => (wa, room - wa),
        _ if wb <= room - half => (room - wb, wb),
        _ => (half, room - half),
    };
    format!("{}{ARROW}{}", text::fit(&a, ra), text::fit(&b, rb))
}

/// A party with its device, for the leg pane.
pub fn party_with_device(p: Option<&Party>) -> String {
    let base = party(p);
    match p.and_then(|p| p.device.as_ref()) {
        Some(d) if base.is_empty() => format!("device {}", d.id),
        Some(d) => format!("{base} (device {})", d.id),
        None if base.is_empty() => "—".to_owned(),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(clock(SignedDuration::from_secs(7)), "00:07");
        assert_eq!(clock(SignedDuration::from_secs(754)), "12:34");
        assert_eq!(clock(SignedDuration::from_secs(3723)), "1:02:03");
        assert_eq!(clock(SignedDuration::from_secs(-5)), "00:00");
        assert_eq!(short(SignedDuration::from_secs(4)), "4s");
        assert_eq!(short(SignedDuration::from_secs(125)), "2m05s");
        assert_eq!(short(SignedDuration::from_secs(11_220)), "3h07m");
    }

    #[test]
    fn parties_show_what_is_known() {
        let p = Party {
            name: Some("Tyler Liu".into()),
            extension_number: Some("11115".into()),
            ..Party::default()
        };
        assert_eq!(party(Some(&p)), "Tyler Liu x11115");
        assert_eq!(party(None), "");
        assert_eq!(party_with_device(None), "—");
    }

    #[test]
    fn a_route_keeps_both_parties_in_view() {
        let side = |full: &str, short: &str| [full.to_owned(), short.to_owned()];
        let juan = || side("MORALES JUAN +16175550123", "MORALES JUAN");
        let tyler = || side("Tyler Liu +16502886382", "Tyler Liu");
        assert_eq!(
            route(juan(), tyler(), 60),
            "MORALES JUAN +16175550123 → Tyler Liu +16502886382"
        );
        assert_eq!(route(juan(), tyler(), 30), "MORALES JUAN → Tyler Liu");
        assert_eq!(route(juan(), tyler(), 20), "MORALES… → Tyler Liu");
        assert_eq!(route(juan(), tyler(), 14), "MORA… → Tyler…");
        assert_eq!(route(side("", ""), tyler(), 14), " → Tyler Liu");
    }

    #[test]
    fn results_fit_the_result_column() {
        let state = |r: &str| state(&CallState::Ended(CallResult::from(r)));
        assert_eq!(state("Call connected"), "✓ Connected");
        assert_eq!(state("Sent to Voicemail"), "✗ Voicemail");
        assert_eq!(state("Accepted"), "✓ Accepted");
        for r in [
            "Answered Elsewhere",
            "Call Failed",
            "Call Failure",
            "No Answer",
            "Abandoned",
        ] {
            assert!(text::width(&state(r)) <= 11, "{r}");
        }
    }
}

//! Whole-screen snapshots of the board on a fixed clock, at the sizes people use.
use crate::support::app::{app, app_with, options};
use crate::support::board::{ago, now};
use crate::support::screen::{drawn, screen};

use std::sync::Arc;

use callboard::api::Scope;
use callboard::feed::{FeedState, RateHeadroom, SourceError, SourceErrorKind};
use callboard::tui::App;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::SignedDuration;

fn press(app: &mut App, c: char) {
    app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), now());
}

fn republish(app: &mut App, last: &FeedState, change: impl FnOnce(&mut FeedState)) {
    let mut s = last.clone();
    s.seq += 1;
    change(&mut s);
    app.apply(Arc::new(s), now());
}

#[test]
fn board_120x40() {
    let (mut app, _) = app();
    insta::assert_snapshot!(screen(&mut app, 120, 40));
}

#[test]
fn board_80x24() {
    let (mut app, _) = app();
    insta::assert_snapshot!(screen(&mut app, 80, 24));
}

#[test]
fn board_60x15_minimum() {
    let (mut app, _) = app();
    insta::assert_snapshot!(screen(&mut app, 60, 15));
}

#[test]
fn ended_list_focused_shows_its_call() {
    let (mut app, _) = app();
    app.key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE), now());
    insta::assert_snapshot!(screen(&mut app, 120, 40));
}

#[test]
fn help_overlay() {
    let (mut app, _) = app();
    press(&mut app, '?');
    insta::assert_snapshot!("help_120x40", screen(&mut app, 120, 40));
    insta::assert_snapshot!("help_80x24", screen(&mut app, 80, 24));
}

#[test]
fn help_scrolls_where_two_columns_do_not_fit() {
    let (mut app, _) = app();
    press(&mut app, '?');
    screen(&mut app, 80, 24);
    press(&mut app, 'G');
    assert!(app.help_shown(), "a scroll key keeps it open");
    insta::assert_snapshot!("help_80x24_end", screen(&mut app, 80, 24));
    press(&mut app, 'k');
    let up = screen(&mut app, 80, 24);
    assert!(up.contains("47–68 of 69"), "{up}");
    press(&mut app, 'x');
    assert!(!app.help_shown(), "any other key closes it");

    press(&mut app, '?');
    assert!(screen(&mut app, 120, 40).contains("any key closes"));
    press(&mut app, 'j');
    assert!(!app.help_shown(), "where it all fits, any key closes it");
}

/// A non-admin presses `a` and the source answers with the refusal.
fn refuse_account_scope(app: &mut App, last: &FeedState) {
    press(app, 'a');
    republish(app, last, |s| {
        s.user.as_mut().unwrap().admin = false;
        s.error = Some(SourceError {
            kind: SourceErrorKind::Permission {
                permission: Some("ReadCompanyCallLog".into()),
            },
            scope: Scope::Account,
            message: "403 Forbidden: In order to call this API endpoint, user needs to have [ReadCompanyCallLog] permission".into(),
            at: ago(2),
            retry_at: None,
        });
    });
}

#[test]
fn permission_error_on_account_scope() {
    let (mut app, last) = app();
    refuse_account_scope(&mut app, &last);
    insta::assert_snapshot!("permission_120x40", screen(&mut app, 120, 40));
    insta::assert_snapshot!("permission_80x24", screen(&mut app, 80, 24));
}

#[test]
fn stale_data() {
    let (mut app, last) = app();
    republish(&mut app, &last, |s| {
        s.listing.taken_at = Some(ago(45));
        s.next_listing_at = Some(ago(35));
    });
    insta::assert_snapshot!(screen(&mut app, 80, 24));
}

#[test]
fn rate_limited_with_countdown() {
    let (mut app, last) = app();
    republish(&mut app, &last, |s| {
        s.rate = Some(RateHeadroom {
            remaining: 0,
            limit: 10,
            window_secs: 60,
            penalty_until: Some(now() + SignedDuration::from_secs(23)),
        });
        s.error = Some(SourceError {
            kind: SourceErrorKind::RateLimited,
            scope: Scope::own_extension(),
            message: "RingCentral rate limit reached (Heavy group)".into(),
            at: ago(37),
            retry_at: Some(now() + SignedDuration::from_secs(23)),
        });
    });
    insta::assert_snapshot!(screen(&mut app, 80, 24));
}

#[test]
fn switching_scope() {
    let (mut app, last) = app();
    press(&mut app, 's');
    republish(&mut app, &last, |s| {
        s.scope = Some(Scope::Account);
        s.switching = true;
    });
    insta::assert_snapshot!(screen(&mut app, 80, 24));
}

#[test]
fn waiting_for_first_poll() {
    let mut app = App::new(&options(false));
    app.apply(
        Arc::new(FeedState {
            scope: Some(Scope::own_extension()),
            ..FeedState::default()
        }),
        now(),
    );
    insta::assert_snapshot!(screen(&mut app, 80, 24));
}

#[test]
fn filter_prompt_while_typing() {
    let (mut app, _) = app();
    press(&mut app, '/');
    for c in "650288".chars() {
        press(&mut app, c);
    }
    insta::assert_snapshot!(screen(&mut app, 80, 24));
}

#[test]
fn too_small() {
    let (mut app, _) = app();
    insta::assert_snapshot!(screen(&mut app, 50, 12));
}

#[test]
fn plain_table_for_pipes() {
    let (app, _) = app();
    insta::assert_snapshot!(callboard::output::plain_table(
        app.board(),
        now(),
        &jiff::tz::TimeZone::UTC
    ));
}

#[test]
fn no_escape_reaches_the_screen() {
    let (mut app, _) = app();
    for (w, h) in [(120, 40), (80, 24), (60, 15)] {
        let s = screen(&mut app, w, h);
        assert!(!s.chars().any(|c| c.is_control() && c != '\n'), "{w}x{h}");
        assert!(!s.contains('\u{202E}'));
    }
}

#[test]
fn colour_is_used_unless_disabled() {
    use ratatui::style::Color;
    let mut opts = options(false);
    opts.no_color = false;
    let colours = |opts: &callboard::tui::UiOptions| {
        drawn(&mut app_with(opts).0, 120, 40, now())
            .content
            .iter()
            .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
            .count()
    };
    if std::env::var_os("NO_COLOR").is_none() {
        assert!(colours(&opts) > 0);
    }
    assert_eq!(colours(&options(false)), 0);
}

#[test]
fn a_refresh_held_back_by_the_rate_budget_says_when_it_will_run() {
    let (mut app, last) = app();
    let spent = |s: &mut FeedState| {
        s.rate = Some(RateHeadroom {
            remaining: 0,
            limit: 10,
            window_secs: 60,
            penalty_until: None,
        });
        s.next_listing_at = Some(now() + SignedDuration::from_secs(40));
    };
    republish(&mut app, &last, spent);
    assert!(screen(&mut app, 120, 40).contains("next poll in 40s"));
    press(&mut app, 'R');
    // The source answers the refresh with the time its budget allows.
    republish(&mut app, &last, spent);
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("refresh in 40s (Heavy budget)"), "{text}");
    // The listing it asked for arrives: back to the usual countdown.
    republish(&mut app, &last, |s| {
        spent(s);
        s.listing.seq += 1;
    });
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("next poll in 40s") && !text.contains("refresh in"),
        "{text}"
    );
}

/// The title line of a list: the rule line that starts with its name.
fn title_of<'a>(screen: &'a str, name: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(name) && l.contains('─'))
        .unwrap_or_else(|| panic!("no {name} title in\n{screen}"))
}

#[test]
fn conversations_mark_the_titles_and_count_conversations() {
    let (mut app, last) = app();
    republish(&mut app, &last, |s| s.scope = Some(Scope::Account));
    press(&mut app, 'c');
    let text = screen(&mut app, 120, 40);
    let live = app.board().len(callboard::board::List::Live);
    let ended = app.board().len(callboard::board::List::Ended);
    assert!(
        title_of(&text, "Live").contains(&format!("⧉ Live conversations {live} · of 7 calls")),
        "{text}"
    );
    assert!(
        title_of(&text, "Recently ended")
            .contains(&format!("⧉ Recently ended conversations {ended} · of 3 calls")),
        "{text}"
    );
    press(&mut app, 'c');
    let text = screen(&mut app, 120, 40);
    let title = title_of(&text, "Live");
    assert!(title.contains("Live calls 7 ·") && !title.contains('⧉'), "{text}");
}

#[test]
fn the_filter_prompt_and_the_titles_count_the_same_rows() {
    let (mut app, _) = app();
    press(&mut app, '/');
    for c in "Tyler".chars() {
        press(&mut app, c);
    }
    let live = app.board().len(callboard::board::List::Live);
    let ended = app.board().len(callboard::board::List::Ended);
    assert!(live > 0 && ended > 0 && live < 7);
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains(&format!("{live} live · {ended} ended calls match")),
        "{text}"
    );
    assert!(
        title_of(&text, "Live calls").contains(&format!("Live calls 7 · {live} match")),
        "{text}"
    );
    assert!(
        title_of(&text, "Recently ended").contains(&format!("Recently ended calls 3 · {ended} match")),
        "{text}"
    );
}

#[test]
fn paused_the_status_says_what_is_frozen_and_that_polls_go_on() {
    let (mut app, last) = app();
    assert!(screen(&mut app, 120, 40).contains("next poll in 6s"));
    app.key(KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE), now());
    // Polls go on while the screen is frozen: a later state arrives and the clock moves.
    republish(&mut app, &last, |s| s.listing.seq += 1);
    let later = now() + SignedDuration::from_secs(20);
    let text = crate::support::screen::text(&drawn(&mut app, 120, 40, later));
    assert!(text.contains("PAUSED · 1 new"), "{text}");
    assert!(text.contains("frozen at 00:15 · polls go on"), "{text}");
    assert!(
        !text.contains("next poll in"),
        "no countdown frozen in time:\n{text}"
    );
}

#[test]
fn the_rate_budget_says_what_is_left() {
    let (mut app, _) = app();
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("Heavy 7 of 10 left per 60s"), "{text}");
}

#[test]
fn the_non_admin_explanation_keeps_to_one_line() {
    let (mut app, last) = app();
    let before = screen(&mut app, 80, 24);
    refuse_account_scope(&mut app, &last);
    for (w, h) in [(120, 40), (80, 24), (60, 15)] {
        let text = screen(&mut app, w, h);
        let line = text.lines().nth(2).unwrap();
        assert!(
            line.starts_with(" ✗ no account scope (press a for why)"),
            "{text}"
        );
        assert!(line.contains('…') && line.ends_with("updated 4s ago"), "{text}");
        assert!(
            text.lines().nth(3).unwrap().starts_with(" in 6 out 1"),
            "no wrap:\n{text}"
        );
    }
    let after = screen(&mut app, 80, 24);
    // Everything under the status stays where it was.
    assert_eq!(
        before.lines().skip(3).collect::<Vec<_>>(),
        after.lines().skip(3).collect::<Vec<_>>()
    );
    // The key says it in full.
    press(&mut app, 'a');
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("account scope needs an admin user with the ReadCompanyCallLog permission"),
        "{text}"
    );
}

#[test]
fn the_header_says_where_you_are() {
    let mut opts = options(false);
    opts.server = Some("platform.ringcentral.com".into());
    opts.recording = true;
    let (mut app, _) = app_with(&opts);
    let text = screen(&mut app, 120, 40);
    let header = text.lines().nth(1).unwrap();
    for part in [
        "11115 (Tyler Liu)",
        "platform.ringcentral.com",
        " REC ",
        "37439510",
        "00:15",
        "7 live",
    ] {
        assert!(header.contains(part), "{part} missing from\n{text}");
    }
    // At 80 columns it stays one line: the account and the host go first; REC, the time and counts stay.
    let text = screen(&mut app, 80, 24);
    let header = text.lines().nth(1).unwrap();
    for part in [" REC ", "00:15", "7 live", "3 ended"] {
        assert!(header.contains(part), "{part} missing from\n{text}");
    }
    assert!(!header.contains("37439510") && !header.contains('…'), "{text}");
    assert!(text.lines().nth(2).unwrap().contains("updated 4s ago"), "{text}");
    // The simulator shows DEMO where the host goes.
    let (mut demo, _) = crate::support::app::app();
    let header = screen(&mut demo, 120, 40);
    assert!(header.lines().nth(1).unwrap().contains(" DEMO "), "{header}");
}

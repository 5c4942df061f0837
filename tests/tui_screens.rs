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

#[test]
fn permission_error_on_account_scope() {
    let (mut app, last) = app();
    press(&mut app, 'a');
    republish(&mut app, &last, |s| {
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

//! Conversations on the simulator's account-scope calls: an internal call's two records and a transfer's
//! original and target records group into one row with all their parties.
use crate::support::client::SimClient;

use callboard::api::model::LegType;
use callboard::api::{RcClient, Scope};
use callboard::board::{Board, BoardConfig, List, parties, session_of};
use callboard::clock::Clock;
use callboard::sim::{SimOptions, Simulator};
use std::collections::HashSet;

use jiff::Timestamp;

async fn account_board(client: &RcClient) -> Board {
    let calls = client.active_calls(&Scope::Account).await.unwrap();
    let mut board = Board::new(BoardConfig::default());
    board.merge(&calls.records, Timestamp::now());
    board
}

/// True when a transferred call's records share their session with another live record.
fn has_shared_transfer(board: &Board) -> bool {
    board.window(List::Live, 0, usize::MAX).any(|c| {
        board.conversation(c).len() > 1
            && c.record()
                .legs
                .iter()
                .any(|l| l.leg_type == Some(LegType::TransferCall))
    })
}

/// True when an internal call (two records) is live.
fn has_internal(board: &Board) -> bool {
    board.window(List::Live, 0, usize::MAX).any(|c| {
        let conv = board.conversation(c);
        conv.len() == 2
            && conv.iter().all(|c| {
                c.record()
                    .legs
                    .iter()
                    .all(|l| l.leg_type != Some(LegType::TransferCall))
            })
    })
}

fn ids(board: &Board, list: List) -> Vec<String> {
    board
        .window(list, 0, usize::MAX)
        .map(|c| c.id().to_owned())
        .collect()
}

/// Distinct sessions (or the id, for a record without one) of a list's rows.
fn distinct(board: &Board, list: List) -> HashSet<String> {
    board
        .window(list, 0, usize::MAX)
        .map(|c| session_of(c).unwrap_or(c.id()).to_owned())
        .collect()
}

#[tokio::test]
async fn shared_sessions_group_into_one_conversation() {
    // A fixed seed and a manual clock, stepped a minute at a time until an internal call and a transfer
    // have been seen sharing sessions (the last board checked is the one grouped below).
    let clock = Clock::manual("2026-01-05T15:00:00Z".parse().unwrap());
    let sim = Simulator::start(SimOptions::demo().seed(7).clock(clock.clone()))
        .await
        .unwrap();
    let rc = SimClient::new(&sim, true).per_page(100).build();
    let mut board = account_board(&rc).await;
    let (mut internal, mut transfer) = (false, false);
    for _ in 0..240 {
        internal |= has_internal(&board);
        transfer |= has_shared_transfer(&board);
        if internal && transfer {
            break;
        }
        clock.advance(std::time::Duration::from_secs(60));
        board = account_board(&rc).await;
    }
    assert!(
        internal && transfer,
        "the demo makes internal calls and transfers"
    );
    let lists = [List::Live, List::Ended];
    let all: Vec<Vec<String>> = lists.iter().map(|&l| ids(&board, l)).collect();
    let sessions: Vec<HashSet<String>> = lists.iter().map(|&l| distinct(&board, l)).collect();
    let shared: Vec<String> = all
        .concat()
        .into_iter()
        .filter(|id| board.conversation(board.get(id).unwrap()).len() > 1)
        .collect();
    assert!(
        !shared.is_empty(),
        "the demo has internal calls or transfers in account scope"
    );
    let transfer = all.concat().into_iter().find(|id| {
        let legs = &board.get(id).unwrap().record().legs;
        legs.iter().any(|l| l.leg_type == Some(LegType::TransferCall))
    });

    // A conversation lists the parties of all its records.
    let conv = board.conversation(board.get(&shared[0]).unwrap());
    let together = parties(conv.iter().copied());
    assert!(
        conv.iter()
            .all(|c| parties([*c]).iter().all(|p| together.contains(p)))
    );
    assert!(together.len() >= 2, "{together:?}");

    board.set_grouped(true);
    for (i, &list) in lists.iter().enumerate() {
        let rows = ids(&board, list);
        assert_eq!(rows.len(), sessions[i].len(), "one row per session in {list:?}");
        assert_eq!(distinct(&board, list), sessions[i]);
    }
    assert!(ids(&board, List::Live).len() + ids(&board, List::Ended).len() < all.concat().len());
    if let Some(id) = transfer {
        let t = board.get(&id).unwrap();
        let conv = board.conversation(t);
        assert!(conv.iter().all(|c| session_of(c) == session_of(t)));
    }

    board.set_grouped(false);
    assert_eq!(lists.iter().map(|&l| ids(&board, l)).collect::<Vec<_>>(), all);
    sim.shutdown().await;
}

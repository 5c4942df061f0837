//! The call tables' columns, each defined once: header, width in every table that shows it, cell text,
//! alignment, tone, sort order and default sort direction. The live table, the ended list, the plain
//! table, sorting, the column chooser and the preferences all read them from here.
use std::cmp::Ordering;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::call::{Call, party_label};
use super::format;
use crate::api::model::{Direction, Party};
use crate::text;

/// A column of the call tables, in on-screen order. The serde names are the ones kept in preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Column {
    /// Ringing, then connected; an ended call's result.
    State,
    /// Call length.
    Duration,
    /// Inbound, then outbound.
    Direction,
    /// Caller's name, number or extension.
    From,
    /// Callee's name, number or extension.
    To,
    /// Queue, delegate or routing action.
    Via,
    /// Start time.
    Start,
}

/// A table that shows calls in columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// The live table on the board: every column, the user's choice and order.
    Live,
    /// The recently-ended list beside the live table, without a header.
    Ended,
    /// The plain text printed for scripts and pipes: fixed widths, no colour.
    Plain,
}

impl Table {
    /// Every table.
    pub const ALL: [Table; 3] = [Table::Live, Table::Ended, Table::Plain];
}

/// How wide a column is in one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Width {
    /// Fewest cells it takes.
    pub min: u16,
    /// Its part of the spare width (0: fixed at `min`).
    pub share: u16,
    /// When the table is too narrow, columns with a rank leave lowest rank first; `None` never leaves.
    pub drop: Option<u8>,
}

const fn fixed(min: u16) -> Option<Width> {
    Some(Width {
        min,
        share: 0,
        drop: None,
    })
}

const fn flex(min: u16, share: u16) -> Option<Width> {
    Some(Width {
        min,
        share,
        drop: None,
    })
}

const fn dropped(width: Option<Width>, rank: u8) -> Option<Width> {
    match width {
        Some(w) => Some(Width {
            drop: Some(rank),
            ..w
        }),
        None => None,
    }
}

/// Which side of its cell a column's text keeps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left, cut with `…` when too long.
    Left,
    /// Right, never cut (numbers).
    Right,
}

impl Align {
    /// `s` cleaned for the terminal and placed in `width` cells: cut when left-aligned, padded on the
    /// left when right-aligned.
    pub fn place(self, s: &str, width: usize) -> String {
        match self {
            Align::Left => text::fit(s, width),
            Align::Right => {
                let s = text::clean(s);
                format!("{}{s}", " ".repeat(width.saturating_sub(text::width(&s))))
            }
        }
    }
}

/// How a renderer styles a column's cells; the renderer picks the colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Ordinary text.
    Text,
    /// Secondary text.
    Dim,
    /// The call state's colour.
    State,
    /// The call's alert level: its symbol before the text and its colour.
    Alert,
}

/// What a cell needs besides its call.
#[derive(Debug, Clone, Copy)]
pub struct CellContext<'a> {
    /// The moment the table shows.
    pub now: Timestamp,
    /// The time zone times are shown in.
    pub tz: &'a TimeZone,
    /// How many call records the row stands for (more than one in conversation view).
    pub records: usize,
    /// For a queue leg, the caller push saw on its session, when it saw one.
    pub caller: Option<&'a Party>,
    /// For a queue leg, the queue push saw the caller reach, when it saw one.
    pub queue: Option<&'a Party>,
}

/// What FROM says of a queue leg whose caller neither the record nor push names.
pub const CALLER_NOT_LISTED: &str = "caller not listed";

/// What VIA says of a queue leg whose queue neither the record nor push names.
pub const QUEUE_CALL: &str = "queue call";

impl Column {
    /// All columns, left to right as the tables show them by default; every variant is listed here.
    pub const ALL: [Column; 7] = [
        Self::State,
        Self::Duration,
        Self::Direction,
        Self::From,
        Self::To,
        Self::Via,
        Self::Start,
    ];

    /// Short header name.
    pub fn header(self) -> &'static str {
        match self {
            Self::State => "STATE",
            Self::Duration => "DUR",
            Self::Direction => "DIR",
            Self::From => "FROM",
            Self::To => "TO",
            Self::Via => "VIA",
            Self::Start => "START",
        }
    }

    /// The column's width in `table`; `None` when that table does not show it.
    pub fn width(self, table: Table) -> Option<Width> {
        match (self, table) {
            (Self::State, Table::Live) => fixed(7),
            (Self::State, Table::Ended) => fixed(11),
            (Self::State, Table::Plain) => fixed(12),
            (Self::Duration, Table::Live) => fixed(8),
            (Self::Duration, Table::Ended) => fixed(7),
            (Self::Duration, Table::Plain) => fixed(8),
            (Self::Direction, Table::Live) => dropped(fixed(5), 2),
            (Self::Direction, Table::Ended) => None,
            (Self::Direction, Table::Plain) => fixed(4),
            (Self::From, Table::Live) => flex(18, 3),
            (Self::From, Table::Ended) => flex(16, 1),
            (Self::From, Table::Plain) => fixed(32),
            (Self::To, Table::Live) => flex(18, 3),
            // The ended list shows `from → to` in the FROM cell, so both parties stay in view.
            (Self::To, Table::Ended) => None,
            (Self::To, Table::Plain) => fixed(32),
            (Self::Via, Table::Live) => dropped(flex(14, 2), 1),
            (Self::Via, Table::Ended) => None,
            (Self::Via, Table::Plain) => fixed(20),
            (Self::Start, Table::Live) => dropped(fixed(8), 0),
            (Self::Start, Table::Ended) => None,
            (Self::Start, Table::Plain) => fixed(8),
        }
    }

    /// Which side of the cell the text keeps to.
    pub fn align(self) -> Align {
        match self {
            Self::Duration => Align::Right,
            Self::State | Self::Direction | Self::From | Self::To | Self::Via | Self::Start => Align::Left,
        }
    }

    /// How the cells are styled.
    pub fn tone(self) -> Tone {
        match self {
            Self::State => Tone::State,
            Self::Duration => Tone::Alert,
            Self::Direction | Self::From | Self::To => Tone::Text,
            Self::Via | Self::Start => Tone::Dim,
        }
    }

    /// The cell's text for `call`, not yet cleaned or cut (see [`Align::place`]).
    pub fn cell(self, call: &Call, cx: &CellContext) -> String {
        let f = &call.record().fields;
        match self {
            Self::State => format::state(call.state()),
            Self::Duration => format::clock(call.duration(cx.now)),
            Self::Direction => format::direction(call.direction()).to_owned(),
            Self::From if call.is_queue_leg() => match cx.caller {
                Some(caller) => format::party(Some(caller)),
                None => CALLER_NOT_LISTED.to_owned(),
            },
            Self::From => format::party(f.from.as_deref()),
            // A queue leg's `from` is the agent who took the call.
            Self::To if call.is_queue_leg() => format::party(f.from.as_deref()),
            Self::To => format::party(f.to.as_deref()),
            Self::Via => {
                let via = call.via().or_else(|| {
                    let queue = cx.queue.map(|q| party_label(Some(q)).to_owned());
                    call.is_queue_leg()
                        .then(|| queue.unwrap_or_else(|| QUEUE_CALL.to_owned()))
                });
                let via = via.unwrap_or_default();
                match cx.records {
                    0 | 1 => via,
                    n if via.is_empty() => format!("⧉ {n} records"),
                    n => format!("⧉ {n} · {via}"),
                }
            }
            Self::Start => format::time_of_day(call.start(), cx.tz),
        }
    }

    /// Orders two calls by this column, smallest first.
    pub fn compare(self, a: &Call, b: &Call, now: Timestamp) -> Ordering {
        match self {
            Self::State => a.state().rank().cmp(&b.state().rank()),
            Self::Duration => a.duration(now).cmp(&b.duration(now)),
            Self::Direction => direction_rank(a).cmp(&direction_rank(b)),
            Self::From => a.sort_key_from().cmp(b.sort_key_from()),
            Self::To => a.sort_key_to().cmp(b.sort_key_to()),
            Self::Via => a.sort_key_via().cmp(b.sort_key_via()),
            Self::Start => a.start().cmp(&b.start()),
        }
    }

    /// The direction a first sort by this column takes: text and states ascending (A→Z, ringing first),
    /// times and durations descending (newest, longest first).
    pub fn descending_by_default(self) -> bool {
        match self {
            Self::Duration | Self::Start => true,
            Self::State | Self::Direction | Self::From | Self::To | Self::Via => false,
        }
    }

    /// The column `step` places to the right (negative: left), wrapping around.
    pub fn step(self, step: isize) -> Self {
        let n = Self::ALL.len() as isize;
        let i = Self::ALL.iter().position(|c| *c == self).unwrap_or(0) as isize;
        Self::ALL[(i + step).rem_euclid(n) as usize]
    }
}

/// `from → to` for `call` in `width` cells as FROM and TO read it, both parties in view (see
/// [`format::route`]); the ended list's parties.
pub fn route(call: &Call, cx: &CellContext, width: usize) -> String {
    let f = &call.record().fields;
    let side = |column: Column| {
        let party = match (column, call.is_queue_leg()) {
            (Column::From, true) => cx.caller,
            (Column::From, false) | (_, true) => f.from.as_deref(),
            _ => f.to.as_deref(),
        };
        let full = column.cell(call, cx);
        let short = party.map_or_else(|| full.clone(), |p| party_label(Some(p)).to_owned());
        [full, short]
    };
    format::route(side(Column::From), side(Column::To), width)
}

fn direction_rank(c: &Call) -> (u8, &str) {
    match c.direction() {
        Some(Direction::Inbound) => (0, ""),
        Some(Direction::Outbound) => (1, ""),
        Some(Direction::Other(s)) => (2, s.as_str()),
        None => (3, ""),
    }
}

/// The `chosen` columns of `table` that fit in `width` cells (one cell between columns), in the chosen
/// order, with their widths. A `blank` column (no text in any row on screen) keeps only its header's
/// width and no share, so the columns with text get the room. Columns leave by drop rank until the rest
/// fit; the spare width goes to the flexible columns by share, the remainder to the last of them.
pub fn layout(table: Table, width: u16, chosen: &[Column], blank: &[Column]) -> Vec<(Column, u16)> {
    let mut cols: Vec<(Column, Width)> = chosen
        .iter()
        .filter_map(|&c| {
            let w = c.width(table)?;
            let narrow = || Width {
                min: w.min.min(text::width(c.header()) as u16),
                share: 0,
                ..w
            };
            Some((c, if blank.contains(&c) { narrow() } else { w }))
        })
        .collect();
    let need = |cols: &[(Column, Width)]| {
        cols.iter().map(|(_, w)| w.min).sum::<u16>() + (cols.len() as u16).saturating_sub(1)
    };
    let mut ranks: Vec<u8> = cols.iter().filter_map(|(_, w)| w.drop).collect();
    ranks.sort_unstable();
    for rank in ranks {
        if need(&cols) <= width || cols.len() <= 1 {
            break;
        }
        cols.retain(|(_, w)| w.drop != Some(rank));
    }
    let spare = width.saturating_sub(need(&cols).min(width));
    let shares: u16 = cols.iter().map(|(_, w)| w.share).sum::<u16>().max(1);
    let mut given = 0;
    let last_flex = cols.iter().rposition(|(_, w)| w.share > 0);
    cols.iter()
        .enumerate()
        .map(|(i, (c, w))| {
            let extra = if Some(i) == last_flex {
                spare - given
            } else {
                spare * w.share / shares
            };
            given += extra;
            (*c, w.min + extra)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::board::Board;
    use Column::*;

    /// A connected inbound call with every field a column shows.
    fn sample() -> Call {
        let json = r#"{"id":"s1","startTime":"2026-01-05T09:00:00Z","result":"In Progress","reason":"Accepted",
            "direction":"Inbound","from":{"name":"Ann","phoneNumber":"+15550100"},
            "to":{"name":"Bob","extensionNumber":"101"},"delegate":{"id":"9","name":"Sales queue"}}"#;
        let now: Timestamp = "2026-01-05T09:01:05Z".parse().unwrap();
        let mut board = Board::default();
        board.merge(&[Arc::new(serde_json::from_str(json).unwrap())], now);
        let call = board.window(crate::board::List::Live, 0, 1).next().unwrap();
        call.clone()
    }

    #[test]
    fn every_column_is_complete_in_every_table_that_shows_it() {
        let call = sample();
        let cx = CellContext {
            now: "2026-01-05T09:01:05Z".parse().unwrap(),
            tz: &TimeZone::UTC,
            records: 1,
            caller: None,
            queue: None,
        };
        for column in Column::ALL {
            assert!(!column.header().is_empty(), "{column:?} has no header");
            assert!(
                column.width(Table::Live).is_some(),
                "{column:?} not in the live table"
            );
            let cell = column.cell(&call, &cx);
            assert!(!cell.is_empty(), "{column:?} has no cell for the sample call");
            for table in Table::ALL {
                let Some(width) = column.width(table) else {
                    continue;
                };
                assert!(width.min > 0, "{column:?} has no width in {table:?}");
                // The ended list has no header row; the others print the header in the column.
                if table != Table::Ended {
                    assert!(
                        usize::from(width.min) >= column.header().len(),
                        "{column:?} is narrower than its header in {table:?}"
                    );
                }
            }
        }
        let names = Column::ALL.map(|c| serde_json::to_string(&c).unwrap());
        assert_eq!(
            names.join(","),
            r#""state","duration","direction","from","to","via","start""#,
            "preference files name columns this way"
        );
    }

    #[test]
    fn text_sorts_ascending_and_time_descending_by_default() {
        let descending: Vec<Column> = Column::ALL
            .into_iter()
            .filter(|c| c.descending_by_default())
            .collect();
        assert_eq!(descending, [Duration, Start]);
    }

    #[test]
    fn via_counts_the_records_of_a_conversation() {
        let call = sample();
        let utc = TimeZone::UTC;
        let cx = |records| CellContext {
            now: Timestamp::UNIX_EPOCH,
            tz: &utc,
            records,
            caller: None,
            queue: None,
        };
        assert_eq!(Via.cell(&call, &cx(1)), "Sales queue");
        assert_eq!(Via.cell(&call, &cx(3)), "⧉ 3 · Sales queue");
        assert_eq!(Start.cell(&call, &cx(1)), "09:00:00");
        assert_eq!(Duration.align().place("01:05", 8), "   01:05");
        assert_eq!(From.align().place("Ann\u{1b}", 8), "Ann\u{FFFD}");
    }

    #[test]
    fn columns_drop_from_the_right_by_priority() {
        let all = Column::ALL;
        let names = |w| {
            layout(Table::Live, w, &all, &[])
                .into_iter()
                .map(|(c, _)| c)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(120).len(), 7);
        assert!(!names(80).contains(&Start));
        assert!(names(80).contains(&Via));
        assert_eq!(names(60), [State, Duration, Direction, From, To]);
        for w in [60, 80, 97, 120, 200] {
            let cols = layout(Table::Live, w, &all, &[]);
            let used: u16 = cols.iter().map(|c| c.1).sum::<u16>() + cols.len() as u16 - 1;
            assert_eq!(used, w, "width {w}");
        }
    }

    #[test]
    fn the_ended_list_gives_the_parties_the_room() {
        let ended = |w| layout(Table::Ended, w, &Column::ALL, &[]);
        assert_eq!(ended(36), [(State, 11), (Duration, 7), (From, 16)]);
        assert_eq!(ended(67), [(State, 11), (Duration, 7), (From, 47)]);
    }

    #[test]
    fn a_blank_column_yields_its_width_to_the_columns_with_text() {
        let all = Column::ALL;
        // At 80 cells an empty VIA kept 14 cells while START left and FROM and TO were cut.
        let cols = layout(Table::Live, 80, &all, &[Via]);
        let names: Vec<Column> = cols.iter().map(|c| c.0).collect();
        assert_eq!(names, all, "START stays once VIA gives up its room");
        assert_eq!(cols[5], (Via, 3), "VIA keeps its header's width");
        assert!(cols[3].1 > 18 && cols[4].1 > 18, "FROM and TO grow: {cols:?}");
        let used: u16 = cols.iter().map(|c| c.1).sum::<u16>() + cols.len() as u16 - 1;
        assert_eq!(used, 80);
    }
}

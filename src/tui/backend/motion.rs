//! Cursor motions: the steps a move can be made of, and what each costs in bytes.
use ratatui::layout::Position;

/// One step of a cursor motion.
#[derive(Debug, Clone, Copy)]
pub(super) enum Op {
    Nop,
    /// `ESC [ n final`, with `n` left out when it is 1.
    Csi(u16, u8),
    /// The absolute move.
    To(Position),
    /// A control byte (`CR`, `LF`, `BS`) this many times.
    Repeat(u8, u16),
    /// The known cells `from..to` of `row` printed again.
    Reprint {
        row: u16,
        from: u16,
        to: u16,
    },
}

pub(super) type Motion = [Op; 3];

impl Op {
    /// Bytes written.
    pub(super) fn cost(self) -> usize {
        match self {
            Op::Nop => 0,
            Op::Csi(n, _) => 3 + if n == 1 { 0 } else { digits(n) },
            Op::To(p) if p.x == 0 => 3 + digits(p.y + 1),
            Op::To(p) => 4 + digits(p.y + 1) + digits(p.x + 1),
            Op::Repeat(_, n) => usize::from(n),
            Op::Reprint { from, to, .. } => usize::from(to - from),
        }
    }
}

pub(super) fn cost(motion: &[Op]) -> usize {
    motion.iter().map(|op| op.cost()).sum()
}

pub(super) fn keep_cheaper(best: &mut Motion, candidate: Motion) {
    if cost(&candidate) < cost(best) {
        *best = candidate;
    }
}

pub(super) fn cheaper(a: Op, b: Op) -> Op {
    if b.cost() < a.cost() { b } else { a }
}

pub(super) fn digits(n: u16) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

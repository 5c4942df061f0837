//! Lines made of parts that shorten, then go, least important first. The forms are planned on the widest
//! the parts can be (see [`plan`]), so a line keeps its format at a given width while its numbers change.
use super::{Pieces, pieces_width};

/// One part of a line: its priority (lower is kept longer), its full form and a shorter one with the
/// priority of shortening it.
#[derive(Clone)]
pub(super) struct Part {
    pub priority: u8,
    pub long: Pieces,
    pub short: Option<(u8, Pieces)>,
}

/// Shortening comes before any dropping unless a part says otherwise.
const SHORTEN_FIRST: u8 = 100;

/// How a part is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    Long,
    Short,
    Dropped,
}

impl Part {
    /// A part without a shorter form.
    pub fn new(priority: u8, long: Pieces) -> Self {
        Part {
            priority,
            long,
            short: None,
        }
    }

    /// A part with a shorter form, taken before any part is dropped.
    pub fn with_short(priority: u8, long: Pieces, short: Pieces) -> Self {
        Self::shortened_at(SHORTEN_FIRST + priority, priority, long, short)
    }

    /// A part with a shorter form, taken in turn with the other parts' steps at `shorten` priority.
    pub fn shortened_at(shorten: u8, priority: u8, long: Pieces, short: Pieces) -> Self {
        Part {
            priority,
            long,
            short: Some((shorten, short)),
        }
    }

    fn width(&self, form: Form) -> usize {
        match form {
            Form::Long => pieces_width(&self.long),
            Form::Short => pieces_width(self.short.as_ref().map_or(&self.long, |(_, s)| s)),
            Form::Dropped => 0,
        }
    }

    /// The pieces of this part in `form`.
    pub fn take(self, form: Form) -> Pieces {
        match form {
            Form::Long => self.long,
            Form::Short => self.short.map_or(self.long, |(_, s)| s),
            Form::Dropped => Vec::new(),
        }
    }
}

/// The form of each of `widest` (the parts at their widest) that fits `width`: parts are shortened and
/// dropped, the highest priority number first (the later part on a tie), until the rest fits.
pub(super) fn plan(widest: &[Part], width: usize) -> Vec<Form> {
    let mut steps: Vec<(u8, usize, Form)> = Vec::new();
    for (i, part) in widest.iter().enumerate() {
        if let Some((shorten, _)) = &part.short {
            steps.push((*shorten, i, Form::Short));
        }
        steps.push((part.priority, i, Form::Dropped));
    }
    steps.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut forms = vec![Form::Long; widest.len()];
    let used = |forms: &[Form]| widest.iter().zip(forms).map(|(p, f)| p.width(*f)).sum::<usize>();
    for (_, i, form) in steps {
        if used(&forms) <= width {
            break;
        }
        forms[i] = form;
    }
    forms
}

/// `parts` in the forms `forms` gives them, in order.
pub(super) fn apply(parts: Vec<Part>, forms: &[Form]) -> Pieces {
    parts
        .into_iter()
        .zip(forms)
        .flat_map(|(p, f)| p.take(*f))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    fn part(priority: u8, long: &str, short: Option<&str>) -> Part {
        let pieces = |t: &str| vec![(t.to_owned(), Style::new())];
        Part {
            priority,
            long: pieces(long),
            short: short.map(|s| (SHORTEN_FIRST, pieces(s))),
        }
    }

    #[test]
    fn the_least_important_part_is_shortened_then_dropped() {
        let parts = || {
            vec![
                part(0, "aaaa", None),
                part(2, "bbbb", Some("b")),
                part(1, "cccc", None),
            ]
        };
        assert_eq!(plan(&parts(), 12), [Form::Long; 3]);
        assert_eq!(plan(&parts(), 9), [Form::Long, Form::Short, Form::Long]);
        assert_eq!(plan(&parts(), 8), [Form::Long, Form::Dropped, Form::Long]);
        assert_eq!(plan(&parts(), 4), [Form::Long, Form::Dropped, Form::Dropped]);
    }
}

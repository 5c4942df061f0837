//! Fake but realistic people, numbers and places. Nothing here is a real person or number.
use rand::Rng;

const FIRST: &[&str] = &[
    "Dana", "Sam", "Priya", "Marcus", "Elena", "Tomás", "Grace", "Kenji", "Aisha", "Liam", "Sofia", "Noah",
    "Mei", "Oliver", "Fatima", "Lucas", "Hannah", "Diego", "Chloe", "Ravi", "Amara", "Jonah", "Ingrid",
    "Mateo", "Zoe", "Arjun", "Nadia", "Felix", "Leah", "Omar", "Ruth", "Yusuf", "Clara",
];
const LAST: &[&str] = &[
    "Whitfield",
    "Ortega",
    "Raman",
    "Bellamy",
    "Kowalski",
    "Hughes",
    "Tanaka",
    "Okafor",
    "Brennan",
    "Lindqvist",
    "Moreau",
    "Castillo",
    "Nguyen",
    "Fischer",
    "Haddad",
    "Marsh",
    "Pereira",
    "Sato",
    "Duval",
    "Mensah",
    "Novak",
    "Iyer",
    "Keane",
    "Romero",
    "Abbott",
    "Chen",
    "Varga",
    "Holt",
    "Quinn",
];
const QUEUES: &[&str] = &[
    "Support Queue",
    "Sales Queue",
    "Billing Queue",
    "Front Desk",
    "Escalations",
    "Renewals",
    "Onboarding",
    "Returns",
    "Partners",
    "After Hours",
    "Spanish Line",
    "VIP Line",
];
/// (area code, location) pairs for US numbers.
const AREAS: &[(&str, &str)] = &[
    ("650", "San Mateo, CA"),
    ("415", "San Francisco, CA"),
    ("209", "Stockton, CA"),
    ("720", "Denver, CO"),
    ("212", "New York, NY"),
    ("312", "Chicago, IL"),
    ("206", "Seattle, WA"),
    ("512", "Austin, TX"),
    ("617", "Boston, MA"),
    ("305", "Miami, FL"),
    ("503", "Portland, OR"),
    ("404", "Atlanta, GA"),
];
/// Caller-ID names as carriers deliver them.
const CNAM: &[&str] = &[
    "WIRELESS CALLER",
    "WIRELESS CALLER",
    "SAN FRANCSCO CA",
    "MORALES JUAN",
    "SMITH JOHN",
    "NGUYEN LINH",
    "ACME LOGISTICS",
    "PATEL ANAND",
    "BROWN SARAH",
    "TOLL FREE CALL",
    "KIM DAVID",
    "GARCIA MARIA",
];
/// Names a hostile scenario mixes in: escapes, bidi controls, huge strings, odd whitespace.
const HOSTILE: &[&str] = &[
    "\u{1b}[2J\u{1b}[31mRED ALERT\u{1b}[0m",
    "EVIL \u{202e}LLAC GNIR\u{202c} CALLER",
    "ZALGO C\u{0336}\u{0334}A\u{0338}LLER",
    "TAB\tNEW\nLINE\rCR",
    "\u{7}\u{8}\u{7f}BELL",
    "宽字符 来电者 ＷＩＤＥ",
    "👨‍👩‍👧‍👦 FAMILY 🎉🎉",
    "",
];

/// The `i`-th person's (first, last) name; stable across runs. With `hostile`, every seventh person
/// after the two demo users gets an odd first name.
pub fn person_name(i: usize, hostile: bool) -> (String, String) {
    let first = match HOSTILE.get(i / 7) {
        Some(odd) if hostile && i >= 2 && i % 7 == 3 => odd,
        _ => FIRST[i % FIRST.len()],
    };
    let last = LAST[(i * 7 + i / FIRST.len()) % LAST.len()];
    (first.to_owned(), last.to_owned())
}

/// The `q`-th call queue's name.
pub fn queue_name(q: usize) -> String {
    match QUEUES.get(q) {
        Some(name) => (*name).to_owned(),
        None => format!("Queue {}", q + 1),
    }
}

/// The `i`-th extension's direct number and its location.
pub fn did(i: usize) -> (String, String) {
    let (area, place) = AREAS[i % AREAS.len()];
    (format!("+1{area}288{:04}", 1000 + i % 9000), place.to_owned())
}

/// An outside party: (CNAM name or none, E.164 number, location).
pub fn outside_party(rng: &mut impl Rng, hostile: bool) -> (Option<String>, String, String) {
    let (area, place) = AREAS[rng.random_range(0..AREAS.len())];
    let number = format!(
        "+1{area}{}{:06}",
        rng.random_range(2..10),
        rng.random_range(0..1_000_000)
    );
    let name = if hostile && rng.random_bool(0.3) {
        Some(hostile_name(rng))
    } else if rng.random_bool(0.15) {
        None
    } else {
        Some(CNAM[rng.random_range(0..CNAM.len())].to_owned())
    };
    (name, number, place.to_owned())
}

fn hostile_name(rng: &mut impl Rng) -> String {
    if rng.random_bool(0.2) {
        "VERY LONG CALLER NAME ".repeat(rng.random_range(20..200))
    } else {
        HOSTILE[rng.random_range(0..HOSTILE.len())].to_owned()
    }
}

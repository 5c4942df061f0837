//! The README says what the code does: its screenshots are the snapshot tests' screens and its list of
//! `config.toml` keys is the config file's fields. `README_UPDATE=1` rewrites the screenshots from the
//! snapshots instead of failing.
use std::path::Path;

use callboard::config::{Config, Overrides};

const SCREENSHOT: &str = "<!-- screenshot ";
const KEYS_MARKER: &str = "<!-- config.toml keys -->";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

/// An insta snapshot's body: what follows its header.
fn snapshot_body(path: &str) -> String {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let body = text
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .unwrap_or_else(|| panic!("{path} has no insta header"))
        .1;
    body.trim_end_matches('\n').to_owned()
}

/// Each screenshot of `readme`: the snapshot it names, where its text block's body starts and ends.
fn screenshots(readme: &str) -> Vec<(String, usize, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = readme[from..].find(SCREENSHOT).map(|i| from + i) {
        let line_end = at + readme[at..].find('\n').expect("a line");
        let path = readme[at + SCREENSHOT.len()..line_end]
            .trim_end_matches("-->")
            .trim()
            .to_owned();
        let open = "```text\n";
        assert!(
            readme[line_end + 1..].starts_with(open),
            "{path}: the marker must be followed by a ```text block"
        );
        let start = line_end + 1 + open.len();
        let end = start + readme[start..].find("```").expect("the block ends");
        found.push((path, start, end));
        from = end;
    }
    found
}

#[test]
fn the_readme_screenshots_are_the_snapshot_screens() {
    let mut text = readme();
    let shots = screenshots(&text);
    let sizes: Vec<String> = shots.iter().map(|(path, ..)| snapshot_body(path)).collect();
    for size in ["120x40", "80x24"] {
        assert!(
            sizes.iter().any(|body| body.starts_with(&format!("{size}\n"))),
            "the README needs a screenshot at {size}"
        );
    }
    let update = std::env::var_os("README_UPDATE").is_some();
    // From the last block back, so rewriting one leaves the offsets of the others valid.
    for (path, start, end) in shots.into_iter().rev() {
        let want = format!("{}\n", snapshot_body(&path));
        if update {
            text.replace_range(start..end, &want);
        } else {
            assert!(
                text[start..end] == want,
                "the README's screenshot of {path} is not the snapshot; run \
                 README_UPDATE=1 cargo test --test integration readme_docs"
            );
        }
    }
    if update {
        std::fs::write(root().join("README.md"), text).unwrap();
    }
}

/// The keys of the README's `config.toml` table: the first column of the table after the marker.
fn readme_keys(readme: &str) -> Vec<String> {
    let table = &readme[readme.find(KEYS_MARKER).expect("the keys marker") + KEYS_MARKER.len()..];
    table
        .lines()
        .skip_while(|line| line.trim().is_empty())
        .take_while(|line| line.starts_with('|'))
        .skip(2)
        .map(|row| {
            let cell = row.split('|').nth(1).unwrap_or_default().trim();
            cell.trim_matches('`').to_owned()
        })
        .collect()
}

/// The keys `config.toml` accepts, as the file's own deserializer lists them when refusing another.
fn accepted_keys() -> Vec<String> {
    let e = Config::resolve(&Overrides::default(), |_| None, None, Some("no_such_key = 1\n"))
        .unwrap_err()
        .to_string();
    let list = e
        .split("expected one of ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("no key list in: {e}"));
    list.split(", ")
        .map(|k| k.trim().trim_matches('`').to_owned())
        .collect()
}

#[test]
fn the_readme_lists_every_config_key_and_no_other() {
    let text = readme();
    let mut documented = readme_keys(&text);
    let mut accepted = accepted_keys();
    assert!(accepted.len() >= 6, "{accepted:?}");
    documented.sort();
    accepted.sort();
    assert_eq!(
        documented, accepted,
        "the README's config.toml keys and the config file's fields"
    );
    // The example under the table is a valid file.
    let example = text[text.find(KEYS_MARKER).unwrap()..]
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("an example config.toml");
    let config = Config::resolve(&Overrides::default(), |_| None, None, Some(example));
    assert!(config.is_ok(), "{:?}", config.err());
}

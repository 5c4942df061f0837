//! The real binary on numbers out of range: a usage error naming the range and exit code 2, before any
//! network, terminal or panic (a huge `--interval` used to abort with "cannot convert float seconds").
use std::process::Command;

#[test]
fn numbers_out_of_range_exit_2_with_the_range_named() {
    for (args, range) in [
        (&["--demo", "--interval", "1e300"][..], "from 1 to 3600 seconds"),
        (
            &["--demo", "--interval", "99999999999999999999"][..],
            "from 1 to 3600 seconds",
        ),
        (&["--demo", "--interval", "nan"][..], "from 1 to 3600 seconds"),
        (&["--demo", "--ended-window", "0"][..], "1..=86400"),
        (
            &["replay", "rec.ndjson", "--speed", "inf"][..],
            "from 0.01 to 1000",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_callboard"))
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(range), "{args:?}: {stderr}");
    }
}

//! The command-line tool writes and reads the page's links with the same code.

mod common;

use common::splitbrain;

#[test]
fn a_changed_preset_travels_in_a_link_and_back() {
    let (ok, link, _) = splitbrain(&[
        "link",
        "--preset",
        "sentinel-old-master-isolated",
        "--set",
        "quorum=3",
        "--base",
        "https://example.org/lab/",
    ]);
    assert!(ok);
    let link = link.trim();
    assert!(link.starts_with("https://example.org/lab/#s=1."), "{link}");
    let (ok, json, err) = splitbrain(&["scenario", "--link", link]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["settings"]["quorum"], 3);
}

#[test]
fn an_unchanged_preset_is_linked_by_name() {
    let (ok, link, _) = splitbrain(&["link", "--preset", "raft-prevote"]);
    assert!(ok);
    assert_eq!(link.trim(), "p=raft-prevote");
}

#[test]
fn a_mangled_link_gets_one_message() {
    let (ok, _, err) = splitbrain(&["run", "--link", "https://x/#s=1.AAAA"]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cut short or mangled"), "{err}");
}

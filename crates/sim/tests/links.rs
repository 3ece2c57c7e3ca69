//! Links on the presets: view options, lessons and bad links, named by the presets
//! and settings they carry (the generic reader is `sim::link`).

use base64::Engine as _;
use sim::link::*;

#[test]
fn view_options_ride_along() {
    let v = LinkView {
        t: Some(15_000),
        autoplay: true,
        speed: Some((10.0, false)),
        embed: true,
        panels: vec!["outcome".into(), "log".into()],
        lesson: Some(("quorum-1-corrected".into(), 3)),
        lesson_packed: None,
        compare: Some("a=1;b.c=3000".into()),
    };
    let f = with_view("p=sentinel-old-master-isolated", &v);
    assert_eq!(decode(&f).unwrap().unwrap().view, v);
}

#[test]
fn every_lesson_travels_packed_and_comes_back_identical() {
    for l in sim::lesson::all() {
        let packed = pack_lesson(&l);
        assert_eq!(unpack_lesson(&packed).unwrap(), l);
        let v = LinkView {
            lesson: Some((String::new(), 2)),
            lesson_packed: Some(packed.clone()),
            ..LinkView::default()
        };
        let f = with_view("p=sentinel-wait", &v);
        assert_eq!(view_of(&f).lesson_packed.as_deref(), Some(packed.as_str()));
        assert_eq!(view_of(&f).lesson.map(|x| x.1), Some(2));
    }
}

#[test]
fn bad_links_say_what_is_wrong() {
    let newer = "s=2.abc";
    let cases = [
        ("p=nope", "no preset named `nope`"),
        ("s=1.!!!", "not base64url"),
        ("s=1.AAAA", "does not inflate"),
        ("s=x", "no format version"),
        (newer, "newer Split-Brain Lab"),
        ("scenario=%7B%22version", "not valid JSON"),
        ("scenario=%ZZ", "not properly encoded"),
    ];
    for (f, words) in cases {
        let e = decode(f).unwrap().unwrap_err().to_string();
        assert!(e.contains(words), "{f}: `{e}` lacks `{words}`");
    }
    // Values a scenario file cannot hold either, as the command-line tool says.
    type Edit = fn(&mut serde_json::Value);
    let edits: [(Edit, &str); 3] = [
        (|v| v["settings"]["quorum"] = 4294967296u64.into(), "quorum"),
        (
            |v| v["settings"]["client"]["rate_per_s"] = 1e9.into(),
            "rate_per_s",
        ),
        (
            |v| v["settings"]["repl_backlog_bytes"] = 1e15.into(),
            "repl_backlog_bytes",
        ),
    ];
    for (edit, field) in edits {
        let s = sim::presets::all().next().unwrap().scenario();
        let mut v = serde_json::to_value(s).unwrap();
        edit(&mut v);
        let packed = miniz_oxide::deflate::compress_to_vec(&serde_json::to_vec(&v).unwrap(), 9);
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed);
        let e = decode(&format!("s=1.{b64}"))
            .unwrap()
            .unwrap_err()
            .to_string();
        assert!(e.contains(field), "`{e}` does not name `{field}`");
    }
    assert!(decode("").is_none());
    assert!(decode("t=5").is_none());
}

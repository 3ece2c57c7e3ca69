//! The run's report from the command line: Markdown for a review document, and the
//! drawing and the timeline as SVG files.

mod common;

use common::splitbrain;

/// `run --preset PRESET --against SIDES --json`, which must succeed, read as JSON.
fn sides_json(preset: &str, against: &str) -> serde_json::Value {
    let (ok, out, err) = splitbrain(&["run", "--preset", preset, "--against", against, "--json"]);
    assert!(ok, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn a_review_report_in_markdown_with_its_pictures() {
    let dir = std::env::temp_dir().join(format!("splitbrain-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let drawing = dir.join("drawing.svg");
    let timeline = dir.join("timeline.svg");
    let (ok, md, err) = splitbrain(&[
        "run",
        "--preset",
        "raft-minority-leader",
        "--report",
        "md",
        "--svg",
        drawing.to_str().unwrap(),
        "--at",
        "15000",
        "--timeline-svg",
        timeline.to_str().unwrap(),
        "--png",
        dir.join("drawing.png").to_str().unwrap(),
        "--timeline-png",
        dir.join("timeline.png").to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    // The PNGs: twice the SVGs' size, as the page's export draws them.
    for (png, svg) in [("drawing.png", &drawing), ("timeline.png", &timeline)] {
        let bytes = std::fs::read(dir.join(png)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{png}");
        let size = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
        let text = std::fs::read_to_string(svg).unwrap();
        let attr = |a: &str| -> u32 {
            let v = text.split_once(&format!(" {a}=\"")).unwrap().1;
            v[..v.find('"').unwrap()].parse::<f64>().unwrap().round() as u32
        };
        assert_eq!(
            (size(16), size(20)),
            (attr("width") * 2, attr("height") * 2),
            "{png}"
        );
    }
    let (_, json, _) = splitbrain(&["run", "--preset", "raft-minority-leader", "--json"]);
    let o: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(md.starts_with("# raft-minority-leader\n"), "{md}");
    assert!(
        md.contains(&format!(
            "| Acknowledged writes lost | {} |",
            o["acked_writes_lost"]
        )),
        "{md}"
    );
    assert!(md.contains("## New leaders"), "{md}");
    let d = std::fs::read_to_string(&drawing).unwrap();
    assert!(
        d.contains("t = 15.0 s") && d.contains("Partition B"),
        "the cut is drawn"
    );
    let t = std::fs::read_to_string(&timeline).unwrap();
    assert!(t.contains("is the new leader"), "{t}");
    // A bad format is refused before anything runs.
    let (ok, _, err) = splitbrain(&["run", "--preset", "raft-minority-leader", "--report", "pdf"]);
    assert!(!ok);
    assert!(err.contains("'pdf'"), "{err}");
    let (ok, _, err) = splitbrain(&["run", "--preset", "raft-minority-leader", "--at", "100"]);
    assert!(!ok);
    assert!(
        err.contains("--at is the moment the drawing shows"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn two_configurations_side_by_side_on_the_same_faults() {
    let v = sides_json("sentinel-old-master-isolated", "min_replicas_to_write=1");
    assert_eq!(v["a"]["outcome"]["acked_writes_lost"], 403);
    let b = v["b"]["outcome"]["acked_writes_lost"].as_u64().unwrap();
    assert!(b < 403, "min-replicas bounds the loss: {b}");
    assert_eq!(v["b"]["label"], "min_replicas_to_write=1");
    let lost = &v["table"][0];
    assert_eq!(lost["label"], "Acknowledged writes lost");
    assert_eq!(lost["differs"], true);
    let (ok, _, err) = splitbrain(&[
        "run",
        "--preset",
        "sentinel-old-master-isolated",
        "--against",
        "quorum=0",
    ]);
    assert!(!ok);
    assert!(err.contains("quorum=0"), "{err}");
}

#[test]
fn another_system_side_by_side_sentinel_against_raft() {
    let v = sides_json(
        "sentinel-old-master-isolated",
        "preset:raft-minority-leader",
    );
    assert_eq!(
        v["a"]["label"],
        "sentinel-old-master-isolated on Redis with Sentinel"
    );
    assert_eq!(v["b"]["label"], "raft-minority-leader on etcd (Raft)");
    assert_eq!(v["a"]["outcome"]["acked_writes_lost"], 403);
    assert_eq!(v["b"]["outcome"]["acked_writes_lost"], 0);
    let sentence = v["sentence"].as_str().unwrap();
    assert!(
        sentence.contains("403") && sentence.contains("raft-minority-leader"),
        "{sentence}"
    );
    for (against, says) in [
        (vec!["preset:no-such"], "there is no preset named `no-such`"),
        (
            vec!["preset:raft-minority-leader", "quorum=1"],
            "`preset:NAME` stands alone",
        ),
    ] {
        let mut args = vec!["run", "--preset", "sentinel-old-master-isolated"];
        for a in &against {
            args.extend(["--against", a]);
        }
        let (ok, _, err) = splitbrain(&args);
        assert!(!ok, "{against:?}");
        assert!(err.contains(says), "{against:?}: {err}");
    }
}

/// `run --history` writes the very history the run's verdict judged: `check` reads it
/// back and finds the same verdict, at the same moment, naming processes as the lab does.
#[test]
fn a_runs_history_written_then_checked_gives_the_runs_verdict() {
    let dir = std::env::temp_dir().join(format!("splitbrain-history-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (preset, linearizable) in [
        ("sentinel-old-master-isolated", false),
        ("raft-minority-leader", true),
    ] {
        let file = dir.join(format!("{preset}.jsonl"));
        let (ok, json, err) = splitbrain(&[
            "run",
            "--preset",
            preset,
            "--json",
            "--history",
            file.to_str().unwrap(),
        ]);
        assert!(ok, "{err}");
        let o: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(o["linearizable"], linearizable, "{preset}");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.lines().count() > 100,
            "{preset}: a whole run's operations"
        );
        let (ok, verdict, err) = splitbrain(&["check", file.to_str().unwrap(), "--json"]);
        assert_eq!(
            ok, linearizable,
            "{preset}: check exits 0 only when linearizable: {err}"
        );
        let v: serde_json::Value = serde_json::from_str(&verdict).unwrap();
        assert_eq!(v["linearizable"], linearizable, "{preset}");
        if !linearizable {
            // The same violation; its values renumbered 1, 2, 3… to be read.
            for field in ["at", "op", "before"] {
                assert_eq!(
                    v["violation"][field], o["violation"][field],
                    "{preset}: the same violation's {field}"
                );
            }
            let x = v["violation"]["explanation"].as_str().unwrap();
            assert!(
                x.contains("C1") && !x.contains('#'),
                "{preset}: clients by name: {x}"
            );
            assert!(
                !x.split(|c: char| !c.is_ascii_digit()).any(|n| n.len() > 6),
                "{preset}: values small enough to read: {x}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `|` starts another side, as in a link's `vs=`: three configurations, one table.
#[test]
fn three_configurations_side_by_side() {
    let v = sides_json(
        "sentinel-old-master-isolated",
        "quorum=1|min_replicas_to_write=1",
    );
    let labels: Vec<&str> = v["sides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "quorum=2, min_replicas_to_write=0",
            "quorum=1",
            "min_replicas_to_write=1"
        ]
    );
    let lost = &v["table"][0]["values"];
    assert_eq!(lost.as_array().unwrap().len(), 3);
    assert_eq!(lost[0], "403");
    let (ok, text, _) = splitbrain(&[
        "run",
        "--preset",
        "sentinel-old-master-isolated",
        "--against",
        "quorum=1|min_replicas_to_write=1",
    ]);
    assert!(ok);
    assert!(text.contains("C: min_replicas_to_write=1"), "{text}");
    let (ok, _, err) = splitbrain(&[
        "run",
        "--preset",
        "sentinel-old-master-isolated",
        "--against",
        "quorum=1|quorum=3|min_replicas_to_write=1|down_after_ms=1000",
    ]);
    assert!(!ok);
    assert!(err.contains("at most 4 sides"), "{err}");
}

//! The run's report from the command line: Markdown for a review document, and the
//! drawing and the timeline as SVG files.

mod common;

use common::splitbrain;

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
    ]);
    assert!(ok, "{err}");
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
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn two_configurations_side_by_side_on_the_same_faults() {
    let (ok, out, err) = splitbrain(&[
        "run",
        "--preset",
        "sentinel-old-master-isolated",
        "--against",
        "min_replicas_to_write=1",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
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

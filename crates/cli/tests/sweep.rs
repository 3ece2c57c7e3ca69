//! Failure drills from the command line: sharded across processes, merged byte for
//! byte, and every bad argument refused in plain words.

mod common;

use common::splitbrain;

const DRILL: &[&str] = &[
    "sweep",
    "--preset",
    "sentinel-old-master-isolated",
    "--schedules",
    "24",
    "--duration-ms",
    "60000",
    "--seed",
    "5",
    "--json",
];

fn drill(extra: &[&str]) -> String {
    let args: Vec<&str> = DRILL.iter().chain(extra).copied().collect();
    let (ok, out, err) = splitbrain(&args);
    assert!(ok, "{err}");
    out
}

#[test]
fn shards_run_as_separate_processes_merge_into_the_single_machine_report_byte_for_byte() {
    let whole = drill(&["--jobs", "2"]);
    // Threads do not change the result.
    assert_eq!(drill(&["--jobs", "1"]), whole);
    let dir = std::env::temp_dir().join(format!("splitbrain-shards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for i in 0..4 {
        let shard = format!("{i}/4");
        let out = drill(&["--shard", &shard, "--jobs", "1"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["shard"]["index"], i);
        assert_eq!(v["schedules"], 6, "shard {shard} holds a quarter");
        let path = dir.join(format!("shard-{i}.json"));
        std::fs::write(&path, out).unwrap();
        files.push(path.to_string_lossy().into_owned());
    }
    // Merged in any order.
    files.reverse();
    let mut args = vec!["sweep", "merge"];
    args.extend(files.iter().map(String::as_str));
    let (ok, merged, err) = splitbrain(&args);
    assert!(ok, "{err}");
    assert_eq!(
        merged, whole,
        "merged shards differ from one machine's report"
    );
    // A shard short, the merge says which schedule is missing.
    let (ok, _, err) = splitbrain(&args[..args.len() - 1]);
    assert!(!ok);
    assert!(err.contains("missing"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_report_holds_the_numbers_a_review_needs() {
    let v: serde_json::Value = serde_json::from_str(&drill(&[])).unwrap();
    assert_eq!(v["schedules"], 24);
    for key in [
        "runs_with_loss",
        "runs_with_split_brain",
        "runs_not_linearizable",
    ] {
        assert!(v[key].as_u64().is_some(), "{key}");
    }
    for key in ["mean", "p50", "p99", "max"] {
        assert!(
            v["unavailability"][key].as_f64().is_some(),
            "unavailability.{key}"
        );
    }
    assert!(v["invariant_failures"].is_object());
    assert_eq!(v["runs"].as_array().unwrap().len(), 24);
    let worst = v["worst_seeds"].as_array().unwrap();
    assert!(
        !worst.is_empty(),
        "asynchronous Sentinel lost nothing in 24 schedules"
    );
    // The worst schedule opens with the same link the page reads.
    let link = worst[0]["link"].as_str().unwrap();
    let (ok, out, err) = splitbrain(&["run", "--link", link, "--json"]);
    assert!(ok, "{err}");
    let o: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(o["acked_writes_lost"], worst[0]["lost"]);
}

#[test]
fn two_configurations_on_the_same_schedules_make_one_measured_sentence() {
    let (ok, out, err) = splitbrain(&[
        "sweep",
        "--preset",
        "sentinel-old-master-isolated",
        "--schedules",
        "40",
        "--duration-ms",
        "60000",
        "--against",
        "quorum=1",
    ]);
    assert!(ok, "{err}");
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("quorum=1 loses acknowledged writes in ")
            && first.contains("where quorum=2 loses them in"),
        "{first}"
    );
}

#[test]
fn bad_drill_arguments_get_one_plain_message() {
    let cases: &[(&[&str], &str)] = &[
        (&["--shard", "4/4"], "numbered 0 to 3"),
        (&["--faults", "meteor"], "no kind of fault named `meteor`"),
        (&["--fault-ms", "9000..10"], "no longer than the longest"),
        (&["--fault-ms", "soon"], "MIN..MAX"),
        (&["--faults", "slow_disk"], "nothing for slow_disk to hit"),
        (&["--fault-ms", "50000..60000"], "too little"),
    ];
    for (extra, want) in cases {
        let args: Vec<&str> = DRILL.iter().chain(extra.iter()).copied().collect();
        let (ok, _, err) = splitbrain(&args);
        assert!(!ok, "{extra:?} was accepted");
        assert!(err.contains(want), "{extra:?}: {err}");
        // One message (clap adds its pointer to --help after its own).
        let lines = err
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with("For more information"));
        assert_eq!(lines.count(), 1, "{extra:?}: {err}");
    }
    let path = std::env::temp_dir().join(format!("not-a-report-{}.json", std::process::id()));
    std::fs::write(&path, "{\"hello\": 1}").unwrap();
    let (ok, _, err) = splitbrain(&["sweep", "merge", path.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("not a drill report"), "{err}");
    std::fs::remove_file(&path).ok();
}

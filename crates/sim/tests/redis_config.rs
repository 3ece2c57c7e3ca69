//! Redis settings live in each process's own configuration file: what that changes.

mod common;

use common::{outcome, preset, with};
use sim::simulation::RunOptions;
use sim::{Scenario, Signal};

/// The run of `s` up to `t`, with the plain-language notes if `narrate`.
fn run_to(s: &Scenario, t: u64, narrate: bool) -> Box<dyn sim::Simulation> {
    let mut sim = sim::build(
        s,
        RunOptions {
            narrate,
            keep_trace: false,
        },
    )
    .expect("builds");
    sim.run_until(t);
    sim
}

/// The whole run's signals of process `name`, with their times.
fn signals_of(s: &Scenario, name: &str, narrate: bool) -> Vec<(u64, Signal)> {
    let sim = run_to(s, s.duration_ms, narrate);
    let k = s.processes().position(|(_, p)| p.name == name).unwrap();
    sim.signals()
        .iter()
        .filter(|r| r.proc.idx() == k)
        .map(|r| (r.time_ms, r.signal.clone()))
        .collect()
}

/// How many values processes `a` and `b` hold at the end of the run.
fn held_at_end(s: &Scenario, a: &str, b: &str) -> (usize, usize) {
    let v = run_to(s, s.duration_ms, false).view();
    let held = |n: &str| v.procs.iter().find(|p| p.name == n).unwrap().view.data_len;
    (held(a), held(b))
}

/// The run's signals of process `name` that match `f`, with their times.
fn times_of(s: &Scenario, name: &str, f: impl Fn(&Signal) -> bool) -> Vec<u64> {
    signals_of(s, name, false)
        .into_iter()
        .filter(|(_, sig)| f(sig))
        .map(|(t, _)| t)
        .collect()
}

fn refuses(s: &Signal) -> bool {
    matches!(
        s,
        Signal::Writable {
            writable: false,
            ..
        }
    )
}

#[test]
fn promoted_replica_without_min_replicas_accepts_writes() {
    let s = preset("sentinel-min-replicas-on-master-only");
    let o = outcome("sentinel-min-replicas-on-master-only");
    assert_eq!(o.new_leaders[0].leader, "R1", "replica-priority 1 wins");
    // M1, configured with min-replicas-to-write 1, stops taking writes during the first cut.
    let m1 = times_of(&s, "M1", refuses);
    assert!(
        m1.iter().any(|&t| (10_000..40_000).contains(&t)),
        "M1 refused writes during the first cut: {m1:?}"
    );
    // R1 was configured without it: cut off alone with C2 from 60 s, it never refuses
    // until the heal demotes it.
    let r1 = times_of(&s, "R1", refuses);
    assert!(
        !r1.iter().any(|&t| (60_000..90_000).contains(&t)),
        "R1 went on accepting writes: {r1:?}"
    );
    let lost_after: Vec<_> = o
        .lost_writes
        .iter()
        .filter(|w| w.acked_ms >= 60_000)
        .collect();
    assert!(
        lost_after.len() > 100,
        "R1's writes while cut off are lost: {}",
        lost_after.len()
    );
    // The same cuts with the setting in every server's redis.conf bound the second loss.
    let everywhere = s.with_override("min_replicas_to_write", "1").unwrap();
    let r1 = times_of(&everywhere, "R1", refuses);
    assert!(
        r1.iter().any(|&t| (60_000..75_000).contains(&t)),
        "R1 refuses within max-lag of the cut: {r1:?}"
    );
    let o2 = with(
        "sentinel-min-replicas-on-master-only",
        "min_replicas_to_write",
        "1",
    );
    let lost2 = o2
        .lost_writes
        .iter()
        .filter(|w| w.acked_ms >= 60_000)
        .count();
    assert!(
        lost2 < lost_after.len() / 2,
        "{lost2} lost with the setting everywhere vs {}",
        lost_after.len()
    );
}

#[test]
fn a_process_setting_its_kind_does_not_have_is_refused_by_name() {
    let mut s = preset("sentinel-old-master-isolated");
    s.boxes[0].processes[1].settings = Some(serde_json::json!({"min_replicas_to_write": 1}));
    let e = sim::build(&s, RunOptions::default())
        .err()
        .expect("refused");
    assert_eq!(
        e.field,
        "boxes[0].processes[1].settings.min_replicas_to_write"
    );
    assert!(e.message.contains("each Redis server"), "{}", e.message);
    assert!(e.message.contains("S1 (a Sentinel)"), "{}", e.message);

    let mut s = preset("sentinel-old-master-isolated");
    s.boxes[0].processes[0].settings = Some(serde_json::json!({"min_replicas_to_write": -1}));
    let e = sim::build(&s, RunOptions::default())
        .err()
        .expect("refused");
    assert_eq!(
        e.field,
        "boxes[0].processes[0].settings.min_replicas_to_write"
    );

    let mut s = preset("sentinel-old-master-isolated");
    s.boxes[0].processes[1].settings = Some(serde_json::json!({"quorum": 0}));
    let e = sim::build(&s, RunOptions::default())
        .err()
        .expect("refused");
    assert_eq!(e.field, "boxes[0].processes[1].settings.quorum");

    let mut s = preset("sentinel-old-master-isolated");
    s.boxes[0].processes[0].settings = Some(serde_json::json!({"fencing": true}));
    let e = sim::build(&s, RunOptions::default())
        .err()
        .expect("refused");
    assert!(e.message.contains("whole scenario"), "{}", e.message);
}

#[test]
fn each_sentinel_reads_its_own_quorum() {
    // S2 alone with quorum 1 (the others keep 2): the flaky-link failover happens only
    // when the Sentinel that loses the master is the one configured with quorum 1.
    let mut s = preset("sentinel-quorum-1-flaky-link");
    s.settings["quorum"] = 2.into();
    s.boxes[1].processes[1].settings = Some(serde_json::json!({"quorum": 1}));
    let o = sim::simulation::run(&s).unwrap();
    assert_eq!(o.new_leaders.len(), 1, "S2's own quorum 1 is enough");
    s.boxes[1].processes[1].settings = None;
    s.boxes[2].processes[1].settings = Some(serde_json::json!({"quorum": 1}));
    let o = sim::simulation::run(&s).unwrap();
    assert!(o.new_leaders.is_empty(), "S3's quorum does not help S2");
}

#[test]
fn quorum_warnings_say_what_the_quorum_allows() {
    let warn = |q: u32, sentinels: usize| {
        let mut s = preset("sentinel-old-master-isolated");
        s.settings["quorum"] = q.into();
        for i in 3..sentinels {
            s.boxes[2]
                .processes
                .push(sim::presets::p(&format!("S{}", i + 1), "sentinel"));
        }
        sim::simulation::run(&s).unwrap().warnings
    };
    assert!(warn(1, 3)[0].contains("a single Sentinel"));
    let w = warn(2, 4);
    assert!(w[0].contains("2 Sentinels that lose the master"), "{w:?}");
    assert!(!w[0].contains("single"), "{w:?}");
    assert!(warn(2, 3).is_empty());
    assert!(warn(4, 3)[0].contains("never"));
}

#[test]
fn tie_on_offset_promotes_either_replica_across_seeds() {
    // Real run ids are random, and Sentinel breaks a tie on priority and offset by the
    // lower run id (compareSlavesForPromotion), so either replica can win.
    let mut s = preset("sentinel-old-master-isolated");
    let mut won = std::collections::BTreeMap::new();
    let runs = 20;
    for seed in 1..=runs {
        s.seed = seed;
        let o = sim::simulation::run(&s).unwrap();
        *won.entry(o.new_leaders[0].leader.clone()).or_insert(0) += 1;
    }
    println!("promoted over {runs} seeds: {won:?}");
    assert_eq!(won.len(), 2, "{won:?}");
    assert!(won.values().all(|&n| n >= 3), "{won:?}");
}

#[test]
fn noreplicas_moment_spreads_with_the_seed() {
    // Each server's cron has its own phase: the isolated master's first refusal moves
    // within a second from seed to seed instead of landing on the same millisecond.
    let mut s = preset("sentinel-min-replicas");
    let mut moments = std::collections::BTreeSet::new();
    for seed in 1..=8 {
        s.seed = seed;
        let t = times_of(&s, "M1", refuses);
        let first = *t.iter().find(|&&t| t > 10_000).unwrap();
        assert!((20_000..23_000).contains(&first), "seed {seed}: {first}");
        moments.insert(first);
    }
    println!("first NOREPLICAS moments: {moments:?}");
    let spread = moments.last().unwrap() - moments.first().unwrap();
    assert!(moments.len() >= 6 && spread > 300, "{moments:?}");
}

/// The first time process `name` reports the event named `event` at or after `from`.
fn first_event(s: &Scenario, name: &str, event: &str, from: u64) -> Option<u64> {
    times_of(
        s,
        name,
        |sig| matches!(sig, Signal::Event(e) if e.name == event),
    )
    .into_iter()
    .find(|&t| t >= from)
}

fn first_discard(s: &Scenario, name: &str) -> u64 {
    times_of(s, name, |sig| matches!(sig, Signal::Discarded { .. }))[0]
}

#[test]
fn full_resync_waits_for_diskless_delay() {
    // After the heal M1 is made a replica of the new master; its PSYNC needs a full
    // resync, which a diskless master starts only after repl-diskless-sync-delay
    // (5 s by default, counted by the once-a-second replicationCron).
    let s = preset("sentinel-old-master-isolated");
    let default = first_discard(&s, "M1");
    let at_once = first_discard(
        &s.with_override("repl_diskless_sync_delay_s", "0").unwrap(),
        "M1",
    );
    let disk = first_discard(
        &s.with_override("repl_diskless_sync", "false").unwrap(),
        "M1",
    );
    println!("M1 discards its writes at {default} ms (delay 5 s), {at_once} ms (delay 0), {disk} ms (disk-based)");
    assert!(default > 40_000 && at_once > 40_000);
    let waited = default - at_once;
    assert!((4_000..=6_100).contains(&waited), "waited {waited} ms");
    assert!(
        disk.abs_diff(at_once) < 1_000,
        "a disk-based sync does not wait"
    );
}

#[test]
fn killed_master_resets_client_connections() {
    // M1 is killed at 15 s with its host up: its kernel resets C1's connection, so C1
    // learns within a round trip, not after its 1 s socket timeout.
    let s = preset("sentinel-restart-empty");
    let resets = times_of(
        &s,
        "C1",
        |sig| matches!(sig, Signal::OpComplete { result: sim::history::OpResult::Unknown(why), .. } if why.contains("reset")),
    );
    let first = resets[0];
    assert!(
        (15_000..15_010).contains(&first),
        "C1 saw the reset at {first} ms"
    );
    let timeouts = times_of(
        &s,
        "C1",
        |sig| matches!(sig, Signal::OpComplete { result: sim::history::OpResult::Unknown(why), .. } if why.contains("timeout")),
    );
    assert!(
        !timeouts.iter().any(|&t| (15_000..16_000).contains(&t)),
        "no timeout while M1 is dead: {timeouts:?}"
    );
}

#[test]
fn sentinel_enters_tilt_after_a_long_pause() {
    let mut s = preset("sentinel-old-master-isolated");
    s.faults = vec![sim::ScheduledFault {
        at_ms: 10_000,
        action: sim::fault::FaultAction::Pause {
            process: "S2".into(),
            ms: 5_000,
        },
    }];
    s.duration_ms = 60_000;
    let tilt = first_event(&s, "S2", "tilt", 0).expect("+tilt");
    assert!((15_000..15_200).contains(&tilt), "+tilt at {tilt}");
    let exit = first_event(&s, "S2", "tilt-exit", 0).expect("-tilt");
    assert!((45_000..45_200).contains(&(exit)), "-tilt at {exit}");
    // A pause shorter than the 2 s trigger goes unnoticed.
    if let sim::fault::FaultAction::Pause { ms, .. } = &mut s.faults[0].action {
        *ms = 1_500;
    }
    assert_eq!(first_event(&s, "S2", "tilt", 0), None);
}

#[test]
fn a_tilted_sentinel_does_not_count_towards_odown() {
    // S2 is paused just before the master's box is cut off: in TILT it neither
    // judges the master down nor tells the others it is down, so S3 alone cannot
    // reach quorum 2 until S2 leaves TILT 30 s later.
    let mut s = preset("sentinel-old-master-isolated");
    s.faults.insert(
        0,
        sim::ScheduledFault {
            at_ms: 9_000,
            action: sim::fault::FaultAction::Pause {
                process: "S2".into(),
                ms: 3_000,
            },
        },
    );
    s.faults
        .retain(|f| !matches!(f.action, sim::fault::FaultAction::Heal));
    let o = sim::simulation::run(&s).unwrap();
    let base = common::outcome("sentinel-old-master-isolated");
    let (tilted, plain) = (o.new_leaders[0].time_ms, base.new_leaders[0].time_ms);
    println!("promotion at {tilted} ms with S2 in TILT, {plain} ms without");
    assert!(tilted > 42_000 && plain < 20_000, "{tilted} vs {plain}");
}

#[test]
fn restarted_master_is_seen_to_reboot() {
    // M1 restarts a second after it crashed, long before down-after: Sentinel sees
    // only its new run id in the next INFO (+reboot).
    let s = preset("sentinel-restart-empty");
    let seen = ["S1", "S2", "S3"]
        .iter()
        .filter_map(|n| first_event(&s, n, "reboot", 16_000))
        .collect::<Vec<_>>();
    assert!(!seen.is_empty(), "no +reboot");
    assert!(seen.iter().all(|&t| t < 27_000), "{seen:?}");
}

#[test]
fn a_process_setting_is_set_and_removed_by_path() {
    let s = preset("sentinel-old-master-isolated");
    let path = "boxes.0.processes.2.settings.client.timeout_ms";
    let set = s.with_override(path, "250").unwrap();
    assert_eq!(
        set.boxes[0].processes[2].settings,
        Some(serde_json::json!({"client": {"timeout_ms": 250}}))
    );
    let back = set.with_override(path, "null").unwrap();
    assert_eq!(back, s, "removing the only own setting leaves no trace");
}

/// What each Sentinel knows at `t`: (known sentinels, known replicas), by name.
fn known_at(s: &Scenario, t: u64) -> Vec<(String, u64, u64)> {
    let v = run_to(s, t, false).view();
    v.procs
        .iter()
        .filter(|p| p.kind == "sentinel")
        .map(|p| {
            let num = |label: &str| {
                p.view
                    .facts
                    .iter()
                    .find(|(k, _)| k == label)
                    .and_then(|(_, v)| match v {
                        sim::view::FactValue::Num(n) => Some(*n),
                        _ => None,
                    })
                    .unwrap()
            };
            (
                p.name.clone(),
                num("known sentinels"),
                num("known replicas"),
            )
        })
        .collect()
}

#[test]
fn sentinels_brought_up_discover_replicas_and_each_other() {
    let mut s = preset("sentinel-old-master-isolated");
    s.settings["known_topology"] = false.into();
    let start = known_at(&s, 1);
    assert!(start.iter().all(|k| k.1 == 1 && k.2 == 0), "{start:?}");
    // INFO from the master lists its replicas at once; hello messages every 2 s
    // introduce the Sentinels through the servers they all watch.
    let later = known_at(&s, 5_000);
    assert!(later.iter().all(|k| k.1 == 3 && k.2 == 2), "{later:?}");
    // The cut at 10 s still ends in one failover.
    let o = sim::simulation::run(&s).unwrap();
    assert_eq!(o.new_leaders.len(), 1);
}

#[test]
fn a_sentinel_brought_up_inside_a_partition_knows_only_its_side() {
    // box3 is cut off from the first moment: S3 never meets S1 and S2 nor learns the
    // replicas from the master, so it cannot take part in the failover at 10 s.
    let mut s = preset("sentinel-old-master-isolated");
    s.settings["known_topology"] = false.into();
    s.faults.insert(
        0,
        sim::ScheduledFault {
            at_ms: 0,
            action: sim::fault::FaultAction::Isolate {
                boxes: vec!["box3".into()],
            },
        },
    );
    let k = known_at(&s, 9_000);
    let s3 = k.iter().find(|x| x.0 == "S3").unwrap();
    assert_eq!((s3.1, s3.2), (1, 0), "S3 knows nobody: {k:?}");
    let s1 = k.iter().find(|x| x.0 == "S1").unwrap();
    assert_eq!(s1.1, 2, "S1 met S2 only: {k:?}");
    // Master's box cut off too at 10 s: S2 is alone on its side, with one known peer,
    // so it cannot gather quorum 2; nothing fails over while the cuts last.
    let o = sim::simulation::run(&s).unwrap();
    assert!(
        o.new_leaders.iter().all(|l| l.time_ms > 40_000),
        "{:?}",
        o.new_leaders
    );
}

/// The plain-language notes process `name` wrote, with their times and with process
/// names put in for the `#k` ids.
fn notes_of(s: &Scenario, name: &str) -> Vec<(u64, String)> {
    let names: Vec<String> = s.processes().map(|(_, p)| p.name.clone()).collect();
    let named = |t: &str| {
        let mut t = t.to_string();
        for (k, n) in names.iter().enumerate().rev() {
            t = t.replace(&format!("#{k}"), n);
        }
        t
    };
    signals_of(s, name, true)
        .into_iter()
        .filter_map(|(t, sig)| match sig {
            Signal::Note { text } => Some((t, named(&text))),
            _ => None,
        })
        .collect()
}

/// The old-master preset without its faults, with M1–R1 cut both ways for `ms`.
fn replica_cut_for(ms: u64) -> Scenario {
    let mut s = preset("sentinel-old-master-isolated");
    let link = |repair: bool| {
        let (a, b) = ("M1".to_string(), "R1".to_string());
        if repair {
            sim::fault::FaultAction::RepairLink {
                a,
                b,
                one_way: false,
            }
        } else {
            sim::fault::FaultAction::CutLink {
                a,
                b,
                one_way: false,
            }
        }
    };
    s.faults = vec![
        sim::ScheduledFault {
            at_ms: 10_000,
            action: link(false),
        },
        sim::ScheduledFault {
            at_ms: 10_000 + ms,
            action: link(true),
        },
    ];
    s.duration_ms = 10_000 + ms + 40_000;
    s
}

#[test]
fn short_cut_resumes_the_replication_connection_without_psync() {
    // 10 s < repl-timeout: TCP retransmits what the cut held, R1 catches up on the
    // same connection, and M1 never sees a new PSYNC.
    let s = replica_cut_for(10_000);
    let notes = notes_of(&s, "M1");
    assert!(
        notes.iter().any(|(_, n)| n.contains("PSYNC from R1")),
        "R1's first PSYNC is named: {notes:?}"
    );
    let psyncs: Vec<_> = notes
        .into_iter()
        .filter(|(t, n)| *t > 5_000 && n.contains("PSYNC from R1"))
        .collect();
    assert!(psyncs.is_empty(), "{psyncs:?}");
    // (One write may be on its way at the last moment.)
    let (m1, r1) = held_at_end(&s, "M1", "R1");
    assert!(m1 - r1 <= 1, "R1 caught up: {r1} of {m1}");
    // 70 s > repl-timeout 60 s: both ends give up on the connection, and R1 comes back
    // with a new PSYNC (partial: its offset is still in M1's backlog).
    let long = notes_of(&replica_cut_for(70_000), "M1");
    let psync: Vec<_> = long
        .iter()
        .filter(|(t, n)| *t > 5_000 && n.contains("PSYNC from R1"))
        .collect();
    assert!(!psync.is_empty(), "a new PSYNC after a long cut");
    assert!(psync[0].1.contains("partial resync"), "{psync:?}");
    assert!(psync[0].0 >= 80_000, "after the repair: {psync:?}");
}

#[test]
fn sentinels_that_never_met_cannot_fail_over_together() {
    // As run on real Sentinels (docs/real-redis, experiment 10): brought up with box3
    // cut off, S3 learns nothing. At 20 s the master's box is cut off and box3 comes
    // back: S2 and S3 are a majority and both see the master down, but they only meet
    // through hello messages on servers both watch, and S3 knows only the master. No
    // failover while it lasts.
    let mut s = preset("sentinel-old-master-isolated");
    s.settings["known_topology"] = false.into();
    let at = |at_ms, action| sim::ScheduledFault { at_ms, action };
    use sim::fault::FaultAction::*;
    s.faults = vec![
        at(
            0,
            Isolate {
                boxes: vec!["box3".into()],
            },
        ),
        at(20_000, Heal),
        at(
            20_000,
            Isolate {
                boxes: vec!["box1".into()],
            },
        ),
        at(45_000, Heal),
    ];
    s.duration_ms = 70_000;
    let o = sim::simulation::run(&s).unwrap();
    assert!(
        o.new_leaders.iter().all(|l| l.time_ms > 45_000),
        "{:?}",
        o.new_leaders
    );
    let k = known_at(&s, 44_000);
    let s3 = k.iter().find(|x| x.0 == "S3").unwrap();
    assert_eq!(s3.1, 1, "S3 met nobody: {k:?}");
}

#[test]
fn clients_find_the_master_each_their_own_way() {
    // C2 sits on box2, beside the replica that is promoted. Asking Sentinel, it moves
    // to R1 after the failover; with a fixed address it keeps timing out against the
    // cut-off M1 for the whole cut, and what M1 acknowledges is lost.
    let s = preset("sentinel-old-master-isolated");
    let c2 = |discovery: &str| {
        let t = s
            .with_override(
                "boxes.1.processes.2.settings",
                &format!(r#"{{"client": {{"discovery": "{discovery}"}}}}"#),
            )
            .unwrap();
        sim::simulation::run(&t).unwrap()
    };
    let (asks, fixed, local) = (c2("sentinel"), c2("fixed"), c2("local_sentinel"));
    println!(
        "unknown writes: sentinel {}, local_sentinel {}, fixed {}",
        asks.writes_unknown, local.writes_unknown, fixed.writes_unknown
    );
    assert!(fixed.writes_unknown > asks.writes_unknown + 15);
    assert!(fixed.writes_acked + 400 < asks.writes_acked);
    assert!(local.writes_unknown < asks.writes_unknown + 3);
    // A client asking its local Sentinel needs one on its box.
    let mut t = s.clone();
    t.boxes[2].processes.push(sim::presets::p("C3", "client"));
    t.boxes[2].processes.retain(|p| p.name != "S3");
    let t = t
        .with_override(
            "boxes.2.processes.2.settings",
            r#"{"client": {"discovery": "local_sentinel"}}"#,
        )
        .unwrap();
    let e = sim::build(&t, RunOptions::default())
        .err()
        .expect("refused");
    assert!(
        e.message
            .contains("C3 asks its local Sentinel, but its box has none"),
        "{e}"
    );
}

#[test]
fn a_large_data_set_keeps_the_old_master_out_of_sync_longer() {
    // 2 GB at about 100 MB/s: 20 s of streaming and loading after the diskless delay,
    // and what is written meanwhile follows from the backlog, so nothing is missing.
    let s = preset("sentinel-old-master-isolated");
    let small = first_discard(&s, "M1");
    let big = s.with_override("dataset_mb", "2000").unwrap();
    let large = first_discard(&big, "M1");
    println!("M1 resynced at {small} ms, with 2 GB at {large} ms");
    assert!(
        (19_500..=21_000).contains(&(large - small)),
        "{small} vs {large}"
    );
    let (r1, m1) = held_at_end(&big, "R1", "M1");
    assert!(r1 - m1 <= 1, "M1 caught up after its transfer");
}

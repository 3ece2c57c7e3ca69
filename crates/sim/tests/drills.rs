//! Failure drills on the presets: schedules that do not depend on the settings, valid
//! and repaired; shards that merge exactly; what asynchronous Sentinel and Raft lose.

use sim::drill::*;
use sim::fault::FaultAction;
use sim::simulation::RunOptions;
use sim::Scenario;

fn preset(name: &str) -> Scenario {
    sim::presets::find(name).expect("preset exists").scenario()
}

fn spec(schedules: u64, seed: u64) -> DrillSpec {
    DrillSpec {
        duration_ms: Some(60_000),
        ..DrillSpec::new(schedules, seed)
    }
}

#[test]
fn the_same_index_gives_the_same_schedule_whatever_the_settings() {
    let a = preset("sentinel-old-master-isolated");
    let b = a.with_override("quorum", "1").unwrap();
    let sp = spec(10, 7);
    for i in 0..10 {
        let fa = scenario_for(&a, &sp, i).unwrap();
        let fb = scenario_for(&b, &sp, i).unwrap();
        assert_eq!(fa.faults, fb.faults, "schedule {i}");
        assert_eq!(fa.seed, fb.seed);
    }
    // And another seed gives other schedules.
    let other = scenario_for(&a, &spec(10, 8), 0).unwrap();
    assert_ne!(other.faults, scenario_for(&a, &sp, 0).unwrap().faults);
}

#[test]
fn generated_schedules_are_valid_quiet_at_both_ends_and_repaired() {
    let mut kinds_seen = std::collections::HashSet::new();
    let mut checked = 0;
    for name in [
        "sentinel-old-master-isolated",
        "raft-minority-leader",
        "redlock-majority",
        "patroni-primary-isolated",
    ] {
        let s = preset(name);
        let sp = DrillSpec {
            faults_per_minute: 6.0,
            ..spec(40, 3)
        };
        for i in 0..sp.schedules {
            let sc = scenario_for(&s, &sp, i).unwrap();
            sc.validate()
                .unwrap_or_else(|e| panic!("{name} schedule {i}: {e}"));
            sim::build(&sc, RunOptions::default()).unwrap_or_else(|e| panic!("{name} {i}: {e}"));
            for f in &sc.faults {
                assert!(
                    f.at_ms >= sp.quiet_start_ms,
                    "{name} {i}: fault at {}",
                    f.at_ms
                );
                assert!(
                    f.at_ms <= 60_000 - sp.quiet_end_ms,
                    "{name} {i}: fault at {}",
                    f.at_ms
                );
                kinds_seen.insert(std::mem::discriminant(&f.action));
            }
            // Every cut is healed, every crash restarted, every slow disk restored,
            // every clock stepped back, by the quiet end.
            let (mut cut, mut open, mut clock) = (false, 0i64, 0i64);
            for f in &sc.faults {
                match &f.action {
                    FaultAction::Isolate { .. }
                    | FaultAction::Bridge { .. }
                    | FaultAction::CutOneWay { .. }
                    | FaultAction::MoveBox { .. } => cut = true,
                    FaultAction::Heal | FaultAction::RepairOneWay { .. } => cut = false,
                    FaultAction::Crash { .. } | FaultAction::SlowDisk { .. } => open += 1,
                    FaultAction::Restart { .. } | FaultAction::RestoreDisk { .. } => open -= 1,
                    FaultAction::ClockJump { by_ms, .. } => clock += by_ms,
                    _ => {}
                }
            }
            assert!(
                !cut,
                "{name} schedule {i} leaves the network cut: {:?}",
                sc.faults
            );
            assert_eq!(
                open, 0,
                "{name} schedule {i} leaves a fault in place: {:?}",
                sc.faults
            );
            assert_eq!(clock, 0, "{name} schedule {i} leaves a clock stepped");
            checked += 1;
        }
    }
    // Isolate, move_box, cut_one_way, bridge, heal, repair, pause, crash, restart,
    // slow disk, restore, clock jump: every kind of action came up.
    assert!(
        kinds_seen.len() >= 12,
        "only {} kinds of action in {checked} schedules",
        kinds_seen.len()
    );
    println!(
        "{checked} generated schedules valid, {} kinds of action",
        kinds_seen.len()
    );
}

#[test]
fn merged_shards_equal_one_machine_byte_for_byte() {
    let s = preset("sentinel-old-master-isolated");
    let sp = spec(6, 11);
    let runs: Vec<DrillRun> = (0..6).map(|i| run_one(&s, &sp, i).unwrap()).collect();
    let whole = aggregate(&s, &sp, runs.clone(), None);
    let shards: Vec<DrillReport> = (0..3)
        .map(|index| {
            let sh = Shard { index, count: 3 };
            let part = sh.range(6).map(|i| runs[i as usize].clone()).collect();
            let r = aggregate(&s, &sp, part, Some(sh));
            // Through JSON, as separate machines would hand them over.
            report_from_json(&serde_json::to_string(&r).unwrap()).unwrap()
        })
        .collect();
    let merged = merge(shards.clone()).unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&merged).unwrap(),
        serde_json::to_string_pretty(&whole).unwrap()
    );
    // A missing or repeated shard is refused in plain words.
    assert!(merge(shards[..2].to_vec()).unwrap_err().contains("missing"));
    let mut twice = shards.clone();
    twice.push(shards[0].clone());
    assert!(merge(twice).unwrap_err().contains("two reports"));
    let mut other = shards;
    other[1].spec.seed = 12;
    assert!(merge(other).unwrap_err().contains("another drill"));
}

#[test]
fn asynchronous_sentinel_loses_writes_where_raft_loses_none_on_the_same_kind_of_faults() {
    let sp = DrillSpec {
        kinds: vec![FaultKind::Partition, FaultKind::Pause, FaultKind::Crash],
        faults_per_minute: 4.0,
        ..spec(16, 1)
    };
    let sentinel = preset("sentinel-old-master-isolated");
    let raft = preset("raft-minority-leader");
    let report = |s: &Scenario| {
        let runs = (0..sp.schedules)
            .map(|i| run_one(s, &sp, i).unwrap())
            .collect();
        aggregate(s, &sp, runs, None)
    };
    let (a, b) = (report(&sentinel), report(&raft));
    println!(
        "sentinel: {}",
        a.sentence(&sim::system::find("redis-sentinel").unwrap().words)
    );
    println!(
        "raft: {}",
        b.sentence(&sim::system::find("etcd-raft").unwrap().words)
    );
    assert!(
        a.runs_with_loss > 0,
        "no schedule lost a write under Sentinel"
    );
    assert_eq!(
        b.runs_with_loss, 0,
        "Raft lost acknowledged writes: {:?}",
        b.worst_seeds
    );
    assert_eq!(b.runs_not_linearizable, 0);
    // The worst schedule opens in the lab at its moment.
    let w = &a.worst_seeds[0];
    let link = sim::link::decode(&w.link).unwrap().unwrap();
    assert_eq!(link.scenario.seed, w.seed);
    assert_eq!(sim::link::view_of(&w.link).t, Some(w.at_ms));
    assert!(a.worst_seeds.windows(2).all(|p| p[0].lost >= p[1].lost));
}

#[test]
fn impossible_drills_are_refused_in_plain_words() {
    let s = preset("sentinel-old-master-isolated");
    let bad = |f: &dyn Fn(&mut DrillSpec)| {
        let mut sp = spec(10, 1);
        f(&mut sp);
        sp.validate(&s).unwrap_err()
    };
    assert_eq!(bad(&|sp| sp.schedules = 0).field, "schedules");
    assert_eq!(bad(&|sp| sp.min_fault_ms = 30_000).field, "min_fault_ms");
    assert_eq!(
        bad(&|sp| sp.faults_per_minute = f64::NAN).field,
        "faults_per_minute"
    );
    assert!(bad(&|sp| sp.duration_ms = Some(20_000))
        .message
        .contains("too little"));
    // Redis declares no disk whose latency matters.
    let e = bad(&|sp| sp.kinds = vec![FaultKind::SlowDisk]);
    assert!(e.message.contains("nothing for slow_disk"), "{e}");
    assert!(spec(10, 1).validate(&s).is_ok());
}

#[test]
fn two_configurations_are_told_apart_by_what_differs() {
    let a = preset("sentinel-old-master-isolated");
    let b = a.with_override("quorum", "1").unwrap();
    assert_eq!(labels(&a, &b), ("quorum=2".into(), "quorum=1".into()));
    let c = b.with_override("network.latency_ms", "5").unwrap();
    let (la, lc) = labels(&a, &c);
    assert!(
        la.contains("quorum=2") && lc.contains("quorum=1"),
        "{la} / {lc}"
    );
    assert!(lc.contains("network.latency_ms=5"), "{lc}");
    assert_eq!(labels(&a, &a), (String::new(), String::new()));
}

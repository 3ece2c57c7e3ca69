//! Same scenario and seed, same trace: each preset's trace hash is pinned in
//! `trace_hashes.txt`, which the in-browser test (tests/wasm_determinism.rs in the
//! app) checks against the hashes the browser computes.

use sim::presets::{all, find};
use sim::simulation::run;

const PINNED: &str = include_str!("trace_hashes.txt");

fn pinned() -> Vec<(&'static str, &'static str)> {
    PINNED.lines().filter_map(|l| l.split_once(' ')).collect()
}

#[test]
fn every_preset_has_a_pinned_trace_hash() {
    let names: Vec<&str> = pinned().iter().map(|p| p.0).collect();
    for p in all() {
        assert!(names.contains(&p.name), "{} has no pinned hash", p.name);
    }
}

#[test]
fn each_preset_reproduces_its_pinned_trace_hash() {
    for (name, hash) in pinned() {
        let s = find(name)
            .unwrap_or_else(|| panic!("pinned preset {name} is gone"))
            .scenario();
        let got = run(&s).expect("preset builds").trace_hash;
        assert_eq!(
            got, hash,
            "{name}: the trace changed (if on purpose, update trace_hashes.txt)"
        );
    }
}

#[test]
fn a_different_seed_gives_a_different_trace() {
    let mut s = find("sentinel-old-master-isolated").unwrap().scenario();
    let a = run(&s).unwrap().trace_hash;
    s.seed = 2;
    let b = run(&s).unwrap().trace_hash;
    assert_ne!(a, b);
}

#[test]
fn snapshot_and_restore_replay_the_same_trace() {
    let s = find("sentinel-old-master-isolated").unwrap().scenario();
    let mut sim = sim::build(&s, Default::default()).unwrap();
    sim.run_until(20_000);
    let snap = sim.save();
    sim.run_until(s.duration_ms);
    let first = sim.trace_hash();
    let first_outcome = sim.outcome();
    assert!(sim.load(snap.as_ref()));
    assert_eq!(sim.now(), 20_000);
    sim.run_until(s.duration_ms);
    assert_eq!(sim.trace_hash(), first);
    assert_eq!(sim.outcome(), first_outcome);
}

#[test]
fn a_fault_injected_at_its_moment_matches_the_same_fault_scheduled_from_the_start() {
    use sim::fault::{FaultAction, ScheduledFault};
    let base = find("sentinel-old-master-isolated").unwrap().scenario();
    let action = FaultAction::CutLink {
        a: "S2".into(),
        b: "M1".into(),
        one_way: false,
    };
    for t in [0, 5_000, 12_345, 40_000] {
        let mut scheduled = base.clone();
        scheduled.faults.push(ScheduledFault {
            at_ms: t,
            action: action.clone(),
        });
        let want = run(&scheduled).unwrap().trace_hash;
        // As the lab forks: from an earlier snapshot, run to just before t, inject.
        let mut sim = sim::build(&base, Default::default()).unwrap();
        let snap = sim.save();
        sim.run_until(60_000);
        assert!(sim.load(snap.as_ref()));
        sim.run_before(t);
        sim.inject(action.clone()).unwrap();
        sim.run_until(base.duration_ms);
        assert_eq!(sim.outcome().trace_hash, want, "fault at {t} ms");
    }
}

#[test]
fn a_snapshot_restored_into_a_fresh_run_carries_everything_before_it() {
    // The lab restores snapshots of one run into another (a new branch, the run shown):
    // the signal log must come with the snapshot, not from the run it lands in.
    let s = find("sentinel-old-master-isolated").unwrap().scenario();
    let mut first = sim::build(&s, Default::default()).unwrap();
    first.run_until(30_000);
    let snap = first.save();
    first.run_until(s.duration_ms);
    let mut fresh = sim::build(&s, Default::default()).unwrap();
    assert!(fresh.load(snap.as_ref()));
    fresh.run_until(s.duration_ms);
    assert_eq!(fresh.outcome(), first.outcome());
    assert_eq!(
        fresh.outcome().new_leaders.len(),
        1,
        "the failover at 16.6 s is in the restored log"
    );
}

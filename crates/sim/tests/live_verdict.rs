//! The checker on the presets' runs: the live verdict on the part of a run computed,
//! and locks judged as registers.

use sim::check::Live;

#[test]
fn the_live_verdict_finds_a_stale_read_in_the_part_of_a_run_computed() {
    // raft-stale-read: serializable reads on a member cut off alone return old values.
    let s = sim::presets::find("raft-stale-read").unwrap().scenario();
    let mut sim = sim::build(&s, sim::simulation::RunOptions::default()).unwrap();
    let mut live = Live::default();
    let mut checks = 0;
    let mut found_at = None;
    while sim.now() < s.duration_ms {
        let t = sim.now() + 1_000;
        sim.run_until(t);
        let size = sim.signals().len();
        if live.due(size) {
            checks += 1;
            if let Some(v) = live.check(&sim.history(), size, sim.now() as i64) {
                // The stale read, then the newer write the longest order ends with.
                assert_eq!(v.involved.len(), 2, "{v:?}");
                assert_eq!(v.involved[0].1, v.at, "the read completes at the moment");
                assert!(
                    v.involved[1].1 < v.involved[0].0,
                    "the write completed before the read began"
                );
                found_at.get_or_insert((sim.now(), v.at));
            }
        }
    }
    let (when, at) = found_at.expect("the stale read is found before the run ends");
    assert!(
        at as u64 <= when,
        "a violation is never dated after the part checked"
    );
    assert!(when < s.duration_ms, "found while computing, at {when} ms");
    // The whole run's verdict agrees on the moment.
    let o = sim.outcome();
    assert_eq!(o.linearizable, Some(false));
    assert_eq!(o.not_linearizable_from_ms, Some(at as u64));
    println!("found at {at} ms once {when} ms were computed, after {checks} checks");
}

#[test]
fn the_live_verdict_never_fires_on_a_linearizable_run() {
    // The same cut with linearizable reads: they time out instead of going stale.
    let s = sim::presets::find("raft-stale-read")
        .unwrap()
        .scenario()
        .with_override("client.consistency", "linearizable")
        .unwrap();
    let mut sim = sim::build(&s, sim::simulation::RunOptions::default()).unwrap();
    let mut live = Live::default();
    while sim.now() < s.duration_ms {
        let t = sim.now() + 2_000;
        sim.run_until(t);
        let size = sim.signals().len();
        if live.due(size) {
            assert!(
                live.check(&sim.history(), size, sim.now() as i64).is_none(),
                "at {t}"
            );
        }
    }
    assert_eq!(sim.outcome().linearizable, Some(true));
}

#[test]
fn a_lock_held_twice_is_not_linearizable_from_the_second_acquisition() {
    // C1 paused past its TTL; C2 takes the lock while C1 still believes it holds it.
    for preset in [
        "redlock-gc-pause",
        "etcd-lease-lock-pause",
        "sentinel-lock-split-brain",
    ] {
        let s = sim::presets::find(preset).unwrap().scenario();
        let o = sim::simulation::run(&s).unwrap();
        assert!(o.locks_held_twice > 0, "{preset}");
        assert_eq!(o.linearizable, Some(false), "{preset}");
        let first = o.lock_overlaps.iter().map(|x| x.from_ms).min().unwrap();
        assert_eq!(
            o.not_linearizable_from_ms,
            Some(first),
            "{preset}: {:?}",
            o.violation
        );
        let v = o.violation.unwrap();
        assert!(v.key.starts_with("lock "), "{preset}: {}", v.key);
        assert!(
            v.explanation.contains("compare-and-set 0 →"),
            "{}",
            v.explanation
        );
    }
    // One holder at a time: the lock is a linearizable register.
    let s = sim::presets::find("redlock-majority").unwrap().scenario();
    let o = sim::simulation::run(&s).unwrap();
    assert!(o.locks_acquired > 1 && o.locks_held_twice == 0);
    assert_eq!(o.linearizable, Some(true), "{:?}", o.violation);
}

//! One test per preset, named after the scenario, asserting what the real system does.

mod common;

use common::{outcome, preset, with};
use sim::simulation::{run, RunOptions};
use sim::Signal;

#[test]
fn old_master_isolated_loses_acked_writes() {
    let o = outcome("sentinel-old-master-isolated");
    assert_eq!(o.new_leaders.len(), 1, "{o:?}");
    let f = &o.new_leaders[0];
    assert!(f.leader == "R1" || f.leader == "R2");
    // Cut at 10 s, down-after 5 s: SDOWN/ODOWN just after 15 s, promotion within ~2 s.
    assert!(
        (15_000..18_000).contains(&f.time_ms),
        "failover at {}",
        f.time_ms
    );
    assert!(
        o.acked_writes_lost > 100,
        "the old master acknowledged writes while isolated: {}",
        o.acked_writes_lost
    );
    assert!(
        o.lost_writes.iter().all(|w| w.client == "C1"),
        "only the client beside the old master wrote to it"
    );
    assert!(
        o.lost_writes.iter().all(|w| w.acked_ms >= 10_000),
        "nothing acknowledged before the cut is lost"
    );
    // Two masters accept writes from the promotion until the old one is converted after the heal.
    assert!(
        o.split_brain_ms > 20_000,
        "split-brain {} ms",
        o.split_brain_ms
    );
    assert_eq!(o.final_read_from.as_deref(), Some(f.leader.as_str()));
}

#[test]
fn min_replicas_bounds_the_loss_to_max_lag_after_the_cut() {
    let base = outcome("sentinel-old-master-isolated");
    let o = outcome("sentinel-min-replicas");
    assert_eq!(o.new_leaders.len(), 1);
    assert!(
        o.acked_writes_lost > 0,
        "writes in the first max-lag seconds are still lost"
    );
    assert!(
        o.acked_writes_lost < base.acked_writes_lost / 2,
        "{} vs {}",
        o.acked_writes_lost,
        base.acked_writes_lost
    );
    // The isolated master refuses writes once its replica's last ACK is more than 10 s old.
    let last_lost = o.lost_writes.iter().map(|w| w.acked_ms).max().unwrap();
    assert!(
        (19_000..=22_000).contains(&last_lost),
        "last lost write acknowledged at {last_lost} ms"
    );
    assert!(o.rejected_by_reason.get("NOREPLICAS").copied().unwrap_or(0) > 50);
    assert!(
        o.split_brain_ms < 6_000,
        "split-brain ends when the old master refuses: {} ms",
        o.split_brain_ms
    );
}

#[test]
fn quorum_1_isolated_sentinel_reaches_odown_but_is_never_elected() {
    let s = preset("sentinel-quorum-1-isolated-sentinel");
    let mut sim = sim::build(&s, RunOptions::default()).unwrap();
    sim.run_until(s.duration_ms);
    let o = sim.outcome();
    assert!(o.new_leaders.is_empty(), "{:?}", o.new_leaders);
    assert_eq!(o.acked_writes_lost, 0);
    let s2 = sim
        .view()
        .procs
        .iter()
        .position(|p| p.name == "S2")
        .unwrap();
    let of_s2 = |f: fn(&Signal) -> bool| {
        sim.signals()
            .iter()
            .any(|r| r.proc.idx() == s2 && f(&r.signal))
    };
    assert!(
        of_s2(
            |s| matches!(s, Signal::Event(e) if e.name == "odown" && e.log.starts_with("+odown: 1 "))
        ),
        "quorum 1: S2 alone makes it ODOWN"
    );
    assert!(of_s2(|s| matches!(s, Signal::ElectionStarted { .. })));
    assert!(of_s2(
        |s| matches!(s, Signal::Event(e) if e.name == "failover-abort" && e.log.contains("not-elected"))
    ));
}

#[test]
fn quorum_1_flaky_link_fails_over_a_healthy_master() {
    let o = outcome("sentinel-quorum-1-flaky-link");
    assert_eq!(
        o.new_leaders.len(),
        1,
        "the others vote for the Sentinel that lost its link"
    );
    assert!(
        o.acked_writes_lost > 0,
        "writes to the healthy master after the promotion are lost"
    );
    let q2 = with("sentinel-quorum-1-flaky-link", "quorum", "2");
    assert!(
        q2.new_leaders.is_empty(),
        "with quorum 2 nobody agrees the master is down"
    );
    assert_eq!(q2.acked_writes_lost, 0);
    assert_eq!(q2.split_brain_ms, 0);
}

#[test]
fn wait_1_stops_acks_from_a_lone_master_but_not_from_one_with_a_replica_beside_it() {
    // What WAIT improves: a master cut off alone cannot get a replica's ACK, so its
    // writes end unknown instead of acknowledged.
    let alone = with("sentinel-old-master-isolated", "client.wait_replicas", "1");
    assert_eq!(alone.new_leaders.len(), 1);
    assert_eq!(alone.acked_writes_lost, 0);
    // Each WAIT blocks for its 500 ms timeout, so the lone master takes about two writes a second.
    assert!(
        alone.writes_unknown > 50,
        "{} unknown",
        alone.writes_unknown
    );
    // What it does not: R3, cut off with the master, acknowledges; Sentinel promotes another replica.
    let o = outcome("sentinel-wait");
    assert_eq!(o.new_leaders.len(), 1);
    assert_ne!(o.new_leaders[0].leader, "R3");
    assert!(o.acked_writes_lost > 100, "{} lost", o.acked_writes_lost);
}

#[test]
fn restart_empty_master_wipes_its_replicas_without_a_failover() {
    let o = outcome("sentinel-restart-empty");
    assert!(
        o.new_leaders.is_empty(),
        "back within down-after: Sentinel never sees it down"
    );
    assert!(o.acked_writes_lost > 200, "{} lost", o.acked_writes_lost);
    assert!(
        o.lost_writes.iter().all(|w| w.acked_ms <= 15_000),
        "only writes before the crash are lost"
    );
    let kept = with("sentinel-restart-empty", "persistence", "true");
    assert_eq!(
        kept.acked_writes_lost, 0,
        "with persistence the data survives the restart"
    );
}

#[test]
fn fencing_rejects_the_stale_master_writes() {
    let o = outcome("sentinel-fencing");
    assert_eq!(o.new_leaders.len(), 1);
    assert!(
        o.fencing_rejections > 50,
        "{} rejections",
        o.fencing_rejections
    );
    assert_eq!(
        o.rejected_by_reason.get("FENCED").copied(),
        Some(o.fencing_rejections)
    );
    assert_eq!(
        o.acked_writes_lost, 0,
        "storage is the record and never takes a stale token"
    );
    let off = with("sentinel-fencing", "fencing", "false");
    assert_eq!(off.fencing_rejections, 0);
    assert!(off.acked_writes_lost > 100);
}

#[test]
fn quorum_larger_than_the_sentinels_runs_with_a_warning_and_never_fails_over() {
    let o = with("sentinel-old-master-isolated", "quorum", "4");
    assert!(o.new_leaders.is_empty());
    assert!(
        o.warnings.iter().any(|w| w.contains("can never")),
        "{:?}",
        o.warnings
    );
}

#[test]
fn register_clients_read_stale_values_during_split_brain_and_none_without_faults() {
    let split = with(
        "sentinel-old-master-isolated",
        "client.workload",
        "\"register\"",
    );
    assert!(split.stale_reads > 10, "{} stale reads", split.stale_reads);
    let mut calm = preset("sentinel-old-master-isolated")
        .with_override("client.workload", "\"register\"")
        .unwrap();
    calm.faults.clear();
    let o = run(&calm).unwrap();
    assert_eq!(o.stale_reads, 0);
    assert!(o.writes_acked > 500);
}

#[test]
fn sentinel_lock_split_brain_gives_two_clients_the_lock_until_the_old_master_is_converted() {
    let o = outcome("sentinel-lock-split-brain");
    // R1 is promoted about 7 s after the cut; C2 finds it through Sentinel and takes
    // the lock there, while C1 goes on taking it on M1, cut off with it.
    assert_eq!(o.new_leaders.len(), 1);
    let first = &o.lock_overlaps[0];
    assert!(
        (17_000..25_000).contains(&first.from_ms),
        "{first:?} after the promotion at {} ms",
        o.new_leaders[0].time_ms
    );
    assert!(first.both_wrote, "{first:?}");
    // It lasts until M1 is converted to a replica, about 10 s after the heal at 40 s.
    let last = o.lock_overlaps.last().unwrap();
    let end = last.to_ms.unwrap();
    assert!((40_000..56_000).contains(&end), "{last:?}");
    assert!(o.locks_held_twice >= 10, "{}", o.locks_held_twice);
    // No write is lost: the storage holds them all, and each was made by a client
    // that held "the" lock on the master it could reach.
    assert_eq!(o.acked_writes_lost, 0);
    let s = sim::presets::find("sentinel-lock-split-brain")
        .unwrap()
        .scenario();
    let mut sim = sim::build(&s, Default::default()).unwrap();
    sim.run_until(s.duration_ms);
    let broken: Vec<_> = sim
        .check_invariants()
        .into_iter()
        .filter(|i| i.violation.is_some())
        .map(|i| i.name)
        .collect();
    assert_eq!(broken, [sim::system::ONE_LOCK_HOLDER]);
    // min-replicas-to-write 1 stops M1 taking the lock about 10 s after the cut, so the
    // two holders overlap for a shorter time.
    let guarded = with("sentinel-lock-split-brain", "min_replicas_to_write", "1");
    let overlap = |o: &sim::Outcome| -> u64 {
        o.lock_overlaps
            .iter()
            .map(|x| x.to_ms.unwrap_or(90_000) - x.from_ms)
            .sum()
    };
    assert!(
        overlap(&guarded) < overlap(&o),
        "{} ms against {} ms",
        overlap(&guarded),
        overlap(&o)
    );
}

#[test]
fn each_run_reads_in_one_sentence_with_its_verdict() {
    let words = |name: &str| sim::system::find(&preset(name).system).unwrap().words;
    let cases = [
        (
            "sentinel-old-master-isolated",
            "Two masters took writes at once for 34.0 s; 403 acknowledged writes lost; the final read misses acknowledged writes: not linearizable.",
        ),
        (
            "lww-clock-skew",
            "23 acknowledged writes silently overwritten; 18 stale reads; the history is not linearizable from 1.1 s.",
        ),
        (
            "raft-minority-leader",
            "0 acknowledged writes lost; the history is linearizable.",
        ),
    ];
    for (name, sentence) in cases {
        assert_eq!(outcome(name).sentence(&words(name)), sentence, "{name}");
    }
}

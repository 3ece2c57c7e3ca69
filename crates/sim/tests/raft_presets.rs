//! One test per etcd/Raft preset, named after the scenario, asserting what etcd does.

mod common;

use common::{outcome, preset, with};
use sim::simulation::RunOptions;
use sim::{Scenario, Signal};

/// Every invariant of the system holds at the end of the run.
fn invariants_hold(s: &Scenario) {
    let mut sim = sim::build(s, RunOptions::default()).unwrap();
    sim.run_until(s.duration_ms);
    for i in sim.check_invariants() {
        assert_eq!(i.violation, None, "{}: {}", s.name, i.name);
    }
}

#[test]
fn raft_minority_leader_loses_no_acknowledged_write() {
    let o = outcome("raft-minority-leader");
    assert_eq!(o.acked_writes_lost, 0, "{o:?}");
    assert_eq!(o.split_brain_ms, 0);
    // The majority side (N3, N4, N5) elects one leader of term 2 within about 2 s of the cut.
    let first = &o.new_leaders[0];
    assert!(
        ["N3", "N4", "N5"].contains(&first.leader.as_str()),
        "{first:?}"
    );
    assert_eq!(first.epoch, 2);
    assert!(
        (11_000..13_000).contains(&first.time_ms),
        "new leader at {} ms",
        first.time_ms
    );
    // C1 beside the old leader sees timeouts, not errors: unknown outcomes.
    assert!(o.writes_unknown > 0);
    assert_eq!(o.writes_rejected, 0);
    // CheckQuorum makes the cut-off leader step down.
    assert_eq!(o.counters.get("CheckQuorum step-downs"), Some(&1), "{o:?}");
    // Its entries appended before it stepped down are dropped on the heal.
    assert!(o.discarded > 0, "{o:?}");
    invariants_hold(&preset("raft-minority-leader"));
}

#[test]
fn raft_even_split_has_no_leader_and_takes_no_write() {
    let o = outcome("raft-even-split");
    assert_eq!(o.acked_writes_lost, 0);
    assert!(o.warnings.iter().any(|w| w.contains("no majority")));
    let history = {
        let s = preset("raft-even-split");
        let mut sim = sim::build(&s, RunOptions::default()).unwrap();
        sim.run_until(s.duration_ms);
        sim.history()
    };
    // A write invoked after the leader stepped down (by 12 s) and answered before the
    // heal (30 s) would need a majority that neither half has.
    let during = history
        .ops
        .iter()
        .filter(|op| op.invoke_ms >= 12_000 && op.complete_ms.is_some_and(|t| t < 30_000))
        .filter(|op| op.result == Some(sim::history::OpResult::Ok))
        .count();
    assert_eq!(during, 0, "no write succeeds during a 2+2 split");
    assert!(
        o.new_leaders.iter().all(|l| l.time_ms >= 30_000),
        "no leader until the heal: {:?}",
        o.new_leaders
    );
    assert!(!o.new_leaders.is_empty(), "a leader after the heal");
}

#[test]
fn raft_checkquorum_isolated_leader_steps_down() {
    let on = outcome("raft-checkquorum");
    assert_eq!(on.counters.get("CheckQuorum step-downs"), Some(&1));
    let off = with("raft-checkquorum", "check_quorum", "false");
    assert_eq!(off.counters.get("CheckQuorum step-downs"), None);
    // Without CheckQuorum, N1 still believes it leads term 1 during the cut while
    // another member leads term 2: not split-brain, since N1 cannot commit.
    assert_eq!(off.split_brain_ms, 0);
    assert_eq!(off.acked_writes_lost, 0);
    let s = preset("raft-checkquorum")
        .with_override("check_quorum", "false")
        .unwrap();
    let mut sim = sim::build(&s, RunOptions::default()).unwrap();
    sim.run_until(25_000);
    let v = sim.view();
    let n1 = v.procs.iter().find(|p| p.name == "N1").unwrap();
    assert_eq!(n1.view.role_label, "leader", "N1 still believes it leads");
    let leaders = v
        .procs
        .iter()
        .filter(|p| p.view.role_label == "leader")
        .count();
    assert_eq!(leaders, 2, "a deposed leader and the real one");
}

#[test]
fn raft_prevote_rejoining_follower_deposes_leader_without_prevote() {
    let off = outcome("raft-prevote");
    assert!(
        off.counters
            .get("leaders deposed by a higher term")
            .copied()
            .unwrap_or(0)
            >= 1,
        "{off:?}"
    );
    let terms: Vec<u64> = off.new_leaders.iter().map(|l| l.epoch).collect();
    assert!(terms.iter().any(|t| *t > 2), "the term jumped: {terms:?}");
    let on = with("raft-prevote", "pre_vote", "true");
    assert_eq!(on.counters.get("leaders deposed by a higher term"), None);
    assert!(on.new_leaders.is_empty(), "{:?}", on.new_leaders);
}

#[test]
fn raft_slow_disk_leader_loses_leadership() {
    let o = outcome("raft-slow-disk");
    assert!(
        o.counters
            .get("late heartbeats (slow disk)")
            .copied()
            .unwrap_or(0)
            >= 1,
        "etcd warns the leader failed to send heartbeats on time: {o:?}"
    );
    assert!(
        o.new_leaders
            .iter()
            .any(|l| l.leader != "N1" && l.time_ms > 10_000),
        "{:?}",
        o.new_leaders
    );
    assert_eq!(o.acked_writes_lost, 0);
    let fast = with("raft-slow-disk", "faults", "[]");
    assert!(fast.new_leaders.is_empty());
}

#[test]
fn raft_leader_pause_elects_another_and_old_steps_down() {
    let o = outcome("raft-leader-pause");
    let l = o.new_leaders.first().expect("a new leader");
    assert_ne!(l.leader, "N1");
    assert!((10_500..13_000).contains(&l.time_ms), "{l:?}");
    assert_eq!(o.acked_writes_lost, 0);
    let s = preset("raft-leader-pause");
    let mut sim = sim::build(&s, RunOptions::default()).unwrap();
    sim.run_until(14_000);
    let v = sim.view();
    let n1 = v.procs.iter().find(|p| p.name == "N1").unwrap();
    assert_eq!(
        n1.view.role_label, "follower",
        "N1 stepped down after it resumed at 13 s"
    );
}

#[test]
fn raft_stale_read_serializable_reads_are_stale_linearizable_time_out() {
    let o = outcome("raft-stale-read");
    assert!(o.stale_reads > 0, "{o:?}");
    let l = with("raft-stale-read", "client.consistency", "linearizable");
    assert_eq!(l.stale_reads, 0, "{l:?}");
    assert!(l.writes_unknown > 0 || l.writes_acked > 0);
}

#[test]
fn signals_speak_in_terms() {
    let s = preset("raft-minority-leader");
    let mut sim = sim::build(&s, RunOptions::default()).unwrap();
    sim.run_until(s.duration_ms);
    let words = sim.system().words;
    let line = sim
        .signals()
        .iter()
        .find_map(|r| match &r.signal {
            Signal::ElectionStarted { .. } => r.signal.present(&words),
            _ => None,
        })
        .expect("an election");
    assert!(line.log.contains("term 2"), "{}", line.log);
}

#[test]
fn raft_term_as_fencing_token_rejects_a_deposed_leaders_writes() {
    // N1 is cut off from the other members but still reaches the storage (a bridge),
    // and without CheckQuorum it keeps believing it leads term 1.
    let without_storage = preset("raft-checkquorum")
        .with_override("fencing", "true")
        .unwrap();
    assert!(
        sim::build(&without_storage, RunOptions::default()).is_err(),
        "fencing needs a storage process"
    );
    let mut base = preset("raft-checkquorum");
    base.boxes.push(sim::scenario::BoxSpec {
        name: "store".into(),
        processes: vec![sim::scenario::ProcSpec {
            name: "DB".into(),
            kind: "storage".into(),
            priority: None,
            settings: None,
        }],
    });
    base.faults[0] = sim::ScheduledFault {
        at_ms: 10_000,
        action: sim::FaultAction::Bridge {
            a: vec!["box1".into()],
            b: vec!["box2".into(), "box3".into()],
        },
    };
    let s = base
        .with_override("check_quorum", "false")
        .and_then(|s| s.with_override("fencing", "true"))
        .unwrap();
    let o = sim::simulation::run(&s).unwrap();
    assert!(
        o.fencing_rejections > 0,
        "once the term-2 leader has written, term-1 writes are refused: {o:?}"
    );
    assert_eq!(o.acked_writes_lost, 0);
}

#[test]
fn etcd_lease_lock_pause_lets_a_paused_holder_write_unless_the_revision_is_checked() {
    let o = outcome("etcd-lease-lock-pause");
    // C1 takes the lock at once and is paused at 3 s. It kept its lease alive last at
    // the grant: the leader's lessor revokes it at its first check after 10 s, and C2
    // takes the lock with a higher revision.
    let first = &o.lock_overlaps[0];
    assert_eq!((first.first.as_str(), first.second.as_str()), ("C1", "C2"));
    assert!((10_000..11_500).contains(&first.from_ms), "{first:?}");
    // C1 wakes at 18 s and writes before any keep-alive answer can tell it.
    assert_eq!(o.counters.get("writes after the lease ran out"), Some(&1));
    assert_eq!(o.stale_writes_accepted, 1, "{o:?}");
    assert_eq!(o.fencing_rejections, 0);
    // With the storage checking the lock's revision, the stale write is refused, and
    // only that one: the revisions only grow.
    let fenced = with("etcd-lease-lock-pause", "fencing", "true");
    assert_eq!(fenced.stale_writes_accepted, 0, "{fenced:?}");
    assert_eq!(fenced.fencing_rejections, 1);
    assert_eq!(fenced.rejected_by_reason.get("FENCED"), Some(&1));
    assert_eq!(fenced.acked_writes_lost, 0);
    // The lock was still held twice: fencing protects the storage, not the lock.
    assert!(fenced.locks_held_twice > 0);
}

//! One test per last-write-wins preset, named after the scenario, and what the
//! consistency levels and the version check do and do not buy; then optimistic
//! concurrency on etcd, where the compare-and-set is atomic.

mod common;

use common::{outcome, preset, with};
use sim::simulation::{run, RunOptions};
use sim::{Outcome, Scenario, Signal};

const IGNORED: &str = "writes acknowledged but kept out by a later timestamp";
const MERGED: &str = "conflicts detected and merged";

fn counter(o: &Outcome, label: &str) -> u64 {
    o.counters.get(label).copied().unwrap_or(0)
}

fn set(s: Scenario, path: &str, value: &str) -> Scenario {
    s.with_override(path, value).expect("valid override")
}

/// Acknowledged writes of `client` invoked between `from` and `to` ms.
fn acked_between(s: &Scenario, client: &str, from: u64, to: u64) -> usize {
    let mut sim = sim::build(s, RunOptions::default()).unwrap();
    sim.run_until(s.duration_ms);
    let who = s.processes().position(|(_, p)| p.name == client).unwrap() as u16;
    let h = sim::history::History::from_signals(sim.signals().iter());
    h.ops
        .iter()
        .filter(|op| op.process.0 == who && op.kind == sim::history::OpKind::Write)
        .filter(|op| op.result == Some(sim::history::OpResult::Ok))
        .filter(|op| (from..to).contains(&op.invoke_ms))
        .count()
}

#[test]
fn lww_partition_both_sides_write_and_the_heal_silently_overwrites_one() {
    let s = preset("lww-partition");
    // The cut lasts from 10 s to 40 s: at W = ONE both sides acknowledge writes.
    let c1 = acked_between(&s, "C1", 10_000, 40_000);
    let c2 = acked_between(&s, "C2", 10_000, 40_000);
    assert!(c1 >= 20 && c2 >= 20, "C1 {c1}, C2 {c2}");
    let o = outcome("lww-partition");
    assert_eq!(o.writes_acked, o.writes_attempted, "nothing refused");
    // On heal one side's versions lose to the other's later timestamps: at least the
    // cut-off side's partition writes are gone, without an error anywhere.
    assert!(
        o.acked_writes_lost >= c1.min(c2) as u64,
        "{:?}",
        o.lost_writes
    );
    let mut sim = sim::build(&s, RunOptions::default()).unwrap();
    sim.run_until(s.duration_ms);
    let overwrote_after_heal = sim.signals().iter().any(|r| {
        r.time_ms >= 40_000 && matches!(&r.signal, Signal::Event(e) if e.name == "overwrote")
    });
    assert!(overwrote_after_heal);
}

#[test]
fn lww_partition_at_quorum_refuses_the_cut_off_side_instead() {
    let s = set(
        set(preset("lww-partition"), "write_consistency", "QUORUM"),
        "read_consistency",
        "QUORUM",
    );
    // N3's side cannot reach a quorum: its reads time out, then are Unavailable once
    // N3 has convicted the others (about 18 s), and C2 writes nothing while cut off.
    assert_eq!(acked_between(&s, "C2", 10_000, 40_000), 0);
    assert!(acked_between(&s, "C1", 10_000, 40_000) >= 20);
    // What W + R > N does not buy: two clients' read-modify-writes still overwrite
    // each other. With the version check on top, nothing is lost.
    let checked = run(&set(s, "concurrency", "version_check")).unwrap();
    assert_eq!(checked.acked_writes_lost, 0, "{:?}", checked.lost_writes);
    assert_eq!(checked.stale_reads, 0);
}

#[test]
fn lww_clock_skew_the_later_write_loses() {
    let o = outcome("lww-clock-skew");
    // No fault, QUORUM both ways, and still: C2's writes made within 5 s of one of
    // C1's (stamped 5 s ahead by N1) are acknowledged and take effect nowhere.
    let ignored = counter(&o, IGNORED);
    assert!(ignored >= 10, "{o:?}");
    assert_eq!(o.acked_writes_lost, ignored, "{:?}", o.lost_writes);
    assert!(o.lost_writes.iter().all(|l| l.client == "C2"));
    assert!(
        o.stale_reads > 0,
        "reads return C1's older write over C2's newer one"
    );
    // With N1's clock right, no write is kept out by a timestamp.
    let mut s = preset("lww-clock-skew");
    s.boxes[0].processes[0].settings = None;
    assert_eq!(counter(&run(&s).unwrap(), IGNORED), 0);
}

#[test]
fn optimistic_conflict_detects_and_merges_instead_of_losing() {
    let o = outcome("optimistic-conflict");
    assert!(counter(&o, MERGED) >= 10, "{o:?}");
    assert_eq!(o.acked_writes_lost, 0, "{:?}", o.lost_writes);
    // The same run without the check loses updates: each client overwrites the
    // other's item with a version that never had it.
    let blind = with("optimistic-conflict", "concurrency", "none");
    assert_eq!(counter(&blind, MERGED), 0);
    assert!(blind.acked_writes_lost >= 10, "{blind:?}");
}

#[test]
fn a_version_check_cannot_see_across_a_partition() {
    // At W = R = ONE each side checks its own replicas: the conflict is only made on
    // heal, by timestamps, and slips through the check.
    let o = with("lww-partition", "concurrency", "version_check");
    assert!(o.acked_writes_lost >= 10, "{o:?}");
}

#[test]
fn etcd_compare_and_set_turns_every_conflict_into_a_retry() {
    // clientv3's STM way: a Txn that puts only if mod_revision is unchanged. A leader
    // paused for seconds makes both clients race once it is back; the compare refuses
    // the loser, which reads again.
    let o = with("raft-leader-pause", "client.workload", "document");
    let conflicts = counter(&o, "conflicts detected (compare failed), retried");
    assert!(conflicts >= 10, "{o:?}");
    assert_eq!(o.rejected_by_reason.get("compare failed"), Some(&conflicts));
    assert_eq!(o.acked_writes_lost, 0, "{:?}", o.lost_writes);
}

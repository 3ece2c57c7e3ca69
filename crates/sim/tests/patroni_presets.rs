//! One test per Patroni preset, named after the scenario, asserting what Patroni 3.0.2
//! (and, where the preset says so, 3.0.3) does, with the real runs of
//! `docs/real-patroni/results.md` as the reference for the moments.

mod common;

use common::{outcome, preset, with};
use sim::simulation::RunOptions;
use sim::Outcome;

/// The cut in the presets that cut something.
const CUT: u64 = 20_000;
/// The heal.
const HEAL: u64 = 80_000;

fn invariant(name: &str, set: Option<(&str, &str)>, invariant: &str) -> Option<String> {
    let mut s = preset(name);
    if let Some((p, v)) = set {
        s = s.with_override(p, v).unwrap();
    }
    let mut sim = sim::build(&s, RunOptions::default()).unwrap();
    sim.run_until(s.duration_ms);
    sim.check_invariants()
        .into_iter()
        .find(|i| i.name == invariant)
        .expect("named invariant")
        .violation
}

fn count(o: &Outcome, counter: &str) -> u64 {
    o.counters.get(counter).copied().unwrap_or(0)
}

#[test]
fn patroni_primary_isolated_loses_what_the_old_primary_acknowledged_after_the_cut() {
    let o = with("patroni-primary-isolated", "patroni_version", "3.0.3");
    // The old primary demotes itself one loop plus retry_timeout after the cut (real:
    // +11.3 … +20.4 s), so C1 beside it is acknowledged until then; a standby takes
    // the key once the lease expires (+22 … +35 s) and the old primary is rewound.
    assert_eq!(count(&o, "self-demotions"), 1, "{o:?}");
    let first = &o.new_leaders[0];
    assert!(["pg2", "pg3"].contains(&first.leader.as_str()), "{first:?}");
    assert_eq!(first.epoch, 2, "a new timeline");
    assert!(
        (CUT + 21_000..CUT + 36_000).contains(&first.time_ms),
        "promoted at {} ms",
        first.time_ms
    );
    assert!(o.acked_writes_lost > 50, "{o:?}");
    assert!(o.lost_writes.iter().all(|w| w.client == "C1"));
    let last = o.lost_writes.iter().map(|w| w.acked_ms).max().unwrap();
    assert!(
        (CUT + 10_000..CUT + 22_000).contains(&last),
        "the last lost write was acknowledged at {last} ms"
    );
    assert!(
        o.discarded > 0,
        "pg_rewind discards them on the old primary"
    );
    assert_eq!(o.split_brain_ms, 0);
    assert_eq!(o.final_read_from.as_deref(), Some(first.leader.as_str()));
}

#[test]
fn patroni_primary_isolated_with_3_0_2_re_promotes_the_old_primary_after_the_heal() {
    let o = outcome("patroni-primary-isolated");
    // Real: 7 of 7 runs with Debian's 3.0.2, heal+2.6 … +14 s.
    assert_eq!(count(&o, "re-promotions"), 1, "{o:?}");
    let back = o.new_leaders.last().unwrap();
    assert_eq!(back.leader, "pg1");
    assert!((HEAL..HEAL + 15_000).contains(&back.time_ms), "{back:?}");
    // Both promotions are called timeline 2, and the other two cannot follow pg1.
    assert!(o.new_leaders.iter().all(|l| l.epoch == 2));
    assert_eq!(count(&o, "stranded standbys"), 2, "{o:?}");
    assert!(invariant("patroni-primary-isolated", None, "one primary per timeline").is_some());
    // What the legitimate new primary acknowledged (C2) is gone from pg1.
    assert!(o.lost_writes.iter().any(|w| w.client == "C2"), "{o:?}");
    assert!(invariant(
        "patroni-primary-isolated",
        Some(("patroni_version", "3.0.3")),
        "one primary per timeline"
    )
    .is_none());
}

#[test]
fn patroni_sync_isolated_hangs_writes_and_loses_nothing_with_the_fix() {
    let o = with("patroni-sync-isolated", "patroni_version", "3.0.3");
    assert_eq!(o.acked_writes_lost, 0, "{o:?}");
    // Only the synchronous standby (pg2) may take the key.
    assert_eq!(o.new_leaders[0].leader, "pg2");
    // C1's commit in flight at the cut hangs until the demotion closes its connection:
    // an unknown outcome, not a refusal.
    assert!(o.writes_unknown >= 1, "{o:?}");
    let s = preset("patroni-sync-isolated")
        .with_override("patroni_version", "3.0.3")
        .unwrap();
    let mut sim = sim::build(&s, RunOptions::default()).unwrap();
    sim.run_until(s.duration_ms);
    let h = sim.history();
    let acked_during_cut_by_c1 = h.ops.iter().filter(|op| {
        op.process.0 == 2 // C1 is the third process
            && op.result == Some(sim::history::OpResult::Ok)
            && op.invoke_ms > CUT + 100
            && op.invoke_ms < CUT + 60_000
    });
    assert_eq!(
        acked_during_cut_by_c1.count(),
        0,
        "no write acknowledged on the cut-off primary"
    );
}

#[test]
fn patroni_sync_isolated_with_3_0_2_loses_what_the_new_primary_acknowledged() {
    let o = outcome("patroni-sync-isolated");
    assert_eq!(count(&o, "re-promotions"), 1, "{o:?}");
    // Real (y3): 380 rows acknowledged by the legitimate new primary were missing.
    assert!(o.acked_writes_lost > 100, "{o:?}");
    assert!(o.lost_writes.iter().all(|w| w.client == "C2"));
}

#[test]
fn patroni_sync_strict_no_standby_hangs_and_a_cancel_reports_success() {
    let o = outcome("patroni-sync-strict-no-standby");
    assert_eq!(o.acked_writes_lost, 0, "{o:?}");
    assert!(o.new_leaders.is_empty());
    // C1 cancels after 5 s: told "success" for rows only the primary holds.
    let warned = count(&o, "successes that only the primary holds");
    assert!(
        (6..=10).contains(&warned),
        "{warned} cancelled waits in 40 s"
    );
    // C2 gives up after 2 s without cancelling: unknown, yet committed locally.
    assert!(
        o.writes_unknown > 0 && o.unknown_writes_applied == o.writes_unknown,
        "{o:?}"
    );
}

#[test]
fn patroni_sync_nonstrict_no_standby_goes_asynchronous_after_one_loop() {
    let o = outcome("patroni-sync-nonstrict-no-standby");
    assert_eq!(o.acked_writes_lost, 0, "{o:?}");
    let s = preset("patroni-sync-nonstrict-no-standby");
    let mut sim = sim::build(&s, RunOptions::default()).unwrap();
    sim.run_until(s.duration_ms);
    let h = sim.history();
    // The longest commit wait after the standbys crash: until the primary's next HA
    // loop empties synchronous_standby_names, so between nothing and loop_wait (10 s);
    // a commit without standbys to wait for takes about 1 ms.
    let waits = h
        .ops
        .iter()
        .filter(|op| op.invoke_ms >= CUT && op.invoke_ms < CUT + 15_000);
    let longest = waits
        .filter_map(|op| op.complete_ms.map(|c| c - op.invoke_ms))
        .max()
        .unwrap();
    assert!(
        (100..=10_500).contains(&longest),
        "longest wait {longest} ms"
    );
    // And later writes are acknowledged at once, asynchronously.
    assert!(h.ops.iter().any(|op| op.invoke_ms > CUT + 15_000
        && op.invoke_ms < 60_000
        && op.result == Some(sim::history::OpResult::Ok)));
}

#[test]
fn patroni_dcs_only_cut_demotes_a_primary_whose_replication_is_healthy() {
    let o = with("patroni-dcs-only-cut", "patroni_version", "3.0.3");
    assert_eq!(count(&o, "self-demotions"), 1, "{o:?}");
    // WAL kept flowing: nothing acknowledged before the demotion is lost (real b3/y1).
    assert_eq!(o.acked_writes_lost, 0, "{o:?}");
    assert!(!o.new_leaders.is_empty());
    // With 3.0.2 the old primary takes the key back after the heal (real y3).
    let o = outcome("patroni-dcs-only-cut");
    assert_eq!(count(&o, "re-promotions"), 1, "{o:?}");
}

#[test]
fn patroni_failsafe_keeps_the_primary_through_a_dcs_outage() {
    let o = outcome("patroni-failsafe");
    assert!(count(&o, "failsafe keeps") >= 3, "{o:?}");
    assert_eq!(count(&o, "self-demotions"), 0);
    assert_eq!(o.writes_rejected, 0, "{o:?}");
    let off = with("patroni-failsafe", "failsafe_mode", "false");
    assert_eq!(count(&off, "self-demotions"), 1, "{off:?}");
    assert!(off.writes_rejected > 100, "no primary while etcd is down");
}

#[test]
fn patroni_primary_isolated_fails_over_sooner_when_etcd_is_led_elsewhere() {
    // Real runs where the cut host's etcd member did not lead: demotion at +12.7 …
    // +13.4 s, promotion at +21.9 … +27.1 s, 123 … 129 rows lost (b1, x2).
    let s = preset("patroni-primary-isolated")
        .with_override("patroni_version", "3.0.3")
        .unwrap()
        .with_override("etcd.initial_leader", "etcd2")
        .unwrap();
    let o = sim::simulation::run(&s).unwrap();
    let first = &o.new_leaders[0];
    assert!(
        (CUT + 20_000..CUT + 28_000).contains(&first.time_ms),
        "promoted at {} ms",
        first.time_ms
    );
    assert!((80..200).contains(&o.acked_writes_lost), "{o:?}");
    let bad = preset("patroni-primary-isolated")
        .with_override("etcd.initial_leader", "pg2")
        .unwrap();
    let e = sim::build(&bad, RunOptions::default()).err().unwrap();
    assert_eq!(e.field, "settings.etcd.initial_leader");
}

#[test]
fn patroni_without_pg_rewind_strands_the_old_primary_unless_it_takes_a_base_backup() {
    let base = |reinit: &str| {
        let s = preset("patroni-primary-isolated")
            .with_override("patroni_version", "3.0.3")
            .unwrap()
            .with_override("use_pg_rewind", "false")
            .unwrap()
            .with_override("remove_data_directory_on_diverged_timelines", reinit)
            .unwrap();
        sim::simulation::run(&s).unwrap()
    };
    let stuck = base("false");
    assert_eq!(count(&stuck, "stranded standbys"), 1, "{stuck:?}");
    assert_eq!(stuck.discarded, 0, "its diverged rows stay, unreachable");
    let copied = base("true");
    assert_eq!(count(&copied, "stranded standbys"), 0, "{copied:?}");
    assert!(
        copied.discarded > 0,
        "the base backup replaces what it held"
    );
}

#[test]
fn patroni_nonstrict_sync_waits_for_wal_sender_timeout_when_standbys_are_silently_cut_off() {
    // Only replication is cut (the DCS is fine): PostgreSQL still counts the silent
    // standbys as streaming until wal_sender_timeout (60 s), so Patroni keeps
    // synchronous_standby_names and commits hang that long, then go on asynchronously.
    let mut s = preset("patroni-sync-nonstrict-no-standby");
    s.faults = ["pg2", "pg3"]
        .iter()
        .map(|b| sim::ScheduledFault {
            at_ms: CUT,
            action: sim::FaultAction::CutLink {
                a: "pg1".into(),
                b: (*b).into(),
                one_way: false,
            },
        })
        .collect();
    let mut sim = sim::build(&s, RunOptions::default()).unwrap();
    sim.run_until(s.duration_ms);
    let h = sim.history();
    let longest = h
        .ops
        .iter()
        .filter(|op| op.invoke_ms >= CUT && op.invoke_ms < CUT + 5_000)
        .filter_map(|op| op.complete_ms.map(|c| c - op.invoke_ms))
        .max()
        .unwrap();
    assert!(
        (55_000..=72_000).contains(&longest),
        "longest wait {longest} ms"
    );
    assert_eq!(sim.outcome().acked_writes_lost, 0);
}

#[test]
fn patroni_standbys_further_behind_than_maximum_lag_on_failover_never_take_the_key() {
    // Replication to both standbys is cut at 5 s, the primary's host at 20 s: the
    // standbys are about 15 s of writes behind the optime the leader last wrote.
    let lagging = |max_lag: &str| {
        let mut s = preset("patroni-primary-isolated")
            .with_override("patroni_version", "3.0.3")
            .unwrap()
            .with_override("maximum_lag_on_failover", max_lag)
            .unwrap();
        for b in ["pg2", "pg3"] {
            s.faults.push(sim::ScheduledFault {
                at_ms: 5_000,
                action: sim::FaultAction::CutLink {
                    a: "pg1".into(),
                    b: b.into(),
                    one_way: false,
                },
            });
        }
        s.faults.sort_by_key(|f| f.at_ms);
        sim::simulation::run(&s).unwrap()
    };
    // The default (1 MB) lets a standby 15 s behind take over, losing those writes.
    let default = lagging("1048576");
    assert!(!default.new_leaders.is_empty(), "{default:?}");
    assert!(default.acked_writes_lost > 100);
    // 1 KB does not: nobody takes the key while the primary is cut off.
    let strict = lagging("1024");
    assert!(
        strict.new_leaders.iter().all(|l| l.time_ms > HEAL),
        "{:?}",
        strict.new_leaders
    );
}
